"""Reporting lines: each manager's people, rolled up from the reps' figures.

Teams are where the sales are booked (the org table's ``team``); reporting lines are who
manages whom (the org table's optional ``manager``: the name of another rep). They need
not agree: a sales manager may sit in one team and manage reps of two others, and a vice
president may sell as well as manage. The company report shows both; team reports never
show reporting lines, which cross teams.
"""

from __future__ import annotations

import pandas as pd

from .exceptions import DataError
from .numbers import safe_div

__all__ = ["managers", "people_under", "reporting_lines", "LINE_COLUMNS"]

LINE_COLUMNS = ["manager", "title", "team", "direct_reports", "people", "own_actual",
                "line_actual", "own_ytd_actual", "line_ytd_actual", "line_ytd_target",
                "line_ytd_attainment", "own_share_ytd"]


def managers(org: pd.DataFrame) -> pd.Series:
    """Each rep's manager (their latest org row's ``manager``), indexed by rep; NaN if none.

    Parameters
    ----------
    org : DataFrame
        The org table (rep, manager; start for dated rows).
    """
    if org is None or "manager" not in org.columns:
        return pd.Series(dtype=object)
    o = org
    if "start" in o.columns:
        o = o.sort_values("start", na_position="first", kind="stable")
    last = o.drop_duplicates("rep", keep="last").set_index("rep")
    m = last["manager"].where(last["manager"].notna() & (last["manager"].astype(str) != ""))
    return m[m.index.notna()]


def people_under(manager_of: pd.Series) -> dict[str, list[str]]:
    """Everyone under each manager (directly or through other managers), in name order.

    Raises DataError on a circular reporting line (A reports to B who reports to A).

    Parameters
    ----------
    manager_of : Series
        Each rep's manager, indexed by rep (see :func:`managers`).

    Examples
    --------
    >>> people_under(pd.Series({"Ann": "Vic", "Bob": "Ann", "Vic": None}))
    {'Ann': ['Bob'], 'Vic': ['Ann', 'Bob']}
    """
    direct: dict[str, list[str]] = {}
    for rep, boss in manager_of.dropna().items():
        direct.setdefault(str(boss), []).append(str(rep))
    out: dict[str, list[str]] = {}

    def walk(boss: str, path: tuple) -> list[str]:
        if boss in out:
            return out[boss]
        found: list[str] = []
        for rep in direct.get(boss, []):
            if rep in path:
                chain = " -> ".join(path[path.index(rep):] + (rep,))
                raise DataError(f"org table: column 'manager': a circular reporting line "
                                f"({chain}); each rep's manager must be above them.")
            found += [rep] + walk(rep, path + (rep,))
        out[boss] = sorted(set(found))
        return out[boss]

    for boss in sorted(direct):
        walk(boss, (boss,))
    return {b: out[b] for b in sorted(direct)}


def reporting_lines(progress: pd.DataFrame, org: pd.DataFrame, *,
                    metric: str = "amount") -> pd.DataFrame:
    """Roll the reps' month and year-to-date figures up each manager's reporting line.

    Parameters
    ----------
    progress : DataFrame
        The progress table (its rep rows are rolled up).
    org : DataFrame
        The org table naming each rep's manager (title optional).
    metric : str
        The metric rolled up.

    Returns
    -------
    One row per manager (a rep whom someone reports to), managers with the most people
    first: ``manager``, ``title`` (from org, if given), ``team`` (the manager's own),
    ``direct_reports``, ``people`` (everyone under them), ``own_actual`` and
    ``own_ytd_actual`` (the manager's own sales: a manager who also sells),
    ``line_actual`` and ``line_ytd_actual`` (the manager plus everyone under them),
    ``line_ytd_target`` (their rep targets summed; NaN when none has one),
    ``line_ytd_attainment`` (the YTD actual of the people with a target over those
    targets: a selling manager without a target does not inflate it) and
    ``own_share_ytd`` (own / line, year to date). People count only if they are in this
    year's progress (reps who left in an earlier year drop out). Empty when the org table
    has no ``manager`` column.

    Examples
    --------
    >>> prog = pd.DataFrame({"level": "rep", "metric": "amount", "unit": ["Vic", "Ann", "Bob"],
    ...                      "team": "East", "actual": [10.0, 20.0, 30.0],
    ...                      "ytd_actual": [100.0, 200.0, 300.0],
    ...                      "ytd_target": [float("nan"), 250.0, 250.0]})
    >>> org = pd.DataFrame({"rep": ["Vic", "Ann", "Bob"], "team": "East",
    ...                     "manager": [None, "Vic", "Ann"]})
    >>> lines = reporting_lines(prog, org)
    >>> lines[["manager", "people", "own_ytd_actual", "line_ytd_actual", "line_ytd_target"]]
      manager  people  own_ytd_actual  line_ytd_actual  line_ytd_target
    0     Vic       2           100.0            600.0            500.0
    1     Ann       1           200.0            500.0            500.0
    >>> lines["own_share_ytd"].round(3).tolist()
    [0.167, 0.4]
    >>> lines["line_ytd_attainment"].tolist()    # Vic has no target: Ann and Bob's 500 / 500
    [1.0, 1.0]
    """
    boss = managers(org)
    if boss.empty or not boss.notna().any():
        return pd.DataFrame(columns=LINE_COLUMNS)
    under = people_under(boss)
    reps = progress[(progress["level"] == "rep") & (progress["metric"] == metric)]
    reps = reps.drop_duplicates("unit", keep="last").set_index("unit")
    o = org.sort_values("start", na_position="first", kind="stable") if "start" in org else org
    info = o.drop_duplicates("rep", keep="last").set_index("rep")

    def total(names, col):
        return float(reps[col].reindex(names).fillna(0).sum())

    active = set(reps.index)  # reps in this year's progress: leavers of past years drop out
    rows = []
    for m, people in under.items():
        people = [p for p in people if p in active]
        if not people:
            continue
        line = [m] + people
        tgt = reps["ytd_target"].reindex(line)
        with_target = list(tgt.index[tgt.notna()])
        line_ytd = total(line, "ytd_actual")
        own_ytd = total([m], "ytd_actual")
        line_tgt = float(tgt.sum()) if with_target else float("nan")
        rows.append({
            "manager": m,
            "title": info["title"].get(m, "") if "title" in info.columns else "",
            "team": info["team"].get(m, ""),
            "direct_reports": int(((boss == m) & boss.index.isin(active)).sum()),
            "people": len(people),
            "own_actual": total([m], "actual"), "line_actual": total(line, "actual"),
            "own_ytd_actual": own_ytd, "line_ytd_actual": line_ytd,
            "line_ytd_target": line_tgt,
            # like for like: the actual of the people who have a target, over those targets
            "line_ytd_attainment": safe_div(total(with_target, "ytd_actual"), line_tgt),
            "own_share_ytd": safe_div(own_ytd, line_ytd),
        })
    out = pd.DataFrame(rows, columns=LINE_COLUMNS)
    out["title"] = out["title"].fillna("").astype(str)
    return out.sort_values(["people", "manager"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)
