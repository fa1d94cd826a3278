"""Aggregate sales inside the database: the sales digest by a few GROUP BY queries.

:func:`aggregate_sql` computes the digest (:data:`salesnb.schema.DIGEST_TABLES`: daily,
customer_monthly, product_monthly, cube, and meta) in SQLite or PostgreSQL; no raw rows
leave the database. Columns are found by the one resolver
(:func:`salesnb.load.issues.resolve_columns`), dates after the as-of date by the one as-of
parser. SQLAlchemy is imported inside the functions that use it: it is heavy and only SQL
sources need it (import-time speed; no import circle is involved).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..exceptions import DataError, ParamsError
from ..schema import CUBE_COLUMNS, DIGEST_NEEDS
from .coerce import STR_DTYPE
from .issues import Issue, ScanFallback, as_of_date, raise_issues, resolve_columns, rows_text
from .sql import connect, db_error, fetch, from_clause
from .sql_spec import check_spec, source_label

__all__ = ["aggregate_sql"]


def _exprs(found: dict, dialect) -> dict:
    """Return SQL expressions of the canonical columns over ``src`` (dialect switches)."""
    q = dialect.identifier_preparer.quote
    col = {c: f"src.{q(u)}" for c, u in found.items()}
    name = dialect.name

    def text(c):
        return f"NULLIF(TRIM(CAST({col[c]} AS VARCHAR)), '')" if c in col else "NULL"

    if name == "sqlite":
        day, month = f"date({col['date']})", f"strftime('%Y-%m-01', {col['date']})"
    else:  # PostgreSQL, DuckDB and most others
        day = f"CAST({col['date']} AS DATE)"
        month = f"CAST(date_trunc('month', CAST({col['date']} AS DATE)) AS DATE)"
    qty = f"COALESCE(CAST({col['quantity']} AS DOUBLE PRECISION), 0)" if "quantity" in col else "0"
    return {"d": day, "m": month, "team": text("team"), "rep": text("rep"),
            "amount": f"CAST({col['amount']} AS DOUBLE PRECISION)", "quantity": qty,
            "customer_id": text("customer_id"), "product": text("product"),
            "category": f"COALESCE({text('category')}, '')", "raw": col}


def _validate(con, frm: str, e: dict, found: dict, dialect, label: str) -> None:
    """Count empty or unreadable dates, teams, reps and amounts in the database; raise for them.

    The same message style as the file reader (source, column, count, the first records)
    and the same DataError carrying :class:`~salesnb.load.issues.Issue` objects.
    """
    import sqlalchemy as sa
    raw = e["raw"]
    if dialect.name == "sqlite":
        bad_date = f"{e['d']} IS NULL"
        bad_amount = (f"({raw['amount']} IS NULL OR (typeof({raw['amount']}) = 'text' AND "
                      f"(TRIM({raw['amount']}) = '' OR TRIM({raw['amount']}) GLOB "
                      "'*[^0-9.eE+-]*')))")
    elif dialect.name == "postgresql":
        bad_date = (f"({raw['date']} IS NULL OR CAST({raw['date']} AS TEXT) !~ "
                    r"'^\s*\d{4}-\d{1,2}-\d{1,2}([ T].*)?\s*$')")
        bad_amount = (f"({raw['amount']} IS NULL OR CAST({raw['amount']} AS TEXT) !~ "
                      r"'^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$')")
    else:
        bad_date, bad_amount = f"{raw['date']} IS NULL", f"{raw['amount']} IS NULL"
    where = "in the source or its query"
    checks = {"date": (bad_date, "bad_date", "empty or not a date",
                       f"Write every date as YYYY-MM-DD {where}."),
              "amount": (bad_amount, "not_numeric", "empty or not a plain number",
                         f"Write every amount as a plain number such as 1234.50 {where}."),
              "team": (f"{e['team']} IS NULL", "empty_value", "empty",
                       f"Fill in every team {where}."),
              "rep": (f"{e['rep']} IS NULL", "empty_value", "empty", f"Fill in every rep {where}.")}
    sums = ", ".join(f"SUM(CASE WHEN {c[0]} THEN 1 ELSE 0 END)" for c in checks.values())
    counts = con.execute(sa.text(f"SELECT {sums} FROM {frm} AS src")).one()
    problems = []
    for (c, (cond, check, what, fix)), n in zip(checks.items(), counts, strict=True):
        if not n:
            continue
        rows = [int(r) for r in con.execute(sa.text(
            f"SELECT rn FROM (SELECT ROW_NUMBER() OVER () AS rn, CASE WHEN {cond} THEN 1 ELSE 0 "
            f"END AS bad FROM {frm} AS src) AS t WHERE bad = 1 ORDER BY rn LIMIT 10")).scalars()]
        n = int(n)
        yours = f" (your '{found[c]}')" if found[c] != c else ""
        problems.append(Issue("error", "sales", label, check, c, rows, n, [],
                              f"{label}: column '{c}'{yours}: {what} in {n} record"
                              f"{'s' if n != 1 else ''}: {rows_text(rows, 'record', count=n)}. "
                              f"{fix}"))
    raise_issues(problems, label)


def aggregate_sql(spec: Mapping, *, columns: Mapping[str, str] | None = None,
                  as_of: object = None, base_dir: str | Path | None = None,
                  label: str | None = None) -> dict:
    """Compute the sales digest inside the database with a few GROUP BY queries.

    The source needs date, team, rep and amount columns; empty or unreadable ones raise
    one DataError (checked in the database).

    Parameters
    ----------
    spec : mapping
        The sales SQL source ``{url: ..., table: ...}`` or ``{url: ..., query: ...}``.
    columns : mapping of str to str, optional
        Canonical sales name -> the source's, e.g. ``{"amount": "SubTotal"}``.
    as_of : str, date or None
        A month ``YYYY-MM`` (its last day) or a date: later sales are left out of every
        table (:func:`salesnb.load.issues.as_of_date`).
    base_dir : str or Path, optional
        The folder relative SQLite paths start from.
    label : str, optional
        The source's name in messages (default: its safe url and table or query).

    Returns
    -------
    dict
        DataFrames ``daily`` (date, team, rep, amount, quantity, lines),
    ``customer_monthly`` (date, team, rep, customer_id, amount, quantity; only with a
    customer_id column), ``product_monthly`` (date, team, product, category, amount,
    quantity; only with a product column), ``cube`` (the columns of
    :func:`salesnb.cube.build_cube`) and ``meta`` (a dict: rows, first_date, last_date,
    excluded_after_as_of). ``date`` is a day (daily) or a month's first day.

    Examples
    --------
    >>> import sqlite3, tempfile
    >>> d = tempfile.mkdtemp()
    >>> with sqlite3.connect(f"{d}/crm.db") as con:
    ...     _ = con.execute("create table s (date text, team text, rep text, amount real)")
    ...     _ = con.executemany("insert into s values (?, 'East', ?, ?)", [
    ...         ("2025-01-03", "Ann", 100), ("2025-01-20", "Ann", 50), ("2025-02-01", "Bob", 30)])
    >>> dg = aggregate_sql({"url": "sqlite:///crm.db", "table": "s"}, base_dir=d)
    >>> dg["cube"][["month", "rep", "amount", "lines"]]
         month  rep  amount  lines
    0  2025-01  Ann   150.0      2
    1  2025-02  Bob    30.0      1
    >>> dg["meta"]["rows"], dg["meta"]["last_date"]
    (3, Timestamp('2025-02-01 00:00:00'))
    """
    import sqlalchemy as sa  # heavy and only for SQL sources: imported on use (no circle)

    label = label or source_label(spec)
    check_spec(spec)
    cutoff = as_of_date(as_of)
    engine, secrets = connect(spec, base_dir, label)
    dialect = engine.dialect
    frm = from_clause(spec, dialect)
    doing = "reading the columns"
    try:
        with engine.connect() as con:
            names = list(con.execute(sa.text(f"SELECT * FROM {frm} AS src WHERE 1 = 0")).keys())
            found, problems = resolve_columns(
                names, "sales", columns, name=label, need=DIGEST_NEEDS, noun="source",
                why=" (aggregating in the database needs a team column: it does not join an "
                    "org table)")
            raise_issues(problems, label)
            if "currency" in found or any(str(c).strip().lower() == "currency" for c in names):
                raise ScanFallback(f"{label}: it has a currency column, which only the pandas "
                                   "reader applies")
            e = _exprs(found, dialect)
            doing = "checking the data"
            _validate(con, frm, e, found, dialect, label)
            warnings = _warnings(con, frm, e, names, dialect)
            lit = "NULL"
            if cutoff is not None:
                lit = (f"'{cutoff:%Y-%m-%d}'" if dialect.name == "sqlite"
                       else f"CAST('{cutoff:%Y-%m-%d}' AS DATE)")
            keep = "1 = 1" if cutoff is None else f"d <= {lit}"
            base = (f"WITH allrows AS (SELECT ROW_NUMBER() OVER () AS rn, {e['d']} AS d, "
                    f"{e['m']} AS m, {e['team']} AS team, {e['rep']} AS rep, {e['amount']} AS "
                    f"amount, {e['quantity']} AS quantity, {e['customer_id']} AS customer_id, "
                    f"{e['product']} AS product, {e['category']} AS category FROM {frm} AS src), "
                    f"base AS (SELECT * FROM allrows WHERE {keep}) ")
            doing = "aggregating"

            def run(sql):
                return fetch(con, sa.text(base + sql))

            meta = run(f"SELECT COUNT(*) AS n_rows, SUM(CASE WHEN {keep} THEN 0 ELSE 1 END) AS "
                       f"n_late, MIN(CASE WHEN {keep} THEN d END) AS first_d, "
                       f"MAX(CASE WHEN {keep} THEN d END) AS last_d FROM allrows").iloc[0]
            sums = "SUM(amount) AS amount, SUM(quantity) AS quantity"
            out = {"daily": run(f"SELECT d AS date, team, rep, {sums}, COUNT(*) AS lines "
                                "FROM base GROUP BY d, team, rep")}
            if "customer_id" in found:
                out["customer_monthly"] = run(
                    f"SELECT m AS date, team, rep, customer_id, {sums} FROM base "
                    "GROUP BY m, team, rep, customer_id")
            if "product" in found:
                out["product_monthly"] = run(
                    f"SELECT m AS date, team, product, category, {sums} FROM base "
                    "GROUP BY m, team, product, category")
            keys = "m, team, rep, category"
            cube = (f"SELECT {keys}, {sums}, COUNT(*) AS lines FROM base GROUP BY {keys}")
            if "customer_id" in found:
                newc = (f"SELECT {keys}, COUNT(*) AS n FROM (SELECT {keys}, ROW_NUMBER() OVER "
                        "(PARTITION BY customer_id ORDER BY d, rn) AS k FROM base WHERE "
                        f"customer_id IS NOT NULL) AS f WHERE k = 1 GROUP BY {keys}")
                cube = (f"SELECT a.*, COALESCE(n.n, 0) AS new_customers FROM ({cube}) AS a "
                        f"LEFT JOIN ({newc}) AS n ON a.m = n.m AND a.team = n.team "
                        "AND a.rep = n.rep AND a.category = n.category")
            out["cube"] = run(cube).rename(columns={"m": "month"})
            if "new_customers" not in out["cube"]:
                out["cube"]["new_customers"] = 0
            warnings["duplicate_rows"] = _repeats(con, frm, names, dialect)  # last: it may fail
    except (DataError, ParamsError):
        raise
    except Exception as exc:  # noqa: BLE001 - never let a driver message carry a secret out
        raise db_error(exc, label, secrets, doing) from None
    finally:
        engine.dispose()
    for name, df in out.items():
        out[name] = _tidy(df, name)
    out["cube"] = out["cube"][CUBE_COLUMNS]
    out["meta"] = {"rows": int(meta["n_rows"]),
                   "first_date": _day(meta["first_d"]), "last_date": _day(meta["last_d"]),
                   "excluded_after_as_of": int(meta["n_late"] or 0), **warnings}
    return out


def _warnings(con, frm: str, e: dict, names: list[str], dialect) -> dict:
    """Count returns: negative amounts, with their first records (repeats: _repeats)."""
    import sqlalchemy as sa
    n_neg = con.execute(sa.text(f"SELECT SUM(CASE WHEN {e['amount']} < 0 THEN 1 ELSE 0 END) "
                                f"FROM {frm} AS src")).scalar() or 0
    rows = []
    if n_neg:
        rows = list(con.execute(sa.text(
            f"SELECT rn FROM (SELECT ROW_NUMBER() OVER () AS rn, {e['amount']} AS a FROM {frm} "
            "AS src) AS t WHERE a < 0 ORDER BY rn LIMIT 10")).scalars())
    return {"negative_amount": int(n_neg), "negative_amount_records": [int(r) for r in rows]}


def _repeats(con, frm: str, names: list[str], dialect) -> int | None:
    """Count rows that exactly repeat an earlier one.

    None when the database cannot group by every column (a query with repeated column
    names, a JSON column).
    """
    import sqlalchemy as sa
    q = dialect.identifier_preparer.quote
    cols = ", ".join(q(n) for n in names)
    try:
        n_dup = con.execute(sa.text(
            f"SELECT SUM(n - 1) FROM (SELECT COUNT(*) AS n FROM {frm} AS src GROUP BY {cols}) "
            "AS g WHERE n > 1")).scalar()
    except sa.exc.SQLAlchemyError:
        return None
    return int(n_dup or 0)


def _day(v):
    return None if v is None or pd.isna(v) else pd.Timestamp(v).normalize()


def _tidy(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """Give a fetched table the digest's dtypes and sort order."""
    df = df.copy()
    when = "month" if name == "cube" else "date"
    df[when] = pd.to_datetime(df[when].astype(str)).astype("datetime64[ns]")
    if name == "cube":
        df["month"] = df["month"].dt.to_period("M")
    for c in ("team", "rep", "customer_id", "product", "category"):
        if c in df:
            df[c] = df[c].astype(STR_DTYPE)
    for c in ("amount", "quantity"):
        df[c] = df[c].astype("float64")
    for c in ("lines", "new_customers"):
        if c in df:
            df[c] = df[c].astype("int64")
    keys = [c for c in (when, "team", "rep", "customer_id", "product", "category") if c in df]
    return df.sort_values(keys, kind="stable").reset_index(drop=True)
