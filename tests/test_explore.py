"""Tests for salesnb.explore, the analyst's workbook helpers (tiny company of conftest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_tiny_org, make_tiny_sales, make_tiny_targets

from salesnb import explore as sx
from salesnb import forecast as fc
from salesnb.exceptions import ParamsError
from salesnb.io import load_dataset
from salesnb.report import prepare


@pytest.fixture(scope="module")
def tables() -> dict:
    ds = load_dataset(sales=make_tiny_sales(), targets=make_tiny_targets(), org=make_tiny_org())
    return prepare(ds, month="2025-02")


# ------------------------------------------------------------------ params
def test_resolve_paths_joins_relative_paths_to_the_params_folder(tmp_path):
    p = sx.resolve_paths({"sales": "data/s.csv", "org": ""}, base_dir=tmp_path)
    assert p["sales"] == str(tmp_path / "data" / "s.csv")
    assert p["org"] == ""


def test_resolve_paths_keeps_database_sources_and_does_not_mutate():
    src = {"url": "sqlite:///x.db", "table": "orders"}
    params = {"sales": src, "month": "2025-02"}
    out = sx.resolve_paths(params, base_dir="/somewhere")
    assert out["sales"] is src
    assert params == {"sales": src, "month": "2025-02"}


def test_read_params_applies_month_override_and_resolves_paths(tmp_path):
    (tmp_path / "run.yaml").write_text('month: "2025-02"\nsales: data/sales.csv\n')
    p = sx.read_params(tmp_path / "run.yaml", month="2025-01", team="")
    assert p["month"] == "2025-01"
    assert p["sales"] == str(tmp_path / "data" / "sales.csv")
    assert p["currency"] == "$"  # defaults filled in


def test_read_params_rejects_unknown_keys(tmp_path):
    (tmp_path / "run.yaml").write_text('month: "2025-02"\nsales: s.csv\nmonht: "2025-03"\n')
    with pytest.raises(ParamsError, match="monht"):
        sx.read_params(tmp_path / "run.yaml")


def test_read_params_rejects_a_bad_month_override(tmp_path):
    (tmp_path / "run.yaml").write_text('month: "2025-02"\nsales: s.csv\n')
    with pytest.raises(ParamsError, match="YYYY-MM"):
        sx.read_params(tmp_path / "run.yaml", month="Feb 2025")


# ------------------------------------------------------------------ choosing units
@pytest.mark.parametrize("team, rep, expected", [
    ("", "", ("East", "Ann")),       # first team, its first rep
    ("West", "", ("West", "Cat")),   # the team's first rep
    ("", "Dan", ("West", "Dan")),    # the rep's team
    ("East", "Bob", ("East", "Bob")),
])
def test_pick_unit(tables, team, rep, expected):
    assert sx.pick_unit(tables, team=team, rep=rep) == expected


@pytest.mark.parametrize("team, rep, match", [
    ("North", "", "known teams"),
    ("", "Eve", "known reps"),
    ("East", "Cat", "in team 'West'"),
])
def test_pick_unit_errors_name_the_choices(tables, team, rep, match):
    with pytest.raises(ParamsError, match=match):
        sx.pick_unit(tables, team=team, rep=rep)


def test_reps_of_team(tables):
    assert sx.reps_of(tables, "West") == ["Cat", "Dan"]
    assert sx.reps_of(tables) == ["Ann", "Bob", "Cat", "Dan"]


def test_months_of_runs_from_first_actual_to_report_month_latest_first(tables):
    months = sx.months_of(tables)
    # 2024-01 .. 2025-02 is 12 + 2 = 14 months
    assert len(months) == 14
    assert months[0] == "2025-02" and months[-1] == "2024-01"


def test_unit_options_list_company_teams_then_reps_by_team(tables):
    values = [v for _, v in sx.unit_options(tables)]
    assert values == [("company", "Company"), ("team", "East"), ("team", "West"),
                      ("rep", "Ann"), ("rep", "Bob"), ("rep", "Cat"), ("rep", "Dan")]


def test_unit_series_is_monthly_and_stops_at_through(tables):
    y = sx.unit_series(tables["actuals"], level="team", unit="West", through="2025-01")
    assert y.index[0] == pd.Period("2024-01", freq="M")
    assert y.index[-1] == pd.Period("2025-01", freq="M")
    # West: Cat 100 + Dan 70 in 2025-01
    assert y.iloc[-1] == 170.0


def test_unit_series_unknown_unit_raises(tables):
    with pytest.raises(ParamsError, match="unit='Zed'"):
        sx.unit_series(tables["actuals"], level="rep", unit="Zed")


# ------------------------------------------------------------------ cards
def test_progress_card_reads_the_units_row(tables):
    card = sx.progress_card(tables["progress"], level="team", unit="West").set_index("measure")
    # West 2025-02: actual 100 of target 150 -> 66.7 %, gap 50
    assert card.loc["actual", "value"] == 100.0
    assert card.loc["attainment", "shown"] == "66.7 %"
    assert card.loc["gap", "value"] == 50.0


def test_progress_card_of_a_unit_without_row_is_empty(tables):
    assert sx.progress_card(tables["progress"], level="rep", unit="Eve").empty


def test_projection_card_shows_method_and_note_as_text():
    card = sx.projection_card({"projection": 1200.0, "method": "run-rate", "note": "short"})
    assert card["measure"].tolist() == ["projection", "method", "note"]
    assert card["shown"].tolist() == ["$1.20K", "run-rate", "short"]
    assert np.isnan(card["value"].iloc[1])


# ------------------------------------------------------------------ compare_models
def test_compare_models_stacks_each_models_backtest():
    y = pd.Series([10.0, 20.0, 30.0, 40.0, 50.0],
                  index=pd.period_range("2025-01", periods=5, freq="M"))
    models = {"naive": fc.Naive(), "drift": fc.Drift()}
    got = sx.compare_models(y, models, origins=3, horizons=[1])
    # naive is 10 short every month (MAE 10); drift continues +10 a month exactly (MAE 0)
    assert got["model"].tolist() == ["naive", "drift"]
    assert got["mae"].tolist() == [10.0, 0.0]
    one = fc.backtest(y, fc.Naive(), origins=3, horizons=[1])
    pd.testing.assert_frame_equal(got.iloc[:1, 1:].reset_index(drop=True), one)


def test_compare_models_defaults_to_default_model_and_baselines(tables):
    y = sx.unit_series(tables["actuals"], level="company", unit="Company")
    got = sx.compare_models(y, origins=2, horizons=[1])
    assert got["model"].tolist() == ["default", "naive", "seasonal naive", "drift", "run-rate"]


# ------------------------------------------------------------------ display and widgets
def test_view_html_holds_text_tables_and_figures():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    ax.plot([1, 2])
    v = sx.View("Hello <b>", pd.DataFrame({"a": [1]}), ax)
    html = v._repr_html_()
    assert "Hello &lt;b&gt;" in html and "<table" in html and "<svg" in html
    assert not plt.get_fignums()  # the figure was closed once turned into SVG


def test_team_rep_controls_list_the_chosen_teams_reps(tables):
    team, rep = sx.team_rep_controls(tables, team="East", rep="Bob")
    assert rep.value == "Bob" and list(rep.options) == ["Ann", "Bob"]
    team.value = "West"
    assert list(rep.options) == ["Cat", "Dan"] and rep.value == "Cat"


def test_linked_view_shows_the_default_then_redraws_on_change(capsys):
    import ipywidgets as widgets
    calls = []

    def view(month):
        calls.append(month)
        return f"view of {month}"

    dd = widgets.Dropdown(options=["2025-02", "2025-01"], value="2025-02")
    sx.linked_view(view, month=dd)
    assert calls == ["2025-02"]  # once, for the static default output
    dd.value = "2025-01"
    assert calls == ["2025-02", "2025-01"]
    assert "view of 2025-01" in capsys.readouterr().out
