"""Check tables against each other: teams from org, unknown reps and units, manager cycles.

The team of each sale from the org table, reps and target units found in no other table,
and reporting lines that go round.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .coerce import str_series
from .issues import Issue
from .tables import TableContext

__all__ = ["team_from_org", "check_org_lines", "check_target_units", "rep_not_in_org",
           "reporting_cycle"]


def team_from_org(sales: pd.DataFrame, org: pd.DataFrame) -> pd.Series:
    """Return each sale's team from the rep's org row valid at the sale date (NaN if none).

    Parameters
    ----------
    sales : DataFrame
        Canonical sales (rep, date).
    org : DataFrame
        The canonical org table (rep, team; start and end optional).

    Returns
    -------
    Series
        One team per sale, in the sales' order (missing where no org row is valid).

    Examples
    --------
    >>> s = pd.DataFrame({"rep": ["Ann", "Ann", "Bob"],
    ...                   "date": pd.to_datetime(["2025-01-05", "2025-03-01", "2025-01-01"])})
    >>> o = pd.DataFrame({"rep": ["Ann", "Ann"], "team": ["East", "West"],
    ...                   "start": pd.to_datetime([None, "2025-02-01"]),
    ...                   "end": pd.to_datetime(["2025-01-31", None])})
    >>> team_from_org(s, o).tolist()
    ['East', 'West', nan]
    """
    s = pd.DataFrame({"_pos": np.arange(len(sales)), "rep": sales["rep"], "date": sales["date"]})
    o = org[["rep", "team"]].assign(
        start=org["start"] if "start" in org else pd.NaT, end=org["end"] if "end" in org else pd.NaT)
    m = s.merge(o, on="rep", how="inner")
    ok = ((m["start"].isna() | (m["start"] <= m["date"]))
          & (m["end"].isna() | (m["date"] <= m["end"])))
    m = m.loc[ok].sort_values(["_pos", "start"], na_position="first", kind="stable")
    m = m.drop_duplicates("_pos", keep="last")
    team = np.full(len(sales), np.nan, dtype=object)
    team[m["_pos"].to_numpy()] = m["team"].to_numpy(dtype=object)
    return str_series(pd.Series(team, dtype=object).fillna(""), pd.isna(team))



def check_org_lines(tables: Mapping[str, pd.DataFrame], ctxs: Mapping[str, TableContext],
                    issues: list[Issue]) -> None:
    """Add issues for managers who are not reps and for reporting lines that go round.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        The canonical tables loaded (org among them, or not).
    ctxs : mapping of str to TableContext
        Their contexts, for messages.
    issues : list of Issue
        Appended to.
    """
    org_df = tables.get("org")
    if org_df is None or "manager" not in org_df or "rep" not in org_df:
        return
    ctx, boss = ctxs["org"], org_df["manager"]
    unknown = (boss.notna() & ~boss.isin(org_df["rep"].dropna())).to_numpy()
    if unknown.any():
        issues.append(ctx.issue("info", "manager_unknown", "manager", unknown, boss,
                                "a manager who is not a rep of the org table (a manager who "
                                "does not sell, or a misspelt name: their line is shown with "
                                "no sales of their own)", "Check the spelling."))
    chain = reporting_cycle(org_df)
    if chain:
        issues.append(Issue("warning", "org", ctx.name, "manager_cycle", "manager", [], 0, [],
                            f"{ctx.name}: column 'manager': a circular reporting line "
                            f"({' -> '.join(chain)}); each rep's manager must be above them. "
                            "The company report leaves reporting lines out."))



def check_target_units(tables: Mapping[str, pd.DataFrame], ctxs: Mapping[str, TableContext],
                       issues: list[Issue], in_sales: Mapping[str, set]) -> None:
    """Warn about targets for a team or rep found in neither the sales nor the org table.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        The canonical tables loaded.
    ctxs : mapping of str to TableContext
        Their contexts, for messages.
    issues : list of Issue
        Appended to.
    in_sales : mapping of str to set
        ``{"team": {...}, "rep": {...}}``: the units the sales have.
    """
    org_df = tables.get("org")
    if "targets" in tables and {"level", "unit"} <= set(tables["targets"]):
        tg, tctx = tables["targets"], ctxs["targets"]
        for level in ("team", "rep"):
            known = set(in_sales[level])
            if org_df is not None and level in org_df:
                known |= set(org_df[level].dropna())
            sel = (tg["level"] == level) & tg["unit"].notna() & ~tg["unit"].isin(known)
            for unit in pd.unique(tg.loc[sel, "unit"]):
                close = difflib.get_close_matches(unit, sorted(known), n=1, cutoff=0.6)
                fix = f"Did you mean {close[0]!r}?" if close else "Check the spelling."
                issues.append(tctx.issue(
                    "warning", "target_unit_unknown", "unit", (sel & (tg["unit"] == unit)),
                    tg["unit"], f"a {level} target for {unit!r}, a {level} that appears "
                    "in neither the sales nor the org table (this target matches no sales)", fix))


def rep_not_in_org(daily: pd.DataFrame, org: pd.DataFrame | None, *, sales_name: str,
                   org_name: str) -> list[Issue]:
    """Return the warning for sales reps missing from the org table, from the digest's daily rows.

    Parameters
    ----------
    daily : DataFrame
        The digest's daily table (rep, lines).
    org : DataFrame, optional
        The canonical org table.
    sales_name, org_name : str
        The sources' names in messages.

    Returns
    -------
    list of Issue
        One warning, or none.
    """
    if org is None or "rep" not in org or not len(daily):
        return []
    lines = daily.groupby("rep", sort=True)["lines"].sum()
    missing = lines[~lines.index.isin(org["rep"].dropna())]
    if missing.empty:
        return []
    names = [str(r) for r in missing.index]
    count = int(missing.sum())
    shown = ", ".join(repr(n) for n in names[:5]) + (f" (and {len(names) - 5} more)"
                                                    if len(names) > 5 else "")
    return [Issue("warning", "sales", sales_name, "rep_not_in_org", "rep", [], count, names[:5],
                  f"{sales_name}: column 'rep': {count:,} sales by {len(names)} rep(s) missing "
                  f"from the org table ({org_name}): {shown}. Add them to the org table.")]


def reporting_cycle(org: pd.DataFrame) -> list[str] | None:
    """Return the first circular reporting line of the org table (A -> B -> A), or None.

    Each rep's manager is that of their latest org row (as
    :func:`salesnb.hierarchy.managers` reads it); managers are walked in name order, as
    :func:`salesnb.hierarchy.people_under` does, so the chain named is the one it raises on.

    Parameters
    ----------
    org : DataFrame
        The canonical org table with a ``manager`` column.

    Returns
    -------
    list of str or None
        The chain, starting and ending with the same rep.

    Examples
    --------
    >>> o = pd.DataFrame({"rep": ["Ann", "Bob", "Cat"], "team": "East",
    ...                   "manager": ["Bob", "Ann", "Ann"]})
    >>> reporting_cycle(o)
    ['Ann', 'Bob', 'Ann']
    >>> reporting_cycle(o.assign(manager=[None, "Ann", "Ann"])) is None
    True
    """
    o = org.sort_values("start", na_position="first", kind="stable") if "start" in org else org
    last = o.drop_duplicates("rep", keep="last").set_index("rep")
    boss_of = last["manager"].where(last["manager"].notna() & (last["manager"].astype(str) != ""))
    direct: dict[str, list[str]] = {}
    for rep, boss in boss_of[boss_of.index.notna()].dropna().items():
        direct.setdefault(str(boss), []).append(str(rep))
    done: set[str] = set()

    def walk(boss: str, path: tuple) -> list[str] | None:
        if boss in done:
            return None
        for rep in direct.get(boss, []):
            if rep in path:
                return list(path[path.index(rep):] + (rep,))
            found = walk(rep, path + (rep,))
            if found:
                return found
        done.add(boss)
        return None

    for boss in sorted(direct):
        found = walk(boss, (boss,))
        if found:
            return found
    return None
