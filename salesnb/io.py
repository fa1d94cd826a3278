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


#: limits of a params file: its size, its aliases (``*name``) and its values once expanded
#: (an alias "billion laughs" bomb of a few hundred bytes would expand to a billion values)
MAX_PARAMS_BYTES = 1_000_000
MAX_PARAMS_ALIASES = 100
MAX_PARAMS_NODES = 100_000


class _YamlLimit(Exception):
    """A params file beyond the limits (the message says which)."""


class _NoDatesSafeLoader(yaml.SafeLoader):
    """SafeLoader that keeps ISO dates as strings (as papermill loads parameters).

    It also counts the aliases it composes and refuses more than
    :data:`MAX_PARAMS_ALIASES`.
    """

    yaml_implicit_resolvers = {
        key: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
        for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def compose_node(self, parent, index):  # noqa: D102 - pyyaml's hook
        if self.check_event(yaml.AliasEvent):
            self._aliases = getattr(self, "_aliases", 0) + 1
            if self._aliases > MAX_PARAMS_ALIASES:
                raise _YamlLimit(f"it uses more than {MAX_PARAMS_ALIASES} aliases (*name)")
        return super().compose_node(parent, index)


def _expanded_size(node, memo: dict) -> int:
    """Return how many values ``node`` holds once every alias is expanded (memoised)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # a recursive alias counts once
    if isinstance(node, yaml.SequenceNode):
        n = 1 + sum(_expanded_size(v, memo) for v in node.value)
    elif isinstance(node, yaml.MappingNode):
        n = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    else:
        n = 1
    memo[key] = n
    return n


def _load_yaml_limited(text: str):
    """Load YAML ``text`` with :class:`_NoDatesSafeLoader` within the params limits."""
    loader = _NoDatesSafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, {}) > MAX_PARAMS_NODES:
            raise _YamlLimit(f"its aliases expand to more than {MAX_PARAMS_NODES:,} values")
        return loader.construct_document(node)
    finally:
        loader.dispose()


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
        size = path.stat().st_size
        if size > MAX_PARAMS_BYTES:
            raise ParamsError(f"params file '{path}' is {size:,} bytes, more than the "
                              f"{MAX_PARAMS_BYTES:,} a params file may hold; the data belong "
                              "in the files it names")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ParamsError(f"params file '{path}' not found; give the path of a YAML file "
                          "such as params/sample.yaml") from None
    except IsADirectoryError:
        raise ParamsError(f"params file '{path}' is a folder; give the path of a YAML "
                          "file such as params/sample.yaml") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ParamsError(f"params file '{path}' cannot be read: {e}") from None
    try:
        data = _load_yaml_limited(text)
    except _YamlLimit as e:
        raise ParamsError(f"params file '{path}' refused: {e}; write the values out "
                          "instead of repeating them with anchors and aliases") from None
    except yaml.YAMLError as e:
        raise ParamsError(f"params file '{path}' is not valid YAML: {e}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParamsError(f"params file '{path}' must hold a mapping of key: value lines, "
                          f"got a {type(data).__name__}")
    return data
