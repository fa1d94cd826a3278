"""Targets from last year's actuals: :func:`prior_year_growth`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesnb.calendar import (
    fiscal_year_months,
)
from salesnb.exceptions import ParamsError

from .monthly import TARGET_COLUMNS, _actual_lookup, _sort_key_frame
from .split import _round_units, split_decimals

__all__ = ["prior_year_growth"]


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

    Parameters
    ----------
    actuals : DataFrame
        The actuals table (``month``, ``level``, ``unit``, ``metric``, ``actual``).
    year : int
        The fiscal year to set targets for.
    growth : float
        The growth on last year, a fraction (0.1: 10 %).
    fiscal_year_start : int
        First month (1-12) of the fiscal year.
    metric : str
        The metric whose actuals become targets.

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
