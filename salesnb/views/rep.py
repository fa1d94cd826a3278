"""A rep's scorecard: one salesperson's month and year, composed from the view mixins.

:class:`RepScorecard` reads one rep's slice of a run (:func:`salesnb.cache.rep_slice`):
the rep's own rows and their team's and the company's aggregates only, so the page cannot
name another rep or show their figures. Standing among peers is said as ranks and the
team's average (:func:`salesnb.peers.peer_standing`), customers come from
:func:`salesnb.peers.rep_customers`, the pipeline from :mod:`salesnb.kpi`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import calendar as cal
from .. import fmt
from .. import kpi as k
from ..html import Block
from ..html import text as html_text
from ..peers import rep_customers
from .alerts import AlertsView
from .base import ReportBase
from .forecast import ForecastView
from .links import nav_html
from .progress import ProgressView
from .words import month_name, term

__all__ = ["RepScorecard", "standing_sentence", "ordinal"]



def ordinal(n: int) -> str:
    """Return an English ordinal: 1st, 2nd, 3rd, 4th, 11th, 21st.

    Parameters
    ----------
    n : int
        A rank (1 or more).

    Examples
    --------
    >>> [ordinal(i) for i in (1, 2, 3, 4, 11, 12, 13, 21, 102)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '102nd']
    """
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}" + {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def standing_sentence(standing: dict | None, lang: str) -> str:
    """Word a rep's standing among their peers, naming no one: '3rd of 7 in East; ...'.

    Parameters
    ----------
    standing : dict or None
        :func:`salesnb.peers.peer_standing`'s result.
    lang : str
        ``"en"`` or ``"zh"``.

    Returns
    -------
    str
        Month and year-to-date rank and the team's average attainment.

    Examples
    --------
    >>> s = {"team": "East", "of": 7, "rank": 3, "attainment": 1.02, "average": 0.965,
    ...      "ytd_rank": 2, "ytd_attainment": 1.1, "ytd_average": 0.98}
    >>> standing_sentence(s, "en")
    "This month: 3rd of 7 in East; the team's average is 96.5 %. Year to date: 2nd of 7; the team's average is 98.0 %."
    >>> standing_sentence(s, "zh")
    '本月：在East的7名销售代表中排第3名，团队平均达成率96.5 %。当年累积：排第2名，团队平均98.0 %。'
    """
    if not standing:
        return ("No standing: there is no target to compare against." if lang != "zh"
                else "没有目标，无法排名。")
    s = standing
    if lang == "zh":
        return (f"本月：在{s['team']}的{s['of']}名销售代表中排第{s['rank']}名，团队平均达成率"
                f"{fmt.pct(s['average'])}。当年累积：排第{s['ytd_rank']}名，团队平均"
                f"{fmt.pct(s['ytd_average'])}。")
    return (f"This month: {ordinal(s['rank'])} of {s['of']} in {s['team']}; the team's average "
            f"is {fmt.pct(s['average'])}. Year to date: {ordinal(s['ytd_rank'])} of {s['of']}; "
            f"the team's average is {fmt.pct(s['ytd_average'])}.")


class RepScorecard(ProgressView, ForecastView, AlertsView, ReportBase):
    """The blocks of one rep's scorecard, from that rep's slice only.

    Parameters
    ----------
    tables : dict
        One rep's slice of a prepared run (:func:`salesnb.cache.rep_slice`).
    rep : str
        The rep.
    **kw
        ``lang``, ``currency``, ``company`` of :class:`~salesnb.views.base.ReportBase`.
    """

    level = "rep"

    def __init__(self, tables: dict, rep: str, **kw):
        super().__init__(tables, **kw)
        self.rep = rep
        self.team = str(self.meta.get("team", ""))

    @property
    def unit(self) -> str:
        """The rep's name (the unit of the headline, months, run rate and forecast)."""
        return self.rep

    def title(self) -> Block:
        """Return the scorecard's title: rep, team, month, last sale date, links up.

        Returns
        -------
        Block
            The title and the links to the team's report, the company overview and the index.
        """
        m = month_name(self.month, self.lang)
        card = "Scorecard" if self.lang != "zh" else "个人业绩卡"
        body = (f"<h1>{html_text(self.rep)} · {html_text(card)} · {html_text(m)}</h1>"
                f'<p class="sub">{html_text(self.L("team"))}: {html_text(self.team)} · '
                f'{html_text(self.L("last_sale"))}: {html_text(self.meta["last_sale_date"])}'
                f' · {html_text(self.L("as_of"))} {html_text(self.meta["as_of"])}</p>'
                + nav_html(self.meta, self.lang, team=self.team, company=self.company))
        return Block(body)

    def standing(self) -> Block:
        """Return where the rep ranks in the team, month and year to date, naming no one else.

        Returns
        -------
        Block
            One sentence.
        """
        return Block("", standing_sentence(self.meta.get("standing"), self.lang),
                     title="Standing in the team" if self.lang != "zh" else "团队内排名")

    def _tier(self) -> str | None:
        ti = self.t["tiers"]
        return None if ti is None or not len(ti) else str(ti["tier"].iloc[0])

    def coaching(self) -> Block:
        """Return the rep's tier and one or two sentences of recognition or coaching.

        Worded from the rep's tier (year-to-date attainment), pace against the plan, the
        required run rate and the forecast's chance of reaching the annual target.

        Returns
        -------
        Block
            The sentences; empty without a progress row.
        """
        r = self.prow("rep", self.rep)
        if r is None:
            return Block()
        zh = self.lang == "zh"
        tier = self._tier()
        p = self._projection_row("rep", self.rep)
        prob = p["probability"] if p is not None else np.nan
        ahead = not pd.isna(r["pace"]) and r["pace"] >= 0
        done = not pd.isna(r["annual_target"]) and r["ytd_actual"] >= r["annual_target"]
        pts = (fmt.DASH if pd.isna(r["pace"]) else
               f"{abs(r['pace']) * 100:.1f}" + ("个百分点" if zh else " points"))
        tier_txt = term(tier, self.lang) if tier else None
        first = ""
        if tier_txt:
            first = (f"当年累积达成率{fmt.pct(r['ytd_attainment'])}，等级：{tier_txt}。" if zh else
                     f"{fmt.pct(r['ytd_attainment'])} of the year-to-date target: "
                     f"{tier_txt} tier.")
        if pd.isna(r["annual_target"]):
            second = ("你今年没有目标；本年销售" + self.money(r["ytd_actual"]) + "。" if zh else
                      f"You have no target this year; your sales so far are "
                      f"{self.money(r['ytd_actual'])}.")
        elif done:
            second = ("恭喜：年度目标已经完成，超出" + self.money(r["ytd_actual"] - r["annual_target"])
                      + "。" if zh else
                      f"Well done: the year's target is reached, "
                      f"{self.money(r['ytd_actual'] - r['annual_target'])} over it.")
        elif ahead:
            second = (f"做得好：领先计划进度{pts}；剩余{int(r['months_remaining'])}个月每月"
                      f"{self.money(r['required_run_rate'])}即可完成全年目标。" if zh else
                      f"Well done: you are {pts} ahead of the plan; "
                      f"{self.money(r['required_run_rate'])} a month for the remaining "
                      f"{int(r['months_remaining'])} months completes the year.")
        else:
            chance = (f"，预测达成全年目标的概率为{fmt.pct(prob, digits=0)}" if zh else
                      f"; the forecast gives you a {fmt.pct(prob, digits=0)} chance of "
                      f"reaching the year's target") if not pd.isna(prob) else ""
            second = (f"落后计划进度{pts}：剩余{int(r['months_remaining'])}个月每月需要"
                      f"{self.money(r['required_run_rate'])}（本月为{self.money(r['actual'])}）"
                      f"{chance}。请与经理一起梳理最大的客户和在途商机。" if zh else
                      f"You are {pts} behind the plan: each of the remaining "
                      f"{int(r['months_remaining'])} months needs "
                      f"{self.money(r['required_run_rate'])} (this month: "
                      f"{self.money(r['actual'])}){chance}. Go through your largest customers "
                      f"and open opportunities with your manager.")
        title = "Recognition and coaching" if not zh else "表彰与辅导"
        return Block("", (first + " " + second).strip() if not zh else first + second, title=title)

    def customers(self, n: int = 5) -> Block:
        """Return the rep's largest customers this year and those won or lost since last year.

        Parameters
        ----------
        n : int
            Customers of each kind at most.

        Returns
        -------
        Block
            The table and one sentence; empty without customer ids.
        """
        s = self.t.get("customer_sales")
        if s is None or not len(s):
            return Block()
        cu = rep_customers(s, self.rep, month=self.month, fiscal_year_start=self.fys, n=n)
        if not len(cu):
            return Block()
        zh = self.lang == "zh"
        kinds = ({"largest": "最大客户", "new": "新客户", "lost": "流失客户"} if zh else
                 {"largest": "Largest", "new": "New this year", "lost": "Lost since last year"})
        cnt = cu["kind"].value_counts()
        sent = (f"今年最大的客户是{cu['customer_id'].iloc[0]}；新增{int(cnt.get('new', 0))}个、"
                f"流失{int(cnt.get('lost', 0))}个客户（与去年同期相比，列出至多{n}个）。" if zh else
                f"Your largest customer this year is {cu['customer_id'].iloc[0]}; "
                f"{int(cnt.get('new', 0))} new and {int(cnt.get('lost', 0))} lost against the "
                f"same months last year (at most {n} of each shown).")
        shown = cu.assign(kind=cu["kind"].map(kinds))
        body = self.table(shown, {"actual": "money", "last_year": "money", "change": "money"},
                          labels={"kind": "" if not zh else "类别", "customer_id": self.L("customer"),
                                  "last_year": self.L("last_year")})
        return Block(body, sent, title="Your customers" if not zh else "客户")

    def pipeline(self) -> Block:
        """Return the rep's win rate this year and open pipeline against the remaining gap.

        Returns
        -------
        Block
            One sentence; a note when the data has no opportunities for the rep.
        """
        o = self.t.get("opportunities")
        zh = self.lang == "zh"
        title = "Pipeline" if not zh else "商机"
        if o is None or not len(o):
            return Block("", "No opportunity data for you: win rate and pipeline are not shown."
                         if not zh else "没有你的商机数据：不显示成单率和在途商机。", title=title)
        fy = cal.fiscal_year_months(cal.fiscal_year(self.month, self.fys), self.fys)
        wr = k.win_rate(o, start=fy[0].start_time, end=cal.to_month(self.month).end_time)
        r = self.prow("rep", self.rep)
        gap = (r["annual_target"] - r["ytd_actual"]) if r is not None else np.nan
        cov = k.pipeline_coverage(o, as_of=self.meta["as_of"], period_end=fy[-1].end_time,
                                  remaining_gap=gap)
        sent = (f"今年成单率{fmt.pct(wr)}；预计年内成交的在途商机{self.money(cov['open_value'])}，"
                f"覆盖剩余缺口的{fmt.pct(cov['coverage'])}。" if zh else
                f"Win rate this year {fmt.pct(wr)}; open opportunities expected to close by year "
                f"end {self.money(cov['open_value'])}, covering {fmt.pct(cov['coverage'])} of "
                f"your remaining gap.")
        return Block("", sent, title=title)
