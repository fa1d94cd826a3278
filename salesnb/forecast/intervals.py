"""Prediction intervals calibrated on out-of-sample errors (split-conformal, per horizon).

A model measures its errors at ``fit``: it is refitted on earlier prefixes of the history
(the rolling origins) and each forecast is compared with what followed. These functions
turn those errors into intervals and probabilities; they compute, read and write nothing else.

Errors are log ratios ``log(actual / forecast)`` when every month is positive (``"log"``
space), else differences ``actual - forecast`` (``"linear"`` space).

Monthly intervals
    The signed errors of all horizons 1..12 are pooled after dividing each by ``h ** d``,
    where ``d`` (0 to 1) is how fast this series' errors grew with the horizon
    (:func:`growth_exponent`: 0 around a stable level, 0.5 for a random walk); the interval
    at horizon *h* is the point forecast moved by the conformal quantiles of that pool
    times ``h ** d``. Pooling gives about a hundred errors per series instead of a dozen
    per horizon.
Sums of the next *k* months (quarter and year end)
    The errors of the sum of the next *k* months, measured from every origin that has *k*
    months after it, are used for that *k* alone (a sum's relative error does not grow
    like one month's). Where fewer than :data:`MIN_ERRORS` were measured, the nearest
    shorter *k* with enough is used.
Too few errors (a new rep)
    Under :data:`MIN_ERRORS` measured errors the band comes from the month-to-month
    changes, on the linear scale: ``forecast +- z * s * sqrt(h)`` per month and
    ``+- z * s * k`` for a sum, with ``s`` the root mean square change (half the only
    month when there is one), ``z`` the normal quantile; lower bounds of sales that were
    never negative stop at 0. It is bounded by the months seen, never a multiple of
    ``exp`` of a guess.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

__all__ = ["MIN_ERRORS", "conformal_bounds", "effective_origins", "growth_exponent", "pooled_errors", "fallback_scale",
           "probability_above"]

#: errors needed before measured errors are trusted (else the month-to-month fallback)
MIN_ERRORS = 8


def conformal_bounds(errors: np.ndarray, level: float,
                     n_eff: int | None = None) -> tuple[float, float]:
    """Return the split-conformal quantiles ``(low, high)`` of signed ``errors`` for ``level``.

    With ``n`` exchangeable errors, ``high`` is the quantile of rank
    ``ceil((n + 1) * (1 + level) / 2) / n`` and ``low`` of rank
    ``floor((n + 1) * (1 - level) / 2) / n`` (clipped to the smallest and largest error), so
    that a new error falls inside with probability at least ``level``. Errors pooled from
    several horizons of the same origins are not independent: ``n_eff`` (the number of
    origins) then sets the ranks, read off all the errors by linear interpolation.
    ``low <= 0 <= high`` always, so the interval holds the point forecast.

    Parameters
    ----------
    errors : numpy.ndarray
        Finite signed errors.
    level : float
        Coverage, strictly between 0 and 1.
    n_eff : int, optional
        The number of independent errors (default: ``len(errors)``).

    Returns
    -------
    tuple of float
        ``(low, high)``.

    Examples
    --------
    >>> conformal_bounds(np.arange(-4.0, 5.0), 0.8)   # 9 errors: 1st and 9th smallest
    (-4.0, 4.0)
    >>> conformal_bounds(np.arange(-50.0, 51.0), 0.8)  # 101 errors: ranks 10/101 and 92/101
    (-41.0, 41.0)
    >>> conformal_bounds(np.array([1.0, 2.0, 3.0]), 0.5)
    (0.0, 3.0)
    """
    e = np.sort(np.asarray(errors, dtype=float))
    n = len(e)
    m = n if n_eff is None else max(1, min(int(n_eff), n))
    p_hi = min(1.0, math.ceil((m + 1) * (1 + level) / 2) / m)
    p_lo = max(0.0, math.floor((m + 1) * (1 - level) / 2) / m)
    # rank r of n sits at position (r - 1) / (n - 1) of np.quantile's linear scale
    def pos(p: float) -> float:
        return 0.0 if n == 1 else min(1.0, max(0.0, (p * n - 1) / (n - 1)))

    lo = float(np.quantile(e, pos(p_lo))) if p_lo > 0 else float(e[0])
    hi = float(np.quantile(e, pos(p_hi)))
    return min(lo, 0.0), max(hi, 0.0)


def effective_origins(n_origins: int) -> int:
    """Return how many independent errors ``n_origins`` consecutive rolling origins count as: half.

    Used for a combination whose weights were chosen on those same errors (they then look
    better than the errors still to come), and whose origins overlap: the two-month-ahead
    forecast from one origin and the one-month-ahead forecast from the next are of the same
    month, built on all but one of the same months. Counting every second origin sets the
    conformal ranks further out (an 80 % interval from 24 origins then runs from the 1/12
    quantile of the pooled errors to the largest, instead of from the 2/24 to the 23/24
    quantile). On the benchmark's ``dev`` series the combination's 80 % intervals covered
    0.80 of the months that followed this way, 0.75 counting every origin.

    Parameters
    ----------
    n_origins : int
        How many rolling origins were scored.

    Examples
    --------
    >>> effective_origins(24), effective_origins(9), effective_origins(1)
    (12, 4, 1)
    """
    return max(1, int(n_origins) // 2)


def growth_exponent(errors_by_h: list[list[float]]) -> float:
    """Return how fast the errors grow with the horizon: ``d`` in ``rms(h) ~ h ** d``, 0 <= d <= 1.

    A least-squares line through ``log rms(h)`` against ``log h`` over the horizons with at
    least :data:`MIN_ERRORS` errors, weighted by their count; clipped to 0 (errors that do
    not grow, as around a stable level) .. 1 (errors of a missed trend, growing linearly);
    a random walk gives 0.5. With fewer than two such horizons: 0.5.

    Parameters
    ----------
    errors_by_h : list of list of float
        The measured errors per horizon (1, 2, ...).

    Examples
    --------
    >>> e = [[1.0, -1.0] * 5, [2.0, -2.0] * 5, [3.0, -3.0] * 5, [4.0, -4.0] * 5]
    >>> round(growth_exponent(e), 6)        # errors proportional to h
    1.0
    >>> round(growth_exponent([[1.0, -1.0] * 5] * 4), 6)
    0.0
    """
    hs, rms, w = [], [], []
    for i, lst in enumerate(errors_by_h):
        e = np.asarray(lst, dtype=float)
        e = e[np.isfinite(e)]
        if len(e) >= MIN_ERRORS and np.any(e != 0):
            hs.append(math.log(i + 1))
            rms.append(math.log(float(np.sqrt(np.mean(e ** 2)))))
            w.append(len(e))
    if len(hs) < 2:
        return 0.5
    x, y, w = np.array(hs), np.array(rms), np.array(w, float)
    xm, ym = np.average(x, weights=w), np.average(y, weights=w)
    d = float(np.sum(w * (x - xm) * (y - ym)) / np.sum(w * (x - xm) ** 2))
    return min(max(d, 0.0), 1.0)


def pooled_errors(errors_by_h: list[list[float]], d: float = 0.5) -> np.ndarray:
    """Pool the errors of horizons 1, 2, ... after dividing those of horizon *h* by ``h ** d``.

    Parameters
    ----------
    errors_by_h : list of list of float
        ``errors_by_h[h - 1]`` holds the errors at horizon *h*; NaN are left out.
    d : float
        The growth exponent (:func:`growth_exponent`).

    Returns
    -------
    numpy.ndarray
        The standardised errors, sorted.

    Examples
    --------
    >>> pooled_errors([[1.0, -1.0], [2.0]]).round(4).tolist()
    [-1.0, 1.0, 1.4142]
    """
    parts = []
    for i, lst in enumerate(errors_by_h):
        e = np.asarray(lst, dtype=float)
        parts.append(e[np.isfinite(e)] / (i + 1) ** d)
    return np.sort(np.concatenate(parts)) if parts else np.array([])


def fallback_scale(v: np.ndarray) -> float:
    """Return the month-to-month scale of a short history: RMS change of the last 36 months.

    One month only: half its absolute value. All months equal: 0.

    Parameters
    ----------
    v : numpy.ndarray
        The monthly history.

    Examples
    --------
    >>> fallback_scale(np.array([100.0, 140.0, 110.0]))   # changes +40, -30
    35.35533905932738
    >>> fallback_scale(np.array([9060.0]))
    4530.0
    """
    v = np.asarray(v, dtype=float)[-36:]
    if len(v) < 2:
        return float(abs(v[-1]) / 2) if len(v) else 0.0
    return float(np.sqrt(np.mean(np.diff(v) ** 2)))


def probability_above(errors: np.ndarray, threshold: float) -> float:
    """Return P(error >= threshold) from the measured ``errors`` (a smoothed empirical share).

    Each error is widened into a normal kernel of Silverman's bandwidth, so that the
    probability moves smoothly with the threshold instead of in steps of 1/n.

    Parameters
    ----------
    errors : numpy.ndarray
        Measured errors.
    threshold : float
        The error to reach.

    Examples
    --------
    >>> e = np.array([-0.2, -0.1, 0.0, 0.1, 0.2])
    >>> round(probability_above(e, 0.0), 6)
    0.5
    >>> probability_above(e, 5.0) < 1e-6
    True
    """
    e = np.asarray(errors, dtype=float)
    sd = float(np.std(e))
    bw = 1.06 * sd * len(e) ** -0.2 if sd > 0 else 0.0
    if bw == 0:
        return float(np.mean(e >= threshold))
    nd = NormalDist()
    return float(np.mean([1 - nd.cdf((threshold - x) / bw) for x in e]))
