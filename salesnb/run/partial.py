"""Partial re-runs keep the pack whole: ``salesnb run --team East`` into an existing pack.

When ``--team`` names some teams and the output folder already holds a pack of the same
report month and period, the run

* re-renders the named teams' reports and their reps' scorecards, and the company
  overview when the pack has one (it shows every team's figures and links to their pages:
  it must agree with the tables this run writes);
* keeps every other report of the pack as it is, under its file name (a re-rendered
  report keeps its file name too);
* links the new pages to the pages the pack already has (the page map holds both);
* writes ``index.html`` and ``run.json`` listing the whole pack: the kept entries as they
  were, the re-rendered ones with their new status and time. A scorecard of a re-rendered
  team whose rep no longer gets one is dropped from the record (its file is left).

Without an existing pack of that month (or without ``--team``) the run is a whole run.
"""

from __future__ import annotations

import json
from pathlib import Path

from .render import Job

__all__ = ["existing_record", "reuse_files", "kept_jobs", "merge_reports"]


def existing_record(out: Path, *, month: str, period: str = "month") -> dict | None:
    """Return the run record of the pack already in ``out`` for the same month, or None.

    Parameters
    ----------
    out : Path
        The output folder.
    month : str
        This run's report month.
    period : str
        ``month`` or ``week``.
    """
    try:
        rec = json.loads((Path(out) / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    p = rec.get("params") or {}
    if str(p.get("month", "")) != str(month) or str(p.get("period") or "month") != period:
        return None
    return rec if isinstance(rec.get("reports"), list) else None


def reuse_files(jobs: list[Job], record: dict) -> None:
    """Give each job the file name the pack already uses for the same report (in place).

    Parameters
    ----------
    jobs : list of Job
        This run's jobs.
    record : dict
        The existing pack's run record.
    """
    files = {(r.get("kind"), r.get("name")): r.get("file") for r in record["reports"]}
    taken = {r.get("file") for r in record["reports"]}
    for j in jobs:
        f = files.get((j.kind, j.name))
        if f:
            j.out_file = f
        elif j.out_file in taken:  # a new report whose slug an existing one holds
            stem = j.out_file[:-5]
            while f"{stem}.html" in taken:
                stem += "-x"
            j.out_file = f"{stem}.html"
        taken.add(j.out_file)


def kept_jobs(record: dict, jobs: list[Job], teams: list[str]) -> list[Job]:
    """Return the existing pack's reports that this run does not re-render, as finished jobs.

    Parameters
    ----------
    record : dict
        The existing pack's run record.
    jobs : list of Job
        This run's jobs.
    teams : list of str
        The teams this run re-renders.
    """
    redone = {j.out_file for j in jobs}
    out = []
    for r in record["reports"]:
        if r.get("file") in redone:
            continue
        if r.get("kind") == "rep" and r.get("team") in teams:
            continue  # the team was re-rendered and this rep gets no scorecard now
        out.append(Job(str(r.get("kind", "")), str(r.get("name", "")), str(r.get("file", "")),
                       {}, team=str(r.get("team") or ""), status=str(r.get("status", "")),
                       error=str(r.get("error") or ""), seconds=float(r.get("seconds") or 0),
                       kept=str(r.get("notebook") or "")))
    return out


def merge_reports(record: dict, jobs: list[Job], kept: list[Job]) -> list[Job]:
    """Return every report of the pack in the pack's order (existing first, new after).

    Parameters
    ----------
    record : dict
        The existing pack's run record.
    jobs : list of Job
        This run's jobs (rendered).
    kept : list of Job
        The reports kept as they were (:func:`kept_jobs`).
    """
    by_file = {j.out_file: j for j in [*kept, *jobs]}
    order = [r.get("file") for r in record["reports"] if r.get("file") in by_file]
    order += [j.out_file for j in jobs if j.out_file not in order]
    merged = [by_file[f] for f in order]
    rank = {"company": 0, "team": 1, "week": 1, "rep": 2}
    return sorted(merged, key=lambda j: rank.get(j.kind, 3))  # stable: the pack's order
