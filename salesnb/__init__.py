"""salesnb: sales performance tracking and analysis in notebooks.

Progress against targets, comparison, drill-down and forecasts, computed by small,
tested functions on tidy DataFrames, and rendered into per-team HTML reports.
Importing salesnb changes no global state (no pandas options, no rcParams).
"""

from . import (
    alerts,
    calendar,
    compare,
    cube,
    drilldown,
    exceptions,
    fmt,
    forecast,
    io,
    kpi,
    overview,
    plots,
    progress,
    report,
    sample,
    schema,
    targets,
)
from .cube import build_cube, monthly_actuals
from .exceptions import DataError, ParamsError, SalesnbError
from .io import load_dataset, load_table
from .progress import progress as compute_progress

__version__ = "0.1.0"

__all__ = [
    "alerts", "calendar", "compare", "cube", "drilldown", "exceptions", "fmt", "forecast",
    "io", "kpi", "overview", "plots", "progress", "report", "sample", "schema", "targets",
    "build_cube", "monthly_actuals", "load_dataset", "load_table", "compute_progress",
    "DataError", "ParamsError", "SalesnbError", "__version__",
]
