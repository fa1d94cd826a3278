"""Optional tables stay optional: a bad opportunities, spend or satisfaction table is left out.

The sales, targets and org tables carry every report: an error in them stops the run. An
error in an optional table (opportunities, spend, satisfaction) only leaves that table out
of the run: its errors become warnings, one more warning says what is left out and why,
and the report blocks that need it (funnel, win rate, pipeline coverage; CAC;
satisfaction) say so instead of failing. Opportunity stages are checked here, against the
params' ``stages`` (pipeline order), so that an unknown stage is found at load time, with
the file's line numbers, rather than while a team's report is drawn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from ..exceptions import ParamsError
from .issues import Issue

__all__ = ["DEFAULT_STAGES", "OPTIONAL_TABLES", "check_stages", "check_stage_names",
           "leave_out_optional"]

#: pipeline stages in order; ``stage`` holds the furthest one an opportunity reached
DEFAULT_STAGES = ("Lead", "Qualified", "Proposal", "Negotiation")
#: the tables an error leaves out instead of stopping the run, and what they feed
OPTIONAL_TABLES = {"opportunities": "the funnel, win rate and pipeline coverage",
                   "spend": "CAC", "satisfaction": "customer satisfaction"}


def check_stages(stages: object) -> tuple[str, ...]:
    """Return the params' opportunity stages (pipeline order), or the default ones.

    Parameters
    ----------
    stages : sequence of str or None
        The params' ``stages``.

    Returns
    -------
    tuple of str

    Raises
    ------
    ParamsError
        Unless a non-empty list of distinct names other than Won and Lost.

    Examples
    --------
    >>> check_stages(None)
    ('Lead', 'Qualified', 'Proposal', 'Negotiation')
    >>> check_stages(["Prospect", "Demo", "Contract"])
    ('Prospect', 'Demo', 'Contract')
    """
    if stages is None:
        return DEFAULT_STAGES
    names = [str(s).strip() for s in stages] if isinstance(stages, Sequence) and not \
        isinstance(stages, str) else []
    keys = [n.casefold() for n in names]
    if not names or "" in names or len(set(keys)) != len(keys) or {"won", "lost"} & set(keys):
        raise ParamsError(f"stages must be a list of distinct stage names in pipeline order "
                          f"(Won and Lost are outcomes, not stages), e.g. "
                          f"{list(DEFAULT_STAGES)}; got {stages!r}")
    return tuple(names)


def check_stage_names(tables: dict[str, pd.DataFrame], ctxs: Mapping, issues: list[Issue],
                      stages: Sequence[str]) -> None:
    """Add an error for opportunities whose stage is not one of ``stages`` (nor Won or Lost).

    Stages are matched without case and surrounding spaces, as
    :func:`salesnb.kpi.funnel` matches them. The table's rows are rewritten to the params'
    spelling of each stage.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The canonical tables (``opportunities`` is replaced when a stage is respelt).
    ctxs : mapping of str to TableContext
        Their contexts, for messages.
    issues : list of Issue
        Appended to.
    stages : sequence of str
        :func:`check_stages`' names.
    """
    o = tables.get("opportunities")
    if o is None or "stage" not in o:
        return
    ctx = ctxs["opportunities"]
    allowed = {s.casefold(): s for s in stages} | {"won": "Won", "lost": "Lost"}
    key = o["stage"].map(lambda v: " ".join(str(v).split()).casefold() if isinstance(v, str)
                         else v)
    bad = (o["stage"].notna() & ~key.isin(list(allowed))).to_numpy()
    if bad.any():
        issues.append(ctx.issue(
            "error", "bad_stage", "stage", bad, o["stage"],
            f"not one of the stages {', '.join(stages)} (or Won, Lost)",
            "Give the params file your stages in pipeline order (e.g. stages: [Lead, "
            "Qualified, Proposal, Negotiation]), or fix the rows."))
        return
    spelt = key.map(allowed).where(o["stage"].notna(), o["stage"])
    if not spelt.equals(o["stage"]):
        tables["opportunities"] = o.assign(stage=spelt.astype(o["stage"].dtype))


def leave_out_optional(tables: dict[str, pd.DataFrame], issues: list[Issue]) -> None:
    """Leave out each optional table with errors; turn its errors into warnings that say so.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The canonical tables (an optional table with errors is removed).
    issues : list of Issue
        Changed in place: the table's errors become warnings, and one ``table_left_out``
        warning per table left out says what the reports will not show.

    Examples
    --------
    >>> bad = Issue("error", "spend", "spend.csv", "bad_month", "month", [3], 1, ["Oct"],
    ...             "spend.csv: column 'month': a period that is not YYYY-MM in 1 row: row 3.")
    >>> tables, issues = {"spend": pd.DataFrame({"month": ["Oct"]})}, [bad]
    >>> leave_out_optional(tables, issues)
    >>> "spend" in tables, [i.severity for i in issues], issues[1].check
    (False, ['warning', 'warning'], 'table_left_out')
    """
    for table, feeds in OPTIONAL_TABLES.items():
        errors = [i for i in issues if i.table == table and i.severity == "error"]
        if not errors or table not in tables:
            continue
        for i in errors:
            i.severity = "warning"
        name = errors[0].file
        tables.pop(table)
        why = " ".join(e.message for e in errors[:3])
        more = f" (and {len(errors) - 3} more problems)" if len(errors) > 3 else ""
        issues.append(Issue(
            "warning", table, name, "table_left_out", None, [], len(errors), [],
            f"{name}: the {table} table is left out of this run, so the reports leave out "
            f"{feeds}: {why}{more}"))
