"""Read, rename, coerce and validate the input tables; write tables and text atomically.

The only module (with :mod:`salesnb.report`) that touches files. Data flows one way:
a file, DataFrame or SQL source -> :func:`read_frame` (raw text) -> :func:`load_table` (rename with the
``columns:`` mapping, coerce per :mod:`salesnb.schema`, validate) -> :func:`load_dataset`
(cross-table checks, team from org, rows after the as-of date set aside) -> :class:`Dataset`.

Errors stop the run with one :class:`~salesnb.exceptions.DataError` that lists every problem:
each names the file, the column (and the user's name for it), the rows as the user counts
them (CSV/Excel with a header: data row ``i`` is row ``i + 2``; Parquet and DataFrames:
records from 1) and a few offending values. Warnings never stop the run; every one is an
:class:`Issue` with a count and rows, and no row is dropped without a line in
``Dataset.excluded``.
"""

from __future__ import annotations

import csv
import datetime as _dt
import difflib
import hashlib
import io as _io
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import yaml

from .exceptions import DataError, ParamsError
from .schema import LEVELS, METRICS, SCHEMAS

__all__ = ["Issue", "Dataset", "read_frame", "load_table", "load_dataset", "dataset_from_params",
           "write_tables",
           "atomic_write_text", "atomic_write_bytes", "load_params", "sha256_file", "frame_sha256",
           "TableName", "SUPPORTED_FORMATS", "QUALITY_COLUMNS", "EXCLUDED_COLUMNS"]

TableName = Literal["sales", "targets", "org", "opportunities", "spend", "satisfaction"]
SUPPORTED_FORMATS = (".csv", ".xlsx", ".xlsm", ".xls", ".parquet", ".pq")
QUALITY_COLUMNS = ["severity", "table", "check", "column", "count", "rows", "detail"]
EXCLUDED_COLUMNS = ["table", "file", "row", "reason"]
_ENCODINGS = ("utf-8-sig", "gb18030")
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
_ALLOWED = {("targets", "level"): LEVELS, ("targets", "metric"): METRICS,
            ("opportunities", "outcome"): ("won", "lost")}
_STR_DTYPE = "str" if int(pd.__version__.split(".")[0]) >= 3 else object


@dataclass
class Issue:
    """One data-quality finding: an error stops the run, a warning or info is reported."""

    severity: Literal["error", "warning", "info"]
    table: str
    file: str
    check: str
    column: str | None
    rows: list[int]
    count: int
    examples: list
    message: str


def _rows_text(rows, noun: str = "row", limit: int = 10) -> str:
    rows = list(rows)
    if not rows:
        return ""
    head = ", ".join(str(r) for r in rows[:limit])
    more = f" (and {len(rows) - limit} more)" if len(rows) > limit else ""
    label = f"{noun}{'s' if len(rows) > 1 else ''} " if noun else ""
    return f"{label}{head}{more}"


@dataclass
class Dataset:
    """The validated canonical tables of one run, with their data-quality issues."""

    sales: pd.DataFrame | None
    targets: pd.DataFrame | None = None
    org: pd.DataFrame | None = None
    opportunities: pd.DataFrame | None = None
    spend: pd.DataFrame | None = None
    satisfaction: pd.DataFrame | None = None
    issues: list[Issue] = field(default_factory=list)
    excluded: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EXCLUDED_COLUMNS))
    sources: dict = field(default_factory=dict)
    as_of: pd.Timestamp | None = None
    #: the aggregated sales when they were scanned where they live (then ``sales`` is None)
    digest: dict | None = None

    @property
    def last_sale_date(self) -> pd.Timestamp | None:
        """The latest sale date kept in ``sales`` (None when there are no sales)."""
        if self.digest is not None:
            d = self.digest["daily"]["date"]
            return d.max() if len(d) else None
        if self.sales is None or not len(self.sales):
            return None
        return self.sales["date"].max()

    @property
    def sales_rows(self) -> int:
        """How many sales rows the run uses (after the as-of date's exclusions)."""
        if self.digest is not None:
            meta = self.digest["meta"]
            return int(meta["rows"] - meta["excluded_after_as_of"])
        return 0 if self.sales is None else len(self.sales)

    def quality_table(self) -> pd.DataFrame:
        """Return one row per issue, errors first, then warnings, then info.

        Returns
        -------
        DataFrame with columns ``severity``, ``table``, ``check``, ``column``, ``count``,
        ``rows`` (short text such as "5, 9, 12 (and 3 more)") and ``detail`` (the message).

        Examples
        --------
        >>> s = pd.DataFrame({"date": ["2025-01-02", "2025-01-03", "2025-01-03"],
        ...                   "team": ["East"] * 3, "rep": ["Ann", "Bob", "Bob"],
        ...                   "amount": ["10", "-5", "-5"]})
        >>> load_dataset(sales=s).quality_table()[["severity", "check", "count", "rows"]]
          severity            check  count  rows
        0  warning  negative_amount      2  2, 3
        1  warning   duplicate_rows      1     3
        """
        issues = sorted(self.issues, key=lambda i: _SEVERITY_ORDER.get(i.severity, 3))
        data = [(i.severity, i.table, i.check, i.column or "", i.count,
                 _rows_text(i.rows, ""), i.message) for i in issues]
        return pd.DataFrame(data, columns=QUALITY_COLUMNS)


# ---------------------------------------------------------------- files
def sha256_file(path) -> str:
    """Return the hex SHA-256 of a file's bytes (read in chunks)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def frame_sha256(df: pd.DataFrame) -> str:
    """Return the hex SHA-256 of a DataFrame's values (rows in order, index ignored)."""
    try:
        data = pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes()
    except TypeError:  # unhashable cells (lists, dicts): hash the CSV text instead
        data = df.to_csv(index=False).encode()
    return hashlib.sha256(data).hexdigest()


def _records(raw: pd.DataFrame):
    """A table that is not a file: stripped column names, rows counted as records from 1."""
    raw.columns = [str(c).strip() for c in raw.columns]
    return raw, np.arange(len(raw)) + 1, "record", np.array([], dtype=int)


def atomic_write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temp file in the same folder, fsync and os.replace."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; reports are for others to read
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write_bytes`)."""
    return atomic_write_bytes(path, text.encode(encoding))


def write_tables(tables: dict[str, pd.DataFrame], directory, *,
                 fmt: Literal["csv", "parquet"] = "csv") -> dict[str, Path]:
    """Write each table to ``directory/<name>.<fmt>`` atomically; return the paths.

    CSV is UTF-8 without index; dates are written as ``YYYY-MM-DD``; Period columns as text.

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
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
        try:
            if fmt == "csv":
                df.to_csv(tmp, index=False, encoding="utf-8", date_format="%Y-%m-%d")
            else:
                df.to_parquet(tmp, index=False)
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        out[name] = path
    return out


class _NoDatesSafeLoader(yaml.SafeLoader):
    """SafeLoader that keeps ISO dates as strings (as papermill loads parameters)."""

    yaml_implicit_resolvers = {
        key: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
        for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def load_params(path) -> dict:
    """Load a params YAML file into a dict, keeping dates such as 2025-03-01 as strings."""
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


# ---------------------------------------------------------------- reading
def _read_csv(path: Path, name: str):
    data = path.read_bytes()
    for enc in _ENCODINGS:
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


def _read_xlsx(path: Path, name: str, sheet):
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
        header, records, rows = None, [], []
        for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if header is None:
                if any(v is not None and str(v).strip() for v in values):
                    header = [f"Unnamed: {i}" if v is None else str(v).strip()
                              for i, v in enumerate(values)]
                continue
            vals = ["" if v is None else v for v in values][: len(header)]
            records.append(vals + [""] * (len(header) - len(vals)))
            rows.append(r)
    finally:
        wb.close()
    if header is None:
        return pd.DataFrame(), np.array([], dtype=int), "row"
    df = pd.DataFrame(records, columns=header, dtype=object)
    return df, np.array(rows, dtype=int), "row"


def _read(path: Path, name: str, sheet=None):
    """Return (raw frame, user row numbers, noun, blank row numbers)."""
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
        blank = _as_text(df.iloc[:, 0]).eq("").to_numpy().copy()
        for c in range(1, len(df.columns)):  # only rows still blank need checking
            if blank.any():
                pos = np.flatnonzero(blank)
                blank[pos] = _as_text(df.iloc[pos, c]).eq("").to_numpy()
    if blank.any():
        df = df.loc[~blank].reset_index(drop=True)
    return df, rows[~blank], noun, rows[blank]


def read_frame(path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a CSV, Excel or Parquet file into a frame of raw values (CSV: all text).

    CSV is decoded as UTF-8 (with or without BOM), else GB18030 (a superset of GBK);
    Excel reads the first sheet unless ``sheet`` names one. Blank rows are left out.

    Returns
    -------
    DataFrame with the file's columns (names stripped of spaces) and a fresh RangeIndex.
    """
    df, _, _, _ = _read(Path(path), str(path), sheet)
    return df


# ---------------------------------------------------------------- coercion
def _cell_text(v) -> str:
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


def _as_text(s: pd.Series) -> pd.Series:
    """Return the stripped text of each cell ("" for missing), as fast string dtype."""
    if s.dtype != object and pd.api.types.is_string_dtype(s.dtype):
        return s.fillna("").str.strip()
    return s.map(_cell_text).astype(_STR_DTYPE)


def _to_date(s: pd.Series):
    """Return (dates, empty mask, bad mask)."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        d = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
        return d.dt.normalize(), d.isna().to_numpy(), np.zeros(len(s), bool)
    text = _as_text(s)
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


_THOUSANDS = r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?"


def _to_float(s: pd.Series):
    """Return (floats, empty mask, bad mask); accepts '¥1,234.50', '(12)', ' 3 '."""
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        v = s.astype(float)
        empty = v.isna().to_numpy()
        return v, empty, ~empty & ~np.isfinite(v.to_numpy())
    text = _as_text(s)
    empty = text.eq("").to_numpy()
    v = pd.to_numeric(text.where(~empty, np.nan), errors="coerce").astype(float).to_numpy()
    retry = np.flatnonzero(~empty & np.isnan(v))  # only these need cleaning: fast on clean data
    if len(retry):
        t = text.iloc[retry].str.replace(r"\s*[¥￥$€£]\s*", "", regex=True)
        paren = t.str.fullmatch(r"\(.*\)")
        t = t.where(~paren, "-" + t.str.slice(1, -1))
        comma = t.str.contains(",", regex=False)
        t = t.where(~comma | t.str.fullmatch(_THOUSANDS), "not a number").str.replace(",", "")
        v = v.copy()
        v[retry] = pd.to_numeric(t, errors="coerce").astype(float).to_numpy()
    return pd.Series(v, index=s.index), empty, ~empty & ~np.isfinite(v)


def _to_period(s: pd.Series, *, months_only: bool = False):
    """Return (text periods, empty mask, bad mask); normalises 2025-q2, 2025-3, 2025-03-01."""
    text = _as_text(s).str.upper().str.replace("/", "-", regex=False)
    text = text.str.replace(r"^(\d{4})-(\d{2})-01( 00:00:00)?$", r"\1-\2", regex=True)
    text = text.str.replace(r"^(\d{4})-(\d)$", r"\1-0\2", regex=True)
    text = text.str.replace(r"^(\d{4})-?Q([1-4])$", r"\1-Q\2", regex=True)
    empty = text.eq("").to_numpy()
    pattern = r"\d{4}-(0[1-9]|1[0-2])" if months_only else r"\d{4}|\d{4}-Q[1-4]|\d{4}-(0[1-9]|1[0-2])"
    ok = text.str.fullmatch(pattern).to_numpy(dtype=bool)
    return _str_series(text, empty), empty, ~empty & ~ok


def _str_series(text: pd.Series, empty) -> pd.Series:
    return text.where(~np.asarray(empty), np.nan).astype(_STR_DTYPE)


# ---------------------------------------------------------------- validation
@dataclass
class _Ctx:
    table: str
    name: str
    noun: str
    rows: np.ndarray
    user: dict
    raw: dict = field(default_factory=dict)

    def col(self, c: str) -> str:
        return f"column '{c}'" + (f" (your '{self.user[c]}')" if c in self.user else "")

    def issue(self, severity, check, column, mask, values, what, fix="", examples=None):
        """Build an Issue for the rows in ``mask``: '<file>: <column>: <what> in N rows: ...'."""
        pos = np.flatnonzero(np.asarray(mask))
        rows = [int(r) for r in self.rows[pos]]
        if examples is None:
            vals = values.iloc[pos[:1000]].astype(object)
            examples = list(dict.fromkeys(_example(v) for v in vals))[:5]
        n = len(rows)
        where = f"{self.col(column)}: " if column else ""
        ex = f"; values {', '.join(repr(v) for v in examples)}" if examples else ""
        msg = (f"{self.name}: {where}{what} in {n} {self.noun}{'s' if n != 1 else ''}: "
               f"{_rows_text(rows, self.noun)}{ex}.{(' ' + fix) if fix else ''}")
        return Issue(severity, self.table, self.name, check, column, rows, n, examples, msg)


def _example(v):
    if isinstance(v, str) or v is None:
        return v
    if isinstance(v, (_dt.date, np.datetime64)):
        return _cell_text(pd.Timestamp(v))
    return v.item() if isinstance(v, np.generic) else v


def _resolve_columns(raw_cols, schema, mapping, ctx, issues):
    """Map canonical names to the user's columns; add errors for bad mappings."""
    unknown = [c for c in mapping if c not in schema.names]
    if unknown:
        raise ParamsError(f"columns mapping for table '{schema.name}' names unknown canonical "
                          f"column(s) {', '.join(map(repr, unknown))}; allowed: "
                          f"{', '.join(schema.names)}")
    present = ", ".join(map(repr, raw_cols)) or "(none)"
    found, failed = {}, set()
    for canon, user in mapping.items():
        if user in raw_cols:
            found[canon] = user
        else:
            failed.add(canon)
            issues.append(Issue("error", ctx.table, ctx.name, "missing_columns", canon, [], 0, [],
                                f"{ctx.name}: column '{canon}' is mapped to your '{user}', which "
                                f"is not in the file; the file has {present}. Fix the "
                                f"'columns:' mapping in the params file."))
    lower = {}
    for c in raw_cols:
        lower.setdefault(c.lower(), []).append(c)
    for canon in schema.names:
        if canon in found or canon in failed:
            continue
        if canon in raw_cols:
            found[canon] = canon
        elif len(lower.get(canon, [])) == 1:
            found[canon] = lower[canon][0]
    missing = [c for c in schema.required if c not in found and c not in failed]
    if missing:
        close = difflib.get_close_matches(missing[0], list(raw_cols), n=1, cutoff=0.0)
        hint = close[0] if close else "YourColumn"
        issues.append(Issue(
            "error", ctx.table, ctx.name, "missing_columns", ", ".join(missing), [], 0, [],
            f"{ctx.name}: missing required column(s) {', '.join(map(repr, missing))}; the file "
            f"has {present}. Rename them in the file or map your names in the params file, e.g. "
            f"columns: {{{schema.name}: {{{missing[0]}: {hint}}}}}."))
    return found


def _load(source, table: str, columns, label, base_dir=None, sheet=None):
    """Load one table without raising: (canonical frame, issues, context, source info)."""
    if table not in SCHEMAS:
        raise ValueError(f"table must be one of {', '.join(SCHEMAS)}, got {table!r}")
    schema = SCHEMAS[table]
    if isinstance(source, pd.DataFrame):
        raw = source.reset_index(drop=True).copy()
        name = label or f"the {table} DataFrame"
        raw, rows, noun, blank = _records(raw)
        info = {"path": name, "sha256": frame_sha256(raw), "rows": len(raw)}
    elif isinstance(source, Mapping):  # a SQL source: {url: ..., table: ...} or query
        from .sources import read_sql_source, safe_url, source_label
        name = label or source_label(source)
        raw, rows, noun, blank = _records(read_sql_source(source, label=name, base_dir=base_dir))
        info = {"path": name, "url": safe_url(str(source["url"])), "rows": len(raw),
                "sha256": frame_sha256(raw)}
        info.update({k: str(source[k]) for k in ("table", "query") if source.get(k)})
    else:
        name = label or str(source)
        path = Path(source)
        if base_dir is not None and not path.is_absolute():
            path = Path(base_dir) / path
        raw, rows, noun, blank = _read(path, name, sheet)
        info = {"path": name, "sha256": sha256_file(path), "rows": len(raw)}
    ctx = _Ctx(table, name, noun, rows, {})
    issues: list[Issue] = []
    found = _resolve_columns(list(raw.columns), schema, dict(columns or {}), ctx, issues)
    ctx.user = {c: u for c, u in found.items() if c != u}
    ctx.raw = {c: raw[u] for c, u in found.items()}
    if len(blank):
        issues.append(Issue("info", table, name, "blank_rows", None, [int(b) for b in blank],
                            len(blank), [], f"{name}: {len(blank)} blank {noun}"
                            f"{'s' if len(blank) > 1 else ''} skipped "
                            f"({_rows_text(blank, noun)})."))
    out = {}
    for col in schema.columns:
        if col.name not in found:
            continue
        s = raw[found[col.name]]
        if col.kind == "date":
            val, empty, bad = _to_date(s)
            what, check = "a date that cannot be read", "bad_date"
            fix = "Write dates as YYYY-MM-DD (e.g. 2025-03-15)."
        elif col.kind == "float":
            val, empty, bad = _to_float(s)
            what, check = "not a number", "not_numeric"
            fix = ("Write plain numbers such as 1234.50 (thousands separators and ¥ $ € "
                   "signs are allowed).")
        elif col.kind == "period" or (table, col.name) == ("spend", "month"):
            months = col.kind != "period"
            val, empty, bad = _to_period(s, months_only=months)
            what, check = "a period that is not " + (
                "YYYY-MM" if months else "YYYY, YYYY-Qn or YYYY-MM"), (
                "bad_month" if months else "bad_period")
            fix = "Write e.g. " + ("2025-03." if months else "2025, 2025-Q2 or 2025-03.")
        else:
            text = _as_text(s)
            if (table, col.name) in _ALLOWED:
                text = text.str.lower()
            empty = text.eq("").to_numpy()
            val, bad = _str_series(text, empty), np.zeros(len(s), bool)
            allowed = _ALLOWED.get((table, col.name))
            if allowed:
                bad = ~empty & ~text.isin(allowed).to_numpy()
                what, check = f"not one of {', '.join(allowed)}", f"bad_{col.name}"
                fix = f"Use one of {', '.join(allowed)}."
        if bad.any():
            issues.append(ctx.issue("error", check, col.name, bad, s, what, fix))
        if empty.any() and (col.not_empty or (col.required and col.kind != "str")):
            issues.append(ctx.issue("error", "empty_value", col.name, empty, s, "empty",
                                    f"Fill in every {col.name}.", examples=[]))
        out[col.name] = val.reset_index(drop=True)
    df = pd.DataFrame(out, index=pd.RangeIndex(len(raw)))
    if table == "sales" and "amount" in df:
        neg = (df["amount"] < 0).to_numpy()
        if neg.any():
            issues.append(ctx.issue("warning", "negative_amount", "amount", neg,
                                    raw[found["amount"]],
                                    "a negative amount (a return: kept and counted)"))
    dup = raw.duplicated(keep="first").to_numpy() if len(raw.columns) else np.zeros(0, bool)
    if dup.any():
        issues.append(ctx.issue("warning", "duplicate_rows", None, dup, raw.iloc[:, 0],
                                "an exact repeat of an earlier row (kept and counted)",
                                examples=[]))
    return df, issues, ctx, info


def _raise(issues: list[Issue], what: str) -> None:
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        others = [i for i in issues if i.severity != "error"]
        lines = "\n".join(f"- {i.message}" for i in errors)
        extra = f"\n(and {len(others)} warning(s) that do not stop the run)" if others else ""
        raise DataError(f"{what}: {len(errors)} problem{'s' if len(errors) > 1 else ''} "
                        f"to fix:\n{lines}{extra}", problems=errors + others)


def load_table(source, table: TableName, *, columns: Mapping[str, str] | None = None,
               label: str | None = None, sheet: str | int | None = None,
               ) -> tuple[pd.DataFrame, list[Issue]]:
    """Load one table from a file, DataFrame or SQL source: rename, coerce per the schema and validate.

    Parameters
    ----------
    source : path (str or Path), DataFrame, or a SQL source ``{"url": ..., "table": ...}``
        or ``{"url": ..., "query": ...}`` (see :mod:`salesnb.sources`; rows are records)
    table : the canonical table name
    columns : maps canonical name -> the user's column name, e.g. {"amount": "SubTotal"}
    label : the name used for the source in messages (default: the path as given)
    sheet : Excel only: the sheet name or 0-based index (default: the first sheet)

    Returns
    -------
    (frame, issues): the canonical columns present (schema order, fresh RangeIndex) and the
    warnings and info found. Raises DataError listing every error.

    Examples
    --------
    >>> raw = pd.DataFrame({"OrderDate": ["2025-01-02", "2025/1/3", "2025-01-04"],
    ...                     "rep": ["Ann", "Bob", "Ann"], "SubTotal": ["¥1,234.50", "$20", "-5"]})
    >>> df, issues = load_table(raw, "sales", columns={"date": "OrderDate", "amount": "SubTotal"})
    >>> df
            date  rep  amount
    0 2025-01-02  Ann  1234.5
    1 2025-01-03  Bob    20.0
    2 2025-01-04  Ann    -5.0
    >>> [i.check for i in issues]
    ['negative_amount']
    >>> try:
    ...     load_table(raw.assign(SubTotal=["1", "x", ""]), "sales", label="orders",
    ...                columns={"date": "OrderDate", "amount": "SubTotal"})
    ... except DataError as e:
    ...     print(e)
    orders: 2 problems to fix:
    - orders: column 'amount' (your 'SubTotal'): not a number in 1 record: record 2; values 'x'. Write plain numbers such as 1234.50 (thousands separators and ¥ $ € signs are allowed).
    - orders: column 'amount' (your 'SubTotal'): empty in 1 record: record 3. Fill in every amount.
    """
    df, issues, ctx, _ = _load(source, table, columns, label, sheet=sheet)
    _raise(issues, ctx.name)
    return df, issues


# ---------------------------------------------------------------- the dataset
def _as_of_date(as_of) -> pd.Timestamp | None:
    if as_of is None:
        return None
    if isinstance(as_of, pd.Period):
        return as_of.asfreq("D", how="end").to_timestamp()
    text = str(as_of).strip()
    if re.fullmatch(r"\d{4}-\d{1,2}", text):
        return pd.Period(text, freq="M").asfreq("D", how="end").to_timestamp()
    try:
        return pd.Timestamp(as_of).normalize()
    except (ValueError, TypeError):
        raise ParamsError(f"as_of must be a month YYYY-MM or a date YYYY-MM-DD, got {as_of!r}"
                          ) from None


def _team_from_org(sales: pd.DataFrame, org: pd.DataFrame) -> pd.Series:
    """Return each sale's team from the rep's org row valid at the sale date (NaN if none)."""
    s = pd.DataFrame({"_pos": np.arange(len(sales)), "rep": sales["rep"], "date": sales["date"]})
    o = org[["rep", "team"]].assign(
        start=org["start"] if "start" in org else pd.NaT, end=org["end"] if "end" in org else pd.NaT)
    m = s.merge(o, on="rep", how="inner")
    ok = ((m["start"].isna() | (m["start"] <= m["date"]))
          & (m["end"].isna() | (m["date"] <= m["end"])))
    m = m.loc[ok].sort_values(["_pos", "start"], na_position="first", kind="stable")
    m = m.drop_duplicates("_pos", keep="last")
    team = np.full(len(sales), np.nan, dtype=object)
    team[m["_pos"].to_numpy()] = m["team"].to_numpy(dtype=object)
    return _str_series(pd.Series(team, dtype=object).fillna(""), pd.isna(team))


def load_dataset(*, sales, targets=None, org=None, opportunities=None, spend=None,
                 satisfaction=None, columns: Mapping[str, Mapping[str, str]] | None = None,
                 as_of=None, base_dir=None, engine: str = "pandas") -> Dataset:
    """Load and validate every given table; raise one DataError listing all errors.

    Each table is a path (relative ones resolve against ``base_dir``), a DataFrame or a SQL
    source ``{url: ..., table: ...}`` / ``{url: ..., query: ...}`` (:mod:`salesnb.sources`:
    ``${VAR}`` in the url comes from the environment; relative SQLite paths use ``base_dir``).
    ``columns`` maps table -> {canonical: user's name}. Sales without a team column get the
    team of the rep's org row valid at the sale date. Sales after ``as_of`` (a month
    ``YYYY-MM`` = its last day, or a date) are moved to ``Dataset.excluded``.

    ``engine`` (``pandas``, ``scan`` or ``auto``; see :mod:`salesnb.scanning`) says where the
    sales are aggregated. With ``scan`` (or ``auto`` on a large file) ``Dataset.sales`` is
    None and ``Dataset.digest`` holds the aggregated sales.

    Returns
    -------
    Dataset with the canonical tables, ``issues`` (warnings and info), ``excluded``
    (columns table, file, row, reason and the row's canonical values) and ``sources``.

    Examples
    --------
    >>> s = pd.DataFrame({"date": ["2025-01-10", "2025-02-03", "2025-04-01"],
    ...                   "rep": ["Ann", "Ann", "Bob"], "amount": ["10", "20", "30"]})
    >>> o = pd.DataFrame({"rep": ["Ann", "Bob"], "team": ["East", "West"]})
    >>> ds = load_dataset(sales=s, org=o, as_of="2025-03")
    >>> ds.sales[["date", "rep", "team", "amount"]]
            date  rep  team  amount
    0 2025-01-10  Ann  East    10.0
    1 2025-02-03  Ann  East    20.0
    >>> ds.excluded[["table", "row", "rep", "reason"]]
       table  row  rep                           reason
    0  sales    3  Bob  after the as-of date 2025-03-31
    """
    given = {"sales": sales, "targets": targets, "org": org, "opportunities": opportunities,
             "spend": spend, "satisfaction": satisfaction}
    columns = dict(columns or {})
    unknown = [t for t in columns if t not in given]
    if unknown:
        raise ParamsError(f"columns mapping names unknown table(s) {', '.join(map(repr, unknown))};"
                          f" allowed: {', '.join(given)}")
    cutoff = _as_of_date(as_of)
    tables, ctxs, issues, sources = {}, {}, [], {}
    digest = _scan(sales, engine, columns.get("sales"), cutoff, base_dir, issues, sources)
    for t, src in given.items():
        if src is None or (t == "sales" and digest is not None):
            continue
        df, found, ctx, info = _load(src, t, columns.get(t), None, base_dir)
        tables[t], ctxs[t], sources[t] = df, ctx, info
        issues += found
    if digest is not None:
        return _digest_dataset(digest, tables, ctxs, issues, sources, cutoff)
    s, sctx, org_df = tables["sales"], ctxs["sales"], tables.get("org")
    has = {t: [i.check for i in issues if i.table == t and i.severity == "error"] for t in tables}
    if "team" not in s and org_df is None:
        issues.append(Issue("error", "sales", sctx.name, "missing_columns", "team", [], 0, [],
                            f"{sctx.name}: the sales table has no 'team' column and no org table "
                            "is given; add a team column (or map yours with 'columns:') or give "
                            "an org table (rep, team)."))
    elif "team" not in s and {"rep", "date"} <= set(s) and not has.get("org"):
        team = _team_from_org(s, org_df)
        none = (team.isna() & s["date"].notna() & s["rep"].notna()).to_numpy()
        if cutoff is not None:  # sales after the as-of date are set aside, not checked
            none = none & (s["date"] <= cutoff).to_numpy()
        if none.any():
            issues.append(sctx.issue(
                "error", "empty_value", "team", none, s["rep"],
                "no team (the table has no team column and the rep has no org row valid "
                "at the sale date)", f"Add these reps to the org table ({ctxs['org'].name}) with "
                "start/end dates that cover the sales, or add a team column."))
        s = s.assign(team=team)
        s = s[[c for c in SCHEMAS["sales"].names if c in s]]
    if org_df is not None and "rep" in s and "rep" in org_df:
        out = (s["rep"].notna() & ~s["rep"].isin(org_df["rep"].dropna())).to_numpy()
        if cutoff is not None and "date" in s:  # sales after the as-of date are set aside
            out = out & (s["date"] <= cutoff).to_numpy()
        if out.any():
            issues.append(sctx.issue("warning", "rep_not_in_org", "rep", out, s["rep"],
                                     f"a rep missing from the org table "
                                     f"({ctxs['org'].name})", "Add them to the org table."))
    _check_target_units(tables, ctxs, issues, {lv: set(s[lv].dropna()) if lv in s else set()
                                                for lv in ("team", "rep")})
    _check_org_lines(tables, ctxs, issues)
    _raise(issues, "cannot use the input data")
    excluded = pd.concat([pd.DataFrame(columns=EXCLUDED_COLUMNS), s.iloc[:0]], axis=1)
    if cutoff is not None:
        late = (s["date"] > cutoff).to_numpy()
        if late.any():
            reason = f"after the as-of date {cutoff:%Y-%m-%d}"
            issues.append(sctx.issue("warning", "after_report_month", "date", late, sctx.raw["date"],
                                     f"a sale dated after {cutoff:%Y-%m-%d} (excluded from the "
                                     "report and listed as an excluded row)"))
            excluded = pd.concat([pd.DataFrame({"table": "sales", "file": sctx.name,
                                                "row": sctx.rows[late], "reason": reason}),
                                  s.loc[late].reset_index(drop=True)], axis=1)
            s = s.loc[~late].reset_index(drop=True)
    tables["sales"] = s
    return Dataset(**tables, issues=issues, excluded=excluded, sources=sources, as_of=cutoff)


def dataset_from_params(params: Mapping, *, engine: str | None = None) -> Dataset:
    """Load the tables a params dict names (paths relative to ``params['base_dir']``).

    ``engine`` overrides ``params['engine']`` (default ``auto``: large sales files are
    scanned where they are, see :mod:`salesnb.scanning`).
    """
    return load_dataset(
        sales=params["sales"], targets=params.get("targets") or None,
        org=params.get("org") or None, opportunities=params.get("opportunities") or None,
        spend=params.get("spend") or None, satisfaction=params.get("satisfaction") or None,
        columns=params.get("columns") or None,
        as_of=params.get("as_of") or params["month"], base_dir=params.get("base_dir") or None,
        engine=engine or params.get("engine") or "auto")


def _scan(sales, engine, columns, cutoff, base_dir, issues, sources) -> dict | None:
    """The sales digest when ``engine`` scans them where they are; None to read them here."""
    if engine == "pandas":
        return None
    from .scanning import choose, scan_sales
    kind = choose(engine, sales, base_dir)
    if kind == "pandas":
        return None
    try:
        digest, found, info = scan_sales(sales, kind, columns=columns, as_of=cutoff,
                                         base_dir=base_dir)
    except DataError as exc:
        if engine != "auto" or "scan engine" not in str(exc):
            raise
        issues.append(Issue("info", "sales", str(sales), "read_in_pandas", None, [], 0, [],
                            f"{sales}: a large file read whole into memory, because the scan "
                            f"engine cannot read it: {str(exc).splitlines()[-1].lstrip('- ')}"))
        return None
    issues += found
    sources["sales"] = info
    return digest


def _digest_dataset(digest, tables, ctxs, issues, sources, cutoff) -> Dataset:
    """The Dataset of scanned sales: cross-table checks on the digest's reps and teams."""
    from .scanning import rep_not_in_org
    daily, org_df = digest["daily"], tables.get("org")
    if org_df is not None:
        issues += rep_not_in_org(daily, org_df, sales_name=sources["sales"]["path"],
                                 org_name=ctxs["org"].name)
    _check_target_units(tables, ctxs, issues, {lv: set(daily[lv].dropna())
                                                for lv in ("team", "rep")})
    _check_org_lines(tables, ctxs, issues)
    _raise(issues, "cannot use the input data")
    excluded = pd.DataFrame(columns=EXCLUDED_COLUMNS + SCHEMAS["sales"].names)
    return Dataset(sales=None, **tables, issues=issues, excluded=excluded, sources=sources,
                   as_of=cutoff, digest=digest)


def _check_org_lines(tables, ctxs, issues) -> None:
    """Managers must be reps of the org table, and reporting lines must not go round."""
    org_df = tables.get("org")
    if org_df is None or "manager" not in org_df or "rep" not in org_df:
        return
    ctx, boss = ctxs["org"], org_df["manager"]
    unknown = (boss.notna() & ~boss.isin(org_df["rep"].dropna())).to_numpy()
    if unknown.any():
        issues.append(ctx.issue("info", "manager_unknown", "manager", unknown, boss,
                                "a manager who is not a rep of the org table (a manager who "
                                "does not sell, or a misspelt name: their line is shown with "
                                "no sales of their own)", "Check the spelling."))
    from .hierarchy import managers, people_under
    try:
        people_under(managers(org_df))
    except DataError as exc:
        issues.append(Issue("warning", "org", ctx.name, "manager_cycle", "manager", [], 0, [],
                            str(exc).replace("org table:", f"{ctx.name}:", 1)
                            + " The company report leaves reporting lines out."))


def _check_target_units(tables, ctxs, issues, in_sales: dict) -> None:
    """Warn about targets for a team or rep found in neither the sales nor the org table."""
    org_df = tables.get("org")
    if "targets" in tables and {"level", "unit"} <= set(tables["targets"]):
        tg, tctx = tables["targets"], ctxs["targets"]
        for level in ("team", "rep"):
            known = set(in_sales[level])
            if org_df is not None and level in org_df:
                known |= set(org_df[level].dropna())
            sel = (tg["level"] == level) & tg["unit"].notna() & ~tg["unit"].isin(known)
            for unit in pd.unique(tg.loc[sel, "unit"]):
                close = difflib.get_close_matches(unit, sorted(known), n=1, cutoff=0.6)
                fix = f"Did you mean {close[0]!r}?" if close else "Check the spelling."
                issues.append(tctx.issue(
                    "warning", "target_unit_unknown", "unit", (sel & (tg["unit"] == unit)),
                    tg["unit"], f"a {level} target for {unit!r}, a {level} that appears "
                    "in neither the sales nor the org table (this target matches no sales)", fix))
