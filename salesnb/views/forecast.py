"""The year-end forecast, drawn and worded: the cumulative path, its band, the projections.

The presentation twin of :mod:`salesnb.forecast`: the path is
:func:`salesnb.cumulative.forecast_path`, the year-end figures the run's
``projections`` table (:func:`salesnb.forecast.projections`), the accuracy sentence
:func:`~salesnb.forecast.accuracy_words`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .. import cumulative as _cum
from .. import fmt, plots
from .. import forecast as _fc
from ..html import Block
from .words import say

__all__ = ["ForecastView", "CompanyForecastView", "note_text"]

_NOTES_ZH = {
    _fc.NOTE_RUN_RATE: "历史不足6个月：按近3个月月均（run-rate）预测",
    _fc.NOTE_NO_SEASONAL: "历史不足24个月：不估计季节效应",
    _fc.NOTE_NO_MONTH_EFFECTS: "历史不足24个月：不估计各月的季节效应",
    _fc.NOTE_LINEAR: "有零或负值的月份：按金额本身（非对数）拟合",
    _fc.NOTE_ALL_ZERO: "各月均为零：预测为0",
}


def note_text(note: str, lang: str) -> str:
    """Return a forecast's notes as a sentence in the report's language.

    Parameters
    ----------
    note : str
        The projection's ``note`` (parts joined by ``"; "``), or ``""``.
    lang : str
        ``"en"`` or ``"zh"``.

    Returns
    -------
    str
        The sentence, or ``""`` without a note.

    Examples
    --------
    >>> note_text("2 missing months filled with 0", "zh")
    '2个缺失月份按0补齐。'
    """
    if not note:
        return ""
    if lang == "zh":
        parts = []
        for part in note.split("; "):
            m = re.fullmatch(r"(\d+) missing months filled with 0", part)
            parts.append(f"{m.group(1)}个缺失月份按0补齐" if m else _NOTES_ZH.get(part, part))
        return "；".join(parts) + "。"
    return note[0].upper() + note[1:] + ("" if note.endswith(".") else ".")


class ForecastView:
    """Blocks about where the report's unit (and a team's reps) will end the year."""

    def forecast(self) -> Block:
        """Return the chart of the year so far and the forecast to its end, with the target.

        Returns
        -------
        Block
            The chart and a sentence on the projection, its 80 % range and the chance of
            reaching the annual target.
        """
        return self.forecast_for(self.level, self.unit)

    def _projection_row(self, level: str, unit: str) -> pd.Series | None:
        pj = self.t["projections"]
        rows = pj[(pj["level"] == level) & (pj["unit"] == unit)]
        return None if rows.empty else rows.iloc[0]

    def forecast_for(self, level: str, unit: str) -> Block:
        """Return the forecast chart and sentence of one unit (see :meth:`forecast`).

        Parameters
        ----------
        level : str
            ``"company"``, ``"team"`` or ``"rep"``.
        unit : str
            The unit's name in the tables.

        Returns
        -------
        Block
            The chart and sentence (the chart only when the unit has no projection).
        """
        y = _cum.unit_history(self.t["actuals"], level=level, unit=unit, month=self.month)
        p = self._projection_row(level, unit)
        hist, path = _cum.forecast_path(y, p, month=self.month, fiscal_year_start=self.fys)
        target = float(p["annual_target"]) if p is not None else np.nan
        ax = plots.forecast_chart(hist, path, target=target, currency=self.currency,
                                  lang=self.lang)
        if p is None:
            return Block(plots.figure_svg(ax.figure), "")
        vs = ("above" if p["projection"] >= target else "below") if not np.isnan(target) else ""
        if self.lang == "zh":
            vs = {"above": "高于", "below": "低于"}.get(vs, "")
        sentence = say("forecast", self.lang, proj=self.money(p["projection"]),
                       lo=self.money(p["lower"]), hi=self.money(p["upper"]), vs=vs,
                       target=self.money(target), prob=fmt.pct(p["probability"], digits=0))
        note = note_text(str(p.get("note", "") or "").strip(), self.lang)
        if len(y) >= 13 and "accuracy_n" in p.index:  # measured when the projection was fit
            sentence += " " + _fc.accuracy_words(int(p["accuracy_n"]), float(p["accuracy_mape"]),
                                                 float(p["accuracy_mae"]), lang=self.lang,
                                                 money=self.money)
        elif len(y) >= 13:
            sentence += " " + _fc.accuracy_sentence(y, origins=12)
        if note:
            sentence += " " + note
        return Block(plots.figure_svg(ax.figure), sentence)

    def projections(self) -> Block:
        """Return the year-end projection of the team and each of its reps.

        Returns
        -------
        Block
            The projections with their 80 % range and the chance of reaching the annual
            target (reps most likely first, the team last), and one sentence.
        """
        pj = self.t["projections"]
        reps = set(self._reps()["unit"])
        rows = pj[((pj["level"] == "team") & (pj["unit"] == self.team))
                  | ((pj["level"] == "rep") & pj["unit"].isin(reps))]
        if not len(rows):
            return Block()
        rows = pd.concat([rows[rows["level"] == "rep"].sort_values("probability",
                                                                   ascending=False),
                          rows[rows["level"] == "team"]], ignore_index=True)
        shown = rows[["unit", "ytd_actual", "projection", "lower", "upper", "annual_target",
                      "probability"]].rename(columns={"unit": "rep"})
        r = rows[rows["level"] == "rep"]
        likely = int((r["probability"] >= 0.5).sum())
        sent = (f"{likely} of {len(r)} reps are more likely than not to reach their annual "
                f"target; the range is the forecast's 80 % interval." if self.lang != "zh" else
                f"{len(r)}名销售代表中有{likely}名更可能完成年度目标；区间为预测的80 %区间。")
        body = self.table(shown, {"ytd_actual": "money", "projection": "money",
                                  "lower": "money", "upper": "money", "annual_target": "money",
                                  "probability": "pct"}, highlight_last=True)
        return Block(body, sent, title=self.L("projection"))


class CompanyForecastView(ForecastView):
    """The company's forecast blocks: its own path, and every team's projection."""

    def projections(self) -> Block:
        """Return the year-end projection of every team.

        Returns
        -------
        Block
            The projections with their 80 % range and chance of reaching the annual
            target, and one sentence.
        """
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
