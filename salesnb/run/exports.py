"""The numbers behind a pack, for Excel and other tools: ``tables/*.csv`` and ``tables.xlsx``.

The exports are inert: a text cell that a spreadsheet would read as a formula (it starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading single
quote in the CSV files (OWASP's advice against CSV injection; a text cell that itself starts
with a quote gets one more, so :func:`read_export_csv` reads every cell back exactly), and
every text cell of ``tables.xlsx`` is a string cell, never a formula. Numbers, negative ones
included, stay numbers.
"""

from __future__ import annotations

from pathlib import Path

from ..atomic import atomic_write_bytes

__all__ = ["EXPORT_TABLES", "FORMULA_START", "export_tables", "inert_cell", "inert_frame",
           "read_export_csv", "write_inert_xlsx"]

EXPORT_TABLES = ("progress", "ranking", "attribution", "alerts")

#: the first characters that make a spreadsheet read a cell as a formula (OWASP)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(value):
    r"""Return ``value`` escaped for a CSV cell: text a spreadsheet would run gets a ``'``.

    Parameters
    ----------
    value : object
        A cell; only ``str`` values are changed.

    Returns
    -------
    object
        ``value``, or ``"'" + value`` for text starting with a formula character or a quote.

    Examples
    --------
    >>> inert_cell('=HYPERLINK("http://x","y")')
    '\'=HYPERLINK("http://x","y")'
    >>> inert_cell("-2+3"), inert_cell("Ann Lee"), inert_cell(-2.5)
    ("'-2+3", 'Ann Lee', -2.5)
    """
    if isinstance(value, str) and value and (value[0] in FORMULA_START or value[0] == "'"):
        return "'" + value
    return value


def inert_frame(df):
    """Return a copy of ``df`` with every text cell escaped by :func:`inert_cell`.

    Parameters
    ----------
    df : pandas.DataFrame
        A table to export; numeric, date and boolean columns are left as they are.

    Returns
    -------
    pandas.DataFrame
    """
    import pandas as pd
    df = df.copy()
    for c in df.columns:
        if isinstance(df[c].dtype, pd.PeriodDtype):
            df[c] = df[c].astype(str)
        if df[c].dtype == object or pd.api.types.is_string_dtype(df[c].dtype):
            df[c] = df[c].map(inert_cell).astype(object)
    df.columns = [inert_cell(str(c)) for c in df.columns]
    return df


def read_export_csv(path, **kw):
    """Read a CSV written by :func:`export_tables`, undoing the escape of its text cells.

    Parameters
    ----------
    path : str or Path
        ``tables/<name>.csv`` of a pack.
    **kw
        Passed to :func:`pandas.read_csv`.

    Returns
    -------
    pandas.DataFrame
    """
    import pandas as pd
    df = pd.read_csv(path, **kw)
    for c in df.columns:
        if df[c].dtype == object or pd.api.types.is_string_dtype(df[c].dtype):
            df[c] = df[c].map(lambda v: v[1:] if isinstance(v, str) and v.startswith("'")
                              else v)
    return df


def write_inert_xlsx(frames: dict, path, *, currency: str = "$") -> Path:
    """Write ``frames`` (sheet name -> DataFrame) as an xlsx whose text cells are strings.

    openpyxl turns a text value starting with ``=`` into a formula; here every such cell is
    set back to a plain string cell (``data_type 's'``), so the workbook holds no formula.

    Parameters
    ----------
    frames : dict
        Sheet name -> DataFrame.
    path : str or Path
        The xlsx file (written atomically).
    currency : str
        The currency of the amount columns' number format (see
        :func:`salesnb.pack_tables.excel_formats`).

    Returns
    -------
    Path
    """
    import io as _io

    import pandas as pd

    from ..pack_tables import excel_formats
    buf = _io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, df in frames.items():
            df = df.copy()
            for c in df.columns:
                if isinstance(df[c].dtype, pd.PeriodDtype):
                    df[c] = df[c].astype(str)
            df.to_excel(xl, sheet_name=name, index=False)
            sheet = xl.sheets[name]
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.data_type != "s":
                        cell.data_type = "s"  # a formula ("f") written as the text it holds
            for col, fmts in excel_formats(df, currency).items():  # percent, money, counts
                k = df.columns.get_loc(col) + 1
                for i, f in enumerate(fmts, start=2):
                    sheet.cell(row=i, column=k).number_format = f
    return atomic_write_bytes(path, buf.getvalue())


def export_tables(tables: dict, out: Path, *, currency: str = "$") -> dict:
    """Write <out>/tables/<name>.csv and <out>/tables.xlsx for every exported table.

    The tables are :func:`salesnb.pack_tables.pack_tables`'s, one sheet each in the
    workbook, with number formats in ``currency``.

    Parameters
    ----------
    tables : dict
        The prepared tables of the run.
    out : Path
        The pack folder.
    currency : str
        The currency of the workbook's amount formats.

    Returns
    -------
    dict
        Table name -> path of its CSV file.
    """
    from ..pack_tables import pack_tables
    frames = pack_tables(tables)
    paths = {}
    for name, df in frames.items():
        path = out / "tables" / f"{name}.csv"
        atomic_write_bytes(path, inert_frame(df).to_csv(index=False, na_rep="").encode("utf-8"))
        paths[name] = str(path)
    write_inert_xlsx(frames, out / "tables.xlsx", currency=currency)
    return paths
