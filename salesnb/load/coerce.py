"""Turn raw cells into canonical values: text, dates, amounts and periods.

Each ``to_*`` function takes a raw column (text from a CSV, objects from Excel, typed
values from Parquet, SQL or a DataFrame) and returns the values with an ``empty`` mask
and a ``bad`` mask (cells that are filled in but cannot be read), so that the caller can
name the rows.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
import warnings

import numpy as np
import pandas as pd

__all__ = ["STR_DTYPE", "THOUSANDS", "CURRENCY_CODES", "cell_text", "as_text", "example",
           "to_date", "to_float", "currency_marks", "to_period", "str_series", "name_key"]

#: the dtype of canonical text columns (pandas' string dtype from pandas 3, else object)
STR_DTYPE = "str" if int(pd.__version__.split(".")[0]) >= 3 else object
#: a number written with thousands separators, e.g. 1,234,567.50
THOUSANDS = r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?"
#: a number written the European way, e.g. 1.234.567,50 or 99,5 (semicolon CSV files)
_EURO = r"[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?"
#: currency symbols read (and stripped) in amounts; ￥ is read as ¥
_SYMBOLS = "¥￥$€£"
#: the ISO code each symbol stands for when a rates table is looked up
CURRENCY_CODES = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "CNY"}
_MARK = (rf"^\s*(?P<pre>[{_SYMBOLS}]|[A-Z]{{3}}(?=[\s\d(+-]))|"
         rf"(?<=[\d\s).])(?P<post>[{_SYMBOLS}]|[A-Z]{{3}})\s*$")


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


def _day_first(raw: str) -> str:
    """Rewrite a dotted day-first date (05.10.2026, 5.10.2026 14:00) as ISO; else as given."""
    m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(.*)", raw)
    return f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}{m[4]}" if m else raw


def to_date(s: pd.Series, *, tz: str | None = None, meta: dict | None = None
            ) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Read dates: ISO dates and times, ``2025/3/5``, ``2025.3.5``, ``2025年3月5日``, ``05.03.2025``.

    A date of two digits, a dot, two digits, a dot and four (``05.03.2025``) is day first,
    as every country that writes dates with dots does. A timestamp with a UTC offset
    (``2025-03-31T23:30:00-05:00``, ``...Z``) is converted to ``tz`` before its day is taken;
    without ``tz`` it keeps its own wall-clock day (the data's local time), and ``meta``
    tells the caller which rows had an offset, so that offsets that differ can be refused.

    Parameters
    ----------
    s : Series
        A raw column (text, objects or datetimes).
    tz : str, optional
        The reporting time zone (an IANA name such as ``Europe/Berlin``, or ``UTC``).
    meta : dict, optional
        Filled with ``offset`` (bool array: the rows whose timestamp had a UTC offset or
        time zone) and ``offsets`` (the distinct offsets seen, as text like ``+02:00``).

    Returns
    -------
    (dates, empty, bad) : tuple of Series and two bool arrays
        Midnight datetimes (NaT where empty or unreadable), the empty cells and the
        unreadable ones.

    Examples
    --------
    >>> d, empty, bad = to_date(pd.Series(["2025-03-05", "2025/3/6", "07.03.2025", "", "soon"]))
    >>> list(d.dt.day.fillna(0).astype(int)), empty.tolist(), bad.tolist()
    ([5, 6, 7, 0, 0], [False, False, False, True, False], [False, False, False, False, True])
    >>> t = pd.Series(["2025-03-31T23:30:00-05:00", "2025-04-01T04:30:00Z"])
    >>> [str(x.date()) for x in to_date(t, tz="UTC")[0]]
    ['2025-04-01', '2025-04-01']
    """
    meta = {} if meta is None else meta
    meta.update(offset=np.zeros(len(s), bool), offsets=[])
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        zone = getattr(s.dt, "tz", None)
        d = s
        if zone is not None:
            d = (s.dt.tz_convert(tz) if tz else s).dt.tz_localize(None)
            meta["offset"] = s.notna().to_numpy()
            meta["offsets"] = [str(zone)]
        return d.dt.normalize(), d.isna().to_numpy(), np.zeros(len(s), bool)
    text = as_text(s)
    empty = text.eq("").to_numpy()
    uniq = pd.Index(pd.unique(text[~empty]))
    zoned: dict[str, str] = {}  # text -> its offset

    def naive(ts: pd.Timestamp, raw: str) -> pd.Timestamp:
        if ts is pd.NaT or ts.tz is None:
            return ts
        off = ts.strftime("%z")
        zoned[raw] = f"{off[:3]}:{off[3:]}" if len(off) == 5 else (off or str(ts.tz))
        return (ts.tz_convert(tz) if tz else ts).tz_localize(None)

    try:
        with warnings.catch_warnings():  # pandas 2.x warns on mixed offsets: handled below
            warnings.filterwarnings("ignore", "In a future version of pandas, parsing datetimes "
                                    "with mixed time zones", FutureWarning)
            bulk = pd.to_datetime(pd.Series(uniq, dtype=object), format="ISO8601",
                                  errors="coerce")
        if pd.api.types.is_datetime64_any_dtype(bulk) and bulk.dt.tz is None:
            parsed = list(bulk)
        elif pd.api.types.is_datetime64_any_dtype(bulk):  # one offset throughout
            parsed = [naive(v, r) for v, r in zip(bulk, uniq, strict=True)]
        else:  # mixed offsets, or aware and naive together: pandas 2.3 would give naive
            # text UTC; each value is read on its own instead
            parsed = [naive(pd.to_datetime(r, format="ISO8601", errors="coerce"), r)
                      for r in uniq]
    except (ValueError, TypeError):
        parsed = [pd.NaT] * len(uniq)
    for i, (raw, val) in enumerate(zip(uniq, parsed, strict=True)):
        if pd.isna(val):  # 2025/3/5, 2025.3.5, 2025年3月5日, 05.03.2025, mixed time zones
            alt = re.sub(r"[/.年月]", "-", _day_first(raw)).replace("日", "").strip()
            try:
                parsed[i] = naive(pd.Timestamp(pd.to_datetime(alt, format="ISO8601")), raw)
            except (ValueError, TypeError, OverflowError):
                pass
    lookup = pd.Series(pd.to_datetime(pd.Series(parsed, dtype=object)).to_numpy(), index=uniq)
    dates = pd.to_datetime(text.map(lookup) if len(uniq) else pd.Series(pd.NaT, index=s.index))
    dates = dates.dt.normalize()
    if zoned:
        meta["offset"] = text.isin(list(zoned)).to_numpy()
        meta["offsets"] = sorted(set(zoned.values()))
    return dates, empty, (~empty) & dates.isna().to_numpy()


def currency_marks(s: pd.Series) -> pd.Series:
    """Return the currency symbol or code written in each amount ("" where none).

    Symbols ``¥ ￥ $ € £`` and three-letter codes (``USD 20``, ``20 EUR``) before or after the
    number are read; ``￥`` is returned as ``¥``.

    Parameters
    ----------
    s : Series
        A raw amount column.

    Returns
    -------
    Series
        Text, same index.

    Examples
    --------
    >>> currency_marks(pd.Series(["$1,234.50", "€1,234.50", "12", "1.234,50 EUR"])).tolist()
    ['$', '€', '', 'EUR']
    """
    if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_datetime64_any_dtype(s.dtype):
        return pd.Series("", index=s.index, dtype=object)
    text = as_text(s)
    mark = pd.Series("", index=s.index, dtype=object)
    # only text that is not a plain number can carry a mark: fast on clean data
    maybe = pd.to_numeric(text.where(text != "", "0"), errors="coerce").isna().to_numpy()
    if maybe.any():
        found = text[maybe].str.extract(_MARK)
        pre, post = found["pre"].astype(object), found["post"].astype(object)
        both = pre.where(pre.notna(), post)
        mark[maybe] = [("" if not isinstance(v, str) else v.replace("￥", "¥")) for v in both]
    return mark


def name_key(s: pd.Series) -> pd.Series:
    """Return the key names are matched on: trimmed, inner spaces collapsed, NFKC, case-folded.

    Parameters
    ----------
    s : Series
        Canonical text (missing values stay missing).

    Returns
    -------
    Series
        The keys, same index.

    Examples
    --------
    >>> name_key(pd.Series([" East", "EAST", "ｅａｓｔ", "Jürgen  Müller", None])).tolist()
    ['east', 'east', 'east', 'jürgen müller', nan]
    """
    return s.map(lambda v: unicodedata.normalize("NFKC", " ".join(str(v).split())).casefold()
                 if isinstance(v, str) else (np.nan if v is None else v))  # one NA on pandas 2 and 3


def to_float(s: pd.Series, *, decimal: str = ".") -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Read amounts: plain numbers, ``¥1,234.50``, ``$20``, ``USD 20``, ``(12)`` (negative).

    Parameters
    ----------
    s : Series
        A raw column (text, objects or numbers).
    decimal : {".", ","}, default "."
        The decimal mark. With ``","`` (semicolon CSV files from European Excel) a value
        with a comma is read the European way (``1.234,50`` is 1234.5, ``99,5`` is 99.5), as
        is a value whose dots split it in groups of three (``1.500`` is 1500); other values
        (``12.75``) are read as plain numbers.

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
    euro = decimal == "," and text.str.fullmatch(r"[^,]*\d{1,3}(\.\d{3})+[^.,\d]*").to_numpy(bool)
    if decimal == ",":
        v = np.where(euro, np.nan, v)
    retry = np.flatnonzero(~empty & np.isnan(v))  # only these need cleaning: fast on clean data
    if len(retry):
        t = text.iloc[retry].str.replace(rf"\s*[{_SYMBOLS}]\s*", "", regex=True)
        t = t.str.replace(r"^[A-Z]{3}\s*(?=[\d(+-])|(?<=[\d).])\s*[A-Z]{3}$", "", regex=True)
        paren = t.str.fullmatch(r"\(.*\)")
        t = t.where(~paren, "-" + t.str.slice(1, -1))
        if decimal == ",":
            ok = t.str.fullmatch(_EURO)
            t = t.where(~ok, t.str.replace(".", "", regex=False).str.replace(",", ".",
                                                                            regex=False))
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
