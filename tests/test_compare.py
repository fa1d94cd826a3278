"""Tests of salesnb.compare on the tiny fixture (see conftest's docstring) and small frames."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesnb.compare import (
    consistency,
    customer_growth,
    peer_stats,
    period_growth,
    rank_units,
    ytd_like_for_like,
)
from salesnb.cube import build_cube, monthly_actuals
from salesnb.exceptions import ParamsError, SchemaError

# the tiny fixture's 2025 annual targets split equally: one month's target per unit
MONTH_TARGET = {"Company": ("company", 300.0), "East": ("team", 150.0), "West": ("team", 150.0),
                "Ann": ("rep", 100.0), "Bob": ("rep", 50.0), "Cat": ("rep", 100.0),
                "Dan": ("rep", 50.0)}


def tiny_monthly_targets() -> pd.DataFrame:
    months = pd.period_range("2025-01", "2025-12", freq="M")
    return pd.DataFrame([(m, lv, u, "amount", t) for m in months
                         for u, (lv, t) in MONTH_TARGET.items()],
                        columns=["month", "level", "unit", "metric", "target"])


@pytest.fixture
def tiny_actuals(tiny_sales) -> pd.DataFrame:
    return monthly_actuals(build_cube(tiny_sales))


def nan_eq(a, b) -> bool:
    if isinstance(b, float) and math.isnan(b):
        return math.isnan(a)
    return a == pytest.approx(b)


# ---------------------------------------------------------------- period_growth

@pytest.mark.parametrize(
    "unit, actual, prev, mom, ly, yoy, ytd, ytd_ly, ytd_yoy",
    [
        # 260/330-1 ; 260/300-1 ; ytd 330+260=590 vs 300+300=600
        ("Company", 260.0, 330.0, 260 / 330 - 1, 300.0, 260 / 300 - 1, 590.0, 600.0, -10 / 600),
        ("East", 160.0, 160.0, 0.0, 150.0, 10 / 150, 320.0, 300.0, 20 / 300),
        ("West", 100.0, 170.0, 100 / 170 - 1, 150.0, -50 / 150, 270.0, 300.0, -0.1),
        # Dan sold nothing in 2025-02: actual 0, MoM 0/70-1 = -1
        ("Dan", 0.0, 70.0, -1.0, 70.0, -1.0, 70.0, 140.0, -0.5),
    ],
)
def test_period_growth_tiny_february(tiny_actuals, unit, actual, prev, mom, ly, yoy, ytd,
                                     ytd_ly, ytd_yoy):
    g = period_growth(tiny_actuals, month="2025-02").set_index("unit").loc[unit]
    got = [g.actual, g.prev_actual, g.mom, g.last_year_actual, g.yoy, g.ytd_actual,
           g.ytd_last_year, g.ytd_yoy]
    assert got == pytest.approx([actual, prev, mom, ly, yoy, ytd, ytd_ly, ytd_yoy])


def test_period_growth_columns_and_order(tiny_actuals):
    g = period_growth(tiny_actuals, month="2025-02")
    assert list(g.columns) == ["level", "unit", "team", "metric", "actual", "prev_actual", "mom",
                               "last_year_actual", "yoy", "ytd_actual", "ytd_last_year",
                               "ytd_yoy"]
    assert g["unit"].tolist() == ["Company", "East", "West", "Ann", "Bob", "Cat", "Dan"]
    assert g["team"].tolist() == ["", "East", "West", "East", "East", "West", "West"]


def test_period_growth_missing_base_is_nan(tiny_actuals):
    # 2024-01 is the first month: no previous month and no last year
    g = period_growth(tiny_actuals, month="2024-01").set_index("unit").loc["Company"]
    assert math.isnan(g.prev_actual) and math.isnan(g.mom)
    assert math.isnan(g.yoy) and math.isnan(g.ytd_yoy)


def test_period_growth_fiscal_year_start(tiny_actuals):
    # fiscal year from July: YTD at 2025-02 = 2024-07..2024-12 (6 x 300) + 330 + 260 = 2390
    g = period_growth(tiny_actuals, month="2025-02", fiscal_year_start=7)
    comp = g.set_index("unit").loc["Company"]
    assert comp.ytd_actual == pytest.approx(2390.0)
    # last year's same months 2023-07..2024-02: only 2024-01 and 2024-02 are in the data
    assert comp.ytd_last_year == pytest.approx(600.0)


def test_period_growth_month_outside_data(tiny_actuals):
    with pytest.raises(ParamsError, match="2026-01"):
        period_growth(tiny_actuals, month="2026-01")


def test_period_growth_missing_column(tiny_actuals):
    with pytest.raises(SchemaError, match="actual"):
        period_growth(tiny_actuals.drop(columns="actual"), month="2025-02")


# ---------------------------------------------------------------- ytd_like_for_like

@pytest.mark.parametrize(
    "as_of, level, unit, ytd, ly",
    [
        # sales are on the 15th: through Feb 10 only January counts, both years
        ("2025-02-10", "company", "Company", 330.0, 300.0),
        ("2025-02-10", "team", "East", 160.0, 150.0),
        ("2025-02-10", "rep", "Dan", 70.0, 70.0),
        # through Feb 15 February counts too: 330+260 vs 300+300
        ("2025-02-15", "company", "Company", 590.0, 600.0),
    ],
)
def test_ytd_like_for_like_mid_month(tiny_sales, as_of, level, unit, ytd, ly):
    r = ytd_like_for_like(tiny_sales, as_of=as_of, level=level).set_index("unit").loc[unit]
    assert (r.ytd, r.ytd_last_year) == pytest.approx((ytd, ly))
    assert r.ytd_yoy == pytest.approx(ytd / ly - 1)
    assert r.span_start == pd.Timestamp("2025-01-01")
    assert r.last_year_end == pd.Timestamp(as_of) - pd.DateOffset(years=1)


def _leap_sales() -> pd.DataFrame:
    days = ["2023-02-28", "2023-03-01", "2024-02-28", "2024-02-29", "2025-02-28"]
    return pd.DataFrame({"date": pd.to_datetime(days), "team": "East", "rep": "Ann",
                         "amount": [10.0, 1000.0, 20.0, 5.0, 40.0], "quantity": 1.0})


def test_ytd_like_for_like_leap_day_maps_to_feb_28():
    r = ytd_like_for_like(_leap_sales(), as_of="2024-02-29").iloc[0]
    # this year 20 + 5 = 25; last year through 2023-02-28 only: 10 (the 1000 is on Mar 1)
    assert r.last_year_end == pd.Timestamp("2023-02-28")
    assert (r.ytd, r.ytd_last_year, r.ytd_yoy) == pytest.approx((25.0, 10.0, 1.5))


def test_ytd_like_for_like_feb_28_leaves_out_last_years_leap_day():
    r = ytd_like_for_like(_leap_sales(), as_of="2025-02-28").iloc[0]
    # last year's span ends on 2024-02-28: 20 counts, the 5 of Feb 29 does not
    assert r.last_year_end == pd.Timestamp("2024-02-28")
    assert (r.ytd, r.ytd_last_year) == pytest.approx((40.0, 20.0))


def test_ytd_like_for_like_quantity_and_fiscal_start(tiny_sales):
    # fiscal year from July: 2024-07-01..2025-02-10 = 6 months x 30 units + 33 (Jan) = 213
    r = ytd_like_for_like(tiny_sales, as_of="2025-02-10", fiscal_year_start=7,
                          level="company", metric="quantity").iloc[0]
    assert r.span_start == pd.Timestamp("2024-07-01")
    assert r.ytd == pytest.approx(213.0)
    # last year 2023-07-01..2024-02-10: only 2024-01 (30 units) is in the data
    assert r.ytd_last_year == pytest.approx(30.0)


def test_ytd_like_for_like_no_data_last_year_is_nan(tiny_sales):
    r = ytd_like_for_like(tiny_sales, as_of="2024-03-31", level="company").iloc[0]
    assert r.ytd == pytest.approx(900.0) and math.isnan(r.ytd_last_year)
    assert math.isnan(r.ytd_yoy)


def test_ytd_like_for_like_bad_level(tiny_sales):
    with pytest.raises(ParamsError, match="level"):
        ytd_like_for_like(tiny_sales, as_of="2025-02-10", level="region")


# ---------------------------------------------------------------- customer_growth

def _customer_months() -> pd.DataFrame:
    rows = [  # month, team, rep, customer, is_new
        ("2024-02", "East", "Ann", "c1", True),
        ("2025-01", "East", "Ann", "c1", False),
        ("2025-01", "West", "Cat", "c3", True),
        ("2025-02", "East", "Ann", "c1", False),
        ("2025-02", "East", "Bob", "c1", False),   # c1 buys from two East reps
        ("2025-02", "East", "Bob", "c2", True),
        ("2025-02", "West", "Cat", "c2", True),    # c2 new, buys from both teams
    ]
    df = pd.DataFrame(rows, columns=["month", "team", "rep", "customer_id", "is_new"])
    return df.assign(month=pd.PeriodIndex(df["month"], freq="M"))


@pytest.mark.parametrize(
    "level, unit, active, prev, ly, new",
    [
        ("company", "Company", 2, 2.0, 1.0, 1),  # c1, c2 | c1, c3 | c1 ; new c2
        ("team", "East", 2, 1.0, 1.0, 1),        # c1 once though it bought from Ann and Bob
        ("team", "West", 1, 1.0, 0.0, 1),        # c2 | c3 | none
        ("rep", "Bob", 2, 0.0, 0.0, 1),          # c1, c2
    ],
)
def test_customer_growth_counts_once_per_unit(level, unit, active, prev, ly, new):
    r = customer_growth(_customer_months(), month="2025-02", level=level)
    row = r.set_index("unit").loc[unit]
    assert (row.active, row.active_prev_month, row.active_last_year, row.new_customers) == (
        active, prev, ly, new)
    assert nan_eq(row.active_mom, active / prev - 1 if prev else float("nan"))
    assert nan_eq(row.active_yoy, active / ly - 1 if ly else float("nan"))


def test_customer_growth_before_data_is_nan():
    # the data starts 2024-02: last year of 2025-01 (2024-01) is not covered
    r = customer_growth(_customer_months(), month="2025-01").iloc[0]
    assert r.active == 2 and math.isnan(r.active_last_year) and math.isnan(r.active_yoy)
    assert math.isnan(r.new_last_year)


def test_customer_growth_tiny_fixture(tiny_sales):
    from salesnb.cube import customer_months
    r = customer_growth(customer_months(tiny_sales), month="2025-02", level="team")
    # West: only Cat's customer bought in February (Dan had no sale): 1 vs 2 -> -50 %
    assert r.set_index("unit").loc["West", "active_mom"] == pytest.approx(-0.5)


# ---------------------------------------------------------------- rank_units

def test_rank_ties_broken_by_actual():
    t = pd.DataFrame({"unit": ["A", "B", "C", "D"], "team": "T",
                      "attainment": [1.0, 1.0, 1.2, 1.0], "actual": [50.0, 80.0, 10.0, 50.0]})
    r = rank_units(t)
    # C best attainment; B beats A and D on amount; A and D tie on both -> share rank 3
    assert r["unit"].tolist() == ["C", "B", "A", "D"]
    assert r["rank"].tolist() == [1, 2, 3, 3]


def test_rank_nan_attainment_last():
    t = pd.DataFrame({"unit": ["A", "B", "C"], "attainment": [np.nan, 0.1, np.nan],
                      "actual": [500.0, 1.0, 900.0]})
    r = rank_units(t)
    assert r["unit"].tolist() == ["B", "C", "A"] and r["rank"].tolist() == [1, 2, 3]


def test_rank_within_team():
    t = pd.DataFrame({"unit": ["Ann", "Bob", "Cat", "Dan"],
                      "team": ["East", "East", "West", "West"],
                      "attainment": [1.2, 0.8, 1.0, 0.0], "actual": [120.0, 40.0, 100.0, 0.0]})
    r = rank_units(t, within="team")
    assert list(zip(r["unit"], r["rank"], strict=True)) == [("Ann", 1), ("Bob", 2), ("Cat", 1), ("Dan", 2)]
    assert "attainment" in r.columns and len(r) == 4


def test_rank_missing_column():
    with pytest.raises(SchemaError, match="attainment"):
        rank_units(pd.DataFrame({"unit": ["A"], "actual": [1.0]}))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([np.nan, 0.5, 1.0, 1.5]), st.sampled_from([1.0, 2.0])),
                min_size=1, max_size=8))
def test_rank_orders_by_attainment_then_actual(rows):
    t = pd.DataFrame({"unit": [f"u{i}" for i in range(len(rows))],
                      "attainment": [r[0] for r in rows], "actual": [r[1] for r in rows]})
    r = rank_units(t)

    def key(row):  # smaller is better
        return (math.isnan(row.attainment), -np.nan_to_num(row.attainment), -row.actual)

    for (_, a), (_, b) in zip(r.iloc[:-1].iterrows(), r.iloc[1:].iterrows(), strict=True):
        assert key(a) <= key(b)
        assert (b["rank"] == a["rank"]) == (key(a) == key(b))
        assert b["rank"] - a["rank"] in (0, 1)
    assert r["rank"].iloc[0] == 1


# ---------------------------------------------------------------- peer_stats

def test_peer_stats_small_example():
    t = pd.DataFrame({"unit": ["Ann", "Bob", "Cat", "Dan"], "team": "East",
                      "attainment": [0.8, 1.0, 1.2, np.nan]})
    r = peer_stats(t, parent={"East": 1.05})
    # mean of 0.8, 1.0, 1.2 = 1.0; population std = sqrt((0.04+0+0.04)/3) = 0.163299
    assert r["peer_average"].tolist() == pytest.approx([1.0] * 4)
    assert r["z_score"].iloc[:3].tolist() == pytest.approx([-1.224745, 0.0, 1.224745])
    # share of the other non-NaN peers strictly below: 0/2, 1/2, 2/2; NaN for Dan
    assert r["percentile"].iloc[:3].tolist() == pytest.approx([0.0, 0.5, 1.0])
    assert math.isnan(r["percentile"].iloc[3]) and math.isnan(r["z_score"].iloc[3])
    assert r["below_average"].tolist() == [True, True, False, False]


def test_peer_stats_parent_value_column_and_groups():
    t = pd.DataFrame({"unit": ["Ann", "Bob", "Cat"], "team": ["East", "East", "West"],
                      "attainment": [1.0, 1.0, 0.5], "parent_value": [1.1, 1.1, 0.4]})
    r = peer_stats(t)
    # East: std 0 -> z NaN; West: a single peer -> z and percentile NaN
    assert r["z_score"].isna().all()
    assert r["percentile"].iloc[:2].tolist() == [0.0, 0.0] and math.isnan(r["percentile"][2])
    assert r["below_average"].tolist() == [True, True, False]


def test_peer_stats_rejects_two_parents():
    t = pd.DataFrame({"unit": ["A"], "team": "T", "attainment": [1.0], "parent_value": [1.0]})
    with pytest.raises(ParamsError, match="parent"):
        peer_stats(t, parent=0.9)


# ---------------------------------------------------------------- consistency

@pytest.mark.parametrize(
    "unit, with_target, on_target, streak",
    [
        ("Company", 2, 1, 0),  # Jan 330 >= 300, Feb 260 < 300
        ("East", 2, 2, 2),     # 160 >= 150 both months
        ("Cat", 2, 2, 2),      # 100 >= 100: equal counts as on target
        ("Bob", 2, 0, 0),      # 40 < 50 both months
        ("Dan", 2, 1, 0),      # Jan 70 >= 50, no sale in Feb
    ],
)
def test_consistency_tiny(tiny_actuals, unit, with_target, on_target, streak):
    r = consistency(tiny_actuals, tiny_monthly_targets(), month="2025-02").set_index("unit")
    assert tuple(r.loc[unit, ["months_with_target", "months_on_target", "streak"]]) == (
        with_target, on_target, streak)


def test_consistency_streak_after_a_miss():
    months = pd.period_range("2025-01", "2025-05", freq="M")
    a = pd.DataFrame({"month": months, "level": "rep", "unit": "Ann", "team": "East",
                      "metric": "amount", "actual": [100.0, 50.0, 100.0, 120.0, 100.0]})
    t = pd.DataFrame({"month": months, "level": "rep", "unit": "Ann", "metric": "amount",
                      "target": [100.0, 100.0, 100.0, 100.0, 100.0]})
    r = consistency(a, t, month="2025-05").iloc[0]
    # hit, miss, hit, hit, hit -> 4 on target, streak of the last 3
    assert (r.months_with_target, r.months_on_target, r.streak) == (5, 4, 3)
    # a month without target breaks the streak; the fiscal year from April starts the count
    t2 = t.assign(target=[100.0, 100.0, 100.0, 0.0, 100.0])
    r2 = consistency(a, t2, month="2025-05").iloc[0]
    assert (r2.months_with_target, r2.months_on_target, r2.streak) == (4, 3, 1)
    r3 = consistency(a, t, month="2025-05", fiscal_year_start=4).iloc[0]
    assert (r3.months_with_target, r3.months_on_target, r3.streak) == (2, 2, 2)


def test_inputs_are_not_mutated(tiny_actuals):
    t = pd.DataFrame({"unit": ["A", "B"], "team": "T", "attainment": [1.0, np.nan],
                      "actual": [1.0, 2.0]}, index=[5, 7])
    before_t, before_a = t.copy(), tiny_actuals.copy()
    rank_units(t)
    peer_stats(t)
    period_growth(tiny_actuals, month="2025-02")
    consistency(tiny_actuals, tiny_monthly_targets(), month="2025-02")
    pd.testing.assert_frame_equal(t, before_t)
    pd.testing.assert_frame_equal(tiny_actuals, before_a)
    assert rank_units(t).index.tolist() == [0, 1]
