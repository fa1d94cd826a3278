"""The data layer: read, coerce, validate and aggregate the input tables.

It sits at the bottom of the package: its modules import only each other,
:mod:`salesnb.exceptions` and :mod:`salesnb.schema` (a test checks it). Everything above
(analysis, views, the run) imports from here.

* :mod:`~salesnb.load.issues` - :class:`Issue`, the one column resolver, the one as-of parser
* :mod:`~salesnb.load.files` - CSV, Excel and Parquet reading; the one checksum
* :mod:`~salesnb.load.coerce` - text, dates, amounts and periods
* :mod:`~salesnb.load.tables` - :func:`load_table`: rename, coerce, validate
* :mod:`~salesnb.load.crosscheck` - checks across tables
* :mod:`~salesnb.load.dataset` - :class:`Dataset`, :func:`load_dataset`
* :mod:`~salesnb.load.engines` - where the sales are aggregated (pandas, DuckDB, database)
* :mod:`~salesnb.load.duckdb_source`, :mod:`~salesnb.load.duckdb_sql`,
  :mod:`~salesnb.load.duckdb_scan` - the DuckDB scan
* :mod:`~salesnb.load.sql_spec`, :mod:`~salesnb.load.sql`, :mod:`~salesnb.load.sql_digest` -
  SQL sources, safe urls, reading rows and the pushdown
"""

from __future__ import annotations

from .coerce import STR_DTYPE
from .dataset import EXCLUDED_COLUMNS, QUALITY_COLUMNS, Dataset, dataset_from_params, load_dataset
from .duckdb_scan import scan
from .engines import ENGINES, SCAN_MIN_CSV_BYTES, SCAN_MIN_ROWS, choose, scan_sales
from .files import SUPPORTED_FORMATS, files_sha256, frame_sha256, read_frame, sha256_file
from .issues import Issue, as_of_date, raise_issues, resolve_columns, rows_text
from .sql import read_sql_source
from .sql_digest import aggregate_sql
from .sql_spec import SQL_KEYS, expand_env, is_sql_source, safe_url, source_label
from .tables import TableName, load_table

__all__ = ["Issue", "Dataset", "TableName", "load_table", "load_dataset", "dataset_from_params",
           "read_frame", "resolve_columns", "as_of_date", "raise_issues", "rows_text",
           "sha256_file", "files_sha256", "frame_sha256", "scan", "choose", "scan_sales",
           "aggregate_sql", "read_sql_source", "expand_env", "is_sql_source", "safe_url",
           "source_label", "ENGINES", "SCAN_MIN_ROWS", "SCAN_MIN_CSV_BYTES", "SQL_KEYS",
           "SUPPORTED_FORMATS", "QUALITY_COLUMNS", "EXCLUDED_COLUMNS", "STR_DTYPE"]
