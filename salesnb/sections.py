"""Report sections: turn a run slice (see :mod:`salesnb.report`) into titled blocks.

Each method returns one :class:`salesnb.html.Block`: a heading, one table or chart and
one sentence generated from the numbers. The numbers come from the analysis modules;
this module only selects rows, formats and words them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import calendar as cal
from . import compare as _compare
from . import fmt
from . import forecast as _fc
from . import plots
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
        "growth": "Sales were {mom} against last month and {yoy} against the same month last "
                  "year; year to date {ytd_yoy} like for like.",
        "customers": "{active} active customers this month ({yoy} year on year), "
                     "{new} of them new.",
        "ranking": "{unit} ranks {rank} of {n} teams by attainment this month.",
        "attribution": "{unit}'s {span} gap is {gap}; {top_share} of the shortfall comes from "
                       "{top_names}.",
        "attribution_ok": "{unit} is ahead of its {span} target by {surplus}; "
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
        self.company = company
        self.month = self.meta["month"]
        self.fys = int(self.meta.get("fiscal_year_start", 1))
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
            (self.L("mom"), fmt.pct(r["mom"]), delta(r["mom"])),
            (self.L("yoy"), fmt.pct(r["yoy"]), delta(r["yoy"])),
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
        hit = int(((done["actual"] >= done["target"]) & (done["target"] > 0)).sum())
        cum = done.iloc[-1] if len(done) else None
        sentence = say("monthly", self.lang, n_hit=hit, n=len(done),
                       cum_att=fmt.pct(cum["cum_attainment"] if cum is not None else np.nan))
        if chart:
            ax = plots.monthly_progress(mp, currency=self.currency, lang=self.lang)
            return Block(plots.figure_svg(ax.figure), sentence)
        shown = mp.assign(month=mp["month"].astype(str))
        body = self.table(shown, {"target": "money", "actual": "money", "attainment": "att",
                                  "cum_target": "money", "cum_actual": "money",
                                  "cum_attainment": "att"},
                          labels={"cum_attainment": self.L("attainment") + " (cum.)"})
        return Block(body, sentence, title=self.L("progress"))

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
            return Block(plots.figure_svg(ax.figure), "", title=self.L("forecast"))
        p = prow.iloc[0]
        vs = ("above" if p["projection"] >= target else "below") if not np.isnan(target) else ""
        if self.lang == "zh":
            vs = {"above": "高于", "below": "低于"}.get(vs, "")
        sentence = say("forecast", self.lang, proj=self.money(p["projection"]),
                       lo=self.money(p["lower"]), hi=self.money(p["upper"]), vs=vs,
                       target=self.money(target), prob=fmt.pct(p["probability"], digits=0))
        note = str(p.get("note", "") or "")
        if len(y) >= 13:
            sentence += " " + _fc.accuracy_sentence(y, origins=12)
        if note:
            sentence += " " + note
        return Block(plots.figure_svg(ax.figure), sentence, title=self.L("forecast"))

    def data_quality(self, *, detail: bool) -> Block:
        q = self.t["quality"]
        q = q[q["count"] > 0] if len(q) else q
        if not len(q):
            return Block("", say("quality_ok", self.lang), title=self.L("data_quality"))
        cols = ["severity", "table", "check", "count"] + (["detail"] if detail else [])
        shown = q[cols].reset_index(drop=True)
        items = "; ".join(f"{r['check'].replace('_', ' ')} ({int(r['count'])})"
                          for _, r in shown.head(4).iterrows())
        return Block(self.table(shown, {"count": "int"}),
                     say("quality", self.lang, n=len(shown), items=items),
                     title=self.L("data_quality"))


class TeamReport(ReportBase):
    """The blocks of one team's monthly report, from that team's slice only."""

    def __init__(self, tables: dict, team: str, **kw):
        super().__init__(tables, **kw)
        self.team = team

    def title(self) -> Block:
        m = _month_name(self.month, self.lang)
        body = (f"<h1>{fmt.esc(self.team)} · {fmt.esc(self.L('team_report'))} · {fmt.esc(m)}</h1>"
                f'<p class="sub">{fmt.esc(self.L("last_sale"))}: {fmt.esc(self.meta["last_sale_date"])}'
                f' · as of {fmt.esc(self.meta["as_of"])} · {fmt.esc(self.currency)}</p>')
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
        return Block(plots.figure_svg(ax.figure), "")

    def forecast(self) -> Block:
        return self.forecast_for("team", self.team)

    def quality(self) -> Block:
        return self.data_quality(detail=False)
