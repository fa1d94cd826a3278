"""The DuckDB scan engine: moved to :mod:`salesnb.load.duckdb_scan` (this name keeps working).

``salesnb.engine.scan`` is documented in the README; package modules import from
:mod:`salesnb.load` instead (a test checks that none imports this module).
"""

from __future__ import annotations

from .load.duckdb_scan import scan
from .load.duckdb_sql import REQUIRED
from .schema import DIGEST_TABLES

__all__ = ["scan", "DIGEST_TABLES", "REQUIRED"]
