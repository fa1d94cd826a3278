"""Read CSV, Excel and Parquet files into raw frames; the one checksum of files and frames.

CSV is decoded as UTF-8 (with or without BOM), else GB18030 (a superset of GBK), and read
as text. Every reader also returns each row's number as the user counts it in the file
(CSV and Excel: the line or sheet row, the header being row 1; Parquet: records from 1).
"""

from __future__ import annotations

import csv
import hashlib
import io as _io
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import DataError
from .coerce import as_text

__all__ = ["SUPPORTED_FORMATS", "ENCODINGS", "sha256_file", "files_sha256", "frame_sha256",
           "read_raw", "read_frame", "records"]

SUPPORTED_FORMATS = (".csv", ".xlsx", ".xlsm", ".xls", ".parquet", ".pq")
#: the text encodings tried for CSV, in order
ENCODINGS = ("utf-8-sig", "gb18030")


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


def _read_csv(path: Path, name: str) -> tuple[pd.DataFrame, np.ndarray, str]:
    data = path.read_bytes()
    for enc in ENCODINGS:
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DataError(f"file '{name}' is neither UTF-8 nor GB18030/GBK text; "
                        "save it as CSV UTF-8 from Excel and try again")
    try:
        df = pd.read_csv(_io.StringIO(text), dtype=str, keep_default_na=False,
                         skip_blank_lines=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise DataError(f"file '{name}' cannot be read as CSV: {e}") from None
    rows = np.arange(len(df)) + 2
    if len(text.splitlines()) != len(df) + 1:  # quoted line breaks: count lines exactly
        starts, last = [], 0
        reader = csv.reader(_io.StringIO(text, newline=""))
        for _ in reader:
            starts.append(last + 1)
            last = reader.line_num
        if len(starts) == len(df) + 1:
            rows = np.array(starts[1:])
    return df, rows, "row"


def _read_xlsx(path: Path, name: str, sheet: str | int | None
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
    df = pd.DataFrame(rows_out, columns=header, dtype=object)
    return df, np.array(rows, dtype=int), "row"


def read_raw(path: Path, name: str, sheet: str | int | None = None
             ) -> tuple[pd.DataFrame, np.ndarray, str, np.ndarray]:
    """Read a file; leave its blank rows out and say where they were.

    Parameters
    ----------
    path : Path
        The file (already resolved against the params file's folder).
    name : str
        The file's name in messages (the path as the user gave it).
    sheet : str or int, optional
        Excel only: the sheet name or 0-based index (default: the first sheet).

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
        df, rows, noun = _read_csv(path, name)
    elif ext in (".xlsx", ".xlsm"):
        df, rows, noun = _read_xlsx(path, name, sheet)
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

    CSV is decoded as UTF-8 (with or without BOM), else GB18030 (a superset of GBK);
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
