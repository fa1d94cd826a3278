"""Comparisons on daily sales up to a date: year, month and week to date, like for like.

A report dated inside a month (or a weekly one) cannot compare whole months: these
functions compare the same days of the year, month or week, from the daily digest
(``date, team, rep, amount``). :mod:`salesnb.compare` re-exports them.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from salesnb.calendar import fiscal_year, fiscal_year_months
from salesnb.checks import require_columns
from salesnb.cube import COMPANY
from salesnb.exceptions import ParamsError
from salesnb.numbers import growth

__all__ = ["ytd_like_for_like", "week_to_date", "month_to_date_growth"]

_require = require_columns


def ytd_like_for_like(
    sales: pd.DataFrame,
    *,
    as_of,
    fiscal_year_start: int = 1,
    level: Literal["company", "team", "rep"] = "team",
    metric: Literal["amount", "quantity"] = "amount",
) -> pd.DataFrame:
    """Compare year-to-date sales through ``as_of`` with the same span last year, day for day.

    This year's span runs from the first day of the fiscal year through ``as_of``; last
    year's span from the same start one year earlier through the same day of the year
    (``as_of`` minus one year; Feb 29 becomes Feb 28, and Feb 28 stays Feb 28).

    Parameters
    ----------
    sales : DataFrame
        Sales rows or the daily digest (date, team, rep, amount, quantity).
    as_of : date-like
        The last day covered.
    fiscal_year_start : int
        First month (1-12) of the fiscal year.
    level : {"company", "team", "rep"}
        One row per unit of this level.
    metric : {"amount", "quantity"}
        The measure compared.

    Returns
    -------
    DataFrame with columns ``unit, ytd, ytd_last_year, ytd_yoy, span_start, span_end,
    last_year_start, last_year_end``, one row per unit with sales in either span, ordered
    by unit. A unit without sales in a span has 0 there; ``ytd_last_year`` is NaN when the
    data starts after last year's span ends.

    Examples
    --------
    >>> s = pd.DataFrame({"date": pd.to_datetime(["2024-01-10", "2024-02-20", "2025-01-05"]),
    ...                   "team": ["East", "East", "East"], "rep": ["Ann", "Ann", "Ann"],
    ...                   "amount": [100.0, 40.0, 120.0]})
    >>> r = ytd_like_for_like(s, as_of="2025-02-10")
    >>> r[["unit", "ytd", "ytd_last_year", "ytd_yoy", "last_year_end"]]
       unit    ytd  ytd_last_year  ytd_yoy last_year_end
    0  East  120.0          100.0      0.2    2024-02-10
    """
    if level not in ("company", "team", "rep"):
        raise ParamsError(f"level must be 'company', 'team' or 'rep', got {level!r}.")
    if metric not in ("amount", "quantity"):
        raise ParamsError(f"metric must be 'amount' or 'quantity', got {metric!r}.")
    _require(sales, ["date", metric] + ([level] if level != "company" else []), "sales")
    end = pd.Timestamp(as_of).normalize()
    start = fiscal_year_months(fiscal_year(end.to_period("M"), fiscal_year_start),
                               fiscal_year_start)[0].start_time
    ly_start, ly_end = start - pd.DateOffset(years=1), end - pd.DateOffset(years=1)
    day = sales["date"].dt.normalize()
    unit = (pd.Series(COMPANY, index=sales.index) if level == "company"
            else sales[level].astype(str))
    val = sales[metric].astype(float)
    cur = val[(day >= start) & (day <= end)].groupby(unit).sum()
    prev = val[(day >= ly_start) & (day <= ly_end)].groupby(unit).sum()
    units = sorted(set(cur.index) | set(prev.index))
    out = pd.DataFrame({"unit": units})
    out["ytd"] = cur.reindex(units, fill_value=0.0).to_numpy(dtype=float)
    out["ytd_last_year"] = prev.reindex(units, fill_value=0.0).to_numpy(dtype=float)
    if len(day) and day.min() > ly_end:
        out["ytd_last_year"] = np.nan
    out["ytd_yoy"] = growth(out["ytd"], out["ytd_last_year"])
    return out.assign(span_start=start, span_end=end, last_year_start=ly_start,
                      last_year_end=ly_end)


def week_to_date(sales: pd.DataFrame, *, as_of, level: Literal["company", "team", "rep"] = "rep",
                 week_start: int = 0) -> pd.DataFrame:
    """Compare this week to date with the same days of last week (the weekly meeting view).

    This week runs from the last ``week_start`` weekday (0 = Monday) through ``as_of``;
    last week is the same weekdays seven days earlier. Units are those with a sale in
    either week, or, for reps, in the four weeks before (so a rep who stopped selling
    shows with 0 this week).

    Parameters
    ----------
    sales : DataFrame
        Sales rows or the daily digest (date, team, rep, amount, quantity).
    as_of : date-like
        The last day covered.
    level : {"company", "team", "rep"}
        One row per unit of this level.
    week_start : int
        The first weekday of a week (0 = Monday).

    Returns
    -------
    DataFrame with columns ``unit``, ``team`` ("" for the company; a rep's team of their
    latest sale), ``this_week``, ``last_week``, ``wow`` (this_week / last_week - 1, NaN on
    a zero base), ``week_start``, ``week_end``; sorted by ``this_week`` descending.

    Examples
    --------
    >>> s = pd.DataFrame({"date": pd.to_datetime(["2025-03-03", "2025-03-05", "2025-02-25",
    ...                                           "2025-02-20"]),
    ...                   "team": ["E", "E", "E", "E"], "rep": ["Ann", "Ann", "Ann", "Bob"],
    ...                   "amount": [10.0, 20.0, 15.0, 7.0]})
    >>> week_to_date(s, as_of="2025-03-05")[["unit", "this_week", "last_week", "wow"]]
      unit  this_week  last_week  wow
    0  Ann       30.0       15.0  1.0
    1  Bob        0.0        0.0  NaN
    """
    _require(sales, ["date", "team", "rep", "amount"], "sales")
    if not 0 <= int(week_start) <= 6:
        raise ParamsError(f"week_start must be a weekday 0 (Monday) to 6, got {week_start!r}.")
    end = pd.Timestamp(as_of).normalize()
    start = end - pd.Timedelta(days=(end.weekday() - int(week_start)) % 7)
    prev_start, prev_end = start - pd.Timedelta(days=7), end - pd.Timedelta(days=7)
    lookback = start - pd.Timedelta(days=28)
    d = pd.to_datetime(sales["date"]).dt.normalize()
    if level == "company":
        unit = pd.Series(COMPANY, index=sales.index)
    else:
        unit = sales[level].astype(str)
    frame = pd.DataFrame({"unit": unit, "team": sales["team"].astype(str), "date": d,
                          "amount": sales["amount"].astype(float)})
    recent = frame[(frame["date"] >= lookback) & (frame["date"] <= end)]
    this = recent[recent["date"].between(start, end)].groupby("unit")["amount"].sum()
    last = recent[recent["date"].between(prev_start, prev_end)].groupby("unit")["amount"].sum()
    units = sorted(set(recent["unit"]))
    team = (recent.sort_values("date", kind="stable").groupby("unit")["team"].last()
            if level == "rep" else pd.Series({u: (u if level == "team" else "") for u in units}))
    out = pd.DataFrame({"unit": units})
    out["team"] = out["unit"].map(team).fillna("")
    out["this_week"] = out["unit"].map(this).fillna(0.0).astype(float)
    out["last_week"] = out["unit"].map(last).fillna(0.0).astype(float)
    out["wow"] = growth(out["this_week"], out["last_week"])
    out["week_start"], out["week_end"] = start, end
    return out.sort_values(["this_week", "unit"], ascending=[False, True]).reset_index(drop=True)


def month_to_date_growth(sales: pd.DataFrame, *, as_of,
                         level: Literal["company", "team", "rep"] = "team",
                         metric: Literal["amount", "quantity"] = "amount") -> pd.DataFrame:
    """Compare the month to date with the same days of last month and of last year.

    For a mid-month report the month is partial, so MoM and YoY compare like for like:
    days 1..d of this month against days 1..d of the previous month and of the same month
    last year (d capped at the shorter month's length).

    Parameters
    ----------
    sales : DataFrame
        Sales rows or the daily digest (date, team, rep, amount, quantity).
    as_of : date-like
        The last day covered.
    level : {"company", "team", "rep"}
        One row per unit of this level.
    metric : {"amount", "quantity"}
        The measure compared.

    Returns
    -------
    DataFrame with columns ``unit``, ``actual``, ``prev_actual``, ``mom``,
    ``last_year_actual``, ``yoy`` (NaN on a zero or missing base).

    Examples
    --------
    >>> s = pd.DataFrame({"date": pd.to_datetime(["2025-03-02", "2025-03-20", "2025-02-05",
    ...                                           "2025-02-25", "2024-03-09"]),
    ...                   "team": "E", "rep": "Ann", "amount": [10.0, 99.0, 8.0, 50.0, 5.0]})
    >>> month_to_date_growth(s, as_of="2025-03-10")
      unit  actual  prev_actual   mom  last_year_actual  yoy
    0    E    10.0          8.0  0.25               5.0  1.0
    """
    _require(sales, ["date", "team", "rep", metric], "sales")
    end = pd.Timestamp(as_of).normalize()
    day = end.day

    def span(months_back: int) -> tuple[pd.Timestamp, pd.Timestamp]:
        first = (end.to_period("M") - months_back).start_time
        last_day = min(day, first.days_in_month)
        return first, first + pd.Timedelta(days=last_day - 1)

    d = pd.to_datetime(sales["date"]).dt.normalize()
    unit = (pd.Series(COMPANY, index=sales.index) if level == "company"
            else sales[level].astype(str))
    vals = sales[metric].astype(float)
    sums = {}
    for key, back in (("actual", 0), ("prev_actual", 1), ("last_year_actual", 12)):
        a, b = span(back)
        m = d.between(a, b)
        sums[key] = vals[m].groupby(unit[m]).sum()
    units = sorted(set().union(*[set(v.index) for v in sums.values()]))
    out = pd.DataFrame({"unit": units})
    first_sale = d.min() if len(d) else end
    for key in sums:
        out[key] = out["unit"].map(sums[key]).fillna(0.0).astype(float)
    for key, back in (("prev_actual", 1), ("last_year_actual", 12)):
        if span(back)[0] < first_sale.to_period("M").start_time:  # before the data: no value
            out[key] = np.nan
    out["mom"] = growth(out["actual"], out["prev_actual"])
    out["yoy"] = growth(out["actual"], out["last_year_actual"])
    return out[["unit", "actual", "prev_actual", "mom", "last_year_actual", "yoy"]]
