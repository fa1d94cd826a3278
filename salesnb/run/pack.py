"""The pack loop: one prepared run, then every report on the kernel pool, then the index.

``render_pack`` loads and validates the data once, prepares every table once and caches
it in ``<out>/_cache`` (:mod:`salesnb.run.cache`), executes the report notebooks on warm
kernels (:mod:`salesnb.run.kernels`, :mod:`salesnb.run.render`), writes the tables
(:mod:`salesnb.run.exports`), ``index.html`` (:mod:`salesnb.run.index`) and ``run.json``. A
failing report does not stop the others.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import queue
import threading
import time
import traceback
from pathlib import Path

from ..atomic import atomic_write_text
from ..exceptions import ParamsError, SalesnbError, Terminated
from ..params import RUNNER_KEYS
from .archive import history_record, in_series, pack_history, write_archive
from .cache import write_run_cache
from .exports import export_tables
from .guard import RunLock, check_out, handle_sigterm, os_error_text
from .index import index_html
from .kernels import KernelPool
from .partial import existing_record, kept_jobs, merge_reports, reuse_files
from .prepare import load_run, prepare_run, public_params
from .render import NOTEBOOK_DIR, NOTEBOOKS, Job, run_job
from .scorecards import page_map, scorecard_jobs

__all__ = ["render_pack", "format_error"]


def _progress_bar(total):
    from tqdm import tqdm
    return tqdm(total=total, unit="report", desc="reports", leave=True, dynamic_ncols=True,
                disable=os.environ.get("SALESNB_NO_PROGRESS") == "1")


def render_pack(params: dict, *, out: Path, teams: list[str] | None = None,
                workers: int | None = None, params_path: str = "params",
                company: bool = True, notebooks: dict | None = None,
                keep_notebooks: bool = False, pool: KernelPool | None = None,
                pdf: bool = False) -> dict:
    """Render the pack into ``out``; return the run record (also written as run.json).

    ``notebooks`` overrides the notebook per kind ({"team": path, "company": path});
    ``keep_notebooks`` keeps every executed notebook under ``<out>/_notebooks/``;
    ``pdf`` (or ``pdf: true`` in the params) also prints each written report to PDF once
    the HTML pack is complete (:func:`salesnb.delivery.pdf.write_pdfs`), never instead of it.

    Parameters
    ----------
    params : dict
        Resolved params (:func:`salesnb.params.resolve_params`).
    out : Path
        The pack's folder (created when missing).
    teams : list of str, optional
        Only these teams' reports (no company report); default every team.
    workers : int, optional
        Report kernels at once (default: the params' ``workers``, else one per core).
    params_path : str
        The params file's name, recorded in run.json.
    company : bool
        Also render the company report.
    notebooks : dict, optional
        The notebook per kind, over :data:`NOTEBOOKS`.
    keep_notebooks : bool
        Keep every executed notebook.
    pool : KernelPool, optional
        Warm kernels to use (shut down at the end); default a new pool.
    pdf : bool
        Also print each written report to PDF.
    """
    notebooks = dict(NOTEBOOKS, **(notebooks or {}))
    t_start = time.perf_counter()
    out = check_out(out)  # a clear error for a file, /, an unwritable or full folder
    started = _dt.datetime.now().isoformat(timespec="seconds")
    with handle_sigterm(), RunLock(out):  # SIGTERM as Ctrl-C; one run per folder at a time
        from ..report.prepare import start_forecast_workers, stop_forecast_workers
        start_forecast_workers()  # forked while this process is small (before the data)
        if pool is None:  # (the command line starts its pool even before checking params)
            n = workers or params.get("workers") or os.cpu_count() or 1  # --workers, file's
            pool = KernelPool(max(1, int(n)), cwd=NOTEBOOK_DIR)
            pool.warm()  # kernels start while the data loads
        try:
            record = _render_pack(params, out=out, teams=teams, pool=pool,
                                  params_path=params_path, company=company,
                                  notebooks=notebooks, keep_notebooks=keep_notebooks,
                                  t_start=t_start)
        except KeyboardInterrupt as exc:
            if not getattr(exc, "recorded", False):  # stopped before any report ran
                _record_stopped(out, params, params_path, started, exc)
            raise
        finally:
            stop_forecast_workers()  # when the run did not need them (or failed first)
            pool.shutdown()
    if pdf or params.get("pdf"):
        from ..delivery.pdf import write_pdfs
        write_pdfs(out, [r["file"] for r in record["reports"] if r["status"] == "ok"])
    return record


def _render_pack(params, *, out, teams, pool, params_path, company, notebooks, keep_notebooks,
                 t_start) -> dict:
    from ..report import teams_of, unit_slug
    run_params, dataset = load_run(params)
    t_load = time.perf_counter()
    tables = prepare_run(run_params, dataset)
    lang = run_params.lang
    cache = out / "_cache"
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
    month = str(run_params.month)
    # --team into a pack of the same month: the rest of the pack stays (run/partial.py)
    existing = existing_record(out, month=month, period=run_params.period) if teams else None
    had_company = bool(existing) and any(r.get("kind") == "company" for r in existing["reports"])
    jobs = []
    if company and (not teams or had_company) and Path(notebooks["company"]).exists():
        jobs.append(Job("company", "company", "company.html", dict(base, team="")))
    used = set()
    for team in selected:
        slug = unit_slug(team)
        while slug in used:
            slug += "-x"
        used.add(slug)
        kind = "week" if run_params.period == "week" else "team"
        jobs.append(Job(kind, team, f"team-{slug}.html", dict(base, team=team), team=team))
    jobs += scorecard_jobs(tables, selected, base, run_params)
    kept = []
    if existing:
        reuse_files(jobs, existing)
        kept = kept_jobs(existing, jobs, selected)
    tables["meta"]["pages"] = page_map([j for j in kept if j.status == "ok"] + jobs)
    write_run_cache(tables, run_params, cache, public=public_params(run_params.as_dict()))
    # the exported tables are the runner's own work: computed and written beside the
    # kernels rendering the reports (which read the run cache, not these files), not before
    exports = _Background(export_tables, tables, out, currency=run_params.currency)
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
            try:
                run_job(pool, job, out, lang, notebooks, keep_notebooks)
            except Exception as exc:  # noqa: BLE001 - the next reports still run
                job.status = "failed"
                job.error = job.error or format_error(exc).splitlines()[0][:300]
            bar.update(1)
            bar.set_postfix_str(f"{job.name}: {job.status}")

    threads = [threading.Thread(target=work, daemon=True) for _ in range(n_workers)]
    interrupted: KeyboardInterrupt | None = None
    try:
        for th in threads:
            th.start()
        for th in threads:
            while th.is_alive():
                th.join(timeout=0.2)
    except KeyboardInterrupt as exc:
        # reports already written are complete (atomic writes); mark the rest and record it
        interrupted = exc
        while True:
            try:
                q.get_nowait()
            except queue.Empty:
                break
        for j in jobs:
            if j.status == "pending":
                j.status, j.error = "interrupted", (
                    "the run was terminated (SIGTERM)" if isinstance(exc, Terminated)
                    else "the run was interrupted")
    finally:
        bar.close()
        export_error = exports.wait()
    pack_jobs = merge_reports(existing, jobs, kept) if existing else jobs
    changes = pack_history(out, month=month, period=run_params.period,
                           params=public_params(dict(params)), actuals=tables["actuals"])
    record = {
        "salesnb_run": 1,
        "status": _status(interrupted),
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
                     "notebook": j.kept, "seconds": j.seconds} for j in pack_jobs],
        "history": history_record(changes),
    }
    series = in_series(out, month)
    # each is written even when the other cannot be (a full disk): the first error is raised
    errors: list[BaseException] = []
    if export_error is not None:   # the reports are written; the run still fails, and says why
        errors.append(export_error)
        why = (os_error_text(export_error) if isinstance(export_error, OSError)
               else format_error(export_error).splitlines()[0][:300])
        record["write_errors"] = [f"tables/ and tables.xlsx: {why}"]
    try:
        atomic_write_text(out / "index.html", index_html(
            tables, pack_jobs, lang=lang, currency=run_params.currency,
            changes=changes if series else None, series=series))
    except OSError as exc:
        errors.append(exc)
        record.setdefault("write_errors", []).append(f"index.html: {os_error_text(exc)}")
    try:
        atomic_write_text(out / "run.json", json.dumps(record, indent=2, ensure_ascii=False,
                                                       default=str))
    except OSError as exc:
        errors.append(exc)
    if not errors:
        write_archive(out, month=month, lang=lang, currency=run_params.currency,
                      title=run_params.company)
    if interrupted is not None:
        interrupted.recorded = True
        raise interrupted
    if errors:
        raise errors[0]
    return record


class _Background:
    """Run ``fn(*args, **kw)`` on a thread; :meth:`wait` returns its exception or None."""

    def __init__(self, fn, *args, **kw):
        self._error: BaseException | None = None

        def target():
            try:
                fn(*args, **kw)
            except BaseException as exc:  # noqa: BLE001 - handed to wait()
                self._error = exc

        self._thread = threading.Thread(target=target, daemon=True, name="salesnb-exports")
        self._thread.start()

    def wait(self) -> BaseException | None:
        self._thread.join()
        return self._error


def _status(stop: BaseException | None) -> str:
    """Return the run's status for run.json: complete, interrupted or terminated."""
    if stop is None:
        return "complete"
    return "terminated" if isinstance(stop, Terminated) else "interrupted"


def _record_stopped(out: Path, params: dict, params_path, started: str,
                    stop: BaseException) -> None:
    """Write run.json and index.html for a run stopped before its reports were rendered.

    So that neither still describes an earlier run in the same folder; best effort (a
    write that fails here does not hide the interruption).
    """
    from ..html import page
    status = _status(stop)
    record = {"salesnb_run": 1, "status": status, "started": started,
              "params_file": str(params_path), "params": public_params(dict(params)),
              "reports": [],
              "note": f"the run was {status} before its reports were rendered"}
    text = (f"<h1>salesnb</h1><p>The run started {started} was {status} before its reports "
            "were rendered; run it again to write the pack.</p>")
    for name, content in (("run.json", json.dumps(record, indent=2, ensure_ascii=False,
                                                   default=str)),
                          ("index.html", page("salesnb", text, lang="en"))):
        try:
            atomic_write_text(out / name, content)
        except OSError:
            pass


def format_error(exc: BaseException) -> str:
    """Return a user-facing one-paragraph message for an error.

    Parameters
    ----------
    exc : BaseException
        The error.
    """
    if isinstance(exc, SalesnbError):
        return str(exc)
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()
