"""The company overview report (every team side by side): :class:`salesnb.views.CompanyReport`.

Kept so ``sn.overview.open_company_report`` (the company notebook's opener) keeps
resolving; nothing in the package imports it.
"""

from .report import open_company_report
from .views.company import CompanyReport

__all__ = ["CompanyReport", "open_company_report"]
