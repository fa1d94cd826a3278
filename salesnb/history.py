"""What changed between two packs: tier moves, alerts opened or closed, rank changes, restatements.

A pack is read back from its folder (``run.json`` and ``tables/*.csv``, as ``salesnb run``
writes them) by :func:`read_pack`; everything else here is pure: tidy frames in, a new tidy
frame out. :func:`changes_since` gathers the four lists the pack's index shows under
"changes since <previous pack>":

* **tier moves**: a team or rep whose incentive tier (YTD attainment, each pack's own
  ``tiers`` bands) is not the one the previous pack gave it;
* **alerts opened / closed**: an alert (level, unit, rule, metric) in this pack and not in
  the previous one, or the other way round;
* **rank changes**: a team's or rep's company-wide rank by attainment (and a rep's rank in
  their team) moved;
* **restated figures**: a month the previous pack reported (its report month's actual, the
  month before it and the same month last year) whose actual in today's data differs from
  what the previous pack showed: the data changed after publication. Both values are given.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from .alerts import incentive_tiers
from .exceptions import DataError

__all__ = ["read_pack", "read_tables", "tier_moves", "alert_changes", "rank_changes", "restated_figures",
           "changes_since", "TIER_ORDER"]

#: tiers from the lowest to the highest ("no target" below all)
TIER_ORDER = ("no target", "coaching", "watch", "achieved", "star")
_TABLES = ("progress", "ranking", "alerts")
_KEY = ["level", "unit", "metric"]
#: two amounts closer than half a cent are the same figure (CSV round trip, float sums)
TOLERANCE = 0.005


def read_pack(folder: str | Path) -> dict:
    """Read a rendered pack's record and exported tables back from its folder.

    Parameters
    ----------
    folder : str or Path
        A folder ``salesnb run`` wrote (it holds ``run.json`` and ``tables/``).

    Returns
    -------
    dict
        ``folder`` (Path), ``run`` (the run.json record), ``month`` (``YYYY-MM``) and
        DataFrames ``progress``, ``ranking``, ``alerts`` (empty frames for missing files).

    Raises
    ------
    DataError
        When ``run.json`` is missing or unreadable (the message names the file).
    """
    folder = Path(folder)
    path = folder / "run.json"
    try:
        run = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise DataError(f"{path}: not a pack's run record ({type(e).__name__}: {e}).") from e
    month = str((run.get("params") or {}).get("month", ""))
    return {"folder": folder, "run": run, "month": month, **read_tables(folder)}


def read_tables(folder: str | Path) -> dict:
    """Read a pack's exported tables (``tables/{progress,ranking,alerts}.csv``) back.

    Parameters
    ----------
    folder : str or Path
        A pack folder (``run.json`` is not needed: a run reads its own tables before it
        writes its record).

    Returns
    -------
    dict
        DataFrames ``progress``, ``ranking``, ``alerts`` (empty for missing files); names
        as text (an empty team stays ``""``), empty cells as NaN.
    """
    out = {}
    for name in _TABLES:
        p = Path(folder) / "tables" / f"{name}.csv"
        if p.exists() and p.stat().st_size:
            df = pd.read_csv(p, keep_default_na=False, na_values=[""],
                             dtype={"unit": str, "team": str, "level": str, "month": str})
        else:
            df = pd.DataFrame()
        for c in ("unit", "team", "level", "rule", "metric", "message", "severity"):
            if c in df.columns:
                df[c] = df[c].fillna("").astype(str)
        out[name] = df
    return out


def _amount(progress: pd.DataFrame) -> pd.DataFrame:
    if progress is None or not len(progress) or "metric" not in progress.columns:
        return pd.DataFrame(columns=["level", "unit", "team", "metric", "ytd_attainment"])
    return progress[progress["metric"] == "amount"]


def tier_moves(previous: pd.DataFrame, current: pd.DataFrame, *,
               previous_tiers: Mapping | None = None,
               tiers: Mapping | None = None) -> pd.DataFrame:
    """List the teams and reps whose incentive tier changed between two progress tables.

    Each table is placed in tiers by :func:`salesnb.alerts.incentive_tiers` (YTD
    attainment of the amount metric) with its own pack's bands. Units in only one of the
    tables are left out (they joined or left; nothing moved).

    Parameters
    ----------
    previous, current : DataFrame
        ``progress`` tables (columns ``level``, ``unit``, ``team``, ``metric``,
        ``ytd_attainment``) of the previous and of this pack.
    previous_tiers, tiers : mapping, optional
        The ``tiers`` bands of each pack's params (defaults when empty).

    Returns
    -------
    DataFrame
        Columns ``level`` (team|rep), ``unit``, ``team``, ``before``, ``after`` (tier
        names), ``before_value``, ``after_value`` (YTD attainment, fractions),
        ``direction`` (``up`` or ``down``); teams first, then up before down, then by unit.

    Examples
    --------
    >>> prev = pd.DataFrame({"level": ["rep", "rep"], "unit": ["Ann", "Bob"],
    ...     "team": ["East", "East"], "metric": ["amount"] * 2, "ytd_attainment": [0.95, 1.1]})
    >>> cur = prev.assign(ytd_attainment=[1.02, 1.05])
    >>> tier_moves(prev, cur)[["unit", "before", "after", "direction"]]
      unit before     after direction
    0  Ann  watch  achieved        up
    """
    cols = ["level", "unit", "team", "before", "after", "before_value", "after_value",
            "direction"]
    frames = []
    for level in ("team", "rep"):
        a, b = _amount(previous), _amount(current)
        if not ((a["level"] == level).any() and (b["level"] == level).any()):
            continue
        ta = incentive_tiers(a, tiers=previous_tiers or None, level=level)
        tb = incentive_tiers(b, tiers=tiers or None, level=level)
        m = ta.merge(tb, on="unit", suffixes=("_a", "_b"))
        m = m[m["tier_a"] != m["tier_b"]]
        rank = {t: i for i, t in enumerate(TIER_ORDER)}
        frames.append(pd.DataFrame({
            "level": level, "unit": m["unit"], "team": m["team_b"],
            "before": m["tier_a"], "after": m["tier_b"],
            "before_value": m["value_a"], "after_value": m["value_b"],
            "direction": np.where(m["tier_b"].map(rank) > m["tier_a"].map(rank), "up", "down"),
        }))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    if not len(out):
        return pd.DataFrame(columns=cols)
    out = out.assign(_l=out["level"].map({"team": 0, "rep": 1}),
                     _d=out["direction"].map({"up": 0, "down": 1}))
    out = out.sort_values(["_l", "_d", "unit"], kind="stable")
    return out[cols].reset_index(drop=True)


def alert_changes(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """List the alerts that opened (new in this pack) or closed (gone since the previous one).

    An alert is identified by ``level``, ``unit``, ``rule`` and ``metric``: the same rule
    firing again for the same unit is the same open alert, whatever its value.
    Data-quality alerts speak of the files, not of a unit's performance, and are left out.

    Parameters
    ----------
    previous, current : DataFrame
        ``alerts`` tables (columns ``level``, ``unit``, ``team``, ``rule``, ``severity``,
        ``message``, ``metric``) of the previous and of this pack.

    Returns
    -------
    DataFrame
        Columns ``change`` (opened|closed), ``level``, ``unit``, ``team``, ``rule``,
        ``metric``, ``severity``, ``message`` (an opened alert's message from this pack, a
        closed one's from the previous pack); opened first, then by level, unit, rule.

    Examples
    --------
    >>> prev = pd.DataFrame({"level": ["rep"], "unit": ["Bob"], "team": ["East"],
    ...     "rule": ["behind_pace"], "severity": ["warning"], "message": ["Bob is behind"],
    ...     "metric": ["amount"]})
    >>> cur = prev.assign(unit=["Ann"], message=["Ann is behind"])
    >>> alert_changes(prev, cur)[["change", "unit", "rule"]]
       change unit         rule
    0  opened  Ann  behind_pace
    1  closed  Bob  behind_pace
    """
    cols = ["change", "level", "unit", "team", "rule", "metric", "severity", "message"]
    key = ["level", "unit", "rule", "metric"]

    def clean(df):
        if df is None or not len(df):
            return pd.DataFrame(columns=cols[1:])
        df = df.copy()
        for c in cols[1:]:
            if c not in df.columns:
                df[c] = ""
            df[c] = df[c].astype(object).where(df[c].notna(), "").astype(str)
        df = df[df["rule"] != "data_quality"]
        return df.drop_duplicates(key)[cols[1:]]

    a, b = clean(previous), clean(current)
    opened = b.merge(a[key], on=key, how="left", indicator=True)
    opened = opened[opened["_merge"] == "left_only"].drop(columns="_merge")
    closed = a.merge(b[key], on=key, how="left", indicator=True)
    closed = closed[closed["_merge"] == "left_only"].drop(columns="_merge")
    out = pd.concat([opened.assign(change="opened"), closed.assign(change="closed")],
                    ignore_index=True)
    if not len(out):
        return pd.DataFrame(columns=cols)
    order = {"company": 0, "team": 1, "rep": 2}
    out = out.assign(_c=out["change"].map({"opened": 0, "closed": 1}),
                     _l=out["level"].map(order).fillna(9))
    out = out.sort_values(["_c", "_l", "unit", "rule", "metric"], kind="stable")
    return out[cols].reset_index(drop=True)


def rank_changes(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """List the teams and reps whose rank by attainment moved between two ranking tables.

    Parameters
    ----------
    previous, current : DataFrame
        ``ranking`` tables (columns ``level``, ``unit``, ``team``, ``rank``,
        ``rank_in_team``) of the previous and of this pack.

    Returns
    -------
    DataFrame
        Columns ``level`` (team|rep), ``unit``, ``team``, ``rank_before``, ``rank_after``
        (company-wide), ``change`` (places gained: ``rank_before - rank_after``, negative
        for places lost), ``rank_in_team_before``, ``rank_in_team_after`` (reps; empty for
        teams). Only units ranked in both with a different company-wide or in-team rank;
        teams first, then by the largest move, then by unit.

    Examples
    --------
    >>> prev = pd.DataFrame({"level": ["team", "team"], "unit": ["East", "West"],
    ...     "team": ["East", "West"], "rank": [1, 2], "rank_in_team": [None, None]})
    >>> cur = prev.assign(rank=[2, 1])
    >>> rank_changes(prev, cur)[["unit", "rank_before", "rank_after", "change"]]
       unit  rank_before  rank_after  change
    0  West            2           1       1
    1  East            1           2      -1
    """
    cols = ["level", "unit", "team", "rank_before", "rank_after", "change",
            "rank_in_team_before", "rank_in_team_after"]
    if previous is None or current is None or not len(previous) or not len(current):
        return pd.DataFrame(columns=cols)
    a = previous.dropna(subset=["rank"])
    b = current.dropna(subset=["rank"])
    m = a[["level", "unit", "rank", "rank_in_team"]].merge(
        b[["level", "unit", "team", "rank", "rank_in_team"]], on=["level", "unit"],
        suffixes=("_before", "_after"))
    moved = (m["rank_before"] != m["rank_after"]) | (
        (m["level"] == "rep") & (m["rank_in_team_before"] != m["rank_in_team_after"]))
    m = m[moved]
    if not len(m):
        return pd.DataFrame(columns=cols)
    m = m.assign(rank_before=m["rank_before"].astype(int), rank_after=m["rank_after"].astype(int))
    m = m.assign(change=m["rank_before"] - m["rank_after"],
                 _l=m["level"].map({"team": 0, "rep": 1}).fillna(9))
    m = m.assign(_a=-m["change"].abs())
    m = m.sort_values(["_l", "_a", "change", "unit"], ascending=[True, True, False, True],
                      kind="stable")
    return m[cols].reset_index(drop=True)


def restated_figures(previous: pd.DataFrame, actuals: pd.DataFrame, *,
                     tolerance: float = TOLERANCE) -> pd.DataFrame:
    """List the past months whose actual in today's data differs from what a pack reported.

    The previous pack reported, per unit and metric, its report month's ``actual``, the
    month before it (``prev_actual``) and the same month last year
    (``last_year_actual``). Each is compared with today's actual for that unit and month;
    a unit with no row today for that month counts 0. Pass only whole-month packs: a
    mid-month pack's figures are partial months by design, not restatements.

    Parameters
    ----------
    previous : DataFrame
        The previous pack's ``progress`` table (``level``, ``unit``, ``team``, ``month``,
        ``metric``, ``actual``, ``prev_actual``, ``last_year_actual``).
    actuals : DataFrame
        Today's monthly actuals (``month``, ``level``, ``unit``, ``metric``, ``actual``, as
        :func:`salesnb.cube.monthly_actuals` returns them; ``month`` a Period or
        ``YYYY-MM``).
    tolerance : float, default 0.005
        Differences up to this (half a cent) are rounding, not restatements.

    Returns
    -------
    DataFrame
        Columns ``level``, ``unit``, ``team``, ``metric``, ``month`` (``YYYY-MM``),
        ``reported`` (the previous pack's figure), ``current`` (today's), ``difference``
        (current − reported); by month, level (company, team, rep), unit, metric.

    Examples
    --------
    >>> prev = pd.DataFrame({"level": ["team"], "unit": ["East"], "team": ["East"],
    ...     "month": ["2025-02"], "metric": ["amount"], "actual": [160.0],
    ...     "prev_actual": [160.0], "last_year_actual": [150.0]})
    >>> now = pd.DataFrame({"level": "team", "unit": "East", "metric": "amount",
    ...     "month": ["2024-02", "2025-01", "2025-02"], "actual": [150.0, 175.0, 160.0]})
    >>> restated_figures(prev, now)[["unit", "month", "reported", "current", "difference"]]
       unit    month  reported  current  difference
    0  East  2025-01     160.0    175.0        15.0
    """
    cols = ["level", "unit", "team", "metric", "month", "reported", "current", "difference"]
    if previous is None or not len(previous) or actuals is None:
        return pd.DataFrame(columns=cols)
    base = previous.copy()
    month = pd.PeriodIndex(base["month"].astype(str), freq="M")
    parts = []
    for col, shift in (("actual", 0), ("prev_actual", 1), ("last_year_actual", 12)):
        if col not in base.columns:
            continue
        parts.append(pd.DataFrame({
            "level": base["level"].to_numpy(), "unit": base["unit"].astype(str).to_numpy(),
            "team": base["team"].astype(object).where(base["team"].notna(), "").astype(str)
            .to_numpy(),
            "metric": base["metric"].to_numpy(), "month": (month - shift).astype(str),
            "reported": pd.to_numeric(base[col], errors="coerce").to_numpy(dtype=float)}))
    rep = pd.concat(parts, ignore_index=True).dropna(subset=["reported"])
    rep = rep.drop_duplicates(["level", "unit", "metric", "month"])
    now = actuals[["level", "unit", "metric", "month", "actual"]].copy()
    now["month"] = now["month"].astype(str)
    now["unit"] = now["unit"].astype(str)
    now = now.groupby(["level", "unit", "metric", "month"], as_index=False)["actual"].sum()
    m = rep.merge(now, on=["level", "unit", "metric", "month"], how="left")
    m["current"] = m["actual"].fillna(0.0).astype(float)
    m["difference"] = m["current"] - m["reported"]
    m = m[m["difference"].abs() > tolerance]
    if not len(m):
        return pd.DataFrame(columns=cols)
    m = m.assign(_l=m["level"].map({"company": 0, "team": 1, "rep": 2}).fillna(9))
    m = m.sort_values(["month", "_l", "unit", "metric"], kind="stable")
    return m[cols].reset_index(drop=True)


def _whole_month(run: Mapping) -> bool:
    """Whether a pack's record is a whole-month report (no as-of date inside the month)."""
    params = run.get("params", {}) or {}
    as_of = params.get("as_of")
    if not as_of or not params.get("month"):
        return True
    end = pd.Period(str(params["month"]), freq="M").end_time.normalize()
    return pd.Timestamp(str(as_of)) >= end


def changes_since(previous: Mapping, current: Mapping, actuals: pd.DataFrame) -> dict:
    """Everything that changed since the previous pack, for the pack's index.

    Parameters
    ----------
    previous, current : mapping
        Packs as :func:`read_pack` returns them (``run``, ``progress``, ``ranking``,
        ``alerts``); ``current`` may be this run's own tables before its index is written.
    actuals : DataFrame
        Today's monthly actuals (see :func:`restated_figures`).

    Returns
    -------
    dict
        ``since`` (the previous pack's month), ``tiers`` (:func:`tier_moves`), ``alerts``
        (:func:`alert_changes`), ``ranks`` (:func:`rank_changes`), ``restated``
        (:func:`restated_figures`; empty when the previous pack was a mid-month one).
    """
    prun, crun = previous.get("run", {}) or {}, current.get("run", {}) or {}
    restated = (restated_figures(previous.get("progress"), actuals) if _whole_month(prun)
                else restated_figures(None, actuals))
    return {
        "since": previous.get("month", ""),
        "tiers": tier_moves(previous.get("progress"), current.get("progress"),
                            previous_tiers=(prun.get("params") or {}).get("tiers"),
                            tiers=(crun.get("params") or {}).get("tiers")),
        "alerts": alert_changes(previous.get("alerts"), current.get("alerts")),
        "ranks": rank_changes(previous.get("ranking"), current.get("ranking")),
        "restated": restated,
    }
