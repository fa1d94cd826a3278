"""Words of the reports: sentences in English and Chinese, and the small helpers that word values.

Every sentence a report block says is a template here (or, for a one-off, beside its
block), filled with numbers that are already formatted; nothing here computes a figure.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .. import calendar as cal
from .. import fmt

__all__ = ["SENTENCES", "TERMS", "HISTORY_WORDS", "say", "term", "terms", "month_name", "updown", "names",
           "page_title"]

# Sentences in both languages; {placeholders} are filled with formatted numbers.
SENTENCES = {
    "en": {
        "headline": "{unit} reached {att} of its {month} target ({actual} of {target}); "
                    "the year stands at {comp} of the annual target against {pp} planned by "
                    "now, {pace_words}.",
        "ahead": "{pts} ahead of pace",
        "behind": "{pts} behind pace",
        "pace_seasonal": "Against the calendar ({tp} of the year gone) it is {cal_words}: "
                         "the plan puts {share} of the year's target in {months}.",
        "pace_partial": "Its year runs from {first} to {last}, its months with a target: "
                        "{tp} of that time is gone.",
        "cal_ahead": "{pts} ahead",
        "cal_behind": "{pts} behind",
        "other_metric": "{metric}: {ytd_actual} so far this year against {ytd_target} "
                        "planned by now ({ytd_att}), {pace_words}.",
        "no_target": "{unit} has no target for {month}; it sold {actual}.",
        "monthly": "{n_hit} of {n} months so far met their target; the cumulative actual is "
                   "{cum_att} of the cumulative target.",
        "run_rate": "To reach the annual target, each remaining month must bring {rr} "
                    "on average ({months} months left).",
        "run_rate_done": "The annual target is already reached.",
        "reps": "{top} leads the team at {top_att}; {n_below} of {n} reps are below the "
                "team's attainment of {team_att}.",
        "reps_none": "No rep-level targets or sales this month.",
        "peers": "The reps' average (the peer average) is {avg}; a rep's percentile is the "
                 "share of the team's other reps below them.",
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
        "team_progress": "After {month}, {n_on} of {n} teams are at or above their cumulative "
                         "target; the panels share one scale, so the teams' sizes compare.",
        "team_progress_no_target": "No targets: the panels show each team's cumulative actual.",
    },
    "zh": {
        "headline": "{unit}{month}完成目标的{att}（实际{actual}，目标{target}）；"
                    "年度完成率{comp}，计划进度{pp}，{pace_words}。",
        "ahead": "领先计划进度{pts}",
        "behind": "落后计划进度{pts}",
        "pace_seasonal": "按时间进度（{tp}）计算则{cal_words}：计划把全年目标的{share}"
                         "安排在{months}。",
        "pace_partial": "其年度为{first}至{last}（有目标的月份），已过{tp}。",
        "cal_ahead": "领先{pts}",
        "cal_behind": "落后{pts}",
        "other_metric": "{metric}：当年累积{ytd_actual}，截至目前计划{ytd_target}（{ytd_att}），"
                        "{pace_words}。",
        "no_target": "{unit}{month}没有目标；实际销售{actual}。",
        "monthly": "今年已过{n}个月中有{n_hit}个月达成目标；累计实际为累计目标的{cum_att}。",
        "run_rate": "要完成年度目标，剩余{months}个月平均每月需完成{rr}。",
        "run_rate_done": "年度目标已经完成。",
        "reps": "{top}以{top_att}领先团队；{n}名销售代表中有{n_below}名低于团队达成率{team_att}。",
        "reps_none": "本月没有销售代表层级的目标或销售。",
        "peers": "销售代表平均达成率（同组平均）为{avg}；百分位为团队中低于该代表的其他代表所占比例。",
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
        "team_progress": "截至{month}，{n}个团队中有{n_on}个累计实际达到或超过累计目标；"
                         "各图刻度相同，可直接比较规模。",
        "team_progress_no_target": "没有目标：各图只显示各团队的累计实际。",
    },
}


#: the history of packs' words (salesnb.views.history: changes since the last pack, archive)
HISTORY_WORDS = {
    "en": {
        "changes": "Changes since {since}", "first": "This is the first pack of the series: "
        "there is no earlier pack to compare with.",
        "restated": "Restated figures", "restated_flag": "{n} figure(s) for past months differ "
        "from what the {since} pack reported: the data changed after it was published. The "
        "reports use today's data.",
        "no_restated": "No restated figures: every past month the {since} pack reported still "
        "has the same actual.",
        "tiers": "Tier moves", "no_tiers": "No team or rep changed tier.",
        "alerts": "Alerts opened and closed", "no_alerts": "No alert opened or closed.",
        "ranks": "Rank changes", "no_ranks": "No rank changed.",
        "opened": "opened", "closed": "closed", "up": "up", "down": "down",
        "level": "Level", "unit": "Unit", "team": "Team", "month": "Month",
        "reported": "Reported then", "current": "In today's data", "difference": "Difference",
        "metric": "Metric", "before": "Before", "after": "Now", "before_value": "YTD then",
        "after_value": "YTD now", "direction": "Move", "change": "Change", "rule": "Rule",
        "message": "Message", "rank_before": "Rank then", "rank_after": "Rank now",
        "places": "Places", "rank_in_team_before": "In team then",
        "rank_in_team_after": "In team now",
        "company": "Company", "rep": "Rep", "amount": "Sales", "quantity": "Quantity",
        "new_customers": "New customers",
        "archive": "Report archive", "pack": "Pack", "generated": "Generated",
        "last_sale": "Last sale", "actual": "Actual", "target": "Target",
        "attainment": "Attainment", "ytd_attainment": "YTD attainment", "reports": "Reports",
        "changes_col": "Changes since the previous pack", "restated_col": "Restated",
        "archive_sub": "{n} pack(s) in this folder, newest first. Each pack's index says "
        "what changed since the one before it.",
        "summary": "{tiers} tier move(s), {opened} alert(s) opened, {closed} closed, "
        "{ranks} rank change(s)", "none": "—",
    },
    "zh": {
        "changes": "自 {since} 以来的变化", "first": "这是本系列的第一期报告，没有更早的报告可比较。",
        "restated": "数据重述", "restated_flag": "有 {n} 个过去月份的数字与 {since} 期报告所载"
        "不同：数据在发布后被修改。本期报告使用当前数据。",
        "no_restated": "无数据重述：{since} 期报告所载的各过去月份实际值均未改变。",
        "tiers": "等级变动", "no_tiers": "没有团队或销售代表的等级发生变化。",
        "alerts": "新增与关闭的警报", "no_alerts": "没有新增或关闭的警报。",
        "ranks": "排名变化", "no_ranks": "排名没有变化。",
        "opened": "新增", "closed": "关闭", "up": "上升", "down": "下降",
        "level": "层级", "unit": "单位", "team": "团队", "month": "月份",
        "reported": "当时报告", "current": "当前数据", "difference": "差额",
        "metric": "指标", "before": "之前", "after": "现在", "before_value": "当时累积",
        "after_value": "现在累积", "direction": "变动", "change": "变化", "rule": "规则",
        "message": "说明", "rank_before": "当时排名", "rank_after": "现在排名",
        "places": "名次", "rank_in_team_before": "当时队内", "rank_in_team_after": "现在队内",
        "company": "公司", "rep": "销售代表", "amount": "销售额", "quantity": "数量",
        "new_customers": "新客户",
        "archive": "报告存档", "pack": "报告期", "generated": "生成时间",
        "last_sale": "最后销售日", "actual": "实际", "target": "目标",
        "attainment": "达成率", "ytd_attainment": "累积达成率", "reports": "报告数",
        "changes_col": "较上一期的变化", "restated_col": "重述",
        "archive_sub": "本文件夹共有 {n} 期报告，最新的在前。每期的索引页列出较上一期的变化。",
        "summary": "等级变动 {tiers} 个，新增警报 {opened} 个，关闭 {closed} 个，"
        "排名变化 {ranks} 个", "none": "—",
    },
}

# Words a report shows as values (table cells, chart labels): tier names, price/volume/mix
# effects, funnel stages, data-quality checks, tables and severities. A value found in no
# table is shown as it is (a stage name from the user's data, say).
TERMS = {
    "en": {
        # incentive tiers
        "star": "star", "achieved": "achieved", "watch": "watch", "coaching": "coaching",
        "no target": "no target",
        # price / volume / mix effects
        "price": "price", "volume": "volume", "mix": "mix", "new": "new", "lost": "lost",
        # funnel stages (salesnb.kpi.DEFAULT_STAGES and the final row)
        "Lead": "Lead", "Qualified": "Qualified", "Proposal": "Proposal",
        "Negotiation": "Negotiation", "Won": "Won",
        # data-quality checks
        "negative_amount": "negative amounts (returns, kept and counted)",
        "duplicate_rows": "exact duplicate rows", "duplicate_rows_unchecked":
        "duplicate rows not checked", "blank_rows": "blank rows",
        "after_report_month": "sales after the report month (left out)",
        "excluded_after_as_of": "sales after the as-of date (left out)",
        "rep_not_in_org": "reps in the sales but not in the org table",
        "target_unit_unknown": "targets for units found nowhere",
        "manager_cycle": "circular reporting lines", "manager_unknown": "managers who do not sell",
        "reporting_cycle": "circular reporting lines", "read_in_pandas": "read in memory",
        "missing_columns": "missing columns",
        # tables and severities
        "sales": "sales", "targets": "targets", "org": "org", "opportunities": "opportunities",
        "spend": "spend", "satisfaction": "satisfaction",
        "error": "error", "warning": "warning", "info": "info",
        # kinds of report (page titles)
        "team": "Team report", "company": "Company overview", "rep": "Scorecard",
        "week": "Weekly report",
    },
    "zh": {
        "star": "明星", "achieved": "达标", "watch": "关注", "coaching": "需辅导",
        "no target": "无目标",
        "price": "价格", "volume": "数量", "mix": "结构", "new": "新产品", "lost": "流失产品",
        "Lead": "线索", "Qualified": "已确认", "Proposal": "方案", "Negotiation": "谈判",
        "Won": "赢单",
        "negative_amount": "负金额（退货，保留并计入）", "duplicate_rows": "完全重复的行",
        "duplicate_rows_unchecked": "未检查重复行", "blank_rows": "空行",
        "after_report_month": "报告月之后的销售（未计入）",
        "excluded_after_as_of": "截止日之后的销售（未计入）",
        "rep_not_in_org": "销售数据中有、组织表中没有的销售代表",
        "target_unit_unknown": "目标中的单位在销售和组织表中都不存在",
        "manager_cycle": "汇报关系成环", "manager_unknown": "不直接销售的经理",
        "reporting_cycle": "汇报关系成环", "read_in_pandas": "读入内存",
        "missing_columns": "缺少列",
        "sales": "销售", "targets": "目标", "org": "组织", "opportunities": "商机",
        "spend": "费用", "satisfaction": "满意度",
        "error": "错误", "warning": "警告", "info": "提示",
        "team": "团队业绩报告", "company": "公司业绩总览", "rep": "个人业绩卡", "week": "销售周报",
    },
}


def term(value, lang: str = "en") -> str:
    """Return a value's word in ``lang`` (a tier, effect, stage, check, table or severity).

    Parameters
    ----------
    value : object
        The value as the tables hold it, e.g. ``"coaching"`` or ``"negative_amount"``.
    lang : str
        ``"en"`` or ``"zh"``.

    Returns
    -------
    str
        Its word; the value itself when :data:`TERMS` does not know it.

    Examples
    --------
    >>> term("volume", "zh"), term("Negotiation", "zh"), term("Acme stage", "zh")
    ('数量', '谈判', 'Acme stage')
    """
    table = TERMS.get(lang, TERMS["en"])
    return table.get(str(value), str(value))


def terms(values: pd.Series, lang: str = "en") -> pd.Series:
    """Return :func:`term` of every value of a column (the index is kept).

    Parameters
    ----------
    values : Series
        A column of tier names, effects, stages, checks, tables or severities.
    lang : str
        ``"en"`` or ``"zh"``.

    Returns
    -------
    Series
        The words.

    Examples
    --------
    >>> terms(pd.Series(["star", "watch"]), "zh").tolist()
    ['明星', '关注']
    """
    return values.map(lambda v: term(v, lang))


def say(key: str, lang: str = "en", **values: str) -> str:
    """Return sentence ``key`` in ``lang`` filled with already formatted ``values``.

    Parameters
    ----------
    key : str
        A key of :data:`SENTENCES`.
    lang : str
        ``"en"`` or ``"zh"``; a language without the sentence falls back to English.
    **values : str
        The sentence's placeholders, already formatted.

    Returns
    -------
    str
        The sentence.

    Examples
    --------
    >>> say("ranking", "en", unit="East", rank=2, n=6)
    'East ranks 2 of 6 teams by attainment this month.'
    """
    table = SENTENCES.get(lang, SENTENCES["en"])
    return table.get(key, SENTENCES["en"][key]).format(**values)


def page_title(kind: str, unit: str, *, month: str, company: str, lang: str = "en",
               as_of: str = "") -> str:
    """Return a report page's title: the unit, the kind of report, the month and the company.

    Parameters
    ----------
    kind : str
        ``"team"``, ``"company"``, ``"rep"`` or ``"week"``.
    unit : str
        The team or rep the page is about (ignored for the company overview).
    month : str
        The report month, ``YYYY-MM``.
    company : str
        The company's name (``""`` or ``"Company"``: none given).
    lang : str
        ``"en"`` or ``"zh"``.
    as_of : str
        The as-of day of a weekly report (``YYYY-MM-DD``), shown instead of the month.

    Returns
    -------
    str
        The title, parts joined by `` · ``.

    Examples
    --------
    >>> page_title("team", "East", month="2026-10", company="Sample Co.")
    'East · Team report · October 2026 · Sample Co.'
    >>> page_title("company", "", month="2026-10", company="", lang="zh")
    '公司 · 公司业绩总览 · 2026年10月'
    """
    named = company not in ("", "Company")
    who = (company if named else ("公司" if lang == "zh" else "Company")) if kind == "company" \
        else unit
    when = as_of if kind == "week" and as_of else month_name(month, lang)
    parts = [who, term(kind, lang), when] + ([company] if named and kind != "company" else [])
    return " · ".join(p for p in parts if p)


def month_name(month: str, lang: str) -> str:
    """Return a report month as words: ``October 2026`` (zh: ``2026年10月``).

    Parameters
    ----------
    month : str
        A month, ``YYYY-MM``.
    lang : str
        ``"en"`` or ``"zh"``.

    Returns
    -------
    str
        The month's name.

    Examples
    --------
    >>> month_name("2026-10", "en"), month_name("2026-10", "zh")
    ('October 2026', '2026年10月')
    """
    p = cal.to_month(month)
    if lang == "zh":
        return f"{p.year}年{p.month}月"
    return p.strftime("%B %Y")


def updown(x: float | None, lang: str) -> str:
    """Word a growth rate: 'up 4.2 %' / 'down 3.5 %' (zh: 增长/下降).

    Parameters
    ----------
    x : float or None
        A growth rate (0.042 for +4.2 %); None or NaN when there is no base.
    lang : str
        ``"en"`` or ``"zh"``.

    Returns
    -------
    str
        The words.

    Examples
    --------
    >>> updown(0.042, "en"), updown(-0.035, "zh")
    ('up 4.2 %', '下降3.5 %')
    """
    if x is None or pd.isna(x):
        return fmt.DASH if lang != "zh" else "无可比数据"
    if lang == "zh":
        return ("增长" if x >= 0 else "下降") + fmt.pct(abs(x))
    return ("up " if x >= 0 else "down ") + fmt.pct(abs(x))


def names(values: Iterable, lang: str, n: int = 2) -> str:
    """Join the first ``n`` names: 'Ann and Bob', 'Ann, Bob and Cy' (zh: 'Ann、Bob').

    Parameters
    ----------
    values : iterable
        Names, in the order to say them.
    lang : str
        ``"en"`` or ``"zh"``.
    n : int
        How many names to say at most.

    Returns
    -------
    str
        The joined names, or a dash when there are none.

    Examples
    --------
    >>> names(["Ann", "Bob", "Cy"], "en", n=3), names(["Ann", "Bob"], "zh")
    ('Ann, Bob and Cy', 'Ann、Bob')
    """
    vals = [str(v) for v in values][:n]
    if not vals:
        return fmt.DASH
    if len(vals) == 1:
        return vals[0]
    return ("、".join(vals) if lang == "zh" else ", ".join(vals[:-1]) + " and " + vals[-1])
