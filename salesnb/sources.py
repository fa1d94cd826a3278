"""Read tables from SQL databases and aggregate sales inside the database.

A SQL source is a mapping in the params file (or a ``load_dataset`` argument)::

    sales: {url: "postgresql://analyst:${CRM_PASSWORD}@db/crm", table: orders}
    targets: {url: "sqlite:///crm.db", query: "select * from targets where year >= 2024"}

exactly one of ``table`` (optionally ``schema.table``) or ``query``. ``${VAR}`` and ``$VAR``
in the url are replaced by environment variables when connecting, never earlier, so the
password lives only in the environment: messages, :attr:`salesnb.io.Dataset.sources`,
run records and exceptions show the url with the password as ``***``. A relative SQLite
path (``sqlite:///data/crm.db``) resolves against ``base_dir`` like file paths.

* :func:`read_sql_source` - all rows and columns as they come (then :mod:`salesnb.io`
  renames, coerces and validates them like a file's).
* :func:`aggregate_sql` - the sales digest (see ``engine``'s contract: daily,
  customer_monthly, product_monthly, cube, meta) computed by GROUP BY queries in the
  database (SQLite and PostgreSQL); no raw rows leave the database.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from .exceptions import DataError, ParamsError

__all__ = ["is_sql_source", "expand_env", "safe_url", "source_label", "read_sql_source",
           "aggregate_sql", "SQL_KEYS"]

SQL_KEYS = ("url", "table", "query")
_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*)|(\$))")
_STR_DTYPE = "str" if int(pd.__version__.split(".")[0]) >= 3 else object
_SECRET_KEYS = ("password", "passwd", "pwd", "token", "secret", "key", "credential")


def is_sql_source(source) -> bool:
    """Return True when ``source`` is a mapping (a SQL source), False for paths and frames."""
    return isinstance(source, Mapping)


def _check_spec(spec) -> None:
    if not isinstance(spec, Mapping):
        raise ParamsError(f"a SQL source must be a mapping such as {{url: ..., table: ...}}, "
                          f"got {type(spec).__name__}")
    unknown = sorted(set(map(str, spec)) - set(SQL_KEYS))
    if unknown or not isinstance(spec.get("url"), str) or not spec["url"].strip():
        raise ParamsError(
            f"a SQL source takes the keys url and table or query; got "
            f"{', '.join(map(repr, sorted(map(str, spec)))) or 'no keys'}. Write e.g. "
            '{url: "postgresql://analyst:${CRM_PASSWORD}@db/crm", table: orders}.')
    given = [k for k in ("table", "query") if spec.get(k) not in (None, "")]
    if len(given) != 1:
        raise ParamsError(f"the SQL source {safe_url(spec['url'])} must give exactly one of "
                          f"table or query, got {' and '.join(given) or 'neither'}.")


def expand_env(text: str, *, environ: Mapping[str, str] | None = None) -> str:
    """Replace ``${VAR}`` and ``$VAR`` by environment variables (``$$`` is a literal ``$``).

    Raises DataError naming the first variable that is not set.

    Examples
    --------
    >>> expand_env("postgresql://analyst:${PW}@db/crm", environ={"PW": "s3cret"})
    'postgresql://analyst:s3cret@db/crm'
    >>> expand_env("cost $$5 for $USER", environ={"USER": "ann"})
    'cost $5 for ann'
    >>> expand_env("x${NOPE}", environ={})
    Traceback (most recent call last):
    ...
    salesnb.exceptions.DataError: environment variable NOPE is not set (used as ${NOPE}); set it before the run, e.g. export NOPE=...
    """
    env = os.environ if environ is None else environ

    def sub(m):
        if m.group(3):
            return "$"
        name = m.group(1) or m.group(2)
        if name not in env:
            raise DataError(f"environment variable {name} is not set (used as {m.group(0)}); "
                            f"set it before the run, e.g. export {name}=...")
        return env[name]

    return _VAR.sub(sub, text)


def safe_url(url: str) -> str:
    """Return ``url`` with its password (and secret-looking query values) shown as ``***``.

    Examples
    --------
    >>> safe_url("postgresql://analyst:${CRM_PASSWORD}@db/crm")
    'postgresql://analyst:***@db/crm'
    >>> safe_url("postgresql://ann:pw@db:5432/crm?sslmode=require&api_token=abc")
    'postgresql://ann:***@db:5432/crm?sslmode=require&api_token=***'
    >>> safe_url("sqlite:///data/crm.db")
    'sqlite:///data/crm.db'
    """
    from sqlalchemy.engine import make_url
    text = str(url).strip()
    try:
        make_url(expand_env(text, environ=_Anything()))
    except Exception:  # noqa: BLE001 - unparsable: show the scheme only
        scheme = text.split("://", 1)[0] if "://" in text else "sql"
        return f"{scheme}://***"
    # textual, so the rest stays as written (SQLAlchemy would %-escape ${VAR})
    text = re.sub(r"^([\w+]+://[^:/@]*):[^@]*@", r"\1:***@", text)
    head, qm, query = text.partition("?")
    if qm:
        query = "&".join(
            f"{k}=***" if any(w in k.lower() for w in _SECRET_KEYS) else f"{k}{eq}{v}"
            for k, eq, v in (p.partition("=") for p in query.split("&")))
    return head + qm + query


class _Anything(dict):
    """An environ in which every variable is set (to check a url's shape)."""

    def __contains__(self, key):
        return True

    def __getitem__(self, key):
        return "x"


def source_label(spec: Mapping) -> str:
    """Return the name a SQL source goes by in messages: the safe url and the table or query.

    Examples
    --------
    >>> source_label({"url": "postgresql://ann:${PW}@db/crm", "table": "orders"})
    'postgresql://ann:***@db/crm table orders'
    >>> source_label({"url": "sqlite:///crm.db", "query": "select * from orders"})
    "sqlite:///crm.db query 'select * from orders'"
    """
    _check_spec(spec)
    if spec.get("table") not in (None, ""):
        return f"{safe_url(spec['url'])} table {spec['table']}"
    q = " ".join(str(spec["query"]).split())
    return f"{safe_url(spec['url'])} query {(q if len(q) <= 60 else q[:57] + '...')!r}"


# ---------------------------------------------------------------- connecting
def _expand_url(url: str) -> tuple[str, list[str]]:
    """Expand variables; values in the user/password part and the query are %-quoted."""
    secrets: list[str] = []

    def part(text: str, quoted: bool) -> str:
        for m in _VAR.finditer(text):
            if not m.group(3):
                secrets.append(expand_env(m.group(0)))
        if not quoted:
            return expand_env(text)
        return _VAR.sub(lambda m: "$" if m.group(3) else quote(expand_env(m.group(0)), safe=""),
                        text)

    scheme, sep, rest = url.partition("://")
    if not sep:
        return expand_env(url), secrets
    auth, at, hostpart = rest.rpartition("@")
    head = f"{scheme}://" + (part(auth, True) + "@" if at else "")
    body = hostpart if at else rest
    path, qm, query = body.partition("?")
    return head + part(path, False) + (qm + part(query, True) if qm else ""), secrets


def _engine(spec: Mapping, base_dir, label: str):
    """Create a SQLAlchemy engine for the spec; return (engine, secrets to scrub)."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url
    url, secrets = _expand_url(str(spec["url"]).strip())
    try:
        u = make_url(url)
    except Exception:  # noqa: BLE001 - the message could echo the url
        raise DataError(f"{label}: the url is not a database URL; write it like "
                        "postgresql://user:${PASSWORD}@host:5432/dbname or sqlite:///file.db"
                        ) from None
    if u.password:
        secrets.append(str(u.password))
    if u.get_backend_name() == "sqlite" and u.database not in (None, "", ":memory:"):
        path = Path(u.database)
        if base_dir is not None and not path.is_absolute():
            path = Path(base_dir) / path
        if not path.is_file():
            raise DataError(f"{label}: SQLite database file not found ({path}); check the url "
                            "(relative paths start from the params file's folder)")
        u = u.set(database=str(path))
    if u.drivername == "postgresql":  # SQLAlchemy's default driver is psycopg2
        try:
            import psycopg2  # noqa: F401
        except ImportError:
            u = u.set(drivername="postgresql+psycopg")
    try:
        return sa.create_engine(u), secrets
    except Exception as e:  # noqa: BLE001 - e.g. the driver is not installed
        raise DataError(f"{label}: cannot use this database: {_clean(e, secrets)}. Install its "
                        "driver (PostgreSQL: pip install 'salesnb[postgres]').") from None


def _root(exc: BaseException) -> BaseException:
    """Return the SQLAlchemy error behind ``exc`` (pandas and drivers wrap them)."""
    from sqlalchemy import exc as sa_exc
    seen, e = set(), exc
    while e is not None and id(e) not in seen:
        if isinstance(e, sa_exc.SQLAlchemyError):
            return e
        seen.add(id(e))
        e = e.__cause__ or e.__context__
    return exc


def _clean(exc: BaseException, secrets: list[str]) -> str:
    """Return the first lines of a database error with every secret replaced by ***."""
    exc = _root(exc)
    text = str(getattr(exc, "orig", None) or exc)
    text = re.sub(r"\(Background on this error at:.*?\)|\[SQL: .*?\]|\[parameters: .*?\]",
                  "", text, flags=re.S)
    text = " ".join(line.strip() for line in text.strip().splitlines()[:3] if line.strip())
    for s in sorted(set(secrets), key=len, reverse=True):
        if len(s) >= 3:
            text = text.replace(s, "***").replace(quote(s, safe=""), "***")
    return text[:400] or type(exc).__name__


def _fail(exc: BaseException, label: str, secrets: list[str], doing: str) -> DataError:
    from sqlalchemy import exc as sa_exc
    exc = _root(exc)
    if isinstance(exc, sa_exc.OperationalError) and "connect" in str(exc).lower():
        fix = ("Check the url's host, port, user and database, that the server runs, and that "
               "the password variable holds the right password.")
    elif isinstance(exc, (sa_exc.ProgrammingError, sa_exc.OperationalError)):
        fix = "Check the table name or the query (and the columns mapping)."
    else:
        fix = "Check the url and the table or query."
    return DataError(f"{label}: {doing} failed: {_clean(exc, secrets)}. {fix}")


def _from_clause(spec: Mapping, dialect) -> str:
    if spec.get("table") not in (None, ""):
        q = dialect.identifier_preparer.quote
        return ".".join(q(p) for p in str(spec["table"]).split("."))
    query = str(spec["query"]).strip().rstrip(";")
    return f"({query})"


def _fetch(con, statement) -> pd.DataFrame:
    res = con.execute(statement)
    return pd.DataFrame.from_records(res.fetchall(), columns=list(res.keys()),
                                     coerce_float=True)


def read_sql_source(spec: Mapping, *, label: str | None = None, base_dir=None) -> pd.DataFrame:
    """Read every row of a SQL source's table or query, columns as the database returns them.

    ``label`` names the source in messages (default :func:`source_label`). Rows keep the
    query's order; :mod:`salesnb.io` numbers them as records from 1.

    Returns
    -------
    DataFrame with the source's columns and a fresh RangeIndex.

    Examples
    --------
    >>> import sqlite3, tempfile
    >>> d = tempfile.mkdtemp()
    >>> with sqlite3.connect(f"{d}/crm.db") as con:
    ...     _ = con.execute("create table orders (day text, rep text, total real)")
    ...     _ = con.execute("insert into orders values ('2025-01-02', 'Ann', 10.5)")
    >>> read_sql_source({"url": "sqlite:///crm.db", "table": "orders"}, base_dir=d)
              day  rep  total
    0  2025-01-02  Ann   10.5
    """
    import sqlalchemy as sa
    label = label or source_label(spec)
    _check_spec(spec)
    engine, secrets = _engine(spec, base_dir, label)
    try:
        with engine.connect() as con:
            sql = f"SELECT * FROM {_from_clause(spec, engine.dialect)} AS src"
            df = _fetch(con, sa.text(sql))
    except DataError:
        raise
    except Exception as e:  # noqa: BLE001 - never let a driver message carry a secret out
        raise _fail(e, label, secrets, "reading") from None
    finally:
        engine.dispose()
    return df.reset_index(drop=True)


# ---------------------------------------------------------------- aggregating
def _sales_columns(names: list[str], columns: Mapping[str, str] | None, label: str) -> dict:
    """Map canonical sales columns to the source's columns (as salesnb.io does)."""
    from .schema import SALES
    columns = dict(columns or {})
    unknown = [c for c in columns if c not in SALES.names]
    if unknown:
        raise ParamsError(f"columns mapping for sales names unknown column(s) "
                          f"{', '.join(map(repr, unknown))}; allowed: {', '.join(SALES.names)}")
    found, lower = {}, {}
    for n in names:
        lower.setdefault(n.lower(), []).append(n)
    for canon in SALES.names:
        if canon in columns:
            if columns[canon] not in names:
                raise DataError(f"{label}: column '{canon}' is mapped to your '{columns[canon]}',"
                                f" which the source does not have; it has "
                                f"{', '.join(map(repr, names))}. Fix the 'columns:' mapping.")
            found[canon] = columns[canon]
        elif canon in names:
            found[canon] = canon
        elif len(lower.get(canon, [])) == 1:
            found[canon] = lower[canon][0]
    missing = [c for c in ("date", "team", "rep", "amount") if c not in found]
    if missing:
        raise DataError(f"{label}: missing column(s) {', '.join(map(repr, missing))} needed to "
                        f"aggregate in the database; the source has {', '.join(map(repr, names))}."
                        " Map your names with 'columns:' (a team column is required here).")
    return found


def _exprs(found: dict, dialect) -> dict:
    """SQL expressions of the canonical columns over ``src`` (dialect switches)."""
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
    """Count empty or unreadable dates, teams, reps and amounts in the database."""
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
    checks = {"date": (bad_date, "empty or not a date"), "amount": (bad_amount, "empty or not "
              "a plain number"), "team": (f"{e['team']} IS NULL", "empty"),
              "rep": (f"{e['rep']} IS NULL", "empty")}
    sums = ", ".join(f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)" for cond, _ in checks.values())
    counts = con.execute(sa.text(f"SELECT {sums} FROM {frm} AS src")).one()
    problems = []
    for (c, (cond, what)), n in zip(checks.items(), counts, strict=True):
        if not n:
            continue
        ex = con.execute(sa.text(
            f"SELECT rn FROM (SELECT ROW_NUMBER() OVER () AS rn, CASE WHEN {cond} THEN 1 ELSE 0 "
            f"END AS bad FROM {frm} AS src) AS t WHERE bad = 1 ORDER BY rn LIMIT 5")).scalars()
        yours = f" (your '{found[c]}')" if found[c] != c else ""
        more = " ..." if n > 5 else ""
        problems.append(f"- {label}: column '{c}'{yours}: {what} in {int(n)} record"
                        f"{'s' if n != 1 else ''}: records {', '.join(map(str, ex))}{more}.")
    if problems:
        raise DataError(f"{label}: {len(problems)} problem{'s' if len(problems) > 1 else ''} to "
                        "fix before aggregating in the database:\n" + "\n".join(problems)
                        + "\nFill in every date, team, rep and amount (dates as YYYY-MM-DD, "
                        "amounts as numbers) in the source or its query.")


def aggregate_sql(spec: Mapping, *, columns: Mapping[str, str] | None = None, as_of=None,
                  base_dir=None, label: str | None = None) -> dict:
    """Compute the sales digest inside the database with a few GROUP BY queries.

    ``spec`` is the sales SQL source; ``columns`` maps canonical sales names to the source's
    (``{"amount": "SubTotal"}``); ``as_of`` (``YYYY-MM`` = its last day, or a date) leaves
    later sales out of every table. The source needs date, team, rep and amount columns;
    empty or unreadable ones raise one DataError (checked in the database).

    Returns
    -------
    dict of DataFrames: ``daily`` (date, team, rep, amount, quantity, lines),
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
    import sqlalchemy as sa

    from .cube import CUBE_COLUMNS
    from .io import _as_of_date
    label = label or source_label(spec)
    _check_spec(spec)
    cutoff = _as_of_date(as_of)
    engine, secrets = _engine(spec, base_dir, label)
    dialect = engine.dialect
    frm = _from_clause(spec, dialect)
    doing = "reading the columns"
    try:
        with engine.connect() as con:
            names = list(con.execute(sa.text(f"SELECT * FROM {frm} AS src WHERE 1 = 0")).keys())
            found = _sales_columns(names, columns, label)
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
                return _fetch(con, sa.text(base + sql))

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
        raise _fail(exc, label, secrets, doing) from None
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
    """Count rows that exactly repeat an earlier one; None when the database cannot group
    by every column (a query with repeated column names, a JSON column)."""
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
            df[c] = df[c].astype(_STR_DTYPE)
    for c in ("amount", "quantity"):
        df[c] = df[c].astype("float64")
    for c in ("lines", "new_customers"):
        if c in df:
            df[c] = df[c].astype("int64")
    keys = [c for c in (when, "team", "rep", "customer_id", "product", "category") if c in df]
    return df.sort_values(keys, kind="stable").reset_index(drop=True)
