"""The sales engine choice: pandas, DuckDB over files, GROUP BY in the database."""

from __future__ import annotations

import pandas as pd
import pytest

from salesnb.exceptions import DataError, ParamsError
from salesnb.io import dataset_from_params, load_dataset
from salesnb.load import engines as scanning
from salesnb.report import prepare
from salesnb.sample import make_company


@pytest.fixture(scope="module")
def company():
    return make_company(seed=3, rows=4000)


@pytest.fixture(scope="module")
def files(company, tmp_path_factory):
    root = tmp_path_factory.mktemp("scan")
    company["sales"].to_csv(root / "sales.csv", index=False)
    company["sales"].to_parquet(root / "sales.parquet", index=False)
    company["org"].to_csv(root / "org.csv", index=False)
    company["targets"].to_csv(root / "targets.csv", index=False)
    return root


def test_choose_auto_scans_only_large_files(files, monkeypatch):
    assert scanning.choose("auto", "sales.csv", files) == "pandas"
    assert scanning.choose("auto", "sales.parquet", files) == "pandas"
    monkeypatch.setattr(scanning, "SCAN_MIN_ROWS", 1000)            # the file has 4,000 rows
    monkeypatch.setattr(scanning, "SCAN_MIN_CSV_BYTES", 10_000)
    assert scanning.choose("auto", "sales.parquet", files) == "file"
    assert scanning.choose("auto", "sales.csv", files) == "file"
    assert scanning.choose("auto", {"url": "sqlite:///x.db", "table": "s"}) == "pandas"
    assert scanning.choose("auto", pd.DataFrame()) == "pandas"
    assert scanning.choose("auto", "missing.parquet", files) == "pandas"  # pandas names it
    assert scanning.choose("auto", "part-*.parquet", files) == "file"     # only scan reads globs


def test_choose_scan_and_bad_values():
    assert scanning.choose("scan", "x.csv") == "file"
    assert scanning.choose("scan", {"url": "sqlite:///x.db", "table": "s"}) == "sql"
    with pytest.raises(ParamsError, match="engine: scan reads CSV, Parquet and SQL"):
        scanning.choose("scan", "sales.xlsx")
    with pytest.raises(ParamsError, match="engine must be one of auto, pandas, scan"):
        scanning.choose("duckdb", "sales.csv")


@pytest.mark.parametrize("name", ["sales.csv", "sales.parquet"])
def test_scanned_run_equals_pandas_run(files, name):
    """The same tables come out whether the sales are read whole or scanned."""
    kw = dict(org="org.csv", targets="targets.csv", base_dir=files, as_of="2026-06")
    a = load_dataset(sales=name, engine="pandas", **kw)
    b = load_dataset(sales=name, engine="scan", **kw)
    assert b.sales is None and b.digest is not None
    assert b.sales_rows == len(a.sales) and b.last_sale_date == a.last_sale_date
    assert b.sources["sales"]["sha256"] == a.sources["sales"]["sha256"]
    ta, tb = (prepare(d, month="2026-06") for d in (a, b))
    for key in ("cube", "actuals", "progress", "attribution", "projections", "ranking",
                "last_sale", "customer_months"):
        pd.testing.assert_frame_equal(ta[key].reset_index(drop=True),
                                      tb[key].reset_index(drop=True), check_dtype=False,
                                      obj=key)
    checks = lambda d: sorted((i.check, i.count) for i in d.issues)  # noqa: E731
    assert checks(a) == checks(b)


def test_both_engines_count_reps_missing_from_org_up_to_the_as_of_date(files, company):
    org = company["org"]
    gone = sorted(company["sales"]["rep"].unique())[1]
    org[org["rep"] != gone].to_csv(files / "org_short2.csv", index=False)
    kw = dict(sales="sales.parquet", org="org_short2.csv", base_dir=files, as_of="2025-06")
    a, b = (load_dataset(engine=e, **kw) for e in ("pandas", "scan"))
    [ia] = [i for i in a.issues if i.check == "rep_not_in_org"]
    [ib] = [i for i in b.issues if i.check == "rep_not_in_org"]
    s = company["sales"]
    assert ia.count == ib.count == int(((s["rep"] == gone) & (s["date"] <= "2025-06-30")).sum())


def test_scanned_reps_missing_from_org_are_a_warning_with_the_count(files, company):
    org = company["org"]
    gone = sorted(company["sales"]["rep"].unique())[0]
    org[org["rep"] != gone].to_csv(files / "org_short.csv", index=False)
    ds = load_dataset(sales="sales.parquet", org="org_short.csv", base_dir=files,
                      engine="scan")
    [issue] = [i for i in ds.issues if i.check == "rep_not_in_org"]
    assert issue.count == int((company["sales"]["rep"] == gone).sum())
    assert repr(gone) in issue.message and "org_short.csv" in issue.message


def test_auto_reads_a_large_file_without_team_column_in_pandas(files, company, monkeypatch):
    monkeypatch.setattr(scanning, "SCAN_MIN_ROWS", 10)
    company["sales"].drop(columns="team").to_parquet(files / "no_team.parquet", index=False)
    ds = load_dataset(sales="no_team.parquet", org="org.csv", base_dir=files, engine="auto")
    assert ds.digest is None and ds.sales["team"].notna().all()      # team from the org table
    [note] = [i for i in ds.issues if i.check == "read_in_pandas"]
    assert note.severity == "info" and "team" in note.message
    with pytest.raises(DataError, match="team"):                       # scan: told, not guessed
        load_dataset(sales="no_team.parquet", org="org.csv", base_dir=files, engine="scan")


def test_dataset_from_params_passes_engine(files):
    params = {"month": "2026-06", "sales": "sales.parquet", "base_dir": str(files),
              "engine": "scan"}
    assert dataset_from_params(params).digest is not None
    assert dataset_from_params(params, engine="pandas").digest is None


def test_params_command_lists_every_key_including_engine(capsys):
    from salesnb.cli import main
    from salesnb.parameters import PARAM_DEFAULTS
    assert main(["params"]) == 0
    lines = capsys.readouterr().out.splitlines()
    keys = {line.split()[0] for line in lines[1:] if line.startswith("  ")}
    assert set(PARAM_DEFAULTS) | {"out", "engine"} <= keys
    engine = next(line for line in lines if line.split()[0] == "engine")
    assert "auto | pandas | scan" in engine and "'auto'" in engine


def test_rows_repeated_across_parquet_files_of_a_glob_are_counted(company, tmp_path):
    s = company["sales"].head(300)
    (tmp_path / "parts").mkdir()
    s.iloc[:200].to_parquet(tmp_path / "parts" / "a.parquet", index=False)
    s.iloc[150:].to_parquet(tmp_path / "parts" / "b.parquet", index=False)  # 50 rows again
    ds = load_dataset(sales="parts/*.parquet", base_dir=tmp_path, engine="auto")
    assert ds.digest is not None                                   # a glob is scanned
    [dup] = [i for i in ds.issues if i.check == "duplicate_rows"]
    within = int(s.duplicated().sum())                             # repeats inside the data
    assert dup.count == 50 + within and "b.parquet" in dup.message
