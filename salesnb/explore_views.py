"""Showing a run in the analyst's workbook: readable cards, views, linked ipywidgets.

A view's default result is an ordinary cell output, so the notebook also reads well when
it runs headless. Split out of :mod:`salesnb.explore`, which re-exports every name; import
them from there.
"""

from __future__ import annotations

import html as _html
from collections.abc import Callable, Mapping

import pandas as pd

from . import fmt
from .explore_units import reps_of

__all__ = ["progress_card", "projection_card", "View", "team_rep_controls", "linked_view"]

_CARD = [("target", "money"), ("actual", "money"), ("attainment", "pct"), ("gap", "money"),
         ("ytd_target", "money"), ("ytd_actual", "money"), ("ytd_attainment", "pct"),
         ("annual_target", "money"), ("annual_completion", "pct"), ("time_progress", "pct"),
         ("pace", "pts"), ("required_run_rate", "money"), ("mom", "pct"), ("yoy", "pct")]


def progress_card(progress: pd.DataFrame, *, level: str, unit: str, metric: str = "amount",
                  currency: str = "$") -> pd.DataFrame:
    """Turn one unit's progress row into a readable column of measures.

    Parameters
    ----------
    progress : DataFrame
        The progress table.
    level : str
        ``company``, ``team`` or ``rep``.
    unit : str
        The unit's name.
    metric : str
        The metric's row.
    currency : str
        The symbol of money measures.

    Returns
    -------
    DataFrame with columns ``measure``, ``value`` (the number) and ``shown`` (formatted);
    empty when the unit has no progress row.

    Examples
    --------
    >>> p = pd.DataFrame({"level": ["team"], "unit": ["East"], "metric": ["amount"],
    ...                   "target": [100.0], "actual": [120.0], "attainment": [1.2]})
    >>> progress_card(p, level="team", unit="East")
          measure  value    shown
    0      target  100.0     $100
    1      actual  120.0     $120
    2  attainment    1.2  120.0 %
    """
    r = progress[(progress["level"] == level) & (progress["unit"] == unit)
                 & (progress["metric"] == metric)]
    if r.empty:
        return pd.DataFrame(columns=["measure", "value", "shown"])
    row = r.iloc[0]
    show = {"money": lambda v: fmt.money(v, currency), "pct": fmt.pct, "pts": fmt.points}
    items = [(c, float(row[c]), show[kind](row[c])) for c, kind in _CARD if c in r.columns]
    return pd.DataFrame(items, columns=["measure", "value", "shown"])


def projection_card(projection: Mapping, *, currency: str = "$") -> pd.DataFrame:
    """Turn a year- or quarter-end projection (a dict) into a readable column of measures.

    Parameters
    ----------
    projection : mapping
        A year- or quarter-end projection (see :mod:`salesnb.forecast`).
    currency : str
        The symbol of money measures.

    Returns
    -------
    DataFrame with columns ``measure``, ``value`` and ``shown`` (formatted): the numbers of
    :func:`salesnb.forecast.year_end_projection` first, then ``method`` and ``note``
    (text in ``shown``, NaN value) when present and not empty.

    Examples
    --------
    >>> projection_card({"ytd_actual": 600.0, "projection": 1200.0, "probability": 0.75,
    ...                  "months_remaining": 6, "note": ""})
                measure    value   shown
    0        ytd_actual   600.00    $600
    1        projection  1200.00  $1.20K
    2       probability     0.75  75.0 %
    3  months_remaining     6.00       6
    """
    kinds = {"ytd_actual": "money", "forecast_remaining": "money", "projection": "money",
             "lower": "money", "upper": "money", "annual_target": "money",
             "quarter_target": "money", "probability": "pct", "months_remaining": "int"}
    show = {"money": lambda v: fmt.money(v, currency), "pct": fmt.pct,
            "int": lambda v: str(int(v))}
    rows = [(k, float(projection[k]), show[kind](projection[k]))
            for k, kind in kinds.items() if k in projection]
    rows += [(k, float("nan"), str(projection[k])) for k in ("method", "note")
             if projection.get(k)]
    return pd.DataFrame(rows, columns=["measure", "value", "shown"])


# ----------------------------------------------------------------- display and widgets
class View:
    """Several outputs shown as one: text, DataFrames, report blocks, matplotlib figures.

    Figures are turned into inline SVG (and closed) when the view is made, so a view can
    be redrawn in place by a display handle.
    """

    def __init__(self, *parts):
        from . import plots
        self.parts = []
        for part in parts:
            if hasattr(part, "savefig"):  # a matplotlib Figure
                part = _Html(plots.figure_svg(part))
            elif hasattr(part, "figure") and hasattr(part, "plot"):  # an Axes
                part = _Html(plots.figure_svg(part.figure))
            self.parts.append(part)

    def _repr_html_(self) -> str:
        from .html import NO_MATH, text
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(f"<p>{text(part)}</p>")
            elif hasattr(part, "_repr_html_"):
                out.append(part._repr_html_() or "")
            else:
                out.append(f"<pre>{_html.escape(repr(part))}</pre>")
        return f'<div class="{NO_MATH}">' + "".join(out) + "</div>"

    def __repr__(self) -> str:
        """Return the parts as plain text (tables as text), for consoles."""
        return "\n\n".join(p if isinstance(p, str) else
                           (p.to_string() if isinstance(p, pd.DataFrame) else repr(p))
                           for p in self.parts)


class _Html:
    def __init__(self, text: str):
        self.text = text

    def _repr_html_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return "<figure>"


def team_rep_controls(tables: dict, *, team: str, rep: str):
    """Return linked team and rep dropdowns: choosing a team lists its reps.

    Parameters
    ----------
    tables : dict
        A prepared run.
    team : str
        The team selected first.
    rep : str
        The rep selected first.
    """
    import ipywidgets as widgets

    from .report import teams_of
    t = widgets.Dropdown(options=teams_of(tables), value=team, description="Team")
    reps = reps_of(tables, team)
    r = widgets.Dropdown(options=reps, value=rep if rep in reps else (reps[0] if reps else None),
                         description="Rep")

    def on_team(change):
        new = reps_of(tables, change["new"])
        r.options = new
        r.value = new[0] if new else None

    t.observe(on_team, names="value")
    return t, r


def linked_view(view: Callable[..., object], **controls) -> None:
    """Show ipywidgets ``controls`` above ``view(**their values)``, redrawn when they change.

    The first result is an ordinary cell output, so a saved or headless run (nbval,
    nbconvert) shows the default selection; in a live kernel the controls replace it in
    place through a display handle. An error raised by ``view`` is shown under the
    controls (the previous view stays).

    Parameters
    ----------
    view : callable
        Draws or returns the output for the controls' values.
    **controls
        Name -> ipywidgets control (its value is passed to ``view`` by name).
    """
    import ipywidgets as widgets
    from IPython.display import display
    state: dict = {"show": None}

    def redraw(**kw):
        if state["show"] is not None:  # the first call (at construction) is the default below
            state["show"](view(**kw))

    ui = widgets.interactive(redraw, **controls)  # children: the controls, then its output
    row = widgets.HBox(list(ui.children[:-1]), layout=widgets.Layout(flex_flow="row wrap"))
    display(widgets.VBox([row, ui.out]))  # ui.out shows an error raised while redrawing
    handle = display(view(**ui.kwargs), display_id=True)
    # outside IPython there is no display handle: each new view is shown after the last
    state["show"] = handle.update if handle is not None else display
