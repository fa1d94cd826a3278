"""What a report notebook calls: :func:`notebook_params` and its report object (``open_*``)."""

from __future__ import annotations

import pandas as pd

from ..cache import read_cache, team_slice
from ..exceptions import ParamsError
from ..params import DATA_KEYS, NOTEBOOK_KEYS, PARAM_DEFAULTS
from ..sample import sample_params
from .prepare import load_prepared
from .units import scorecard_reps, teams_of

__all__ = ["open_team_report", "open_company_report", "notebook_params", "open_rep_scorecard"]


def open_team_report(**params):
    """Return a :class:`salesnb.views.TeamReport` for ``params['team']``.

    With ``cache`` (set by ``salesnb run``) only the team's slice is read; otherwise the
    data is loaded from the params' files (interactive use) and sliced the same way.
    """
    from ..views.team import TeamReport
    p = dict(PARAM_DEFAULTS)
    p.update(params)
    if p.get("cache"):
        team = p["team"]
        tables = read_cache(p["cache"], team=team)
    else:
        full = load_prepared(p)
        known = teams_of(full)
        if p["team"] and p["team"] not in known or not known:
            raise ParamsError(f"team {p['team']!r} is not in the data for {full['meta']['month']}; "
                              f"known teams: {', '.join(known) or '(none)'}. Set `team` to one "
                              "of them (or leave it empty for the first).")
        team = p["team"] or known[0]
        tables = team_slice(full, team)
    rep = TeamReport(tables, team, lang=p["lang"], currency=p["currency"],
                     company=p.get("company") or "Company")
    rep.gross_margin = float(p.get("gross_margin", 0.3))
    return rep


def notebook_params(namespace: dict) -> dict:
    """Pick the report parameters out of a notebook's namespace (``globals()``).

    With no data named (``sales`` and ``cache`` both empty), the notebook shows the
    sample company instead (see :func:`salesnb.sample.sample_params`) and says so.

    Parameters
    ----------
    namespace : dict
        The notebook's globals, holding the parameters cell's names.

    Returns
    -------
    dict
        Keyword arguments for ``open_team_report``, ``open_company_report`` or
        ``open_rep_scorecard``.
    """
    p = {k: namespace[k] for k in NOTEBOOK_KEYS if k in namespace}
    if not p.get("sales") and not p.get("cache"):
        sample = sample_params(month=p.get("month") or "")
        print(f"No sales file given: showing the sample company written to "
              f"{sample['base_dir']} (set `sales` and the other files in the parameters cell "
              "to report on your data).")
        p.update({k: v for k, v in sample.items() if k in ("month", "base_dir", *DATA_KEYS)})
        if p.get("company", "Company") in ("", "Company"):  # the title names the sample
            p["company"] = sample["company"]
    return p


def open_company_report(**params):
    """Return a :class:`salesnb.views.CompanyReport` from the run cache or, without one, the data files.

    Parameters
    ----------
    **params
        The notebook's parameters (see :func:`notebook_params`); ``cache`` set by
        ``salesnb run``.

    Returns
    -------
    CompanyReport
        The company overview's blocks.
    """
    from ..views.company import CompanyReport
    p = dict(PARAM_DEFAULTS)
    p.update(params)
    tables = read_cache(p["cache"]) if p.get("cache") else load_prepared(p)
    if "ranking" not in tables or tables["ranking"] is None:
        tables["ranking"] = pd.DataFrame(columns=["unit", "rank"])
    rep = CompanyReport(tables, lang=p["lang"], currency=p["currency"],
                        company=p.get("company") or "Company")
    rep.gross_margin = float(p.get("gross_margin", 0.3))
    return rep


def open_rep_scorecard(*, rep: str = "", **params):
    """Return a :class:`salesnb.views.rep.RepScorecard` for ``rep``, from that rep's slice only.

    With ``cache`` (set by ``salesnb run``) only the rep's team's slice is read, then cut
    to the rep (:func:`salesnb.cache.rep_slice`); otherwise the data is loaded from the
    params' files and sliced the same way. ``rep`` empty: the first rep with a scorecard.

    Parameters
    ----------
    rep : str
        The rep (empty: the first rep with a scorecard).
    **params
        The notebook's parameters (see :func:`notebook_params`).
    """
    from ..cache import rep_slice
    from ..views.rep import RepScorecard
    p = dict(PARAM_DEFAULTS)
    p.update(params)
    if p.get("cache"):
        tables = read_cache(p["cache"], team=p["team"]) if p.get("team") else read_cache(p["cache"])
    else:
        tables = load_prepared(p)
    rep = rep or scorecard_reps(tables, p.get("team") or None)[0]
    view = RepScorecard(rep_slice(tables, rep), rep, lang=p["lang"], currency=p["currency"],
                        company=p.get("company") or "Company")
    view.gross_margin = float(p.get("gross_margin", 0.3))
    return view
