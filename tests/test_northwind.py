"""Real public data end to end: params/northwind.yaml validates and renders the pack.

The expected figures are computed here with plain pandas from the raw Northwind files in
../shared/datasets/northwind (or, where that folder is absent, from the committed derived
files in datasets/northwind), never from salesnb's own tables. Report month: April 1998,
the last full month (the data ends 1998-05-06).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from salesnb import fmt

ROOT = Path(__file__).resolve().parent.parent
PARAMS = ROOT / "params" / "northwind.yaml"
RAW = ROOT.parent / "shared" / "datasets" / "northwind"
DERIVED = ROOT / "datasets" / "northwind"
TEAMS = ["Eastern", "Northern", "Southern", "Western"]
GROWTH = 0.1


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, SALESNB_NO_PROGRESS="1")
    return subprocess.run([sys.executable, "-m", "salesnb.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def _lines() -> pd.DataFrame:
    """Return one row per order line: date, rep, team, amount (independent of salesnb)."""
    if RAW.is_dir():
        r = {n: pd.read_csv(RAW / f"{n}.csv", dtype=str, keep_default_na=False)
             for n in ("orders", "order_details", "employees", "employee_territories",
                       "territories", "region")}
        emp = r["employees"].assign(rep=lambda e: e["FirstName"] + " " + e["LastName"])
        terr = (r["employee_territories"].merge(r["territories"], on="TerritoryID")
                .merge(r["region"], on="RegionID"))
        # the team is the region holding most of the employee's territories
        team = (terr.groupby("EmployeeID")["RegionDescription"]
                .agg(lambda s: s.value_counts().sort_index().idxmax()))
        d = r["order_details"].merge(r["orders"], on="OrderID").merge(emp, on="EmployeeID")
        amount = (d["UnitPrice"].astype(float) * d["Quantity"].astype(float)
                  * (1 - d["Discount"].astype(float)))
        return pd.DataFrame({"date": pd.to_datetime(d["OrderDate"]), "rep": d["rep"],
                             "team": d["EmployeeID"].map(team), "amount": amount})
    s = pd.read_csv(DERIVED / "sales.csv")
    org = pd.read_csv(DERIVED / "org.csv").set_index("EmployeeName")["RegionDescription"]
    return pd.DataFrame({"date": pd.to_datetime(s["OrderDate"]), "rep": s["EmployeeName"],
                         "team": s["EmployeeName"].map(org),
                         "amount": s["UnitPrice"] * s["Quantity"] * (1 - s["Discount"])})


@pytest.fixture(scope="module")
def lines() -> pd.DataFrame:
    return _lines()


def _expected(lines: pd.DataFrame, level: str, unit: str) -> dict:
    """Headline figures of April 1998 for one unit. Targets follow prior_year_growth on an
    annual basis: 1997 x 1.1 per unit, split equally over the 12 months of 1998."""
    d = lines if level == "company" else lines[lines[level] == unit]
    m = d.groupby(d["date"].dt.to_period("M"))["amount"].sum()
    get = lambda p: m.get(pd.Period(p, "M"), 0.0)  # noqa: E731
    actual, last_year, prev = get("1998-04"), get("1997-04"), get("1998-03")
    ytd = sum(get(f"1998-0{k}") for k in range(1, 5))
    year_1997 = sum(get(f"1997-{k:02d}") for k in range(1, 13))
    target = round(year_1997 * (1 + GROWTH), 2) / 12
    return {"actual": actual, "target": target, "attainment": actual / target,
            "ytd_actual": ytd, "ytd_target": 4 * target,
            "annual_target": round(year_1997 * (1 + GROWTH), 2),
            "mom": actual / prev - 1, "yoy": actual / last_year - 1}


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    out = tmp_path_factory.mktemp("northwind") / "pack"
    proc = _cli("run", str(PARAMS), "--out", str(out))
    return {"out": out, "proc": proc,
            "progress": pd.read_csv(out / "tables" / "progress.csv")
            if (out / "tables" / "progress.csv").exists() else None}


def _cards(html: str) -> dict[str, str]:
    """Return the headline cards of a report: label -> shown value."""
    html = html.replace("<span>$</span>", "$")  # a dollar alone in its element (html.text)
    block = re.search(r'<div class="cards"[^>]*>(.*?)</div></div></div>', html, re.S).group(1)
    return {lab: val for lab, val in re.findall(
        r'<div class="lab"[^>]*>(.*?)</div><div class="val"[^>]*>(.*?)</div>', block)}


def test_derived_files_match_the_raw_data():
    if not RAW.is_dir():
        pytest.skip(f"{RAW} not present: the committed derived files are used as they are")
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "northwind.py"), "--check"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_derived_sales_total_is_the_known_northwind_revenue():
    s = pd.read_csv(DERIVED / "sales.csv")
    # 2,155 order lines; the usual Northwind revenue total 1,265,793.04 (sum of UnitPrice x
    # Quantity x (1 - Discount), stated in the shared README)
    assert len(s) == 2155
    assert round(s["LineAmount"].sum(), 2) == 1265793.04


def test_validate_passes_and_sets_may_aside(lines):
    proc = _cli("validate", str(PARAMS))
    assert proc.returncode == 0, proc.stderr
    kept = int((lines["date"] <= "1998-04-30").sum())
    late = len(lines) - kept  # the partial May 1998: 14 orders, 59 lines
    assert f"{kept:,} sales rows loaded" in proc.stdout
    assert f"after_report_month: {late:,}" in proc.stdout
    assert "[error]" not in proc.stdout


@pytest.mark.slow
def test_run_exits_0_with_company_and_every_team(pack):
    assert pack["proc"].returncode == 0, pack["proc"].stderr
    for name in ["company"] + [f"team-{t.lower()}" for t in TEAMS]:
        assert (pack["out"] / f"{name}.html").stat().st_size > 10_000, name
    index = (pack["out"] / "index.html").read_text(encoding="utf-8")
    assert all(f'href="team-{t.lower()}.html"' in index for t in TEAMS)


@pytest.mark.slow
def test_run_record_ends_at_the_last_full_month(pack):
    record = json.loads((pack["out"] / "run.json").read_text(encoding="utf-8"))
    assert record["data"]["last_sale_date"] == "1998-04-30"
    assert record["data"]["first_sale_date"] == "1996-07-04"
    assert record["data"]["target_source"].startswith("prior_year_growth")
    assert all(r["status"] == "ok" for r in record["reports"])


@pytest.mark.slow
@pytest.mark.parametrize("level,unit", [("company", "Company")] + [("team", t) for t in TEAMS])
def test_progress_table_matches_pandas(pack, lines, level, unit):
    p = pack["progress"]
    row = p[(p["level"] == level) & (p["unit"] == unit) & (p["metric"] == "amount")]
    assert len(row) == 1
    row, exp = row.iloc[0], _expected(lines, level, unit)
    for col in ("actual", "ytd_actual", "annual_target", "mom", "yoy"):
        assert row[col] == pytest.approx(exp[col], rel=1e-9, abs=1e-6), col
    # monthly targets are rounded to cents by largest remainder within the year, so the
    # target may differ from 1.1 x last year by up to a cent per month (attainment by ~1e-6)
    assert row["target"] == pytest.approx(exp["target"], abs=0.01)
    assert row["ytd_target"] == pytest.approx(exp["ytd_target"], abs=0.04)
    assert row["attainment"] == pytest.approx(exp["attainment"], rel=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("level,unit,page", [("company", "Company", "company")]
                         + [("team", t, f"team-{t.lower()}") for t in TEAMS])
def test_headline_cards_match_pandas(pack, lines, level, unit, page):
    exp = _expected(lines, level, unit)
    cards = _cards((pack["out"] / f"{page}.html").read_text(encoding="utf-8"))
    assert cards["Actual · April 1998"] == fmt.esc(fmt.money(exp["actual"], "$"))
    assert cards["Attainment"] == fmt.pct(exp["attainment"])
    assert cards["YoY"] == fmt.pct(exp["yoy"])
    assert cards["YTD actual"] == fmt.esc(fmt.money(exp["ytd_actual"], "$"))


@pytest.mark.slow
def test_company_april_1998_by_hand(pack):
    # the company figures as they read on the page: $124K in April 1998 against a monthly
    # target of 1.1 x the 1997 total / 12 ($617,085.20 x 1.1 / 12 = $56,566.14):
    # 123,798.68 / 56,566.14 = 218.9 %
    cards = _cards((pack["out"] / "company.html").read_text(encoding="utf-8"))
    assert cards["Actual · April 1998"] == "$124K"
    assert cards["Attainment"] == "218.9 %"


@pytest.mark.slow
def test_team_of_one_equals_its_rep(pack):
    # Southern has one rep, Janet Leverling: the team row and her row must agree
    p = pack["progress"]
    p = p[p["metric"] == "amount"]
    team = p[(p["level"] == "team") & (p["unit"] == "Southern")].iloc[0]
    rep = p[(p["level"] == "rep") & (p["unit"] == "Janet Leverling")].iloc[0]
    for col in ("actual", "target", "ytd_actual", "annual_target"):
        assert team[col] == pytest.approx(rep[col]), col


@pytest.mark.slow
def test_vice_president_is_a_rep_of_eastern(pack, lines):
    # Andrew Fuller (Vice President, Sales) books orders himself: he is reported as a rep
    p = pack["progress"]
    row = p[(p["level"] == "rep") & (p["unit"] == "Andrew Fuller") & (p["metric"] == "amount")]
    assert row["team"].tolist() == ["Eastern"]
    own = lines[(lines["rep"] == "Andrew Fuller") & (lines["date"].dt.to_period("M")
                                                    == pd.Period("1998-04", "M"))]
    assert row["actual"].iloc[0] == pytest.approx(own["amount"].sum())


@pytest.mark.slow
def test_reporting_lines_roll_up_reports_to(pack, lines):
    # ReportsTo from the org file (checked against the raw employees above): Fuller <- 1, 3,
    # 4, 5, 8 and, through Buchanan (5), 6, 7, 9; each line's YTD is computed here by pandas
    org = pd.read_csv(DERIVED / "org.csv")
    boss = dict(zip(org["EmployeeName"], org["ReportsToName"].fillna(""), strict=True))

    def under(m):
        kids = [r for r, b in boss.items() if b == m]
        return kids + [p for k in kids for p in under(k)]

    ytd = lines[(lines["date"] >= "1998-01-01") & (lines["date"] <= "1998-04-30")]
    by_rep = ytd.groupby("rep")["amount"].sum()
    html = (pack["out"] / "company.html").read_text(encoding="utf-8").replace(
        "<span>$</span>", "$")  # a dollar alone in its element (html.text)
    block = html[html.index("Reporting lines"):html.index(">Forecast<")]
    for m, people in (("Andrew Fuller", 8), ("Steven Buchanan", 3)):
        assert len(under(m)) == people
        line = by_rep.reindex([m] + under(m)).fillna(0).sum()
        own = by_rep.get(m, 0.0)
        assert fmt.money(line, "$") in block and fmt.money(own, "$") in block, m
    assert fmt.money(ytd["amount"].sum(), "$") in block          # Fuller's line = the company
    assert "Managers who also sell" in block
    for team in TEAMS:                                           # lines cross teams
        page = (pack["out"] / f"team-{team.lower()}.html").read_text(encoding="utf-8")
        assert "Reporting lines" not in page
    west = (pack["out"] / "team-western.html").read_text(encoding="utf-8")
    assert "Steven Buchanan" not in west and "Andrew Fuller" not in west
