"""Tests for salesnb.progress, hand-worked on the tiny fixture (see tests/conftest.py)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesnb.cube import build_cube, monthly_actuals
from salesnb.exceptions import DataError, ParamsError
from salesnb.progress import (
    monthly_progress,
    pace_reasons,
    progress,
    required_run_rate_by_month,
)
from salesnb.targets import monthly_targets

# the contract in README.md (progress.csv), written out again so a change there is noticed here
CONTRACT = [
    "level", "unit", "team", "month", "metric",
    "target", "actual", "attainment", "gap",
    "qtd_target", "qtd_actual", "qtd_attainment",
    "ytd_target", "ytd_actual", "ytd_attainment", "ytd_gap",
    "annual_target", "annual_completion",
    "month_time_progress", "time_progress", "expected_to_date", "pace", "seasonal_pace",
    "months_remaining", "required_run_rate",
    "prev_actual", "mom", "last_year_actual", "yoy",
    "mtd_target", "mtd_attainment", "planned_progress", "calendar_pace", "time_left_months",
]


@pytest.fixture
def actuals(tiny_sales):
    return monthly_actuals(build_cube(tiny_sales))


@pytest.fixture
def targets(tiny_targets):
    return monthly_targets(tiny_targets)


def _row(p: pd.DataFrame, unit: str, metric: str = "amount") -> pd.Series:
    r = p[(p["unit"] == unit) & (p["metric"] == metric)]
    assert len(r) == 1
    return r.iloc[0]


def _sales(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["date", "team", "rep", "amount"])
    df["date"] = pd.to_datetime(df["date"])
    return df


def _flat_targets(unit_level: list[tuple[str, str]], monthly: float, year: int = 2025):
    months = pd.period_range(f"{year}-01", periods=12, freq="M")
    return pd.concat([pd.DataFrame({"month": months, "level": lv, "unit": u, "metric": "amount",
                                    "target": monthly}) for lv, u in unit_level],
                     ignore_index=True)


# ----------------------------------------------------------------------------- the tiny company
def test_progress_columns_follow_the_contract(actuals, targets):
    assert list(progress(actuals, targets, month="2025-02").columns) == CONTRACT


def test_progress_row_order_company_teams_reps(actuals, targets):
    p = progress(actuals, targets, month="2025-02")
    assert list(p["unit"]) == ["Company", "East", "West", "Ann", "Bob", "Cat", "Dan"]
    assert list(p["team"]) == ["", "East", "West", "East", "East", "West", "West"]
    assert set(p["month"]) == {"2025-02"}
    assert list(p.index) == list(range(7))


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("target", 300.0),                          # 3600 / 12
        ("actual", 260.0),                          # 120 + 40 + 100 + 0
        ("attainment", 260 / 300),                  # 0.8667
        ("gap", 40.0),                              # 300 - 260
        ("qtd_target", 600.0),                      # Jan + Feb
        ("qtd_actual", 590.0),                      # 330 + 260
        ("ytd_target", 600.0),
        ("ytd_actual", 590.0),
        ("ytd_attainment", 590 / 600),
        ("ytd_gap", 10.0),
        ("annual_target", 3600.0),
        ("annual_completion", 590 / 3600),          # 0.1639
        ("month_time_progress", 1.0),               # month-end report
        ("time_progress", 59 / 365),                # 31 + 28 days of 365
        ("expected_to_date", 600 / 3600),           # (300 + 300 x 1.0) / 3600
        ("pace", 590 / 3600 - 600 / 3600),         # against the plan: completion - planned
        ("calendar_pace", 590 / 3600 - 59 / 365),  # against the calendar
        ("seasonal_pace", 590 / 3600 - 600 / 3600),
        ("months_remaining", 10),
        ("required_run_rate", (3600 - 590) / 10),   # 301
        ("prev_actual", 330.0),
        ("mom", 260 / 330 - 1),
        ("last_year_actual", 300.0),
        ("yoy", 260 / 300 - 1),
    ],
)
def test_progress_company_at_2025_02(actuals, targets, column, expected):
    got = _row(progress(actuals, targets, month="2025-02"), "Company")[column]
    assert got == pytest.approx(expected, rel=1e-12)


def test_progress_rep_with_no_sales_in_the_month(actuals, targets):
    dan = _row(progress(actuals, targets, month="2025-02"), "Dan")
    assert dan["actual"] == 0.0
    assert dan["attainment"] == 0.0            # 0 / 50: a real 0 %, the target exists
    assert dan["team"] == "West"
    assert dan["mom"] == -1.0                  # 0 / 70 - 1
    assert dan["required_run_rate"] == pytest.approx((600 - 70) / 10)  # 53


def test_progress_mid_month_as_of(actuals, targets):
    p = progress(actuals, targets, month="2025-02", as_of="2025-02-14")
    c = _row(p, "Company")
    assert c["month_time_progress"] == pytest.approx(14 / 28)
    assert c["time_progress"] == pytest.approx((31 + 14) / 365)
    assert c["expected_to_date"] == pytest.approx((300 + 300 * 0.5) / 3600)  # 0.125


def test_progress_working_days(actuals, targets):
    # Feb 2025 has 20 weekdays (Mon 3rd .. Fri 28th); through Sun 9th: 5 of them.
    # Jan 2025 has 23 weekdays; the year has 261 -> time progress (23 + 5) / 261.
    c = _row(progress(actuals, targets, month="2025-02", as_of="2025-02-09", working_days=True),
             "Company")
    assert c["month_time_progress"] == pytest.approx(5 / 20)
    assert c["time_progress"] == pytest.approx(28 / 261)


def test_progress_working_days_with_a_holiday(actuals, targets):
    # Monday 3 Feb off: 4 of 19 February working days through the 9th
    c = _row(progress(actuals, targets, month="2025-02", as_of="2025-02-09", working_days=True,
                      holidays=["2025-02-03"]), "Company")
    assert c["month_time_progress"] == pytest.approx(4 / 19)


def test_progress_as_of_outside_the_month_is_an_error(actuals, targets):
    with pytest.raises(ParamsError, match="as_of"):
        progress(actuals, targets, month="2025-02", as_of="2025-03-01")


def test_progress_month_with_no_data_at_all(actuals, targets):
    # the data end in 2025-02; March has no sales rows at all
    p = progress(actuals, targets, month="2025-03")
    c = _row(p, "Company")
    assert c["actual"] == 0.0 and c["attainment"] == 0.0
    assert c["ytd_actual"] == 590.0 and c["prev_actual"] == 260.0
    assert c["months_remaining"] == 9
    assert c["required_run_rate"] == pytest.approx((3600 - 590) / 9)
    assert len(p) == 7


def test_progress_with_no_actuals_table_rows(targets):
    empty = pd.DataFrame({"month": pd.PeriodIndex([], freq="M"), "level": [], "unit": [],
                          "team": [], "metric": [], "actual": []})
    p = progress(empty, targets, month="2025-02")
    assert len(p) == 7 and (p["actual"] == 0.0).all()
    assert p["prev_actual"].isna().all() and p["mom"].isna().all()  # no base -> no value


def test_progress_with_nothing_at_all_is_an_empty_table_with_the_contract_columns():
    empty_a = pd.DataFrame(columns=["month", "level", "unit", "team", "metric", "actual"])
    empty_t = pd.DataFrame(columns=["month", "level", "unit", "metric", "target"])
    p = progress(empty_a, empty_t, month="2025-02")
    assert p.empty and list(p.columns) == CONTRACT


def test_progress_zero_target_gives_no_attainment(actuals, targets):
    t = targets.copy()
    t.loc[(t["unit"] == "Ann") & (t["month"] == pd.Period("2025-02", "M")), "target"] = 0.0
    ann = _row(progress(actuals, t, month="2025-02"), "Ann")
    assert math.isnan(ann["attainment"])
    assert ann["gap"] == -120.0                # 0 - 120
    assert ann["ytd_attainment"] == pytest.approx(240 / 100)  # YTD target still 100 (Jan)


def test_progress_missing_target_gives_no_attainment(actuals, targets):
    t = targets[targets["unit"] != "Ann"]
    p = progress(actuals, t, month="2025-02")
    ann = _row(p, "Ann")                       # still listed: Ann sold this year
    assert ann["actual"] == 120.0
    for col in ["target", "attainment", "annual_target", "annual_completion", "pace",
                "required_run_rate", "expected_to_date"]:
        assert math.isnan(ann[col]), col
    assert not np.isinf(p.select_dtypes("number").to_numpy(dtype=float)).any()


def test_progress_negative_month_from_returns():
    # Jan 100, Feb returns exceed sales: -20; target 100 a month
    s = _sales([("2025-01-10", "East", "Ann", 100.0), ("2025-02-10", "East", "Ann", 30.0),
                ("2025-02-20", "East", "Ann", -50.0)])
    a = monthly_actuals(build_cube(s))
    ann = _row(progress(a, _flat_targets([("rep", "Ann")], 100.0), month="2025-02"), "Ann")
    assert ann["actual"] == -20.0
    assert ann["attainment"] == pytest.approx(-0.2)    # -20 / 100
    assert ann["gap"] == 120.0                         # 100 - (-20)
    assert ann["ytd_actual"] == 80.0
    assert ann["mom"] == pytest.approx(-1.2)           # -20 / 100 - 1


def test_progress_rep_who_moved_team_mid_year():
    # Eve sells for East in Jan and for West from Mar; her own actual counts all sales
    s = _sales([("2025-01-10", "East", "Eve", 100.0), ("2025-03-10", "West", "Eve", 50.0),
                ("2025-03-10", "East", "Ann", 70.0)])
    a = monthly_actuals(build_cube(s))
    t = _flat_targets([("rep", "Eve")], 60.0)
    assert _row(progress(a, t, month="2025-01"), "Eve")["team"] == "East"
    assert _row(progress(a, t, month="2025-02"), "Eve")["team"] == "East"  # no sale: last known
    eve = _row(progress(a, t, month="2025-03"), "Eve")
    assert eve["team"] == "West"
    assert eve["ytd_actual"] == 150.0                  # 100 + 0 + 50
    west = _row(progress(a, t, month="2025-03"), "West")
    assert west["ytd_actual"] == 50.0                  # the team only gets sales booked to it


def test_progress_rep_team_falls_back_to_org(targets, tiny_org):
    a = pd.DataFrame({"month": pd.PeriodIndex(["2025-02"], freq="M"), "level": "rep",
                      "unit": "Ann", "metric": "amount", "actual": [5.0]})  # no team column
    p = progress(a, targets, month="2025-02", org=tiny_org)
    assert _row(p, "Ann")["team"] == "East" and _row(p, "Dan")["team"] == "West"
    assert _row(progress(a, targets, month="2025-02"), "Ann")["team"] == ""


def test_progress_several_metrics(tiny_sales, targets):
    cube = build_cube(tiny_sales)
    a = pd.concat([monthly_actuals(cube, metric=m) for m in ("amount", "quantity")],
                  ignore_index=True)
    p = progress(a, targets, month="2025-02")
    assert list(p["metric"].iloc[:2]) == ["amount", "quantity"]  # company's metrics first
    q = _row(p, "Company", "quantity")
    assert q["actual"] == 26.0 and math.isnan(q["attainment"])   # quantity = amount / 10


def test_progress_fiscal_year_starting_in_july():
    # fiscal 2026 starts 2025-07; report 2025-08: YTD = Jul + Aug, 10 months remain
    s = _sales([("2025-06-10", "East", "Ann", 999.0), ("2025-07-10", "East", "Ann", 40.0),
                ("2025-08-10", "East", "Ann", 60.0)])
    a = monthly_actuals(build_cube(s))
    months = pd.period_range("2025-07", periods=12, freq="M")
    t = pd.DataFrame({"month": months, "level": "rep", "unit": "Ann", "metric": "amount",
                      "target": 50.0})
    ann = _row(progress(a, t, month="2025-08", fiscal_year_start=7), "Ann")
    assert ann["ytd_actual"] == 100.0 and ann["ytd_target"] == 100.0
    assert ann["qtd_actual"] == 100.0                  # fiscal Q1 = Jul-Sep
    assert ann["months_remaining"] == 10
    assert ann["required_run_rate"] == pytest.approx((600 - 100) / 10)
    assert ann["time_progress"] == pytest.approx(62 / 365)  # 31 + 31 of Jul 2025-Jun 2026


def test_progress_last_fiscal_month_has_no_required_run_rate(actuals, targets):
    c = _row(progress(actuals, targets, month="2025-12"), "Company")
    assert c["months_remaining"] == 0 and math.isnan(c["required_run_rate"])


def test_progress_does_not_mutate_inputs(actuals, targets):
    a0, t0 = actuals.copy(), targets.copy()
    progress(actuals, targets, month="2025-02")
    pd.testing.assert_frame_equal(actuals, a0)
    pd.testing.assert_frame_equal(targets, t0)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e5, 1e5, allow_nan=False),
                          st.sampled_from([0.0, 1.0, 37.5, 1e4, -20.0])),
                min_size=3, max_size=3))
def test_progress_attainment_is_actual_over_target(pairs):
    units = ["A", "B", "C"]
    a = pd.DataFrame({"month": pd.PeriodIndex(["2025-05"] * 3, freq="M"), "level": "rep",
                      "unit": units, "team": "T", "metric": "amount",
                      "actual": [p[0] for p in pairs]})
    t = pd.DataFrame({"month": pd.PeriodIndex(["2025-05"] * 3, freq="M"), "level": "rep",
                      "unit": units, "metric": "amount", "target": [p[1] for p in pairs]})
    p = progress(a, t, month="2025-05").set_index("unit")
    for u, (act, tgt) in zip(units, pairs, strict=True):
        if tgt != 0:
            assert p.loc[u, "attainment"] == pytest.approx(act / tgt)
        else:
            assert math.isnan(p.loc[u, "attainment"])


# ----------------------------------------------------------------------------- monthly_progress
def test_monthly_progress_company(actuals, targets):
    mp = monthly_progress(actuals, targets, level="company", unit="Company", month="2025-02")
    assert list(mp.columns) == ["month", "target", "actual", "attainment", "cum_target",
                                "cum_actual", "cum_attainment"]
    assert len(mp) == 12
    assert mp["actual"].iloc[:2].tolist() == [330.0, 260.0]
    assert mp["attainment"].iloc[0] == pytest.approx(1.1)          # 330 / 300
    assert mp["cum_target"].iloc[1] == 600.0 and mp["cum_actual"].iloc[1] == 590.0
    assert mp["cum_attainment"].iloc[1] == pytest.approx(590 / 600)
    assert mp["actual"].iloc[2:].isna().all() and mp["cum_actual"].iloc[2:].isna().all()
    assert mp["cum_target"].iloc[-1] == 3600.0


def test_monthly_progress_unknown_unit_is_an_error(actuals, targets):
    with pytest.raises(ParamsError, match="Zed"):
        monthly_progress(actuals, targets, level="rep", unit="Zed", month="2025-02")


# ----------------------------------------------------------------------------- required by month
def test_required_run_rate_by_month_equal_targets(actuals, targets):
    r = required_run_rate_by_month(targets, actuals, unit="Company", level="company",
                                   month="2025-02")
    assert list(r.columns) == ["month", "target", "required"]
    assert str(r["month"].iloc[0]) == "2025-03" and len(r) == 10
    assert set(r["required"]) == {301.0}               # (3600 - 590) / 10


def test_required_run_rate_by_month_follows_seasonal_targets_and_rounds_exactly():
    # targets: Jan 100, then Feb-Apr 100, 100, 200; Jan actual 50; gap 500 - 50 = 450
    # split over Feb..Apr by 100:100:200 -> 112.5, 112.5, 225
    a = pd.DataFrame({"month": pd.PeriodIndex(["2025-01"], freq="M"), "level": "rep",
                      "unit": "Ann", "team": "East", "metric": "amount", "actual": [50.0]})
    t = pd.DataFrame({"month": pd.period_range("2025-01", periods=4, freq="M"), "level": "rep",
                      "unit": "Ann", "metric": "amount", "target": [100.0, 100.0, 100.0, 200.0]})
    r = required_run_rate_by_month(t, a, unit="Ann", level="rep", month="2025-01")
    assert r["required"].iloc[:3].tolist() == [112.5, 112.5, 225.0]
    assert (r["required"].iloc[3:] == 0.0).all()        # months without a target weigh 0


def test_required_run_rate_by_month_zero_targets_use_equal_weights():
    # gap 100 - 0 over 3 remaining months with target 0: 33.34 + 33.33 + 33.33
    a = pd.DataFrame({"month": pd.PeriodIndex(["2025-09"], freq="M"), "level": "rep",
                      "unit": "Ann", "team": "East", "metric": "amount", "actual": [0.0]})
    t = pd.DataFrame({"month": pd.period_range("2025-01", periods=12, freq="M"), "level": "rep",
                      "unit": "Ann", "metric": "amount", "target": [50.0, 50.0] + [0.0] * 10})
    r = required_run_rate_by_month(t, a, unit="Ann", level="rep", month="2025-09")
    assert r["required"].tolist() == [33.34, 33.33, 33.33]


@settings(max_examples=30, deadline=None)
@given(ytd=st.floats(-1e5, 1e5, allow_nan=False), report=st.integers(1, 11),
       weights=st.lists(st.floats(0, 1e4, allow_nan=False), min_size=12, max_size=12))
def test_required_run_rate_by_month_adds_up_to_the_remaining_gap(ytd, report, weights):
    m = pd.Period(f"2025-{report:02d}", "M")
    a = pd.DataFrame({"month": pd.PeriodIndex([m]), "level": "rep", "unit": "Ann",
                      "team": "East", "metric": "amount", "actual": [ytd]})
    t = pd.DataFrame({"month": pd.period_range("2025-01", periods=12, freq="M"), "level": "rep",
                      "unit": "Ann", "metric": "amount", "target": weights})
    r = required_run_rate_by_month(t, a, unit="Ann", level="rep", month=m)
    assert len(r) == 12 - report
    gap_cents = round(round(sum(weights) - ytd, 2) * 100)
    assert round(float(np.round(r["required"] * 100).sum())) == gap_cents


def test_progress_duplicate_actual_rows_are_an_error(actuals, targets):
    with pytest.raises(DataError, match="more than one actual row"):
        progress(pd.concat([actuals, actuals.head(1)]), targets, month="2025-02")


# ----------------------------------------------------------------------------- pace against the plan
def _months_frame(level, unit, months, values, col):
    return pd.DataFrame({"month": pd.PeriodIndex(months, freq="M"), "level": level,
                         "unit": unit, "metric": "amount", col: values})


@pytest.fixture
def plan_units():
    """A seasonal company, a rep who joined in May and a rep who left in June (2025)."""
    year = pd.period_range("2025-01", periods=12, freq="M")
    may_dec, jan_jun = year[4:], year[:6]
    targets = pd.concat([
        _months_frame("company", "Company", year, [70.0] * 10 + [150.0] * 2, "target"),
        _months_frame("rep", "Joe", may_dec, 100.0, "target"),
        _months_frame("rep", "Lea", jan_jun, 100.0, "target"),
    ], ignore_index=True)
    actuals = pd.concat([
        _months_frame("company", "Company", year[:10], 68.0, "actual"),
        _months_frame("rep", "Joe", may_dec[:6], 100.0, "actual"),
        _months_frame("rep", "Lea", jan_jun, 90.0, "actual"),
    ], ignore_index=True).assign(team=lambda d: np.where(d["level"] == "rep", "East", ""))
    return actuals, targets


def test_seasonal_joiner_and_leaver_against_hand_computed_values(plan_units):
    p = progress(*plan_units, month="2025-10")
    c, joe, lea = _row(p, "Company"), _row(p, "Joe"), _row(p, "Lea")
    # seasonal company: 70 a month Jan-Oct, 150 in Nov and Dec (annual 1000); 68 a month sold
    #   YTD target 700, actual 680 -> YTD attainment 680 / 700 = 97.1 %
    #   planned progress 700 / 1000 = 0.70, annual completion 0.68 -> pace -2 points (on plan)
    #   time progress Jan 1 - Oct 31 = 304 / 365 days -> calendar pace 0.68 - 0.8329 = -15.3
    #   required run-rate (1000 - 680) / 2 months = 160
    assert c["ytd_attainment"] == pytest.approx(680 / 700)
    assert c["planned_progress"] == pytest.approx(0.70)
    assert c["pace"] == pytest.approx(-0.02)
    assert c["time_progress"] == pytest.approx(304 / 365)
    assert c["calendar_pace"] == pytest.approx(0.68 - 304 / 365)
    assert c["required_run_rate"] == pytest.approx(160.0)
    # joiner: 100 a month May-Dec (annual 800), 100 a month sold May-Oct (600)
    #   own period May 1 - Dec 31 = 245 days, 184 of them elapsed -> time progress 184 / 245
    #   planned progress 600 / 800 = 0.75 = annual completion -> pace 0 (not 0.75 - 304/365)
    assert joe["time_progress"] == pytest.approx(184 / 245)
    assert joe["planned_progress"] == pytest.approx(0.75)
    assert joe["pace"] == pytest.approx(0.0)
    assert joe["calendar_pace"] == pytest.approx(0.75 - 184 / 245)
    assert joe["months_remaining"] == 2 and joe["required_run_rate"] == pytest.approx(100.0)
    # leaver: 100 a month Jan-Jun (annual 600), 90 a month sold (540); gone by October
    #   own period Jan-Jun is over -> time progress 1, planned progress 1
    #   pace 0.9 - 1 = -10 points = YTD attainment 540 / 600 - 100 %; no time left
    assert lea["time_progress"] == 1.0 and lea["planned_progress"] == pytest.approx(1.0)
    assert lea["pace"] == pytest.approx(-0.10)
    assert lea["ytd_attainment"] == pytest.approx(0.9)
    assert lea["months_remaining"] == 0 and np.isnan(lea["required_run_rate"])
    assert np.isnan(lea["target"]) and np.isnan(lea["attainment"])


def test_pace_reasons_names_the_back_loaded_months_and_the_joiners_own_year(plan_units):
    p = progress(*plan_units, month="2025-10")
    r = pace_reasons(p, plan_units[1]).set_index("unit")
    # the plan puts 300 / 1000 = 30 % of the year's target in Nov and Dec (61 / 365 of days)
    assert r.loc["Company", "later_months"] == "2025-11, 2025-12"
    assert r.loc["Company", "later_target_share"] == pytest.approx(0.30)
    assert r.loc["Company", "later_time_share"] == pytest.approx(61 / 365)
    # calendar pace - pace = planned - time progress = 0.70 - 0.833: 13.3 points apart
    assert r.loc["Company", "difference"] == pytest.approx(0.70 - 304 / 365)
    assert bool(r.loc["Company", "notable"])
    assert (r.loc["Joe", "first_month"], r.loc["Joe", "last_month"]) == ("2025-05", "2025-12")
    assert bool(r.loc["Joe", "partial_year"]) and not bool(r.loc["Joe", "notable"])
    assert not bool(r.loc["Company", "partial_year"])


def test_mid_month_report_prorates_the_as_of_months_target_to_date():
    # 100 a month (annual 1200); Jan-Sep sold 100 each, October 40 through the 15th
    year = pd.period_range("2025-01", periods=12, freq="M")
    t = _months_frame("company", "Company", year, 100.0, "target")
    a = _months_frame("company", "Company", year[:10], [100.0] * 9 + [40.0], "actual")
    c = _row(progress(a.assign(team=""), t, month="2025-10", as_of="2025-10-15"), "Company")
    # October's time progress 15 / 31; its target to date 100 x 15/31 = 48.39
    assert c["month_time_progress"] == pytest.approx(15 / 31)
    assert c["target"] == 100.0                               # the full month's target
    assert c["mtd_target"] == pytest.approx(100 * 15 / 31)
    assert c["attainment"] == pytest.approx(0.40)             # of the full month
    assert c["mtd_attainment"] == pytest.approx(40 / (100 * 15 / 31))
    # YTD target 900 + 48.39 = 948.39; actual 940 -> gap 8.39, attainment 99.1 %
    assert c["ytd_target"] == pytest.approx(900 + 100 * 15 / 31)
    assert c["ytd_gap"] == pytest.approx(900 + 100 * 15 / 31 - 940)
    assert c["ytd_attainment"] == pytest.approx(940 / (900 + 100 * 15 / 31))
    assert c["qtd_target"] == pytest.approx(100 * 15 / 31)    # Q4 starts in October
    # planned progress 948.39 / 1200 = 0.7903; completion 940 / 1200 = 0.7833 -> pace -0.70
    assert c["planned_progress"] == pytest.approx((900 + 100 * 15 / 31) / 1200)
    assert c["pace"] == pytest.approx(940 / 1200 - (900 + 100 * 15 / 31) / 1200)
    assert c["pace"] < 0 and c["ytd_attainment"] < 1
    # time left: Nov, Dec and 16 of October's 31 days -> 2.516 months
    # required run-rate (1200 - 940) / 2.516 = 260 x 31 / 78 = 103.33
    assert c["time_left_months"] == pytest.approx(2 + 16 / 31)
    assert c["months_remaining"] == 2
    assert c["required_run_rate"] == pytest.approx(260 * 31 / 78)
    # by month: the gap of 260 over the rest of October (weight 100 x 16/31) and Nov, Dec
    # (100 each): 260 x 16/78 = 53.333, 260 x 31/78 = 103.333 twice -> cents 53.33 +
    # 103.33 + 103.33 = 259.99; the last cent goes to one of the (equal) largest remainders
    req = required_run_rate_by_month(t, a.assign(team=""), unit="Company", level="company",
                                     month="2025-10", as_of="2025-10-15")
    assert list(req["month"].astype(str)) == ["2025-10", "2025-11", "2025-12"]
    assert round(req["required"].sum() * 100) == 26_000
    np.testing.assert_allclose(req["required"], [53.33, 103.33, 103.33], atol=0.0101)
    assert req["target"].tolist() == [100.0, 100.0, 100.0]


_fractions = st.floats(min_value=0.0, max_value=1000.0, allow_nan=False)


@given(targets=st.lists(_fractions, min_size=12, max_size=12),
       actuals=st.lists(_fractions, min_size=12, max_size=12),
       month=st.integers(min_value=1, max_value=12), day=st.integers(min_value=1, max_value=28))
@settings(max_examples=150, deadline=None)
def test_pace_always_agrees_in_sign_with_ytd_attainment(targets, actuals, month, day):
    year = pd.period_range("2025-01", periods=12, freq="M")
    t = _months_frame("team", "East", year, targets, "target")
    a = _months_frame("team", "East", year, actuals, "actual").assign(team="East")
    m = year[month - 1]
    r = _row(progress(a, t, month=m, as_of=m.start_time + pd.Timedelta(days=day - 1)), "East")
    if np.isnan(r["ytd_attainment"]) or np.isnan(r["pace"]):
        return
    gap = r["ytd_attainment"] - 1
    if abs(gap) > 1e-9:
        assert np.sign(r["pace"]) == np.sign(gap)
    else:
        assert abs(r["pace"]) < 1e-9


# ----------------------------------------------------------------------------- the sample pack
@pytest.fixture(scope="module")
def sample_tables(sample_pack):
    """The sample company's (seed 0) prepared tables, as the session's sample pack cached
    them (tests/conftest.py): prepared once for the whole suite."""
    from salesnb.cache import read_cache
    return read_cache(sample_pack["out"] / "_cache")


@pytest.mark.slow
def test_sample_pack_pace_agrees_in_sign_with_ytd_attainment_on_every_row(sample_tables):
    p = sample_tables["progress"]
    rows = p[p["ytd_attainment"].notna() & p["pace"].notna()]
    assert len(rows) > 40
    gap = rows["ytd_attainment"] - 1
    agree = (np.sign(rows["pace"]) == np.sign(gap)) | ((gap.abs() < 1e-9) & (rows["pace"].abs() < 1e-9))
    assert agree.all(), rows.loc[~agree, ["level", "unit", "metric", "pace", "ytd_attainment"]]


@pytest.fixture(scope="module", params=[("en", "2026-10-15"), ("zh", None)],
                ids=["mid-month", "zh"])
def small_sample_progress(request):
    """The sample company, smaller (20,000 rows), in a mid-month and a Chinese variant."""
    from salesnb.io import load_dataset
    from salesnb.report import prepare
    from salesnb.sample import make_company
    lang, as_of = request.param
    co = make_company(lang=lang, rows=20_000)
    ds = load_dataset(sales=co["sales"], targets=co["targets"], org=co["org"])
    return prepare(ds, month="2026-10", as_of=as_of)["progress"]


@pytest.mark.slow
def test_pace_agrees_in_sign_with_ytd_attainment_mid_month_and_in_chinese(small_sample_progress):
    p = small_sample_progress
    rows = p[p["ytd_attainment"].notna() & p["pace"].notna()]
    assert len(rows) > 40
    gap = rows["ytd_attainment"] - 1
    agree = (np.sign(rows["pace"]) == np.sign(gap)) | ((gap.abs() < 1e-9) & (rows["pace"].abs() < 1e-9))
    assert agree.all(), rows.loc[~agree, ["level", "unit", "metric", "pace", "ytd_attainment"]]


@pytest.mark.slow
def test_sample_joiner_is_on_his_plan_and_has_no_behind_pace_alert(sample_tables):
    p = sample_tables["progress"]
    joe = p[(p["unit"] == "Joseph Baker") & (p["metric"] == "amount")].iloc[0]
    assert joe["ytd_attainment"] > 1 and joe["pace"] > 0   # 100.7 %: ahead of his plan
    # his year runs May-Dec (joined 16 May): 184 of 245 days
    assert joe["time_progress"] == pytest.approx(184 / 245)
    a = sample_tables["alerts"]
    assert a[(a["unit"] == "Joseph Baker") & (a["rule"] == "behind_pace")].empty


@pytest.mark.slow
def test_sample_new_customer_targets_are_whole_customers(sample_tables):
    t = sample_tables["targets"]
    nc = t[t["metric"] == "new_customers"]["target"]
    assert len(nc) and (nc == nc.round()).all()


@pytest.mark.slow
def test_sample_headlines_say_pace_against_the_plan_and_why_the_calendar_differs(sample_tables):
    from salesnb.cache import team_slice
    from salesnb.views.team import TeamReport
    east = TeamReport(team_slice(sample_tables, "East"), "East")
    p = sample_tables["progress"].set_index(["level", "unit", "metric"])
    r = p.loc[("team", "East", "amount")]
    text = east.headline().sentence
    assert f"against {r['planned_progress'] * 100:.1f} % planned by now" in text
    # East is within 1 point of its plan but 6 points behind the calendar: the sentence
    # names the back-loaded months and their share of the year's target
    assert abs(r["pace"]) < 0.01 and r["calendar_pace"] < -0.05
    later = sample_tables["targets"]
    later = later[(later["unit"] == "East") & (later["metric"] == "amount")
                  & (later["month"] > pd.Period("2026-10", freq="M"))]["target"].sum()
    share = f"{later / r['annual_target'] * 100:.0f} %"
    assert f"the plan puts {share} of the year's target in November and December" in text
    # new customers: the YTD target against the actual, whole numbers
    nc = p.loc[("team", "East", "new_customers")]
    assert (f"New customers: {nc['ytd_actual']:,.0f} so far this year against "
            f"{nc['ytd_target']:,.0f} planned by now") in text
    # the joiner's own year (May to December) is said when it makes the calendar differ
    joe = east.headline_for("rep", "Joseph Baker").sentence
    assert "Its year runs from May 2026 to December 2026" in joe
    assert "ahead of pace" in joe
    # month end: the time left is November and December
    assert "(2 months left)" in east.run_rate_for("team", "East").sentence


@pytest.mark.slow
def test_sample_headline_shows_the_quarter_to_date_beside_the_month_and_the_year(sample_tables):
    from salesnb import fmt
    from salesnb.cache import team_slice
    from salesnb.views.team import TeamReport
    east = TeamReport(team_slice(sample_tables, "East"), "East")
    p = sample_tables["progress"].set_index(["level", "unit", "metric"])
    r = p.loc[("team", "East", "amount")]
    body = east.headline().body.replace("<span>$</span>", "$")
    # Q4 starts in October: the quarter to date is October, the report month
    assert r["qtd_actual"] == pytest.approx(r["actual"])
    assert f">QTD actual</div><div class=\"val\" style=\"font-size:22px;font-weight:650;margin:2px 0\">" \
           f"{fmt.money(r['qtd_actual'], '$')}</div>" in body
    assert f"QTD target {fmt.money(r['qtd_target'], '$')} · {fmt.pct(r['qtd_attainment'])}" in body


@pytest.mark.slow
def test_sample_team_page_shows_each_reps_percentile_and_the_peer_average(sample_tables):
    from salesnb import fmt
    from salesnb.cache import team_slice
    from salesnb.compare import ranking_table
    from salesnb.views.team import TeamReport
    east = TeamReport(team_slice(sample_tables, "East"), "East")
    rk = ranking_table(sample_tables)
    reps = rk[(rk["level"] == "rep") & (rk["team"] == "East")]
    block = east.reps_table()
    assert f"the peer average) is {fmt.pct(reps['peer_average'].iloc[0])}" in block.sentence
    # the team's best rep has every other rep below: percentile 100 %
    best = reps.sort_values("attainment", ascending=False).iloc[0]
    assert best["percentile"] == 1.0
    assert "Percentile among peers" in block.body and ">100.0 %</td>" in block.body


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_monthly_progress_table_equals_monthly_progress_unit_by_unit(data):
    # the pack's table of every unit's months is the per-unit function's, row for row
    from salesnb.monthly import monthly_progress as one
    from salesnb.monthly import monthly_progress_table
    months = pd.period_range("2024-07", "2025-12", freq="M")
    units = [("company", "Company"), ("team", "E"), ("team", "W"), ("rep", "Ann")]
    vals = st.one_of(st.none(), st.floats(-50, 500, allow_nan=False, allow_infinity=False),
                     st.just(0.0))
    rows_a, rows_t = [], []
    for lv, un in units:
        for mo in months:
            va, vt = data.draw(vals), data.draw(vals)
            if va is not None:
                rows_a.append({"month": mo, "level": lv, "unit": un, "team": "E",
                               "metric": "amount", "actual": va})
            if vt is not None:
                rows_t.append({"month": mo, "level": lv, "unit": un, "metric": "amount",
                               "target": vt})
    rows_a.append({"month": months[0], "level": "team", "unit": "E", "team": "E",
                   "metric": "quantity", "actual": 3.0})
    a = pd.DataFrame(rows_a, columns=["month", "level", "unit", "team", "metric", "actual"])
    t = pd.DataFrame(rows_t, columns=["month", "level", "unit", "metric", "target"])
    known = {(r.level, r.unit) for r in a[a["metric"] == "amount"].itertuples()} | \
        {(r.level, r.unit) for r in t.itertuples()}
    want_units = [u for u in units if u in known]
    month = data.draw(st.sampled_from([str(m) for m in months[6:]]))
    fys = data.draw(st.sampled_from([1, 4, 7]))
    got = monthly_progress_table(a, t, pd.DataFrame(want_units, columns=["level", "unit"]),
                                 month=month, fiscal_year_start=fys)
    assert len(got) == 12 * len(want_units)
    for i, (lv, un) in enumerate(want_units):
        exp = one(a, t, level=lv, unit=un, month=month, fiscal_year_start=fys)
        part = got.iloc[12 * i:12 * (i + 1)].drop(columns=["level", "unit"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(part, exp, check_exact=False, rtol=1e-12)
