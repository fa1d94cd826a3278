"""The rep scorecards of a pack and the page map that links the pack's pages.

Every rep of the selected teams with a target or a sale this fiscal year gets a scorecard
(``rep-<slug>.html`` from ``rep_scorecard.ipynb``); the page map (``meta["pages"]`` in the
run cache) tells each page which pages the run writes, so links point only at real pages
(see :mod:`salesnb.views.links`).
"""

from __future__ import annotations

from ..params import RunParams
from .render import Job

__all__ = ["scorecard_jobs", "page_map"]


def scorecard_jobs(tables: dict, teams: list[str], base: dict,
                   run_params: RunParams) -> list[Job]:
    """Return one scorecard job per rep of ``teams`` with a target or a sale this year.

    Parameters
    ----------
    tables : dict
        The prepared run.
    teams : list of str
        The teams the run reports on.
    base : dict
        The notebook parameters every report gets (``cache`` included).
    run_params : RunParams
        The run's parameters: none for ``period: week`` or ``scorecards: false``.

    Returns
    -------
    list of Job
        Kind ``rep``, file ``rep-<slug>.html`` (the team files' slug rule, unique across
        the pack), parameters ``team`` and ``rep``.
    """
    from ..report import scorecard_reps, unit_slug
    if not run_params.scorecards or run_params.period == "week":
        return []
    jobs, used = [], set()
    for team in teams:
        for rep in scorecard_reps(tables, team):
            slug = unit_slug(rep)
            while slug in used:
                slug += "-x"
            used.add(slug)
            jobs.append(Job("rep", rep, f"rep-{slug}.html", dict(base, team=team, rep=rep),
                            team=team))
    return jobs


def page_map(jobs: list[Job]) -> dict:
    """Return the pack's page map for the links between pages.

    Parameters
    ----------
    jobs : list of Job
        Every report of the run.

    Returns
    -------
    dict
        ``index`` and ``company`` (when written) to file names, ``teams`` and ``reps`` to
        ``{name: file}`` (see :func:`salesnb.cache.pages_for`).
    """
    pages: dict = {"index": "index.html", "teams": {}, "reps": {}}
    for j in jobs:
        if j.kind == "company":
            pages["company"] = j.out_file
        elif j.kind in ("team", "week"):
            pages["teams"][j.name] = j.out_file
        elif j.kind == "rep":
            pages["reps"][j.name] = j.out_file
    return pages
