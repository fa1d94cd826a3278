"""Argument checks shared by the analysis modules (one wording for every module)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .exceptions import ParamsError, SchemaError

__all__ = ["require_columns", "as_months"]


def require_columns(df, columns: Sequence[str], name: str) -> None:
    """Raise a clear error unless ``df`` is a DataFrame holding ``columns``.

    Examples
    --------
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a", "b"], "sales")
    Traceback (most recent call last):
    ...
    salesnb.exceptions.SchemaError: sales is missing required column(s) ['b']; present: ['a']. Pass the table the matching salesnb function returns, or add the columns (see salesnb.schema).
    """
    if not isinstance(df, pd.DataFrame):
        raise ParamsError(f"{name} must be a pandas DataFrame, got {type(df).__name__}.")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise SchemaError(
            f"{name} is missing required column(s) {missing}; present: {list(df.columns)}. "
            "Pass the table the matching salesnb function returns, or add the columns "
            "(see salesnb.schema).")


def as_months(col: pd.Series) -> pd.Series:
    """Return ``col`` as monthly periods (already periods, or text like ``2025-03``).

    Examples
    --------
    >>> as_months(pd.Series(["2025-03"])).iloc[0]
    Period('2025-03', 'M')
    """
    if isinstance(col.dtype, pd.PeriodDtype):
        return col
    return pd.Series(pd.PeriodIndex(col.astype(str), freq="M"), index=col.index)
