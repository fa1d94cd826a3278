"""PDF copies of a pack's reports, printed by headless Chromium with the reports' print CSS.

Chromium (Debian's ``chromium`` package; ``SALESNB_CHROMIUM`` names another binary) is the
engine: it is the browser the readers open the pages in, so the PDF is the page as they see
it printed (the ``@media print`` rules of :data:`salesnb.html.PAGE_CSS`, inline SVG charts,
CJK fonts through fontconfig), and the project's browser test already installs it. Where it is
missing, :func:`write_pdfs` says how to install it and the HTML pack stays as written.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from ..exceptions import SalesnbError

__all__ = ["INSTALL_HINT", "Browser", "find_chromium", "html_to_pdf", "write_pdfs"]

INSTALL_HINT = ("PDF needs headless Chromium: install Debian's `apt-get install chromium "
                "fonts-noto-cjk` (or set SALESNB_CHROMIUM to a Chromium binary); the HTML "
                "reports are written either way")


def find_chromium() -> str | None:
    """Return the Chromium binary to print with, or None when there is none."""
    override = os.environ.get("SALESNB_CHROMIUM")
    if override:
        return shutil.which(override)
    return shutil.which("chromium") or shutil.which("chromium-browser")


FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def html_to_pdf(src: Path, dest: Path, *, exe: str, timeout: float = 120) -> Path:
    """Print one self-contained HTML page to ``dest`` (written atomically); return ``dest``.

    Starts a Chromium of its own (``--print-to-pdf``); :func:`write_pdfs` prints many pages
    through one browser instead (:class:`Browser`).

    Parameters
    ----------
    src : Path
        The HTML page.
    dest : Path
        The PDF to write.
    exe : str
        The Chromium binary.
    timeout : float
        Seconds Chromium may take.
    """
    src, dest = Path(src).resolve(), Path(dest)
    with tempfile.TemporaryDirectory(prefix="salesnb-pdf-") as tmp:
        out = Path(tmp) / "page.pdf"
        cmd = [exe, *FLAGS, f"--user-data-dir={tmp}/profile", "--no-pdf-header-footer",
               f"--print-to-pdf={out}", src.as_uri()]
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                 check=False)
        except subprocess.TimeoutExpired:
            raise SalesnbError(f"{src.name}: Chromium did not print it within {timeout:.0f} s"
                               ) from None
        if not out.exists() or out.read_bytes()[:5] != b"%PDF-":
            tail = (run.stderr or "").strip().splitlines()[-3:]
            raise SalesnbError(f"{src.name}: Chromium wrote no PDF (exit {run.returncode}): "
                               f"{' | '.join(tail)}")
        _replace(dest, out.read_bytes())
    return dest


def _replace(dest: Path, data: bytes) -> None:
    tmp_dest = dest.with_name(f".{dest.name}.tmp")
    tmp_dest.write_bytes(data)
    os.replace(tmp_dest, dest)


class Browser:
    """One headless Chromium for many pages, driven over ``--remote-debugging-pipe``.

    The DevTools protocol runs over two pipes (the browser reads commands on its fd 3 and
    writes replies on its fd 4, NUL-separated JSON), so no port is opened and nothing
    beyond the standard library is needed. Each page is opened in a new tab, printed with
    ``Page.printToPDF`` (the page's own print CSS, backgrounds on, no header or footer) once
    its load event and web fonts are done, and the tab is closed.
    """

    def __init__(self, exe: str, *, timeout: float = 120):
        self.timeout = timeout
        self._tmp = tempfile.TemporaryDirectory(prefix="salesnb-pdf-")
        import fcntl
        cmd_r, cmd_w = os.pipe()  # we write commands, the browser reads them on its fd 3
        rep_r, rep_w = os.pipe()  # the browser writes replies on its fd 4, we read them
        # copies numbered 10 and up, so that putting them on 3 and 4 cannot clobber each other
        far = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (cmd_r, rep_w)]
        for fd in (cmd_r, rep_w):
            os.close(fd)

        def pipes_on_3_and_4():  # in the child, before exec: dup2 leaves 3 and 4 inheritable
            os.dup2(far[0], 3)
            os.dup2(far[1], 4)

        try:
            self.proc = subprocess.Popen(
                [exe, *FLAGS, "--remote-debugging-pipe",
                 f"--user-data-dir={self._tmp.name}/profile", "about:blank"],
                preexec_fn=pipes_on_3_and_4, close_fds=False, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        finally:
            for fd in far:
                os.close(fd)
        self._w = os.fdopen(cmd_w, "wb", buffering=0)
        self._r = os.fdopen(rep_r, "rb", buffering=0)
        self._buf = b""
        self._id = 0
        self._events: list[dict] = []

    def _read(self, deadline: float) -> dict:
        import select
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._r], [], [], left)[0]:
                raise SalesnbError(f"Chromium did not answer within {self.timeout:.0f} s")
            chunk = os.read(self._r.fileno(), 1 << 20)
            if not chunk:
                raise SalesnbError("Chromium closed its DevTools pipe (it exited)")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method: str, session: str | None = None, **params) -> dict:
        """Send one DevTools command; return its result (events seen meanwhile are kept).

        Parameters
        ----------
        method : str
            The DevTools method, e.g. ``Page.navigate``.
        session : str or None
            The tab's session id (None: the browser itself).
        **params
            The method's parameters.
        """
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        self._w.write(json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise SalesnbError(f"Chromium: {method} failed: "
                                       f"{reply['error'].get('message', reply['error'])}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def _wait_event(self, method: str, session: str) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            for i, e in enumerate(self._events):
                if e.get("method") == method and e.get("sessionId") == session:
                    del self._events[i]
                    return
            reply = self._read(deadline)
            if "method" in reply:
                self._events.append(reply)

    def print_pdf(self, src: Path, dest: Path) -> Path:
        """Print the HTML page ``src`` to ``dest`` (written atomically); return ``dest``.

        Parameters
        ----------
        src : Path
            The HTML page.
        dest : Path
            The PDF to write.
        """
        src, dest = Path(src).resolve(), Path(dest)
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        try:
            session = self.call("Target.attachToTarget", targetId=target,
                                flatten=True)["sessionId"]
            self.call("Page.enable", session)
            self.call("Page.navigate", session, url=src.as_uri())
            self._wait_event("Page.loadEventFired", session)
            self.call("Runtime.evaluate", session, expression="document.fonts.ready.then(() => 1)",
                      awaitPromise=True)
            pdf = self.call("Page.printToPDF", session, printBackground=True,
                            preferCSSPageSize=True, displayHeaderFooter=False)
        finally:
            self._events.clear()
            try:
                self.call("Target.closeTarget", targetId=target)
            except SalesnbError:
                pass
        data = base64.b64decode(pdf["data"])
        if data[:5] != b"%PDF-":
            raise SalesnbError(f"{src.name}: Chromium returned no PDF")
        _replace(dest, data)
        return dest

    def close(self) -> None:
        """Close the browser (and its profile folder)."""
        try:
            self.call("Browser.close")
        except (SalesnbError, OSError, ValueError):
            pass
        for f in (self._w, self._r):
            try:
                f.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._tmp.cleanup()

    def __enter__(self):
        """Return the browser (closed on leaving the ``with`` block)."""
        return self

    def __exit__(self, *exc):
        """Close the browser."""
        self.close()


def write_pdfs(out_dir: Path, files: Iterable[str], *, say=print) -> list[Path]:
    """Write ``<report>.pdf`` beside each HTML report of ``files``; return the PDFs written.

    One Chromium prints every page (:class:`Browser`). Without Chromium, say
    :data:`INSTALL_HINT` and write nothing; a page that fails to print is named and the
    others are still printed (by a fresh browser when the first one died).

    Without Chromium, say :data:`INSTALL_HINT` and write nothing; a page that fails to
    print is named and the others are still printed.

    Parameters
    ----------
    out_dir : Path
        The pack's folder.
    files : iterable of str
        The HTML reports' file names.
    say : callable
        Where messages go (default: print).
    """
    exe = find_chromium()
    if not exe:
        say(f"no PDF written: {INSTALL_HINT}")
        return []
    done = []
    browser = None
    try:
        for name in files:
            src = Path(out_dir) / name
            try:
                if browser is None or browser.proc.poll() is not None:
                    if browser is not None:
                        browser.close()
                    browser = Browser(exe)
                done.append(browser.print_pdf(src, src.with_suffix(".pdf")))
            except SalesnbError as exc:
                say(f"PDF failed: {src.name}: {exc}")
                if browser is not None:
                    browser.close()
                    browser = None
    finally:
        if browser is not None:
            browser.close()
    say(f"{len(done)} PDF(s) written beside the HTML reports")
    return done
