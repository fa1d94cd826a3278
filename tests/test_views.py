"""Report views: every block a notebook calls is a method written in a class body of
salesnb.views, the old names resolve, and the tables the views draw add up by hand."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import salesnb as sn
from salesnb.compare import growth_table
from salesnb.cumulative import cumulative_by_unit, forecast_path, unit_history
from salesnb.views import CompanyReport, TeamReport

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted({*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("salesnb/notebooks/*.ipynb")})


def _called_methods(path: Path) -> set[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    src = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return set(re.findall(r"\br\.(\w+)\(", src))


def _defining_class(cls: type, name: str) -> type | None:
    return next((k for k in cls.__mro__ if name in k.__dict__), None)


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if "report" in p.stem or "weekly" in p.stem],
                         ids=lambda p: p.stem)
def test_every_block_a_notebook_calls_is_written_in_a_views_class_body(path):
    cls = CompanyReport if "company" in path.stem else TeamReport
    called = _called_methods(path)
    assert "title" in called or "week_title" in called
    for name in sorted(called):
        owner = _defining_class(cls, name)
        assert owner is not None, f"{path.name} calls r.{name}(), which {cls.__name__} lacks"
        assert owner.__module__.startswith("salesnb.views."), (name, owner)
        fn = owner.__dict__[name]
        # written in the class body: the source file of the function is the class's module
        assert inspect.getsourcefile(fn) == inspect.getsourcefile(owner), name
        assert fn.__qualname__ == f"{owner.__name__}.{name}", fn.__qualname__


def test_documented_names_keep_resolving():
    assert sn.report.open_team_report and sn.report.notebook_params
    assert sn.overview.open_company_report is sn.report.open_company_report
    assert sn.overview.CompanyReport is CompanyReport
    assert sn.sections.TeamReport is TeamReport
    assert sn.sections.say("alerts_none", "en") == "No alerts this month."
    assert sn.report.read_cache is sn.cache.read_cache


def test_no_package_module_imports_the_old_report_modules():
    for f in (ROOT / "salesnb").rglob("*.py"):
        text = f.read_text(encoding="utf-8")
        assert not re.search(r"from \.+(sections|overview) import|import salesnb\.(sections|"
                             r"overview)\b", text), f


# ------------------------------------------------------------------------ growth_table
def _actuals(rows):
    return pd.DataFrame(rows, columns=["level", "unit", "team", "metric", "month", "actual"]
                        ).assign(month=lambda d: pd.PeriodIndex(d["month"], freq="M"))


def test_growth_table_whole_months_by_hand():
    a = _actuals([("team", "E", "E", "amount", "2024-10", 80.0),
                  ("team", "E", "E", "amount", "2025-09", 100.0),
                  ("team", "E", "E", "amount", "2025-10", 120.0),
                  ("team", "E", "E", "quantity", "2025-10", 3.0),
                  ("rep", "Ann", "E", "amount", "2025-10", 120.0)])
    g = growth_table(a, month="2025-10", fiscal_year_start=10)
    assert g["unit"].tolist() == ["E"]  # the rep and the quantity row are not shown
    r = g.iloc[0]
    assert r["mom"] == pytest.approx(120 / 100 - 1)
    assert r["yoy"] == pytest.approx(120 / 80 - 1)
    # fiscal year from October: the year to date is October alone, against October 2024
    assert (r["ytd_actual"], r["ytd_last_year"]) == (120.0, 80.0)


def test_growth_table_mid_month_is_like_for_like():
    a = _actuals([("team", "E", "E", "amount", "2024-10", 80.0),
                  ("team", "E", "E", "amount", "2025-09", 100.0),
                  ("team", "E", "E", "amount", "2025-10", 30.0)])
    progress = pd.DataFrame({"level": ["team"], "unit": ["E"], "metric": ["amount"],
                             "actual": [30.0], "prev_actual": [25.0], "mom": [0.2],
                             "last_year_actual": [20.0], "yoy": [0.5]})
    sales = pd.DataFrame({"date": pd.to_datetime(["2024-10-03", "2024-10-20", "2025-10-02",
                                                  "2025-10-09"]),
                          "team": "E", "rep": "Ann", "amount": [20.0, 60.0, 10.0, 20.0]})
    g = growth_table(a, month="2025-10", fiscal_year_start=10, levels=("team",),
                     progress=progress, sales=sales, as_of="2025-10-10")
    r = g.iloc[0]
    assert (r["actual"], r["prev_actual"], r["mom"], r["yoy"]) == (30.0, 25.0, 0.2, 0.5)
    # October 1-10 2025 (30) against October 1-10 2024 (20): +50 %
    assert (r["ytd_actual"], r["ytd_last_year"], r["ytd_yoy"]) == (30.0, 20.0, 0.5)


def test_growth_table_mid_month_needs_progress_and_sales():
    a = _actuals([("team", "E", "E", "amount", "2025-10", 30.0)])
    with pytest.raises(sn.ParamsError, match="progress and sales"):
        growth_table(a, month="2025-10", as_of="2025-10-10")


# ------------------------------------------------------------------- cumulative_by_unit
def test_cumulative_by_unit_by_hand():
    a = _actuals([("team", "E", "E", "amount", "2025-04", 50.0),
                  ("team", "E", "E", "amount", "2025-05", 70.0),
                  ("team", "W", "W", "amount", "2025-05", 40.0),
                  ("team", "E", "E", "amount", "2025-03", 999.0),  # last fiscal year
                  ("rep", "Ann", "E", "amount", "2025-04", 50.0)])
    months = pd.period_range("2025-04", periods=12, freq="M")
    t = pd.concat([pd.DataFrame({"level": "team", "unit": u, "metric": "amount",
                                 "month": months, "target": v}) for u, v in (("E", 60.0),
                                                                             ("W", 30.0))])
    c = cumulative_by_unit(a, t, month="2025-05", fiscal_year_start=4)
    assert len(c) == 24 and c["unit"].unique().tolist() == ["E", "W"]
    first = c[c["month"] <= pd.Period("2025-05", "M")].reset_index(drop=True)
    expected = pd.DataFrame({"unit": ["E", "E", "W", "W"],
                             "month": pd.PeriodIndex(["2025-04", "2025-05"] * 2, freq="M"),
                             "cum_target": [60.0, 120.0, 30.0, 60.0],
                             "cum_actual": [50.0, 120.0, 0.0, 40.0],
                             "cum_attainment": [50 / 60, 1.0, 0.0, 40 / 60]})
    assert_frame_equal(first, expected)
    rest = c[c["month"] > pd.Period("2025-05", "M")]
    assert rest["cum_actual"].isna().all()  # after the report month: nothing yet
    assert c.loc[c["unit"] == "W", "cum_target"].iloc[-1] == 360.0  # the annual target


def test_cumulative_by_unit_without_units_is_empty():
    a = _actuals([("rep", "Ann", "E", "amount", "2025-04", 50.0)])
    c = cumulative_by_unit(a, a.rename(columns={"actual": "target"}), month="2025-04")
    assert c.empty and list(c.columns) == ["unit", "month", "cum_target", "cum_actual",
                                           "cum_attainment"]


# ------------------------------------------------------------------------ forecast_path
def test_forecast_path_adds_the_forecast_to_the_year_to_date_and_ends_on_the_projection():
    months = pd.period_range("2024-01", "2025-09", freq="M")
    a = pd.DataFrame({"level": "team", "unit": "E", "metric": "amount", "month": months,
                      "actual": np.arange(len(months), dtype=float) + 100.0})
    y = unit_history(a, level="team", unit="E", month="2025-09")
    proj = pd.Series({"lower": 1.0, "upper": 2.0})
    hist, path = forecast_path(y, proj, month="2025-09", fiscal_year_start=1)
    # January..September 2025 are 112..120: the cumulative actual ends at their sum
    assert hist["actual"].iloc[-1] == sum(range(112, 121))
    assert hist["month"].iloc[0] == pd.Period("2025-01", "M") and len(hist) == 9
    fc = sn.forecast.forecast_series(y, 3, level=0.8)
    base = sum(range(112, 121))
    assert path["forecast"].tolist() == pytest.approx((base + fc["forecast"].cumsum()).tolist())
    assert path["lower"].iloc[0] == pytest.approx(base + fc["lower"].iloc[0])
    assert path[["lower", "upper"]].iloc[-1].tolist() == [1.0, 2.0]


def test_forecast_path_at_the_years_end_has_no_forecast():
    y = pd.Series([5.0, 7.0], index=pd.period_range("2025-11", periods=2, freq="M"))
    hist, path = forecast_path(y, None, month="2025-12")
    assert hist["actual"].tolist() == [5.0, 12.0] and path.empty


@pytest.mark.parametrize("month, fys, target", [("2025-08", 1, 3_900.0), ("2025-09", 1, None),
                                                 ("2025-06", 4, 3_000.0), ("2025-07", 7, 0.0)])
def test_one_fit_a_report_gives_the_figures_of_forecast_series_and_quarter_end_projection(
        month, fys, target):
    # the forecast chart and the quarter block share one fitted model (ForecastView._fitted):
    # exactly what forecast_series and quarter_end_projection each fit anew
    from salesnb.views.forecast import ForecastView
    rng = np.random.default_rng(3)
    months = pd.period_range("2023-01", month, freq="M")
    v = 1_000 + 200 * np.sin(np.arange(len(months)) / 2) + rng.normal(0, 80, len(months))
    a = pd.DataFrame({"level": "team", "unit": "E", "metric": "amount", "month": months,
                      "actual": v})

    class View(ForecastView):
        level, unit, partial_month, lang = "team", "E", False, "en"

    view = View()
    view.month, view.fys = month, fys
    y = unit_history(a, level="team", unit="E", month=month)
    got = view._quarter_projection(y, target)
    want = sn.forecast.quarter_end_projection(y, as_of_month=month, quarter_target=target,
                                              fiscal_year_start=fys)
    for k in ("projection", "lower", "upper", "months_remaining"):
        assert got[k] == want[k], k
    assert got["probability"] == want["probability"] or (
        np.isnan(got["probability"]) and np.isnan(want["probability"]))
    assert got["quarter_target"] == want["quarter_target"] or (
        np.isnan(got["quarter_target"]) and np.isnan(want["quarter_target"]))
    hist, path = forecast_path(y, None, month=month, fiscal_year_start=fys)
    hist2, path2 = forecast_path(y, None, month=month, fiscal_year_start=fys,
                                 model=view._fitted("team", "E", y))
    assert_frame_equal(hist, hist2)
    assert_frame_equal(path, path2, check_exact=True)
    assert view._fitted("team", "E", y) is view._fitted("team", "E", y.copy())


# ------------------------------------------------------------------------------ charts
def test_importing_the_charts_changes_no_rcparams():
    import subprocess
    import sys
    code = ("import matplotlib as m; before = dict(m.rcParams); import salesnb.plots, "
            "salesnb.views; print(dict(m.rcParams) == before)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_seaborn_charts_return_their_axes_and_grid_and_stay_small():
    import matplotlib.pyplot as plt

    from salesnb import plots
    plots.use_report_style()
    months = pd.period_range("2025-01", periods=12, freq="M")
    mat = pd.DataFrame([[0.9, 1.1, np.nan], [1.2, 0.7, 1.0]], index=["E", "W"],
                       columns=months[:3])
    fig, ax = plt.subplots()
    assert plots.attainment_heatmap(mat, ax=ax) is ax
    assert [t.get_text() for t in ax.texts] == ["90", "110", "120", "70", "100"]  # no NaN cell
    plt.close(fig)
    ax = plots.rep_attainment(pd.DataFrame({"unit": ["Ann", "Bob"], "attainment": [0.5, 1.2]}),
                              reference=0.9, reference_label="E 90 %")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Bob", "Ann"]  # highest on top
    assert [round(p.get_width(), 2) for p in ax.patches] == [1.2, 0.5]
    assert len(plots.figure_svg(ax.figure)) < 60_000
    table = pd.DataFrame({"unit": ["E"] * 12 + ["W"] * 12, "month": list(months) * 2,
                          "cum_target": np.arange(1, 25) * 10.0,
                          "cum_actual": [v if i % 12 < 4 else np.nan
                                         for i, v in enumerate(np.arange(1, 25) * 9.0)]})
    grid = plots.cumulative_small_multiples(table, currency="$")
    assert [ax.get_title(loc="left") for ax in grid.axes.flat] == ["E", "W"]
    first = grid.axes.flat[0]
    ys = sorted(tuple(line.get_ydata()) for line in first.lines if len(line.get_ydata()))
    assert (9.0, 18.0, 27.0, 36.0) in ys  # the actual through the report month only
    assert tuple(np.arange(1, 13) * 10.0) in ys
    assert len(plots.figure_svg(grid.figure)) < 120_000


def test_gap_waterfall_leaves_headroom_above_the_tallest_bar_and_below_the_lowest():
    import matplotlib.pyplot as plt

    from salesnb import plots
    # gaps 10, -3, 5: the running bars end at 10, 7, 12; the total bar is 12 tall
    t = pd.DataFrame({"child": ["East", "West", "North"], "gap": [10.0, -3.0, 5.0]})
    ax = plots.gap_waterfall(t)
    lo, hi = ax.get_ylim()
    assert lo == 0.0 and hi == pytest.approx(12 + 0.08 * 12)
    plt.close(ax.figure)
    # a surplus below zero gets room under it as well: ends 4, -6 (total); span 10
    ax = plots.gap_waterfall(pd.DataFrame({"child": ["A", "B"], "gap": [4.0, -10.0]}))
    lo, hi = ax.get_ylim()
    assert lo == pytest.approx(-6 - 0.8) and hi == pytest.approx(4 + 0.8)
    plt.close(ax.figure)


@pytest.mark.slow
@pytest.mark.parametrize("month,team,words", [
    ("2024-12", "", "the sales start on 2025-01-01. Choose a month from 2025-01 on"),
    ("2026-06", "", "starts after the last sale in the data (2026-04-30)"),
    ("2026-02", "Eastt", "team 'Eastt' is not in the data for 2026-02; known teams: "),
])
def test_a_month_outside_the_data_or_an_unknown_team_is_said_before_anything_renders(
        tmp_path, month, team, words):
    from salesnb.exceptions import ParamsError
    from salesnb.io import write_tables
    from salesnb.sample import make_company
    co = make_company(seed=2, rows=1_500, teams=2, reps=8, years=1, end="2026-04-30")
    write_tables(co, tmp_path)
    kw = {k: str(tmp_path / f"{k}.csv") for k in ("sales", "targets", "org")}
    with pytest.raises(ParamsError, match=re.escape(words)):
        sn.report.open_team_report(month=month, team=team, opportunities="", spend="",
                                   satisfaction="", **kw)


# ------------------------------------------------------- the run's fits, drawn as they are
@pytest.mark.slow
def test_reports_draw_the_runs_own_fits_exactly_as_a_fit_of_their_own(sample_pack):
    # the run fits each unit once (projections_and_paths) and keeps the forecast path and
    # the quarter end; a report drawing them shows what it would show fitting the model
    from salesnb.cache import read_cache, rep_slice, team_slice
    from salesnb.report import scorecard_reps
    from salesnb.views.company import CompanyReport
    from salesnb.views.rep import RepScorecard
    from salesnb.views.team import TeamReport
    full = read_cache(sample_pack["out"] / "_cache")
    paths, quarters = full["forecast_paths"], full["quarter_projections"]
    assert len(paths) and len(quarters)
    assert set(map(tuple, quarters[["level", "unit"]].to_numpy())) == set(
        map(tuple, full["projections"][["level", "unit"]].to_numpy()))
    team = str(full["projections"].query("level == 'team'")["unit"].iloc[0])
    rep = scorecard_reps(full, team)[0]
    makers = {"company": lambda t: CompanyReport(t),
              "team": lambda t: TeamReport(team_slice(t, team), team),
              "rep": lambda t: RepScorecard(rep_slice(team_slice(t, team), rep), rep)}
    bare = dict(full, forecast_paths=None, quarter_projections=None)
    for kind, make in makers.items():
        stored, fitted = make(full), make(bare)
        a, b = stored.forecast(), fitted.forecast()
        assert a.sentence == b.sentence and a.body == b.body, kind
        assert "_fitted_models" not in stored.__dict__, kind   # no model was fitted
        if kind != "rep":
            assert stored.quarter_forecast().sentence == fitted.quarter_forecast().sentence


def test_a_slice_leaves_out_tables_it_has_no_rule_for():
    from salesnb.cache import SLICED, UNIT_TABLES, _known_only
    assert {"forecast_paths", "quarter_projections"} <= set(UNIT_TABLES) <= SLICED
    out = _known_only({"progress": pd.DataFrame({"a": [1]}), "new_table": pd.DataFrame({"a": [1]}),
                       "meta": {}})
    assert out["new_table"] is None and out["progress"] is not None and out["meta"] == {}
