"""Year- and quarter-end projections: actual to date plus the forecast of the remaining months.

The interval and the chance of reaching the target come from the errors of sums of the
next *k* months measured at the model's rolling origins
(:meth:`salesnb.forecast._base.Forecaster.sum_forecast`).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from sklearn.base import clone

from salesnb import calendar as cal
from salesnb.exceptions import DataError, ParamsError

from ._base import Forecaster as _Forecaster
from ._base import as_monthly as _as_monthly
from ._base import check_level as _check_level
from .backtest import accuracy_vs_last_year
from .select import make_default

__all__ = ["year_end_projection", "quarter_end_projection", "projections",
           "projections_and_paths", "quarter_targets", "QUARTER_COLUMNS"]


# ----------------------------------------------------------------------------- projections
def _projection(y, as_of_month, target, period_months, level, model, fitted=None):
    level = _check_level(level)
    s, _ = _as_monthly(y)
    as_of = cal.to_month(as_of_month)
    if as_of not in period_months:
        raise ParamsError("as_of_month must fall in the period projected.")
    hist = s[s.index <= as_of]
    if hist.empty or hist.index[-1] < as_of:
        last = "none" if hist.empty else str(hist.index[-1])
        raise DataError(f"y must have data up to as_of_month {as_of}; its last month is {last}. "
                        "Pass the month the data is complete to.")
    ytd = float(hist[hist.index >= period_months[0]].sum())
    k = int((period_months[-1] - as_of).n)
    if fitted is not None:          # already fitted on these months (a report reuses its fit)
        if getattr(fitted, "last_month_", None) != hist.index[-1]:
            raise ParamsError(f"fitted must be a forecaster fitted on y up to {as_of}; it was "
                              f"fitted up to {getattr(fitted, 'last_month_', 'nothing')}.")
        m = fitted
    else:
        m = clone(model) if model is not None else make_default()
        m.set_params(level=level).fit(hist)
    target = float(target) if target is not None and np.isfinite(target) else np.nan
    need = target - ytd
    if k == 0:
        fc = lo = hi = 0.0
        prob = np.nan if not np.isfinite(target) or target == 0 else float(need <= 0)
    else:
        d = m.sum_forecast(k, level=level, need=need if np.isfinite(need) else None)
        fc, lo, hi, prob = d["forecast"], d["lower"], d["upper"], d["probability"]
        if not np.isfinite(target) or target == 0:
            prob = np.nan
    return {"ytd_actual": ytd, "forecast_remaining": fc, "projection": ytd + fc,
            "lower": ytd + float(lo), "upper": ytd + float(hi), "probability": prob,
            "months_remaining": k, "method": m.method_, "note": m.note_,
            "rule": getattr(m, "history_rule_", ""),
            "accuracy": getattr(m, "accuracy_", None), "_model": m}, target


def year_end_projection(y: pd.Series, *, as_of_month, annual_target: float | None,
                        fiscal_year_start: int = 1, level: float = 0.8,
                        model: _Forecaster | None = None) -> dict:
    """Project the fiscal year's total: YTD actual + forecast of the remaining months.

    Only months up to ``as_of_month`` are used. The probability of reaching the
    target assumes the error of the remaining months' sum is normal (in log space
    when all months are positive) with the scale measured by the model's backtest
    (see the module note); it is NaN when the target is missing or 0.

    Parameters
    ----------
    y : Series
        Monthly actuals indexed by month (Period[M]).
    as_of_month : str or Period
        The last month with actuals.
    annual_target : float or None
        The year's target.
    fiscal_year_start : int
        First month (1-12) of the fiscal year.
    level : float
        The interval's coverage (0.8: 80 %).
    model : forecaster, optional
        The forecaster (default: :func:`salesnb.forecast.make_default`).

    Returns
    -------
    dict with ``ytd_actual``, ``forecast_remaining``, ``projection``, ``lower``,
    ``upper`` (the ``level`` interval), ``annual_target``, ``probability``,
    ``months_remaining``, ``method`` and ``note``.

    Examples
    --------
    >>> y = pd.Series([100.0] * 6, index=pd.period_range("2025-01", periods=6, freq="M"))
    >>> p = year_end_projection(y, as_of_month="2025-06", annual_target=1150.0)
    >>> tuple(round(p[k], 6) for k in ("ytd_actual", "projection", "lower", "upper", "probability"))
    (600.0, 1200.0, 1200.0, 1200.0, 1.0)
    """
    months = cal.fiscal_year_months(cal.fiscal_year(as_of_month, fiscal_year_start),
                                    fiscal_year_start)
    out, target = _projection(y, as_of_month, annual_target, months, level, model)
    out.pop("_model")
    return {**out, "annual_target": target}


def quarter_end_projection(y: pd.Series, *, as_of_month, quarter_target: float | None,
                           fiscal_year_start: int = 1, level: float = 0.8,
                           model: _Forecaster | None = None,
                           fitted: _Forecaster | None = None) -> dict:
    """Project the fiscal quarter's total: quarter-to-date actual + forecast of its remaining months.

    Parameters
    ----------
    y : Series
        Monthly actuals indexed by month (Period[M]).
    as_of_month : str or Period
        The last month with actuals.
    quarter_target : float or None
        The quarter's target.
    fiscal_year_start : int
        First month (1-12) of the fiscal year.
    level : float
        The interval's coverage (0.8: 80 %).
    model : forecaster, optional
        The forecaster (default: :func:`salesnb.forecast.make_default`).
    fitted : forecaster, optional
        A forecaster already fitted on ``y`` up to ``as_of_month``, used as it is instead
        of fitting ``model`` (a report that drew the same unit's forecast reuses that fit).

    Returns
    -------
    dict like :func:`year_end_projection`, with ``quarter_target`` instead of
    ``annual_target`` (``ytd_actual`` is the quarter-to-date actual).

    Examples
    --------
    >>> y = pd.Series([100.0] * 4, index=pd.period_range("2025-01", periods=4, freq="M"))
    >>> quarter_end_projection(y, as_of_month="2025-04", quarter_target=300.0)["projection"]
    300.0
    """
    months = cal.quarter_months(as_of_month, fiscal_year_start)
    out, target = _projection(y, as_of_month, quarter_target, months, level, model, fitted)
    out.pop("_model")
    return {**out, "quarter_target": target}


def projections(actuals: pd.DataFrame, targets: pd.DataFrame, *, month,
                period: Literal["year", "quarter"] = "year", fiscal_year_start: int = 1,
                level: float = 0.8, model: _Forecaster | None = None) -> pd.DataFrame:
    """Project the year (or quarter) end of every unit in a monthly actuals table.

    ``actuals`` has :func:`salesnb.cube.monthly_actuals`'s columns (one metric);
    ``targets`` has ``level``, ``unit`` and ``annual_target`` (``quarter_target``
    with ``period="quarter"``). Units without data up to ``month`` are left out;
    units without a target get NaN target and probability.

    Parameters
    ----------
    actuals : DataFrame
        Monthly actuals (see above).
    targets : DataFrame
        Annual (or quarter) targets per unit (see above).
    month : str or Period
        The report month.
    period : {"year", "quarter"}
        Project the year end or the quarter end.
    fiscal_year_start : int
        First month (1-12) of the fiscal year.
    level : float
        The interval's coverage (0.8: 80 %).
    model : forecaster, optional
        The forecaster (default: :func:`salesnb.forecast.make_default`).

    Returns
    -------
    DataFrame with ``level``, ``unit``, ``team``, ``ytd_actual``, ``projection``,
    ``lower``, ``upper``, ``annual_target`` (or ``quarter_target``),
    ``probability``, ``method``, ``note``; ordered company, team, rep, then unit.

    Examples
    --------
    >>> a = pd.DataFrame({"month": pd.period_range("2025-01", periods=3, freq="M"),
    ...                   "level": "company", "unit": "Company", "team": "",
    ...                   "metric": "amount", "actual": [100.0, 100.0, 100.0]})
    >>> t = pd.DataFrame({"level": ["company"], "unit": ["Company"], "annual_target": [1500.0]})
    >>> projections(a, t, month="2025-03")[["unit", "ytd_actual", "projection", "probability"]]
          unit  ytd_actual  projection  probability
    0  Company       300.0      1200.0          0.0
    """
    return _unit_projections(actuals, targets, month=month, period=period,
                             fiscal_year_start=fiscal_year_start, level=level, model=model)[0]


def _ordered(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    order = df["level"].map({"company": 0, "team": 1, "rep": 2}).fillna(3)
    return (df.assign(_o=order).sort_values(["_o", *by], kind="stable")
            .drop(columns="_o").reset_index(drop=True))


def _unit_projections(actuals, targets, *, month, period="year", fiscal_year_start=1, level=0.8,
                      model=None, paths: bool = False, quarter_targets=None):
    """:func:`projections`, and with ``paths`` also each unit's forecast and quarter end.

    Returns (projections, paths or None, quarters or None); see :func:`projections_and_paths`.
    """
    if period not in ("year", "quarter"):
        raise ParamsError(f"period must be 'year' or 'quarter', got {period!r}.")
    tcol = "annual_target" if period == "year" else "quarter_target"
    for name, df, need in (("actuals", actuals, ["month", "level", "unit", "team", "actual"]),
                           ("targets", targets, ["level", "unit", tcol])):
        miss = [c for c in need if c not in df.columns]
        if miss:
            raise DataError(f"{name} misses columns {miss}; it has {list(df.columns)}.")
    if "metric" in actuals.columns and actuals["metric"].nunique() > 1:
        raise DataError(f"actuals holds several metrics {sorted(actuals['metric'].unique())}; "
                        "filter it to one metric first.")
    as_of = cal.to_month(month)
    tmap = {(str(lv), str(u)): t for lv, u, t in targets[["level", "unit", tcol]].itertuples(index=False)}
    qmap = ({(str(lv), str(u)): t for lv, u, t in
             quarter_targets[["level", "unit", "quarter_target"]].itertuples(index=False)}
            if quarter_targets is not None else {})
    fy_months = cal.fiscal_year_months(cal.fiscal_year(as_of, fiscal_year_start), fiscal_year_start)
    remaining = int((fy_months > as_of).sum())
    rows, path_rows, quarter_rows = [], [], []
    for (lv, unit), g in actuals.groupby(["level", "unit"], sort=False):
        g = g[pd.PeriodIndex(g["month"], freq="M") <= as_of].sort_values("month")
        if g.empty or pd.Period(g["month"].iloc[-1], freq="M") < as_of:
            continue
        y = pd.Series(g["actual"].to_numpy(dtype=float), index=pd.PeriodIndex(g["month"], freq="M"))
        months = cal.fiscal_year_months(cal.fiscal_year(as_of, fiscal_year_start),
                                        fiscal_year_start) if period == "year" else \
            cal.quarter_months(as_of, fiscal_year_start)
        p, tg = _projection(y, as_of, tmap.get((str(lv), str(unit))), months, level, model)
        p[tcol] = tg
        team = g["team"].iloc[-1]
        rows.append({"level": lv, "unit": unit, "team": team,
                     "ytd_actual": p["ytd_actual"], "projection": p["projection"],
                     "lower": p["lower"], "upper": p["upper"], tcol: p[tcol],
                     "probability": p["probability"], "method": p["method"], "note": p["note"],
                     "accuracy_n": (p.get("accuracy") or {}).get("n", 0),
                     "accuracy_mae": (p.get("accuracy") or {}).get("mae", np.nan),
                     "accuracy_mape": (p.get("accuracy") or {}).get("mape", np.nan),
                     "rule": p["rule"],
                     "accuracy_n_vs_last_year": (p.get("accuracy") or {}).get("n_vs_last_year", 0),
                     "accuracy_vs_last_year": accuracy_vs_last_year(p.get("accuracy") or {})})
        if paths:
            fitted = p["_model"]
            if remaining:
                fc = fitted.predict(remaining)
                path_rows.append(fc.assign(level=lv, unit=unit, team=team))
            q = quarter_end_projection(y, as_of_month=as_of, fiscal_year_start=fiscal_year_start,
                                       quarter_target=qmap.get((str(lv), str(unit))),
                                       level=level, fitted=fitted)
            quarter_rows.append({"level": lv, "unit": unit, "team": team,
                                 **{k: q[k] for k in QUARTER_COLUMNS[3:]}})
    cols = ["level", "unit", "team", "ytd_actual", "projection", "lower", "upper", tcol,
            "probability", "method", "note", "accuracy_n", "accuracy_mae", "accuracy_mape",
            "rule", "accuracy_n_vs_last_year", "accuracy_vs_last_year"]
    out = _ordered(pd.DataFrame(rows, columns=cols), ["unit"])
    if not paths:
        return out, None, None
    pcols = ["level", "unit", "team", "month", "forecast", "lower", "upper"]
    path = (pd.concat(path_rows, ignore_index=True)[pcols] if path_rows else
            pd.DataFrame({c: pd.Series(dtype="period[M]" if c == "month" else
                                       (object if c in ("level", "unit", "team") else float))
                          for c in pcols}))
    return out, _ordered(path, ["unit", "month"]), _ordered(
        pd.DataFrame(quarter_rows, columns=QUARTER_COLUMNS), ["unit"])


#: the columns of :func:`projections_and_paths`'s quarter table
QUARTER_COLUMNS = ["level", "unit", "team", "ytd_actual", "projection", "lower", "upper",
                   "quarter_target", "probability", "months_remaining"]


def quarter_targets(targets: pd.DataFrame, *, month, fiscal_year_start: int = 1,
                    metric: str = "amount") -> pd.DataFrame:
    """Return each unit's target for the fiscal quarter of ``month``: the sum of its months.

    Parameters
    ----------
    targets : DataFrame
        Monthly targets (``level, unit, metric, month, target``).
    month : str or Period
        A month of the quarter.
    fiscal_year_start : int
        First month (1-12) of the fiscal year.
    metric : str
        The metric.

    Returns
    -------
    DataFrame
        ``level, unit, quarter_target``: one row per unit with a target row in the quarter
        (a unit without one has no row: its quarter has no target).

    Examples
    --------
    >>> t = pd.DataFrame({"month": pd.period_range("2025-01", periods=4, freq="M"),
    ...                   "level": "team", "unit": "E", "metric": "amount", "target": 100.0})
    >>> quarter_targets(t, month="2025-02").to_dict("records")
    [{'level': 'team', 'unit': 'E', 'quarter_target': 300.0}]
    """
    months = cal.quarter_months(month, fiscal_year_start)
    sel = targets[(targets["metric"] == metric)
                  & pd.PeriodIndex(targets["month"], freq="M").isin(months)]
    return (sel.groupby(["level", "unit"], sort=False)["target"].sum()
            .rename("quarter_target").reset_index())


def projections_and_paths(actuals: pd.DataFrame, targets: pd.DataFrame, *, month,
                          quarter_targets: pd.DataFrame | None = None,
                          fiscal_year_start: int = 1, level: float = 0.8,
                          model: _Forecaster | None = None) -> dict:
    """:func:`projections` of the year end, plus what a report draws from the same fit.

    Each unit's model is fitted once; from that fit come its year-end projection, its
    monthly forecast for the fiscal year's remaining months (the report's forecast chart)
    and its quarter-end projection (:func:`quarter_end_projection` with ``fitted``). A run
    computes them once for every unit so that no report refits a model.

    Parameters
    ----------
    actuals : DataFrame
        Monthly actuals of one metric (see :func:`projections`).
    targets : DataFrame
        ``level``, ``unit``, ``annual_target``.
    month : str or Period
        The report month (the last month with actuals).
    quarter_targets : DataFrame, optional
        ``level``, ``unit``, ``quarter_target`` (:func:`quarter_targets`); a unit without
        a row has no quarter target.
    fiscal_year_start : int
        First month (1-12) of the fiscal year.
    level : float
        The intervals' coverage.
    model : forecaster, optional
        The forecaster (default: :func:`salesnb.forecast.make_default`).

    Returns
    -------
    dict
        ``projections`` (as :func:`projections`), ``paths`` (``level, unit, team, month,
        forecast, lower, upper``: monthly, one row per remaining month of the fiscal year)
        and ``quarters`` (:data:`QUARTER_COLUMNS`).

    Examples
    --------
    East's first four months, as of April: the path holds May to December, and adds up
    to the projection less the year to date; the quarter (April to June) has two months
    left.

    >>> a = pd.DataFrame({"month": pd.period_range("2025-01", periods=4, freq="M"),
    ...                   "level": "team", "unit": "East", "team": "East", "metric": "amount",
    ...                   "actual": [100.0, 110.0, 120.0, 130.0]})
    >>> t = pd.DataFrame({"level": ["team"], "unit": ["East"], "annual_target": [1500.0]})
    >>> q = pd.DataFrame({"level": ["team"], "unit": ["East"], "quarter_target": [400.0]})
    >>> r = projections_and_paths(a, t, month="2025-04", quarter_targets=q)
    >>> p = r["paths"]
    >>> len(p), str(p["month"].iloc[0]), bool(abs(p["forecast"].sum() + 460.0
    ...                                            - r["projections"]["projection"][0]) < 1e-9)
    (8, '2025-05', True)
    >>> r["quarters"][["unit", "ytd_actual", "quarter_target", "months_remaining"]].to_dict("records")
    [{'unit': 'East', 'ytd_actual': 130.0, 'quarter_target': 400.0, 'months_remaining': 2}]
    """
    pj, paths, quarters = _unit_projections(
        actuals, targets, month=month, fiscal_year_start=fiscal_year_start, level=level,
        model=model, paths=True, quarter_targets=quarter_targets)
    return {"projections": pj, "paths": paths, "quarters": quarters}
