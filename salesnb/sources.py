"""SQL sources and the SQL pushdown: moved to :mod:`salesnb.load` (these names keep working).

``salesnb.sources.aggregate_sql`` is documented in the README. The code lives in
:mod:`salesnb.load.sql_spec` (specs, ``${VAR}`` and safe urls), :mod:`salesnb.load.sql`
(connecting, reading rows) and :mod:`salesnb.load.sql_digest` (the digest computed in the
database). Package modules import from there (a test checks that none imports this module).
"""

from __future__ import annotations

from .load.sql import read_sql_source
from .load.sql_digest import aggregate_sql
from .load.sql_spec import SQL_KEYS, expand_env, is_sql_source, safe_url, source_label

__all__ = ["is_sql_source", "expand_env", "safe_url", "source_label", "read_sql_source",
           "aggregate_sql", "SQL_KEYS"]
