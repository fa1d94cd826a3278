"""What keeps a run safe in its environment: SIGTERM, the out folder and the run lock.

``handle_sigterm`` turns SIGTERM into :class:`~salesnb.exceptions.Terminated` (a
``KeyboardInterrupt``), so a terminated run ends like an interrupted one: reports already
written are whole, ``run.json`` says so, the kernels are shut down. ``check_out`` refuses an
out folder that cannot hold a pack (a file, ``/``, an input data folder, unwritable), with
a message naming it. ``RunLock`` keeps two runs from writing into one folder at once.
"""

from __future__ import annotations

import errno
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..exceptions import ParamsError, Terminated

__all__ = ["LOCK_NAME", "RunLock", "check_out", "handle_sigterm", "os_error_text"]

LOCK_NAME = ".salesnb.lock"


@contextmanager
def handle_sigterm() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` in the main thread.

    Outside the main thread (where Python cannot install handlers) it does nothing.

    Yields
    ------
    None
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_term(signum, frame):
        raise Terminated("the run received SIGTERM")

    old = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def os_error_text(exc: OSError) -> str:
    """Return ``'<path>: <reason>'`` for an OS error (the reason in words, no traceback).

    Parameters
    ----------
    exc : OSError
        The error.

    Returns
    -------
    str
    """
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno == errno.ENOSPC:
        reason = "no space left on the device"
    where = exc.filename if exc.filename is not None else ""
    return f"{where}: {reason}" if where else reason


def check_out(out: str | os.PathLike, *, inputs: list[str] | None = None) -> Path:
    """Check that ``out`` can hold a pack and create it; raise ParamsError naming it if not.

    Parameters
    ----------
    out : str or os.PathLike
        The pack folder (``--out`` or the ``out`` key).
    inputs : list of str, optional
        The input data files; ``out`` may not be, or lie inside, a folder holding one.

    Returns
    -------
    Path
        ``out``, created when missing and known to be writable.

    Raises
    ------
    ParamsError
        For an empty value, ``/``, a file, an input data folder, or a folder that cannot be
        created or written (read-only, no permission, full).
    """
    text = str(out)
    if not text.strip():
        raise ParamsError("the out folder is empty (--out ''); give a folder such as "
                          "reports/{month}")
    path = Path(text)
    resolved = path.resolve()
    if resolved == Path(resolved.anchor):
        raise ParamsError(f"the out folder '{text}' is the root of the file system; give a "
                          "folder of its own such as reports/{month}")
    if path.exists() and not path.is_dir():
        raise ParamsError(f"the out folder '{text}' is a file, not a folder; give a folder "
                          "such as reports/{month}")
    for f in inputs or []:
        folder = Path(f).resolve().parent
        if resolved == folder or folder in resolved.parents:
            raise ParamsError(f"the out folder '{text}' is inside the input data folder "
                              f"'{folder}' (it holds {Path(f).name}); write the pack elsewhere")
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=path, prefix=".salesnb-probe-")
        try:
            os.write(fd, b"x")
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as exc:
        raise ParamsError(f"cannot write the out folder '{text}': "
                          f"{os_error_text(exc).split(': ')[-1]}") from None
    return path


class RunLock:
    """An exclusive lock on an out folder (``<out>/.salesnb.lock``, fcntl ``flock``).

    The lock file holds the pid of the run that holds it. A second run into the same folder
    raises ParamsError naming the folder and that pid. The operating system releases the
    lock of a process that died, so a stale lock file is simply taken over.

    Parameters
    ----------
    out : str or os.PathLike
        The pack folder (it exists).
    """

    def __init__(self, out: str | os.PathLike):
        self.out = Path(out)
        self.path = self.out / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        """Take the lock or raise ParamsError (another run holds it).

        Returns
        -------
        RunLock
            ``self``.
        """
        import fcntl
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                try:
                    pid = os.read(fd, 64).decode(errors="replace").strip() or "unknown"
                finally:
                    os.close(fd)
                raise ParamsError(f"another salesnb run (pid {pid}) is writing into "
                                  f"'{self.out}'; wait for it to finish or choose another "
                                  "--out") from None
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)  # the file was replaced while we waited: lock the new one
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        """Remove the lock file and release the lock."""
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            pass
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> RunLock:
        """Take the lock (see :meth:`acquire`)."""
        return self.acquire()

    def __exit__(self, *exc) -> None:
        """Release the lock."""
        self.release()
