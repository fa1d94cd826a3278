"""The one params spec: check, defaults, notebook cells, `salesnb params`, RunParams; and the
documented names (README, notebooks) that must keep resolving."""

from __future__ import annotations

import ast
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from salesnb import params as P
from salesnb import report as sn_report
from salesnb.exceptions import ParamsError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "salesnb" / "notebooks"


def _cell(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    (cell,) = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
    return "".join(cell["source"])


@pytest.mark.parametrize("name", ["team_report", "company_report", "team_weekly"])
def test_notebook_parameters_cells_are_made_from_the_spec(name):
    assert _cell(NOTEBOOKS / f"{name}.ipynb") == P.parameters_cell()
    namespace: dict = {}
    exec(P.parameters_cell(), namespace)  # the cell's defaults are the spec's, value for value
    assert {k: namespace[k] for k in P.NOTEBOOK_KEYS} == P.PARAM_DEFAULTS


def test_defaults_are_the_real_defaults_not_sample_paths():
    assert P.PARAM_DEFAULTS["sales"] == "" and P.PARAM_DEFAULTS["month"] == ""
    assert "sample" not in P.parameters_cell()


def test_runner_keys_and_the_old_names_come_from_the_spec():
    from salesnb import parameters, report, runner
    assert runner.RUNNER_KEYS == {"out", "workers", "engine", "base_dir", "scorecards", "pdf",
                                  "recipients", "smtp"}
    assert all(p.help.strip() for p in P.SPEC)  # salesnb params shows a help for every key
    assert parameters.PARAM_DEFAULTS is P.PARAM_DEFAULTS
    assert report.PARAM_DEFAULTS == P.PARAM_DEFAULTS
    assert runner.check_params is P.check_params
    assert set(P.PARAM_DEFAULTS) | runner.RUNNER_KEYS == {p.name for p in P.SPEC} | {"base_dir"}


def test_salesnb_params_lists_every_key_of_the_spec():
    out = subprocess.run([sys.executable, "-m", "salesnb.cli", "params"], capture_output=True,
                         text=True, check=True).stdout
    listed = [line.split()[0] for line in out.splitlines()[1:]]
    assert listed == [p.name for p in P.SPEC]
    assert "data/sample" not in out
    workers = next(line for line in out.splitlines() if line.split()[0] == "workers")
    assert "int" in workers and "default 0" in workers


def test_unknown_key_is_refused_listing_the_known_ones():
    with pytest.raises(ParamsError, match=r"p\.yaml: unknown parameter\(s\) \['workrs'\]. "
                                          r"Known parameters: \['as_of', 'cache'"):
        P.check_params({"month": "2026-10", "workrs": 2}, path="p.yaml")
    with pytest.raises(ParamsError, match="base_dir"):  # set by the run, not by a file
        P.check_params({"month": "2026-10", "base_dir": "/tmp"})


@pytest.mark.parametrize("raw, match", [
    ({"month": "2026-13"}, "'month' must be YYYY-MM, got '2026-13'"),
    ({"month": "Oct"}, "'month' must be YYYY-MM"),
    ({"month": "2026-10", "engine": "spark"}, "'engine' must be auto or pandas or scan"),
    ({"month": "2026-10", "fiscal_year_start": 13}, "integer 1-12, got 13"),
    ({"month": "2026-10", "fiscal_year_start": "4"}, "integer 1-12, got '4'"),
    ({"month": "2026-10", "lang": "fr"}, "'lang' must be en or zh"),
    ({"month": "2026-10", "workers": "two"}, "'workers' must be int"),
    ({"month": "2026-10", "workers": -1}, "'workers' must be 0"),
    ({"month": "2026-10", "working_days": "yes"}, "'working_days' must be bool"),
    ({"month": "2026-10", "as_of": "2026-11-02"}, "not in 'month' 2026-10"),
    ({"month": "2026-10", "period": "week"}, "needs an 'as_of' date"),
    ({"month": "2026-10", "targets_rule": {"rule": "flat"}}, "targets_rule"),
])
def test_bad_values_are_refused_at_parse_time(raw, match):
    with pytest.raises(ParamsError, match=re.escape(match) if "(" not in match else match):
        P.parse_params(raw, path="p.yaml")


def test_run_params_are_parsed_once_and_typed(tmp_path):
    import datetime as dt
    rp = P.parse_params({"month": "2026-10", "as_of": dt.date(2026, 10, 15),
                         "fiscal_year_start": 4, "holidays": ["2026-10-01"], "workers": 3,
                         "sales": {"url": "sqlite:///crm.db", "table": "orders"}},
                        base_dir=tmp_path)
    assert rp.month == pd.Period("2026-10", "M")
    assert rp.as_of == pd.Timestamp("2026-10-15")
    assert rp.fiscal_year_start == 4 and rp.period == "month" and rp.engine == "auto"
    assert rp.holidays == ("2026-10-01",) and rp.base_dir == str(tmp_path.resolve())
    assert rp.worker_count() == 3 and rp.worker_count(override=1) == 1
    with pytest.raises(AttributeError):  # frozen
        rp.month = pd.Period("2026-09", "M")
    d = rp.as_dict()
    assert d["month"] == "2026-10" and d["as_of"] == "2026-10-15"
    again = P.parse_params({k: v for k, v in d.items() if k != "base_dir"}, base_dir=tmp_path)
    assert again == rp  # the plain form reads back to the same parameters


def test_workers_in_a_params_file_sets_the_worker_count(tmp_path, monkeypatch):
    from salesnb import cli, run
    seen = {}

    class Pool:
        def __init__(self, workers, *, cwd):
            seen["workers"] = workers

        def warm(self):
            pass

        def shutdown(self):
            pass

    monkeypatch.setattr(run, "KernelPool", Pool)
    monkeypatch.setattr(cli, "_run", lambda args, params, path, pool, out: 0)
    f = tmp_path / "p.yaml"
    f.write_text('month: "2026-10"\nworkers: 3\n', encoding="utf-8")
    assert cli.main(["run", str(f)]) == 0 and seen["workers"] == 3
    assert cli.main(["run", str(f), "--workers", "1"]) == 0 and seen["workers"] == 1
    f.write_text('month: "2026-10"\nworkers: 0\n', encoding="utf-8")
    import os
    assert cli.main(["run", str(f)]) == 0 and seen["workers"] == (os.cpu_count() or 1)


def test_a_bad_engine_fails_before_any_kernel_starts(tmp_path, monkeypatch, capsys):
    from salesnb import cli, run
    monkeypatch.setattr(run, "KernelPool", lambda *a, **k: pytest.fail("pool started"))
    f = tmp_path / "p.yaml"
    f.write_text('month: "2026-10"\nengine: spark\n', encoding="utf-8")
    assert cli.main(["run", str(f)]) == 2
    assert "'engine' must be auto or pandas or scan, got 'spark'" in capsys.readouterr().err


def test_a_notebook_without_data_shows_the_sample_company(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SALESNB_DATA", str(tmp_path))
    namespace: dict = {}
    exec(P.parameters_cell(), namespace)
    p = sn_report.notebook_params(namespace)
    assert "sample company" in capsys.readouterr().out
    folder = tmp_path / f"sample-{importlib.import_module('salesnb').__version__}"
    assert p["sales"] == str(folder / "sales.csv") and Path(p["sales"]).is_file()
    assert p["month"] == "2026-10" and p["base_dir"] == str(folder.resolve())
    assert p["company"] == "Sample Co."  # the notebook's title names it, as params/sample.yaml
    # a notebook that names its data keeps it
    namespace.update(sales="mine.csv", month="2025-01")
    assert sn_report.notebook_params(namespace)["sales"] == "mine.csv"


# -- documented names keep resolving (README and notebooks) ---------------------------------

def _documented_names() -> set[str]:
    texts = [(ROOT / "README.md").read_text(encoding="utf-8")]
    for nb in NOTEBOOKS.glob("*.ipynb"):
        texts += ["".join(c["source"]) for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]]
    text = "\n".join(texts)
    names = set(re.findall(r"\b(?:sn|salesnb)(?:\.[A-Za-z_][A-Za-z0-9_]*)+", text))
    # `from salesnb import explore as sx` / `from salesnb.x import y` forms
    for mod, items in re.findall(r"from (salesnb(?:\.\w+)*) import ([\w, ]+)", text):
        names |= {f"{mod}.{i.split(' as ')[0].strip()}" for i in items.split(",") if i.strip()}
    return {n.replace("sn.", "salesnb.", 1) if n.startswith("sn.") else n for n in names}


def _resolve(dotted: str):
    parts = dotted.split(".")
    obj = importlib.import_module(parts[0])
    for i, part in enumerate(parts[1:], start=1):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            obj = importlib.import_module(".".join(parts[:i + 1]))
    return obj


def test_every_documented_dotted_name_resolves():
    names = _documented_names()
    assert len(names) > 20  # the README and notebooks name many: the extraction works
    bad = []
    for name in sorted(names):
        if name.endswith((".ipynb", ".yaml", ".py", ".csv", ".lock")):
            continue  # file names (salesnb.notebooks..., .salesnb.lock) are not attributes
        try:
            _resolve(name)
        except (AttributeError, ImportError) as exc:
            bad.append(f"{name}: {exc}")
    assert not bad, "documented names that do not resolve:\n" + "\n".join(bad)


def test_every_module_is_a_lazy_export_and_import_is_light():
    import salesnb
    pkg = ROOT / "salesnb"
    modules = {p.stem for p in pkg.glob("*.py") if p.stem != "__init__"}
    modules |= {p.parent.name for p in pkg.glob("*/__init__.py")}
    assert modules == set(salesnb._MODULES)
    assert salesnb.hierarchy.__name__ == "salesnb.hierarchy"
    out = subprocess.run([sys.executable, "-c", "import sys, salesnb; print(sorted(m for m in "
                          "('pandas', 'numpy', 'matplotlib', 'sklearn', 'scipy', 'nbformat', "
                          "'papermill', 'duckdb') if m in sys.modules))"],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", out


def test_params_module_has_no_module_level_heavy_import():
    tree = ast.parse((ROOT / "salesnb" / "params.py").read_text(encoding="utf-8"))
    top = {a.name.split(".")[0] for n in tree.body if isinstance(n, ast.Import) for a in n.names}
    assert not top & {"pandas", "numpy", "yaml"}
