"""Write tables and text atomically; read params files. The data layer's old home.

Reading, coercing and validating the input tables moved to :mod:`salesnb.load` (the data
layer at the bottom of the package); the names documented here keep working as
re-exports (``salesnb.io.load_dataset``, ``salesnb.io.load_table``, ``Dataset``,
``Issue``...). Package modules import them from :mod:`salesnb.load` and the atomic
writers from :mod:`salesnb.atomic`, never through this module (a test checks it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd
import yaml

from .atomic import atomic_path, atomic_write_bytes, atomic_write_text
from .exceptions import ParamsError
from .load.dataset import (
    EXCLUDED_COLUMNS,
    QUALITY_COLUMNS,
    Dataset,
    dataset_from_params,
    load_dataset,
)
from .load.files import SUPPORTED_FORMATS, frame_sha256, read_frame, sha256_file
from .load.issues import Issue
from .load.tables import TableName, load_table

__all__ = ["Issue", "Dataset", "read_frame", "load_table", "load_dataset", "dataset_from_params",
           "write_tables",
           "atomic_write_text", "atomic_write_bytes", "load_params", "sha256_file", "frame_sha256",
           "TableName", "SUPPORTED_FORMATS", "QUALITY_COLUMNS", "EXCLUDED_COLUMNS"]


def write_tables(tables: dict[str, pd.DataFrame], directory: str | Path, *,
                 fmt: Literal["csv", "parquet"] = "csv") -> dict[str, Path]:
    """Write each table to ``directory/<name>.<fmt>`` atomically; return the paths.

    CSV is UTF-8 without index; dates are written as ``YYYY-MM-DD``; Period columns as text.

    Parameters
    ----------
    tables : dict of str to DataFrame
        File stem -> table.
    directory : str or Path
        The folder (created when missing).
    fmt : {"csv", "parquet"}, default "csv"
        The file format.

    Returns
    -------
    dict of str to Path
        File stem -> the file written.

    Examples
    --------
    >>> import tempfile
    >>> t = pd.DataFrame({"date": pd.to_datetime(["2025-01-02", "2025-01-03", "2025-02-01"]),
    ...                   "rep": ["Ann", "Bob", "Ann"], "amount": [1.5, 2.0, 3.0]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     paths = write_tables({"sales": t}, d)
    ...     print(paths["sales"].read_text().splitlines()[1])
    2025-01-02,Ann,1.5
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', got {fmt!r}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, df in tables.items():
        df = df.copy()
        for c in df.columns:
            if isinstance(df[c].dtype, pd.PeriodDtype):
                df[c] = df[c].astype(str)
        path = directory / f"{name}.{fmt}"
        with atomic_path(path) as tmp:
            if fmt == "csv":
                df.to_csv(tmp, index=False, encoding="utf-8", date_format="%Y-%m-%d")
            else:
                df.to_parquet(tmp, index=False)
        out[name] = path
    return out


class _NoDatesSafeLoader(yaml.SafeLoader):
    """SafeLoader that keeps ISO dates as strings (as papermill loads parameters)."""

    yaml_implicit_resolvers = {
        key: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
        for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def load_params(path: str | Path) -> dict:
    """Load a params YAML file into a dict, keeping dates such as 2025-03-01 as strings.

    Parameters
    ----------
    path : str or Path
        The YAML file.

    Returns
    -------
    dict
        Its keys and values ({} for an empty file).

    Raises
    ------
    ParamsError
        When the file is missing, not YAML, or not a mapping.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ParamsError(f"params file '{path}' not found; give the path of a YAML file "
                          "such as params/sample.yaml") from None
    try:
        data = yaml.load(text, Loader=_NoDatesSafeLoader)  # noqa: S506 (safe subclass)
    except yaml.YAMLError as e:
        raise ParamsError(f"params file '{path}' is not valid YAML: {e}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParamsError(f"params file '{path}' must hold a mapping of key: value lines, "
                          f"got a {type(data).__name__}")
    return data
