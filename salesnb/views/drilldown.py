"""Where the gap and the growth come from, shown and worded: attribution, contributions, customers.

The presentation twin of :mod:`salesnb.drilldown`: the gap split is the run's
``attribution`` table (:func:`salesnb.drilldown.attribution`), the year-on-year split
:func:`~salesnb.drilldown.yoy_contributions`, price/volume/mix
:func:`~salesnb.drilldown.price_volume_mix` and the customers
:func:`~salesnb.drilldown.top_customers`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import drilldown as d
from .. import fmt, plots
from ..html import Block
from .words import names, say, term, terms

__all__ = ["DrilldownView"]


class DrilldownView:
    """Blocks that split a unit's gap or change into its parts."""

    def attribution(self, span: str = "month") -> Block:
        """Return the team's gap to target split by rep (each rep's share of it).

        Parameters
        ----------
        span : str
            The span: ``"month"`` or ``"ytd"`` (the year to date).

        Returns
        -------
        Block
            The reps' targets, actuals, gaps and shares with the team's total row, and a sentence on where the shortfall comes from.
        """
        a = self.t["attribution"]
        a = a[a["span"] == span]
        if not len(a):
            return Block()
        shown = a[["child", "target", "actual", "gap", "share", "attainment"]].rename(
            columns={"child": "rep"})
        gap = float(a["gap"].sum())
        span_word = {"month": ("this month", "本月"), "ytd": ("the year to date", "当年累积")}[span]
        span_word = span_word[1] if self.lang == "zh" else span_word[0]
        if gap > 0:
            pos = a[a["gap"] > 0].sort_values("gap", ascending=False)
            top = pos.head(2)
            sentence = say("attribution", self.lang, unit=self.team, span=span_word,
                           gap=self.money(gap), top_share=fmt.pct(top["share"].sum(), digits=0),
                           top_names=names(top["child"], self.lang))
        else:
            neg = a.sort_values("gap").head(2)
            sentence = say("attribution_ok", self.lang, unit=self.team, span=span_word,
                           surplus=self.money(-gap), top_names=names(neg["child"], self.lang))
        tot = d.attribution_total(a)
        total = pd.DataFrame([{"rep": self.team, "target": tot["target"],
                               "actual": tot["actual"], "gap": tot["gap"], "share": np.nan,
                               "attainment": tot["attainment"]}])
        body = self.table(pd.concat([shown, total], ignore_index=True),
                          {"target": "money", "actual": "money", "gap": "money", "share": "pct",
                           "attainment": "att"}, highlight_last=True)
        title = f"{self.L('drilldown')}: {self.L('gap')} · {span_word}"
        return Block(body, sentence, title=title)

    def contributions(self, child: str = "rep") -> Block:
        """Return the year-to-date change on last year split by rep or category.

        Parameters
        ----------
        child : str
            ``"rep"`` or ``"category"``.

        Returns
        -------
        Block
            The contributions table and a sentence naming the largest two; empty without data.
        """
        yc = d.yoy_contributions(self.t["cube"], month=self.month, parent_level="team",
                                 parent=self.team, child=child, span="ytd",
                                 fiscal_year_start=self.fys)
        if not len(yc):
            return Block()
        yc = yc.sort_values("change", key=lambda s: s.abs(), ascending=False)
        top = yc.head(2)
        sentence = say("contrib", self.lang, change=self.money(yc["change"].sum()),
                       names=names([f"{r['child']} ({self.money(r['change'])})"
                                     for _, r in top.iterrows()], self.lang))
        lab = self.L("rep") if child == "rep" else self.L("category")
        body = self.table(yc.rename(columns={"child": lab}),
                          {"current": "money", "last_year": "money", "change": "money",
                           "contribution_pct_points": "pts"},
                          labels={"current": self.L("ytd"), "last_year": self.L("last_year"),
                                  "contribution_pct_points": "Contribution to YoY"
                                  if self.lang != "zh" else "对同比的贡献"})
        title = (f"YoY change by {lab.lower()} (year to date)" if self.lang != "zh"
                 else f"按{lab}的同比变化（当年累积）")
        return Block(body, sentence, title=title)

    def price_volume_mix(self) -> Block:
        """Return the year-to-date change split into price, volume and mix effects.

        Returns
        -------
        Block
            The effects and a sentence on the largest; a note when the data has no quantity or product.
        """
        s = self.t.get("product_sales")
        if s is None or not len(s) or not s["quantity"].abs().sum():
            return Block("", "The data has no quantity or product: no price/volume/mix split."
                         if self.lang != "zh" else "数据没有数量或产品：无法做价格/数量/结构分解。")
        cur, base = d.product_periods(s, month=self.month, span="ytd",
                                      fiscal_year_start=self.fys, team=self.team)
        pvm = d.price_volume_mix(cur, base)
        biggest = pvm.iloc[pvm["value"].abs().argmax()]
        effect = term(biggest["effect"], self.lang)
        sent = (f"Of the year-to-date change of {self.money(pvm['value'].sum())}, the largest "
                f"effect is {effect} ({self.money(biggest['value'])})."
                if self.lang != "zh" else
                f"当年累积变化{self.money(pvm['value'].sum())}中，影响最大的是{effect}"
                f"（{self.money(biggest['value'])}）。")
        shown = pvm.assign(effect=terms(pvm["effect"], self.lang))
        return Block(self.table(shown, {"value": "money"}), sent,
                     title="Price, volume and mix" if self.lang != "zh" else "价格、数量与结构")

    def rep_breakdown(self) -> Block:
        """Return each rep's year to date by product category and by customer.

        Returns
        -------
        Block
            One row per rep (largest first): sales, largest category and customer with their
            shares, customers served; and one sentence. Empty without rep sales.
        """
        b = d.rep_breakdown(self.t["cube"], self.t.get("customer_sales"), month=self.month,
                            team=self.team, span="ytd", fiscal_year_start=self.fys)
        if not len(b):
            return Block()
        zh = self.lang == "zh"
        top = b.iloc[0]
        sent = (f"{top['rep']} sells the most this year ({self.money(top['actual'])}), "
                f"{fmt.pct(top['top_category_share'])} of it in {top['top_category']}."
                if not zh else
                f"{top['rep']}今年销售额最高（{self.money(top['actual'])}），其中"
                f"{fmt.pct(top['top_category_share'])}来自{top['top_category']}。")
        labels = ({"top_category": "Largest category", "top_category_share": "Its share",
                   "customers": "Customers", "top_customer": "Largest customer",
                   "top_customer_share": "Its share"} if not zh else
                  {"top_category": "最大品类", "top_category_share": "占比", "customers": "客户数",
                   "top_customer": "最大客户", "top_customer_share": "占比"})
        body = self.table(b, {"actual": "money", "top_category_share": "pct", "customers": "int",
                              "top_customer_share": "pct"}, labels=labels)
        return Block(body, sent, title="Reps by category and customer (year to date)"
                     if not zh else "销售代表的品类与客户（当年累积）")

    def top_customers(self) -> Block:
        """Return the team's ten largest customers this year.

        Returns
        -------
        Block
            The customers with last year and their share, and one sentence; empty without customer ids.
        """
        s = self.t.get("customer_sales")
        if s is None or not len(s):
            return Block()
        tc = d.top_customers(s, month=self.month, span="ytd", team=self.team, n=10,
                             fiscal_year_start=self.fys)
        if not len(tc):
            return Block()
        sent = (f"The ten largest customers bring {fmt.pct(tc['share'].sum())} of the team's "
                f"sales this year." if self.lang != "zh" else
                f"前十大客户贡献了团队今年销售额的{fmt.pct(tc['share'].sum())}。")
        return Block(self.table(tc, {"actual": "money", "last_year": "money", "change": "money",
                                     "share": "pct"},
                                labels={"customer_id": self.L("customer"),
                                        "share": "Share of sales" if self.lang != "zh" else "销售占比"}),
                     sent,
                     title="Top customers" if self.lang != "zh" else "主要客户")

    def waterfall(self, span: str = "ytd") -> Block:
        """Return the waterfall of the teams' gaps adding up to the company's gap.

        Parameters
        ----------
        span : str
            The span: ``"month"`` or ``"ytd"`` (the year to date).

        Returns
        -------
        Block
            The chart and a sentence on where the company's shortfall (or surplus) comes from.
        """
        a = self.t["attribution"]
        a = a[(a["span"] == span) & (a["parent_level"] == "company")]
        if not len(a):
            return Block()
        ax = plots.gap_waterfall(a[["child", "gap"]], currency=self.currency, lang=self.lang,
                                 total_label=self.company)
        gap = float(a["gap"].sum())
        span_word = "the year to date" if self.lang != "zh" else "当年累积"
        if gap > 0:
            top = a[a["gap"] > 0].sort_values("gap", ascending=False).head(2)
            sent = say("attribution", self.lang, unit=self.company, span=span_word,
                       gap=self.money(gap), top_share=fmt.pct(top["share"].sum(), digits=0),
                       top_names=names(top["child"], self.lang))
        else:
            top = a.sort_values("gap").head(2)
            sent = say("attribution_ok", self.lang, unit=self.company, span=span_word,
                       surplus=self.money(-gap), top_names=names(top["child"], self.lang))
        return Block(plots.figure_svg(ax.figure), sent,
                     title=f"{self.L('gap')} · {span_word}")

    def gap_reps(self, n: int = 10) -> Block:
        """Return the reps furthest behind their year-to-date targets, company-wide.

        Parameters
        ----------
        n : int
            How many reps to show.

        Returns
        -------
        Block
            The table with each rep's share of the company's gap, and one sentence.
        """
        worst = d.reps_behind(self.t["attribution"], span="ytd", n=n)
        if not len(worst):
            return Block()
        shown = worst.rename(columns={"child": "rep", "parent": "team"})
        sent = (f"These {len(worst)} reps are furthest behind their year-to-date targets; "
                f"together their shortfall is {self.money(worst['gap'].sum())}." if self.lang != "zh"
                else f"这{len(worst)}名销售代表累积缺口最大，合计{self.money(worst['gap'].sum())}。")
        body = self.table(shown, {"target": "money", "actual": "money", "gap": "money",
                                  "attainment": "att", "share_of_company": "pct"},
                          labels={"share_of_company": "Share of company gap"
                                  if self.lang != "zh" else "占公司缺口"})
        return Block(body, sent, title="Reps behind target" if self.lang != "zh" else "落后的销售代表")
