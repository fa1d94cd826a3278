"""Write files atomically: a temporary file in the same folder, fsync, then ``os.replace``.

The one atomic writer of the package (reports, run records, caches and exported tables):
a reader never sees a half-written file, and a failed write leaves the old file in place.
It sits at the bottom of the package and imports nothing from it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "atomic_write_bytes", "atomic_write_text"]


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success fsync it and move it onto ``path``.

    The caller writes the temporary file in any way (``DataFrame.to_csv``, ``open``...).
    The file gets the permissions of a newly created file (``0666`` less the umask: reports
    are for others to read). On an exception the temporary file is removed and ``path`` is
    left as it was.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; its folder is created when missing.

    Yields
    ------
    Path
        The temporary file to write, in the same folder as ``path``.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> with atomic_path(d / "a.txt") as tmp:
    ...     _ = tmp.write_text("hello")
    >>> (d / "a.txt").read_text(), sorted(p.name for p in d.iterdir())
    ('hello', ['a.txt'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_path`).

    Parameters
    ----------
    path : str or os.PathLike
        The file to write.
    data : bytes
        Its new content.

    Returns
    -------
    Path
        ``path``.
    """
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def atomic_write_text(path: str | os.PathLike, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_path`).

    Parameters
    ----------
    path : str or os.PathLike
        The file to write.
    text : str
        Its new content.
    encoding : str, default "utf-8"
        The text encoding.

    Returns
    -------
    Path
        ``path``.
    """
    return atomic_write_bytes(path, text.encode(encoding))
