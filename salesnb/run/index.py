"""The pack's ``index.html``: each report with its headline figures, status and the data quality."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from urllib.parse import quote

from .. import fmt
from ..html import page, table_html
from .render import Job

__all__ = ["index_html"]


def _cards_line(cards: list[Job], lang: str) -> str:
    """Return the sentence on the rep scorecards (linked from team reports), failures named."""
    if not cards:
        return ""
    ok = sum(j.status == "ok" for j in cards)
    failed = [j for j in cards if j.status != "ok"]
    text = (f"{ok} of {len(cards)} rep scorecards written; each team report links its reps' "
            "scorecards." if lang != "zh" else
            f"已生成{len(cards)}份个人业绩卡中的{ok}份；各团队报告链接其成员的业绩卡。")
    if failed:
        text += (" Failed: " if lang != "zh" else " 失败：") + "; ".join(
            f"{j.name} ({j.error})" for j in failed)
    return f"<p>{fmt.esc(text)}</p>"


def _archive_link(series: bool, lang: str) -> str:
    if not series:
        return ""
    return f' · <a href="../index.html">{fmt.esc("报告存档" if lang == "zh" else "All packs")}</a>'


def _changes(changes, series, lang, currency, changes_html) -> str:
    if not series:
        return ""
    prev = changes.get("previous") if changes else None
    href = f"../{quote(Path(prev).name)}/index.html" if prev else ""
    return changes_html(changes, lang=lang, currency=currency, previous_href=href)


def index_html(tables: dict, jobs: list[Job], *, lang: str, currency: str,
               changes: dict | None = None, series: bool = False) -> str:
    """Return the pack's index page: each report with headline figures and its status.

    Parameters
    ----------
    tables : dict
        The prepared run.
    jobs : list of Job
        Every report of the pack (a partial re-run passes the whole pack's).
    lang : {"en", "zh"}
        Language of the page.
    currency : str
        Symbol shown before amounts.
    changes : dict, optional
        What changed since the previous pack (:func:`salesnb.run.archive.pack_history`).
    series : bool
        The pack is one of a series (``reports/<month>/``): the page links up to the archive
        index and shows the changes since the previous pack (or says it is the first).
    """
    import pandas as pd

    from ..views.history import changes_html
    p = tables["progress"]
    p = p[p["metric"] == "amount"]
    rows = []
    cards = [j for j in jobs if j.kind == "rep"]  # linked from their team reports, not here
    jobs = [j for j in jobs if j.kind != "rep"]
    for j in jobs:
        level, unit = ("company", "Company") if j.kind == "company" else ("team", j.name)
        r = p[(p["level"] == level) & (p["unit"] == unit)]
        r = r.iloc[0] if len(r) else None
        rows.append({
            "report": j.name if j.kind == "team" else fmt.label("company_report", lang),
            "file": j.out_file, "status": j.status, "error": j.error,
            "actual": r["actual"] if r is not None else float("nan"),
            "target": r["target"] if r is not None else float("nan"),
            "attainment": r["attainment"] if r is not None else float("nan"),
            "ytd_attainment": r["ytd_attainment"] if r is not None else float("nan"),
            "pace": r["pace"] if r is not None else float("nan"),
        })
    df = pd.DataFrame(rows)
    body_rows = []
    for _, r in df.iterrows():
        name = fmt.esc(r["report"])
        link = (f'<a href="{fmt.esc(r["file"])}">{name}</a>' if r["status"] == "ok"
                else f'{name} <span class="failed">{fmt.esc(fmt.label("failed", lang))}: '
                     f'{fmt.esc(r["error"])}</span>')
        body_rows.append(link)
    df = df.assign(report=body_rows)
    shown = df[["report", "actual", "target", "attainment", "ytd_attainment", "pace"]]
    tbl = table_html(shown, {"actual": "money", "target": "money", "attainment": "att",
                             "ytd_attainment": "att", "pace": "pts"}, currency=currency,
                     lang=lang)
    # links were escaped by table_html: restore the anchors we built ourselves
    for link in body_rows:
        tbl = tbl.replace(fmt.esc(link), link, 1)
    meta = tables["meta"]
    q = tables["quality"]
    q = q[q["count"] > 0] if len(q) else q
    qhtml = (table_html(q[["severity", "table", "check", "count", "detail"]].reset_index(drop=True),
                        {"count": "int"}, lang=lang) if len(q) else
             f"<p>{fmt.esc('No data-quality problems were found.' if lang != 'zh' else '未发现数据质量问题。')}</p>")
    month = meta["month"]
    head = fmt.label("report", lang) + " · " + month
    ok = sum(j.status == "ok" for j in jobs)
    body = (f"<h1>{fmt.esc(head)}</h1>"
            f'<p class="sub">{fmt.esc(fmt.label("generated", lang))}: '
            f'{_dt.datetime.now().strftime("%Y-%m-%d %H:%M")} · '
            f'{fmt.esc(fmt.label("last_sale", lang))}: {fmt.esc(meta["last_sale_date"])} · '
            f"{ok}/{len(jobs)} ok{_archive_link(series, lang)}</p>{tbl}{_cards_line(cards, lang)}"
            f"{_changes(changes, series, lang, currency, changes_html)}<h2>{fmt.esc(fmt.label('data_quality', lang))}</h2>{qhtml}")
    return page(head, body, lang=lang)
