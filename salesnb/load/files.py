"""Read CSV, Excel and Parquet files into raw frames; the one checksum of files and frames.

CSV is decoded as UTF-8 (with or without BOM), else as GB18030 (a superset of GBK) or
Windows-1252, whichever the bytes show (:func:`detect_encoding`), and read as text with the
delimiter found in its header line (``,``, ``;``, tab or ``|``: :func:`sniff_delimiter`).
Every reader also returns each row's number as the user counts it in the file (CSV and
Excel: the line or sheet row, the header being row 1; Parquet: records from 1), and
:func:`read_raw` says how it read the file (encoding, delimiter, decimal mark) and what
was wrong with the header (a column named twice).
"""

from __future__ import annotations

import csv
import hashlib
import io as _io
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import DataError
from .coerce import as_text
from .dialect import (
    DELIMITERS,
    ENCODING_NAMES,
    ENCODINGS,
    detect_encoding,
    duplicate_names,
    sniff_delimiter,
)

__all__ = ["SUPPORTED_FORMATS", "ENCODINGS", "ENCODING_NAMES", "DELIMITERS", "sha256_file",
           "files_sha256", "frame_sha256", "detect_encoding", "sniff_delimiter",
           "duplicate_names", "read_raw", "read_frame", "records"]

SUPPORTED_FORMATS = (".csv", ".xlsx", ".xlsm", ".xls", ".parquet", ".pq")


def sha256_file(path: str | Path) -> str:
    """Return the hex SHA-256 of a file's bytes (read in chunks).

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    str
        64 hex digits.
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def files_sha256(paths: Iterable[str | Path]) -> str:
    """Return the checksum of several files: one file's own, else that of their checksums.

    Parameters
    ----------
    paths : iterable of str or Path
        The files, in name order (a glob's matches).

    Returns
    -------
    str
        64 hex digits.
    """
    paths = list(paths)
    if len(paths) == 1:
        return sha256_file(paths[0])
    return hashlib.sha256("".join(sha256_file(f) for f in paths).encode()).hexdigest()


def frame_sha256(df: pd.DataFrame) -> str:
    """Return the hex SHA-256 of a DataFrame's values (rows in order, index ignored).

    Parameters
    ----------
    df : DataFrame
        Any frame; cells that pandas cannot hash (lists, dicts) are hashed as CSV text.

    Returns
    -------
    str
        64 hex digits.
    """
    try:
        data = pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes()
    except TypeError:  # unhashable cells (lists, dicts): hash the CSV text instead
        data = df.to_csv(index=False).encode()
    return hashlib.sha256(data).hexdigest()


def records(raw: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, str, np.ndarray]:
    """Return a table that is not a file as :func:`read_raw` does: rows are records from 1.

    Parameters
    ----------
    raw : DataFrame
        A DataFrame or the rows of a SQL source (renamed in place: stripped column names).

    Returns
    -------
    (frame, rows, noun, blank) : tuple
        The frame, its record numbers, ``"record"`` and no blank rows.
    """
    raw.columns = [str(c).strip() for c in raw.columns]
    return raw, np.arange(len(raw)) + 1, "record", np.array([], dtype=int)


def _unique(names: list[str]) -> list[str]:
    """Return the names with repeats renamed ``name.1``, ``name.2`` (as pandas does)."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        k = seen.get(n, 0)
        out.append(n if k == 0 else f"{n}.{k}")
        seen[n] = k + 1
    return out


def _dup_note(name: str, dups: dict[str, list[int]], meta: dict | None) -> None:
    if not dups or meta is None:
        return
    what = "; ".join(f"{n!r} in columns {', '.join(map(str, pos))}" for n, pos in dups.items())
    meta.setdefault("notes", []).append((
        "error", "duplicate_columns", ", ".join(dups), list(dups),
        f"{name}: the header names a column more than once ({what}); each column needs a "
        "name of its own: rename or delete the extra columns."))


def _read_csv(path: Path, name: str, meta: dict | None = None
              ) -> tuple[pd.DataFrame, np.ndarray, str]:
    data = path.read_bytes()
    enc = detect_encoding(data)
    if enc is None:
        raise DataError(f"file '{name}' is neither UTF-8, GB18030/GBK nor Windows-1252 text; "
                        "save it as CSV UTF-8 from Excel and try again")
    text = data.decode(enc)
    if text.startswith("\ufeff"):
        text = text[1:]
    first = next(iter(text.splitlines()), "")
    sep = sniff_delimiter(first)
    if meta is not None:
        meta.update(encoding=enc, delimiter=sep, decimal="," if sep == ";" else ".")
        notes = meta.setdefault("notes", [])
        if enc not in ("utf-8", "utf-8-sig"):
            sample = next((w for w in re.findall(r"[^,;\t|\n\r\"]*[^\x00-\x7f][^,;\t|\n\r\"]*",
                                                 text)), "")
            seen = f", e.g. {sample.strip()!r}" if sample.strip() else ""
            notes.append(("info", "encoding", None, [],
                          f"{name}: read as {ENCODING_NAMES[enc]} text, not UTF-8{seen}; if "
                          "names look wrong, save the file as CSV UTF-8 and run again."))
        if sep != ",":
            shown = {"\t": "tab", ";": "semicolon", "|": "vertical bar"}[sep]
            dec = " and decimal commas (1.234,50)" if sep == ";" else ""
            notes.append(("info", "delimiter", None, [],
                          f"{name}: read as {shown}-delimited CSV{dec}."))
    header = next(csv.reader([first], delimiter=sep), [])
    _dup_note(name, duplicate_names([h.strip() for h in header]), meta)
    try:
        df = pd.read_csv(_io.StringIO(text), dtype=str, keep_default_na=False,
                         skip_blank_lines=False, sep=sep)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise DataError(f"file '{name}' cannot be read as CSV: {e}") from None
    rows = np.arange(len(df)) + 2
    if len(text.splitlines()) != len(df) + 1:  # quoted line breaks: count lines exactly
        starts, last = [], 0
        reader = csv.reader(_io.StringIO(text, newline=""), delimiter=sep)
        for _ in reader:
            starts.append(last + 1)
            last = reader.line_num
        if len(starts) == len(df) + 1:
            rows = np.array(starts[1:])
    return df, rows, "row"


def _read_xlsx(path: Path, name: str, sheet: str | int | None, meta: dict | None = None
               ) -> tuple[pd.DataFrame, np.ndarray, str]:
    # imported here, not at the top: only Excel input needs openpyxl (import-time speed)
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - any unreadable workbook
        raise DataError(f"file '{name}' cannot be read as an Excel workbook: {e}") from None
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif isinstance(sheet, int) and 0 <= sheet < len(wb.worksheets):
            ws = wb.worksheets[sheet]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            raise DataError(f"file '{name}' has no sheet {sheet!r}; its sheets are "
                            f"{', '.join(map(repr, wb.sheetnames))}")
        header, rows_out, rows = None, [], []
        for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if header is None:
                if any(v is not None and str(v).strip() for v in values):
                    header = [f"Unnamed: {i}" if v is None else str(v).strip()
                              for i, v in enumerate(values)]
                continue
            vals = ["" if v is None else v for v in values][: len(header)]
            rows_out.append(vals + [""] * (len(header) - len(vals)))
            rows.append(r)
    finally:
        wb.close()
    if header is None:
        return pd.DataFrame(), np.array([], dtype=int), "row"
    _dup_note(name, duplicate_names(header), meta)
    df = pd.DataFrame(rows_out, columns=_unique(header), dtype=object)
    return df, np.array(rows, dtype=int), "row"


def read_raw(path: Path, name: str, sheet: str | int | None = None, *,
             meta: dict | None = None) -> tuple[pd.DataFrame, np.ndarray, str, np.ndarray]:
    """Read a file; leave its blank rows out and say where they were.

    Parameters
    ----------
    path : Path
        The file (already resolved against the params file's folder).
    name : str
        The file's name in messages (the path as the user gave it).
    sheet : str or int, optional
        Excel only: the sheet name or 0-based index (default: the first sheet).
    meta : dict, optional
        Filled with how the file was read: ``encoding``, ``delimiter`` and ``decimal``
        (CSV), and ``notes``, a list of ``(severity, check, column, examples, message)``
        findings (the encoding when it is not UTF-8, the delimiter when it is not a comma, a
        header naming a column twice).

    Returns
    -------
    (frame, rows, noun, blank) : tuple
        The raw frame (fresh RangeIndex, column names stripped), each row's number as the
        user counts it, ``"row"`` or ``"record"``, and the numbers of the blank rows left out.

    Raises
    ------
    DataError
        When the file is missing, of an unsupported format or unreadable.
    """
    if not path.is_file():
        where = "" if str(path) == name else f" (looked for {path})"
        raise DataError(f"file '{name}' not found{where}; check the path in the params file")
    ext = path.suffix.lower()
    if ext == ".csv":
        df, rows, noun = _read_csv(path, name, meta)
    elif ext in (".xlsx", ".xlsm"):
        df, rows, noun = _read_xlsx(path, name, sheet, meta)
    elif ext == ".xls":
        try:
            df = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=object,
                               keep_default_na=False)
        except ImportError:
            raise DataError(f"file '{name}': reading old .xls workbooks needs the xlrd package; "
                            "save the file as .xlsx (or CSV) instead") from None
        rows, noun = np.arange(len(df)) + 2, "row"
    elif ext in (".parquet", ".pq"):
        df = pd.read_parquet(path)
        rows, noun = np.arange(len(df)) + 1, "record"
    else:
        raise DataError(f"file '{name}' has an unsupported format {ext or '(no extension)'!r}; "
                        f"supported formats are {', '.join(SUPPORTED_FORMATS)}")
    df.columns = [str(c).strip() for c in df.columns]
    df = df.reset_index(drop=True)
    blank = np.zeros(len(df), dtype=bool)
    if len(df.columns) and len(df) and noun == "row":
        blank = as_text(df.iloc[:, 0]).eq("").to_numpy().copy()
        for c in range(1, len(df.columns)):  # only rows still blank need checking
            if blank.any():
                pos = np.flatnonzero(blank)
                blank[pos] = as_text(df.iloc[pos, c]).eq("").to_numpy()
    if blank.any():
        df = df.loc[~blank].reset_index(drop=True)
    return df, rows[~blank], noun, rows[blank]


def read_frame(path: str | Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a CSV, Excel or Parquet file into a frame of raw values (CSV: all text).

    CSV is decoded as UTF-8 (with or without BOM), else GB18030 (a superset of GBK) or
    Windows-1252 (:func:`detect_encoding`), split at the delimiter of its header line;
    Excel reads the first sheet unless ``sheet`` names one. Blank rows are left out.

    Parameters
    ----------
    path : str or Path
        The file.
    sheet : str or int, optional
        Excel only: the sheet name or 0-based index.

    Returns
    -------
    DataFrame
        The file's columns (names stripped of spaces) and a fresh RangeIndex.
    """
    df, _, _, _ = read_raw(Path(path), str(path), sheet)
    return df
