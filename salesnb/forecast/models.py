"""Baselines and the regression trend models: naive, seasonal naive, drift, run-rate, trend + season.

Baselines (:class:`Naive`, :class:`SeasonalNaive`, :class:`Drift`, :class:`RunRate`) are
first-class models to compare against. :class:`TrendSeasonalBlend` was salesnb's default
before :class:`~salesnb.forecast.select.ValidatedForecaster`, which now uses it as one of
its candidates; :class:`LogTrendSeasonal` and :class:`AutoForecaster` are kept for
comparison in the benchmark.
"""

from __future__ import annotations

import numpy as np
import pandas as pd  # noqa: F401 - the doctests use it
from sklearn.base import clone

from ._base import Forecaster as _Forecaster
from ._base import mase_scale as _mase_scale

NOTE_RUN_RATE = "fewer than 6 months of history: run-rate forecast"
NOTE_NO_SEASONAL = "fewer than 24 months of history: no seasonal term"
NOTE_NO_MONTH_EFFECTS = "fewer than 24 months of history: no month-of-year effects"
NOTE_LINEAR = "zero or negative months: fitted on the linear scale"


# ----------------------------------------------------------------------------- baselines
class Naive(_Forecaster):
    """Forecast every month as the last month's value.

    Examples
    --------
    >>> y = pd.Series([10.0, 12.0, 11.0], index=pd.period_range("2025-01", periods=3, freq="M"))
    >>> Naive().fit(y).predict(2)["forecast"].tolist()
    [11.0, 11.0]
    """

    method_name = "naive (last month)"

    def __init__(self, *, level: float = 0.8):
        self.level = level

    def _forecast(self, v, months, horizon):
        return np.repeat(v[-1], horizon)


class SeasonalNaive(_Forecaster):
    """Forecast each month as the same month one year earlier (naive under 12 months).

    Examples
    --------
    >>> y = pd.Series(np.arange(1.0, 13.0), index=pd.period_range("2024-01", periods=12, freq="M"))
    >>> SeasonalNaive().fit(y).predict(3)["forecast"].tolist()
    [1.0, 2.0, 3.0]
    """

    method_name = "seasonal naive (same month last year)"

    def __init__(self, *, level: float = 0.8):
        self.level = level

    def _forecast(self, v, months, horizon):
        if len(v) < 12:
            return np.repeat(v[-1], horizon)
        return np.array([v[len(v) - 12 + (i % 12)] for i in range(horizon)])


class Drift(_Forecaster):
    """Extend the straight line from the first to the last month.

    Examples
    --------
    >>> y = pd.Series([10.0, 12.0, 14.0], index=pd.period_range("2025-01", periods=3, freq="M"))
    >>> Drift().fit(y).predict(2)["forecast"].tolist()
    [16.0, 18.0]
    """

    method_name = "drift (average monthly change)"

    def __init__(self, *, level: float = 0.8):
        self.level = level

    def _forecast(self, v, months, horizon):
        slope = (v[-1] - v[0]) / (len(v) - 1) if len(v) > 1 else 0.0
        return v[-1] + slope * np.arange(1, horizon + 1)


class RunRate(_Forecaster):
    """Forecast every month as the mean of the last ``k`` months.

    Examples
    --------
    >>> y = pd.Series([10.0, 20.0, 30.0, 40.0], index=pd.period_range("2025-01", periods=4, freq="M"))
    >>> RunRate(k=3).fit(y).predict(2)["forecast"].tolist()
    [30.0, 30.0]
    """

    def __init__(self, k: int = 3, *, level: float = 0.8):
        self.k = k
        self.level = level

    def _describe(self, v):
        return f"run-rate (mean of the last {self.k} months)", []

    def _forecast(self, v, months, horizon):
        return np.repeat(np.mean(v[-self.k:]), horizon)


# ----------------------------------------------------------------------------- trend model
class LogTrendSeasonal(_Forecaster):
    """Fit a linear trend plus month-of-year effects to the log of recent monthly sales.

    Over the last ``window`` months: ``log(y) = a + b * t + month effect`` by ridge
    regression (``alpha`` shrinks the month effects and the trend towards 0).
    With month effects, the forecast is blended with weight ``blend`` with the
    same month last year (seasonal naive): month effects estimated from two or
    three years are noisy, and the blend measured better on real series
    (benchmarks/forecast_accuracy.py; growing last year's month by the fitted
    trend measured worse). On a steady trend the blend lags by about half a
    year's growth.
    Under ``min_seasonal`` months there are no month effects; under 6 months the
    forecast is the run-rate of the last 3 months. When a month in the window is
    zero or negative the same model is fitted to the sales themselves (linear
    scale) instead of their log. The point forecast is ``exp`` of the fitted log
    (a median, not a mean).

    Examples
    --------
    >>> y = pd.Series([100.0, 110.0, 121.0, 133.1, 146.41, 161.051],
    ...               index=pd.period_range("2025-01", periods=6, freq="M"))
    >>> m = LogTrendSeasonal(alpha=0.0).fit(y)
    >>> m.predict(2)["forecast"].round(2).tolist()   # +10 % a month continues
    [177.16, 194.87]
    >>> m.note_
    'fewer than 24 months of history: no seasonal term'
    """

    def __init__(self, window: int = 36, *, min_seasonal: int = 24, alpha: float = 1.0,
                 blend: float = 0.5, level: float = 0.8):
        self.window = window
        self.min_seasonal = min_seasonal
        self.alpha = alpha
        self.blend = blend
        self.level = level

    def _describe(self, v):
        if len(v) < 6:
            return "run-rate (mean of the last 3 months)", [NOTE_RUN_RATE]
        w = v[-self.window:]
        notes, name = [], "trend"
        if len(w) >= self.min_seasonal:
            name += " + month-of-year effects"
            if self.blend:
                name += f", blended {self.blend:.0%} with last year's months"
        else:
            notes.append(NOTE_NO_SEASONAL)
        if (w > 0).all():
            name = "log " + name
        else:
            notes.append(NOTE_LINEAR)
        return f"{name} (last {len(w)} months)", notes

    def _design(self, t: np.ndarray, moy: np.ndarray, seasonal: bool) -> np.ndarray:
        if not seasonal:
            return (t / 12.0)[:, None]
        return np.column_stack([t / 12.0, moy[:, None] == np.arange(1, 13)]).astype(float)

    def _forecast(self, v, months, horizon):
        if len(v) < 6:
            return np.repeat(np.mean(v[-3:]), horizon)
        w = v[-self.window:]
        n = len(w)
        seasonal = n >= self.min_seasonal
        log = bool((w > 0).all())
        z = np.log(w) if log else w
        # months are consecutive: month-of-year by arithmetic, not by building periods
        k = np.arange(-n + 1, horizon + 1) + (months[-1].month - 1)
        moy = k % 12 + 1
        t = np.arange(n + horizon, dtype=float)
        X = self._design(t, moy, seasonal)
        zf = _ridge(X[:n], z, self.alpha, X[n:])
        f = np.exp(zf) if log else zf
        if seasonal and self.blend:      # last year's same month, as seasonal naive
            last_year = SeasonalNaive()._forecast(v, months, horizon)
            f = (1 - self.blend) * f + self.blend * last_year
        return f


def _ridge(X: np.ndarray, z: np.ndarray, alpha: float, X_new: np.ndarray,
           sample_weight: np.ndarray | None = None) -> np.ndarray:
    """Fit ``Ridge(alpha)`` with an unpenalised intercept on (X, z) and predict X_new.

    The same estimate as ``sklearn.linear_model.Ridge(alpha).fit(X, z, sample_weight)
    .predict(X_new)`` (a test checks it), solved here with NumPy: weighted centring, rows
    scaled by the square root of their weight, then the normal equations
    ``(X'X + alpha I) coef = X'z``. Backtests refit these models hundreds of times per
    series, where scikit-learn's argument checks cost several times the solve.
    """
    if sample_weight is None:
        xm, zm = X.mean(axis=0), z.mean()
        xc, zc = X - xm, z - zm
    else:
        sw = sample_weight / sample_weight.sum()
        xm, zm = sw @ X, sw @ z
        r = np.sqrt(sample_weight)
        xc, zc = (X - xm) * r[:, None], (z - zm) * r
    a = xc.T @ xc
    a[np.diag_indices_from(a)] += alpha
    coef = np.linalg.solve(a, xc.T @ zc)
    return zm + (X_new - xm) @ coef


class TrendSeasonalBlend(_Forecaster):
    """Blend last year's months with a recent-weighted trend and season, by how stable the season is.

    ``forecast = w * seasonal naive + (1 - w) * trend model`` where

    * the **trend model** is a ridge regression (``alpha``) of the sales over the last
      ``window`` months, each month weighted ``0.5 ** (age / halflife)`` so that the fit
      follows the recent level: a linear trend, month-of-quarter effects (the quarter-end
      push; from 12 months of history) and month-of-year effects (from ``min_seasonal``
      months). It is fitted on sales divided by their mean, so it accepts zero and
      negative months;
    * the **weight** ``w = 1 / (1 + (c * rho) ** 2)`` where ``rho`` is the mean absolute
      error of "same month last year" over the last ``rho_months`` months divided by that
      of "last month" (over the same months; over all month-to-month changes under two
      years). A stable yearly pattern (``rho`` well under 1) puts the weight on last
      year's months; level shifts and noise (``rho`` near or above 1) on the trend model.
      Under 13 months there is no last year to use and ``w = 0``.

    Under 6 months the forecast is the run-rate of the last 3 months. Measured on 34 real
    series (benchmarks/forecast_accuracy.py): it beats seasonal naive on every one, and
    the result holds for ``c`` from 0.8 to 1.0 and ``halflife`` 6 or 8.

    Examples
    --------
    A quarter-end pattern that repeats exactly: all weight on last year's months.

    >>> y = pd.Series([80.0, 90.0, 130.0] * 12,
    ...               index=pd.period_range("2023-01", periods=36, freq="M"))
    >>> m = TrendSeasonalBlend().fit(y)
    >>> m.predict(3)["forecast"].tolist()
    [80.0, 90.0, 130.0]
    >>> m.method_
    "trend + month-of-quarter + month-of-year effects (last 36 months, recent months weighted), blended 100% with last year's months"

    Ten months: no last year, no month-of-year effects; the ridge penalty damps a trend
    seen over a few months only.

    >>> m = TrendSeasonalBlend().fit(y.iloc[:10])
    >>> m.note_
    'fewer than 24 months of history: no month-of-year effects'
    """

    def __init__(self, window: int = 36, *, halflife: float = 6.0, alpha: float = 1.0,
                 c: float = 0.9, rho_months: int = 12, min_seasonal: int = 24,
                 level: float = 0.8):
        self.window = window
        self.halflife = halflife
        self.alpha = alpha
        self.c = c
        self.rho_months = rho_months
        self.min_seasonal = min_seasonal
        self.level = level

    def _describe(self, v):
        if len(v) < 6:
            return "run-rate (mean of the last 3 months)", [NOTE_RUN_RATE]
        n = min(len(v), self.window)
        parts = ["trend"]
        if n >= 12:
            parts.append("month-of-quarter")
        if n >= self.min_seasonal:
            parts.append("month-of-year effects")
        elif n >= 12:
            parts[-1] += " effects"
        name = " + ".join(parts) + f" (last {n} months, recent months weighted)"
        w = self._weight(v)
        if w > 0:
            name += f", blended {w:.0%} with last year's months"
        notes = [NOTE_NO_MONTH_EFFECTS] if n < self.min_seasonal else []
        return name, notes

    def _weight(self, v: np.ndarray) -> float:
        n = len(v)
        if n < 13:
            return 0.0
        w = v[-(self.rho_months + 12):]
        target = w[12:]
        sn = float(np.mean(np.abs(target - w[:-12])))
        d = np.abs(np.diff(w))
        naive = float(np.mean(d[-len(target):] if len(w) >= 24 else d))
        if not naive > 0:
            return 0.0
        return 1.0 / (1.0 + (self.c * sn / naive) ** 2)

    def _trend(self, v: np.ndarray, last_month: int, horizon: int) -> np.ndarray:
        w = v[-self.window:]
        n = len(w)
        k = np.arange(-n + 1, horizon + 1) + (last_month - 1)
        moy = k % 12 + 1          # months are consecutive: month-of-year by arithmetic
        cols = [np.arange(n + horizon, dtype=float) / 12.0]
        if n >= 12:
            cols.append((moy - 1)[:, None] % 3 == np.arange(3))
        if n >= self.min_seasonal:
            cols.append(moy[:, None] == np.arange(1, 13))
        X = np.column_stack(cols).astype(float)
        weight = 0.5 ** ((n - 1 - np.arange(n)) / self.halflife)
        scale = float(np.mean(np.abs(w))) or 1.0
        z = w / scale
        return _ridge(X[:n], z, self.alpha, X[n:], sample_weight=weight) * scale

    def _forecast(self, v, months, horizon):
        if len(v) < 6:
            return np.repeat(np.mean(v[-3:]), horizon)
        f = self._trend(v, months[-1].month, horizon)
        w = self._weight(v)
        if w > 0:
            f = w * SeasonalNaive()._forecast(v, months, horizon) + (1 - w) * f
        return f


# ----------------------------------------------------------------------------- selection
class AutoForecaster(_Forecaster):
    """Pick, per series, the candidate with the lowest backtest MASE on the history.

    Candidates (default: :class:`LogTrendSeasonal`, :class:`SeasonalNaive`,
    :class:`RunRate`) are scored by the MASE of rolling-origin one- to
    six-month-ahead forecasts over the last ``origins`` months of the history.
    Under 18 months the first candidate is used; under 24 months seasonal naive
    is not a candidate (no seasonal term on short histories).

    Examples
    --------
    >>> y = pd.Series(np.arange(1.0, 25.0), index=pd.period_range("2023-01", periods=24, freq="M"))
    >>> AutoForecaster(candidates=(Naive(), Drift())).fit(y).selected_
    'Drift'
    """

    def __init__(self, candidates: tuple | None = None, *, origins: int = 12, level: float = 0.8):
        self.candidates = candidates
        self.origins = origins
        self.level = level

    def _candidates(self):
        return self.candidates or (LogTrendSeasonal(), SeasonalNaive(), RunRate())

    def _pick(self, v, months):
        cands = self._candidates()
        if len(v) < 18:
            return cands[0]
        best, best_score = cands[0], np.inf
        for c in cands:
            if isinstance(c, SeasonalNaive) and len(v) < 24:
                continue
            errs = []
            for t in range(max(6, len(v) - self.origins), len(v)):
                h = min(6, len(v) - t)
                scale = _mase_scale(v[:t])
                if np.isfinite(scale):
                    errs.extend(np.abs(v[t:t + h] - c._point(v[:t], months[:t], h)) / scale)
            score = np.mean(errs) if errs else np.inf
            if score < best_score:
                best, best_score = c, score
        return best

    def _describe(self, v):
        c = self._pick(v, self.y_.index[-len(v):])
        self.selected_ = type(c).__name__
        self.best_ = clone(c)
        name, notes = c._describe(v)
        return f"{name}, chosen by backtest", notes

    def _forecast(self, v, months, horizon):
        # the choice made at fit time is kept for the error measurement and predict
        return self.best_._point(v, months, horizon)


