"""The company overview report: every team side by side, for management.

Blocks are built from the full run tables (all teams); numbers come from the analysis
modules (progress, drilldown, alerts, forecast), as in the team report.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import fmt, plots
from . import progress as _progress
from .html import Block
from .sections import ReportBase, TeamReport, _month_name, _names, alert_rows, say

__all__ = ["CompanyReport", "open_company_report"]


class CompanyReport(ReportBase):
    """The blocks of the company overview."""

    def title(self) -> Block:
        m = _month_name(self.month, self.lang)
        body = (f"<h1>{fmt.esc(self.company)} · {fmt.esc(self.L('company_report'))} · "
                f"{fmt.esc(m)}</h1><p class=\"sub\">{fmt.esc(self.L('last_sale'))}: "
                f"{fmt.esc(self.meta['last_sale_date'])} · {fmt.esc(self.L('as_of'))} "
                f"{fmt.esc(self.meta['as_of'])}</p>")
        return Block(body)

    def headline(self) -> Block:
        return self.headline_for("company", "Company")

    def monthly_chart(self) -> Block:
        return self.monthly_for("company", "Company", chart=True)

    def team_ranking(self) -> Block:
        rk = self.t["ranking"]
        if not len(rk):
            return Block()
        shown = rk[["rank", "unit", "target", "actual", "attainment", "ytd_attainment",
                    "pace", "mom", "yoy"]].rename(columns={"unit": "team"})
        top, last = rk.iloc[0], rk.iloc[-1]
        sent = (f"{top['unit']} leads at {fmt.pct(top['attainment'])} of its monthly target; "
                f"{last['unit']} is last at {fmt.pct(last['attainment'])}." if self.lang != "zh"
                else f"{top['unit']}以{fmt.pct(top['attainment'])}居首；{last['unit']}以"
                     f"{fmt.pct(last['attainment'])}排名最后。")
        body = self.table(shown, {"rank": "int", "target": "money", "actual": "money",
                                  "attainment": "att", "ytd_attainment": "att", "pace": "pts",
                                  "mom": "growth", "yoy": "growth"},
                          labels={"ytd_attainment": self.L("ytd") + " " + self.L("attainment")})
        return Block(body, sent, title=self.L("rank"))

    def heatmap(self) -> Block:
        mat = _progress.attainment_matrix(self.t["actuals"], self.t["targets"], level="team",
                                          month=self.month, fiscal_year_start=self.fys)
        if mat.empty:
            return Block()
        ax = plots.attainment_heatmap(mat, lang=self.lang)
        misses = (mat < 1).sum(axis=1)
        worst = misses.sort_values(ascending=False)
        sent = (f"{worst.index[0]} missed its monthly target in {int(worst.iloc[0])} of "
                f"{mat.shape[1]} months this year." if self.lang != "zh" else
                f"{worst.index[0]}今年{mat.shape[1]}个月中有{int(worst.iloc[0])}个月未达成月度目标。")
        return Block(plots.figure_svg(ax.figure), sent,
                     title="Attainment by team and month" if self.lang != "zh" else "各团队月度达成率")

    def waterfall(self, span: str = "ytd") -> Block:
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
                       top_names=_names(top["child"], self.lang))
        else:
            top = a.sort_values("gap").head(2)
            sent = say("attribution_ok", self.lang, unit=self.company, span=span_word,
                       surplus=self.money(-gap), top_names=_names(top["child"], self.lang))
        return Block(plots.figure_svg(ax.figure), sent,
                     title=f"{self.L('gap')} · {span_word}")

    def gap_reps(self, n: int = 10) -> Block:
        a = self.t["attribution"]
        reps = a[(a["span"] == "ytd") & (a["child_level"] == "rep")]
        company_gap = float(a[(a["span"] == "ytd") & (a["parent_level"] == "company")]["gap"].sum())
        worst = reps[reps["gap"] > 0].sort_values("gap", ascending=False).head(n)
        if not len(worst):
            return Block()
        shown = worst[["child", "parent", "target", "actual", "gap", "attainment"]].rename(
            columns={"child": "rep", "parent": "team"})
        shown = shown.assign(share_of_company=worst["gap"] / company_gap if company_gap > 0
                             else np.nan)
        sent = (f"These {len(worst)} reps are furthest behind their year-to-date targets; "
                f"together their shortfall is {self.money(worst['gap'].sum())}." if self.lang != "zh"
                else f"这{len(worst)}名销售代表累积缺口最大，合计{self.money(worst['gap'].sum())}。")
        body = self.table(shown, {"target": "money", "actual": "money", "gap": "money",
                                  "attainment": "att", "share_of_company": "pct"},
                          labels={"share_of_company": "Share of company gap"
                                  if self.lang != "zh" else "占公司缺口"})
        return Block(body, sent, title="Reps behind target" if self.lang != "zh" else "落后的销售代表")

    def reporting_lines(self) -> Block:
        """Each manager's people rolled up (org ``manager``), and the managers who also sell."""
        ln = self.t.get("lines")
        if ln is None or not len(ln):
            return Block()
        zh = self.lang == "zh"
        cols = ["manager", "title", "team", "people", "line_ytd_actual", "line_ytd_target",
                "line_ytd_attainment", "own_ytd_actual", "own_share_ytd"]
        shown = ln[[c for c in cols if c in ln.columns and (c != "title" or ln[c].ne("").any())]]
        top = ln.iloc[0]
        who = (str(top["manager"]) if not top["title"] else
               f"{top['manager']}（{top['title']}）" if zh else f"{top['manager']} ({top['title']})")
        att = ("" if pd.isna(top["line_ytd_attainment"]) else
               (f", {fmt.pct(top['line_ytd_attainment'])} of its target" if not zh else
                f"，达成目标的{fmt.pct(top['line_ytd_attainment'])}"))
        sent = (f"{who} leads the largest line: {int(top['people'])} people with "
                f"{self.money(top['line_ytd_actual'])} this year{att}." if not zh else
                f"{who}的条线最大：{int(top['people'])}人，当年累积{self.money(top['line_ytd_actual'])}{att}。")
        selling = ln[ln["own_ytd_actual"] != 0]
        if len(selling):
            parts = [f"{r['manager']} {self.money(r['own_ytd_actual'])} "
                     + (f"({fmt.pct(r['own_share_ytd'], digits=0)} of the line)" if not zh
                        else f"（占条线{fmt.pct(r['own_share_ytd'], digits=0)}）")
                     for _, r in selling.iterrows()]
            sent += (" Managers who also sell, this year: " + "; ".join(parts) + ". Their own "
                     "sales count in their team's figures and rankings like any rep's; a line "
                     "crosses teams where its people sit in other teams." if not zh else
                     " 本身也有销售的经理（当年累积）：" + "；".join(parts) + "。他们本人的销售与其他"
                     "销售代表一样计入所在团队的数字和排名；条线下属可分布在其他团队。")
        body = self.table(shown, {"people": "int", "line_ytd_actual": "money",
                                  "line_ytd_target": "money", "line_ytd_attainment": "att",
                                  "own_ytd_actual": "money", "own_share_ytd": "pct"})
        return Block(body, sent, title=self.L("lines"))

    def forecast(self) -> Block:
        return self.forecast_for("company", "Company")

    def projections(self) -> Block:
        pj = self.t["projections"]
        pj = pj[pj["level"] == "team"]
        if not len(pj):
            return Block()
        shown = pj[["unit", "ytd_actual", "projection", "lower", "upper", "annual_target",
                    "probability"]].rename(columns={"unit": "team"})
        likely = int((pj["probability"] >= 0.5).sum())
        sent = (f"{likely} of {len(pj)} teams are more likely than not to reach the annual target."
                if self.lang != "zh" else f"{len(pj)}个团队中有{likely}个更可能完成年度目标。")
        body = self.table(shown, {"ytd_actual": "money", "projection": "money", "lower": "money",
                                  "upper": "money", "annual_target": "money", "probability": "pct"})
        return Block(body, sent, title=self.L("projection"))

    def alerts(self) -> Block:
        al = self.t["alerts"]
        if not len(al):
            return Block("", say("alerts_none", self.lang))
        shown = al[al["level"].isin(["company", "team"])]
        reps = al[al["level"] == "rep"]
        extra = (f" {len(reps)} more alerts concern individual reps (see the team reports)."
                 if self.lang != "zh" else f" 另有{len(reps)}条关于销售代表的警报（见团队报告）。")
        if not len(shown):
            return Block("", say("alerts_none", self.lang) + extra)
        rows = alert_rows(shown, self.lang, self.company)
        return Block(self.table(rows, {}),
                     say("alerts", self.lang, n=len(shown), first=str(rows["message"].iloc[0]))
                     + extra)

    recognition = TeamReport.recognition  # the same tiers block, over every rep

    def quality(self) -> Block:
        return self.data_quality(detail=True)


def open_company_report(**params) -> CompanyReport:
    """Return a :class:`CompanyReport` from the run cache or, without one, from the data files."""
    from .report import PARAM_DEFAULTS, load_prepared, read_cache
    p = dict(PARAM_DEFAULTS)
    p.update(params)
    tables = read_cache(p["cache"]) if p.get("cache") else load_prepared(p)
    if "ranking" not in tables or tables["ranking"] is None:
        tables["ranking"] = pd.DataFrame(columns=["unit", "rank"])
    rep = CompanyReport(tables, lang=p["lang"], currency=p["currency"],
                        company=p.get("company") or "Company")
    rep.gross_margin = float(p.get("gross_margin", 0.3))
    return rep
