"""Argument checks shared by the analysis modules (one wording for every module)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .exceptions import ParamsError, SchemaError

__all__ = ["require_columns", "as_months", "left_out"]


def require_columns(df, columns: Sequence[str], name: str) -> None:
    """Raise a clear error unless ``df`` is a DataFrame holding ``columns``.

    Parameters
    ----------
    df : DataFrame
        The table checked (anything else fails).
    columns : sequence of str
        The columns it must hold.
    name : str
        The table's name in the message.

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

    Parameters
    ----------
    col : Series
        Periods, or month text such as ``2025-03``.

    Examples
    --------
    >>> as_months(pd.Series(["2025-03"])).iloc[0]
    Period('2025-03', 'M')
    """
    if isinstance(col.dtype, pd.PeriodDtype):
        return col
    return pd.Series(pd.PeriodIndex(col.astype(str), freq="M"), index=col.index)


def left_out(tables: dict, table: str) -> bool:
    """Return whether the run left ``table`` out because of errors in it (an optional table).

    :func:`salesnb.load.optional.leave_out_optional` leaves out an opportunities, spend or
    satisfaction table with errors and records a ``table_left_out`` finding, which the
    report's ``quality`` table (or a team's slice of it) keeps.

    Parameters
    ----------
    tables : dict
        A report's tables (``quality`` among them, or None).
    table : str
        ``opportunities``, ``spend`` or ``satisfaction``.

    Returns
    -------
    bool

    Examples
    --------
    >>> q = pd.DataFrame({"table": ["spend"], "check": ["table_left_out"], "count": [1]})
    >>> left_out({"quality": q}, "spend"), left_out({"quality": q}, "opportunities")
    (True, False)
    """
    q = tables.get("quality")
    if q is None or not len(q) or not {"table", "check"} <= set(q.columns):
        return False
    return bool(((q["table"] == table) & (q["check"] == "table_left_out")).any())
