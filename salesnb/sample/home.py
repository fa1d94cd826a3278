"""The sample company for notebooks opened without data, written once under :func:`sample_home`."""

from __future__ import annotations

import os
from pathlib import Path

from salesnb import __version__
from salesnb.io import write_tables
from salesnb.params import DATA_KEYS, check_params, resolve_params

from .cast import SAMPLE_END
from .company import make_company

__all__ = ["sample_home", "sample_params"]


def sample_home() -> Path:
    """Return the folder the sample company is written to for notebooks opened without data.

    ``$SALESNB_DATA`` when set, else ``$XDG_CACHE_HOME/salesnb`` (``~/.cache/salesnb``), the
    way scikit-learn and seaborn keep their sample data sets.

    Returns
    -------
    Path
        The folder (not created here).
    """
    if os.environ.get("SALESNB_DATA"):
        return Path(os.environ["SALESNB_DATA"])
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "salesnb"


#: the sample company's name (as params/sample.yaml says it)
SAMPLE_COMPANY = "Sample Co."


def sample_params(*, month: str = "") -> dict:
    """Return resolved params for the sample company, writing it first if needed.

    The company (seed 0) is written once per salesnb version under :func:`sample_home`.

    Parameters
    ----------
    month : str
        The report month (empty: the sample's last month).

    Returns
    -------
    dict
        Resolved params (see :func:`salesnb.params.resolve_params`) with absolute data paths.
    """
    folder = sample_home() / f"sample-{__version__}"
    if not (folder / "sales.csv").is_file():
        write_tables(make_company(seed=0), folder, fmt="csv")  # atomic: each file whole
    raw = {name: str(folder / f"{name}.csv") for name in DATA_KEYS}
    raw["month"] = month or SAMPLE_END[:7]
    raw["company"] = SAMPLE_COMPANY
    check_params(raw, path="sample")
    return resolve_params(raw, base_dir=folder)
