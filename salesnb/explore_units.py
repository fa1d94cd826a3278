"""Choosing what to explore in a prepared run: a team, rep, unit and month.

Split out of :mod:`salesnb.explore`, which re-exports every name; import them from there.
"""

from __future__ import annotations

import pandas as pd

from . import calendar as cal
from .cube import COMPANY
from .exceptions import ParamsError

__all__ = ["reps_of", "pick_unit", "months_of", "unit_options", "unit_series"]


def reps_of(tables: dict, team: str | None = None) -> list[str]:
    """Return the reps of the run's progress table (of ``team`` if given), alphabetically.

    Parameters
    ----------
    tables : dict
        A prepared run.
    team : str, optional
        Only this team's reps.
    """
    p = tables["progress"]
    r = p[p["level"] == "rep"]
    if team:
        r = r[r["team"] == team]
    return sorted(r["unit"].astype(str).unique())


def pick_unit(tables: dict, *, team: str = "", rep: str = "") -> tuple[str, str]:
    """Return the (team, rep) to explore: the given ones, checked, or the first ones.

    An empty ``team`` is the rep's team when ``rep`` is given, else the first team; an
    empty ``rep`` is the team's first rep ("" when the team has none).

    Parameters
    ----------
    tables : dict
        A prepared run.
    team : str
        The team asked for (empty: see above).
    rep : str
        The rep asked for (empty: see above).
    """
    from .report import teams_of
    teams = teams_of(tables)
    all_reps = reps_of(tables)
    if rep and rep not in all_reps:
        raise ParamsError(f"rep {rep!r} has no target or sales in the fiscal year; known reps: "
                          f"{all_reps[:12]}{' ...' if len(all_reps) > 12 else ''}. "
                          "Fix the name or leave rep empty.")
    p = tables["progress"]
    rep_team = (str(p.loc[(p["level"] == "rep") & (p["unit"] == rep), "team"].iloc[0])
                if rep else "")
    team = team or rep_team or (teams[0] if teams else "")
    if team not in teams:
        raise ParamsError(f"team {team!r} is not in the data; known teams: {teams}. "
                          "Fix the name or leave team empty.")
    if rep and rep_team != team:
        raise ParamsError(f"rep {rep!r} is in team {rep_team!r}, not {team!r}; "
                          "leave team empty or pick one of its reps.")
    if not rep:
        reps = reps_of(tables, team)
        rep = reps[0] if reps else ""
    return team, rep


def months_of(tables: dict) -> list[str]:
    """Return the months that can be explored: first month of actuals to the report month, latest first.

    Parameters
    ----------
    tables : dict
        A prepared run.
    """
    first = tables["actuals"]["month"].min()
    last = cal.to_month(tables["meta"]["month"])
    months = pd.period_range(cal.to_month(first), last, freq="M")
    return [str(m) for m in months[::-1]]


def unit_options(tables: dict) -> list[tuple[str, tuple[str, str]]]:
    """Return dropdown options ``(label, (level, unit))``: the company, each team, each rep.

    Parameters
    ----------
    tables : dict
        A prepared run.

    Examples
    --------
    >>> p = pd.DataFrame({"level": ["company", "team", "rep"], "unit": ["Company", "East", "Ann"],
    ...                   "team": ["", "East", "East"], "metric": "amount"})
    >>> unit_options({"progress": p})
    [('Company', ('company', 'Company')), ('Team: East', ('team', 'East')), ('Rep: Ann (East)', ('rep', 'Ann'))]
    """
    p = tables["progress"]
    p = p[p["metric"] == "amount"] if "metric" in p.columns else p
    opts = [("Company", ("company", COMPANY))]
    teams = sorted(p.loc[p["level"] == "team", "unit"].astype(str).unique())
    opts += [(f"Team: {t}", ("team", t)) for t in teams]
    reps = p[p["level"] == "rep"].drop_duplicates("unit").sort_values(["team", "unit"])
    opts += [(f"Rep: {u} ({t})", ("rep", str(u)))
             for u, t in zip(reps["unit"], reps["team"], strict=True)]
    return opts


def unit_series(actuals: pd.DataFrame, *, level: str, unit: str, metric: str = "amount",
                through=None) -> pd.Series:
    """Select one unit's monthly actuals as a Series indexed by month (the forecasters' input).

    Parameters
    ----------
    actuals : DataFrame
        The actuals table (month, level, unit, metric, actual).
    level : str
        ``company``, ``team`` or ``rep``.
    unit : str
        The unit's name.
    metric : str
        The metric selected.
    through : str or Period, optional
        The last month kept (default: all).

    Examples
    --------
    >>> a = pd.DataFrame({"month": pd.PeriodIndex(["2025-02", "2025-01", "2025-03"], freq="M"),
    ...                   "level": "team", "unit": "East", "team": "East", "metric": "amount",
    ...                   "actual": [20.0, 10.0, 30.0]})
    >>> unit_series(a, level="team", unit="East", through="2025-02").tolist()
    [10.0, 20.0]
    """
    s = actuals[(actuals["level"] == level) & (actuals["unit"] == unit)
                & (actuals["metric"] == metric)]
    if s.empty:
        raise ParamsError(f"no {metric} actuals for level={level!r}, unit={unit!r}; "
                          "pick a unit listed by unit_options().")
    y = s.set_index(pd.PeriodIndex(s["month"], freq="M"))["actual"].sort_index()
    if through is not None:
        y = y[y.index <= cal.to_month(through)]
    return y.rename(unit).astype(float)
