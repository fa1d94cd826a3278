"""The SQL the DuckDB scan parses sales with: text, dates and amounts read as the loader does.

:func:`relation` builds the parsed relation of a :class:`~salesnb.load.duckdb_source.Source`
and the list of checks the scan counts; the helpers below write the SQL of one cell.
"""

from __future__ import annotations

from ..schema import DIGEST_NEEDS, SALES
from .coerce import THOUSANDS
from .duckdb_source import SHIFT, Source, lit, q

__all__ = ["SCAN_COLUMNS", "REQUIRED", "WS", "relation", "strip_ws", "is_ws", "blank_sql"]

#: the sales columns the scan reads, in the order its checks are listed
SCAN_COLUMNS = ("date", "rep", "amount", "team", "customer_id", "product", "category",
                "quantity")
#: the columns the scan needs: the schema's required ones and the digest engines' needs
REQUIRED = tuple(SALES.required) + tuple(c for c in DIGEST_NEEDS if c not in SALES.required)
WS = " \t\r\n\u3000\xa0"
_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
            "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL")


def _text(col: str, typ: str) -> str:
    """Return SQL of the cell as stripped text, NULL when empty (integral floats without '.0')."""
    if typ in ("FLOAT", "DOUBLE"):
        inner = (f"CASE WHEN {col} = round({col}) AND abs({col}) < 1e15 "
                 f"THEN CAST(CAST({col} AS BIGINT) AS VARCHAR) ELSE CAST({col} AS VARCHAR) END")
    else:
        inner = col if typ == "VARCHAR" else f"CAST({col} AS VARCHAR)"
    return f"nullif({strip_ws(inner)}, '')"


def strip_ws(x: str) -> str:
    """Return SQL of ``trim(x, whitespace)``, run only when x starts or ends with whitespace.

    Parameters
    ----------
    x : str
        A SQL expression of text.

    Returns
    -------
    str

    DuckDB's trim with a set of characters costs ~0.2 us a value, five times the check.
    """
    return (f"CASE WHEN {is_ws(f'unicode({x})')} OR {is_ws(f'unicode(right({x}, 1))')} "
            f"THEN trim({x}, {lit(WS)}) ELSE {x} END")


def is_ws(code: str) -> str:
    """Return SQL that is true when the code point ``code`` is whitespace.

    An OR chain, not ``IN (...)``: DuckDB turns an IN list of 6 values into a join, and a
    join loses the input order that the CSV's temporary table relies on (its rowid is the
    row's position in the file).

    Parameters
    ----------
    code : str
        A SQL expression of a code point.

    Returns
    -------
    str
    """
    return "(" + " OR ".join(f"{code} = {ord(c)}" for c in WS) + ")"


def _date_parse(t: str, fast: str, alt: str) -> str:
    """Return SQL of the DATE in text ``t`` (ISO dates and times, 2025/3/5, 2025.3.5, 2025年3月5日).

    ``fast`` and ``alt`` are the columns made by :func:`_date_pre` one layer below: the
    plain cast and, only where it failed, the text with 年/月/日 / and . turned into ``-``.
    Out-of-range years are kept here and rejected by :func:`_in_range` in the next layer.
    """
    return (f"CASE WHEN {fast} IS NOT NULL THEN {fast} ELSE COALESCE("
            f"TRY_CAST(TRY_CAST({t} AS TIMESTAMP) AS DATE), "
            f"TRY_CAST(try_strptime({t}, '%Y%m%d') AS DATE), TRY_CAST({alt} AS DATE), "
            f"TRY_CAST(TRY_CAST({alt} AS TIMESTAMP) AS DATE)) END")


def _date_pre(t: str) -> list[str]:
    """Return SQL for (fast cast, alternative text) of :func:`_date_parse`.

    The slow regular expression appears once, under a CASE, so DuckDB runs it only on the
    rows the plain cast cannot read (repeated, it would be computed once for every row).
    """
    alt = f"regexp_replace(replace({t}, '日', ''), '[/.年月]', '-', 'g')"
    return [f"TRY_CAST({t} AS DATE)",
            f"CASE WHEN {t} IS NOT NULL AND TRY_CAST({t} AS DATE) IS NULL THEN {alt} END"]


def _in_range(d: str) -> str:
    """Return SQL of ``d`` when pandas can hold it (datetime64[ns] years 1678-2261), else NULL."""
    return f"CASE WHEN {d} BETWEEN DATE '1678-01-01' AND DATE '2261-12-31' THEN {d} END"


def _float_parse(t: str, fast: str, alt: str) -> str:
    """Return SQL of the number in text ``t`` ('¥1,234.50', '(12)', ' 3 '); NaN/inf kept.

    Clean text takes the fast TRY_CAST (``fast``, from :func:`_float_pre`); only the rest
    (``alt``: the text without currency signs) is cleaned like salesnb.io does.
    """
    u = (f"CASE WHEN regexp_full_match({alt}, '\\(.*\\)') THEN '-' || substr({alt}, 2, "
         f"length({alt}) - 2) ELSE {alt} END")
    clean = (f"CASE WHEN NOT contains({u}, ',') OR regexp_full_match({u}, {lit(THOUSANDS)}) "
             f"THEN TRY_CAST(replace({u}, ',', '') AS DOUBLE) END")
    return (f"CASE WHEN {t} IS NULL OR contains({t}, '_') THEN NULL "
            f"WHEN {fast} IS NOT NULL THEN {fast} ELSE {clean} END")


def _float_pre(t: str) -> list[str]:
    """Return SQL for (fast cast, text without currency signs where the cast failed)."""
    return [f"TRY_CAST({t} AS DOUBLE)",
            f"CASE WHEN {t} IS NOT NULL AND TRY_CAST({t} AS DOUBLE) IS NULL "
            f"THEN regexp_replace({t}, '\\s*[¥￥$€£]\\s*', '', 'g') END"]


def _finite(v: str) -> str:
    return f"CASE WHEN isfinite({v}) THEN {v} END"



def relation(src: Source, found: dict, types: dict, *, duplicates: bool,
             ordered: bool = True) -> tuple[str, list]:
    """Return (SQL of the parsed relation ``p``, checks).

    Parameters
    ----------
    src : Source
        The source read.
    found : dict of str to str
        Canonical column -> the source's (:func:`salesnb.load.issues.resolve_columns`).
    types : dict of str to str
        The source's columns and DuckDB types.
    duplicates : bool
        Hash each row to count exact repeats.
    ordered : bool, default True
        Number the rows in input order (a CSV's temporary table numbers them itself).

    Returns
    -------
    (sql, checks) : tuple of str and list

    Notes
    -----
    ``p`` has, per input row:

    ``_ord`` (input order; left out when not ``ordered``: a CSV's temporary table numbers
    its rows itself), ``_fidx`` (file index), ``_blank``, ``_h`` (row hash or NULL),
    the canonical ``date``, ``team``, ``rep``, ``amount``, ... (NULL where empty or not
    readable) and, for date and number columns, ``t_<col>``: the cell where the value is
    NULL (empty or unreadable), else NULL. ``checks`` lists
    (severity, check, column, SQL condition, example SQL or None).
    """
    multi = src.kind == "parquet" and len(src.files) > 1
    l1 = [f"{src.order()} AS _ord", f"{'_ord // ' + str(SHIFT) if multi else '0'} AS _fidx"]
    l2, l3, checks = ["_ord", "_fidx", "_blank", "_h"], ["_ord", "_fidx", "_blank", "_h"], []
    if not ordered:
        l1, l2, l3 = [], ["_blank", "_h"], ["_blank", "_h"]
    pre = list(l2)  # the layer between l1 and l2: fast casts, and the slow paths' inputs
    for canon in SCAN_COLUMNS:
        if canon not in found:
            continue
        col, typ = q(found[canon]), types[found[canon]].upper()
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
                               f"{is_ws(f'unicode({canon})')} THEN trim({canon}, "
                               f"{lit(WS)}) = '' ELSE false END", None))
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
        date_text = _text(q(found["date"]), types[found["date"]].upper())
        l1.append(f"CASE WHEN {date_text} IS NULL THEN {blank_sql(cols)} ELSE false END "
                  "AS _blank")
    else:
        l1.append("false AS _blank")
    l1.append(f"hash({', '.join(q(c) for c in cols)}) AS _h" if duplicates else "NULL AS _h")
    sql = (f"(SELECT {', '.join(l3)} FROM (SELECT {', '.join(l2)} FROM (SELECT {', '.join(pre)} "
           f"FROM (SELECT {', '.join(l1)} FROM {src.rel}))))")
    return sql, checks


def blank_sql(cols: list[str]) -> str:
    """Return SQL that is true when every cell of the row is empty (such CSV rows are skipped).

    Parameters
    ----------
    cols : list of str
        The source's columns.

    Returns
    -------
    str
    """
    return " AND ".join(f"nullif(trim({q(c)}, {lit(WS)}), '') IS NULL" for c in cols)


