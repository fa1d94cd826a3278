"""Warm Jupyter kernels for the report pack: one per worker, reset between reports.

The reset and every code cell of a report go to the kernel at once; each cell's outputs are
recorded as nbformat outputs, and the first error stops the report (:class:`CellError`).
"""

from __future__ import annotations

import os
import queue
import shutil
import tempfile
import threading
import time
from pathlib import Path

#: environment variables that set the BLAS / OpenMP thread count of a new process
BLAS_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

__all__ = ["KernelPool", "CellError"]


class CellError(RuntimeError):
    """A report notebook's cell raised: carries the exception's name, value and cell index."""

    def __init__(self, ename: str, evalue: str, index: int):
        super().__init__(f"{ename}: {evalue} (cell {index})")
        self.ename, self.evalue, self.index = ename, evalue, index


class KernelPool:
    """Warm Jupyter kernels, one per worker, reused across reports and reset between them."""

    # after the reset and a collection, what is left (modules, their caches) is frozen out of
    # the collector: the resets and IPython's own collections then walk only the last
    # report's objects, not every imported module's (about 0.25 s per report otherwise)
    RESET = ("%reset -f\nimport gc as _gc, matplotlib.pyplot as _plt\n_plt.close('all')\n"
             "_gc.collect()\n_gc.freeze()\ndel _gc, _plt\n")

    # what every report imports (the reset keeps modules): imported while the data loads,
    # not in the first report on each kernel
    # (the forecaster's statsmodels and the cache's filtered Parquet reads import lazily: a
    # second of the first report on each kernel)
    WARM = ("import salesnb.report, salesnb.sections, salesnb.overview, salesnb.plots, "
            "salesnb.forecast, pyarrow.parquet, matplotlib.pyplot, "
            "statsmodels.tsa.holtwinters, pyarrow.dataset, pyarrow.pandas_compat\n"
            "import gc as _gc\n_gc.collect()\n_gc.freeze()\ndel _gc")

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
        if self.workers > 1:   # one kernel per core: no BLAS threads competing for it
            for k in BLAS_THREAD_VARS:
                env.setdefault(k, "1")
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

        Parameters
        ----------
        nb : NotebookNode
            The parameterised notebook; its code cells get their outputs.
        timeout : int
            Seconds the whole notebook may take.
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
        """Stop every kernel of the pool (waiting for any still starting)."""
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
    """Tell whether the kernel answered request ``index`` (of ``pos``) with 'aborted'."""
    return any(pos.get(r["parent_header"].get("msg_id")) == index
               and r["content"].get("status") == "aborted" for r in _drain(kc))
