"""Number formats and report labels in English and Chinese.

Money: ``$1.23M`` / ``$45.6K`` in English; ``¥123.4万`` / ``¥1.23亿`` in Chinese.
Ratios are fractions in the data and shown as percentages (``87.5 %``); pace as
points (``-6.2 pts``). A missing value ("no value") is shown as an em dash.
"""

from __future__ import annotations

import html
import math

__all__ = ["DASH", "money", "pct", "points", "number", "label", "LABELS", "esc"]

DASH = "—"


def _missing(x) -> bool:
    try:
        return x is None or (isinstance(x, float) and math.isnan(x)) or math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def money(x, currency: str = "$", *, lang: str = "en", digits: int = 3) -> str:
    """Format an amount of money compactly for a report.

    Parameters
    ----------
    x : float
        The amount (NaN shows as a dash).
    currency : str
        The symbol shown before it.
    lang : str
        ``en`` or ``zh``.
    digits : int
        Significant digits of a compact amount.

    Examples
    --------
    >>> money(1234567, "$"), money(-45600, "$"), money(999, "$")
    ('$1.23M', '-$45.6K', '$999')
    >>> money(1234567, "¥", lang="zh"), money(123456789, "¥", lang="zh"), money(8000, "¥", lang="zh")
    ('¥123.5万', '¥1.23亿', '¥8,000')
    >>> money(999_999, "$"), money(999.6, "$"), money(0.4, "$"), money(99_999_999, "¥", lang="zh")
    ('$1.00M', '$1.00K', '$0.40', '¥1.00亿')
    >>> money(float("nan"))
    '—'
    """
    if _missing(x):
        return DASH
    x = float(x)
    sign = "-" if x < 0 else ""
    a = abs(x)
    if lang == "zh":
        steps = [(1e8, "亿"), (1e4, "万")]
    else:
        steps = [(1e9, "B"), (1e6, "M"), (1e3, "K")]
    def shown(v, suffix):
        if lang == "zh" and suffix == "万":
            return f"{v:,.1f}"
        text = f"{v:#.{digits}g}".rstrip(".") if v < 1000 else f"{v:,.0f}"
        return f"{v:,.0f}" if "e" in text else text

    for i, (size, suffix) in enumerate(steps):
        if a >= size:
            text = shown(a / size, suffix)
            # rounding up to the next unit says it in that unit: $1M, not $1,000K
            if i and float(text.replace(",", "")) * size >= steps[i - 1][0]:
                size, suffix = steps[i - 1]
                text = shown(a / size, suffix)
            return f"{sign}{currency}{text}{suffix}"
    if a and a < 10 and round(a) != a:  # small amounts keep their cents: $0.40, not $0
        return f"{sign}{currency}{a:,.2f}"
    if round(a) >= steps[-1][0]:  # 999.6 -> $1K
        return f"{sign}{currency}{shown(a / steps[-1][0], steps[-1][1])}{steps[-1][1]}"
    return f"{sign}{currency}{a:,.0f}"


def pct(x, *, digits: int = 1) -> str:
    """Format a fraction as a percentage: ``0.875 -> '87.5 %'``.

    Parameters
    ----------
    x : float
        The fraction (NaN shows as a dash).
    digits : int
        Decimal places of the percentage.

    Examples
    --------
    >>> pct(0.875), pct(-0.0312), pct(float("nan"))
    ('87.5 %', '-3.1 %', '—')
    """
    if _missing(x):
        return DASH
    return f"{float(x) * 100:.{digits}f} %"


def points(x, *, digits: int = 1, lang: str = "en") -> str:
    """Format a difference of two fractions in percentage points: ``-0.062 -> '-6.2 pts'``.

    Parameters
    ----------
    x : float
        The difference, a fraction (NaN shows as a dash).
    digits : int
        Decimal places.
    lang : str
        ``en`` or ``zh``.

    Examples
    --------
    >>> points(-0.062), points(0.05, lang="zh")
    ('-6.2 pts', '+5.0 个百分点')
    """
    if _missing(x):
        return DASH
    unit = "个百分点" if lang == "zh" else "pts"
    return f"{float(x) * 100:+.{digits}f} {unit}"


def number(x, *, digits: int = 0) -> str:
    """Format a plain number with thousands separators.

    Parameters
    ----------
    x : float
        The number (NaN shows as a dash).
    digits : int
        Decimal places.

    Examples
    --------
    >>> number(12345.6), number(float("nan"))
    ('12,346', '—')
    """
    if _missing(x):
        return DASH
    return f"{float(x):,.{digits}f}"


def esc(text) -> str:
    """Escape text from the data for HTML (names like ``<script>`` show as text).

    Parameters
    ----------
    text : object
        Any value; None shows as empty.
    """
    return html.escape(str(text), quote=True)


LABELS = {
    "en": {
        "team_report": "Team report", "company_report": "Company overview",
        "month": "Month", "target": "Target", "actual": "Actual", "attainment": "Attainment",
        "gap": "Gap", "ytd": "Year to date", "ytd_target": "YTD target", "ytd_actual": "YTD actual",
        "annual_target": "Annual target", "annual_completion": "Annual completion",
        "time_progress": "Time progress", "pace": "Pace", "mom": "MoM", "yoy": "YoY",
        "rep": "Rep", "team": "Team", "rank": "Rank", "tier": "Tier",
        "cum_target": "Cumulative target", "cum_actual": "Cumulative actual",
        "data_quality": "Data quality", "progress": "Progress", "comparison": "Comparison",
        "drilldown": "Drill-down", "kpis": "KPIs", "alerts": "Alerts & recognition",
        "forecast": "Forecast", "headline": "Headline", "amount": "Sales",
        "required_run_rate": "Required per month", "share": "Share of shortfall",
        "last_year": "Last year", "prev_month": "Previous month", "category": "Category",
        "customer": "Customer", "change": "Change", "status": "Status", "report": "Report",
        "generated": "Generated", "last_sale": "Last sale in the data", "failed": "failed",
        "projection": "Year-end projection", "probability": "Chance of reaching target",
        "lower": "Low (80 %)", "upper": "High (80 %)", "no_data": "No data",
        "ytd_attainment": "YTD attainment", "active": "Active customers",
        "active_prev_month": "Active last month", "active_last_year": "Active last year",
        "active_mom": "Active MoM", "active_yoy": "Active YoY", "new_customers": "New customers",
        "new_last_year": "New last year", "new_yoy": "New YoY", "stage": "Stage",
        "count": "Count", "value": "Value", "conversion": "Conversion", "effect": "Effect",
        "names": "Names", "severity": "Severity", "unit": "Unit", "rule": "Rule",
        "message": "Message", "table": "Table", "check": "Check", "detail": "Detail",
        "as_of": "as of", "company": "Company",
        "manager": "Manager", "title": "Title", "people": "People in line",
        "line_ytd_actual": "Line YTD actual", "line_ytd_target": "Line YTD target",
        "line_ytd_attainment": "Line YTD attainment", "own_ytd_actual": "Own sales YTD",
        "own_share_ytd": "Own share", "lines": "Reporting lines",
    },
    "zh": {
        "team_report": "团队业绩报告", "company_report": "公司业绩总览",
        "month": "月份", "target": "目标", "actual": "实际", "attainment": "达成率",
        "gap": "差额", "ytd": "当年累积", "ytd_target": "累积目标", "ytd_actual": "累积实际",
        "annual_target": "年度目标", "annual_completion": "年度完成率",
        "time_progress": "时间进度", "pace": "进度差", "mom": "环比", "yoy": "同比",
        "rep": "销售代表", "team": "团队", "rank": "排名", "tier": "等级",
        "cum_target": "累计目标", "cum_actual": "累计实际",
        "data_quality": "数据质量", "progress": "进度分析", "comparison": "比较分析",
        "drilldown": "钻取分析", "kpis": "关键指标", "alerts": "警报与奖惩",
        "forecast": "预测", "headline": "核心指标", "amount": "销售额",
        "required_run_rate": "剩余每月需完成", "share": "缺口占比",
        "last_year": "去年同期", "prev_month": "上月", "category": "品类",
        "customer": "客户", "change": "变化", "status": "状态", "report": "报告",
        "generated": "生成时间", "last_sale": "数据最后销售日", "failed": "失败",
        "projection": "年末预测", "probability": "达成目标概率",
        "lower": "低 (80 %)", "upper": "高 (80 %)", "no_data": "无数据",
        "ytd_attainment": "累积达成率", "active": "活跃客户", "active_prev_month": "上月活跃",
        "active_last_year": "去年同期活跃", "active_mom": "活跃环比", "active_yoy": "活跃同比",
        "new_customers": "新客户", "new_last_year": "去年同期新客户", "new_yoy": "新客户同比",
        "stage": "阶段", "count": "数量", "value": "金额", "conversion": "转化率", "effect": "效应",
        "names": "名单", "severity": "级别", "unit": "单位", "rule": "规则", "message": "说明",
        "table": "数据表", "check": "检查项", "detail": "详情", "as_of": "截至",
        "company": "公司",
        "manager": "经理", "title": "职务", "people": "下属人数",
        "line_ytd_actual": "条线累积实际", "line_ytd_target": "条线累积目标",
        "line_ytd_attainment": "条线累积达成率", "own_ytd_actual": "本人累积销售",
        "own_share_ytd": "本人占比", "lines": "汇报条线",
    },
}


def label(key: str, lang: str = "en") -> str:
    """Return the report label ``key`` in ``lang`` (falls back to English, then the key).

    Parameters
    ----------
    key : str
        The label's key (see :data:`LABELS`).
    lang : str
        ``en`` or ``zh``.

    Examples
    --------
    >>> label("attainment", "zh"), label("attainment")
    ('达成率', 'Attainment')
    """
    return LABELS.get(lang, LABELS["en"]).get(key) or LABELS["en"].get(key, key)
