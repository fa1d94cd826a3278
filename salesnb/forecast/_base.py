"""Input checks and the shared estimator machinery of every forecaster (fit, predict, intervals)."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from salesnb.exceptions import DataError, NotFittedError, ParamsError

from . import intervals as iv

NOTE_ALL_ZERO = "all months are zero: forecast 0"
NOTE_FEW_ERRORS = ("too little history to measure the forecast's errors: the range comes "
                   "from the month-to-month changes")
MAX_H = 12           # horizons whose errors are measured at fit
CALIB_ORIGINS = 24   # prefixes refitted at fit time to measure errors


def as_monthly(y, name: str = "y") -> tuple[pd.Series, int]:
    """Validate ``y``; return a float Series on a full monthly PeriodIndex and the gaps filled.

    Parameters
    ----------
    y : pandas.Series
        Monthly values indexed by a monthly PeriodIndex or by month-start timestamps.
    name : str
        The argument's name, for error messages.

    Returns
    -------
    tuple of (pandas.Series, int)
        The series with missing months filled with 0, and how many were filled.

    Examples
    --------
    >>> y = pd.Series([1.0, 3.0], index=pd.PeriodIndex(["2025-01", "2025-03"], freq="M"))
    >>> s, filled = as_monthly(y)
    >>> s.tolist(), filled
    ([1.0, 0.0, 3.0], 1)
    """
    if not isinstance(y, pd.Series):
        raise DataError(f"{name} must be a pandas Series of monthly values, got {type(y).__name__}; "
                        "build one with series.set_axis(pd.period_range(..., freq='M')).")
    idx = y.index
    if isinstance(idx, pd.PeriodIndex):
        if idx.freqstr != "M":
            raise DataError(f"{name} must have a monthly PeriodIndex (freq 'M'), got freq "
                            f"{idx.freqstr!r}; convert with y.index.asfreq('M') or aggregate first.")
        months = idx
    elif isinstance(idx, pd.DatetimeIndex):
        bad = ~((idx.day == 1) & (idx == idx.normalize()))
        if bad.any():
            raise DataError(f"{name} has a DatetimeIndex that is not month-start timestamps, e.g. "
                            f"{list(idx[bad][:3].astype(str))}; aggregate by month first "
                            "(e.g. y.resample('MS').sum()) or use a PeriodIndex with freq 'M'.")
        months = idx.to_period("M")
    else:
        raise DataError(f"{name} must be indexed by a monthly PeriodIndex or month-start "
                        f"timestamps, got {type(idx).__name__}.")
    if len(y) == 0:
        raise DataError(f"{name} is empty: at least one month of history is needed.")
    if months.has_duplicates:
        dup = sorted(set(months[months.duplicated()].astype(str)))
        raise DataError(f"{name} has duplicated months {dup[:5]}; sum them first "
                        "(y.groupby(level=0).sum()).")
    try:
        vals = pd.to_numeric(pd.Series(y.to_numpy()), errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name} must hold numbers, got dtype {y.dtype}.") from exc
    if not np.isfinite(vals).all():
        pos = list(months[~np.isfinite(vals)].astype(str))
        raise DataError(f"{name} has missing or infinite values in months {pos[:5]}; "
                        "use 0 for a month without sales.")
    s = pd.Series(vals, index=months).sort_index()
    full = pd.period_range(s.index[0], s.index[-1], freq="M")
    return s.reindex(full, fill_value=0.0), len(full) - len(s)


def check_level(level: float) -> float:
    """Return ``level`` as a float after checking 0 < level < 1 (else :class:`ParamsError`)."""
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < float(level) < 1:
        raise ParamsError(f"level must be a fraction strictly between 0 and 1 (e.g. 0.8), "
                          f"got {level!r}.")
    return float(level)


def check_horizon(horizon: int) -> int:
    """Return ``horizon`` as an int after checking it is a whole number >= 1."""
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ParamsError(f"horizon must be a whole number of months >= 1, got {horizon!r}.")
    return int(horizon)


class Forecaster(BaseEstimator):
    """Shared fit/predict machinery; subclasses define ``_forecast(values, months, horizon)``.

    ``fit(y)`` validates the series, drops leading zero months (before a new rep's first
    sale), refits the model on up to :data:`CALIB_ORIGINS` earlier prefixes to measure its
    out-of-sample errors (see :mod:`salesnb.forecast.intervals`) and returns ``self``.
    Fitted attributes: ``y_``, ``n_months_``, ``last_month_``, ``method_``, ``note_``,
    ``error_space_``, ``n_errors_``, ``growth_``, ``calib_errors_``, ``cum_errors_``,
    ``fallback_``, ``fallback_scale_``, ``accuracy_``.
    """

    method_name = "forecast"

    def _forecast(self, v: np.ndarray, months: pd.PeriodIndex, horizon: int) -> np.ndarray:
        raise NotImplementedError

    def _describe(self, v: np.ndarray) -> tuple[str, list[str]]:
        return self.method_name, []

    def _point(self, v: np.ndarray, months: pd.PeriodIndex, horizon: int) -> np.ndarray:
        nz = np.flatnonzero(v != 0)
        if len(nz) == 0:
            return np.zeros(horizon)
        v, months = v[nz[0]:], months[nz[0]:]          # ignore leading zero months
        f = np.asarray(self._forecast(v, months, horizon), dtype=float)
        return np.maximum(f, 0.0) if (v >= 0).all() else f

    def fit(self, y) -> Forecaster:
        """Fit on the monthly series ``y`` and measure out-of-sample errors.

        Parameters
        ----------
        y : pandas.Series
            Monthly values (PeriodIndex or month-start timestamps).

        Returns
        -------
        Forecaster
            ``self``.
        """
        s, filled = as_monthly(y)
        nz = np.flatnonzero(s.to_numpy() != 0)
        if len(nz):
            s = s.iloc[nz[0]:]              # a new rep's months before the first sale
        v, months = s.to_numpy(), s.index
        self.y_ = s
        self.n_months_ = len(v)
        self.last_month_ = months[-1]
        self.error_space_ = "log" if (v > 0).all() else "linear"
        self.method_, notes = self._describe(v)
        if len(nz) == 0:
            notes = [NOTE_ALL_ZERO]
        if filled:
            notes.append(f"{filled} missing months filled with 0")
        self._calibrate(v, months)   # fallback_ says when too few errors were measured
        self.note_ = "; ".join(notes)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "y_"):
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet: call "
                                 ".fit(y) with a monthly sales Series before .predict().")

    def _errors(self, a: np.ndarray, f: np.ndarray) -> np.ndarray:
        if self.error_space_ == "log":
            with np.errstate(divide="ignore", invalid="ignore"):
                e = np.log(a / f)
            return np.where((a > 0) & (f > 0), e, np.nan)
        return a - f

    def _origins(self, n: int) -> range:
        """Return the prefix lengths refitted at fit time (the rolling origins)."""
        min_train = 12 if n >= 24 else 6
        return range(max(min_train, n - CALIB_ORIGINS), n)

    def _origin_forecasts(self, v: np.ndarray, months: pd.PeriodIndex) -> list[np.ndarray]:
        """Forecast from every origin ``t`` in :meth:`_origins`: up to 12 months after ``t``."""
        return [self._point(v[:t], months[:t], min(MAX_H, len(v) - t)) for t in self._origins(len(v))]

    def _calibrate(self, v: np.ndarray, months: pd.PeriodIndex) -> None:
        n = len(v)
        e_h = [[] for _ in range(MAX_H)]
        e_k = [[] for _ in range(MAX_H)]
        one = []                # (actual, forecast, same month last year) one month ahead
        for t, f in zip(self._origins(n), self._origin_forecasts(v, months), strict=True):
            a = v[t:t + len(f)]
            one.append((a[0], f[0], v[t - 12] if t >= 12 else np.nan))
            for i, e in enumerate(self._errors(a, f)):
                e_h[i].append(e)
            for i, e in enumerate(self._errors(np.cumsum(a), np.cumsum(f))):
                e_k[i].append(e)
        self.growth_ = iv.growth_exponent(e_h)
        self.calib_errors_ = iv.pooled_errors(e_h, self.growth_)
        self.cum_errors_ = [np.sort(np.asarray(e, float)[np.isfinite(e)]) for e in e_k]
        self.n_errors_ = int(len(self.calib_errors_))
        self.n_origins_ = len(one)
        self.fallback_ = self.n_errors_ < iv.MIN_ERRORS
        self.fallback_scale_ = iv.fallback_scale(v)
        with np.errstate(all="ignore"):
            self._accuracy(np.asarray(one[-12:], dtype=float).reshape(-1, 3))

    def _accuracy(self, last: np.ndarray) -> None:
        """Set ``accuracy_`` from the (actual, forecast, last year) rows of the last origins."""
        err = np.abs(last[:, 0] - last[:, 1])
        nz = last[:, 0] != 0
        has_ly = np.isfinite(last[:, 2])
        sn_mae = float(np.abs(last[has_ly, 0] - last[has_ly, 2]).mean()) if has_ly.any() else np.nan
        mae_ly = float(err[has_ly].mean()) if has_ly.any() else np.nan
        self.accuracy_ = {
            "n": int(len(last)),
            "mae": float(err.mean()) if len(last) else np.nan,
            "mape": float(np.mean(err[nz] / np.abs(last[nz, 0]))) if nz.any() else np.nan,
            # the same one-month-ahead forecasts against "same month last year"
            "n_vs_last_year": int(has_ly.sum()),
            "mae_vs_last_year": mae_ly,
            "last_year_mae": sn_mae,
        }

    def _n_eff(self, n_origins: int) -> int:
        """How many independent errors the errors of ``n_origins`` origins count as (all)."""
        return n_origins

    def _z(self, level: float) -> float:
        return NormalDist().inv_cdf(0.5 + level / 2)

    def _bounds(self, f: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        k = np.arange(1, len(f) + 1)
        if self.fallback_:
            d = self._z(level) * self.fallback_scale_ * np.sqrt(k)
            lo, hi = f - d, f + d
        else:
            qlo, qhi = iv.conformal_bounds(self.calib_errors_, level,
                                           n_eff=self._n_eff(self.n_origins_))
            h = k ** self.growth_
            if self.error_space_ == "log":
                lo, hi = f * np.exp(qlo * h), f * np.exp(qhi * h)
            else:
                lo, hi = f + qlo * h, f + qhi * h
        if (self.y_.to_numpy() >= 0).all():
            lo = np.maximum(lo, 0.0)
        return np.minimum(lo, f), np.maximum(hi, f)

    def predict(self, horizon: int) -> pd.DataFrame:
        """Return the forecast of the next ``horizon`` months.

        Parameters
        ----------
        horizon : int
            Months ahead, >= 1.

        Returns
        -------
        pandas.DataFrame
            One row per month: ``month`` (Period[M]), ``forecast``, ``lower``, ``upper``
            (the ``level`` interval, which always holds the forecast).
        """
        self._check_fitted()
        horizon = check_horizon(horizon)
        level = check_level(getattr(self, "level", 0.8))
        f = self._point(self.y_.to_numpy(), self.y_.index, horizon)
        lo, hi = self._bounds(f, level)
        months = pd.period_range(self.last_month_ + 1, periods=horizon, freq="M")
        return pd.DataFrame({"month": months, "forecast": f, "lower": lo, "upper": hi})

    def _cum_errors(self, k: int) -> np.ndarray | None:
        """Measured errors of sums of ``k`` months (or the nearest shorter k with enough)."""
        if self.fallback_:
            return None
        for j in range(min(k, MAX_H), 0, -1):
            if len(self.cum_errors_[j - 1]) >= iv.MIN_ERRORS:
                return self.cum_errors_[j - 1]
        return None

    def sum_forecast(self, k: int, *, level: float | None = None,
                     need: float | None = None) -> dict:
        """Forecast the sum of the next ``k`` months with its interval and P(sum >= need).

        Parameters
        ----------
        k : int
            Months summed, >= 1.
        level : float, optional
            Interval coverage (default: the model's ``level``).
        need : float, optional
            The sum to reach; ``probability`` is NaN without it.

        Returns
        -------
        dict
            ``forecast``, ``lower``, ``upper``, ``probability``.
        """
        self._check_fitted()
        k = check_horizon(k)
        level = check_level(self.level if level is None else level)
        fc = float(self._point(self.y_.to_numpy(), self.y_.index, k).sum())
        e = self._cum_errors(k)
        nonneg = bool((self.y_.to_numpy() >= 0).all())
        if e is None:
            sd = self.fallback_scale_ * k
            d = self._z(level) * sd
            lo, hi = fc - d, fc + d
            if need is None:
                p = np.nan
            elif sd == 0:
                p = float(fc >= need)
            else:
                p = 1 - NormalDist(fc, sd).cdf(need)
        else:
            qlo, qhi = iv.conformal_bounds(e, level, n_eff=self._n_eff(len(e)))
            if self.error_space_ == "log":
                lo, hi = fc * np.exp(qlo), fc * np.exp(qhi)
                if need is None:
                    p = np.nan
                elif need <= 0:
                    p = 1.0
                elif fc <= 0:
                    p = 0.0
                else:
                    p = iv.probability_above(e, float(np.log(need / fc)))
            else:
                lo, hi = fc + qlo, fc + qhi
                p = np.nan if need is None else iv.probability_above(e, need - fc)
        if nonneg:
            lo = max(lo, 0.0)
        return {"forecast": fc, "lower": float(min(lo, fc)), "upper": float(max(hi, fc)),
                "probability": float(p)}


def mase_scale(v: np.ndarray) -> float:
    """Return the MASE denominator of ``v``: in-sample seasonal-naive MAE (naive under 13 months).

    NaN when it is 0 or there are fewer than 2 months.

    Examples
    --------
    >>> mase_scale(np.array([1.0, 3.0, 2.0]))
    1.5
    """
    if len(v) >= 13:
        d = np.abs(v[12:] - v[:-12])
    elif len(v) >= 2:
        d = np.abs(np.diff(v))
    else:
        return np.nan
    s = float(d.mean())
    return s if s > 0 else np.nan
