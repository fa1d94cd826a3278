"""The tables behind a pack's reports, as the pack exports them (``tables/*.csv``, ``tables.xlsx``).

:func:`pack_tables` returns every table a report shows, computed by the same functions the
views call, for every unit at once: progress, ranking, attribution and alerts (the pack's
first four tables), then projections and chances, tiers, monthly progress, growth,
customers, the funnel and KPIs, price/volume/mix and top customers.
:func:`excel_formats` gives each column's number format for the workbook.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesnb import calendar as cal
from salesnb.change import price_volume_mix
from salesnb.compare import customer_growth, growth_table, ranking_table
from salesnb.cube import COMPANY
from salesnb.funnel import funnel, pipeline_coverage, win_rate
from salesnb.kpi import cac_to_date
from salesnb.monthly import monthly_progress_table
from salesnb.span_sales import product_periods, rep_breakdown, top_customers

__all__ = ["pack_tables", "excel_formats"]


def _partial(meta: dict) -> bool:
    return pd.Timestamp(meta["as_of"]) < cal.to_month(meta["month"]).end_time.normalize()


def _monthly(tables: dict, fys: int, month: str) -> pd.DataFrame:
    p = tables["progress"]
    rows = p[(p["metric"] == "amount") & p["annual_target"].notna()]
    # every unit at once (monthly_progress unit by unit read the tables once per unit:
    # 551 units at 10 M rows took minutes); the same figures, a test checks them
    m = monthly_progress_table(tables["actuals"], tables["targets"], rows[["level", "unit"]],
                               month=month, fiscal_year_start=fys)
    m.insert(2, "team", np.repeat(rows["team"].to_numpy(dtype=object), 12))
    cols = ["level", "unit", "team", "month", "target", "actual", "attainment", "cum_target",
            "cum_actual", "cum_attainment"]
    return m[cols].reset_index(drop=True) if len(rows) else pd.DataFrame(columns=cols)


def _teams(tables: dict) -> list[str]:
    p = tables["progress"]
    return sorted(p.loc[p["level"] == "team", "unit"].astype(str).unique())


class _ByTeam:
    """A table split by ``team`` once: ``[team]`` gives that team's rows (None: all rows).

    The per-team functions below still filter by team themselves; handing each one its
    team's rows only (the same rows it would pick) makes the pack's tables one pass over
    the sales instead of one per team.
    """

    def __init__(self, df: pd.DataFrame | None):
        self.df = df
        self.parts = ({} if df is None or "team" not in df.columns else
                      dict(tuple(df.groupby(df["team"].astype(str), sort=False))))

    def __getitem__(self, team):
        if team is None or self.df is None:
            return self.df
        return self.parts.get(str(team), self.df.iloc[:0])


def _per_unit(tables: dict, make) -> pd.DataFrame:
    """``make(team)`` for the company (team None) and each team, with level and unit."""
    parts = []
    for team in [None, *_teams(tables)]:
        df = make(team)
        if df is not None and len(df):
            parts.append(df.assign(level="company" if team is None else "team",
                                   unit=COMPANY if team is None else team))
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    return out[["level", "unit"] + [c for c in out.columns if c not in ("level", "unit")]]


def _kpis(tables: dict, fys: int, month: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the funnel per unit and one row of KPIs per unit (win rate, pipeline, CAC)."""
    o, sp, cube = tables.get("opportunities"), tables.get("spend"), tables["cube"]
    fy = cal.fiscal_year_months(cal.fiscal_year(month, fys), fys)
    m = cal.to_month(month)
    start, end = fy[0].start_time, m.end_time
    has_o = o is not None and len(o)
    o_by, cube_by = _ByTeam(o if has_o else None), _ByTeam(cube)
    fn = _per_unit(tables, lambda team: funnel(o_by[team] if team else o,
                                               start=start, end=end)) if has_o else None
    p = tables["progress"]
    rows = []
    for team in [None, *_teams(tables)]:
        level, unit = ("company", COMPANY) if team is None else ("team", team)
        row = {"level": level, "unit": unit}
        pr = p[(p["level"] == level) & (p["unit"] == unit) & (p["metric"] == "amount")]
        gap = float(pr["annual_target"].iloc[0] - pr["ytd_actual"].iloc[0]) if len(pr) \
            else np.nan
        if has_o:
            oo = o_by[team] if team else o
            row["win_rate"] = win_rate(oo, start=start, end=end)
            cov = pipeline_coverage(oo, as_of=tables["meta"]["as_of"], period_end=fy[-1].end_time,
                                    remaining_gap=gap)
            row["open_pipeline"], row["pipeline_coverage"] = cov["open_value"], cov["coverage"]
        if sp is not None and len(sp):
            k = cac_to_date(cube_by[team], sp, month=month, fiscal_year_start=fys, team=team)
            if len(k):
                row.update(spend=float(k["spend"].iloc[0]),
                           new_customers=int(k["new_customers"].iloc[0]),
                           cac=float(k["cac"].iloc[0]))
        rows.append(row)
    return fn, pd.DataFrame(rows)


def pack_tables(tables: dict) -> dict[str, pd.DataFrame]:
    """Return every table the pack's reports show, one frame per exported table, in order.

    Parameters
    ----------
    tables : dict
        A prepared run (:func:`salesnb.report.prepare`).

    Returns
    -------
    dict of str to DataFrame
        ``progress``, ``ranking`` (with peer average and percentile), ``attribution``,
        ``alerts``, then ``projections`` (year-end projection, 80 % range and chance),
        ``tiers``, ``monthly_progress`` (every unit with an annual target, month by month),
        ``growth`` (company, teams and reps: MoM, YoY, YTD YoY), ``customers`` (active and
        new customers per team, month-end reports), ``funnel`` and ``kpis`` (company and
        teams, with opportunity and spend data), ``price_volume_mix`` and
        ``top_customers`` (company and teams, year to date), ``rep_breakdown`` (each rep's
        largest category and customer, year to date). A table whose data the run does not
        have is left out.
    """
    meta = tables["meta"]
    month, fys = meta["month"], int(meta.get("fiscal_year_start", 1))
    out = {"progress": tables["progress"], "ranking": ranking_table(tables),
           "attribution": tables["attribution"], "alerts": tables["alerts"]}
    for name in ("projections", "tiers"):
        if tables.get(name) is not None:
            out[name] = tables[name]
    out["monthly_progress"] = _monthly(tables, fys, month)
    partial = _partial(meta)
    out["growth"] = growth_table(tables["actuals"], month=month, fiscal_year_start=fys,
                                 levels=("company", "team", "rep"), progress=tables["progress"],
                                 sales=tables["sales"], as_of=meta["as_of"] if partial else None)
    cm = tables.get("customer_months")
    if cm is not None and len(cm) and not partial:
        out["customers"] = pd.concat(
            [customer_growth(cm, month=month, level=lv).assign(level=lv)
             for lv in ("company", "team")], ignore_index=True)
    fn, kp = _kpis(tables, fys, month)
    if fn is not None and len(fn):
        out["funnel"] = fn
    if len(kp.columns) > 2:
        out["kpis"] = kp
    ps = tables.get("product_sales")
    if ps is not None and len(ps) and ps["quantity"].abs().sum():
        ps_by = _ByTeam(ps)
        out["price_volume_mix"] = _per_unit(tables, lambda team: price_volume_mix(
            *product_periods(ps_by[team], month=month, span="ytd", fiscal_year_start=fys,
                             team=team)))
    cs = tables.get("customer_sales")
    cs_by = _ByTeam(cs if cs is not None and len(cs) else None)
    if cs is not None and len(cs):
        out["top_customers"] = _per_unit(tables, lambda team: top_customers(
            cs_by[team], month=month, span="ytd", team=team, n=10, fiscal_year_start=fys))
    cube_by = _ByTeam(tables["cube"])
    parts = [rep_breakdown(cube_by[team], cs_by[team] if cs is not None else cs, month=month,
                           team=team, span="ytd", fiscal_year_start=fys).assign(team=team)
             for team in _teams(tables)]
    parts = [p for p in parts if len(p)]
    if parts:
        rb = pd.concat(parts, ignore_index=True)
        out["rep_breakdown"] = rb[["team"] + [c for c in rb.columns if c != "team"]]
    return out


_PCT = ("attainment", "completion", "progress", "pace", "share", "mom", "yoy", "percentile",
        "probability", "conversion", "win_rate", "coverage", "churn", "mape")
_INT = ("count", "rank", "months_remaining", "customers", "active", "new_", "people", "lines",
        "direct_reports", "accuracy_n", "months_with_target", "months_on_target", "streak")
_MONEY = ("target", "actual", "gap", "amount", "value", "projection", "lower", "upper",
          "required", "run_rate", "spend", "cac", "change", "last_year", "prev", "pipeline",
          "price", "volume", "mix", "mae", "expected")


def _kind(column: str) -> str | None:
    c = column.lower()
    if any(k in c for k in _PCT):
        return "pct"
    if any(c == k or c.startswith(k) or c.endswith(k) for k in _INT):
        return "int"
    if any(k in c for k in _MONEY):
        return "money"
    return None


def excel_formats(df: pd.DataFrame, currency: str = "$") -> dict[str, list[str]]:
    """Give every numeric column's Excel number format, row by row.

    Percent for ratios (attainment, pace, shares, growth: ``0.0%``), whole numbers for
    counts and ranks (``#,##0``), the currency for amounts (``"$"#,##0.00``); in a table
    with a ``metric`` column, the amount columns of quantity and new-customer rows are
    counts (``#,##0.##``), not money.

    Parameters
    ----------
    df : DataFrame
        An exported table.
    currency : str
        The currency symbol shown before amounts.

    Returns
    -------
    dict of str to list of str
        Column -> one format per row; columns that are not numbers are left out.

    Examples
    --------
    >>> t = pd.DataFrame({"metric": ["amount", "quantity"], "actual": [5.0, 3.0],
    ...                   "attainment": [0.9, 1.1], "rank": [1, 2]})
    >>> excel_formats(t)
    {'actual': ['"$"#,##0.00', '#,##0.##'], 'attainment': ['0.0%', '0.0%'], 'rank': ['#,##0', '#,##0']}
    """
    money = '"' + currency.replace('"', '') + '"#,##0.00'
    is_amount = (df["metric"].astype(str).eq("amount").to_numpy() if "metric" in df.columns
                 else np.ones(len(df), dtype=bool))
    out = {}
    for c in df.columns:
        if not (pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])):
            continue
        kind = _kind(str(c))
        if kind == "pct":
            out[c] = ["0.0%"] * len(df)
        elif kind == "int":
            out[c] = ["#,##0"] * len(df)
        elif kind == "money":
            out[c] = [money if a else "#,##0.##" for a in is_amount]
    return out
