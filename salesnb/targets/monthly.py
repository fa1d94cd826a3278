"""Targets by month: the targets table expanded (:func:`monthly_targets`) and rolled up."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from salesnb.calendar import (
    fiscal_quarter,
    fiscal_year,
    period_months,
)
from salesnb.cube import COMPANY
from salesnb.exceptions import DataError, ParamsError, SchemaError
from salesnb.schema import LEVELS, METRICS

from .split import _check_distribution, largest_remainder, split_decimals

__all__ = ["TARGET_COLUMNS", "MONTHLY_TARGET_COLUMNS", "monthly_targets", "rollup"]


TARGET_COLUMNS = ["period", "level", "unit", "metric", "target"]


MONTHLY_TARGET_COLUMNS = ["month", "level", "unit", "metric", "target"]


_LEVEL_ORDER = {lv: i for i, lv in enumerate(LEVELS)}


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

    Parameters
    ----------
    targets : DataFrame
        The canonical targets table (``period``, ``level``, ``unit``, ``metric``, ``target``).
    fiscal_year_start : int
        First month (1-12) of the fiscal year.
    method : {"equal", "seasonal", "distribution"}
        How a quarter or year row is split over its months.
    last_year : DataFrame, optional
        An actuals table, the weights of ``seasonal``.
    distribution : sequence of float, optional
        The 12 percentages of ``distribution``.
    decimals : int
        Decimal places of the monthly parts (amounts).

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

    Parameters
    ----------
    monthly : DataFrame
        Monthly targets (``month``, ``level``, ``unit``, ``metric``, ``target``).
    to : {"quarter", "year"}
        Fiscal quarters or fiscal years.
    fiscal_year_start : int
        First month (1-12) of the fiscal year.

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
