"""Progress against targets (进度分析): the progress table, monthly progress and required run-rate.

* :func:`progress` - THE PROGRESS TABLE: one row per (level, unit, metric) for the report month
  (attainment, QTD, YTD, annual completion, time progress, pace, required run-rate, MoM, YoY).
* :func:`monthly_progress` - one unit's months of the fiscal year: target, actual, cumulative.
* :func:`required_run_rate_by_month` - the remaining annual gap split over the remaining months.

Every definition follows DOMAIN.md. A ratio with a zero or missing base is NaN.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from salesnb.calendar import (
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

__all__ = ["PROGRESS_COLUMNS", "progress", "monthly_progress", "required_run_rate_by_month"]

PROGRESS_COLUMNS = [
    "level", "unit", "team", "month", "metric",
    "target", "actual", "attainment", "gap",
    "qtd_target", "qtd_actual", "qtd_attainment",
    "ytd_target", "ytd_actual", "ytd_attainment", "ytd_gap",
    "annual_target", "annual_completion",
    "month_time_progress", "time_progress", "expected_to_date", "pace", "seasonal_pace",
    "months_remaining", "required_run_rate",
    "prev_actual", "mom", "last_year_actual", "yoy",
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
    actuals : the actuals table (month, level, unit, team, metric, actual); several
        metrics may be concatenated.
    targets : the monthly targets table (month, level, unit, metric, target).
    month : the report month (``"2025-02"``, a date or a Period).
    as_of : the last day covered, inside ``month``; default the month's last day. A day
        inside the month gives a partial month_time_progress and time_progress.
    fiscal_year_start : first month (1-12) of the fiscal year.
    working_days, weekmask, holidays : count working days instead of calendar days.
    org : optional rep-team table (rep, team, optional start/end) used for a rep's team
        when the actuals do not give one.

    Units are every (level, unit, metric) with a target in the fiscal year or a non-zero
    actual in the fiscal year through ``month``. A missing actual in the report month or
    the year to date counts as 0 (no sales); a missing previous-month or last-year actual
    is NaN. A missing monthly target is NaN (attainment NaN), and counts as 0 inside the
    QTD/YTD/annual sums when the unit has other monthly targets. A rep's team is the
    actuals' team at ``month``, else the last known one in the actuals, else ``org``'s,
    else "".

    Returns
    -------
    DataFrame with the PROGRESS TABLE columns, in this order: ``level``, ``unit``, ``team``,
    ``month`` ("YYYY-MM"), ``metric``, ``target``, ``actual``, ``attainment``, ``gap``,
    ``qtd_target``, ``qtd_actual``, ``qtd_attainment``, ``ytd_target``, ``ytd_actual``,
    ``ytd_attainment``, ``ytd_gap``, ``annual_target``, ``annual_completion``,
    ``month_time_progress``, ``time_progress``, ``expected_to_date``, ``pace``,
    ``seasonal_pace``, ``months_remaining``, ``required_run_rate``, ``prev_actual``,
    ``mom``, ``last_year_actual``, ``yoy``. Company first, then teams, then reps (each
    alphabetically), then metric (amount, quantity, new_customers).

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
    tp = time_progress(fy_months, as_of_ts, **kw)

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
    qtd = [q for q in quarter_months(m, fiscal_year_start) if q <= m]
    actual = A[m].fillna(0.0)
    target = T[m]
    qtd_actual = A[qtd].fillna(0.0).sum(axis=1)
    qtd_target = T[qtd].sum(axis=1, min_count=1)
    ytd_actual = A[through].fillna(0.0).sum(axis=1)
    ytd_target = T[through].sum(axis=1, min_count=1)
    annual = T.sum(axis=1, min_count=1)
    before = T[fy_months[: pos - 1]].fillna(0.0).sum(axis=1)
    expected = safe_div(before + target.fillna(0.0) * mtp, annual)
    completion = safe_div(ytd_actual, annual)
    remaining = 12 - pos
    rrr = (annual - ytd_actual) / remaining if remaining else pd.Series(np.nan, index=idx)
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
        "month_time_progress": mtp, "time_progress": tp,
        "expected_to_date": expected.to_numpy(),
        "pace": (completion - tp).to_numpy(), "seasonal_pace": (completion - expected).to_numpy(),
        "months_remaining": remaining, "required_run_rate": rrr.to_numpy(dtype=float),
        "prev_actual": prev.to_numpy(), "mom": growth(actual, prev).to_numpy(),
        "last_year_actual": last_year.to_numpy(), "yoy": growth(actual, last_year).to_numpy(),
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
) -> pd.DataFrame:
    """Split the remaining annual gap over the fiscal months after ``month``.

    The remaining gap is annual target - YTD actual (through ``month``). It is split by
    the remaining months' own targets as weights (equal weights if those add up to 0
    or less) and rounded to cents by largest remainder, so ``required`` adds up exactly
    to the remaining gap. No remaining months gives an empty table; no annual target
    gives ``required`` NaN.

    Returns
    -------
    DataFrame with columns ``month`` (Period[M]), ``target`` (the month's target) and
    ``required`` (what the month must bring).

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
    a, t = _unit_series(actuals, targets, level, unit, metric, months)
    rest = months[months > m]
    ytd = a[months[months <= m]].fillna(0.0).sum()
    annual = t.sum(min_count=1)
    w = t[rest].fillna(0.0).to_numpy()
    if w.sum() <= 0:
        w = np.ones(len(rest))
    if len(rest) == 0 or np.isnan(annual):
        required = np.full(len(rest), np.nan)
    else:
        required = largest_remainder(w, annual - ytd, decimals=2)
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
