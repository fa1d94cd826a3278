"""salesnb: sales performance tracking and analysis in notebooks.

Progress against targets, comparison, drill-down and forecasts, computed by small,
tested functions on tidy DataFrames, and rendered into per-team HTML reports.
Importing salesnb changes no global state (no pandas options, no rcParams), and it is
cheap: the modules load on first use (``sn.progress``, ``sn.forecast``, ...), so the
command line starts its report kernels before the heavy libraries are imported.
"""

from __future__ import annotations

import importlib

from .exceptions import DataError, ParamsError, SalesnbError

__version__ = "0.1.0"

_MODULES = (  # every module of the package, loaded on first use as ``sn.<name>``
    "alerts", "atomic", "cache", "calendar", "checks", "cli", "compare", "cube", "cumulative",
    "delivery", "drilldown", "engine", "exceptions", "explore", "fmt", "forecast", "hierarchy",
    "history", "html", "io", "kpi", "load", "numbers", "overview", "parameters", "params",
    "peers", "plaintext", "plots", "progress", "report", "run", "runner", "sample", "scanning",
    "schema", "sections", "sources", "targets", "to_date", "views",
    # split out of progress, drilldown, kpi, alerts and compare (which re-export their names)
    "change", "funnel", "monthly", "pace", "ranking", "span_sales", "tiers", "unit_months",
    "pack_tables",
    # split out of explore (which re-exports their names)
    "explore_units", "explore_views",
)
_FUNCTIONS = {
    "build_cube": ("cube", "build_cube"),
    "monthly_actuals": ("cube", "monthly_actuals"),
    "load_dataset": ("io", "load_dataset"),
    "load_table": ("io", "load_table"),
    "compute_progress": ("progress", "progress"),
}

__all__ = [
    "alerts", "calendar", "checks", "compare", "cube", "drilldown", "exceptions", "fmt", "forecast",
    "io", "kpi", "overview", "plots", "progress", "report", "sample", "schema", "sources",
    "targets", "build_cube", "monthly_actuals", "load_dataset", "load_table",
    "compute_progress", "DataError", "ParamsError", "SalesnbError", "__version__",
]


def __getattr__(name: str):
    if name in _MODULES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    if name in _FUNCTIONS:
        module, attr = _FUNCTIONS[name]
        value = getattr(importlib.import_module(f".{module}", __name__), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'salesnb' has no attribute {name!r}")


def __dir__():
    return sorted(set(__all__) | set(_MODULES))
