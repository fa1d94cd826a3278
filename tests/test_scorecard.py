"""Rep scorecards and the links between pages: privacy, standing, links that resolve."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np
import pandas as pd
import pytest

from salesnb.cache import pages_for, rep_slice
from salesnb.peers import peer_standing, rep_customers
from salesnb.views.rep import standing_sentence

ROOT = Path(__file__).resolve().parent.parent


def _progress(rows):
    df = pd.DataFrame(rows, columns=["unit", "team", "attainment", "actual", "ytd_attainment",
                                     "ytd_actual"])
    return df.assign(level="rep", metric="amount")


# East: Ann 0.9/90, Bob 1.2/120, Cy 0.9/95 (tie on attainment: Cy sold more), Di no target.
# Month ranks by hand: Bob 1, Cy 2, Ann 3, Di 4 (no target ranks last); average of the three
# with a target (0.9 + 1.2 + 0.9) / 3 = 1.0. YTD: Ann 1.05, Bob 0.95, Cy 0.80, Di NaN ->
# Ann 1, Bob 2, Cy 3, Di 4; average (1.05 + 0.95 + 0.80) / 3 = 0.9333...
TINY = _progress([("Ann", "East", 0.9, 90.0, 1.05, 500.0), ("Bob", "East", 1.2, 120.0, 0.95, 450.0),
                  ("Cy", "East", 0.9, 95.0, 0.80, 400.0), ("Di", "East", np.nan, 10.0, np.nan, 30.0),
                  ("Zed", "West", 2.0, 999.0, 2.0, 9999.0)])


@pytest.mark.parametrize("rep,rank,ytd_rank", [("Bob", 1, 2), ("Cy", 2, 3), ("Ann", 3, 1),
                                               ("Di", 4, 4)])
def test_peer_standing_hand_worked(rep, rank, ytd_rank):
    s = peer_standing(TINY, rep)
    assert (s["rank"], s["ytd_rank"], s["of"], s["team"]) == (rank, ytd_rank, 4, "East")
    assert s["average"] == pytest.approx(1.0)
    assert s["ytd_average"] == pytest.approx((1.05 + 0.95 + 0.80) / 3)


def test_standing_sentence_hand_worked():
    text = standing_sentence(peer_standing(TINY, "Ann"), "en")
    assert text == ("This month: 3rd of 4 in East; the team's average is 100.0 %. "
                    "Year to date: 1st of 4; the team's average is 93.3 %.")
    assert "Bob" not in text and "Cy" not in text
    zh = standing_sentence(peer_standing(TINY, "Cy"), "zh")
    assert "排第2名" in zh and "排第3名" in zh and "4名" in zh


def test_peer_standing_unknown_rep():
    with pytest.raises(Exception, match="Nobody"):
        peer_standing(TINY, "Nobody")


def test_rep_customers_new_and_lost():
    s = pd.DataFrame({"date": pd.to_datetime(["2024-02-01", "2024-03-01", "2025-02-01",
                                              "2025-03-01", "2025-02-01", "2024-12-01",
                                              "2024-01-01", "2025-01-01"]),
                      "rep": ["Ann", "Ann", "Ann", "Ann", "Bob", "Ann", "Ann", "Ann"],
                      "customer_id": ["c1", "c2", "c1", "c3", "c2", "c4", "c5", "c5"],
                      "amount": [10.0, 30.0, 25.0, 5.0, 99.0, 50.0, -4.0, 7.0]})
    got = rep_customers(s, "Ann", month="2025-03", n=5)
    # YTD Jan-Mar 2025 against Jan-Mar 2024; c4 (Dec 2024) is outside both spans; Bob's c2 is his
    # c5 returned goods last year (-4): a customer then, so not new this year
    assert got[got["kind"] == "largest"]["customer_id"].tolist() == ["c1", "c5", "c3"]
    assert got[got["kind"] == "new"]["customer_id"].tolist() == ["c3"]
    lost = got[got["kind"] == "lost"]
    assert lost["customer_id"].tolist() == ["c2"] and lost["last_year"].tolist() == [30.0]


def test_pages_for_keeps_own_only():
    pages = {"index": "index.html", "company": "company.html",
             "teams": {"East": "team-east.html", "West": "team-west.html"},
             "reps": {"Ann": "rep-ann.html", "Zed": "rep-zed.html"}}
    got = pages_for(pages, team="East", reps={"Ann"})
    assert got == {"index": "index.html", "company": "company.html",
                   "teams": {"East": "team-east.html"}, "reps": {"Ann": "rep-ann.html"}}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "src") and v:
                self.links.append(v)
            elif k in ("title", "alt", "aria-label") and v:
                self.parts.append(v)


def _parse(path: Path) -> _Text:
    p = _Text()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def _contains_name(text: str, name: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text) is not None


@pytest.fixture(scope="module")
def pack(sample_pack):
    """The session's sample pack (tests/conftest.py): rendered once for every test file."""
    return sample_pack


@pytest.mark.slow
def test_pack_scorecards_name_no_other_rep(pack):
    data, pack = pack["data"], pack["out"]
    run = json.loads((pack / "run.json").read_text(encoding="utf-8"))
    org = pd.read_csv(data / "org.csv")
    sales = pd.read_csv(data / "sales.csv", usecols=["rep"])
    everyone = set(org["rep"].astype(str)) | set(sales["rep"].astype(str))
    teams_of = org.groupby("rep")["team"].agg(set).to_dict()  # a rep who moved has two rows
    cards = [r for r in run["reports"] if r["kind"] == "rep"]
    assert len(cards) >= 30 and all(r["status"] == "ok" for r in cards)
    # a scorecard for every rep with a target or a sale this year (through the report
    # month), counted from the raw files
    s = pd.read_csv(data / "sales.csv", usecols=["date", "rep", "amount"], parse_dates=["date"])
    s = s[(s["date"] >= "2026-01-01") & (s["date"] < "2026-11-01")]
    t = pd.read_csv(data / "targets.csv", dtype={"period": str})
    t = t[(t["level"] == "rep") & t["period"].str.startswith("2026") & (t["target"] > 0)
          & (t["metric"] == "amount")]
    sold = s.groupby("rep")["amount"].sum()
    expected = set(sold[sold != 0].index.astype(str)) | set(t["unit"].astype(str))
    assert {r["name"] for r in cards} == expected
    for r in cards:
        assert r["unit"] == r["name"] and r["team"] in teams_of[r["name"]]
        assert r["file"].startswith("rep-") and (pack / r["file"]).exists()
        text = " ".join(_parse(pack / r["file"]).parts)  # SVG <text> is parsed text too
        assert _contains_name(text, r["name"])
        leaked = [n for n in everyone - {r["name"]} if _contains_name(text, n)]
        assert not leaked, f"{r['file']} names {leaked}"
    for r in run["reports"]:
        if r["kind"] != "team":
            continue
        text = " ".join(_parse(pack / r["file"]).parts)
        others = {n for n in everyone if n in teams_of and r["name"] not in teams_of[n]}
        leaked = [n for n in others if _contains_name(text, n)]
        assert not leaked, f"{r['file']} names other teams' reps {leaked}"


@pytest.mark.slow
def test_pack_links_resolve_both_ways(pack):
    pack = pack["out"]
    run = json.loads((pack / "run.json").read_text(encoding="utf-8"))
    pages = [pack / "index.html"] + [pack / r["file"] for r in run["reports"]]
    linked: dict[str, set[str]] = {}
    for page in pages:
        links = [u for u in _parse(page).links if not u.startswith(("data:", "#"))]
        for u in links:
            parsed = urlparse(u)
            assert not parsed.scheme and not parsed.netloc and not u.startswith("/"), (page, u)
            target = (page.parent / unquote(parsed.path)).resolve()
            assert target.is_file(), f"{page.name} links to missing {u}"
            linked.setdefault(page.name, set()).add(target.name)
    teams = [r for r in run["reports"] if r["kind"] == "team"]
    for t in teams:
        assert t["file"] in linked["company.html"]
        assert {"company.html", "index.html"} <= linked[t["file"]]
    for r in (r for r in run["reports"] if r["kind"] == "rep"):
        team_file = next(t["file"] for t in teams if t["name"] == r["team"])
        assert {team_file, "company.html", "index.html"} <= linked[r["file"]]
        assert r["file"] in linked[team_file]


def test_rep_slice_holds_one_rep_only(sample_pack):
    from salesnb import report
    from salesnb.cache import read_cache
    t = read_cache(sample_pack["out"] / "_cache")  # the whole run's tables, as prepared
    rep = report.scorecard_reps(t)[0]
    s = rep_slice(t, rep)
    for name, df in s.items():
        if isinstance(df, pd.DataFrame) and len(df):
            for col in ("rep", "unit", "child"):
                if col == "unit" and "level" not in df.columns:
                    continue  # the team's rank among teams: a team name
                if col in df.columns:
                    lv = df["level"] if "level" in df.columns and col == "unit" else None
                    vals = df[col] if lv is None else df.loc[lv == "rep", col]
                    assert set(vals.astype(str)) <= {rep}, (name, col)
    assert s["meta"]["standing"]["of"] >= 2


def test_team_slice_holds_its_own_team_and_reps_only(sample_pack):
    from salesnb.cache import _rep_names, read_cache, team_slice
    t = read_cache(sample_pack["out"] / "_cache")
    team = str(t["projections"].query("level == 'team'")["unit"].iloc[0])
    reps = _rep_names(t, team)
    s = team_slice(t, team)
    checked = 0
    for name, df in s.items():
        if isinstance(df, pd.DataFrame) and len(df) and {"level", "unit"} <= set(df.columns):
            lv, un = df["level"].astype(str), df["unit"].astype(str)
            assert set(un[lv == "team"]) <= {team}, name
            assert set(un[lv == "rep"]) <= reps, name
            checked += 1
    assert checked >= 6   # the forecast paths and quarter ends among them
    assert len(s["forecast_paths"]) and set(s["forecast_paths"]["team"].astype(str)) <= {team, ""}
