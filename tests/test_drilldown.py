"""Tests of salesnb.drilldown on the tiny fixture (see conftest's docstring) and small frames."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesnb.cube import build_cube
from salesnb.drilldown import (
    attribute_gap,
    attribution,
    price_volume_mix,
    product_periods,
    top_customers,
    yoy_contributions,
)
from salesnb.exceptions import ParamsError

# the tiny fixture's 2025 annual targets split equally: one month's target per unit
MONTH_TARGET = {"Company": ("company", 300.0), "East": ("team", 150.0), "West": ("team", 150.0),
                "Ann": ("rep", 100.0), "Bob": ("rep", 50.0), "Cat": ("rep", 100.0),
                "Dan": ("rep", 50.0)}


def monthly_targets(per_unit: dict, first="2025-01", last="2025-12") -> pd.DataFrame:
    months = pd.period_range(first, last, freq="M")
    return pd.DataFrame([(m, lv, u, "amount", t) for m in months for u, (lv, t) in per_unit.items()],
                        columns=["month", "level", "unit", "metric", "target"])


def cents(x: float) -> int:
    return int(round(x * 100))


@pytest.fixture
def tiny_cube(tiny_sales) -> pd.DataFrame:
    return build_cube(tiny_sales)


# ---------------------------------------------------------------- attribute_gap

def test_attribute_gap_company_february():
    kids = pd.DataFrame({"child": ["East", "West"], "target": [150.0, 150.0],
                         "actual": [160.0, 100.0]})
    g = attribute_gap(kids, parent_target=300.0, parent_actual=260.0)
    # parent gap 300-260 = 40 = West 150-100 = 50 plus East 150-160 = -10. The shortfall is
    # West's 50 (the only positive gap): West's share 50/50 = 1, East offsets -10/50 = -0.2
    assert g["child"].tolist() == ["West", "East"]
    assert g["gap"].tolist() == [50.0, -10.0]
    assert g["share"].tolist() == pytest.approx([1.0, -0.2])
    # parent attainment 260/300 = 0.867: West 0.667 is below, East 1.067 is not
    assert g["below_parent"].tolist() == [True, False]


def test_attribute_gap_not_allocated_line():
    kids = pd.DataFrame({"child": ["East", "West"], "target": [125.0, 125.0],
                         "actual": [160.0, 100.0]})
    g = attribute_gap(kids, parent_target=300.0, parent_actual=270.0)
    last = g.iloc[-1]
    # target 300-250 = 50, actual 270-260 = 10, gap 40; gaps -35 + 25 + 40 = 30 = 300-270
    assert (last.child, last.target, last.actual, last.gap) == ("Not allocated", 50.0, 10.0, 40.0)
    assert not last.below_parent and math.isnan(last.attainment)
    assert g["gap"].sum() == pytest.approx(30.0)
    assert g["child"].tolist() == ["West", "East", "Not allocated"]


def test_attribute_gap_no_line_when_children_add_up():
    kids = pd.DataFrame({"child": ["a", "b"], "target": [1.0, 2.0], "actual": [1.0, 1.0]})
    g = attribute_gap(kids, parent_target=3.0, parent_actual=2.001)
    assert g["child"].tolist() == ["b", "a"]  # 0.001 is below half a cent
    assert g["gap"].sum() == pytest.approx(1.0)


def test_attribute_gap_zero_parent_gap_still_shows_who_falls_short():
    kids = pd.DataFrame({"child": ["a", "b"], "target": [10.0, 10.0], "actual": [15.0, 5.0]})
    g = attribute_gap(kids, parent_target=20.0, parent_actual=20.0)
    # b falls 5 short (share 5/5 = 1), a's surplus of 5 offsets it (-1): the net gap is 0
    assert g["gap"].tolist() == [5.0, -5.0] and g["share"].tolist() == [1.0, -1.0]


def test_attribute_gap_no_shortfall_gives_no_share():
    kids = pd.DataFrame({"child": ["a", "b"], "target": [10.0, 10.0], "actual": [15.0, 10.0]})
    g = attribute_gap(kids, parent_target=20.0, parent_actual=25.0)
    assert g["share"].isna().all()


def test_attribute_gap_child_without_target():
    kids = pd.DataFrame({"child": ["a", "b"], "target": [100.0, np.nan], "actual": [80.0, 30.0]})
    g = attribute_gap(kids, parent_target=100.0, parent_actual=110.0).set_index("child")
    # b has no target: its gap is 0 - 30, its attainment no value
    assert g.loc["b", "gap"] == -30.0 and math.isnan(g.loc["b", "attainment"])
    assert not g.loc["b", "below_parent"]


@pytest.mark.parametrize("child", ["a", "Not allocated"])
def test_attribute_gap_rejects_bad_child_names(child):
    kids = pd.DataFrame({"child": ["a", child], "target": [1.0, 1.0], "actual": [1.0, 1.0]})
    with pytest.raises(ParamsError):
        attribute_gap(kids, parent_target=2.0, parent_actual=2.0)


money = st.integers(min_value=-10**7, max_value=10**8).map(lambda c: c / 100)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(money, money), min_size=0, max_size=7), money, money,
       st.floats(min_value=0, max_value=0.004999))
def test_attribute_gap_sums_to_parent_gap_to_the_cent(rows, pt, pa, jitter):
    kids = pd.DataFrame({"child": [f"c{i}" for i in range(len(rows))],
                         "target": [r[0] + jitter for r in rows],
                         "actual": [r[1] for r in rows]})
    g = attribute_gap(kids, parent_target=pt, parent_actual=pa)
    assert sum(cents(x) for x in g["gap"]) == cents(pt - pa)
    assert (g["child"] == "Not allocated").sum() <= 1


# ---------------------------------------------------------------- attribution

@pytest.mark.parametrize(
    "span, parent, child, target, actual, gap, share, below",
    [
        # 2025-02: company gap 300-260 = 40
        # share = gap / the shortfall (sum of positive gaps): West 50/50, East -10/50
        ("month", "Company", "West", 150.0, 100.0, 50.0, 1.0, True),
        ("month", "Company", "East", 150.0, 160.0, -10.0, -0.2, False),
        # East gap -10: Bob 50-40 = 10 (share 10/10 = 1), Ann 100-120 = -20 (-20/10 = -2)
        ("month", "East", "Bob", 50.0, 40.0, 10.0, 1.0, True),
        ("month", "East", "Ann", 100.0, 120.0, -20.0, -2.0, False),
        # West gap 50: Dan sold nothing (gap 50, share 1), Cat 100-100 = 0
        ("month", "West", "Dan", 50.0, 0.0, 50.0, 1.0, True),
        ("month", "West", "Cat", 100.0, 100.0, 0.0, 0.0, False),
        # YTD Jan-Feb: company 600-590 = 10; West 300-270 = 30 (30/30), East 300-320 = -20
        ("ytd", "Company", "West", 300.0, 270.0, 30.0, 1.0, True),
        ("ytd", "Company", "East", 300.0, 320.0, -20.0, -20 / 30, False),
        ("ytd", "West", "Dan", 100.0, 70.0, 30.0, 1.0, True),
        ("ytd", "West", "Cat", 200.0, 200.0, 0.0, 0.0, False),
    ],
)
def test_attribution_tiny(tiny_cube, span, parent, child, target, actual, gap, share, below):
    a = attribution(tiny_cube, monthly_targets(MONTH_TARGET), month="2025-02")
    row = a[(a.span == span) & (a.parent == parent) & (a.child == child)]
    assert len(row) == 1
    r = row.iloc[0]
    assert (r.target, r.actual, r.gap) == (target, actual, gap)
    assert r.share == pytest.approx(share) and r.below_parent == below


def test_attribution_order_and_columns(tiny_cube):
    a = attribution(tiny_cube, monthly_targets(MONTH_TARGET), month="2025-02")
    assert list(a.columns) == ["span", "parent_level", "parent", "child_level", "child",
                               "target", "actual", "gap", "share", "attainment",
                               "below_parent"]
    month = a[a.span == "month"]
    assert list(zip(month.parent, month.child, strict=True)) == [
        ("Company", "West"), ("Company", "East"), ("East", "Bob"), ("East", "Ann"),
        ("West", "Dan"), ("West", "Cat")]
    assert a["span"].tolist() == ["month"] * 6 + ["ytd"] * 6


def test_attribution_not_allocated_when_team_targets_fall_short(tiny_cube):
    # teams get 125 each, the company keeps 300: 50 of the company target is not allocated
    per = dict(MONTH_TARGET, East=("team", 125.0), West=("team", 125.0))
    a = attribution(tiny_cube, monthly_targets(per), month="2025-02", spans=("month",))
    comp = a[a.parent == "Company"]
    assert comp["child"].tolist() == ["West", "East", "Not allocated"]
    na = comp.iloc[-1]
    assert (na.target, na.actual, na.gap) == (50.0, 0.0, 50.0)
    # West 125-100 = 25, East 125-160 = -35, not allocated 50: 25 - 35 + 50 = 40 = 300 - 260
    assert comp["gap"].sum() == pytest.approx(40.0)
    # shortfall = West 25 + not allocated 50 = 75: shares 25/75, -35/75, 50/75
    assert comp["share"].tolist() == pytest.approx([25 / 75, -35 / 75, 50 / 75])


def _mover_sales() -> pd.DataFrame:
    # Eve sells 100 a month: in East Jan-Mar 2025, in West Apr-May; Cat stays in West
    rows = [(f"2025-{m:02d}-10", "East" if m <= 3 else "West", "Eve", 100.0) for m in range(1, 6)]
    rows += [(f"2025-{m:02d}-10", "West", "Cat", 50.0) for m in range(1, 6)]
    df = pd.DataFrame(rows, columns=["date", "team", "rep", "amount"])
    return df.assign(date=pd.to_datetime(df["date"]), customer_id="c", quantity=1.0)


def test_attribution_rep_who_moved_counts_for_each_team_by_booking():
    per = {"Company": ("company", 200.0), "East": ("team", 90.0), "West": ("team", 110.0),
           "Eve": ("rep", 90.0), "Cat": ("rep", 40.0)}
    a = attribution(build_cube(_mover_sales()), monthly_targets(per), month="2025-05",
                    spans=("ytd",))
    eve = a[a.child == "Eve"].set_index("parent")
    # East: Jan-Mar sales 3 x 100 = 300, target 3 x 90 = 270; West: Apr-May 200 vs 180
    assert (eve.loc["East", "actual"], eve.loc["East", "target"]) == (300.0, 270.0)
    assert (eve.loc["West", "actual"], eve.loc["West", "target"]) == (200.0, 180.0)
    # East's actual is only what was booked to it: Eve's 300
    east = a[a.parent == "Company"].set_index("child").loc["East"]
    assert east.actual == 300.0
    # West target 5 x 110 = 550 vs children 200 (Cat) + 180 (Eve): 170 not allocated
    west = a[a.parent == "West"].set_index("child")
    assert west.loc["Not allocated", "target"] == pytest.approx(170.0)


def test_attribution_rep_who_never_sold_has_no_team():
    a = attribution(build_cube(_mover_sales().pipe(lambda d: d[d.rep == "Cat"])),
                    monthly_targets({"Cat": ("rep", 40.0), "Dan": ("rep", 10.0)}),
                    month="2025-05", spans=("month",))
    assert "Dan" not in set(a["child"])  # Dan never sold: his target has no team


# ---------------------------------------------------------------- yoy_contributions

def test_yoy_contributions_teams(tiny_cube):
    y = yoy_contributions(tiny_cube, month="2025-02")
    # East 160-150 = +10, West 100-150 = -50; over last year's 300: +0.0333, -0.1667
    assert y["child"].tolist() == ["East", "West"]
    assert y["change"].tolist() == [10.0, -50.0]
    assert y["contribution_pct_points"].tolist() == pytest.approx([10 / 300, -50 / 300])
    assert y["contribution_pct_points"].sum() == pytest.approx(260 / 300 - 1)


def test_yoy_contributions_reps_of_a_team_ytd(tiny_cube):
    y = yoy_contributions(tiny_cube, month="2025-02", parent_level="team", parent="West",
                          child="rep", span="ytd").set_index("child")
    # Cat 200 vs 160 = +40, Dan 70 vs 140 = -70; West last year 300
    assert y.loc["Cat", "change"] == 40.0 and y.loc["Dan", "change"] == -70.0
    assert y["contribution_pct_points"].sum() == pytest.approx(270 / 300 - 1)


def test_yoy_contributions_mover_by_team_of_booking():
    y = yoy_contributions(build_cube(_mover_sales()), month="2025-05", parent_level="rep",
                          parent="Eve", span="ytd").set_index("child")
    assert y["current"].to_dict() == {"East": 300.0, "West": 200.0}
    assert y["contribution_pct_points"].isna().all()  # no sales last year: no value


def test_yoy_contributions_unknown_parent(tiny_cube):
    with pytest.raises(ParamsError, match="North"):
        yoy_contributions(tiny_cube, month="2025-02", parent_level="team", parent="North")


def _random_cube(data):
    n = data.draw(st.integers(min_value=1, max_value=12))
    month = st.sampled_from(["2024-02", "2025-02", "2025-01"])
    rows = data.draw(st.lists(st.tuples(month, st.sampled_from(["E", "W", "N"]),
                                        st.sampled_from(["a", "b", "c"]), money),
                              min_size=n, max_size=n))
    df = pd.DataFrame(rows, columns=["month", "team", "rep", "amount"])
    return df.assign(month=pd.PeriodIndex(df["month"], freq="M"), category="A", quantity=1.0)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_yoy_contributions_add_up(data):
    cube = _random_cube(data)
    child = data.draw(st.sampled_from(["team", "rep"]))
    y = yoy_contributions(cube, month="2025-02", child=child)
    cur = cube.loc[cube.month == pd.Period("2025-02", "M"), "amount"].sum()
    prev = cube.loc[cube.month == pd.Period("2024-02", "M"), "amount"].sum()
    assert sum(cents(c) for c in y["change"]) == cents(cur - prev)
    if cents(prev) != 0:
        assert y["contribution_pct_points"].sum() == pytest.approx((cur - prev) / prev, abs=1e-6)


@settings(max_examples=20, deadline=None)
@given(st.data())
def test_attribution_blocks_add_up(data):
    cube = _random_cube(data)
    tg = monthly_targets({"Company": ("company", 500.0), "E": ("team", 200.0),
                          "a": ("rep", 90.0), "b": ("rep", 60.0)}, "2025-01", "2025-02")
    a = attribution(cube, tg, month="2025-02")
    for (span, parent), block in a.groupby(["span", "parent"]):
        months = ["2025-02"] if span == "month" else ["2025-01", "2025-02"]
        c = cube[cube.month.astype(str).isin(months)]
        c = c if parent == "Company" else c[c.team == parent]
        gap = block["target"].fillna(0).sum() - c["amount"].sum()
        assert sum(cents(x) for x in block["gap"]) == cents(gap)


# ---------------------------------------------------------------- price / volume / mix

def test_price_volume_mix_hand_worked():
    base = pd.DataFrame({"product": ["P1", "P2", "P4"], "amount": [100.0, 200.0, 30.0],
                         "quantity": [10.0, 10.0, 3.0]})
    cur = pd.DataFrame({"product": ["P1", "P2", "P3"], "amount": [220.0, 100.0, 50.0],
                        "quantity": [20.0, 5.0, 5.0]})
    e = price_volume_mix(cur, base).set_index("effect")["value"]
    # common P1, P2: Q0 = 20, A0 = 300, avg price 15; Q1 = 25
    # volume (25-20)*15 = 75; mix (20*10 + 5*20) - 25*15 = -75; price 320 - 300 = 20
    # new P3 +50, lost P4 -30; total 370 - 330 = 40
    assert e.to_dict() == {"price": 20.0, "volume": 75.0, "mix": -75.0, "new": 50.0,
                           "lost": -30.0}


def test_product_periods_and_pvm_tiny(tiny_sales):
    cur, base = product_periods(tiny_sales, month="2025-02", span="month", team="West")
    # West Feb 2025: Cat 100 (10 units); Feb 2024: Cat 80 + Dan 70 = 150 (15 units)
    assert cur.to_dict("list") == {"product": ["P1"], "amount": [100.0], "quantity": [10.0]}
    assert base.to_dict("list") == {"product": ["P1"], "amount": [150.0], "quantity": [15.0]}
    e = price_volume_mix(cur, base).set_index("effect")["value"]
    # one product at 10 a unit both years: all of -50 is volume (-5 units x 10)
    assert e["volume"] == -50.0 and e["price"] == 0.0 and e["mix"] == 0.0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("ABCDE"), money, st.integers(0, 50)), max_size=6),
       st.lists(st.tuples(st.sampled_from("ABCDE"), money, st.integers(0, 50)), max_size=6))
def test_price_volume_mix_adds_up(cur_rows, base_rows):
    cols = ["product", "amount", "quantity"]
    cur, base = pd.DataFrame(cur_rows, columns=cols), pd.DataFrame(base_rows, columns=cols)
    e = price_volume_mix(cur, base)
    assert e["effect"].tolist() == ["price", "volume", "mix", "new", "lost"]
    assert sum(cents(v) for v in e["value"]) == cents(cur.amount.sum() - base.amount.sum())


# ---------------------------------------------------------------- top_customers

def test_top_customers_tiny_ytd(tiny_sales):
    t = top_customers(tiny_sales, month="2025-02", n=2)
    # YTD 2025: Ann's customer 240 (200 last year), Cat's 200 (160); all sales 590
    assert t["customer_id"].tolist() == ["C-Ann", "C-Cat"]
    assert t["change"].tolist() == [40.0, 40.0]
    assert t["share"].tolist() == pytest.approx([240 / 590, 200 / 590])


def test_top_customers_team_and_month(tiny_sales):
    t = top_customers(tiny_sales, month="2025-02", span="month", team="West")
    # Dan's customer bought nothing in Feb 2025 (70 last year) but still competes
    assert t["customer_id"].tolist() == ["C-Cat", "C-Dan"]
    assert t["actual"].tolist() == [100.0, 0.0] and t["last_year"].tolist() == [80.0, 70.0]
    assert t["share"].tolist() == [1.0, 0.0]


def test_top_customers_bad_n(tiny_sales):
    with pytest.raises(ParamsError, match="n must"):
        top_customers(tiny_sales, month="2025-02", n=0)


def test_inputs_are_not_mutated(tiny_sales, tiny_cube):
    tg = monthly_targets(MONTH_TARGET)
    before = (tiny_sales.copy(), tiny_cube.copy(), tg.copy())
    attribution(tiny_cube, tg, month="2025-02")
    yoy_contributions(tiny_cube, month="2025-02", child="category")
    price_volume_mix(*product_periods(tiny_sales, month="2025-02", span="ytd"))
    top_customers(tiny_sales, month="2025-02")
    for got, want in zip((tiny_sales, tiny_cube, tg), before, strict=True):
        pd.testing.assert_frame_equal(got, want)


# ------------------------------------------------------------------ mid-month targets to date
def _mid_month_case():
    # October 2025, as of the 15th (15 of 31 days). Company 100 a month, East 60, West 40;
    # Ann (East) 60 and Cat (West) 40. Jan-Sep: Ann sold 60, Cat 35 a month; October so far:
    # Ann 20, Cat 25.
    months = pd.period_range("2025-01", "2025-10", freq="M")
    cube = pd.concat([pd.DataFrame({"month": months, "team": team, "rep": rep,
                                    "amount": [base] * 9 + [oct_]})
                      for team, rep, base, oct_ in (("East", "Ann", 60.0, 20.0),
                                                    ("West", "Cat", 35.0, 25.0))],
                     ignore_index=True)
    year = pd.period_range("2025-01", periods=12, freq="M")
    tg = pd.concat([pd.DataFrame({"month": year, "level": lv, "unit": u, "metric": "amount",
                                  "target": v})
                    for lv, u, v in (("company", "Company", 100.0), ("team", "East", 60.0),
                                     ("team", "West", 40.0), ("rep", "Ann", 60.0),
                                     ("rep", "Cat", 40.0))], ignore_index=True)
    return cube, tg


def test_attribution_mid_month_prorates_the_as_of_month_in_ytd_only():
    cube, tg = _mid_month_case()
    a = attribution(cube, tg, month="2025-10", as_of="2025-10-15", spans=("month", "ytd"))
    comp = a[(a["parent"] == "Company")].set_index(["span", "child"])
    # month: the full month's targets: East 60 - 20 = 40, West 40 - 25 = 15
    assert comp.loc[("month", "East"), "target"] == 60.0
    assert comp.loc[("month", "East"), "gap"] == 40.0
    # ytd: East 9 x 60 + 60 x 15/31 = 569.03 against 540 + 20 = 560 -> gap 9.03
    #      West 9 x 40 + 40 x 15/31 = 379.35 against 315 + 25 = 340 -> gap 39.35
    assert comp.loc[("ytd", "East"), "target"] == pytest.approx(540 + 60 * 15 / 31)
    assert comp.loc[("ytd", "East"), "gap"] == pytest.approx(9.03, abs=0.005)
    # (39.35 + 9.03 = 48.38 but the company's gap is 48.39: the cent goes to the largest gap)
    assert comp.loc[("ytd", "West"), "gap"] == pytest.approx(39.36, abs=0.005)
    ytd = a[(a["span"] == "ytd") & (a["parent"] == "Company")]
    # no "Not allocated" line: the children's prorated targets add up to the company's
    assert "Not allocated" not in set(ytd["child"])
    # company YTD gap: 900 + 100 x 15/31 - 900 = 48.39 = 9.03 + 39.35 (+ a cent of rounding)
    assert round(ytd["gap"].sum(), 2) == round(100 * 15 / 31 + 900 - 900, 2)
    assert ytd["share"].sum() == pytest.approx(1.0)   # nobody over-delivers: shares are 100 %


def test_attribution_ytd_gaps_match_the_progress_table_mid_month():
    from salesnb.progress import progress
    cube, tg = _mid_month_case()
    actuals = pd.concat([
        cube.groupby("month", as_index=False)["amount"].sum().assign(level="company",
                                                                     unit="Company", team=""),
        cube.groupby(["month", "team"], as_index=False)["amount"].sum().assign(
            level="team", unit=lambda d: d["team"]),
    ], ignore_index=True).rename(columns={"amount": "actual"}).assign(metric="amount")
    p = progress(actuals, tg, month="2025-10", as_of="2025-10-15").set_index("unit")
    a = attribution(cube, tg, month="2025-10", as_of="2025-10-15", spans=("ytd",))
    comp = a[a["parent"] == "Company"].set_index("child")
    for team in ("East", "West"):
        assert comp.loc[team, "gap"] == pytest.approx(p.loc[team, "ytd_gap"], abs=0.011)
    assert comp["gap"].sum() == pytest.approx(p.loc["Company", "ytd_gap"], abs=0.005)


@given(day=st.integers(min_value=1, max_value=31),
       sold=st.lists(st.integers(min_value=0, max_value=10_000), min_size=4, max_size=4))
@settings(max_examples=60, deadline=None)
def test_attribution_mid_month_children_add_up_to_the_parent(day, sold):
    cube, tg = _mid_month_case()
    oct_ = cube["month"] == pd.Period("2025-10", freq="M")
    cube.loc[oct_, "amount"] = [sold[0] / 100, sold[1] / 100]
    a = attribution(cube, tg, month="2025-10", as_of=f"2025-10-{day:02d}",
                    spans=("month", "qtd", "ytd"))
    for _key, g in a.groupby(["span", "parent"]):
        t = g["target"].fillna(0).sum()
        parent_gap = round(t - g["actual"].sum(), 2)
        assert round(g["gap"].sum(), 2) == pytest.approx(parent_gap, abs=0.011)
