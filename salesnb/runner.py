"""Render the report pack: a re-export of :mod:`salesnb.run` (its documented names).

The run lives in ``salesnb/run/``: prepare, cache, kernels, render, exports, index and the
pack loop. Nothing in the package imports this module.
"""

from __future__ import annotations

from .compare import ranking_table
from .params import RUNNER_KEYS, check_params, resolve_params
from .run.exports import EXPORT_TABLES, export_tables
from .run.index import index_html
from .run.kernels import CellError, KernelPool
from .run.pack import format_error, render_pack
from .run.prepare import SECRET_WORDS, public_params
from .run.render import NOTEBOOK_DIR, NOTEBOOKS, Job, export_html, notebook_parameters

__all__ = ["NOTEBOOKS", "NOTEBOOK_DIR", "notebook_parameters", "check_params", "resolve_params",
           "Job", "render_pack", "KernelPool", "CellError", "RUNNER_KEYS", "export_tables",
           "EXPORT_TABLES", "ranking_table", "index_html", "export_html", "public_params",
           "SECRET_WORDS", "format_error"]
