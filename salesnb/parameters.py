"""The keys a params file may hold, with their defaults: a re-export of :mod:`salesnb.params`.

Kept for code that imports ``salesnb.parameters.PARAM_DEFAULTS``; the keys are declared once,
in :data:`salesnb.params.SPEC`.
"""

from __future__ import annotations

from .params import PARAM_DEFAULTS

__all__ = ["PARAM_DEFAULTS"]
