"""Write salesnb/notebooks/explore.ipynb, the analyst's workbook (committed without outputs).

Run: .venv/bin/python tools/make_explore.py
Check: .venv/bin/python -m pytest --nbval-lax salesnb/notebooks/explore.ipynb -q
"""
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

PARAMS = '''params_file: str = ""  # params YAML of the run (its data paths resolve against its folder; empty: the sample company)
month: str = ""  # month to explore as of, YYYY-MM (empty: the params file's month)
team: str = ""  # team to explore (empty: the rep's team, else the first team)
rep: str = ""  # rep to explore (empty: the team's first rep)'''


def code(src, tags=()):
    c = new_code_cell(src.strip("\n"))
    c.metadata["tags"] = list(tags)
    return c


def md(src):
    c = new_markdown_cell(src.strip("\n"))
    c.metadata["tags"] = []
    return c


INTRO = """
# Explore a run: the analyst's workbook

This notebook walks through one run of sales data: load and check the data, then
**progress** against target for any unit and month, **comparison** between units,
**drill-down** into where a gap comes from, and the **forecast**. Every number comes from a
`salesnb` function (the same ones the HTML reports use), called in the open: copy a cell,
change an argument, and you have your own analysis.

**Start it** with `make lab` (JupyterLab opens in `salesnb/notebooks/`), set the parameters below,
then *Run ▸ Run All Cells*. Each section first shows a fixed example for the chosen team, rep
and month, then dropdowns (unit, team, rep, month) that redraw a view in place. A copy opened
without a running kernel (or run headless) shows the views for the default selection.
"""

LOAD = """
## 1. Load and validate the data

`sx.read_params` reads the params file with `sn.io.load_params` (dates stay strings), rejects
unknown keys (a typo is an error, not a silent default), applies the `month` override and
resolves the data paths against the params file's folder. `sn.report.load_prepared` then
loads every table, renames the columns through the params' `columns` mapping, coerces them
to the canonical schema and validates them; it computes every table of the run once:
`actuals`, monthly `targets`, `progress`, `attribution`, `cube`, `projections`, `alerts`,
`tiers`, `quality`. An error in the data (a missing column, an unreadable date or amount)
stops here with a message that names the file, the column and the rows to fix. Sales dated
after the month are set aside, not counted, so a past month shows what was known then.
"""

QUALITY = """
The **data-quality table** lists what loading found but did not stop for: warnings to check
with the data's owner (e.g. negative amounts, repeated lines) and information. `count` is how
many rows are concerned and `rows` their numbers as counted in the file (header = row 1).
"""

EXCLUDED = """
Rows set aside (for example sales after the as-of date) are kept with the reason, so nothing
disappears silently:
"""

PROGRESS = """
## 2. Progress against target

The **progress table** has one row per unit (company, team, rep) and metric for a month: the
month's `target`, `actual`, `attainment` (actual / target; no value when there is no target)
and `gap` (target − actual; negative means ahead), the same for quarter and year to date,
the `annual_target`, how much of it is done (`annual_completion`) against how much of the year
has gone (`time_progress`) and how much of it the plan puts before now (`planned_progress`:
the monthly targets so far over the annual target). `pace` is annual completion − planned
progress, a fraction like the others: −0.0348 is 3.48 points behind the plan (negative:
behind), and it always has the sign of `ytd_attainment` − 1; `calendar_pace` compares with
time progress instead. `required_run_rate` is what each remaining month must bring.
`tables["progress"]` is the report month's table; here are the company and its teams:
"""

CARD = """
One unit in detail: `sx.progress_card` picks a unit's row and formats it for reading
(the `value` column keeps the number). `sn.progress.monthly_progress` lays out the fiscal year
month by month; its cumulative columns tell whether a shortfall is recent or old.
"""

ANY_MONTH = """
**Any unit, any month.** `progress_at(month)` below calls `sn.progress.progress` on the same
actuals and targets for another month (the year to date then runs through that month).
Choose a unit (company, a team or a rep) and a month:
"""

COMPARE = """
## 3. Comparison

**Growth.** `sn.compare.period_growth` gives month-on-month, year-on-year and year-to-date
year-on-year growth for every unit. Growth on a missing or zero base has no value (NaN),
never 0 % or infinity.
"""

RANK = """
**Ranking.** `sn.compare.rank_units` ranks by attainment (higher is better), ties broken by the
actual; a unit without a target ranks last. With `within="team"` it ranks reps inside their
team.
"""

PEERS = """
**Peers.** `sn.compare.peer_stats` compares each rep of the team with the team's other reps:
their average, the rep's percentile among them (share of the others strictly below) and
z-score, and whether the rep is below the team's own attainment.
"""

PEERS_WIDGET = """
Choose a team and a month to rank its reps against each other (`rep` marks the chosen rep in
the table's first column):
"""

DRILL = """
## 4. Drill-down: where does the gap come from?

**Attribution.** `tables["attribution"]` splits the company's gap between its teams and each
team's gap between its reps, for the month (`span="month"`) and the year to date
(`span="ytd"`). Gaps add up exactly to the parent's gap; a negative gap is a surplus.
`share` is a child's part of the shortfall (its gap / the sum of the positive gaps): the
shares of the children who fall short add up to 1, and an over-achiever's negative share is
the part of the shortfall it offsets. A rep who moved teams counts for each team with the sales and target months spent
there. `sn.drilldown.attribution` computes it for any month and span.
"""

YOY = """
**Year-on-year contributions.** `sn.drilldown.yoy_contributions` splits the change from the
same span last year between children (reps, teams or product categories);
`contribution_pct_points` adds up to the parent's year-on-year growth.
"""

PVM = """
**Price, volume and mix.** `sn.drilldown.product_periods` totals amount and quantity per
product for the span and the same span last year; `sn.drilldown.price_volume_mix` splits the
change into price, volume, mix, new and lost products, adding up to the total change.
"""

DRILL_WIDGET = """
Choose a team, a month, a span and what to split the year-on-year change by:
"""

FORECAST = """
## 5. Forecast

`sx.unit_series` selects a unit's monthly actuals as a Series indexed by month, the input of
every forecaster. `sn.forecast.forecast_series` forecasts the next months with the default
model (it picks its method by backtest and says which in `attrs`), with an 80 % interval.
"""

BACKTEST = """
**How good is it?** `sx.compare_models` runs `sn.forecast.backtest` for the default model
and the baselines (naive, seasonal naive, drift, run-rate) over the last 12 forecast origins:
`mae` in money, `mape` as a fraction of the actual, `mase` below 1 beats a seasonal-naive
forecast, `coverage` is the share of actuals inside the 80 % interval (close to 0.8 is
honest). A model is worth using only where it beats the baselines.
"""

YEAR_END = """
**Year end.** `sn.forecast.year_end_projection` adds the forecast of the fiscal year's
remaining months to the year-to-date actual, with an 80 % range and the probability of
reaching the annual target. `tables["projections"]` holds it for every unit of the run.
"""

FORECAST_WIDGET = """
Choose a unit and the month to forecast from (an earlier month shows what the model would
have said then):
"""

NEXT = """
## Next

- The same numbers as a report: `salesnb run params/sample.yaml` renders one HTML report per
  team and a company overview (see `notebooks/team_report.ipynb`).
- Explore your own data: copy `params/sample.yaml`, point `sales`, `targets` and `org` at your
  files (and map your column names under `columns`), then set `params_file` above.
"""


def explore_notebook():
    cells = [
        md(INTRO),
        code("""
import ipywidgets as widgets
import pandas as pd

import salesnb as sn
from salesnb import explore as sx

sn.plots.use_report_style()  # the reports' chart theme (explicit: importing salesnb changes nothing)
pd.set_option("display.float_format", sx.float_format)  # 202,572.00 and 0.9650, not 2.0e+05
"""),
        code(PARAMS, tags=["parameters"]),
        md(LOAD),
        code("""
params = (sx.read_params(params_file, month=month) if params_file
          else sn.sample.sample_params(month=month))  # no file: the sample company
tables = sn.report.load_prepared(params)
MONTH, FYS = tables["meta"]["month"], tables["meta"]["fiscal_year_start"]
CUR = params["currency"]
TEAM, REP = sx.pick_unit(tables, team=team, rep=rep)
print(f"Exploring {MONTH}: team {TEAM!r}, rep {REP!r}")
sx.run_summary(tables)
"""),
        md(QUALITY),
        code('tables["quality"]'),
        md(EXCLUDED),
        code('tables["excluded"].head(10)'),
        md(PROGRESS),
        code("""
prog = tables["progress"]
prog[(prog["level"] != "rep") & (prog["metric"] == "amount")][
    ["level", "unit", "target", "actual", "attainment", "ytd_attainment", "annual_completion",
     "time_progress", "planned_progress", "pace", "calendar_pace", "required_run_rate"]]
"""),
        md(CARD),
        code('sx.progress_card(prog, level="team", unit=TEAM, currency=CUR)'),
        code("""
mp = sn.progress.monthly_progress(tables["actuals"], tables["targets"], level="team", unit=TEAM,
                                  month=MONTH, fiscal_year_start=FYS)
mp
"""),
        code('sn.plots.monthly_progress(mp, currency=CUR, title=f"{TEAM}: target and actual by month");'),
        md(ANY_MONTH),
        code("""
def progress_at(month):
    \"\"\"Return the progress table of any month (at the run's as-of date for the report month).\"\"\"
    return sn.progress.progress(
        tables["actuals"], tables["targets"], month=month, fiscal_year_start=FYS,
        org=tables["org"], as_of=tables["meta"]["as_of"] if month == MONTH else None,
        working_days=params["working_days"], holidays=params["holidays"] or ())


def progress_view(unit, month):
    level, name = unit
    mp = sn.progress.monthly_progress(tables["actuals"], tables["targets"], level=level,
                                      unit=name, month=month, fiscal_year_start=FYS)
    ax = sn.plots.monthly_progress(mp, currency=CUR, title=f"{name}: target and actual by month")
    card = sx.progress_card(progress_at(month), level=level, unit=name, currency=CUR)
    return sx.View(card[["measure", "shown"]], ax)


sx.linked_view(
    progress_view,
    unit=widgets.Dropdown(options=sx.unit_options(tables), value=("rep", REP) if REP else
                          ("team", TEAM), description="Unit"),
    month=widgets.Dropdown(options=sx.months_of(tables), value=MONTH, description="Month"))
"""),
        md(COMPARE),
        code("""
growth = sn.compare.period_growth(tables["actuals"], month=MONTH, fiscal_year_start=FYS)
growth[(growth["level"] != "rep") & (growth["metric"] == "amount")]
"""),
        md(RANK),
        code("""
team_rows = prog[(prog["level"] == "team") & (prog["metric"] == "amount")]
sn.compare.rank_units(team_rows, by="attainment", tiebreak="actual")[
    ["rank", "unit", "attainment", "actual", "target", "ytd_attainment", "pace"]]
"""),
        md(PEERS),
        code("""
rep_rows = prog[(prog["level"] == "rep") & (prog["metric"] == "amount") & (prog["team"] == TEAM)]
team_att = float(team_rows.loc[team_rows["unit"] == TEAM, "attainment"].iloc[0])
peers = sn.compare.peer_stats(sn.compare.rank_units(rep_rows, by="attainment"), parent=team_att)
peers[["rank", "unit", "attainment", "peer_average", "percentile", "z_score", "below_average"]]
"""),
        code("""
sn.plots.rep_attainment(rep_rows[["unit", "attainment"]], reference=team_att,
                        reference_label=f"{TEAM} {sn.fmt.pct(team_att)}",
                        title=f"{TEAM}: attainment by rep, {MONTH}");
"""),
        md(PEERS_WIDGET),
        code("""
def peers_view(team, rep, month):
    p = progress_at(month)
    p = p[p["metric"] == "amount"]
    reps = p[(p["level"] == "rep") & (p["team"] == team)]
    if reps.empty:
        return sx.View(f"{team} has no rep rows in {month}.")
    t = p.loc[(p["level"] == "team") & (p["unit"] == team), "attainment"]
    ref = float(t.iloc[0]) if len(t) else float("nan")
    ranked = sn.compare.peer_stats(sn.compare.rank_units(reps, by="attainment"), parent=ref)
    ranked.insert(0, "rep", ranked["unit"].eq(rep).map({True: "▶", False: ""}))
    ax = sn.plots.rep_attainment(reps[["unit", "attainment"]], reference=ref,
                                 reference_label=f"{team} {sn.fmt.pct(ref)}",
                                 title=f"{team}: attainment by rep, {month}")
    return sx.View(ranked[["rep", "rank", "unit", "attainment", "actual", "target",
                           "peer_average", "percentile", "z_score", "below_average"]], ax)


team_dd, rep_dd = sx.team_rep_controls(tables, team=TEAM, rep=REP)
sx.linked_view(peers_view, team=team_dd, rep=rep_dd,
               month=widgets.Dropdown(options=sx.months_of(tables), value=MONTH,
                                      description="Month"))
"""),
        md(DRILL),
        code("""
att = tables["attribution"]
team_gap = att[(att["parent"] == TEAM) & (att["span"] == "ytd")]
team_gap
"""),
        code("""
sn.plots.gap_waterfall(team_gap, currency=CUR, total_label=TEAM,
                       title=f"{TEAM}: year-to-date gap by rep (positive = short of target)");
"""),
        md(YOY),
        code("""
sn.drilldown.yoy_contributions(tables["cube"], month=MONTH, parent_level="team", parent=TEAM,
                               child="category", span="ytd", fiscal_year_start=FYS)
"""),
        md(PVM),
        code("""
if tables.get("product_sales") is not None:  # product x month totals of the run
    cur, base = sn.drilldown.product_periods(tables["product_sales"], month=MONTH, span="ytd",
                                             fiscal_year_start=FYS, team=TEAM)
    display(sn.drilldown.price_volume_mix(cur, base))
else:
    print("The sales have no product or quantity column: no price/volume/mix split.")
"""),
        md(DRILL_WIDGET),
        code("""
def drill_view(team, month, span, split_by):
    a = sn.drilldown.attribution(tables["cube"], tables["targets"], month=month,
                                 fiscal_year_start=FYS, spans=(span,))
    gap = a[(a["parent_level"] == "team") & (a["parent"] == team)]
    yoy = sn.drilldown.yoy_contributions(tables["cube"], month=month, parent_level="team",
                                         parent=team, child=split_by, span=span,
                                         fiscal_year_start=FYS)
    parts = [gap]
    if len(gap):
        parts.append(sn.plots.gap_waterfall(gap, currency=CUR, total_label=team,
                                            title=f"{team}: gap by rep ({span}, {month})"))
    return sx.View(*parts, f"Change on the same span last year, by {split_by}:", yoy)


team_dd2, _ = sx.team_rep_controls(tables, team=TEAM, rep=REP)
sx.linked_view(drill_view, team=team_dd2,
               month=widgets.Dropdown(options=sx.months_of(tables), value=MONTH,
                                      description="Month"),
               span=widgets.Dropdown(options=["month", "qtd", "ytd"], value="ytd",
                                     description="Span"),
               split_by=widgets.Dropdown(options=["rep", "category"], value="rep",
                                         description="Split by"))
"""),
        md(FORECAST),
        code("""
y = sx.unit_series(tables["actuals"], level="team", unit=TEAM, through=MONTH)
fc = sn.forecast.forecast_series(y, 6, level=0.8)
print(fc.attrs["method"], fc.attrs["note"], sep="\\n")
fc
"""),
        code("""
history = y.iloc[-24:].rename("actual").rename_axis("month").reset_index()
sn.plots.forecast_chart(history, fc, cumulative=False, currency=CUR,
                        title=f"{TEAM}: monthly sales and the next 6 months");
"""),
        md(BACKTEST),
        code("sx.compare_models(y, origins=12, horizons=(1, 3, 6))"),
        md(YEAR_END),
        code("""
row = prog[(prog["level"] == "team") & (prog["unit"] == TEAM) & (prog["metric"] == "amount")]
ye = sn.forecast.year_end_projection(y, as_of_month=MONTH,
                                     annual_target=row["annual_target"].iloc[0],
                                     fiscal_year_start=FYS, level=0.8)
sx.projection_card(ye, currency=CUR)
"""),
        code("""
pj = tables["projections"]
pj[pj["level"] != "rep"]
"""),
        md(FORECAST_WIDGET),
        code("""
def forecast_view(unit, month):
    level, name = unit
    y = sx.unit_series(tables["actuals"], level=level, unit=name, through=month)
    fc = sn.forecast.forecast_series(y, 6, level=0.8)
    history = y.iloc[-24:].rename("actual").rename_axis("month").reset_index()
    ax = sn.plots.forecast_chart(history, fc, cumulative=False, currency=CUR,
                                 title=f"{name}: forecast from {month}")
    p = progress_at(month)
    row = p[(p["level"] == level) & (p["unit"] == name) & (p["metric"] == "amount")]
    target = row["annual_target"].iloc[0] if len(row) else None
    ye = sn.forecast.year_end_projection(y, as_of_month=month, annual_target=target,
                                         fiscal_year_start=FYS)
    return sx.View(ax, f"Method: {fc.attrs['method']}. {fc.attrs['note']}".strip(), fc,
                   sx.projection_card(ye, currency=CUR)[["measure", "shown"]])


sx.linked_view(
    forecast_view,
    unit=widgets.Dropdown(options=sx.unit_options(tables), value=("team", TEAM),
                          description="Unit"),
    month=widgets.Dropdown(options=sx.months_of(tables)[:24], value=MONTH, description="From"))
"""),
        md(NEXT),
    ]
    for i, cell in enumerate(cells):  # stable ids: regenerating gives the same file
        cell["id"] = f"cell-{i:02d}"
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


if __name__ == "__main__":
    out = Path(__file__).resolve().parent.parent / "salesnb" / "notebooks" / "explore.ipynb"
    nbformat.write(explore_notebook(), out)
    print("wrote", out)
