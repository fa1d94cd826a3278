"""The pack's exported tables: every table a report shows, checked against plain pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesnb.pack_tables import excel_formats, pack_tables

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run():
    from salesnb.io import load_dataset
    from salesnb.report import prepare
    from salesnb.sample import make_company
    co = make_company(seed=5, rows=8_000, teams=3, reps=10)
    ds = load_dataset(**{k: co[k] for k in ("sales", "targets", "org", "opportunities", "spend",
                                            "satisfaction")})
    tables = prepare(ds, month="2026-10")
    return {"co": co, "tables": tables, "pack": pack_tables(tables)}


def test_every_table_a_report_shows_is_exported(run):
    assert list(run["pack"]) == [
        "progress", "ranking", "attribution", "alerts", "projections", "tiers",
        "monthly_progress", "growth", "customers", "funnel", "kpis", "price_volume_mix",
        "top_customers", "rep_breakdown"]
    assert run["pack"]["progress"] is run["tables"]["progress"]
    assert {"peer_average", "percentile"} <= set(run["pack"]["ranking"].columns)


def test_monthly_progress_adds_up_to_the_progress_tables_year_to_date(run):
    mp, p = run["pack"]["monthly_progress"], run["tables"]["progress"]
    assert set(mp["level"]) == {"company", "team", "rep"}
    for (level, unit), g in mp.groupby(["level", "unit"]):
        r = p[(p["level"] == level) & (p["unit"] == unit) & (p["metric"] == "amount")].iloc[0]
        assert g["actual"].sum() == pytest.approx(r["ytd_actual"])          # NaN after October
        assert g["target"].sum() == pytest.approx(r["annual_target"])
        assert len(g) == 12


def test_price_volume_mix_adds_up_to_each_units_change_from_last_year(run):
    ps = run["tables"]["product_sales"]
    pvm = run["pack"]["price_volume_mix"]
    d = pd.to_datetime(ps["date"])
    for (level, unit), g in pvm.groupby(["level", "unit"]):
        s = ps if level == "company" else ps[ps["team"] == unit]
        dd = d[s.index]
        cur = s.loc[(dd >= "2026-01-01") & (dd <= "2026-10-31"), "amount"].sum()
        base = s.loc[(dd >= "2025-01-01") & (dd <= "2025-10-31"), "amount"].sum()
        assert g["value"].sum() == pytest.approx(cur - base, abs=0.011), unit
        assert list(g["effect"]) == ["price", "volume", "mix", "new", "lost"]


def test_top_customers_are_the_largest_this_year_by_plain_pandas(run):
    cs = run["tables"]["customer_sales"]
    top = run["pack"]["top_customers"]
    ytd = cs[(pd.to_datetime(cs["date"]) >= "2026-01-01")
             & (pd.to_datetime(cs["date"]) <= "2026-10-31")]
    by = ytd.groupby("customer_id")["amount"].sum().sort_values(ascending=False)
    company = top[top["level"] == "company"]
    assert len(company) == 10
    assert company["actual"].iloc[0] == pytest.approx(by.iloc[0])
    assert company["customer_id"].iloc[0] == by.index[0]
    east = top[top["unit"] == top.loc[top["level"] == "team", "unit"].iloc[0]]
    assert east["share"].max() <= 1


def test_kpis_cac_is_the_years_spend_over_its_new_customers(run):
    kp = run["pack"]["kpis"].set_index("unit")
    sp = run["tables"]["spend"]
    cube = run["tables"]["cube"]
    fy = [f"2026-{m:02d}" for m in range(1, 11)]
    for team in kp.index.drop("Company"):
        spend = sp[(sp["team"] == team) & sp["month"].astype(str).isin(fy)]["spend"].sum()
        new = cube[(cube["team"] == team) & cube["month"].astype(str).isin(fy)][
            "new_customers"].sum()
        assert kp.loc[team, "spend"] == pytest.approx(spend)
        assert kp.loc[team, "new_customers"] == new
        assert kp.loc[team, "cac"] == pytest.approx(spend / new)
    assert 0 <= kp.loc["Company", "win_rate"] <= 1
    fn = run["pack"]["funnel"]
    assert fn[fn["unit"] == "Company"]["count"].is_monotonic_decreasing


def test_the_workbook_has_number_formats(run, tmp_path):
    from openpyxl import load_workbook

    from salesnb.run.exports import export_tables
    paths = export_tables(run["tables"], tmp_path, currency="€")
    assert set(paths) == set(run["pack"])
    wb = load_workbook(tmp_path / "tables.xlsx")
    assert wb.sheetnames == list(run["pack"])
    ws = wb["progress"]
    head = [c.value for c in ws[1]]
    p = run["pack"]["progress"]
    row = int(np.flatnonzero(p["metric"].to_numpy() == "amount")[0]) + 2
    qty = int(np.flatnonzero(p["metric"].to_numpy() == "quantity")[0]) + 2
    assert ws.cell(row=row, column=head.index("attainment") + 1).number_format == "0.0%"
    assert ws.cell(row=row, column=head.index("target") + 1).number_format == '"€"#,##0.00'
    assert ws.cell(row=qty, column=head.index("target") + 1).number_format == "#,##0.##"
    assert ws.cell(row=row, column=head.index("months_remaining") + 1).number_format == "#,##0"
    assert (tmp_path / "tables" / "price_volume_mix.csv").exists()


def test_excel_formats_leave_text_and_flags_alone():
    t = pd.DataFrame({"unit": ["East"], "below_average": [True], "share": [0.5]})
    assert excel_formats(t) == {"share": ["0.0%"]}


def test_the_company_overview_shows_customers_the_funnel_kpis_and_the_run_rate(run):
    from salesnb import fmt
    from salesnb.views import CompanyReport
    t = run["tables"]
    co = CompanyReport(t, company="Tiny Co.")
    fy = [f"2026-{m:02d}" for m in range(1, 11)]
    spend = t["spend"][t["spend"]["month"].astype(str).isin(fy)]["spend"].sum()
    new = int(t["cube"][t["cube"]["month"].astype(str).isin(fy)]["new_customers"].sum())
    kpis = co.kpis()
    assert f"CAC this year: {fmt.money(spend / new, '$')} ({fmt.money(spend, '$')} spend / " \
           f"{new} new customers)" in kpis.sentence
    assert "<svg" in kpis.body                                     # the funnel chart
    cm = t["customer_months"]
    active = cm[cm["month"].astype(str) == "2026-10"]["customer_id"].nunique()
    assert co.customers().sentence.startswith(f"{active} active customers this month")
    assert "(2 months left)" in co.run_rate().sentence


def test_rep_breakdown_shares_are_the_reps_own_by_plain_pandas(run):
    rb = run["pack"]["rep_breakdown"]
    cube = run["tables"]["cube"]
    ytd = cube[cube["month"].astype(str).between("2026-01", "2026-10")]
    r = rb.iloc[0]
    mine = ytd[(ytd["team"] == r["team"]) & (ytd["rep"] == r["rep"])]
    by_cat = mine.groupby("category")["amount"].sum()
    assert r["actual"] == pytest.approx(mine["amount"].sum())
    assert r["top_category"] == by_cat.idxmax()
    assert r["top_category_share"] == pytest.approx(by_cat.max() / mine["amount"].sum())
    cs = run["tables"]["customer_sales"]
    d = pd.to_datetime(cs["date"])
    c = cs[(cs["team"] == r["team"]) & (cs["rep"] == r["rep"]) & (d >= "2026-01-01")
           & (d <= "2026-10-31")]
    assert r["customers"] == c["customer_id"].nunique()
    assert r["top_customer"] == c.groupby("customer_id")["amount"].sum().idxmax()
