"""The run cache: the prepared tables (Parquet) and the run's parameters, in ``<out>/_cache``.

The report notebooks read their tables from here (``cache`` parameter); ``params.json`` holds
the run's parameters as they were parsed (secrets masked), beside ``meta.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..atomic import atomic_write_text
from ..params import RunParams

__all__ = ["write_run_cache", "read_run_params"]


def write_run_cache(tables: dict, run_params: RunParams, directory: Path, *,
                    public: dict) -> Path:
    """Write the prepared ``tables`` and the run's parameters into ``directory``.

    Parameters
    ----------
    tables : dict
        The prepared run (``salesnb.report.prepare``).
    run_params : RunParams
        The run's parameters, parsed once.
    directory : Path
        The cache folder (``<out>/_cache``).
    public : dict
        ``run_params`` as shown to others (secrets masked), written as ``params.json``.

    Returns
    -------
    Path
        ``directory``.
    """
    from ..report import write_cache
    write_cache(tables, directory)
    atomic_write_text(Path(directory) / "params.json",
                      json.dumps(public, indent=2, ensure_ascii=False, default=str))
    return Path(directory)


def read_run_params(directory: Path) -> RunParams:
    """Return the :class:`RunParams` stored with a run cache.

    Parameters
    ----------
    directory : Path
        A cache folder written by :func:`write_run_cache`.

    Returns
    -------
    RunParams
        Parsed again from ``params.json`` (masked secrets stay masked).
    """
    from ..params import parse_params
    raw = json.loads((Path(directory) / "params.json").read_text(encoding="utf-8"))
    base = raw.pop("base_dir", ".")
    return parse_params(raw, base_dir=base, path=str(Path(directory) / "params.json"))
