"""Where the DuckDB scan reads from, and the row numbers the user counts in it.

A :class:`Source` is a CSV file (UTF-8), a Parquet file or glob, or a DataFrame; it gives
the SQL relation the scan reads and the source's name for messages. Row numbers: CSV rows
count lines (header = line 1, the first data row = line 2; exact even with blank lines or
quoted line breaks); Parquet and DataFrames count records from 1 (per file for a glob).
"""

from __future__ import annotations

import csv
import glob as _glob
from pathlib import Path

import duckdb
import pandas as pd

from ..exceptions import DataError
from .dialect import ENCODING_NAMES, detect_encoding, duplicate_names, sniff_delimiter
from .issues import ScanFallback

__all__ = ["SHIFT", "Source", "q", "lit", "csv_lines", "user_rows", "only_plain_text"]

SHIFT = 1 << 40  # order key: file index * 2**40 + record number within the file


def q(name: str) -> str:
    """Return ``name`` as a quoted SQL identifier.

    Parameters
    ----------
    name : str
        A column name.

    Returns
    -------
    str
    """
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    """Return ``text`` as a SQL string literal.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str
    """
    return "'" + text.replace("'", "''") + "'"


class Source:
    """Where the rows come from: SQL for the relation, names for messages.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The scan's connection (a DataFrame is registered on it).
    source : str, Path or DataFrame
        A CSV file, a Parquet file or glob, or a DataFrame.
    label : str, optional
        The source's name in messages (default: the path as given).

    Raises
    ------
    DataError
        When the file is missing or of a format the scan does not read.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, source: object, label: str | None):
        self.files: list[str] = []
        if isinstance(source, pd.DataFrame):
            con.register("_salesnb_frame", source)
            self.kind, self.name, self.noun = "frame", label or "the sales DataFrame", "record"
            self.rel, self.path = "_salesnb_frame", None
            return
        text = str(source)
        self.name, self.path = label or text, Path(text)
        ext = self.path.suffix.lower()
        if ext == ".csv":
            if not self.path.is_file():
                raise DataError(f"file '{self.name}' not found; check the path in the params file")
            self.kind, self.noun = "csv", "row"
            _check_plain_csv(self.path, self.name)
            self.rel = (f"read_csv({lit(text)}, all_varchar=true, header=true, "
                        "encoding='utf-8')")
        elif ext in (".parquet", ".pq"):
            self.files = sorted(_glob.glob(text)) if _glob.has_magic(text) else (
                [text] if self.path.is_file() else [])
            if not self.files:
                raise DataError(f"file '{self.name}' not found (no Parquet file matches); "
                                "check the path or glob in the params file")
            self.kind, self.noun = "parquet", "record"
            files = "[" + ", ".join(lit(f) for f in self.files) + "]"
            self.rel = f"read_parquet({files}, file_row_number=true, filename=true)"
        else:
            raise DataError(f"file '{self.name}' has an unsupported format "
                            f"{ext or '(no extension)'!r} for the scan engine; use .csv, "
                            ".parquet or a DataFrame (Excel: salesnb.io.load_dataset)")

    def describe(self, con: duckdb.DuckDBPyConnection) -> dict[str, str]:
        """Return the source's columns and their DuckDB types (hidden Parquet columns left out).

        Parameters
        ----------
        con : duckdb.DuckDBPyConnection
            An open DuckDB connection.
        """
        try:
            rows = con.execute(f"DESCRIBE SELECT * FROM {self.rel}").fetchall()
        except duckdb.Error as e:
            raise DataError(self.read_error(e)) from None
        hidden = {"filename", "file_row_number"} if self.kind == "parquet" else set()
        return {str(r[0]): str(r[1]) for r in rows if r[0] not in hidden}

    def read_error(self, e: Exception) -> str:
        """Return the message for a DuckDB error while reading the source.

        Parameters
        ----------
        e : Exception
            The DuckDB error.
        """
        msg = " ".join(line.strip() for line in str(e).splitlines()[:2])
        if "unicode" in str(e).lower() or "utf-8" in str(e).lower():
            msg = next((line.strip() for line in str(e).splitlines() if "nicode" in line), msg)
            raise ScanFallback(f"file '{self.name}' is not UTF-8 text ({msg}); the scan engine "
                               "reads UTF-8 CSV only: save it as CSV UTF-8 from Excel, or load "
                               "it with salesnb.io.load_dataset, which also reads GB18030/GBK "
                               "and Windows-1252")
        return f"file '{self.name}' cannot be read: {msg}"

    def order(self) -> str:
        """Return SQL for a unique key in input order (file index * 2**40 + record index, from 0)."""
        if self.kind != "parquet":
            return "(row_number() OVER () - 1)"
        if len(self.files) == 1:
            return "file_row_number"
        cases = " ".join(f"WHEN {lit(f)} THEN {i * SHIFT}" for i, f in enumerate(self.files))
        return f"(CASE filename {cases} END + file_row_number)"



def _check_plain_csv(path: Path, name: str) -> None:
    """Raise ScanFallback unless the CSV's start is UTF-8, comma-separated, with unique names."""
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    cut = head.rfind(b"\n")
    head = head[: cut + 1] if cut >= 0 and len(head) == 1 << 16 else head
    enc = detect_encoding(head)
    if enc not in ("utf-8", "utf-8-sig"):
        what = ENCODING_NAMES.get(enc, "an unknown encoding") if enc else "an unknown encoding"
        raise ScanFallback(f"file '{name}' is {what} text, not UTF-8: the scan engine reads "
                           "UTF-8 only (save it as CSV UTF-8, or load it with "
                           "salesnb.io.load_dataset, which also reads GB18030/GBK and "
                           "Windows-1252)")
    first = next(iter(head.decode(enc).splitlines()), "")
    sep = sniff_delimiter(first)
    if sep != ",":
        raise ScanFallback(f"file '{name}' is delimited by {sep!r}, not commas (the scan "
                           "engine reads comma-separated files)")
    names = [h.strip() for h in next(csv.reader([first.lstrip("\ufeff")]), [])]
    if duplicate_names(names):
        raise ScanFallback(f"file '{name}' names a column twice in its header")


def csv_lines(path: Path, records: int, wanted: set[int]) -> dict[int, int]:
    """Map 0-based CSV record index -> the line the user sees it on (header = line 1).

    Parameters
    ----------
    path : Path
        The CSV file.
    records : int
        How many records DuckDB read from it.
    wanted : set of int
        The 0-based record indexes to place.

    Returns
    -------
    dict of int to int

    DuckDB skips blank lines and a quoted field may span lines, so the exact start line of
    each wanted record is read with ``csv`` (up to the last wanted record), unless the wanted
    records lie deep in the file and it has exactly records + 1 lines (then line = record + 2).
    """
    if not wanted:
        return {}
    top = max(wanted)
    if (top + 1) * 20 > records:  # deep in the file: counting its lines is the cheaper way
        lines, last = 0, b"\n"
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 24), b""):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
        lines += last != b"\n"
        if lines == records + 1:
            return {r: r + 2 for r in wanted}
    # else read the records up to the last wanted one (exact in every case)
    out, k = {}, -1
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        start = 1
        for row in reader:
            if row:  # a blank line is no record for DuckDB either
                if k >= 0 and k in wanted:
                    out[k] = start
                k += 1
                if k > top:
                    break
            start = reader.line_num + 1
    return out


def user_rows(src: Source, fidx: int, ords: list[int], records: int) -> list[int]:
    """Turn order keys into the numbers the user counts (CSV lines; records from 1).

    Parameters
    ----------
    src : Source
        The scanned source.
    fidx : int
        The file's index (a Parquet glob), else 0.
    ords : list of int
        Order keys (``fidx * SHIFT`` + the record's 0-based index).
    records : int
        How many records the file has.

    Returns
    -------
    list of int
    """
    idx = [int(o) - fidx * SHIFT for o in ords]
    if src.kind != "csv":
        return [i + 1 for i in idx]
    mapping = csv_lines(src.path, records, set(idx))
    return [mapping.get(i, i + 2) for i in idx]


#: a currency symbol or code before or after an amount (as salesnb.load.coerce reads them)
_MARK_SQL = r"^\s*([¥￥$€£]|[A-Z]{3})\s*[-+(\d]|[\d).]\s*([¥￥$€£]|[A-Z]{3})\s*$"
#: a timestamp with a UTC offset or Z
_OFFSET_SQL = r"\d[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)$"


def only_plain_text(con, src: Source, found: dict, types: dict) -> None:
    """Raise ScanFallback when text amounts name more than one currency, or dates carry offsets.

    The pandas reader refuses mixed currencies (or converts them at the params' rates) and
    refuses offsets that differ: the scan hands such files to it, so that both engines give
    the same verdict.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        An open DuckDB connection.
    src : Source
        The sales source scanned.
    found : dict
        Canonical column -> the file's column name.
    types : dict
        The file's column -> its DuckDB type (see :meth:`Source.describe`).
    """
    if "currency" in found or any(c.strip().lower() == "currency" for c in types):
        raise ScanFallback(f"{src.name}: it has a currency column, which only the pandas reader "
                           "applies")
    checks = []
    if "amount" in found and "VARCHAR" in types[found["amount"]].upper():
        a = f"trim({q(found['amount'])})"
        checks.append(f"count(DISTINCT CASE WHEN regexp_matches({a}, {lit(_MARK_SQL)}) THEN "
                      rf"replace(coalesce(nullif(regexp_extract({a}, '^\s*([¥￥$€£]|[A-Z]{{3}})'"
                      rf", 1), ''), regexp_extract({a}, '([¥￥$€£]|[A-Z]{{3}})\s*$', 1)), '￥', "
                      "'¥') END) > 1")
    if "date" in found and "VARCHAR" in types[found["date"]].upper():
        d = f"trim({q(found['date'])})"
        checks.append(f"bool_or(regexp_matches({d}, {lit(_OFFSET_SQL)}))")
    if not checks:
        return
    try:
        row = con.execute(f"SELECT {', '.join(checks)} FROM {src.rel}").fetchone()
    except duckdb.Error as e:
        raise DataError(src.read_error(e)) from None
    if any(row):
        raise ScanFallback(f"{src.name}: its amounts name more than one currency, or its dates "
                           "carry UTC offsets, which only the pandas reader checks")
