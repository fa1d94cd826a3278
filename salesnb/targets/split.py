"""Splits that add up: largest-remainder rounding, annual to months, a parent to its children."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from salesnb.exceptions import ParamsError

__all__ = ["largest_remainder", "split_annual", "split_to_children", "COUNT_METRICS",
           "split_decimals"]


#: metrics that count things: their targets split into whole units (no 3.83 customers)
COUNT_METRICS = ("quantity", "new_customers")


def split_decimals(metric: str | None, decimals: int = 2) -> int:
    """Return the rounding of a split for ``metric``: 0 for counts, else ``decimals``.

    Parameters
    ----------
    metric : str or None
        The target's metric.
    decimals : int
        The rounding of a money split.

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

    Parameters
    ----------
    values : array-like of float
        The weights, one per part (their sum must not be 0).
    total : float
        The whole to split.
    decimals : int
        Decimal places of the parts.

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
    total : float
        The annual target.
    method : {"equal", "seasonal", "distribution"}
        ``"equal"`` (1/12 each), ``"seasonal"`` (``weights`` = last year's 12 monthly
        actuals, first fiscal month first; missing months count as 0 and a history that
        sums to 0 or less falls back to equal) or ``"distribution"`` (``weights`` = 12
        percentages that total 100).
    weights : sequence of float, optional
        The 12 weights for ``seasonal`` / ``distribution``; must be None for ``equal``.
    decimals : int
        Rounding of the parts (largest remainder, see :func:`largest_remainder`).
    metric : str, optional
        The target's metric; a count (``quantity``, ``new_customers``) splits into
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

    Parameters
    ----------
    total : float
        The parent's target.
    shares : mapping of str to float
        Child -> share (any scale) or last year's actual.
    decimals : int
        Decimal places of the parts (amounts).
    metric : str, optional
        The target's metric; a count splits into whole units.

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
