"""One currency per money column: mixed currencies are refused, or converted at given rates.

An amount says its currency with a symbol (``$1,234.50``, ``€12``) or a code
(``USD 20``, ``20 EUR``), or a ``currency`` column of the sales says it for each row. A
column whose amounts are in more than one currency cannot be added up: it is an error
naming the rows of each currency, unless the params give the reporting currency
(``currency``) and ``rates`` (what one unit of each other currency is worth in it), in
which case every amount is converted and an info finding says so. An amount with no
currency is in the column's one currency; in a column that mixes currencies it is taken
to be in the reporting currency (and counted in the finding).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..exceptions import ParamsError
from .coerce import CURRENCY_CODES, as_text, currency_marks
from .issues import Issue, rows_text

__all__ = ["MONEY_COLUMNS", "currency_key", "check_rates", "convert_currencies"]

#: the money columns of each table (checked for mixed currencies)
MONEY_COLUMNS = {("sales", "amount"), ("opportunities", "amount"), ("spend", "spend"),
                 ("targets", "target")}


def currency_key(mark: object) -> str:
    """Return the key a currency is matched on: its ISO code (``€`` -> ``EUR``), upper case.

    Parameters
    ----------
    mark : object
        A symbol or code as written (``$``, ``￥``, ``eur``); None or "" gives "".

    Returns
    -------
    str

    Examples
    --------
    >>> currency_key("€"), currency_key(" usd "), currency_key("￥"), currency_key(None)
    ('EUR', 'USD', 'CNY', '')
    """
    if mark is None or (isinstance(mark, float) and np.isnan(mark)):
        return ""
    text = str(mark).strip().replace("￥", "¥")
    return CURRENCY_CODES.get(text, text.upper())


def check_rates(currency: object, rates: Mapping | None) -> dict[str, float]:
    """Return the rates table keyed by currency code, the reporting currency at 1.

    Parameters
    ----------
    currency : str or None
        The params' ``currency`` (symbol or code of the reporting currency).
    rates : mapping, optional
        Currency (symbol or code) -> what one unit of it is worth in the reporting currency.

    Returns
    -------
    dict of str to float
        Empty when no rates are given.

    Raises
    ------
    ParamsError
        For a rate that is not a positive number, or rates without a reporting currency.

    Examples
    --------
    >>> check_rates("$", {"EUR": 1.08, "£": "1.27"})
    {'EUR': 1.08, 'GBP': 1.27, 'USD': 1.0}
    """
    if not rates:
        return {}
    if not isinstance(rates, Mapping):
        raise ParamsError(f"rates must be a mapping of currency to rate, e.g. "
                          f"{{EUR: 1.08, GBP: 1.27}}; got {rates!r}")
    if not currency_key(currency):
        raise ParamsError("rates need the reporting currency: set 'currency' (e.g. currency: "
                          "USD or currency: \"$\") in the params file")
    out = {}
    for k, v in rates.items():
        try:
            rate = float(v)
        except (TypeError, ValueError):
            rate = np.nan
        if not np.isfinite(rate) or rate <= 0:
            raise ParamsError(f"rates: the rate of {k!r} must be a positive number (what one "
                              f"{k} is worth in {currency}), got {v!r}")
        out[currency_key(k)] = rate
    out[currency_key(currency)] = 1.0
    return out


def convert_currencies(ctx, column: str, raw: pd.Series, values: pd.Series, *,
                       currency_col: pd.Series | None = None, currency: object = None,
                       rates: Mapping[str, float] | None = None
                       ) -> tuple[pd.Series, list[Issue]]:
    """Check that a money column holds one currency; convert it at ``rates`` when it does not.

    Parameters
    ----------
    ctx : TableContext
        The table's context (:class:`salesnb.load.tables.TableContext`), for messages.
    column : str
        The canonical money column.
    raw : Series
        The raw column as read (where the symbols are).
    values : Series
        The amounts read from it (:func:`salesnb.load.coerce.to_float`).
    currency_col : Series, optional
        The raw ``currency`` column of the table, which wins over symbols where filled in.
    currency : str, optional
        The reporting currency (params ``currency``).
    rates : mapping of str to float, optional
        :func:`check_rates`' table.

    Returns
    -------
    (values, issues) : tuple of Series and list of Issue
        The amounts (converted when rates apply) and an error (currencies mixed without
        rates, or a currency with no rate) or an info finding (amounts converted).
    """
    marks = currency_marks(raw).map(currency_key)
    if currency_col is not None:
        col = as_text(currency_col).map(currency_key)
        marks = col.where(col != "", marks)
    marks = marks.reset_index(drop=True)
    present = [m for m in pd.unique(marks) if m]
    rates = dict(rates or {})
    home = currency_key(currency)
    shown = {m: m for m in present}
    if not present or (len(present) == 1 and (not rates or present[0] == home)):
        return values, []
    col_name = ctx.col(column) + (f" (currency from {ctx.col('currency')})"
                                  if currency_col is not None else "")

    def where(m: str) -> str:
        mask = (marks == m).to_numpy()
        rows = ctx.rows[np.flatnonzero(mask)]
        return f"{shown[m]} in {int(mask.sum())} ({rows_text(rows, ctx.noun, limit=5)})"

    if not rates:
        parts = "; ".join(where(m) for m in present)
        rows = [int(r) for r in ctx.rows[np.flatnonzero((marks != "").to_numpy())][:10]]
        return values, [Issue(
            "error", ctx.table, ctx.name, "mixed_currency", column, rows, int((marks != "").sum()),
            present[:5], f"{ctx.name}: {col_name}: amounts in {len(present)} currencies ({parts}) "
            "cannot be added up. Convert them to one currency in the file, or give the params "
            "'currency' (the reporting currency) and 'rates' (e.g. rates: {EUR: 1.08, GBP: "
            "1.27}, what one unit is worth in the reporting currency) to convert them.")]
    missing = [m for m in present if m not in rates]
    if missing:
        parts = "; ".join(where(m) for m in missing)
        mask = marks.isin(missing).to_numpy()
        rows = [int(r) for r in ctx.rows[np.flatnonzero(mask)][:10]]
        return values, [Issue(
            "error", ctx.table, ctx.name, "unknown_currency", column, rows, int(mask.sum()),
            missing[:5], f"{ctx.name}: {col_name}: no rate for {', '.join(missing)} ({parts}); "
            f"the params' rates give {', '.join(sorted(rates))}. Add "
            f"{', '.join(missing)} to 'rates'.")]
    rate = marks.map(lambda m: rates.get(m, 1.0) if m else 1.0).to_numpy(float)
    out = pd.Series(values.to_numpy(float) * rate, index=values.index)
    moved = [m for m in present if m != home]
    n = int(marks.isin(moved).sum())
    plain = int((marks == "").sum())
    note = (f"; {plain} amount{'s' if plain != 1 else ''} with no currency taken as {home}"
            if plain else "")
    return out, [Issue(
        "info", ctx.table, ctx.name, "currency_converted", column, [], n, moved[:5],
        f"{ctx.name}: {col_name}: {n} amount{'s' if n != 1 else ''} in "
        f"{', '.join(moved)} converted to {home} at the params' rates "
        f"({', '.join(f'1 {m} = {rates[m]:g} {home}' for m in moved)}){note}.")]
