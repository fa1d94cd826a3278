"""The run of a report pack, one room per step.

==============  ==============================================================
``prepare``     read the params once (RunParams), load and validate, prepare
``cache``       the prepared tables and the run's params in ``<out>/_cache``
``kernels``     warm Jupyter kernels, reset between reports
``render``      one report: parameterise, execute, export HTML (no code)
``scorecards``  the rep scorecard jobs and the pack's page map (links)
``exports``     ``tables/*.csv`` and ``tables.xlsx``
``index``       ``index.html``
``pack``        the pack loop: ``render_pack``, ``run.json``, PDF copies
``guard``       SIGTERM as Ctrl-C, the out folder check, the run lock
==============  ==============================================================
"""

from __future__ import annotations

from .kernels import CellError, KernelPool
from .pack import format_error, render_pack
from .render import NOTEBOOK_DIR, NOTEBOOKS, Job, export_html, notebook_parameters

__all__ = ["render_pack", "format_error", "KernelPool", "CellError", "Job", "NOTEBOOKS",
           "NOTEBOOK_DIR", "notebook_parameters", "export_html"]
