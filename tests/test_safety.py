"""Hostile input and a hostile environment (issue 13, items 6 and 7): inert exports, limits
on the params YAML, masked passwords, SIGTERM, unwritable out folders and the run lock."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import make_tiny_org, make_tiny_sales, make_tiny_targets

from salesnb.io import load_dataset
from salesnb.report import prepare

NASTY = ['=HYPERLINK("http://x","y")', "-2+3", "@SUM(1)", "+cmd|' /C calc'!A0"]


@pytest.fixture(scope="module")
def nasty_tables() -> dict:
    """The tiny company with its four reps renamed to formula-looking names."""
    names = dict(zip(["Ann", "Bob", "Cat", "Dan"], NASTY, strict=True))
    sales = make_tiny_sales().assign(rep=lambda d: d["rep"].map(names))
    org = make_tiny_org().assign(rep=lambda d: d["rep"].map(names))
    targets = make_tiny_targets()
    targets["unit"] = targets["unit"].replace(names)
    ds = load_dataset(sales=sales, targets=targets, org=org)
    return prepare(ds, month="2025-02")


# ------------------------------------------------------------------ 6. inert exports
def test_exported_csv_escapes_formula_cells_and_keeps_numbers(nasty_tables, tmp_path):
    from salesnb.run.exports import export_tables, read_export_csv
    export_tables(nasty_tables, tmp_path)
    text = (tmp_path / "tables" / "progress.csv").read_text(encoding="utf-8")
    raw = pd.read_csv(tmp_path / "tables" / "progress.csv", dtype={"unit": str})
    units = set(raw.loc[raw["level"] == "rep", "unit"])
    assert units == {"'" + n for n in NASTY}
    for name in NASTY:  # no cell starts with the bare formula
        assert f"\n{name}" not in text and f",{name}" not in text.replace(f",'{name}", "")
    # negative numbers stay numbers: Ann (-> "=HYPERLINK...") sold 120 of 100: gap -20
    rep = raw[(raw["level"] == "rep") & (raw["metric"] == "amount")].set_index("unit")
    assert rep.loc["'" + NASTY[0], "gap"] == pytest.approx(-20.0)
    assert pd.api.types.is_float_dtype(raw["gap"])
    # read back exactly (what `salesnb send` does)
    back = read_export_csv(tmp_path / "tables" / "progress.csv", dtype={"unit": str})
    assert set(back.loc[back["level"] == "rep", "unit"]) == set(NASTY)


def test_exported_xlsx_has_no_formula_and_numbers_stay_numbers(nasty_tables, tmp_path):
    import openpyxl

    from salesnb.run.exports import export_tables
    export_tables(nasty_tables, tmp_path)
    wb = openpyxl.load_workbook(tmp_path / "tables.xlsx")
    kinds = {c.data_type for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if c.value is not None}
    assert "f" not in kinds
    ws = wb["progress"]
    head = [c.value for c in ws[1]]
    units = [r[head.index("unit")] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert set(NASTY) <= set(units)  # the text as written, as a string cell
    gaps = [r[head.index("gap")] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert any(isinstance(g, (int, float)) and g < 0 for g in gaps)
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if c.value in NASTY]
    assert cells and all(c.data_type == "s" for c in cells)


def test_inert_cell_rules():
    from salesnb.run.exports import inert_cell
    assert inert_cell("\tx") == "'\tx" and inert_cell("\rx") == "'\rx"
    assert inert_cell("'quoted") == "''quoted"
    assert inert_cell("O'Brien") == "O'Brien" and inert_cell("") == ""
    assert inert_cell(-3) == -3


# ------------------------------------------------------------------ 7. YAML limits
BOMB = """month: "2025-02"
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_yaml_alias_bomb_is_refused_quickly(tmp_path):
    import time

    from salesnb.exceptions import ParamsError
    from salesnb.io import load_params
    f = tmp_path / "bomb.yaml"
    f.write_text(BOMB)
    assert len(BOMB) < 700
    t0 = time.perf_counter()
    with pytest.raises(ParamsError, match="bomb.yaml.*aliases"):
        load_params(f)
    assert time.perf_counter() - t0 < 1


def test_yaml_few_aliases_still_load_but_a_wide_expansion_is_refused(tmp_path):
    from salesnb.exceptions import ParamsError
    from salesnb.io import load_params
    f = tmp_path / "p.yaml"
    f.write_text('cols: &c {rep: Salesperson}\ncolumns: {sales: *c, org: *c}\n')
    assert load_params(f)["columns"] == {"sales": {"rep": "Salesperson"},
                                         "org": {"rep": "Salesperson"}}
    wide = "a: &a [" + ",".join(["x"] * 2000) + "]\nb: &b [" + ",".join(["*a"] * 60) + "]\n"
    f.write_text(wide)  # 60 aliases only, but 120,000 values
    with pytest.raises(ParamsError, match="expand to more than"):
        load_params(f)


def test_params_file_too_large_is_refused(tmp_path, monkeypatch):
    import salesnb.io as sio
    from salesnb.exceptions import ParamsError
    f = tmp_path / "big.yaml"
    f.write_text("month: '2025-02'\n# " + "x" * 2000 + "\n")
    monkeypatch.setattr(sio, "MAX_PARAMS_BYTES", 1000)
    with pytest.raises(ParamsError, match=r"big.yaml.*2,0\d\d bytes"):
        sio.load_params(f)
