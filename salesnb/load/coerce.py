"""Turn raw cells into canonical values: text, dates, amounts and periods.

Each ``to_*`` function takes a raw column (text from a CSV, objects from Excel, typed
values from Parquet, SQL or a DataFrame) and returns the values with an ``empty`` mask
and a ``bad`` mask (cells that are filled in but cannot be read), so that the caller can
name the rows.
"""

from __future__ import annotations

import datetime as _dt
import re

import numpy as np
import pandas as pd

__all__ = ["STR_DTYPE", "THOUSANDS", "cell_text", "as_text", "example", "to_date", "to_float",
           "to_period", "str_series"]

#: the dtype of canonical text columns (pandas' string dtype from pandas 3, else object)
STR_DTYPE = "str" if int(pd.__version__.split(".")[0]) >= 3 else object
#: a number written with thousands separators, e.g. 1,234,567.50
THOUSANDS = r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?"


def cell_text(v: object) -> str:
    """Return one cell as the text a user would type ("" for a missing value).

    Parameters
    ----------
    v : object
        The cell: text, number, date, None or NaN.

    Returns
    -------
    str
        Stripped text; integral floats without ``.0``; dates as ``YYYY-MM-DD``.

    Examples
    --------
    >>> cell_text(" a "), cell_text(3.0), cell_text(None), cell_text(_dt.datetime(2025, 1, 2))
    ('a', '3', '', '2025-01-02')
    """
    if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (float, np.floating)):
        return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))
    if isinstance(v, _dt.datetime):
        return v.strftime("%Y-%m-%d") if v.time() == _dt.time(0) else v.isoformat(sep=" ")
    if isinstance(v, _dt.date):
        return v.isoformat()
    return str(v).strip()


def as_text(s: pd.Series) -> pd.Series:
    """Return the stripped text of each cell ("" for missing), as a fast string dtype.

    Parameters
    ----------
    s : Series
        A raw column.

    Returns
    -------
    Series
        Text of dtype :data:`STR_DTYPE`, same index.
    """
    if s.dtype != object and pd.api.types.is_string_dtype(s.dtype):
        return s.fillna("").str.strip()
    return s.map(cell_text).astype(STR_DTYPE)


def example(v: object) -> object:
    """Return a value as shown among a message's examples (dates as text, numpy as Python).

    Parameters
    ----------
    v : object
        A raw cell.

    Returns
    -------
    object
        Text, a Python number, or the value itself.
    """
    if isinstance(v, str) or v is None:
        return v
    if isinstance(v, (_dt.date, np.datetime64)):
        return cell_text(pd.Timestamp(v))
    return v.item() if isinstance(v, np.generic) else v


def to_date(s: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Read dates: ISO dates and times, ``2025/3/5``, ``2025.3.5``, ``2025年3月5日``.

    Parameters
    ----------
    s : Series
        A raw column (text, objects or datetimes; time zones are dropped).

    Returns
    -------
    (dates, empty, bad) : tuple of Series and two bool arrays
        Midnight datetimes (NaT where empty or unreadable), the empty cells and the
        unreadable ones.

    Examples
    --------
    >>> d, empty, bad = to_date(pd.Series(["2025-03-05", "2025/3/6", "", "soon"]))
    >>> list(d.dt.day.fillna(0).astype(int)), empty.tolist(), bad.tolist()
    ([5, 6, 0, 0], [False, False, True, False], [False, False, False, True])
    """
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        d = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
        return d.dt.normalize(), d.isna().to_numpy(), np.zeros(len(s), bool)
    text = as_text(s)
    empty = text.eq("").to_numpy()
    uniq = pd.Index(pd.unique(text[~empty]))
    try:
        parsed = pd.to_datetime(pd.Series(uniq, dtype=object), format="ISO8601", errors="coerce")
        if parsed.dt.tz is not None:
            parsed = parsed.dt.tz_localize(None)
        parsed = list(parsed)
    except (ValueError, TypeError):
        parsed = [pd.NaT] * len(uniq)
    for i, (raw, val) in enumerate(zip(uniq, parsed, strict=True)):
        if pd.isna(val):  # 2025/3/5, 2025.3.5, 2025年3月5日, mixed time zones
            alt = re.sub(r"[/.年月]", "-", raw).replace("日", "").strip()
            try:
                ts = pd.Timestamp(pd.to_datetime(alt, format="ISO8601"))
                parsed[i] = ts.tz_localize(None) if ts.tz is not None else ts
            except (ValueError, TypeError, OverflowError):
                pass
    lookup = pd.Series(pd.to_datetime(pd.Series(parsed, dtype=object)).to_numpy(), index=uniq)
    dates = pd.to_datetime(text.map(lookup) if len(uniq) else pd.Series(pd.NaT, index=s.index))
    dates = dates.dt.normalize()
    return dates, empty, (~empty) & dates.isna().to_numpy()


def to_float(s: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Read amounts: plain numbers, ``¥1,234.50``, ``$20``, ``(12)`` (negative), `` 3 ``.

    Parameters
    ----------
    s : Series
        A raw column (text, objects or numbers).

    Returns
    -------
    (values, empty, bad) : tuple of Series and two bool arrays
        float64 values (NaN where empty or unreadable), the empty cells and the unreadable
        or infinite ones.

    Examples
    --------
    >>> v, empty, bad = to_float(pd.Series(["¥1,234.50", "(12)", "", "1,2"]))
    >>> v.tolist()[:2], empty.tolist(), bad.tolist()
    ([1234.5, -12.0], [False, False, True, False], [False, False, False, True])
    """
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        v = s.astype(float)
        empty = v.isna().to_numpy()
        return v, empty, ~empty & ~np.isfinite(v.to_numpy())
    text = as_text(s)
    empty = text.eq("").to_numpy()
    v = pd.to_numeric(text.where(~empty, np.nan), errors="coerce").astype(float).to_numpy()
    retry = np.flatnonzero(~empty & np.isnan(v))  # only these need cleaning: fast on clean data
    if len(retry):
        t = text.iloc[retry].str.replace(r"\s*[¥￥$€£]\s*", "", regex=True)
        paren = t.str.fullmatch(r"\(.*\)")
        t = t.where(~paren, "-" + t.str.slice(1, -1))
        comma = t.str.contains(",", regex=False)
        t = t.where(~comma | t.str.fullmatch(THOUSANDS), "not a number").str.replace(",", "")
        v = v.copy()
        v[retry] = pd.to_numeric(t, errors="coerce").astype(float).to_numpy()
    return pd.Series(v, index=s.index), empty, ~empty & ~np.isfinite(v)


def to_period(s: pd.Series, *, months_only: bool = False
              ) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Read periods as text: ``2025``, ``2025-Q2`` or ``2025-03`` (``2025-q2``, ``2025-3`` too).

    Parameters
    ----------
    s : Series
        A raw column.
    months_only : bool, default False
        Accept months ``YYYY-MM`` only.

    Returns
    -------
    (periods, empty, bad) : tuple of Series and two bool arrays
        Normalised text (missing where empty), the empty cells and the unreadable ones.

    Examples
    --------
    >>> p, empty, bad = to_period(pd.Series(["2025-q2", "2025-3", "2025-03-01", "March"]))
    >>> p.tolist()[:3], bad.tolist()
    (['2025-Q2', '2025-03', '2025-03'], [False, False, False, True])
    """
    text = as_text(s).str.upper().str.replace("/", "-", regex=False)
    text = text.str.replace(r"^(\d{4})-(\d{2})-01( 00:00:00)?$", r"\1-\2", regex=True)
    text = text.str.replace(r"^(\d{4})-(\d)$", r"\1-0\2", regex=True)
    text = text.str.replace(r"^(\d{4})-?Q([1-4])$", r"\1-Q\2", regex=True)
    empty = text.eq("").to_numpy()
    pattern = r"\d{4}-(0[1-9]|1[0-2])" if months_only else r"\d{4}|\d{4}-Q[1-4]|\d{4}-(0[1-9]|1[0-2])"
    ok = text.str.fullmatch(pattern).to_numpy(dtype=bool)
    return str_series(text, empty), empty, ~empty & ~ok


def str_series(text: pd.Series, empty: np.ndarray | pd.Series) -> pd.Series:
    """Return ``text`` as canonical text: missing where ``empty``, dtype :data:`STR_DTYPE`.

    Parameters
    ----------
    text : Series
        Stripped text.
    empty : array of bool
        The cells to mark missing.

    Returns
    -------
    Series
        Same index as ``text``.
    """
    return text.where(~np.asarray(empty), np.nan).astype(STR_DTYPE)
