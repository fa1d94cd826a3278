"""Rolling-origin backtests, the accuracy sentences, and :func:`forecast_series`."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone

from salesnb.exceptions import ParamsError

from ._base import Forecaster as _Forecaster
from ._base import as_monthly as _as_monthly
from ._base import check_horizon as _check_horizon
from ._base import check_level as _check_level
from ._base import mase_scale as _mase_scale
from .models import Naive  # noqa: F401 - the doctests use it
from .select import make_default

__all__ = ["forecast_series", "backtest_errors", "backtest", "accuracy_words",
           "accuracy_sentence", "accuracy_vs_last_year", "accuracy_ratio_words"]


def forecast_series(y: pd.Series, horizon: int, *, level: float = 0.8,
                    model: _Forecaster | None = None) -> pd.DataFrame:
    """Forecast the next ``horizon`` months of a monthly series with the default model.

    Parameters
    ----------
    y : Series
        Monthly actuals indexed by month (Period[M]).
    horizon : int
        Months ahead.
    level : float
        The interval's coverage (0.8: 80 %).
    model : forecaster, optional
        The forecaster (default: :func:`salesnb.forecast.make_default`).

    Returns
    -------
    DataFrame with one row per month ahead: ``month`` (Period[M]), ``forecast``,
    ``lower``, ``upper`` (the ``level`` interval). ``attrs["note"]`` and
    ``attrs["method"]`` describe the model used (e.g. a run-rate for short histories).

    Examples
    --------
    >>> y = pd.Series([100.0, 100.0, 100.0], index=pd.period_range("2025-01", periods=3, freq="M"))
    >>> forecast_series(y, 2)
         month  forecast  lower  upper
    0  2025-04     100.0  100.0  100.0
    1  2025-05     100.0  100.0  100.0
    """
    _check_level(level)
    m = clone(model) if model is not None else make_default()
    m.set_params(level=level)
    out = m.fit(y).predict(horizon)
    out.attrs.update(note=m.note_, method=m.method_, rule=getattr(m, "history_rule_", None))
    return out


def backtest_errors(y: pd.Series, model: _Forecaster, *, origins: int = 12,
                    horizons=range(1, 7)) -> pd.DataFrame:
    """Return every rolling-origin forecast of ``y``: one row per origin and horizon.

    Origin *i* fits a fresh clone of ``model`` on the months up to and including
    ``origin`` only, then forecasts the following months. The origins are the last
    ``origins`` months from which the shortest horizon can still be checked.

    Parameters
    ----------
    y : Series
        Monthly actuals indexed by month (Period[M]).
    model : forecaster
        An unfitted forecaster (cloned at each origin).
    origins : int
        Rolling origins.
    horizons : iterable of int
        Months ahead forecast.

    Returns
    -------
    DataFrame with ``origin`` (last training month), ``month``, ``horizon``,
    ``actual``, ``forecast``, ``lower``, ``upper``, ``scale`` (MASE denominator
    of the training months: seasonal-naive MAE, naive MAE under 13 months).

    Examples
    --------
    >>> y = pd.Series([1.0, 2.0, 3.0, 4.0], index=pd.period_range("2025-01", periods=4, freq="M"))
    >>> backtest_errors(y, Naive(), origins=2, horizons=[1])[["origin", "month", "forecast"]]
        origin    month  forecast
    0  2025-02  2025-03       2.0
    1  2025-03  2025-04       3.0
    """
    s, _ = _as_monthly(y)
    hs = sorted(int(_check_horizon(h)) for h in horizons)
    if not hs:
        raise ParamsError("horizons must hold at least one horizon, got an empty range.")
    v, n = s.to_numpy(), len(s)
    rows = []
    for L in range(max(1, n - int(origins) - hs[0] + 1), n - hs[0] + 1):
        fc = clone(model).fit(s.iloc[:L]).predict(hs[-1])
        scale = _mase_scale(v[:L])
        for h in hs:
            if L + h - 1 < n:
                r = fc.iloc[h - 1]
                rows.append((s.index[L - 1], r["month"], h, v[L + h - 1], r["forecast"],
                             r["lower"], r["upper"], scale))
    cols = ["origin", "month", "horizon", "actual", "forecast", "lower", "upper", "scale"]
    out = pd.DataFrame(rows, columns=cols)
    for c in ("origin", "month"):
        out[c] = pd.PeriodIndex(out[c], freq="M") if len(out) else pd.PeriodIndex([], freq="M")
    return out.sort_values(["horizon", "origin"]).reset_index(drop=True)


def _summarise(e: pd.DataFrame) -> pd.DataFrame:
    err = (e["actual"] - e["forecast"]).abs()
    pct = err / e["actual"].abs().where(e["actual"] != 0)
    d = e.assign(ae=err, pe=pct, se=err / e["scale"],
                 hit=((e["actual"] >= e["lower"]) & (e["actual"] <= e["upper"])).astype(float))
    g = d.groupby("horizon", sort=True)
    return pd.DataFrame({"n": g.size(), "mae": g["ae"].mean(), "mape": g["pe"].mean(),
                         "mase": g["se"].mean(), "coverage": g["hit"].mean()}).reset_index()


def backtest(y: pd.Series, model: _Forecaster, *, origins: int = 12,
             horizons=range(1, 7)) -> pd.DataFrame:
    """Measure ``model`` by rolling-origin backtest; one row per horizon.

    Parameters
    ----------
    y : Series
        Monthly actuals indexed by month (Period[M]).
    model : forecaster
        An unfitted forecaster (cloned at each origin).
    origins : int
        Rolling origins.
    horizons : iterable of int
        Months ahead measured.

    Returns
    -------
    DataFrame with ``horizon``, ``n`` (forecasts checked), ``mae``, ``mape``
    (fraction; months with actual 0 left out, NaN if none), ``mase`` (MAE scaled
    by each origin's in-sample seasonal-naive MAE, M4 style) and ``coverage``
    (share of actuals inside the interval).

    Examples
    --------
    >>> y = pd.Series([10.0, 20.0, 30.0, 40.0], index=pd.period_range("2025-01", periods=4, freq="M"))
    >>> backtest(y, Naive(), origins=2, horizons=[1])[["horizon", "n", "mae", "mape", "mase"]]
       horizon  n   mae      mape  mase
    0        1  2  10.0  0.291667   1.0
    """
    e = backtest_errors(y, model, origins=origins, horizons=horizons)
    cols = ["horizon", "n", "mae", "mape", "mase", "coverage"]
    if e.empty:
        return pd.DataFrame(columns=cols)
    return _summarise(e)[cols]


def accuracy_words(n: int, mape: float, mae: float, *, lang: str = "en",
                   money=lambda v: f"{v:,.0f}") -> str:
    """Word a measured one-month-ahead error (``n`` forecasts, MAPE or, if undefined, MAE).

    Parameters
    ----------
    n : int
        How many forecasts were measured.
    mape : float
        Their mean absolute percentage error (NaN: undefined).
    mae : float
        Their mean absolute error.
    lang : str
        ``en`` or ``zh``.
    money : callable
        Formats an amount (the MAE).

    Examples
    --------
    >>> accuracy_words(12, 0.093, 500.0)
    'Over the last 12 months the one-month-ahead forecast was off by 9 % on average.'
    >>> accuracy_words(12, 0.093, 500.0, lang="zh")
    '过去12个月，提前一个月的预测平均误差为9 %。'
    """
    if not n:
        return ("There is not enough history yet to measure the forecast's accuracy."
                if lang != "zh" else "历史数据不足，暂无法衡量预测准确度。")
    size = f"{mape * 100:.0f} %" if np.isfinite(mape) else money(mae)
    if lang == "zh":
        return f"过去{n}个月，提前一个月的预测平均误差为{size}。"
    span = "month" if n == 1 else f"{n} months"
    return f"Over the last {span} the one-month-ahead forecast was off by {size} on average."


def accuracy_sentence(y: pd.Series, *, model: _Forecaster | None = None, origins: int = 12) -> str:
    """Return one sentence with the measured one-month-ahead error of the model on ``y``.

    Parameters
    ----------
    y : Series
        Monthly actuals indexed by month (Period[M]).
    model : forecaster, optional
        The forecaster (default: :func:`salesnb.forecast.make_default`).
    origins : int
        Rolling origins measured.

    Examples
    --------
    >>> y = pd.Series([100.0, 90.0, 100.0, 100.0],
    ...               index=pd.period_range("2025-01", periods=4, freq="M"))
    >>> accuracy_sentence(y, model=Naive(), origins=2)   # off by 10/100 and 0/100
    'Over the last 2 months the one-month-ahead forecast was off by 5 % on average.'
    """
    e = backtest_errors(y, model if model is not None else make_default(), origins=origins,
                        horizons=[1])
    if e.empty:
        return "There is not enough history yet to measure the forecast's accuracy."
    b = _summarise(e).iloc[0]
    span = "month" if b["n"] == 1 else f"{int(b['n'])} months"
    if np.isfinite(b["mape"]):
        size = f"{b['mape'] * 100:.0f} %"
    else:
        size = f"{b['mae']:,.0f}"
    return f"Over the last {span} the one-month-ahead forecast was off by {size} on average."




def accuracy_vs_last_year(accuracy: dict) -> float:
    """Return how many times as accurate the forecast was as repeating last year's month.

    ``accuracy`` is a fitted model's ``accuracy_``: the one-month-ahead forecasts of the last
    up to 12 origins, each made from the months before it, against "same month last year"
    for the same months. The ratio is last year's mean absolute error over the model's
    (2.0 = half the error); NaN when either is undefined or the model's error is 0.

    Parameters
    ----------
    accuracy : dict
        A fitted model's ``accuracy_``.

    Examples
    --------
    >>> accuracy_vs_last_year({"mae_vs_last_year": 50.0, "last_year_mae": 95.0})
    1.9
    """
    mae, ly = accuracy.get("mae_vs_last_year", np.nan), accuracy.get("last_year_mae", np.nan)
    if not (np.isfinite(mae) and np.isfinite(ly)) or mae <= 0:
        return float("nan")
    return float(ly / mae)


def accuracy_ratio_words(n: int, ratio: float, *, lang: str = "en") -> str:
    """Word :func:`accuracy_vs_last_year` over ``n`` months.

    Parameters
    ----------
    n : int
        How many forecasts were measured.
    ratio : float
        :func:`accuracy_vs_last_year`'s ratio.
    lang : str
        ``en`` or ``zh``.

    Examples
    --------
    >>> accuracy_ratio_words(12, 1.9)
    'Over the last 12 months this forecast was 1.9× as accurate as repeating last year.'
    >>> accuracy_ratio_words(12, 0.8)
    'Over the last 12 months repeating last year was 1.2× as accurate as this forecast.'
    >>> accuracy_ratio_words(12, 1.9, lang="zh")
    '过去12个月，本预测的准确度是“重复去年同月”的1.9倍。'
    """
    if not n or not np.isfinite(ratio):
        return ("There is not enough history yet to compare the forecast with last year's months."
                if lang != "zh" else "历史数据不足，暂无法与去年同月比较预测准确度。")
    span = "month" if n == 1 else f"{n} months"
    if lang == "zh":
        if ratio >= 1:
            return f"过去{n}个月，本预测的准确度是“重复去年同月”的{ratio:.1f}倍。"
        return f"过去{n}个月，“重复去年同月”的准确度是本预测的{1 / ratio:.1f}倍。"
    if ratio >= 1:
        return f"Over the last {span} this forecast was {ratio:.1f}× as accurate as repeating last year."
    return f"Over the last {span} repeating last year was {1 / ratio:.1f}× as accurate as this forecast."
