"""Where the sales are aggregated: moved to :mod:`salesnb.load.engines` (this name keeps working).

Package modules import from :mod:`salesnb.load` instead (a test checks that none imports
this module).
"""

from __future__ import annotations

from .load.crosscheck import rep_not_in_org
from .load.engines import ENGINES, SCAN_MIN_CSV_BYTES, SCAN_MIN_ROWS, choose, scan_sales

__all__ = ["ENGINES", "SCAN_MIN_ROWS", "SCAN_MIN_CSV_BYTES", "choose", "scan_sales",
           "rep_not_in_org"]
