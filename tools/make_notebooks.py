"""Write the report notebooks (thin: parameters, then one salesnb call per cell).

Run: .venv/bin/python tools/make_notebooks.py  (the committed .ipynb files are its output)
"""
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from salesnb.params import parameters_cell

# the parameters cell is made from the one params spec: the real defaults (no data named:
# the notebook shows the sample company, see salesnb.report.notebook_params)
PARAMS = parameters_cell()


def code(src, tags=()):
    c = new_code_cell(src)
    c.metadata["tags"] = list(tags)
    return c


def notebook(cells):
    for i, cell in enumerate(cells):  # stable ids: regenerating gives the same file
        cell["id"] = f"cell-{i:02d}"
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def md(src):
    c = new_markdown_cell(src)
    c.metadata["tags"] = []
    return c


def closing_cells():
    """The sections every monthly report ends with: forecast, alerts, data quality."""
    return [
        code('r.section("forecast")'),
        code("r.forecast()"),
        code("r.quarter_forecast()"),
        code("r.projections()"),
        code('r.section("alerts")'),
        code("r.alerts()"),
        code("r.recognition()"),
        code('r.section("data_quality")'),
        code("r.quality()"),
    ]


def team_notebook():
    cells = [
        md("# Team report\nOne team, one month: progress against target, "
                          "comparison, drill-down, forecast and alerts. Set the parameters "
                          "below (or run `salesnb run params/sample.yaml`)."),
        code("import salesnb as sn"),
        code(PARAMS, tags=["parameters"]),
        code("r = sn.report.open_team_report(**sn.report.notebook_params(globals()))\nr.title()"),
        code('r.section("progress")'),
        code("r.headline()"),
        code("r.monthly_table()"),
        code("r.monthly_chart()"),
        code("r.run_rate()"),
        code("r.reps_table()"),
        code("r.scorecard_links()"),
        code("r.reps_chart()"),
        code('r.section("comparison")'),
        code("r.growth()"),
        code("r.ranking()"),
        code("r.customers()"),
        code("r.consistency()"),
        code('r.section("drilldown")'),
        code('r.attribution("month")'),
        code('r.attribution("ytd")'),
        code('r.contributions("rep")'),
        code('r.contributions("category")'),
        code("r.rep_breakdown()"),
        code("r.price_volume_mix()"),
        code("r.top_customers()"),
        code('r.section("kpis")'),
        code("r.kpis()"),
    ]
    return notebook(cells + closing_cells())


def company_notebook():
    cells = [
        md("# Company overview\nEvery team side by side: progress, ranking, where the gap "
           "comes from, the year-end forecast, alerts and recognition."),
        code("import salesnb as sn"),
        code(PARAMS, tags=["parameters"]),
        code("r = sn.overview.open_company_report(**sn.report.notebook_params(globals()))\n"
             "r.title()"),
        code('r.section("progress")'),
        code("r.headline()"),
        code("r.monthly_chart()"), code("r.team_progress_chart()"),
        code("r.run_rate()"),
        code('r.section("comparison")'),
        code("r.team_ranking()"),
        code("r.heatmap()"),
        code("r.customers()"),
        code('r.section("drilldown")'),
        code('r.waterfall("ytd")'),
        code("r.gap_reps()"),
        code("r.reporting_lines()"),
        code('r.section("kpis")'),
        code("r.kpis()"),
    ]
    return notebook(cells + closing_cells())


def weekly_notebook():
    cells = [
        md("# Weekly team report (销售周报)\nOne team at an as-of date: progress against the "
           "month and the year at that day, this week against last week, reps with no sales "
           "this week and open alerts. Rendered by `salesnb run` when `period: week`."),
        code("import salesnb as sn"),
        code(PARAMS, tags=["parameters"]),
        code("r = sn.report.open_team_report(**sn.report.notebook_params(globals()))\n"
             "r.week_title()"),
        code('r.section("progress")'),
        code("r.headline()"),
        code("r.run_rate()"),
        code("r.week_over_week()"),
        code("r.idle_reps()"),
        code('r.section("alerts")'),
        code("r.alerts()"),
    ]
    return notebook(cells)


def rep_notebook():
    cells = [
        md("# Rep scorecard\nOne rep, one month: progress and pace against the plan, what each "
           "remaining month needs, tier, forecast, standing in the team (no other rep named), "
           "customers, pipeline and alerts. Rendered by `salesnb run` for every rep with a "
           "target or a sale this year."),
        code("import salesnb as sn"),
        code(PARAMS + '\nrep: str = ""  # the rep (empty: the first rep with a scorecard)',
             tags=["parameters"]),
        code("r = sn.report.open_rep_scorecard(rep=rep, **sn.report.notebook_params(globals()))\n"
             "r.title()"),
        code('r.section("progress")'),
        code("r.headline()"),
        code("r.coaching()"),
        code("r.standing()"),
        code("r.monthly_chart()"),
        code("r.run_rate()"),
        code('r.section("forecast")'),
        code("r.forecast()"),
        code("r.customers()"),
        code("r.pipeline()"),
        code('r.section("alerts")'),
        code("r.alerts()"),
    ]
    return notebook(cells)


if __name__ == "__main__":
    here = Path(__file__).resolve().parent.parent / "salesnb" / "notebooks"
    nbformat.write(team_notebook(), here / "team_report.ipynb")
    nbformat.write(company_notebook(), here / "company_report.ipynb")
    nbformat.write(weekly_notebook(), here / "team_weekly.ipynb")
    nbformat.write(rep_notebook(), here / "rep_scorecard.ipynb")
    print("wrote", here / "team_report.ipynb", here / "company_report.ipynb")
