"""Reporting lines (org ``manager``): hand-worked on the tiny company, checks, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesnb.exceptions import DataError
from salesnb.hierarchy import people_under, reporting_lines
from salesnb.io import load_dataset
from salesnb.report import prepare, team_slice


def _run(tiny_sales, tiny_targets, org):
    ds = load_dataset(sales=tiny_sales, targets=tiny_targets, org=org, as_of="2025-02")
    return ds, prepare(ds, month="2025-02")


def test_lines_hand_worked(tiny_sales, tiny_targets, tiny_org):
    # Bob and Cat report to Ann, Dan to Cat: Ann's line crosses into West
    org = tiny_org.assign(manager=["", "Ann", "Ann", "Cat"], title=["Head", "", "Lead", ""])
    _, t = _run(tiny_sales, tiny_targets, org)
    ln = t["lines"].set_index("manager")
    assert list(ln.index) == ["Ann", "Cat"]                # most people first
    ann, cat = ln.loc["Ann"], ln.loc["Cat"]
    assert (ann["direct_reports"], ann["people"], cat["people"]) == (2, 3, 1)
    # YTD Jan + Feb: Ann 240, Bob 80, Cat 200, Dan 70; YTD targets 200, 100, 200, 100
    assert ann["line_ytd_actual"] == 590 and ann["own_ytd_actual"] == 240
    assert ann["line_ytd_target"] == 600
    assert ann["line_ytd_attainment"] == pytest.approx(590 / 600)
    assert ann["own_share_ytd"] == pytest.approx(240 / 590)
    assert ann["line_actual"] == 260 and ann["own_actual"] == 120   # Feb: Dan sold nothing
    assert cat["line_ytd_actual"] == 270 and cat["line_ytd_target"] == 300
    assert (ann["title"], ann["team"], cat["title"], cat["team"]) == ("Head", "East", "Lead", "West")


def test_no_manager_column_means_no_lines(tiny_sales, tiny_targets, tiny_org):
    _, t = _run(tiny_sales, tiny_targets, tiny_org)
    assert t["lines"] is None


def test_a_circular_line_is_a_warning_and_leaves_lines_out(tiny_sales, tiny_targets, tiny_org):
    org = tiny_org.assign(manager=["Bob", "Ann", "", ""])
    ds, t = _run(tiny_sales, tiny_targets, org)              # the team reports still run
    [issue] = [i for i in ds.issues if i.check == "manager_cycle"]
    assert issue.severity == "warning"
    assert "circular reporting line (Ann -> Bob -> Ann)" in issue.message
    assert t["lines"] is None
    with pytest.raises(DataError, match="circular"):
        people_under(pd.Series({"Ann": "Bob", "Bob": "Ann"}))


def test_line_attainment_is_like_for_like_and_leavers_drop_out(tiny_sales, tiny_targets,
                                                              tiny_org):
    # Ann has no target of her own here: her line's attainment is that of Bob, Cat and Dan
    # (under Cat): (80 + 200 + 70) / (100 + 200 + 100), not the whole line's actual (590)
    # over those targets
    targets = tiny_targets[tiny_targets["unit"] != "Ann"]
    org = pd.concat([tiny_org, pd.DataFrame({"rep": ["Old"], "team": ["East"],
                                             "end": [pd.Timestamp("2023-06-30")]})])
    org = org.assign(manager=["", "Ann", "Ann", "Cat", "Ann"])
    _, t = _run(tiny_sales, targets, org)
    ann = t["lines"].set_index("manager").loc["Ann"]
    assert ann["line_ytd_attainment"] == pytest.approx(350 / 400)
    assert ann["line_ytd_actual"] == 590                          # the whole line still
    assert (ann["people"], ann["direct_reports"]) == (3, 2)       # Old left in 2023


def test_a_manager_who_does_not_sell_is_noted_and_shown(tiny_sales, tiny_targets, tiny_org):
    org = tiny_org.assign(manager=["Vera", "Ann", "", ""])   # Vera is not a rep
    ds, t = _run(tiny_sales, tiny_targets, org)
    [issue] = [i for i in ds.issues if i.check == "manager_unknown"]
    assert issue.severity == "info" and "misspelt" in issue.message
    assert issue.rows == [1] and issue.examples == ["Vera"]    # a DataFrame: record 1
    vera = t["lines"].set_index("manager").loc["Vera"]
    assert (vera["people"], vera["own_ytd_actual"], vera["line_ytd_actual"]) == (2, 0, 320)


def test_team_reports_get_no_lines_and_no_manager_names(tiny_sales, tiny_targets, tiny_org):
    org = tiny_org.assign(manager=["", "Ann", "Ann", "Cat"])
    _, t = _run(tiny_sales, tiny_targets, org)
    west = team_slice(t, "West")
    assert west["lines"] is None
    assert "manager" not in west["org"].columns                # Ann (East) is Cat's manager


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10 ** 6), min_size=2, max_size=12),
       st.data())
def test_a_line_is_its_manager_plus_the_lines_below(amounts, data):
    n = len(amounts)
    names = [f"r{i}" for i in range(n)]
    # rep i reports to an earlier rep or to nobody: always a tree
    parent = [None] + [data.draw(st.sampled_from([None] + names[:i])) for i in range(1, n)]
    org = pd.DataFrame({"rep": names, "team": "T", "manager": parent})
    prog = pd.DataFrame({"level": "rep", "metric": "amount", "unit": names, "team": "T",
                         "actual": np.array(amounts, float), "ytd_actual": np.array(amounts, float),
                         "ytd_target": np.nan})
    ln = reporting_lines(prog, org)
    line = dict(zip(ln["manager"], ln["line_ytd_actual"], strict=True))
    own = dict(zip(names, map(float, amounts), strict=True))
    for m in line:
        kids = [r for r, p in zip(names, parent, strict=True) if p == m]
        assert line[m] == pytest.approx(own[m] + sum(line.get(k, own[k]) for k in kids))
    tops = [r for r, p in zip(names, parent, strict=True) if p is None]
    assert sum(line.get(r, own[r]) for r in tops) == pytest.approx(sum(own.values()))
    under = people_under(org.set_index("rep")["manager"])
    assert all(m not in people for m, people in under.items())
