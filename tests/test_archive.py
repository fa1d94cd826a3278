"""The history of packs end to end: two monthly packs, the archive, the changes, restatements."""

from __future__ import annotations

import json

import pandas as pd
import pytest


# --------------------------------------------------------------------------- two real packs
def _money(x) -> str:
    from salesnb import fmt
    return fmt.esc(fmt.money(x, "$"))


@pytest.mark.slow
def test_two_monthly_packs_give_the_archive_the_changes_and_the_restated_flag(tmp_path):
    """September's pack, then a September sale corrected, then October's pack."""
    from salesnb.cli import main
    from salesnb.io import write_tables
    from salesnb.sample import make_company
    tables = make_company(seed=5, teams=2, reps=8, rows=4000)
    write_tables(tables, tmp_path / "data")
    teams = sorted(tables["sales"]["team"].unique())
    params = tmp_path / "monthly.yaml"
    params.write_text('month: "2026-09"\nsales: data/sales.csv\ntargets: data/targets.csv\n'
                      'org: data/org.csv\nout: reports/{month}\ncurrency: "$"\n'
                      "scorecards: false\n", encoding="utf-8")
    # one team report per pack keeps it cheap: the history reads the exported tables,
    # which cover every unit whichever reports are rendered
    assert main(["run", str(params), "--team", teams[0], "--workers", "1"]) == 0

    # after publication, a September sale of a rep of the other team is corrected
    sales = pd.read_csv(tmp_path / "data" / "sales.csv")
    sept = sales["date"].str.startswith("2026-09")
    row = sales[sept & (sales["team"] == teams[1])].index[0]
    rep, old = sales.loc[row, "rep"], float(sales.loc[row, "amount"])
    before = {u: sales.loc[sept & m, "amount"].sum() for u, m in
              (("Company", True), (teams[1], sales["team"] == teams[1]),
               (rep, sales["rep"] == rep))}
    sales.loc[row, "amount"] = old + 1000.0
    sales.to_csv(tmp_path / "data" / "sales.csv", index=False)
    params.write_text(params.read_text(encoding="utf-8").replace("2026-09", "2026-10"),
                      encoding="utf-8")
    assert main(["run", str(params), "--team", teams[0], "--workers", "1"]) == 0

    reports = tmp_path / "reports"
    run = json.loads((reports / "2026-10" / "run.json").read_text(encoding="utf-8"))
    h = run["history"]
    assert h["previous"] == "2026-09" and h["since"] == "2026-09" and h["restated"] == 3
    got = {(r["level"], r["unit"]): (r["month"], r["reported"], r["current"])
           for r in h["restated_figures"]}
    assert got == {(lv, u): ("2026-09", pytest.approx(v), pytest.approx(v + 1000.0))
                   for (lv, u), v in zip((("company", "Company"), ("team", teams[1]),
                                          ("rep", rep)), before.values(), strict=True)}
    index = (reports / "2026-10" / "index.html").read_text(encoding="utf-8").replace(
        "<span>$</span>", "$")  # html.text keeps each $ from pairing as math
    assert 'Changes since <a href="../2026-09/index.html">2026-09</a>' in index
    assert "3 figure(s) for past months differ from what the 2026-09 pack reported" in index
    assert _money(before[rep]) in index and _money(before[rep] + 1000.0) in index
    assert 'href="../index.html"' in index  # up to the archive
    # the changes list: every team whose company-wide rank moved between the two packs
    r9, r10 = (pd.read_csv(reports / m / "tables" / "ranking.csv") for m in ("2026-09", "2026-10"))
    t9 = r9[r9["level"] == "team"].set_index("unit")["rank"]
    t10 = r10[r10["level"] == "team"].set_index("unit")["rank"]
    moved = [t for t in teams if t9[t] != t10[t]]
    section = index[index.index("Rank changes"):]
    assert all(f"<td>{t}</td>" in section for t in moved)
    assert h["rank_changes"] >= len(moved)
    assert (reports / "2026-09" / "index.html").read_text(encoding="utf-8").count(
        "first pack of the series") == 1
    # the archive above the packs: both, newest first, with their headline figures
    archive = (reports / "index.html").read_text(encoding="utf-8").replace("<span>$</span>", "$")
    assert archive.index('href="2026-10/index.html"') < archive.index('href="2026-09/index.html"')
    for m in ("2026-09", "2026-10"):
        p = pd.read_csv(reports / m / "tables" / "progress.csv")
        c = p[(p["level"] == "company") & (p["metric"] == "amount")].iloc[0]
        month = sales["date"].str.startswith(m)
        assert c["actual"] == pytest.approx(sales.loc[month, "amount"].sum() if m == "2026-10"
                                            else before["Company"])
        assert _money(c["actual"]) in archive
    assert "⚠ 3" in archive
