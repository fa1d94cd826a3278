"""HTML building blocks of the reports: formatted tables, headline cards, blocks, the page.

Every value from the data goes through :func:`salesnb.fmt.esc`, so a rep named
``<script>alert(1)</script>`` shows as text and runs nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from . import fmt

__all__ = ["Block", "table_html", "cards_html", "page", "PAGE_CSS", "text"]

#: the HTML that stands for a ``$`` in report text: a dollar alone in its element. MathJax
#: (JupyterLab's, and the classic notebook's) only pairs ``$...$`` inside one run of text, so
#: "$195K of $203K" is not typeset as math; everywhere else it reads as a plain "$".
DOLLAR = "<span>$</span>"
#: classes that tell MathJax 2 and 3 not to look for math inside an element
NO_MATH = "tex2jax_ignore mathjax_ignore"


def text(value) -> str:
    """Escape text for HTML and keep its dollar signs from being read as math delimiters.

    Parameters
    ----------
    value : object
        The text (any value; ``str()`` is taken).

    Returns
    -------
    str
        HTML that shows ``value`` as it is, in nbconvert's HTML and in JupyterLab alike.

    Examples
    --------
    >>> text("<b>$5 of $6</b>")
    '&lt;b&gt;<span>$</span>5 of <span>$</span>6&lt;/b&gt;'
    """
    return fmt.esc(value).replace("$", DOLLAR)


def _cell(value, kind: str, currency: str, lang: str) -> tuple[str, str]:
    """Return (shown, css class) for one value."""
    if kind == "money":
        shown = fmt.money(value, currency, lang=lang)
    elif kind == "pct":
        shown = fmt.pct(value)
    elif kind == "pts":
        shown = fmt.points(value, lang=lang)
    elif kind == "int":
        shown = fmt.number(value)
    elif kind == "num":
        shown = fmt.number(value, digits=1)
    elif kind == "date":
        shown = fmt.DASH if pd.isna(value) else str(pd.Timestamp(value).date())
    else:
        shown = fmt.DASH if value is None or (isinstance(value, float) and np.isnan(value)) \
            else str(value)
    cls = ""
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = np.nan
    if kind == "pct_att" or kind == "att":
        shown = fmt.pct(value)
        if not np.isnan(v):
            cls = "good" if v >= 1.0 else ("bad" if v < 0.8 else "warn")
    elif kind in ("pts", "growth") and not np.isnan(v):
        if kind == "growth":
            shown = fmt.pct(value)
        cls = "good" if v >= 0 else "bad"
    return text(shown), cls


def table_html(df: pd.DataFrame, formats: Mapping[str, str] | None = None, *,
               labels: Mapping[str, str] | None = None, currency: str = "$", lang: str = "en",
               highlight_last: bool = False, max_rows: int | None = None) -> str:
    """Render ``df`` as an HTML table; ``formats`` maps column -> money|pct|att|pts|growth|int|num|date|text.

    Parameters
    ----------
    df : DataFrame
        The table (its values are escaped).
    formats : mapping of str to str, optional
        Column -> format name.
    labels : mapping of str to str, optional
        Column -> header (default: the report labels).
    currency : str
        The symbol of money columns.
    lang : str
        ``en`` or ``zh``.
    highlight_last : bool
        Show the last row as a total.
    max_rows : int, optional
        Show only the first this many rows.

    Examples
    --------
    >>> t = pd.DataFrame({"unit": ["<b>Ann</b>"], "attainment": [0.875]})
    >>> "&lt;b&gt;Ann&lt;/b&gt;" in table_html(t, {"attainment": "att"})
    True
    """
    formats = dict(formats or {})
    labels = dict(labels or {})
    shown = df if max_rows is None else df.head(max_rows)
    head = "".join(
        f'<th class="{"num" if formats.get(c, "text") != "text" else ""}">'
        f'{text(labels.get(c, fmt.label(c, lang)))}</th>' for c in shown.columns)
    rows = []
    for i, (_, r) in enumerate(shown.iterrows()):
        tds = []
        for c in shown.columns:
            kind = formats.get(c, "text")
            cell, cls = _cell(r[c], kind, currency, lang)
            classes = " ".join(x for x in (cls, "num" if kind != "text" else "") if x)
            tds.append(f'<td class="{classes}">{cell}</td>' if classes else f"<td>{cell}</td>")
        trc = ' class="total"' if highlight_last and i == len(shown) - 1 else ""
        rows.append(f"<tr{trc}>{''.join(tds)}</tr>")
    more = ""
    if max_rows is not None and len(df) > max_rows:
        more = f'<p class="note">… {len(df) - max_rows} more rows</p>'
    return (f'<table class="sn"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>{more}')


#: inline styles of the headline cards: JupyterLab shows outputs without the page's style
#: sheet, and its sanitizer keeps these properties
_CARDS_STYLE = "margin:10px 0"
_CARD_STYLE = ("display:inline-block;vertical-align:top;min-width:170px;margin:0 10px 10px 0;"
               "padding:10px 12px;border:1px solid #e3e3e3;border-radius:8px;"
               "background-color:#fafbfc")
_LAB_STYLE = "font-size:12px;color:#666666"
_VAL_STYLE = "font-size:22px;font-weight:650;margin:2px 0"
_CAP_STYLE = {"good": "font-size:12px;color:#007a5a", "bad": "font-size:12px;color:#b34700",
              "": "font-size:12px;color:#666666"}


def cards_html(cards: list[tuple[str, str, str]]) -> str:
    """Render headline cards: (label, big value, small caption with css class marker).

    The caption may start with ``▲`` or ``▼`` to colour it good or bad. The cards carry
    their style inline, so they look the same in JupyterLab as in the exported page.

    Parameters
    ----------
    cards : list of (str, str, str)
        Each card's label, value and caption.

    Returns
    -------
    str
        The cards' HTML.

    Examples
    --------
    >>> '<div class="val" style' in cards_html([("Actual", "$5", "▲ 2 %")])
    True
    """
    out = []
    for lab, value, caption in cards:
        cls = "good" if caption.startswith("▲") else ("bad" if caption.startswith("▼") else "")
        out.append(f'<div class="card" style="{_CARD_STYLE}">'
                   f'<div class="lab" style="{_LAB_STYLE}">{text(lab)}</div>'
                   f'<div class="val" style="{_VAL_STYLE}">{text(value)}</div>'
                   f'<div class="cap {cls}" style="{_CAP_STYLE[cls]}">{text(caption)}</div></div>')
    return f'<div class="cards" style="{_CARDS_STYLE}">{"".join(out)}</div>'


class Block:
    """One report cell's output: an optional heading, a table or chart (HTML/SVG), one sentence."""

    def __init__(self, body: str = "", sentence: str = "", *, title: str = "", level: int = 3,
                 data: pd.DataFrame | None = None):
        self.body = body
        self.sentence = sentence
        self.title = title
        self.level = level
        self.data = data

    def _repr_html_(self) -> str:
        parts = []
        if self.title:
            parts.append(f"<h{self.level}>{text(self.title)}</h{self.level}>")
        if self.body:
            parts.append(f'<div class="body">{self.body}</div>')
        if self.sentence:
            parts.append(f'<p class="say">{text(self.sentence)}</p>')
        return f'<div class="sn-block {NO_MATH}">{"".join(parts)}</div>'

    def __repr__(self) -> str:
        """Return the block as plain text (title and sentence), for consoles."""
        return f"{self.title}\n{self.sentence}".strip()


PAGE_CSS = """
:root{--fg:#1d1d1f;--muted:#666;--line:#e3e3e3;--good:#007a5a;--bad:#b34700;--warn:#8a6d00;--acc:#0072B2}
*{box-sizing:border-box}
body{font-family:-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;
color:var(--fg);max-width:980px;margin:0 auto;padding:24px 18px 60px;line-height:1.45;font-size:15px}
h1{font-size:26px;margin:0 0 4px} h2{font-size:20px;margin:34px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--acc)}
h3{font-size:16px;margin:22px 0 8px}
.sub{color:var(--muted);margin:0 0 18px}
.say{margin:6px 0 16px;font-size:15px}
.note{color:var(--muted);font-size:13px}
table.sn{border-collapse:collapse;width:100%;font-size:13.5px;margin:6px 0}
table.sn th{background:#f4f6f8;text-align:left;font-weight:600;padding:5px 8px;border-bottom:1px solid #ccc}
table.sn td{padding:4px 8px;border-bottom:1px solid var(--line)}
table.sn .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.sn tr.total td{font-weight:700;border-top:1px solid #999}
td.good,.cap.good{color:var(--good)} td.bad,.cap.bad{color:var(--bad)} td.warn{color:var(--warn)}
td.good::before{content:"▲ ";font-size:9px} td.bad::before{content:"▼ ";font-size:9px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px;margin:10px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 12px;background:#fafbfc}
.card .lab{font-size:12px;color:var(--muted)} .card .val{font-size:22px;font-weight:650;margin:2px 0}
.card .cap{font-size:12px;color:var(--muted)}
svg{max-width:100%;height:auto}
.body{overflow-x:auto}
.failed{color:var(--bad);font-weight:600}
a{color:var(--acc)}
@media print{body{max-width:none;padding:0;font-size:12px} h2{break-after:avoid} .sn-block{break-inside:avoid}
 .card{break-inside:avoid} a{color:inherit;text-decoration:none}}
@media (max-width:600px){body{padding:12px 8px} .card .val{font-size:18px}}
"""


def page(title: str, body_html: str, *, lang: str = "en") -> str:
    """Wrap report HTML in a self-contained page (no scripts, no external resources).

    Parameters
    ----------
    title : str
        The page's title.
    body_html : str
        The page's body (already escaped HTML).
    lang : str
        The page's language (``en`` or ``zh``).
    """
    lang_attr = "zh-CN" if lang == "zh" else "en"
    return (f'<!DOCTYPE html>\n<html lang="{lang_attr}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{fmt.esc(title)}</title><style>{PAGE_CSS}</style></head>"
            f"<body>{body_html}</body></html>\n")
