"""Checks of monthly targets: parents whose children do not add up, units found nowhere."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from salesnb.calendar import (
    fiscal_year_months,
)
from salesnb.cube import COMPANY

from .monthly import _check_columns, rollup

__all__ = ["target_mismatches", "known_unit_targets"]


# ----------------------------------------------------------------------------- checks
def _rep_teams(org: pd.DataFrame | None, month: pd.Period) -> dict[str, str]:
    """Return each rep's team at ``month`` from ``org`` (dated rows: valid that month)."""
    if org is None or len(org) == 0:
        return {}
    _check_columns(org, ["rep", "team"], "org")
    o = org.assign(rep=org["rep"].astype(str).str.strip(), team=org["team"].astype(str).str.strip())
    if "start" in o.columns or "end" in o.columns:
        start = pd.to_datetime(o["start"]) if "start" in o.columns else pd.Series(pd.NaT, index=o.index)
        end = pd.to_datetime(o["end"]) if "end" in o.columns else pd.Series(pd.NaT, index=o.index)
        ok = (start.isna() | (start <= month.end_time)) & (end.isna() | (end >= month.start_time))
        o = o.assign(_s=start.fillna(pd.Timestamp.min))[ok.to_numpy()]
        o = o.sort_values("_s", kind="stable")
    return dict(zip(o["rep"], o["team"], strict=True))  # later rows (latest start) win


def target_mismatches(
    monthly: pd.DataFrame,
    org: pd.DataFrame | None,
    *,
    fiscal_year_start: int = 1,
    tolerance: float = 0.01,
) -> pd.DataFrame:
    """Find parents whose children's annual targets do not add up to the parent's.

    Per fiscal year and metric: the company against the sum of its teams, and each
    team against the sum of its reps (a rep's team from ``org``, columns rep, team and
    optional start/end dates: the team at the year's last month). Only parents with a
    target and at least one child with a target are checked; rows are reported where
    ``|difference| > tolerance``.

    Parameters
    ----------
    monthly : DataFrame
        Monthly targets (``month``, ``level``, ``unit``, ``metric``, ``target``).
    org : DataFrame or None
        The org table (rep, team, optional start/end); None: teams are not checked.
    fiscal_year_start : int
        First month (1-12) of the fiscal year.
    tolerance : float
        The largest difference that is not reported.

    Returns
    -------
    DataFrame with columns ``year`` (int, fiscal), ``metric``, ``parent_level``
    (company|team), ``parent``, ``parent_target``, ``children_target``, ``difference``
    (children_target - parent_target: positive = children over-allocated) and
    ``children`` (the children with a target, comma separated).

    Examples
    --------
    >>> m = pd.DataFrame({"month": pd.PeriodIndex(["2025-01"] * 3, freq="M"),
    ...                   "level": ["team", "rep", "rep"], "unit": ["East", "Ann", "Bob"],
    ...                   "metric": "amount", "target": [100.0, 60.0, 30.0]})
    >>> org = pd.DataFrame({"rep": ["Ann", "Bob"], "team": ["East", "East"]})
    >>> target_mismatches(m, org)[["year", "parent", "parent_target", "difference", "children"]]
       year parent  parent_target  difference  children
    0  2025   East          100.0       -10.0  Ann, Bob
    """
    cols = ["year", "metric", "parent_level", "parent", "parent_target", "children_target",
            "difference", "children"]
    annual = rollup(monthly, to="year", fiscal_year_start=fiscal_year_start)
    annual = annual[annual["target"].notna()]
    rows = []
    for (year, metric), g in annual.groupby(["period", "metric"], sort=True):
        tgt = {(lv, u): v for lv, u, v in zip(g["level"], g["unit"], g["target"], strict=True)}
        groups: list[tuple[str, str, list[str]]] = []
        teams = sorted(u for lv, u in tgt if lv == "team")
        groups.append(("company", COMPANY, teams))
        # each rep-month target counts for the team the rep was in that month (a rep who
        # moves or leaves mid-year splits their year between teams, or stops counting)
        months = fiscal_year_months(int(year), fiscal_year_start)
        rep_rows = monthly[(monthly["level"] == "rep") & (monthly["metric"] == metric)
                           & monthly["month"].isin(months)]
        by_team: dict[str, float] = {}
        members: dict[str, set] = {}
        for mth, part in rep_rows.groupby("month", sort=True):
            rep_team = _rep_teams(org, pd.Period(mth, freq="M"))
            for rep, value in zip(part["unit"].astype(str), part["target"], strict=True):
                team = rep_team.get(rep)
                if team is not None:
                    by_team[team] = by_team.get(team, 0.0) + float(value)
                    members.setdefault(team, set()).add(rep)
        team_names = sorted({u for lv, u in tgt if lv == "team"})
        for team in team_names:
            groups.append(("team", team, sorted(members.get(team, ()))))
        for plevel, parent, children in groups:
            if (plevel, parent) not in tgt or not children:
                continue
            child_level = "team" if plevel == "company" else "rep"
            ptarget = float(tgt[(plevel, parent)])
            if plevel == "company":
                ctarget = float(sum(tgt[(child_level, c)] for c in children))
            else:
                ctarget = float(by_team.get(parent, 0.0))
            diff = round(ctarget - ptarget, 10)
            if abs(diff) > tolerance:
                rows.append((int(year), metric, plevel, parent, ptarget, ctarget, diff,
                             ", ".join(children)))
    out = pd.DataFrame(rows, columns=cols)
    if out.empty:
        return out.astype({"year": "int64", "parent_target": float, "children_target": float,
                           "difference": float})
    return out.reset_index(drop=True)


# ----------------------------------------------------------------------------- known units
def known_unit_targets(
    monthly: pd.DataFrame,
    *,
    teams: set | Sequence[str],
    reps: set | Sequence[str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split monthly targets into those of known units and those of units found nowhere.

    A team or rep target whose unit is not in ``teams`` / ``reps`` (the units found in
    the sales or the org table) matches no sale: a misspelt "Eastt" must stay a
    data-quality finding, never become a seventh team with 0 % attainment in the ranking,
    the heatmap, the progress table or the alerts. Company targets are always kept.

    Parameters
    ----------
    monthly : DataFrame
        Monthly targets (``level`` and ``unit`` at least).
    teams : set or sequence of str
        The teams found in the sales or the org table.
    reps : set or sequence of str
        The reps found in the sales or the org table.

    Returns
    -------
    (kept, dropped): two frames with the columns of ``monthly``; ``dropped`` holds the
    rows of unknown units (the loader's ``target_unit_unknown`` check names them).

    Examples
    --------
    >>> m = pd.DataFrame({"month": pd.PeriodIndex(["2025-01"] * 3, freq="M"),
    ...                   "level": ["company", "team", "team"],
    ...                   "unit": ["Company", "East", "Eastt"], "metric": "amount",
    ...                   "target": [300.0, 200.0, 100.0]})
    >>> kept, dropped = known_unit_targets(m, teams={"East"}, reps=set())
    >>> kept["unit"].tolist(), dropped["unit"].tolist()
    (['Company', 'East'], ['Eastt'])
    """
    _check_columns(monthly, ["level", "unit"], "monthly")
    level = monthly["level"].astype(str).str.strip().str.lower()
    unit = monthly["unit"].astype(str).str.strip()
    known = {"team": {str(t).strip() for t in teams}, "rep": {str(r).strip() for r in reps}}
    unknown = np.zeros(len(monthly), dtype=bool)
    for lv, names in known.items():
        unknown |= ((level == lv) & ~unit.isin(names)).to_numpy()
    return (monthly[~unknown].reset_index(drop=True), monthly[unknown].reset_index(drop=True))
