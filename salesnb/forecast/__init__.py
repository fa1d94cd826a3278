"""Monthly sales forecasts whose accuracy is measured: models, backtests, year- and quarter-end projections.

Models follow scikit-learn's estimator contract: ``__init__`` stores settings, ``fit(y)``
returns ``self`` and sets attributes ending in ``_``, ``predict(horizon)`` returns a tidy
frame ``month, forecast, lower, upper``.

Modules
    :mod:`~salesnb.forecast.models` (baselines :class:`Naive`, :class:`SeasonalNaive`,
    :class:`Drift`, :class:`RunRate`; regression trend models :class:`LogTrendSeasonal`,
    :class:`TrendSeasonalBlend`; :class:`AutoForecaster`),
    :mod:`~salesnb.forecast.select` (statsmodels :class:`ETS` and :class:`Theta`, and the
    default :class:`ValidatedForecaster` returned by :func:`make_default`),
    :mod:`~salesnb.forecast.intervals` (conformal intervals from out-of-sample errors),
    :mod:`~salesnb.forecast.backtest` (:func:`forecast_series`, :func:`backtest`,
    accuracy sentences), :mod:`~salesnb.forecast.projection` (year and quarter end).

Input series
    ``y`` is a pandas Series of monthly values indexed by a monthly PeriodIndex or by
    month-start timestamps. Duplicated months and missing values are errors; months
    missing inside the range are filled with 0 (a month without sales sold nothing) and
    the model's ``note_`` says how many. Leading zero months (before a new rep's first
    sale) are ignored.
"""

from __future__ import annotations

from ._base import NOTE_ALL_ZERO, NOTE_FEW_ERRORS, Forecaster
from ._base import as_monthly as _as_monthly  # noqa: F401 - used by the benchmark
from ._base import mase_scale as _mase_scale  # noqa: F401
from .backtest import (
    accuracy_ratio_words,
    accuracy_sentence,
    accuracy_vs_last_year,
    accuracy_words,
    backtest,
    backtest_errors,
    forecast_series,
)
from .models import (
    NOTE_LINEAR,
    NOTE_NO_MONTH_EFFECTS,
    NOTE_NO_SEASONAL,
    NOTE_RUN_RATE,
    AutoForecaster,
    Drift,
    LogTrendSeasonal,
    Naive,
    RunRate,
    SeasonalNaive,
    TrendSeasonalBlend,
    _ridge,  # noqa: F401 - a test checks it against sklearn
)
from .projection import (
    QUARTER_COLUMNS,
    projections,
    projections_and_paths,
    quarter_end_projection,
    quarter_targets,
    year_end_projection,
)
from .select import (
    ETS,
    HISTORY_RULES,
    DefaultForecaster,
    Theta,
    ValidatedForecaster,
    make_default,
)

_Forecaster = Forecaster   # the name the benchmark and older code subclass

__all__ = [
    "Naive", "SeasonalNaive", "Drift", "RunRate", "LogTrendSeasonal", "TrendSeasonalBlend",
    "AutoForecaster", "ETS", "Theta", "ValidatedForecaster", "Forecaster",
    "DefaultForecaster", "make_default", "forecast_series", "backtest", "backtest_errors",
    "accuracy_sentence", "accuracy_words", "accuracy_vs_last_year", "accuracy_ratio_words",
    "year_end_projection", "quarter_end_projection", "projections", "projections_and_paths",
    "quarter_targets", "QUARTER_COLUMNS", "HISTORY_RULES",
    "NOTE_RUN_RATE", "NOTE_NO_SEASONAL", "NOTE_NO_MONTH_EFFECTS", "NOTE_LINEAR",
    "NOTE_ALL_ZERO", "NOTE_FEW_ERRORS",
]
