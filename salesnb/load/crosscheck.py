"""Check tables against each other: teams from org, unknown reps and units, manager cycles.

The team of each sale from the org table, reps and target units found in no other table,
and reporting lines that go round.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..exceptions import DataError, ParamsError
from .coerce import str_series
from .issues import Issue, rows_text
from .tables import TableContext

__all__ = ["check_not_empty", "team_from_org", "check_org_lines", "check_target_units", "check_target_repeats",
           "rep_not_in_org", "reporting_cycle"]


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


def check_not_empty(name: str, rows: int, kept: int, first: pd.Timestamp | None,
                    cutoff: pd.Timestamp | None) -> None:
    """Raise when there are no sales to report: a file with no rows, or all after the as-of date.

    Parameters
    ----------
    name : str
        The sales' name in messages.
    rows : int
        How many sales rows the source has.
    kept : int
        How many of them are on or before the as-of date.
    first : Timestamp or None
        The first sale's date.
    cutoff : Timestamp or None
        The as-of date.

    Raises
    ------
    DataError
        When the source has no rows.
    ParamsError
        When every sale is after the as-of date (the month is before the data starts).
    """
    if rows == 0:
        raise DataError(f"{name}: the sales have no rows (only a header, or nothing but blank "
                        "lines): there is nothing to report. Check the export or the path "
                        "in the params file.")
    if kept == 0 and cutoff is not None and first is not None:
        raise ParamsError(f"{name}: every sale is after the as-of date {cutoff:%Y-%m-%d}: the "
                          f"sales start on {first:%Y-%m-%d}. Choose a month from "
                          f"{first:%Y-%m} on.")


def check_target_repeats(tables: Mapping[str, pd.DataFrame], ctxs: Mapping[str, TableContext],
                         issues: list[Issue]) -> None:
    """Add an error for targets given twice: one period, level, unit and metric in two rows.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        The canonical tables loaded (targets among them, or not).
    ctxs : mapping of str to TableContext
        Their contexts, for messages.
    issues : list of Issue
        Appended to: one error per repeated target, naming its rows and values.
    """
    tg = tables.get("targets")
    keys = ["period", "level", "unit", "metric"]
    if tg is None or not set(keys + ["target"]) <= set(tg) or not len(tg):
        return
    if any(i.table == "targets" and i.severity == "error" for i in issues):
        return  # unreadable periods or units: the repeats cannot be told
    ctx = ctxs["targets"]
    dup = tg.duplicated(keys, keep=False).to_numpy()
    if not dup.any():
        return
    for key, g in tg[dup].groupby(keys, sort=False):
        period, level, unit, metric = key
        rows = [int(r) for r in ctx.rows[g.index.to_numpy()]]
        values = ", ".join(f"{v:,.2f}".rstrip("0").rstrip(".") for v in g["target"])
        same = g["target"].nunique() == 1
        issues.append(Issue(
            "error", "targets", ctx.name, "target_repeated", "target", rows, len(rows),
            list(g["target"])[:5],
            f"{ctx.name}: {len(rows)} targets for the {level} {unit!r}, {metric} in {period} "
            f"({rows_text(rows, ctx.noun)}: {values}){' (the same value)' if same else ''}; "
            "keep one row for each period, level, unit and metric."))


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
