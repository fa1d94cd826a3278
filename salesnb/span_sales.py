"""A span's sales by product and by customer: the inputs of price/volume/mix, top customers.

* :func:`product_periods` prepares :func:`salesnb.change.price_volume_mix`'s two inputs.
* :func:`top_customers` lists the biggest customers of a span with last year's sales.
* :func:`rep_breakdown` drills from each rep of a team to its product categories and customers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesnb.calendar import Span, span_months
from salesnb.checks import require_columns
from salesnb.exceptions import ParamsError
from salesnb.numbers import safe_div

__all__ = ["product_periods", "top_customers", "rep_breakdown"]


def _span_sales(sales: pd.DataFrame, months: pd.PeriodIndex, team: str | None) -> pd.DataFrame:
    if team is not None:
        require_columns(sales, ["team"], "sales")
        if not (sales["team"].astype(str) == team).any():
            raise ParamsError(f"team {team!r} has no sales; known teams: "
                              f"{sorted(set(sales['team'].astype(str)))[:10]}.")
        sales = sales[sales["team"].astype(str) == team]
    return sales[sales["date"].dt.to_period("M").isin(months)]


def product_periods(sales: pd.DataFrame, *, month, span: Span, fiscal_year_start: int = 1,
                    team: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (current, base) product totals for :func:`price_volume_mix` from canonical sales.

    ``current`` covers the span ending with ``month`` (whole months); ``base`` the same
    months last year. ``team`` keeps only the sales booked to that team.

    Parameters
    ----------
    sales : DataFrame
        Canonical sales: date, product, amount, quantity (and team to filter).
    month : str or Period
        The last month of the span.
    span : {"month", "qtd", "ytd"}
        The span ending with ``month``.
    fiscal_year_start : int
        First month (1-12) of the fiscal year.
    team : str, optional
        Keep only the sales booked to this team.

    Returns
    -------
    Two DataFrames with columns ``product, amount, quantity`` (missing quantity = 0),
    ordered by product.

    Examples
    --------
    >>> s = pd.DataFrame({"date": pd.to_datetime(["2024-02-03", "2025-02-10"]),
    ...                   "team": "East", "product": "P1", "amount": [100.0, 120.0],
    ...                   "quantity": [10.0, 10.0]})
    >>> cur, base = product_periods(s, month="2025-02", span="month")
    >>> cur
      product  amount  quantity
    0      P1   120.0      10.0
    """
    require_columns(sales, ["date", "product", "amount", "quantity"], "sales")
    months = span_months(month, span, fiscal_year_start)

    def totals(ms: pd.PeriodIndex) -> pd.DataFrame:
        s = _span_sales(sales, ms, team)
        d = pd.DataFrame({"product": s["product"].fillna("").astype(str),
                          "amount": s["amount"].astype(float),
                          "quantity": s["quantity"].astype(float).fillna(0.0)})
        return d.groupby("product", as_index=False)[["amount", "quantity"]].sum()

    return totals(months), totals(months - 12)


def top_customers(sales: pd.DataFrame, *, month, span: Span = "ytd", team: str | None = None,
                  n: int = 10, fiscal_year_start: int = 1) -> pd.DataFrame:
    """List the ``n`` customers with the most sales in the span, with the same span last year.

    Parameters
    ----------
    sales : DataFrame
        Canonical sales: date, customer_id, amount (and team to filter).
    month : str or Period
        The last month of the span.
    span : {"month", "qtd", "ytd"}
        The span ending with ``month``.
    team : str, optional
        Keep only the sales booked to this team.
    n : int
        How many customers to list (>= 1).
    fiscal_year_start : int
        First month (1-12) of the fiscal year.

    Returns
    -------
    DataFrame with columns ``customer_id, actual, last_year, change`` (actual - last_year)
    and ``share`` (actual / all sales of the span, for ``team`` if given), ordered by
    actual descending, then customer_id. Customers with sales in either span compete.

    Examples
    --------
    >>> s = pd.DataFrame({"date": pd.to_datetime(["2024-01-05", "2025-01-05", "2025-01-09"]),
    ...                   "team": "East", "customer_id": ["c1", "c1", "c2"],
    ...                   "amount": [50.0, 60.0, 40.0]})
    >>> top_customers(s, month="2025-01", n=2)
      customer_id  actual  last_year  change  share
    0          c1    60.0       50.0    10.0    0.6
    1          c2    40.0        0.0    40.0    0.4
    """
    require_columns(sales, ["date", "customer_id", "amount"], "sales")
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ParamsError(f"n must be a positive integer, got {n!r}.")
    months = span_months(month, span, fiscal_year_start)
    cur, prev = _span_sales(sales, months, team), _span_sales(sales, months - 12, team)

    def by_customer(s: pd.DataFrame) -> pd.Series:
        s = s[s["customer_id"].notna()]
        return s.groupby(s["customer_id"].astype(str))["amount"].sum()

    a, b = by_customer(cur), by_customer(prev)
    ids = sorted(set(a.index) | set(b.index))
    out = pd.DataFrame({"customer_id": pd.Series(ids, dtype=object),
                        "actual": a.reindex(ids, fill_value=0.0).to_numpy(dtype=float),
                        "last_year": b.reindex(ids, fill_value=0.0).to_numpy(dtype=float)})
    out["change"] = out["actual"] - out["last_year"]
    out["share"] = safe_div(out["actual"], float(cur["amount"].sum()))
    out = out.sort_values(["actual", "customer_id"], ascending=[False, True], kind="stable")
    return out.head(n).reset_index(drop=True)


def rep_breakdown(cube: pd.DataFrame, customer_sales: pd.DataFrame | None, *, month, team: str,
                  span: Span = "ytd", fiscal_year_start: int = 1) -> pd.DataFrame:
    """Drill from each rep of a team to what and whom the rep sells in a span.

    Parameters
    ----------
    cube : DataFrame
        :func:`salesnb.cube.build_cube` output (``month``, ``team``, ``rep``, ``category``,
        ``amount``).
    customer_sales : DataFrame or None
        Sales with ``date``, ``team``, ``rep``, ``customer_id``, ``amount`` (the run's
        ``customer_sales``); None leaves the customer columns empty.
    month : str or Period
        The report month.
    team : str
        The team; a rep counts with the sales booked to it.
    span : {"month", "qtd", "ytd"}
        The span.
    fiscal_year_start : int
        First month (1-12) of the fiscal year.

    Returns
    -------
    DataFrame with columns ``rep``, ``actual`` (the span's sales), ``top_category`` and
    ``top_category_share`` (the rep's largest product category and its share of the rep's
    sales), ``customers`` (customers with a sale in the span), ``top_customer`` and
    ``top_customer_share``; one row per rep with sales, largest first.

    Examples
    --------
    >>> jan = pd.Period("2025-01", freq="M")
    >>> cube = pd.DataFrame({"month": jan, "team": "East", "rep": ["Ann", "Ann", "Bob"],
    ...                      "category": ["Tools", "Parts", "Tools"],
    ...                      "amount": [60.0, 40.0, 30.0]})
    >>> cs = pd.DataFrame({"date": pd.to_datetime(["2025-01-05", "2025-01-09", "2025-01-10"]),
    ...                    "team": "East", "rep": ["Ann", "Ann", "Bob"],
    ...                    "customer_id": ["c1", "c2", "c1"], "amount": [70.0, 30.0, 30.0]})
    >>> b = rep_breakdown(cube, cs, month="2025-01", team="East")
    >>> b[["rep", "actual", "top_category", "top_category_share"]]
       rep  actual top_category  top_category_share
    0  Ann   100.0        Tools                 0.6
    1  Bob    30.0        Tools                 1.0
    >>> b[["rep", "customers", "top_customer", "top_customer_share"]]
       rep  customers top_customer  top_customer_share
    0  Ann          2           c1                 0.7
    1  Bob          1           c1                 1.0
    """
    require_columns(cube, ["month", "team", "rep", "category", "amount"], "cube")
    months = span_months(month, span, fiscal_year_start)
    c = cube[(cube["team"] == team) & pd.PeriodIndex(cube["month"], freq="M").isin(months)]
    cols = ["rep", "actual", "top_category", "top_category_share", "customers",
            "top_customer", "top_customer_share"]
    if c.empty:
        return pd.DataFrame(columns=cols)
    total = c.groupby("rep")["amount"].sum()

    def top(frame: pd.DataFrame, key: str) -> pd.DataFrame:
        g = frame.groupby(["rep", key])["amount"].sum().reset_index()
        g = g.sort_values(["rep", "amount", key], ascending=[True, False, True], kind="stable")
        return g.drop_duplicates("rep").set_index("rep")

    cat = top(c.assign(category=c["category"].astype(str)), "category")
    out = pd.DataFrame({"rep": total.index.astype(str), "actual": total.to_numpy(dtype=float)})
    out["top_category"] = out["rep"].map(cat["category"])
    out["top_category_share"] = safe_div(out["rep"].map(cat["amount"]), out["actual"])
    if customer_sales is not None and len(customer_sales):
        require_columns(customer_sales, ["date", "team", "rep", "customer_id", "amount"],
                        "customer_sales")
        s = _span_sales(customer_sales, months, team)
        s = s[s["customer_id"].notna()].assign(customer_id=lambda d: d["customer_id"].astype(str))
        cust = top(s, "customer_id")
        out["customers"] = out["rep"].map(s.groupby("rep")["customer_id"].nunique()).fillna(
            0).astype("int64")
        out["top_customer"] = out["rep"].map(cust["customer_id"])
        out["top_customer_share"] = safe_div(out["rep"].map(cust["amount"]),
                                             out["rep"].map(s.groupby("rep")["amount"].sum()))
    else:
        out["customers"], out["top_customer"], out["top_customer_share"] = 0, None, np.nan
    out = out.sort_values(["actual", "rep"], ascending=[False, True], kind="stable")
    return out[cols].reset_index(drop=True)
