"""The history of packs on the page: "changes since <previous pack>" and the archive index.

The presentation twin of :mod:`salesnb.history`: it words and lays out the frames that
:func:`salesnb.history.changes_since` returns (restated figures first, flagged; then tier
moves, alerts opened and closed, rank changes) and the archive page
(``reports/index.html``) that lists every pack with its headline figures. It computes
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from .. import fmt
from ..html import page, table_html
from .links import href
from .words import HISTORY_WORDS as WORDS
from .words import term

__all__ = ["WORDS", "changes_html", "restated_note", "archive_html", "ARCHIVE_MARK"]

#: the archive page says it was written by salesnb (a folder's own index.html is left alone)
ARCHIVE_MARK = '<meta name="generator" content="salesnb archive">'


def _w(lang: str) -> dict:
    return WORDS.get(lang, WORDS["en"])


def _level(level: str, w: dict) -> str:
    return w.get(level, level)


def _tier(t: str, lang: str) -> str:
    return term(t, lang)  # the tiers' words of every other page


def restated_note(n: int, since: str, *, lang: str = "en") -> str:
    """Return the restated-figures sentence for ``n`` restated figures (empty text when 0).

    Parameters
    ----------
    n : int
        How many figures were restated.
    since : str
        The previous pack's month.
    lang : str
        ``en`` or ``zh``.

    Examples
    --------
    >>> restated_note(2, "2026-09")[:40]
    '2 figure(s) for past months differ from '
    >>> restated_note(0, "2026-09")
    ''
    """
    return _w(lang)["restated_flag"].format(n=n, since=since) if n else ""


def _table(df: pd.DataFrame, formats: dict, w: dict, *, currency: str, lang: str) -> str:
    return table_html(df.reset_index(drop=True), formats, labels=w, currency=currency,
                      lang=lang)


def changes_html(changes: Mapping | None, *, lang: str = "en", currency: str = "$",
                 previous_href: str = "") -> str:
    """Return the index's "changes since <previous pack>" section.

    Parameters
    ----------
    changes : mapping or None
        :func:`salesnb.history.changes_since`'s result; None when there is no earlier pack.
    lang : {"en", "zh"}
        Language of the words.
    currency : str
        Symbol shown before amounts.
    previous_href : str
        Relative link to the previous pack's index (e.g. ``../2026-09/index.html``).

    Returns
    -------
    str
        HTML: a heading, the restated-figure flag (class ``restated``) with both values per
        unit and month, then tier moves, alerts opened and closed, and rank changes (a
        sentence where nothing changed).
    """
    w = _w(lang)
    if not changes:
        return f'<h2>{fmt.esc(w["changes"].format(since="…"))}</h2><p>{fmt.esc(w["first"])}</p>'
    since = str(changes.get("since", ""))
    head = fmt.esc(w["changes"].format(since=since))
    if previous_href:
        head = head.replace(fmt.esc(since), f'<a href="{fmt.esc(previous_href)}">'
                                            f'{fmt.esc(since)}</a>', 1)
    parts = [f'<h2 id="changes">{head}</h2>']
    r = changes.get("restated")
    if r is not None and len(r):
        money = r["metric"].eq("amount")
        shown = pd.DataFrame({
            "level": r["level"].map(lambda v: _level(v, w)), "unit": r["unit"],
            "month": r["month"], "metric": r["metric"].map(lambda v: w.get(v, v)),
            "reported": r["reported"], "current": r["current"], "difference": r["difference"]})
        fmts = {"reported": "money", "current": "money", "difference": "money"}
        if not money.all():  # counts (quantity, new customers) are not amounts
            for c in ("reported", "current", "difference"):
                shown[c] = [fmt.money(v, currency, lang=lang) if m else fmt.number(v, digits=1)
                            for v, m in zip(r[c], money, strict=True)]
            fmts = {}
        parts.append(f'<div class="restated"><h3>⚠ {fmt.esc(w["restated"])}</h3>'
                     f'<p class="failed">{fmt.esc(restated_note(len(r), since, lang=lang))}</p>'
                     f'{_table(shown, fmts, w, currency=currency, lang=lang)}</div>')
    else:
        parts.append(f'<p>{fmt.esc(w["no_restated"].format(since=since))}</p>')
    t = changes.get("tiers")
    parts.append(f"<h3>{fmt.esc(w['tiers'])}</h3>")
    if t is not None and len(t):
        shown = pd.DataFrame({
            "level": t["level"].map(lambda v: _level(v, w)), "unit": t["unit"],
            "team": t["team"], "before": t["before"].map(lambda v: _tier(v, lang)),
            "after": t["after"].map(lambda v: _tier(v, lang)),
            "direction": t["direction"].map(lambda v: w.get(v, v)),
            "before_value": t["before_value"], "after_value": t["after_value"]})
        parts.append(_table(shown, {"before_value": "att", "after_value": "att"}, w,
                            currency=currency, lang=lang))
    else:
        parts.append(f"<p>{fmt.esc(w['no_tiers'])}</p>")
    a = changes.get("alerts")
    parts.append(f"<h3>{fmt.esc(w['alerts'])}</h3>")
    if a is not None and len(a):
        shown = pd.DataFrame({"change": a["change"].map(lambda v: w.get(v, v)),
                              "level": a["level"].map(lambda v: _level(v, w)),
                              "unit": a["unit"], "rule": a["rule"], "message": a["message"]})
        parts.append(_table(shown, {}, w, currency=currency, lang=lang))
    else:
        parts.append(f"<p>{fmt.esc(w['no_alerts'])}</p>")
    k = changes.get("ranks")
    parts.append(f"<h3>{fmt.esc(w['ranks'])}</h3>")
    if k is not None and len(k):
        shown = pd.DataFrame({"level": k["level"].map(lambda v: _level(v, w)),
                              "unit": k["unit"], "team": k["team"],
                              "rank_before": k["rank_before"], "rank_after": k["rank_after"],
                              "places": [f"{c:+d}" for c in k["change"].astype(int)]})
        parts.append(_table(shown, {"rank_before": "int", "rank_after": "int"}, w,
                            currency=currency, lang=lang))
    else:
        parts.append(f"<p>{fmt.esc(w['no_ranks'])}</p>")
    return "".join(parts)


def archive_html(packs: Sequence[Mapping], *, lang: str = "en", currency: str = "$",
                 title: str = "") -> str:
    """Return the archive page that lists every pack of a folder, newest first.

    Parameters
    ----------
    packs : sequence of mapping
        One per pack: ``folder`` (its folder name, the link is ``<folder>/index.html``),
        ``month``, ``generated``, ``last_sale``, ``actual``, ``target``, ``attainment``,
        ``ytd_attainment`` (the company's, amount), ``ok`` and ``reports`` (counts), and
        ``history`` (the pack's run.json ``history`` entry or None).
    lang : {"en", "zh"}
        Language of the words.
    currency : str
        Symbol shown before amounts.
    title : str
        The company's name, shown in the heading.

    Returns
    -------
    str
        A self-contained HTML page (marked with :data:`ARCHIVE_MARK`).
    """
    w = _w(lang)
    rows = sorted(packs, key=lambda p: (str(p.get("month", "")), str(p.get("folder", ""))),
                  reverse=True)
    links, changes, restated = [], [], []
    for p in rows:
        links.append(f'<a href="{fmt.esc(href(str(p["folder"])) + "/index.html")}">'
                     f'{fmt.esc(p["folder"])}</a>')
        h = p.get("history") or None
        if h:
            changes.append(w["summary"].format(tiers=h.get("tier_moves", 0),
                                               opened=h.get("alerts_opened", 0),
                                               closed=h.get("alerts_closed", 0),
                                               ranks=h.get("rank_changes", 0)))
            n = int(h.get("restated", 0) or 0)
            restated.append(f"⚠ {n}" if n else "0")
        else:
            changes.append(w["none"])
            restated.append(w["none"])
    df = pd.DataFrame({
        "pack": links, "month": [p.get("month", "") for p in rows],
        "generated": [p.get("generated", "") for p in rows],
        "last_sale": [p.get("last_sale", "") for p in rows],
        "actual": [p.get("actual", float("nan")) for p in rows],
        "target": [p.get("target", float("nan")) for p in rows],
        "attainment": [p.get("attainment", float("nan")) for p in rows],
        "ytd_attainment": [p.get("ytd_attainment", float("nan")) for p in rows],
        "reports": [f"{p.get('ok', 0)}/{p.get('reports', 0)}" for p in rows],
        "restated_col": restated, "changes_col": changes})
    tbl = table_html(df, {"actual": "money", "target": "money", "attainment": "att",
                          "ytd_attainment": "att"}, labels=w, currency=currency, lang=lang)
    for link in links:  # table_html escaped the anchors built above
        tbl = tbl.replace(fmt.esc(link), link, 1)
    head = w["archive"] + (f" · {title}" if title else "")
    body = (f"<h1>{fmt.esc(head)}</h1>"
            f'<p class="sub">{fmt.esc(w["archive_sub"].format(n=len(rows)))}</p>{tbl}')
    return page(head, body, lang=lang).replace("<head>", "<head>" + ARCHIVE_MARK, 1)
