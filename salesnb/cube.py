"""Aggregate canonical sales once per run into small tables every analysis reads.

* :func:`build_cube` - month x team x rep x category: amount, quantity, lines, new_customers.
* :func:`monthly_actuals` - the long ``(month, level, unit, team, metric, actual)`` table
  that :mod:`salesnb.progress`, :mod:`salesnb.compare` and the forecasts consume.
* :func:`customer_months` - distinct (month, team, rep, customer_id) for active-customer counts.

A sale counts for the team it was booked to (a rep who moved teams counts for the
old team before the move and the new one after). A rep's actual is all of the
rep's sales, whatever the team. A new customer is one whose first sale ever falls
in the month; it counts for the team and rep of that first sale.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesnb.schema import CUBE_COLUMNS

__all__ = ["COMPANY", "CUBE_COLUMNS", "ACTUALS_COLUMNS", "build_cube", "monthly_actuals",
           "customer_months", "first_sales"]

#: the unit name of the company level in every long table
COMPANY = "Company"
ACTUALS_COLUMNS = ["month", "level", "unit", "team", "metric", "actual"]


def first_sales(sales: pd.DataFrame) -> pd.DataFrame:
    """Return each customer's first sale: customer_id, date, month, team, rep.

    Rows without a customer_id are ignored. Ties on the same day go to the row
    that comes first in the input.

    Parameters
    ----------
    sales : DataFrame
        Canonical sales (date, team, rep, amount; customer_id, product, category, quantity when present).
    """
    if "customer_id" not in sales.columns:
        return pd.DataFrame(columns=["customer_id", "date", "month", "team", "rep"])
    s = sales.loc[sales["customer_id"].notna() & (sales["customer_id"].astype(str) != ""),
                  ["customer_id", "date", "team", "rep"]]
    s = s.sort_values("date", kind="stable").drop_duplicates("customer_id", keep="first")
    s = s.assign(month=s["date"].dt.to_period("M"))
    return s[["customer_id", "date", "month", "team", "rep"]].reset_index(drop=True)


def build_cube(sales: pd.DataFrame) -> pd.DataFrame:
    """Aggregate canonical sales to month x team x rep x category.

    Parameters
    ----------
    sales : DataFrame
        Canonical sales (date, team, rep, amount; customer_id, product, category, quantity when present).

    Returns
    -------
    DataFrame with columns ``month`` (Period[M]), ``team``, ``rep``, ``category``
    ("" where the data has none), ``amount``, ``quantity`` (NaN-free; 0 where the
    data has none), ``lines`` (sale rows) and ``new_customers``.

    Examples
    --------
    >>> s = pd.DataFrame({"date": pd.to_datetime(["2025-01-03", "2025-01-20", "2025-02-01"]),
    ...                   "team": ["East", "East", "East"], "rep": ["Ann", "Ann", "Bob"],
    ...                   "amount": [100.0, 50.0, 30.0], "customer_id": ["c1", "c1", "c2"]})
    >>> build_cube(s)[["month", "rep", "amount", "lines", "new_customers"]]
         month  rep  amount  lines  new_customers
    0  2025-01  Ann   150.0      2              1
    1  2025-02  Bob    30.0      1              1
    """
    df = pd.DataFrame({
        "month": sales["date"].dt.to_period("M"),
        "team": sales["team"].astype(str),
        "rep": sales["rep"].astype(str),
        "category": (sales["category"].fillna("").astype(str)
                     if "category" in sales.columns else ""),
        "amount": sales["amount"].astype(float),
        "quantity": (sales["quantity"].fillna(0).astype(float)
                     if "quantity" in sales.columns else 0.0),
        "lines": 1,
    })
    keys = ["month", "team", "rep", "category"]
    cube = df.groupby(keys, sort=True, observed=True).agg(
        amount=("amount", "sum"), quantity=("quantity", "sum"), lines=("lines", "sum")
    ).reset_index()
    fs = first_sales(sales)
    if len(fs):
        cat = ""
        if "category" in sales.columns:
            firsts = sales.loc[sales["customer_id"].notna()].sort_values("date", kind="stable")
            firsts = firsts.drop_duplicates("customer_id", keep="first")
            cat = firsts.set_index("customer_id")["category"].fillna("").astype(str)
            fs = fs.assign(category=fs["customer_id"].map(cat).fillna(""))
        else:
            fs = fs.assign(category="")
        newc = fs.groupby(keys, observed=True).size().rename("new_customers").reset_index()
        cube = cube.merge(newc, on=keys, how="outer")
        cube[["amount", "quantity", "lines", "new_customers"]] = cube[
            ["amount", "quantity", "lines", "new_customers"]].fillna(0)
    else:
        cube["new_customers"] = 0
    cube["lines"] = cube["lines"].astype("int64")
    cube["new_customers"] = cube["new_customers"].astype("int64")
    return cube.sort_values(keys).reset_index(drop=True)[CUBE_COLUMNS]


def monthly_actuals(cube: pd.DataFrame, *, metric: str = "amount") -> pd.DataFrame:
    """Return actuals per month for the company, each team and each rep.

    ``cube`` is :func:`build_cube`'s output. Columns: ``month``, ``level``
    (company|team|rep), ``unit``, ``team`` (the unit's team; for a rep, the team
    of the rep's most sales that month; "" for the company), ``metric``, ``actual``.
    Months run continuously from the first to the last month of the cube; a unit
    with no sales in a month has actual 0 from its first month on.

    Parameters
    ----------
    cube : DataFrame
        :func:`build_cube`'s output.
    metric : str
        The measure: ``amount``, ``quantity`` or ``new_customers``.

    Examples
    --------
    >>> s = pd.DataFrame({"date": pd.to_datetime(["2025-01-03", "2025-03-01"]),
    ...                   "team": ["East", "West"], "rep": ["Ann", "Ann"], "amount": [100.0, 30.0]})
    >>> a = monthly_actuals(build_cube(s))
    >>> a[a.level == "rep"][["month", "unit", "team", "actual"]]
         month unit  team  actual
    7  2025-01  Ann  East   100.0
    8  2025-02  Ann  East     0.0
    9  2025-03  Ann  West    30.0
    """
    if metric not in ("amount", "quantity", "new_customers"):
        raise ValueError(f"metric must be amount, quantity or new_customers, got {metric!r}")
    if cube.empty:
        return pd.DataFrame(columns=ACTUALS_COLUMNS)
    months = pd.period_range(cube["month"].min(), cube["month"].max(), freq="M")
    last = months.max()
    out = []
    comp = cube.groupby("month")[metric].sum().reindex(months, fill_value=0)
    out.append(pd.DataFrame({"month": months, "level": "company", "unit": COMPANY, "team": "",
                             "metric": metric, "actual": comp.to_numpy(dtype=float)}))
    for level in ("team", "rep"):
        sums = cube.groupby([level, "month"], sort=True)[metric].sum()
        first = sums.reset_index().groupby(level)["month"].min()
        # every unit from its first month through the last month of the data
        counts = (last.ordinal - first.map(lambda p: p.ordinal)).astype(int) + 1
        units = np.repeat(first.index.to_numpy(), counts.to_numpy())
        ords = np.concatenate([np.arange(f.ordinal, last.ordinal + 1) for f in first]) \
            if len(first) else np.array([], dtype=int)
        grid = pd.MultiIndex.from_arrays([units, pd.PeriodIndex.from_ordinals(ords, freq="M")],
                                         names=[level, "month"])
        vals = sums.reindex(grid, fill_value=0).to_numpy(dtype=float)
        frame = pd.DataFrame({"month": grid.get_level_values(1), "level": level,
                              "unit": grid.get_level_values(0).astype(str), "metric": metric,
                              "actual": vals})
        if level == "team":
            frame["team"] = frame["unit"]
        else:  # a rep's team that month: where most of the month's amount was booked
            main = (cube.assign(_abs=cube["amount"].abs())
                    .groupby(["rep", "month", "team"], sort=True)["_abs"].sum().reset_index()
                    .sort_values(["rep", "month", "_abs"], ascending=[True, True, False],
                                 kind="stable")
                    .drop_duplicates(["rep", "month"]).set_index(["rep", "month"])["team"])
            team = main.reindex(grid)
            team = pd.Series(team.to_numpy(), index=frame.index).groupby(frame["unit"]).ffill()
            frame["team"] = team.to_numpy()
        out.append(frame[ACTUALS_COLUMNS])
    res = pd.concat(out, ignore_index=True)
    res["month"] = pd.PeriodIndex(res["month"], freq="M")
    return res[ACTUALS_COLUMNS]


def customer_months(sales: pd.DataFrame) -> pd.DataFrame:
    """Return distinct (month, team, rep, customer_id) with ``is_new`` (first sale ever that month).

    Parameters
    ----------
    sales : DataFrame
        Canonical sales (date, team, rep, amount; customer_id, product, category, quantity when present).
    """
    if "customer_id" not in sales.columns:
        return pd.DataFrame(columns=["month", "team", "rep", "customer_id", "is_new"])
    s = sales.loc[sales["customer_id"].notna(), ["date", "team", "rep", "customer_id"]]
    month = s["date"].dt.to_period("M")
    # de-duplicated and sorted on the months' ordinals: pandas boxes every Period to
    # hash or compare a period column (2 of the 1 M-row load's 5 s)
    d = pd.DataFrame({"month": month, "_m": month.array.asi8, "team": s["team"].astype(str),
                      "rep": s["rep"].astype(str), "customer_id": s["customer_id"].astype(str)})
    d = d.drop_duplicates(["_m", "team", "rep", "customer_id"]).reset_index(drop=True)
    first = d.groupby("customer_id")["_m"].min()
    d["is_new"] = d["_m"].eq(d["customer_id"].map(first))
    d = d.sort_values(["_m", "team", "rep", "customer_id"], kind="stable")
    return d.drop(columns="_m").reset_index(drop=True)


def digest(sales: pd.DataFrame) -> dict:
    """Aggregate canonical sales once into the small tables a run needs (the sales digest).

    The same contract as :func:`salesnb.engine.scan` (DuckDB) and
    :func:`salesnb.sources.aggregate_sql` (in the database), computed here with pandas:

    * ``daily``: date, team, rep, amount, quantity, lines;
    * ``customer_monthly``: date (month start), team, rep, customer_id, amount, quantity
      (when the data has customer ids);
    * ``product_monthly``: date (month start), team, product, category, amount, quantity
      (when the data has products);
    * ``cube``: :func:`build_cube`'s output.

    Parameters
    ----------
    sales : DataFrame
        Canonical sales (date, team, rep, amount; customer_id, product, category, quantity when present).

    Examples
    --------
    >>> s = pd.DataFrame({"date": pd.to_datetime(["2025-01-03", "2025-01-03", "2025-01-20"]),
    ...                   "team": "East", "rep": ["Ann", "Ann", "Bob"], "amount": [1.0, 2.0, 4.0],
    ...                   "customer_id": ["c1", "c1", "c2"]})
    >>> d = digest(s)
    >>> d["daily"][["date", "rep", "amount", "lines"]]
            date  rep  amount  lines
    0 2025-01-03  Ann     3.0      2
    1 2025-01-20  Bob     4.0      1
    >>> float(d["customer_monthly"]["amount"].sum()), sorted(d)
    (7.0, ['cube', 'customer_monthly', 'daily'])
    """
    base = pd.DataFrame({
        "date": pd.to_datetime(sales["date"]).dt.normalize().astype("datetime64[ns]"),
        "team": sales["team"].astype(str), "rep": sales["rep"].astype(str),
        "amount": sales["amount"].astype(float),
        "quantity": (sales["quantity"].fillna(0).astype(float) if "quantity" in sales.columns
                     else 0.0),
    })
    out = {}
    daily = base.assign(lines=1).groupby(["date", "team", "rep"], sort=True, observed=True).agg(
        amount=("amount", "sum"), quantity=("quantity", "sum"), lines=("lines", "sum"))
    out["daily"] = daily.reset_index()
    month_start = base["date"].dt.to_period("M").dt.start_time.astype("datetime64[ns]")
    if "customer_id" in sales.columns:
        c = base.assign(date=month_start, customer_id=sales["customer_id"].astype(str))
        out["customer_monthly"] = (c.groupby(["date", "team", "rep", "customer_id"], sort=True,
                                             dropna=False)
                                   [["amount", "quantity"]].sum().reset_index())
    if "product" in sales.columns:
        p = base.assign(date=month_start, product=sales["product"].astype(str),
                        category=(sales["category"].fillna("").astype(str)
                                  if "category" in sales.columns else ""))
        out["product_monthly"] = (p.groupby(["date", "team", "product", "category"], sort=True,
                                            dropna=False)
                                  [["amount", "quantity"]].sum().reset_index())
    out["cube"] = build_cube(sales)
    return out
