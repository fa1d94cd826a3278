"""Tests for salesnb.engine.scan: the DuckDB path must agree with the pandas path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_tiny_sales
from pandas.testing import assert_frame_equal

from salesnb.cube import build_cube
from salesnb.engine import scan
from salesnb.exceptions import DataError
from salesnb.io import load_table
from salesnb.sample import make_company

KEEP = ["date", "team", "rep", "customer_id", "product", "category", "quantity", "amount"]


@pytest.fixture(scope="module")
def company() -> pd.DataFrame:
    return make_company(rows=20_000, seed=3)["sales"][KEEP + ["order_id"]]


def _write(df: pd.DataFrame, path, kind: str):
    if kind == "csv":
        df.to_csv(path, index=False, date_format="%Y-%m-%d")
    else:
        df.to_parquet(path, index=False)
    return path


def _pandas_daily(s: pd.DataFrame) -> pd.DataFrame:
    return (s.assign(quantity=s["quantity"].fillna(0.0))
            .groupby(["date", "team", "rep"]).agg(amount=("amount", "sum"),
                                                  quantity=("quantity", "sum"),
                                                  lines=("amount", "size")).reset_index())


def _check_digest(digest: dict, s: pd.DataFrame) -> None:
    """Every digest table equals the pandas computation on the same rows."""
    assert_frame_equal(digest["cube"], build_cube(s), check_exact=False, rtol=1e-9)
    assert_frame_equal(digest["daily"], _pandas_daily(s), check_exact=False, rtol=1e-9)
    month = s["date"].dt.to_period("M").dt.to_timestamp().astype("datetime64[ns]")
    cm = (s.assign(date=month).groupby(["date", "team", "rep", "customer_id"])
          [["amount", "quantity"]].sum().reset_index())
    assert_frame_equal(digest["customer_monthly"], cm, check_exact=False, rtol=1e-9)
    pm = (s.assign(date=month).groupby(["date", "team", "product", "category"])
          [["amount", "quantity"]].sum().reset_index())
    assert_frame_equal(digest["product_monthly"], pm, check_exact=False, rtol=1e-9)


def test_tiny_fixture_digest_equals_pandas():
    s = make_tiny_sales()
    s["date"] = s["date"].astype("datetime64[ns]")  # the digest's dtype
    digest, issues = scan(s)
    _check_digest(digest, s)
    # 4 reps x 12 months of 2024 + 4 in 2025-01 + 3 in 2025-02 = 55 rows
    assert digest["meta"] == {"rows": 55, "first_date": pd.Timestamp("2024-01-15"),
                              "last_date": pd.Timestamp("2025-02-15"),
                              "excluded_after_as_of": 0}
    assert issues == []


def test_tiny_cube_hand_values():
    digest, _ = scan(make_tiny_sales())
    feb = digest["cube"][digest["cube"]["month"] == pd.Period("2025-02", "M")]
    # 2025-02: Ann 120, Bob 40, Cat 100 (Dan sold nothing); nobody is new after 2024-01
    assert feb[["rep", "amount"]].values.tolist() == [["Ann", 120.0], ["Bob", 40.0],
                                                      ["Cat", 100.0]]
    assert digest["cube"]["new_customers"].sum() == 4  # one own customer per rep


@pytest.mark.parametrize("kind", ["frame", "parquet", "csv"])
def test_company_digest_equals_pandas(company, tmp_path, kind):
    src = company if kind == "frame" else _write(company, tmp_path / f"s.{kind}", kind)
    digest, issues = scan(src)
    _check_digest(digest, company[KEEP])
    assert digest["meta"]["rows"] == len(company)
    neg = int((company["amount"] < 0).sum())
    assert [i.count for i in issues if i.check == "negative_amount"] == [neg]


def test_csv_bad_rows_name_file_column_lines(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(
        "Day,team,rep,Total,note\n"          # line 1
        "2025-01-02,East,Ann,100,ok\n"       # line 2
        "2025-13-40,East,Ann,5,\n"           # line 3: bad date
        "\n"                                 # line 4: blank line
        "2025-01-03,East,,abc,\n"            # line 5: empty rep, bad amount
        '2025-01-04,West,Bob,7,"two\n'       # line 6: a note over two lines
        'lines"\n'                           # line 7
        "2025-01-05,West,Bob,x1,\n"          # line 8: bad amount
        "2025-01-06,West,Bob,,\n",           # line 9: empty amount
        encoding="utf-8")
    with pytest.raises(DataError) as err:
        scan(path, columns={"date": "Day", "amount": "Total"})
    msgs = {(p.check, p.column): p for p in err.value.problems if p.severity == "error"}
    assert msgs[("bad_date", "date")].rows == [3]
    assert msgs[("not_numeric", "amount")].rows == [5, 8]
    assert msgs[("not_numeric", "amount")].examples == ["abc", "x1"]
    assert msgs[("empty_value", "rep")].rows == [5]
    assert msgs[("empty_value", "amount")].rows == [9]
    text = str(err.value)
    assert f"{path}: column 'amount' (your 'Total'): not a number in 2 rows: rows 5, 8; " \
           "values 'abc', 'x1'." in text
    assert f"{path}: column 'date' (your 'Day'): a date that cannot be read in 1 row: " \
           "row 3; values '2025-13-40'." in text


def test_csv_row_numbers_exact_on_a_large_file(tmp_path):
    """Multi-threaded reading keeps the numbering: negatives sit on known lines."""
    n = 60_000
    amount = np.full(n, 10.0)
    neg = [0, 7, 31_337, 59_999]
    amount[neg] = -1.0
    df = pd.DataFrame({"date": "2025-01-02", "team": "East", "rep": "Ann", "amount": amount})
    path = _write(df, tmp_path / "big.csv", "csv")
    _, issues = scan(path)
    (i,) = [i for i in issues if i.check == "negative_amount"]
    assert i.rows == [r + 2 for r in neg]  # data row r (from 0) is on line r + 2


def test_csv_blank_row_of_commas_is_skipped_as_info(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("date,team,rep,amount\n2025-01-02,East,Ann,1\n,,,\n2025-01-03,East,Ann,2\n")
    digest, issues = scan(path)
    assert [(i.check, i.rows) for i in issues] == [("blank_rows", [3])]
    assert digest["meta"]["rows"] == 2
    assert digest["daily"]["amount"].tolist() == [1.0, 2.0]


def test_parquet_records_numbered_from_one(tmp_path):
    df = pd.DataFrame({"date": pd.to_datetime(["2025-01-02"] * 5), "team": "East",
                       "rep": ["Ann", "Bob", "Ann", "Bob", "Ann"],
                       "amount": ["1", "one", "3", "4", "¥5"]})
    path = _write(df.assign(amount=df["amount"].replace("¥5", "five")), tmp_path / "s.parquet",
                  "parquet")
    with pytest.raises(DataError, match=r"not a number in 2 records: records 2, 5; "
                                        r"values 'one', 'five'"):
        scan(path)


def test_parquet_glob_numbers_records_per_file(tmp_path):
    base = pd.DataFrame({"date": pd.to_datetime(["2025-01-02"] * 3), "team": "East",
                         "rep": "Ann", "amount": [1.0, 2.0, 3.0]})
    _write(base, tmp_path / "a.parquet", "parquet")
    _write(base.assign(amount=[4.0, -5.0, 6.0]), tmp_path / "b.parquet", "parquet")
    digest, issues = scan(str(tmp_path / "*.parquet"))
    (i,) = issues
    assert (i.file, i.rows) == (str(tmp_path / "b.parquet"), [2])
    assert digest["daily"]["amount"].tolist() == [11.0]  # 1 + 2 + 3 + 4 - 5 + 6
    assert digest["meta"]["rows"] == 6


def test_as_of_excludes_and_counts_later_rows():
    s = make_tiny_sales()
    digest, issues = scan(s, as_of="2025-01")
    # February 2025 has 3 rows (Ann 120, Bob 40, Cat 100): excluded and counted
    assert digest["meta"]["excluded_after_as_of"] == 3
    assert digest["meta"]["last_date"] == pd.Timestamp("2025-01-15")
    assert digest["cube"]["amount"].sum() == s["amount"].sum() - 260.0
    (i,) = [i for i in issues if i.check == "after_report_month"]
    assert i.count == 3 and i.rows == [53, 54, 55]


def test_column_mapping_and_text_values():
    raw = pd.DataFrame({"OrderDate": ["2025-01-02", "2025/1/3", "2025年1月4日"],
                        "Team": [" East ", "East", "East"], "Seller": ["Ann", "Ann", "Bob"],
                        "SubTotal": ["¥1,234.50", "(20)", " 3 "]})
    digest, _ = scan(raw, columns={"date": "OrderDate", "rep": "Seller",
                                   "amount": "SubTotal"})
    d = digest["daily"]
    assert d["date"].dt.day.tolist() == [2, 3, 4]
    assert d["team"].tolist() == ["East"] * 3  # " East " is stripped, as io strips it
    assert d["amount"].tolist() == [1234.5, -20.0, 3.0]


@pytest.mark.parametrize("text", ["¥1,234.50", "$ 20", "(12)", "1,2", "nan", "inf", "x",
                                  "1e3", "-5", "1_000", "12,345,678.9"])
def test_amount_parsing_agrees_with_io(text):
    raw = pd.DataFrame({"date": ["2025-01-02"], "team": ["E"], "rep": ["A"], "amount": [text]})
    try:
        expected = load_table(raw, "sales")[0]["amount"].iloc[0]
    except DataError:
        expected = None
    try:
        got = scan(raw)[0]["daily"]["amount"].iloc[0]
    except DataError:
        got = None
    assert got == expected


def test_missing_columns_listed_with_present_ones():
    raw = pd.DataFrame({"date": ["2025-01-02"], "rep": ["A"], "amount": [1.0]})
    with pytest.raises(DataError, match=r"missing required column\(s\) 'team'; the file has "
                                        r"'date', 'rep', 'amount'"):
        scan(raw, label="orders")


def test_duplicates_counted():
    s = make_tiny_sales()
    s = pd.concat([s, s.iloc[[0, 0]]], ignore_index=True)
    _, issues = scan(s)
    assert [i.count for i in issues if i.check == "duplicate_rows"] == [2]


def test_input_frame_not_mutated():
    s = make_tiny_sales()
    before = s.copy()
    scan(s, tables=("cube",))
    assert_frame_equal(s, before)


def test_gb18030_csv_is_refused_with_the_way_out(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("date,team,rep,amount\n2025-01-02,华东,王伟,1\n".encode("gb18030"))
    with pytest.raises(DataError, match="not UTF-8.*salesnb.io.load_dataset"):
        scan(path)


def test_csv_parsing_plan_keeps_input_order(tmp_path):
    """The CSV's temporary table numbers rows by rowid: only projections may sit between
    read_csv and the insert (a join, e.g. from an IN list, would let rows arrive out of
    order on files DuckDB reads in parallel)."""
    import duckdb

    from salesnb.load.duckdb_source import Source
    from salesnb.load.duckdb_sql import relation
    from salesnb.load.issues import resolve_columns

    path = tmp_path / "s.csv"
    path.write_text("date,team,rep,customer_id,product,category,quantity,amount,note\n"
                    "2025-01-02,East,Ann,c1,p,A,1,10,x\n")
    con = duckdb.connect()
    src = Source(con, path, None)
    types = src.describe(con)
    found, _ = resolve_columns(list(types), "sales", {}, name=src.name)
    p, _ = relation(src, found, types, duplicates=True, ordered=False)
    plan = "".join(r[1] for r in con.execute(
        f"EXPLAIN CREATE TEMP TABLE t AS SELECT * FROM {p}").fetchall()).upper()
    assert "JOIN" not in plan and "WINDOW" not in plan and "AGGREGATE" not in plan


def test_parquet_glob_new_customers_across_files(tmp_path):
    """A customer's first sale in the second file counts as new there (order key per file)."""
    a = pd.DataFrame({"date": pd.to_datetime(["2025-01-05", "2025-02-01"]), "team": "East",
                      "rep": ["Ann", "Bob"], "customer_id": ["c1", "c2"],
                      "category": "A", "amount": [1.0, 2.0]})
    b = pd.DataFrame({"date": pd.to_datetime(["2025-01-03", "2025-02-01", "2025-03-01"]),
                      "team": "East", "rep": ["Bob", "Ann", "Ann"],
                      "customer_id": ["c2", "c3", "c1"], "category": "A",
                      "amount": [3.0, 4.0, 5.0]})
    _write(a, tmp_path / "a.parquet", "parquet")
    _write(b, tmp_path / "b.parquet", "parquet")
    digest, _ = scan(str(tmp_path / "*.parquet"), tables=("cube",))
    both = pd.concat([a, b], ignore_index=True).assign(quantity=np.nan, product=None)
    assert_frame_equal(digest["cube"], build_cube(both[KEEP].astype({"date": "datetime64[ns]"})),
                       check_exact=False, rtol=1e-9)
