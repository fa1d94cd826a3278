"""SQL sources: SQLite files and a real PostgreSQL server give the same data as files.

The PostgreSQL tests use the server at SALESNB_TEST_PG_URL (``.ci/run`` installs, starts
and sets it up); each test run makes a throwaway schema and drops it afterwards. Without a
reachable server they skip, unless SALESNB_REQUIRE_PG=1 (set in CI), then they fail.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import traceback
import uuid
from pathlib import Path

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import given, settings

from salesnb.cube import build_cube
from salesnb.exceptions import DataError, ParamsError
from salesnb.io import load_dataset, load_table, write_tables
from salesnb.sample import make_company
from salesnb.sources import aggregate_sql, expand_env, read_sql_source, safe_url, source_label

TABLES = ("sales", "targets", "org", "opportunities", "spend", "satisfaction")
AS_OF = "2025-06"  # the sample runs to 2026-12: later sales are left out
SECRET = "Sup3r$ecret@pw/1"  # has characters a URL must escape


def _to_sqlite(path: Path, tables: dict) -> None:
    with sqlite3.connect(path) as con:
        for name, df in tables.items():
            df.to_sql(name, con, index=False)


@pytest.fixture(scope="module")
def company():
    return make_company(seed=5, rows=5000)


@pytest.fixture(scope="module")
def files(company, tmp_path_factory):
    """The same company as CSV files (data/*.csv) and as a SQLite file (crm.db)."""
    root = tmp_path_factory.mktemp("sql")
    write_tables(company, root / "data")
    _to_sqlite(root / "crm.db", company)
    return root


def _csv_dataset(root, **kw):
    return load_dataset(**{t: f"data/{t}.csv" for t in TABLES}, base_dir=root, **kw)


def _sqlite_dataset(root, **kw):
    return load_dataset(**{t: {"url": "sqlite:///crm.db", "table": t} for t in TABLES},
                        base_dir=root, **kw)


def _sorted(df):
    return df.sort_values(list(df.columns), kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------- loading from SQLite
def test_sqlite_tables_load_like_csv_files(files):
    csv, sql = _csv_dataset(files, as_of=AS_OF), _sqlite_dataset(files, as_of=AS_OF)
    for t in TABLES:
        pd.testing.assert_frame_equal(getattr(sql, t), getattr(csv, t), obj=t)
    assert len(sql.excluded) == len(csv.excluded) > 0
    assert [i.check for i in sql.issues] == [i.check for i in csv.issues]


def test_sqlite_source_is_recorded_with_url_table_and_records(files, company):
    ds = _sqlite_dataset(files)
    rec = ds.sources["sales"]
    assert rec["path"] == "sqlite:///crm.db table sales"
    assert (rec["url"], rec["table"], rec["rows"]) == ("sqlite:///crm.db", "sales",
                                                       len(company["sales"]))
    assert len(rec["sha256"]) == 64


def test_query_source_returns_the_query_rows(files):
    q = "select * from sales where team = 'East' and amount > 100"
    got, _ = load_table({"url": f"sqlite:///{files / 'crm.db'}", "query": q}, "sales")
    csv, _ = load_table(files / "data/sales.csv", "sales")
    want = csv[(csv["team"] == "East") & (csv["amount"] > 100)].reset_index(drop=True)
    assert len(want) > 10
    pd.testing.assert_frame_equal(got, want)


def test_rows_in_messages_are_records_in_query_order(files):
    q = "select date, team, rep, case when rowid = 7 then 'n/a' else amount end as amount " \
        "from sales where rowid <= 9 order by rowid"
    with pytest.raises(DataError) as e:
        load_table({"url": f"sqlite:///{files / 'crm.db'}", "query": q}, "sales")
    assert "column 'amount': not a number in 1 record: record 7; values 'n/a'" in str(e.value)


def test_relative_sqlite_path_resolves_against_base_dir_and_missing_file_is_named(files):
    with pytest.raises(DataError, match=r"SQLite database file not found .*nope\.db"):
        load_dataset(sales={"url": "sqlite:///nope.db", "table": "sales"}, base_dir=files)
    assert not (files / "nope.db").exists()  # SQLite would have created an empty file


def test_unknown_table_is_a_data_error_naming_the_table(files):
    with pytest.raises(DataError) as e:
        load_dataset(sales={"url": "sqlite:///crm.db", "table": "orderz"}, base_dir=files)
    msg = str(e.value)
    assert "table orderz" in msg and "no such table" in msg and "Check the table name" in msg


@pytest.mark.parametrize("spec, words", [
    ({"url": "sqlite:///x.db"}, "exactly one of table or query, got neither"),
    ({"url": "sqlite:///x.db", "table": "a", "query": "select 1"}, "got table and query"),
    ({"url": "sqlite:///x.db", "tabel": "a"}, "keys url and table or query"),
    ({"table": "a"}, "keys url and table or query"),
])
def test_bad_source_mapping_is_a_params_error(spec, words):
    with pytest.raises(ParamsError, match=words):
        load_table(spec, "sales")


# ---------------------------------------------------------------- secrets
@pytest.mark.parametrize("text, env, expected", [
    ("a${X}b", {"X": "1"}, "a1b"),
    ("a$X/b", {"X": "1"}, "a1/b"),
    ("$$X", {"X": "1"}, "$X"),
    ("${X}${Y}", {"X": "p", "Y": "q"}, "pq"),
    ("no vars", {}, "no vars"),
])
def test_expand_env(text, env, expected):
    assert expand_env(text, environ=env) == expected


def test_missing_environment_variable_is_named(monkeypatch, files):
    monkeypatch.delenv("SALESNB_NO_SUCH_PW", raising=False)
    spec = {"url": "postgresql://ann:${SALESNB_NO_SUCH_PW}@127.0.0.1:1/crm", "table": "s"}
    with pytest.raises(DataError, match="environment variable SALESNB_NO_SUCH_PW is not set"):
        load_dataset(sales=spec)


def test_variable_in_sqlite_path_is_expanded_at_connect_time(monkeypatch, files):
    spec = {"url": "sqlite:///${SALESNB_DB_DIR}/crm.db", "table": "org"}
    monkeypatch.setenv("SALESNB_DB_DIR", str(files))
    ds = load_dataset(sales="data/sales.csv", org=spec, base_dir=files)
    assert ds.sources["org"]["url"] == "sqlite:///${SALESNB_DB_DIR}/crm.db"  # as written
    assert len(ds.org) == len(pd.read_csv(files / "data/org.csv"))


@pytest.mark.parametrize("url, expected", [
    ("postgresql://ann:${PW}@db/crm", "postgresql://ann:***@db/crm"),
    ("postgresql://ann:hunter22@db:5433/crm", "postgresql://ann:***@db:5433/crm"),
    ("postgresql://ann@db/crm?sslmode=require", "postgresql://ann@db/crm?sslmode=require"),
    ("snowflake://ann@acct/db?token=abc123&warehouse=wh",
     "snowflake://ann@acct/db?token=***&warehouse=wh"),
    ("not a url hunter22", "sql://***"),
])
def test_safe_url_hides_passwords_and_tokens(url, expected):
    assert safe_url(url) == expected


def test_postgres_urls_use_psycopg_3():
    """A plain postgresql:// url is opened with psycopg 3 (the declared driver), even where
    psycopg2 happens to be installed; creating the engine connects to nothing."""
    from salesnb.load.sql import connect
    engine, secrets = connect({"url": "postgresql://ann:pw@127.0.0.1:1/crm", "table": "t"},
                              None, "sales")
    assert engine.dialect.driver == "psycopg" and set(secrets) == {"pw"}
    engine, _ = connect({"url": "postgresql+psycopg://ann@127.0.0.1:1/crm", "table": "t"},
                        None, "sales")
    assert engine.dialect.driver == "psycopg"


def test_password_never_in_connection_error(monkeypatch):
    # port 1 refuses connections at once; the password would be sent to it
    monkeypatch.setenv("SALESNB_TEST_SECRET", SECRET)
    spec = {"url": "postgresql://ann:${SALESNB_TEST_SECRET}@127.0.0.1:1/crm", "table": "orders"}
    with pytest.raises(DataError) as e:
        load_dataset(sales=spec)
    text = "".join(traceback.format_exception(e.type, e.value, e.tb))
    assert SECRET not in text and "Sup3r" not in text
    assert str(e.value).startswith("postgresql://ann:***@127.0.0.1:1/crm table orders: reading")
    assert "Check the url's host, port" in str(e.value)


def test_hard_coded_password_is_hidden_too():
    spec = {"url": "postgresql://ann:hunter22x@127.0.0.1:1/crm", "query": "select 1"}
    with pytest.raises(DataError) as e:
        read_sql_source(spec)
    assert "hunter22x" not in "".join(traceback.format_exception(e.type, e.value, e.tb))
    assert source_label(spec) == "postgresql://ann:***@127.0.0.1:1/crm query 'select 1'"


# ---------------------------------------------------------------- aggregating in SQLite
def _tiny_db(path: Path, rows) -> dict:
    with sqlite3.connect(path) as con:
        con.execute("create table s (Day text, team text, rep text, Total real, "
                    "customer_id text, category text)")
        con.executemany("insert into s values (?, ?, ?, ?, ?, ?)", rows)
    return {"url": f"sqlite:///{path}", "table": "s"}


def test_aggregate_sql_hand_worked(tmp_path):
    spec = _tiny_db(tmp_path / "t.db", [
        ("2025-01-03", "East", "Ann", 100.0, "c1", "A"),
        ("2025-01-03", "East", "Bob", 40.0, "c1", "B"),     # c1's tie: the earlier record wins
        ("2025-01-20 10:30:00", "East", "Ann", 50.0, "c2", "A"),
        ("2025-02-01", "West", "Cy", -30.0, "c1", None),    # a return; c1 is not new again
        ("2025-04-02", "West", "Cy", 999.0, "c3", "A"),     # after as_of: left out
    ])
    dg = aggregate_sql(spec, columns={"date": "Day", "amount": "Total"}, as_of="2025-03")
    cube = dg["cube"]
    assert cube["month"].astype(str).tolist() == ["2025-01", "2025-01", "2025-02"]
    assert cube["rep"].tolist() == ["Ann", "Bob", "Cy"]
    assert cube["amount"].tolist() == [150.0, 40.0, -30.0]     # Ann: 100 + 50
    assert cube["lines"].tolist() == [2, 1, 1]
    assert cube["new_customers"].tolist() == [2, 0, 0]         # c1 and c2 first bought from Ann
    assert cube["category"].tolist() == ["A", "B", ""]
    daily = dg["daily"]
    assert daily["date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-03"] * 2 + [
        "2025-01-20", "2025-02-01"]
    cm = dg["customer_monthly"]
    assert cm.loc[cm["customer_id"] == "c1", "amount"].tolist() == [100.0, 40.0, -30.0]
    assert "product_monthly" not in dg                         # the source has no product
    assert dg["meta"] == {"rows": 5, "first_date": pd.Timestamp("2025-01-03"),
                          "last_date": pd.Timestamp("2025-02-01"), "excluded_after_as_of": 1,
                          "negative_amount": 1, "negative_amount_records": [4],  # the return
                          "duplicate_rows": 0}


def test_scan_engine_on_sql_counts_returns_repeats_and_late_rows(tmp_path):
    spec = _tiny_db(tmp_path / "t.db", [
        ("2025-01-03", "East", "Ann", 100.0, "c1", "A"),
        ("2025-01-03", "East", "Ann", 100.0, "c1", "A"),    # an exact repeat of record 1
        ("2025-02-01", "West", "Cy", -30.0, "c1", None),    # a return
        ("2025-04-02", "West", "Cy", 999.0, "c3", "A"),     # after as_of
    ])
    ds = load_dataset(sales=spec, columns={"sales": {"date": "Day", "amount": "Total"}},
                      as_of="2025-03", engine="scan")
    assert ds.sales is None and ds.sales_rows == 3
    assert ds.last_sale_date == pd.Timestamp("2025-02-01")
    found = {i.check: i for i in ds.issues}
    assert found["negative_amount"].count == 1 and found["negative_amount"].rows == [3]
    assert "records 3" not in found["negative_amount"].message  # one record: "record 3"
    assert "record 3." in found["negative_amount"].message
    assert found["duplicate_rows"].count == 1
    assert found["after_report_month"].count == 1
    assert ds.digest["cube"]["amount"].tolist() == [200.0, -30.0]
    assert ds.sources["sales"]["rows"] == 4


def test_aggregate_sql_validates_in_the_database(tmp_path):
    spec = _tiny_db(tmp_path / "t.db", [
        ("2025-01-03", "East", "Ann", 100.0, "c1", "A"),
        ("someday", "East", "", 5.0, "c1", "A"),
        ("2025-01-04", "East", None, "12x", "c1", "A"),
        (None, "East", "Bob", None, "c1", "A"),
    ])
    with pytest.raises(DataError) as e:
        aggregate_sql(spec, columns={"date": "Day", "amount": "Total"})
    msg = str(e.value)
    assert "3 problems" in msg and "table s" in msg
    assert "column 'date' (your 'Day'): empty or not a date in 2 records: records 2, 4" in msg
    assert "column 'amount' (your 'Total'): empty or not a plain number in 2 records: " \
           "records 3, 4" in msg
    assert "column 'rep': empty in 2 records: records 2, 3" in msg
    # the same Issue objects as the file reader's, one per column, rows as records from 1
    assert [(i.check, i.column, i.rows, i.count) for i in e.value.problems] == [
        ("bad_date", "date", [2, 4], 2), ("not_numeric", "amount", [3, 4], 2),
        ("empty_value", "rep", [2, 3], 2)]


def test_aggregate_sql_names_one_bad_record_in_the_singular(tmp_path):
    spec = _tiny_db(tmp_path / "t.db", [("2025-01-03", "East", "Ann", 100.0, "c1", "A"),
                                        ("2025-01-04", "", "Ann", 5.0, "c1", "A")])
    with pytest.raises(DataError, match=r"1 problem to fix:\n- .*column 'team': empty in 1 "
                                        r"record: record 2\. Fill in every team"):
        aggregate_sql(spec, columns={"date": "Day", "amount": "Total"})


def test_aggregate_sql_needs_a_team_column(tmp_path):
    with sqlite3.connect(tmp_path / "t.db") as con:
        con.execute("create table s (date text, rep text, amount real)")
    with pytest.raises(DataError, match=r"missing required column\(s\) 'team'; the source "
                                        r"has 'date', 'rep', 'amount'.*does not join an org"):
        aggregate_sql({"url": f"sqlite:///{tmp_path / 't.db'}", "table": "s"})


def _expected_digest(sales: pd.DataFrame) -> dict:
    """The digest computed independently with pandas from canonical sales."""
    s = sales.assign(quantity=sales["quantity"].fillna(0), category=sales["category"].fillna(""),
                     m=sales["date"].dt.to_period("M").dt.to_timestamp())
    agg = {"amount": ("amount", "sum"), "quantity": ("quantity", "sum")}
    daily = s.groupby(["date", "team", "rep"]).agg(**agg, lines=("amount", "size")).reset_index()
    cm = s.groupby(["m", "team", "rep", "customer_id"], dropna=False).agg(**agg).reset_index()
    pm = s.groupby(["m", "team", "product", "category"], dropna=False).agg(**agg).reset_index()
    return {"daily": daily, "customer_monthly": cm.rename(columns={"m": "date"}),
            "product_monthly": pm.rename(columns={"m": "date"}), "cube": build_cube(sales)}


def _assert_digest(dg: dict, sales: pd.DataFrame) -> None:
    want = _expected_digest(sales)
    for name, exp in want.items():
        got = dg[name]
        assert list(got.columns) == list(exp.columns), name
        pd.testing.assert_frame_equal(_sorted(got), _sorted(exp), check_dtype=False,
                                      check_exact=False, rtol=1e-9, obj=name)
        assert got["amount"].sum() == pytest.approx(sales["amount"].sum(), rel=1e-12)
    assert dg["cube"]["new_customers"].sum() == sales["customer_id"].nunique()


def test_aggregate_sql_equals_pandas_and_build_cube_on_sqlite(files):
    ds = _csv_dataset(files, as_of=AS_OF)
    dg = aggregate_sql({"url": "sqlite:///crm.db", "table": "sales"}, as_of=AS_OF,
                       base_dir=files)
    _assert_digest(dg, ds.sales)
    pd.testing.assert_frame_equal(dg["cube"], build_cube(ds.sales))  # same order and dtypes
    assert dg["meta"]["rows"] == len(ds.sales) + len(ds.excluded)
    assert dg["meta"]["excluded_after_as_of"] == len(ds.excluded)
    assert dg["meta"]["last_date"] == ds.sales["date"].max()


_ROW = st.tuples(st.integers(0, 80), st.sampled_from(["East", "West"]),
                 st.sampled_from(["Ann", "Bob", "Cy"]),
                 st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 2)),
                 st.sampled_from(["c1", "c2", "c3", None]), st.sampled_from(["A", "B", None]))


@settings(max_examples=15, deadline=None)
@given(st.lists(_ROW, min_size=1, max_size=30))
def test_aggregate_sql_cube_equals_build_cube_property(rows):
    rows = [(str(pd.Timestamp("2025-01-01") + pd.Timedelta(days=d))[:10], *r)
            for d, *r in rows]
    with tempfile.TemporaryDirectory() as d:
        dg = aggregate_sql(_tiny_db(Path(d) / "t.db", rows), columns={"date": "Day",
                                                                      "amount": "Total"})
    sales = pd.DataFrame(rows, columns=["date", "team", "rep", "amount", "customer_id",
                                        "category"]).assign(date=lambda x: pd.to_datetime(
                                            x["date"]))
    pd.testing.assert_frame_equal(dg["cube"], build_cube(sales))


# ---------------------------------------------------------------- PostgreSQL
@pytest.fixture(scope="module")
def pg(company):
    """A throwaway schema on the test server holding the sample tables; dropped afterwards."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url
    url = os.environ.get("SALESNB_TEST_PG_URL", "")
    reason = ""
    if not url:
        reason = "SALESNB_TEST_PG_URL is not set (.ci/run starts PostgreSQL and sets it)"
    else:
        u = make_url(url).set(drivername="postgresql+psycopg")
        engine = sa.create_engine(u, connect_args={"connect_timeout": 5})
        try:
            with engine.connect() as con:
                con.execute(sa.text("select 1"))
        except Exception as e:  # noqa: BLE001
            reason = f"PostgreSQL at {safe_url(url)} is not reachable ({type(e).__name__})"
    if reason:
        if os.environ.get("SALESNB_REQUIRE_PG") == "1":
            pytest.fail(f"{reason}, and SALESNB_REQUIRE_PG=1 requires it")
        pytest.skip(reason)
    schema = f"salesnb_t_{uuid.uuid4().hex[:8]}"
    with engine.begin() as con:
        con.execute(sa.text(f"create schema {schema}"))
    try:
        with engine.begin() as con:
            for name, df in company.items():
                df.to_sql(name, con, schema=schema, index=False)
        yield {"url": url, "u": u, "schema": schema}
    finally:
        with engine.begin() as con:
            con.execute(sa.text(f"drop schema {schema} cascade"))
        engine.dispose()


@pytest.fixture
def pg_secret_url(pg, monkeypatch):
    """The server's url with its password in an environment variable, as users write it."""
    monkeypatch.setenv("SALESNB_TEST_PG_PASSWORD", pg["u"].password)
    return pg["u"].set(password="PWVAR", drivername="postgresql").render_as_string(
        hide_password=False).replace("PWVAR", "${SALESNB_TEST_PG_PASSWORD}")


def test_postgres_tables_load_like_csv_files(pg, pg_secret_url, files):
    csv = _csv_dataset(files, as_of=AS_OF)
    sql = load_dataset(**{t: {"url": pg_secret_url, "table": f"{pg['schema']}.{t}"}
                          for t in TABLES}, as_of=AS_OF)
    for t in TABLES:
        pd.testing.assert_frame_equal(_sorted(getattr(sql, t)), _sorted(getattr(csv, t)), obj=t)


def test_postgres_password_never_in_sources_repr_or_errors(pg, pg_secret_url):
    pw = pg["u"].password
    ds = load_dataset(sales={"url": pg_secret_url, "table": f"{pg['schema']}.sales"})
    rec = ds.sources["sales"]
    assert rec["url"].startswith("postgresql://salesnb:***@") if pg["u"].username == "salesnb" \
        else ":***@" in rec["url"]
    assert pw not in json.dumps(ds.sources) and pw not in repr(ds)
    bad = {"url": pg_secret_url, "query": f"select nothing from {pg['schema']}.sales"}
    with pytest.raises(DataError) as e:
        load_dataset(sales=bad)
    text = "".join(traceback.format_exception(e.type, e.value, e.tb))
    assert pw not in text and "nothing" in str(e.value)


def test_postgres_wrong_password_error_hides_it(pg, monkeypatch):
    monkeypatch.setenv("SALESNB_TEST_PG_PASSWORD", SECRET)
    url = pg["u"].set(password="PWVAR").render_as_string(hide_password=False)
    spec = {"url": url.replace("PWVAR", "${SALESNB_TEST_PG_PASSWORD}"), "table": "sales"}
    with pytest.raises(DataError) as e:
        read_sql_source(spec)
    text = "".join(traceback.format_exception(e.type, e.value, e.tb))
    assert "password authentication failed" in str(e.value)
    assert SECRET not in text and "Sup3r" not in text


def test_postgres_query_source(pg, pg_secret_url, files):
    q = f"select * from {pg['schema']}.sales where team = 'East' order by order_id, amount"
    got, _ = load_table({"url": pg_secret_url, "query": q}, "sales")
    csv, _ = load_table(files / "data/sales.csv", "sales")
    want = csv[csv["team"] == "East"]
    pd.testing.assert_frame_equal(_sorted(got), _sorted(want))


def test_aggregate_sql_on_postgres_equals_sqlite_and_build_cube(pg, pg_secret_url, files):
    ds = _csv_dataset(files, as_of=AS_OF)
    dg = aggregate_sql({"url": pg_secret_url, "table": f"{pg['schema']}.sales"}, as_of=AS_OF)
    _assert_digest(dg, ds.sales)
    lite = aggregate_sql({"url": "sqlite:///crm.db", "table": "sales"}, as_of=AS_OF,
                         base_dir=files)
    for name in ("daily", "customer_monthly", "product_monthly", "cube"):
        pd.testing.assert_frame_equal(dg[name], lite[name], check_exact=False, rtol=1e-12,
                                      obj=name)
    assert dg["meta"] == lite["meta"]


def test_aggregate_sql_validation_on_postgres(pg, pg_secret_url):
    q = (f"select date, team, case when order_id = 'SO0000003' then '' else rep end as rep, "
         f"case when order_id = 'SO0000005' then 'n/a' else cast(amount as text) end as amount "
         f"from {pg['schema']}.sales order by order_id, rep")
    with pytest.raises(DataError) as e:
        aggregate_sql({"url": pg_secret_url, "query": q})
    msg = str(e.value)
    assert "column 'rep': empty in" in msg and "column 'amount': empty or not a plain" in msg


# ---------------------------------------------------------------- end to end
@pytest.mark.slow
def test_report_from_sqlite_equals_report_from_files(files, company, tmp_path):
    from salesnb.runner import render_pack, resolve_params
    team = sorted(company["sales"]["team"].unique())[0]
    out = {}
    # files and database, each read whole into pandas and aggregated where it lives
    # (engine: scan = DuckDB over the CSV files, GROUP BY inside SQLite)
    kinds = {"files": "pandas", "sqlite": "pandas", "files-scan": "scan", "sqlite-scan": "scan"}
    for kind, engine in kinds.items():
        srcs = ({t: f"data/{t}.csv" for t in TABLES} if kind.startswith("files") else
                {t: {"url": "sqlite:///crm.db", "table": t} for t in TABLES})
        params = resolve_params({"month": "2026-10", "currency": "$", "engine": engine,
                                 "scorecards": False, **srcs}, base_dir=files)
        record = render_pack(params, out=tmp_path / kind, teams=[team], workers=1)
        assert [r["status"] for r in record["reports"]] == ["ok"], record["reports"]
        out[kind] = record
    for kind in kinds:
        for name in ("progress", "ranking", "attribution"):
            a = (tmp_path / "files" / "tables" / f"{name}.csv").read_text(encoding="utf-8")
            b = (tmp_path / kind / "tables" / f"{name}.csv").read_text(encoding="utf-8")
            assert a == b, (kind, name)
        # alerts too, except that data-quality messages name the source and count rows its
        # way (a CSV's data row i is row i + 2, a table's is record i)
        a, b = (pd.read_csv(tmp_path / k / "tables" / "alerts.csv") for k in ("files", kind))
        dq = a["rule"].eq("data_quality")
        assert dq.sum() > 0 and b["rule"].eq("data_quality").tolist() == dq.tolist(), kind
        pd.testing.assert_frame_equal(a.drop(columns="message"), b.drop(columns="message"))
        pd.testing.assert_frame_equal(a[~dq], b[~dq])
    a = pd.read_csv(tmp_path / "sqlite" / "tables" / "alerts.csv")
    assert a.loc[a["rule"].eq("data_quality"), "message"].str.contains(
        "sqlite:///crm.db table sales: ").all()
    assert out["sqlite"]["inputs"]["sales"]["path"] == "sqlite:///crm.db table sales"
    assert out["sqlite-scan"]["inputs"]["sales"]["rows"] == len(company["sales"])
    assert out["files-scan"]["inputs"]["sales"]["sha256"] == out["files"]["inputs"]["sales"]["sha256"]


def test_password_typed_into_a_url_is_masked_in_params_records():
    from salesnb.runner import public_params
    p = public_params({"sales": {"url": "postgresql://analyst:hunter2@db/crm", "table": "orders"},
                       "targets": "targets.csv"})
    assert "hunter2" not in str(p)
    assert p["sales"]["table"] == "orders" and p["targets"] == "targets.csv"


def test_repeats_that_cannot_be_counted_are_said_not_hidden(tmp_path, monkeypatch):
    import salesnb.load.sql_digest as src
    spec = _tiny_db(tmp_path / "t.db", [("2025-01-03", "East", "Ann", 100.0, "c1", "A")])
    # a database that cannot group by every column (PostgreSQL: a JSON column, or a query
    # with repeated column names): the count is None and the run goes on with an info line
    real = src._repeats
    monkeypatch.setattr(src, "_repeats",
                        lambda con, frm, names, d: real(con, frm, names + ["nope"], d))
    ds = load_dataset(sales=spec, columns={"sales": {"date": "Day", "amount": "Total"}},
                      engine="scan")
    [note] = [i for i in ds.issues if i.check == "duplicate_rows_unchecked"]
    assert note.severity == "info" and "not counted" in note.message
    assert ds.digest["cube"]["amount"].tolist() == [100.0]
