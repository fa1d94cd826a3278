"""Funnel, win rate, pipeline coverage, CAC, CLTV and satisfaction, shown and worded.

The presentation twin of :mod:`salesnb.kpi`: every figure comes from
:func:`salesnb.kpi.funnel`, :func:`~salesnb.kpi.win_rate`,
:func:`~salesnb.kpi.pipeline_coverage`, :func:`~salesnb.kpi.cac`,
:func:`~salesnb.kpi.cltv` and :func:`~salesnb.kpi.satisfaction_trend`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import calendar as cal
from .. import fmt, plots
from .. import kpi as k
from ..checks import left_out
from ..html import Block
from .words import terms

__all__ = ["KpiView"]


class KpiView:
    """The team's key performance indicators."""

    def _left_out(self, table: str) -> str:
        """Return the sentence for an optional table the run left out for its errors ("" if not)."""
        if not left_out(self.t, table):
            return ""
        what = {"opportunities": ("Opportunity data", "商机数据"), "spend": ("Spend data", "费用数据"),
                "satisfaction": ("Satisfaction data", "满意度数据")}[table]
        return (f"{what[0]} left out of this run: the file has values it cannot use (see "
                "the data-quality section)." if self.lang != "zh" else
                f"{what[1]}含有无法使用的值，本次未使用（见数据质量部分）。")

    def kpis(self) -> Block:
        """Return the unit's (team's or company's) funnel chart and table and its KPIs this fiscal year.

        Returns
        -------
        Block
            The funnel (with opportunity data) and one sentence per KPI, each saying when its data is missing.
        """
        o = self.t.get("opportunities")
        parts, notes = [], []
        zh = self.lang == "zh"
        fy = cal.fiscal_year_months(cal.fiscal_year(self.month, self.fys), self.fys)
        start, end = fy[0].start_time, cal.to_month(self.month).end_time
        team = None if self.level == "company" else self.unit
        if o is not None and len(o):
            o = o if team is None else o[o["team"] == team]
            fn = k.funnel(o, start=start, end=end,
                          stages=self.meta.get("stages") or k.DEFAULT_STAGES)
            wr = k.win_rate(o, start=start, end=end)
            r = self.prow(self.level, self.unit)
            gap = (r["annual_target"] - r["ytd_actual"]) if r is not None else np.nan
            cov = k.pipeline_coverage(o, as_of=self.meta["as_of"], period_end=fy[-1].end_time,
                                      remaining_gap=gap)
            fn = fn.assign(stage=terms(fn["stage"], self.lang))
            ax = plots.funnel_chart(fn, lang=self.lang)
            parts.append(plots.figure_svg(ax.figure))
            parts.append(self.table(fn, {"count": "int", "value": "money", "conversion": "pct"}))
            notes.append((f"Win rate this year {fmt.pct(wr)}; open pipeline expected to close "
                           f"by year end {self.money(cov['open_value'])} covers "
                           f"{fmt.pct(cov['coverage'])} of the remaining gap.") if not zh else
                          f"今年成单率{fmt.pct(wr)}；预计年内成交的在途商机{self.money(cov['open_value'])}，"
                          f"覆盖剩余缺口的{fmt.pct(cov['coverage'])}。")
        else:
            notes.append(self._left_out("opportunities") or (
                "No opportunity data: funnel, win rate and pipeline coverage are not "
                "shown." if not zh else "没有商机数据：不显示漏斗、成单率和管道覆盖率。"))
        sp = self.t.get("spend")
        if sp is not None and len(sp):
            c = k.cac_to_date(self.t["cube"], sp, month=self.month, fiscal_year_start=self.fys,
                              team=team)
            if len(c):
                newc = int(c["new_customers"].iloc[0])
                notes.append((f"CAC this year: {self.money(c['cac'].iloc[0])} "
                              f"({self.money(c['spend'].iloc[0])} spend / {newc} new customers).")
                             if not zh else
                             f"今年客户获取成本{self.money(c['cac'].iloc[0])}（投入{self.money(c['spend'].iloc[0])}"
                             f" / 新客户{newc}个）。")
        else:
            notes.append(self._left_out("spend") or (
                "No spend data: CAC is not shown." if not zh else "没有费用数据：不显示客户获取成本。"))
        s = self.t.get("customer_sales")
        if s is not None and len(s):
            cl = k.cltv(s, as_of=self.meta["as_of"], gross_margin=self.gross_margin,
                        max_lifetime_years=10)
            notes.append((f"CLTV {self.money(cl['cltv'])} = {self.money(cl['revenue_per_customer_per_year'])} "
                           f"revenue per customer per year × {fmt.pct(cl['gross_margin'], digits=0)} margin × "
                           f"{cl['lifetime_years']:.1f} years (annual churn {fmt.pct(cl['churn_rate'])}).")
                          if not zh else
                          f"客户生命周期价值{self.money(cl['cltv'])} = 每客户年收入{self.money(cl['revenue_per_customer_per_year'])}"
                          f" × 毛利率{fmt.pct(cl['gross_margin'], digits=0)} × {cl['lifetime_years']:.1f}年"
                          f"（年流失率{fmt.pct(cl['churn_rate'])}）。")
        sat = self.t.get("satisfaction")
        if sat is not None and len(sat):
            tr = k.satisfaction_trend(sat, month=self.month, level=self.level)
            tr = tr[tr["unit"] == self.unit]
            if len(tr):
                r = tr.iloc[0]
                change = (None if pd.isna(r["change"]) else
                          f"{'+' if r['change'] >= 0 else ''}{r['change']:.2f}")
                if zh:
                    notes.append(f"本月客户满意度{r['score']:.2f} / 5"
                                 + (f"（较上月{change}）。" if change else "。"))
                else:
                    notes.append(f"Customer satisfaction {r['score']:.2f} / 5 this month"
                                 + (f" ({change} on last month)." if change else "."))
        else:
            notes.append(self._left_out("satisfaction") or (
                "No satisfaction data." if not zh else "没有满意度数据。"))
        return Block("".join(parts), " ".join(notes))
