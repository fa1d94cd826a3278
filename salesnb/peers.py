"""One rep among their peers, and one rep's customers: the numbers of a rep's scorecard.

:func:`peer_standing` says where a rep ranks in their team without naming anyone else
(the rank, the number of peers, the team's average); :func:`rep_customers` lists one rep's
largest customers and those won or lost since last year. Both take tidy tables and return
new ones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import calendar as cal
from .compare import rank_units
from .drilldown import top_customers
from .exceptions import DataError

__all__ = ["peer_standing", "rep_customers"]


def peer_standing(progress: pd.DataFrame, rep: str, *, metric: str = "amount") -> dict:
    """Return where ``rep`` stands among the reps of their team, month and year to date.

    Peers are the reps whose progress rows carry the same team. Ranks follow
    :func:`salesnb.compare.rank_units` (attainment, ties broken by amount; no target ranks
    last); the team's average is the mean attainment of its reps with a target (the peer
    average of DOMAIN.md).

    Parameters
    ----------
    progress : DataFrame
        Progress rows (:func:`salesnb.progress.progress`): ``level, unit, team, metric,
        attainment, actual, ytd_attainment, ytd_actual``.
    rep : str
        The rep.
    metric : str
        The metric to compare (default ``"amount"``).

    Returns
    -------
    dict
        ``team, of`` (number of reps in the team), ``rank, attainment, average`` (this
        month) and ``ytd_rank, ytd_attainment, ytd_average`` (year to date). Names no other rep.

    Examples
    --------
    >>> p = pd.DataFrame({"level": "rep", "unit": ["Ann", "Bob", "Cy"], "team": "East",
    ...                   "metric": "amount", "attainment": [0.9, 1.2, 0.6],
    ...                   "actual": [90.0, 120.0, 60.0], "ytd_attainment": [1.0, 0.8, np.nan],
    ...                   "ytd_actual": [500.0, 400.0, 50.0]})
    >>> s = peer_standing(p, "Ann")
    >>> s["rank"], s["of"], round(s["average"], 4), s["ytd_rank"], s["ytd_average"]
    (2, 3, 0.9, 1, 0.9)
    """
    need = ["level", "unit", "team", "metric", "attainment", "actual", "ytd_attainment",
            "ytd_actual"]
    missing = [c for c in need if c not in progress.columns]
    if missing:
        raise DataError(f"progress: missing columns {missing}; present: {list(progress.columns)}.")
    reps = progress[(progress["level"] == "rep") & (progress["metric"] == metric)]
    own = reps[reps["unit"].astype(str) == str(rep)]
    if own.empty:
        raise DataError(f"rep {rep!r} has no {metric} progress row; reps with one: {len(reps)}.")
    team = own["team"].iloc[0]
    peers = reps[reps["team"] == team]
    month = rank_units(peers, by="attainment", tiebreak="actual")
    ytd = rank_units(peers, by="ytd_attainment", tiebreak="ytd_actual")

    def rank_of(r: pd.DataFrame) -> int:
        return int(r.loc[r["unit"].astype(str) == str(rep), "rank"].iloc[0])

    def mean(col: str) -> float:
        v = peers[col].astype(float).dropna()
        return float(v.mean()) if len(v) else np.nan

    return {"team": str(team), "of": int(len(peers)),
            "rank": rank_of(month), "attainment": float(own["attainment"].iloc[0]),
            "average": mean("attainment"),
            "ytd_rank": rank_of(ytd), "ytd_attainment": float(own["ytd_attainment"].iloc[0]),
            "ytd_average": mean("ytd_attainment")}


def rep_customers(customer_sales: pd.DataFrame, rep: str, *, month, fiscal_year_start: int = 1,
                  n: int = 5) -> pd.DataFrame:
    """Return one rep's largest customers this year and those won or lost since last year.

    Year to date against the same months last year, the rep's own sales only (see
    :func:`salesnb.drilldown.top_customers`). A customer is *new* when the rep sold to them
    this year and not in the same months last year, *lost* the other way round.

    Parameters
    ----------
    customer_sales : DataFrame
        ``date, rep, customer_id, amount`` (the run's customer x month digest).
    rep : str
        The rep.
    month : str or Period
        The report month.
    fiscal_year_start : int
        First month of the fiscal year.
    n : int
        How many customers of each kind to list at most.

    Returns
    -------
    DataFrame
        ``kind`` (largest | new | lost), ``customer_id, actual, last_year, change``; largest
        by actual, new by actual, lost by last year's amount (each descending, then id).

    Examples
    --------
    >>> s = pd.DataFrame({"date": pd.to_datetime(["2024-01-05", "2024-01-06", "2025-01-05",
    ...                                           "2025-01-09", "2025-01-09"]),
    ...                   "rep": ["Ann", "Ann", "Ann", "Ann", "Bob"],
    ...                   "customer_id": ["c1", "c3", "c1", "c2", "c9"],
    ...                   "amount": [50.0, 20.0, 60.0, 40.0, 99.0]})
    >>> rep_customers(s, "Ann", month="2025-01", n=2)
          kind customer_id  actual  last_year  change
    0  largest          c1    60.0       50.0    10.0
    1  largest          c2    40.0        0.0    40.0
    2      new          c2    40.0        0.0    40.0
    3     lost          c3     0.0       20.0   -20.0
    """
    cols = ["kind", "customer_id", "actual", "last_year", "change"]
    if "rep" not in customer_sales.columns:
        raise DataError(f"customer_sales: no 'rep' column; present: {list(customer_sales.columns)}.")
    own = customer_sales[customer_sales["rep"].astype(str) == str(rep)]
    if own.empty:
        return pd.DataFrame(columns=cols)
    allc = top_customers(own, month=month, span="ytd", n=max(1, own["customer_id"].nunique()),
                         fiscal_year_start=fiscal_year_start)
    allc = allc.drop(columns="share")
    m = cal.to_month(month)
    fy = cal.fiscal_year_months(cal.fiscal_year(m, fiscal_year_start), fiscal_year_start)
    span = fy[fy <= m]
    months = pd.to_datetime(own["date"]).dt.to_period("M")
    ids = own["customer_id"].astype(str)
    now, before = set(ids[months.isin(span)]), set(ids[months.isin(span - 12)])
    cid = allc["customer_id"].astype(str)
    largest = allc[allc["actual"] > 0].head(n).assign(kind="largest")
    new = allc[(allc["actual"] > 0) & ~cid.isin(before)].head(n).assign(kind="new")
    lost = (allc[cid.isin(before) & ~cid.isin(now) & (allc["last_year"] > 0)]
            .sort_values(["last_year", "customer_id"], ascending=[False, True], kind="stable")
            .head(n).assign(kind="lost"))
    return pd.concat([largest, new, lost], ignore_index=True)[cols]
