"""Backtest every forecaster of salesnb.forecast on real monthly sales series.

Run from the repository root::

    python benchmarks/forecast_accuracy.py            # prints markdown tables

Series (aggregated monthly from ../shared/datasets, relative to the repository):

* AdventureWorks ``sales_order_header.csv``: ``SubTotal`` by ``OrderDate`` for the
  company, each ``TerritoryID`` and each ``SalesPersonID`` (reseller orders) with at
  least 24 months from its first sale. The first month 2011-05 (data start on
  31 May) and the last month 2014-06 (only a few web orders: 49 k against millions)
  are partial and dropped: 36 months, 2011-06 .. 2014-05.
* Northwind ``orders.csv`` + ``order_details.csv``: ``UnitPrice * Quantity *
  (1 - Discount)`` by ``OrderDate`` for the company and each ``EmployeeID``. The
  last month 1998-05 (data end on 6 May) is dropped: 22 months, 1996-07 .. 1998-04.
  (The first month starts on 4 July and is kept.)
* Series shipped in installable packages, when importable: sktime's shampoo sales
  (36 months) and pmdarima's Australian wine sales ``wineind`` (176 months).

These are short: AdventureWorks' 36 months leave 24 for the first backtest origin,
Northwind's 22 leave 10 (so no seasonal term there). Each method is backtested from
the last 12 origins at horizons 1-6 (MASE scaled by each origin's in-sample
seasonal-naive MAE, naive under 13 months; MAPE; share of actuals inside the 80 %
interval). The year-end projection error is the mean absolute percentage error of
``year_end_projection`` for the last two complete calendar years, as of the end of
March, June and September. MAPE is a fraction; months with tiny sales (reps) make
its mean large, so the summary also shows the median. Holt-Winters is statsmodels'
ExponentialSmoothing with a damped additive trend and multiplicative seasonality (additive when a month is not
positive, none under 24 months); its interval is the in-sample one-step RMSE
times sqrt(h).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from salesnb import forecast as fc  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets"


# ----------------------------------------------------------------------------- data
def _monthly(dates: pd.Series, values: pd.Series, first: str, last: str) -> pd.Series:
    m = pd.to_datetime(dates).dt.to_period("M")
    s = values.groupby(m).sum()
    s = s[(s.index >= pd.Period(first, "M")) & (s.index <= pd.Period(last, "M"))]
    start = s[s != 0].index.min()
    return s.reindex(pd.period_range(start, last, freq="M"), fill_value=0.0).astype(float)


def load_series(data: Path = DATA, min_months: int = 24) -> dict[str, pd.Series]:
    out: dict[str, pd.Series] = {}
    aw = data / "adventureworks" / "sales_order_header.csv"
    if aw.exists():
        h = pd.read_csv(aw, usecols=["OrderDate", "SubTotal", "TerritoryID", "SalesPersonID"])
        first, last = "2011-06", "2014-05"
        out["AW company"] = _monthly(h["OrderDate"], h["SubTotal"], first, last)
        for tid, g in h.groupby("TerritoryID"):
            out[f"AW territory {tid}"] = _monthly(g["OrderDate"], g["SubTotal"], first, last)
        for sp, g in h.dropna(subset=["SalesPersonID"]).groupby("SalesPersonID"):
            s = _monthly(g["OrderDate"], g["SubTotal"], first, last)
            if len(s) >= min_months:
                out[f"AW rep {int(sp)}"] = s
    nw = data / "northwind"
    if (nw / "orders.csv").exists():
        o = pd.read_csv(nw / "orders.csv", usecols=["OrderID", "EmployeeID", "OrderDate"])
        d = pd.read_csv(nw / "order_details.csv")
        d["value"] = d["UnitPrice"] * d["Quantity"] * (1 - d["Discount"])
        o = o.merge(d.groupby("OrderID", as_index=False)["value"].sum(), on="OrderID")
        first, last = "1996-07", "1998-04"
        out["NW company"] = _monthly(o["OrderDate"], o["value"], first, last)
        for emp, g in o.groupby("EmployeeID"):
            out[f"NW employee {emp}"] = _monthly(g["OrderDate"], g["value"], first, last)
    spec = importlib.util.find_spec("sktime")   # locate the file without importing sktime
    if spec and spec.submodule_search_locations:
        f = Path(spec.submodule_search_locations[0]) / "datasets/data/ShampooSales/ShampooSales.csv"
        if f.exists():
            s = pd.read_csv(f)
            out["shampoo (sktime)"] = pd.Series(
                s["Sales"].to_numpy(float), index=pd.PeriodIndex(s["Time"], freq="M"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pmdarima.datasets import load_wineind
        w = load_wineind()
        out["wine (pmdarima)"] = pd.Series(
            np.asarray(w, float), index=pd.period_range("1980-01", periods=len(w), freq="M"))
    except Exception:  # noqa: BLE001 - optional data set
        pass
    return out


# ----------------------------------------------------------------------------- Holt-Winters
class HoltWinters(fc._Forecaster):
    """statsmodels ExponentialSmoothing: damped additive trend, multiplicative seasonality."""

    method_name = "Holt-Winters (damped, multiplicative seasonality)"

    def __init__(self, *, level: float = 0.8):
        self.level = level

    def _model(self, v):
        key = v.tobytes()
        cache = getattr(self, "_hw_cache", None)
        if cache is not None and cache[0] == key:     # fit and predict share one fit
            return cache[1]
        from statsmodels.tsa.holtwinters import ExponentialSmoothing
        seasonal = None
        if len(v) >= 24:
            seasonal = "mul" if (v > 0).all() else "add"
        trend = "add" if len(v) >= 4 else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = ExponentialSmoothing(v, trend=trend, damped_trend=trend is not None,
                                     seasonal=seasonal, seasonal_periods=12 if seasonal else None,
                                     initialization_method="estimated").fit(use_brute=False)
        self._hw_cache = (key, m)
        return m

    def _forecast(self, v, months, horizon):
        if len(v) < 3:
            return np.repeat(v[-1], horizon)
        return np.asarray(self._model(v).forecast(horizon), float)

    def _calibrate(self, v, months):
        nz = np.flatnonzero(v != 0)
        w = v[nz[0]:] if len(nz) else v
        if len(w) >= 3:
            fitted = np.asarray(self._model(w).fittedvalues, float)
            e = self._errors(w, fitted)
            e = e[np.isfinite(e)]
        else:
            e = np.diff(np.log(w) if self.error_space_ == "log" else w)
        rms = float(np.sqrt(np.mean(e ** 2))) if len(e) else 0.0
        k = np.arange(1, fc._MAX_H + 1)
        self.scale_ = rms * np.sqrt(k)
        self.cum_scale_ = np.array([rms * self._growth(i, True) for i in k])
        self.dof_ = self.cum_dof_ = np.full(fc._MAX_H, max(len(e), 1), float)


# ----------------------------------------------------------------------------- measurement
def year_end_error(y: pd.Series, model, years: int = 2,
                   as_of=(3, 6, 9)) -> tuple[float, float]:
    """Mean absolute % error and interval coverage of year-end projections.

    As of the end of March, June and September of the last ``years`` complete
    calendar years (fitting on the data up to then only).
    """
    full = [yr for yr in sorted(set(y.index.year))
            if (y.index.year == yr).sum() == 12 and y.index[0] < pd.Period(f"{yr}-01", "M")]
    errs, hits = [], []
    for yr in full[-years:]:
        actual = float(y[y.index.year == yr].sum())
        for m in as_of:
            p = fc.year_end_projection(y, as_of_month=f"{yr}-{m:02d}", annual_target=actual,
                                       model=model)
            errs.append(abs(p["projection"] - actual) / abs(actual))
            hits.append(p["lower"] <= actual <= p["upper"])
    return (float(np.mean(errs)), float(np.mean(hits))) if errs else (np.nan, np.nan)


def methods() -> dict[str, object]:
    return {
        "naive": fc.Naive(), "seasonal naive": fc.SeasonalNaive(), "drift": fc.Drift(),
        "run-rate(3)": fc.RunRate(3), "default": fc.make_default(),
        "AutoForecaster": fc.AutoForecaster(), "LogTrendSeasonal": fc.LogTrendSeasonal(),
        "Holt-Winters": HoltWinters(),
    }


def run(series: dict[str, pd.Series], models: dict[str, object]) -> pd.DataFrame:
    rows = []
    for sname, y in series.items():
        for mname, model in models.items():
            e = fc.backtest_errors(y, model, origins=12, horizons=range(1, 7))
            ae = (e["actual"] - e["forecast"]).abs()
            ye, ycov = year_end_error(y, model)
            rows.append({
                "series": sname, "months": len(y), "method": mname,
                "mase": float((ae / e["scale"]).mean()),
                "mape": float((ae / e["actual"].abs().where(e["actual"] != 0)).mean()),
                "hits": int(((e["actual"] >= e["lower"]) & (e["actual"] <= e["upper"])).sum()),
                "n": len(e), "year_end_err": ye, "year_end_cov": ycov,
            })
    r = pd.DataFrame(rows)
    r["coverage"] = r["hits"] / r["n"]
    return r


def _md(df: pd.DataFrame) -> str:
    def fmt(v):
        if isinstance(v, float):
            return "—" if not np.isfinite(v) else f"{v:.3f}"
        return str(v)
    lines = ["| " + " | ".join(df.columns) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--methods", nargs="*", help="subset of method names")
    args = ap.parse_args(argv)
    t0 = time.time()
    series = load_series(args.data)
    models = methods()
    if args.methods:
        models = {k: v for k, v in models.items() if k in args.methods}
    r = run(series, models)
    print(f"# Forecast accuracy on {len(series)} real monthly series\n")
    wide = r.pivot(index="series", columns="method", values="mase").reindex(series.keys())
    print("## MASE (horizons 1-6, last 12 origins; lower is better)\n")
    print(_md(wide[list(models)].reset_index()))
    print("\n## Per series and method\n")
    cols = ["series", "months", "method", "mase", "mape", "coverage", "year_end_err",
            "year_end_cov"]
    print(_md(r[cols]))
    g = r.groupby("method", sort=False)
    summ = pd.DataFrame({
        "mean MASE": g["mase"].mean(), "median MASE": g["mase"].median(),
        "mean MAPE": g["mape"].mean(), "median MAPE": g["mape"].median(), "pooled 80% coverage": g["hits"].sum() / g["n"].sum(),
        "mean year-end error": g["year_end_err"].mean(),
        "year-end 80% coverage": g["year_end_cov"].mean(),
    }).reset_index()
    print("\n## Summary over all series\n")
    print(_md(summ))
    if "seasonal naive" in models:
        sn = wide["seasonal naive"]
        print("\n## Series where a method does not beat seasonal naive (MASE)\n")
        for m in models:
            lose = list(wide.index[wide[m] >= sn]) if m != "seasonal naive" else []
            print(f"- {m}: {len(lose)} of {len(wide)}" + (f" ({', '.join(lose)})" if lose else ""))
    print(f"\nRuntime {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
