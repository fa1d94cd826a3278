"""Tests for salesnb.sample: the synthetic company's shape, story and accounting."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesnb.exceptions import ParamsError
from salesnb.sample import SAMPLE_END, _largest_remainder, make_company, story
from salesnb.schema import SCHEMAS

TABLES = ["sales", "org", "targets", "opportunities", "spend", "satisfaction"]


@pytest.fixture(scope="module")
def company() -> dict[str, pd.DataFrame]:
    return make_company()


@pytest.fixture(scope="module")
def tale(company) -> dict:
    return story(company)


def _month_team_of_reps(org: pd.DataFrame, periods: pd.Series) -> pd.DataFrame:
    """Return (period, rep, team): the team each rep belongs to in each month, from org."""
    m = pd.DataFrame({"period": periods.unique()})
    m["first"] = pd.PeriodIndex(m["period"], freq="M").start_time
    m["last"] = pd.PeriodIndex(m["period"], freq="M").end_time.normalize()
    x = m.merge(org, how="cross")
    keep = (x["start"].isna() | (x["start"] <= x["last"])) & (x["end"].isna() | (x["end"] >= x["first"]))
    return x.loc[keep, ["period", "rep", "team"]]


# ---- shape ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", TABLES)
def test_tables_have_exactly_the_schema_columns(company, name):
    assert sorted(company[name].columns) == sorted(SCHEMAS[name].names)


@pytest.mark.parametrize("name", TABLES)
def test_columns_have_the_schema_kinds(company, name):
    df = company[name]
    for col in SCHEMAS[name].columns:
        s = df[col.name]
        if col.kind == "date":
            assert s.dtype == "datetime64[ns]", col.name
            assert (s.dropna() == s.dropna().dt.normalize()).all(), col.name
        elif col.kind == "float":
            assert s.dtype == "float64", col.name
        else:  # str and period
            assert pd.api.types.is_string_dtype(s) and not pd.api.types.is_numeric_dtype(s), col.name


@pytest.mark.parametrize("name", TABLES)
def test_tables_have_a_fresh_range_index(company, name):
    assert company[name].index.equals(pd.RangeIndex(len(company[name])))


def test_default_company_sizes_are_within_the_stated_ranges(company):
    s = company["sales"]
    assert 60_000 <= len(s) <= 120_000
    assert 5 <= s["team"].nunique() <= 8
    assert 30 <= s["rep"].nunique() <= 60
    assert 1_000 <= s["customer_id"].nunique() <= 3_000
    assert s["category"].nunique() >= 4 and s["product"].nunique() >= 12


def test_default_data_covers_three_full_years_plus_year_to_date(company):
    d = company["sales"]["date"]
    # 2023-01-01 is a Sunday: the first sale falls in the first days of January
    assert d.min() <= pd.Timestamp("2023-01-03")
    assert d.max() == pd.Timestamp(SAMPLE_END)
    assert sorted(d.dt.year.unique()) == [2023, 2024, 2025, 2026]
    assert d.dt.to_period("M").nunique() == 12 * 3 + 10


def test_end_and_years_move_the_span():
    s = make_company(rows=3000, end="2025-06-30", years=2)["sales"]
    assert s["date"].min().year == 2023 and s["date"].max() == pd.Timestamp("2025-06-30")


def test_sales_are_in_date_order(company):
    s = company["sales"]
    assert s["date"].is_monotonic_increasing
    assert s["order_id"].is_unique is False  # orders have several lines


def test_quantities_are_whole_numbers_and_amounts_cents(company):
    s = company["sales"]
    assert (s["quantity"] == s["quantity"].round()).all() and (s["quantity"] != 0).all()
    assert (s["amount"] == s["amount"].round(2)).all()


def test_each_team_belongs_to_one_region(company):
    s = company["sales"]
    assert (s.groupby("team")["region"].nunique() == 1).all()
    assert s["region"].nunique() < s["team"].nunique()  # the online/partner teams are national


# ---- targets ----------------------------------------------------------------------------

def test_rep_targets_add_up_to_their_teams_every_month(company):
    t, org = company["targets"], company["org"]
    rep = t[(t["level"] == "rep") & (t["metric"] == "amount")]
    team_of = _month_team_of_reps(org, rep["period"])
    booked = rep.merge(team_of, left_on=["period", "unit"], right_on=["period", "rep"])
    assert len(booked) == len(rep)  # each rep has exactly one team in each month
    got = booked.groupby(["period", "team"])["target"].sum()
    team = t[(t["level"] == "team") & (t["metric"] == "amount")].set_index(["period", "unit"])
    want = team["target"].rename_axis(["period", "team"])
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False)


def test_team_targets_add_up_to_the_company_every_month(company):
    t = company["targets"][company["targets"]["metric"] == "amount"]
    teams = t[t["level"] == "team"].groupby("period")["target"].sum()
    comp = t[t["level"] == "company"].set_index("period")["target"]
    assert (comp.index == teams.index).all() and (comp == teams).all()
    assert len(comp) == 48  # 12 months x 2023..2026


def test_targets_are_whole_currency_units(company):
    tgt = company["targets"]["target"]
    assert (tgt == tgt.round()).all() and (tgt >= 0).all()


def test_company_annual_target_is_last_year_actual_times_1_1(company):
    s, t = company["sales"], company["targets"]
    ly = s.loc[s["date"].dt.year == 2025, "amount"].sum()
    comp = t[(t["level"] == "company") & (t["metric"] == "amount")
             & t["period"].str.startswith("2026")]["target"].sum()
    assert comp == round(ly * 1.1, -3)  # rounded to whole thousands


def test_monthly_targets_follow_an_uneven_seasonal_shape(company):
    t = company["targets"]
    comp = t[(t["level"] == "company") & t["period"].str.startswith("2025")].set_index("period")
    m = comp["target"]
    assert m.std() / m.mean() > 0.05
    assert m["2025-12"] > m["2025-02"] * 1.3  # Q4 peak against the Spring Festival dip


def test_new_customer_targets_are_annual_and_add_up(company):
    t = company["targets"]
    nc = t[t["metric"] == "new_customers"]
    assert set(nc["period"]) == {"2023", "2024", "2025", "2026"}
    assert set(nc["level"]) == {"company", "team"}
    teams = nc[nc["level"] == "team"].groupby("period")["target"].sum()
    comp = nc[nc["level"] == "company"].set_index("period")["target"]
    assert (comp == teams).all()


@pytest.mark.parametrize("total, weights, expected", [
    (10, [1, 1, 1], [4, 3, 3]),     # 3.33 each: the one spare unit goes to the first
    (7, [2, 1], [5, 2]),            # 4.667 + 2.333: the larger remainder (.667) gets the unit
    (100, [0.5, 0.3, 0.2], [50, 30, 20]),
    (5, [0, 0], [3, 2]),            # no weight: split equally
])
def test_largest_remainder_examples(total, weights, expected):
    assert _largest_remainder(total, np.array(weights, dtype=float)).tolist() == expected


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**9), st.lists(st.floats(0, 1e6), min_size=1, max_size=20))
def test_largest_remainder_parts_add_up_and_stay_within_one(total, weights):
    parts = _largest_remainder(total, np.array(weights))
    w = np.array(weights) if sum(weights) > 0 else np.ones(len(weights))
    exact = total * w / w.sum()
    assert parts.sum() == total
    assert (np.abs(parts - exact) < 1 + 1e-6).all()


# ---- the story --------------------------------------------------------------------------

def test_under_and_over_performers_stand_out(company, tale):
    att = tale["attainment"]
    assert len(tale["under"]) == 2 and len(tale["over"]) == 2
    assert all(0.5 <= att[r] <= 0.7 for r in tale["under"])
    assert all(1.3 <= att[r] <= 1.6 for r in tale["over"])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_planted_performers_are_clear_of_the_rest(seed):
    tables = make_company(seed=seed)
    tale = story(tables)
    s, t = tables["sales"], tables["targets"]
    months = [f"2026-{m:02d}" for m in range(1, 11)]
    tgt = t[(t["level"] == "rep") & t["period"].isin(months)].groupby("unit")["target"].sum()
    att = (s[s["date"].dt.year == 2026].groupby("rep")["amount"].sum() / tgt).dropna()
    rest = att.drop(tale["under"] + tale["over"] + [tale["joiner"]])
    assert rest.min() > max(tale["attainment"][r] for r in tale["under"]) + 0.1
    assert rest.max() < min(tale["attainment"][r] for r in tale["over"])


def test_joiner_starts_mid_year_and_sells_only_after(company, tale):
    org, s, t = company["org"], company["sales"], company["targets"]
    row = org[org["rep"] == tale["joiner"]]
    assert len(row) == 1 and row["end"].isna().all()
    assert tale["joined"].year == 2026 and 4 <= tale["joined"].month <= 8
    assert s.loc[s["rep"] == tale["joiner"], "date"].min() >= tale["joined"]
    periods = t.loc[t["unit"] == tale["joiner"], "period"]
    assert periods.min() == tale["joined"].strftime("%Y-%m") and periods.str.startswith("2026").all()


def test_leaver_stops_selling_mid_last_year(company, tale):
    org, s, t = company["org"], company["sales"], company["targets"]
    assert len(org[org["rep"] == tale["leaver"]]) == 1
    assert tale["left"].year == 2025 and 6 <= tale["left"].month <= 8
    last = s.loc[s["rep"] == tale["leaver"], "date"].max()
    assert tale["left"] - pd.Timedelta(days=14) <= last <= tale["left"]
    assert t.loc[t["unit"] == tale["leaver"], "period"].max() == tale["left"].strftime("%Y-%m")


def test_mover_sales_are_booked_to_the_old_team_then_the_new(company, tale):
    org, s = company["org"], company["sales"]
    rows = org[org["rep"] == tale["mover"]].sort_values("start", na_position="first")
    assert rows["team"].tolist() == [tale["from_team"], tale["to_team"]]
    assert rows["end"].iloc[0] == tale["moved"] - pd.Timedelta(days=1)
    assert tale["moved"].year == 2026
    mine = s[s["rep"] == tale["mover"]]
    assert set(mine.loc[mine["date"] < tale["moved"], "team"]) == {tale["from_team"]}
    assert set(mine.loc[mine["date"] >= tale["moved"], "team"]) == {tale["to_team"]}


def test_only_the_joiner_leaver_and_mover_have_org_dates(company, tale):
    org = company["org"]
    dated = set(org.loc[org["start"].notna() | org["end"].notna(), "rep"])
    assert dated == {tale["joiner"], tale["leaver"], tale["mover"]}
    assert len(org) == company["sales"]["rep"].nunique() + 1  # the mover has two rows


def test_story_depends_on_the_seed():
    a, b = story(make_company(seed=0, rows=3000)), story(make_company(seed=5, rows=3000))
    assert (a["joiner"], a["leaver"], a["mover"]) != (b["joiner"], b["leaver"], b["mover"])


# ---- realism ----------------------------------------------------------------------------

def test_about_one_percent_returns_with_negative_amounts(company):
    s = company["sales"]
    ret = s["amount"] < 0
    assert 0.005 <= ret.mean() <= 0.02
    assert (s.loc[ret, "quantity"] < 0).all() and s.loc[ret, "order_id"].str.startswith("RT").all()


def test_seasonality_q4_above_q1_and_february_dip(company):
    s = company["sales"]
    full = s[s["date"].dt.year < 2026]
    by_m = full.groupby(full["date"].dt.month)["amount"].sum()
    assert by_m[[10, 11, 12]].mean() > 1.15 * by_m[[1, 2, 3]].mean()
    assert by_m[2] < by_m[1] and by_m[2] < by_m[3]


def test_company_grows_8_to_15_percent_a_year(company):
    s = company["sales"]
    y = s.groupby(s["date"].dt.year)["amount"].sum()
    growth = y[[2024, 2025]].to_numpy() / y[[2023, 2024]].to_numpy() - 1
    assert ((growth > 0.04) & (growth < 0.2)).all()


def test_customers_mostly_buy_from_one_rep(company):
    s = company["sales"]
    by = s.groupby(["customer_id", "rep"]).size()
    share = by.groupby("customer_id").max() / by.groupby("customer_id").sum()
    assert share.median() >= 0.8


def test_new_customers_arrive_every_year(company):
    s = company["sales"]
    first = s.groupby("customer_id")["date"].min()
    per_year = first.dt.year.value_counts()
    assert (per_year[[2024, 2025]] >= 100).all()


def test_opportunities_have_valid_stages_and_outcomes(company):
    o = company["opportunities"]
    assert 300 <= len(o) <= 5000 and o["opportunity_id"].is_unique
    assert set(o["stage"]) == {"Lead", "Qualified", "Proposal", "Negotiation"}
    assert set(o["outcome"]) == {"won", "lost", ""}
    assert (o["closed"].isna() == (o["outcome"] == "")).all()
    assert (o.loc[o["outcome"] == "won", "stage"] == "Negotiation").all()
    assert (o["closed"].dropna() >= o.loc[o["closed"].notna(), "created"]).all()


def test_open_opportunities_are_expected_to_close_after_the_end(company):
    o = company["opportunities"]
    open_ = o[o["outcome"] == ""]
    assert len(open_) >= 20
    assert (open_["expected_close"] > pd.Timestamp(SAMPLE_END)).all()
    assert (open_["expected_close"] <= pd.Timestamp("2026-12-31")).sum() >= 10


def test_won_opportunities_are_a_plausible_share_of_sales(company):
    o, s = company["opportunities"], company["sales"]
    share = o.loc[o["outcome"] == "won", "amount"].sum() / s["amount"].sum()
    win_rate = (o["outcome"] == "won").sum() / (o["outcome"] != "").sum()
    assert 0.1 <= share <= 0.5 and 0.15 <= win_rate <= 0.5


def test_spend_has_one_row_per_team_and_month(company):
    sp, teams = company["spend"], company["sales"]["team"].unique()
    assert len(sp) == 46 * len(teams)  # 2023-01 .. 2026-10 = 46 months
    assert sp["month"].min() == "2023-01" and sp["month"].max() == "2026-10"
    assert (sp["spend"] > 0).all() and not sp.duplicated(["month", "team"]).any()


def test_satisfaction_scores_are_whole_1_to_5_every_month(company):
    sat, s = company["satisfaction"], company["sales"]
    assert set(sat["score"]) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert sat["date"].dt.to_period("M").nunique() == 46
    assert sat["customer_id"].isin(s["customer_id"]).all()


# ---- names and languages ----------------------------------------------------------------

def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture(scope="module")
def zh() -> dict[str, pd.DataFrame]:
    return make_company(lang="zh", rows=5000)


@pytest.mark.parametrize("col", ["team", "rep", "customer_id", "product", "category", "region",
                                 "channel"])
def test_zh_names_are_chinese(zh, col):
    assert zh["sales"][col].map(_is_chinese).all()


def test_zh_and_en_rep_names_are_unique_and_realistic(company, zh):
    for tables in (company, zh):
        org = tables["org"]
        assert org["rep"].nunique() == len(org) - 1  # only the mover repeats
    assert company["org"]["rep"].str.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+").all()
    assert zh["org"]["rep"].str.len().between(2, 3).all()


def test_en_names_at_50_teams_stay_unique():
    org = make_company(teams=50, reps=120, rows=5000)["org"]
    assert org["team"].nunique() == 50
    assert not org["team"].map(_is_chinese).any()


# ---- determinism and scale --------------------------------------------------------------

def test_same_seed_gives_identical_tables(company):
    again = make_company()
    for name in TABLES:
        pd.testing.assert_frame_equal(company[name], again[name])


def test_different_seed_gives_different_sales(company):
    other = make_company(seed=1)["sales"]
    assert len(other) != len(company["sales"]) or not other.equals(company["sales"])


def test_rows_and_teams_scale_the_company():
    s = make_company(rows=200_000, teams=20)["sales"]
    assert 180_000 <= len(s) <= 220_000
    assert s["team"].nunique() == 20


def test_a_million_rows_is_fast():
    start = time.perf_counter()
    s = make_company(rows=1_000_000, teams=20, reps=200)["sales"]
    assert 900_000 <= len(s) <= 1_100_000
    assert time.perf_counter() - start < 30


@pytest.mark.parametrize("kwargs, word", [
    (dict(lang="fr"), "lang"),
    (dict(teams=1), "teams"),
    (dict(teams=51), "teams"),
    (dict(teams=6, reps=10), "reps"),
    (dict(reps=501), "reps"),
    (dict(rows=10), "rows"),
    (dict(years=0), "years"),
    (dict(end="2026-02-10"), "end"),
    (dict(end="not a date"), "end"),
    (dict(seed=-1), "seed"),
])
def test_bad_arguments_name_the_argument(kwargs, word):
    with pytest.raises(ParamsError, match=word):
        make_company(**kwargs)
