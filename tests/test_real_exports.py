"""Real exports (issue 13): the files CRM and ERP exports and Excel really produce.

Names spelt several ways, Windows-1252 and semicolon CSVs, mixed currencies, timestamps with
UTC offsets, duplicate headers, optional tables with bad values, and messages that name the
file, the column and the lines. Every fixture is a few hand-written rows.
"""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest

from salesnb.exceptions import DataError, ParamsError
from salesnb.load import dataset_from_params, load_dataset, load_table

MONTH = "2026-10"


def csv(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def error_text(fn, *args, **kwargs) -> str:
    with pytest.raises(DataError) as info:
        fn(*args, **kwargs)
    return str(info.value)


def checks(ds, check):
    return [i for i in ds.issues if i.check == check]


# ---------------------------------------------------------------- 1. identity
def test_case_variants_of_a_team_are_one_team_with_a_counted_finding(tmp_path):
    path = csv(tmp_path, "sales.csv", "date,team,rep,amount\n"
               "2026-10-01,East,Ann Lee,100\n"     # line 2
               "2026-10-02,EAST,Bo Li,50\n"        # line 3
               "2026-10-03, east ,Ann Lee,25\n"    # line 4
               "2026-10-04,ｅａｓｔ,Bo Li,5\n"      # line 5: full-width letters
               "2026-10-05,West,Cy Wu,10\n")
    ds = load_dataset(sales=path, as_of=MONTH)
    assert ds.sales["team"].tolist() == ["East", "East", "East", "East", "West"]
    assert ds.sales.groupby("team")["amount"].sum().to_dict() == {"East": 180.0, "West": 10.0}
    [found] = checks(ds, "name_variants")
    assert found.severity == "warning" and found.count == 3
    assert f"'EAST' ({path} row 3)" in found.message and f"' east ' ({path} row 4)" \
        not in found.message  # spaces are stripped on reading: ' east ' is read as 'east'
    assert f"'east' ({path} row 4)" in found.message
    assert "'ｅａｓｔ'" in found.message and "read as 'East'" in found.message


def test_rep_names_match_across_sales_org_and_targets(tmp_path):
    sales = csv(tmp_path, "sales.csv", "date,rep,amount\n2026-10-01,ann lee,100\n"
                "2026-10-02,Bo Li,50\n")
    org = csv(tmp_path, "org.csv", "rep,team\nAnn Lee,East\nBo Li,East\n")
    targets = csv(tmp_path, "targets.csv", "period,level,unit,metric,target\n"
                  "2026-10,rep,ANN LEE,amount,200\n2026-10,team,east,amount,300\n")
    ds = load_dataset(sales=sales, org=org, targets=targets, as_of=MONTH)
    assert ds.sales["rep"].tolist() == ["ann lee", "Bo Li"]  # the sales' spelling comes first
    assert ds.sales["team"].tolist() == ["East", "East"]
    assert ds.org["rep"].tolist() == ["ann lee", "Bo Li"]
    assert ds.targets["unit"].tolist() == ["ann lee", "East"]
    assert not checks(ds, "rep_not_in_org") and not checks(ds, "target_unit_unknown")
    assert len(checks(ds, "name_variants")) == 2  # one rep and one team spelt two ways


def test_same_rep_name_in_two_teams_at_once_is_an_error_naming_the_rows(tmp_path):
    path = csv(tmp_path, "sales.csv", "date,team,rep,amount\n"
               "2026-10-01,East,Ann Lee,100\n"
               "2026-10-20,East,Ann Lee,100\n"
               "2026-10-05,West,Ann Lee,90\n"
               "2026-10-06,West,Bo Li,10\n")
    msg = error_text(load_dataset, sales=path, as_of=MONTH)
    assert "sales.csv: rep 'Ann Lee' sells for 2 teams over the same dates" in msg
    assert "East (rows 2, 3;" in msg and "West (row 4;" in msg


def test_a_rep_who_moved_team_is_not_two_people(tmp_path):
    path = csv(tmp_path, "sales.csv", "date,team,rep,amount\n"
               "2026-09-01,East,Ann Lee,100\n2026-09-30,East,Ann Lee,100\n"
               "2026-10-01,West,Ann Lee,90\n")
    ds = load_dataset(sales=path, as_of=MONTH)
    assert ds.sales["team"].tolist() == ["East", "East", "West"]


def test_overlapping_org_rows_for_one_rep_are_an_error_naming_the_org_rows(tmp_path):
    sales = csv(tmp_path, "sales.csv", "date,rep,amount\n2026-10-01,Ann Lee,100\n")
    org = csv(tmp_path, "org.csv", "rep,team,start,end\nBo Li,East,,\nAnn Lee,East,,\n"
              "Ann Lee,West,,\n")
    msg = error_text(load_dataset, sales=sales, org=org, as_of=MONTH)
    assert "org.csv: rep 'Ann Lee' is in 2 teams at the same time: rows 3, 4" in msg
    # a move with dates that do not overlap is fine
    org.write_text("rep,team,start,end\nAnn Lee,East,,2026-09-30\nAnn Lee,West,2026-10-01,\n")
    assert load_dataset(sales=sales, org=org, as_of=MONTH).sales["team"].tolist() == ["West"]


# ---------------------------------------------------------------- 2. money
MIXED = ("date,team,rep,amount\n2026-10-01,East,Ann,\"$1,234.50\"\n"
         "2026-10-02,East,Bo,\"€1,234.50\"\n2026-10-03,East,Cy,\"£100\"\n"
         "2026-10-04,East,Di,\"$10\"\n")


def test_mixed_currencies_in_one_amount_column_are_an_error_naming_file_column_rows(tmp_path):
    path = csv(tmp_path, "sales.csv", MIXED)
    msg = error_text(load_dataset, sales=path, as_of=MONTH)
    assert "sales.csv: column 'amount': amounts in 3 currencies" in msg
    assert "USD in 2 (rows 2, 5)" in msg and "EUR in 1 (row 3)" in msg
    assert "GBP in 1 (row 4)" in msg and "rates" in msg


def test_mixed_currencies_are_converted_at_the_params_rates_and_the_report_says_so(tmp_path):
    path = csv(tmp_path, "sales.csv", MIXED)
    ds = load_dataset(sales=path, as_of=MONTH, currency="$", rates={"EUR": 1.1, "£": 1.25})
    # 1234.50 + 1234.50 x 1.1 + 100 x 1.25 + 10, by hand
    assert ds.sales["amount"].tolist() == pytest.approx([1234.5, 1357.95, 125.0, 10.0])
    [note] = checks(ds, "currency_converted")
    assert note.severity == "info" and note.count == 2
    assert "converted to USD" in note.message and "1 EUR = 1.1 USD" in note.message
    msg = error_text(load_dataset, sales=path, as_of=MONTH, currency="$", rates={"EUR": 1.1})
    assert "no rate for GBP (GBP in 1 (row 4))" in msg


def test_a_currency_column_is_honoured_the_same_way(tmp_path):
    path = csv(tmp_path, "sales.csv", "date,team,rep,amount,currency\n"
               "2026-10-01,East,Ann,100,EUR\n2026-10-02,East,Bo,100,USD\n")
    msg = error_text(load_dataset, sales=path, as_of=MONTH)
    assert "(currency from column 'currency'): amounts in 2 currencies" in msg
    ds = load_dataset(sales=path, as_of=MONTH, currency="USD", rates={"EUR": 1.5})
    assert ds.sales["amount"].tolist() == [150.0, 100.0]
    assert "currency" not in ds.sales


def test_one_currency_symbol_throughout_is_fine(tmp_path):
    path = csv(tmp_path, "sales.csv", "date,team,rep,amount\n2026-10-01,East,Ann,\"€1.234,50\"\n"
               .replace(",\"€1.234,50\"", ",€12") + "2026-10-02,East,Bo,€3\n")
    ds = load_dataset(sales=path, as_of=MONTH)
    assert ds.sales["amount"].tolist() == [12.0, 3.0] and not checks(ds, "currency_converted")


# ---------------------------------------------------------------- 3. time
def test_utc_offsets_are_converted_to_the_reporting_time_zone_before_the_month(tmp_path):
    # one instant written two ways: 23:30 on 31 October in New York is 04:30 on 1 November UTC
    path = csv(tmp_path, "sales.csv", "date,team,rep,amount\n"
               "2026-10-31T23:30:00-04:00,East,Ann,100\n2026-11-01T03:30:00Z,East,Bo,50\n"
               "2026-10-15 09:00,East,Cy,7\n")
    msg = error_text(load_dataset, sales=path, as_of="2026-11")
    assert "different UTC offsets (+00:00, -04:00)" in msg and "rows 2, 3" in msg
    assert "timezone" in msg
    ny = load_dataset(sales=path, as_of="2026-11", timezone="America/New_York")
    assert [str(d.date()) for d in ny.sales["date"]] == ["2026-10-31", "2026-10-31",
                                                          "2026-10-15"]
    utc = load_dataset(sales=path, as_of="2026-11", timezone="UTC")
    assert [str(d.date()) for d in utc.sales["date"]] == ["2026-11-01", "2026-11-01",
                                                           "2026-10-15"]
    [note] = checks(utc, "timezone_converted")
    assert note.count == 2 and "converted to UTC" in note.message
    with pytest.raises(ParamsError, match="timezone must be a time zone"):
        load_dataset(sales=path, as_of="2026-11", timezone="Mars/Olympus")


# ---------------------------------------------------------------- 4. encodings and dialects
def test_a_windows_1252_export_is_not_read_as_gbk_and_says_its_encoding(tmp_path):
    path = csv(tmp_path, "sales.csv", "date,team,rep,amount\n2026-10-01,East,Jürgen Müller,10\n"
               "2026-10-02,East,Zoë Ébert,20\n", "cp1252")
    ds = load_dataset(sales=path, as_of=MONTH)
    assert ds.sales["rep"].tolist() == ["Jürgen Müller", "Zoë Ébert"]
    [note] = checks(ds, "encoding")
    assert "Windows-1252" in note.message and "Jürgen Müller" in note.message
    assert note.count == 2  # both rows: the reports' data-quality section shows it
    assert ds.sources["sales"]["encoding"] == "cp1252"


def test_gbk_still_reads_and_says_so(tmp_path):
    path = csv(tmp_path, "sales.csv", "date,team,rep,amount\n2026-10-01,华东,张伟,10\n", "gbk")
    ds = load_dataset(sales=path, as_of=MONTH)
    assert ds.sales["rep"].tolist() == ["张伟"]
    assert "GB18030" in checks(ds, "encoding")[0].message


def test_european_excel_csv_semicolons_decimal_commas_dotted_dates(tmp_path):
    path = csv(tmp_path, "umsatz.csv", "date;team;rep;amount\n05.10.2026;Nord;Jürgen;1.234,50\n"
               "6.10.2026;Nord;Anna;99,5\n07.10.2026;Nord;Anna;12\n", "utf-8-sig")
    ds = load_dataset(sales=path, as_of=MONTH)
    assert [str(d.date()) for d in ds.sales["date"]] == ["2026-10-05", "2026-10-06", "2026-10-07"]
    assert ds.sales["amount"].tolist() == [1234.5, 99.5, 12.0]
    assert "semicolon-delimited" in checks(ds, "delimiter")[0].message


def test_a_header_naming_a_column_twice_is_an_error_csv_and_xlsx(tmp_path):
    path = csv(tmp_path, "sales.csv", "date,team,rep,amount,amount\n2026-10-01,East,Ann,1,2\n")
    msg = error_text(load_table, path, "sales")
    assert "sales.csv: the header names a column more than once ('amount' in columns 4, 5)" in msg
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["date", "team", "rep", "amount", "rep"])
    wb.active.append(["2026-10-01", "East", "Ann", 1, "Bo"])
    wb.save(tmp_path / "sales.xlsx")
    msg = error_text(load_table, tmp_path / "sales.xlsx", "sales")
    assert "sales.xlsx: the header names a column more than once ('rep' in columns 3, 5)" in msg


def _outcome(**kwargs):
    """The cube (month, team, rep, amount) a load gives, or its error message's first line."""
    try:
        ds = load_dataset(as_of=MONTH, **kwargs)
    except DataError as e:
        return "error: " + str(e).splitlines()[1 if "\n" in str(e) else 0]
    if ds.digest is not None:
        c = ds.digest["daily"]
    else:
        c = ds.sales
    out = c.groupby(["team", "rep"], dropna=False)["amount"].sum().round(6)
    return sorted(out.items())


def test_scan_and_pandas_engines_accept_and_refuse_the_same_inputs(tmp_path):
    db = tmp_path / "crm.db"
    con = sqlite3.connect(db)
    con.execute("create table orders (date text, team text, rep text, amount text)")
    con.executemany("insert into orders values (?, ?, ?, ?)",
                    [("2026-10-01", "East", "Ann", "1,234.50"), ("2026-10-02", "East", "Bo", "$20"),
                     ("2026-10-03", "West", "Cy", "300")])
    con.commit()
    con.close()
    cases = {
        "sqlite text amounts": {"url": f"sqlite:///{db}", "table": "orders"},
        "windows-1252": csv(tmp_path, "w.csv", "date,team,rep,amount\n2026-10-01,East,Jürgen,1\n",
                            "cp1252"),
        "semicolons": csv(tmp_path, "s.csv", "date;team;rep;amount\n01.10.2026;East;Ann;1,5\n"),
        "mixed currency": csv(tmp_path, "m.csv", MIXED),
        "team variants": csv(tmp_path, "v.csv", "date,team,rep,amount\n2026-10-01,East,Ann,1\n"
                             "2026-10-02,EAST,Bo,2\n"),
        "two teams at once": csv(tmp_path, "t.csv", "date,team,rep,amount\n2026-10-01,East,Ann,1"
                                 "\n2026-10-02,West,Ann,2\n2026-10-03,East,Ann,2\n"),
        "currency column": csv(tmp_path, "c.csv", "date,team,rep,amount,currency\n"
                               "2026-10-01,East,Ann,1,EUR\n2026-10-02,East,Bo,2,USD\n"),
        "bad amount": csv(tmp_path, "b.csv", "date,team,rep,amount\n2026-10-01,East,Ann,x\n"),
    }
    for name, src in cases.items():
        pandas, scan = _outcome(sales=src, engine="pandas"), _outcome(sales=src, engine="scan")
        assert pandas == scan, name
    assert _outcome(sales=cases["sqlite text amounts"], engine="scan") == [
        (("East", "Ann"), 1234.5), (("East", "Bo"), 20.0), (("West", "Cy"), 300.0)]


# ---------------------------------------------------------------- 5. optional tables
def test_an_unknown_opportunity_stage_leaves_out_only_the_opportunities(tmp_path):
    sales = csv(tmp_path, "sales.csv", "date,team,rep,amount\n2026-10-01,East,Ann,10\n")
    opps = csv(tmp_path, "opps.csv", "opportunity_id,created,stage,amount,team\n"
               "O1,2026-09-01,Lead,5,West\nO2,2026-09-02,Lead,5,West\nO3,2026-09-03,Lead,5,East\n"
               "O4,2026-09-04,Discovery,5,East\n")
    spend = csv(tmp_path, "spend.csv", "month,team,spend\n2026-10,East,100\n")
    ds = load_dataset(sales=sales, opportunities=opps, spend=spend, as_of=MONTH)
    assert ds.opportunities is None and ds.spend is not None
    [bad] = checks(ds, "bad_stage")
    assert bad.severity == "warning" and bad.rows == [5]  # the file's line, not the team's slice
    assert "opps.csv: column 'stage'" in bad.message and "'Discovery'" in bad.message
    [out] = checks(ds, "table_left_out")
    assert "the reports leave out the funnel, win rate and pipeline coverage" in out.message
    # the stages are the params': with Discovery among them, the table is kept
    ds = load_dataset(sales=sales, opportunities=opps, as_of=MONTH,
                      stages=["Lead", "Discovery", "Proposal"])
    assert ds.opportunities["stage"].tolist() == ["Lead", "Lead", "Lead", "Discovery"]


def test_a_bad_spend_month_leaves_out_spend_only(tmp_path):
    sales = csv(tmp_path, "sales.csv", "date,team,rep,amount\n2026-10-01,East,Ann,10\n")
    spend = csv(tmp_path, "spend.csv", "month,team,spend\n2026-10,East,100\nOct,East,5\n")
    ds = load_dataset(sales=sales, spend=spend, as_of=MONTH)
    assert ds.spend is None and ds.sales["amount"].tolist() == [10.0]
    assert "the reports leave out CAC" in checks(ds, "table_left_out")[0].message


# ---------------------------------------------------------------- 8. messages name the source
def test_a_header_only_file_is_named(tmp_path):
    path = csv(tmp_path, "sales.csv", "date,team,rep,amount\n")
    msg = error_text(load_dataset, sales=path, as_of=MONTH)
    assert msg.startswith(f"{path}: the sales have no rows")


def test_a_month_before_the_data_starts_says_when_it_starts(tmp_path):
    path = csv(tmp_path, "sales.csv", "date,team,rep,amount\n2026-10-01,East,Ann,10\n")
    with pytest.raises(ParamsError, match=r"sales.csv: every sale is after the as-of date "
                       r"2026-08-31: the sales start on 2026-10-01. Choose a month from 2026-10"):
        load_dataset(sales=path, as_of="2026-08")


def test_no_sales_key_says_so():
    with pytest.raises(ParamsError, match="no sales given: the params file needs a 'sales' key"):
        dataset_from_params({"month": MONTH})


def test_conflicting_target_rows_name_the_file_and_lines(tmp_path):
    sales = csv(tmp_path, "sales.csv", "date,team,rep,amount\n2026-10-01,East,Ann,10\n")
    targets = csv(tmp_path, "targets.csv", "period,level,unit,metric,target\n"
                  "2026-10,team,West,amount,5\n2026-10,team,East,amount,100\n"
                  "2026-10,team,east,amount,120\n")
    msg = error_text(load_dataset, sales=sales, targets=targets, as_of=MONTH)
    assert ("targets.csv: 2 targets for the team 'East', amount in 2026-10 (rows 3, 4: 100, 120)"
            in msg)


def test_rows_with_an_empty_customer_id_are_counted_in_a_finding(tmp_path):
    path = csv(tmp_path, "sales.csv", "date,team,rep,customer_id,amount\n"
               "2026-10-01,East,Ann,C1,10\n2026-10-02,East,Ann,,20\n2026-10-03,East,Bo, ,30\n")
    ds = load_dataset(sales=path, as_of=MONTH)
    [f] = checks(ds, "empty_customer_id")
    assert f.count == 2 and f.rows == [3, 4] and "amount 50.00" in f.message
    assert "customer counts, new customers, CAC" in f.message
    scanned = load_dataset(sales=path, as_of=MONTH, engine="scan")
    [g] = checks(scanned, "empty_customer_id")
    assert g.count == 2 and "amount 50.00" in g.message
    assert np.isclose(scanned.digest["daily"]["amount"].sum(), 60.0)


# ---------------------------------------------------------------- 5. names that look like math
def test_names_that_matplotlib_reads_as_mathtext_are_drawn_as_text():
    from salesnb import plots

    table = pd.DataFrame({"unit": ["Ann $\\x$ Lee", "Bo $x^2$ Li", "Cy Wu"],
                          "attainment": [0.9, 1.1, 0.5]})
    ax = plots.rep_attainment(table, title="Reps of $East$")
    svg = plots.figure_svg(ax.figure)  # on main: ValueError from mathtext
    assert "Ann $\\x$ Lee" in svg and "Bo $x^2$ Li" in svg and "Reps of $East$" in svg


def test_validate_names_the_header_only_file_and_exits_1(tmp_path, capsys):
    from salesnb.cli import main

    csv(tmp_path, "sales.csv", "date,team,rep,amount\n")
    (tmp_path / "p.yaml").write_text(f"month: '{MONTH}'\nsales: sales.csv\n")
    assert main(["validate", str(tmp_path / "p.yaml")]) == 1
    err = capsys.readouterr().err
    assert "sales.csv: the sales have no rows" in err and "(no rows)" not in err


def test_a_left_out_table_says_so_in_its_report_block():
    from salesnb.views.kpi import KpiView

    view = KpiView.__new__(KpiView)
    view.t = {"quality": pd.DataFrame({"table": ["opportunities"], "check": ["table_left_out"],
                                       "count": [1]})}
    view.lang = "en"
    assert view._left_out("opportunities").startswith("Opportunity data left out of this run")
    assert view._left_out("spend") == ""


def test_the_params_stages_reach_the_funnel(tmp_path):
    from salesnb import kpi
    from salesnb.report import prepare

    sales = csv(tmp_path, "sales.csv", "date,team,rep,amount\n2026-09-01,East,Ann,10\n"
                "2026-10-01,East,Ann,10\n")
    opps = csv(tmp_path, "opps.csv", "opportunity_id,created,stage,amount,team\n"
               "O1,2026-09-01,prospect,5,East\nO2,2026-09-02,Demo,5,East\n"
               "O3,2026-09-03,Contract,5,East\n")
    ds = load_dataset(sales=sales, opportunities=opps, as_of=MONTH,
                      stages=["Prospect", "Demo", "Contract"])
    meta = prepare(ds, month=MONTH)["meta"]
    assert meta["stages"] == ["Prospect", "Demo", "Contract"]
    fn = kpi.funnel(ds.opportunities, start="2026-01-01", end="2026-10-31",
                    stages=meta["stages"])
    assert fn["stage"].tolist()[:3] == ["Prospect", "Demo", "Contract"]
    assert fn["count"].tolist()[:3] == [3, 2, 1]


def test_the_params_file_keys_reach_the_loader(tmp_path):
    from salesnb.params import check_params, parse_params

    path = csv(tmp_path, "sales.csv", MIXED.replace("2026-10-01,", "2026-10-31T23:30:00-04:00,"))
    params = {"month": MONTH, "sales": str(path), "currency": "USD", "rates": {"EUR": 1.1, "GBP": 1.25},
              "timezone": "UTC", "stages": ["Prospect", "Won deal"]}
    check_params(params)  # on main: unknown keys
    rp = parse_params(params)
    assert (rp.timezone, rp.rates, rp.stages) == ("UTC", {"EUR": 1.1, "GBP": 1.25},
                                                   ("Prospect", "Won deal"))
    ds = dataset_from_params(params)
    # 23:30 on 31 October in New York is 03:30 UTC on 1 November: after the October report
    assert [str(d.date()) for d in ds.excluded["date"]] == ["2026-11-01"]
    assert len(ds.sales) == 3
    assert ds.stages == ("Prospect", "Won deal")
    assert {i.check for i in ds.issues} >= {"currency_converted", "timezone_converted"}


def test_report_file_names_are_unique_per_unit_whatever_the_run_selects():
    from salesnb.report import slugify, unit_slug

    names = ["East 2", "East-2", "East/2", "east  2"]
    assert len({slugify(n) for n in names}) == 1  # on main: one file name for all
    assert unit_slug("East 2") == unit_slug("east  2") == "east-2"  # one unit (names merge)
    assert len({unit_slug(n) for n in names[:3]}) == 3
