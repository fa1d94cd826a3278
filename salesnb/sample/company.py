"""The whole sample company: :func:`make_company`."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from .cast import (
    _CHANNEL_P,
    _CHANNELS,
    _PRODUCTS,
    DEFAULT_ROWS,
    SAMPLE_END,
    _cast,
    _check,
    _customers,
    _intensity,
)
from .tables import _opportunities, _org, _satisfaction, _spend, _targets

__all__ = ["make_company"]


def make_company(*, seed: int = 0, lang: Literal["en", "zh"] = "en", teams: int = 6,
                 reps: int = 40, rows: int | None = None, end: str | pd.Timestamp = SAMPLE_END,
                 years: int = 3) -> dict[str, pd.DataFrame]:
    """Make the sample company's canonical tables (deterministic for a given seed).

    Parameters
    ----------
    seed : int
        The random seed; the same arguments always give identical tables.
    lang : {"en", "zh"}
        Chinese team, rep, customer, product and channel names with ``"zh"``.
    teams, reps : int
        How many teams (2-50) and reps (teams + 6 to 500).
    rows : int, optional
        About this many sales rows (default :data:`DEFAULT_ROWS`); customers and
        opportunities scale with it.
    end : str or Timestamp
        The last day of data; the data starts on 1 January of ``end``'s year - ``years``.
    years : int
        Full calendar years before the current one.

    Returns
    -------
    dict of DataFrames, keyed by table name:

    * ``sales``: date, team, rep, customer_id, product, category, quantity, amount,
      order_id, region, channel
    * ``org``: rep, team, region, start, end, title, manager (each team's lead manages it;
      the first team's lead, a sales director who also sells, manages the leads), email
      (at example.com)
    * ``targets``: period, level, unit, metric, target (monthly amount targets for the
      company, teams and reps that add up exactly; annual new_customers for company and teams)
    * ``opportunities``: opportunity_id, created, stage, amount, team, rep, expected_close,
      closed, outcome
    * ``spend``: month, team, spend
    * ``satisfaction``: date, customer_id, score, team, rep

    Examples
    --------
    >>> t = make_company(seed=1, rows=3000)
    >>> sorted(t)
    ['opportunities', 'org', 'sales', 'satisfaction', 'spend', 'targets']
    >>> s = t["sales"]
    >>> s["team"].nunique(), s["region"].nunique(), str(s["date"].min())[:4], str(s["date"].max())[:4]
    (6, 5, '2023', '2026')
    """
    end_day = _check(seed, lang, teams, reps, rows, end, years)
    n_rows = DEFAULT_ROWS if rows is None else int(rows)
    start = pd.Timestamp(year=end_day.year - years, month=1, day=1)
    days = pd.date_range(start, end_day, freq="D")
    r_cast, r_sales, r_opp, r_sat = (np.random.default_rng(s)
                                     for s in np.random.SeedSequence(int(seed)).spawn(4))
    c = _cast(r_cast, lang, teams, reps, start, end_day)
    lam, team_of = _intensity(c, r_sales, days)
    n_days = len(days)

    # orders per (day, rep) cell, in date order: systematic sampling of a jittered intensity,
    # so days vary but a rep's yearly count follows the plan (keeps under/over-performers clear)
    jitter = lam * r_sales.lognormal(0, 0.25, lam.shape)
    cum = np.floor(np.cumsum(jitter * (n_rows / 1.5 / jitter.sum()), axis=0)
                   + r_sales.random(reps))
    counts = np.diff(cum, axis=0, prepend=0.0).astype(np.int64)
    cell = np.repeat(np.arange(counts.size), counts.ravel())
    o_day, o_rep = np.divmod(cell, reps)
    o_team = team_of[o_day, o_rep]
    n_ord = len(cell)
    n_cust = max(1000, n_rows // 40, 8 * reps)
    key, b_cust, c_start = _customers(c, r_sales, n_cust, n_days, days)
    lo = np.searchsorted(key, o_rep.astype(np.int64) * (n_days + 1), "left")
    hi = np.searchsorted(key, o_rep.astype(np.int64) * (n_days + 1) + o_day, "right")
    pick = lo + np.floor(np.maximum(hi - lo, 1) * r_sales.random(n_ord) ** 1.5).astype(np.int64)
    o_cust = b_cust[pick]
    by_start = np.argsort(c_start, kind="stable")
    n_open = np.searchsorted(c_start[by_start], o_day, "right")
    shared = (r_sales.random(n_ord) < 0.08) & (n_open > 0)
    o_cust[shared] = by_start[np.floor(n_open[shared] * r_sales.random(shared.sum()))
                              .astype(np.int64)]
    ccum = _CHANNEL_P.cumsum(axis=1)[c["kinds"][o_team]]
    o_chan = (r_sales.random(n_ord)[:, None] > ccum[:, :-1]).sum(axis=1)
    o_ret = r_sales.random(n_ord) < 0.01

    # lines
    n_lines = 1 + r_sales.poisson(0.5, n_ord)
    li = np.repeat(np.arange(n_ord), n_lines)
    cats = [(p, cat) for cat, (_, _, prods) in enumerate(_PRODUCTS) for p in prods]
    price = np.array([p[2] for p, _ in cats], dtype=float) * (1.0 if lang == "en" else 7.0)
    p_cat = np.array([cat for _, cat in cats])
    pop = np.array([3, 4, 2, 3, 3, 2, 2, 2, 3, 2, 1, 3, 4, 3, 2, 2, 2, 2, 3], dtype=float)
    pcum = (pop * c["tilt"][:, p_cat]).cumsum(axis=1)
    pcum /= pcum[:, -1:]
    prod = (r_sales.random(len(li))[:, None] > pcum[o_team[li], :-1]).sum(axis=1)
    sign = np.where(o_ret[li], -1.0, 1.0)
    qty = sign * (1 + r_sales.poisson(np.clip(400 / price[prod] * (7.0 if lang == "zh" else 1.0),
                                              0.2, 5)))
    disc = r_sales.choice([0.0, 0.05, 0.10, 0.15, 0.20], len(li), p=[.5, .2, .15, .1, .05])
    amount = np.round(qty * price[prod] * (1 - disc), 2)

    names = np.array(c["names"], dtype=object)
    tnames = np.array(c["team_names"], dtype=object)
    width = max(4, len(str(n_cust)))
    cid = np.array([f"{'C' if lang == 'en' else '客户'}{i + 1:0{width}d}" for i in range(n_cust)],
                   dtype=object)[np.argsort(np.argsort(c_start, kind="stable"), kind="stable")]
    onum = pd.Series(np.arange(1, n_ord + 1)).astype(str).str.zfill(7)
    oid = (pd.Series(np.where(o_ret, "RT", "SO")) + onum).to_numpy(dtype=object)
    prod_names = np.array([p[0 if lang == "en" else 1] for p, _ in cats], dtype=object)
    cat_names = np.array([x[0 if lang == "en" else 1] for x in _PRODUCTS], dtype=object)
    S = lambda a: pd.array(a, dtype="str")  # noqa: E731
    sales = pd.DataFrame({
        "date": days.to_numpy().astype("datetime64[ns]")[o_day[li]],
        "team": S(tnames[o_team[li]]), "rep": S(names[o_rep[li]]),
        "customer_id": S(cid[o_cust[li]]), "product": S(prod_names[prod]),
        "category": S(cat_names[p_cat[prod]]), "quantity": qty, "amount": amount,
        "order_id": S(oid[li]), "region": S(np.array(c["regions"], dtype=object)[o_team[li]]),
        "channel": S(np.array(_CHANNELS[lang], dtype=object)[o_chan[li]]),
    })
    line = dict(day=o_day[li], rep=o_rep[li], team=o_team[li], amount=amount)
    org = _org(c, names, tnames, lang)
    targets = _targets(c, r_cast, line, days, o_day, o_team, o_cust, n_cust, tnames, names)
    opps = _opportunities(c, r_opp, lam, team_of, days, n_rows, amount.sum(), tnames, names)
    spend = _spend(c, r_opp, line, days, tnames)
    sat = _satisfaction(c, r_sat, o_day, o_rep, o_team, o_cust, days, cid, tnames, names)
    return {"sales": sales, "org": org, "targets": targets, "opportunities": opps,
            "spend": spend, "satisfaction": sat}
