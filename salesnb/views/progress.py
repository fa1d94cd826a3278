"""Progress against target, worded and drawn: headline cards, months, run rate, reps, heatmap.

The presentation twin of :mod:`salesnb.progress`: every number shown comes from the
run's ``progress`` table or from :func:`salesnb.progress.monthly_progress`,
:func:`~salesnb.progress.required_run_rate_by_month` and
:func:`~salesnb.progress.attainment_matrix`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import calendar as cal
from .. import compare as _compare
from .. import cumulative as _cum
from .. import fmt, plots
from .. import progress as _progress
from ..html import Block, cards_html
from ..monthly import months_summary
from .words import month_name, names, say

__all__ = ["ProgressView"]

_PLANNED = ("Planned", "计划进度")
_QUANTITY = ("Quantity", "销量")
_PERCENTILE = ("Percentile among peers", "同组百分位")
_QTD = (("QTD actual", "QTD target", "MTD target"), ("当季累积", "当季目标", "截至今日目标"))


def _count(x) -> str:
    """Word a count: whole numbers as such, a prorated target to date with one decimal."""
    if x is None or pd.isna(x):
        return fmt.DASH
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-9 else f"{x:,.1f}"


def _month_only(month: str, lang: str) -> str:
    p = cal.to_month(month)
    return f"{p.month}月" if lang == "zh" else p.strftime("%B")


class ProgressView:
    """Blocks about one unit's progress (``self.level``, ``self.unit``) and its reps."""

    def headline(self) -> Block:
        """Return the headline cards and sentence of the report's unit.

        Returns
        -------
        Block
            Cards (actual, attainment, MoM, YoY, YTD, annual completion, pace) and one
            sentence on the month and the year's pace.
        """
        return self.headline_for(self.level, self.unit)

    def headline_for(self, level: str, unit: str) -> Block:
        """Return the headline cards and sentence of one unit.

        Parameters
        ----------
        level : str
            ``"company"``, ``"team"`` or ``"rep"``.
        unit : str
            The unit's name in the tables.

        Returns
        -------
        Block
            The cards and sentence (only a sentence when the unit has no progress row).
        """
        r = self.prow(level, unit)
        name = self.display_unit(level, unit)
        mname = month_name(self.month, self.lang)
        if r is None:
            return Block("", say("no_target", self.lang, unit=name, month=mname,
                                 actual=self.money(0)))

        def delta(v):
            if v is None or pd.isna(v):
                return fmt.DASH
            arrow = "▲" if v >= 0 else "▼"
            return f"{arrow} {fmt.pct(v)}"
        pace = r["pace"]
        cards = [
            (f"{self.L('actual')} · {mname}", self.money(r["actual"]),
             f"{self.L('target')} {self.money(r['target'])}" + (
                 f" · {_QTD[self.lang == 'zh'][2]} {self.money(r['mtd_target'])}"
                 if self.partial_month else "")),
            (self.L("attainment"), fmt.pct(r["attainment"]),
             f"{self.L('gap')} {self.money(r['gap'])}"),
            (self.L("mom"), fmt.pct(r["mom"]),
             delta(r["mom"])[:1] + f" {self.L('prev_month')} {self.money(r['prev_actual'])}"
             if not pd.isna(r["mom"]) else fmt.DASH),
            (self.L("yoy"), fmt.pct(r["yoy"]),
             delta(r["yoy"])[:1] + f" {self.L('last_year')} {self.money(r['last_year_actual'])}"
             if not pd.isna(r["yoy"]) else fmt.DASH),
            (_QTD[self.lang == "zh"][0], self.money(r["qtd_actual"]),
             f"{_QTD[self.lang == 'zh'][1]} {self.money(r['qtd_target'])} · "
             f"{fmt.pct(r['qtd_attainment'])}"),
            (self.L("ytd_actual"), self.money(r["ytd_actual"]),
             f"{self.L('ytd_target')} {self.money(r['ytd_target'])} · {fmt.pct(r['ytd_attainment'])}"),
            (self.L("annual_completion"), fmt.pct(r["annual_completion"]),
             f"{_PLANNED[self.lang == 'zh']} {fmt.pct(r['planned_progress'])} · "
             f"{self.L('time_progress')} {fmt.pct(r['time_progress'])}"),
            (self.L("pace"), fmt.points(pace, lang=self.lang),
             ("▲ " if not pd.isna(pace) and pace >= 0 else "▼ ") + self.L("annual_target")
             + " " + self.money(r["annual_target"])),
        ]
        if pd.isna(r["target"]):
            sentence = say("no_target", self.lang, unit=name, month=mname,
                           actual=self.money(r["actual"]))
        else:
            pts = fmt.points(abs(pace), lang=self.lang).lstrip("+") if not pd.isna(pace) else fmt.DASH
            pace_words = say("ahead" if (not pd.isna(pace) and pace >= 0) else "behind",
                             self.lang, pts=pts)
            sentence = say("headline", self.lang, unit=name, att=fmt.pct(r["attainment"]),
                           month=mname, actual=self.money(r["actual"]),
                           target=self.money(r["target"]), comp=fmt.pct(r["annual_completion"]),
                           pp=fmt.pct(r["planned_progress"]), pace_words=pace_words)
            sentence = self._sep.join([sentence, *self._pace_why(r)])
        for metric in ("quantity", "new_customers"):
            m = self.prow(level, unit, metric)
            if m is None or pd.isna(m["annual_target"]):
                continue
            cards.append((f"{self.L(metric) if metric != 'quantity' else _QUANTITY[self.lang == 'zh']}"
                          f" · {self.L('ytd')}", _count(m["ytd_actual"]),
                          f"{self.L('ytd_target')} {_count(m['ytd_target'])} · "
                          f"{fmt.pct(m['ytd_attainment'])}"))
            sentence = self._sep.join([sentence, self._other_metric(metric, m)])
        return Block(cards_html(cards), sentence, title=self.L("headline"))

    @property
    def _sep(self) -> str:
        """Between two sentences: a space in English, nothing in Chinese."""
        return "" if self.lang == "zh" else " "

    def _pace_words(self, pace) -> str:
        pts = fmt.points(abs(pace), lang=self.lang).lstrip("+") if not pd.isna(pace) else fmt.DASH
        return say("ahead" if (not pd.isna(pace) and pace >= 0) else "behind", self.lang, pts=pts)

    def _pace_why(self, r: pd.Series) -> list[str]:
        """Say why pace (against the plan) and the calendar differ, when they differ."""
        th = (self.meta.get("thresholds") or {}).get("behind_pace")
        th = abs(float(th)) if th is not None else 0.05
        why = _progress.pace_reasons(r.to_frame().T.infer_objects(), self.t["targets"],
                                     threshold=th, fiscal_year_start=self.fys)
        if why.empty or not bool(why["notable"].iloc[0]):
            return []
        w = why.iloc[0]
        if bool(w["partial_year"]):
            return [say("pace_partial", self.lang, first=month_name(w["first_month"], self.lang),
                        last=month_name(w["last_month"], self.lang),
                        tp=fmt.pct(r["time_progress"]))]
        cal_pace = r["calendar_pace"]
        pts = fmt.points(abs(cal_pace), lang=self.lang).lstrip("+")
        cal_words = say("cal_ahead" if cal_pace >= 0 else "cal_behind", self.lang, pts=pts)
        later = [m for m in str(w["later_months"]).split(", ") if m]
        if not later:
            return []
        months = names([_month_only(m, self.lang) for m in later], self.lang, n=len(later))
        return [say("pace_seasonal", self.lang, tp=fmt.pct(r["time_progress"]),
                    cal_words=cal_words, share=fmt.pct(w["later_target_share"], digits=0),
                    months=months)]

    def _other_metric(self, metric: str, m: pd.Series) -> str:
        label = self.L(metric) if metric != "quantity" else _QUANTITY[self.lang == "zh"]
        return say("other_metric", self.lang, metric=label, ytd_actual=_count(m["ytd_actual"]),
                   ytd_target=_count(m["ytd_target"]), ytd_att=fmt.pct(m["ytd_attainment"]),
                   pace_words=self._pace_words(m["pace"]))

    def monthly_table(self) -> Block:
        """Return the fiscal year's months: target, actual, attainment, cumulative.

        Returns
        -------
        Block
            The table and a sentence counting the months that met their target.
        """
        return self.monthly_for(self.level, self.unit, chart=False)

    def monthly_chart(self) -> Block:
        """Return the chart of the fiscal year's months (bars) and cumulative lines.

        Returns
        -------
        Block
            The chart and a sentence naming the best month.
        """
        return self.monthly_for(self.level, self.unit, chart=True)

    def monthly_for(self, level: str, unit: str, *, chart: bool) -> Block:
        """Return the monthly progress of one unit, as a table or as a chart.

        Parameters
        ----------
        level : str
            ``"company"``, ``"team"`` or ``"rep"``.
        unit : str
            The unit's name in the tables.
        chart : bool
            Draw the chart (True) or show the table (False).

        Returns
        -------
        Block
            The table or chart with its sentence.
        """
        mp = _progress.monthly_progress(self.t["actuals"], self.t["targets"], level=level,
                                        unit=unit, month=self.month, fiscal_year_start=self.fys)
        ms = months_summary(mp, month=self.month, as_of=self.meta["as_of"])
        sentence = say("monthly", self.lang, n_hit=ms["met"], n=ms["months"],
                       cum_att=fmt.pct(ms["cum_attainment"]))
        if chart:
            ax = plots.monthly_progress(mp, currency=self.currency, lang=self.lang)
            if ms["best_month"] is None:
                return Block(plots.figure_svg(ax.figure), "")
            best = fmt.pct(ms["best_attainment"])
            chart_sentence = (f"The best month was {ms['best_month']} at {best} "
                              f"of target; the line shows the cumulative actual against the "
                              f"cumulative target." if self.lang != "zh" else
                              f"表现最好的是{ms['best_month']}，达成率{best}；"
                              f"折线为累计实际与累计目标。")
            return Block(plots.figure_svg(ax.figure), chart_sentence)
        shown = mp.assign(month=mp["month"].astype(str))
        body = self.table(shown, {"target": "money", "actual": "money", "attainment": "att",
                                  "cum_target": "money", "cum_actual": "money",
                                  "cum_attainment": "att"},
                          labels={"cum_attainment": self.L("attainment") + (
                              " (cum.)" if self.lang != "zh" else "（累计）")})
        return Block(body, sentence, title="Monthly progress" if self.lang != "zh" else "月度进度")

    def run_rate(self) -> Block:
        """Return what each remaining month must bring to reach the annual target.

        Returns
        -------
        Block
            The remaining months' targets and required amounts, and one sentence.
        """
        return self.run_rate_for(self.level, self.unit)

    def run_rate_for(self, level: str, unit: str) -> Block:
        """Return the required run rate of one unit (see :meth:`run_rate`).

        Parameters
        ----------
        level : str
            ``"company"``, ``"team"`` or ``"rep"``.
        unit : str
            The unit's name in the tables.

        Returns
        -------
        Block
            The table and sentence; empty without an annual target.
        """
        r = self.prow(level, unit)
        if r is None or pd.isna(r["annual_target"]):
            return Block()
        if r["annual_target"] - r["ytd_actual"] <= 0:
            return Block("", say("run_rate_done", self.lang))
        req = _progress.required_run_rate_by_month(
            self.t["targets"], self.t["actuals"], unit=unit, level=level, metric="amount",
            month=self.month, fiscal_year_start=self.fys, as_of=self.meta["as_of"])
        body = self.table(req.assign(month=req["month"].astype(str)),
                          {"target": "money", "required": "money"},
                          labels={"required": self.L("required_run_rate")})
        return Block(body, say("run_rate", self.lang, rr=self.money(r["required_run_rate"]),
                               months=_count(r.get("time_left_months", r["months_remaining"]))),
                     title=self.L("required_run_rate"))

    def _reps(self) -> pd.DataFrame:
        """Return the amount progress rows of the team's reps."""
        p = self.t["progress"]
        return p[(p["level"] == "rep") & (p["team"] == self.team) & (p["metric"] == "amount")]

    def reps_table(self) -> Block:
        """Return the team's reps ranked by attainment, month and year to date.

        Returns
        -------
        Block
            The ranked table and a sentence on the leader and the reps below the team.
        """
        reps = self._reps()
        if reps.empty:
            return Block("", say("reps_none", self.lang), title=self.L("rep"))
        team_row = self.prow("team", self.team)
        team_att = team_row["attainment"] if team_row is not None else np.nan
        ranked = _compare.peer_stats(_compare.rank_units(reps, by="attainment", tiebreak="actual"),
                                     value="attainment", group=None, parent=team_att)
        shown = ranked[["rank", "unit", "target", "actual", "attainment", "percentile",
                        "ytd_target", "ytd_actual", "ytd_attainment", "pace"]].rename(
            columns={"unit": "rep"})
        below = int((reps["attainment"] < team_att).sum()) if not pd.isna(team_att) else 0
        top = ranked.iloc[0]
        sentence = " ".join([
            say("reps", self.lang, top=top["unit"], top_att=fmt.pct(top["attainment"]),
                n_below=below, n=len(reps), team_att=fmt.pct(team_att)),
            say("peers", self.lang, avg=fmt.pct(ranked["peer_average"].iloc[0]))])
        body = self.table(shown, {"rank": "int", "target": "money", "actual": "money",
                                  "attainment": "att", "percentile": "pct",
                                  "ytd_target": "money", "ytd_actual": "money",
                                  "ytd_attainment": "att", "pace": "pts"},
                          labels={"percentile": _PERCENTILE[self.lang == "zh"]})
        return Block(body, sentence, title=self.L("rep"))

    def reps_chart(self) -> Block:
        """Return the bars of the reps' attainment this month, with the team's as a line.

        Returns
        -------
        Block
            The chart and a sentence counting the reps who met the target.
        """
        reps = self._reps()
        if reps.empty:
            return Block()
        team_row = self.prow("team", self.team)
        ref = team_row["attainment"] if team_row is not None else None
        ax = plots.rep_attainment(reps[["unit", "attainment"]], reference=ref,
                                  reference_label=f"{self.team} {fmt.pct(ref)}", lang=self.lang)
        met = int((reps["attainment"] >= 1).sum())
        sent = (f"{met} of {len(reps)} reps met this month's target (green bars reach the 100 % "
                f"line; the dashed line is the team's attainment)." if self.lang != "zh" else
                f"{len(reps)}名销售代表中有{met}名完成本月目标（绿色达到100 %线；虚线为团队达成率）。")
        return Block(plots.figure_svg(ax.figure), sent)

    def heatmap(self) -> Block:
        """Return the team x month attainment heatmap of the fiscal year.

        Returns
        -------
        Block
            The heatmap and a sentence naming the team that missed most months.
        """
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

    def team_progress_chart(self) -> Block:
        """Return one panel per team: cumulative actual against cumulative target this year.

        Returns
        -------
        Block
            The small multiples (one money scale for all panels) and a sentence counting
            the teams at or above their cumulative target after the last whole month.
        """
        c = _cum.cumulative_by_unit(self.t["actuals"], self.t["targets"], month=self.month,
                                    level="team", fiscal_year_start=self.fys)
        if c.empty:
            return Block()
        grid = plots.cumulative_small_multiples(c, currency=self.currency, lang=self.lang)
        title = ("Cumulative actual against target, by team" if self.lang != "zh"
                 else "各团队累计实际与累计目标")
        # a month still in progress is not yet met or missed: say the last whole month
        through = cal.to_month(self.month) - 1 if self.partial_month else cal.to_month(self.month)
        if not (c["month"] == through).any():  # the year's first month, still in progress
            return Block(plots.figure_svg(grid.figure), "", title=title)
        at = c[(c["month"] == through) & c["cum_target"].notna()]
        if not len(at):
            return Block(plots.figure_svg(grid.figure),
                         say("team_progress_no_target", self.lang), title=title)
        on = int((at["cum_actual"] >= at["cum_target"]).sum())
        return Block(plots.figure_svg(grid.figure),
                     say("team_progress", self.lang, n_on=on, n=len(at),
                         month=month_name(str(through), self.lang)), title=title)
