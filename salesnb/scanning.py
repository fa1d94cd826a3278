"""Where the sales are aggregated: in pandas, in DuckDB over the files, or in the database.

``load_dataset(..., engine=...)`` (params key ``engine``) reads the sales one of three ways:

``pandas``
    every row into pandas, then the digest in :func:`salesnb.report.prepare`. Every check
    runs and each excluded row is listed in ``Dataset.excluded``; team from the org table
    when the sales have no team column; CSV in UTF-8 or GB18030, Excel, Parquet, SQL.
``scan``
    the sales are validated and aggregated where they are, never loaded whole:
    :func:`salesnb.engine.scan` (DuckDB) for CSV (UTF-8) and Parquet files,
    :func:`salesnb.sources.aggregate_sql` (GROUP BY in the database) for SQL sources. The
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
import hashlib
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .exceptions import ParamsError

__all__ = ["ENGINES", "SCAN_MIN_ROWS", "SCAN_MIN_CSV_BYTES", "choose", "scan_sales"]

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


def choose(engine: str, source, base_dir=None) -> str:
    """Return how to read ``source``: ``"pandas"``, ``"file"`` (DuckDB) or ``"sql"``.

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
        import pyarrow.parquet as pq
        rows = sum(pq.read_metadata(f).num_rows for f in files)
        return "file" if rows >= SCAN_MIN_ROWS else "pandas"
    return "pandas"


def scan_sales(source, kind: str, *, columns: Mapping[str, str] | None, as_of, base_dir=None,
               label: str | None = None) -> tuple[dict, list, dict]:
    """Validate and aggregate the sales without loading them; return (digest, issues, info).

    ``kind`` is what :func:`choose` returned (``"file"`` or ``"sql"``). ``info`` describes
    the source for run.json: path, rows and sha256 (of the file's bytes; of the monthly
    cube for a SQL source, whose rows are never fetched).
    """
    from .io import Issue, frame_sha256
    columns = dict(columns or {})
    if kind == "sql":
        from .sources import aggregate_sql, safe_url, source_label
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
    from .engine import scan
    from .io import sha256_file
    if isinstance(source, pd.DataFrame):
        name = label or "the sales DataFrame"
        digest, issues = scan(source, columns=columns, as_of=as_of, label=name, duplicates=True)
        info = {"path": name, "rows": digest["meta"]["rows"], "sha256": frame_sha256(source)}
        return digest, issues, info
    name = label or str(source)
    path = _path(source, base_dir)
    digest, issues = scan(str(path), columns=columns, as_of=as_of, label=name, duplicates=True)
    files = _files(path)
    if len(files) == 1:
        checksum = sha256_file(files[0])
    else:  # a glob: the checksum of the files' checksums, in name order
        checksum = hashlib.sha256("".join(sha256_file(f) for f in files).encode()).hexdigest()
    info = {"path": name, "rows": digest["meta"]["rows"], "sha256": checksum}
    return digest, issues, info


def rep_not_in_org(daily: pd.DataFrame, org: pd.DataFrame, *, sales_name: str,
                   org_name: str) -> list:
    """The warning for sales reps missing from the org table, from the digest's daily rows."""
    from .io import Issue
    if org is None or "rep" not in org or not len(daily):
        return []
    lines = daily.groupby("rep", sort=True)["lines"].sum()
    missing = lines[~lines.index.isin(org["rep"].dropna())]
    if missing.empty:
        return []
    names = [str(r) for r in missing.index]
    count = int(missing.sum())
    shown = ", ".join(repr(n) for n in names[:5]) + (f" (and {len(names) - 5} more)"
                                                    if len(names) > 5 else "")
    return [Issue("warning", "sales", sales_name, "rep_not_in_org", "rep", [], count, names[:5],
                  f"{sales_name}: column 'rep': {count:,} sales by {len(names)} rep(s) missing "
                  f"from the org table ({org_name}): {shown}. Add them to the org table.")]
