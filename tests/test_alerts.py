"""Tests for salesnb.alerts: alert rules, thresholds, incentive tiers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from salesnb.alerts import (
    ALERT_COLUMNS,
    DEFAULT_THRESHOLDS,
    DEFAULT_TIERS,
    TIER_ORDER,
    evaluate_alerts,
    incentive_tiers,
    tier_summary,
)
from salesnb.exceptions import ParamsError, SchemaError

AS_OF = "2025-03-31"
NAN = float("nan")


def row(**overrides) -> dict:
    """One progress row that fires nothing: on pace, flat month and year."""
    base = dict(level="team", unit="East", team="East", metric="amount", actual=100.0,
                annual_completion=0.25, time_progress=0.25, pace=0.0, expected_to_date=0.25,
                planned_progress=0.25, calendar_pace=0.0, seasonal_pace=0.0, prev_actual=100.0, mom=0.0, last_year_actual=100.0,
                yoy=0.0, ytd_attainment=1.0)
    base.update(overrides)
    return base


def progress(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows) or [row()])


def rules(alerts: pd.DataFrame) -> list[str]:
    return alerts["rule"].tolist()


# ---------------------------------------------------------------- progress rules

def test_nothing_fires_on_a_neutral_row():
    a = evaluate_alerts(progress(), as_of=AS_OF)
    assert a.empty and list(a.columns) == ALERT_COLUMNS


@pytest.mark.parametrize("pace, severity", [
    (-0.05, None),        # exactly at the threshold: not behind
    (-0.0501, "medium"),
    (-0.10, "medium"),    # exactly twice the threshold: still medium
    (-0.1001, "high"),
])
def test_behind_pace_boundaries(pace, severity):
    a = evaluate_alerts(progress(row(pace=pace)), as_of=AS_OF)
    assert a["severity"].tolist() == ([severity] if severity else [])


def test_behind_pace_message_and_values():
    p = progress(row(annual_completion=0.18, planned_progress=0.242, pace=-0.062))
    a = evaluate_alerts(p, as_of=AS_OF)
    assert a.loc[0, "message"] == ("East is 6.2 points behind pace (annual completion 18.0 % "
                                   "vs planned progress 24.2 %).")
    assert (a.loc[0, "value"], a.loc[0, "threshold"]) == (-0.062, -0.05)
    assert (a.loc[0, "level"], a.loc[0, "unit"], a.loc[0, "team"]) == ("team", "East", "East")


def test_behind_pace_names_rep_team_and_non_amount_metric():
    p = progress(row(level="rep", unit="Ann", metric="new_customers", pace=-0.2, mom=-0.9))
    a = evaluate_alerts(p, as_of=AS_OF)
    # mom is only checked on amount rows, so only behind_pace fires
    assert rules(a) == ["behind_pace"]
    assert a.loc[0, "message"].startswith("Ann (East) is 20.0 points behind pace on new customers")


def test_seasonal_pace_option_uses_expected_to_date():
    p = progress(row(pace=0.0, seasonal_pace=-0.08, expected_to_date=0.33))
    assert evaluate_alerts(p, as_of=AS_OF).empty
    a = evaluate_alerts(p, as_of=AS_OF, pace="seasonal_pace")
    assert rules(a) == ["behind_pace"] and "expected to date 33.0 %" in a.loc[0, "message"]


def test_behind_pace_is_against_the_plan_not_the_calendar():
    # seasonal plan: 77 % done against a plan of 78 % (on plan), the calendar says 83 %
    p = progress(row(annual_completion=0.77, planned_progress=0.78, pace=-0.01,
                     time_progress=0.83, calendar_pace=-0.06))
    assert evaluate_alerts(p, as_of=AS_OF).empty
    a = evaluate_alerts(p, as_of=AS_OF, pace="calendar_pace")
    assert rules(a) == ["behind_pace"] and "time progress 83.0 %" in a.loc[0, "message"]


@pytest.mark.parametrize("mom, severity", [(-0.20, None), (-0.21, "medium"), (-0.40, "medium"),
                                          (-0.41, "high"), (0.5, None)])
def test_mom_drop_boundaries(mom, severity):
    a = evaluate_alerts(progress(row(mom=mom)), as_of=AS_OF)
    assert a["severity"].tolist() == ([severity] if severity else [])


@pytest.mark.parametrize("yoy, fires", [(-0.10, False), (-0.1001, True), (0.0, False)])
def test_yoy_drop_boundaries(yoy, fires):
    a = evaluate_alerts(progress(row(yoy=yoy)), as_of=AS_OF)
    assert rules(a) == (["yoy_drop"] if fires else [])


def test_drop_messages():
    p = progress(row(actual=90.0, prev_actual=120.0, mom=-0.25, last_year_actual=1200.0,
                     yoy=-0.925))
    a = evaluate_alerts(p, as_of=AS_OF)
    assert a["message"].tolist() == [
        "Sales of East fell 92.5 % year over year (from 1,200 to 90).",   # high sorts first
        "Sales of East fell 25.0 % month over month (from 120 to 90).",
    ]


@pytest.mark.parametrize("column", ["pace", "mom", "yoy"])
def test_nan_never_fires_progress_rules(column):
    p = progress(row(**{column: NAN}))
    assert evaluate_alerts(p, as_of=AS_OF, thresholds={"behind_pace": 0.0, "mom_drop": 0.0,
                                                       "yoy_drop": 0.0}).empty


# ---------------------------------------------------------------- no sales

def last_sale(*dates) -> pd.DataFrame:
    return pd.DataFrame({"rep": [f"R{i}" for i in range(len(dates))], "team": "East",
                         "last_sale_date": pd.to_datetime(list(dates))})


@pytest.mark.parametrize("date, severity", [
    ("2025-03-17", None),      # 31 - 17 = 14 days: not more than 14
    ("2025-03-16", "medium"),  # 15 days
    ("2025-03-03", "medium"),  # 28 days: exactly twice
    ("2025-03-02", "high"),    # 29 days
    (None, None),              # never sold: no value, no alert
    ("2025-04-10", None),      # after as_of
])
def test_no_sales_boundaries(date, severity):
    a = evaluate_alerts(None, as_of=AS_OF, last_sale=last_sale(date))
    assert a["severity"].tolist() == ([severity] if severity else [])


def test_rep_without_team_is_named_alone():
    ls = last_sale("2025-03-01").assign(team=[None])
    a = evaluate_alerts(None, as_of=AS_OF, last_sale=ls)
    assert a.loc[0, "message"].startswith("R0 has had no sales for 30 days")
    assert a.loc[0, "team"] == ""


def test_no_sales_message():
    a = evaluate_alerts(None, as_of=AS_OF, last_sale=last_sale("2025-03-11"))
    assert a.loc[0, "message"] == "R0 (East) has had no sales for 20 days (last sale 2025-03-11)."
    assert (a.loc[0, "level"], a.loc[0, "value"], a.loc[0, "threshold"]) == ("rep", 20.0, 14.0)


# ---------------------------------------------------------------- target mismatch, quality

def mismatch(difference: float) -> pd.DataFrame:
    # difference = children_target - parent_target (salesnb.targets.target_mismatches)
    return pd.DataFrame({"year": [2025], "metric": ["amount"], "parent_level": ["team"],
                         "parent": ["East"], "parent_target": [1800.0],
                         "children_target": [1800.0 + difference], "difference": [difference]})


@pytest.mark.parametrize("difference, fires", [(50.0, True), (-50.0, True), (0.0, False),
                                               (NAN, False)])
def test_target_mismatch(difference, fires):
    a = evaluate_alerts(None, as_of=AS_OF, mismatches=mismatch(difference))
    assert rules(a) == (["target_mismatch"] if fires else [])


def test_target_mismatch_message():
    a = evaluate_alerts(None, as_of=AS_OF, mismatches=mismatch(-50.0))
    # children 1800 - 50 = 1750 -> 50 below the parent's 1800
    assert a.loc[0, "message"] == ("The 2025 amount targets of East's parts add up to 1,750, 50 "
                                   "below its own target of 1,800.")
    assert a.loc[0, "team"] == "East"


def test_data_quality_one_alert_per_failing_check():
    q = pd.DataFrame({"severity": ["error", "warning", "info", "error"],
                      "table": ["sales", "sales", "targets", "sales"],
                      "check": ["duplicate_rows", "negative amount", "unused target", "gaps"],
                      "count": [3, 1, 2, 0], "detail": ["rows 4, 9, 12.", "", None, ""]})
    a = evaluate_alerts(None, as_of=AS_OF, quality=q)
    assert a["severity"].tolist() == ["high", "medium", "low"]
    assert a["message"].tolist() == [
        "Data quality (sales table, duplicate rows): rows 4, 9, 12.",
        "Data quality (sales table, negative amount): 1 row affected.",
        "Data quality (targets table, unused target): 2 rows affected.",
    ]


# ---------------------------------------------------------------- projected miss

def projection(value: float, probability: float = 0.3) -> pd.DataFrame:
    return pd.DataFrame({"level": ["rep"], "unit": ["Ann"], "projection": [value],
                         "annual_target": [1800.0], "probability": [probability]})


@pytest.mark.parametrize("value, severity", [
    (1800.0, None),      # exactly on target
    (1790.0, "medium"),  # 99.4 %
    (1620.0, "medium"),  # exactly 90 %
    (1600.0, "high"),    # 88.9 % < 90 %
    (NAN, None),
])
def test_projected_miss_boundaries(value, severity):
    a = evaluate_alerts(None, as_of=AS_OF, projection=projection(value))
    assert a["severity"].tolist() == ([severity] if severity else [])


def test_projected_miss_takes_rep_team_from_progress_and_explains():
    p = progress(row(level="rep", unit="Ann", team="East"))
    a = evaluate_alerts(p, as_of=AS_OF, projection=projection(1650.0, 0.23))
    # 1650 / 1800 = 91.7 %
    assert a.loc[0, "team"] == "East"
    assert a.loc[0, "message"] == ("Ann (East) is projected to end the year at 1,650 against a "
                                   "target of 1,800 (91.7 %; 23 % chance of reaching it).")


# ---------------------------------------------------------------- thresholds, order, errors

def test_unknown_threshold_key_lists_known_keys():
    with pytest.raises(ParamsError, match="behind_pase.*behind_pace.*no_sales_days"):
        evaluate_alerts(progress(), as_of=AS_OF, thresholds={"behind_pase": -0.1})


@pytest.mark.parametrize("thresholds", [{"mom_drop": 0.2}, {"no_sales_days": -1},
                                        {"behind_pace": "x"}])
def test_bad_threshold_values(thresholds):
    with pytest.raises(ParamsError, match="thresholds"):
        evaluate_alerts(progress(), as_of=AS_OF, thresholds=thresholds)


def test_threshold_override_and_switch_off():
    p = progress(row(pace=-0.08, mom=-0.5))
    a = evaluate_alerts(p, as_of=AS_OF, thresholds={"behind_pace": -0.10, "mom_drop": None})
    assert a.empty
    assert DEFAULT_THRESHOLDS["behind_pace"] == -0.05  # defaults untouched


def test_alerts_sorted_by_severity_then_level_then_unit():
    p = progress(row(level="rep", unit="Bob", pace=-0.3),
                 row(level="rep", unit="Ann", pace=-0.3),
                 row(level="company", unit="Company", team="", pace=-0.06),
                 row(level="team", unit="West", team="West", pace=-0.3))
    a = evaluate_alerts(p, as_of=AS_OF)
    assert list(zip(a["severity"], a["unit"], strict=True)) == [("high", "West"), ("high", "Ann"),
                                                   ("high", "Bob"), ("medium", "Company")]


def test_missing_progress_columns_are_listed():
    with pytest.raises(SchemaError, match=r"\['mom', 'pace'\]"):
        evaluate_alerts(progress().drop(columns=["pace", "mom"]), as_of=AS_OF)


def test_missing_last_sale_column():
    with pytest.raises(SchemaError, match="last_sale_date"):
        evaluate_alerts(None, as_of=AS_OF, last_sale=pd.DataFrame({"rep": ["A"], "team": ["E"]}))


def test_evaluate_alerts_does_not_mutate_progress():
    p = progress(row(pace=-0.3))
    before = p.copy()
    evaluate_alerts(p, as_of=AS_OF)
    assert_frame_equal(p, before)


# ---------------------------------------------------------------- incentive tiers

@pytest.mark.parametrize("value, tier", [
    (1.20, "star"), (1.1999, "achieved"), (1.00, "achieved"), (0.9999, "watch"),
    (0.80, "watch"), (0.7999, "coaching"), (0.0, "coaching"), (NAN, "no target"),
])
def test_tier_band_edges(value, tier):
    p = progress(row(level="rep", unit="Ann", ytd_attainment=value))
    assert incentive_tiers(p)["tier"].tolist() == [tier]


def test_incentive_tiers_sorted_and_filtered():
    p = progress(row(level="rep", unit="Bob", ytd_attainment=0.9),
                 row(level="rep", unit="Ann", ytd_attainment=NAN),
                 row(level="rep", unit="Cat", team="West", ytd_attainment=1.3),
                 row(level="rep", unit="Dan", metric="quantity", ytd_attainment=2.0),
                 row(level="team", unit="East", ytd_attainment=1.1))
    expected = pd.DataFrame({"unit": ["Cat", "Bob", "Ann"], "team": ["West", "East", "East"],
                             "value": [1.3, 0.9, NAN], "tier": ["star", "watch", "no target"]})
    assert_frame_equal(incentive_tiers(p), expected, check_dtype=False)


def test_custom_tiers_merge_with_defaults():
    p = progress(row(level="rep", unit="Ann", ytd_attainment=0.75))
    assert incentive_tiers(p, tiers={"watch": 0.7})["tier"].tolist() == ["watch"]
    assert DEFAULT_TIERS["watch"] == 0.80


@pytest.mark.parametrize("tiers", [{"star": 1.0}, {"watch": 1.1}, {"achieved": 1.2}])
def test_tiers_must_strictly_decrease(tiers):
    with pytest.raises(ParamsError, match="strictly decreasing"):
        incentive_tiers(progress(), tiers=tiers)


def test_unknown_tier_key():
    with pytest.raises(ParamsError, match="gold"):
        incentive_tiers(progress(), tiers={"gold": 1.5})


def test_incentive_tiers_missing_column():
    with pytest.raises(SchemaError, match="ytd_attainment"):
        incentive_tiers(progress().drop(columns="ytd_attainment"))


def test_tier_summary_lists_every_tier_in_order():
    p = progress(row(level="rep", unit="Bob", ytd_attainment=1.25),
                 row(level="rep", unit="Ann", ytd_attainment=1.3),
                 row(level="rep", unit="Cat", ytd_attainment=0.5),
                 row(level="rep", unit="Dan", ytd_attainment=NAN))
    expected = pd.DataFrame({"tier": list(TIER_ORDER), "count": [2, 0, 0, 1, 1],
                             "names": ["Ann, Bob", "", "", "Cat", "Dan"]})
    assert_frame_equal(tier_summary(incentive_tiers(p)), expected, check_dtype=False)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.floats(0, 3), st.just(NAN)), min_size=1, max_size=15))
def test_tiers_follow_value_order(values):
    p = progress(*[row(level="rep", unit=f"R{i:02d}", ytd_attainment=v)
                   for i, v in enumerate(values)])
    t = incentive_tiers(p)
    ranks = [TIER_ORDER.index(x) for x in t["tier"]]
    assert ranks == sorted(ranks)
    assert tier_summary(t)["count"].sum() == len(values)
    assert (t["tier"] == "no target").sum() == int(np.isnan(values).sum())


def test_money_in_messages_is_compact_with_the_currency_when_given():
    p = pd.DataFrame({"level": ["team"], "unit": ["East"], "team": ["East"],
                      "metric": ["amount"], "actual": [2_154_238.0],
                      "annual_completion": [0.5], "planned_progress": [0.5], "pace": [0.0],
                      "prev_actual": [2_871_000.0], "mom": [2_154_238.0 / 2_871_000.0 - 1],
                      "last_year_actual": [np.nan], "yoy": [np.nan]})
    plain = evaluate_alerts(p, as_of="2025-03-31")
    money = evaluate_alerts(p, as_of="2025-03-31", currency="$")
    assert "(from 2,871,000 to 2,154,238)" in plain.loc[0, "message"]
    assert "(from $2.87M to $2.15M)" in money.loc[0, "message"]
    assert money.drop(columns="message").equals(plain.drop(columns="message"))


# ---------------------------------------------------------------- no phantom units
def test_a_target_for_a_unit_found_nowhere_is_a_finding_not_a_team():
    from conftest import make_tiny_org, make_tiny_sales, make_tiny_targets

    from salesnb.io import load_dataset
    from salesnb.report import prepare
    t = make_tiny_targets()
    typo = pd.DataFrame({"period": ["2025"], "level": ["team"], "unit": ["Eastt"],
                         "metric": ["amount"], "target": [1200.0]})
    ds = load_dataset(sales=make_tiny_sales(), targets=pd.concat([t, typo], ignore_index=True),
                      org=make_tiny_org())
    tables = prepare(ds, month="2025-02")
    assert "Eastt" not in set(tables["progress"]["unit"])
    assert "Eastt" not in set(tables["ranking"]["unit"])
    assert "Eastt" not in set(tables["alerts"]["unit"])
    assert "Eastt" not in set(tables["targets"]["unit"])
    assert "Eastt" not in set(tables["attribution"]["child"])
    q = tables["quality"]
    assert (q["check"] == "target_unit_unknown").any()
    assert q.loc[q["check"] == "target_unit_unknown", "detail"].str.contains("Eastt").any()
