"""Data-quality issues, the one column resolver and the one as-of parser.

Every reader of sales (the pandas file reader, the DuckDB scan and the SQL pushdown)
reports problems as :class:`Issue` objects in one message style (file or table, column,
rows as the user counts them, a few values, how to fix) and maps the user's column names
to the canonical ones with :func:`resolve_columns`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from ..exceptions import DataError, ParamsError
from ..schema import SCHEMAS

__all__ = ["Issue", "rows_text", "raise_issues", "resolve_columns", "as_of_date", "check_timezone",
           "ScanFallback"]


class ScanFallback(DataError):
    """The scan engine cannot read the sales the way the pandas reader does: read them there.

    Raised by the scan engine for input only the pandas reader reads right (another
    encoding or delimiter, formatted or mixed-currency amounts, timestamps with UTC
    offsets, names spelt two ways, values the database cannot cast), so that both engines
    accept and refuse the same inputs: :func:`salesnb.load.dataset.load_dataset` then reads
    the sales with the pandas reader, which gives the verdict.
    """


@dataclass
class Issue:
    """One data-quality finding: an error stops the run, a warning or info is reported.

    Attributes
    ----------
    severity : {"error", "warning", "info"}
        An error stops the run; warnings and info are listed in the data-quality table.
    table : str
        The canonical table (``sales``, ``targets``...).
    file : str
        The source as the user named it (path, DataFrame label or SQL source label).
    check : str
        The check's short name, e.g. ``bad_date`` or ``missing_columns``.
    column : str or None
        The canonical column, when the issue is about one.
    rows : list of int
        The rows as the user counts them (may be fewer than ``count``).
    count : int
        How many rows the issue concerns.
    examples : list
        A few offending values.
    message : str
        The whole sentence shown to the user.
    """

    severity: Literal["error", "warning", "info"]
    table: str
    file: str
    check: str
    column: str | None
    rows: list[int]
    count: int
    examples: list
    message: str


def rows_text(rows: Iterable[int], noun: str = "row", limit: int = 10,
              count: int | None = None) -> str:
    """Return a short text naming rows, e.g. ``rows 5, 9, 12 (and 3 more)``.

    Parameters
    ----------
    rows : iterable of int
        The row numbers to show (the first ``limit`` are shown).
    noun : str, default "row"
        ``row`` or ``record``; an empty noun gives the numbers alone.
    limit : int, default 10
        How many numbers to show.
    count : int, optional
        How many rows there are in all, when ``rows`` lists only the first (default:
        ``len(rows)``).

    Returns
    -------
    str
        The text ("" when there are no rows).

    Examples
    --------
    >>> rows_text([5, 9, 12, 13], limit=3)
    'rows 5, 9, 12 (and 1 more)'
    >>> rows_text([4], "record"), rows_text([2, 3], ""), rows_text([7, 8], count=40)
    ('record 4', '2, 3', 'rows 7, 8 (and 38 more)')
    """
    rows = list(rows)
    if not rows:
        return ""
    count = len(rows) if count is None else count
    shown = min(limit, len(rows))
    head = ", ".join(str(r) for r in rows[:limit])
    more = f" (and {count - shown} more)" if count > shown else ""
    label = f"{noun}{'s' if count > 1 else ''} " if noun else ""
    return f"{label}{head}{more}"


def raise_issues(issues: Sequence[Issue], what: str) -> None:
    """Raise one DataError listing every error in ``issues``; do nothing when there is none.

    Parameters
    ----------
    issues : sequence of Issue
        The findings; warnings and info are attached to the error, not listed.
    what : str
        The start of the message: the source's name or what cannot be done.

    Raises
    ------
    DataError
        ``"<what>: N problems to fix:"`` and one line per error; ``problems`` holds every issue.
    """
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        others = [i for i in issues if i.severity != "error"]
        lines = "\n".join(f"- {i.message}" for i in errors)
        extra = f"\n(and {len(others)} warning(s) that do not stop the run)" if others else ""
        raise DataError(f"{what}: {len(errors)} problem{'s' if len(errors) > 1 else ''} "
                        f"to fix:\n{lines}{extra}", problems=list(errors) + list(others))


def resolve_columns(names: Sequence[str], table: str, mapping: Mapping[str, str] | None, *,
                    name: str, need: Sequence[str] = (), why: str = "",
                    noun: str = "file") -> tuple[dict[str, str], list[Issue]]:
    """Map canonical column names to the user's columns: the one resolver of every reader.

    A canonical column is found under the name the ``columns:`` mapping gives it, else
    under its own name, else under the one column whose name differs only in case. The
    required columns are the schema's (:mod:`salesnb.schema`) plus ``need``.

    Parameters
    ----------
    names : sequence of str
        The columns the source has.
    table : str
        The canonical table (a key of :data:`salesnb.schema.SCHEMAS`).
    mapping : mapping of str to str, optional
        The params file's ``columns:`` for this table: canonical name -> the user's name.
    name : str
        The source's name in messages (path, DataFrame label or SQL source label).
    need : sequence of str, default ()
        Columns required beyond the schema's (the digest engines need ``team``).
    why : str, default ""
        Why ``need`` is needed, appended to the message of a missing column.
    noun : str, default "file"
        What the source is called in messages (``file`` or ``source``).

    Returns
    -------
    (found, issues) : tuple of dict and list of Issue
        ``found`` maps each canonical column found to the user's name; ``issues`` holds one
        ``missing_columns`` error per mapped column that is absent and one for the missing
        required columns.

    Raises
    ------
    ParamsError
        When the mapping names a column the table does not have.

    Examples
    --------
    >>> found, issues = resolve_columns(["Day", "Rep", "Total"], "sales", {"date": "Day"},
    ...                                 name="s.csv")
    >>> found
    {'date': 'Day', 'rep': 'Rep'}
    >>> print(issues[0].message)
    s.csv: missing required column(s) 'amount'; the file has 'Day', 'Rep', 'Total'. Rename them in the file or map your names in the params file, e.g. columns: {sales: {amount: Total}}.
    """
    schema = SCHEMAS[table]
    mapping = dict(mapping or {})
    unknown = [c for c in mapping if c not in schema.names]
    if unknown:
        raise ParamsError(f"columns mapping for table '{table}' names unknown canonical "
                          f"column(s) {', '.join(map(repr, unknown))}; allowed: "
                          f"{', '.join(schema.names)}")
    names = list(names)
    present = ", ".join(map(repr, names)) or "(none)"
    found: dict[str, str] = {}
    failed: set[str] = set()
    issues: list[Issue] = []
    for canon, user in mapping.items():
        if user in names:
            found[canon] = user
        else:
            failed.add(canon)
            issues.append(Issue("error", table, name, "missing_columns", canon, [], 0, [],
                                f"{name}: column '{canon}' is mapped to your '{user}', which "
                                f"is not in the {noun}; the {noun} has {present}. Fix the "
                                "'columns:' mapping in the params file."))
    lower: dict[str, list[str]] = {}
    for c in names:
        lower.setdefault(c.lower(), []).append(c)
    for canon in schema.names:
        if canon in found or canon in failed:
            continue
        if canon in names:
            found[canon] = canon
        elif len(lower.get(canon, [])) == 1:
            found[canon] = lower[canon][0]
    required = schema.required + [c for c in need if c not in schema.required]
    missing = [c for c in required if c not in found and c not in failed]
    if missing:
        close = difflib.get_close_matches(missing[0], names, n=1, cutoff=0.0)
        hint = close[0] if close else "YourColumn"
        issues.append(Issue(
            "error", table, name, "missing_columns", ", ".join(missing), [], 0, [],
            f"{name}: missing required column(s) {', '.join(map(repr, missing))}; the {noun} "
            f"has {present}. Rename them in the {noun} or map your names in the params file, "
            f"e.g. columns: {{{table}: {{{missing[0]}: {hint}}}}}{why}."))
    return found, issues


def as_of_date(as_of: object) -> pd.Timestamp | None:
    """Return the last day the data may cover: the one reading of ``as_of`` for every reader.

    Parameters
    ----------
    as_of : str, date, Timestamp, Period or None
        A month ``YYYY-MM`` (or a monthly Period) means its last day; anything else is
        read as a date.

    Returns
    -------
    Timestamp or None
        Midnight of that day; None when ``as_of`` is None.

    Raises
    ------
    ParamsError
        When ``as_of`` is neither a month nor a date.

    Examples
    --------
    >>> as_of_date("2025-02"), as_of_date("2025-02-10")
    (Timestamp('2025-02-28 00:00:00'), Timestamp('2025-02-10 00:00:00'))
    >>> as_of_date(pd.Period("2024-02", "M"))
    Timestamp('2024-02-29 00:00:00')
    """
    if as_of is None:
        return None
    if isinstance(as_of, pd.Period):
        return as_of.asfreq("D", how="end").to_timestamp()
    text = str(as_of).strip()
    if re.fullmatch(r"\d{4}-\d{1,2}", text):
        return pd.Period(text, freq="M").asfreq("D", how="end").to_timestamp()
    try:
        return pd.Timestamp(as_of).normalize()
    except (ValueError, TypeError):
        raise ParamsError(f"as_of must be a month YYYY-MM or a date YYYY-MM-DD, got {as_of!r}"
                          ) from None


def check_timezone(timezone: object) -> None:
    """Check the params' reporting time zone: an IANA name such as ``Europe/Berlin``, or None.

    Parameters
    ----------
    timezone : str or None
        The params' ``timezone``.

    Raises
    ------
    ParamsError
        When the name is not a time zone.

    Examples
    --------
    >>> check_timezone("Europe/Berlin"), check_timezone(None)
    (None, None)
    """
    if timezone is None:
        return
    import zoneinfo  # only here: most runs have no time zone

    try:
        zoneinfo.ZoneInfo(str(timezone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ParamsError(f"timezone must be a time zone name such as UTC, Europe/Berlin or "
                          f"Asia/Shanghai, got {timezone!r}") from None
