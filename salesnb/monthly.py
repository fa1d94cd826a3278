"""One unit's months (进度按月): target, actual and what each remaining month needs.

* :func:`monthly_progress` - one unit's months of the fiscal year: target, actual, cumulative.
* :func:`required_run_rate_by_month` - the remaining annual gap split over the remaining months.
* :func:`attainment_matrix` - monthly attainment per unit (the heatmap's table).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from salesnb.calendar import fiscal_year, fiscal_year_months, month_as_of, to_month
from salesnb.numbers import safe_div
from salesnb.targets import largest_remainder, split_decimals
from salesnb.unit_months import unit_series

__all__ = ["monthly_progress", "monthly_progress_table", "required_run_rate_by_month",
           "attainment_matrix", "months_summary"]


def monthly_progress(
    actuals: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    level: str,
    unit: str,
    metric: str = "amount",
    month,
    fiscal_year_start: int = 1,
) -> pd.DataFrame:
    """Tabulate one unit's target and actual for every month of the fiscal year of ``month``.

    Actuals run through the report ``month`` (a missing month counts as 0) and are NaN
    after it. A month without a target has target NaN; cumulative targets treat it as 0
    once an earlier month had a target.

    Parameters
    ----------
    actuals : DataFrame
        Monthly actuals: month, level, unit, team, metric, actual.
    targets : DataFrame
        Monthly targets: month, level, unit, metric, target.
    level : str
        The unit's level.
    unit : str
        The unit tabulated.
    metric : str
        The metric tabulated.
    month : str or Period
        The report month.
    fiscal_year_start : int
        First month (1-12) of the fiscal year.

    Returns
    -------
    DataFrame with columns ``month`` (Period[M]), ``target``, ``actual``, ``attainment``,
    ``cum_target``, ``cum_actual``, ``cum_attainment``; 12 rows, first fiscal month first.

    Examples
    --------
    >>> a = pd.DataFrame({"month": pd.PeriodIndex(["2025-01", "2025-02"], freq="M"),
    ...                   "level": "team", "unit": "East", "team": "East",
    ...                   "metric": "amount", "actual": [90.0, 120.0]})
    >>> t = pd.DataFrame({"month": pd.period_range("2025-01", periods=12, freq="M"),
    ...                   "level": "team", "unit": "East", "metric": "amount", "target": 100.0})
    >>> monthly_progress(a, t, level="team", unit="East", month="2025-02").head(3)
         month  target  actual  attainment  cum_target  cum_actual  cum_attainment
    0  2025-01   100.0    90.0         0.9       100.0        90.0            0.90
    1  2025-02   100.0   120.0         1.2       200.0       210.0            1.05
    2  2025-03   100.0     NaN         NaN       300.0         NaN             NaN
    """
    m = to_month(month)
    months = fiscal_year_months(fiscal_year(m, fiscal_year_start), fiscal_year_start)
    a, t = unit_series(actuals, targets, level, unit, metric, months)
    done = np.asarray(months <= m)
    actual = a.fillna(0.0).where(done)
    seen = t.notna().cumsum() > 0
    cum_t = t.fillna(0.0).cumsum().where(seen)
    cum_a = actual.cumsum()
    return pd.DataFrame({
        "month": months, "target": t.to_numpy(), "actual": actual.to_numpy(),
        "attainment": safe_div(actual, t).to_numpy(), "cum_target": cum_t.to_numpy(),
        "cum_actual": cum_a.to_numpy(), "cum_attainment": safe_div(cum_a, cum_t).to_numpy(),
    })


def monthly_progress_table(actuals: pd.DataFrame, targets: pd.DataFrame, units: pd.DataFrame,
                           *, metric: str = "amount", month,
                           fiscal_year_start: int = 1) -> pd.DataFrame:
    """:func:`monthly_progress` of many units at once: the same figures, one pass over the tables.

    Parameters
    ----------
    actuals, targets : DataFrame
        As :func:`monthly_progress` takes them.
    units : DataFrame
        ``level`` and ``unit`` of each unit to tabulate, in the order wanted (a company
        row's unit is ignored, as :func:`monthly_progress` ignores it).
    metric, month, fiscal_year_start : str, str or Period, int
        As :func:`monthly_progress` takes them (the metric, the report month, the fiscal
        year's first month).

    Returns
    -------
    DataFrame
        ``level``, ``unit`` (as given) and :func:`monthly_progress`'s columns: 12 rows per
        unit, units in the order of ``units``. A unit in neither table raises as
        :func:`monthly_progress` does.

    Examples
    --------
    >>> a = pd.DataFrame({"month": pd.PeriodIndex(["2025-01", "2025-02", "2025-01"], freq="M"),
    ...                   "level": "team", "unit": ["East", "East", "West"], "team": "x",
    ...                   "metric": "amount", "actual": [90.0, 120.0, 50.0]})
    >>> t = pd.DataFrame({"month": pd.period_range("2025-01", periods=12, freq="M"),
    ...                   "level": "team", "unit": "East", "metric": "amount", "target": 100.0})
    >>> u = pd.DataFrame({"level": ["team", "team"], "unit": ["West", "East"]})
    >>> p = monthly_progress_table(a, t, u, month="2025-02")
    >>> p.iloc[[0, 1, 12, 13]][["unit", "month", "target", "actual", "cum_actual", "cum_attainment"]]
        unit    month  target  actual  cum_actual  cum_attainment
    0   West  2025-01     NaN    50.0        50.0             NaN
    1   West  2025-02     NaN     0.0        50.0             NaN
    12  East  2025-01   100.0    90.0        90.0            0.90
    13  East  2025-02   100.0   120.0       210.0            1.05
    """
    from salesnb.cube import COMPANY
    from salesnb.unit_months import long_values, wide
    m = to_month(month)
    months = fiscal_year_months(fiscal_year(m, fiscal_year_start), fiscal_year_start)
    cols = ["level", "unit", "month", "target", "actual", "attainment", "cum_target",
            "cum_actual", "cum_attainment"]
    if not len(units):
        return pd.DataFrame({c: pd.Series(dtype="period[M]" if c == "month" else
                                          (object if c in ("level", "unit") else float))
                             for c in cols})
    lv = units["level"].astype(str).to_numpy()
    un = np.where(lv == "company", COMPANY, units["unit"].astype(str).to_numpy())
    keys = pd.MultiIndex.from_arrays([lv, un, np.full(len(units), metric)],
                                     names=["level", "unit", "metric"])
    act = long_values(actuals, "actual", "actuals")
    tgt = long_values(targets, "target", "targets")
    known = set(act.index.droplevel("month")) | set(tgt.index.droplevel("month"))
    for lv_, un_ in zip(lv, units["unit"].astype(str), strict=True):
        k = (lv_, COMPANY if lv_ == "company" else un_, metric)
        if k not in known:   # the error monthly_progress gives
            return monthly_progress(actuals, targets, level=lv_, unit=un_, metric=metric,
                                    month=month, fiscal_year_start=fiscal_year_start)
    a = wide(act, keys, months).to_numpy(dtype=float)
    t = wide(tgt, keys, months).to_numpy(dtype=float)
    done = np.asarray(months <= m)
    actual = np.where(done, np.nan_to_num(a, nan=0.0), np.nan)
    seen = np.cumsum(~np.isnan(t), axis=1) > 0
    cum_t = np.where(seen, np.cumsum(np.nan_to_num(t, nan=0.0), axis=1), np.nan)
    cum_a = np.where(done, np.cumsum(np.nan_to_num(actual, nan=0.0), axis=1), np.nan)

    def ratio(x, y):
        with np.errstate(all="ignore"):
            return np.where((y != 0) & ~np.isnan(y), x / np.where(y == 0, np.nan, y), np.nan)

    n, k = a.shape
    return pd.DataFrame({
        "level": np.repeat(units["level"].to_numpy(dtype=object), k),
        "unit": np.repeat(units["unit"].to_numpy(dtype=object), k),
        "month": pd.PeriodIndex(np.tile(np.asarray(months), n), freq="M"),
        "target": t.ravel(), "actual": actual.ravel(), "attainment": ratio(actual, t).ravel(),
        "cum_target": cum_t.ravel(), "cum_actual": cum_a.ravel(),
        "cum_attainment": ratio(cum_a, cum_t).ravel()})


def required_run_rate_by_month(
    targets: pd.DataFrame,
    actuals: pd.DataFrame,
    *,
    unit: str,
    level: str,
    metric: str = "amount",
    month,
    fiscal_year_start: int = 1,
    as_of=None,
    working_days: bool = False,
    weekmask: str = "1111100",
    holidays: Iterable = (),
) -> pd.DataFrame:
    """Split the remaining annual gap over the time left in the fiscal year after ``as_of``.

    The remaining gap is annual target - YTD actual (through ``as_of``). It is split by
    the remaining months' own targets as weights (equal weights if those add up to 0
    or less) and rounded by largest remainder (cents; whole units for a count metric), so
    ``required`` adds up exactly to the remaining gap. In a mid-month report (``as_of``
    inside ``month``) the rest of the as-of month is time left too: it comes first,
    weighted by its target x the share of its days still to come (its ``target`` column
    is the full month's). No time left gives an empty table; no annual target gives
    ``required`` NaN.

    Parameters
    ----------
    targets : DataFrame
        Monthly targets: month, level, unit, metric, target.
    actuals : DataFrame
        Monthly actuals: month, level, unit, team, metric, actual.
    unit : str
        The unit whose gap is split.
    level : str
        The unit's level.
    metric : str
        The metric whose gap is split.
    month : str or Period
        The report month.
    fiscal_year_start : int
        First month (1-12) of the fiscal year.
    as_of : date-like, optional
        The last day covered, inside ``month`` (default its last day).
    working_days : bool
        Count the month's time progress in working days instead of calendar days.
    weekmask : str
        The working days of the week, Monday first (``"1111100"``).
    holidays : iterable of date-like
        Days off not counted as working days.

    Returns
    -------
    DataFrame with columns ``month`` (Period[M]), ``target`` (the month's target) and
    ``required`` (what the month, or the rest of the as-of month, must bring).

    Examples
    --------
    >>> a = pd.DataFrame({"month": pd.PeriodIndex(["2025-01"], freq="M"), "level": "rep",
    ...                   "unit": "Ann", "team": "East", "metric": "amount", "actual": [50.0]})
    >>> t = pd.DataFrame({"month": pd.period_range("2025-01", periods=4, freq="M"),
    ...                   "level": "rep", "unit": "Ann", "metric": "amount",
    ...                   "target": [100.0, 100.0, 100.0, 200.0]})
    >>> # gap 500 - 50 = 450 split 100:100:200 (months without a target weigh 0)
    >>> required_run_rate_by_month(t, a, unit="Ann", level="rep", month="2025-01").head(3)
         month  target  required
    0  2025-02   100.0     112.5
    1  2025-03   100.0     112.5
    2  2025-04   200.0     225.0
    """
    m = to_month(month)
    months = fiscal_year_months(fiscal_year(m, fiscal_year_start), fiscal_year_start)
    a, t = unit_series(actuals, targets, level, unit, metric, months)
    _, mtp = month_as_of(m, as_of, working_days=working_days, weekmask=weekmask,
                         holidays=holidays)
    left = 1.0 - mtp
    rest = months[months >= m] if left > 0 else months[months > m]
    ytd = a[months[months <= m]].fillna(0.0).sum()
    annual = t.sum(min_count=1)
    w = t[rest].fillna(0.0).to_numpy() * np.where(rest == m, left, 1.0)
    if w.sum() <= 0:
        w = np.where(rest == m, left, 1.0)
    if len(rest) == 0 or np.isnan(annual):
        required = np.full(len(rest), np.nan)
    else:
        required = largest_remainder(w, annual - ytd, decimals=split_decimals(metric))
    return pd.DataFrame({"month": rest, "target": t[rest].to_numpy(), "required": required})


def attainment_matrix(
    actuals: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    level: str = "team",
    metric: str = "amount",
    month,
    fiscal_year_start: int = 1,
) -> pd.DataFrame:
    """Tabulate monthly attainment per unit for the fiscal year through ``month``.

    Returns a wide frame: index ``unit``, one column per month (``YYYY-MM``) from the
    fiscal year's first month through ``month``; NaN where the month has no target.

    Parameters
    ----------
    actuals : DataFrame
        Monthly actuals: month, level, unit, team, metric, actual.
    targets : DataFrame
        Monthly targets: month, level, unit, metric, target.
    level : str
        The level whose units are tabulated.
    metric : str
        The metric tabulated.
    month : str or Period
        The last month tabulated.
    fiscal_year_start : int
        First month (1-12) of the fiscal year.

    Examples
    --------
    >>> a = pd.DataFrame({"month": pd.period_range("2025-01", periods=2, freq="M").repeat(1),
    ...                   "level": "team", "unit": "East", "team": "East",
    ...                   "metric": "amount", "actual": [90.0, 120.0]})
    >>> t = pd.DataFrame({"month": pd.period_range("2025-01", periods=2, freq="M"),
    ...                   "level": "team", "unit": "East", "metric": "amount",
    ...                   "target": [100.0, 100.0]})
    >>> attainment_matrix(a, t, month="2025-02").loc["East"].tolist()
    [0.9, 1.2]
    """
    m = to_month(month)
    months = fiscal_year_months(fiscal_year(m, fiscal_year_start), fiscal_year_start)
    months = months[months <= m]
    a = actuals[(actuals["level"] == level) & (actuals["metric"] == metric)
                & actuals["month"].isin(months)]
    t = targets[(targets["level"] == level) & (targets["metric"] == metric)
                & targets["month"].isin(months)]
    units = sorted(set(t["unit"].astype(str)))
    act = a.pivot_table(index="unit", columns="month", values="actual", aggfunc="sum")
    tgt = t.pivot_table(index="unit", columns="month", values="target", aggfunc="sum")
    act = act.reindex(index=units, columns=months).fillna(0.0)
    tgt = tgt.reindex(index=units, columns=months)
    out = act / tgt.where(tgt != 0)
    out.columns = pd.Index([str(c) for c in out.columns], name="month")
    out.index.name = "unit"
    return out


def months_summary(monthly_table: pd.DataFrame, *, month, as_of=None) -> dict:
    """Sum up a unit's months so far: how many met their target, the cumulative, the best.

    Parameters
    ----------
    monthly_table : DataFrame
        :func:`monthly_progress`'s output.
    month : str or Period
        The report month.
    as_of : date, optional
        The as-of day; inside the month (a mid-month report), the report month is not
        closed yet and is not counted among the months that met their target.

    Returns
    -------
    dict
        ``months`` (closed months with an actual), ``met`` (of them, with a positive
        target and actual >= target), ``cum_attainment`` (the cumulative attainment of the
        last month with an actual), ``best_month`` ("YYYY-MM", the month of highest
        attainment; None without any) and ``best_attainment``.

    Examples
    --------
    >>> a = pd.DataFrame({"month": pd.PeriodIndex(["2025-01", "2025-02"], freq="M"),
    ...                   "level": "team", "unit": "East", "team": "East",
    ...                   "metric": "amount", "actual": [90.0, 120.0]})
    >>> t = pd.DataFrame({"month": pd.period_range("2025-01", periods=12, freq="M"),
    ...                   "level": "team", "unit": "East", "metric": "amount", "target": 100.0})
    >>> mp = monthly_progress(a, t, level="team", unit="East", month="2025-02")
    >>> months_summary(mp, month="2025-02")
    {'months': 2, 'met': 1, 'cum_attainment': 1.05, 'best_month': '2025-02', 'best_attainment': 1.2}
    >>> months_summary(mp, month="2025-02", as_of="2025-02-14")["months"]
    1
    """
    m = to_month(month)
    partial = as_of is not None and pd.Timestamp(as_of).normalize() < m.end_time.normalize()
    done = monthly_table[monthly_table["actual"].notna()]
    closed = done[done["month"] < m] if partial else done
    met = int(((closed["actual"] >= closed["target"]) & (closed["target"] > 0)).sum())
    cum = float(done["cum_attainment"].iloc[-1]) if len(done) else np.nan
    has = done["attainment"].notna().any()
    best = done.loc[done["attainment"].idxmax()] if has else None
    return {"months": len(closed), "met": met, "cum_attainment": cum,
            "best_month": str(best["month"]) if best is not None else None,
            "best_attainment": float(best["attainment"]) if best is not None else np.nan}
