"""Cumulative fiscal-year series a report draws: actual against target by unit, and a forecast path.

:func:`cumulative_by_unit` gives :func:`salesnb.progress.monthly_progress` of every
unit of a level (the company's small multiples, one panel per team);
:func:`unit_history` and :func:`forecast_path` give one unit's year so far and its
cumulative forecast to the fiscal year's end, whose band ends at the unit's year-end
projection (:func:`salesnb.forecast.projections`).
"""

from __future__ import annotations

import pandas as pd

from salesnb import forecast as _fc
from salesnb.calendar import fiscal_year, fiscal_year_months, to_month
from salesnb.checks import require_columns
from salesnb.monthly import monthly_progress_table

__all__ = ["cumulative_by_unit", "unit_history", "forecast_path"]


def cumulative_by_unit(actuals: pd.DataFrame, targets: pd.DataFrame, *, month,
                       level: str = "team", metric: str = "amount",
                       fiscal_year_start: int = 1) -> pd.DataFrame:
    """Return every unit's cumulative actual and target over the fiscal year of ``month``.

    Parameters
    ----------
    actuals : DataFrame
        Monthly actuals (``level, unit, team, metric, month, actual``).
    targets : DataFrame
        Monthly targets (``level, unit, metric, month, target``).
    month : str or Period
        The report month: actuals run through it and are NaN after it.
    level : str
        The level whose units get a series (``"team"``: one per team).
    metric : str
        The metric.
    fiscal_year_start : int
        First month of the fiscal year (1-12).

    Returns
    -------
    DataFrame
        ``unit, month`` (Period[M]), ``cum_target``, ``cum_actual``,
        ``cum_attainment`` (:func:`salesnb.progress.monthly_progress`'s columns): 12 rows
        per unit with actuals at ``level``, units in alphabetical order, months in
        fiscal order.

    Examples
    --------
    >>> a = pd.DataFrame({"month": pd.PeriodIndex(["2025-01", "2025-02", "2025-01"], freq="M"),
    ...                   "level": "team", "unit": ["E", "E", "W"], "team": ["E", "E", "W"],
    ...                   "metric": "amount", "actual": [90.0, 120.0, 50.0]})
    >>> t = pd.DataFrame({"month": pd.period_range("2025-01", periods=12, freq="M"),
    ...                   "level": "team", "unit": "E", "metric": "amount", "target": 100.0})
    >>> c = cumulative_by_unit(a, t, month="2025-02")
    >>> c[c["month"] <= pd.Period("2025-02", "M")].reset_index(drop=True)
      unit    month  cum_target  cum_actual  cum_attainment
    0    E  2025-01       100.0        90.0            0.90
    1    E  2025-02       200.0       210.0            1.05
    2    W  2025-01         NaN        50.0             NaN
    3    W  2025-02         NaN        50.0             NaN
    """
    require_columns(actuals, ["level", "unit", "metric", "month", "actual"], "actuals")
    a = actuals[(actuals["level"] == level) & (actuals["metric"] == metric)]
    cols = ["unit", "month", "cum_target", "cum_actual", "cum_attainment"]
    # every unit at once, from its level's rows of this metric only
    acts, tgts = _level_rows(actuals, level, metric), _level_rows(targets, level, metric)
    units = sorted(a["unit"].astype(str).unique())
    if not units:
        return pd.DataFrame({c: pd.Series(dtype="period[M]" if c == "month" else
                                          (object if c == "unit" else float)) for c in cols})
    mp = monthly_progress_table(acts, tgts, pd.DataFrame({"level": level, "unit": units}),
                                metric=metric, month=month, fiscal_year_start=fiscal_year_start)
    return mp[cols].reset_index(drop=True)


def _level_rows(df: pd.DataFrame, level: str, metric: str) -> pd.DataFrame:
    """Return the rows of ``df`` at ``level`` for ``metric``, matched as unit_months reads them."""
    lv = df["level"].astype(str).str.strip().str.lower()
    return df[(lv == level) & (df["metric"].astype(str).str.strip() == metric)]


def unit_history(actuals: pd.DataFrame, *, level: str, unit: str, month,
                 metric: str = "amount") -> pd.Series:
    """Return one unit's monthly actuals through ``month``, indexed by month, oldest first.

    Parameters
    ----------
    actuals : DataFrame
        Monthly actuals (``level, unit, metric, month, actual``).
    level : str
        The unit's level.
    unit : str
        The unit's name.
    month : str or Period
        The last month kept.
    metric : str
        The metric.

    Returns
    -------
    Series
        ``actual`` by month (the model's input series).

    Examples
    --------
    >>> a = pd.DataFrame({"level": "team", "unit": "E", "metric": "amount",
    ...                   "month": pd.period_range("2025-01", periods=3, freq="M"),
    ...                   "actual": [1.0, 2.0, 3.0]})
    >>> unit_history(a, level="team", unit="E", month="2025-02").tolist()
    [1.0, 2.0]
    """
    s = actuals[(actuals["level"] == level) & (actuals["unit"] == unit)
                & (actuals["metric"] == metric)]
    y = s.set_index("month")["actual"].sort_index()
    return y[y.index <= to_month(month)]


def forecast_path(y: pd.Series, projection: pd.Series | None, *, month,
                  fiscal_year_start: int = 1, interval: float = 0.8, model=None,
                  forecast: pd.DataFrame | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return a unit's cumulative year so far and its cumulative forecast to the year's end.

    The forecast of the remaining months (:func:`salesnb.forecast.forecast_series`) is
    added to the year-to-date actual month by month; the band's last month is the
    projection's own interval (the simulated year-end range), so the chart ends where
    the projection table does.

    Parameters
    ----------
    y : Series
        The unit's monthly actuals through ``month`` (:func:`unit_history`).
    projection : Series or None
        The unit's row of the run's projections (``lower``, ``upper``), or None.
    month : str or Period
        The report month.
    fiscal_year_start : int
        First month of the fiscal year (1-12).
    interval : float
        The forecast interval's coverage.
    model : forecaster, optional
        The default forecaster already fitted on ``y`` at ``interval`` (a report fits it
        once for its forecast chart and its quarter); default: fitted here.
    forecast : DataFrame, optional
        That model's monthly forecast of the remaining months already made (``month,
        forecast, lower, upper``: the run's ``forecast_paths`` rows of the unit, from the
        fit that made its projection); used instead of ``model``.

    Returns
    -------
    history : DataFrame
        ``month, actual``: the cumulative actual of each fiscal month through ``month``.
    path : DataFrame
        ``month, forecast, lower, upper``: cumulative, one row per remaining month
        (none when the year is over or there is no history).

    Examples
    --------
    >>> y = pd.Series([10.0, 10.0, 10.0], index=pd.period_range("2025-08", periods=3, freq="M"))
    >>> hist, path = forecast_path(y, None, month="2025-10")
    >>> hist["actual"].tolist(), path["forecast"].tolist()
    ([10.0, 20.0, 30.0], [40.0, 50.0])
    """
    m = to_month(month)
    fy_months = fiscal_year_months(fiscal_year(m, fiscal_year_start), fiscal_year_start)
    remaining = int((fy_months > m).sum())
    hist = y[y.index.isin(fy_months)].cumsum().rename("actual").reset_index()
    hist.columns = ["month", "actual"]
    if not (remaining and len(y)):
        return hist, pd.DataFrame(columns=["month", "forecast", "lower", "upper"])
    if forecast is not None:
        if len(forecast) != remaining or (len(forecast) and
                                          pd.Period(forecast["month"].iloc[0], "M") != m + 1):
            raise ValueError(f"forecast must hold the {remaining} months after {m}; it holds "
                             f"{len(forecast)} from {forecast['month'].iloc[0] if len(forecast) else '-'}.")
        fc = forecast[["month", "forecast", "lower", "upper"]].reset_index(drop=True)
    else:
        fc = (model.predict(remaining) if model is not None
              else _fc.forecast_series(y, remaining, level=interval))
    base = float(hist["actual"].iloc[-1]) if len(hist) else 0.0
    path = fc.assign(forecast=base + fc["forecast"].cumsum(),
                     lower=base + fc["lower"].cumsum(), upper=base + fc["upper"].cumsum())
    if projection is not None:  # the band's end is the projection's simulated interval
        path.loc[path.index[-1], ["lower", "upper"]] = [projection["lower"], projection["upper"]]
    return hist, path
