"""Tests for salesnb.kpi: funnel, win rate, coverage, CAC, CLTV, satisfaction."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from salesnb.exceptions import DataError, ParamsError, SchemaError
from salesnb.kpi import (
    DEFAULT_STAGES,
    cac,
    cltv,
    data_available,
    funnel,
    pipeline_coverage,
    satisfaction_summary,
    satisfaction_trend,
    win_rate,
)


def opps(rows) -> pd.DataFrame:
    """rows: (stage, outcome, amount[, created, team, closed, expected_close])."""
    cols = ["stage", "outcome", "amount", "created", "team", "closed", "expected_close"]
    defaults = (None, None, 100.0, "2025-01-10", "East", None, None)
    full = [tuple(r) + defaults[len(r):] for r in rows]
    df = pd.DataFrame(full, columns=cols)
    df.insert(0, "opportunity_id", [f"o{i}" for i in range(len(df))])
    for c in ("created", "closed", "expected_close"):
        df[c] = pd.to_datetime(df[c])
    return df


def ten_opportunities() -> pd.DataFrame:
    # furthest stage reached: 4 stop at Lead, 3 at Qualified, 1 at Proposal,
    # 2 at Negotiation (1 won, 1 open); each worth 100.
    rows = ([("Lead", "lost")] * 3 + [("Lead", None)] + [("Qualified", "lost")] * 3
            + [("Proposal", None)] + [("Negotiation", "won"), ("Negotiation", None)])
    return opps(rows)


# ---------------------------------------------------------------- funnel

def test_funnel_hand_worked_counts_values_and_conversions():
    # cumulative: Lead 10, Qualified 6 (3+1+2), Proposal 3 (1+2), Negotiation 2, Won 1
    # conversions: 6/10 = 0.6, 3/6 = 0.5, 2/3 = 0.667, 1/2 = 0.5
    expected = pd.DataFrame({
        "stage": ["Lead", "Qualified", "Proposal", "Negotiation", "Won"],
        "count": np.array([10, 6, 3, 2, 1], dtype="int64"),
        "value": [1000.0, 600.0, 300.0, 200.0, 100.0],
        "conversion": [np.nan, 0.6, 0.5, 2 / 3, 0.5],
    })
    assert_frame_equal(funnel(ten_opportunities()), expected, check_dtype=False)


def test_funnel_keeps_only_opportunities_created_in_window_inclusive():
    o = opps([("Lead", None, 1.0, "2024-12-31"), ("Lead", None, 2.0, "2025-01-01"),
              ("Lead", None, 4.0, "2025-01-31"), ("Lead", None, 8.0, "2025-02-01")])
    f = funnel(o, start="2025-01-01", end="2025-01-31")
    # only the rows created on 2025-01-01 and 2025-01-31: 2 + 4 = 6
    assert f.loc[0, "count"] == 2 and f.loc[0, "value"] == 6.0


def test_funnel_filters_team():
    o = opps([("Lead", None, 1.0, "2025-01-10", "East"), ("Proposal", None, 2.0, "2025-01-10",
                                                          "West")])
    f = funnel(o, team="West")
    assert f["count"].tolist() == [1, 1, 1, 0, 0]


def test_funnel_counts_a_won_deal_in_every_stage_even_if_recorded_earlier():
    # won at "Proposal": still counts at Negotiation, so Won never exceeds Negotiation
    f = funnel(opps([("Proposal", "won")]))
    assert f["count"].tolist() == [1, 1, 1, 1, 1]


def test_funnel_reads_stage_names_ignoring_case_and_won_lost_stages():
    o = opps([(" lead ", None), ("QUALIFIED", None), ("Won", None), ("Lost", None)])
    f = funnel(o)
    # "Won" reached every stage and is won; "Lost" counts at the first stage only
    assert f["count"].tolist() == [4, 2, 1, 1, 1]


def test_funnel_unknown_stage_names_the_allowed_ones():
    with pytest.raises(DataError, match="Closing.*Lead.*Qualified.*Proposal.*Negotiation"):
        funnel(opps([("Lead", None), ("Closing", None)]))


def test_funnel_custom_stages():
    o = opps([("Contact", None), ("Demo", None), ("Demo", "won")])
    f = funnel(o, stages=["Contact", "Demo"])
    assert f["stage"].tolist() == ["Contact", "Demo", "Won"]
    assert f["count"].tolist() == [3, 2, 1]


@pytest.mark.parametrize("stages", [[], ["Lead", "lead"], ["Lead", "Won"], "Lead"])
def test_funnel_rejects_bad_stage_lists(stages):
    with pytest.raises(ParamsError, match="stages"):
        funnel(ten_opportunities(), stages=stages)


def test_funnel_missing_column_is_named():
    with pytest.raises(SchemaError, match=r"missing required column\(s\) \['created'\]"):
        funnel(ten_opportunities().drop(columns="created"))


def test_funnel_with_nothing_selected_has_zero_counts_and_no_conversions():
    f = funnel(ten_opportunities(), start="2030-01-01")
    assert f["count"].tolist() == [0] * 5
    assert f["conversion"].isna().all()


def test_funnel_does_not_mutate_input():
    o = ten_opportunities()
    before = o.copy()
    funnel(o, start="2025-01-01", team="East")
    assert_frame_equal(o, before)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(DEFAULT_STAGES),
                          st.sampled_from(["won", "lost", None])), min_size=1, max_size=30))
def test_funnel_never_widens(rows):
    f = funnel(opps(rows))
    counts = f["count"].tolist()
    assert counts[0] == len(rows)
    assert all(a >= b for a, b in zip(counts[:-1], counts[1:], strict=True))
    conv = f["conversion"].dropna()
    assert ((conv >= 0) & (conv <= 1)).all()


# ---------------------------------------------------------------- win rate

def closed_opps() -> pd.DataFrame:
    return opps([
        ("Negotiation", "won", 1.0, "2025-01-01", "East", "2025-03-01"),
        ("Negotiation", "won", 1.0, "2025-01-01", "East", "2025-03-31"),
        ("Proposal", "lost", 1.0, "2025-01-01", "East", "2025-03-15"),
        ("Negotiation", "won", 1.0, "2025-01-01", "West", "2025-03-10"),
        ("Negotiation", "won", 1.0, "2025-01-01", "West", "2025-04-01"),   # after the period
        ("Lead", "lost", 1.0, "2025-01-01", "West", "2025-02-28"),         # before the period
        ("Proposal", None, 1.0, "2025-01-01", "West", None),                # open
    ])


def test_win_rate_counts_deals_closed_in_period():
    # in March: won 3, lost 1 -> 3 / 4 = 0.75
    assert win_rate(closed_opps(), start="2025-03-01", end="2025-03-31") == 0.75


def test_win_rate_by_team():
    # East: 2 won, 1 lost -> 2/3; West: 1 won, 0 lost -> 1.0
    expected = pd.DataFrame({"unit": ["East", "West"], "won": [2, 1], "lost": [1, 0],
                             "win_rate": [2 / 3, 1.0]})
    got = win_rate(closed_opps(), start="2025-03-01", end="2025-03-31", by="team")
    assert_frame_equal(got, expected, check_dtype=False)


def test_win_rate_is_nan_without_closed_deals():
    assert math.isnan(win_rate(closed_opps(), start="2026-01-01", end="2026-01-31"))


def test_win_rate_rejects_unknown_outcome():
    o = closed_opps().assign(outcome=["won", "maybe", None, None, None, None, None])
    with pytest.raises(DataError, match="outcome.*maybe"):
        win_rate(o, start="2025-01-01", end="2025-12-31")


def test_win_rate_rejects_bad_by():
    with pytest.raises(ParamsError, match="by must be"):
        win_rate(closed_opps(), start="2025-01-01", end="2025-12-31", by="region")


# ---------------------------------------------------------------- pipeline coverage

def pipeline() -> pd.DataFrame:
    e = "expected_close"
    df = opps([("Proposal", None, 300.0), ("Negotiation", None, 200.0),
               ("Proposal", None, 50.0), ("Proposal", None, 70.0),
               ("Proposal", "won", 1000.0), ("Proposal", None, 400.0, "2025-01-10", "West")])
    df[e] = pd.to_datetime(["2025-11-01", "2025-12-31", "2025-10-31", "2026-01-01",
                            "2025-11-15", "2025-11-20"])
    return df


def test_pipeline_coverage_hand_worked():
    # open, East, expected in (2025-10-31, 2025-12-31]: 300 + 200 = 500
    # (50 expected on as_of itself, 70 after period end, 1000 already won, 400 is West)
    r = pipeline_coverage(pipeline(), as_of="2025-10-31", period_end="2025-12-31",
                          remaining_gap=250.0, team="East")
    assert r == {"open_count": 2, "open_value": 500.0, "remaining_gap": 250.0, "coverage": 2.0}


@pytest.mark.parametrize("gap", [0.0, -10.0, float("nan")])
def test_pipeline_coverage_is_nan_when_target_already_reached(gap):
    r = pipeline_coverage(pipeline(), as_of="2025-10-31", period_end="2025-12-31",
                          remaining_gap=gap)
    assert math.isnan(r["coverage"]) and r["open_value"] == 900.0  # 300 + 200 + 400


def test_pipeline_coverage_rejects_period_end_before_as_of():
    with pytest.raises(ParamsError, match="period_end"):
        pipeline_coverage(pipeline(), as_of="2025-10-31", period_end="2025-09-30",
                          remaining_gap=1.0)


def test_pipeline_coverage_needs_expected_close():
    with pytest.raises(SchemaError, match="expected_close"):
        pipeline_coverage(pipeline().drop(columns="expected_close"), as_of="2025-10-31",
                          period_end="2025-12-31", remaining_gap=1.0)


# ---------------------------------------------------------------- CAC

SPEND = pd.DataFrame({"month": ["2025-01", "2025-02", "2025-01", "2025-01"],
                      "team": ["East", "East", "West", "North"],
                      "spend": [600.0, 400.0, 300.0, 50.0]})
NEW = pd.DataFrame({"team": ["East", "West", "South"], "new_customers": [4, 0, 2]})


def test_cac_by_team_hand_worked():
    # East 1000 / 4 = 250; North 50 / 0 -> NaN; South unknown spend -> NaN; West 300 / 0 -> NaN
    expected = pd.DataFrame({"unit": ["East", "North", "South", "West"],
                             "spend": [1000.0, 50.0, np.nan, 300.0],
                             "new_customers": [4, 0, 2, 0],
                             "cac": [250.0, np.nan, np.nan, np.nan]})
    assert_frame_equal(cac(SPEND, NEW), expected, check_dtype=False)


def test_cac_for_company():
    # (600 + 400 + 300 + 50) / (4 + 0 + 2) = 1350 / 6 = 225
    got = cac(SPEND, NEW, by="company")
    assert got["unit"].tolist() == ["Company"] and got.loc[0, "cac"] == 225.0


def test_cac_missing_column():
    with pytest.raises(SchemaError, match="new_customers"):
        cac(SPEND, NEW.rename(columns={"new_customers": "n"}))


# ---------------------------------------------------------------- CLTV

def cltv_sales() -> pd.DataFrame:
    rows = [
        ("2023-07-01", "a", 10.0), ("2024-01-01", "b", 10.0), ("2024-03-01", "d", 10.0),
        ("2024-06-30", "c", 10.0),                       # last day of the previous window
        ("2024-07-01", "a", 200.0), ("2025-06-30", "a", 100.0),
        ("2024-09-01", "b", 300.0), ("2024-10-01", "b", -100.0),
        ("2025-01-01", "e", 400.0), ("2025-02-01", "d", -50.0),    # d only returns: inactive
        ("2025-07-01", "e", 1000.0),                     # after as_of: ignored
        ("2025-01-05", None, 999.0),                     # no customer: ignored
    ]
    df = pd.DataFrame(rows, columns=["date", "customer_id", "amount"])
    df["date"] = pd.to_datetime(df["date"])
    return df


def test_cltv_inputs_by_calculator():
    r = cltv(cltv_sales(), as_of="2025-06-30", gross_margin=0.3)
    # window (2024-06-30, 2025-06-30]: active a, b, e = 3
    # revenue 200 + 100 + 300 - 100 + 400 - 50 = 850 -> 850 / 3 = 283.33 per customer
    # previous window a, b, c, d = 4; c and d bought nothing -> churn 2 / 4 = 0.5, lifetime 2
    # cltv = 283.33 * 0.3 * 2 = 170
    assert r["customers"] == 3 and r["revenue"] == 850.0
    assert r["revenue_per_customer_per_year"] == pytest.approx(850 / 3)
    assert (r["previous_customers"], r["churned_customers"]) == (4, 2)
    assert r["churn_rate"] == 0.5 and r["lifetime_years"] == 2.0
    assert r["gross_margin"] == 0.3
    assert r["cltv"] == pytest.approx(170.0)


def test_cltv_without_churn_has_no_value():
    s = pd.DataFrame({"date": pd.to_datetime(["2024-03-01", "2025-03-01"]),
                      "customer_id": ["a", "a"], "amount": [10.0, 20.0]})
    r = cltv(s, as_of="2025-12-31")
    assert r["churn_rate"] == 0.0
    assert math.isnan(r["lifetime_years"]) and math.isnan(r["cltv"])


def test_cltv_over_two_years_annualises_churn():
    # previous 2 years: a, b, c, d; last 2 years: a only (400) -> churn 3/4 over 2 years
    # annual churn 1 - (1 - 0.75) ** 0.5 = 0.5 -> lifetime 2; revenue 400 / 1 / 2 = 200 a year
    s = pd.DataFrame({"date": pd.to_datetime(["2022-06-01", "2022-07-01", "2023-01-01",
                                              "2023-12-31", "2025-01-01"]),
                      "customer_id": ["a", "b", "c", "d", "a"],
                      "amount": [1.0, 1.0, 1.0, 1.0, 400.0]})
    r = cltv(s, as_of="2025-12-31", gross_margin=0.5, years=2)
    assert r["churn_rate"] == pytest.approx(0.5)
    assert r["revenue_per_customer_per_year"] == 200.0
    assert r["cltv"] == pytest.approx(200.0)  # 200 * 0.5 * 2


@pytest.mark.parametrize("cap, lifetime", [(1.5, 1.5), (10.0, 2.0)])
def test_cltv_caps_lifetime(cap, lifetime):
    # churn 0.5 -> lifetime 2, capped at 1.5 (or left at 2 under a cap of 10)
    r = cltv(cltv_sales(), as_of="2025-06-30", max_lifetime_years=cap)
    assert r["lifetime_years"] == lifetime
    assert r["cltv"] == pytest.approx(850 / 3 * 0.3 * lifetime)


def test_cltv_cap_gives_a_value_without_churn():
    s = pd.DataFrame({"date": pd.to_datetime(["2024-03-01", "2025-03-01"]),
                      "customer_id": ["a", "a"], "amount": [10.0, 20.0]})
    r = cltv(s, as_of="2025-12-31", gross_margin=0.5, max_lifetime_years=5)
    assert r["lifetime_years"] == 5 and r["cltv"] == 50.0  # 20 * 0.5 * 5


@pytest.mark.parametrize("kw", [{"gross_margin": 30}, {"gross_margin": -0.1}, {"years": 0},
                                {"years": 1.5}, {"gross_margin": float("nan")},
                                {"max_lifetime_years": 0}])
def test_cltv_rejects_bad_parameters(kw):
    with pytest.raises(ParamsError):
        cltv(cltv_sales(), as_of="2025-06-30", **kw)


def test_cltv_needs_customer_id():
    with pytest.raises(SchemaError, match="customer_id"):
        cltv(cltv_sales().drop(columns="customer_id"), as_of="2025-06-30")


# ---------------------------------------------------------------- satisfaction

def survey() -> pd.DataFrame:
    rows = [("2025-01-05", "E", 4.0), ("2025-02-10", "E", 3.0), ("2025-02-20", "E", 5.0),
            ("2025-03-01", "E", 2.0), ("2025-03-02", "W", 5.0), ("2025-03-03", "W", None),
            ("2025-04-01", "E", 1.0)]  # after the report month
    df = pd.DataFrame(rows, columns=["date", "team", "score"])
    df["date"] = pd.to_datetime(df["date"])
    df["customer_id"] = "c"
    return df


def test_satisfaction_summary_team_months_fill_gaps():
    got = satisfaction_summary(survey(), month="2025-03", level="team", months=2)
    # E: Feb (3 + 5) / 2 = 4, Mar 2; W: Feb none, Mar 5 (the empty score is left out)
    expected = pd.DataFrame({"unit": ["E", "E", "W", "W"],
                             "month": ["2025-02", "2025-03", "2025-02", "2025-03"],
                             "score": [4.0, 2.0, np.nan, 5.0], "responses": [2, 1, 0, 1]})
    assert_frame_equal(got, expected, check_dtype=False)


def test_satisfaction_summary_company():
    got = satisfaction_summary(survey(), month="2025-03", months=3)
    # Jan 4; Feb 4; Mar (2 + 5) / 2 = 3.5
    assert got["score"].tolist() == [4.0, 4.0, 3.5]
    assert got["responses"].tolist() == [1, 2, 2]


def test_satisfaction_trend_month_over_month():
    got = satisfaction_trend(survey(), month="2025-03", level="team")
    # E: 2 vs 4 -> -2; W: 5 vs none -> NaN
    expected = pd.DataFrame({"unit": ["E", "W"], "score": [2.0, 5.0],
                             "prev_score": [4.0, np.nan], "change": [-2.0, np.nan]})
    assert_frame_equal(got, expected, check_dtype=False)


def test_satisfaction_trend_over_two_month_spans_pools_responses():
    got = satisfaction_trend(survey(), month="2025-04", months=2)
    # Mar-Apr: 2, 5, 1 -> 8/3; Jan-Feb: 4, 3, 5 -> 4
    assert got.loc[0, "score"] == pytest.approx(8 / 3)
    assert got.loc[0, "prev_score"] == 4.0
    assert got.loc[0, "change"] == pytest.approx(8 / 3 - 4)


def test_satisfaction_team_level_needs_team_column():
    with pytest.raises(SchemaError, match="team"):
        satisfaction_summary(survey().drop(columns="team"), month="2025-03", level="team")


@pytest.mark.parametrize("months", [0, -1, 2.5])
def test_satisfaction_rejects_bad_months(months):
    with pytest.raises(ParamsError, match="months"):
        satisfaction_summary(survey(), month="2025-03", months=months)


# ---------------------------------------------------------------- data_available

def test_data_available_all_present():
    sales = cltv_sales()
    tables = {"sales": sales, "opportunities": pipeline().assign(
                  closed=pd.to_datetime(["2025-11-15"] * 6)),
              "spend": SPEND, "satisfaction": survey()}
    assert data_available(tables) == {"funnel": True, "win_rate": True,
                                      "pipeline_coverage": True, "cac": True, "cltv": True,
                                      "satisfaction": True}


def test_data_available_nothing_optional():
    sales = cltv_sales().drop(columns="customer_id")
    got = data_available({"sales": sales, "opportunities": None,
                          "spend": SPEND.iloc[0:0]})
    assert not any(got.values())


def test_data_available_win_rate_needs_a_closed_deal():
    o = pipeline().assign(closed=pd.NaT, outcome=None)
    got = data_available({"opportunities": o})
    assert got["funnel"] and not got["win_rate"]
