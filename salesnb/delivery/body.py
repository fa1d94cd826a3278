"""The short e-mail body of a delivery: headline figures and the top alerts, HTML and text.

Every figure is read from the tables the run wrote (``tables/progress.csv``,
``tables/alerts.csv``) and only formatted here, never recomputed.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .. import fmt
from .recipients import Delivery

__all__ = ["headline", "top_alerts", "subject", "body_text", "body_html", "TOP_ALERTS"]

TOP_ALERTS = 3
_SEVERITY = {"high": 0, "medium": 1, "low": 2}

_WORDS = {
    "en": {"director": "company overview", "manager": "team report", "rep": "scorecard",
           "month": "Month", "of": "of target", "ytd": "Year to date", "pace": "pace",
           "alerts": "Top alerts", "none": "No open alerts.", "attached": "Attached",
           "open": "open the HTML file in a browser", "data": "data to"},
    "zh": {"director": "公司总览", "manager": "团队报告", "rep": "个人成绩单",
           "month": "本月", "of": "目标", "ytd": "年累计", "pace": "进度差",
           "alerts": "主要预警", "none": "没有未关闭的预警。", "attached": "附件",
           "open": "用浏览器打开 HTML 文件", "data": "数据截至"},
}


def _unit(d: Delivery) -> tuple[str, str]:
    """(level, unit) of the progress row that heads the message."""
    if d.role == "director":
        return "company", "Company"
    return ("team", d.scope) if d.role == "manager" else ("rep", d.scope)


def headline(d: Delivery, progress: pd.DataFrame) -> dict | None:
    """Return the amount row of progress.csv for the delivery's unit (None if absent).

    Parameters
    ----------
    d : Delivery
        One message's recipient, unit and files.
    progress : DataFrame
        The pack's ``tables/progress.csv``.

    Examples
    --------
    >>> p = pd.DataFrame({"level": ["team"], "unit": ["East"], "metric": ["amount"],
    ...                   "actual": [90.0], "target": [100.0], "attainment": [0.9],
    ...                   "ytd_attainment": [0.95], "pace": [-0.02]})
    >>> headline(Delivery("manager", "East", "m@example.com", ()), p)["attainment"]
    0.9
    """
    level, unit = _unit(d)
    r = progress[(progress["level"] == level) & (progress["unit"].astype(str) == unit)
                 & (progress["metric"] == "amount")]
    return None if r.empty else r.iloc[0].to_dict()


def top_alerts(d: Delivery, alerts: pd.DataFrame, n: int = TOP_ALERTS) -> list[str]:
    """Return the messages of the delivery's most severe alerts (file order within a severity).

    A director sees the company's alerts, a manager their team's, a rep their own.

    Parameters
    ----------
    d : Delivery
        One message's recipient, unit and files.
    alerts : DataFrame
        The pack's ``tables/alerts.csv``.
    n : int
        At most this many.
    """
    if alerts.empty:
        return []
    a = alerts
    if d.role == "manager":
        a = a[a["team"].astype(str) == d.scope]
    elif d.role == "rep":
        a = a[(a["level"] == "rep") & (a["unit"].astype(str) == d.scope)]
    rank = a["severity"].map(_SEVERITY).fillna(3)
    a = a.assign(_r=rank).sort_values("_r", kind="stable")
    return [str(m) for m in a["message"].head(n)]


def subject(d: Delivery, record: Mapping) -> str:
    """Return the message subject: company, what is attached, for whom, the month.

    Parameters
    ----------
    d : Delivery
        One message's recipient, unit and files.
    record : mapping
        The pack's run.json.
    """
    p = record.get("params", {})
    lang = p.get("lang", "en") if p.get("lang") in _WORDS else "en"
    w = _WORDS[lang]
    who = "" if d.role == "director" else f" {d.scope}"
    return f"{p.get('company', 'Company')} · {w[d.role]}{who} · {p.get('month', '')}"


def _lines(d: Delivery, record: Mapping, progress: pd.DataFrame,
           alerts: pd.DataFrame) -> tuple[list[str], list[str]]:
    p = record.get("params", {})
    lang = p.get("lang", "en") if p.get("lang") in _WORDS else "en"
    cur = p.get("currency", "$")
    w = _WORDS[lang]
    r = headline(d, progress)
    figures = []
    if r is not None:
        figures.append(f"{w['month']}: {fmt.money(r['actual'], cur, lang=lang)} / "
                       f"{fmt.money(r['target'], cur, lang=lang)} {w['of']} "
                       f"({fmt.pct(r['attainment'])})")
        figures.append(f"{w['ytd']}: {fmt.pct(r['ytd_attainment'])} {w['of']}; "
                       f"{w['pace']} {fmt.points(r['pace'], lang=lang)}")
    last = record.get("data", {}).get("last_sale_date", "")
    if last:
        figures.append(f"({w['data']} {str(last)[:10]})")
    return figures, top_alerts(d, alerts)


def body_text(d: Delivery, record: Mapping, progress: pd.DataFrame,
              alerts: pd.DataFrame) -> str:
    """Return the plain-text part of the message.

    Parameters
    ----------
    d : Delivery
        One message's recipient, unit and files.
    record : mapping
        The pack's run.json.
    progress : DataFrame
        The pack's ``tables/progress.csv``.
    alerts : DataFrame
        The pack's ``tables/alerts.csv``.
    """
    w = _WORDS.get(record.get("params", {}).get("lang", "en"), _WORDS["en"])
    figures, al = _lines(d, record, progress, alerts)
    out = [subject(d, record), "", *figures, "", f"{w['alerts']}:"]
    out += [f"- {m}" for m in al] or [w["none"]]
    out += ["", f"{w['attached']}: {', '.join(d.files)} ({w['open']})."]
    return "\n".join(out) + "\n"


def body_html(d: Delivery, record: Mapping, progress: pd.DataFrame,
              alerts: pd.DataFrame) -> str:
    """Return the HTML part: the same content, inline styles only (e-mail clients drop CSS).

    Parameters
    ----------
    d : Delivery
        One message's recipient, unit and files.
    record : mapping
        The pack's run.json.
    progress : DataFrame
        The pack's ``tables/progress.csv``.
    alerts : DataFrame
        The pack's ``tables/alerts.csv``.
    """
    w = _WORDS.get(record.get("params", {}).get("lang", "en"), _WORDS["en"])
    figures, al = _lines(d, record, progress, alerts)
    e = fmt.esc
    items = "".join(f"<li>{e(m)}</li>" for m in al) or f"<li>{e(w['none'])}</li>"
    figs = "".join(f'<p style="margin:4px 0">{e(f)}</p>' for f in figures)
    return ('<!DOCTYPE html><html><body style="font-family:Arial,sans-serif;font-size:14px;'
            'color:#1d1d1f">'
            f'<h2 style="font-size:18px;margin:0 0 8px">{e(subject(d, record))}</h2>{figs}'
            f'<h3 style="font-size:15px;margin:14px 0 4px">{e(w["alerts"])}</h3><ul>{items}</ul>'
            f'<p style="color:#666">{e(w["attached"])}: {e(", ".join(d.files))} '
            f'({e(w["open"])}).</p></body></html>')
