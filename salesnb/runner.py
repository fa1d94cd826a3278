"""Render the report pack: parameters, one prepared run, warm kernels, safe output.

``render_pack`` loads and validates the data once, prepares every table once and caches
it as Parquet in ``<out>/_cache``, then executes the report notebooks (papermill injects
the parameters; nbclient runs them on kernels that stay warm between reports and are
reset before each one), exports HTML in-process with no code, and writes every file
atomically. A failing report does not stop the others; its executed notebook is kept
under ``<out>/_failed/``.
"""

from __future__ import annotations

import datetime as _dt
import importlib.resources
import json
import os
import queue
import shutil
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from . import fmt
from .atomic import atomic_write_text
from .exceptions import ParamsError, SalesnbError
from .html import page, table_html
from .params import RUNNER_KEYS, check_params, resolve_params

# nbformat, papermill, nbclient and the analysis modules (pandas, scikit-learn, matplotlib)
# are imported where used: `salesnb run` starts its kernels first, so their start-up
# overlaps with these imports and with loading the data.

__all__ = ["NOTEBOOKS", "notebook_parameters", "check_params", "resolve_params", "Job",
           "render_pack", "KernelPool"]

# the report notebooks ship inside the package (package data), found wherever it is installed
NOTEBOOK_DIR = Path(str(importlib.resources.files("salesnb").joinpath("notebooks")))
NOTEBOOKS = {"team": NOTEBOOK_DIR / "team_report.ipynb",
             "company": NOTEBOOK_DIR / "company_report.ipynb",
             "week": NOTEBOOK_DIR / "team_weekly.ipynb",
             "rep": NOTEBOOK_DIR / "rep_scorecard.ipynb"}
SECRET_WORDS = ("password", "token", "secret", "key")


def notebook_parameters(path=NOTEBOOKS["team"]) -> dict:
    """Return the parameters cell of a notebook: name -> {type, default, help}.

    Reads the cell tagged ``parameters`` the way papermill's Python translator does
    (``name: type = value  # help``; a test checks both agree), without importing
    papermill, so checking a params file costs milliseconds.
    """
    import ast
    import io as _io
    import tokenize

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


def public_params(params: dict) -> dict:
    """Return params without secrets (keys that look like passwords or tokens are masked)."""
    from .load.sql_spec import safe_url

    def clean(v, k=""):
        if isinstance(v, dict):
            return {kk: clean(vv, kk) for kk, vv in v.items()}
        if any(w in str(k).lower() for w in SECRET_WORDS):
            return "***"
        if str(k).lower() == "url" and isinstance(v, str):
            return safe_url(v)  # a password typed into a url is hidden too
        return v
    return clean(params)


@dataclass
class Job:
    kind: str  # team | company | week | rep
    name: str
    out_file: str
    parameters: dict
    team: str = ""  # the team of a team or rep report
    status: str = "pending"
    error: str = ""
    seconds: float = 0.0
    headline: dict = field(default_factory=dict)


class CellError(RuntimeError):
    """A report notebook's cell raised: carries the exception's name, value and cell index."""

    def __init__(self, ename: str, evalue: str, index: int):
        super().__init__(f"{ename}: {evalue} (cell {index})")
        self.ename, self.evalue, self.index = ename, evalue, index


class KernelPool:
    """Warm Jupyter kernels, one per worker, reused across reports and reset between them."""

    RESET = ("%reset -f\nimport gc as _gc, matplotlib.pyplot as _plt\n_plt.close('all')\n"
             "_gc.collect()\ndel _gc, _plt\n")

    # what every report imports (the reset keeps modules): imported while the data loads,
    # not in the first report on each kernel
    WARM = ("import salesnb.report, salesnb.sections, salesnb.overview, salesnb.plots, "
            "salesnb.forecast, pyarrow.parquet, matplotlib.pyplot")

    def __init__(self, workers: int, *, cwd: Path, kernel_name: str = "python3"):
        self.workers = max(1, int(workers))
        self.cwd = Path(cwd)
        self.kernel_name = kernel_name
        self._local = threading.local()
        self._all: list = []
        self._clients: list = []
        self._dirs: list = []
        self._lock = threading.Lock()

    def _start(self):
        from jupyter_client.manager import KernelManager
        env = dict(os.environ, MPLBACKEND="module://matplotlib_inline.backend_inline",
                   PYDEVD_DISABLE_FILE_VALIDATION="1")
        # IPC sockets, not TCP on localhost: no network port, and no "running over TCP
        # without encryption" warning from every kernel on the analyst's terminal
        sockets = tempfile.mkdtemp(prefix="salesnb-kernel-")
        km = KernelManager(kernel_name=self.kernel_name, transport="ipc",
                           ip=str(Path(sockets) / "k"))
        km.start_kernel(cwd=str(self.cwd), env=env,
                        extra_arguments=["--HistoryManager.enabled=False"])
        with self._lock:
            self._all.append(km)
            self._dirs.append(sockets)
        return km

    def warm(self) -> None:
        """Start the kernels and import salesnb in them, in the background.

        Called before the data is loaded, so kernel start-up and imports overlap with
        loading and preparing the run instead of delaying the first reports.
        """
        self._ready: queue.Queue = queue.Queue()

        def one():
            try:
                km = self._start()
                kc = km.client()
                kc.start_channels()
                try:
                    kc.wait_for_ready(timeout=120)
                    kc.execute_interactive(self.WARM, timeout=120, output_hook=lambda m: None)
                finally:
                    kc.stop_channels()
                self._ready.put(km)
            except Exception:  # noqa: BLE001 - a worker starts its own kernel instead
                pass

        def imports():  # what the report threads need, imported while the data loads
            try:
                import nbformat  # noqa: F401
                from papermill.parameterize import parameterize_notebook  # noqa: F401
            except Exception:  # noqa: BLE001 - imported again, with its error, when used
                pass

        self._warmers = [threading.Thread(target=one, daemon=True) for _ in range(self.workers)]
        self._warmers.append(threading.Thread(target=imports, daemon=True))
        for th in self._warmers:
            th.start()

    def _kernel(self):
        km = getattr(self._local, "km", None)
        if km is None or not km.is_alive():
            km = None
            ready = getattr(self, "_ready", None)
            while ready is not None:  # a warm kernel, while any is still starting
                try:
                    km = ready.get(timeout=0.5)
                    break
                except queue.Empty:
                    if not any(th.is_alive() for th in getattr(self, "_warmers", [])):
                        km = None
                        break
            if km is None or not km.is_alive():
                km = self._start()
            self._local.km = km
        return km

    def execute(self, nb, *, timeout: int = 900):
        """Execute ``nb`` on this thread's warm kernel after resetting its state.

        The reset and every code cell are sent to the kernel at once, so it runs them
        back to back with no round trip between cells; each cell's outputs are recorded
        as nbformat outputs (what nbclient records). The first error stops the notebook
        (the kernel drops the cells queued after it) and raises :class:`CellError` with
        the exception's name and value.
        """
        km = self._kernel()
        kc = getattr(self._local, "kc", None)
        if kc is None or getattr(self._local, "kc_km", None) is not km:
            kc = km.client()
            kc.start_channels()
            kc.wait_for_ready(timeout=120)
            self._local.kc, self._local.kc_km = kc, km
            with self._lock:
                self._clients.append(kc)
        code = [(i, c) for i, c in enumerate(nb.cells)
                if c.cell_type == "code" and c.source.strip()]
        try:
            results = self._run_cells(km, kc, [self.RESET] + [c.source for _, c in code],
                                      timeout)
        except TimeoutError:
            # the kernel is still busy with the cell and has the rest queued: retire it, so
            # that the next report starts on a fresh kernel instead of waiting behind them
            self._retire(km)
            raise
        reset = results[0]
        if reset["status"] != "ok":
            raise RuntimeError("could not reset the kernel between reports")
        for (index, cell), res in zip(code, results[1:], strict=False):  # results stop at an error
            cell.outputs = res["outputs"]
            cell.execution_count = res["execution_count"]
            if res["status"] == "error":
                raise CellError(res["ename"], res["evalue"], index)
        return nb

    def _retire(self, km) -> None:
        """Shut down this thread's kernel ``km``; the next report starts another."""
        kc = getattr(self._local, "kc", None)
        self._local.km = self._local.kc = self._local.kc_km = None
        try:
            if kc is not None:
                kc.stop_channels()
            km.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001 - best effort: the kernel may be wedged
            pass

    @staticmethod
    def _run_cells(km, kc, sources: list[str], timeout: float) -> list[dict]:
        """Send every source to the kernel at once; return one result per source run.

        A result holds ``status`` (ok or error), ``outputs`` (nbformat outputs),
        ``execution_count`` and, on error, ``ename`` and ``evalue``. Results stop at the
        first error: the kernel aborts what was queued after it. Polls in one-second
        steps so that a kernel that dies mid-cell fails the report at once; ``timeout``
        bounds each cell.
        """
        import nbformat
        _drain(kc)  # replies of an earlier report's cells
        ids = [kc.execute(src, allow_stdin=False, stop_on_error=True) for src in sources]
        pos = {m: i for i, m in enumerate(ids)}
        results = [{"status": "ok", "outputs": [], "execution_count": None} for _ in ids]
        done = 0          # results[:done] are finished
        deadline = time.monotonic() + timeout
        while done < len(ids):
            try:
                msg = kc.get_iopub_msg(timeout=1)
            except queue.Empty:
                if not km.is_alive():
                    raise RuntimeError("the kernel died while running the report") from None
                if time.monotonic() > deadline:
                    raise TimeoutError(f"a report cell ran longer than {timeout} s") from None
                if _aborted(kc, pos, done):  # a request the kernel skipped (no idle comes)
                    results[done].update(status="error", ename="Aborted",
                                         evalue="the kernel skipped this cell")
                    return results[:done + 1]
                continue
            i = pos.get(msg["parent_header"].get("msg_id"))
            if i is None:
                continue   # left over from an earlier report (an aborted cell)
            res, kind, content = results[i], msg["header"]["msg_type"], msg["content"]
            if kind == "status":
                if content["execution_state"] == "idle":
                    done, deadline = i + 1, time.monotonic() + timeout
                    if res["status"] == "error":
                        return results[:done]
            elif kind == "execute_input":
                res["execution_count"] = content.get("execution_count")
            elif kind in ("stream", "display_data", "execute_result", "error"):
                res["outputs"].append(nbformat.v4.output_from_msg(msg))
                if kind == "error":
                    res.update(status="error", ename=content.get("ename", "Error"),
                               evalue=content.get("evalue", ""))
            elif kind == "clear_output":
                res["outputs"].clear()
        return results

    def shutdown(self):
        for th in getattr(self, "_warmers", []):
            th.join(timeout=120)  # a kernel still starting would outlive the run
        for kc in self._clients:
            try:
                kc.stop_channels()
            except Exception:  # noqa: BLE001 - best effort at exit
                pass
        self._clients.clear()
        for km in self._all:
            try:
                km.shutdown_kernel(now=True)
            except Exception:  # noqa: BLE001 - best effort at exit
                pass
        self._all.clear()
        for d in self._dirs:  # the kernels' socket files
            shutil.rmtree(d, ignore_errors=True)
        self._dirs.clear()


def _drain(kc) -> list[dict]:
    """Return the shell replies waiting on ``kc`` (without blocking)."""
    out = []
    while True:
        try:
            out.append(kc.get_shell_msg(timeout=0))
        except queue.Empty:
            return out


def _aborted(kc, pos: dict, index: int) -> bool:
    """True when the kernel answered request ``index`` (of ``pos``) with 'aborted'."""
    return any(pos.get(r["parent_header"].get("msg_id")) == index
               and r["content"].get("status") == "aborted" for r in _drain(kc))


_EXPORTER = None
_EXPORTER_LOCK = threading.Lock()


def _report_exporter():
    """nbconvert's HTML exporter (basic template, no code, no prompts) minus its last step.

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
    """Export an executed notebook as a self-contained page with no code and no prompts."""
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


def _run_job(pool: KernelPool, job: Job, out: Path, lang: str, notebooks: dict,
             keep_notebooks: bool = False) -> None:
    import nbformat
    from papermill.parameterize import parameterize_notebook
    t0 = time.perf_counter()
    nb = nbformat.read(notebooks[job.kind], as_version=4)
    nb.metadata["papermill"] = {"parameters": {}, "environment_variables": {}}
    try:
        nb = parameterize_notebook(nb, job.parameters, kernel_name="python3", language="python")
        pool.execute(nb)
        title = job.name
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
        (out / "_failed").mkdir(exist_ok=True)
        atomic_write_text(out / "_failed" / (Path(job.out_file).stem + ".ipynb"),
                          nbformat.writes(nb))
    job.seconds = round(time.perf_counter() - t0, 2)


def _progress_bar(total):
    from tqdm import tqdm
    return tqdm(total=total, unit="report", desc="reports", leave=True, dynamic_ncols=True,
                disable=os.environ.get("SALESNB_NO_PROGRESS") == "1")


def render_pack(params: dict, *, out: Path, teams: list[str] | None = None,
                workers: int | None = None, params_path: str = "params",
                company: bool = True, notebooks: dict | None = None,
                keep_notebooks: bool = False, pool: KernelPool | None = None) -> dict:
    """Render the pack into ``out``; return the run record (also written as run.json).

    ``notebooks`` overrides the notebook per kind ({"team": path, "company": path});
    ``keep_notebooks`` keeps every executed notebook under ``<out>/_notebooks/``.
    """
    notebooks = dict(NOTEBOOKS, **(notebooks or {}))
    t_start = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if pool is None:  # (the command line starts its pool even before checking params)
        n = workers or params.get("workers") or os.cpu_count() or 1  # --workers, the file's
        pool = KernelPool(max(1, int(n)), cwd=NOTEBOOK_DIR)
        pool.warm()  # kernels start while the data loads
    try:
        return _render_pack(params, out=out, teams=teams, pool=pool, params_path=params_path,
                            company=company, notebooks=notebooks,
                            keep_notebooks=keep_notebooks, t_start=t_start)
    finally:
        pool.shutdown()


def _render_pack(params, *, out, teams, pool, params_path, company, notebooks, keep_notebooks,
                 t_start) -> dict:
    from .load import dataset_from_params
    from .report import prepare, slugify, teams_of, write_cache
    month = params["month"]
    lang = params.get("lang", "en")
    dataset = dataset_from_params(params)
    t_load = time.perf_counter()
    from .calendar import to_month
    last = dataset.last_sale_date
    if last is None or to_month(month).start_time > last:
        raise ParamsError(
            f"month {month} has no data: the sales end on "
            f"{last.date() if last is not None else '(no rows)'}. Choose a month with sales.")
    tables = prepare(dataset, month=month, as_of=params.get("as_of") or None,
                     fiscal_year_start=params.get("fiscal_year_start", 1),
                     target_split=params.get("target_split", "equal"),
                     targets_rule=params.get("targets_rule") or None,
                     thresholds=params.get("thresholds") or None,
                     tiers=params.get("tiers") or None,
                     working_days=params.get("working_days", False),
                     holidays=params.get("holidays") or (),
                     currency=params.get("currency", "$"))
    cache = out / "_cache"
    export_tables(tables, out)
    t_prep = time.perf_counter()
    all_teams = teams_of(tables)
    if teams:
        unknown = [t for t in teams if t not in all_teams]
        if unknown:
            raise ParamsError(f"--team {unknown} not found; the teams in the data are {all_teams}.")
        selected = list(teams)
    else:
        selected = all_teams
    # notebooks read the run cache; they get the params without secrets (urls masked)
    base = {k: v for k, v in public_params(params).items() if k not in RUNNER_KEYS}
    base["cache"] = str(cache.resolve())
    jobs = []
    if company and not teams and Path(notebooks["company"]).exists():
        jobs.append(Job("company", "company", "company.html", dict(base, team="")))
    used = set()
    for team in selected:
        slug = slugify(team)
        while slug in used:
            slug += "-x"
        used.add(slug)
        kind = "week" if params.get("period") == "week" else "team"
        jobs.append(Job(kind, team, f"team-{slug}.html", dict(base, team=team), team=team))
    jobs += _scorecard_jobs(tables, selected, base, params)
    tables["meta"]["pages"] = _pages(jobs)
    write_cache(tables, cache)
    n_workers = max(1, min(pool.workers, len(jobs) or 1))
    q: queue.Queue = queue.Queue()
    for j in jobs:
        q.put(j)
    bar = _progress_bar(len(jobs))

    def work():
        while True:
            try:
                job = q.get_nowait()
            except queue.Empty:
                return
            _run_job(pool, job, out, lang, notebooks, keep_notebooks)
            bar.update(1)
            bar.set_postfix_str(f"{job.name}: {job.status}")

    threads = [threading.Thread(target=work, daemon=True) for _ in range(n_workers)]
    interrupted = False
    try:
        for th in threads:
            th.start()
        for th in threads:
            while th.is_alive():
                th.join(timeout=0.2)
    except KeyboardInterrupt:
        # reports already written are complete (atomic writes); mark the rest and record it
        interrupted = True
        while True:
            try:
                q.get_nowait()
            except queue.Empty:
                break
        for j in jobs:
            if j.status == "pending":
                j.status, j.error = "interrupted", "the run was interrupted"
    finally:
        bar.close()
    record = {
        "salesnb_run": 1,
        "started": _dt.datetime.now().isoformat(timespec="seconds"),
        "params_file": str(params_path),
        "params": public_params({k: v for k, v in params.items()}),
        "inputs": dataset.sources,
        "data": {"last_sale_date": tables["meta"]["last_sale_date"],
                 "first_sale_date": tables["meta"]["first_sale_date"],
                 "target_source": tables["meta"]["target_source"]},
        "quality": tables["quality"].to_dict(orient="records") if len(tables["quality"]) else [],
        "timings": {"load_validate_s": round(t_load - t_start, 2),
                    "prepare_s": round(t_prep - t_load, 2),
                    "render_s": round(time.perf_counter() - t_prep, 2),
                    "total_s": round(time.perf_counter() - t_start, 2), "workers": n_workers},
        "reports": [{"kind": j.kind, "name": j.name, "unit": j.name, "team": j.team,
                     "file": j.out_file, "status": j.status, "error": j.error,
                     "seconds": j.seconds} for j in jobs],
    }
    atomic_write_text(out / "index.html", index_html(tables, jobs, lang=lang,
                                                     currency=params.get("currency", "$")))
    atomic_write_text(out / "run.json", json.dumps(record, indent=2, ensure_ascii=False,
                                                   default=str))
    if interrupted:
        raise KeyboardInterrupt
    return record


def _scorecard_jobs(tables: dict, teams: list[str], base: dict, params: dict) -> list[Job]:
    """One scorecard job per rep of ``teams`` with a target or a sale this year.

    None for the weekly variant or with ``scorecards: false``. File names are
    ``rep-<slug>.html`` (the team files' slug rule), unique across the pack.
    """
    from .report import scorecard_reps, slugify
    if not params.get("scorecards", True) or params.get("period") == "week":
        return []
    jobs, used = [], set()
    for team in teams:
        for rep in scorecard_reps(tables, team):
            slug = slugify(rep)
            while slug in used:
                slug += "-x"
            used.add(slug)
            jobs.append(Job("rep", rep, f"rep-{slug}.html", dict(base, team=team, rep=rep),
                            team=team))
    return jobs


def _pages(jobs: list[Job]) -> dict:
    """The pack's page map for the links between pages (see :mod:`salesnb.views.links`)."""
    pages: dict = {"index": "index.html", "teams": {}, "reps": {}}
    for j in jobs:
        if j.kind == "company":
            pages["company"] = j.out_file
        elif j.kind in ("team", "week"):
            pages["teams"][j.name] = j.out_file
        elif j.kind == "rep":
            pages["reps"][j.name] = j.out_file
    return pages


EXPORT_TABLES = ("progress", "ranking", "attribution", "alerts")


def ranking_table(tables: dict):
    """Rank teams company-wide, reps company-wide and within their team (amount metric).

    Columns: level, unit, team, attainment, actual, rank, rank_in_team, peer_average,
    percentile, z_score, below_average (reps: below their team's attainment).
    """
    import pandas as pd

    from .compare import peer_stats, rank_units
    p = tables["progress"]
    p = p[p["metric"] == "amount"]
    teams = rank_units(p[p["level"] == "team"], by="attainment", tiebreak="actual")
    reps = rank_units(p[p["level"] == "rep"], by="attainment", tiebreak="actual")
    within = rank_units(p[p["level"] == "rep"], by="attainment", tiebreak="actual",
                        within="team")[["unit", "rank"]].rename(columns={"rank": "rank_in_team"})
    team_att = dict(zip(teams["unit"], teams["attainment"], strict=True))
    reps = peer_stats(reps.merge(within, on="unit", how="left"), value="attainment",
                      group="team", parent=team_att)
    cols = ["level", "unit", "team", "attainment", "actual", "rank", "rank_in_team",
            "peer_average", "percentile", "z_score", "below_average"]
    out = pd.concat([teams.assign(rank_in_team=float("nan")), reps], ignore_index=True)
    for c in cols:
        if c not in out.columns:
            out[c] = float("nan")
    return out[cols]


def export_tables(tables: dict, out: Path) -> dict:
    """Write <out>/tables/{progress,ranking,attribution,alerts}.csv and <out>/tables.xlsx."""
    import io as _io

    import pandas as pd

    from .atomic import atomic_write_bytes
    frames = {
        "progress": tables["progress"],
        "ranking": ranking_table(tables),
        "attribution": tables["attribution"],
        "alerts": tables["alerts"],
    }
    paths = {}
    for name, df in frames.items():
        df = df.copy()
        for c in df.columns:
            if isinstance(df[c].dtype, pd.PeriodDtype):
                df[c] = df[c].astype(str)
        frames[name] = df
        path = out / "tables" / f"{name}.csv"
        atomic_write_bytes(path, df.to_csv(index=False, na_rep="").encode("utf-8"))
        paths[name] = str(path)
    buf = _io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, df in frames.items():
            df.to_excel(xl, sheet_name=name, index=False)
    atomic_write_bytes(out / "tables.xlsx", buf.getvalue())
    return paths


def _cards_line(cards: list[Job], lang: str) -> str:
    """A sentence on the rep scorecards (each team report links its reps'); failed ones named."""
    if not cards:
        return ""
    ok = sum(j.status == "ok" for j in cards)
    failed = [j for j in cards if j.status != "ok"]
    text = (f"{ok} of {len(cards)} rep scorecards written; each team report links its reps' "
            "scorecards." if lang != "zh" else
            f"已生成{len(cards)}份个人业绩卡中的{ok}份；各团队报告链接其成员的业绩卡。")
    if failed:
        text += (" Failed: " if lang != "zh" else " 失败：") + "; ".join(
            f"{j.name} ({j.error})" for j in failed)
    return f"<p>{fmt.esc(text)}</p>"


def index_html(tables: dict, jobs: list[Job], *, lang: str, currency: str) -> str:
    """Return the pack's index page: each report with headline figures and its status."""
    import pandas as pd
    p = tables["progress"]
    p = p[p["metric"] == "amount"]
    rows = []
    cards = [j for j in jobs if j.kind == "rep"]  # linked from their team reports, not here
    jobs = [j for j in jobs if j.kind != "rep"]
    for j in jobs:
        level, unit = ("company", "Company") if j.kind == "company" else ("team", j.name)
        r = p[(p["level"] == level) & (p["unit"] == unit)]
        r = r.iloc[0] if len(r) else None
        rows.append({
            "report": j.name if j.kind == "team" else fmt.label("company_report", lang),
            "file": j.out_file, "status": j.status, "error": j.error,
            "actual": r["actual"] if r is not None else float("nan"),
            "target": r["target"] if r is not None else float("nan"),
            "attainment": r["attainment"] if r is not None else float("nan"),
            "ytd_attainment": r["ytd_attainment"] if r is not None else float("nan"),
            "pace": r["pace"] if r is not None else float("nan"),
        })
    df = pd.DataFrame(rows)
    body_rows = []
    for _, r in df.iterrows():
        name = fmt.esc(r["report"])
        link = (f'<a href="{fmt.esc(r["file"])}">{name}</a>' if r["status"] == "ok"
                else f'{name} <span class="failed">{fmt.esc(fmt.label("failed", lang))}: '
                     f'{fmt.esc(r["error"])}</span>')
        body_rows.append(link)
    df = df.assign(report=body_rows)
    shown = df[["report", "actual", "target", "attainment", "ytd_attainment", "pace"]]
    tbl = table_html(shown, {"actual": "money", "target": "money", "attainment": "att",
                             "ytd_attainment": "att", "pace": "pts"}, currency=currency,
                     lang=lang)
    # links were escaped by table_html: restore the anchors we built ourselves
    for link in body_rows:
        tbl = tbl.replace(fmt.esc(link), link, 1)
    meta = tables["meta"]
    q = tables["quality"]
    q = q[q["count"] > 0] if len(q) else q
    qhtml = (table_html(q[["severity", "table", "check", "count", "detail"]].reset_index(drop=True),
                        {"count": "int"}, lang=lang) if len(q) else
             f"<p>{fmt.esc('No data-quality problems were found.' if lang != 'zh' else '未发现数据质量问题。')}</p>")
    month = meta["month"]
    head = fmt.label("report", lang) + " · " + month
    ok = sum(j.status == "ok" for j in jobs)
    body = (f"<h1>{fmt.esc(head)}</h1>"
            f'<p class="sub">{fmt.esc(fmt.label("generated", lang))}: '
            f'{_dt.datetime.now().strftime("%Y-%m-%d %H:%M")} · '
            f'{fmt.esc(fmt.label("last_sale", lang))}: {fmt.esc(meta["last_sale_date"])} · '
            f"{ok}/{len(jobs)} ok</p>{tbl}{_cards_line(cards, lang)}<h2>{fmt.esc(fmt.label('data_quality', lang))}</h2>{qhtml}")
    return page(head, body, lang=lang)


def format_error(exc: BaseException) -> str:
    """Return a user-facing one-paragraph message for an error."""
    if isinstance(exc, SalesnbError):
        return str(exc)
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()
