"""Prepare a run once: every table a report shows, computed from a loaded dataset."""

from __future__ import annotations

import os

import pandas as pd

from .. import alerts as _alerts
from .. import calendar as cal
from .. import cube as _cube
from .. import drilldown as _drill
from .. import forecast as _fc
from .. import progress as _progress
from .. import targets as _targets
from ..exceptions import DataError

__all__ = ["prepare", "annual_targets", "load_prepared"]


def annual_targets(monthly: pd.DataFrame, *, month, fiscal_year_start: int = 1,
                   metric: str = "amount") -> pd.DataFrame:
    """Sum the monthly targets of the fiscal year of ``month``: level, unit, annual_target.

    Parameters
    ----------
    monthly : DataFrame
        Monthly targets (``month``, ``level``, ``unit``, ``metric``, ``target``).
    month : str or Period
        The report month; its fiscal year is summed.
    fiscal_year_start : int
        First month (1-12) of the fiscal year.
    metric : str
        The metric summed.
    """
    months = cal.fiscal_year_months(cal.fiscal_year(month, fiscal_year_start), fiscal_year_start)
    t = monthly[(monthly["metric"] == metric) & monthly["month"].isin(months)]
    return (t.groupby(["level", "unit"], sort=False)["target"].sum()
            .rename("annual_target").reset_index())


def _targets_for(dataset, actuals, *, month, fiscal_year_start, target_split, targets_rule):
    fy = cal.fiscal_year(month, fiscal_year_start)
    rule = dict(targets_rule or {})
    if dataset.targets is not None and len(dataset.targets):
        raw, source = dataset.targets, "given"
    elif rule.get("rule", "prior_year_growth") == "prior_year_growth" and rule:
        monthly_raw = _targets.prior_year_growth(actuals[actuals["metric"] == "amount"], year=fy,
                                                 growth=float(rule.get("growth", 0.1)),
                                                 fiscal_year_start=fiscal_year_start)
        source = f"prior_year_growth ({float(rule.get('growth', 0.1)) * 100:.0f} %)"
        if rule.get("basis", "annual") == "annual":
            # one yearly target per unit (last year x (1 + growth)), split by target_split:
            # copying each unit's own months gives absurd targets to sparse reps
            raw = (monthly_raw.groupby(["level", "unit", "metric"], sort=False)["target"].sum()
                   .round(2).reset_index().assign(period=str(fy)))
            raw = raw[["period", "level", "unit", "metric", "target"]]
        else:  # basis: monthly - each month = the same month last year x (1 + growth)
            raw = monthly_raw
    else:
        return pd.DataFrame(columns=["month", "level", "unit", "metric", "target"]), "none"
    monthly = _targets.monthly_targets(raw, fiscal_year_start=fiscal_year_start,
                                       method=target_split, last_year=actuals)
    return monthly, source


def _projection_chunk(args):
    from threadpoolctl import threadpool_limits
    amount, annual, quarter, month, fys = args
    # one BLAS thread per worker: the workers already fill the cores, and OpenBLAS
    # threads spinning beside them made 2 workers slower than one process (72 s vs 38 s)
    with threadpool_limits(1):
        return _fc.projections_and_paths(amount, annual, quarter_targets=quarter, month=month,
                                         fiscal_year_start=fys)


_EARLY: dict = {}


def _warm_worker() -> int:
    import salesnb.forecast  # noqa: F401 - inherited by fork; imported under spawn
    return os.getpid()


def _worker_context():
    """Return the forecast workers' start method: a fork server where there is one, else spawn.

    Forking the runner itself was unsafe: its threads (the kernels starting, the exports)
    may hold a lock at that moment, and a forked worker that needs it waits forever (a
    test run hung that way). The fork server is a fresh single-threaded process that has
    imported the forecasting code once; each worker is forked from it, small and ready.
    """
    import multiprocessing as mp
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["salesnb.forecast", "salesnb.report.prepare"])
        return ctx
    return mp.get_context("spawn")


def start_forecast_workers(workers: int | None = None) -> None:
    """Start the year-end forecast workers now, before any data is loaded.

    They start from a fork server (:func:`_worker_context`) while the data loads, not
    from the runner once it holds the data: forked from a runner holding 1.7 GB of 10 M
    sales rows, every page a worker touched was copied (the 10 M-row pack peaked at
    3.7 GB over the process tree). :func:`prepare` then hands them the few rows each
    unit's forecast needs. With one worker nothing is started and the forecasts run in
    the runner. :func:`stop_forecast_workers` ends them when the run did not use them.

    Parameters
    ----------
    workers : int, optional
        How many (default: the cores, at most 4).
    """
    from concurrent.futures import ProcessPoolExecutor
    stop_forecast_workers()
    workers = workers or min(os.cpu_count() or 1, 4)
    if workers < 2:
        return
    ex = ProcessPoolExecutor(workers, mp_context=_worker_context())
    for _ in range(workers):   # start them (and the fork server) now
        ex.submit(_warm_worker)
    _EARLY.update(executor=ex, workers=workers)


def stop_forecast_workers() -> None:
    """Shut down the workers :func:`start_forecast_workers` started, if still unused."""
    ex = _EARLY.pop("executor", None)
    _EARLY.pop("workers", None)
    if ex is not None:
        ex.shutdown(wait=True, cancel_futures=True)


def _projections_start(amount: pd.DataFrame, annual: pd.DataFrame, *, month,
                       fiscal_year_start: int, workers: int | None = None,
                       quarter: pd.DataFrame | None = None):
    """Start the year-end projections of every unit; return a function that waits for them.

    Each unit's forecast is independent, so many units are spread over worker processes
    (the same rows as one call) while the caller computes the rest of the run. The
    function returns :func:`salesnb.forecast.projections_and_paths`'s dict: the
    projections, and from the same fits each unit's forecast path and quarter end (what
    the reports draw, so that no report fits a model again).
    """
    from concurrent.futures import ProcessPoolExecutor
    keys = amount[["level", "unit"]].drop_duplicates()
    workers = workers or _EARLY.get("workers") or min(os.cpu_count() or 1, 4)
    if len(keys) < 60 or workers < 2:
        out = _projection_chunk((amount, annual, quarter, month, fiscal_year_start))
        return lambda: out
    chunks = []
    for i in range(workers):
        part = keys.iloc[i::workers]
        sel = amount.merge(part, on=["level", "unit"])
        chunks.append((sel, annual, quarter, month, fiscal_year_start))
    if _EARLY.get("workers") == workers:   # started before the data was loaded
        ex = _EARLY.pop("executor")
        _EARLY.pop("workers")
    else:
        ex = ProcessPoolExecutor(workers, mp_context=_worker_context())
    futures = [ex.submit(_projection_chunk, c) for c in chunks]
    from threadpoolctl import threadpool_limits
    limits = threadpool_limits(1)   # this process computes the rest beside the workers

    def result() -> dict:
        try:
            parts = [f.result() for f in futures]
        finally:
            ex.shutdown()
            limits.restore_original_limits()
        order = {"company": 0, "team": 1, "rep": 2}
        out = {}
        for name, by in (("projections", ["unit"]), ("paths", ["unit", "month"]),
                         ("quarters", ["unit"])):
            df = pd.concat([p[name] for p in parts], ignore_index=True)
            df = df.assign(_o=df["level"].map(order)).sort_values(["_o", *by], kind="stable")
            out[name] = df.drop(columns="_o").reset_index(drop=True)
        return out

    return result


def _projections(amount: pd.DataFrame, annual: pd.DataFrame, *, month, fiscal_year_start: int,
                 workers: int | None = None) -> pd.DataFrame:
    """Year-end projections for every unit (see :func:`_projections_start`)."""
    return _projections_start(amount, annual, month=month, fiscal_year_start=fiscal_year_start,
                              workers=workers)()["projections"]


def _partial_month_projections(amount, annual, monthly, *, month, fiscal_year_start,
                               month_progress):
    """Year-end projections for a report whose as-of date falls inside ``month``.

    The models fit whole months only (through the previous month). The current month is
    then the actual so far plus the rest of its forecast: projection = projection made a
    month ago + actual so far - forecast of the month x its elapsed share. The forecast of
    the month is the remaining forecast split by the remaining months' target weights
    (equal without targets); the 80 % band shifts with it, and the chance of reaching the
    target is read from a normal curve fitted to that band.
    """
    from statistics import NormalDist
    prev = _projections(amount[amount["month"] < month], annual, month=month - 1,
                        fiscal_year_start=fiscal_year_start)
    fy_months = cal.fiscal_year_months(cal.fiscal_year(month, fiscal_year_start),
                                       fiscal_year_start)
    rest = fy_months[fy_months >= month]
    t = monthly[(monthly["metric"] == "amount") & monthly["month"].isin(rest)]
    weights = t.pivot_table(index=["level", "unit"], columns="month", values="target",
                            aggfunc="sum")
    now = amount[amount["month"] == month].set_index(["level", "unit"])["actual"]
    z = NormalDist().inv_cdf(0.9)
    rows = []
    for r in prev.itertuples(index=False):
        key = (r.level, r.unit)
        share = 1.0 / len(rest)
        if key in weights.index and month in weights.columns:
            w = weights.loc[key].reindex(rest).fillna(0.0)
            if w.sum() > 0:
                share = float(w[month] / w.sum())
        f_month = (r.projection - r.ytd_actual) * share
        so_far = float(now.get(key, 0.0))
        shift = so_far - f_month * month_progress
        d = r._asdict()
        d.update(ytd_actual=r.ytd_actual + so_far, projection=r.projection + shift,
                 lower=r.lower + shift, upper=r.upper + shift)
        sd = (d["upper"] - d["lower"]) / (2 * z)
        if not pd.isna(r.annual_target) and sd > 0:
            d["probability"] = 1 - NormalDist(d["projection"], sd).cdf(r.annual_target)
        elif not pd.isna(r.annual_target):
            d["probability"] = float(d["projection"] >= r.annual_target)
        rows.append(d)
    return pd.DataFrame(rows, columns=prev.columns)


def _mid_month_growth(prog: pd.DataFrame, sales: pd.DataFrame, as_of) -> pd.DataFrame:
    """Replace MoM and YoY of amount rows by like-for-like month-to-date comparisons."""
    from ..compare import month_to_date_growth
    prog = prog.copy()
    for level in ("company", "team", "rep"):
        g = month_to_date_growth(sales, as_of=as_of, level=level).set_index("unit")
        rows = (prog["level"] == level) & (prog["metric"] == "amount")
        units = prog.loc[rows, "unit"]
        for col in ("prev_actual", "mom", "last_year_actual", "yoy"):
            prog.loc[rows, col] = units.map(g[col]).to_numpy()
    return prog


def prepare(dataset, *, month, digest: dict | None = None, as_of=None, fiscal_year_start: int = 1,
            target_split: str = "equal", targets_rule: dict | None = None,
            thresholds: dict | None = None, tiers: dict | None = None,
            working_days: bool = False, holidays=(), currency: str | None = None) -> dict:
    """Compute every table of a run, once, from a loaded dataset.

    ``digest`` (see :func:`salesnb.cube.digest`) replaces ``dataset.sales`` when the sales
    were aggregated elsewhere (DuckDB, the database); otherwise it is computed here.

    Parameters
    ----------
    dataset : Dataset
        The loaded and validated data (:func:`salesnb.load.load_dataset`).
    month : str or Period
        The report month.
    digest : dict, optional
        The sales aggregated elsewhere (see above).
    as_of : date-like, optional
        The last day covered, inside ``month`` (default: its last day).
    fiscal_year_start : int
        First month (1-12) of the fiscal year.
    target_split : str
        How annual targets become monthly: ``equal`` or ``seasonal``.
    targets_rule : dict, optional
        Targets from last year when the data has none (``{rule: prior_year_growth}``).
    thresholds : dict, optional
        Alert thresholds over the defaults.
    tiers : dict, optional
        Incentive tiers over the defaults.
    working_days : bool
        Time progress in working days (Mon-Fri) instead of calendar days.
    holidays : iterable of str
        Days skipped when ``working_days`` is true (``YYYY-MM-DD``).
    currency : str, optional
        The currency symbol of the alerts' messages.

    Returns
    -------
    dict
        DataFrames: sales (the daily digest), customer_sales, product_sales, cube, actuals,
        targets (monthly), progress, attribution, customer_months, last_sale, quality,
        mismatches, projections, alerts, tiers, opportunities, spend, satisfaction, org,
        excluded, lines (reporting lines, when the org table names managers; else None);
        and ``meta`` (a dict).
    """
    m = cal.to_month(month)
    as_of_ts = pd.Timestamp(as_of) if as_of else m.end_time.normalize()
    if digest is None:
        digest = dataset.digest
    dg = digest if digest is not None else _cube.digest(dataset.sales)
    sales = dg["daily"]  # date x team x rep: every date-based comparison reads this
    # a month before the first sale keeps no sales (later ones are set aside): say so
    dates = sales["date"] if len(sales) else pd.to_datetime(
        getattr(dataset, "excluded", pd.DataFrame()).get("date", pd.Series(dtype=object)),
        errors="coerce").dropna()
    cal.check_month_in_data(m, dates.min() if len(dates) else None,
                            dates.max() if len(dates) else None)
    cube = dg["cube"]
    metrics = ["amount"]
    if cube["quantity"].abs().sum() > 0:
        metrics.append("quantity")
    if dg.get("customer_monthly") is not None and cube["new_customers"].sum() > 0:
        metrics.append("new_customers")
    actuals = pd.concat([_cube.monthly_actuals(cube, metric=k) for k in metrics],
                        ignore_index=True)
    monthly, target_source = _targets_for(dataset, actuals, month=m,
                                          fiscal_year_start=fiscal_year_start,
                                          target_split=target_split, targets_rule=targets_rule)
    # a target for a unit in neither the sales nor the org table stays a data-quality finding
    org_df = dataset.org if dataset.org is not None else pd.DataFrame(columns=["rep", "team"])
    monthly, _unknown = _targets.known_unit_targets(
        monthly, teams=set(cube["team"].astype(str)) | set(org_df["team"].astype(str)),
        reps=set(cube["rep"].astype(str)) | set(org_df["rep"].astype(str)))
    amount = actuals[actuals["metric"] == "amount"]
    annual = annual_targets(monthly, month=m, fiscal_year_start=fiscal_year_start)
    partial = as_of_ts < m.end_time.normalize() and \
        cal.fiscal_year(m - 1, fiscal_year_start) == cal.fiscal_year(m, fiscal_year_start)
    if not partial:  # the forecasts run in other processes while the rest is computed
        projections_result = _projections_start(
            amount, annual, month=m, fiscal_year_start=fiscal_year_start,
            quarter=_fc.quarter_targets(monthly, month=m, fiscal_year_start=fiscal_year_start))
    prog = _progress.progress(actuals, monthly, month=m, as_of=as_of_ts,
                              fiscal_year_start=fiscal_year_start, org=dataset.org,
                              working_days=bool(working_days), holidays=list(holidays or ()))
    if as_of_ts < m.end_time.normalize():
        prog = _mid_month_growth(prog, sales, as_of_ts)
    attribution = _drill.attribution(cube, monthly, month=m, fiscal_year_start=fiscal_year_start,
                                     as_of=as_of_ts, working_days=bool(working_days),
                                     holidays=list(holidays or ()))
    org = dataset.org
    mismatches = None
    if org is not None and len(monthly):  # only the report's fiscal year matters here
        fy = cal.fiscal_year(m, fiscal_year_start)
        this_year = monthly[monthly["month"].isin(cal.fiscal_year_months(fy, fiscal_year_start))]
        mismatches = _targets.target_mismatches(this_year, org,
                                                fiscal_year_start=fiscal_year_start)
        mismatches = mismatches[mismatches["year"] == fy].reset_index(drop=True)
    last_sale = (sales.sort_values("date").groupby("rep", sort=True)
                 .agg(team=("team", "last"), last_sale_date=("date", "max")).reset_index())
    # "no sales for N days" is for reps still on the books: in this year's progress and,
    # where the org table dates them, not gone before the as-of date
    current = set(prog.loc[prog["level"] == "rep", "unit"].astype(str))
    if org is not None and "end" in org.columns:
        ends = pd.to_datetime(org["end"])
        gone = set(org.loc[ends.notna() & (ends < as_of_ts), "rep"].astype(str)) - set(
            org.loc[ends.isna() | (ends >= as_of_ts), "rep"].astype(str))
        current -= gone
    active_reps = last_sale[last_sale["rep"].astype(str).isin(current)].reset_index(drop=True)
    if partial:
        month_progress = float(prog.loc[prog["level"] == "company", "month_time_progress"]
                               .iloc[0]) if (prog["level"] == "company").any() else 1.0
        projections = _partial_month_projections(amount, annual, monthly, month=m,
                                                 fiscal_year_start=fiscal_year_start,
                                                 month_progress=month_progress)
        forecast_paths = quarter_projections = None   # the reports fit their own
    else:
        fits = projections_result()
        projections = fits["projections"]
        forecast_paths, quarter_projections = fits["paths"], fits["quarters"]
    quality = dataset.quality_table()
    alert_table = _alerts.evaluate_alerts(
        prog, as_of=as_of_ts, thresholds=thresholds or None, last_sale=active_reps,
        mismatches=mismatches,
        quality=(quality[(quality["severity"] != "info") & (quality["check"] != "after_report_month")]
                 if len(quality) else None),
        projection=projections, currency=currency)
    tier_table = _alerts.incentive_tiers(prog, tiers=tiers or None)
    lines = None
    if org is not None and "manager" in org.columns:
        from ..hierarchy import reporting_lines
        try:
            lines = reporting_lines(prog, org)
        except DataError:  # a circular line: warned at load, no lines block
            lines = None
    from ..compare import rank_units
    team_rows = prog[(prog["level"] == "team") & (prog["metric"] == "amount")]
    ranking = rank_units(team_rows, by="attainment", tiebreak="actual")
    ranking = ranking.assign(of=len(ranking))
    meta = {
        "month": str(m), "as_of": str(as_of_ts.date()), "fiscal_year_start": fiscal_year_start,
        "fiscal_year": cal.fiscal_year(m, fiscal_year_start),
        "last_sale_date": str(sales["date"].max().date()) if len(sales) else "",
        "first_sale_date": str(sales["date"].min().date()) if len(sales) else "",
        "target_source": target_source, "metrics": metrics,
        "thresholds": thresholds or {}, "tiers": tiers or {},
        "stages": list(getattr(dataset, "stages", ()) or ()),  # the funnel's, from the params
    }
    return {
        "sales": sales, "customer_sales": dg.get("customer_monthly"),
        "product_sales": dg.get("product_monthly"), "cube": cube, "actuals": actuals,
        "targets": monthly, "progress": prog, "attribution": attribution,
        "customer_months": (_cube.customer_months(dg["customer_monthly"])
                            if dg.get("customer_monthly") is not None else None),
        "last_sale": last_sale,
        "quality": quality, "mismatches": mismatches, "projections": projections,
        "forecast_paths": forecast_paths, "quarter_projections": quarter_projections,
        "alerts": alert_table, "tiers": tier_table, "ranking": ranking, "opportunities": dataset.opportunities,
        "spend": dataset.spend, "satisfaction": dataset.satisfaction, "org": org,
        "excluded": dataset.excluded, "lines": lines, "meta": meta,
    }


def load_prepared(params: dict) -> dict:
    """Load, validate and prepare a run from params (the notebooks' interactive path).

    Parameters
    ----------
    params : dict
        Resolved params (:func:`salesnb.params.resolve_params`), ``base_dir`` included.
    """
    from ..load import dataset_from_params
    month = params["month"]
    dataset = dataset_from_params(params)
    return prepare(dataset, month=month, as_of=params.get("as_of") or None,
                   fiscal_year_start=params.get("fiscal_year_start", 1),
                   target_split=params.get("target_split", "equal"),
                   targets_rule=params.get("targets_rule") or None,
                   thresholds=params.get("thresholds") or None, tiers=params.get("tiers") or None,
                   working_days=params.get("working_days", False),
                   holidays=params.get("holidays") or (),
                   currency=params.get("currency", "$"))
