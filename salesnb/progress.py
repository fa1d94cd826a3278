"""Progress against targets (进度分析): the progress table, monthly progress and required run-rate.

* :func:`progress` - THE PROGRESS TABLE: one row per (level, unit, metric) for the report month
  (attainment, QTD, YTD, annual completion, time progress, pace, required run-rate, MoM, YoY).
* :func:`monthly_progress` - one unit's months of the fiscal year: target, actual, cumulative.
* :func:`required_run_rate_by_month` - the remaining annual gap split over the remaining months.
* :func:`pace_reasons` - why pace against the plan and against the calendar differ: the
  numbers a sentence needs ("the plan puts 26 % of the year's target in November and December").
* :func:`metric_progress` - target against actual for every metric with a target.

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
    month_index_in_year,
    quarter_months,
    time_progress,
    to_month,
)
from salesnb.cube import COMPANY
from salesnb.exceptions import DataError, ParamsError, SchemaError
from salesnb.numbers import growth, safe_div
from salesnb.schema import LEVELS, METRICS
from salesnb.targets import _rep_teams, largest_remainder

__all__ = ["PROGRESS_COLUMNS", "progress", "monthly_progress", "required_run_rate_by_month",
           "pace_reasons", "metric_progress"]

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
_KEYS = ["level", "unit", "metric"]
_TEXT = ("level", "unit", "team", "month", "metric")


def _long(df: pd.DataFrame, value: str, name: str) -> pd.Series:
    """Return ``df[value]`` indexed by (level, unit, metric, month), company unit = COMPANY."""
    need = ["month", "level", "unit", "metric", value]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise SchemaError(f"{name} is missing column(s) {missing}; it has {list(df.columns)}. "
                          f"Pass a table with columns {need}.")
    level = df["level"].astype(str).str.strip().str.lower()
    d = pd.DataFrame({
        "level": level,
        "unit": df["unit"].astype(str).str.strip().where(level != "company", COMPANY),
        "metric": df["metric"].astype(str).str.strip(),
        "month": pd.PeriodIndex(df["month"], freq="M"),
        value: pd.to_numeric(df[value], errors="coerce").astype(float),
    })
    keys = ["level", "unit", "metric", "month"]
    dup = d.duplicated(keys, keep=False).to_numpy()
    if dup.any():
        ex = d.loc[dup, keys].drop_duplicates().head(3).astype(str).to_dict("records")
        raise DataError(f"{name} has more than one {value} row for the same level, unit, metric "
                        f"and month ({int(dup.sum())} rows), e.g. {ex}; concatenate each "
                        "metric once and de-duplicate before calling")
    return d.set_index(keys)[value].sort_index()


def _wide(s: pd.Series, index: pd.MultiIndex, months: pd.PeriodIndex) -> pd.DataFrame:
    """Return ``s`` as units x months (NaN where there is no row)."""
    if s.empty:
        return pd.DataFrame(np.nan, index=index, columns=months)
    w = s.unstack("month")
    w.columns = pd.PeriodIndex(w.columns, freq="M")
    return w.reindex(index=index, columns=months)


def _order(units: Iterable[tuple]) -> pd.MultiIndex:
    lv = {v: i for i, v in enumerate(LEVELS)}
    mt = {v: i for i, v in enumerate(METRICS)}
    keys = sorted(set(units), key=lambda k: (lv.get(k[0], 9), k[1], mt.get(k[2], 9), k[2]))
    if not keys:
        return pd.MultiIndex.from_arrays([[], [], []], names=_KEYS)
    return pd.MultiIndex.from_tuples(keys, names=_KEYS)


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
    as_of_ts = m.end_time.normalize() if as_of is None else pd.Timestamp(as_of).normalize()
    if not m.start_time <= as_of_ts <= m.end_time:
        raise ParamsError(f"as_of must be a day inside month {m} (from {m.start_time.date()} to "
                          f"{m.end_time.date()}), got {as_of!r}; pass a day of the report month")
    kw = dict(working_days=working_days, weekmask=weekmask, holidays=holidays)
    mtp = time_progress(pd.PeriodIndex([m]), as_of_ts, **kw)

    act = _long(actuals, "actual", "actuals")
    tgt = _long(targets, "target", "targets")
    through = fy_months[:pos]
    units = set()
    if len(tgt):
        t_fy = tgt[tgt.index.get_level_values("month").isin(fy_months) & tgt.notna()]
        units |= set(t_fy.index.droplevel("month"))
    if len(act):
        a_fy = act[act.index.get_level_values("month").isin(through) & act.fillna(0).ne(0)]
        units |= set(a_fy.index.droplevel("month"))
    idx = _order(units)
    if len(idx) == 0:
        return pd.DataFrame({c: pd.Series(dtype=str if c in _TEXT else "int64"
                                          if c == "months_remaining" else float)
                             for c in PROGRESS_COLUMNS})

    need = fy_months.union(pd.PeriodIndex([m - 1, m - 12])).sort_values()
    A = _wide(act, idx, need)
    T = _wide(tgt, idx, fy_months)
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


def _unit_series(actuals, targets, level, unit, metric, months):
    if level not in LEVELS:
        raise ParamsError(f"level must be one of {list(LEVELS)}, got {level!r}")
    unit = COMPANY if level == "company" else str(unit)
    key = pd.MultiIndex.from_tuples([(level, unit, metric)], names=_KEYS)
    act = _long(actuals, "actual", "actuals")
    tgt = _long(targets, "target", "targets")
    known = set(act.index.droplevel("month")) | set(tgt.index.droplevel("month"))
    if (level, unit, metric) not in known:
        near = sorted({u for lv, u, mt in known if lv == level and mt == metric})
        raise ParamsError(f"no actuals or targets for level={level!r}, unit={unit!r}, "
                          f"metric={metric!r}; known {level} units for {metric}: {near[:10]}")
    return _wide(act, key, months).iloc[0], _wide(tgt, key, months).iloc[0]


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
    a, t = _unit_series(actuals, targets, level, unit, metric, months)
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
    from salesnb.targets import split_decimals
    m = to_month(month)
    months = fiscal_year_months(fiscal_year(m, fiscal_year_start), fiscal_year_start)
    a, t = _unit_series(actuals, targets, level, unit, metric, months)
    as_of_ts = m.end_time.normalize() if as_of is None else pd.Timestamp(as_of).normalize()
    if not m.start_time <= as_of_ts <= m.end_time:
        raise ParamsError(f"as_of must be a day inside month {m} (from {m.start_time.date()} to "
                          f"{m.end_time.date()}), got {as_of!r}; pass a day of the report month")
    mtp = time_progress(pd.PeriodIndex([m]), as_of_ts, working_days=working_days,
                        weekmask=weekmask, holidays=holidays)
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
                                     names=_KEYS)
    T = _wide(_long(targets, "target", "targets"), keys, fy_months).to_numpy()
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
