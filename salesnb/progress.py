"""Progress against targets (进度分析): the progress table, monthly progress and required run-rate.

* :func:`progress` - THE PROGRESS TABLE: one row per (level, unit, metric) for the report month
  (attainment, QTD, YTD, annual completion, time progress, pace, required run-rate, MoM, YoY).
* :func:`monthly_progress` - one unit's months of the fiscal year: target, actual, cumulative.
* :func:`required_run_rate_by_month` - the remaining annual gap split over the remaining months.
* :func:`pace_reasons` - why pace against the plan and against the calendar differ: the
  numbers a sentence needs ("the plan puts 26 % of the year's target in November and December").
* :func:`metric_progress` - target against actual for every metric with a target.

:func:`monthly_progress`, :func:`required_run_rate_by_month` and :func:`attainment_matrix`
live in :mod:`salesnb.monthly`, :func:`pace_reasons` in :mod:`salesnb.pace`; they are
re-exported here, where the README documents them.

Every definition follows DOMAIN.md. A ratio with a zero or missing base is NaN.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from salesnb.calendar import (
    days_in_span,
    fiscal_year,
    fiscal_year_months,
    month_as_of,
    month_index_in_year,
    quarter_months,
    to_month,
)
from salesnb.exceptions import ParamsError, SchemaError
from salesnb.monthly import attainment_matrix, monthly_progress, required_run_rate_by_month
from salesnb.numbers import growth, safe_div
from salesnb.pace import pace_reasons
from salesnb.schema import LEVELS, METRICS
from salesnb.targets import _rep_teams
from salesnb.unit_months import long_values, unit_order, wide

__all__ = ["PROGRESS_COLUMNS", "progress", "monthly_progress", "required_run_rate_by_month",
           "pace_reasons", "metric_progress", "attainment_matrix"]

PROGRESS_COLUMNS = [
    "level", "unit", "team", "month", "metric",
    "target", "actual", "attainment", "gap",
    "qtd_target", "qtd_actual", "qtd_attainment",
    "ytd_target", "ytd_actual", "ytd_attainment", "ytd_gap",
    "annual_target", "annual_completion",
    "month_time_progress", "time_progress", "expected_to_date", "pace", "seasonal_pace",
    "months_remaining", "required_run_rate",
    "prev_actual", "mom", "last_year_actual", "yoy",
    "mtd_target", "mtd_attainment", "planned_progress", "calendar_pace", "time_left_months",
]
_TEXT = ("level", "unit", "team", "month", "metric")


def _rep_team_map(actuals: pd.DataFrame, org, m: pd.Period) -> dict[str, str]:
    """Return each rep's team at ``m``: actuals that month, else last known, else org."""
    teams = dict(_rep_teams(org, m))
    if "team" not in actuals.columns:
        return teams
    a = actuals[actuals["level"].astype(str).str.strip().str.lower() == "rep"]
    a = pd.DataFrame({"unit": a["unit"].astype(str).str.strip(),
                      "team": a["team"].fillna("").astype(str).str.strip(),
                      "month": pd.PeriodIndex(a["month"], freq="M")})
    a = a[a["team"] != ""]
    # best row last: months after m first, then months up to m, each in month order
    a = a.assign(_after=a["month"] > m).sort_values(["_after", "month"], ascending=[False, True],
                                                    kind="stable")
    a = a.drop_duplicates("unit", keep="last")
    teams.update(dict(zip(a["unit"], a["team"], strict=True)))
    return teams


def _month_days(months: pd.PeriodIndex, m: pd.Period, as_of: pd.Timestamp,
                kw: dict) -> tuple[np.ndarray, np.ndarray]:
    """Return the days of each of ``months`` and the days of each elapsed through ``as_of``."""
    total = np.array([days_in_span(p.start_time, p.end_time.normalize(), **kw) for p in months],
                     dtype=float)
    done = np.array([0.0 if p > m else total[i] if p < m
                     else days_in_span(p.start_time, as_of, **kw)
                     for i, p in enumerate(months)], dtype=float)
    return total, done


def progress(
    actuals: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    month,
    as_of=None,
    fiscal_year_start: int = 1,
    working_days: bool = False,
    weekmask: str = "1111100",
    holidays: Iterable = (),
    org: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Compute the progress table for the report ``month``: one row per level, unit and metric.

    Parameters
    ----------
    actuals : DataFrame
        The actuals table (month, level, unit, team, metric, actual); several
        metrics may be concatenated.
    targets : DataFrame
        The monthly targets table (month, level, unit, metric, target).
    month : str, date or Period
        The report month (``"2025-02"``, a date or a Period).
    as_of : date-like, optional
        The last day covered, inside ``month``; default the month's last day. A day
        inside the month gives a partial month_time_progress and time_progress.
    fiscal_year_start : int
        First month (1-12) of the fiscal year.
    working_days : bool
        Count working days instead of calendar days.
    weekmask : str
        The working days of a week, Monday first (``"1111100"``: Monday to Friday).
    holidays : iterable of date-like
        Days that are not working days (with ``working_days``).
    org : DataFrame, optional
        Rep-team table (rep, team, optional start/end) used for a rep's team
        when the actuals do not give one.

    Units are every (level, unit, metric) with a target in the fiscal year or a non-zero
    actual in the fiscal year through ``month``. A missing actual in the report month or
    the year to date counts as 0 (no sales); a missing previous-month or last-year actual
    is NaN. A missing monthly target is NaN (attainment NaN), and counts as 0 inside the
    QTD/YTD/annual sums when the unit has other monthly targets. A rep's team is the
    actuals' team at ``month``, else the last known one in the actuals, else ``org``'s,
    else "".

    Definitions (DOMAIN.md): **to date**, the as-of month's target counts by its time
    progress (``mtd_target`` = target x month_time_progress; QTD and YTD targets, gaps and
    attainments use it; ``target`` stays the full month's target). A unit's **own
    period** is its months with a non-zero target (a rep who joined or left), else the
    whole year: ``time_progress`` is the elapsed share of its days. **Planned progress**
    (计划进度) = YTD target (to date) / annual target. **Pace** (进度差) = annual completion -
    planned progress, so it has the sign of YTD attainment - 100 %; ``calendar_pace`` =
    annual completion - time progress. **Required run-rate** = (annual target - YTD actual)
    / time left, where time left = the unit's own months after ``month`` plus the rest of
    the as-of month (``time_left_months``; equal to ``months_remaining`` at month end).

    Returns
    -------
    DataFrame with the PROGRESS TABLE columns, in this order: ``level``, ``unit``, ``team``,
    ``month`` ("YYYY-MM"), ``metric``, ``target`` (the full month's), ``actual``,
    ``attainment`` (actual / the full month's target), ``gap``, ``qtd_target``,
    ``qtd_actual``, ``qtd_attainment``, ``ytd_target``, ``ytd_actual``, ``ytd_attainment``,
    ``ytd_gap``, ``annual_target``, ``annual_completion``, ``month_time_progress``,
    ``time_progress``, ``expected_to_date`` (= planned_progress, the older name), ``pace``,
    ``seasonal_pace`` (= pace, the older name), ``months_remaining`` (the unit's months
    after ``month``), ``required_run_rate``, ``prev_actual``, ``mom``,
    ``last_year_actual``, ``yoy``, ``mtd_target``, ``mtd_attainment``,
    ``planned_progress``, ``calendar_pace``, ``time_left_months``. Company first, then
    teams, then reps (each alphabetically), then metric (amount, quantity, new_customers).

    Examples
    --------
    >>> a = pd.DataFrame({"month": pd.PeriodIndex(["2025-01", "2025-02"], freq="M"),
    ...                   "level": "company", "unit": "Company", "team": "",
    ...                   "metric": "amount", "actual": [90.0, 120.0]})
    >>> t = pd.DataFrame({"month": pd.period_range("2025-01", periods=12, freq="M"),
    ...                   "level": "company", "unit": "Company", "metric": "amount",
    ...                   "target": 100.0})
    >>> p = progress(a, t, month="2025-02")
    >>> p[["unit", "target", "actual", "attainment", "ytd_actual", "required_run_rate"]]
          unit  target  actual  attainment  ytd_actual  required_run_rate
    0  Company   100.0   120.0         1.2       210.0               99.0
    """
    m = to_month(month)
    fy = fiscal_year(m, fiscal_year_start)
    fy_months = fiscal_year_months(fy, fiscal_year_start)
    pos = month_index_in_year(m, fiscal_year_start)
    kw = dict(working_days=working_days, weekmask=weekmask, holidays=holidays)
    as_of_ts, mtp = month_as_of(m, as_of, **kw)

    act = long_values(actuals, "actual", "actuals")
    tgt = long_values(targets, "target", "targets")
    through = fy_months[:pos]
    units = set()
    if len(tgt):
        t_fy = tgt[tgt.index.get_level_values("month").isin(fy_months) & tgt.notna()]
        units |= set(t_fy.index.droplevel("month"))
    if len(act):
        a_fy = act[act.index.get_level_values("month").isin(through) & act.fillna(0).ne(0)]
        units |= set(a_fy.index.droplevel("month"))
    idx = unit_order(units)
    if len(idx) == 0:
        return pd.DataFrame({c: pd.Series(dtype=str if c in _TEXT else "int64"
                                          if c == "months_remaining" else float)
                             for c in PROGRESS_COLUMNS})

    need = fy_months.union(pd.PeriodIndex([m - 1, m - 12])).sort_values()
    A = wide(act, idx, need)
    T = wide(tgt, idx, fy_months)
    # to date: the as-of month's target counts by its time progress (mtp = 1 at month end)
    Td = T[through].copy()
    Td[m] = Td[m] * mtp
    qtd = [q for q in quarter_months(m, fiscal_year_start) if q <= m]
    actual = A[m].fillna(0.0)
    target = T[m]
    mtd_target = target * mtp
    qtd_actual = A[qtd].fillna(0.0).sum(axis=1)
    qtd_target = Td[qtd].sum(axis=1, min_count=1)
    ytd_actual = A[through].fillna(0.0).sum(axis=1)
    ytd_target = Td.sum(axis=1, min_count=1)
    annual = T.sum(axis=1, min_count=1)
    planned = safe_div(ytd_target.fillna(0.0), annual)
    completion = safe_div(ytd_actual, annual)
    # a unit's own period: its months with a (non-zero) target; the whole year without any
    own = (T.notna() & T.ne(0)).to_numpy().copy()
    own[~own.any(axis=1)] = True
    d_total, d_done = _month_days(fy_months, m, as_of_ts, kw)
    with np.errstate(invalid="ignore", divide="ignore"):
        tp = pd.Series((own * d_done).sum(axis=1) / (own * d_total).sum(axis=1), index=idx)
    remaining = pd.Series(own[:, pos:].sum(axis=1), index=idx).astype("int64")
    time_left = remaining + np.where(own[:, pos - 1], 1.0 - mtp, 0.0)
    rrr = (annual - ytd_actual) / time_left.where(time_left > 0)
    prev, last_year = A[m - 1], A[m - 12]

    team_of = _rep_team_map(actuals, org, m)
    lv, un = idx.get_level_values("level"), idx.get_level_values("unit")
    team = ["" if lvl == "company" else u if lvl == "team" else team_of.get(u, "")
            for lvl, u in zip(lv, un, strict=True)]
    out = pd.DataFrame({
        "level": list(lv), "unit": list(un), "team": team, "month": str(m),
        "metric": list(idx.get_level_values("metric")),
        "target": target.to_numpy(), "actual": actual.to_numpy(),
        "attainment": safe_div(actual, target).to_numpy(), "gap": (target - actual).to_numpy(),
        "qtd_target": qtd_target.to_numpy(), "qtd_actual": qtd_actual.to_numpy(),
        "qtd_attainment": safe_div(qtd_actual, qtd_target).to_numpy(),
        "ytd_target": ytd_target.to_numpy(), "ytd_actual": ytd_actual.to_numpy(),
        "ytd_attainment": safe_div(ytd_actual, ytd_target).to_numpy(),
        "ytd_gap": (ytd_target - ytd_actual).to_numpy(),
        "annual_target": annual.to_numpy(), "annual_completion": completion.to_numpy(),
        "month_time_progress": mtp, "time_progress": tp.to_numpy(dtype=float),
        "expected_to_date": planned.to_numpy(),
        "pace": (completion - planned).to_numpy(),
        "seasonal_pace": (completion - planned).to_numpy(),
        "months_remaining": remaining.to_numpy(), "required_run_rate": rrr.to_numpy(dtype=float),
        "prev_actual": prev.to_numpy(), "mom": growth(actual, prev).to_numpy(),
        "last_year_actual": last_year.to_numpy(), "yoy": growth(actual, last_year).to_numpy(),
        "mtd_target": mtd_target.to_numpy(),
        "mtd_attainment": safe_div(actual, mtd_target).to_numpy(),
        "planned_progress": planned.to_numpy(),
        "calendar_pace": (completion - tp).to_numpy(dtype=float),
        "time_left_months": time_left.to_numpy(dtype=float),
    })
    out["months_remaining"] = out["months_remaining"].astype("int64")
    return out[PROGRESS_COLUMNS]


def metric_progress(
    progress_table: pd.DataFrame,
    *,
    level: str | None = None,
    metrics: Iterable[str] = ("quantity", "new_customers"),
) -> pd.DataFrame:
    """Tabulate target against actual for the metrics other than amount (or any given).

    Every metric with a target has its place in a report: the progress table holds one
    row per (level, unit, metric); this keeps the rows of ``metrics`` that have a target
    this year (an annual target), at ``level`` (all levels if None), with the columns a
    reader needs.

    Parameters
    ----------
    progress_table : DataFrame
        :func:`salesnb.progress.progress` output.
    level : str, optional
        Keep only this level (None keeps all levels).
    metrics : iterable of str
        The metrics to keep.

    Returns
    -------
    DataFrame with columns ``level``, ``unit``, ``team``, ``metric``, ``target``,
    ``actual``, ``attainment``, ``qtd_target``, ``qtd_actual``, ``qtd_attainment``,
    ``ytd_target``, ``ytd_actual``, ``ytd_attainment``, ``annual_target``,
    ``annual_completion``, ``planned_progress``, ``pace``, in the progress table's order.

    Examples
    --------
    >>> p = pd.DataFrame({"level": ["team", "team"], "unit": ["East", "East"],
    ...     "team": ["East", "East"], "metric": ["amount", "new_customers"],
    ...     "target": [100.0, 4.0], "actual": [90.0, 5.0], "attainment": [0.9, 1.25],
    ...     "qtd_target": [300.0, 12.0], "qtd_actual": [280.0, 11.0],
    ...     "qtd_attainment": [0.93, 0.92], "ytd_target": [1000.0, 40.0],
    ...     "ytd_actual": [990.0, 44.0], "ytd_attainment": [0.99, 1.1],
    ...     "annual_target": [1200.0, 48.0], "annual_completion": [0.825, 0.917],
    ...     "planned_progress": [0.833, 0.833], "pace": [-0.008, 0.083]})
    >>> metric_progress(p)[["unit", "metric", "target", "actual", "ytd_attainment"]]
       unit         metric  target  actual  ytd_attainment
    0  East  new_customers     4.0     5.0             1.1
    """
    cols = ["level", "unit", "team", "metric", "target", "actual", "attainment", "qtd_target",
            "qtd_actual", "qtd_attainment", "ytd_target", "ytd_actual", "ytd_attainment",
            "annual_target", "annual_completion", "planned_progress", "pace"]
    missing = [c for c in cols if c not in progress_table.columns]
    if missing:
        raise SchemaError(f"progress_table is missing column(s) {missing}; pass the table "
                          "salesnb.progress.progress returns.")
    metrics = list(metrics)
    unknown = sorted(set(metrics) - set(METRICS))
    if unknown:
        raise ParamsError(f"metrics must be among {list(METRICS)}, got {unknown}")
    if level is not None and level not in LEVELS:
        raise ParamsError(f"level must be one of {list(LEVELS)} or None, got {level!r}")
    p = progress_table
    keep = p["metric"].isin(metrics) & p["annual_target"].notna()
    if level is not None:
        keep &= p["level"] == level
    return p.loc[keep, cols].reset_index(drop=True)


