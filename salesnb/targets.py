"""Target split (目标分解): annual targets to months and children, roll-ups and consistency checks.

* :func:`largest_remainder` - round parts so they add up exactly to the rounded whole.
* :func:`split_annual` - one annual target to 12 monthly parts (equal, seasonal, distribution).
* :func:`split_to_children` - a parent target to its children by shares.
* :func:`monthly_targets` - the canonical targets table expanded to one row per month.
* :func:`rollup` - monthly targets summed to fiscal quarters or years.
* :func:`target_mismatches` - parents whose children's annual targets do not add up.
* :func:`prior_year_growth` - targets = last year's actuals x (1 + growth).

Every split rounds with the largest-remainder (Hamilton) method, so the rounded
parts always add up exactly to the rounded whole (in units of ``10**-decimals``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from salesnb.calendar import (
    fiscal_quarter,
    fiscal_year,
    fiscal_year_months,
    period_months,
)
from salesnb.cube import COMPANY
from salesnb.exceptions import DataError, ParamsError, SchemaError
from salesnb.schema import LEVELS, METRICS

__all__ = [
    "TARGET_COLUMNS",
    "MONTHLY_TARGET_COLUMNS",
    "largest_remainder",
    "split_annual",
    "split_to_children",
    "monthly_targets",
    "rollup",
    "target_mismatches",
    "prior_year_growth",
    "COUNT_METRICS",
    "split_decimals",
    "known_unit_targets",
]

TARGET_COLUMNS = ["period", "level", "unit", "metric", "target"]
MONTHLY_TARGET_COLUMNS = ["month", "level", "unit", "metric", "target"]
_LEVEL_ORDER = {lv: i for i, lv in enumerate(LEVELS)}
#: metrics that count things: their targets split into whole units (no 3.83 customers)
COUNT_METRICS = ("quantity", "new_customers")


def split_decimals(metric: str | None, decimals: int = 2) -> int:
    """Return the rounding of a split for ``metric``: 0 for counts, else ``decimals``.

    Examples
    --------
    >>> split_decimals("amount"), split_decimals("new_customers"), split_decimals(None)
    (2, 0, 2)
    """
    return 0 if metric in COUNT_METRICS else decimals


# ----------------------------------------------------------------------------- rounding
def _round_units(raw: np.ndarray, total_units: int) -> np.ndarray:
    """Return integers close to ``raw`` that add up to ``total_units`` (Hamilton)."""
    raw = np.round(np.asarray(raw, dtype=float), 6)  # drop float noise such as 9999.9999999
    base = np.floor(raw)
    n = len(raw)
    if n == 0:
        return base
    k = int(round(total_units - base.sum()))
    order = np.argsort(-(raw - base), kind="stable")  # largest remainder first, ties by position
    q, r = divmod(k, n)
    out = base + q
    out[order[:r]] += 1
    return out


def largest_remainder(values, total: float, *, decimals: int = 2) -> np.ndarray:
    """Split ``total`` in proportion to ``values`` so the rounded parts add up exactly.

    Parts are ``values / sum(values) * total`` rounded to ``decimals`` places by the
    largest-remainder (Hamilton) method: every part is rounded down, then the units
    still missing go to the parts with the largest remainders (ties: the earlier part).
    The parts add up exactly to ``round(total, decimals)`` in units of ``10**-decimals``.
    Negative totals and mixed-sign weights work; the weights must not sum to 0.

    Returns
    -------
    numpy.ndarray of float, one part per value.

    Examples
    --------
    >>> largest_remainder([1, 1, 1], 100)
    array([33.34, 33.33, 33.33])
    >>> largest_remainder([1, 1, 1], -100)
    array([-33.33, -33.33, -33.34])
    >>> largest_remainder([2, 1], 10, decimals=0)
    array([7., 3.])
    """
    w = np.asarray(values, dtype=float).ravel()
    if not isinstance(decimals, (int, np.integer)) or decimals < 0:
        raise ParamsError(f"decimals must be an integer >= 0, got {decimals!r}")
    if np.isnan(w).any() or np.isinf(w).any():
        raise ParamsError(f"values must be finite numbers, got {w.tolist()!r}; fill or drop "
                          "missing weights first")
    if total is None or not np.isfinite(float(total)):
        raise ParamsError(f"total must be a finite number, got {total!r}")
    scale = 10 ** int(decimals)
    units = int(round(round(float(total), int(decimals)) * scale))
    if len(w) == 0:
        if units != 0:
            raise ParamsError(f"values is empty, so total {total!r} cannot be split; "
                              "pass at least one weight")
        return np.array([], dtype=float)
    s = w.sum()
    if s == 0:
        raise ParamsError(f"values must not sum to 0 (got {w.tolist()!r}); pass weights "
                          "with a non-zero sum, e.g. equal weights")
    return _round_units(w / s * units, units) / scale


# ----------------------------------------------------------------------------- splits
def _check_distribution(distribution) -> np.ndarray:
    if distribution is None:
        raise ParamsError("method='distribution' needs distribution=: 12 monthly percentages "
                          "(first fiscal month first) that total 100")
    d = np.asarray(distribution, dtype=float).ravel()
    if len(d) != 12:
        raise ParamsError(f"distribution must hold 12 monthly percentages, got {len(d)} values")
    if np.isnan(d).any() or (d < 0).any():
        raise ParamsError(f"distribution percentages must be numbers >= 0, got {d.tolist()!r}")
    if abs(d.sum() - 100.0) > 1e-6:
        raise ParamsError(f"distribution must total 100 (percent), but its 12 values total "
                          f"{d.sum():g}; adjust the percentages so they add up to 100")
    return d


def split_annual(
    total: float,
    *,
    method: Literal["equal", "seasonal", "distribution"] = "equal",
    weights: Sequence[float] | None = None,
    decimals: int = 2,
    metric: str | None = None,
) -> np.ndarray:
    """Split an annual target into 12 monthly targets that add up exactly.

    Parameters
    ----------
    total : the annual target.
    method : ``"equal"`` (1/12 each), ``"seasonal"`` (``weights`` = last year's 12 monthly
        actuals, first fiscal month first; missing months count as 0 and a history that
        sums to 0 or less falls back to equal) or ``"distribution"`` (``weights`` = 12
        percentages that total 100).
    weights : the 12 weights for ``seasonal`` / ``distribution``; must be None for ``equal``.
    decimals : rounding of the parts (largest remainder, see :func:`largest_remainder`).
    metric : the target's metric; a count (``quantity``, ``new_customers``) splits into
        whole units whatever ``decimals`` says.

    Returns
    -------
    numpy.ndarray of 12 floats, first fiscal month first.

    Examples
    --------
    >>> split_annual(1200)[:3]
    array([100., 100., 100.])
    >>> split_annual(100, method="distribution", weights=[10] * 4 + [7.5] * 8)[[0, 4]]
    array([10. ,  7.5])
    >>> split_annual(46, metric="new_customers")  # whole customers, adding up to 46
    array([4., 4., 4., 4., 4., 4., 4., 4., 4., 4., 3., 3.])
    """
    decimals = split_decimals(metric, decimals)
    if method == "equal":
        if weights is not None:
            raise ParamsError("weights must be None for method='equal'; use method='seasonal' "
                              "or 'distribution' to split by weights")
        w = np.ones(12)
    elif method == "seasonal":
        if weights is None:
            raise ParamsError("method='seasonal' needs weights=: last year's 12 monthly actuals")
        w = np.nan_to_num(np.asarray(weights, dtype=float).ravel(), nan=0.0)
        if len(w) != 12:
            raise ParamsError(f"seasonal weights must hold 12 monthly actuals, got {len(w)}")
        if w.sum() <= 0:
            w = np.ones(12)
    elif method == "distribution":
        w = _check_distribution(weights)
    else:
        raise ParamsError(f"method must be 'equal', 'seasonal' or 'distribution', got {method!r}")
    return largest_remainder(w, total, decimals=decimals)


def split_to_children(total: float, shares: Mapping[str, float], *, decimals: int = 2,
                      metric: str | None = None) -> pd.Series:
    """Split a parent target to its children by shares (normalised) that add up exactly.

    ``shares`` are explicit shares (any scale: 0.6/0.4, 60/40) or last year's actuals per
    child. Their sum must be positive. A count ``metric`` (``quantity``,
    ``new_customers``) splits into whole units.

    Returns
    -------
    Series named ``target``, indexed by child (``unit``) in the order of ``shares``.

    Examples
    --------
    >>> split_to_children(1000, {"East": 2, "West": 1}).to_dict()
    {'East': 666.67, 'West': 333.33}
    >>> split_to_children(10, {"East": 2, "West": 1}, metric="quantity").to_dict()
    {'East': 7.0, 'West': 3.0}
    """
    decimals = split_decimals(metric, decimals)
    if not shares:
        raise ParamsError("shares is empty: give at least one child and its share")
    w = np.asarray([float(v) for v in shares.values()], dtype=float)
    if np.isnan(w).any() or w.sum() <= 0:
        raise ParamsError(f"shares must be numbers with a positive sum, got {dict(shares)!r}")
    parts = largest_remainder(w, total, decimals=decimals)
    return pd.Series(parts, index=pd.Index([str(k) for k in shares], name="unit"), name="target")


# ----------------------------------------------------------------------------- cleaning
def _rows_text(positions) -> str:
    pos = [int(p) + 2 for p in positions]  # file lines: header is line 1
    more = f" and {len(pos) - 5} more" if len(pos) > 5 else ""
    return ", ".join(map(str, pos[:5])) + more


def _check_columns(df: pd.DataFrame, needed: list[str], name: str) -> None:
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise SchemaError(f"{name} is missing column(s) {missing}; it has {list(df.columns)}. "
                          f"Rename or add the columns so it has {needed}.")


def _period_text(v) -> str:
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, pd.Period) and v.freqstr.startswith("M"):
        return str(v)
    return str(v).strip().upper()


def _norm_units(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with lower-case levels, string units and the company unit named COMPANY."""
    level = df["level"].astype(str).str.strip().str.lower()
    unit = df["unit"].astype(str).str.strip().where(level != "company", COMPANY)
    return df.assign(level=level, unit=unit, metric=df["metric"].astype(str).str.strip())


def _clean_targets(targets: pd.DataFrame, fys: int) -> pd.DataFrame:
    _check_columns(targets, TARGET_COLUMNS, "targets")
    t = _norm_units(targets[TARGET_COLUMNS].reset_index(drop=True))
    bad = np.flatnonzero(~t["level"].isin(LEVELS))
    if len(bad):
        raise DataError(f"targets column 'level' must be one of {list(LEVELS)}; rows "
                        f"{_rows_text(bad)} have {sorted(set(t['level'].iloc[bad]))}")
    bad = np.flatnonzero(~t["metric"].isin(METRICS))
    if len(bad):
        raise DataError(f"targets column 'metric' must be one of {list(METRICS)}; rows "
                        f"{_rows_text(bad)} have {sorted(set(t['metric'].iloc[bad]))}")
    target = pd.to_numeric(t["target"], errors="coerce").astype(float)
    bad = np.flatnonzero(target.isna().to_numpy())
    if len(bad):
        raise DataError(f"targets column 'target' must be a number; rows {_rows_text(bad)} "
                        "are empty or not numeric. Fill them in or remove the rows.")
    periods = [_period_text(v) for v in t["period"]]
    parsed: dict = {}  # each distinct period once: thousands of rows share a few periods
    for p in dict.fromkeys(periods):
        try:
            ms = period_months(p, fys)
        except ValueError:
            parsed[p] = None
            continue
        parsed[p] = (ms, 0 if len(ms) == 12 else 1 if len(ms) == 3 else 2,
                     fiscal_year(ms[0], fys), fiscal_quarter(ms[0], fys))
    bad = [i for i, p in enumerate(periods) if parsed[p] is None]
    if bad:
        raise DataError(f"targets column 'period' must look like YYYY, YYYY-Qn or YYYY-MM; rows "
                        f"{_rows_text(bad)} have {sorted({periods[i] for i in bad})}")
    info = [parsed[p] for p in periods]
    t = t.assign(period=periods, target=target, kind=[x[1] for x in info],
                 months=[x[0] for x in info], fy=[x[2] for x in info],
                 quarter=[x[3] for x in info])
    dup = t.duplicated(["level", "unit", "metric", "period"], keep=False).to_numpy()
    if dup.any():
        raise DataError(f"targets has more than one row for the same period, level, unit and "
                        f"metric at rows {_rows_text(np.flatnonzero(dup))}; keep one row each")
    return t


def _sort_key_frame(df: pd.DataFrame, time_col: str) -> pd.DataFrame:
    order = df["level"].map(_LEVEL_ORDER)
    return (df.assign(_o=order).sort_values(["_o", "unit", "metric", time_col], kind="stable")
            .drop(columns="_o").reset_index(drop=True))


def _actual_lookup(actuals: pd.DataFrame) -> pd.Series:
    """Return actuals as a Series indexed by (level, unit, metric, month)."""
    _check_columns(actuals, ["month", "level", "unit", "metric", "actual"], "actuals")
    a = _norm_units(actuals)
    a = a.assign(month=pd.PeriodIndex(a["month"], freq="M"),
                 actual=pd.to_numeric(a["actual"], errors="coerce").astype(float))
    return a.groupby(["level", "unit", "metric", "month"])["actual"].sum()


# ----------------------------------------------------------------------------- expansion
def monthly_targets(
    targets: pd.DataFrame,
    *,
    fiscal_year_start: int = 1,
    method: Literal["equal", "seasonal", "distribution"] = "equal",
    last_year: pd.DataFrame | None = None,
    distribution: Sequence[float] | None = None,
    decimals: int = 2,
) -> pd.DataFrame:
    """Expand the canonical targets table to one target per unit, metric and month.

    Monthly rows are kept as given. A quarter row is split over its 3 months and a
    year row over its 12 months, by ``method``: ``equal``; ``seasonal`` (weights = the
    same unit's actuals in the same months one year earlier, from ``last_year``, an
    actuals table; no history falls back to equal); ``distribution`` (``distribution`` =
    12 percentages for the fiscal months, first fiscal month first, totalling 100; a
    quarter uses its 3 months' percentages). Parts are rounded by largest remainder: to
    ``decimals`` places for amounts, to whole units for counts (``quantity``,
    ``new_customers``), so they add up exactly to the row's target (rounded likewise).

    When a unit has both a year row and finer (quarter or month) rows for the same
    fiscal year, **the finer rows win**: the year row is ignored and the finer rows
    are expanded (months they do not cover get no target). Likewise month rows win
    over the quarter row of their quarter. Company-level units are named "Company".

    Returns
    -------
    DataFrame with columns ``month`` (Period[M]), ``level``, ``unit``, ``metric``,
    ``target`` (float), sorted by level (company, team, rep), unit, metric, month.

    Examples
    --------
    >>> t = pd.DataFrame({"period": ["2025-Q1", "2025-04", "2025"],
    ...                   "level": ["team", "team", "rep"], "unit": ["East", "East", "Ann"],
    ...                   "metric": "amount", "target": [300.0, 120.0, 1200.0]})
    >>> monthly_targets(t).head(5)
         month level  unit  metric  target
    0  2025-01  team  East  amount   100.0
    1  2025-02  team  East  amount   100.0
    2  2025-03  team  East  amount   100.0
    3  2025-04  team  East  amount   120.0
    4  2025-01   rep   Ann  amount   100.0
    """
    if method not in ("equal", "seasonal", "distribution"):
        raise ParamsError(f"method must be 'equal', 'seasonal' or 'distribution', got {method!r}")
    t = _clean_targets(targets, fiscal_year_start)
    dist = _check_distribution(distribution) if method == "distribution" else None
    history = None
    if method == "seasonal":
        if last_year is None:
            raise ParamsError("method='seasonal' needs last_year=: an actuals table (month, "
                              "level, unit, metric, actual) covering the previous fiscal year")
        history = _actual_lookup(last_year)
    keys = ["level", "unit", "metric", "fy"]
    has_fine = t.groupby(keys)["kind"].transform("max") > 0
    t = t[~((t["kind"] == 0) & has_fine)]
    month_q = set(map(tuple, t.loc[t["kind"] == 2, keys + ["quarter"]].to_numpy().tolist()))
    quarter_hit = [tuple(r) in month_q for r in t[keys + ["quarter"]].to_numpy().tolist()]
    t = t[~((t["kind"] == 1) & np.asarray(quarter_hit, dtype=bool))]

    cols: dict[str, list] = {"month": [], "level": [], "unit": [], "metric": [], "target": []}
    monthly_rows = t[t["kind"] == 2]
    if len(monthly_rows):  # given per month: kept as they are (no per-row work)
        cols["month"].extend(m[0] for m in monthly_rows["months"])
        for c in ("level", "unit", "metric", "target"):
            cols[c].extend(monthly_rows[c].tolist())
    for row in t[t["kind"] != 2].itertuples(index=False):
        months = row.months
        if method == "seasonal":
            idx = [(row.level, row.unit, row.metric, m - 12) for m in months]
            w = history.reindex(pd.MultiIndex.from_tuples(idx)).fillna(0.0).to_numpy()
        elif method == "distribution":
            pos = [(m.month - fiscal_year_start) % 12 for m in months]
            w = dist[pos]
        else:
            w = np.ones(len(months))
        if w.sum() <= 0:
            w = np.ones(len(months))
        parts = largest_remainder(w, row.target, decimals=split_decimals(row.metric, decimals))
        cols["month"].extend(months)
        cols["level"].extend([row.level] * len(months))
        cols["unit"].extend([row.unit] * len(months))
        cols["metric"].extend([row.metric] * len(months))
        cols["target"].extend(parts.tolist())
    if not cols["month"]:
        return pd.DataFrame({"month": pd.PeriodIndex([], freq="M"), "level": pd.Series(dtype=str),
                             "unit": pd.Series(dtype=str), "metric": pd.Series(dtype=str),
                             "target": pd.Series(dtype=float)})
    out = pd.DataFrame(cols)
    out["target"] = out["target"].astype(float)
    out["month"] = pd.PeriodIndex(out["month"], freq="M")
    return _sort_key_frame(out, "month")[MONTHLY_TARGET_COLUMNS]


def rollup(
    monthly: pd.DataFrame,
    *,
    to: Literal["quarter", "year"],
    fiscal_year_start: int = 1,
) -> pd.DataFrame:
    """Sum monthly targets to fiscal quarters or fiscal years.

    Returns
    -------
    DataFrame with columns ``period`` ("2025-Q1" or "2025", fiscal), ``level``, ``unit``,
    ``metric``, ``target``, sorted by level, unit, metric, period.

    Examples
    --------
    >>> m = pd.DataFrame({"month": pd.period_range("2025-06", periods=3, freq="M"),
    ...                   "level": "team", "unit": "East", "metric": "amount",
    ...                   "target": [10.0, 20.0, 30.0]})
    >>> rollup(m, to="quarter", fiscal_year_start=7)
        period level  unit  metric  target
    0  2025-Q4  team  East  amount    10.0
    1  2026-Q1  team  East  amount    50.0
    """
    if to not in ("quarter", "year"):
        raise ParamsError(f"to must be 'quarter' or 'year', got {to!r}")
    _check_columns(monthly, MONTHLY_TARGET_COLUMNS, "monthly")
    m = _norm_units(monthly)
    months = pd.PeriodIndex(m["month"], freq="M")
    fy = [fiscal_year(p, fiscal_year_start) for p in months]
    if to == "year":
        label = [str(y) for y in fy]
    else:
        label = [f"{y}-Q{fiscal_quarter(p, fiscal_year_start)}" for y, p in zip(fy, months, strict=True)]
    m = m.assign(period=label, target=m["target"].astype(float))
    out = (m.groupby(["level", "unit", "metric", "period"], sort=False)["target"]
           .sum(min_count=1).reset_index())
    return _sort_key_frame(out, "period")[TARGET_COLUMNS]


# ----------------------------------------------------------------------------- checks
def _rep_teams(org: pd.DataFrame | None, month: pd.Period) -> dict[str, str]:
    """Return each rep's team at ``month`` from ``org`` (dated rows: valid that month)."""
    if org is None or len(org) == 0:
        return {}
    _check_columns(org, ["rep", "team"], "org")
    o = org.assign(rep=org["rep"].astype(str).str.strip(), team=org["team"].astype(str).str.strip())
    if "start" in o.columns or "end" in o.columns:
        start = pd.to_datetime(o["start"]) if "start" in o.columns else pd.Series(pd.NaT, index=o.index)
        end = pd.to_datetime(o["end"]) if "end" in o.columns else pd.Series(pd.NaT, index=o.index)
        ok = (start.isna() | (start <= month.end_time)) & (end.isna() | (end >= month.start_time))
        o = o.assign(_s=start.fillna(pd.Timestamp.min))[ok.to_numpy()]
        o = o.sort_values("_s", kind="stable")
    return dict(zip(o["rep"], o["team"], strict=True))  # later rows (latest start) win


def target_mismatches(
    monthly: pd.DataFrame,
    org: pd.DataFrame | None,
    *,
    fiscal_year_start: int = 1,
    tolerance: float = 0.01,
) -> pd.DataFrame:
    """Find parents whose children's annual targets do not add up to the parent's.

    Per fiscal year and metric: the company against the sum of its teams, and each
    team against the sum of its reps (a rep's team from ``org``, columns rep, team and
    optional start/end dates: the team at the year's last month). Only parents with a
    target and at least one child with a target are checked; rows are reported where
    ``|difference| > tolerance``.

    Returns
    -------
    DataFrame with columns ``year`` (int, fiscal), ``metric``, ``parent_level``
    (company|team), ``parent``, ``parent_target``, ``children_target``, ``difference``
    (children_target - parent_target: positive = children over-allocated) and
    ``children`` (the children with a target, comma separated).

    Examples
    --------
    >>> m = pd.DataFrame({"month": pd.PeriodIndex(["2025-01"] * 3, freq="M"),
    ...                   "level": ["team", "rep", "rep"], "unit": ["East", "Ann", "Bob"],
    ...                   "metric": "amount", "target": [100.0, 60.0, 30.0]})
    >>> org = pd.DataFrame({"rep": ["Ann", "Bob"], "team": ["East", "East"]})
    >>> target_mismatches(m, org)[["year", "parent", "parent_target", "difference", "children"]]
       year parent  parent_target  difference  children
    0  2025   East          100.0       -10.0  Ann, Bob
    """
    cols = ["year", "metric", "parent_level", "parent", "parent_target", "children_target",
            "difference", "children"]
    annual = rollup(monthly, to="year", fiscal_year_start=fiscal_year_start)
    annual = annual[annual["target"].notna()]
    rows = []
    for (year, metric), g in annual.groupby(["period", "metric"], sort=True):
        tgt = {(lv, u): v for lv, u, v in zip(g["level"], g["unit"], g["target"], strict=True)}
        groups: list[tuple[str, str, list[str]]] = []
        teams = sorted(u for lv, u in tgt if lv == "team")
        groups.append(("company", COMPANY, teams))
        # each rep-month target counts for the team the rep was in that month (a rep who
        # moves or leaves mid-year splits their year between teams, or stops counting)
        months = fiscal_year_months(int(year), fiscal_year_start)
        rep_rows = monthly[(monthly["level"] == "rep") & (monthly["metric"] == metric)
                           & monthly["month"].isin(months)]
        by_team: dict[str, float] = {}
        members: dict[str, set] = {}
        for mth, part in rep_rows.groupby("month", sort=True):
            rep_team = _rep_teams(org, pd.Period(mth, freq="M"))
            for rep, value in zip(part["unit"].astype(str), part["target"], strict=True):
                team = rep_team.get(rep)
                if team is not None:
                    by_team[team] = by_team.get(team, 0.0) + float(value)
                    members.setdefault(team, set()).add(rep)
        team_names = sorted({u for lv, u in tgt if lv == "team"})
        for team in team_names:
            groups.append(("team", team, sorted(members.get(team, ()))))
        for plevel, parent, children in groups:
            if (plevel, parent) not in tgt or not children:
                continue
            child_level = "team" if plevel == "company" else "rep"
            ptarget = float(tgt[(plevel, parent)])
            if plevel == "company":
                ctarget = float(sum(tgt[(child_level, c)] for c in children))
            else:
                ctarget = float(by_team.get(parent, 0.0))
            diff = round(ctarget - ptarget, 10)
            if abs(diff) > tolerance:
                rows.append((int(year), metric, plevel, parent, ptarget, ctarget, diff,
                             ", ".join(children)))
    out = pd.DataFrame(rows, columns=cols)
    if out.empty:
        return out.astype({"year": "int64", "parent_target": float, "children_target": float,
                           "difference": float})
    return out.reset_index(drop=True)


# ----------------------------------------------------------------------------- growth targets
def prior_year_growth(
    actuals: pd.DataFrame,
    *,
    year: int,
    growth: float = 0.1,
    fiscal_year_start: int = 1,
    metric: str = "amount",
) -> pd.DataFrame:
    """Set monthly targets for fiscal ``year`` as last year's actuals x (1 + ``growth``).

    Every (level, unit) with ``metric`` actuals in the previous fiscal year gets 12
    monthly targets: the same month's actual one year earlier x (1 + growth), missing
    months counting as 0. Per unit the months are rounded to cents (whole units for a
    count metric) by largest remainder, so they add up exactly to ``round(last year's
    total x (1 + growth), 2)`` (``round(..., 0)`` for counts).

    Returns
    -------
    The canonical targets table: ``period`` ("YYYY-MM"), ``level``, ``unit``, ``metric``,
    ``target``, sorted by level (company, team, rep), unit, period.

    Examples
    --------
    >>> a = pd.DataFrame({"month": pd.period_range("2024-01", periods=12, freq="M"),
    ...                   "level": "company", "unit": "Company", "metric": "amount",
    ...                   "actual": [100.0] * 12})
    >>> prior_year_growth(a, year=2025, growth=0.1).head(2)
        period    level     unit  metric  target
    0  2025-01  company  Company  amount   110.0
    1  2025-02  company  Company  amount   110.0
    """
    if not isinstance(year, (int, np.integer)):
        raise ParamsError(f"year must be an integer fiscal year such as 2025, got {year!r}")
    if growth is None or not np.isfinite(float(growth)):
        raise ParamsError(f"growth must be a finite fraction such as 0.1, got {growth!r}")
    hist = _actual_lookup(actuals)
    last_months = fiscal_year_months(int(year) - 1, fiscal_year_start)
    new_months = fiscal_year_months(int(year), fiscal_year_start)
    hist = hist[(hist.index.get_level_values("metric") == metric)
                & hist.index.get_level_values("month").isin(last_months)]
    frames = []
    for (level, unit), ser in hist.groupby(level=["level", "unit"], sort=False):
        ly = ser.droplevel(["level", "unit", "metric"]).reindex(last_months).fillna(0.0)
        raw = ly.to_numpy() * (1.0 + float(growth))
        scale = 10 ** split_decimals(metric, 2)
        units = int(round(round(ly.sum() * (1.0 + float(growth)) * scale)))
        parts = _round_units(raw * scale, units) / scale
        frames.append(pd.DataFrame({"period": new_months.astype(str), "level": level,
                                    "unit": unit, "metric": metric, "target": parts}))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=float if c == "target" else str)
                             for c in TARGET_COLUMNS})
    out = pd.concat(frames, ignore_index=True)
    return _sort_key_frame(out, "period")[TARGET_COLUMNS]


# ----------------------------------------------------------------------------- known units
def known_unit_targets(
    monthly: pd.DataFrame,
    *,
    teams: set | Sequence[str],
    reps: set | Sequence[str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split monthly targets into those of known units and those of units found nowhere.

    A team or rep target whose unit is not in ``teams`` / ``reps`` (the units found in
    the sales or the org table) matches no sale: a misspelt "Eastt" must stay a
    data-quality finding, never become a seventh team with 0 % attainment in the ranking,
    the heatmap, the progress table or the alerts. Company targets are always kept.

    Returns
    -------
    (kept, dropped): two frames with the columns of ``monthly``; ``dropped`` holds the
    rows of unknown units (the loader's ``target_unit_unknown`` check names them).

    Examples
    --------
    >>> m = pd.DataFrame({"month": pd.PeriodIndex(["2025-01"] * 3, freq="M"),
    ...                   "level": ["company", "team", "team"],
    ...                   "unit": ["Company", "East", "Eastt"], "metric": "amount",
    ...                   "target": [300.0, 200.0, 100.0]})
    >>> kept, dropped = known_unit_targets(m, teams={"East"}, reps=set())
    >>> kept["unit"].tolist(), dropped["unit"].tolist()
    (['Company', 'East'], ['Eastt'])
    """
    _check_columns(monthly, ["level", "unit"], "monthly")
    level = monthly["level"].astype(str).str.strip().str.lower()
    unit = monthly["unit"].astype(str).str.strip()
    known = {"team": {str(t).strip() for t in teams}, "rep": {str(r).strip() for r in reps}}
    unknown = np.zeros(len(monthly), dtype=bool)
    for lv, names in known.items():
        unknown |= ((level == lv) & ~unit.isin(names)).to_numpy()
    return (monthly[~unknown].reset_index(drop=True), monthly[unknown].reset_index(drop=True))
