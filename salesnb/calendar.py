"""Months, fiscal years and day counts (time progress) shared by every module.

Conventions
-----------
* A month is a ``pandas.Period`` with ``freq="M"``.
* A fiscal year starting in month ``s`` (``fiscal_year_start``, 1-12) is
  named after the calendar year in which it **ends**: with ``s=7`` the months
  2025-07 .. 2026-06 are fiscal year 2026. With ``s=1`` the fiscal year is the
  calendar year.
* Fiscal quarters are counted from the fiscal year's first month.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd

from salesnb.exceptions import ParamsError

__all__ = [
    "to_month",
    "fiscal_year",
    "fiscal_year_months",
    "fiscal_quarter",
    "quarter_months",
    "month_index_in_year",
    "period_months",
    "days_in_span",
    "time_progress",
    "month_as_of",
    "span_months",
    "Span",
    "check_month_in_data",
]

#: a span of a report: the month, the quarter to date or the year to date
Span = Literal["month", "qtd", "ytd"]


def to_month(value) -> pd.Period:
    """Return ``value`` (``"2025-03"``, a date, a Timestamp or a Period) as a monthly Period.

    Parameters
    ----------
    value : str, date, Timestamp or Period
        The month or a day in it.

    Examples
    --------
    >>> to_month("2025-03")
    Period('2025-03', 'M')
    >>> to_month(pd.Timestamp("2025-03-17"))
    Period('2025-03', 'M')
    """
    if isinstance(value, pd.Period):
        return value.asfreq("M")
    return pd.Period(value, freq="M")


def _check_start(start: int) -> int:
    if not isinstance(start, (int, np.integer)) or not 1 <= int(start) <= 12:
        raise ValueError(f"fiscal_year_start must be an integer month 1-12, got {start!r}")
    return int(start)


def fiscal_year(month, fiscal_year_start: int = 1) -> int:
    """Return the fiscal year (named by its ending calendar year) that ``month`` falls in.

    Parameters
    ----------
    month : str, date or Period
        A month (``"2025-03"``, a date or a Period).
    fiscal_year_start : int
        First month (1-12) of the fiscal year.

    Examples
    --------
    >>> fiscal_year("2025-06", 7), fiscal_year("2025-07", 7), fiscal_year("2025-07", 1)
    (2025, 2026, 2025)
    """
    start = _check_start(fiscal_year_start)
    m = to_month(month)
    if start == 1:
        return m.year
    return m.year + 1 if m.month >= start else m.year


def fiscal_year_months(fy: int, fiscal_year_start: int = 1) -> pd.PeriodIndex:
    """Return the 12 months of fiscal year ``fy`` in order.

    Parameters
    ----------
    fy : int
        The fiscal year (named by the calendar year it ends in).
    fiscal_year_start : int
        First month (1-12) of the fiscal year.

    Examples
    --------
    >>> list(fiscal_year_months(2026, 7).astype(str))[:2]
    ['2025-07', '2025-08']
    """
    start = _check_start(fiscal_year_start)
    first_year = fy if start == 1 else fy - 1
    first = pd.Period(year=first_year, month=start, freq="M")
    return pd.period_range(first, periods=12, freq="M")


def month_index_in_year(month, fiscal_year_start: int = 1) -> int:
    """Return the 1-based position of ``month`` within its fiscal year.

    Parameters
    ----------
    month : str, date or Period
        A month (``"2025-03"``, a date or a Period).
    fiscal_year_start : int
        First month (1-12) of the fiscal year.

    Examples
    --------
    >>> month_index_in_year("2025-07", 7), month_index_in_year("2026-06", 7)
    (1, 12)
    """
    start = _check_start(fiscal_year_start)
    return (to_month(month).month - start) % 12 + 1


def fiscal_quarter(month, fiscal_year_start: int = 1) -> int:
    """Return the fiscal quarter (1-4) of ``month``.

    Parameters
    ----------
    month : str, date or Period
        A month (``"2025-03"``, a date or a Period).
    fiscal_year_start : int
        First month (1-12) of the fiscal year.

    Examples
    --------
    >>> fiscal_quarter("2025-09", 7), fiscal_quarter("2025-09", 1)
    (1, 3)
    """
    return (month_index_in_year(month, fiscal_year_start) - 1) // 3 + 1


def quarter_months(month, fiscal_year_start: int = 1) -> pd.PeriodIndex:
    """Return the three months of the fiscal quarter containing ``month``.

    Parameters
    ----------
    month : str, date or Period
        A month (``"2025-03"``, a date or a Period).
    fiscal_year_start : int
        First month (1-12) of the fiscal year.
    """
    m = to_month(month)
    pos = (month_index_in_year(m, fiscal_year_start) - 1) % 3
    first = m - pos
    return pd.period_range(first, periods=3, freq="M")


def period_months(period: str, fiscal_year_start: int = 1) -> pd.PeriodIndex:
    """Return the months covered by a target period ``YYYY``, ``YYYY-Qn`` or ``YYYY-MM``.

    ``YYYY`` and ``YYYY-Qn`` are fiscal (see the module note).

    Parameters
    ----------
    period : str
        ``YYYY`` (a fiscal year), ``YYYY-Qn`` (a fiscal quarter) or ``YYYY-MM``.
    fiscal_year_start : int
        First month (1-12) of the fiscal year.

    Examples
    --------
    >>> list(period_months("2025-Q2").astype(str))
    ['2025-04', '2025-05', '2025-06']
    >>> list(period_months("2025-03").astype(str))
    ['2025-03']
    """
    text = str(period).strip()
    if len(text) == 4 and text.isdigit():
        return fiscal_year_months(int(text), fiscal_year_start)
    if len(text) == 7 and text[4:6].upper() == "-Q" and text[:4].isdigit() and text[6] in "1234":
        months = fiscal_year_months(int(text[:4]), fiscal_year_start)
        q = int(text[6])
        return months[(q - 1) * 3 : q * 3]
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
        m = int(text[5:])
        if 1 <= m <= 12:
            return pd.period_range(text, periods=1, freq="M")
    raise ValueError(f"period must look like YYYY, YYYY-Qn or YYYY-MM, got {period!r}")


def _business_days(start: _dt.date, end: _dt.date, weekmask: str, holidays: Iterable) -> int:
    hol = [pd.Timestamp(h).date() for h in holidays]
    return int(
        np.busday_count(start, end + _dt.timedelta(days=1), weekmask=weekmask, holidays=hol)
    )


def days_in_span(
    start, end, *, working_days: bool = False, weekmask: str = "1111100", holidays: Iterable = ()
) -> int:
    """Count days from ``start`` to ``end`` inclusive (calendar or working days).

    Parameters
    ----------
    start, end : date-like
        The first and last day counted.
    working_days : bool
        Count working days instead of calendar days.
    weekmask : str
        The working days of a week, Monday first (``"1111100"``: Monday to Friday).
    holidays : iterable of date-like
        Days that are not working days (with ``working_days``).

    Examples
    --------
    >>> days_in_span("2025-03-01", "2025-03-31")
    31
    >>> days_in_span("2025-03-01", "2025-03-31", working_days=True)
    21
    """
    s, e = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    if e < s:
        return 0
    if not working_days:
        return (e - s).days + 1
    return _business_days(s, e, weekmask, holidays)


def time_progress(
    months: pd.PeriodIndex,
    as_of,
    *,
    working_days: bool = False,
    weekmask: str = "1111100",
    holidays: Iterable = (),
) -> float:
    """Return elapsed days (through ``as_of`` inclusive) / all days of ``months``.

    Parameters
    ----------
    months : PeriodIndex
        The months of the span (a unit's own period).
    as_of : date-like
        The last elapsed day.
    working_days : bool
        Count working days instead of calendar days.
    weekmask : str
        The working days of a week, Monday first (``"1111100"``: Monday to Friday).
    holidays : iterable of date-like
        Days that are not working days (with ``working_days``).

    Examples
    --------
    >>> time_progress(pd.period_range("2025-01", "2025-12", freq="M"), "2025-03-31")
    0.2465753424657534
    >>> time_progress(pd.period_range("2025-03", periods=1, freq="M"), "2025-03-31")
    1.0
    """
    months = pd.PeriodIndex(months)
    start = months.min().start_time
    end = months.max().end_time.normalize()
    as_of = min(pd.Timestamp(as_of).normalize(), end)
    kw = dict(working_days=working_days, weekmask=weekmask, holidays=holidays)
    total = days_in_span(start, end, **kw)
    if total == 0:
        return float("nan")
    return days_in_span(start, as_of, **kw) / total


def month_as_of(
    month,
    as_of=None,
    *,
    working_days: bool = False,
    weekmask: str = "1111100",
    holidays: Iterable = (),
) -> tuple[pd.Timestamp, float]:
    """Check an as-of day against its report month and give the month's time progress.

    Parameters
    ----------
    month : str, date or Period
        The report month.
    as_of : str, date or None
        The last day covered; None means the month's last day.
    working_days : bool
        Count working days instead of calendar days (as :func:`time_progress`).
    weekmask : str
        The working days of the week, Monday first (``"1111100"``).
    holidays : iterable of dates
        Days that are not working days.

    Returns
    -------
    tuple of (Timestamp, float)
        The as-of day (normalised) and the share of the month's days elapsed through it
        (1.0 at month end).

    Raises
    ------
    ParamsError
        When ``as_of`` is not a day of ``month``.

    Examples
    --------
    >>> month_as_of("2025-10", "2025-10-15")
    (Timestamp('2025-10-15 00:00:00'), 0.4838709677419355)
    >>> month_as_of("2025-10")[1]
    1.0
    """
    m = to_month(month)
    as_of_ts = m.end_time.normalize() if as_of is None else pd.Timestamp(as_of).normalize()
    if not m.start_time <= as_of_ts <= m.end_time:
        raise ParamsError(f"as_of must be a day inside month {m} (from {m.start_time.date()} to "
                          f"{m.end_time.date()}), got {as_of!r}; pass a day of the report month")
    mtp = time_progress(pd.PeriodIndex([m]), as_of_ts, working_days=working_days,
                        weekmask=weekmask, holidays=holidays)
    return as_of_ts, mtp


def span_months(month, span: str, fiscal_year_start: int = 1) -> pd.PeriodIndex:
    """Return the months of a span ending with ``month``: the month, QTD or YTD.

    Parameters
    ----------
    month : str, date or Period
        The report month (the span's last month).
    span : {"month", "qtd", "ytd"}
        The report month alone, the fiscal quarter to date or the fiscal year to date.
    fiscal_year_start : int
        First month (1-12) of the fiscal year.

    Returns
    -------
    PeriodIndex
        The span's months, first month first.

    Examples
    --------
    >>> list(span_months("2025-05", "qtd").astype(str))
    ['2025-04', '2025-05']
    """
    m = to_month(month)
    if span == "month":
        return pd.period_range(m, m, freq="M")
    if span == "qtd":
        months = quarter_months(m, fiscal_year_start)
    elif span == "ytd":
        months = fiscal_year_months(fiscal_year(m, fiscal_year_start), fiscal_year_start)
    else:
        raise ParamsError(f"span must be 'month', 'qtd' or 'ytd', got {span!r}.")
    return months[months <= m]


def check_month_in_data(month, first_sale, last_sale) -> pd.Period:
    """Check that a report month falls inside the span of the sales data.

    Parameters
    ----------
    month : str, date or Period
        The report month.
    first_sale, last_sale : date or None
        The first and last sale dates of the data (None: there are no sales).

    Returns
    -------
    Period
        The month.

    Raises
    ------
    ParamsError
        A sentence saying what is wrong and what to do: the month ends before the first sale,
        starts after the last one, or the data has no sales.

    Examples
    --------
    >>> check_month_in_data("2025-03", "2024-01-02", "2025-03-10")
    Period('2025-03', 'M')
    >>> check_month_in_data("2023-12", "2024-01-02", "2025-03-10")
    Traceback (most recent call last):
    ...
    salesnb.exceptions.ParamsError: month 2023-12 ends before the first sale in the data (2024-01-02): the sales run from 2024-01-02 to 2025-03-10. Choose a month from 2024-01 to 2025-03.
    """
    m = to_month(month)
    if first_sale is None or last_sale is None or pd.isna(first_sale) or pd.isna(last_sale):
        raise ParamsError(f"month {m} has no data: the sales table has no rows. Check the "
                          "sales file (and the as-of date) in the parameters.")
    first, last = pd.Timestamp(first_sale).normalize(), pd.Timestamp(last_sale).normalize()
    span = (f"the sales run from {first.date()} to {last.date()}. Choose a month from "
            f"{first.to_period('M')} to {last.to_period('M')}.")
    if m.end_time < first:
        raise ParamsError(f"month {m} ends before the first sale in the data ({first.date()}): "
                          + span)
    if m.start_time > last:
        raise ParamsError(f"month {m} starts after the last sale in the data ({last.date()}): "
                          + span)
    return m
