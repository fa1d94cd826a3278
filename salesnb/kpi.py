"""Optional KPIs: sales funnel, win rate, pipeline coverage, CAC, CLTV and satisfaction.

They read the optional canonical tables (``opportunities``, ``spend``, ``satisfaction``)
and ``sales``; definitions follow DOMAIN.md (Funnel, CAC, CLTV). The funnel, win rate and
pipeline coverage live in :mod:`salesnb.funnel` and are re-exported here.

Stage convention: ``stage`` is the furthest pipeline stage an opportunity reached, in
the order of ``stages`` (default :data:`DEFAULT_STAGES`); ``outcome`` is ``"won"``,
``"lost"`` or empty/NaN while open. Stage names match ignoring case and surrounding
spaces. A stage of ``"Won"`` or ``"Lost"`` (some sources record the outcome there) is
read as that outcome; a ``"Won"`` stage counts as having reached every stage, a
``"Lost"`` stage only the first (how far it got is unknown). A won deal counts as
having reached every stage whatever its recorded stage, so the funnel never widens.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from salesnb.calendar import fiscal_year, fiscal_year_months, to_month
from salesnb.checks import require_columns
from salesnb.cube import COMPANY
from salesnb.exceptions import DataError, ParamsError
from salesnb.funnel import (
    DEFAULT_STAGES,
    _dates,
    _finite_number,
    _outcomes,
    _timestamp,
    funnel,
    pipeline_coverage,
    win_rate,
)
from salesnb.numbers import safe_div

__all__ = ["DEFAULT_STAGES", "funnel", "win_rate", "pipeline_coverage", "cac", "cac_to_date", "cltv",
           "satisfaction_summary", "satisfaction_trend", "data_available"]



_require = require_columns


def cac(spend: pd.DataFrame, new_customers: pd.DataFrame, *,
        by: Literal["team", "company"] = "team") -> pd.DataFrame:
    """Return customer acquisition cost = spend / new customers, for one period.

    Both frames must already cover the same period. A team missing from ``spend`` has
    unknown spend (NaN); a team missing from ``new_customers`` won none (0); CAC is NaN
    without new customers.

    Parameters
    ----------
    spend : DataFrame
        Canonical spend rows (``month``, ``team``, ``spend``) of the period.
    new_customers : DataFrame
        ``team``, ``new_customers`` for the same period.
    by : {"team", "company"}
        One row per team, or one ``"Company"`` row.

    Returns
    -------
    DataFrame with columns ``unit``, ``spend``, ``new_customers``, ``cac``, sorted by unit.

    Examples
    --------
    >>> sp = pd.DataFrame({"month": ["2025-01", "2025-02", "2025-01"],
    ...                    "team": ["East", "East", "West"], "spend": [600.0, 400.0, 300.0]})
    >>> nc = pd.DataFrame({"team": ["East", "West"], "new_customers": [4, 0]})
    >>> cac(sp, nc)
       unit   spend  new_customers    cac
    0  East  1000.0              4  250.0
    1  West   300.0              0    NaN
    """
    if by not in ("team", "company"):
        raise ParamsError(f"by must be 'team' or 'company', got {by!r}.")
    _require(spend, ["team", "spend"], "spend")
    _require(new_customers, ["team", "new_customers"], "new_customers")
    sp = spend.assign(spend=spend["spend"].astype(float))
    nc = new_customers.assign(new_customers=new_customers["new_customers"].astype(float))
    if by == "company":
        sp, nc = sp.assign(team=COMPANY), nc.assign(team=COMPANY)
    s = sp.groupby("team", sort=True)["spend"].sum(min_count=1)
    n = nc.groupby("team", sort=True)["new_customers"].sum()
    units = sorted(set(s.index.astype(str)) | set(n.index.astype(str)))
    s = s.rename(index=str).reindex(units)
    n = n.rename(index=str).reindex(units).fillna(0).astype("int64")
    return pd.DataFrame({"unit": units, "spend": s.to_numpy(dtype=float),
                         "new_customers": n.to_numpy(),
                         "cac": safe_div(s, n.astype(float)).to_numpy(dtype=float)})


def cac_to_date(cube: pd.DataFrame, spend: pd.DataFrame, *, month, fiscal_year_start: int = 1,
                team: str | None = None) -> pd.DataFrame:
    """Return the CAC of the fiscal year to date: its spend / its new customers.

    The window is the fiscal year's first month through ``month`` (DOMAIN.md: CAC = sales
    and marketing spend / new customers in the period), for one team or the company.

    Parameters
    ----------
    cube : DataFrame
        :func:`salesnb.cube.build_cube` output (``month``, ``team``, ``new_customers``).
    spend : DataFrame
        Canonical spend rows (``month``, ``team``, ``spend``).
    month : str or Period
        The report month.
    fiscal_year_start : int
        First month (1-12) of the fiscal year.
    team : str, optional
        The team; None for the whole company.

    Returns
    -------
    DataFrame with one row: ``unit`` (the team or "Company"), ``spend``, ``new_customers``,
    ``cac`` (see :func:`cac`).

    Examples
    --------
    >>> cube = pd.DataFrame({"month": pd.PeriodIndex(["2024-12", "2025-01", "2025-02"], freq="M"),
    ...                      "team": "East", "new_customers": [9, 3, 1]})
    >>> sp = pd.DataFrame({"month": ["2024-12", "2025-01", "2025-02"], "team": "East",
    ...                    "spend": [900.0, 600.0, 400.0]})
    >>> cac_to_date(cube, sp, month="2025-02", team="East")
       unit   spend  new_customers    cac
    0  East  1000.0              4  250.0
    """
    _require(cube, ["month", "team", "new_customers"], "cube")
    _require(spend, ["month", "team", "spend"], "spend")
    m = to_month(month)
    fy = fiscal_year_months(fiscal_year(m, fiscal_year_start), fiscal_year_start)
    done = {str(x) for x in fy if x <= m}
    c = cube[cube["month"].astype(str).isin(done)]
    sp = spend[spend["month"].astype(str).isin(done)]
    if team is not None:
        c, sp = c[c["team"] == team], sp[sp["team"] == team]
    unit = COMPANY if team is None else team
    new = pd.DataFrame({"team": [unit], "new_customers": [int(c["new_customers"].sum())]})
    out = cac(sp.assign(team=unit), new)
    return out[out["unit"] == unit].reset_index(drop=True)


def cltv(sales: pd.DataFrame, *, as_of, gross_margin: float = 0.3, years: int = 1,
         max_lifetime_years: float | None = None) -> dict:
    """Return customer lifetime value and every input it is computed from.

    CLTV = revenue per customer per year x gross margin x lifetime (1 / annual churn).
    The window is the ``years`` years through ``as_of`` (default the trailing 12 months);
    active customers are those with at least one positive sale in it (rows without a
    ``customer_id`` are ignored). Revenue is the net amount (returns included) of all
    customers' rows in the window, divided by ``years``. Churn is the share of the customers active in the window before
    who bought nothing in this one (annualised as ``1 - (1 - churn) ** (1 / years)`` when
    ``years > 1``). No customers, no earlier customers or zero churn give NaN.
    ``max_lifetime_years`` caps the lifetime (a very low churn otherwise gives lifetimes
    of centuries); with a cap, zero churn gives the cap.

    Parameters
    ----------
    sales : DataFrame
        Canonical sales: date, amount, customer_id.
    as_of : date-like
        The last day of the window.
    gross_margin : float
        Gross margin as a fraction (0.3 for 30 %).
    years : int
        Length of the window in whole years (>= 1).
    max_lifetime_years : float, optional
        Cap on the customer lifetime in years.

    Returns
    -------
    dict with ``customers``, ``revenue``, ``revenue_per_customer_per_year``,
    ``previous_customers``, ``churned_customers``, ``churn_rate``, ``lifetime_years``,
    ``gross_margin``, ``cltv``.

    Examples
    --------
    >>> s = pd.DataFrame({"date": pd.to_datetime(["2024-03-01", "2024-05-01", "2025-02-01",
    ...                                           "2025-03-01"]),
    ...                   "customer_id": ["a", "b", "a", "c"], "amount": [50.0, 80.0, 100.0, 300.0]})
    >>> r = cltv(s, as_of="2025-12-31", gross_margin=0.5)
    >>> r["customers"], r["revenue_per_customer_per_year"], r["churn_rate"], r["cltv"]
    (2, 200.0, 0.5, 200.0)
    """
    _require(sales, ["date", "amount", "customer_id"], "sales")
    if not _finite_number(gross_margin) or not 0 <= gross_margin <= 1:
        raise ParamsError(f"gross_margin must be a fraction between 0 and 1 (e.g. 0.3 for "
                          f"30 %), got {gross_margin!r}.")
    if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or years < 1:
        raise ParamsError(f"years must be a whole number of years >= 1, got {years!r}.")
    if max_lifetime_years is not None and (not _finite_number(max_lifetime_years)
                                           or max_lifetime_years <= 0):
        raise ParamsError(f"max_lifetime_years must be a positive number of years or None, "
                          f"got {max_lifetime_years!r}.")
    end = _timestamp(as_of, "as_of")
    start = end - pd.DateOffset(years=int(years))
    before = start - pd.DateOffset(years=int(years))
    date = _dates(sales, "date", "sales")
    amount = sales["amount"].astype(float)
    cid = sales["customer_id"].astype(object)
    known = cid.notna() & (cid.astype(str).str.strip() != "")
    now = known & (date > start) & (date <= end)
    prev = known & (date > before) & (date <= start)
    # the distinct ids first: a set built row by row walks every sale of the window
    customers = set(cid[now & (amount > 0)].astype(str).unique())
    earlier = set(cid[prev & (amount > 0)].astype(str).unique())
    revenue = float(amount[now].sum())
    per_year = float(safe_div(revenue, len(customers))) / years
    churned = len(earlier - customers)
    churn = float(safe_div(churned, len(earlier)))
    if years > 1 and not np.isnan(churn):
        churn = 1 - (1 - churn) ** (1 / years)
    lifetime = float(safe_div(1.0, churn))
    if max_lifetime_years is not None and not np.isnan(churn):
        lifetime = min(float(max_lifetime_years), 1.0 / churn if churn > 0 else np.inf)
    return {"customers": len(customers), "revenue": revenue,
            "revenue_per_customer_per_year": per_year, "previous_customers": len(earlier),
            "churned_customers": churned, "churn_rate": churn, "lifetime_years": lifetime,
            "gross_margin": float(gross_margin), "cltv": per_year * gross_margin * lifetime}


def _satisfaction_rows(satisfaction: pd.DataFrame, level: str) -> pd.DataFrame:
    if level not in ("company", "team"):
        raise ParamsError(f"level must be 'company' or 'team', got {level!r}.")
    _require(satisfaction, ["date", "score"] + (["team"] if level == "team" else []),
             "satisfaction")
    month = _dates(satisfaction, "date", "satisfaction").dt.to_period("M")
    if level == "team":
        unit = satisfaction["team"].astype(object)
    else:
        unit = pd.Series(COMPANY, index=satisfaction.index, dtype=object)
    df = pd.DataFrame({"unit": unit, "month": month, "score": satisfaction["score"].astype(float)})
    return df[df["unit"].notna() & df["score"].notna() & df["month"].notna()].astype(
        {"unit": str})


def _check_months(months) -> int:
    if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or months < 1:
        raise ParamsError(f"months must be a whole number >= 1, got {months!r}.")
    return int(months)


def satisfaction_summary(satisfaction: pd.DataFrame, *, month,
                         level: Literal["company", "team"] = "company",
                         months: int = 6) -> pd.DataFrame:
    """Average satisfaction score per unit and month for the ``months`` months through ``month``.

    Rows without a score (or, at team level, without a team) are left out. Every unit
    with a response in the window gets a row for every month of it; a month without
    responses has score NaN and 0 responses.

    Parameters
    ----------
    satisfaction : DataFrame
        Canonical satisfaction responses: date, customer_id, score (team at team level).
    month : str or Period
        The last month of the window.
    level : {"company", "team"}
        One row per month for the company or for each team.
    months : int
        Length of the window in months.

    Returns
    -------
    DataFrame with columns ``unit`` ("Company" or the team), ``month`` ("YYYY-MM"),
    ``score`` (mean), ``responses``, sorted by unit then month.

    Examples
    --------
    >>> s = pd.DataFrame({"date": pd.to_datetime(["2025-01-10", "2025-01-20", "2025-03-05"]),
    ...                   "customer_id": ["a", "b", "a"], "score": [4.0, 5.0, 3.0]})
    >>> satisfaction_summary(s, month="2025-03", months=3)
          unit    month  score  responses
    0  Company  2025-01    4.5          2
    1  Company  2025-02    NaN          0
    2  Company  2025-03    3.0          1
    """
    n = _check_months(months)
    last = to_month(month)
    window = pd.period_range(last - (n - 1), last, freq="M")
    df = _satisfaction_rows(satisfaction, level)
    df = df[df["month"].isin(window)]
    units = sorted(df["unit"].unique())
    grid = pd.MultiIndex.from_product([units, window], names=["unit", "month"])
    agg = df.groupby(["unit", "month"])["score"].agg(["mean", "size"]).reindex(grid)
    return pd.DataFrame({"unit": grid.get_level_values(0).astype(str),
                         "month": grid.get_level_values(1).astype(str),
                         "score": agg["mean"].to_numpy(dtype=float),
                         "responses": agg["size"].fillna(0).to_numpy(dtype="int64")})


def satisfaction_trend(satisfaction: pd.DataFrame, *, month,
                       level: Literal["company", "team"] = "company",
                       months: int = 1) -> pd.DataFrame:
    """Compare the average score of the last ``months`` months with the ``months`` before.

    ``score`` averages all responses in the months through ``month``; ``prev_score``
    those of the equally long span just before; ``change`` = score - prev_score in
    score points (NaN when either side has no responses).

    Parameters
    ----------
    satisfaction : DataFrame
        Canonical satisfaction responses: date, customer_id, score (team at team level).
    month : str or Period
        The last month of the current span.
    level : {"company", "team"}
        Compare the company or each team.
    months : int
        Length of each of the two spans in months.

    Returns
    -------
    DataFrame with columns ``unit``, ``score``, ``prev_score``, ``change``, sorted by unit.

    Examples
    --------
    >>> s = pd.DataFrame({"date": pd.to_datetime(["2025-02-10", "2025-03-01", "2025-03-20"]),
    ...                   "customer_id": ["a", "b", "a"], "score": [4.0, 5.0, 4.0],
    ...                   "team": ["E", "E", "E"]})
    >>> satisfaction_trend(s, month="2025-03", level="team")
      unit  score  prev_score  change
    0    E    4.5         4.0     0.5
    """
    n = _check_months(months)
    last = to_month(month)
    df = _satisfaction_rows(satisfaction, level)
    now = df[(df["month"] > last - n) & (df["month"] <= last)].groupby("unit")["score"].mean()
    prev = df[(df["month"] > last - 2 * n) & (df["month"] <= last - n)]
    prev = prev.groupby("unit")["score"].mean()
    units = sorted(set(now.index) | set(prev.index))
    score = now.reindex(units).to_numpy(dtype=float)
    before = prev.reindex(units).to_numpy(dtype=float)
    return pd.DataFrame({"unit": pd.Series(units, dtype=str), "score": score,
                         "prev_score": before, "change": score - before})


def data_available(tables: dict) -> dict[str, bool]:
    """Say which optional KPIs the given tables allow (so a report can note what is missing).

    ``tables`` maps canonical table names (``sales``, ``opportunities``, ``spend``,
    ``satisfaction``) to DataFrames or None; absent keys count as missing.

    Parameters
    ----------
    tables : dict of str to DataFrame or None
        Canonical tables by name (sales, opportunities, spend, satisfaction).

    Returns
    -------
    dict with boolean ``funnel``, ``win_rate``, ``pipeline_coverage``, ``cac``, ``cltv``,
    ``satisfaction``.

    Examples
    --------
    >>> sales = pd.DataFrame({"date": pd.to_datetime(["2025-01-02"]), "rep": ["Ann"],
    ...                       "amount": [10.0], "customer_id": ["c1"]})
    >>> data_available({"sales": sales, "opportunities": None})
    {'funnel': False, 'win_rate': False, 'pipeline_coverage': False, 'cac': False, 'cltv': True, 'satisfaction': False}
    """
    def has(name: str, *columns: str) -> bool:
        df = tables.get(name)
        return (isinstance(df, pd.DataFrame) and len(df) > 0
                and all(c in df.columns for c in columns))

    opps = has("opportunities", "stage", "amount")
    closed = False
    if opps and "closed" in tables["opportunities"].columns:
        try:
            o = tables["opportunities"]
            closed = bool((_outcomes(o).isin(["won", "lost"]) & o["closed"].notna()).any())
        except DataError:
            closed = False
    customers = has("sales", "date", "amount", "customer_id") and bool(
        tables["sales"]["customer_id"].notna().any())
    return {"funnel": opps and has("opportunities", "created"),
            "win_rate": closed,
            "pipeline_coverage": opps and has("opportunities", "expected_close"),
            "cac": has("spend", "team", "spend") and customers,
            "cltv": customers,
            "satisfaction": has("satisfaction", "date", "score")}
