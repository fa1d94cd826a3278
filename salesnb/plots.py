"""Report charts, drawn from tables already computed.

Each function takes an already computed table and ``ax=None`` and returns the Axes (the small multiples, a figure of their own, return the seaborn grid);
nothing is computed here and nothing is shown.

seaborn draws what it is the natural tool for (the unit x month heatmap, the categorical
bars, the small multiples); matplotlib the rest. Both read the same theme: call
:func:`use_report_style` once (reports do) for the house look: the colour-blind-safe
Okabe-Ito palette, SVG text kept as text (so Chinese names are drawn by the reader's
browser), readable sizes. Importing this module changes no global state.
"""

from __future__ import annotations

import io
import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import FuncFormatter

from . import fmt
from .plaintext import PLAIN_TEXT_RC, as_plain_text

__all__ = [
    "PALETTE", "use_report_style", "figure_svg", "monthly_progress", "rep_attainment",
    "forecast_chart", "attainment_heatmap", "gap_waterfall", "funnel_chart",
    "cumulative_small_multiples", "SmallMultiples",
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
    "axes.axisbelow": True,
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
    """Return ``fig`` as an inline SVG string (text kept as text) and close it.

    Parameters
    ----------
    fig : matplotlib Figure
        The drawn figure (closed here).
    """
    buf = io.StringIO()
    as_plain_text(fig)  # names are text, never mathtext ("Bo $x^2$ Li")
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "salesnb",
                                **PLAIN_TEXT_RC}), warnings.catch_warnings():
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

    Parameters
    ----------
    table : DataFrame
        month, target, actual, cum_target, cum_actual.
    ax : matplotlib Axes, optional
        Draw on it (default: a new figure).
    currency : str
        The symbol of the money axis.
    lang : str
        ``en`` or ``zh`` (labels).
    title : str, optional
        The chart's title.
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


def _hbars(ax, labels: list[str], values, colors) -> None:
    """Horizontal bars, the first label on top, as seaborn's categorical ``barplot`` draws them.

    Plain ``barh`` (seaborn's barplot cost a tenth of a second per chart to set up its
    categorical axis, in every team report and scorecard).
    """
    y = np.arange(len(labels))
    ax.barh(y, values, height=0.8, color=colors)
    ax.set_yticks(y, labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)


def _attainment_colour(v: float) -> str:
    if np.isnan(v):
        return PALETTE["neutral"]
    return PALETTE["good"] if v >= 1 else (PALETTE["bad"] if v < 0.8 else PALETTE["cum_target"])


def rep_attainment(table: pd.DataFrame, *, value: str = "attainment", ax=None,
                   reference: float | None = None, reference_label: str = "",
                   lang: str = "en", title: str | None = None):
    """Draw horizontal attainment bars per unit, with 100 % and an optional reference line.

    Parameters
    ----------
    table : DataFrame
        ``unit`` and the ``value`` column (fractions); units are plain strings, so only
        the table's own units are drawn, highest first.
    value : str
        The column to draw.
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized to the units when None.
    reference : float, optional
        A reference attainment drawn as a dashed line (the team's).
    reference_label : str
        The reference line's legend label.
    lang : str
        ``"en"`` or ``"zh"``.
    title : str, optional
        The chart's title.

    Returns
    -------
    matplotlib Axes
        The bars: green at or above 100 %, amber from 80 %, vermilion below.
    """
    t = table.sort_values(value, ascending=False, na_position="last")
    ax = _ax(ax, figsize=(8.0, max(1.6, 0.32 * len(t) + 0.8)))
    vals = t[value].astype(float).to_numpy()
    units = [str(u) for u in t["unit"]]
    _hbars(ax, units, np.nan_to_num(vals, nan=0.0), [_attainment_colour(v) for v in vals])
    ax.axvline(1.0, color=PALETTE["line"], lw=1)
    if reference is not None and not np.isnan(reference):
        ax.axvline(reference, color=PALETTE["accent"], lw=1.2, ls="--", label=reference_label)
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=8)  # above the bars
    for yi, v in enumerate(vals):
        ax.text((0 if np.isnan(v) else max(v, 0)) + 0.01, yi, fmt.pct(v), va="center", fontsize=8)
    _pct_axis(ax, "x")
    ax.grid(axis="x", color="#e5e5e5")
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(fmt.label("attainment", lang))
    ax.set_ylabel("")
    if title:
        ax.set_title(title)
    return ax


def forecast_chart(history: pd.DataFrame, forecast: pd.DataFrame, *, target: float | None = None,
                   cumulative: bool = True, ax=None, currency: str = "$", lang: str = "en",
                   title: str | None = None):
    """Draw cumulative (or monthly) history, forecast with its 80 % band, and the target line.

    ``history``: month, actual; ``forecast``: month, forecast, lower, upper (cumulative
    columns already computed when ``cumulative``).

    Parameters
    ----------
    history : DataFrame
        month, actual.
    forecast : DataFrame
        month, forecast, lower, upper.
    target : float, optional
        The annual target line.
    cumulative : bool
        Cumulative figures (else monthly).
    ax : matplotlib Axes, optional
        Draw on it (default: a new figure).
    currency : str
        The symbol of the money axis.
    lang : str
        ``en`` or ``zh`` (labels).
    title : str, optional
        The chart's title.
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
    """Draw a unit x month attainment heatmap, each cell labelled with its percentage.

    Parameters
    ----------
    table : DataFrame
        Wide: index unit, columns months, values attainment fractions (NaN: no target),
        as :func:`salesnb.progress.attainment_matrix` returns.
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized to the units when None.
    lang : str
        ``"en"`` or ``"zh"``.
    title : str, optional
        The chart's title.

    Returns
    -------
    matplotlib Axes
        The heatmap (cividis, 60 % to 140 %), with its colour bar.
    """
    ax = _ax(ax, figsize=(8.0, max(2.0, 0.38 * len(table) + 1.0)))
    data = pd.DataFrame(table.to_numpy(dtype=float), index=[str(u) for u in table.index],
                        columns=[str(c)[-2:] for c in table.columns])
    labels = data.map(lambda v: "" if np.isnan(v) else f"{v * 100:.0f}")
    with warnings.catch_warnings():  # seaborn draws the figure to test the labels' overlap
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from")
        sns.heatmap(data, ax=ax, cmap="cividis", vmin=0.6, vmax=1.4, annot=labels, fmt="",
                    annot_kws={"fontsize": 7}, linewidths=0.5, linecolor="white",
                    cbar_kws={"fraction": 0.03,
                              "format": FuncFormatter(lambda v, _: f"{v * 100:.0f} %")})
    ax.grid(False)
    ax.tick_params(axis="y", rotation=0)
    ax.set_xlabel(fmt.label("month", lang))
    ax.set_ylabel("")
    if title:
        ax.set_title(title)
    return ax


def gap_waterfall(table: pd.DataFrame, *, ax=None, currency: str = "$", lang: str = "en",
                  total_label: str = "Total", title: str | None = None):
    """Draw a waterfall of children's gaps (child, gap) adding up to the parent's gap.

    Parameters
    ----------
    table : DataFrame
        child, gap.
    ax : matplotlib Axes, optional
        Draw on it (default: a new figure).
    currency : str
        The symbol of the money axis.
    lang : str
        ``en`` or ``zh`` (labels).
    total_label : str
        The last bar's label (the parent's gap).
    title : str, optional
        The chart's title.
    """
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
    # headroom: 8 % of the bars' span above the tallest bar (and below the lowest one)
    ends = np.concatenate([[0.0, total], start, start + gaps])
    ends = ends[np.isfinite(ends)]
    lo, hi = float(ends.min()), float(ends.max())
    pad = 0.08 * (hi - lo) if hi > lo else 1.0
    ax.set_ylim(lo - pad if lo < 0 else lo, hi + pad if hi > 0 else hi)
    _money_axis(ax, currency, lang)
    ax.set_ylabel(f"{fmt.label('gap', lang)} ({currency})")
    if title:
        ax.set_title(title)
    return ax


def funnel_chart(table: pd.DataFrame, *, ax=None, lang: str = "en", title: str | None = None):
    """Draw a horizontal funnel, first stage on top, with counts and conversion labels.

    Parameters
    ----------
    table : DataFrame
        ``stage``, ``count`` and optionally ``conversion`` (fractions), as
        :func:`salesnb.kpi.funnel` returns.
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized to the stages when None.
    lang : str
        ``"en"`` or ``"zh"``.
    title : str, optional
        The chart's title.

    Returns
    -------
    matplotlib Axes
        The funnel.
    """
    ax = _ax(ax, figsize=(8.0, 0.4 * len(table) + 1.0))
    stages = [str(s) for s in table["stage"]]
    _hbars(ax, stages, table["count"].astype(float).to_numpy(), PALETTE["actual"])
    conv = table["conversion"] if "conversion" in table else pd.Series(np.nan, index=table.index)
    for yi, (c, cv) in enumerate(zip(table["count"], conv, strict=False)):
        txt = f"{int(c):,}" + ("" if pd.isna(cv) else f"  ({cv * 100:.0f} %)")
        ax.text(c, yi, " " + txt, va="center", fontsize=8)
    ax.grid(False)
    ax.set_xlabel(fmt.label("count", lang))
    ax.set_ylabel("")
    if title:
        ax.set_title(title)
    return ax


class SmallMultiples:
    """The panels of :func:`cumulative_small_multiples`: ``figure`` and ``axes`` (one per unit)."""

    def __init__(self, figure, axes):
        self.figure = figure
        self.axes = np.asarray(axes, dtype=object)


def cumulative_small_multiples(table: pd.DataFrame, *, currency: str = "$", lang: str = "en",
                               col_wrap: int = 3, title: str | None = None):
    """Draw one panel per unit: cumulative actual against cumulative target over the year.

    Drawn with matplotlib's shared-axes subplots and a fixed layout: seaborn's ``relplot``
    drew the same panels, but laid them out by drawing the whole grid several times (8.8
    of the company report's 13 s at 20 teams).

    Parameters
    ----------
    table : DataFrame
        ``unit, month`` (Period[M]), ``cum_target``, ``cum_actual`` (NaN after the report
        month), as :func:`salesnb.cumulative.cumulative_by_unit` returns.
    currency : str
        Currency symbol of the amounts.
    lang : str
        ``"en"`` or ``"zh"``.
    col_wrap : int
        Panels per row.
    title : str, optional
        The figure's title.

    Returns
    -------
    SmallMultiples
        ``figure`` and ``axes`` (one panel per unit, in the table's order): every panel on
        one money scale, so the teams' sizes compare at a glance.
    """
    L = lambda k: fmt.label(k, lang)  # noqa: E731
    months = list(dict.fromkeys(str(m) for m in table["month"]))
    pos = {m: i for i, m in enumerate(months)}
    units = list(dict.fromkeys(table["unit"].astype(str)))
    ncol = max(1, min(col_wrap, len(units)))
    nrow = max(1, -(-len(units) // ncol))
    top = 0.5 if title else 0.25          # inches above the first row (its panel titles)
    legend_h = 0.55                       # inches below the last row (axis label, legend)
    panel_w, panel_h = 2.2 * 1.45, 2.2     # inches per panel (seaborn's height 2.2, aspect 1.45)
    fig_w = ncol * panel_w
    fig_h = nrow * panel_h + top + legend_h
    fig, axs = plt.subplots(nrow, ncol, figsize=(fig_w, fig_h), sharex=True, sharey=True,
                            squeeze=False)
    fig.subplots_adjust(left=0.75 / fig_w, right=1 - 0.1 / fig_w, top=1 - top / fig_h,
                        bottom=legend_h / fig_h + 0.35 / fig_h, wspace=0.12, hspace=0.42)
    x_of = table["month"].astype(str).map(pos).to_numpy()
    unit_of = table["unit"].astype(str).to_numpy()
    lo = float(np.nanmin([pd.to_numeric(table["cum_actual"], errors="coerce").min(),
                          pd.to_numeric(table["cum_target"], errors="coerce").min(), 0.0]))
    ticks = list(range(0, len(months), 3)) if len(months) > 6 else list(range(len(months)))
    tick_labels = [months[i][-2:] if lang != "zh" else f"{int(months[i][-2:])}月" for i in ticks]
    used = []
    for k, unit in enumerate(units):
        ax = axs[k // ncol][k % ncol]
        used.append(ax)
        sel = unit_of == unit
        x = x_of[sel]
        for key, style in (("cum_target", dict(color=PALETTE["cum_target"], ls=(0, (4, 2)))),
                           ("cum_actual", dict(color=PALETTE["actual"], marker="o",
                                               markersize=3, markeredgewidth=0))):
            y = table.loc[sel, key].astype(float).to_numpy()
            keep = ~np.isnan(y)
            ax.plot(x[keep], y[keep], lw=1.5, label=L(key), **style)
        ax.set_title(unit, loc="left")
        ax.tick_params(labelbottom=True)   # a panel above an empty slot keeps its months
        if k % ncol == 0:
            ax.set_ylabel(f"{L('amount')} ({currency})")
        if k + ncol >= len(units):         # the lowest panel of its column
            ax.set_xlabel(L("month") + (f" ({months[0][:4]}–)" if months else ""))
    for k in range(len(units), nrow * ncol):
        axs[k // ncol][k % ncol].set_visible(False)
    if used:
        used[0].set_xticks(ticks, tick_labels)
        _money_axis(used[0], currency, lang)
        used[0].set_ylim(bottom=min(0.0, lo))
        handles, labels = used[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=2,
                   frameon=False)
    if title:
        fig.suptitle(title, x=0.02, y=1 - 0.12 / fig_h, ha="left", va="top",
                     fontweight="bold")
    return SmallMultiples(fig, used)
