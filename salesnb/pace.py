"""Why pace against the plan and against the calendar differ (进度差的原因).

:func:`pace_reasons` gives the numbers a sentence needs ("the plan puts 26 % of the
year's target in November and December").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesnb.calendar import fiscal_year, fiscal_year_months, to_month
from salesnb.cube import COMPANY
from salesnb.exceptions import SchemaError
from salesnb.unit_months import KEYS, long_values, wide

__all__ = ["pace_reasons"]


def pace_reasons(
    progress_table: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    threshold: float = 0.05,
    fiscal_year_start: int = 1,
) -> pd.DataFrame:
    """Give the numbers that explain a difference between pace and calendar pace.

    Pace is measured against the plan (planned progress); the calendar comparison against
    time progress. They differ by planned progress - time progress: the plan puts more or
    less of the year's target in the time still to come than the calendar does (seasonal
    targets), or the unit's year is not the whole year (a rep who joined or left). For
    each row of ``progress_table`` (the output of :func:`progress`) with an annual target
    this tells the reader by how much and where.

    Parameters
    ----------
    progress_table : DataFrame
        The progress table.
    targets : DataFrame
        The monthly targets it was computed from (month, level, unit, metric, target).
    threshold : float
        A difference beyond it (in absolute points, a fraction) is ``notable``: the
        report says why (DOMAIN.md: the alert threshold, default 5 points).
    fiscal_year_start : int
        First month (1-12) of the fiscal year.

    Returns
    -------
    DataFrame with columns ``level``, ``unit``, ``team``, ``metric``, ``pace``,
    ``calendar_pace``, ``difference`` (calendar_pace - pace = planned progress - time
    progress), ``notable`` (``|difference| > threshold``), ``later_months`` (the unit's
    months with a target after the report month, "YYYY-MM" comma separated),
    ``later_target_share`` (their targets / the annual target), ``later_time_share``
    (their days / the days of the unit's own period), ``first_month`` and ``last_month``
    (the unit's own period: its first and last month with a target), ``partial_year``
    (the own period is shorter than the fiscal year). One row per input row with an
    annual target, in the input's order.

    Examples
    --------
    >>> t = pd.DataFrame({"month": pd.period_range("2025-01", periods=12, freq="M"),
    ...                   "level": "company", "unit": "Company", "metric": "amount",
    ...                   "target": [70.0] * 10 + [150.0] * 2})
    >>> a = pd.DataFrame({"month": pd.period_range("2025-01", periods=10, freq="M"),
    ...                   "level": "company", "unit": "Company", "team": "",
    ...                   "metric": "amount", "actual": 70.0})
    >>> from salesnb.progress import progress
    >>> r = pace_reasons(progress(a, t, month="2025-10"), t)
    >>> r[["later_months", "later_target_share", "notable"]]
           later_months  later_target_share  notable
    0  2025-11, 2025-12                 0.3     True
    """
    need = ["level", "unit", "team", "month", "metric", "pace", "calendar_pace",
            "planned_progress", "time_progress", "annual_target"]
    missing = [c for c in need if c not in progress_table.columns]
    if missing:
        raise SchemaError(f"progress_table is missing column(s) {missing}; pass the table "
                          "salesnb.progress.progress returns.")
    cols = ["level", "unit", "team", "metric", "pace", "calendar_pace", "difference", "notable",
            "later_months", "later_target_share", "later_time_share", "first_month",
            "last_month", "partial_year"]
    p = progress_table[progress_table["annual_target"].notna()]
    if p.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in cols})
    m = to_month(p["month"].iloc[0])
    fy_months = fiscal_year_months(fiscal_year(m, fiscal_year_start), fiscal_year_start)
    keys = pd.MultiIndex.from_arrays([p["level"], p["unit"].where(p["level"] != "company",
                                                                  COMPANY), p["metric"]],
                                     names=KEYS)
    T = wide(long_values(targets, "target", "targets"), keys, fy_months).to_numpy()
    own = ~np.isnan(T) & (T != 0)
    own[~own.any(axis=1)] = True
    days = np.array([p_.days_in_month for p_ in fy_months], dtype=float)
    later = np.asarray(fy_months > m)
    diff = (p["calendar_pace"] - p["pace"]).to_numpy(dtype=float)
    later_own = own & later
    annual = p["annual_target"].to_numpy(dtype=float)
    names = [", ".join(str(x) for x in fy_months[row]) for row in later_own]
    first = [str(fy_months[row][0]) for row in own]
    last = [str(fy_months[row][-1]) for row in own]
    with np.errstate(invalid="ignore", divide="ignore"):
        t_share = np.where(later_own, np.nan_to_num(T), 0.0).sum(axis=1) / np.where(
            annual != 0, annual, np.nan)
        d_share = (later_own * days).sum(axis=1) / (own * days).sum(axis=1)
    return pd.DataFrame({
        "level": p["level"].to_numpy(), "unit": p["unit"].to_numpy(),
        "team": p["team"].to_numpy(), "metric": p["metric"].to_numpy(),
        "pace": p["pace"].to_numpy(dtype=float), "calendar_pace": p["calendar_pace"].to_numpy(
            dtype=float), "difference": diff,
        "notable": np.nan_to_num(np.abs(diff), nan=0.0) > threshold,
        "later_months": names, "later_target_share": t_share, "later_time_share": d_share,
        "first_month": first, "last_month": last, "partial_year": ~own.all(axis=1),
    })[cols]
