"""Scan large sales files in DuckDB: validate and aggregate them to the sales digest.

:func:`scan` reads a CSV file, a Parquet file (or a glob of them) or a DataFrame with an
embedded DuckDB connection, checks it with the same rules as
:func:`salesnb.load.tables.load_table` (the same column resolver and message style: file,
column, rows as the user counts them, a few values) and returns the *sales digest*
(:data:`salesnb.schema.DIGEST_TABLES`, plus ``meta``: rows, first_date, last_date,
excluded_after_as_of): small tables made with ``GROUP BY`` inside DuckDB, so raw rows
never become a pandas frame.

CSV must be UTF-8 (with or without BOM): GB18030/GBK files need the pandas reader
(``engine: pandas``), or saving as UTF-8, because DuckDB reads UTF-8 only.

Passes over the data: one validation query (counts; a filtered query per problem found, for
its first rows and values), one ``GROUPING SETS`` query for all tables, and a lookup of each
customer's first sale. A CSV is parsed once into a typed temporary table first.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from pathlib import Path

import duckdb
import pandas as pd

from ..exceptions import DataError
from ..schema import DIGEST_NEEDS, DIGEST_TABLES
from .coerce import STR_DTYPE
from .duckdb_source import SHIFT, Source, only_plain_text, user_rows
from .duckdb_sql import relation, strip_ws
from .issues import Issue, as_of_date, raise_issues, resolve_columns, rows_text

__all__ = ["scan"]

_LIMIT_ROWS = 100  # row numbers kept per issue (the count is always exact)

_WHAT = {
    "bad_date": ("a date that cannot be read", "Write dates as YYYY-MM-DD (e.g. 2025-03-15)."),
    "not_numeric": ("not a number", "Write plain numbers such as 1234.50 (thousands separators "
                    "and ¥ $ € signs are allowed)."),
    "empty_value": ("empty", "Fill in every {col}."),
    "negative_amount": ("a negative amount (a return: kept and counted)", ""),
}



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
        raise DataError(src.read_error(e)) from None
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
            rows = user_rows(src, fidx, sorted(r_blank), n_all)
            issues.append(Issue("info", "sales", name, "blank_rows", None, rows, n_blank, [],
                                f"{name}: {n_blank} blank {src.noun}{'s' if n_blank > 1 else ''} "
                                f"skipped ({rows_text(rows, src.noun, count=n_blank)})."))
        for i, (sev, check, column, _, _) in enumerate(checks):
            count, ords, ex = row[8 + 3 * i: 11 + 3 * i]
            if not count:
                continue
            rows = user_rows(src, fidx, sorted(ords), n_all)
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
                   f"{rows_text(rows, src.noun, count=count)}{vals}.{fix}")
            issues.append(Issue(sev, "sales", name, check, column, rows, count, examples, msg))
        if n_dup:
            issues.append(Issue("warning", "sales", name, "duplicate_rows", None, [], n_dup, [],
                                f"{name}: {n_dup} {src.noun}{'s are' if n_dup > 1 else ' is'} "
                                "an exact repeat of an earlier one (kept and counted; the scan "
                                "engine counts repeats but does not list their rows)."))
    return issues, meta


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
    step, ktype = (1 << 63, "HUGEINT") if multi else (SHIFT, "BIGINT")
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
    stripped = [(strip_ws(c) if c == "cat" else f"nullif({strip_ws(c)}, '')") + f" AS {c}"
                if c in _STRINGS else c for c in cols]
    con.execute(f"CREATE TEMP TABLE _salesnb_g AS SELECT _g, {', '.join(stripped)}, amount, "
                f"quantity, lines, k FROM ({sql})")
    # every result is fetched as Arrow; :func:`_finish` makes them pandas once DuckDB has
    # closed and given its memory back
    arrow = {}
    for name, keys in sets.items():
        if name == "first":
            continue
        g = sum(1 << (len(cols) - 1 - i) for i, c in enumerate(cols) if c not in keys)
        names = ["date" if c == "m" else "category" if c == "cat" else c for c in keys]
        order = ", ".join(f"{c} NULLS LAST" for c in keys)
        arrow[name] = _arrow(
            con, f"SELECT {', '.join(f'{c} AS {n}' for c, n in zip(keys, names, strict=True))}, "
            "sum(amount)::DOUBLE AS amount, sum(quantity)::DOUBLE AS quantity, "
            f"sum(lines)::BIGINT AS lines FROM _salesnb_g WHERE _g = {g} "
            f"GROUP BY {', '.join(keys)} ORDER BY {order}")
    out: dict = {}
    if "customer_monthly" in sets:  # sales with no customer id, counted for their finding
        g = sum(1 << (len(cols) - 1 - i) for i, c in enumerate(cols)
                if c not in sets["customer_monthly"])
        n = con.execute(f"SELECT coalesce(sum(lines), 0) FROM _salesnb_g WHERE _g = {g} "
                        "AND customer_id IS NULL").fetchone()[0]
        out["_no_customer"] = int(n)
    who = None
    if "cube" in arrow and "first" in sets:
        g = sum(1 << (len(cols) - 1 - i) for i, c in enumerate(cols) if c != "customer_id")
        who = con.execute(
            f"SELECT date_trunc('month', date) AS date, nullif({strip_ws('team')}, '') AS team, "
            f"nullif({strip_ws('rep')}, '') AS rep, {strip_ws(cat)} AS category, "
            f"count(*)::BIGINT AS new_customers FROM {p} WHERE _ord IN ("
            f"SELECT ((min(k) % {step}) + {step}) % {step} FROM _salesnb_g WHERE _g = {g} "
            "AND customer_id IS NOT NULL GROUP BY customer_id) GROUP BY ALL").df()
    out["_arrow"], out["_who"] = arrow, who
    return out


def _finish(fetched: dict) -> dict[str, pd.DataFrame]:
    """Return the digest as pandas from :func:`_aggregate`'s Arrow tables (DuckDB closed by then).

    Each Arrow table is freed as it becomes pandas: at 10 M sales DuckDB's grouped table,
    the 5 M customer-month rows as Arrow and the same rows as pandas were alive at once
    (scan peak 2.4 GB).
    """
    arrow, who = fetched.pop("_arrow", {}), fetched.pop("_who", None)
    out = dict(fetched)
    for name in list(arrow):
        out[name] = _typed(_to_pandas(arrow.pop(name)))
    if "cube" in out:
        cube = out["cube"]
        if who is not None:
            cube = cube.merge(_typed(who), on=["date", "team", "rep", "category"], how="left")
            cube["new_customers"] = cube["new_customers"].fillna(0).astype("int64")
        else:
            cube = cube.assign(new_customers=0)
        cube.insert(0, "month", cube.pop("date").dt.to_period("M"))
        out["cube"] = cube
    res = {}
    for name, cols in DIGEST_TABLES.items():
        if name in out:
            df = out.pop(name)
            res[name] = df if list(df.columns) == list(cols) else df[cols].reset_index(drop=True)
    if "_no_customer" in out:
        res["_no_customer"] = out["_no_customer"]
    return res


_STRINGS = ("team", "rep", "customer_id", "product", "cat")
def _arrow(con, sql: str):
    """Run ``sql``; return the result as an Arrow table (see :func:`_to_pandas`)."""
    rel = con.sql(sql)
    return rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()


def _to_pandas(table) -> pd.DataFrame:
    """Return an Arrow result as pandas, freeing the Arrow columns as they are converted.

    Through Arrow is twice as fast as ``.df()`` on millions of rows with text keys
    (customer x month at 10 M sales: 2.6 s against 5.2 s): Arrow strings become pandas
    strings without a Python object per value (equal strings share one object).
    """
    return table.to_pandas(date_as_object=False, split_blocks=True, self_destruct=True)


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    """Set the digest's dtypes, in place (``df`` is a fresh frame of the scan's own)."""
    for c in df.columns:
        if c in ("team", "rep", "customer_id", "product", "category"):
            df[c] = df[c].astype(STR_DTYPE)
        elif c == "date":
            df[c] = df[c].astype("datetime64[ns]")
        elif c in ("amount", "quantity"):
            df[c] = df[c].astype("float64")
        elif c in ("lines", "new_customers"):
            df[c] = df[c].astype("int64")
    return df


def scan(source: str | Path | pd.DataFrame, *, columns: Mapping[str, str] | None = None,
         as_of: object = None,
         label: str | None = None, duplicates: bool | None = None,
         tables: Collection[str] = tuple(DIGEST_TABLES)) -> tuple[dict, list[Issue]]:
    """Validate sales and aggregate them to the sales digest inside DuckDB.

    Parameters
    ----------
    source : str, Path or DataFrame
        A CSV file (UTF-8), a Parquet file or a glob of Parquet files
        (``"sales/*.parquet"``), or a DataFrame (scanned in place, not copied).
    columns : mapping of str to str, optional
        Canonical name -> the user's column name, e.g. ``{"amount": "SubTotal"}``.
    as_of : str, date or None
        A month ``YYYY-MM`` (its last day) or a date; later rows are excluded from every
        table and counted (``meta["excluded_after_as_of"]`` and a warning).
    label : str, optional
        The name used for the source in messages (default: the path as given).
    duplicates : bool, optional
        Count rows that exactly repeat an earlier row. Default (None): yes for CSV and
        DataFrames; no for Parquet, where it would read every column (about 1.5 s per
        10 million rows) instead of only the columns the digest needs.
    tables : collection of str, default all
        The digest tables to compute; e.g. ``("cube",)`` for the monthly cube only (at 10
        million rows, ``customer_monthly`` alone has millions of rows).

    Returns
    -------
    (digest, issues) : tuple of dict and list of Issue
        ``digest`` maps ``daily`` (date, team, rep, amount, quantity, lines),
        ``customer_monthly`` (date = first of month, team, rep, customer_id, amount,
        quantity; when there is a customer_id column), ``product_monthly`` (date, team,
        product, category, amount, quantity; when there is a product column), ``cube`` (the
        columns of :func:`salesnb.cube.build_cube`) and ``meta`` (rows, first_date,
        last_date, excluded_after_as_of). ``issues`` are the warnings and info.

    Raises
    ------
    DataError
        Every error together (file, column, rows, values).

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
    cutoff = as_of_date(as_of)
    con = duckdb.connect(":memory:", config={"threads": os.cpu_count() or 1})
    con.execute("SET enable_progress_bar = false")  # no printing from a library function
    try:
        src = Source(con, source, label)
        types = src.describe(con)
        found, problems = resolve_columns(
            list(types), "sales", columns, name=src.name, need=DIGEST_NEEDS,
            why=" (the scan engine needs a team column: it does not join an org table)")
        raise_issues(problems, src.name)
        unknown = [t for t in tables if t not in DIGEST_TABLES]
        if unknown:
            raise ValueError(f"tables must name digest tables ({', '.join(DIGEST_TABLES)}), "
                             f"got {', '.join(map(repr, unknown))}")
        if duplicates is None:
            duplicates = src.kind != "parquet"
        if "product_monthly" not in tables:  # no check reads it: leave the column unread
            found.pop("product", None)
        only_plain_text(con, src, found, types)
        csv_file = src.kind == "csv"
        p, checks = relation(src, found, types, duplicates=duplicates, ordered=not csv_file)
        if csv_file:
            # parse the text once; every later query reads the typed table. Its rowid is the
            # input order (DuckDB keeps insertion order): a row_number() window would force
            # the parsing through one thread and cost more than all the rest of the scan
            try:
                ctas = f"CREATE TEMP TABLE _salesnb_p AS SELECT * FROM {p}"
                plan = "".join(r[1] for r in con.execute(f"EXPLAIN {ctas}").fetchall()).upper()
                if "JOIN" in plan or "WINDOW" in plan or "AGGREGATE" in plan:
                    # an operator that may reorder rows: number them explicitly (slower)
                    p, _ = relation(src, found, types, duplicates=duplicates)
                    ctas = f"CREATE TEMP TABLE _salesnb_p AS SELECT * FROM {p}"
                    p = "_salesnb_p"
                else:
                    p = "(SELECT rowid AS _ord, 0 AS _fidx, * FROM _salesnb_p)"
                con.execute(ctas)
            except duckdb.Error as e:
                raise DataError(src.read_error(e)) from None
        issues, meta = _validate(con, src, p, checks, found, cutoff, duplicates)
        raise_issues(issues, src.name)
        fetched = _aggregate(con, p, found, cutoff, set(tables), multi=len(src.files) > 1)
    finally:
        con.close()
    digest: dict = _finish(fetched)
    no_customer = digest.pop("_no_customer", None)
    digest["meta"] = {"rows": meta["rows"], "first_date": meta["first_date"],
                      "last_date": meta["last_date"],
                      "excluded_after_as_of": meta["rows"] - meta["kept"]}
    if no_customer:
        digest["meta"]["empty_customer_id"] = no_customer
    return digest, issues
