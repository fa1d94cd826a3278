"""Alerts, recognition tiers and data-quality findings, in the report's language.

The presentation twin of :mod:`salesnb.alerts`: the rows are the run's ``alerts``,
``tiers`` (:func:`salesnb.alerts.tier_summary`) and ``quality`` tables; Chinese alert
messages are worded here from the same tested values (:func:`alert_rows`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .. import alerts as a
from ..html import Block
from .words import say, term, terms

__all__ = ["AlertsView", "CompanyAlertsView", "alert_rows"]

_METRIC_ZH = {"amount": "", "quantity": "销量", "new_customers": "新客户数"}
_RULES_ZH = {"behind_pace": "落后进度", "mom_drop": "环比下降", "yoy_drop": "同比下降",
             "no_sales": "无成交", "target_mismatch": "目标不一致", "data_quality": "数据质量",
             "projected_miss": "预计未达标"}
_SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低"}


def alert_rows(alerts: pd.DataFrame, lang: str = "en", company: str = "Company") -> pd.DataFrame:
    """Return severity, unit, rule, message of alerts in the report language.

    English messages are the alert rules' own sentences; Chinese ones are worded here
    from the same tested values (the rule's ``value``).

    Parameters
    ----------
    alerts : DataFrame
        The alerts table (:func:`salesnb.alerts.evaluate_alerts`).
    lang : str
        ``en`` or ``zh``.
    company : str
        The company's name for company-level rows.

    Examples
    --------
    >>> a = pd.DataFrame({"level": ["team"], "unit": ["华东"], "team": ["华东"],
    ...                   "rule": ["behind_pace"], "severity": ["high"], "value": [-0.062],
    ...                   "threshold": [-0.05], "message": ["..."]})
    >>> alert_rows(a, "zh").iloc[0].tolist()
    ['高', '华东', '落后进度', '华东落后计划进度6.2个百分点。']
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
            "behind_pace": f"{who}{_METRIC_ZH.get(getattr(r, 'metric', ''), '')}"
                           f"落后计划进度{-v * 100:.1f}个百分点。",
            "mom_drop": f"{who}销售额环比下降{-v * 100:.1f} %。",
            "yoy_drop": f"{who}销售额同比下降{-v * 100:.1f} %。",
            "no_sales": f"{who}已连续{v:.0f}天没有成交。",
            "projected_miss": f"{who}预计年末只能完成年度目标的{v * 100:.1f} %。",
            "target_mismatch": f"{who}的下级目标之和与其目标不一致（相差{abs(v):,.0f}）。",
            "data_quality": _quality_zh(str(r.message), v),
        }.get(r.rule, str(r.message))
        msgs.append(text)
    out["message"] = msgs
    out["severity"] = out["severity"].map(lambda s: _SEVERITY_ZH.get(s, s))
    out["rule"] = out["rule"].map(lambda s: _RULES_ZH.get(s, s))
    return out.reset_index(drop=True)


def _quality_zh(message: str, count: float) -> str:
    """Word a data-quality alert in Chinese from its English message's table and check."""
    m = re.match(r"Data quality \((\w+) table, ([a-z ]+)\)", message)
    if not m:
        return "数据质量问题。"
    table, check = m.group(1), m.group(2).replace(" ", "_")
    n = f"，共{count:,.0f}行" if not pd.isna(count) else ""
    return f"数据质量问题：{term(table, 'zh')}表中{term(check, 'zh')}{n}。"


def _rows_zh(rows: str) -> str:
    """Word the loader's row list ("5, 9, 12 (and 127 more)") in Chinese."""
    return re.sub(r"\s*\(and ([\d,]+) more\)", r"等（另有\1行）", rows)


class AlertsView:
    """The team's alerts, its reps' recognition tiers and the run's data quality."""

    def alerts(self) -> Block:
        """Return the team's and its reps' alerts, most serious first.

        Returns
        -------
        Block
            The alerts table and a sentence with the count and the first; a sentence only when there are none.
        """
        al = self.t["alerts"]
        al = al[al["level"] != "company"] if len(al) else al
        if not len(al):
            return Block("", say("alerts_none", self.lang))
        shown = alert_rows(al, self.lang, self.company)
        return Block(self.table(shown, {}), say("alerts", self.lang, n=len(al),
                                               first=str(shown["message"].iloc[0])))

    def recognition(self) -> Block:
        """Return how many reps are in each incentive tier (by year-to-date attainment).

        Returns
        -------
        Block
            The tier counts and one sentence; empty without tiers.
        """
        ti = self.t["tiers"]
        if ti is None or not len(ti):
            return Block()
        summ = a.tier_summary(ti)
        cnt = dict(zip(summ["tier"], summ["count"], strict=False))
        summ = summ.assign(tier=terms(summ["tier"], self.lang))
        return Block(self.table(summ, {"count": "int"}),
                     say("tiers", self.lang, star=cnt.get("star", 0),
                         achieved=cnt.get("achieved", 0), coaching=cnt.get("coaching", 0)),
                     title="Recognition (by year-to-date attainment)" if self.lang != "zh"
                     else "奖惩等级（按当年累积达成率）")

    def data_quality(self, *, detail: bool) -> Block:
        """Return the data-quality findings of the run.

        Parameters
        ----------
        detail : bool
            Show each finding's detail (the company report; a team's slice has counts only).

        Returns
        -------
        Block
            The findings table and one sentence; a sentence only when there are none.
        """
        q = self.t["quality"]
        q = q[q["count"] > 0] if len(q) else q
        if not len(q):
            return Block("", say("quality_ok", self.lang))
        cols = ["severity", "table", "check", "count"] + (["detail"] if detail else [])
        shown = q[cols].reset_index(drop=True)
        if self.lang == "zh":  # the loader's details are English: say the check and its rows
            if detail:
                rows = q["rows"].reset_index(drop=True) if "rows" in q.columns else None
                shown["detail"] = [term(c, "zh") + (f"：第{_rows_zh(r)}行" if rows is not None
                                                    and isinstance(r, str) and r else "")
                                   for c, r in zip(shown["check"], rows if rows is not None
                                                   else [""] * len(shown), strict=True)]
            items = "；".join(f"{term(r['check'], 'zh')}（{int(r['count'])}）"
                             for _, r in shown.head(4).iterrows())
            shown = shown.assign(**{c: terms(shown[c], "zh")
                                    for c in ("severity", "table", "check")})
        else:
            items = "; ".join(f"{r['check'].replace('_', ' ')} ({int(r['count'])})"
                              for _, r in shown.head(4).iterrows())
        return Block(self.table(shown, {"count": "int"}),
                     say("quality", self.lang, n=len(shown), items=items))


class CompanyAlertsView(AlertsView):
    """The company's alerts: company and team alerts, and how many concern reps."""

    def alerts(self) -> Block:
        """Return the company's and the teams' alerts; reps' alerts are counted only.

        Returns
        -------
        Block
            The alerts table and a sentence with the count, the first and the number of reps' alerts.
        """
        al = self.t["alerts"]
        if not len(al):
            return Block("", say("alerts_none", self.lang))
        shown = al[al["level"].isin(["company", "team"])]
        reps = al[al["level"] == "rep"]
        extra = (f" {len(reps)} more alerts concern individual reps (see the team reports)."
                 if self.lang != "zh" else f" 另有{len(reps)}条关于销售代表的警报（见团队报告）。")
        if not len(shown):
            return Block("", say("alerts_none", self.lang) + extra)
        rows = alert_rows(shown, self.lang, self.company)
        return Block(self.table(rows, {}),
                     say("alerts", self.lang, n=len(shown), first=str(rows["message"].iloc[0]))
                     + extra)
