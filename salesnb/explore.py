"""Helpers for the analyst's workbook (``notebooks/explore.ipynb``).

Reading a params file for exploring, choosing a team, rep, unit and month, picking rows
out of the tables of a run, and linking ipywidgets selectors to a view whose default
result is an ordinary cell output (so the notebook also reads well when it runs headless).
The numbers come from the analysis modules; the only computation here is
:func:`compare_models`, which puts the backtests of several forecasters side by side.
"""

from __future__ import annotations

import html as _html
import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from . import calendar as cal
from . import fmt
from . import forecast as _fc
from .cube import COMPANY
from .exceptions import ParamsError

__all__ = ["DATA_KEYS", "resolve_paths", "read_params", "run_summary", "sales_rows", "float_format", "pick_unit", "reps_of",
           "months_of", "unit_options", "unit_series", "progress_card", "projection_card",
           "compare_models",
           "View", "team_rep_controls", "linked_view"]

#: params keys that name a data source (a path, or a mapping for a database source)
DATA_KEYS = ("sales", "targets", "org", "opportunities", "spend", "satisfaction")

_CARD = [("target", "money"), ("actual", "money"), ("attainment", "pct"), ("gap", "money"),
         ("ytd_target", "money"), ("ytd_actual", "money"), ("ytd_attainment", "pct"),
         ("annual_target", "money"), ("annual_completion", "pct"), ("time_progress", "pct"),
         ("pace", "pts"), ("required_run_rate", "money"), ("mom", "pct"), ("yoy", "pct")]


def resolve_paths(params: Mapping, *, base_dir) -> dict:
    """Return a copy of ``params`` whose relative data paths are joined to ``base_dir``.

    Only the :data:`DATA_KEYS` holding a non-empty path string change; absolute paths,
    empty strings and database sources (mappings) are kept as they are.

    Parameters
    ----------
    params : mapping
        Params whose data paths may be relative.
    base_dir : str or Path
        The folder they are relative to.

    Examples
    --------
    >>> p = resolve_paths({"sales": "../data/s.csv", "org": "", "targets": "/d/t.csv",
    ...                    "month": "2026-10"}, base_dir="/srv/params")
    >>> Path(p["sales"]).as_posix(), p["org"], p["targets"], p["month"]
    ('/srv/data/s.csv', '', '/d/t.csv', '2026-10')
    """
    out = dict(params)
    for key in DATA_KEYS:
        v = out.get(key)
        if isinstance(v, str) and v and not os.path.isabs(v):
            out[key] = os.path.normpath(Path(base_dir) / v)
    return out


def read_params(path, **overrides) -> dict:
    """Load a params YAML file for exploring: check its keys, apply overrides, resolve paths.

    Non-empty ``overrides`` (e.g. ``month="2026-06"``) replace the file's values before the
    check, so a bad override fails like a bad file. Relative data paths resolve against the
    params file's folder (see :func:`resolve_paths`).

    Parameters
    ----------
    path : str or Path
        The params YAML file.
    **overrides
        Keys replacing the file's (empty values are ignored).

    Returns
    -------
    dict with every report parameter (defaults filled in) and ``base_dir``.
    """
    from .io import load_params
    from .params import check_params, resolve_params
    p = Path(path)
    raw = load_params(p)
    raw.update({k: v for k, v in overrides.items() if v not in ("", None)})
    check_params(raw, path=str(p))
    resolved = resolve_params(raw, base_dir=p.resolve().parent)
    return resolve_paths(resolved, base_dir=resolved["base_dir"])


def run_summary(tables: dict) -> pd.DataFrame:
    """Describe a prepared run in a few lines: months, data span, sizes, target source.

    Parameters
    ----------
    tables : dict
        A prepared run.

    Returns
    -------
    DataFrame with columns ``item`` and ``value`` (text).
    """
    meta = tables["meta"]
    p = tables["progress"]
    q = tables.get("quality")
    ex = tables.get("excluded")
    findings = int((q["count"] > 0).sum()) if q is not None and len(q) else 0
    rows = [
        ("report month", meta["month"]), ("as of", meta["as_of"]),
        ("fiscal year", f"FY{meta['fiscal_year']} (starts in month {meta['fiscal_year_start']})"),
        ("sales from", meta["first_sale_date"]), ("sales to", meta["last_sale_date"]),
        ("sales rows", f"{sales_rows(tables):,}"),
        ("rows set aside", f"{0 if ex is None else len(ex):,}"),
        ("teams", str(int((p["level"] == "team").groupby(p["unit"]).any().sum()))),
        ("reps", str(p.loc[p["level"] == "rep", "unit"].nunique())),
        ("metrics", ", ".join(meta["metrics"])), ("targets", meta["target_source"]),
        ("data-quality findings", str(findings)),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])


def sales_rows(tables: dict) -> int:
    """Count the sale rows a run covers (through the as-of date), as the file counts them.

    ``tables["sales"]`` is the daily digest (one row per date, team and rep); its ``lines``
    column counts the sale rows behind each digest row.

    Parameters
    ----------
    tables : dict
        A prepared run (:func:`salesnb.report.prepare`).

    Returns
    -------
    int
        The number of sale rows (the digest's rows when it carries no ``lines`` column).

    Examples
    --------
    >>> sales_rows({"sales": pd.DataFrame({"amount": [5.0, 7.0], "lines": [3, 2]})})
    5
    """
    s = tables["sales"]
    return int(s["lines"].sum()) if "lines" in s.columns else len(s)


def float_format(x: float) -> str:
    """Format a float for reading in a DataFrame: 202,572.00, 0.9650, -0.0037, never 2.0e+05.

    Use it as pandas' display format in a notebook:
    ``pd.set_option("display.float_format", sx.float_format)``.

    Parameters
    ----------
    x : float
        The value.

    Returns
    -------
    str
        Thousands separated with 2 decimals from 1,000 on (amounts), 4 decimals below
        (ratios, fractions), ``NaN`` for a missing value.

    Examples
    --------
    >>> float_format(202572.0), float_format(0.964975), float_format(-0.0037284)
    ('202,572.00', '0.9650', '-0.0037')
    """
    if x != x:  # NaN
        return "NaN"
    return f"{x:,.2f}" if abs(x) >= 1000 else f"{x:,.4f}"


def reps_of(tables: dict, team: str | None = None) -> list[str]:
    """Return the reps of the run's progress table (of ``team`` if given), alphabetically.

    Parameters
    ----------
    tables : dict
        A prepared run.
    team : str, optional
        Only this team's reps.
    """
    p = tables["progress"]
    r = p[p["level"] == "rep"]
    if team:
        r = r[r["team"] == team]
    return sorted(r["unit"].astype(str).unique())


def pick_unit(tables: dict, *, team: str = "", rep: str = "") -> tuple[str, str]:
    """Return the (team, rep) to explore: the given ones, checked, or the first ones.

    An empty ``team`` is the rep's team when ``rep`` is given, else the first team; an
    empty ``rep`` is the team's first rep ("" when the team has none).

    Parameters
    ----------
    tables : dict
        A prepared run.
    team : str
        The team asked for (empty: see above).
    rep : str
        The rep asked for (empty: see above).
    """
    from .report import teams_of
    teams = teams_of(tables)
    all_reps = reps_of(tables)
    if rep and rep not in all_reps:
        raise ParamsError(f"rep {rep!r} has no target or sales in the fiscal year; known reps: "
                          f"{all_reps[:12]}{' ...' if len(all_reps) > 12 else ''}. "
                          "Fix the name or leave rep empty.")
    p = tables["progress"]
    rep_team = (str(p.loc[(p["level"] == "rep") & (p["unit"] == rep), "team"].iloc[0])
                if rep else "")
    team = team or rep_team or (teams[0] if teams else "")
    if team not in teams:
        raise ParamsError(f"team {team!r} is not in the data; known teams: {teams}. "
                          "Fix the name or leave team empty.")
    if rep and rep_team != team:
        raise ParamsError(f"rep {rep!r} is in team {rep_team!r}, not {team!r}; "
                          "leave team empty or pick one of its reps.")
    if not rep:
        reps = reps_of(tables, team)
        rep = reps[0] if reps else ""
    return team, rep


def months_of(tables: dict) -> list[str]:
    """Return the months that can be explored: first month of actuals to the report month, latest first.

    Parameters
    ----------
    tables : dict
        A prepared run.
    """
    first = tables["actuals"]["month"].min()
    last = cal.to_month(tables["meta"]["month"])
    months = pd.period_range(cal.to_month(first), last, freq="M")
    return [str(m) for m in months[::-1]]


def unit_options(tables: dict) -> list[tuple[str, tuple[str, str]]]:
    """Return dropdown options ``(label, (level, unit))``: the company, each team, each rep.

    Parameters
    ----------
    tables : dict
        A prepared run.

    Examples
    --------
    >>> p = pd.DataFrame({"level": ["company", "team", "rep"], "unit": ["Company", "East", "Ann"],
    ...                   "team": ["", "East", "East"], "metric": "amount"})
    >>> unit_options({"progress": p})
    [('Company', ('company', 'Company')), ('Team: East', ('team', 'East')), ('Rep: Ann (East)', ('rep', 'Ann'))]
    """
    p = tables["progress"]
    p = p[p["metric"] == "amount"] if "metric" in p.columns else p
    opts = [("Company", ("company", COMPANY))]
    teams = sorted(p.loc[p["level"] == "team", "unit"].astype(str).unique())
    opts += [(f"Team: {t}", ("team", t)) for t in teams]
    reps = p[p["level"] == "rep"].drop_duplicates("unit").sort_values(["team", "unit"])
    opts += [(f"Rep: {u} ({t})", ("rep", str(u)))
             for u, t in zip(reps["unit"], reps["team"], strict=True)]
    return opts


def unit_series(actuals: pd.DataFrame, *, level: str, unit: str, metric: str = "amount",
                through=None) -> pd.Series:
    """Select one unit's monthly actuals as a Series indexed by month (the forecasters' input).

    Parameters
    ----------
    actuals : DataFrame
        The actuals table (month, level, unit, metric, actual).
    level : str
        ``company``, ``team`` or ``rep``.
    unit : str
        The unit's name.
    metric : str
        The metric selected.
    through : str or Period, optional
        The last month kept (default: all).

    Examples
    --------
    >>> a = pd.DataFrame({"month": pd.PeriodIndex(["2025-02", "2025-01", "2025-03"], freq="M"),
    ...                   "level": "team", "unit": "East", "team": "East", "metric": "amount",
    ...                   "actual": [20.0, 10.0, 30.0]})
    >>> unit_series(a, level="team", unit="East", through="2025-02").tolist()
    [10.0, 20.0]
    """
    s = actuals[(actuals["level"] == level) & (actuals["unit"] == unit)
                & (actuals["metric"] == metric)]
    if s.empty:
        raise ParamsError(f"no {metric} actuals for level={level!r}, unit={unit!r}; "
                          "pick a unit listed by unit_options().")
    y = s.set_index(pd.PeriodIndex(s["month"], freq="M"))["actual"].sort_index()
    if through is not None:
        y = y[y.index <= cal.to_month(through)]
    return y.rename(unit).astype(float)


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


def compare_models(y: pd.Series, models: Mapping[str, object] | None = None, *,
                   origins: int = 12, horizons=(1, 3, 6)) -> pd.DataFrame:
    """Backtest several forecasters on the same series and stack their scores.

    ``models`` maps a name to an unfitted forecaster; by default the default model and the
    baselines (naive, seasonal naive, drift, run-rate).

    Parameters
    ----------
    y : Series
        Monthly actuals indexed by month (Period[M]).
    models : mapping of str to forecaster, optional
        Name -> unfitted forecaster (default: see above).
    origins : int
        Rolling origins per model.
    horizons : iterable of int
        Months ahead scored.

    Returns
    -------
    DataFrame with columns ``model``, ``horizon``, ``n``, ``mae``, ``mape``, ``mase``,
    ``coverage`` (see :func:`salesnb.forecast.backtest`); models in the given order, then
    horizon.

    Examples
    --------
    >>> y = pd.Series([10.0, 20.0, 30.0, 40.0], index=pd.period_range("2025-01", periods=4, freq="M"))
    >>> compare_models(y, {"naive": _fc.Naive(), "drift": _fc.Drift()}, origins=2,
    ...                horizons=[1])[["model", "horizon", "n", "mae"]]
       model  horizon  n   mae
    0  naive        1  2  10.0
    1  drift        1  2   0.0
    """
    if models is None:
        models = {"default": _fc.make_default(), "naive": _fc.Naive(),
                  "seasonal naive": _fc.SeasonalNaive(), "drift": _fc.Drift(),
                  "run-rate": _fc.RunRate()}
    cols = ["model", "horizon", "n", "mae", "mape", "mase", "coverage"]
    parts = []
    for name, model in models.items():
        b = _fc.backtest(y, model, origins=origins, horizons=horizons)
        if len(b):
            parts.append(b.assign(model=name)[cols])
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)


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
