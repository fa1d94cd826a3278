"""Tests of salesnb.forecast: the estimator contract, backtests, intervals and projections."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from salesnb import forecast as fc
from salesnb.cube import build_cube, monthly_actuals
from salesnb.exceptions import DataError, NotFittedError, ParamsError
from salesnb.forecast.select import WIDEN

MODELS = [fc.Naive(), fc.SeasonalNaive(), fc.Drift(), fc.RunRate(k=3), fc.LogTrendSeasonal(),
          fc.AutoForecaster(), fc.make_default()]


def monthly(values, start="2023-01") -> pd.Series:
    return pd.Series([float(v) for v in values],
                     index=pd.period_range(start, periods=len(values), freq="M"))


def seasonal_trend(n: int) -> pd.Series:
    """1000 * 1.01^t * (1 + 0.2 sin(2 pi month / 12)): +1 % a month, +-20 % by month."""
    s = monthly(np.zeros(n), "2021-01")
    t = np.arange(n)
    return s + 1000 * 1.01 ** t * (1 + 0.2 * np.sin(2 * np.pi * s.index.month / 12))


# ----------------------------------------------------------------------------- contract
@pytest.mark.parametrize("model", MODELS, ids=lambda m: type(m).__name__)
def test_fit_returns_self(model):
    m = clone(model)
    assert m.fit(monthly(range(1, 31))) is m


@pytest.mark.parametrize("model", MODELS, ids=lambda m: type(m).__name__)
def test_predict_before_fit_is_a_clear_error(model):
    with pytest.raises(NotFittedError, match=r"not fitted.*\.fit\(y\)"):
        clone(model).predict(3)


def test_init_stores_settings_only():
    m = fc.LogTrendSeasonal(window=24, alpha=0.5)
    assert m.get_params()["window"] == 24 and m.get_params()["alpha"] == 0.5
    assert not [a for a in vars(m) if a.endswith("_")]


def test_predict_columns_and_months():
    out = fc.Naive().fit(monthly([5, 6, 7], "2025-01")).predict(2)
    assert list(out.columns) == ["month", "forecast", "lower", "upper"]
    assert list(out["month"].astype(str)) == ["2025-04", "2025-05"]
    assert list(out.index) == [0, 1]


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.integers(-50, 1000), min_size=1, max_size=40),
       horizon=st.integers(1, 15))
def test_forecast_has_horizon_rows_and_ordered_intervals(values, horizon):
    out = fc.forecast_series(monthly(values), horizon)
    assert len(out) == horizon
    assert np.isfinite(out[["forecast", "lower", "upper"]].to_numpy()).all()
    assert (out["lower"] <= out["forecast"]).all() and (out["forecast"] <= out["upper"]).all()
    assert (out["month"].diff().iloc[1:] == pd.offsets.MonthEnd(1)).all()


def test_forecast_is_deterministic():
    y = seasonal_trend(30) + monthly(np.arange(30) % 7 * 13, "2021-01")
    pd.testing.assert_frame_equal(fc.forecast_series(y, 6), fc.forecast_series(y, 6))


def test_month_start_timestamps_equal_periods():
    y = seasonal_trend(30)
    ts = y.set_axis(y.index.to_timestamp())
    pd.testing.assert_frame_equal(fc.forecast_series(ts, 4), fc.forecast_series(y, 4))


def test_fit_does_not_mutate_input():
    y = monthly([3, 0, 5, 7])
    before = y.copy()
    fc.LogTrendSeasonal().fit(y)
    pd.testing.assert_series_equal(y, before)


# ----------------------------------------------------------------------------- the models
def test_baselines_hand_worked():
    y = monthly([10, 20, 30, 40])
    assert fc.Naive().fit(y).predict(2)["forecast"].tolist() == [40, 40]
    assert fc.Drift().fit(y).predict(2)["forecast"].tolist() == [50, 60]  # +10 a month
    assert fc.RunRate(k=3).fit(y).predict(1)["forecast"].tolist() == [30]  # (20+30+40)/3
    assert fc.RunRate(k=2).fit(y).predict(1)["forecast"].tolist() == [35]  # (30+40)/2


def test_seasonal_naive_repeats_last_year():
    y = monthly(list(range(1, 13)) + [100] * 3)       # last year's Apr..Mar = 4..12, 100, 100, 100
    assert fc.SeasonalNaive().fit(y).predict(4)["forecast"].tolist() == [4, 5, 6, 7]


def test_known_trend_and_seasonality_recovered_exactly():
    y = seasonal_trend(48)
    truth = seasonal_trend(54).iloc[48:].to_numpy()
    out = fc.LogTrendSeasonal(alpha=1e-9, blend=0.0).fit(y).predict(6)
    # log(y) = log(1000) + t log(1.01) + log(1 + 0.2 sin) exactly: a trend plus month effects
    np.testing.assert_allclose(out["forecast"], truth, rtol=1e-6)
    np.testing.assert_allclose(out["upper"], truth, rtol=1e-4)   # errors were 0: no width


@pytest.mark.parametrize("alpha", [1e-9, 1.0, 10.0])
@pytest.mark.parametrize("seasonal", [False, True])
def test_trend_model_solve_equals_sklearn_ridge(alpha, seasonal):
    from sklearn.linear_model import Ridge
    rng = np.random.default_rng(7)
    m = fc.LogTrendSeasonal()
    t = np.arange(42, dtype=float)
    X = m._design(t, t.astype(int) % 12 + 1, seasonal)
    z = rng.normal(size=36)
    want = Ridge(alpha=alpha).fit(X[:36], z).predict(X[36:])
    np.testing.assert_allclose(fc._ridge(X[:36], z, alpha, X[36:]), want, rtol=1e-8, atol=1e-10)


def test_blend_trend_model_recovers_trend_and_seasonality_without_penalty():
    y = seasonal_trend(48)
    truth = seasonal_trend(54).iloc[48:].to_numpy()
    # no penalty, equal weights, no blend: a linear trend plus additive month effects
    # approximate +1 %/month x (1 + 0.2 sin), whose swings grow with the level, within
    # 5 % over six months
    m = fc.TrendSeasonalBlend(alpha=1e-9, halflife=1e9, c=1e6).fit(y)
    np.testing.assert_allclose(m.predict(6)["forecast"], truth, rtol=0.05)


def test_default_follows_trend_and_seasonality_within_tolerance():
    y = seasonal_trend(48)
    truth = seasonal_trend(60).iloc[48:].to_numpy()
    out = fc.forecast_series(y, 12)
    # the default damps the trend and the month effects (the ridge penalty weighs as much
    # as a few recent months) and leans 30 % on last year's months: it measured better on
    # real series, at the cost of lagging a clean +12.7 %/year: within 20 %, on the low side
    np.testing.assert_allclose(out["forecast"], truth, rtol=0.20)
    assert (out["forecast"] < truth).all()
    assert np.corrcoef(out["forecast"], truth)[0, 1] > 0.9      # the seasonal shape is kept


def test_blend_weight_follows_the_stability_of_the_season():
    pattern = [80.0, 90.0, 130.0] * 12
    assert fc.TrendSeasonalBlend()._weight(np.array(pattern)) == 1.0      # repeats exactly
    rng = np.random.default_rng(0)
    walk = 1000 + np.cumsum(rng.normal(0, 50, 36))                        # no season at all
    assert fc.TrendSeasonalBlend()._weight(walk) < 0.5
    assert fc.TrendSeasonalBlend()._weight(walk[:12]) == 0.0              # no last year


def test_auto_picks_seasonal_naive_on_a_pure_seasonal_pattern():
    pattern = [50, 80, 200, 60, 90, 210, 55, 85, 220, 40, 70, 400]
    first_year = [p + 10 for p in pattern]     # then the same pattern exactly, twice
    m = fc.AutoForecaster().fit(monthly(first_year + pattern * 2))
    assert m.selected_ == "SeasonalNaive"
    assert m.predict(3)["forecast"].tolist() == [50, 80, 200]


# ----------------------------------------------------------------------------- short and odd
def test_under_six_months_is_run_rate_with_note():
    m = fc.make_default().fit(monthly([10, 20, 30, 40]))
    assert m.note_ == fc.NOTE_RUN_RATE
    assert m.predict(2)["forecast"].tolist() == [30, 30]     # (20 + 30 + 40) / 3


def test_under_24_months_has_no_seasonal_term():
    y = seasonal_trend(20)
    m = fc.make_default().fit(y)
    assert fc.NOTE_NO_MONTH_EFFECTS in m.note_
    assert "month-of-year" not in m.method_
    auto = fc.AutoForecaster().fit(y)
    assert fc.NOTE_NO_SEASONAL in auto.note_ and auto.selected_ != "SeasonalNaive"


def test_new_rep_leading_zeros_are_ignored():
    sales = [100, 120, 110, 130, 125, 140, 150]
    late = fc.forecast_series(monthly([0, 0, 0] + sales, "2024-06"), 3)
    plain = fc.forecast_series(monthly(sales, "2024-09"), 3)
    pd.testing.assert_frame_equal(late, plain)


def test_zero_months_fit_on_linear_scale():
    y = monthly([100, 0, 120, 130, 0, 150, 160, 170])
    m = fc.LogTrendSeasonal().fit(y)
    assert "linear scale" in m.note_ and m.error_space_ == "linear"
    assert np.isfinite(m.predict(3)[["forecast", "lower", "upper"]].to_numpy()).all()


def test_negative_months_are_allowed():
    y = monthly([100, -40, 90, 80, -10, 70, 60, 50])
    out = fc.forecast_series(y, 3)
    assert np.isfinite(out[["forecast", "lower", "upper"]].to_numpy()).all()


def test_all_zero_series_forecasts_zero():
    m = fc.make_default().fit(monthly([0] * 8))
    out = m.predict(2)
    assert (out[["forecast", "lower", "upper"]] == 0).all().all()
    assert fc.NOTE_ALL_ZERO in m.note_


def test_missing_months_are_filled_with_zero_and_noted():
    y = pd.Series([10.0, 30.0], index=pd.PeriodIndex(["2025-01", "2025-03"], freq="M"))
    m = fc.Naive().fit(y)
    assert m.y_.tolist() == [10.0, 0.0, 30.0]
    assert "1 missing months filled with 0" in m.note_


# ----------------------------------------------------------------------------- validation
@pytest.mark.parametrize("y, match", [
    ([1.0, 2.0], "pandas Series"),
    (pd.Series([1.0, 2.0], index=pd.to_datetime(["2025-01-15", "2025-02-15"])), "month-start"),
    (pd.Series([1.0, 2.0], index=pd.PeriodIndex(["2025-01", "2025-01"], freq="M")), "duplicated"),
    (pd.Series([1.0, np.nan], index=pd.period_range("2025-01", periods=2, freq="M")), "missing"),
    (pd.Series([1.0, 2.0], index=pd.period_range("2025Q1", periods=2, freq="Q")), "freq"),
    (pd.Series([1.0, 2.0]), "PeriodIndex"),
    (pd.Series([], dtype=float, index=pd.PeriodIndex([], freq="M")), "empty"),
    (pd.Series(["a", "b"], index=pd.period_range("2025-01", periods=2, freq="M")), "numbers"),
])
def test_bad_series_is_a_data_error(y, match):
    with pytest.raises(DataError, match=match):
        fc.forecast_series(y, 3)


@pytest.mark.parametrize("kw", [{"level": 1.0}, {"level": 0}, {"level": 80}])
def test_bad_level_is_a_params_error(kw):
    with pytest.raises(ParamsError, match="level"):
        fc.forecast_series(monthly([1, 2, 3]), 2, **kw)


@pytest.mark.parametrize("horizon", [0, -1, 2.5])
def test_bad_horizon_is_a_params_error(horizon):
    with pytest.raises(ParamsError, match="horizon"):
        fc.Naive().fit(monthly([1, 2, 3])).predict(horizon)


# ----------------------------------------------------------------------------- backtests
class Recorder(fc.Naive):
    """A naive model that records the last month and the largest value it was fitted on."""

    seen: list = []

    def fit(self, y):
        Recorder.seen.append((y.index[-1], float(y.max())))
        return super().fit(y)


def spike_series() -> pd.Series:
    return monthly([100] * 20 + [1e9] + [100] * 9, "2023-01")   # spike in month 21 = 2024-09


def test_backtest_fits_only_on_months_before_each_origin():
    Recorder.seen = []
    e = fc.backtest_errors(spike_series(), Recorder(), origins=12, horizons=range(1, 7))
    assert len(Recorder.seen) == 12
    for last, biggest in Recorder.seen:
        assert biggest == (1e9 if last >= pd.Period("2024-09", "M") else 100)
    assert set(e["origin"]) == {last for last, _ in Recorder.seen}


def test_backtest_forecasts_do_not_see_the_future_spike():
    e = fc.backtest_errors(spike_series(), fc.make_default(), origins=12)
    before = e[e["origin"] < pd.Period("2024-09", "M")]
    assert len(before) > 0 and (before["upper"] < 1e6).all()


def test_backtest_counts_per_horizon():
    b = fc.backtest(seasonal_trend(30), fc.Naive(), origins=12, horizons=range(1, 7))
    assert list(b.columns) == ["horizon", "n", "mae", "mape", "mase", "coverage"]
    assert b["n"].tolist() == [12, 11, 10, 9, 8, 7]     # origin k checks months up to the end


def test_backtest_of_exact_seasonal_pattern_has_no_error():
    y = monthly([5, 9, 2, 7, 3, 8, 1, 6, 4, 10, 12, 11] * 3)
    b = fc.backtest(y, fc.SeasonalNaive(), origins=6, horizons=[1, 3])
    assert (b["mae"] == 0).all() and (b["coverage"] == 1).all()
    assert b["mase"].isna().all()     # in-sample seasonal-naive MAE is 0: no value


def test_backtest_mase_uses_naive_scale_under_13_months():
    y = monthly([10, 20, 10, 20])
    e = fc.backtest_errors(y, fc.Naive(), origins=1, horizons=[1])
    # training 10, 20, 10: mean |diff| = (10 + 10) / 2 = 10; forecast 10, actual 20 -> MASE 1
    assert e["scale"].tolist() == [10.0]
    assert fc.backtest(y, fc.Naive(), origins=1, horizons=[1])["mase"].tolist() == [1.0]


def test_accuracy_sentence_uses_money_when_mape_is_undefined():
    y = monthly([10, 0, 0])          # forecasts 10 then 0 against actuals 0, 0: MAE 5
    assert fc.accuracy_sentence(y, model=fc.Naive(), origins=2) == (
        "Over the last 2 months the one-month-ahead forecast was off by 5 on average.")


def test_accuracy_sentence_without_history():
    assert "not enough history" in fc.accuracy_sentence(monthly([10]))


# ----------------------------------------------------------------------------- projections
@pytest.mark.parametrize("target, prob", [(1150.0, 1.0), (1250.0, 0.0), (0.0, np.nan),
                                          (None, np.nan)])
def test_year_end_projection_of_a_flat_series(target, prob):
    y = monthly([100] * 6, "2025-01")          # Jan..Jun at 100: no error, zero-width interval
    p = fc.year_end_projection(y, as_of_month="2025-06", annual_target=target)
    assert p["ytd_actual"] == 600 and p["months_remaining"] == 6
    assert p["projection"] == pytest.approx(1200)     # 600 + 6 x 100
    assert p["lower"] == pytest.approx(1200) and p["upper"] == pytest.approx(1200)
    np.testing.assert_equal(p["probability"], prob)


class KnownError(fc.Naive):
    """Naive forecasts whose measured errors of every sum are a known set of log ratios."""

    ERRORS = np.log([0.8, 0.9, 0.95, 1.0, 1.0, 1.05, 1.1, 1.2, 1.25])   # 9 errors

    def _calibrate(self, v, months):
        super()._calibrate(v, months)
        self.fallback_ = False
        self.error_space_ = "log"
        self.cum_errors_ = [np.sort(self.ERRORS)] * 12


def test_year_end_interval_and_probability_from_known_errors():
    y = monthly([100] * 6, "2025-01")
    p = fc.year_end_projection(y, as_of_month="2025-06", annual_target=1200, model=KnownError())
    # 9 errors, 80 %: the 1st and the 9th smallest (ranks floor(10 x 0.1), ceil(10 x 0.9))
    assert p["lower"] == pytest.approx(600 + 600 * 0.8)
    assert p["upper"] == pytest.approx(600 + 600 * 1.25)
    # need 600 = forecast: 4 errors above 0, 4 below, 2 at 0 (half counted each, smoothed)
    assert 4 / 9 <= p["probability"] <= 6 / 9
    # need 600 x 1.25: only the largest error reaches it, smoothed: well under 1/4
    p = fc.year_end_projection(y, as_of_month="2025-06", annual_target=600 + 750,
                               model=KnownError())
    assert 0.01 < p["probability"] < 0.25
    p = fc.year_end_projection(y, as_of_month="2025-06", annual_target=500, model=KnownError())
    assert p["probability"] == 1.0


def test_year_end_projection_uses_only_data_up_to_as_of():
    y = monthly([100] * 6 + [1e9], "2025-01")
    p = fc.year_end_projection(y, as_of_month="2025-06", annual_target=1200)
    assert p["projection"] == pytest.approx(1200)


def test_year_end_projection_fiscal_year():
    y = monthly([100] * 8, "2025-01")        # fiscal year from July: YTD = Jul + Aug = 200
    p = fc.year_end_projection(y, as_of_month="2025-08", annual_target=1200, fiscal_year_start=7)
    assert p["ytd_actual"] == 200 and p["months_remaining"] == 10
    assert p["projection"] == pytest.approx(1200)


def test_year_end_projection_needs_data_to_as_of():
    with pytest.raises(DataError, match="as_of_month"):
        fc.year_end_projection(monthly([1, 2, 3], "2025-01"), as_of_month="2025-06",
                               annual_target=10)


def test_quarter_end_projection():
    y = monthly([100] * 4, "2025-01")        # as of April: Q2 to date 100, May + Jun ahead
    p = fc.quarter_end_projection(y, as_of_month="2025-04", quarter_target=250)
    assert p["ytd_actual"] == 100 and p["months_remaining"] == 2
    assert p["projection"] == pytest.approx(300) and p["probability"] == 1.0


def test_projections_over_the_tiny_company(tiny_sales, tiny_targets):
    actuals = monthly_actuals(build_cube(tiny_sales))
    targets = tiny_targets.rename(columns={"target": "annual_target"})
    out = fc.projections(actuals, targets, month="2025-02")
    assert list(out.columns) == ["level", "unit", "team", "ytd_actual", "projection", "lower",
                                 "upper", "annual_target", "probability", "method", "note",
                                 "accuracy_n", "accuracy_mae", "accuracy_mape", "rule",
                                 "accuracy_n_vs_last_year", "accuracy_vs_last_year"]
    assert list(out["unit"]) == ["Company", "East", "West", "Ann", "Bob", "Cat", "Dan"]
    # YTD = Jan + Feb: Company 330 + 260, Dan 70 + 0
    assert out.set_index("unit")["ytd_actual"].to_dict() == {
        "Company": 590, "East": 320, "West": 270, "Ann": 240, "Bob": 80, "Cat": 200, "Dan": 70}
    assert (out["annual_target"] == [3600, 1800, 1800, 1200, 600, 1200, 600]).all()
    assert out["probability"].between(0, 1).all()
    assert (out["note"] == fc.NOTE_NO_MONTH_EFFECTS).all()          # 14 months of history
    assert list(out.loc[out["unit"] == "Ann", "team"]) == ["East"]


def test_projections_without_target_give_no_value(tiny_sales):
    actuals = monthly_actuals(build_cube(tiny_sales))
    targets = pd.DataFrame({"level": ["company"], "unit": ["Company"], "annual_target": [3600.0]})
    out = fc.projections(actuals, targets, month="2025-02")
    assert out["probability"].isna().sum() == 6 and out["annual_target"].isna().sum() == 6


def test_projections_missing_target_column_is_a_clear_error(tiny_sales):
    actuals = monthly_actuals(build_cube(tiny_sales))
    with pytest.raises(DataError, match="annual_target"):
        fc.projections(actuals, pd.DataFrame({"level": [], "unit": []}), month="2025-02")


def test_fit_measures_the_one_month_ahead_error_like_the_backtest():
    # a series with trend and seasonality: the error measured while fitting (the chosen
    # method refitted before each of the last 12 origins) matches the backtest's within
    # a few points (the backtest also re-chooses the method at each origin)
    months = pd.period_range("2021-01", periods=48, freq="M")
    rng = np.random.default_rng(3)
    y = pd.Series(1000 * (1 + 0.01 * np.arange(48)) * (1 + 0.2 * np.sin(np.arange(48) * np.pi / 6))
                  * np.exp(rng.normal(0, 0.05, 48)), index=months)
    m = fc.make_default().fit(y)
    b = fc.backtest(y, fc.make_default(), origins=12, horizons=[1]).iloc[0]
    assert m.accuracy_["n"] == 12
    assert abs(m.accuracy_["mape"] - b["mape"]) < 0.03


def test_forecast_notes_read_in_the_report_language():
    from salesnb.sections import _note_text
    note = f"{fc.NOTE_NO_MONTH_EFFECTS}; 2 missing months filled with 0"
    assert _note_text(note, "en") == ("Fewer than 24 months of history: no month-of-year "
                                      "effects; 2 missing months filled with 0.")
    assert _note_text(note, "zh") == "历史不足24个月：不估计各月的季节效应；2个缺失月份按0补齐。"
    assert _note_text("", "zh") == ""


# ----------------------------------------------------------------------------- issue 11
Z80 = 1.2815515655446004      # the normal 90 % quantile: an 80 % two-sided band


def test_new_rep_with_one_month_gets_a_bounded_band():
    # one month of 9060: run-rate 9060, scale = half the month (4530), linear, lower >= 0
    m = fc.make_default().fit(monthly([9060], "2025-01"))
    out = m.predict(3)
    assert out["forecast"].tolist() == [9060.0] * 3
    h = np.sqrt([1.0, 2.0, 3.0])
    np.testing.assert_allclose(out["upper"], 9060 + Z80 * 4530 * h)
    np.testing.assert_allclose(out["lower"], np.maximum(9060 - Z80 * 4530 * h, 0))
    assert m.history_rule_ == "under 6 months" and m.fallback_


def test_new_rep_with_two_months_year_end_is_sane():
    # Jan 9060, Feb 7000: run-rate 8030; scale = the one change, 2060; 10 months remain
    y = monthly([9060, 7000], "2025-01")
    p = fc.year_end_projection(y, as_of_month="2025-02", annual_target=100_000)
    assert p["projection"] == pytest.approx(16060 + 10 * 8030)
    assert p["upper"] == pytest.approx(16060 + 10 * 8030 + Z80 * 2060 * 10)
    assert p["lower"] == pytest.approx(16060 + 10 * 8030 - Z80 * 2060 * 10)
    assert p["upper"] < 3 * p["projection"]        # not $1.37B against $9.06K
    assert 0 < p["probability"] < 1


@pytest.mark.parametrize("n, rule, selected", [
    (4, "under 6 months", ["RunRate"]),
    (10, "6-12 months", ["TrendSeasonalBlend"]),
    (20, "13-23 months", ["TrendSeasonalBlend"]),
    (30, "24-35 months", ["TrendSeasonalBlend"]),
])
def test_short_history_fallbacks(n, rule, selected):
    m = fc.make_default().fit(seasonal_trend(n))
    assert m.history_rule_ == rule and m.selected_ == selected
    f = fc.forecast_series(seasonal_trend(n), 2)
    assert f.attrs["rule"] == rule
    if n >= 6:      # exactly the blend, with its own intervals (all origins counted) ...
        ref = fc.TrendSeasonalBlend().fit(seasonal_trend(n)).predict(2)
        pd.testing.assert_frame_equal(f[["month", "forecast"]], ref[["month", "forecast"]])
        # ... from its measured errors widened by WIDEN (log errors: the series is positive)
        for b in ("lower", "upper"):
            np.testing.assert_allclose(np.log(f[b] / f["forecast"]),
                                       WIDEN * np.log(ref[b] / ref["forecast"]), rtol=1e-9)


def test_under_six_months_forecast_is_the_mean_of_the_last_three():
    out = fc.forecast_series(monthly([10, 20, 30, 40]), 2)
    assert out["forecast"].tolist() == [30.0, 30.0]


def test_under_24_months_has_no_month_effects_note():
    m = fc.make_default().fit(seasonal_trend(20))
    assert m.history_rule_ == "13-23 months"
    assert fc.NOTE_NO_MONTH_EFFECTS in m.note_


def test_default_chooses_by_out_of_sample_error():
    # an exact repeating pattern: the blend's backtest error is 0 (it puts all its weight on
    # last year), the estimated ETS's is not: those with no error share the weight.
    # Seasonal naive is the yardstick, not a candidate
    y = monthly([80, 90, 130, 70, 100, 120, 60, 95, 140, 85, 90, 110] * 4)
    m = fc.make_default().fit(y)
    assert m.history_rule_ == "36 months or more"
    assert set(m.scores_) == {"TrendSeasonalBlend", "ETS(mul, estimated)", "ETS(log)", "Theta"}
    assert m.scores_["TrendSeasonalBlend"] == 0.0 and m.scores_["ETS(mul, estimated)"] > 0
    zero = [k for k, v in m.scores_.items() if v == 0]
    assert m.weights_ == pytest.approx({k: 1 / len(zero) for k in zero})
    assert list(m.scores_.values()) == sorted(m.scores_.values())


def test_default_weights_are_the_inverse_validation_errors():
    # hand-worked: each candidate's weight is 1/score over the sum of 1/score
    y = seasonal_trend(48) * monthly(np.exp(np.sin(np.arange(48) * 1.3) * 0.08), "2021-01")
    m = fc.make_default().fit(y)
    inv = {k: 1 / v for k, v in m.scores_.items()}
    tot = sum(inv.values())
    assert m.weights_ == pytest.approx({k: v / tot for k, v in inv.items()})
    # the forecast is the same weighted mean of the candidates' own forecasts
    own = {fc.select._name(c): c.fit(y).predict(3)["forecast"].to_numpy()
           for c in m._candidates(48)}
    np.testing.assert_allclose(m.predict(3)["forecast"],
                               sum(m.weights_[k] * own[k] for k in m.weights_), rtol=1e-9)
    # the errors of 24 origins count as 12 independent ones for the combination's interval
    assert m.n_origins_ == 24 and m._n_eff(24) == 12


def test_default_is_deterministic_across_fits():
    y = seasonal_trend(40) + monthly(np.arange(40) % 7 * 13, "2021-01")
    a, b = fc.make_default().fit(y), fc.make_default().fit(y)
    pd.testing.assert_frame_equal(a.predict(8), b.predict(8))
    assert a.sum_forecast(8, need=9000) == b.sum_forecast(8, need=9000)


@settings(max_examples=25, deadline=None)
@given(values=st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=50),
       horizon=st.integers(1, 14))
def test_default_forecast_rows_and_intervals_hold_the_point(values, horizon):
    out = fc.forecast_series(monthly(values), horizon)
    assert len(out) == horizon
    assert (out["lower"] <= out["forecast"]).all() and (out["forecast"] <= out["upper"]).all()
    assert (out["lower"] >= 0).all()


def test_ets_origin_forecasts_equal_statsmodels_with_the_same_parameters():
    from statsmodels.tsa.holtwinters import ExponentialSmoothing
    y = seasonal_trend(48) * np.exp(np.sin(np.arange(48) * 1.7) * 0.05)
    v = y.to_numpy()
    e = fc.ETS("mul")
    t = 41
    # the parameters forecasting from origin 41 were estimated on the first 36 months only
    assert e._anchors(48, [41, 47, 48]) == {41: 36, 47: 36, 48: 48}
    _, log, p = e._setup(v[:36], True)
    z = v
    ref = ExponentialSmoothing(
        z[:t], trend="add", damped_trend=True, seasonal="mul", seasonal_periods=12,
        initialization_method="known", initial_level=p["initial_level"],
        initial_trend=p["initial_trend"], initial_seasonal=p["initial_seasons"]).fit(
        smoothing_level=p["smoothing_level"], smoothing_trend=p["smoothing_trend"],
        smoothing_seasonal=p["smoothing_seasonal"], damping_trend=p["damping_trend"],
        optimized=False).forecast(7)
    np.testing.assert_allclose(e._paths(v, y.index, [t], 7)[0], ref, rtol=1e-9)


def test_theta_on_a_straight_line_continues_it():
    # SES of a line lags it; Theta adds half the slope times (h - 1 + 1/a - (1-a)^n / a)
    y = monthly(100 + 2.0 * np.arange(20))
    f = fc.Theta().fit(y).predict(3)["forecast"].to_numpy()
    assert np.all(np.diff(f) == pytest.approx(1.0))       # half the slope of 2 a month
    assert f[0] > 100 + 2 * 19 - 2


def _coverage(make, model, n_series=150, n=48, h=6, seed=0):
    rng = np.random.default_rng(seed)
    hits = []
    for _ in range(n_series):
        y = monthly(make(rng, n + h))
        out = clone(model).fit(y.iloc[:n]).predict(h)
        a = y.iloc[n:].to_numpy()
        hits.extend((a >= out["lower"].to_numpy()) & (a <= out["upper"].to_numpy()))
    return float(np.mean(hits))


def test_calibration_white_noise_covers_80_percent():
    # iid log-normal months around 100: the errors of a 6-month mean do not grow with h
    cov = _coverage(lambda r, k: 100 * np.exp(r.normal(0, 0.2, k)), fc.RunRate(k=6))
    assert 0.75 <= cov <= 0.85


def test_calibration_trend_and_season_covers_80_percent():
    # +1 % a month, +-20 % by month, 10 % log-normal noise: seasonal naive's errors are
    # the noise of two months plus a year's growth, the same at every horizon
    def make(r, k):
        t = np.arange(k)
        return 100 * np.exp(0.01 * t + r.normal(0, 0.1, k)) * (1 + 0.2 * np.sin(t * np.pi / 6))
    cov = _coverage(make, fc.SeasonalNaive())
    assert 0.75 <= cov <= 0.87


def test_calibration_of_the_default_combination():
    # the combination counts its 24 origins as 12 (conformal ranks 1/12 and 12/12 of the
    # pooled errors) and widens the errors by WIDEN (errors still to come run larger on
    # real series): on iid noise around a trend and season, where past errors are exactly
    # like future ones, it therefore covers more than 80 %, never less; on the benchmark's
    # real series about 0.80 (README, Forecasts)
    def make(r, k):
        t = np.arange(k)
        return 100 * np.exp(0.01 * t + r.normal(0, 0.1, k)) * (1 + 0.2 * np.sin(t * np.pi / 6))
    cov = _coverage(make, fc.make_default(), n_series=24, n=36)
    assert 0.80 <= cov <= 0.98


def test_growth_exponent_of_known_error_profiles():
    from salesnb.forecast import intervals as iv
    rng = np.random.default_rng(1)
    flat = [list(rng.normal(0, 1, 40)) for _ in range(12)]
    walk = [list(rng.normal(0, 1, 40) * np.sqrt(h)) for h in range(1, 13)]
    assert iv.growth_exponent(flat) < 0.15
    assert 0.35 < iv.growth_exponent(walk) < 0.65


def test_accuracy_against_last_year_matches_the_backtests():
    y = seasonal_trend(40) * np.exp(np.cos(np.arange(40) * 2.3) * 0.08)
    model = fc.TrendSeasonalBlend()
    m = clone(model).fit(y)
    ours = fc.backtest_errors(y, model, origins=12, horizons=[1])
    sn = fc.backtest_errors(y, fc.SeasonalNaive(), origins=12, horizons=[1])
    expect = (sn["actual"] - sn["forecast"]).abs().mean() / (
        ours["actual"] - ours["forecast"]).abs().mean()
    assert fc.accuracy_vs_last_year(m.accuracy_) == pytest.approx(expect)
    words = fc.accuracy_ratio_words(12, fc.accuracy_vs_last_year(m.accuracy_))
    assert words.startswith("Over the last 12 months")


def test_quarter_end_projection_in_projections(tiny_sales, tiny_targets):
    actuals = monthly_actuals(build_cube(tiny_sales))
    t = tiny_targets.rename(columns={"target": "quarter_target"})
    t["quarter_target"] = t["quarter_target"] / 4
    out = fc.projections(actuals, t, month="2025-02", period="quarter")
    assert "quarter_target" in out.columns
    one = out[out["unit"] == "Company"].iloc[0]
    y = actuals[actuals["unit"] == "Company"].set_index("month")["actual"]
    p = fc.quarter_end_projection(pd.Series(y.to_numpy(), index=pd.PeriodIndex(y.index, freq="M")),
                                  as_of_month="2025-02", quarter_target=900.0)
    assert one["projection"] == pytest.approx(p["projection"])


def test_quarter_forecast_block_words_the_quarter_end_projection(tiny_sales):
    from salesnb.views.forecast import ForecastView
    actuals = monthly_actuals(build_cube(tiny_sales))
    targets = pd.DataFrame({"month": pd.period_range("2025-01", periods=3, freq="M"),
                            "level": "company", "unit": "Company", "metric": "amount",
                            "target": [300.0, 300.0, 300.0]})

    class View(ForecastView):
        level, unit, month, fys, partial_month, lang = "company", "Company", "2025-02", 1, False, "en"
        t = {"actuals": actuals, "targets": targets}

        def money(self, x):
            return f"{x:.0f}"

    text = View().quarter_forecast().sentence
    co = actuals[actuals["level"] == "company"]
    y = pd.Series(co["actual"].to_numpy(), index=pd.PeriodIndex(co["month"], freq="M"))
    p = fc.quarter_end_projection(y, as_of_month="2025-02", quarter_target=900.0)
    assert text == (f"The quarter (Jan–Mar 2025) ends near {p['projection']:.0f} (80 % range "
                    f"{p['lower']:.0f} – {p['upper']:.0f}) against its target of 900: a "
                    f"{p['probability'] * 100:.0f} % chance of reaching it.")
    View.partial_month = True
    assert View().quarter_forecast().sentence == ""


def test_quarter_end_projection_reuses_a_fitted_model_and_refuses_one_fitted_elsewhere():
    y = seasonal_trend(40)
    as_of = y.index[-1]
    m = fc.make_default().fit(y)
    got = fc.quarter_end_projection(y, as_of_month=as_of, quarter_target=1e4, fitted=m)
    want = fc.quarter_end_projection(y, as_of_month=as_of, quarter_target=1e4)
    for k in ("projection", "lower", "upper", "probability", "months_remaining"):
        assert got[k] == want[k], k
    with pytest.raises(ParamsError, match="fitted up to"):
        fc.quarter_end_projection(y, as_of_month=as_of, quarter_target=1e4,
                                  fitted=fc.make_default().fit(y.iloc[:-1]))
