"""Scan large sales files in DuckDB: validate and aggregate them to the sales digest.

:func:`scan` reads a CSV file, a Parquet file (or a glob of them) or a DataFrame with an
embedded DuckDB connection, checks it with the same rules as :func:`salesnb.io.load_table`
(and the same message style: file, column, rows as the user counts them, a few values) and
returns the *sales digest*: small tables made with ``GROUP BY`` inside DuckDB, so raw rows
never become a pandas frame. Row numbers: CSV rows count lines (header = line 1, the first
data row = line 2; exact even with blank lines or quoted line breaks); Parquet and DataFrames
count records from 1 (per file for a glob).

CSV must be UTF-8 (with or without BOM): GB18030/GBK files need
:func:`salesnb.io.load_dataset`, or saving as UTF-8, because DuckDB reads UTF-8 only.

The digest (the contract shared with the database sources):

* ``daily``: date, team, rep, amount, quantity, lines
* ``customer_monthly``: date (first of month), team, rep, customer_id, amount, quantity
* ``product_monthly``: date (first of month), team, product, category, amount, quantity
* ``cube``: the columns of :func:`salesnb.cube.build_cube`
* ``meta``: rows, first_date, last_date, excluded_after_as_of

Passes over the data: one validation query (counts; a filtered query per problem found, for
its first rows and values), one ``GROUPING SETS`` query for all tables, and a lookup of each
customer's first sale. A CSV is parsed once into a typed temporary table first.
"""

from __future__ import annotations

import csv
import difflib
import glob as _glob
import os
from collections.abc import Collection, Mapping
from pathlib import Path

import duckdb
import pandas as pd

from .cube import CUBE_COLUMNS
from .exceptions import DataError, ParamsError
from .io import Issue
from .io import _as_of_date as _io_as_of_date
from .schema import SALES

__all__ = ["scan", "DIGEST_TABLES", "REQUIRED"]

#: the digest's tables and their columns
DIGEST_TABLES = {
    "daily": ["date", "team", "rep", "amount", "quantity", "lines"],
    "customer_monthly": ["date", "team", "rep", "customer_id", "amount", "quantity"],
    "product_monthly": ["date", "team", "product", "category", "amount", "quantity"],
    "cube": CUBE_COLUMNS,
}
#: canonical columns the engine needs (team too: the engine does not join an org table)
REQUIRED = ("date", "rep", "amount", "team")
_OPTIONAL = ("customer_id", "product", "category", "quantity")
_WS = " \t\r\n\u3000\xa0"
_THOUSANDS = r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?"
_SHIFT = 1 << 40  # order key: file index * 2**40 + record number within the file
_LIMIT_ROWS = 100  # row numbers kept per issue (the count is always exact)
_STR_DTYPE = "str" if int(pd.__version__.split(".")[0]) >= 3 else object
_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
            "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# ---------------------------------------------------------------- sources
class _Source:
    """Where the rows come from: SQL for the relation, names for messages."""

    def __init__(self, con, source, label):
        self.files: list[str] = []
        if isinstance(source, pd.DataFrame):
            con.register("_salesnb_frame", source)
            self.kind, self.name, self.noun = "frame", label or "the sales DataFrame", "record"
            self.rel, self.path = "_salesnb_frame", None
            return
        text = str(source)
        self.name, self.path = label or text, Path(text)
        ext = self.path.suffix.lower()
        if ext == ".csv":
            if not self.path.is_file():
                raise DataError(f"file '{self.name}' not found; check the path in the params file")
            self.kind, self.noun = "csv", "row"
            self.rel = (f"read_csv({_lit(text)}, all_varchar=true, header=true, "
                        "encoding='utf-8')")
        elif ext in (".parquet", ".pq"):
            self.files = sorted(_glob.glob(text)) if _glob.has_magic(text) else (
                [text] if self.path.is_file() else [])
            if not self.files:
                raise DataError(f"file '{self.name}' not found (no Parquet file matches); "
                                "check the path or glob in the params file")
            self.kind, self.noun = "parquet", "record"
            files = "[" + ", ".join(_lit(f) for f in self.files) + "]"
            self.rel = f"read_parquet({files}, file_row_number=true, filename=true)"
        else:
            raise DataError(f"file '{self.name}' has an unsupported format "
                            f"{ext or '(no extension)'!r} for the scan engine; use .csv, "
                            ".parquet or a DataFrame (Excel: salesnb.io.load_dataset)")

    def describe(self, con) -> dict[str, str]:
        try:
            rows = con.execute(f"DESCRIBE SELECT * FROM {self.rel}").fetchall()
        except duckdb.Error as e:
            raise DataError(self._read_error(e)) from None
        hidden = {"filename", "file_row_number"} if self.kind == "parquet" else set()
        return {str(r[0]): str(r[1]) for r in rows if r[0] not in hidden}

    def _read_error(self, e: Exception) -> str:
        msg = " ".join(line.strip() for line in str(e).splitlines()[:2])
        if "unicode" in str(e).lower() or "utf-8" in str(e).lower():
            msg = next((line.strip() for line in str(e).splitlines() if "nicode" in line), msg)
            return (f"file '{self.name}' is not UTF-8 text ({msg}); the scan engine reads "
                    "UTF-8 CSV only: save it as CSV UTF-8 from Excel, or load it with "
                    "salesnb.io.load_dataset, which also reads GB18030/GBK")
        return f"file '{self.name}' cannot be read: {msg}"

    def order(self) -> str:
        """SQL for a unique key in input order (file index * 2**40 + record index, from 0)."""
        if self.kind != "parquet":
            return "(row_number() OVER () - 1)"
        if len(self.files) == 1:
            return "file_row_number"
        cases = " ".join(f"WHEN {_lit(f)} THEN {i * _SHIFT}" for i, f in enumerate(self.files))
        return f"(CASE filename {cases} END + file_row_number)"


# ---------------------------------------------------------------- parsing in SQL
def _text(col: str, typ: str) -> str:
    """SQL: the cell as stripped text, NULL when empty (integral floats without '.0')."""
    if typ in ("FLOAT", "DOUBLE"):
        inner = (f"CASE WHEN {col} = round({col}) AND abs({col}) < 1e15 "
                 f"THEN CAST(CAST({col} AS BIGINT) AS VARCHAR) ELSE CAST({col} AS VARCHAR) END")
    else:
        inner = col if typ == "VARCHAR" else f"CAST({col} AS VARCHAR)"
    return f"nullif({_strip(inner)}, '')"


def _strip(x: str) -> str:
    """SQL: ``trim(x, whitespace)``, run only when x starts or ends with whitespace.

    DuckDB's trim with a set of characters costs ~0.2 us a value, five times the check.
    """
    return (f"CASE WHEN {_is_ws(f'unicode({x})')} OR {_is_ws(f'unicode(right({x}, 1))')} "
            f"THEN trim({x}, {_lit(_WS)}) ELSE {x} END")


def _is_ws(code: str) -> str:
    """SQL: the code point ``code`` is whitespace. An OR chain, not ``IN (...)``: DuckDB turns
    an IN list of 6 values into a join, and a join loses the input order that the CSV's
    temporary table relies on (its rowid is the row's position in the file)."""
    return "(" + " OR ".join(f"{code} = {ord(c)}" for c in _WS) + ")"


def _date_parse(t: str, fast: str, alt: str) -> str:
    """SQL: the DATE in text ``t`` (ISO dates and times, 2025/3/5, 2025.3.5, 2025年3月5日).

    ``fast`` and ``alt`` are the columns made by :func:`_date_pre` one layer below: the
    plain cast and, only where it failed, the text with 年/月/日 / and . turned into ``-``.
    Out-of-range years are kept here and rejected by :func:`_in_range` in the next layer.
    """
    return (f"CASE WHEN {fast} IS NOT NULL THEN {fast} ELSE COALESCE("
            f"TRY_CAST(TRY_CAST({t} AS TIMESTAMP) AS DATE), "
            f"TRY_CAST(try_strptime({t}, '%Y%m%d') AS DATE), TRY_CAST({alt} AS DATE), "
            f"TRY_CAST(TRY_CAST({alt} AS TIMESTAMP) AS DATE)) END")


def _date_pre(t: str) -> list[str]:
    """SQL for (fast cast, alternative text) of :func:`_date_parse`.

    The slow regular expression appears once, under a CASE, so DuckDB runs it only on the
    rows the plain cast cannot read (repeated, it would be computed once for every row).
    """
    alt = f"regexp_replace(replace({t}, '日', ''), '[/.年月]', '-', 'g')"
    return [f"TRY_CAST({t} AS DATE)",
            f"CASE WHEN {t} IS NOT NULL AND TRY_CAST({t} AS DATE) IS NULL THEN {alt} END"]


def _in_range(d: str) -> str:
    """SQL: ``d`` when pandas can hold it (datetime64[ns] years 1678-2261), else NULL."""
    return f"CASE WHEN {d} BETWEEN DATE '1678-01-01' AND DATE '2261-12-31' THEN {d} END"


def _float_parse(t: str, fast: str, alt: str) -> str:
    """SQL: the number in text ``t`` ('¥1,234.50', '(12)', ' 3 '); NaN/inf kept for the next layer.

    Clean text takes the fast TRY_CAST (``fast``, from :func:`_float_pre`); only the rest
    (``alt``: the text without currency signs) is cleaned like salesnb.io does.
    """
    u = (f"CASE WHEN regexp_full_match({alt}, '\\(.*\\)') THEN '-' || substr({alt}, 2, "
         f"length({alt}) - 2) ELSE {alt} END")
    clean = (f"CASE WHEN NOT contains({u}, ',') OR regexp_full_match({u}, {_lit(_THOUSANDS)}) "
             f"THEN TRY_CAST(replace({u}, ',', '') AS DOUBLE) END")
    return (f"CASE WHEN {t} IS NULL OR contains({t}, '_') THEN NULL "
            f"WHEN {fast} IS NOT NULL THEN {fast} ELSE {clean} END")


def _float_pre(t: str) -> list[str]:
    """SQL for (fast cast, text without currency signs where the cast failed)."""
    return [f"TRY_CAST({t} AS DOUBLE)",
            f"CASE WHEN {t} IS NOT NULL AND TRY_CAST({t} AS DOUBLE) IS NULL "
            f"THEN regexp_replace({t}, '\\s*[¥￥$€£]\\s*', '', 'g') END"]


def _finite(v: str) -> str:
    return f"CASE WHEN isfinite({v}) THEN {v} END"


def _resolve(cols: list[str], mapping: Mapping[str, str], name: str) -> tuple[dict, list[str]]:
    """Map canonical names to the user's columns (as salesnb.io does); return (found, errors)."""
    unknown = [c for c in mapping if c not in SALES.names]
    if unknown:
        raise ParamsError(f"columns mapping for table 'sales' names unknown canonical column(s) "
                          f"{', '.join(map(repr, unknown))}; allowed: {', '.join(SALES.names)}")
    present = ", ".join(map(repr, cols)) or "(none)"
    found, failed, errors = {}, set(), []
    for canon, user in mapping.items():
        if user in cols:
            found[canon] = user
        else:
            failed.add(canon)
            errors.append(f"{name}: column '{canon}' is mapped to your '{user}', which is not in "
                          f"the file; the file has {present}. Fix the 'columns:' mapping in the "
                          "params file.")
    lower: dict[str, list[str]] = {}
    for c in cols:
        lower.setdefault(c.lower(), []).append(c)
    for canon in REQUIRED + _OPTIONAL:
        if canon in found or canon in failed:
            continue
        if canon in cols:
            found[canon] = canon
        elif len(lower.get(canon, [])) == 1:
            found[canon] = lower[canon][0]
    missing = [c for c in REQUIRED if c not in found and c not in failed]
    if missing:
        close = difflib.get_close_matches(missing[0], cols, n=1, cutoff=0.0)
        errors.append(f"{name}: missing required column(s) {', '.join(map(repr, missing))}; the "
                      f"file has {present}. Rename them in the file or map your names in the "
                      f"params file, e.g. columns: {{sales: {{{missing[0]}: "
                      f"{close[0] if close else 'YourColumn'}}}}} (the scan engine needs a team "
                      "column: it does not join an org table).")
    return found, errors


def _relation(src: _Source, found: dict, types: dict, *, duplicates: bool,
              ordered: bool = True) -> tuple[str, list]:
    """Return (SQL of the parsed relation ``p``, checks) where p has, per input row:

    ``_ord`` (input order; left out when not ``ordered``: a CSV's temporary table numbers
    its rows itself), ``_fidx`` (file index), ``_blank``, ``_h`` (row hash or NULL),
    the canonical ``date``, ``team``, ``rep``, ``amount``, ... (NULL where empty or not
    readable) and, for date and number columns, ``t_<col>``: the cell where the value is
    NULL (empty or unreadable), else NULL. ``checks`` lists
    (severity, check, column, SQL condition, example SQL or None).
    """
    multi = src.kind == "parquet" and len(src.files) > 1
    l1 = [f"{src.order()} AS _ord", f"{'_ord // ' + str(_SHIFT) if multi else '0'} AS _fidx"]
    l2, l3, checks = ["_ord", "_fidx", "_blank", "_h"], ["_ord", "_fidx", "_blank", "_h"], []
    if not ordered:
        l1, l2, l3 = [], ["_blank", "_h"], ["_blank", "_h"]
    pre = list(l2)  # the layer between l1 and l2: fast casts, and the slow paths' inputs
    for canon in REQUIRED + _OPTIONAL:
        if canon not in found:
            continue
        col, typ = _q(found[canon]), types[found[canon]].upper()
        base, kind, t = typ.split("(")[0], SALES.column(canon).kind, f"t_{canon}"
        l2.append(t)
        pre.append(t)
        if kind == "str":
            # stripped on the aggregated keys (see _aggregate): per-row trim costs ~0.1 s/10M
            l1.append(f"{col if base == 'VARCHAR' else _text(col, base)} AS {t}")
            l3.append(f"{t} AS {canon}")
            if canon in ("team", "rep"):
                checks.append(("error", "empty_value", canon,
                               f"CASE WHEN {canon} IS NULL OR {canon} = '' THEN true WHEN "
                               f"{_is_ws(f'unicode({canon})')} THEN trim({canon}, "
                               f"{_lit(_WS)}) = '' ELSE false END", None))
            continue
        empty, bad = f"{t} IS NULL", f"{t} IS NOT NULL"
        if kind == "date" and (base == "DATE" or base.startswith("TIMESTAMP")):
            l1.append(f"{col} AS {t}")
            l2.append(f"CAST({t} AS DATE) AS _p_{canon}")
        elif kind == "date":
            l1.append(f"{_text(col, base)} AS {t}")
            fast, alt = _date_pre(t)
            pre += [f"{fast} AS _f_{canon}", f"{alt} AS _a_{canon}"]
            l2.append(f"{_date_parse(t, f'_f_{canon}', f'_a_{canon}')} AS _p_{canon}")
        elif base in _NUMERIC:
            l1.append(f"CAST({col} AS DOUBLE) AS {t}")
            l2.append(f"{t} AS _p_{canon}")
            empty, bad = f"({t} IS NULL OR isnan({t}))", f"NOT isnan({t})"
        else:
            l1.append(f"{_text(col, base)} AS {t}")
            fast, alt = _float_pre(t)
            pre += [f"{fast} AS _f_{canon}", f"{alt} AS _a_{canon}"]
            l2.append(f"{_float_parse(t, f'_f_{canon}', f'_a_{canon}')} AS _p_{canon}")
        value = _in_range(f"_p_{canon}") if kind == "date" else _finite(f"_p_{canon}")
        l3 += [f"{value} AS {canon}", f"CASE WHEN {value} IS NULL THEN {t} END AS {t}"]
        checks.append(("error", "bad_date" if kind == "date" else "not_numeric", canon,
                       f"{t} IS NOT NULL AND {bad}", t))
        if canon in REQUIRED:
            checks.append(("error", "empty_value", canon, f"{canon} IS NULL AND {empty}", None))
    cols = list(types)
    if src.kind == "csv":
        date_text = _text(_q(found["date"]), types[found["date"]].upper())
        l1.append(f"CASE WHEN {date_text} IS NULL THEN {_blank_sql(cols)} ELSE false END "
                  "AS _blank")
    else:
        l1.append("false AS _blank")
    l1.append(f"hash({', '.join(_q(c) for c in cols)}) AS _h" if duplicates else "NULL AS _h")
    sql = (f"(SELECT {', '.join(l3)} FROM (SELECT {', '.join(l2)} FROM (SELECT {', '.join(pre)} "
           f"FROM (SELECT {', '.join(l1)} FROM {src.rel}))))")
    return sql, checks


def _blank_sql(cols: list[str]) -> str:
    """SQL: true when every cell of the row is empty (such CSV rows are skipped, as in io)."""
    return " AND ".join(f"nullif(trim({_q(c)}, {_lit(_WS)}), '') IS NULL" for c in cols)


# ---------------------------------------------------------------- row numbers
def _csv_lines(path: Path, records: int, wanted: set[int]) -> dict[int, int]:
    """Map 0-based CSV record index -> the line the user sees it on (header = line 1).

    DuckDB skips blank lines and a quoted field may span lines, so the exact start line of
    each wanted record is read with ``csv`` (up to the last wanted record), unless the wanted
    records lie deep in the file and it has exactly records + 1 lines (then line = record + 2).
    """
    if not wanted:
        return {}
    top = max(wanted)
    if (top + 1) * 20 > records:  # deep in the file: counting its lines is the cheaper way
        lines, last = 0, b"\n"
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 24), b""):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
        lines += last != b"\n"
        if lines == records + 1:
            return {r: r + 2 for r in wanted}
    # else read the records up to the last wanted one (exact in every case)
    out, k = {}, -1
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        start = 1
        for row in reader:
            if row:  # a blank line is no record for DuckDB either
                if k >= 0 and k in wanted:
                    out[k] = start
                k += 1
                if k > top:
                    break
            start = reader.line_num + 1
    return out


def _user_rows(src: _Source, fidx: int, ords: list[int], records: int) -> list[int]:
    """Turn order keys into the numbers the user counts (CSV lines; records from 1)."""
    idx = [int(o) - fidx * _SHIFT for o in ords]
    if src.kind != "csv":
        return [i + 1 for i in idx]
    mapping = _csv_lines(src.path, records, set(idx))
    return [mapping.get(i, i + 2) for i in idx]


def _rows_text(rows: list[int], noun: str, count: int, limit: int = 10) -> str:
    head = ", ".join(str(r) for r in rows[:limit])
    more = f" (and {count - min(limit, len(rows))} more)" if count > min(limit, len(rows)) else ""
    return f"{noun}{'s' if count > 1 else ''} {head}{more}"


_WHAT = {
    "bad_date": ("a date that cannot be read", "Write dates as YYYY-MM-DD (e.g. 2025-03-15)."),
    "not_numeric": ("not a number", "Write plain numbers such as 1234.50 (thousands separators "
                    "and ¥ $ € signs are allowed)."),
    "empty_value": ("empty", "Fill in every {col}."),
    "negative_amount": ("a negative amount (a return: kept and counted)", ""),
}


# ---------------------------------------------------------------- the scan
_as_of_date = _io_as_of_date  # one reading of as_of for files, engines and databases


def _validate(con, src, p, checks, found, cutoff, duplicates):
    """Run the one validation query; return (issues, meta counts)."""
    checks = list(checks)
    if "amount" in found:
        checks.append(("warning", "negative_amount", "amount", "amount < 0", "amount"))
    if cutoff is not None:
        checks.append(("warning", "after_report_month", "date",
                       f"date > DATE '{cutoff:%Y-%m-%d}'", "date"))
    keep = "NOT _blank" + (f" AND date <= DATE '{cutoff:%Y-%m-%d}'" if cutoff is not None else "")
    sel = ["_fidx", "count(*) AS n_all", "count(*) FILTER (WHERE _blank) AS n_blank",
           f"count(*) FILTER (WHERE {keep}) AS n_keep",
           f"min(date) FILTER (WHERE {keep}) AS first", f"max(date) FILTER (WHERE {keep}) AS last",
           "0 AS n_dup"]  # counted by a query of its own (a DISTINCT here slows every count)
    sel += [f"count(*) FILTER (WHERE NOT _blank AND ({c[3]})) AS c{i}" for i, c in enumerate(checks)]
    multi = len(src.files) > 1
    group = " GROUP BY _fidx ORDER BY _fidx" if multi else ""
    if not multi:  # an ungrouped aggregate is much faster than grouping by a constant
        sel[0] = "0 AS _fidx"
    try:
        counts = con.execute(f"SELECT {', '.join(sel)} FROM {p}{group}").fetchall()
        if duplicates and multi:  # a repeat in a later file counts (overlapping exports)
            dup = dict(con.execute(
                f"SELECT _fidx, count(*) FROM (SELECT _fidx, row_number() OVER (PARTITION BY "
                f"_h ORDER BY _ord) AS k FROM {p} WHERE NOT _blank) WHERE k > 1 "
                "GROUP BY _fidx").fetchall())
        elif duplicates:
            dup = dict(con.execute(
                f"SELECT 0, count(*) - count(DISTINCT _h) FROM {p} WHERE NOT _blank").fetchall())
        if duplicates:
            counts = [(*r[:6], dup.get(r[0], 0), *r[7:]) for r in counts]
        # second, filtered queries only for what was found: first rows and example values
        found_rows = {}
        wanted = [("_blank", None, -1)] + [(f"NOT _blank AND ({c[3]})", c[4], i)
                                           for i, c in enumerate(checks)]
        for cond, ex, i in wanted:
            pos = 2 if i < 0 else 7 + i
            if not any(r[pos] for r in counts):
                continue
            exs = f"arg_min({ex}, _ord, 50)" if ex else "NULL"
            for fidx, ords, exv in con.execute(
                    f"SELECT {'_fidx' if multi else '0'}, min(_ord, {_LIMIT_ROWS}), {exs} "
                    f"FROM {p} WHERE {cond}{' GROUP BY _fidx' if multi else ''}").fetchall():
                found_rows[(i, fidx)] = (ords, exv)
    except duckdb.Error as e:
        raise DataError(src._read_error(e)) from None
    res = []
    for row in counts:
        fidx = row[0]
        r_blank = found_rows.get((-1, fidx), ([], None))[0]
        per = []
        for i in range(len(checks)):
            ords, exv = found_rows.get((i, fidx), ([], None))
            per += [row[7 + i], ords, exv]
        res.append((fidx, row[1], row[2], r_blank, row[3], row[4], row[5], row[6], *per))
    issues: list[Issue] = []
    meta = {"rows": 0, "kept": 0, "first_date": None, "last_date": None}
    user = {c: u for c, u in found.items() if c != u}
    for row in res:
        fidx, n_all, n_blank, r_blank, n_keep, first, last, n_dup = row[:8]
        name = src.files[fidx] if len(src.files) > 1 else src.name
        meta["rows"] += n_all - n_blank
        meta["kept"] += n_keep
        if first is not None:
            meta["first_date"] = min(filter(None, [meta["first_date"], pd.Timestamp(first)]))
            meta["last_date"] = max(filter(None, [meta["last_date"], pd.Timestamp(last)]))
        if n_blank:
            rows = _user_rows(src, fidx, sorted(r_blank), n_all)
            issues.append(Issue("info", "sales", name, "blank_rows", None, rows, n_blank, [],
                                f"{name}: {n_blank} blank {src.noun}{'s' if n_blank > 1 else ''} "
                                f"skipped ({_rows_text(rows, src.noun, n_blank)})."))
        for i, (sev, check, column, _, _) in enumerate(checks):
            count, ords, ex = row[8 + 3 * i: 11 + 3 * i]
            if not count:
                continue
            rows = _user_rows(src, fidx, sorted(ords), n_all)
            examples = [] if ex is None else list(dict.fromkeys(
                v.isoformat() if hasattr(v, "isoformat") else v for v in ex))[:5]
            if check == "after_report_month":
                what, fix = (f"a sale dated after {cutoff:%Y-%m-%d} (excluded from every "
                             "table and counted)", "")
            else:
                what, fix = _WHAT[check]
            col = f"column '{column}'" + (f" (your '{user[column]}')" if column in user else "")
            vals = f"; values {', '.join(repr(v) for v in examples)}" if examples else ""
            fix = (" " + fix.format(col=column)) if fix else ""
            msg = (f"{name}: {col}: {what} in {count} {src.noun}{'s' if count != 1 else ''}: "
                   f"{_rows_text(rows, src.noun, count)}{vals}.{fix}")
            issues.append(Issue(sev, "sales", name, check, column, rows, count, examples, msg))
        if n_dup:
            issues.append(Issue("warning", "sales", name, "duplicate_rows", None, [], n_dup, [],
                                f"{name}: {n_dup} {src.noun}{'s are' if n_dup > 1 else ' is'} "
                                "an exact repeat of an earlier one (kept and counted; the scan "
                                "engine counts repeats but does not list their rows)."))
    return issues, meta


def _raise(issues: list[Issue], name: str) -> None:
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        others = [i for i in issues if i.severity != "error"]
        lines = "\n".join(f"- {i.message}" for i in errors)
        extra = f"\n(and {len(others)} warning(s) that do not stop the run)" if others else ""
        raise DataError(f"{name}: {len(errors)} problem{'s' if len(errors) > 1 else ''} to "
                        f"fix:\n{lines}{extra}", problems=errors + others)


def _aggregate(con, p: str, found: dict, cutoff, tables, *, multi: bool = False
               ) -> dict[str, pd.DataFrame]:
    """Compute the digest tables with one GROUPING SETS scan of ``p`` (plus one small lookup).

    New customers: each customer's first sale is the row with the smallest
    (date, input order) key, found as ``min(key)`` per customer; its team, rep and category
    are then looked up by order key. The string keys are stripped, regrouped and sorted in
    DuckDB too, so only the finished tables become pandas frames.
    """
    keep = "NOT _blank" + (f" AND date <= DATE '{cutoff:%Y-%m-%d}'" if cutoff is not None else "")
    has_c = "customer_id" in found
    cols = ["date", "m", "team", "rep"] + (["customer_id"] if has_c else []) + (
        ["product"] if "product" in found else []) + ["cat"]
    sets = {}
    if "daily" in tables:
        sets["daily"] = ("date", "team", "rep")
    if "customer_monthly" in tables and has_c:
        sets["customer_monthly"] = ("m", "team", "rep", "customer_id")
    if "product_monthly" in tables and "product" in found:
        sets["product_monthly"] = ("m", "team", "product", "cat")
    if "cube" in tables:
        sets["cube"] = ("m", "team", "rep", "cat")
        if has_c:
            sets["first"] = ("customer_id",)
    if not sets:
        return {}
    qty = "coalesce(quantity, 0)" if "quantity" in found else "0.0"
    cat = "coalesce(category, '')" if "category" in found else "''"
    # order key: days * step + _ord (several files: _ord holds the file index above 2**40)
    step, ktype = (1 << 63, "HUGEINT") if multi else (_SHIFT, "BIGINT")
    inner = (f"SELECT date, date_trunc('month', date) AS m, team, rep, "
             f"{'customer_id, ' if has_c else ''}{'product, ' if 'product' in found else ''}"
             f"{cat} AS cat, amount, {qty} AS q, (date - DATE '1970-01-01')::{ktype} * {step} "
             f"+ _ord AS k FROM {p} WHERE {keep}")
    used = {c for keys in sets.values() for c in keys}
    cols = [c for c in cols if c in used]
    gsets = ", ".join("(" + ", ".join(v) + ")" for v in sets.values())
    sql = (f"SELECT GROUPING({', '.join(cols)}) AS _g, {', '.join(cols)}, sum(amount) AS amount, "
           f"sum(q) AS quantity, count(*) AS lines, min(k) AS k FROM ({inner}) "
           f"GROUP BY GROUPING SETS ({gsets})")
    # strip whitespace from the string keys ("" -> missing, as io does): keys that differed
    # only by spaces are summed again below
    stripped = [(_strip(c) if c == "cat" else f"nullif({_strip(c)}, '')") + f" AS {c}"
                if c in _STRINGS else c for c in cols]
    con.execute(f"CREATE TEMP TABLE _salesnb_g AS SELECT _g, {', '.join(stripped)}, amount, "
                f"quantity, lines, k FROM ({sql})")
    out = {}
    for name, keys in sets.items():
        if name == "first":
            continue
        g = sum(1 << (len(cols) - 1 - i) for i, c in enumerate(cols) if c not in keys)
        names = ["date" if c == "m" else "category" if c == "cat" else c for c in keys]
        order = ", ".join(f"{c} NULLS LAST" for c in keys)
        out[name] = _frame(
            con, f"SELECT {', '.join(f'{c} AS {n}' for c, n in zip(keys, names, strict=True))}, "
            "sum(amount)::DOUBLE AS amount, sum(quantity)::DOUBLE AS quantity, "
            f"sum(lines)::BIGINT AS lines FROM _salesnb_g WHERE _g = {g} "
            f"GROUP BY {', '.join(keys)} ORDER BY {order}")
    out = {name: _typed(t) for name, t in out.items()}
    if "cube" in out:
        cube = out["cube"]
        if "first" in sets:
            g = sum(1 << (len(cols) - 1 - i) for i, c in enumerate(cols) if c != "customer_id")
            who = con.execute(
                f"SELECT date_trunc('month', date) AS date, nullif({_strip('team')}, '') AS team, "
                f"nullif({_strip('rep')}, '') AS rep, {_strip(cat)} AS category, "
                f"count(*)::BIGINT AS new_customers FROM {p} WHERE _ord IN ("
                f"SELECT ((min(k) % {step}) + {step}) % {step} FROM _salesnb_g WHERE _g = {g} "
                "AND customer_id IS NOT NULL GROUP BY customer_id) GROUP BY ALL").df()
            cube = cube.merge(_typed(who), on=["date", "team", "rep", "category"], how="left")
            cube["new_customers"] = cube["new_customers"].fillna(0).astype("int64")
        else:
            cube = cube.assign(new_customers=0)
        cube.insert(0, "month", cube.pop("date").dt.to_period("M"))
        out["cube"] = cube
    return {name: out[name][cols].reset_index(drop=True)
            for name, cols in DIGEST_TABLES.items() if name in out}


_STRINGS = ("team", "rep", "customer_id", "product", "cat")


def _frame(con, sql: str) -> pd.DataFrame:
    """Run ``sql``; return the result as pandas through Arrow.

    Twice as fast as ``.df()`` on millions of rows with text keys (customer x month at
    10 M sales: 2.6 s against 5.2 s): Arrow strings become pandas strings without a
    Python object per value.
    """
    rel = con.sql(sql)
    table = rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()
    return table.to_pandas(date_as_object=False)


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for c in df.columns:
        if c in ("team", "rep", "customer_id", "product", "category"):
            df[c] = df[c].astype(_STR_DTYPE)
        elif c == "date":
            df[c] = df[c].astype("datetime64[ns]")
        elif c in ("amount", "quantity"):
            df[c] = df[c].astype("float64")
        elif c in ("lines", "new_customers"):
            df[c] = df[c].astype("int64")
    return df


def scan(source, *, columns: Mapping[str, str] | None = None, as_of=None,
         label: str | None = None, duplicates: bool | None = None,
         tables: Collection[str] = tuple(DIGEST_TABLES)) -> tuple[dict, list[Issue]]:
    """Validate sales and aggregate them to the sales digest inside DuckDB.

    Parameters
    ----------
    source : path of a CSV file (UTF-8), of a Parquet file or a glob of Parquet files
        (``"sales/*.parquet"``), or a DataFrame (scanned in place, not copied).
    columns : maps canonical name -> the user's column name, e.g. ``{"amount": "SubTotal"}``.
    as_of : a month ``YYYY-MM`` (its last day) or a date; later rows are excluded from every
        table and counted (``meta["excluded_after_as_of"]`` and a warning).
    label : the name used for the source in messages (default: the path as given).
    duplicates : count rows that exactly repeat an earlier row. Default (None): yes for CSV
        and DataFrames; no for Parquet, where it would read every column (about 1.5 s per
        10 million rows) instead of only the columns the digest needs.
    tables : the digest tables to compute (default all); e.g. ``("cube",)`` for the monthly
        cube only (at 10 million rows, ``customer_monthly`` alone has millions of rows).

    Returns
    -------
    (digest, issues): ``digest`` maps ``daily`` (date, team, rep, amount, quantity, lines),
    ``customer_monthly`` (date = first of month, team, rep, customer_id, amount, quantity;
    when there is a customer_id column), ``product_monthly`` (date, team, product, category,
    amount, quantity; when there is a product column), ``cube`` (the columns of
    :func:`salesnb.cube.build_cube`) and ``meta`` (rows, first_date, last_date,
    excluded_after_as_of). ``issues`` are the warnings and info; every error is raised
    together in one :class:`~salesnb.exceptions.DataError` (file, column, rows, values).

    Examples
    --------
    >>> raw = pd.DataFrame({"Day": ["2025-01-02", "2025/1/20", "2025-02-03", "2025-03-01"],
    ...                     "team": ["East"] * 4, "rep": ["Ann", "Ann", "Bob", "Bob"],
    ...                     "amount": ["¥1,000", "500", "-20", "70"], "customer_id": list("aaba")})
    >>> digest, issues = scan(raw, columns={"date": "Day"}, as_of="2025-02")
    >>> digest["cube"]
         month  team  rep category  amount  quantity  lines  new_customers
    0  2025-01  East  Ann           1500.0       0.0      2              1
    1  2025-02  East  Bob            -20.0       0.0      1              1
    >>> digest["meta"]["excluded_after_as_of"], [i.check for i in issues]
    (1, ['negative_amount', 'after_report_month'])
    >>> try:
    ...     scan(raw.assign(amount=["1", "x", "", "2"]), columns={"date": "Day"}, label="orders")
    ... except DataError as e:
    ...     print(e)
    orders: 2 problems to fix:
    - orders: column 'amount': not a number in 1 record: record 2; values 'x'. Write plain numbers such as 1234.50 (thousands separators and ¥ $ € signs are allowed).
    - orders: column 'amount': empty in 1 record: record 3. Fill in every amount.
    """
    cutoff = _as_of_date(as_of)
    con = duckdb.connect(":memory:", config={"threads": os.cpu_count() or 1})
    con.execute("SET enable_progress_bar = false")  # no printing from a library function
    try:
        src = _Source(con, source, label)
        types = src.describe(con)
        found, errors = _resolve(list(types), dict(columns or {}), src.name)
        if errors:
            problems = [Issue("error", "sales", src.name, "missing_columns", None, [], 0, [], m)
                        for m in errors]
            _raise(problems, src.name)
        unknown = [t for t in tables if t not in DIGEST_TABLES]
        if unknown:
            raise ValueError(f"tables must name digest tables ({', '.join(DIGEST_TABLES)}), "
                             f"got {', '.join(map(repr, unknown))}")
        if duplicates is None:
            duplicates = src.kind != "parquet"
        if "product_monthly" not in tables:  # no check reads it: leave the column unread
            found.pop("product", None)
        csv_file = src.kind == "csv"
        p, checks = _relation(src, found, types, duplicates=duplicates, ordered=not csv_file)
        if csv_file:
            # parse the text once; every later query reads the typed table. Its rowid is the
            # input order (DuckDB keeps insertion order): a row_number() window would force
            # the parsing through one thread and cost more than all the rest of the scan
            try:
                ctas = f"CREATE TEMP TABLE _salesnb_p AS SELECT * FROM {p}"
                plan = "".join(r[1] for r in con.execute(f"EXPLAIN {ctas}").fetchall()).upper()
                if "JOIN" in plan or "WINDOW" in plan or "AGGREGATE" in plan:
                    # an operator that may reorder rows: number them explicitly (slower)
                    p, _ = _relation(src, found, types, duplicates=duplicates)
                    ctas = f"CREATE TEMP TABLE _salesnb_p AS SELECT * FROM {p}"
                    p = "_salesnb_p"
                else:
                    p = "(SELECT rowid AS _ord, 0 AS _fidx, * FROM _salesnb_p)"
                con.execute(ctas)
            except duckdb.Error as e:
                raise DataError(src._read_error(e)) from None
        issues, meta = _validate(con, src, p, checks, found, cutoff, duplicates)
        _raise(issues, src.name)
        digest: dict = _aggregate(con, p, found, cutoff, set(tables),
                                  multi=len(src.files) > 1)
    finally:
        con.close()
    digest["meta"] = {"rows": meta["rows"], "first_date": meta["first_date"],
                      "last_date": meta["last_date"],
                      "excluded_after_as_of": meta["rows"] - meta["kept"]}
    return digest, issues
