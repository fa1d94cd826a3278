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

from .. import calendar as cal
from .. import cumulative as _cum
from .. import fmt, plots
from .. import forecast as _fc
from ..html import Block
from .words import say

__all__ = ["ForecastView", "CompanyForecastView", "note_text", "fmt_quarter"]

_NOTES_ZH = {
    _fc.NOTE_RUN_RATE: "历史不足6个月：按近3个月月均（run-rate）预测",
    _fc.NOTE_NO_SEASONAL: "历史不足24个月：不估计季节效应",
    _fc.NOTE_NO_MONTH_EFFECTS: "历史不足24个月：不估计各月的季节效应",
    _fc.NOTE_LINEAR: "有零或负值的月份：按金额本身（非对数）拟合",
    _fc.NOTE_ALL_ZERO: "各月均为零：预测为0",
}


_QUARTER = {
    "en": {
        "target": "The quarter ({q}) ends near {proj} (80 % range {lo} – {hi}) against its "
                  "target of {target}: a {prob} chance of reaching it.",
        "no_target": "The quarter ({q}) ends near {proj} (80 % range {lo} – {hi}).",
        "closed": "The quarter ({q}) closed at {proj} against its target of {target}.",
    },
    "zh": {
        "target": "本季度（{q}）预计约{proj}（80 %区间{lo} – {hi}），季度目标{target}；达成概率{prob}。",
        "no_target": "本季度（{q}）预计约{proj}（80 %区间{lo} – {hi}）。",
        "closed": "本季度（{q}）收于{proj}，季度目标{target}。",
    },
}


def fmt_quarter(months: pd.PeriodIndex, lang: str) -> str:
    """Return a quarter's months as ``Jul–Sep 2026`` (``2026年7–9月`` in Chinese).

    Parameters
    ----------
    months : PeriodIndex
        The quarter's months.
    lang : str
        ``en`` or ``zh``.

    Examples
    --------
    >>> fmt_quarter(pd.period_range("2026-07", periods=3, freq="M"), "en")
    'Jul–Sep 2026'
    >>> fmt_quarter(pd.period_range("2026-07", periods=3, freq="M"), "zh")
    '2026年7–9月'
    """
    a, b = months[0], months[-1]
    if lang == "zh":
        return (f"{a.year}年{a.month}–{b.month}月" if a.year == b.year
                else f"{a.year}年{a.month}月–{b.year}年{b.month}月")
    if a.year == b.year:
        return f"{a.strftime('%b')}–{b.strftime('%b')} {a.year}"
    return f"{a.strftime('%b')} {a.year}–{b.strftime('%b')} {b.year}"


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

    def _fitted(self, level: str, unit: str, y: pd.Series):
        """Return the default forecaster fitted on ``y``, the unit's months (fitted once a report).

        :meth:`forecast_for` and :meth:`quarter_forecast` forecast the same series with the
        same model (what :func:`salesnb.forecast.forecast_series` and
        :func:`salesnb.forecast.quarter_end_projection` each fit anew): the fit, most of
        either block's time, is done once and kept on the report.
        """
        cache = self.__dict__.setdefault("_fitted_models", {})
        key = (level, unit, self.month)
        hit = cache.get(key)
        if hit is not None and hit[0].equals(y):
            return hit[1]
        m = _fc.make_default()
        m.set_params(level=0.8)
        m.fit(y)
        cache[key] = (y.copy(), m)
        return m

    def _quarter_projection(self, y: pd.Series, target: float | None) -> dict:
        """:func:`salesnb.forecast.quarter_end_projection` of ``y`` with the report's fitted model.

        ``y`` ends at the report month; the model is the one the forecast chart drew with.
        """
        return _fc.quarter_end_projection(y, as_of_month=self.month, quarter_target=target,
                                          fiscal_year_start=self.fys, level=0.8,
                                          fitted=self._fitted(self.level, self.unit, y))

    def _stored(self, name: str, level: str, unit: str) -> pd.DataFrame | None:
        """Return the run's rows of ``name`` for one unit, made by the fit of its projection.

        ``forecast_paths`` and ``quarter_projections`` are written by a whole-month run
        (:func:`salesnb.forecast.projections_and_paths`); without them (a mid-month run,
        a table from an older run, tables built by hand) the report fits the model itself.
        """
        t = self.t.get(name)
        if t is None:
            return None
        rows = t[(t["level"] == level) & (t["unit"] == unit)]
        return rows if len(rows) else None

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
        stored = self._stored("forecast_paths", level, unit) if p is not None else None
        if stored is not None and len(y) and y.index[-1] == pd.Period(self.month, "M"):
            hist, path = _cum.forecast_path(y, p, month=self.month, fiscal_year_start=self.fys,
                                            forecast=stored)
        else:
            fy = cal.fiscal_year_months(cal.fiscal_year(self.month, self.fys), self.fys)
            ahead = bool((fy > pd.Period(self.month, "M")).any())  # else nothing to forecast
            hist, path = _cum.forecast_path(y, p, month=self.month, fiscal_year_start=self.fys,
                                            model=self._fitted(level, unit, y)
                                            if len(y) and ahead else None)
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
        ratio = float(p.get("accuracy_vs_last_year", np.nan))
        if np.isfinite(ratio):      # against the simplest alternative: last year's month
            sentence += " " + _fc.accuracy_ratio_words(int(p["accuracy_n_vs_last_year"]), ratio,
                                                       lang=self.lang)
        if note:
            sentence += " " + note
        return Block(plots.figure_svg(ax.figure), sentence)

    def quarter_forecast(self) -> Block:
        """Return where the report unit's fiscal quarter will end against its target.

        The projection is :func:`salesnb.forecast.quarter_end_projection` of the unit's
        months up to the report month (quarter-to-date actual plus the forecast of the
        quarter's remaining months, with its calibrated 80 % range and the chance of
        reaching the quarter's target, the sum of its monthly targets). A mid-month report
        gets no quarter block: its last month is not complete.

        Returns
        -------
        Block
            One sentence (empty without history or in a mid-month report).
        """
        if self.partial_month:
            return Block()
        y = _cum.unit_history(self.t["actuals"], level=self.level, unit=self.unit,
                              month=self.month)
        if not len(y) or y.index[-1] != pd.Period(self.month, "M"):
            return Block()
        months = cal.quarter_months(self.month, self.fys)
        tg = self.t["targets"]
        sel = tg[(tg["level"] == self.level) & (tg["unit"] == self.unit)
                 & (tg["metric"] == "amount")
                 & pd.PeriodIndex(tg["month"], freq="M").isin(months)]
        target = float(sel["target"].sum()) if len(sel) else None
        stored = self._stored("quarter_projections", self.level, self.unit)
        q = (stored.iloc[0].to_dict() if stored is not None
             else self._quarter_projection(y, target))
        label = fmt_quarter(months, self.lang)
        values = dict(q=label, proj=self.money(q["projection"]), lo=self.money(q["lower"]),
                      hi=self.money(q["upper"]), target=self.money(q["quarter_target"]),
                      prob=fmt.pct(q["probability"], digits=0))
        if q["months_remaining"] == 0:
            key = "closed"
        elif np.isfinite(q["quarter_target"]) and q["quarter_target"] > 0:
            key = "target"
        else:
            key = "no_target"
        return Block("", _QUARTER[self.lang if self.lang in _QUARTER else "en"][key].format(**values))

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
