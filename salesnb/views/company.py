"""The company overview: every team side by side, composed from the view mixins.

:class:`CompanyReport` reads the full run (all teams). Every block the company notebook
calls is a method of one of the classes it is made of.
"""

from __future__ import annotations

from ..html import Block
from ..html import text as html_text
from .alerts import CompanyAlertsView
from .base import ReportBase
from .compare import CompareView
from .drilldown import DrilldownView
from .forecast import CompanyForecastView
from .hierarchy import HierarchyView
from .kpi import KpiView
from .links import links_html, nav_html
from .progress import ProgressView
from .words import month_name

__all__ = ["CompanyReport"]


class CompanyReport(ProgressView, CompareView, DrilldownView, KpiView, HierarchyView,
                    CompanyForecastView,
                    CompanyAlertsView, ReportBase):
    """The blocks of the company overview, from the full run.

    Parameters
    ----------
    tables : dict
        A prepared run (:func:`salesnb.report.prepare` or :func:`salesnb.report.read_cache`).
    **kw
        ``lang``, ``currency``, ``company`` of :class:`~salesnb.views.base.ReportBase`.
    """

    level = "company"
    unit = "Company"

    def title(self) -> Block:
        """Return the report's title: company, month, last sale date and as-of date.

        Returns
        -------
        Block
            The title.
        """
        m = month_name(self.month, self.lang)
        body = (f"<h1>{html_text(self.company)} · {html_text(self.L('company_report'))} · "
                f"{html_text(m)}</h1><p class=\"sub\">{html_text(self.L('last_sale'))}: "
                f"{html_text(self.meta['last_sale_date'])} · {html_text(self.L('as_of'))} "
                f"{html_text(self.meta['as_of'])}</p>")
        pages = self.meta.get("pages") or {}
        body += nav_html({"pages": {k: v for k, v in pages.items() if k != "company"}},
                         self.lang)  # the overview does not link to itself
        teams = pages.get("teams") or {}
        body += links_html(dict(sorted(teams.items())),
                           "Team reports" if self.lang != "zh" else "团队报告")
        return Block(body)

    def quality(self) -> Block:
        """Return the run's data-quality findings with their details.

        Returns
        -------
        Block
            The findings and one sentence.
        """
        return self.data_quality(detail=True)
