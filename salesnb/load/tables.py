"""Load one table: read it, rename its columns, coerce them per the schema and validate.

A file, DataFrame or SQL source -> raw values (:mod:`salesnb.load.files`,
:mod:`salesnb.load.sql`) -> the user's columns mapped to the canonical ones (the one
resolver, :func:`salesnb.load.issues.resolve_columns`) -> values coerced
(:mod:`salesnb.load.coerce`) and checked against :mod:`salesnb.schema`. Problems are
:class:`~salesnb.load.issues.Issue` objects naming the file, the column (and the user's
name for it), the rows as the user counts them and a few values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ..schema import LEVELS, METRICS, SCHEMAS
from .coerce import as_text, example, str_series, to_date, to_float, to_period
from .files import frame_sha256, read_raw, records, sha256_file
from .issues import Issue, raise_issues, resolve_columns, rows_text
from .money import MONEY_COLUMNS, check_rates, convert_currencies
from .sql import read_sql_source
from .sql_spec import safe_url, source_label

__all__ = ["TableName", "ALLOWED", "TableContext", "load_source", "load_table"]

TableName = Literal["sales", "targets", "org", "opportunities", "spend", "satisfaction"]
#: the closed choices of text columns (matched without case)
ALLOWED = {("targets", "level"): LEVELS, ("targets", "metric"): METRICS,
           ("opportunities", "outcome"): ("won", "lost")}


@dataclass
class TableContext:
    """What messages about one loaded table need: its name, row numbers and column names.

    Attributes
    ----------
    table : str
        The canonical table.
    name : str
        The source's name in messages.
    noun : str
        ``row`` (files with a header) or ``record`` (Parquet, DataFrames, SQL).
    rows : ndarray of int
        Each row's number as the user counts it.
    user : dict of str to str
        Canonical column -> the user's name, where they differ.
    raw : dict of str to Series
        Canonical column -> the raw column read.
    """

    table: str
    name: str
    noun: str
    rows: np.ndarray
    user: dict
    raw: dict = field(default_factory=dict)

    def col(self, c: str) -> str:
        """Return ``column 'c'`` with the user's name for it, e.g. ``column 'amount' (your 'Total')``.

        Parameters
        ----------
        c : str
            The canonical column name.
        """
        return f"column '{c}'" + (f" (your '{self.user[c]}')" if c in self.user else "")

    def issue(self, severity: str, check: str, column: str | None, mask: np.ndarray | pd.Series,
              values: pd.Series, what: str, fix: str = "", examples: list | None = None) -> Issue:
        """Build an Issue for the rows in ``mask``: '<file>: <column>: <what> in N rows: ...'.

        Parameters
        ----------
        severity : {"error", "warning", "info"}
            The issue's severity.
        check : str
            The check's short name.
        column : str or None
            The canonical column.
        mask : array of bool
            The rows concerned (positions in the loaded table).
        values : Series
            The raw values the examples are taken from.
        what : str
            What is wrong, e.g. ``not a number``.
        fix : str, default ""
            How to fix it.
        examples : list, optional
            The examples to show (default: the first five distinct values in ``mask``).

        Returns
        -------
        Issue
        """
        pos = np.flatnonzero(np.asarray(mask))
        rows = [int(r) for r in self.rows[pos]]
        if examples is None:
            vals = values.iloc[pos[:1000]].astype(object)
            examples = list(dict.fromkeys(example(v) for v in vals))[:5]
        n = len(rows)
        where = f"{self.col(column)}: " if column else ""
        ex = f"; values {', '.join(repr(v) for v in examples)}" if examples else ""
        msg = (f"{self.name}: {where}{what} in {n} {self.noun}{'s' if n != 1 else ''}: "
               f"{rows_text(rows, self.noun)}{ex}.{(' ' + fix) if fix else ''}")
        return Issue(severity, self.table, self.name, check, column, rows, n, examples, msg)



def load_source(source: object, table: str, columns: Mapping[str, str] | None,
                label: str | None, base_dir: str | Path | None = None,
                sheet: str | int | None = None, *, timezone: str | None = None,
                currency: str | None = None, rates: Mapping[str, float] | None = None
                ) -> tuple[pd.DataFrame, list[Issue], TableContext, dict]:
    """Load one table without raising: rename, coerce and validate, keeping every issue.

    Parameters
    ----------
    source : str, Path, DataFrame or mapping
        A file path, a DataFrame or a SQL source ``{url: ..., table: ...}``.
    table : str
        The canonical table.
    columns : mapping of str to str, optional
        Canonical name -> the user's column name.
    label : str, optional
        The source's name in messages (default: the path as given).
    base_dir : str or Path, optional
        The folder relative paths (and SQLite files) start from.
    sheet : str or int, optional
        Excel only: the sheet.
    timezone : str, optional
        The reporting time zone: timestamps with a UTC offset are converted to it before
        their day is taken (without it, offsets that differ within a column are an error).
    currency : str, optional
        The reporting currency (params ``currency``).
    rates : mapping of str to float, optional
        :func:`salesnb.load.money.check_rates`' table: mixed currencies are converted.

    Returns
    -------
    (frame, issues, context, info) : tuple
        The canonical frame (schema order, fresh RangeIndex), every issue found (errors
        too), the :class:`TableContext` and the source's description for run.json (path,
        rows, sha256; url and table or query for SQL).
    """
    if table not in SCHEMAS:
        raise ValueError(f"table must be one of {', '.join(SCHEMAS)}, got {table!r}")
    schema = SCHEMAS[table]
    if isinstance(source, pd.DataFrame):
        raw = source.reset_index(drop=True).copy()
        name = label or f"the {table} DataFrame"
        raw, rows, noun, blank = records(raw)
        info = {"path": name, "sha256": frame_sha256(raw), "rows": len(raw)}
    elif isinstance(source, Mapping):  # a SQL source: {url: ..., table: ...} or query
        name = label or source_label(source)
        raw, rows, noun, blank = records(read_sql_source(source, label=name, base_dir=base_dir))
        info = {"path": name, "url": safe_url(str(source["url"])), "rows": len(raw),
                "sha256": frame_sha256(raw)}
        info.update({k: str(source[k]) for k in ("table", "query") if source.get(k)})
    else:
        name = label or str(source)
        path = Path(source)
        if base_dir is not None and not path.is_absolute():
            path = Path(base_dir) / path
        meta: dict = {}
        raw, rows, noun, blank = read_raw(path, name, sheet, meta=meta)
        info = {"path": name, "sha256": sha256_file(path), "rows": len(raw)}
        if meta.get("encoding") not in (None, "utf-8", "utf-8-sig"):
            info["encoding"] = meta["encoding"]
    ctx = TableContext(table, name, noun, rows, {})
    issues: list[Issue] = []
    decimal = "."
    if not isinstance(source, (pd.DataFrame, Mapping)):
        decimal = meta.get("decimal", ".")
        # how the file was read concerns all its rows (a count > 0 shows it in the reports)
        issues += [Issue(sev, table, name, check, col, [], len(raw) if sev == "info" else 0,
                         ex, msg) for sev, check, col, ex, msg in meta.get("notes", [])]
    columns = dict(columns or {})
    cur_col = _currency_column(list(raw.columns), table, columns.pop("currency", None))
    found, problems = resolve_columns(list(raw.columns), table, columns, name=name)
    issues += problems
    if cur_col:
        found["currency"] = cur_col
    ctx.user = {c: u for c, u in found.items() if c != u}
    ctx.raw = {c: raw[u] for c, u in found.items()}
    if len(blank):
        issues.append(Issue("info", table, name, "blank_rows", None, [int(b) for b in blank],
                            len(blank), [], f"{name}: {len(blank)} blank {noun}"
                            f"{'s' if len(blank) > 1 else ''} skipped "
                            f"({rows_text(blank, noun)})."))
    out = {}
    for col in schema.columns:
        if col.name not in found:
            continue
        s = raw[found[col.name]]
        if col.kind == "date":
            zones: dict = {}
            val, empty, bad = to_date(s, tz=timezone, meta=zones)
            what, check = "a date that cannot be read", "bad_date"
            fix = "Write dates as YYYY-MM-DD (e.g. 2025-03-15; 15.03.2025 is read day first)."
            issues += _offset_issues(ctx, col.name, s, zones, timezone)
        elif col.kind == "float":
            val, empty, bad = to_float(s, decimal=decimal)
            what, check = "not a number", "not_numeric"
            fix = ("Write plain numbers such as 1234.50 (thousands separators and ¥ $ € "
                   "signs are allowed).")
            if (table, col.name) in MONEY_COLUMNS:
                cur = raw[found["currency"]] if "currency" in found else None
                val, found_cur = convert_currencies(ctx, col.name, s, val, currency_col=cur,
                                                    currency=currency, rates=rates)
                issues += found_cur
        elif col.kind == "period" or (table, col.name) == ("spend", "month"):
            months = col.kind != "period"
            val, empty, bad = to_period(s, months_only=months)
            what, check = "a period that is not " + (
                "YYYY-MM" if months else "YYYY, YYYY-Qn or YYYY-MM"), (
                "bad_month" if months else "bad_period")
            fix = "Write e.g. " + ("2025-03." if months else "2025, 2025-Q2 or 2025-03.")
        else:
            text = as_text(s)
            if (table, col.name) in ALLOWED:
                text = text.str.lower()
            empty = text.eq("").to_numpy()
            val, bad = str_series(text, empty), np.zeros(len(s), bool)
            allowed = ALLOWED.get((table, col.name))
            if allowed:
                bad = ~empty & ~text.isin(allowed).to_numpy()
                what, check = f"not one of {', '.join(allowed)}", f"bad_{col.name}"
                fix = f"Use one of {', '.join(allowed)}."
        if bad.any():
            issues.append(ctx.issue("error", check, col.name, bad, s, what, fix))
        if empty.any() and (col.not_empty or (col.required and col.kind != "str")):
            issues.append(ctx.issue("error", "empty_value", col.name, empty, s, "empty",
                                    f"Fill in every {col.name}.", examples=[]))
        out[col.name] = val.reset_index(drop=True)
    out.pop("currency", None)  # amounts are in the reporting currency from here on
    df = pd.DataFrame(out, index=pd.RangeIndex(len(raw)))
    if table == "sales" and "amount" in df:
        neg = (df["amount"] < 0).to_numpy()
        if neg.any():
            issues.append(ctx.issue("warning", "negative_amount", "amount", neg,
                                    raw[found["amount"]],
                                    "a negative amount (a return: kept and counted)"))
    dup = raw.duplicated(keep="first").to_numpy() if len(raw.columns) else np.zeros(0, bool)
    if dup.any():
        issues.append(ctx.issue("warning", "duplicate_rows", None, dup, raw.iloc[:, 0],
                                "an exact repeat of an earlier row (kept and counted)",
                                examples=[]))
    return df, issues, ctx, info



def _currency_column(names: list[str], table: str, mapped: str | None) -> str | None:
    """Return the user's column that says each amount's currency: mapped, or ``currency``.

    Not a schema column: it is read with the amounts and dropped once they are converted.
    """
    if table != "sales":
        return None
    if mapped is not None:
        return mapped if mapped in names else None
    hits = [c for c in names if c.strip().lower() == "currency"]
    return hits[0] if len(hits) == 1 else None


def _offset_issues(ctx: TableContext, column: str, raw: pd.Series, zones: dict,
                   timezone: str | None) -> list[Issue]:
    """Return the finding about timestamps with UTC offsets in one date column."""
    mask, offsets = zones.get("offset"), zones.get("offsets", [])
    if mask is None or not mask.any():
        return []
    if timezone:
        n = int(mask.sum())
        return [Issue("info", ctx.table, ctx.name, "timezone_converted", column, [], n,
                      offsets[:5], f"{ctx.name}: {ctx.col(column)}: {n} timestamp"
                      f"{'s' if n != 1 else ''} with a UTC offset ({', '.join(offsets[:5])}) "
                      f"converted to {timezone} before the day and month were taken.")]
    if len(offsets) < 2:
        return []
    return [ctx.issue("error", "mixed_offsets", column, mask, raw,
                      f"timestamps with different UTC offsets ({', '.join(offsets[:5])}), so "
                      "the same instant can fall on different days or months",
                      "Set 'timezone' in the params file (e.g. timezone: Europe/Berlin, or "
                      "UTC) and every timestamp with an offset is converted to it.")]


def load_table(source: str | Path | pd.DataFrame | Mapping, table: TableName, *,
               columns: Mapping[str, str] | None = None, label: str | None = None,
               sheet: str | int | None = None, timezone: str | None = None,
               currency: str | None = None, rates: Mapping[str, float] | None = None
               ) -> tuple[pd.DataFrame, list[Issue]]:
    """Load one table from a file, DataFrame or SQL source: rename, coerce per the schema and validate.

    Parameters
    ----------
    source : str, Path, DataFrame or mapping
        A file path, a DataFrame, or a SQL source ``{"url": ..., "table": ...}`` or
        ``{"url": ..., "query": ...}`` (see :mod:`salesnb.load.sql_spec`; rows are records).
    table : {"sales", "targets", "org", "opportunities", "spend", "satisfaction"}
        The canonical table name.
    columns : mapping of str to str, optional
        Canonical name -> the user's column name, e.g. ``{"amount": "SubTotal"}``.
    label : str, optional
        The name used for the source in messages (default: the path as given).
    sheet : str or int, optional
        Excel only: the sheet name or 0-based index (default: the first sheet).
    timezone : str, optional
        The reporting time zone (timestamps with a UTC offset are converted to it).
    currency : str, optional
        The reporting currency.
    rates : mapping of str to float, optional
        What one unit of each other currency is worth in ``currency``: amounts in mixed
        currencies are converted (without it they are an error).

    Returns
    -------
    (frame, issues) : tuple of DataFrame and list of Issue
        The canonical columns present (schema order, fresh RangeIndex) and the warnings and
        info found.

    Raises
    ------
    DataError
        Listing every error.

    Examples
    --------
    >>> raw = pd.DataFrame({"OrderDate": ["2025-01-02", "2025/1/3", "2025-01-04"],
    ...                     "rep": ["Ann", "Bob", "Ann"], "SubTotal": ["¥1,234.50", "¥20", "-5"]})
    >>> df, issues = load_table(raw, "sales", columns={"date": "OrderDate", "amount": "SubTotal"})
    >>> df
            date  rep  amount
    0 2025-01-02  Ann  1234.5
    1 2025-01-03  Bob    20.0
    2 2025-01-04  Ann    -5.0
    >>> [i.check for i in issues]
    ['negative_amount']
    >>> from salesnb.exceptions import DataError
    >>> try:
    ...     load_table(raw.assign(SubTotal=["1", "x", ""]), "sales", label="orders",
    ...                columns={"date": "OrderDate", "amount": "SubTotal"})
    ... except DataError as e:
    ...     print(e)
    orders: 2 problems to fix:
    - orders: column 'amount' (your 'SubTotal'): not a number in 1 record: record 2; values 'x'. Write plain numbers such as 1234.50 (thousands separators and ¥ $ € signs are allowed).
    - orders: column 'amount' (your 'SubTotal'): empty in 1 record: record 3. Fill in every amount.
    """
    df, issues, ctx, _ = load_source(source, table, columns, label, sheet=sheet,
                                     timezone=timezone, currency=currency,
                                     rates=check_rates(currency, rates))
    raise_issues(issues, ctx.name)
    return df, issues
