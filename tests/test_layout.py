"""The package's layout: no import circle, and the data layer imports nothing above it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import salesnb

ROOT = Path(salesnb.__file__).parent
#: what salesnb/load/ may import from the package besides its own modules
LOAD_MAY_IMPORT = {"salesnb.exceptions", "salesnb.schema"}
#: modules kept only so that documented names resolve; package code must not import them
SHIMS = {"salesnb.engine", "salesnb.sources", "salesnb.scanning", "salesnb.runner"}


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> list[tuple[str, str | None, int]]:
    """Every (module, imported name or None, line) that ``name`` imports from the package,
    at the top or inside functions."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, None, node.lineno) for a in node.names
                    if a.name.split(".")[0] == "salesnb"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.split(".")[0] != "salesnb":
                continue
            for a in node.names:
                sub = f"{mod}.{a.name}"
                out.append((sub, None, node.lineno) if sub in MODULES
                           else (mod, a.name, node.lineno))
    return out


def _graph() -> dict[str, set[str]]:
    return {m: {t for t, _, _ in _imports(m, p) if t in MODULES and t != m}
            for m, p in MODULES.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one import circle as a path (first module repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                return stack[stack.index(t):] + [t]
            if t not in state and (found := visit(t)):
                return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (found := visit(m)):
            return found
    return None


def test_the_graph_sees_every_kind_of_import():
    graph = _graph()
    assert "salesnb.load.issues" in graph["salesnb.load.tables"]    # from .issues import ...
    assert "salesnb.schema" in graph["salesnb.load.issues"]         # from ..schema import ...
    assert "salesnb.load" in graph["salesnb.cli"]                   # inside a function
    assert "salesnb.fmt" in graph["salesnb.alerts"]                 # from salesnb import fmt


def test_the_cycle_finder_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_no_import_circle_in_the_package():
    assert _cycle(_graph()) is None, "import circle: " + " -> ".join(_cycle(_graph()))


def test_the_data_layer_imports_nothing_above_it():
    bad = [f"{m} imports {t} (line {line})"
           for m, p in MODULES.items() if m == "salesnb.load" or m.startswith("salesnb.load.")
           for t, _, line in _imports(m, p)
           if not (t in LOAD_MAY_IMPORT or t == "salesnb.load" or t.startswith("salesnb.load."))]
    assert not bad, "; ".join(bad)


def test_no_package_module_imports_the_old_names():
    """salesnb.engine, .sources and .scanning, and the names salesnb.io re-exports from
    salesnb.load and salesnb.atomic, are for users; package code imports the real module."""
    io_reexports = {a for t, a, _ in _imports("salesnb.io", MODULES["salesnb.io"])
                    if a and (t.startswith("salesnb.load") or t == "salesnb.atomic")}
    bad = []
    for m, p in MODULES.items():
        if m in SHIMS or m == "salesnb.io":
            continue
        for t, name, line in _imports(m, p):
            if t in SHIMS or (t == "salesnb.io" and name in io_reexports):
                bad.append(f"{m} imports {t}{'.' + name if name else ''} (line {line})")
    assert not bad, "; ".join(bad)


def test_the_old_module_names_still_resolve():
    import importlib

    import salesnb.load as load

    names = {"salesnb.engine": ["scan", "DIGEST_TABLES", "REQUIRED"],
             "salesnb.sources": ["aggregate_sql", "read_sql_source", "safe_url", "expand_env",
                                 "source_label", "is_sql_source", "SQL_KEYS"],
             "salesnb.scanning": ["choose", "scan_sales", "rep_not_in_org", "ENGINES",
                                  "SCAN_MIN_ROWS", "SCAN_MIN_CSV_BYTES"],
             "salesnb.io": ["load_dataset", "load_table", "dataset_from_params", "read_frame",
                            "Dataset", "Issue", "write_tables", "load_params",
                            "atomic_write_text", "atomic_write_bytes", "sha256_file",
                            "frame_sha256", "TableName", "SUPPORTED_FORMATS",
                            "QUALITY_COLUMNS", "EXCLUDED_COLUMNS"]}
    for module, attrs in names.items():
        mod = importlib.import_module(module)
        assert sorted(attrs) == sorted(mod.__all__)
        for a in attrs:
            assert getattr(mod, a) is not None
    assert salesnb.engine.scan is load.scan and salesnb.io.load_dataset is load.load_dataset
    assert salesnb.sources.aggregate_sql is load.aggregate_sql


def test_the_data_layer_modules_stay_small():
    sizes = {m: len(p.read_text(encoding="utf-8").splitlines()) for m, p in MODULES.items()
             if m.startswith("salesnb.load")}
    assert len(sizes) > 10
    assert not {m: n for m, n in sizes.items() if n > 400}


def test_every_module_is_a_lazy_export():
    """``import salesnb as sn; sn.<module>`` works for every module and sub-package."""
    import importlib
    from pathlib import Path

    import salesnb as sn

    root = Path(sn.__file__).parent
    names = {p.stem for p in root.glob("*.py") if p.stem != "__init__"}
    names |= {p.parent.name for p in root.glob("*/__init__.py")}
    missing = sorted(n for n in names if n not in sn._MODULES)
    assert missing == [], f"not in salesnb._MODULES: {missing}"
    for name in sorted(names):
        assert getattr(sn, name) is importlib.import_module(f"salesnb.{name}")


def _layout_rows() -> dict[str, set[str]]:
    """README's layout table: folder -> the names in backticks of its row(s)."""
    readme = (ROOT.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].startswith("`salesnb/"):
            continue
        folder = cells[0].split("`")[1]
        rows.setdefault(folder, set()).update(re.findall(r"`([^`]+)`", "|".join(cells[1:])))
    return rows


def test_the_readme_layout_table_names_every_module():
    """Each sub-package has a row naming each of its modules; the package's own rows name
    every top-level module and sub-package (``name/``)."""
    rows = _layout_rows()
    top, missing = rows.get("salesnb/", set()), []
    for m, path in MODULES.items():
        parts = m.split(".")[1:]
        if not parts or parts[-1].startswith("_"):
            continue
        if len(parts) == 1:
            name = parts[0] + ("/" if path.name == "__init__.py" else "")
            if name not in top:
                missing.append(f"salesnb/ row: {name}")
        elif parts[-1] not in rows.get(f"salesnb/{'/'.join(parts[:-1])}/", set()):
            missing.append(f"salesnb/{'/'.join(parts[:-1])}/ row: {parts[-1]}")
    assert not missing, "README layout table misses " + "; ".join(missing)
    folders = {f"salesnb/{p.relative_to(ROOT).as_posix()}/" for p in ROOT.iterdir()
               if p.is_dir() and (p / "__init__.py").exists()}
    assert folders <= set(rows), sorted(folders - set(rows))


def _parameters_section(doc: str) -> dict[str, str] | None:
    """The ``name : type`` lines of a numpydoc Parameters section (name -> type), or None."""
    m = re.search(r"^Parameters\n-{3,}\n(.*?)(?=^\S[^\n]*\n-{3,}\n|\Z)", doc, re.S | re.M)
    if not m:
        return None
    out = {}
    for line in m.group(1).splitlines():
        head = re.match(r"^(\*{0,2}\w+(?:, \*{0,2}\w+)*) : (\S.*)$", line)
        if head and not head.group(2).rstrip().endswith("."):  # "x : the x." is prose
            out.update({n.lstrip("*"): head.group(2).strip() for n in head.group(1).split(", ")})
    return out


def _parameter_gaps() -> dict[str, str]:
    """Every public function and method whose Parameters section misses a parameter or its
    type: qualified name -> what is missing (self/cls and undocumented *args/**kwargs aside)."""
    gaps = {}
    for m, path in MODULES.items():
        if any(p.startswith("_") for p in m.split(".")):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defs = [(f"{m}.", n, False) for n in tree.body]
        defs += [(f"{m}.{c.name}.", n, True) for c in tree.body
                 if isinstance(c, ast.ClassDef) and not c.name.startswith("_") for n in c.body]
        for where, fn, method in defs:
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or \
                    fn.name.startswith("_") or any(
                        getattr(d, "id", getattr(d, "attr", "")) in ("property", "setter")
                        for d in fn.decorator_list):
                continue
            a = fn.args
            names = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]
            names = names[1:] if method and names[:1] in (["self"], ["cls"]) else names
            if not names:
                continue
            section = _parameters_section(ast.get_docstring(fn) or "")
            if section is None:
                gaps[where + fn.name] = "no Parameters section"
            elif missing := [n for n in names if n not in section]:
                gaps[where + fn.name] = f"no `name : type` line for {missing}"
    return gaps


#: public functions written before the rule and still without typed parameters: none left
#: (all documented); a name here would be tolerated until documented, then must come off
PARAMETER_GAPS_BEFORE_THE_RULE: set[str] = set()


def test_every_public_function_documents_its_parameters_with_types():
    """numpydoc: a Parameters section with ``name : type`` for every parameter."""
    gaps = _parameter_gaps()
    new = {k: v for k, v in gaps.items() if k not in PARAMETER_GAPS_BEFORE_THE_RULE}
    assert not new, "; ".join(f"{k}: {v}" for k, v in sorted(new.items()))
    fixed = PARAMETER_GAPS_BEFORE_THE_RULE - set(gaps)
    assert not fixed, f"documented now, take them off PARAMETER_GAPS_BEFORE_THE_RULE: {fixed}"


def test_the_parameters_check_sees_missing_names_and_types():
    doc = "Sum.\n\nParameters\n----------\na : int\n    First.\nb : the second.\n\nReturns\n-------\nint\n"
    assert _parameters_section(doc) == {"a": "int"}
    assert _parameters_section("Sum.\n\nReturns\n-------\nint\n") is None
    assert _parameters_section("S.\n\nParameters\n----------\nstart, end : date-like\n") == \
        {"start": "date-like", "end": "date-like"}
