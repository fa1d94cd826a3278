"""Report sections: turn a run slice (see :mod:`salesnb.report`) into titled blocks.

Each method returns one :class:`salesnb.html.Block`: a heading, one table or chart and
one sentence generated from the numbers. The numbers come from the analysis modules;
this module only selects rows, formats and words them.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from . import calendar as cal
from . import compare as _compare
from . import fmt, plots
from . import forecast as _fc
from . import progress as _progress
from .html import Block, cards_html, table_html

__all__ = ["ReportBase", "TeamReport", "say"]

# Sentences in both languages; {placeholders} are filled with formatted numbers.
SENTENCES = {
    "en": {
        "headline": "{unit} reached {att} of its {month} target ({actual} of {target}); "
                    "the year stands at {comp} of the annual target with {tp} of the year gone, "
                    "{pace_words}.",
        "ahead": "{pts} ahead of pace",
        "behind": "{pts} behind pace",
        "no_target": "{unit} has no target for {month}; it sold {actual}.",
        "monthly": "{n_hit} of {n} months so far met their target; the cumulative actual is "
                   "{cum_att} of the cumulative target.",
        "run_rate": "To reach the annual target, each remaining month must bring {rr} "
                    "on average ({months} months left).",
        "run_rate_done": "The annual target is already reached.",
        "reps": "{top} leads the team at {top_att}; {n_below} of {n} reps are below the "
                "team's attainment of {team_att}.",
        "reps_none": "No rep-level targets or sales this month.",
        "growth": "Sales are {mom} on last month and {yoy} on the same month last year; "
                  "the year to date is {ytd_yoy} like for like.",
        "customers": "{active} active customers this month ({yoy} year on year), "
                     "{new} of them new.",
        "ranking": "{unit} ranks {rank} of {n} teams by attainment this month.",
        "attribution": "{unit}'s gap for {span} is {gap}; {top_share} of the shortfall comes "
                       "from {top_names}.",
        "attribution_ok": "{unit} is ahead of its target for {span} by {surplus}; "
                          "{top_names} contributed most.",
        "contrib": "Sales changed by {change} year on year; the largest contributions came "
                   "from {names}.",
        "forecast": "At the current trend the year ends near {proj} (80 % range {lo} – {hi}), "
                    "{vs} the annual target of {target}: a {prob} chance of reaching it.",
        "forecast_short": "Fewer than 6 months of history: the projection uses the run-rate only.",
        "quality_ok": "No data-quality problems were found.",
        "quality": "{n} data-quality findings: {items}.",
        "alerts_none": "No alerts this month.",
        "alerts": "{n} alerts; the most serious: {first}",
        "tiers": "{star} star and {achieved} achieved reps; {coaching} need coaching.",
    },
    "zh": {
        "headline": "{unit}{month}完成目标的{att}（实际{actual}，目标{target}）；"
                    "年度完成率{comp}，时间进度{tp}，{pace_words}。",
        "ahead": "领先进度{pts}",
        "behind": "落后进度{pts}",
        "no_target": "{unit}{month}没有目标；实际销售{actual}。",
        "monthly": "今年已过{n}个月中有{n_hit}个月达成目标；累计实际为累计目标的{cum_att}。",
        "run_rate": "要完成年度目标，剩余{months}个月平均每月需完成{rr}。",
        "run_rate_done": "年度目标已经完成。",
        "reps": "{top}以{top_att}领先团队；{n}名销售代表中有{n_below}名低于团队达成率{team_att}。",
        "reps_none": "本月没有销售代表层级的目标或销售。",
        "growth": "销售额环比{mom}，同比{yoy}；当年累积同比（同口径）{ytd_yoy}。",
        "customers": "本月活跃客户{active}个（同比{yoy}），其中新客户{new}个。",
        "ranking": "本月{unit}的达成率在{n}个团队中排第{rank}。",
        "attribution": "{unit}{span}缺口为{gap}；其中{top_share}来自{top_names}。",
        "attribution_ok": "{unit}{span}超出目标{surplus}；贡献最大的是{top_names}。",
        "contrib": "销售额同比变化{change}；贡献最大的是{names}。",
        "forecast": "按当前趋势，年末预计约{proj}（80 %区间{lo} – {hi}），{vs}年度目标{target}；"
                    "达成概率{prob}。",
        "forecast_short": "历史不足6个月：预测仅按近期月均（run-rate）。",
        "quality_ok": "未发现数据质量问题。",
        "quality": "数据质量发现{n}项：{items}。",
        "alerts_none": "本月没有警报。",
        "alerts": "共{n}条警报；最严重的是：{first}",
        "tiers": "明星{star}人，达标{achieved}人；需辅导{coaching}人。",
    },
}


def say(key: str, lang: str = "en", **values) -> str:
    """Return sentence ``key`` in ``lang`` filled with already formatted ``values``."""
    table = SENTENCES.get(lang, SENTENCES["en"])
    return table.get(key, SENTENCES["en"][key]).format(**values)


def _month_name(month: str, lang: str) -> str:
    p = cal.to_month(month)
    if lang == "zh":
        return f"{p.year}年{p.month}月"
    return p.strftime("%B %Y")


class ReportBase:
    """Shared formatting for team and company reports."""

    def __init__(self, tables: dict, *, lang: str = "en", currency: str = "$",
                 company: str = "Company"):
        self.t = tables
        self.meta = tables["meta"]
        self.lang = lang
        self.currency = currency
        self.company = "公司" if (lang == "zh" and company in ("", "Company")) else company
        self.gross_margin = 0.3
        self.month = self.meta["month"]
        self.fys = int(self.meta.get("fiscal_year_start", 1))
        #: the as-of date falls before the month's last day (a mid-month or weekly report)
        self.partial_month = (pd.Timestamp(self.meta["as_of"])
                              < cal.to_month(self.month).end_time.normalize())
        plots.use_report_style()

    # formatting shortcuts
    def money(self, x):
        return fmt.money(x, self.currency, lang=self.lang)

    def L(self, key):
        return fmt.label(key, self.lang)

    def table(self, df, formats, **kw):
        return table_html(df, formats, currency=self.currency, lang=self.lang, **kw)

    def section(self, key: str) -> Block:
        """Return an H2 section heading in the report language."""
        return Block(title=self.L(key), level=2)

    def prow(self, level: str, unit: str, metric: str = "amount") -> pd.Series | None:
        p = self.t["progress"]
        r = p[(p["level"] == level) & (p["unit"] == unit) & (p["metric"] == metric)]
        return None if r.empty else r.iloc[0]

    def display_unit(self, level, unit):
        return self.company if level == "company" else unit

    def headline_for(self, level: str, unit: str) -> Block:
        r = self.prow(level, unit)
        name = self.display_unit(level, unit)
        mname = _month_name(self.month, self.lang)
        if r is None:
            return Block("", say("no_target", self.lang, unit=name, month=mname,
                                 actual=self.money(0)))
        def delta(v, good_if_pos=True):  # noqa: E306
            if v is None or pd.isna(v):
                return fmt.DASH
            arrow = "▲" if v >= 0 else "▼"
            return f"{arrow} {fmt.pct(v)}"
        pace = r["pace"]
        cards = [
            (f"{self.L('actual')} · {mname}", self.money(r["actual"]),
             f"{self.L('target')} {self.money(r['target'])}"),
            (self.L("attainment"), fmt.pct(r["attainment"]),
             f"{self.L('gap')} {self.money(r['gap'])}"),
            (self.L("mom"), fmt.pct(r["mom"]),
             delta(r["mom"])[:1] + f" {self.L('prev_month')} {self.money(r['prev_actual'])}"
             if not pd.isna(r["mom"]) else fmt.DASH),
            (self.L("yoy"), fmt.pct(r["yoy"]),
             delta(r["yoy"])[:1] + f" {self.L('last_year')} {self.money(r['last_year_actual'])}"
             if not pd.isna(r["yoy"]) else fmt.DASH),
            (self.L("ytd_actual"), self.money(r["ytd_actual"]),
             f"{self.L('ytd_target')} {self.money(r['ytd_target'])} · {fmt.pct(r['ytd_attainment'])}"),
            (self.L("annual_completion"), fmt.pct(r["annual_completion"]),
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
                           tp=fmt.pct(r["time_progress"]), pace_words=pace_words)
        return Block(cards_html(cards), sentence, title=self.L("headline"))

    def monthly_for(self, level, unit, *, chart: bool) -> Block:
        mp = _progress.monthly_progress(self.t["actuals"], self.t["targets"], level=level,
                                        unit=unit, month=self.month, fiscal_year_start=self.fys)
        done = mp[mp["actual"].notna()]
        closed = done[done["month"] < cal.to_month(self.month)] if self.partial_month else done
        hit = int(((closed["actual"] >= closed["target"]) & (closed["target"] > 0)).sum())
        cum = done.iloc[-1] if len(done) else None
        sentence = say("monthly", self.lang, n_hit=hit, n=len(closed),
                       cum_att=fmt.pct(cum["cum_attainment"] if cum is not None else np.nan))
        if chart:
            ax = plots.monthly_progress(mp, currency=self.currency, lang=self.lang)
            best = done.loc[done["attainment"].idxmax()] if done["attainment"].notna().any() else None
            if best is None:
                return Block(plots.figure_svg(ax.figure), "")
            chart_sentence = (f"The best month was {best['month']} at {fmt.pct(best['attainment'])} "
                              f"of target; the line shows the cumulative actual against the "
                              f"cumulative target." if self.lang != "zh" else
                              f"表现最好的是{best['month']}，达成率{fmt.pct(best['attainment'])}；"
                              f"折线为累计实际与累计目标。")
            return Block(plots.figure_svg(ax.figure), chart_sentence)
        shown = mp.assign(month=mp["month"].astype(str))
        body = self.table(shown, {"target": "money", "actual": "money", "attainment": "att",
                                  "cum_target": "money", "cum_actual": "money",
                                  "cum_attainment": "att"},
                          labels={"cum_attainment": self.L("attainment") + (
                              " (cum.)" if self.lang != "zh" else "（累计）")})
        return Block(body, sentence, title="Monthly progress" if self.lang != "zh" else "月度进度")

    def run_rate_for(self, level, unit) -> Block:
        r = self.prow(level, unit)
        if r is None or pd.isna(r["annual_target"]):
            return Block()
        if r["annual_target"] - r["ytd_actual"] <= 0:
            return Block("", say("run_rate_done", self.lang))
        req = _progress.required_run_rate_by_month(
            self.t["targets"], self.t["actuals"], unit=unit, level=level, metric="amount",
            month=self.month, fiscal_year_start=self.fys)
        body = self.table(req.assign(month=req["month"].astype(str)),
                          {"target": "money", "required": "money"},
                          labels={"required": self.L("required_run_rate")})
        return Block(body, say("run_rate", self.lang, rr=self.money(r["required_run_rate"]),
                               months=int(r["months_remaining"])),
                     title=self.L("required_run_rate"))

    def forecast_for(self, level, unit) -> Block:
        a = self.t["actuals"]
        s = a[(a["level"] == level) & (a["unit"] == unit) & (a["metric"] == "amount")]
        y = s.set_index("month")["actual"].sort_index()
        y = y[y.index <= cal.to_month(self.month)]
        pj = self.t["projections"]
        prow = pj[(pj["level"] == level) & (pj["unit"] == unit)]
        fy_months = cal.fiscal_year_months(cal.fiscal_year(self.month, self.fys), self.fys)
        remaining = int((fy_months > cal.to_month(self.month)).sum())
        hist = y[y.index.isin(fy_months)].cumsum().rename("actual").reset_index()
        hist.columns = ["month", "actual"]
        if remaining and len(y):
            fc = _fc.forecast_series(y, remaining, level=0.8)
            base = float(hist["actual"].iloc[-1]) if len(hist) else 0.0
            cumf = fc.assign(forecast=base + fc["forecast"].cumsum(),
                             lower=base + fc["lower"].cumsum(), upper=base + fc["upper"].cumsum())
            if not prow.empty:  # the band's end is the projection's simulated interval
                cumf.loc[cumf.index[-1], ["lower", "upper"]] = [prow.iloc[0]["lower"],
                                                               prow.iloc[0]["upper"]]
        else:
            cumf = pd.DataFrame(columns=["month", "forecast", "lower", "upper"])
        target = float(prow.iloc[0]["annual_target"]) if not prow.empty else np.nan
        ax = plots.forecast_chart(hist, cumf, target=target, currency=self.currency,
                                  lang=self.lang)
        if prow.empty:
            return Block(plots.figure_svg(ax.figure), "")
        p = prow.iloc[0]
        vs = ("above" if p["projection"] >= target else "below") if not np.isnan(target) else ""
        if self.lang == "zh":
            vs = {"above": "高于", "below": "低于"}.get(vs, "")
        sentence = say("forecast", self.lang, proj=self.money(p["projection"]),
                       lo=self.money(p["lower"]), hi=self.money(p["upper"]), vs=vs,
                       target=self.money(target), prob=fmt.pct(p["probability"], digits=0))
        note = _note_text(str(p.get("note", "") or "").strip(), self.lang)
        if len(y) >= 13 and "accuracy_n" in p.index:  # measured when the projection was fit
            sentence += " " + _fc.accuracy_words(int(p["accuracy_n"]), float(p["accuracy_mape"]),
                                                 float(p["accuracy_mae"]), lang=self.lang,
                                                 money=self.money)
        elif len(y) >= 13:
            sentence += " " + _fc.accuracy_sentence(y, origins=12)
        if note:
            sentence += " " + note
        return Block(plots.figure_svg(ax.figure), sentence)

    def data_quality(self, *, detail: bool) -> Block:
        q = self.t["quality"]
        q = q[q["count"] > 0] if len(q) else q
        if not len(q):
            return Block("", say("quality_ok", self.lang))
        cols = ["severity", "table", "check", "count"] + (["detail"] if detail else [])
        shown = q[cols].reset_index(drop=True)
        items = "; ".join(f"{r['check'].replace('_', ' ')} ({int(r['count'])})"
                          for _, r in shown.head(4).iterrows())
        return Block(self.table(shown, {"count": "int"}),
                     say("quality", self.lang, n=len(shown), items=items))


_NOTES_ZH = {
    _fc.NOTE_RUN_RATE: "历史不足6个月：按近3个月月均（run-rate）预测",
    _fc.NOTE_NO_SEASONAL: "历史不足24个月：不估计季节效应",
    _fc.NOTE_NO_MONTH_EFFECTS: "历史不足24个月：不估计各月的季节效应",
    _fc.NOTE_LINEAR: "有零或负值的月份：按金额本身（非对数）拟合",
    _fc.NOTE_ALL_ZERO: "各月均为零：预测为0",
}


def _note_text(note: str, lang: str) -> str:
    """The forecast's notes as a sentence in the report's language."""
    if not note:
        return ""
    if lang == "zh":
        parts = []
        for part in note.split("; "):
            m = re.fullmatch(r"(\d+) missing months filled with 0", part)
            parts.append(f"{m.group(1)}个缺失月份按0补齐" if m else _NOTES_ZH.get(part, part))
        return "；".join(parts) + "。"
    return note[0].upper() + note[1:] + ("" if note.endswith(".") else ".")


class TeamReport(ReportBase):
    """The blocks of one team's monthly report, from that team's slice only."""

    def __init__(self, tables: dict, team: str, **kw):
        super().__init__(tables, **kw)
        self.team = team

    def title(self) -> Block:
        m = _month_name(self.month, self.lang)
        body = (f"<h1>{fmt.esc(self.team)} · {fmt.esc(self.L('team_report'))} · {fmt.esc(m)}</h1>"
                f'<p class="sub">{fmt.esc(self.L("last_sale"))}: {fmt.esc(self.meta["last_sale_date"])}'
                f' · {fmt.esc(self.L("as_of"))} {fmt.esc(self.meta["as_of"])}</p>')
        return Block(body)

    def headline(self) -> Block:
        return self.headline_for("team", self.team)

    def monthly_table(self) -> Block:
        return self.monthly_for("team", self.team, chart=False)

    def monthly_chart(self) -> Block:
        return self.monthly_for("team", self.team, chart=True)

    def run_rate(self) -> Block:
        return self.run_rate_for("team", self.team)

    def _reps(self) -> pd.DataFrame:
        p = self.t["progress"]
        return p[(p["level"] == "rep") & (p["team"] == self.team) & (p["metric"] == "amount")]

    def reps_table(self) -> Block:
        reps = self._reps()
        if reps.empty:
            return Block("", say("reps_none", self.lang), title=self.L("rep"))
        team_row = self.prow("team", self.team)
        ranked = _compare.rank_units(reps, by="attainment", tiebreak="actual")
        shown = ranked[["rank", "unit", "target", "actual", "attainment", "ytd_target",
                        "ytd_actual", "ytd_attainment", "pace"]].rename(columns={"unit": "rep"})
        team_att = team_row["attainment"] if team_row is not None else np.nan
        below = int((reps["attainment"] < team_att).sum()) if not pd.isna(team_att) else 0
        top = ranked.iloc[0]
        sentence = say("reps", self.lang, top=top["unit"], top_att=fmt.pct(top["attainment"]),
                       n_below=below, n=len(reps), team_att=fmt.pct(team_att))
        body = self.table(shown, {"rank": "int", "target": "money", "actual": "money",
                                  "attainment": "att", "ytd_target": "money",
                                  "ytd_actual": "money", "ytd_attainment": "att", "pace": "pts"})
        return Block(body, sentence, title=self.L("rep"))

    def reps_chart(self) -> Block:
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

    def forecast(self) -> Block:
        return self.forecast_for("team", self.team)

    def projections(self) -> Block:
        """The year-end projection of the team and each of its reps, with the chance of
        reaching the annual target."""
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

    def quality(self) -> Block:
        return self.data_quality(detail=False)


def _updown(x, lang: str) -> str:
    """Word a growth rate: 'up 4.2 %' / 'down 3.5 %' (zh: 增长/下降)."""
    if x is None or pd.isna(x):
        return fmt.DASH if lang != "zh" else "无可比数据"
    if lang == "zh":
        return ("增长" if x >= 0 else "下降") + fmt.pct(abs(x))
    return ("up " if x >= 0 else "down ") + fmt.pct(abs(x))


def _names(values, lang, n=2):
    vals = [str(v) for v in values][:n]
    if not vals:
        return fmt.DASH
    if len(vals) == 1:
        return vals[0]
    return ("、".join(vals) if lang == "zh" else ", ".join(vals[:-1]) + " and " + vals[-1])


def _team_extra(cls):
    """Comparison, drill-down, KPI and alert sections of the team report."""

    def growth(self) -> Block:
        from . import compare as c
        g = c.period_growth(self.t["actuals"], month=self.month, fiscal_year_start=self.fys)
        g = g[(g["level"].isin(["company", "team"])) & (g["metric"] == "amount")].copy()
        if self.partial_month:  # like for like: the same days of last month and last year
            p = self.t["progress"]
            p = p[(p["metric"] == "amount") & p["level"].isin(["company", "team"])]
            p = p.set_index(["level", "unit"])
            for col in ("actual", "prev_actual", "mom", "last_year_actual", "yoy"):
                g[col] = [p[col].get((lv, u), np.nan) for lv, u in zip(g["level"], g["unit"], strict=False)]
            for level in ("company", "team"):
                lfl = c.ytd_like_for_like(self.t["sales"], as_of=self.meta["as_of"],
                                          fiscal_year_start=self.fys, level=level)
                lfl = lfl.set_index("unit")
                rows = g["level"] == level
                for col, src in (("ytd_actual", "ytd"), ("ytd_last_year", "ytd_last_year"),
                                 ("ytd_yoy", "ytd_yoy")):
                    g.loc[rows, col] = g.loc[rows, "unit"].map(lfl[src]).to_numpy()
        g["unit"] = np.where(g["level"] == "company", self.company, g["unit"])
        shown = g[["unit", "actual", "prev_actual", "mom", "last_year_actual", "yoy",
                   "ytd_actual", "ytd_last_year", "ytd_yoy"]]
        row = g[g["level"] == "team"]
        r = row.iloc[0] if len(row) else None
        lfl = c.ytd_like_for_like(self.t["sales"], as_of=self.meta["as_of"],
                                  fiscal_year_start=self.fys, level="team")
        lfl = lfl[lfl["unit"] == self.team]
        ytd_yoy = lfl["ytd_yoy"].iloc[0] if len(lfl) else (r["ytd_yoy"] if r is not None else np.nan)
        sentence = say("growth", self.lang,
                       mom=_updown(r["mom"] if r is not None else np.nan, self.lang),
                       yoy=_updown(r["yoy"] if r is not None else np.nan, self.lang),
                       ytd_yoy=_updown(ytd_yoy, self.lang))
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
        from . import compare as c
        cm = self.t["customer_months"]
        if cm is None or not len(cm):
            return Block("", "No customer ids in the data: customer growth is not available."
                         if self.lang != "zh" else "数据没有客户编号，无法计算客户增长率。")
        if self.partial_month:
            return Block("", "Customer counts are compared for whole months; see the month-end "
                         "report." if self.lang != "zh" else "客户数按整月比较，请见月末报告。")
        g = c.customer_growth(cm, month=self.month, level="team")
        g = g[g["unit"] == self.team]
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
        rk = self.t.get("ranking")
        if rk is None or not len(rk):
            return Block()
        mine = rk[rk["unit"] == self.team]
        if not len(mine):
            return Block()
        return Block("", say("ranking", self.lang, unit=self.team, rank=int(mine["rank"].iloc[0]),
                             n=int(mine["of"].iloc[0])))

    def consistency(self) -> Block:
        from . import compare as c
        # a month still in progress is neither met nor missed yet: count through the last one
        through = cal.to_month(self.month) - 1 if self.partial_month else self.month
        if cal.fiscal_year(through, self.fys) != cal.fiscal_year(self.month, self.fys):
            return Block()
        cs = c.consistency(self.t["actuals"], self.t["targets"], month=through,
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

    def attribution(self, span: str = "month") -> Block:
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
                           top_names=_names(top["child"], self.lang))
        else:
            neg = a.sort_values("gap").head(2)
            sentence = say("attribution_ok", self.lang, unit=self.team, span=span_word,
                           surplus=self.money(-gap), top_names=_names(neg["child"], self.lang))
        total = pd.DataFrame([{"rep": self.team, "target": a["target"].sum(),
                               "actual": a["actual"].sum(), "gap": gap,
                               "share": np.nan,
                               "attainment": a["actual"].sum() / a["target"].sum()
                               if a["target"].sum() else np.nan}])
        body = self.table(pd.concat([shown, total], ignore_index=True),
                          {"target": "money", "actual": "money", "gap": "money", "share": "pct",
                           "attainment": "att"}, highlight_last=True)
        title = f"{self.L('drilldown')}: {self.L('gap')} · {span_word}"
        return Block(body, sentence, title=title)

    def contributions(self, child: str = "rep") -> Block:
        from . import drilldown as d
        yc = d.yoy_contributions(self.t["cube"], month=self.month, parent_level="team",
                                 parent=self.team, child=child, span="ytd",
                                 fiscal_year_start=self.fys)
        if not len(yc):
            return Block()
        yc = yc.sort_values("change", key=lambda s: s.abs(), ascending=False)
        top = yc.head(2)
        sentence = say("contrib", self.lang, change=self.money(yc["change"].sum()),
                       names=_names([f"{r['child']} ({self.money(r['change'])})"
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
        from . import drilldown as d
        s = self.t.get("product_sales")
        if s is None or not len(s) or not s["quantity"].abs().sum():
            return Block("", "The data has no quantity or product: no price/volume/mix split."
                         if self.lang != "zh" else "数据没有数量或产品：无法做价格/数量/结构分解。")
        cur, base = d.product_periods(s, month=self.month, span="ytd",
                                      fiscal_year_start=self.fys, team=self.team)
        pvm = d.price_volume_mix(cur, base)
        biggest = pvm.iloc[pvm["value"].abs().argmax()]
        sent = (f"Of the year-to-date change of {self.money(pvm['value'].sum())}, the largest "
                f"effect is {biggest['effect']} ({self.money(biggest['value'])})."
                if self.lang != "zh" else
                f"当年累积变化{self.money(pvm['value'].sum())}中，影响最大的是{biggest['effect']}"
                f"（{self.money(biggest['value'])}）。")
        return Block(self.table(pvm, {"value": "money"}), sent,
                     title="Price, volume and mix" if self.lang != "zh" else "价格、数量与结构")

    def top_customers(self) -> Block:
        from . import drilldown as d
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

    def kpis(self) -> Block:
        from . import kpi as k
        o = self.t.get("opportunities")
        parts, notes = [], []
        zh = self.lang == "zh"
        fy = cal.fiscal_year_months(cal.fiscal_year(self.month, self.fys), self.fys)
        start, end = fy[0].start_time, cal.to_month(self.month).end_time
        if o is not None and len(o):
            fn = k.funnel(o, start=start, end=end)
            wr = k.win_rate(o, start=start, end=end)
            r = self.prow("team", self.team)
            gap = (r["annual_target"] - r["ytd_actual"]) if r is not None else np.nan
            cov = k.pipeline_coverage(o, as_of=self.meta["as_of"], period_end=fy[-1].end_time,
                                      remaining_gap=gap)
            ax = plots.funnel_chart(fn, lang=self.lang)
            parts.append(plots.figure_svg(ax.figure))
            parts.append(self.table(fn, {"count": "int", "value": "money", "conversion": "pct"}))
            notes.append((f"Win rate this year {fmt.pct(wr)}; open pipeline expected to close "
                           f"by year end {self.money(cov['open_value'])} covers "
                           f"{fmt.pct(cov['coverage'])} of the remaining gap.") if not zh else
                          f"今年成单率{fmt.pct(wr)}；预计年内成交的在途商机{self.money(cov['open_value'])}，"
                          f"覆盖剩余缺口的{fmt.pct(cov['coverage'])}。")
        else:
            notes.append("No opportunity data: funnel, win rate and pipeline coverage are not "
                         "shown." if not zh else "没有商机数据：不显示漏斗、成单率和管道覆盖率。")
        sp = self.t.get("spend")
        if sp is not None and len(sp):
            cube = self.t["cube"]
            fy_str = [str(m) for m in fy if m <= cal.to_month(self.month)]
            newc = int(cube[cube["month"].astype(str).isin(fy_str)]["new_customers"].sum())
            spent = sp[sp["month"].astype(str).isin(fy_str)]
            c = k.cac(spent, pd.DataFrame({"team": [self.team], "new_customers": [newc]}))
            c = c[c["unit"] == self.team]
            if len(c):
                notes.append((f"CAC this year: {self.money(c['cac'].iloc[0])} "
                              f"({self.money(c['spend'].iloc[0])} spend / {newc} new customers).")
                             if not zh else
                             f"今年客户获取成本{self.money(c['cac'].iloc[0])}（投入{self.money(c['spend'].iloc[0])}"
                             f" / 新客户{newc}个）。")
        else:
            notes.append("No spend data: CAC is not shown." if not zh else "没有费用数据：不显示客户获取成本。")
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
            tr = k.satisfaction_trend(sat, month=self.month, level="team")
            tr = tr[tr["unit"] == self.team]
            if len(tr):
                r = tr.iloc[0]
                notes.append((f"Customer satisfaction {r['score']:.2f} / 5 this month "
                              f"({'+' if r['change'] >= 0 else ''}{r['change']:.2f} on last month).")
                             if not zh and not pd.isna(r["change"]) else
                             (f"客户满意度{r['score']:.2f} / 5。" if zh else
                              f"Customer satisfaction {r['score']:.2f} / 5 this month."))
        else:
            notes.append("No satisfaction data." if not zh else "没有满意度数据。")
        return Block("".join(parts), " ".join(notes))

    def alerts(self) -> Block:
        al = self.t["alerts"]
        al = al[al["level"] != "company"] if len(al) else al
        if not len(al):
            return Block("", say("alerts_none", self.lang))
        shown = alert_rows(al, self.lang, self.company)
        return Block(self.table(shown, {}), say("alerts", self.lang, n=len(al),
                                               first=str(shown["message"].iloc[0])))

    def recognition(self) -> Block:
        from . import alerts as a
        ti = self.t["tiers"]
        if ti is None or not len(ti):
            return Block()
        summ = a.tier_summary(ti)
        cnt = dict(zip(summ["tier"], summ["count"], strict=False))
        return Block(self.table(summ, {"count": "int"}),
                     say("tiers", self.lang, star=cnt.get("star", 0),
                         achieved=cnt.get("achieved", 0), coaching=cnt.get("coaching", 0)),
                     title="Recognition (by year-to-date attainment)" if self.lang != "zh"
                     else "奖惩等级（按当年累积达成率）")

    for name, fn in list(locals().items()):
        if callable(fn) and name not in ("cls",):
            setattr(cls, name, fn)
    return cls


TeamReport = _team_extra(TeamReport)


def _weekly(cls):
    """Blocks of the weekly variant (销售周报): this week against last week, idle reps."""

    def week_title(self) -> Block:
        wk = "Weekly report" if self.lang != "zh" else "销售周报"
        body = (f"<h1>{fmt.esc(self.team)} · {fmt.esc(wk)} · {fmt.esc(self.meta['as_of'])}</h1>"
                f'<p class="sub">{fmt.esc(self.L("last_sale"))}: '
                f'{fmt.esc(self.meta["last_sale_date"])}</p>')
        return Block(body)

    def week_over_week(self) -> Block:
        from . import compare as c
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
        from . import compare as c
        reps = c.week_to_date(self.t["sales"], as_of=self.meta["as_of"], level="rep")
        idle = reps[reps["this_week"] <= 0]["unit"].tolist()
        if not idle:
            return Block("", "Every rep has sold this week." if self.lang != "zh"
                         else "本周每位销售代表都有成交。")
        return Block("", (f"No sales yet this week: {', '.join(idle)}." if self.lang != "zh"
                          else f"本周尚无成交：{'、'.join(idle)}。"),
                     title="Reps with no sales this week" if self.lang != "zh"
                     else "本周无成交的销售代表")

    for name, fn in list(locals().items()):
        if callable(fn) and name != "cls":
            setattr(cls, name, fn)
    return cls


TeamReport = _weekly(TeamReport)


_RULES_ZH = {"behind_pace": "落后进度", "mom_drop": "环比下降", "yoy_drop": "同比下降",
             "no_sales": "无成交", "target_mismatch": "目标不一致", "data_quality": "数据质量",
             "projected_miss": "预计未达标"}
_SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低"}


def alert_rows(alerts: pd.DataFrame, lang: str = "en", company: str = "Company") -> pd.DataFrame:
    """Return severity, unit, rule, message of alerts in the report language.

    English messages are the alert rules' own sentences; Chinese ones are worded here
    from the same tested values (the rule's ``value``).

    Examples
    --------
    >>> a = pd.DataFrame({"level": ["team"], "unit": ["华东"], "team": ["华东"],
    ...                   "rule": ["behind_pace"], "severity": ["high"], "value": [-0.062],
    ...                   "threshold": [-0.05], "message": ["..."]})
    >>> alert_rows(a, "zh").iloc[0].tolist()
    ['高', '华东', '落后进度', '华东落后时间进度6.2个百分点。']
    """
    out = alerts[["severity", "unit", "rule", "message"]].copy()
    is_company = (alerts["level"] == "company").to_numpy() if "level" in alerts else False
    if company != "Company" and len(alerts):  # the company's own name, as in the headings
        out.loc[is_company, "unit"] = company
        out.loc[is_company, "message"] = [m.replace("Company", company, 1)
                                          for m in out.loc[is_company, "message"]]
    if lang != "zh" or not len(alerts):
        return out.reset_index(drop=True)
    msgs = []
    for r in alerts.itertuples():
        who = f"{r.unit}（{r.team}）" if r.level == "rep" and isinstance(r.team, str) and r.team \
            else (company if r.level == "company" else str(r.unit))
        v = float(r.value) if r.value is not None and not pd.isna(r.value) else np.nan
        text = {
            "behind_pace": f"{who}落后时间进度{-v * 100:.1f}个百分点。",
            "mom_drop": f"{who}销售额环比下降{-v * 100:.1f} %。",
            "yoy_drop": f"{who}销售额同比下降{-v * 100:.1f} %。",
            "no_sales": f"{who}已连续{v:.0f}天没有成交。",
            "projected_miss": f"{who}预计年末只能完成年度目标的{v * 100:.1f} %。",
            "target_mismatch": f"{who}的下级目标之和与其目标不一致（相差{abs(v):,.0f}）。",
            "data_quality": f"数据质量问题：{r.message}",
        }.get(r.rule, str(r.message))
        msgs.append(text)
    out["message"] = msgs
    out["severity"] = out["severity"].map(lambda s: _SEVERITY_ZH.get(s, s))
    out["rule"] = out["rule"].map(lambda s: _RULES_ZH.get(s, s))
    return out.reset_index(drop=True)
