"""Where a change from last year comes from (同比贡献, 价量结构).

* :func:`yoy_contributions` splits the change from last year into the children's changes.
* :func:`price_volume_mix` splits a revenue change by product into price, volume, mix,
  new and lost effects.
* :func:`exact_cents` rounds parts to cents so that they add up to the rounded whole.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from salesnb.calendar import Span, span_months
from salesnb.checks import as_months, require_columns
from salesnb.cube import COMPANY
from salesnb.exceptions import ParamsError
from salesnb.numbers import safe_div

__all__ = ["yoy_contributions", "price_volume_mix", "exact_cents"]


def exact_cents(values, total: float) -> np.ndarray:
    """Round ``values`` to cents so that they add up to ``total`` rounded to cents.

    Parameters
    ----------
    values : array-like of float
        The parts.
    total : float
        The whole they must add up to; the rounding residue goes to the largest part.

    Returns
    -------
    ndarray
        The parts in cents (as floats with two decimals).

    Examples
    --------
    >>> exact_cents([0.333, 0.333, 0.334], 1.0).tolist()
    [0.33, 0.33, 0.34]
    """
    v = np.asarray(values, dtype=float)
    cents = np.round(v * 100).astype(np.int64)
    if len(cents):
        cents[int(np.argmax(np.abs(v)))] += int(round(total * 100)) - int(cents.sum())
    return cents / 100


def yoy_contributions(
    cube: pd.DataFrame,
    *,
    month,
    parent_level: Literal["company", "team", "rep"] = "company",
    parent: str = COMPANY,
    child: Literal["team", "rep", "category"] = "team",
    span: Span = "month",
    fiscal_year_start: int = 1,
    metric: Literal["amount", "quantity", "new_customers"] = "amount",
) -> pd.DataFrame:
    """Split a parent's change from the same span last year into its children's changes.

    Parameters
    ----------
    cube : DataFrame
        :func:`salesnb.cube.build_cube` output.
    month : str or Period
        The last month of the span.
    parent_level : {"company", "team", "rep"}
        The level of the parent whose change is split.
    parent : str
        The parent unit (ignored at company level).
    child : {"team", "rep", "category"}
        The cube column whose values are the children.
    span : {"month", "qtd", "ytd"}
        The span ending with ``month``, compared with the same months last year.
    fiscal_year_start : int
        First month (1-12) of the fiscal year.
    metric : {"amount", "quantity", "new_customers"}
        The cube column compared.

    Returns
    -------
    DataFrame with columns ``child, current, last_year, change`` (current - last_year,
    in cents, adding up exactly to the parent's total change) and
    ``contribution_pct_points`` (change / the parent's last-year total, a fraction: 0.05 is
    5 points; the column sums to the parent's YoY growth; NaN when last year is 0). One
    row per child with sales in either span, ordered by change descending, then child.

    Examples
    --------
    >>> cube = pd.DataFrame({"month": pd.PeriodIndex(["2024-02", "2024-02", "2025-02",
    ...     "2025-02"], freq="M"), "team": ["East", "West"] * 2, "rep": ["Ann", "Cat"] * 2,
    ...     "category": "A", "amount": [150.0, 150.0, 160.0, 100.0]})
    >>> yoy_contributions(cube, month="2025-02").round(4)
      child  current  last_year  change  contribution_pct_points
    0  East    160.0      150.0    10.0                   0.0333
    1  West    100.0      150.0   -50.0                  -0.1667
    """
    if parent_level not in ("company", "team", "rep"):
        raise ParamsError(f"parent_level must be company, team or rep, got {parent_level!r}.")
    if child not in ("team", "rep", "category"):
        raise ParamsError(f"child must be team, rep or category, got {child!r}.")
    require_columns(cube, ["month", child, metric] + ([parent_level] if parent_level != "company"
                                                else []), "cube")
    cb = cube.assign(month=as_months(cube["month"]), _child=cube[child].astype(str))
    if parent_level != "company":
        known = cb[parent_level].astype(str)
        if not (known == parent).any():
            raise ParamsError(f"parent {parent!r} is not a {parent_level} in the cube; "
                              f"known: {sorted(set(known))[:10]}.")
        cb = cb[known == parent]
    months = span_months(month, span, fiscal_year_start)
    cur = cb[cb["month"].isin(months)].groupby("_child")[metric].sum()
    prev = cb[cb["month"].isin(months - 12)].groupby("_child")[metric].sum()
    kids = sorted(set(cur.index) | set(prev.index))
    out = pd.DataFrame({"child": pd.Series(kids, dtype=object),
                        "current": cur.reindex(kids, fill_value=0).to_numpy(dtype=float),
                        "last_year": prev.reindex(kids, fill_value=0).to_numpy(dtype=float)})
    out["change"] = exact_cents(out["current"] - out["last_year"],
                                 float(cur.sum()) - float(prev.sum()))
    out["contribution_pct_points"] = safe_div(out["change"], float(prev.sum()))
    out = out.sort_values(["change", "child"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)


def price_volume_mix(current: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    """Split the revenue change from ``base`` to ``current`` into price, volume, mix, new and lost.

    Products sold (non-zero quantity) in both periods are *common*; with ``q`` quantity,
    ``a`` amount, ``p = a / q`` unit price, 0 = base, 1 = current, ``Q`` and ``A`` the
    totals over common products and ``P0 = A0 / Q0`` the base average price::

        volume = (Q1 - Q0) * P0                  # more or fewer units at the old average price
        mix    = sum(q1_i * p0_i) - Q1 * P0      # units shifting to dearer or cheaper products
        price  = sum((p1_i - p0_i) * q1_i)       # price changes on this period's units
        new    = sum(a1_i - a0_i), products with no base quantity
        lost   = sum(a1_i - a0_i), products with base but no current quantity

    so ``volume + mix + price = A1 - A0`` over common products and all five add up to the
    total revenue change (exactly to the cent). If common base quantities net to 0 (returns),
    volume is 0 and mix = sum(q1_i * p0_i) - A0.

    Parameters
    ----------
    current : DataFrame
        This period's sales per product: product, amount, quantity.
    base : DataFrame
        The base period's sales per product, same columns.

    Returns
    -------
    DataFrame with columns ``effect`` (price, volume, mix, new, lost, in that order) and
    ``value``.

    Examples
    --------
    >>> base = pd.DataFrame({"product": ["P1", "P2"], "amount": [100.0, 200.0],
    ...                      "quantity": [10.0, 10.0]})
    >>> cur = pd.DataFrame({"product": ["P1", "P2", "P3"], "amount": [220.0, 100.0, 50.0],
    ...                     "quantity": [20.0, 5.0, 5.0]})
    >>> price_volume_mix(cur, base)
       effect  value
    0   price   20.0
    1  volume   75.0
    2     mix  -75.0
    3     new   50.0
    4    lost    0.0
    """
    cols = ["product", "amount", "quantity"]
    require_columns(current, cols, "current")
    require_columns(base, cols, "base")

    def agg(df: pd.DataFrame) -> pd.DataFrame:
        d = pd.DataFrame({"product": df["product"].fillna("").astype(str),
                          "amount": df["amount"].astype(float).fillna(0.0),
                          "quantity": df["quantity"].astype(float).fillna(0.0)})
        return d.groupby("product")[["amount", "quantity"]].sum()

    j = agg(current).join(agg(base), how="outer", lsuffix="1", rsuffix="0").fillna(0.0)
    common = (j["quantity0"] != 0) & (j["quantity1"] != 0)
    c = j[common]
    a0, q0, q1 = c["amount0"].sum(), c["quantity0"].sum(), c["quantity1"].sum()
    at_old_prices = (c["quantity1"] * c["amount0"] / c["quantity0"]).sum()
    if q0 != 0:
        volume = (q1 - q0) * a0 / q0
        mix = at_old_prices - q1 * a0 / q0
    else:
        volume, mix = 0.0, at_old_prices - a0
    price = c["amount1"].sum() - at_old_prices
    d = j[~common]
    new = (d["amount1"] - d["amount0"])[d["quantity0"] == 0].sum()
    lost = (d["amount1"] - d["amount0"])[d["quantity0"] != 0].sum()
    total = j["amount1"].sum() - j["amount0"].sum()
    values = exact_cents([price, volume, mix, new, lost], total)
    return pd.DataFrame({"effect": ["price", "volume", "mix", "new", "lost"], "value": values})
