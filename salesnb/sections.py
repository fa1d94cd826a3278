"""Old home of the report blocks; they are the methods of :mod:`salesnb.views` classes now.

Kept so the names documented before keep resolving; nothing in the package imports it.
"""

from .views.alerts import alert_rows
from .views.base import ReportBase
from .views.forecast import note_text as _note_text
from .views.team import TeamReport
from .views.words import SENTENCES, say

__all__ = ["ReportBase", "TeamReport", "say", "alert_rows", "SENTENCES", "_note_text"]
