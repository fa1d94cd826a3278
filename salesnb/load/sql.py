"""SQL sources: connecting (secrets expanded only then) and reading their rows.

A SQL source is a mapping in the params file (or a ``load_dataset`` argument)::

    sales: {url: "postgresql://analyst:${CRM_PASSWORD}@db/crm", table: orders}
    targets: {url: "sqlite:///crm.db", query: "select * from targets where year >= 2024"}

exactly one of ``table`` (optionally ``schema.table``) or ``query``. ``${VAR}`` and ``$VAR``
in the url are replaced by environment variables when connecting, never earlier, so the
password lives only in the environment: messages, :attr:`salesnb.io.Dataset.sources`,
run records and exceptions show the url with the password as ``***``. A relative SQLite
path (``sqlite:///data/crm.db``) resolves against ``base_dir`` like file paths.

* :func:`read_sql_source` - all rows and columns as they come (then
  :func:`salesnb.load.tables.load_table` renames, coerces and validates them like a file's).
* :func:`salesnb.load.sql_digest.aggregate_sql` - the sales digest computed by GROUP BY
  queries in the database; no raw rows leave the database.

SQLAlchemy is imported inside the functions that connect, not at the top: it is heavy and
only SQL sources need it (import-time speed; no import circle is involved).
"""


from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from ..exceptions import DataError
from .sql_spec import check_spec, expand_url, source_label

__all__ = ["connect", "db_error", "from_clause", "fetch", "read_sql_source"]


def connect(spec: Mapping, base_dir: str | Path | None, label: str) -> tuple[object, list[str]]:
    """Create a SQLAlchemy engine for a SQL source (variables expanded only now).

    Parameters
    ----------
    spec : mapping
        The SQL source.
    base_dir : str or Path, optional
        The folder relative SQLite paths start from.
    label : str
        The source's name in messages.

    Returns
    -------
    (engine, secrets) : tuple of sqlalchemy.engine.Engine and list of str
        The engine and the secret values to scrub from any message.

    Raises
    ------
    DataError
        For a url that is no database URL, a missing SQLite file or a missing driver.
    """
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url
    url, secrets = expand_url(str(spec["url"]).strip())
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
    if u.drivername == "postgresql":  # psycopg 3 (salesnb[postgres]), not SQLAlchemy's psycopg2
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


def db_error(exc: BaseException, label: str, secrets: list[str], doing: str) -> DataError:
    """Return the DataError for a database failure, with every secret scrubbed and a fix.

    Parameters
    ----------
    exc : BaseException
        What the driver or SQLAlchemy raised.
    label : str
        The source's name in messages.
    secrets : list of str
        Values never to show (passwords, tokens).
    doing : str
        What failed, e.g. ``"reading"``.

    Returns
    -------
    DataError
    """
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


def from_clause(spec: Mapping, dialect: object) -> str:
    """Return the SQL a ``FROM`` takes for the source: its quoted table or ``(query)``.

    Parameters
    ----------
    spec : mapping
        The SQL source.
    dialect : sqlalchemy.engine.Dialect
        The database's dialect (for quoting).

    Returns
    -------
    str
    """
    if spec.get("table") not in (None, ""):
        q = dialect.identifier_preparer.quote
        return ".".join(q(p) for p in str(spec["table"]).split("."))
    query = str(spec["query"]).strip().rstrip(";")
    return f"({query})"


def fetch(con: object, statement: object) -> pd.DataFrame:
    """Run a statement and return its rows as a DataFrame (columns as the database names them).

    Parameters
    ----------
    con : sqlalchemy.engine.Connection
        An open connection.
    statement : sqlalchemy.sql.expression.TextClause
        The query.

    Returns
    -------
    DataFrame
    """
    res = con.execute(statement)
    return pd.DataFrame.from_records(res.fetchall(), columns=list(res.keys()),
                                     coerce_float=True)


def read_sql_source(spec: Mapping, *, label: str | None = None,
                    base_dir: str | Path | None = None) -> pd.DataFrame:
    """Read every row of a SQL source's table or query, columns as the database returns them.

    Rows keep the query's order; the loader numbers them as records from 1.

    Parameters
    ----------
    spec : mapping
        The SQL source ``{url: ..., table: ...}`` or ``{url: ..., query: ...}``.
    label : str, optional
        The source's name in messages (default :func:`source_label`).
    base_dir : str or Path, optional
        The folder relative SQLite paths start from.

    Returns
    -------
    DataFrame
        The source's columns and a fresh RangeIndex.

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
    check_spec(spec)
    engine, secrets = connect(spec, base_dir, label)
    try:
        with engine.connect() as con:
            sql = f"SELECT * FROM {from_clause(spec, engine.dialect)} AS src"
            df = fetch(con, sa.text(sql))
    except DataError:
        raise
    except Exception as e:  # noqa: BLE001 - never let a driver message carry a secret out
        raise db_error(e, label, secrets, "reading") from None
    finally:
        engine.dispose()
    return df.reset_index(drop=True)
