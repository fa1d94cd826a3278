"""The package as a user installs it: dependencies as imported, notebooks inside, a wheel that works.

``test_wheel_renders_the_sample_pack_from_anywhere`` builds a non-editable wheel from the
tracked files (a fresh clone's content), installs it into a bare virtualenv that sees this
environment's dependencies (nothing is downloaded), and renders the sample pack from an
empty folder outside the checkout.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "salesnb"

#: distribution name -> the top-level module it is imported as (when they differ)
IMPORT_NAMES = {"scikit-learn": "sklearn", "pyyaml": "yaml", "ipython": "IPython"}

#: declared and needed, yet never imported by name
NOT_IMPORTED = {
    "ipykernel": "the reports run on a Python kernel, started as a process by jupyter_client",
    "seaborn": "the design draws its heatmap and small multiples with it (branch views)",
    "psycopg": "SQLAlchemy loads it for postgresql+psycopg urls",
}

#: imported only to probe for an optional driver, inside try/except ImportError
PROBES: dict[str, str] = {}


def _dist_name(requirement: str) -> str:
    name = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0)
    return re.sub(r"[-_.]+", "-", name).lower()


def _module_name(requirement: str) -> str:
    dist = _dist_name(requirement)
    return IMPORT_NAMES.get(dist, dist.replace("-", "_"))


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _guarded(tree: ast.AST) -> set[int]:
    """Line numbers of imports inside a ``try`` whose handler catches ImportError."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
                h.type is not None and "ImportError" in ast.unparse(h.type)
                for h in node.handlers):
            for inner in node.body:
                for sub in ast.walk(inner):
                    if isinstance(sub, (ast.Import, ast.ImportFrom)):
                        lines.add(sub.lineno)
    return lines


def third_party_imports() -> dict[str, dict[str, set[str]]]:
    """Return {"required": {module: files}, "probe": {module: files}} for salesnb/**.py."""
    std = set(sys.stdlib_module_names)
    found: dict[str, dict[str, set[str]]] = {"required": {}, "probe": {}}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        guarded = _guarded(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in std or top == "salesnb" or top == "__future__":
                    continue
                kind = "probe" if node.lineno in guarded else "required"
                found[kind].setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_dependencies_are_declared_exactly_as_imported():
    project = _pyproject()["project"]
    core = {_module_name(r) for r in project["dependencies"]}
    extras = {k: {_module_name(r) for r in v} for k, v in project["optional-dependencies"].items()}
    imports = third_party_imports()
    required = set(imports["required"])
    declared = core | set().union(*extras.values())
    undeclared = {m: sorted(f) for m, f in imports["required"].items() if m not in declared}
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"
    unused = sorted(core - required - set(NOT_IMPORTED))
    assert not unused, f"declared but imported nowhere in salesnb/: {unused}"
    probes = set(imports["probe"]) - declared - set(PROBES)
    assert not probes, f"optional imports that are neither declared nor known probes: {probes}"
    # what only an extra provides is imported lazily (inside a function), never at module
    # level: `import salesnb.<module>` works without the extra
    extra_only = declared - core
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""])
                bad = {n.split(".")[0] for n in names} & extra_only
                assert not bad, f"{path.name} imports {bad} (an extra) at module level"


def test_lab_is_an_extra_and_make_lab_uses_it():
    project = _pyproject()["project"]
    core = {_dist_name(r) for r in project["dependencies"]}
    lab = {_dist_name(r) for r in project["optional-dependencies"]["lab"]}
    assert {"jupyterlab", "ipywidgets"} <= lab
    assert not {"jupyterlab", "ipywidgets"} & core
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    lab_target = makefile.split("\nlab:", 1)[1].split("\n\n", 1)[0]
    assert "lab]" in lab_target and "salesnb/notebooks" in lab_target


def test_notebooks_ship_inside_the_package():
    from importlib.resources import files

    from salesnb.runner import NOTEBOOKS
    shipped = files("salesnb").joinpath("notebooks")
    names = {p.name for p in shipped.iterdir() if p.name.endswith(".ipynb")}
    assert {"team_report.ipynb", "company_report.ipynb", "team_weekly.ipynb",
            "explore.ipynb"} <= names
    for path in NOTEBOOKS.values():
        assert Path(path).is_file() and Path(path).parent == PACKAGE / "notebooks"
    assert not (ROOT / "notebooks").exists(), "the notebooks live in salesnb/notebooks/ now"
    data = _pyproject()["tool"]["setuptools"]["package-data"]["salesnb"]
    assert data == ["notebooks/*.ipynb"]


def _copy_tracked_files(dest: Path) -> None:
    """Copy the files git tracks (what a fresh clone holds, as they are in the work tree)."""
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    for rel in out.stdout.decode().split("\0"):
        if rel and (ROOT / rel).is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, dest / rel)


@pytest.mark.slow
def test_wheel_renders_the_sample_pack_from_anywhere(tmp_path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs the git checkout to know the tracked files")
    clone = tmp_path / "clone"
    _copy_tracked_files(clone)
    dist = tmp_path / "dist"
    # built the way a user builds it: pip fetches the build backend (setuptools) from the
    # configured index into an isolated build environment; no runtime dependency is fetched
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist),
                    str(clone)], check=True)
    wheel = next(dist.glob("salesnb-*.whl"))

    # a bare venv (no pip, nothing installed) that sees this environment's dependencies
    # through a plain path entry (the editable salesnb install here is not activated: a
    # .pth line that names a folder does not run the .pth files inside it)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    vpy = venv / "bin" / "python"
    site = subprocess.run([str(vpy), "-c", "import sysconfig; print(sysconfig.get_paths()"
                           "['purelib'])"], capture_output=True, text=True, check=True)
    Path(site.stdout.strip(), "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(vpy), "install", "--no-deps",
                    "--no-index", "-q", str(wheel)], check=True)

    work = tmp_path / "empty"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "JUPYTER"))}
    # the shared dependencies' data files (nbconvert's templates) sit under this prefix;
    # only those are shown, not this environment's kernelspec (its python runs the checkout)
    shared = tmp_path / "jupyter-shared"
    shared.mkdir()
    (shared / "nbconvert").symlink_to(Path(sys.prefix, "share", "jupyter", "nbconvert"))
    env.update(SALESNB_NO_PROGRESS="1", JUPYTER_DATA_DIR=str(tmp_path / "jupyter"),
               JUPYTER_PATH=str(shared),
               PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    where = subprocess.run([str(vpy), "-c", "import salesnb; print(salesnb.__file__)"],
                           cwd=work, env=env, capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout

    def salesnb(*args):
        res = subprocess.run([str(venv / "bin" / "salesnb"), *args], cwd=work, env=env,
                             capture_output=True, text=True, timeout=900)
        assert res.returncode == 0, res.stdout + res.stderr
        return res

    # a small company (2 teams, 8 reps): what is checked is that the wheel's notebooks,
    # templates and entry point work outside the checkout; the full sample pack is rendered
    # once per session (tests/conftest.py) and checked by the other test files
    salesnb("sample", "data", "--teams", "2", "--reps", "8", "--rows", "6000")
    (work / "p.yaml").write_text(
        'month: "2026-10"\nsales: data/sales.csv\ntargets: data/targets.csv\n'
        "org: data/org.csv\nopportunities: data/opportunities.csv\nspend: data/spend.csv\n"
        "satisfaction: data/satisfaction.csv\nout: reports\n", encoding="utf-8")
    salesnb("run", "p.yaml", "--workers", "2")
    pack = work / "reports"
    teams = sorted(pack.glob("team-*.html"))
    assert (pack / "index.html").is_file() and (pack / "company.html").is_file()
    assert len(teams) == 2, teams
    cards = sorted(pack.glob("rep-*.html"))  # the scorecard notebook ships in the wheel too
    assert len(cards) >= 4, cards
    for page in [pack / "company.html", *teams, cards[0]]:
        text = page.read_text(encoding="utf-8")
        assert "<svg" in text and "Traceback" not in text
    assert not (pack / "_failed").exists()
