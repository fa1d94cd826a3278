"""Helpers for the analyst's workbook (``notebooks/explore.ipynb``).

Reading a params file for exploring, choosing a team, rep, unit and month, picking rows
out of the tables of a run, and linking ipywidgets selectors to a view whose default
result is an ordinary cell output (so the notebook also reads well when it runs headless).
The numbers come from the analysis modules; the only computation here is
:func:`compare_models`, which puts the backtests of several forecasters side by side.
Choosing a unit and month lives in :mod:`salesnb.explore_units`, cards, views and widgets
in :mod:`salesnb.explore_views`; this module re-exports their names (import them from here).
"""

from __future__ import annotations

import html as _html  # noqa: F401 (this block: the names explore had before its split)
import os
from collections.abc import Callable, Mapping  # noqa: F401
from pathlib import Path

import pandas as pd

from . import calendar as cal  # noqa: F401
from . import fmt  # noqa: F401
from . import forecast as _fc
from .cube import COMPANY  # noqa: F401
from .exceptions import ParamsError  # noqa: F401
from .explore_units import months_of, pick_unit, reps_of, unit_options, unit_series
from .explore_views import (  # noqa: F401
    _CARD,
    View,
    _Html,
    linked_view,
    progress_card,
    projection_card,
    team_rep_controls,
)

__all__ = ["DATA_KEYS", "resolve_paths", "read_params", "run_summary", "sales_rows", "float_format", "pick_unit", "reps_of",
           "months_of", "unit_options", "unit_series", "progress_card", "projection_card",
           "compare_models",
           "View", "team_rep_controls", "linked_view"]

#: params keys that name a data source (a path, or a mapping for a database source)
DATA_KEYS = ("sales", "targets", "org", "opportunities", "spend", "satisfaction")


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
