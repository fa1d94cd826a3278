"""Comparison over time and across units: growth, customer growth, ranking, peers, consistency.

Definitions follow DOMAIN.md (Growth, Customer growth rate, Ranking):

* MoM = this month / previous month - 1; YoY = this month / same month last year - 1.
* YTD YoY is like for like: :func:`period_growth` compares whole months (the fiscal
  year's first month through the report month against the same months a year
  earlier); :func:`ytd_like_for_like` works on daily sales and ends last year's span on
  the same day of the year as ``as_of`` (Feb 29 -> Feb 28).
* A base that is 0 or missing gives "no value" (NaN), never 0 or infinity.
* Ranking is by attainment, ties broken by amount; the peer average of a team is the
  mean attainment of its reps; "below average" means below the parent unit's attainment.
  :func:`rank_units` and :func:`peer_stats` live in :mod:`salesnb.ranking` and are
  re-exported here.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from salesnb.calendar import fiscal_year, fiscal_year_months, to_month
from salesnb.checks import as_months, require_columns
from salesnb.cube import ACTUALS_COLUMNS, COMPANY
from salesnb.exceptions import DataError, ParamsError
from salesnb.numbers import growth
from salesnb.ranking import peer_stats, rank_units
from salesnb.schema import LEVELS
from salesnb.to_date import month_to_date_growth, week_to_date, ytd_like_for_like

__all__ = ["period_growth", "ytd_like_for_like", "customer_growth", "rank_units",
           "peer_stats", "consistency", "week_to_date",
           "month_to_date_growth", "growth_table", "ranking_table"]

_KEYS = ["level", "unit", "metric"]


_require = require_columns
_as_months = as_months


def _ytd_months(month: pd.Period, fiscal_year_start: int) -> pd.PeriodIndex:
    months = fiscal_year_months(fiscal_year(month, fiscal_year_start), fiscal_year_start)
    return months[months <= month]


def _level_sorted(df: pd.DataFrame, then: list[str]) -> pd.DataFrame:
    order = df["level"].map({lv: i for i, lv in enumerate(LEVELS)}).fillna(len(LEVELS))
    df = df.assign(_lvl=order).sort_values(["_lvl", *then], kind="stable")
    return df.drop(columns="_lvl").reset_index(drop=True)


def period_growth(actuals: pd.DataFrame, *, month, fiscal_year_start: int = 1) -> pd.DataFrame:
    """Compute MoM, YoY and whole-month YTD YoY for every unit and metric in ``month``.

    Parameters
    ----------
    actuals : DataFrame
        The actuals table (:func:`salesnb.cube.monthly_actuals`, one or several metrics).
    month : str or Period
        The report month; units with a row in this month are reported.
    fiscal_year_start : int
        First month (1-12) of the fiscal year.

    Returns
    -------
    DataFrame with columns ``level, unit, team, metric, actual, prev_actual, mom,
    last_year_actual, yoy, ytd_actual, ytd_last_year, ytd_yoy``; ordered by level
    (company, team, rep), unit, metric. A missing previous or last-year row gives NaN.

    Examples
    --------
    >>> a = pd.DataFrame({"month": pd.PeriodIndex(["2024-02", "2025-01", "2025-02"], freq="M"),
    ...                   "level": "company", "unit": "Company", "team": "",
    ...                   "metric": "amount", "actual": [100.0, 50.0, 110.0]})
    >>> g = period_growth(a, month="2025-02")
    >>> g[["actual", "prev_actual", "mom", "yoy", "ytd_actual", "ytd_last_year"]]
       actual  prev_actual  mom  yoy  ytd_actual  ytd_last_year
    0   110.0         50.0  1.2  0.1       160.0          100.0
    """
    _require(actuals, ACTUALS_COLUMNS, "actuals")
    m = to_month(month)
    a = actuals[ACTUALS_COLUMNS].assign(month=lambda d: _as_months(d["month"]))
    dup = a.duplicated(_KEYS + ["month"])
    if dup.any():
        ex = a.loc[dup, _KEYS + ["month"]].head(3).astype(str).values.tolist()
        raise DataError(f"actuals has {int(dup.sum())} duplicated (level, unit, metric, month) "
                        f"rows, e.g. {ex}; aggregate it first (one row per key and month).")
    cur = a[a["month"] == m]
    if cur.empty:
        raise ParamsError(f"month {m} has no rows in actuals (months {a['month'].min()} to "
                          f"{a['month'].max()}); pass a month covered by the data.")

    def at(p: pd.Period) -> pd.Series:
        return a[a["month"] == p].set_index(_KEYS)["actual"]

    out = cur.set_index(_KEYS)[["team", "actual"]]
    ytd = _ytd_months(m, fiscal_year_start)
    sums = {name: a[a["month"].isin(months)].groupby(_KEYS)["actual"].sum(min_count=1)
            for name, months in (("ytd_actual", ytd), ("ytd_last_year", ytd - 12))}
    out = out.assign(prev_actual=at(m - 1).reindex(out.index),
                     last_year_actual=at(m - 12).reindex(out.index),
                     ytd_actual=sums["ytd_actual"].reindex(out.index),
                     ytd_last_year=sums["ytd_last_year"].reindex(out.index))
    out["mom"] = growth(out["actual"], out["prev_actual"])
    out["yoy"] = growth(out["actual"], out["last_year_actual"])
    out["ytd_yoy"] = growth(out["ytd_actual"], out["ytd_last_year"])
    cols = ["level", "unit", "team", "metric", "actual", "prev_actual", "mom",
            "last_year_actual", "yoy", "ytd_actual", "ytd_last_year", "ytd_yoy"]
    return _level_sorted(out.reset_index()[cols], ["unit", "metric"])


def customer_growth(customer_months: pd.DataFrame, *, month,
                    level: Literal["company", "team", "rep"] = "company") -> pd.DataFrame:
    """Count active and new customers per unit in ``month`` against last month and last year.

    ``active`` = distinct customers with at least one sale in the month, distinct per unit
    (a customer buying from two reps of a team counts once for the team). ``new_customers``
    = distinct customers whose first sale ever falls in the month, as flagged by ``is_new``
    (a new customer who bought from two teams in that month is new for both teams, once
    for the company). A comparison month before the data starts gives NaN.

    Parameters
    ----------
    customer_months : DataFrame
        :func:`salesnb.cube.customer_months` output: month, team, rep, customer_id, is_new.
    month : str or Period
        The report month.
    level : {"company", "team", "rep"}
        The units to count for.

    Returns
    -------
    DataFrame with columns ``unit, active, active_prev_month, active_last_year,
    active_mom, active_yoy, new_customers, new_last_year, new_yoy``, ordered by unit.

    Examples
    --------
    >>> cm = pd.DataFrame({"month": pd.PeriodIndex(["2025-01", "2025-02", "2025-02"], freq="M"),
    ...                    "team": "East", "rep": ["Ann", "Ann", "Bob"],
    ...                    "customer_id": ["c1", "c1", "c1"], "is_new": [True, False, False]})
    >>> customer_growth(cm, month="2025-02", level="team")[["unit", "active",
    ...                 "active_prev_month", "active_mom", "new_customers"]]
       unit  active  active_prev_month  active_mom  new_customers
    0  East       1                1.0         0.0              0
    """
    if level not in ("company", "team", "rep"):
        raise ParamsError(f"level must be 'company', 'team' or 'rep', got {level!r}.")
    _require(customer_months, ["month", "team", "rep", "customer_id", "is_new"],
             "customer_months")
    m = to_month(month)
    cm = customer_months.assign(month=lambda d: _as_months(d["month"]))
    cm = cm.assign(_unit=COMPANY if level == "company" else cm[level].astype(str))
    first = cm["month"].min() if len(cm) else m

    def counts(p: pd.Period, new: bool) -> pd.Series:
        rows = cm[(cm["month"] == p) & (cm["is_new"].eq(True) if new else True)]
        return rows.groupby("_unit")["customer_id"].nunique()

    parts = {"active": counts(m, False), "active_prev_month": counts(m - 1, False),
             "active_last_year": counts(m - 12, False), "new_customers": counts(m, True),
             "new_last_year": counts(m - 12, True)}
    units = sorted(set().union(*(set(s.index) for s in parts.values())))
    out = pd.DataFrame({"unit": pd.Series(units, dtype=object)})
    for name, s in parts.items():
        out[name] = s.reindex(units, fill_value=0).to_numpy(dtype="int64")
    for name, p in (("active_prev_month", m - 1), ("active_last_year", m - 12),
                    ("new_last_year", m - 12)):
        out[name] = out[name].astype(float) if p >= first else np.nan
    out["active_mom"] = growth(out["active"], out["active_prev_month"])
    out["active_yoy"] = growth(out["active"], out["active_last_year"])
    out["new_yoy"] = growth(out["new_customers"], out["new_last_year"])
    return out[["unit", "active", "active_prev_month", "active_last_year", "active_mom",
                "active_yoy", "new_customers", "new_last_year", "new_yoy"]]


def consistency(actuals: pd.DataFrame, targets: pd.DataFrame, *, month,
                fiscal_year_start: int = 1) -> pd.DataFrame:
    """Count this fiscal year's on-target months through ``month`` and the current streak.

    A month is on target when its target is > 0 and actual >= target (a missing actual
    counts as 0: the unit sold nothing). ``streak`` counts consecutive on-target months
    ending at ``month`` (0 if ``month`` missed); a month without a positive target ends
    the streak. Only metrics present in ``actuals`` are counted.

    Parameters
    ----------
    actuals : DataFrame
        Monthly actuals: month, level, unit, metric, actual.
    targets : DataFrame
        Monthly targets: month, level, unit, metric, target.
    month : str or Period
        The last month counted (the report month).
    fiscal_year_start : int
        First month (1-12) of the fiscal year.

    Returns
    -------
    DataFrame with columns ``level, unit, metric, months_with_target, months_on_target,
    streak``, one row per (level, unit, metric) with a target or an actual in the span,
    ordered by level (company, team, rep), unit, metric.

    Examples
    --------
    >>> mo = pd.PeriodIndex(["2025-01", "2025-02", "2025-03"], freq="M")
    >>> a = pd.DataFrame({"month": mo, "level": "rep", "unit": "Ann", "team": "East",
    ...                   "metric": "amount", "actual": [90.0, 100.0, 120.0]})
    >>> t = pd.DataFrame({"month": mo, "level": "rep", "unit": "Ann", "metric": "amount",
    ...                   "target": [100.0, 100.0, 100.0]})
    >>> consistency(a, t, month="2025-03")
      level unit  metric  months_with_target  months_on_target  streak
    0   rep  Ann  amount                   3                 2       2
    """
    _require(actuals, ["month", "level", "unit", "metric", "actual"], "actuals")
    _require(targets, ["month", "level", "unit", "metric", "target"], "targets")
    m = to_month(month)
    months = _ytd_months(m, fiscal_year_start)
    a = actuals.assign(month=lambda d: _as_months(d["month"]))
    t = targets.assign(month=lambda d: _as_months(d["month"]))
    a = a[a["month"].isin(months)].groupby(_KEYS + ["month"])["actual"].sum()
    t = t[t["month"].isin(months) & t["metric"].isin(actuals["metric"].unique())]
    t = t.groupby(_KEYS + ["month"])["target"].sum(min_count=1)
    keys = sorted(set(a.index.droplevel("month")) | set(t.index.droplevel("month")))
    cols = _KEYS + ["months_with_target", "months_on_target", "streak"]
    if not keys:
        return pd.DataFrame(columns=cols)
    full = pd.MultiIndex.from_tuples([k + (p,) for k in keys for p in months],
                                     names=_KEYS + ["month"])
    grid = pd.DataFrame({"actual": a.reindex(full).fillna(0.0).to_numpy(),
                         "target": t.reindex(full).to_numpy(dtype=float)}, index=full)
    has = grid["target"] > 0
    on = has & (grid["actual"] >= grid["target"])
    rows = []
    for key, hit in on.groupby(level=[0, 1, 2], sort=False):
        flags = hit.to_numpy()  # months in order, so the streak is the run of True at the end
        missed = np.flatnonzero(~flags)
        streak = len(flags) - (missed.max() + 1) if len(missed) else len(flags)
        rows.append((*key, int(has[hit.index].sum()), int(flags.sum()), int(streak)))
    out = pd.DataFrame(rows, columns=cols)
    return _level_sorted(out, ["unit", "metric"])


def growth_table(actuals: pd.DataFrame, *, month, fiscal_year_start: int = 1,
                 levels: tuple[str, ...] = ("company", "team"),
                 progress: pd.DataFrame | None = None, sales: pd.DataFrame | None = None,
                 as_of=None) -> pd.DataFrame:
    """Return the amount growth of a report's units: MoM, YoY and year-to-date YoY.

    Without ``as_of`` these are :func:`period_growth`'s whole months. With ``as_of``
    (a report dated inside its month) they are like for like: actual, MoM and YoY come
    from ``progress`` (whose month-to-date comparisons the run made with
    :func:`month_to_date_growth`), and the year to date from :func:`ytd_like_for_like`
    on the daily ``sales``.

    Parameters
    ----------
    actuals : DataFrame
        Monthly actuals (``level, unit, team, metric, month, actual``).
    month : str or Period
        The report month.
    fiscal_year_start : int
        First month of the fiscal year (1-12).
    levels : tuple of str
        The levels to keep.
    progress : DataFrame, optional
        The run's progress table; needed with ``as_of``.
    sales : DataFrame, optional
        The daily digest (``date, team, rep, amount``); needed with ``as_of``.
    as_of : str or Timestamp, optional
        The report's as-of date, when it falls inside ``month``.

    Returns
    -------
    DataFrame
        :func:`period_growth`'s columns (level, unit, team, metric, actual, prev_actual,
        mom, last_year_actual, yoy, ytd_actual, ytd_last_year, ytd_yoy), amount rows of
        ``levels`` only.

    Examples
    --------
    >>> a = pd.DataFrame({"level": "team", "unit": "E", "team": "E", "metric": "amount",
    ...                   "month": pd.period_range("2024-03", "2025-03", freq="M"),
    ...                   "actual": [50.0] + [10.0] * 11 + [60.0]})
    >>> growth_table(a, month="2025-03")[["unit", "actual", "mom", "yoy"]]
      unit  actual  mom  yoy
    0    E    60.0  5.0  0.2
    """
    g = period_growth(actuals, month=month, fiscal_year_start=fiscal_year_start)
    g = g[(g["level"].isin(list(levels))) & (g["metric"] == "amount")].copy()
    if as_of is None:
        return g.reset_index(drop=True)
    if progress is None or sales is None:
        raise ParamsError("growth_table with as_of needs progress and sales (the month-to-date "
                          "comparisons); pass both, or no as_of for whole months.")
    p = progress[(progress["metric"] == "amount") & progress["level"].isin(list(levels))]
    p = p.set_index(["level", "unit"])
    for col in ("actual", "prev_actual", "mom", "last_year_actual", "yoy"):
        g[col] = [p[col].get((lv, u), np.nan) for lv, u in zip(g["level"], g["unit"], strict=False)]
    for level in levels:
        lfl = ytd_like_for_like(sales, as_of=as_of, fiscal_year_start=fiscal_year_start,
                                level=level).set_index("unit")
        rows = g["level"] == level
        for col, src in (("ytd_actual", "ytd"), ("ytd_last_year", "ytd_last_year"),
                         ("ytd_yoy", "ytd_yoy")):
            g.loc[rows, col] = g.loc[rows, "unit"].map(lfl[src]).to_numpy()
    return g.reset_index(drop=True)


def ranking_table(tables: dict) -> pd.DataFrame:
    """Rank teams company-wide, reps company-wide and within their team (amount metric).

    Parameters
    ----------
    tables : dict
        A prepared run; its ``progress`` table is ranked.

    Returns
    -------
    DataFrame
        Columns level, unit, team, attainment, actual, rank, rank_in_team, peer_average,
        percentile, z_score, below_average (reps: below their team's attainment); the pack's
        ``tables/ranking.csv``.
    """
    p = tables["progress"]
    p = p[p["metric"] == "amount"]
    teams = rank_units(p[p["level"] == "team"], by="attainment", tiebreak="actual")
    reps = rank_units(p[p["level"] == "rep"], by="attainment", tiebreak="actual")
    within = rank_units(p[p["level"] == "rep"], by="attainment", tiebreak="actual",
                        within="team")[["unit", "rank"]].rename(columns={"rank": "rank_in_team"})
    team_att = dict(zip(teams["unit"], teams["attainment"], strict=True))
    reps = peer_stats(reps.merge(within, on="unit", how="left"), value="attainment",
                      group="team", parent=team_att)
    cols = ["level", "unit", "team", "attainment", "actual", "rank", "rank_in_team",
            "peer_average", "percentile", "z_score", "below_average"]
    out = pd.concat([teams.assign(rank_in_team=float("nan")), reps], ignore_index=True)
    for c in cols:
        if c not in out.columns:
            out[c] = float("nan")
    return out[cols]
