"""PDF copies of a pack's reports, printed by headless Chromium with the reports' print CSS.

Chromium (Debian's ``chromium`` package; ``SALESNB_CHROMIUM`` names another binary) is the
engine: it is the browser the readers open the pages in, so the PDF is the page as they see
it printed (the ``@media print`` rules of :data:`salesnb.html.PAGE_CSS`, inline SVG charts,
CJK fonts through fontconfig), and the project's browser test already installs it. Where it is
missing, :func:`write_pdfs` says how to install it and the HTML pack stays as written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..exceptions import SalesnbError

__all__ = ["INSTALL_HINT", "find_chromium", "html_to_pdf", "write_pdfs"]

INSTALL_HINT = ("PDF needs headless Chromium: install Debian's `apt-get install chromium "
                "fonts-noto-cjk` (or set SALESNB_CHROMIUM to a Chromium binary); the HTML "
                "reports are written either way")


def find_chromium() -> str | None:
    """Return the Chromium binary to print with, or None when there is none."""
    override = os.environ.get("SALESNB_CHROMIUM")
    if override:
        return shutil.which(override)
    return shutil.which("chromium") or shutil.which("chromium-browser")


def html_to_pdf(src: Path, dest: Path, *, exe: str, timeout: float = 120) -> Path:
    """Print one self-contained HTML page to ``dest`` (written atomically); return ``dest``.

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
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update",
               f"--user-data-dir={tmp}/profile", "--no-pdf-header-footer",
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
        tmp_dest = dest.with_name(f".{dest.name}.tmp")
        shutil.move(str(out), tmp_dest)
        os.replace(tmp_dest, dest)
    return dest


def write_pdfs(out_dir: Path, files: Iterable[str], *, say=print) -> list[Path]:
    """Write ``<report>.pdf`` beside each HTML report of ``files``; return the PDFs written.

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
    for name in files:
        src = Path(out_dir) / name
        try:
            done.append(html_to_pdf(src, src.with_suffix(".pdf"), exe=exe))
        except SalesnbError as exc:
            say(f"PDF failed: {exc}")
    say(f"{len(done)} PDF(s) written beside the HTML reports")
    return done
