"""Tests for salesnb.io: reading, column mapping, validation messages, warnings, writing.

Row numbers are as the user counts them: a CSV or Excel file has its header on row 1, so the
i-th data row (0-based) is row i + 2; Parquet files and DataFrames count records from 1.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesnb.exceptions import DataError, ParamsError
from salesnb.io import (
    Dataset,
    Issue,
    atomic_write_bytes,
    atomic_write_text,
    load_dataset,
    load_params,
    load_table,
    read_frame,
    sha256_file,
    write_tables,
)

HEADER = "date,rep,team,amount\n"


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def error_of(fn, *args, **kwargs) -> DataError:
    with pytest.raises(DataError) as info:
        fn(*args, **kwargs)
    return info.value


def only(problems, check) -> Issue:
    found = [p for p in problems if p.check == check]
    assert len(found) == 1, [p.check for p in problems]
    return found[0]


# ---------------------------------------------------------------- reading
def test_bom_csv_reads_first_column_name_cleanly(tmp_path):
    path = write(tmp_path, "bom.csv", HEADER + "2025-01-02,Ann,East,10\n", "utf-8-sig")
    assert list(read_frame(path).columns) == ["date", "rep", "team", "amount"]


def test_gbk_csv_with_chinese_names(tmp_path):
    text = "日期,销售员,团队,金额\n2025-01-02,张伟,华东,1200\n2025-01-03,李娜,华北,800\n"
    path = write(tmp_path, "销售.csv", text, "gbk")
    df, _ = load_table(path, "sales", columns={"date": "日期", "rep": "销售员", "team": "团队",
                                                "amount": "金额"})
    assert df["rep"].tolist() == ["张伟", "李娜"]
    assert df["team"].tolist() == ["华东", "华北"]
    assert df["amount"].tolist() == [1200.0, 800.0]


def test_csv_reads_every_column_as_text(tmp_path):
    path = write(tmp_path, "s.csv", "customer_id,amount\n007,1e3\n,2\n")
    df = read_frame(path)
    assert df["customer_id"].tolist() == ["007", ""]
    assert df["amount"].tolist() == ["1e3", "2"]


def test_unknown_extension_names_file_and_formats(tmp_path):
    path = write(tmp_path, "sales.txt", HEADER)
    err = error_of(read_frame, path)
    assert str(path) in str(err) and ".csv" in str(err) and ".xlsx" in str(err)
    assert ".parquet" in str(err)


def test_missing_file_names_the_file(tmp_path):
    err = error_of(load_table, str(tmp_path / "nope.csv"), "sales")
    assert "nope.csv" in str(err) and "not found" in str(err)


def test_xlsx_round_trip_keeps_values_and_row_numbers(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["OrderDate", "SalesPerson", "Team", "SubTotal", "customer_id"])
    ws.append([dt.datetime(2025, 1, 2), "Ann", "East", 1234.5, 1001])
    ws.append([dt.datetime(2025, 1, 3), "Bob", "East", "¥2,000", 1002])
    wb.save(tmp_path / "s.xlsx")
    mapping = {"date": "OrderDate", "rep": "SalesPerson", "amount": "SubTotal"}
    df, _ = load_table(tmp_path / "s.xlsx", "sales", columns=mapping)
    assert df["date"].tolist() == [pd.Timestamp("2025-01-02"), pd.Timestamp("2025-01-03")]
    assert df["amount"].tolist() == [1234.5, 2000.0]
    assert df["customer_id"].tolist() == ["1001", "1002"]  # numbers become text ids
    assert df["team"].tolist() == ["East", "East"]  # matched case-insensitively


def test_xlsx_error_gives_the_excel_row_number(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["date", "rep", "team", "amount"])
    ws.append(["2025-01-02", "Ann", "East", 10])  # Excel row 2
    ws.append([None, None, None, None])  # row 3: blank, skipped
    ws.append(["2025-01-03", "Bob", "East", "ten"])  # Excel row 4
    wb.save(tmp_path / "s.xlsx")
    err = error_of(load_table, tmp_path / "s.xlsx", "sales")
    issue = only(err.problems, "not_numeric")
    assert issue.rows == [4]
    assert "row 4" in str(err) and "'ten'" in str(err)


def test_xlsx_named_sheet_and_missing_sheet(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    ws = wb.create_sheet("Data")
    ws.append(["rep", "team"])
    ws.append(["Ann", "East"])
    wb.save(tmp_path / "s.xlsx")
    assert read_frame(tmp_path / "s.xlsx", sheet="Data")["rep"].tolist() == ["Ann"]
    assert load_table(tmp_path / "s.xlsx", "org", sheet=1)[0]["team"].tolist() == ["East"]
    err = error_of(read_frame, tmp_path / "s.xlsx", sheet="Sales")
    assert "'Sales'" in str(err) and "'Data'" in str(err)


def test_parquet_round_trip_and_records_from_one(tmp_path):
    df = pd.DataFrame({"date": pd.to_datetime(["2025-01-02", "2025-01-03", "2025-01-04"]),
                       "rep": ["Ann", "Bob", "Ann"], "team": ["East"] * 3,
                       "amount": [10.0, 20.0, 30.0]})
    df.to_parquet(tmp_path / "s.parquet")
    got, _ = load_table(tmp_path / "s.parquet", "sales")
    assert got["amount"].tolist() == [10.0, 20.0, 30.0]
    assert got["date"].tolist() == df["date"].tolist()
    df.assign(rep=["Ann", "", "Cat"]).to_parquet(tmp_path / "bad.parquet")
    err = error_of(load_table, tmp_path / "bad.parquet", "sales")
    assert only(err.problems, "empty_value").rows == [2]
    assert "record 2" in str(err)


# ---------------------------------------------------------------- mapping and columns
def test_column_mapping_renames_and_message_shows_both_names(tmp_path):
    path = write(tmp_path, "orders.csv", "OrderDate,SalesPerson,Team,SubTotal\n"
                 "2025-01-02,Ann,East,10\n2025-01-03,Bob,East,abc\n")
    mapping = {"date": "OrderDate", "rep": "SalesPerson", "amount": "SubTotal"}
    err = error_of(load_table, path, "sales", columns=mapping)
    assert f"{path}: column 'amount' (your 'SubTotal')" in str(err)
    good = write(tmp_path, "ok.csv", "OrderDate,SalesPerson,Team,SubTotal\n2025-01-02,Ann,East,10\n")
    df, _ = load_table(good, "sales", columns=mapping)
    assert list(df.columns) == ["date", "rep", "amount", "team"]


def test_mapping_to_a_column_not_in_the_file(tmp_path):
    path = write(tmp_path, "orders.csv", "OrderDate,rep,team,SubTotal\n2025-01-02,Ann,East,10\n")
    err = error_of(load_table, path, "sales", columns={"date": "OrderDate", "amount": "SubTotl"})
    issue = only(err.problems, "missing_columns")
    assert "'amount'" in issue.message and "'SubTotl'" in issue.message
    assert "'SubTotal'" in issue.message  # lists what the file has
    assert str(path) in issue.message


def test_mapping_unknown_canonical_name_is_a_params_error(tmp_path):
    path = write(tmp_path, "s.csv", HEADER + "2025-01-02,Ann,East,10\n")
    with pytest.raises(ParamsError, match="'amout'.*allowed: date, rep, amount"):
        load_table(path, "sales", columns={"amout": "amount"})


def test_missing_required_columns_lists_missing_present_and_hint(tmp_path):
    path = write(tmp_path, "s.csv", "OrderDate,rep,Total\n2025-01-02,Ann,10\n")
    err = error_of(load_table, path, "sales")
    issue = only(err.problems, "missing_columns")
    assert str(path) in issue.message
    assert "'date', 'amount'" in issue.message  # missing
    assert "'OrderDate', 'rep', 'Total'" in issue.message  # present
    assert "columns:" in issue.message and "{sales: {date: OrderDate}}" in issue.message


# ---------------------------------------------------------------- bad values
def test_unparseable_dates_name_file_column_rows_values(tmp_path):
    path = write(tmp_path, "s.csv", HEADER + "2025-01-02,Ann,East,1\n"  # line 2
                 "yesterday,Ann,East,1\n"  # line 3
                 "2025-13-01,Bob,East,1\n"  # line 4
                 "2025-01-05,Bob,East,1\n")  # line 5
    err = error_of(load_table, path, "sales")
    issue = only(err.problems, "bad_date")
    assert issue.rows == [3, 4] and issue.count == 2 and issue.column == "date"
    assert issue.examples == ["yesterday", "2025-13-01"]
    assert f"{path}: column 'date': " in issue.message
    assert "rows 3, 4" in issue.message and "'yesterday', '2025-13-01'" in issue.message


@pytest.mark.parametrize("text, expected", [
    ("2025-03-05", "2025-03-05"), ("2025/3/5", "2025-03-05"), ("2025.03.05", "2025-03-05"),
    ("2025年3月5日", "2025-03-05"), ("2025-03-05 17:45:00", "2025-03-05"),
])
def test_accepted_date_spellings(text, expected):
    df, _ = load_table(pd.DataFrame({"date": [text], "rep": ["Ann"], "amount": ["1"]}), "sales")
    assert df["date"].iloc[0] == pd.Timestamp(expected)


def test_non_numeric_amounts_name_rows_and_values(tmp_path):
    path = write(tmp_path, "s.csv", HEADER + "2025-01-02,Ann,East,12.5\n"  # line 2
                 "2025-01-02,Ann,East,n/a\n"  # line 3
                 "2025-01-02,Ann,East,\"1.234,50\"\n"  # line 4 (European style: refused)
                 "2025-01-02,Ann,East,\n")  # line 5 (empty in a required column)
    err = error_of(load_table, path, "sales")
    bad = only(err.problems, "not_numeric")
    assert bad.rows == [3, 4] and bad.examples == ["n/a", "1.234,50"]
    assert "rows 3, 4" in bad.message and "'n/a', '1.234,50'" in bad.message
    empty = only(err.problems, "empty_value")
    assert empty.rows == [5] and empty.column == "amount" and "row 5" in empty.message


@pytest.mark.parametrize("text, value", [
    ("¥1,234.50", 1234.5), ("  $12 ", 12.0), ("€-3", -3.0), ("-¥5", -5.0), ("(5.5)", -5.5),
    ("1,234,567", 1234567.0), ("￥ 8", 8.0), ("1e3", 1000.0),
])
def test_accepted_amount_spellings(text, value):
    df, _ = load_table(pd.DataFrame({"date": ["2025-01-02"], "rep": ["Ann"],
                                     "amount": [text]}), "sales")
    assert df["amount"].iloc[0] == value


@pytest.mark.parametrize("text", ["abc", "12,34", "1.234,50", "nan", "inf", "12 34", "¥"])
def test_refused_amount_spellings(text):
    err = error_of(load_table, pd.DataFrame({"date": ["2025-01-02"], "rep": ["Ann"],
                                             "amount": [text]}), "sales")
    assert only(err.problems, "not_numeric").examples == [text]


def test_empty_optional_number_is_nan():
    df, _ = load_table(pd.DataFrame({"date": ["2025-01-02", "2025-01-03"], "rep": ["Ann", "Bob"],
                                     "amount": ["1", "2"], "quantity": ["", "3"]}), "sales")
    assert np.isnan(df["quantity"].iloc[0]) and df["quantity"].iloc[1] == 3.0


def test_empty_rep_and_team_are_errors(tmp_path):
    path = write(tmp_path, "s.csv", HEADER + "2025-01-02, ,East,1\n"  # line 2: blank rep
                 "2025-01-02,Ann,,1\n"  # line 3: empty team
                 "2025-01-02,Bob,West,1\n")
    err = error_of(load_table, path, "sales")
    by_col = {p.column: p for p in err.problems if p.check == "empty_value"}
    assert by_col["rep"].rows == [2] and by_col["team"].rows == [3]
    assert f"{path}: column 'team': empty in 1 row: row 3" in by_col["team"].message


def test_many_bad_rows_are_abbreviated(tmp_path):
    lines = "".join(f"2025-01-02,Ann,East,{'x' if i % 2 else 1}\n" for i in range(40))
    err = error_of(load_table, write(tmp_path, "s.csv", HEADER + lines), "sales")
    issue = only(err.problems, "not_numeric")
    # data rows 1, 3, 5, ... (0-based) are bad: lines 3, 5, 7, ..., 41 = 20 rows
    assert issue.count == 20 and issue.rows[:3] == [3, 5, 7] and issue.rows[-1] == 41
    assert "rows 3, 5, 7, 9, 11, 13, 15, 17, 19, 21 (and 10 more)" in issue.message
    assert issue.examples == ["x"]


def test_targets_bad_period_level_metric(tmp_path):
    path = write(tmp_path, "t.csv", "period,level,unit,metric,target\n"
                 "2025,company,Company,amount,100\n"  # line 2: fine
                 "2025-Q5,team,East,amount,50\n"  # line 3: bad period
                 "25-03,team,East,amount,50\n"  # line 4: bad period
                 "2025-03,region,East,amount,50\n"  # line 5: bad level
                 "2025-03,Team,East,revenue,50\n"  # line 6: bad metric (level ok)
                 "2025-03,rep,,amount,abc\n")  # line 7: empty unit, bad target
    err = error_of(load_table, path, "targets")
    period = only(err.problems, "bad_period")
    assert period.rows == [3, 4] and period.examples == ["2025-Q5", "25-03"]
    assert "column 'period'" in period.message and "YYYY, YYYY-Qn or YYYY-MM" in period.message
    level = only(err.problems, "bad_level")
    assert level.rows == [5] and level.examples == ["region"] and "company, team, rep" in level.message
    metric = only(err.problems, "bad_metric")
    assert metric.rows == [6] and "amount, quantity, new_customers" in metric.message
    assert only(err.problems, "empty_value").rows == [7]
    assert only(err.problems, "not_numeric").rows == [7]
    assert str(err).count(str(path)) >= 6  # every line of the message names the file


@pytest.mark.parametrize("text, period", [("2025", "2025"), ("2025-q2", "2025-Q2"),
                                          ("2025-3", "2025-03"), ("2025-03-01", "2025-03")])
def test_period_spellings_are_normalised(text, period):
    t = pd.DataFrame({"period": [text], "level": ["company"], "unit": ["Company"],
                      "metric": ["amount"], "target": ["1"]})
    assert load_table(t, "targets")[0]["period"].iloc[0] == period


def test_all_errors_of_all_tables_in_one_error(tmp_path):
    s = write(tmp_path, "s.csv", HEADER + "bad,Ann,East,x\n")
    t = write(tmp_path, "t.csv", "period,level,unit,metric,target\n2025-13,team,East,amount,1\n")
    err = error_of(load_dataset, sales=s, targets=t)
    assert {p.check for p in err.problems if p.severity == "error"} == {
        "bad_date", "not_numeric", "bad_period"}
    assert "3 problems" in str(err)


def test_blank_and_multiline_rows_keep_line_numbers(tmp_path):
    path = write(tmp_path, "s.csv", HEADER + "2025-01-02,Ann,East,1\n"  # line 2
                 "\n"  # line 3: blank, skipped
                 "2025-01-02,\"Bob\nSmith\",East,1\n"  # lines 4-5: quoted line break
                 "2025-01-02,Cat,East,oops\n")  # line 6
    err = error_of(load_table, path, "sales")
    assert only(err.problems, "not_numeric").rows == [6]
    assert only(err.problems, "blank_rows").rows == [3]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["good", "bad", "blank"]), min_size=1, max_size=25)
       .filter(lambda kinds: "bad" in kinds))
def test_reported_rows_are_the_file_lines(kinds):
    text = {"good": "2025-01-02,Ann,East,1\n", "bad": "2025-01-02,Ann,East,x\n", "blank": "\n"}
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "s.csv"
        path.write_text(HEADER + "".join(text[k] for k in kinds), encoding="utf-8")
        err = error_of(load_table, path, "sales")
    # the header is line 1, so the k-th (0-based) line after it is line k + 2
    assert only(err.problems, "not_numeric").rows == [k + 2 for k, kind in enumerate(kinds)
                                                      if kind == "bad"]


# ---------------------------------------------------------------- dataset
def org_frame():
    return pd.DataFrame({"rep": ["Ann", "Ann", "Bob"], "team": ["East", "West", "East"],
                         "start": ["", "2025-02-01", ""], "end": ["2025-01-31", "", ""]})


def test_team_from_org_follows_a_mover():
    sales = pd.DataFrame({"date": ["2025-01-15", "2025-01-31", "2025-02-01", "2025-02-15"],
                          "rep": ["Ann", "Ann", "Ann", "Bob"], "amount": ["1", "2", "3", "4"]})
    ds = load_dataset(sales=sales, org=org_frame())
    # Ann is East through 2025-01-31 (end inclusive), West from 2025-02-01
    assert ds.sales["team"].tolist() == ["East", "East", "West", "East"]
    assert list(ds.sales.columns) == ["date", "rep", "amount", "team"]


def test_sale_without_valid_org_row_is_an_error():
    sales = pd.DataFrame({"date": ["2025-01-15", "2024-12-01", "2025-01-15"],
                          "rep": ["Ann", "Ann", "Eve"], "amount": ["1", "2", "3"]})
    org = org_frame().assign(start=["2025-01-01", "2025-02-01", ""])
    err = error_of(load_dataset, sales=sales, org=org)
    issue = [p for p in err.problems if p.check == "empty_value" and p.column == "team"][0]
    # record 2: Ann before her first org row; record 3: Eve is in no org row
    assert issue.rows == [2, 3] and issue.examples == ["Ann", "Eve"]
    assert "records 2, 3" in issue.message and "org" in issue.message


def test_no_team_column_and_no_org_is_an_error():
    err = error_of(load_dataset, sales=pd.DataFrame({"date": ["2025-01-02"], "rep": ["Ann"],
                                                     "amount": ["1"]}))
    assert "'team'" in only(err.problems, "missing_columns").message


def test_negative_amounts_and_duplicates_are_counted_and_kept(tmp_path):
    path = write(tmp_path, "s.csv", HEADER + "2025-01-02,Ann,East,10\n"  # line 2
                 "2025-01-02,Ann,East,-4\n"  # line 3: return
                 "2025-01-02,Ann,East,10\n"  # line 4: repeats line 2
                 "2025-01-03,Bob,East,-1\n"  # line 5: return
                 "2025-01-02,Ann,East,-4\n")  # line 6: repeats line 3
    ds = load_dataset(sales=path)
    neg = only(ds.issues, "negative_amount")
    assert (neg.severity, neg.count, neg.rows) == ("warning", 3, [3, 5, 6])
    assert neg.examples == ["-4", "-1"]
    dup = only(ds.issues, "duplicate_rows")
    assert (dup.count, dup.rows) == (2, [4, 6]) and "rows 4, 6" in dup.message
    assert len(ds.sales) == 5 and ds.sales["amount"].sum() == 11.0  # 10-4+10-1-4


def test_sales_after_as_of_are_excluded_and_listed(tmp_path):
    path = write(tmp_path, "s.csv", HEADER + "2025-03-31,Ann,East,10\n"  # line 2: kept
                 "2025-04-01,Ann,East,20\n"  # line 3: after March
                 "2025-03-15,Bob,East,30\n"  # line 4: kept
                 "2025-05-02,Bob,East,40\n")  # line 5: after March
    ds = load_dataset(sales=path, as_of="2025-03")
    assert ds.sales["amount"].tolist() == [10.0, 30.0]
    assert ds.last_sale_date == pd.Timestamp("2025-03-31")
    issue = only(ds.issues, "after_report_month")
    assert (issue.count, issue.rows) == (2, [3, 5]) and issue.examples == ["2025-04-01", "2025-05-02"]
    ex = ds.excluded
    assert ex["row"].tolist() == [3, 5] and ex["amount"].tolist() == [20.0, 40.0]
    assert ex["rep"].tolist() == ["Ann", "Bob"] and set(ex["file"]) == {str(path)}
    assert set(ex["reason"]) == {"after the as-of date 2025-03-31"}


def test_as_of_date_within_the_month():
    sales = pd.DataFrame({"date": ["2025-03-10", "2025-03-11"], "rep": ["Ann", "Ann"],
                          "team": ["East", "East"], "amount": ["1", "2"]})
    ds = load_dataset(sales=sales, as_of="2025-03-10")
    assert len(ds.sales) == 1 and ds.excluded["row"].tolist() == [2]


def test_rows_after_as_of_need_no_team():
    sales = pd.DataFrame({"date": ["2025-01-15", "2025-05-01"], "rep": ["Bob", "Eve"],
                          "amount": ["1", "2"]})
    ds = load_dataset(sales=sales, org=org_frame(), as_of="2025-03")
    # Eve has no org row, but her only sale is after March: set aside, not an error
    assert ds.sales["team"].tolist() == ["East"]
    assert ds.excluded["rep"].tolist() == ["Eve"] and ds.excluded["row"].tolist() == [2]


def test_rep_not_in_org_is_a_warning():
    sales = pd.DataFrame({"date": ["2025-01-02"] * 3, "rep": ["Ann", "Zed", "Zed"],
                          "team": ["East"] * 3, "amount": ["1", "2", "3"]})
    ds = load_dataset(sales=sales, org=org_frame(), as_of="2025-01")
    issue = only(ds.issues, "rep_not_in_org")
    assert (issue.count, issue.rows, issue.examples) == (2, [2, 3], ["Zed"])


def test_misspelt_target_unit_suggests_closest_name(tmp_path):
    sales = pd.DataFrame({"date": ["2025-01-02"], "rep": ["Ann"], "team": ["East"],
                          "amount": ["1"]})
    t = write(tmp_path, "t.csv", "period,level,unit,metric,target\n"
              "2025,company,Whole Co,amount,100\n"  # line 2: company level: exempt
              "2025,team,Est,amount,50\n"  # line 3: misspelt East
              "2025,rep,Ann,amount,50\n"  # line 4: fine
              "2025,rep,Bobb,amount,50\n"  # line 5: Bob is only in org
              "2025-Q1,team,Est,amount,10\n")  # line 6: misspelt again
    ds = load_dataset(sales=sales, targets=t, org=org_frame())
    issues = {i.examples[0]: i for i in ds.issues if i.check == "target_unit_unknown"}
    assert set(issues) == {"Est", "Bobb"}
    assert issues["Est"].rows == [3, 6] and "Did you mean 'East'?" in issues["Est"].message
    assert issues["Bobb"].rows == [5] and "Did you mean 'Bob'?" in issues["Bobb"].message
    assert str(t) in issues["Est"].message and "column 'unit'" in issues["Est"].message


def test_load_dataset_resolves_relative_paths_and_records_sources(tmp_path):
    path = write(tmp_path, "s.csv", HEADER + "2025-01-02,Ann,East,1\n")
    ds = load_dataset(sales="s.csv", base_dir=tmp_path)
    src = ds.sources["sales"]
    assert src == {"path": "s.csv", "sha256": sha256_file(path), "rows": 1}


def test_dataframe_input_is_not_mutated():
    sales = pd.DataFrame({"OrderDate": ["2025-01-02"], "rep": ["Ann"], "team": ["East"],
                          "amount": ["1"]})
    before = sales.copy()
    load_dataset(sales=sales, columns={"sales": {"date": "OrderDate"}})
    pd.testing.assert_frame_equal(sales, before)


def test_canonical_fixture_passes_through_unchanged(tiny_sales, tiny_targets, tiny_org):
    ds = load_dataset(sales=tiny_sales, targets=tiny_targets, org=tiny_org, as_of="2025-02")
    pd.testing.assert_frame_equal(ds.sales, tiny_sales[ds.sales.columns.tolist()])
    pd.testing.assert_frame_equal(ds.targets, tiny_targets)
    pd.testing.assert_frame_equal(ds.org, tiny_org)
    assert ds.issues == [] and len(ds.excluded) == 0
    assert ds.last_sale_date == pd.Timestamp("2025-02-15")


def test_written_csv_loads_back_equal(tmp_path, tiny_sales):
    path = write_tables({"sales": tiny_sales}, tmp_path)["sales"]
    df, issues = load_table(path, "sales")
    pd.testing.assert_frame_equal(df, tiny_sales[df.columns.tolist()], check_dtype=False)
    # 4 reps x 12 months of 2024 are repeats of nothing: no issues at all
    assert issues == []


def test_quality_table_puts_errors_first():
    def issue(sev, check, rows):
        return Issue(sev, "sales", "s.csv", check, "amount", rows, len(rows), [], f"{check}.")
    ds = Dataset(sales=pd.DataFrame({"date": pd.to_datetime([])}), issues=[
        issue("info", "blank_rows", [7]), issue("warning", "negative_amount", [3, 4]),
        issue("error", "not_numeric", list(range(2, 15)))])
    q = ds.quality_table()
    assert list(q.columns) == ["severity", "table", "check", "column", "count", "rows", "detail"]
    assert q["severity"].tolist() == ["error", "warning", "info"]
    assert q["rows"].tolist() == ["2, 3, 4, 5, 6, 7, 8, 9, 10, 11 (and 3 more)", "3, 4", "7"]
    assert q["count"].tolist() == [13, 2, 1]
    assert ds.last_sale_date is None


# ---------------------------------------------------------------- writing and params
def test_write_tables_csv_dates_without_time_and_no_temp_files(tmp_path):
    t = pd.DataFrame({"date": pd.to_datetime(["2025-01-02", "2025-02-03"]), "rep": ["张伟", "Bob"],
                      "month": pd.PeriodIndex(["2025-01", "2025-02"], freq="M")})
    paths = write_tables({"sales": t}, tmp_path / "out")
    assert paths["sales"].read_text(encoding="utf-8").splitlines() == [
        "date,rep,month", "2025-01-02,张伟,2025-01", "2025-02-03,Bob,2025-02"]
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["sales.csv"]


def test_write_tables_parquet_round_trip(tmp_path):
    t = pd.DataFrame({"rep": ["Ann", "Bob"], "amount": [1.5, 2.0]})
    path = write_tables({"t": t}, tmp_path, fmt="parquet")["t"]
    pd.testing.assert_frame_equal(pd.read_parquet(path), t, check_dtype=False)


def test_atomic_writes_replace_content(tmp_path):
    path = tmp_path / "sub" / "a.txt"
    atomic_write_text(path, "old")
    atomic_write_text(path, "新")
    assert path.read_text(encoding="utf-8") == "新"
    atomic_write_bytes(path, b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"
    assert [p.name for p in path.parent.iterdir()] == ["a.txt"]


def test_sha256_file(tmp_path):
    path = tmp_path / "abc"
    path.write_bytes(b"abc")
    assert sha256_file(path) == hashlib.sha256(b"abc").hexdigest() == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")


def test_load_params_keeps_dates_as_strings(tmp_path):
    path = write(tmp_path, "p.yaml", "month: 2025-03\nas_of: 2025-03-01\nfiscal_year_start: 4\n"
                 "columns:\n  sales: {date: OrderDate}\n")
    assert load_params(path) == {"month": "2025-03", "as_of": "2025-03-01",
                                 "fiscal_year_start": 4, "columns": {"sales": {"date": "OrderDate"}}}


def test_load_params_syntax_error_names_the_file(tmp_path):
    path = write(tmp_path, "bad.yaml", "month: [2025-03\n")
    with pytest.raises(ParamsError, match="bad.yaml"):
        load_params(path)


def test_one_column_resolver_for_the_file_reader_the_scan_and_the_database(tmp_path):
    """The three readers map columns alike and fail alike: source, column, what it has."""
    import sqlite3

    from salesnb.engine import scan
    from salesnb.sources import aggregate_sql

    raw = pd.DataFrame({"Day": ["2025-01-02"], "team": ["East"], "rep": ["Ann"], "Total": ["5"]})
    with sqlite3.connect(tmp_path / "t.db") as con:
        raw.to_sql("s", con, index=False)
    spec = {"url": f"sqlite:///{tmp_path / 't.db'}", "table": "s"}
    mapping = {"date": "Day", "amount": "Amount"}
    has = "'Day', 'team', 'rep', 'Total'"
    messages = []
    for read in (lambda: load_table(raw, "sales", columns=mapping, label="orders"),
                 lambda: scan(raw, columns=mapping, label="orders"),
                 lambda: aggregate_sql(spec, columns=mapping, label="orders")):
        with pytest.raises(DataError) as e:
            read()
        [issue] = e.value.problems
        assert (issue.check, issue.column, issue.file) == ("missing_columns", "amount", "orders")
        messages.append(issue.message)
    assert messages[0] == messages[1] == (
        f"orders: column 'amount' is mapped to your 'Amount', which is not in the file; the "
        f"file has {has}. Fix the 'columns:' mapping in the params file.")
    assert messages[2] == messages[0].replace("the file", "the source")
    # without a mapping the canonical name is found whatever its case, by all three
    cased = raw.rename(columns={"Day": "DATE", "Total": "Amount"})
    assert load_table(cased, "sales")[0]["amount"].tolist() == [5.0]
    assert scan(cased)[0]["daily"]["amount"].tolist() == [5.0]
    with pytest.raises(ParamsError, match="unknown canonical column.*'price'"):
        scan(raw, columns={"price": "Total"})


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["", "A", "B", "C", "D", "E"]), min_size=5, max_size=5))
def test_manager_cycle_check_agrees_with_hierarchy(bosses):
    """The loader's check (load.crosscheck) names the circle hierarchy.people_under raises on."""
    from salesnb.hierarchy import managers, people_under
    from salesnb.load.crosscheck import reporting_cycle

    org = pd.DataFrame({"rep": list("ABCDE"), "team": "East", "manager": bosses})
    chain = reporting_cycle(org)
    try:
        people_under(managers(org))
    except DataError as e:
        assert chain is not None and f"({' -> '.join(chain)})" in str(e)
    else:
        assert chain is None
