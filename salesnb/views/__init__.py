"""Report views: the blocks a notebook shows, as methods of plain classes.

A view module is the presentation twin of an analysis module (``views/progress.py`` of
``progress``, ``views/compare.py`` of ``compare``, ...): it selects, formats, words and
draws; the numbers come from the analysis module, one hop away. :class:`TeamReport` and
:class:`CompanyReport` are composed of these mixins over :class:`ReportBase`.
"""

from .base import ReportBase
from .company import CompanyReport
from .team import TeamReport
from .words import say

__all__ = ["ReportBase", "TeamReport", "CompanyReport", "say"]
