"""The keys a params file may hold, with their defaults (light: no heavy imports).

The report notebooks' parameters cells declare the same keys; ``salesnb params`` lists
them with their help.
"""

from __future__ import annotations

__all__ = ["PARAM_DEFAULTS"]

#: every key a params file may hold (the notebooks' parameters cells declare the same)
PARAM_DEFAULTS: dict = {
    "month": "", "as_of": "", "period": "month", "team": "", "sales": "", "targets": "",
    "org": "", "opportunities": "", "spend": "", "satisfaction": "", "columns": {},
    "fiscal_year_start": 1, "lang": "en", "currency": "$", "company": "Company",
    "target_split": "equal", "targets_rule": {}, "thresholds": {}, "tiers": {},
    "gross_margin": 0.3, "working_days": False, "holidays": [], "cache": "",
}
