"""Compare the tables of two rendered packs: the check that a refactor changed no figure.

Run: .venv/bin/python tools/compare_packs.py PACK_A PACK_B

Reads every ``tables/*.csv`` and every sheet of ``tables.xlsx`` in both folders and reports
each file or sheet that is missing on one side or differs (shape, columns or a cell).
Exit 0 when every table is the same, 1 otherwise.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd


def _tables(pack: Path) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    for csv in sorted((pack / "tables").glob("*.csv")):
        out[f"tables/{csv.name}"] = pd.read_csv(csv, dtype=str, keep_default_na=False)
    xlsx = pack / "tables.xlsx"
    if xlsx.exists():
        for name, frame in pd.read_excel(xlsx, sheet_name=None, dtype=str).items():
            out[f"tables.xlsx:{name}"] = frame.fillna("")
    return out


def compare(a: Path, b: Path) -> list[str]:
    """Return one line per difference between the tables of packs ``a`` and ``b``."""
    ta, tb = _tables(a), _tables(b)
    problems = []
    for name in sorted(set(ta) | set(tb)):
        if name not in ta or name not in tb:
            problems.append(f"{name}: only in {a if name in ta else b}")
            continue
        x, y = ta[name], tb[name]
        if list(x.columns) != list(y.columns):
            problems.append(f"{name}: columns differ: {list(x.columns)} vs {list(y.columns)}")
            continue
        if x.shape != y.shape:
            problems.append(f"{name}: shape {x.shape} vs {y.shape}")
            continue
        diff = (x.values != y.values)
        if diff.any():
            rows, cols = diff.nonzero()
            first = [f"row {r} {x.columns[c]!r}: {x.iat[r, c]!r} vs {y.iat[r, c]!r}"
                     for r, c in list(zip(rows, cols, strict=True))[:3]]
            problems.append(f"{name}: {int(diff.sum())} cells differ; " + "; ".join(first))
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    a, b = Path(argv[0]), Path(argv[1])
    problems = compare(a, b)
    n = len(set(_tables(a)) | set(_tables(b)))
    for line in problems:
        print(line)
    print(f"{n} tables compared, {len(problems)} differ")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
