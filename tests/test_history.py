"""salesnb.history on hand-worked frames: what changed between two packs.

The restatement tests use the tiny company of conftest.py: East sold 150 a month in 2024
(Ann 100, Bob 50) and 160 in 2025-01 (Ann 120, Bob 40). The previous pack (2025-01)
reported those figures; then Bob's January sale is corrected from 40 to 55, so today's
data says Bob 55, East 175, Company 345 for 2025-01, and nothing else changed.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from salesnb.cube import build_cube, monthly_actuals
from salesnb.exceptions import DataError
from salesnb.history import (
    alert_changes,
    changes_since,
    rank_changes,
    read_pack,
    restated_figures,
    tier_moves,
)


def _progress(rows):
    return pd.DataFrame(rows, columns=["level", "unit", "team", "metric", "ytd_attainment"])


def test_tier_moves_by_hand():
    prev = _progress([("team", "East", "East", "amount", 1.05),   # achieved
                      ("team", "West", "West", "amount", 0.85),   # watch
                      ("rep", "Ann", "East", "amount", 1.25),     # star
                      ("rep", "Bob", "East", "amount", 0.79),     # coaching
                      ("rep", "Cat", "West", "amount", np.nan),   # no target
                      ("rep", "Eve", "West", "amount", 0.9),      # left: not in this pack
                      ("rep", "Ann", "East", "quantity", 0.1)])   # other metrics don't count
    cur = _progress([("team", "East", "East", "amount", 0.99),    # watch: down
                     ("team", "West", "West", "amount", 0.95),    # watch: stays
                     ("rep", "Ann", "East", "amount", 1.20),      # star (>= 1.2): stays
                     ("rep", "Bob", "East", "amount", 0.80),      # watch: up
                     ("rep", "Cat", "West", "amount", 0.5),       # coaching: up from no target
                     ("rep", "Fay", "West", "amount", 1.5)])      # joined: not a move
    got = tier_moves(prev, cur)
    assert got[["level", "unit", "before", "after", "direction"]].values.tolist() == [
        ["team", "East", "achieved", "watch", "down"],
        ["rep", "Bob", "coaching", "watch", "up"],
        ["rep", "Cat", "no target", "coaching", "up"],
    ]
    assert got.loc[1, "before_value"] == 0.79 and got.loc[1, "after_value"] == 0.80
    assert got.loc[0, "team"] == "East"


def test_tier_moves_use_each_packs_own_bands():
    prev = _progress([("rep", "Ann", "East", "amount", 1.1)])
    cur = _progress([("rep", "Ann", "East", "amount", 1.1)])
    # last month star started at 1.05; this month at the default 1.2: Ann moved down
    got = tier_moves(prev, cur, previous_tiers={"star": 1.05})
    assert got[["unit", "before", "after", "direction"]].values.tolist() == [
        ["Ann", "star", "achieved", "down"]]
    assert tier_moves(prev, cur).empty


def _alerts(rows):
    return pd.DataFrame(rows, columns=["level", "unit", "team", "rule", "severity", "value",
                                       "message", "metric"])


def test_alert_changes_by_hand():
    prev = _alerts([("rep", "Bob", "East", "behind_pace", "warning", -0.08, "Bob behind", "amount"),
                    ("rep", "Ann", "East", "mom_drop", "warning", -0.3, "Ann drop", "amount"),
                    ("team", "West", "West", "yoy_drop", "warning", -0.2, "West yoy", "amount"),
                    ("company", "Company", "", "data_quality", "warning", 3, "3 dupes", "")])
    cur = _alerts([("rep", "Bob", "East", "behind_pace", "critical", -0.12, "Bob worse", "amount"),
                   ("rep", "Ann", "East", "mom_drop", "warning", -0.3, "Ann qty", "quantity"),
                   ("rep", "Cat", "West", "no_sales", "warning", 20, "Cat idle", ""),
                   ("company", "Company", "", "data_quality", "warning", 5, "5 dupes", "")])
    got = alert_changes(prev, cur)
    assert got[["change", "level", "unit", "rule", "metric", "message"]].values.tolist() == [
        ["opened", "rep", "Ann", "mom_drop", "quantity", "Ann qty"],   # another metric: new
        ["opened", "rep", "Cat", "no_sales", "", "Cat idle"],
        ["closed", "team", "West", "yoy_drop", "amount", "West yoy"],
        ["closed", "rep", "Ann", "mom_drop", "amount", "Ann drop"],
    ]  # Bob's alert is still open (worse, but the same alert); data quality is left out
    assert alert_changes(prev, prev).empty
    assert alert_changes(pd.DataFrame(), cur)["change"].tolist() == ["opened"] * 3


def test_rank_changes_by_hand():
    cols = ["level", "unit", "team", "rank", "rank_in_team"]
    prev = pd.DataFrame([("team", "East", "East", 1, np.nan), ("team", "West", "West", 2, np.nan),
                         ("rep", "Ann", "East", 1, 1), ("rep", "Bob", "East", 2, 2),
                         ("rep", "Cat", "West", 3, 1), ("rep", "Dan", "West", 4, 2)], columns=cols)
    cur = pd.DataFrame([("team", "East", "East", 1, np.nan), ("team", "West", "West", 2, np.nan),
                        ("rep", "Ann", "East", 4, 2), ("rep", "Bob", "East", 1, 1),
                        ("rep", "Cat", "West", 2, 1), ("rep", "Dan", "West", 3, 2)], columns=cols)
    got = rank_changes(prev, cur)
    assert got[["unit", "rank_before", "rank_after", "change", "rank_in_team_before",
                "rank_in_team_after"]].values.tolist() == [
        ["Ann", 1, 4, -3, 1, 2], ["Bob", 2, 1, 1, 2, 1], ["Cat", 3, 2, 1, 1, 1],
        ["Dan", 4, 3, 1, 2, 2]]
    assert rank_changes(prev, prev).empty


def _reported_2025_01() -> pd.DataFrame:
    """What the 2025-01 pack reported: actual (2025-01), the month before, last year."""
    rows = [("company", "Company", "", 330.0, 300.0, 300.0),
            ("team", "East", "East", 160.0, 150.0, 150.0),
            ("team", "West", "West", 170.0, 150.0, 150.0),
            ("rep", "Ann", "East", 120.0, 100.0, 100.0), ("rep", "Bob", "East", 40.0, 50.0, 50.0),
            ("rep", "Cat", "West", 100.0, 80.0, 80.0), ("rep", "Dan", "West", 70.0, 70.0, 70.0)]
    df = pd.DataFrame(rows, columns=["level", "unit", "team", "actual", "prev_actual",
                                     "last_year_actual"])
    return df.assign(month="2025-01", metric="amount")


def _today(tiny_sales, change=None) -> pd.DataFrame:
    s = tiny_sales.copy()
    if change:
        rep, date, amount = change
        s.loc[(s["rep"] == rep) & (s["date"] == pd.Timestamp(date)), "amount"] = amount
    return monthly_actuals(build_cube(s))


def test_unchanged_data_restates_nothing(tiny_sales):
    assert restated_figures(_reported_2025_01(), _today(tiny_sales)).empty


def test_a_corrected_past_sale_is_restated_with_both_values(tiny_sales):
    got = restated_figures(_reported_2025_01(), _today(tiny_sales, ("Bob", "2025-01-15", 55.0)))
    assert got[["level", "unit", "month", "reported", "current", "difference"]].values.tolist() \
        == [["company", "Company", "2025-01", 330.0, 345.0, 15.0],
            ["team", "East", "2025-01", 160.0, 175.0, 15.0],
            ["rep", "Bob", "2025-01", 40.0, 55.0, 15.0]]
    assert got["team"].tolist() == ["", "East", "East"]


def test_months_before_the_report_month_are_checked_too(tiny_sales):
    # last December (the previous pack's "previous month") and January 2024 (its last year)
    got = restated_figures(_reported_2025_01(), _today(tiny_sales, ("Cat", "2024-12-15", 90.0)))
    assert got[["unit", "month", "reported", "current"]].values.tolist() == [
        ["Company", "2024-12", 300.0, 310.0], ["West", "2024-12", 150.0, 160.0],
        ["Cat", "2024-12", 80.0, 90.0]]
    got = restated_figures(_reported_2025_01(), _today(tiny_sales, ("Ann", "2024-01-15", 0.0)))
    assert got[["unit", "month", "reported", "current"]].values.tolist() == [
        ["Company", "2024-01", 300.0, 200.0], ["East", "2024-01", 150.0, 50.0],
        ["Ann", "2024-01", 100.0, 0.0]]


def test_a_unit_gone_from_the_data_counts_zero_and_cents_are_rounding(tiny_sales):
    today = _today(tiny_sales)
    today = today[~((today["unit"] == "Dan") & (today["month"] == pd.Period("2025-01", "M")))]
    got = restated_figures(_reported_2025_01(), today)
    assert got[["unit", "month", "reported", "current"]].values.tolist() == [
        ["Dan", "2025-01", 70.0, 0.0]]
    nudged = _reported_2025_01().assign(actual=lambda d: d["actual"] + 0.004)
    assert restated_figures(nudged, _today(tiny_sales)).empty


def _write_pack(folder, month, progress, *, as_of=None, tiers=None):
    (folder / "tables").mkdir(parents=True)
    params = {"month": month, "tiers": tiers or {}}
    if as_of:
        params["as_of"] = as_of
    (folder / "run.json").write_text(json.dumps({"params": params, "reports": []}))
    progress.to_csv(folder / "tables" / "progress.csv", index=False)
    pd.DataFrame(columns=["level", "unit", "team", "rank", "rank_in_team"]).to_csv(
        folder / "tables" / "ranking.csv", index=False)


def test_read_pack_and_changes_since(tmp_path, tiny_sales):
    prev = _reported_2025_01().assign(ytd_attainment=1.0)
    _write_pack(tmp_path / "2025-01", "2025-01", prev)
    pack = read_pack(tmp_path / "2025-01")
    assert pack["month"] == "2025-01" and pack["alerts"].empty
    assert pack["progress"]["team"].tolist() == ["", "East", "West", "East", "East", "West",
                                                 "West"]  # the company's empty team stays ""
    cur = {"run": {"params": {"month": "2025-02"}}, "progress": prev.assign(
        ytd_attainment=[1.0, 1.0, 1.0, 1.0, 0.7, 1.0, 1.0]), "ranking": pack["ranking"],
        "alerts": pd.DataFrame()}
    got = changes_since(pack, cur, _today(tiny_sales, ("Bob", "2025-01-15", 55.0)))
    assert got["since"] == "2025-01"
    assert got["tiers"][["unit", "before", "after"]].values.tolist() == [
        ["Bob", "achieved", "coaching"]]
    assert got["restated"]["unit"].tolist() == ["Company", "East", "Bob"]
    assert got["alerts"].empty and got["ranks"].empty


def test_a_mid_month_previous_pack_restates_nothing(tmp_path, tiny_sales):
    _write_pack(tmp_path / "p", "2025-01", _reported_2025_01().assign(ytd_attainment=1.0),
                as_of="2025-01-20")
    got = changes_since(read_pack(tmp_path / "p"), {}, _today(tiny_sales, ("Bob", "2025-01-15",
                                                                            55.0)))
    assert got["restated"].empty


def test_a_folder_without_run_json_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="run.json"):
        read_pack(tmp_path)


def test_changes_section_flags_restated_figures_with_both_values(tiny_sales):
    from salesnb.views.history import changes_html
    restated = restated_figures(_reported_2025_01(), _today(tiny_sales, ("Bob", "2025-01-15",
                                                                          55.0)))
    empty = pd.DataFrame()
    html = changes_html({"since": "2025-01", "restated": restated, "tiers": empty,
                         "alerts": empty, "ranks": empty}, previous_href="../2025-01/index.html")
    html = html.replace("<span>$</span>", "$")  # html.text keeps each $ from pairing as math
    assert '<a href="../2025-01/index.html">2025-01</a>' in html
    assert "3 figure(s) for past months differ from what the 2025-01 pack reported" in html
    assert ">$40<" in html and ">$55<" in html and ">$160<" in html and ">$175<" in html
    assert "No team or rep changed tier." in html and "No rank changed." in html
    zh = changes_html({"since": "2025-01", "restated": restated.iloc[:0], "tiers": empty,
                       "alerts": empty, "ranks": empty}, lang="zh")
    assert "自 2025-01 以来的变化" in zh and "无数据重述" in zh and "restated" not in zh


def test_archive_lists_packs_newest_first_with_links_and_flags():
    from salesnb.views.history import ARCHIVE_MARK, archive_html
    packs = [{"folder": "2025-01", "month": "2025-01", "actual": 330.0, "target": 300.0,
              "attainment": 1.1, "ytd_attainment": 1.1, "ok": 7, "reports": 7, "history": None},
             {"folder": "2025-02", "month": "2025-02", "actual": 260.0, "target": 300.0,
              "attainment": 260 / 300, "ytd_attainment": 590 / 600, "ok": 7, "reports": 7,
              "history": {"since": "2025-01", "restated": 3, "tier_moves": 1,
                          "alerts_opened": 2, "alerts_closed": 0, "rank_changes": 4}}]
    html = archive_html(packs, title="Tiny Co.")
    assert ARCHIVE_MARK in html and "Report archive · Tiny Co." in html
    assert html.index('href="2025-02/index.html"') < html.index('href="2025-01/index.html"')
    assert "⚠ 3" in html and "1 tier move(s), 2 alert(s) opened, 0 closed, 4 rank change(s)" \
        in html
    assert "86.7 %" in html and "98.3 %" in html  # 260 / 300 and 590 / 600
