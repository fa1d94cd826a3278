"""The numbers behind a pack, for Excel and other tools: ``tables/*.csv`` and ``tables.xlsx``."""

from __future__ import annotations

from pathlib import Path

from ..atomic import atomic_write_bytes

__all__ = ["EXPORT_TABLES", "export_tables"]

EXPORT_TABLES = ("progress", "ranking", "attribution", "alerts")


def export_tables(tables: dict, out: Path) -> dict:
    """Write <out>/tables/{progress,ranking,attribution,alerts}.csv and <out>/tables.xlsx."""
    import io as _io

    import pandas as pd

    from ..compare import ranking_table
    frames = {
        "progress": tables["progress"],
        "ranking": ranking_table(tables),
        "attribution": tables["attribution"],
        "alerts": tables["alerts"],
    }
    paths = {}
    for name, df in frames.items():
        df = df.copy()
        for c in df.columns:
            if isinstance(df[c].dtype, pd.PeriodDtype):
                df[c] = df[c].astype(str)
        frames[name] = df
        path = out / "tables" / f"{name}.csv"
        atomic_write_bytes(path, df.to_csv(index=False, na_rep="").encode("utf-8"))
        paths[name] = str(path)
    buf = _io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, df in frames.items():
            df.to_excel(xl, sheet_name=name, index=False)
    atomic_write_bytes(out / "tables.xlsx", buf.getvalue())
    return paths
