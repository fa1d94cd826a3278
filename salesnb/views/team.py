"""The team report (monthly and weekly): one team's blocks, composed from the view mixins.

:class:`TeamReport` reads one team's slice of a run (:func:`salesnb.report.team_slice`),
so it cannot show another team's reps. Every block a team notebook calls is a method of
one of the classes it is made of; the weekly variant's own blocks are in
:class:`WeeklyView`.
"""

from __future__ import annotations

import pandas as pd

from .. import compare as c
from .. import fmt
from ..html import Block
from ..html import text as html_text
from .alerts import AlertsView
from .base import ReportBase
from .compare import CompareView
from .drilldown import DrilldownView
from .forecast import ForecastView
from .kpi import KpiView
from .links import links_html, nav_html
from .progress import ProgressView
from .words import month_name

__all__ = ["TeamReport", "WeeklyView"]


class WeeklyView:
    """Blocks of the weekly variant (销售周报): this week against last week, idle reps."""

    def week_title(self) -> Block:
        """Return the weekly report's title: team, as-of date, last sale.

        Returns
        -------
        Block
            The title.
        """
        wk = "Weekly report" if self.lang != "zh" else "销售周报"
        body = (f"<h1>{html_text(self.team)} · {html_text(wk)} · {html_text(self.meta['as_of'])}</h1>"
                f'<p class="sub">{html_text(self.L("last_sale"))}: '
                f'{html_text(self.meta["last_sale_date"])}</p>')
        return Block(body)

    def week_over_week(self) -> Block:
        """Return this week to date against the same days last week, by rep and team.

        Returns
        -------
        Block
            The table (the team last) and one sentence; a note when there were no sales in five weeks.
        """
        s = self.t["sales"]
        reps = c.week_to_date(s, as_of=self.meta["as_of"], level="rep")
        team = c.week_to_date(s, as_of=self.meta["as_of"], level="team")
        team = team[team["unit"] == self.team]
        if not len(team):
            return Block("", "No sales in the last five weeks." if self.lang != "zh"
                         else "最近五周没有销售。")
        tr = team.iloc[0]
        shown = pd.concat([reps, team], ignore_index=True)[["unit", "this_week", "last_week",
                                                            "wow"]]
        labels = ({"unit": self.L("rep"), "this_week": "This week to date",
                   "last_week": "Same days last week", "wow": "Change"} if self.lang != "zh"
                  else {"unit": self.L("rep"), "this_week": "本周至今", "last_week": "上周同期",
                        "wow": "周环比"})
        start = pd.Timestamp(tr["week_start"]).date()
        sent = (f"Since {start} the team sold {self.money(tr['this_week'])}, "
                f"{fmt.pct(tr['wow'])} against the same days last week."
                if self.lang != "zh" else
                f"自{start}起团队销售{self.money(tr['this_week'])}，较上周同期{fmt.pct(tr['wow'])}。")
        body = self.table(shown, {"this_week": "money", "last_week": "money", "wow": "growth"},
                          labels=labels, highlight_last=True)
        return Block(body, sent, title="This week" if self.lang != "zh" else "本周")

    def idle_reps(self) -> Block:
        """Return the reps with no sale yet this week.

        Returns
        -------
        Block
            One sentence naming them (or saying every rep sold).
        """
        reps = c.week_to_date(self.t["sales"], as_of=self.meta["as_of"], level="rep")
        idle = reps[reps["this_week"] <= 0]["unit"].tolist()
        if not idle:
            return Block("", "Every rep has sold this week." if self.lang != "zh"
                         else "本周每位销售代表都有成交。")
        return Block("", (f"No sales yet this week: {', '.join(idle)}." if self.lang != "zh"
                          else f"本周尚无成交：{'、'.join(idle)}。"),
                     title="Reps with no sales this week" if self.lang != "zh"
                     else "本周无成交的销售代表")


class TeamReport(ProgressView, CompareView, DrilldownView, KpiView, ForecastView, AlertsView,
                 WeeklyView, ReportBase):
    """The blocks of one team's monthly (and weekly) report, from that team's slice only.

    Parameters
    ----------
    tables : dict
        One team's slice of a prepared run (:func:`salesnb.report.team_slice`).
    team : str
        The team.
    **kw
        ``lang``, ``currency``, ``company`` of :class:`~salesnb.views.base.ReportBase`.
    """

    level = "team"

    def __init__(self, tables: dict, team: str, **kw):
        super().__init__(tables, **kw)
        self.team = team

    @property
    def unit(self) -> str:
        """The team's name (the unit of the headline, months, run rate and forecast)."""
        return self.team

    def title(self) -> Block:
        """Return the report's title: team, month, last sale date and as-of date.

        Returns
        -------
        Block
            The title.
        """
        m = month_name(self.month, self.lang)
        body = (f"<h1>{html_text(self.team)} · {html_text(self.L('team_report'))} · {html_text(m)}</h1>"
                f'<p class="sub">{html_text(self.L("last_sale"))}: {html_text(self.meta["last_sale_date"])}'
                f' · {html_text(self.L("as_of"))} {html_text(self.meta["as_of"])}</p>'
                + nav_html(self.meta, self.lang, company=self.company))
        return Block(body)

    def scorecard_links(self) -> Block:
        """Return links to the team's reps' scorecards (those the run wrote; none otherwise).

        Returns
        -------
        Block
            One line of links, by name; empty when the pack has no scorecards.
        """
        reps = (self.meta.get("pages") or {}).get("reps") or {}
        return Block(links_html(dict(sorted(reps.items())),
                                "Scorecards" if self.lang != "zh" else "个人业绩卡"))

    def quality(self) -> Block:
        """Return the run's data-quality findings, counts only (details may name other teams).

        Returns
        -------
        Block
            The findings and one sentence.
        """
        return self.data_quality(detail=False)
