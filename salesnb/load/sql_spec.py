"""SQL sources: what a source spec holds, environment variables in urls, and safe urls.

A SQL source is a mapping in the params file (or a ``load_dataset`` argument)::

    sales: {url: "postgresql://analyst:${CRM_PASSWORD}@db/crm", table: orders}
    targets: {url: "sqlite:///crm.db", query: "select * from targets where year >= 2024"}

exactly one of ``table`` (optionally ``schema.table``) or ``query``. ``${VAR}`` and ``$VAR``
in the url are replaced by environment variables when connecting, never earlier, so the
password lives only in the environment: messages, ``Dataset.sources``, run records and
exceptions show the url with the password as ``***`` (:func:`safe_url`).

SQLAlchemy's url parser is imported inside :func:`safe_url`: it is heavy and only SQL
sources need it (import-time speed; no import circle is involved).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from urllib.parse import quote, unquote

from ..exceptions import DataError, ParamsError

__all__ = ["SQL_KEYS", "is_sql_source", "check_spec", "expand_env", "is_reference", "safe_url", "source_label",
           "expand_url"]

SQL_KEYS = ("url", "table", "query")
_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*)|(\$))")
_SECRET_KEYS = ("password", "passwd", "pwd", "token", "secret", "key", "credential")


def is_sql_source(source: object) -> bool:
    """Return True when ``source`` is a mapping (a SQL source), False for paths and frames.

    Parameters
    ----------
    source : object
        A table as a params file or ``load_dataset`` gives it.

    Returns
    -------
    bool
    """
    return isinstance(source, Mapping)


def check_spec(spec: object) -> None:
    """Check a SQL source's keys: ``url`` and exactly one of ``table`` or ``query``.

    Parameters
    ----------
    spec : object
        The SQL source as given.

    Raises
    ------
    ParamsError
        Naming the keys given and how to write the source.
    """
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

    Parameters
    ----------
    text : str
        Text with ``${VAR}`` or ``$VAR`` references.
    environ : mapping of str to str, optional
        The variables (default: ``os.environ``).

    Returns
    -------
    str
        The text with every variable replaced.

    Raises
    ------
    DataError
        Naming the first variable that is not set.

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

    Parameters
    ----------
    url : str
        A database URL as written in the params file (``${VAR}`` kept as written).

    Returns
    -------
    str
        The url safe to show; an unparsable url shows its scheme only.

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
    shape = text
    # textual, so the rest stays as written (SQLAlchemy would %-escape ${VAR}); the
    # password ends at the last "@" (it may hold "@", ":", "/" or "$" itself), so none of
    # it is shown: a url whose query holds an "@" is masked up to that one (more, not less)
    scheme, sep, rest = text.partition("://")
    if sep and "@" in rest:
        auth, _, host = rest.rpartition("@")
        user, colon, _pw = auth.partition(":")
        if colon:
            text = shape = f"{scheme}://{user}:***@{host}"
    try:  # the shape of the url with its password masked (a password may hold anything)
        make_url(expand_env(shape, environ=_Anything()))
    except Exception:  # noqa: BLE001 - unparsable: show the scheme only
        scheme = text.split("://", 1)[0] if "://" in text else "sql"
        return f"{scheme}://***"
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

    Parameters
    ----------
    spec : mapping
        The SQL source ``{url: ..., table: ...}`` or ``{url: ..., query: ...}``.

    Returns
    -------
    str

    Examples
    --------
    >>> source_label({"url": "postgresql://ann:${PW}@db/crm", "table": "orders"})
    'postgresql://ann:***@db/crm table orders'
    >>> source_label({"url": "sqlite:///crm.db", "query": "select * from orders"})
    "sqlite:///crm.db query 'select * from orders'"
    """
    check_spec(spec)
    if spec.get("table") not in (None, ""):
        return f"{safe_url(spec['url'])} table {spec['table']}"
    q = " ".join(str(spec["query"]).split())
    return f"{safe_url(spec['url'])} query {(q if len(q) <= 60 else q[:57] + '...')!r}"


def is_reference(text: str) -> bool:
    """Tell whether ``text`` is exactly one ``${VAR}`` or ``$VAR`` reference.

    Only such a password is expanded from the environment; a typed password is used as
    written, whatever characters it holds.

    Parameters
    ----------
    text : str
        A password as written in the params file.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_reference("${PW}"), is_reference("$PW"), is_reference("pa$word"), is_reference("$$")
    (True, True, False, False)
    """
    m = _VAR.fullmatch(str(text))
    return bool(m) and not m.group(3)


def expand_url(url: str) -> tuple[str, list[str]]:
    """Expand a url's variables; values in the user/password part and the query are %-quoted.

    A password that is not one ``${VAR}``/``$VAR`` reference is a typed password: it is
    never expanded; its characters (``@``, ``$``, ``:``, ``/``...) are %-quoted, ``%XX``
    escapes already in it kept, and it is returned among the secrets.

    Parameters
    ----------
    url : str
        The url as written in the params file.

    Returns
    -------
    (url, secrets) : tuple of str and list of str
        The url to connect with and the values of its variables (to scrub from messages).
    """
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
    user, colon, password = auth.partition(":")
    if at and colon and not is_reference(password):  # typed: used as written
        if password:
            secrets += [password, unquote(password)]
        auth = part(user, True) + ":" + quote(password, safe="%")
        head = f"{scheme}://{auth}@"
    else:
        head = f"{scheme}://" + (part(auth, True) + "@" if at else "")
    body = hostpart if at else rest
    path, qm, query = body.partition("?")
    return head + part(path, False) + (qm + part(query, True) if qm else ""), secrets
