"""End-to-end: `salesnb run` on a small sample company, checked from the outside.

One module-scoped run renders two teams (slow: starts kernels); the other tests read its
output. Figures in the HTML are checked against an independent pandas computation
from the raw CSV files, not against salesnb's own tables.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from salesnb import fmt
from salesnb.cli import main
from salesnb.io import write_tables
from salesnb.report import slugify
from salesnb.sample import make_company

pytestmark = pytest.mark.slow
EVIL = "<script>alert(1)</script>"
MONTH = "2026-10"


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    root = tmp_path_factory.mktemp("co")
    tables = make_company(seed=3, rows=12_000)
    sales = tables["sales"]
    teams = sorted(sales["team"].unique())
    # rename one rep of the first team to a script tag: it must show as text
    victim = sorted(sales.loc[sales["team"] == teams[0], "rep"].unique())[0]
    for name in ("sales", "org", "opportunities", "satisfaction"):
        t = tables[name]
        if "rep" in t.columns:
            tables[name] = t.assign(rep=t["rep"].replace(victim, EVIL))
    t = tables["targets"]
    tables["targets"] = t.assign(unit=t["unit"].replace(victim, EVIL))
    write_tables(tables, root / "data")
    params = root / "params.yaml"
    params.write_text(f'month: "{MONTH}"\nsales: data/sales.csv\ntargets: data/targets.csv\n'
                      "org: data/org.csv\nopportunities: data/opportunities.csv\n"
                      "spend: data/spend.csv\nsatisfaction: data/satisfaction.csv\n"
                      'currency: "$"\nout: out\n'
                      # team reports only: the failure, interrupt and kernel-death runs below
                      # re-render the teams; scorecards are checked on the session's sample
                      # pack (test_scorecard, test_browser, test_send)
                      "scorecards: false\n", encoding="utf-8")
    return {"root": root, "params": params, "teams": teams, "tables": tables}


@pytest.fixture(scope="module")
def pack(company):
    from salesnb.io import load_params
    from salesnb.runner import check_params, render_pack, resolve_params
    raw = load_params(company["params"])
    check_params(raw)
    params = resolve_params(raw, base_dir=company["root"])
    out = company["root"] / "out"
    two = company["teams"][:2]
    record = render_pack(params, out=out, teams=two, workers=2, keep_notebooks=True)
    return {"out": out, "record": record, "teams": two, "params": params}


def test_pack_has_index_reports_and_run_record(pack):
    out = pack["out"]
    for team in pack["teams"]:
        assert (out / f"team-{slugify(team)}.html").stat().st_size > 10_000
    index = (out / "index.html").read_text(encoding="utf-8")
    for team in pack["teams"]:
        assert f'href="team-{slugify(team)}.html"' in index
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert {r["status"] for r in run["reports"]} == {"ok"}
    assert run["inputs"]["sales"]["rows"] == len(pd.read_csv(pack["out"].parent / "data/sales.csv"))
    assert run["inputs"]["sales"]["path"] == "data/sales.csv"  # as written, no machine paths
    assert len(run["inputs"]["sales"]["sha256"]) == 64


def test_report_headings_and_no_code(pack):
    html = (pack["out"] / f"team-{slugify(pack['teams'][0])}.html").read_text(encoding="utf-8")
    for heading in ("Progress", "Comparison", "Drill-down", "KPIs", "Forecast",
                    "Alerts &amp; recognition", "Data quality"):
        assert f">{heading}</h2>" in html
    assert "import salesnb" not in html and "open_team_report" not in html
    assert "<script" not in html.replace("&lt;script", "")
    assert len(html.encode()) < 1_500_000


def test_month_actual_matches_independent_sum(pack, company):
    """The headline month actual equals a plain pandas sum over the raw CSV."""
    team = pack["teams"][1]
    raw = pd.read_csv(company["root"] / "data/sales.csv", parse_dates=["date"])
    in_month = raw[(raw["team"] == team) & (raw["date"].dt.strftime("%Y-%m") == MONTH)]
    expected = fmt.money(in_month["amount"].sum(), "$")
    html = (pack["out"] / f"team-{slugify(team)}.html").read_text(encoding="utf-8")
    html = html.replace("<span>$</span>", "$")  # a dollar alone in its element (html.text)
    cards = re.search(r'<div class="cards"[^>]*>(.*?)</div></div></div>', html, re.S).group(1)
    assert re.search(rf'<div class="val"[^>]*>{re.escape(fmt.esc(expected))}</div>', cards)


def test_team_report_shows_no_other_teams_reps(pack, company):
    sales = company["tables"]["sales"]
    team = pack["teams"][1]
    own = set(sales.loc[sales["team"] == team, "rep"])
    others = set(sales["rep"]) - own
    html = (pack["out"] / f"team-{slugify(team)}.html").read_text(encoding="utf-8")
    nb = (pack["out"] / "_notebooks" / f"team-{slugify(team)}.ipynb").read_text(encoding="utf-8")
    leaked = sorted(r for r in others if fmt.esc(r) in html or r in nb)
    assert not leaked, f"{team}'s report names reps of other teams: {leaked}"
    other_teams = [t for t in company["teams"] if t != team]
    assert not [t for t in other_teams if f">{t}<" in html]


def test_names_from_the_data_are_escaped(pack):
    html = (pack["out"] / f"team-{slugify(pack['teams'][0])}.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert EVIL not in html


def test_failing_team_does_not_stop_the_others_and_keeps_good_report(pack, tmp_path):
    from salesnb.runner import NOTEBOOKS, render_pack
    bad_team = pack["teams"][0]
    good = pack["out"] / f"team-{slugify(bad_team)}.html"
    before = good.read_bytes()
    nb = nbformat.read(NOTEBOOKS["team"], as_version=4)
    cell = nbformat.v4.new_code_cell(f"if team == {bad_team!r}:\n"
                                     "    raise RuntimeError('injected failure for the test')")
    cell.metadata["tags"] = []
    nb.cells.insert(4, cell)
    path = tmp_path / "failing.ipynb"
    nbformat.write(nb, path)
    record = render_pack(pack["params"], out=pack["out"], teams=pack["teams"], workers=1,
                         notebooks={"team": path})
    status = {r["name"]: r for r in record["reports"]}
    assert status[bad_team]["status"] == "failed"
    assert "injected failure for the test" in status[bad_team]["error"]
    assert status[pack["teams"][1]]["status"] == "ok"
    assert good.read_bytes() == before  # the good report from the first run is untouched
    assert (pack["out"] / "_failed" / f"team-{slugify(bad_team)}.ipynb").exists()
    index = (pack["out"] / "index.html").read_text(encoding="utf-8")
    assert "failed" in index and "injected failure for the test" in index
    assert not list(pack["out"].glob(".*.tmp"))


def test_cli_exit_codes(company, capsys):
    bad = company["root"] / "bad.yaml"
    bad.write_text(f'month: "{MONTH}"\nsales: data/sales.csv\nmonht: 3\n', encoding="utf-8")
    assert main(["run", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "monht" in err and "Known parameters" in err and "month" in err
    assert main(["validate", str(company["params"])]) == 0
    assert "sales rows loaded" in capsys.readouterr().out


def test_validate_names_file_column_and_rows(tmp_path, capsys):
    csv = tmp_path / "sales.csv"
    csv.write_text("date,rep,team,amount\n2026-01-02,Ann,East,10\n2026-01-03,Bob,East,n/a\n",
                   encoding="utf-8")
    p = tmp_path / "p.yaml"
    p.write_text('month: "2026-01"\nsales: sales.csv\n', encoding="utf-8")
    assert main(["validate", str(p)]) == 1
    err = capsys.readouterr().err
    assert "sales.csv" in err and "amount" in err and "3" in err and "n/a" in err


def test_params_command_lists_notebook_parameters(capsys):
    assert main(["params"]) == 0
    out = capsys.readouterr().out
    for key in ("month", "sales", "targets", "org", "columns", "fiscal_year_start", "lang",
                "currency"):
        assert re.search(rf"^\s+{key}\s", out, re.M)


def test_notebooks_are_committed_without_outputs():
    for path in Path(__file__).resolve().parent.parent.joinpath("salesnb", "notebooks").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), path
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, path


def test_exported_tables_add_up_to_the_cent(pack):
    out = pack["out"]
    prog = pd.read_csv(out / "tables" / "progress.csv", keep_default_na=False, na_values=[""])
    attr = pd.read_csv(out / "tables" / "attribution.csv")
    need = ["level", "unit", "team", "month", "metric", "target", "actual", "attainment",
            "qtd_target", "qtd_actual", "ytd_target", "ytd_actual", "ytd_attainment",
            "annual_target", "annual_completion", "time_progress", "pace", "gap",
            "required_run_rate", "mom", "yoy"]
    assert [c for c in need if c not in prog.columns] == []
    assert prog["month"].eq(MONTH).all()
    assert prog["attainment"].dropna().between(-5, 5).all()  # fractions, not percentages
    amount = prog[prog["metric"] == "amount"].set_index(["level", "unit"])
    for (span, plevel, parent), g in attr.groupby(["span", "parent_level", "parent"]):
        col = {"month": "gap", "ytd": "ytd_gap"}[span]
        assert round(g["gap"].sum(), 2) == pytest.approx(round(amount.loc[(plevel, parent), col], 2),
                                                          abs=0.005), (span, parent)
    xl = pd.ExcelFile(out / "tables.xlsx")
    assert xl.sheet_names[:4] == ["progress", "ranking", "attribution", "alerts"]
    assert {"projections", "tiers", "monthly_progress", "growth", "price_volume_mix",
            "top_customers"} <= set(xl.sheet_names)
    assert sorted(p.stem for p in (out / "tables").glob("*.csv")) == sorted(xl.sheet_names)
    ranking = pd.read_csv(out / "tables" / "ranking.csv")
    teams = ranking[ranking["level"] == "team"].sort_values("rank")
    assert teams["attainment"].is_monotonic_decreasing


def test_interrupted_run_leaves_no_half_written_report(pack, tmp_path):
    """Ctrl-C in the middle of a run: finished reports are whole, the older good report of
    the unfinished team is untouched, no temporary file is left, run.json says so."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from salesnb.runner import NOTEBOOKS
    out = tmp_path / "out"
    out.mkdir()
    slow_team = pack["teams"][1]
    old = out / f"team-{slugify(slow_team)}.html"
    old.write_text("<html>the good report of last month's run</html>", encoding="utf-8")
    nb = nbformat.read(NOTEBOOKS["team"], as_version=4)
    cell = nbformat.v4.new_code_cell(f"if team == {slow_team!r}:\n    import time; time.sleep(120)")
    cell.metadata["tags"] = []
    nb.cells.insert(4, cell)
    nbpath = tmp_path / "slow.ipynb"
    nbformat.write(nb, nbpath)
    script = (
        "import json, sys\n"
        "from salesnb.runner import render_pack\n"
        "p = json.loads(sys.argv[1])\n"
        "render_pack(p, out=sys.argv[2], teams=p['__teams'], workers=1,"
        " notebooks={'team': sys.argv[3]})\n")
    params = dict(pack["params"], __teams=pack["teams"])
    env = dict(os.environ, SALESNB_NO_PROGRESS="1")
    proc = subprocess.Popen([sys.executable, "-c", script, json.dumps(params, default=str),
                             str(out), str(nbpath)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = out / f"team-{slugify(pack['teams'][0])}.html"
    deadline = time.time() + 600  # a loaded machine: the first report can take minutes
    while not first.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.3)
    assert first.exists(), proc.stderr.read().decode()[-2000:] if proc.poll() is not None else ""
    time.sleep(2)  # the slow team is now running
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    assert first.read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert old.read_text(encoding="utf-8") == "<html>the good report of last month's run</html>"
    assert not list(out.glob(".*.tmp"))
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    status = {r["name"]: r["status"] for r in run["reports"]}
    assert status[pack["teams"][0]] == "ok" and status[slow_team] in ("interrupted", "failed")


def test_weekly_variant(pack):
    from salesnb.runner import render_pack
    out = pack["out"].parent / "weekly"
    params = dict(pack["params"], period="week", as_of="2026-10-21")
    record = render_pack(params, out=out, teams=pack["teams"][:1], workers=1)
    assert [r["status"] for r in record["reports"]] == ["ok"]
    html = (out / f"team-{slugify(pack['teams'][0])}.html").read_text(encoding="utf-8")
    assert "Weekly report" in html and "This week to date" in html
    assert "Same days last week" in html
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["data"]["last_sale_date"] <= "2026-10-21"  # nothing after the as-of date counts


def test_a_kernel_that_dies_fails_only_its_report(pack, tmp_path):
    import time

    from salesnb.runner import NOTEBOOKS, render_pack
    dying = pack["teams"][0]
    nb = nbformat.read(NOTEBOOKS["team"], as_version=4)
    cell = nbformat.v4.new_code_cell(f"if team == {dying!r}:\n    import os; os._exit(1)")
    cell.metadata["tags"] = []
    nb.cells.insert(4, cell)
    path = tmp_path / "dying.ipynb"
    nbformat.write(nb, path)
    out = tmp_path / "out"
    t0 = time.monotonic()
    record = render_pack(dict(pack["params"], scorecards=False), out=out, teams=pack["teams"], workers=1,
                         notebooks={"team": path})
    status = {r["name"]: r for r in record["reports"]}
    assert status[dying]["status"] == "failed" and "kernel died" in status[dying]["error"]
    assert status[pack["teams"][1]]["status"] == "ok"  # a fresh kernel took over
    assert time.monotonic() - t0 < 120  # noticed at once, not after the cell timeout


def test_a_timed_out_report_leaves_no_queue_behind_for_the_next(tmp_path):
    import time

    from salesnb.runner import KernelPool
    pool = KernelPool(1, cwd=tmp_path)
    slow = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import time; time.sleep(3)")
                                           for _ in range(3)])
    quick = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('next')")])
    try:
        with pytest.raises(TimeoutError):
            pool.execute(slow, timeout=1)
        t0 = time.monotonic()
        pool.execute(quick, timeout=30)      # a fresh kernel, not one still sleeping
        assert quick.cells[0].outputs[0]["text"] == "next\n"
        assert time.monotonic() - t0 < 20
    finally:
        pool.shutdown()


@pytest.mark.parametrize("name", ["team_report", "company_report", "team_weekly"])
def test_parameters_cell_reader_agrees_with_papermill(name):
    from papermill.inspection import inspect_notebook

    from salesnb.runner import NOTEBOOK_DIR, notebook_parameters
    path = NOTEBOOK_DIR / f"{name}.ipynb"
    ours = notebook_parameters(path)
    theirs = inspect_notebook(str(path))
    assert list(ours) == list(theirs)
    for key, p in theirs.items():
        assert ours[key] == {"type": p["inferred_type_name"], "default": p["default"],
                             "help": p["help"]}, key


# ------------------------------------------------ the notebooks as JupyterLab displays them
#: MathJax (JupyterLab's and nbconvert's) only pairs ``$...$`` inside one run of text: an
#: element boundary other than <br>, <wbr> or a comment ends the run
_RUN_BREAK = re.compile(r"<(?!/?(?:br|wbr)\b)[^>]*>|<!--.*?-->", re.S | re.I)
_DOLLAR = re.compile(r"(?<!\\)\$")


def _math_pairs(text: str, mime: str) -> list[str]:
    """The runs of displayed text in which MathJax would find a ``$...$`` pair."""
    if mime == "text/html":
        text = re.sub(r"<(style|script|svg)\b.*?</\1>", "", text, flags=re.S | re.I)
        runs = _RUN_BREAK.split(text)
    else:  # markdown: code is not typeset; a blank line ends inline math
        text = re.sub(r"```.*?```|`[^`]*`", "", text, flags=re.S)
        runs = re.split(r"\n\s*\n", text)
    return [r.strip()[:120] for r in runs if len(_DOLLAR.findall(r)) >= 2]


def _displayed(nb) -> list[tuple[str, str, str]]:
    """(where, mime, text) of every markdown cell and rich (markdown or HTML) output."""
    out = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            out.append((f"cell {i}", "text/markdown", cell.source))
        for o in cell.get("outputs", []):
            for mime in ("text/markdown", "text/html"):
                if mime in o.get("data", {}):
                    data = o["data"][mime]
                    out.append((f"cell {i}", mime, data if isinstance(data, str)
                                else "".join(data)))
    return out


def test_the_dollar_pair_detector_sees_what_mathjax_would_typeset():
    assert _math_pairs("<p>$195K of $203K</p>", "text/html")
    assert _math_pairs("East: $5 and $6", "text/markdown")
    assert not _math_pairs("<p><span>$</span>195K of <span>$</span>203K</p>", "text/html")
    assert not _math_pairs(r"East: \$5 and \$6", "text/markdown")
    assert not _math_pairs("<td>$5</td><td>$6</td>", "text/html")
    assert _math_pairs("<p>$5<br>and $6</p>", "text/html")  # <br> does not end a run


def _execute(path: Path, cwd: Path, **parameters) -> nbformat.NotebookNode:
    import papermill as pm
    out = cwd / f"executed-{path.name}"
    pm.execute_notebook(str(path), str(out), parameters=parameters, kernel_name="python3",
                        cwd=str(cwd), progress_bar=False)
    return nbformat.read(out, as_version=4)


def test_notebooks_show_no_dollar_pair_that_jupyterlab_would_typeset_as_math(pack, company):
    """Report notebooks (executed by the run) and explore.ipynb, their rich outputs read
    as JupyterLab renders them: no sentence with two amounts becomes math."""
    from importlib.resources import files
    executed = sorted((pack["out"] / "_notebooks").glob("*.ipynb"))
    kinds = {p.stem.split("-")[0] for p in executed}
    assert "team" in kinds, kinds  # the run renders two teams (scorecards off), not the company
    nbs = {p.name: nbformat.read(p, as_version=4) for p in executed}
    here = files("salesnb") / "notebooks"
    data = {k: str(company["root"] / "data" / f"{k}.csv") for k in
            ("sales", "targets", "org", "opportunities", "spend", "satisfaction")}
    nbs["rep_scorecard.ipynb"] = _execute(Path(str(here / "rep_scorecard.ipynb")),
                                          company["root"], month=MONTH, **data)
    nbs["company_report.ipynb"] = _execute(Path(str(here / "company_report.ipynb")),
                                           company["root"], month=MONTH, **data)
    nbs["explore.ipynb"] = _execute(Path(str(here / "explore.ipynb")), company["root"],
                                    params_file=str(company["params"]))
    found, dollars = [], 0
    for name, nb in nbs.items():
        for where, mime, text in _displayed(nb):
            dollars += text.count("$")
            found += [f"{name} {where} {mime}: {run}" for run in _math_pairs(text, mime)]
    assert dollars > 100  # the check saw the amounts
    assert not found, "\n".join(found[:10])


def test_page_titles_name_the_unit_the_report_and_the_month(pack, sample_pack):
    team = pack["teams"][0]
    html = (pack["out"] / f"team-{slugify(team)}.html").read_text(encoding="utf-8")
    assert f"<title>{fmt.esc(team)} · Team report · October 2026</title>" in html
    # this file's pack has scorecards off; the session's sample pack has them
    rep = next(p for p in sorted(sample_pack["out"].glob("rep-*.html")))
    assert re.search(r"<title>[^<]+ · Scorecard · October 2026 · Sample Co\.</title>",
                     rep.read_text(encoding="utf-8"))
