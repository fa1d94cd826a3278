"""Where the sales are aggregated: in pandas, in DuckDB over the files, or in the database.

``load_dataset(..., engine=...)`` (params key ``engine``) reads the sales one of three ways:

``pandas``
    every row into pandas, then the digest in :func:`salesnb.cube.digest`. Every check
    runs and each excluded row is listed in ``Dataset.excluded``; team from the org table
    when the sales have no team column; CSV in UTF-8 or GB18030, Excel, Parquet, SQL.
``scan``
    the sales are validated and aggregated where they are, never loaded whole:
    :func:`salesnb.load.duckdb_scan.scan` (DuckDB) for CSV (UTF-8) and Parquet files,
    :func:`salesnb.load.sql_digest.aggregate_sql` (GROUP BY in the database) for SQL sources. The
    sales need a team column. Rows after the as-of date are counted in a warning (with row
    numbers for files) instead of being listed one by one.
``auto`` (the params default)
    ``scan`` for large files: Parquet with at least :data:`SCAN_MIN_ROWS` rows (from the
    file's metadata) or CSV of at least :data:`SCAN_MIN_CSV_BYTES`, and for a glob of
    Parquet files (``sales/*.parquet``, which only the scan engine reads); ``pandas`` for
    everything else, and for a large file the scan engine cannot read (no team column,
    not UTF-8), with an info line saying so.

Both ways give the same report: the digest tables are the same (tests check it).
"""

from __future__ import annotations

import glob as _glob
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..exceptions import DataError, ParamsError
from .duckdb_scan import scan
from .files import files_sha256, frame_sha256
from .issues import Issue, ScanFallback
from .sql_digest import aggregate_sql
from .sql_spec import safe_url, source_label

__all__ = ["ENGINES", "SCAN_MIN_ROWS", "SCAN_MIN_CSV_BYTES", "ScanFallback", "choose",
           "scan_sales"]

ENGINES = ("auto", "pandas", "scan")
SCAN_MIN_ROWS = 500_000
SCAN_MIN_CSV_BYTES = 50 * 2 ** 20
_FILE_KINDS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def _path(source, base_dir) -> Path:
    p = Path(str(source))
    return Path(base_dir) / p if base_dir is not None and not p.is_absolute() else p


def _files(path: Path) -> list[str]:
    text = str(path)
    return sorted(_glob.glob(text)) if _glob.has_magic(text) else ([text] if path.is_file() else [])


def choose(engine: str, source: object, base_dir: str | Path | None = None) -> str:
    """Return how to read ``source``: ``"pandas"``, ``"file"`` (DuckDB) or ``"sql"``.

    Parameters
    ----------
    engine : {"auto", "pandas", "scan"}
        The params file's ``engine``.
    source : str, Path, DataFrame or mapping
        The sales as given.
    base_dir : str or Path, optional
        The folder relative paths start from.

    Returns
    -------
    str

    Raises
    ------
    ParamsError
        For an unknown engine, or ``scan`` of a format it does not read.

    Examples
    --------
    >>> choose("auto", "sales.csv"), choose("pandas", "big.parquet")
    ('pandas', 'pandas')
    >>> choose("scan", {"url": "sqlite:///crm.db", "table": "orders"})
    'sql'
    """
    if engine not in ENGINES:
        raise ParamsError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if engine == "pandas":
        return "pandas"
    if isinstance(source, Mapping):
        return "sql" if engine == "scan" else "pandas"
    if isinstance(source, pd.DataFrame):
        return "file" if engine == "scan" else "pandas"
    path = _path(source, base_dir)
    kind = _FILE_KINDS.get(path.suffix.lower())
    if engine == "scan":
        if kind is None:
            raise ParamsError(f"engine: scan reads CSV, Parquet and SQL sources; "
                              f"{source} is {path.suffix or 'a file without extension'}: "
                              "use engine: pandas (or auto) for it")
        return "file"
    if kind == "csv":
        return "file" if path.is_file() and path.stat().st_size >= SCAN_MIN_CSV_BYTES else "pandas"
    if kind == "parquet":
        if _glob.has_magic(str(path)):
            return "file"  # many files: only the scan engine reads a glob
        files = _files(path)
        if not files:
            return "pandas"  # the pandas reader says the file is missing
        import pyarrow.parquet as pq  # only here: reading Parquet metadata (import-time speed)
        rows = sum(pq.read_metadata(f).num_rows for f in files)
        return "file" if rows >= SCAN_MIN_ROWS else "pandas"
    return "pandas"


def scan_sales(source: object, kind: str, *, columns: Mapping[str, str] | None,
               as_of: object, base_dir: str | Path | None = None,
               label: str | None = None) -> tuple[dict, list[Issue], dict]:
    """Validate and aggregate the sales without loading them.

    Parameters
    ----------
    source : str, Path, DataFrame or mapping
        The sales: a file or glob, a DataFrame or a SQL source.
    kind : {"file", "sql"}
        What :func:`choose` returned.
    columns : mapping of str to str, optional
        Canonical name -> the user's column name.
    as_of : str, date or None
        The as-of date (:func:`salesnb.load.issues.as_of_date`).
    base_dir : str or Path, optional
        The folder relative paths start from.
    label : str, optional
        The source's name in messages.

    Returns
    -------
    (digest, issues, info) : tuple of dict, list of Issue and dict
        The digest, the warnings and info, and the source's description for run.json:
        path, rows and sha256 (of the file's bytes; of the monthly cube for a SQL source,
        whose rows are never fetched).
    """
    try:
        digest, issues, info = _scan_sales(source, kind, columns=dict(columns or {}),
                                           as_of=as_of, base_dir=base_dir, label=label)
    except ScanFallback:
        raise
    except DataError as exc:  # values the database cannot read: the pandas reader decides
        unread = {"not_numeric", "bad_date"}
        if exc.problems and {p.check for p in exc.problems if p.severity == "error"} <= unread:
            raise ScanFallback(f"its {' and '.join(sorted({p.column for p in exc.problems}))} "
                               "values are written in a way the scan engine does not read"
                               ) from None
        raise
    twice = _names_spelt_twice(digest)
    if twice:
        raise ScanFallback(f"it spells names more than one way ({twice}), which the scan "
                           "engine does not merge")
    return digest, issues, info


def _names_spelt_twice(digest: dict) -> str:
    """Return the first name of the digest written two ways ('East' and 'EAST'), or ""."""
    from .coerce import name_key
    for table, col in (("daily", "team"), ("daily", "rep"), ("customer_monthly", "customer_id"),
                       ("product_monthly", "product"), ("product_monthly", "category")):
        df = digest.get(table)
        if df is None or col not in df:
            continue
        names = pd.Series(pd.unique(df[col].dropna()), dtype=object)
        keys = name_key(names)
        dup = keys.duplicated(keep=False)
        if dup.any():
            first = keys[dup].iloc[0]
            return " and ".join(repr(v) for v in names[keys == first][:3])
    return ""


def _scan_sales(source, kind, *, columns, as_of, base_dir, label):
    if kind == "sql":
        name = label or source_label(source)
        digest = aggregate_sql(source, columns=columns, as_of=as_of, base_dir=base_dir,
                               label=name)
        meta, issues = digest["meta"], []
        n_neg, recs = meta.get("negative_amount", 0), meta.get("negative_amount_records", [])
        if n_neg:
            shown = ", ".join(map(str, recs)) + (f" (and {n_neg - len(recs)} more)"
                                                 if n_neg > len(recs) else "")
            issues.append(Issue(
                "warning", "sales", name, "negative_amount", "amount", list(recs), n_neg, [],
                f"{name}: column 'amount': a negative amount (a return: kept and counted) in "
                f"{n_neg} record{'s' if n_neg != 1 else ''}: record"
                f"{'s' if n_neg != 1 else ''} {shown}."))
        n_dup = meta.get("duplicate_rows", 0)
        if n_dup is None:
            issues.append(Issue(
                "info", "sales", name, "duplicate_rows_unchecked", None, [], 0, [],
                f"{name}: exact repeat rows were not counted: the database cannot group by "
                "every column of this source (repeated column names or a JSON column)."))
        elif n_dup:
            issues.append(Issue(
                "warning", "sales", name, "duplicate_rows", None, [], n_dup, [],
                f"{name}: {n_dup} record{'s are' if n_dup > 1 else ' is'} an exact repeat of an "
                "earlier one (kept and counted; counted in the database, rows not listed)."))
        late = meta["excluded_after_as_of"]
        if late:
            issues.append(Issue(
                "warning", "sales", name, "after_report_month", "date", [], int(late), [],
                f"{name}: column 'date': {late:,} sales dated after the as-of date (left out "
                "of the report; counted in the database, rows not listed)"))
        cube = digest["cube"]
        info = {"path": name, "url": safe_url(str(source["url"])), "rows": digest["meta"]["rows"],
                "sha256": frame_sha256(cube),
                "sha256_of": "the monthly cube computed in the database"}
        info.update({k: str(source[k]) for k in ("table", "query") if source.get(k)})
        return digest, issues, info
    if isinstance(source, pd.DataFrame):
        name = label or "the sales DataFrame"
        digest, issues = scan(source, columns=columns, as_of=as_of, label=name, duplicates=True)
        info = {"path": name, "rows": digest["meta"]["rows"], "sha256": frame_sha256(source)}
        return digest, issues, info
    name = label or str(source)
    path = _path(source, base_dir)
    digest, issues = scan(str(path), columns=columns, as_of=as_of, label=name, duplicates=True)
    # a glob: the checksum of the files' checksums, in name order
    info = {"path": name, "rows": digest["meta"]["rows"], "sha256": files_sha256(_files(path))}
    return digest, issues, info
