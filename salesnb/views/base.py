"""The base of every report view: the run slice, the report language and currency, formatting.

A report is a class composed of view mixins (see :mod:`salesnb.views.team` and
:mod:`salesnb.views.company`); each mixin's methods read the tables of ``self.t`` and the
settings kept here. :class:`ReportBase` holds what they share and computes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .. import calendar as cal
from .. import fmt, plots
from ..html import Block, table_html

__all__ = ["ReportBase"]


class ReportBase:
    """Shared state and formatting of the team and company reports.

    Parameters
    ----------
    tables : dict
        A prepared run (see :func:`salesnb.report.prepare`), or one team's slice of it
        (:func:`salesnb.report.team_slice`); ``tables["meta"]`` holds month, as_of,
        fiscal_year_start and last_sale_date.
    lang : str
        Report language, ``"en"`` or ``"zh"``.
    currency : str
        Currency symbol shown before amounts.
    company : str
        The company's name in headings (``"Company"``: none given; 公司 in Chinese).

    Attributes
    ----------
    level : str
        The level of the unit the report is about (``"company"`` here; ``"team"`` in a
        team report).
    unit : str
        That unit's name in the tables (``"Company"`` for the company).
    """

    level = "company"
    unit = "Company"

    def __init__(self, tables: dict, *, lang: str = "en", currency: str = "$",
                 company: str = "Company"):
        self.t = tables
        self.meta = tables["meta"]
        self.lang = lang
        self.currency = currency
        self.company = "公司" if (lang == "zh" and company in ("", "Company")) else company
        self.gross_margin = 0.3
        self.month = self.meta["month"]
        self.fys = int(self.meta.get("fiscal_year_start", 1))
        #: the as-of date falls before the month's last day (a mid-month or weekly report)
        self.partial_month = (pd.Timestamp(self.meta["as_of"])
                              < cal.to_month(self.month).end_time.normalize())
        plots.use_report_style()

    # formatting shortcuts
    def money(self, x: float) -> str:
        """Return an amount in the report's currency and language (``$1.23M``, ``¥1.2亿``).

        Parameters
        ----------
        x : float
            The amount.

        Returns
        -------
        str
            The formatted amount.
        """
        return fmt.money(x, self.currency, lang=self.lang)

    def L(self, key: str) -> str:  # noqa: N802  (short: it is on every line of the views)
        """Return the label of ``key`` in the report language (see :func:`salesnb.fmt.label`).

        Parameters
        ----------
        key : str
            A column or word key, e.g. ``"attainment"``.

        Returns
        -------
        str
            The label.
        """
        return fmt.label(key, self.lang)

    def table(self, df: pd.DataFrame, formats: Mapping[str, str], **kw) -> str:
        """Return ``df`` as an HTML table in the report's currency and language.

        Parameters
        ----------
        df : DataFrame
            The rows to show, in order.
        formats : mapping of str to str
            Column -> money|pct|att|pts|growth|int|num|date|text (see
            :func:`salesnb.html.table_html`).
        **kw
            ``labels``, ``highlight_last``, ``max_rows`` of :func:`salesnb.html.table_html`.

        Returns
        -------
        str
            The table's HTML.
        """
        return table_html(df, formats, currency=self.currency, lang=self.lang, **kw)

    def section(self, key: str) -> Block:
        """Return an H2 section heading in the report language.

        Parameters
        ----------
        key : str
            The section's label key, e.g. ``"progress"``, ``"forecast"``.

        Returns
        -------
        Block
            A heading-only block.
        """
        return Block(title=self.L(key), level=2)

    def prow(self, level: str, unit: str, metric: str = "amount") -> pd.Series | None:
        """Return the progress row of one unit and metric, or None when there is none.

        Parameters
        ----------
        level : str
            ``"company"``, ``"team"`` or ``"rep"``.
        unit : str
            The unit's name in the tables.
        metric : str
            ``"amount"``, ``"quantity"`` or ``"new_customers"``.

        Returns
        -------
        Series or None
            The row of ``self.t["progress"]``.
        """
        p = self.t["progress"]
        r = p[(p["level"] == level) & (p["unit"] == unit) & (p["metric"] == metric)]
        return None if r.empty else r.iloc[0]

    def display_unit(self, level: str, unit: str) -> str:
        """Return a unit's name as the report says it (the company's own name for the company).

        Parameters
        ----------
        level : str
            The unit's level.
        unit : str
            The unit's name in the tables.

        Returns
        -------
        str
            The name to show.
        """
        return self.company if level == "company" else unit
