"""Comparison over time and across units, worded and shown: growth, customers, rank, consistency.

The presentation twin of :mod:`salesnb.compare`: the growth table is
:func:`salesnb.compare.growth_table`, customer counts
:func:`~salesnb.compare.customer_growth`, consistency :func:`~salesnb.compare.consistency`,
and the team ranking the run's ``ranking`` table (:func:`~salesnb.compare.rank_units`).
"""

from __future__ import annotations

import numpy as np

from .. import calendar as cal
from .. import compare as _compare
from .. import fmt
from ..html import Block
from .words import say, updown

__all__ = ["CompareView"]


class CompareView:
    """Blocks comparing the report's unit with its past and with its peers."""

    def growth(self) -> Block:
        """Return the company's and the team's growth: month on month, year on year, YTD.

        Returns
        -------
        Block
            The growth table (like for like in a report dated inside its month) and one
            sentence on the team.
        """
        g = _compare.growth_table(self.t["actuals"], month=self.month, fiscal_year_start=self.fys,
                                  progress=self.t["progress"], sales=self.t["sales"],
                                  as_of=self.meta["as_of"] if self.partial_month else None)
        g["unit"] = np.where(g["level"] == "company", self.company, g["unit"])
        shown = g[["unit", "actual", "prev_actual", "mom", "last_year_actual", "yoy",
                   "ytd_actual", "ytd_last_year", "ytd_yoy"]]
        row = g[g["level"] == "team"]
        r = row.iloc[0] if len(row) else None
        lfl = _compare.ytd_like_for_like(self.t["sales"], as_of=self.meta["as_of"],
                                         fiscal_year_start=self.fys, level="team")
        lfl = lfl[lfl["unit"] == self.team]
        ytd_yoy = lfl["ytd_yoy"].iloc[0] if len(lfl) else (r["ytd_yoy"] if r is not None else np.nan)
        sentence = say("growth", self.lang,
                       mom=updown(r["mom"] if r is not None else np.nan, self.lang),
                       yoy=updown(r["yoy"] if r is not None else np.nan, self.lang),
                       ytd_yoy=updown(ytd_yoy, self.lang))
        body = self.table(shown, {"actual": "money", "prev_actual": "money", "mom": "growth",
                                  "last_year_actual": "money", "yoy": "growth",
                                  "ytd_actual": "money", "ytd_last_year": "money",
                                  "ytd_yoy": "growth"},
                          labels={"prev_actual": self.L("prev_month"),
                                  "last_year_actual": self.L("last_year"),
                                  "ytd_last_year": self.L("ytd") + " " + self.L("last_year"),
                                  "ytd_yoy": self.L("ytd") + " " + self.L("yoy"),
                                  "unit": ""})
        return Block(body, sentence, title="Growth" if self.lang != "zh" else "增长")

    def customers(self) -> Block:
        """Return the unit's (team's or company's) active and new customers this month, with their growth.

        Returns
        -------
        Block
            The customer counts and one sentence (a note in a report dated inside its
            month: customers are counted for whole months).
        """
        cm = self.t["customer_months"]
        if cm is None or not len(cm):
            return Block("", "No customer ids in the data: customer growth is not available."
                         if self.lang != "zh" else "数据没有客户编号，无法计算客户增长率。")
        if self.partial_month:
            return Block("", "Customer counts are compared for whole months; see the month-end "
                         "report." if self.lang != "zh" else "客户数按整月比较，请见月末报告。")
        g = _compare.customer_growth(cm, month=self.month, level=self.level)
        g = g[g["unit"] == self.unit]
        if not len(g):
            return Block()
        r = g.iloc[0]
        body = self.table(g.drop(columns=["unit"]),
                          {k: ("growth" if k.endswith(("_mom", "_yoy")) else "int")
                           for k in g.columns if k != "unit"})
        return Block(body, say("customers", self.lang, active=int(r["active"]),
                               yoy=fmt.pct(r["active_yoy"]), new=int(r["new_customers"])),
                     title="Customers" if self.lang != "zh" else "客户")

    def ranking(self) -> Block:
        """Return the team's rank among the teams by attainment this month.

        Returns
        -------
        Block
            One sentence; empty when the run has no ranking.
        """
        rk = self.t.get("ranking")
        if rk is None or not len(rk):
            return Block()
        mine = rk[rk["unit"] == self.team]
        if not len(mine):
            return Block()
        return Block("", say("ranking", self.lang, unit=self.team, rank=int(mine["rank"].iloc[0]),
                             n=int(mine["of"].iloc[0])))

    def consistency(self) -> Block:
        """Return how many months each rep met the monthly target this year, and streaks.

        Returns
        -------
        Block
            The table (through the last whole month) and a sentence on the most consistent rep.
        """
        # a month still in progress is neither met nor missed yet: count through the last one
        through = cal.to_month(self.month) - 1 if self.partial_month else self.month
        if cal.fiscal_year(through, self.fys) != cal.fiscal_year(self.month, self.fys):
            return Block()
        cs = _compare.consistency(self.t["actuals"], self.t["targets"], month=through,
                                  fiscal_year_start=self.fys)
        cs = cs[(cs["level"] == "rep") & (cs["metric"] == "amount")]
        reps = set(self._reps()["unit"])
        cs = cs[cs["unit"].isin(reps)].sort_values(["months_on_target", "streak"],
                                                   ascending=False)
        if not len(cs):
            return Block()
        shown = cs[["unit", "months_with_target", "months_on_target", "streak"]].rename(
            columns={"unit": "rep"})
        best = cs.iloc[0]
        sent = (f"{best['unit']} met the monthly target in {int(best['months_on_target'])} of "
                f"{int(best['months_with_target'])} months this year "
                f"(current streak {int(best['streak'])})." if self.lang != "zh" else
                f"{best['unit']}今年{int(best['months_with_target'])}个月中有"
                f"{int(best['months_on_target'])}个月达成月度目标（当前连续{int(best['streak'])}个月）。")
        return Block(self.table(shown, {"months_with_target": "int", "months_on_target": "int",
                                        "streak": "int"},
                                labels={"months_with_target": "Months with target",
                                        "months_on_target": "Months on target",
                                        "streak": "Current streak"} if self.lang != "zh" else
                                {"months_with_target": "有目标月数", "months_on_target": "达标月数",
                                 "streak": "连续达标"}),
                     sent, title="Consistency" if self.lang != "zh" else "稳定性")

    def team_ranking(self) -> Block:
        """Return every team ranked by attainment this month (the company report).

        Returns
        -------
        Block
            The ranking table and a sentence on the first and the last team.
        """
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
