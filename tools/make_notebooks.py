"""Write the report notebooks (thin: parameters, then one salesnb call per cell).

Run: .venv/bin/python tools/make_notebooks.py  (the committed .ipynb files are its output)
"""
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

PARAMS = '''month: str = "2026-10"  # report month, YYYY-MM
as_of: str = ""  # as-of date YYYY-MM-DD inside the month (empty: the month's last day)
period: str = "month"  # month | week (weekly variant, with as_of)
team: str = ""  # team to report on (empty: the first team)
sales: str = "../../data/sample/sales.csv"  # sales file: CSV, Excel or Parquet
targets: str = "../../data/sample/targets.csv"  # targets file (empty: none; see targets_rule)
org: str = "../../data/sample/org.csv"  # org file: rep -> team (empty: none)
opportunities: str = "../../data/sample/opportunities.csv"  # opportunities for the funnel (optional)
spend: str = "../../data/sample/spend.csv"  # monthly spend per team for CAC (optional)
satisfaction: str = "../../data/sample/satisfaction.csv"  # satisfaction scores (optional)
columns: dict = {}  # column mapping per table: {sales: {date: OrderDate, rep: SalesPerson}}
fiscal_year_start: int = 1  # first month of the fiscal year (1-12)
lang: str = "en"  # report language: en | zh
currency: str = "$"  # currency symbol shown before amounts
company: str = "Company"  # the company's name in the reports
target_split: str = "equal"  # how annual targets become monthly: equal | seasonal
targets_rule: dict = {}  # when there are no targets: {rule: prior_year_growth, growth: 0.1}
thresholds: dict = {}  # alert thresholds, e.g. {behind_pace: -0.05, no_sales_days: 14}
tiers: dict = {}  # incentive tiers, e.g. {star: 1.2, achieved: 1.0, watch: 0.8}
gross_margin: float = 0.3  # gross margin used for CLTV
working_days: bool = False  # time progress in working days (Mon-Fri) instead of calendar days
holidays: list = []  # public holidays (YYYY-MM-DD) skipped when working_days is true
cache: str = ""  # run cache folder written by `salesnb run` (leave empty when exploring)'''


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
        code('r.section("comparison")'),
        code("r.team_ranking()"),
        code("r.heatmap()"),
        code('r.section("drilldown")'),
        code('r.waterfall("ytd")'),
        code("r.gap_reps()"),
        code("r.reporting_lines()"),
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
