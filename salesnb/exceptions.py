"""The small exception hierarchy of salesnb.

Every error a user can cause (bad input data, bad parameters) is a
:class:`SalesnbError`, so scripts and the command line can catch them in one
place and print the message instead of a traceback.
"""

from __future__ import annotations

__all__ = [
    "SalesnbError",
    "DataError",
    "SchemaError",
    "ParamsError",
    "ReportError",
    "NotFittedError",
    "Terminated",
]


class SalesnbError(Exception):
    """Base class of every error salesnb raises on purpose."""


class DataError(SalesnbError):
    """Input data that cannot be analysed: names the file, column, rows and values."""

    def __init__(self, message: str, *, problems: list | None = None):
        super().__init__(message)
        self.problems = list(problems or [])


class SchemaError(DataError):
    """A table misses required columns or holds values of the wrong type."""


class ParamsError(SalesnbError):
    """A parameters file or argument is invalid (unknown key, bad month, ...)."""


class ReportError(SalesnbError):
    """A report failed to render; carries the team and the first line of the error."""


class NotFittedError(SalesnbError, ValueError):
    """A forecaster's ``predict`` was called before ``fit``."""


class Terminated(KeyboardInterrupt):
    """The run received SIGTERM (cron, systemd, ``kill``): handled like Ctrl-C, exit 143."""
