"""Report charts. Each function takes an already computed table and ``ax=None`` and
returns the Axes; nothing is computed here and nothing is shown.

Call :func:`use_report_style` once (reports do) for the house look: the
colour-blind-safe Okabe-Ito palette, SVG text kept as text (so Chinese names are
drawn by the reader's browser), readable sizes.
"""

from __future__ import annotations

import io
import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from . import fmt

__all__ = [
    "PALETTE", "use_report_style", "figure_svg", "monthly_progress", "rep_attainment",
    "forecast_chart", "attainment_heatmap", "gap_waterfall", "funnel_chart",
]

#: Okabe-Ito, safe for the common forms of colour blindness
PALETTE = {
    "actual": "#0072B2", "target": "#BBBBBB", "cum_actual": "#0072B2", "cum_target": "#E69F00",
    "good": "#009E73", "bad": "#D55E00", "neutral": "#999999", "band": "#56B4E9",
    "accent": "#CC79A7", "line": "#000000",
}

_STYLE = {
    "figure.figsize": (8.0, 3.6), "figure.dpi": 100, "font.size": 10,
    "axes.spines.top": False, "axes.spines.right": False, "axes.titlesize": 11,
    "axes.titleweight": "bold", "axes.titlelocation": "left", "axes.grid": True,
    "axes.grid.axis": "y", "grid.color": "#e5e5e5", "legend.frameon": False,
    "svg.fonttype": "none",
    "font.family": ["sans-serif"],
    "font.sans-serif": ["DejaVu Sans", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC",
                        "SimHei", "Arial Unicode MS"],
    "axes.prop_cycle": matplotlib.cycler(color=["#0072B2", "#E69F00", "#009E73", "#D55E00",
                                                "#CC79A7", "#56B4E9", "#F0E442", "#000000"]),
}


def use_report_style() -> None:
    """Apply the report theme to matplotlib (explicitly; importing salesnb changes nothing)."""
    matplotlib.rcParams.update(_STYLE)


def figure_svg(fig) -> str:
    """Return ``fig`` as an inline SVG string (text kept as text) and close it."""
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "salesnb"}), \
            warnings.catch_warnings():
        # text stays text in the SVG and the reader's browser draws it, so a glyph missing
        # from matplotlib's own fonts (Chinese names on a machine without CJK fonts) is harmless
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from")
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    svg = buf.getvalue()
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def _money_axis(ax, currency, lang, axis="y"):
    f = FuncFormatter(lambda v, _: fmt.money(v, currency, lang=lang))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(f)


def _pct_axis(ax, axis="y"):
    f = FuncFormatter(lambda v, _: f"{v * 100:.0f} %")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(f)


def _ax(ax, figsize=None):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def monthly_progress(table: pd.DataFrame, *, ax=None, currency: str = "$", lang: str = "en",
                     title: str | None = None):
    """Draw monthly target vs actual (bars) and cumulative target vs actual (lines).

    ``table`` has month, target, actual, cum_target, cum_actual (``progress.monthly_progress``).
    """
    ax = _ax(ax)
    L = lambda k: fmt.label(k, lang)  # noqa: E731
    x = np.arange(len(table))
    labels = [str(m)[-2:] if lang != "zh" else f"{int(str(m)[-2:])}月" for m in table["month"]]
    w = 0.38
    ax.bar(x - w / 2, table["target"].fillna(0), w, color=PALETTE["target"], label=L("target"))
    ax.bar(x + w / 2, table["actual"].fillna(0), w, color=PALETTE["actual"], label=L("actual"))
    ax.set_xticks(x, labels)
    _money_axis(ax, currency, lang)
    ax.set_xlabel(L("month") + f" ({str(table['month'].iloc[0])[:4]}–)" if len(table) else "")
    ax2 = ax.twinx()
    ax2.plot(x, table["cum_target"], color=PALETTE["cum_target"], ls="--", marker="",
             label=L("cum_target"))
    ax2.plot(x, table["cum_actual"], color=PALETTE["line"], marker="o", ms=3,
             label=L("cum_actual"))
    _money_axis(ax2, currency, lang)
    ax2.grid(False)
    ax2.spines["right"].set_visible(True)
    ax.set_ylabel(f"{L('amount')} / {L('month')} ({currency})")
    ax2.set_ylabel(f"{L('cum_actual')} ({currency})")
    lo = min(0, float(np.nanmin([table["actual"].min(), 0])))
    ax.set_ylim(bottom=lo)
    ax2.set_ylim(bottom=min(0, float(np.nanmin([table["cum_actual"].min(), 0]))))
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper left", ncols=4, fontsize=8,
              bbox_to_anchor=(0, -0.18))
    if title:
        ax.set_title(title)
    return ax


def rep_attainment(table: pd.DataFrame, *, value: str = "attainment", ax=None,
                   reference: float | None = None, reference_label: str = "",
                   lang: str = "en", title: str | None = None):
    """Draw horizontal attainment bars per unit, with 100 % and an optional reference line.

    ``table`` has unit and the ``value`` column (fractions). Units are plain strings,
    so only the table's own units are drawn.
    """
    t = table.sort_values(value, ascending=True, na_position="first")
    ax = _ax(ax, figsize=(8.0, max(1.6, 0.32 * len(t) + 0.8)))
    vals = t[value].astype(float)
    colors = [PALETTE["neutral"] if np.isnan(v) else
              (PALETTE["good"] if v >= 1 else (PALETTE["bad"] if v < 0.8 else PALETTE["cum_target"]))
              for v in vals]
    y = np.arange(len(t))
    ax.barh(y, vals.fillna(0), color=colors)
    ax.set_yticks(y, [str(u) for u in t["unit"]])
    ax.axvline(1.0, color=PALETTE["line"], lw=1)
    if reference is not None and not np.isnan(reference):
        ax.axvline(reference, color=PALETTE["accent"], lw=1.2, ls="--", label=reference_label)
        ax.legend(loc="lower right", fontsize=8)
    for yi, v in zip(y, vals, strict=False):
        ax.text((0 if np.isnan(v) else max(v, 0)) + 0.01, yi, fmt.pct(v), va="center", fontsize=8)
    _pct_axis(ax, "x")
    ax.grid(axis="x", color="#e5e5e5")
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(fmt.label("attainment", lang))
    if title:
        ax.set_title(title)
    return ax


def forecast_chart(history: pd.DataFrame, forecast: pd.DataFrame, *, target: float | None = None,
                   cumulative: bool = True, ax=None, currency: str = "$", lang: str = "en",
                   title: str | None = None):
    """Draw cumulative (or monthly) history, forecast with its 80 % band, and the target line.

    ``history``: month, actual; ``forecast``: month, forecast, lower, upper (cumulative
    columns already computed when ``cumulative``).
    """
    ax = _ax(ax)
    hx = [p.to_timestamp() for p in pd.PeriodIndex(history["month"], freq="M")]
    fx = [p.to_timestamp() for p in pd.PeriodIndex(forecast["month"], freq="M")]
    ax.plot(hx, history["actual"], color=PALETTE["actual"], marker="o", ms=3,
            label=fmt.label("actual", lang))
    if len(fx):
        joinx = hx[-1:] + fx if hx else fx
        lastv = list(history["actual"].iloc[-1:]) if hx else []
        ax.plot(joinx, lastv + list(forecast["forecast"]), color=PALETTE["cum_target"], ls="--",
                marker="o", ms=3, label=fmt.label("forecast", lang))
        ax.fill_between(joinx, lastv + list(forecast["lower"]), lastv + list(forecast["upper"]),
                        color=PALETTE["band"], alpha=0.25, lw=0, label="80 %")
    if target is not None and not np.isnan(target):
        ax.axhline(target, color=PALETTE["bad"], lw=1.2, label=fmt.label("annual_target", lang))
    _money_axis(ax, currency, lang)
    ax.set_ylabel(f"{fmt.label('ytd_actual', lang)} ({currency})" if cumulative else currency)
    ax.legend(loc="upper left", fontsize=8)
    ax.figure.autofmt_xdate()
    if title:
        ax.set_title(title)
    return ax


def attainment_heatmap(table: pd.DataFrame, *, ax=None, lang: str = "en", title: str | None = None):
    """Draw a unit x month attainment heatmap from a wide table (index unit, columns months)."""
    ax = _ax(ax, figsize=(8.0, max(2.0, 0.38 * len(table) + 1.0)))
    data = table.to_numpy(dtype=float)
    cmap = matplotlib.colormaps["cividis"]
    im = ax.imshow(np.nan_to_num(data, nan=np.nan), aspect="auto", cmap=cmap, vmin=0.6, vmax=1.4)
    ax.set_yticks(range(len(table.index)), [str(u) for u in table.index])
    ax.set_xticks(range(len(table.columns)), [str(c)[-2:] for c in table.columns])
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            v = data[i, j]
            if not np.isnan(v):
                ax.text(j, i, f"{v * 100:.0f}", ha="center", va="center", fontsize=7,
                        color="white" if v < 1.0 else "black")
    ax.grid(False)
    cb = ax.figure.colorbar(im, ax=ax, fraction=0.03)
    cb.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:.0f} %"))
    ax.set_xlabel(fmt.label("month", lang))
    if title:
        ax.set_title(title)
    return ax


def gap_waterfall(table: pd.DataFrame, *, ax=None, currency: str = "$", lang: str = "en",
                  total_label: str = "Total", title: str | None = None):
    """Draw a waterfall of children's gaps (child, gap) adding up to the parent's gap."""
    ax = _ax(ax)
    gaps = table["gap"].astype(float).to_numpy()
    start = np.concatenate([[0.0], np.cumsum(gaps)[:-1]])
    colors = [PALETTE["bad"] if g > 0 else PALETTE["good"] for g in gaps]
    x = np.arange(len(gaps) + 1)
    ax.bar(x[:-1], gaps, bottom=start, color=colors)
    total = gaps.sum()
    ax.bar(x[-1], total, color=PALETTE["line"])
    ax.set_xticks(x, [str(c) for c in table["child"]] + [total_label], rotation=30, ha="right")
    ax.axhline(0, color=PALETTE["line"], lw=0.8)
    _money_axis(ax, currency, lang)
    ax.set_ylabel(f"{fmt.label('gap', lang)} ({currency})")
    if title:
        ax.set_title(title)
    return ax


def funnel_chart(table: pd.DataFrame, *, ax=None, lang: str = "en", title: str | None = None):
    """Draw a horizontal funnel (stage, count) with conversion labels."""
    ax = _ax(ax, figsize=(8.0, 0.4 * len(table) + 1.0))
    y = np.arange(len(table))[::-1]
    ax.barh(y, table["count"], color=PALETTE["actual"])
    ax.set_yticks(y, [str(s) for s in table["stage"]])
    for yi, c, conv in zip(y, table["count"], table.get("conversion", [np.nan] * len(table)), strict=False):
        txt = f"{int(c):,}" + ("" if pd.isna(conv) else f"  ({conv * 100:.0f} %)")
        ax.text(c, yi, " " + txt, va="center", fontsize=8)
    ax.grid(False)
    if title:
        ax.set_title(title)
    return ax
