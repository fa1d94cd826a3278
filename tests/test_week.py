"""The weekly variant's comparison: this week to date against the same days last week."""

import numpy as np
import pandas as pd
import pytest

from salesnb.compare import week_to_date
from salesnb.exceptions import ParamsError


@pytest.fixture
def sales():
    # 2025-03-05 is a Wednesday: this week = Mon 03-03 .. Wed 03-05, last week = 02-24 .. 02-26
    return pd.DataFrame({
        "date": pd.to_datetime(["2025-03-03", "2025-03-05", "2025-02-25", "2025-02-27",
                                "2025-02-20", "2025-03-04", "2025-03-06"]),
        "team": ["E", "E", "E", "E", "E", "W", "W"],
        "rep": ["Ann", "Ann", "Ann", "Ann", "Bob", "Cat", "Cat"],
        "amount": [10.0, 20.0, 15.0, 99.0, 7.0, 40.0, 1000.0],
    })


def test_rep_week_over_week(sales):
    out = week_to_date(sales, as_of="2025-03-05").set_index("unit")
    # Ann: 10 + 20 = 30 this week; last week only 02-25 (15) counts: 02-27 is a Thursday
    assert out.loc["Ann", "this_week"] == 30.0 and out.loc["Ann", "last_week"] == 15.0
    assert out.loc["Ann", "wow"] == pytest.approx(30 / 15 - 1)
    # Bob sold in the 4 weeks before: listed with 0, growth has no value
    assert out.loc["Bob", "this_week"] == 0.0 and np.isnan(out.loc["Bob", "wow"])
    # Cat's 03-06 sale is after the as-of date
    assert out.loc["Cat", "this_week"] == 40.0
    assert out.loc["Ann", "week_start"] == pd.Timestamp("2025-03-03")


def test_team_and_company_levels(sales):
    team = week_to_date(sales, as_of="2025-03-05", level="team").set_index("unit")
    assert team.loc["E", "this_week"] == 30.0 and team.loc["W", "this_week"] == 40.0
    comp = week_to_date(sales, as_of="2025-03-05", level="company")
    assert comp["this_week"].tolist() == [70.0] and comp["last_week"].tolist() == [15.0]


def test_week_starting_sunday(sales):
    out = week_to_date(sales, as_of="2025-03-05", week_start=6).set_index("unit")
    # week = Sun 03-02 .. Wed 03-05; last week = Sun 02-23 .. Wed 02-26
    assert out.loc["Ann", "this_week"] == 30.0 and out.loc["Ann", "last_week"] == 15.0


def test_bad_week_start(sales):
    with pytest.raises(ParamsError, match="week_start"):
        week_to_date(sales, as_of="2025-03-05", week_start=7)


def test_input_not_mutated(sales):
    before = sales.copy()
    week_to_date(sales, as_of="2025-03-05")
    pd.testing.assert_frame_equal(sales, before)
