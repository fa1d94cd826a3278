"""Compare rules of the default forecaster on candidates' forecasts computed once (settings work).

Run from the repository root (``make bench`` installs the ``bench`` extra first)::

    nice -n 10 .venv/bin/python benchmarks/forecast_rules.py paths     # candidates' forecasts
    .venv/bin/python benchmarks/forecast_rules.py compare               # the rules, dev / test

``paths`` computes, for every series of ``benchmarks/forecast_accuracy.py`` and every prefix
that the accuracy benchmark forecasts from (its 12 rolling origins and the year-end as-of
months), every candidate's forecasts from each of the default's own calibration origins, as
:class:`salesnb.forecast.ValidatedForecaster` computes them at fit (cached in
``benchmarks/.cache/rules/``, one file per series; delete it after changing a candidate).
``compare`` applies combination and interval rules to those forecasts (no refitting) and
prints, per source, for the dev and the test half (``forecast_accuracy.split_of``): the
geometric-mean MASE / seasonal naive, the series with 36+ months not better than seasonal
naive, 80 % coverage and the year-end error. Settings are chosen on ``dev`` and checked on
``test``; ``forecast_accuracy.py`` then measures the chosen default the ordinary way.
``rule`` with its defaults and ``imode="half1.1"`` is the shipped default; with
``long=LONG_BEFORE`` and ``imode="half1.0"``, the default before (its AdventureWorks +
Northwind mean MASE, 1.146, is what ``forecast_accuracy.py`` measured for it).
"""

from __future__ import annotations

import glob
import hashlib
import os
import pickle
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import forecast_accuracy as fa  # noqa: E402

from salesnb.forecast import intervals as iv  # noqa: E402
from salesnb.forecast import models as md  # noqa: E402
from salesnb.forecast import select as sel  # noqa: E402
from salesnb.forecast._base import CALIB_ORIGINS, MAX_H, mase_scale  # noqa: E402

OUT = HERE / ".cache" / "rules"
Z = NormalDist().inv_cdf(0.9)
LONG = ("SN", "Blend", "ETSmulE", "ETSlog", "Theta")      # the default's, from 36 months
LONG_BEFORE = ("SN", "Blend", "ETSmul", "ETSlog", "Theta")


def candidates() -> dict:
    return {"SN": md.SeasonalNaive(), "Blend": md.TrendSeasonalBlend(),
            "ETSmul": sel.ETS("mul"), "ETSlog": sel.ETS("log"), "Theta": sel.Theta(),
            "ETSmulE": sel.ETS("mul", init="estimated")}


# ----------------------------------------------------------------------------- paths
def prefixes(y: pd.Series) -> list[int]:
    """The prefix lengths the accuracy benchmark fits: 12 origins and the year-end as-of months."""
    n = len(y)
    out = set(range(max(1, n - 12), n))
    full = [yr for yr in sorted(set(y.index.year))
            if (y.index.year == yr).sum() == 12 and y.index[0] < pd.Period(f"{yr}-01", "M")]
    for yr in full[-2:]:
        for m in (3, 6, 9):
            out.add(int(np.flatnonzero(y.index == pd.Period(f"{yr}-{m:02d}", "M"))[0]) + 1)
    return sorted(out)


def _file(name: str) -> Path:
    return OUT / f"{hashlib.sha1(name.encode()).hexdigest()[:10]}.pkl"


def one_series(args) -> tuple[str, float]:
    name, src, y = args
    warnings.simplefilter("ignore")
    path = _file(name)
    if path.exists():
        return name, 0.0
    t0 = time.time()
    res = {"name": name, "src": src, "y": y, "items": {}}
    for L in prefixes(y):
        s = y.iloc[:L]
        nz = np.flatnonzero(s.to_numpy() != 0)
        if len(nz) == 0:
            res["items"][L] = None
            continue
        s = s.iloc[nz[0]:]                     # as fit drops a new rep's leading zeros
        v, months = s.to_numpy(), s.index
        n = len(v)
        if n < 6:
            res["items"][L] = {"n": n, "v": v}
            continue
        origins = list(range(max(12 if n >= 24 else 6, n - CALIB_ORIGINS), n)) + [n]
        nonneg = bool((v >= 0).all())
        paths = {}
        for cn, c in candidates().items():
            if isinstance(c, sel.ETS):
                paths[cn] = [np.maximum(f, 0.0) if nonneg else f
                             for f in c._paths(v, months, origins, MAX_H)]
            else:
                paths[cn] = [c._point(v[:t], months[:t], min(MAX_H, n - t) if t < n else MAX_H)
                             for t in origins]
        res["items"][L] = {"n": n, "v": v, "origins": origins, "paths": paths}
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        pickle.dump(res, f)
    tmp.replace(path)
    return name, time.time() - t0


def compute_paths(workers: int = 2) -> None:
    series = {**fa.load_company(), **fa.load_packages()}
    jobs = [(k, src, y) for k, (src, y) in series.items()]
    t0 = time.time()
    with ProcessPoolExecutor(workers) as ex:
        for i, (k, dt) in enumerate(ex.map(one_series, jobs)):
            print(f"{i + 1}/{len(jobs)} {k} {dt:.1f} s ({time.time() - t0:.0f} s)",
                  file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- rules
def load() -> list[dict]:
    out = []
    for p in sorted(glob.glob(str(OUT / "*.pkl"))):
        with open(p, "rb") as f:
            out.append(pickle.load(f))
    return out


def scores_of(it: dict, names, sel_o: int = 12, sel_h: int = 6, power: int = 1) -> dict:
    """Each candidate's mean absolute (power 1) error, horizons 1..sel_h, last sel_o origins."""
    v, origins = it["v"], it["origins"]
    last = origins[:-1][-sel_o:]
    sc = {}
    for c in names:
        errs = [np.abs(v[t:t + min(sel_h, len(f))] - f[:min(sel_h, len(f))]) ** power
                for t, f in zip(origins, it["paths"][c], strict=True) if t in last]
        sc[c] = float(np.mean(np.concatenate(errs))) if errs else np.inf
    return sc


def weights(sc: dict, kind: str = "inv", top: int | None = None,
            trim: float | None = None) -> dict:
    names = list(sc)
    s = np.array([sc[c] for c in names])
    w = np.ones(len(s)) if kind == "equal" else np.zeros(len(s))
    if kind != "equal":
        if np.any(s <= 0):
            w[s <= 0] = 1
        else:
            w = 1 / s
    if trim is not None:
        w[s > trim * s.min()] = 0
    if top is not None:
        w[np.argsort(s, kind="stable")[top:]] = 0
    if not w.sum() > 0:
        w[np.argmin(s)] = 1
    return dict(zip(names, w / w.sum(), strict=True))


def rule(it: dict, short=("Blend",), long=LONG, from_n: int = 36, kind: str = "inv",
         power: int = 1, top: int | None = None, trim: float | None = None,
         short_kind: str = "inv"):
    """Return (the combination's forecasts from every origin, whether weights were chosen)."""
    names = list(short if it["n"] < from_n else long)
    if len(names) == 1:
        w, chosen = {names[0]: 1.0}, False
    else:
        w = weights(scores_of(it, names, power=power),
                    kind=short_kind if it["n"] < from_n else kind, top=top, trim=trim)
        chosen = sum(x > 0 for x in w.values()) > 1
    comb = [np.sum([w[c] * it["paths"][c][j] for c in w if w[c] > 0], axis=0)
            for j in range(len(it["origins"]))]
    return comb, chosen


def calibrate(it: dict, paths: list, chosen: bool, mode: str = "half1.1"):
    """The interval's error quantiles from the combination's errors at the origins.

    ``halfW``: split-conformal, origins counted half when the weights were chosen on these
    errors, quantiles times W (the shipped rule: half1.1); ``full``: every origin counted;
    ``empW``: plain 10 % / 90 % quantiles times W.
    """
    v, origins = it["v"], it["origins"]
    logsp = bool((v > 0).all())
    e_h = [[] for _ in range(MAX_H)]
    for t, f in zip(origins[:-1], paths[:-1], strict=True):
        a = v[t:t + len(f)]
        if logsp:
            with np.errstate(all="ignore"):
                e = np.where((a > 0) & (f > 0), np.log(a / f), np.nan)
        else:
            e = a - f
        for i, x in enumerate(e):
            e_h[i].append(x)
    d = iv.growth_exponent(e_h)
    pool = iv.pooled_errors(e_h, d)
    n_or = len(origins) - 1
    if len(pool) < iv.MIN_ERRORS:
        return ("fallback", iv.fallback_scale(v), logsp, d)
    if mode.startswith("half"):
        q = iv.conformal_bounds(pool, 0.8, n_eff=iv.effective_origins(n_or) if chosen else n_or)
        wd = float(mode[4:])
    elif mode == "full":
        q, wd = iv.conformal_bounds(pool, 0.8, n_eff=n_or), 1.0
    else:
        q, wd = (min(0.0, np.quantile(pool, 0.1)), max(0.0, np.quantile(pool, 0.9))), float(mode[3:])
    return ("q", (q[0] * wd, q[1] * wd), logsp, d)


def bounds(cal, f: np.ndarray, nonneg: bool):
    k = np.arange(1, len(f) + 1)
    if cal[0] == "fallback":
        dd = Z * cal[1] * np.sqrt(k)
        lo, hi = f - dd, f + dd
    else:
        (qlo, qhi), logsp, d = cal[1], cal[2], cal[3]
        h = k ** d
        lo, hi = (f * np.exp(qlo * h), f * np.exp(qhi * h)) if logsp else (f + qlo * h, f + qhi * h)
    if nonneg:
        lo = np.maximum(lo, 0)
    return np.minimum(lo, f), np.maximum(hi, f)


def evaluate(series: list[dict], imode: str = "half1.1", **kw) -> pd.DataFrame:
    """Per series: MASE (12 origins, horizons 1-6), interval hits and the year-end error."""
    rows = []
    for s in series:
        y = s["y"]
        full = y.to_numpy()
        N = len(full)
        years = [yy for yy in sorted(set(y.index.year)) if (y.index.year == yy).sum() == 12
                 and y.index[0] < pd.Period(f"{yy}-01", "M")][-2:]
        mase, hits, cnt, ye = [], 0, 0, []
        for L, it in s["items"].items():
            if it is None:
                f = lo = hi = np.zeros(MAX_H)
            elif it["n"] < 6:                         # run-rate of the last 3 months
                vv = it["v"]
                f = np.repeat(vv[-3:].mean(), MAX_H)
                f = np.maximum(f, 0) if (vv >= 0).all() else f
                lo, hi = bounds(("fallback", iv.fallback_scale(vv), False, 0.5), f[:6],
                                bool((vv >= 0).all()))
            else:
                paths, chosen = rule(it, **kw)
                f = np.maximum(paths[-1], 0) if (it["v"] >= 0).all() else paths[-1]
                lo, hi = bounds(calibrate(it, paths, chosen, imode), f[:6],
                                bool((it["v"] >= 0).all()))
            if L >= N - 12:
                sc = mase_scale(full[:L])
                for h in range(1, 7):
                    if L + h - 1 < N:
                        a = full[L + h - 1]
                        mase.append(abs(a - f[h - 1]) / sc)
                        hits += int(lo[h - 1] <= a <= hi[h - 1])
                        cnt += 1
            m = y.index[L - 1]
            if m.month in (3, 6, 9) and m.year in years:
                sel_ = y.index.year == m.year
                actual = full[sel_].sum()
                if actual != 0:
                    proj = full[sel_][:m.month].sum() + f[:12 - m.month].sum()
                    ye.append(abs(proj - actual) / abs(actual))
        rows.append({"series": s["name"], "source": s["src"], "months": N,
                     "mase": float(np.mean(mase)), "hits": hits, "n": cnt,
                     "ye": float(np.mean(ye)) if ye else np.nan})
    return pd.DataFrame(rows)


def table(results: dict, split: str | None = None) -> pd.DataFrame:
    """Per source and pooled: geo-mean MASE ratio to seasonal naive, 36+ not better, coverage, APE."""
    b = results["SN"].set_index("series")
    out = []
    for lab, df in results.items():
        d = df.set_index("series")
        if split:
            d = d[[fa.split_of(x) == split for x in d.index]]
        r = d["mase"] / b.loc[d.index, "mase"]
        ok = np.isfinite(r) & (r > 0)
        for src, g in [("pooled", d), *d.groupby("source")]:
            rr, okk = r.loc[g.index], ok.loc[g.index]
            out.append({"rule": lab, "source": src, "ratio": float(np.exp(np.log(rr[okk]).mean())),
                        "not better, 36+": int(((rr >= 1) & (g["months"] >= 36) & okk).sum()),
                        "coverage": g["hits"].sum() / g["n"].sum(), "year-end APE": g["ye"].mean()})
    return pd.DataFrame(out).pivot_table(index="source", columns="rule", sort=False,
                                         values=["ratio", "coverage", "year-end APE",
                                                 "not better, 36+"])


def compare() -> None:
    ser = load()
    if not ser:
        sys.exit("no candidates' forecasts cached: run `forecast_rules.py paths` first")
    print(f"{len(ser)} series")
    res = {"SN": evaluate(ser, short=("SN",), long=("SN",), imode="half1.0"),
           "before": evaluate(ser, long=LONG_BEFORE, imode="half1.0"),
           "default": evaluate(ser),
           "heuristic + estimated": evaluate(ser, long=LONG_BEFORE + ("ETSmulE",)),
           "1/MSE": evaluate(ser, power=2),
           "no SN": evaluate(ser, long=LONG[1:]),
           "trim 1.5": evaluate(ser, trim=1.5),
           "best 3": evaluate(ser, top=3),
           "equal ETS+Theta": evaluate(ser, long=("ETSmulE", "ETSlog", "Theta"), kind="equal"),
           "from 24": evaluate(ser, from_n=24),
           "blend+ETS <36": evaluate(ser, short=("Blend", "ETSmulE"), short_kind="equal"),
           "unwidened": evaluate(ser, imode="half1.0"),
           "all origins": evaluate(ser, imode="full"),
           "empirical": evaluate(ser, imode="emp1.0")}
    pd.set_option("display.width", 250)
    for split in ("dev", "test"):
        t = table(res, split=split)
        for k in ("ratio", "not better, 36+", "coverage", "year-end APE"):
            print(f"\n## {split}: {k}\n")
            print(t[k].round(3).to_string())
    aw = {k: v[v["source"].isin(["AdventureWorks", "Northwind"])].set_index("series")
          for k, v in res.items()}
    print("\n## AdventureWorks + Northwind: mean MASE; series worse than seasonal naive\n")
    for k, d in aw.items():
        print(f"- {k}: {d['mase'].mean():.3f}; {int((d['mase'] > aw['SN']['mase']).sum())} of {len(d)}")


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    what = sys.argv[1] if len(sys.argv) > 1 else "compare"
    if what == "paths":
        compute_paths()
    elif what == "compare":
        compare()
    else:
        sys.exit(f"unknown command {what!r}: paths or compare")
