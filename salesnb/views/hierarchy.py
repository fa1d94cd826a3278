"""Reporting lines, shown and worded: each manager's people rolled up.

The presentation twin of :mod:`salesnb.hierarchy`: the rows are the run's ``lines``
table (:func:`salesnb.hierarchy.reporting_lines`).
"""

from __future__ import annotations

import pandas as pd

from .. import fmt
from ..html import Block

__all__ = ["HierarchyView"]


class HierarchyView:
    """The company's reporting lines (org ``manager``)."""

    def reporting_lines(self) -> Block:
        """Return each manager's people rolled up, and the managers who also sell.

        Returns
        -------
        Block
            The lines table and a sentence on the largest line and the selling managers; empty without managers.
        """
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
