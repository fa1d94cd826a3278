"""Tests for salesnb.targets: splits, expansion to months, roll-ups, mismatches, growth targets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesnb.cube import build_cube, monthly_actuals
from salesnb.exceptions import DataError, ParamsError, SchemaError
from salesnb.targets import (
    known_unit_targets,
    largest_remainder,
    monthly_targets,
    prior_year_growth,
    rollup,
    split_annual,
    split_to_children,
    target_mismatches,
)


def _cents(a) -> int:
    return int(round(float(np.sum(np.round(np.asarray(a) * 100)))))


def _targets(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["period", "level", "unit", "metric", "target"])


# ----------------------------------------------------------------------------- largest_remainder
@pytest.mark.parametrize(
    ("weights", "total", "decimals", "expected"),
    [
        ([1, 1, 1], 100, 2, [33.34, 33.33, 33.33]),      # 10000 cents / 3 = 3333 r1 -> first +1
        ([1, 1, 1], -100, 2, [-33.33, -33.33, -33.34]),  # floors -3334 x3 = -10002, 2 back up
        ([2, 1], 10, 0, [7.0, 3.0]),                     # 6.67 / 3.33 -> 6 + 1 (largest rem) / 3
        ([1, 2, 3, 4], 1, 2, [0.1, 0.2, 0.3, 0.4]),      # exact parts stay exact
        ([3, -1], 10, 2, [15.0, -5.0]),                  # mixed signs: 3/2*10, -1/2*10
        ([1, 1], 0.01, 2, [0.01, 0.0]),                  # one cent cannot be halved: tie -> first
    ],
)
def test_largest_remainder_hand_worked(weights, total, decimals, expected):
    np.testing.assert_allclose(largest_remainder(weights, total, decimals=decimals), expected)


def test_largest_remainder_zero_weights_is_an_error():
    with pytest.raises(ParamsError, match="sum to 0"):
        largest_remainder([0, 0, 0], 100)


def test_largest_remainder_nan_weight_is_an_error():
    with pytest.raises(ParamsError, match="finite"):
        largest_remainder([1, np.nan], 100)


@settings(max_examples=60, deadline=None)
@given(
    weights=st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=24).filter(
        lambda w: sum(w) > 1e-3),
    total=st.floats(-1e8, 1e8, allow_nan=False),
)
def test_largest_remainder_parts_add_up_exactly(weights, total):
    parts = largest_remainder(weights, total)
    assert len(parts) == len(weights)
    # each part is whole cents, and the cents add up to the rounded total's cents
    np.testing.assert_allclose(parts * 100, np.round(parts * 100), atol=1e-6)
    assert _cents(parts) == int(round(round(total, 2) * 100))
    # no part is more than a cent away from its exact share
    exact = np.asarray(weights) / sum(weights) * total
    assert np.all(np.abs(parts - exact) <= 0.01 + 1e-6 * max(1.0, abs(total)))


# ----------------------------------------------------------------------------- split_annual
def test_split_annual_equal_rounds_to_exact_total():
    # 1000 / 12 = 83.333..; 100000 cents = 12 x 8333 + 4 -> the first 4 months get 83.34
    parts = split_annual(1000)
    np.testing.assert_allclose(parts, [83.34] * 4 + [83.33] * 8)
    assert _cents(parts) == 100000


def test_split_annual_seasonal_uses_last_year_shares():
    # weights 1..12 sum to 78; 780 * i / 78 = 10 * i
    parts = split_annual(780, method="seasonal", weights=list(range(1, 13)))
    np.testing.assert_allclose(parts, [10.0 * i for i in range(1, 13)])


@pytest.mark.parametrize("weights", [[0.0] * 12, [-5.0] + [0.0] * 11, [np.nan] * 12])
def test_split_annual_seasonal_without_history_falls_back_to_equal(weights):
    np.testing.assert_allclose(split_annual(1200, method="seasonal", weights=weights), [100.0] * 12)


def test_split_annual_distribution_percentages():
    # 4 months of 10 % + 8 months of 7.5 % = 100 %; 1200 x 10 % = 120, x 7.5 % = 90
    parts = split_annual(1200, method="distribution", weights=[10] * 4 + [7.5] * 8)
    np.testing.assert_allclose(parts, [120.0] * 4 + [90.0] * 8)


def test_split_annual_distribution_not_totalling_100_names_its_total():
    with pytest.raises(ParamsError, match=r"total 100.*total 96"):
        split_annual(1200, method="distribution", weights=[8] * 12)


def test_split_annual_distribution_needs_12_values():
    with pytest.raises(ParamsError, match="12"):
        split_annual(1200, method="distribution", weights=[50, 50])


def test_split_annual_unknown_method_is_an_error():
    with pytest.raises(ParamsError, match="method"):
        split_annual(1200, method="weekly")


# ----------------------------------------------------------------------------- split_to_children
def test_split_to_children_by_last_year_actuals():
    # last year East 1800, West 1200 -> 60 % / 40 % of 5000
    out = split_to_children(5000, {"East": 1800.0, "West": 1200.0})
    assert out.to_dict() == {"East": 3000.0, "West": 2000.0}
    assert out.name == "target"


def test_split_to_children_sums_exactly():
    out = split_to_children(100, {"a": 1, "b": 1, "c": 1})
    assert list(out) == [33.34, 33.33, 33.33]


def test_split_to_children_rejects_non_positive_shares():
    with pytest.raises(ParamsError, match="positive"):
        split_to_children(100, {"a": 0, "b": 0})


# ----------------------------------------------------------------------------- monthly_targets
def test_monthly_targets_tiny_fixture_equal_split(tiny_targets):
    out = monthly_targets(tiny_targets)
    assert list(out.columns) == ["month", "level", "unit", "metric", "target"]
    assert len(out) == 7 * 12
    # company first, then teams, then reps, each alphabetically, months in order
    assert list(out["unit"].drop_duplicates()) == ["Company", "East", "West", "Ann", "Bob",
                                                   "Cat", "Dan"]
    assert list(out["month"].iloc[:2].astype(str)) == ["2025-01", "2025-02"]
    per_unit = out.groupby("unit")["target"].agg(["min", "max", "sum"])
    # 3600 / 12 = 300, 1800 / 12 = 150, 600 / 12 = 50
    assert per_unit.loc["Company"].tolist() == [300.0, 300.0, 3600.0]
    assert per_unit.loc["West"].tolist() == [150.0, 150.0, 1800.0]
    assert per_unit.loc["Dan"].tolist() == [50.0, 50.0, 600.0]


def test_monthly_targets_does_not_mutate_input(tiny_targets):
    before = tiny_targets.copy()
    monthly_targets(tiny_targets)
    pd.testing.assert_frame_equal(tiny_targets, before)


def test_monthly_targets_normalises_company_name():
    t = _targets([("2025", "Company", "ACME Ltd", "amount", 1200.0)])
    out = monthly_targets(t)
    assert set(out["unit"]) == {"Company"}
    assert set(out["level"]) == {"company"}


def test_monthly_targets_quarter_and_month_rows():
    t = _targets([("2025-Q2", "team", "East", "amount", 300.0),
                  ("2025-07", "team", "East", "amount", 90.0)])
    out = monthly_targets(t)
    assert list(out["month"].astype(str)) == ["2025-04", "2025-05", "2025-06", "2025-07"]
    assert list(out["target"]) == [100.0, 100.0, 100.0, 90.0]  # 300 / 3 = 100


def test_monthly_targets_fiscal_year_starting_in_july():
    # fiscal 2026 = 2025-07 .. 2026-06; its Q1 = Jul, Aug, Sep 2025
    t = _targets([("2026", "team", "East", "amount", 1200.0),
                  ("2026-Q1", "team", "West", "amount", 90.0)])
    out = monthly_targets(t, fiscal_year_start=7)
    east = out[out["unit"] == "East"]
    assert str(east["month"].iloc[0]) == "2025-07" and str(east["month"].iloc[-1]) == "2026-06"
    west = out[out["unit"] == "West"]
    assert list(west["month"].astype(str)) == ["2025-07", "2025-08", "2025-09"]
    assert list(west["target"]) == [30.0, 30.0, 30.0]


def test_monthly_targets_finer_rows_win_over_the_year_row():
    t = _targets([("2025", "rep", "Ann", "amount", 1200.0),
                  ("2025-03", "rep", "Ann", "amount", 500.0),
                  ("2025", "rep", "Bob", "amount", 600.0)])
    out = monthly_targets(t)
    ann = out[out["unit"] == "Ann"]
    assert list(ann["month"].astype(str)) == ["2025-03"] and list(ann["target"]) == [500.0]
    assert len(out[out["unit"] == "Bob"]) == 12  # Bob's year row is unaffected


def test_monthly_targets_month_rows_win_over_their_quarter_row():
    t = _targets([("2025-Q1", "rep", "Ann", "amount", 300.0),
                  ("2025-02", "rep", "Ann", "amount", 50.0),
                  ("2025-Q2", "rep", "Ann", "amount", 60.0)])
    out = monthly_targets(t)
    assert list(out["month"].astype(str)) == ["2025-02", "2025-04", "2025-05", "2025-06"]
    assert list(out["target"]) == [50.0, 20.0, 20.0, 20.0]


def test_monthly_targets_seasonal_from_last_year_actuals():
    # Company 2024 actuals 10, 20, ..., 120 (sum 780): 1560 x i/78 = 20 x i.
    # Ann has no 2024 history -> equal split of 1200 -> 100 a month.
    last = pd.DataFrame({"month": pd.period_range("2024-01", periods=12, freq="M"),
                         "level": "company", "unit": "Company", "team": "", "metric": "amount",
                         "actual": [10.0 * i for i in range(1, 13)]})
    t = _targets([("2025", "company", "Company", "amount", 1560.0),
                  ("2025", "rep", "Ann", "amount", 1200.0),
                  ("2025-Q4", "company", "Company", "quantity", 100.0)])
    out = monthly_targets(t, method="seasonal", last_year=last)
    comp = out[(out["unit"] == "Company") & (out["metric"] == "amount")]
    assert list(comp["target"]) == [20.0 * i for i in range(1, 13)]
    assert set(out.loc[out["unit"] == "Ann", "target"]) == {100.0}
    # no quantity history: the quarter falls back to equal thirds, in whole units
    # (100 / 3 = 33.33 each: floors 33+33+33 = 99, the one unit left goes to the first)
    q = out[out["metric"] == "quantity"]
    assert list(q["target"]) == [34.0, 33.0, 33.0]


def test_monthly_targets_seasonal_needs_last_year():
    t = _targets([("2025", "company", "Company", "amount", 1200.0)])
    with pytest.raises(ParamsError, match="last_year"):
        monthly_targets(t, method="seasonal")


def test_monthly_targets_distribution_in_a_july_fiscal_year():
    # first fiscal month (July) 20 %, the other 11 months 80/11 % each
    dist = [20.0] + [80.0 / 11] * 11
    t = _targets([("2026", "team", "East", "amount", 1000.0)])
    out = monthly_targets(t, fiscal_year_start=7, method="distribution", distribution=dist)
    assert str(out["month"].iloc[0]) == "2025-07" and out["target"].iloc[0] == 200.0
    assert _cents(out["target"]) == 100000  # 800 / 11 = 72.7272.. still adds up to 1000


def test_monthly_targets_distribution_must_total_100():
    t = _targets([("2025", "team", "East", "amount", 1000.0)])
    with pytest.raises(ParamsError, match="total 100"):
        monthly_targets(t, method="distribution", distribution=[9.0] * 12)


@pytest.mark.parametrize(
    ("row", "error", "match"),
    [
        (("2025", "region", "North", "amount", 1.0), DataError, "level"),
        (("2025", "team", "East", "revenue", 1.0), DataError, "metric"),
        (("2025-13", "team", "East", "amount", 1.0), DataError, "period"),
        (("2025", "team", "East", "amount", None), DataError, "target"),
    ],
)
def test_monthly_targets_bad_rows_name_column_and_row(row, error, match):
    t = _targets([("2025", "team", "West", "amount", 1.0), row])
    with pytest.raises(error, match=rf"{match}.*rows 3"):  # header = line 1, bad row = line 3
        monthly_targets(t)


def test_monthly_targets_duplicate_rows_are_an_error():
    t = _targets([("2025", "team", "East", "amount", 1.0), ("2025", "team", "East", "amount", 2.0)])
    with pytest.raises(DataError, match="more than one row"):
        monthly_targets(t)


def test_monthly_targets_missing_column_lists_missing_and_present():
    with pytest.raises(SchemaError, match=r"\['target'\].*\['period', 'level'"):
        monthly_targets(pd.DataFrame({"period": ["2025"], "level": ["team"], "unit": ["E"],
                                      "metric": ["amount"]}))


def test_monthly_targets_accepts_integer_periods():
    t = _targets([(2025, "team", "East", "amount", 120.0)])
    assert len(monthly_targets(t)) == 12


# ----------------------------------------------------------------------------- rollup
def test_rollup_to_quarter_and_year(tiny_targets):
    monthly = monthly_targets(tiny_targets)
    q = rollup(monthly, to="quarter")
    assert list(q.columns) == ["period", "level", "unit", "metric", "target"]
    comp = q[q["unit"] == "Company"]
    assert list(comp["period"]) == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert list(comp["target"]) == [900.0] * 4  # 3 x 300
    y = rollup(monthly, to="year")
    expected = tiny_targets.set_index("unit")["target"].to_dict()
    assert y.set_index("unit")["target"].to_dict() == expected


def test_rollup_uses_fiscal_labels():
    m = pd.DataFrame({"month": pd.PeriodIndex(["2025-06", "2025-07", "2026-06"], freq="M"),
                      "level": "team", "unit": "East", "metric": "amount",
                      "target": [1.0, 2.0, 4.0]})
    y = rollup(m, to="year", fiscal_year_start=7)
    assert list(y["period"]) == ["2025", "2026"] and list(y["target"]) == [1.0, 6.0]


# ----------------------------------------------------------------------------- mismatches
def test_target_mismatches_none_for_consistent_targets(tiny_targets, tiny_org):
    out = target_mismatches(monthly_targets(tiny_targets), tiny_org)
    assert out.empty
    assert list(out.columns) == ["year", "metric", "parent_level", "parent", "parent_target",
                                 "children_target", "difference", "children"]


def test_target_mismatches_finds_company_and_team(tiny_targets, tiny_org):
    t = tiny_targets.copy()
    t.loc[t["unit"] == "East", "target"] = 1700.0
    out = target_mismatches(monthly_targets(t), tiny_org)
    # company 3600 vs teams 1700 + 1800 = 3500; East 1700 vs Ann 1200 + Bob 600 = 1800
    assert list(out["parent"]) == ["Company", "East"]
    assert list(out["children_target"]) == [3500.0, 1800.0]
    assert list(out["difference"]) == [-100.0, 100.0]
    assert list(out["children"]) == ["East, West", "Ann, Bob"]
    assert list(out["year"]) == [2025, 2025]


def test_target_mismatches_counts_each_month_for_the_team_of_that_month():
    # Ann (1200 a year = 100 a month) moved from East to West on 2025-07-01: her Jan-Jun
    # targets (600) count for East, Jul-Dec (600) for West. East: Ann 600 + Bob 600 = 1200;
    # West: Ann 600 = 600. Team targets that agree with that give no mismatch.
    t = _targets([("2025", "team", "East", "amount", 1200.0),
                  ("2025", "team", "West", "amount", 600.0),
                  ("2025", "rep", "Ann", "amount", 1200.0),
                  ("2025", "rep", "Bob", "amount", 600.0)])
    org = pd.DataFrame({"rep": ["Ann", "Ann", "Bob"], "team": ["East", "West", "East"],
                        "start": pd.to_datetime([None, "2025-07-01", None]),
                        "end": pd.to_datetime(["2025-06-30", None, None])})
    assert target_mismatches(monthly_targets(t), org).empty
    # counting Ann's whole year for West (her team at year end) would be a mismatch
    t2 = _targets([("2025", "team", "East", "amount", 600.0),
                   ("2025", "team", "West", "amount", 1200.0),
                   ("2025", "rep", "Ann", "amount", 1200.0),
                   ("2025", "rep", "Bob", "amount", 600.0)])
    m = target_mismatches(monthly_targets(t2), org).set_index("parent")
    assert m.loc["East", "children_target"] == 1200.0 and m.loc["West", "children_target"] == 600.0


def test_target_mismatches_skips_parents_without_child_targets():
    t = _targets([("2025", "company", "Company", "amount", 100.0),
                  ("2025", "team", "East", "amount", 100.0)])
    # company = East exactly; East has no reps with targets -> not checked
    assert target_mismatches(monthly_targets(t), None).empty


def test_target_mismatches_respects_tolerance():
    t = _targets([("2025", "company", "Company", "amount", 100.0),
                  ("2025", "team", "East", "amount", 99.995)])
    assert target_mismatches(monthly_targets(t, decimals=3), None, tolerance=0.01).empty
    assert len(target_mismatches(monthly_targets(t, decimals=3), None, tolerance=0.001)) == 1


# ----------------------------------------------------------------------------- prior_year_growth
def test_prior_year_growth_tiny_fixture(tiny_sales):
    actuals = monthly_actuals(build_cube(tiny_sales))
    out = prior_year_growth(actuals, year=2025, growth=0.1)
    assert list(out.columns) == ["period", "level", "unit", "metric", "target"]
    assert len(out) == 7 * 12
    got = out.groupby("unit")["target"].first().to_dict()
    # 2024 monthly actual x 1.1: Company 300 -> 330, Ann 100 -> 110, Dan 70 -> 77
    assert got["Company"] == 330.0 and got["Ann"] == 110.0 and got["Dan"] == 77.0
    assert out["period"].iloc[0] == "2025-01"
    # the result is a valid targets table
    assert len(monthly_targets(out)) == 84


def test_prior_year_growth_rounds_so_months_add_up():
    # 33.33 x 1.1 = 36.663 each; year 399.96 x 1.1 = 439.956 -> 439.96 = 43996 cents;
    # floors 3666 x 12 = 43992, the 4 missing cents go to the first 4 months
    a = pd.DataFrame({"month": pd.period_range("2024-01", periods=12, freq="M"),
                      "level": "rep", "unit": "Ann", "team": "East", "metric": "amount",
                      "actual": [33.33] * 12})
    out = prior_year_growth(a, year=2025, growth=0.1)
    np.testing.assert_allclose(out["target"], [36.67] * 4 + [36.66] * 8)


def test_prior_year_growth_fiscal_july_and_missing_months():
    # fiscal 2025 = 2024-07 .. 2025-06; only 2024-08 has data (200) -> Aug 2025 = 220, rest 0
    a = pd.DataFrame({"month": pd.PeriodIndex(["2024-08"], freq="M"), "level": "team",
                      "unit": "East", "team": "East", "metric": "amount", "actual": [200.0]})
    out = prior_year_growth(a, year=2026, growth=0.1, fiscal_year_start=7)
    assert out["period"].iloc[0] == "2025-07"
    assert out.set_index("period")["target"].to_dict()["2025-08"] == 220.0
    assert out["target"].sum() == 220.0


# ----------------------------------------------------------------------------- counts
def test_new_customer_year_target_splits_into_whole_customers():
    # East's 46 new customers a year: 46 / 12 = 3.83 -> floors 3 x 12 = 36, the 10 units
    # left go to the 10 largest remainders (all equal: the first 10 months) -> 4 x 10 + 3 x 2
    t = _targets([("2026", "team", "East", "new_customers", 46.0),
                  ("2026", "team", "East", "amount", 46.0)])
    out = monthly_targets(t)
    nc = out[out["metric"] == "new_customers"]["target"].tolist()
    assert nc == [4.0] * 10 + [3.0] * 2 and sum(nc) == 46
    # amounts still split to the cent: 46 / 12 = 3.8333 -> 3.84 x 4 + 3.83 x 8
    amt = out[out["metric"] == "amount"]["target"].tolist()
    assert amt == [3.84] * 4 + [3.83] * 8


def test_prior_year_growth_counts_are_whole_units():
    last = pd.DataFrame({"month": pd.period_range("2024-01", periods=12, freq="M"),
                         "level": "team", "unit": "East", "metric": "new_customers",
                         "actual": [3.0, 4.0, 5.0, 3.0, 2.0, 4.0, 5.0, 3.0, 4.0, 2.0, 4.0, 3.0]})
    out = prior_year_growth(last, year=2025, growth=0.1, metric="new_customers")
    # 42 x 1.1 = 46.2 -> 46 whole customers, every month a whole number
    assert out["target"].sum() == 46 and (out["target"] % 1 == 0).all()


@given(total=st.integers(min_value=0, max_value=10_000),
       weights=st.lists(st.floats(min_value=0.0, max_value=1e6, allow_nan=False),
                        min_size=12, max_size=12),
       metric=st.sampled_from(["quantity", "new_customers"]))
@settings(max_examples=200, deadline=None)
def test_count_splits_are_whole_units_that_add_up(total, weights, metric):
    parts = split_annual(total, method="seasonal", weights=weights, metric=metric)
    assert (parts == np.round(parts)).all()
    assert int(parts.sum()) == total
    assert (parts >= 0).all()


@given(total=st.integers(min_value=-5_000, max_value=5_000),
       shares=st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=8))
@settings(max_examples=200, deadline=None)
def test_count_children_splits_are_whole_units_that_add_up(total, shares):
    s = split_to_children(total, {f"c{i}": v for i, v in enumerate(shares)},
                          metric="new_customers")
    assert (s == np.round(s)).all() and int(s.sum()) == total


@given(total=st.integers(min_value=0, max_value=10**8).map(lambda c: c / 100),
       shares=st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=8))
@settings(max_examples=200, deadline=None)
def test_amount_children_splits_add_up_to_the_cent(total, shares):
    s = split_to_children(total, {f"c{i}": v for i, v in enumerate(shares)}, metric="amount")
    assert round(s.sum() * 100) == round(total * 100)
    assert np.allclose(s * 100, np.round(s * 100))  # whole cents


def test_targets_of_units_found_nowhere_are_dropped_not_kept_as_units():
    m = pd.DataFrame({"month": pd.PeriodIndex(["2025-01"] * 5, freq="M"),
                      "level": ["company", "team", "team", "rep", "rep"],
                      "unit": ["Company", "East", "Eastt", "Ann", "Zed"], "metric": "amount",
                      "target": [300.0, 200.0, 100.0, 50.0, 10.0]})
    kept, dropped = known_unit_targets(m, teams={"East"}, reps={"Ann"})
    assert kept["unit"].tolist() == ["Company", "East", "Ann"]
    assert dropped["unit"].tolist() == ["Eastt", "Zed"]
    assert len(kept) + len(dropped) == len(m)
