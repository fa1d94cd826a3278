"""One report: parameterise its notebook, execute it on a warm kernel, export the HTML.

The notebooks ship inside the package (:data:`NOTEBOOKS`, found through
``importlib.resources``); the export has no code and no prompts, and every file is written
atomically; a failed report's executed notebook is kept under ``<out>/_failed/``.
"""

from __future__ import annotations

import ast
import importlib.resources
import io as _io
import json
import threading
import time
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import atomic_write_text
from ..exceptions import ParamsError
from ..html import page
from .kernels import KernelPool

__all__ = ["NOTEBOOK_DIR", "NOTEBOOKS", "notebook_parameters", "Job", "export_html", "run_job"]

# the report notebooks ship inside the package (package data), found wherever it is installed
NOTEBOOK_DIR = Path(str(importlib.resources.files("salesnb").joinpath("notebooks")))
NOTEBOOKS = {"team": NOTEBOOK_DIR / "team_report.ipynb",
             "company": NOTEBOOK_DIR / "company_report.ipynb",
             "week": NOTEBOOK_DIR / "team_weekly.ipynb",
             "rep": NOTEBOOK_DIR / "rep_scorecard.ipynb"}

def notebook_parameters(path=NOTEBOOKS["team"]) -> dict:
    """Return the parameters cell of a notebook: name -> {type, default, help}.

    Reads the cell tagged ``parameters`` the way papermill's Python translator does
    (``name: type = value  # help``; a test checks both agree), without importing
    papermill, so checking a params file costs milliseconds.

    Parameters
    ----------
    path : str or Path
        The notebook (default: the team report).
    """
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    cells = [c for c in nb.get("cells", [])
             if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not cells:
        raise ParamsError(f"{path} has no cell tagged 'parameters'.")
    source = "".join(cells[0]["source"]) if isinstance(cells[0]["source"], list) \
        else cells[0]["source"]
    comments = {}
    for tok in tokenize.generate_tokens(_io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            comments[tok.start[0]] = tok.string.lstrip("#").strip()
    out = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name, kind = node.target.id, ast.unparse(node.annotation)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            name, kind = node.targets[0].id, "None"
        else:
            continue
        out[name] = {"type": kind, "default": ast.get_source_segment(source, node.value),
                     "help": comments.get(node.lineno, "")}
    return out


@dataclass
class Job:
    """One report of a pack: its kind, unit, output file, notebook parameters and outcome."""

    kind: str  # team | company | week | rep
    name: str
    out_file: str
    parameters: dict
    team: str = ""  # the team of a team or rep report
    status: str = "pending"
    error: str = ""
    seconds: float = 0.0
    headline: dict = field(default_factory=dict)
    kept: str = ""  # a failed report's executed notebook, when it could be written


_EXPORTER = None
_EXPORTER_LOCK = threading.Lock()


def _report_exporter():
    """Nbconvert's HTML exporter (basic template, no code, no prompts) minus its last step.

    ``HTMLExporter.from_notebook_node`` ends by parsing the whole page with BeautifulSoup
    to give images a default alt text and make cells focusable: 60 % of the export's
    time, and nothing to do here (no images, no input cells; charts are inline SVG).
    This subclass renders the same template without that pass.
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", Highlight2HTML(pygments_lexer="ipython3",
                                                                  parent=self))
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return ReportExporter(template_name="basic", exclude_input=True, exclude_markdown=True,
                          exclude_input_prompt=True, exclude_output_prompt=True)


def export_html(nb, *, title: str, lang: str) -> str:
    """Export an executed notebook as a self-contained page with no code and no prompts.

    Parameters
    ----------
    nb : NotebookNode
        The executed notebook.
    title : str
        The page's title.
    lang : str
        The page's language (``en`` or ``zh``).
    """
    global _EXPORTER
    with _EXPORTER_LOCK:
        if _EXPORTER is None:
            _EXPORTER = _report_exporter()
        body, _ = _EXPORTER.from_notebook_node(nb)
    return page(title, body, lang=lang)


def _first_line(exc: BaseException) -> str:
    text = getattr(exc, "ename", None)
    if text:
        value = getattr(exc, "evalue", "") or ""
        return f"{text}: {value}".splitlines()[0][:300]
    return f"{type(exc).__name__}: {str(exc).strip()}".splitlines()[0][:300]


def run_job(pool: KernelPool, job: Job, out: Path, lang: str, notebooks: dict,
            keep_notebooks: bool = False) -> None:
    """Execute one report on the pool and write its page; record the outcome in ``job``.

    Parameters
    ----------
    pool : KernelPool
        The warm kernels.
    job : Job
        The report; its ``status``, ``error`` and ``seconds`` are set here.
    out : Path
        The pack's folder.
    lang : str
        The page's language (``en`` or ``zh``).
    notebooks : dict
        The notebook per kind (``team``, ``company``, ``week``, ``rep``).
    keep_notebooks : bool
        Also keep the executed notebook under ``<out>/_notebooks/``.
    """
    import nbformat
    from papermill.parameterize import parameterize_notebook
    t0 = time.perf_counter()
    nb = nbformat.read(notebooks[job.kind], as_version=4)
    nb.metadata["papermill"] = {"parameters": {}, "environment_variables": {}}
    try:
        nb = parameterize_notebook(nb, job.parameters, kernel_name="python3", language="python")
        pool.execute(nb)
        from ..views.words import page_title
        title = page_title(job.kind, job.name, month=str(job.parameters.get("month", "")),
                           company=str(job.parameters.get("company", "")), lang=lang,
                           as_of=str(job.parameters.get("as_of", "")))
        html_text = export_html(nb, title=title, lang=lang)
        atomic_write_text(out / job.out_file, html_text)
        job.status = "ok"
        if keep_notebooks:
            atomic_write_text(out / "_notebooks" / (Path(job.out_file).stem + ".ipynb"),
                              nbformat.writes(nb))
        failed_copy = out / "_failed" / (Path(job.out_file).stem + ".ipynb")
        if failed_copy.exists():
            failed_copy.unlink()
    except Exception as exc:  # noqa: BLE001 - one report's failure must not stop the others
        job.status = "failed"
        job.error = _first_line(exc)
        kept = out / "_failed" / (Path(job.out_file).stem + ".ipynb")
        try:  # a failure to keep the notebook (a full disk, a long name) is recorded too
            atomic_write_text(kept, nbformat.writes(nb))
            job.kept = str(kept)
        except Exception as exc2:  # noqa: BLE001
            job.error = (f"{job.error} (and the failed notebook could not be kept: "
                         f"{_first_line(exc2)})")[:600]
    job.seconds = round(time.perf_counter() - t0, 2)
