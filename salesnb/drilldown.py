"""Drill-down (钻取): who and what causes a parent's gap and its change from last year.

* :func:`attribute_gap` / :func:`attribution` split a parent's gap (target - actual)
  into its children's gaps, adding up exactly to the cent (an explicit "Not allocated"
  line takes whatever the children's targets or actuals do not cover).
* :func:`yoy_contributions` splits the change from last year into the children's changes.
* :func:`price_volume_mix` splits a revenue change by product into price, volume, mix,
  new and lost effects; :func:`product_periods` prepares its two inputs from sales.
* :func:`top_customers` lists the biggest customers of a span with last year's sales.

:func:`yoy_contributions` and :func:`price_volume_mix` live in :mod:`salesnb.change`,
:func:`product_periods` and :func:`top_customers` in :mod:`salesnb.span_sales`; they are
re-exported here, where the README documents them.

A sale counts for the team it was booked to: a rep who moved teams appears under the
old team with the sales booked there and under the new team with the rest. Money is
made exact by working in whole cents: rounded parts get any rounding residue on the
part with the largest absolute value, so the parts add up to the rounded whole.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from salesnb.calendar import Span, month_as_of, span_months, to_month
from salesnb.change import exact_cents, price_volume_mix, yoy_contributions
from salesnb.checks import as_months, require_columns
from salesnb.cube import COMPANY
from salesnb.exceptions import ParamsError
from salesnb.numbers import safe_div
from salesnb.span_sales import product_periods, rep_breakdown, top_customers

__all__ = ["attribute_gap", "attribution", "attribution_total", "reps_behind", "rep_breakdown",
           "yoy_contributions", "price_volume_mix",
           "product_periods", "top_customers"]

GAP_COLUMNS = ["child", "target", "actual", "gap", "share", "attainment", "below_parent"]




def attribute_gap(children: pd.DataFrame, *, parent_target: float, parent_actual: float,
                  unallocated_label: str = "Not allocated") -> pd.DataFrame:
    """Split a parent's gap (target - actual) into its children's gaps, exactly to the cent.

    When the children's targets or actuals do not add up to the parent's (by more than
    half a cent), a ``unallocated_label`` row takes the difference, so the gaps always sum
    to the parent's gap. A child with no target (NaN) counts as target 0 in its gap (its
    whole actual is over-delivery) and has NaN attainment; a NaN actual counts as 0.

    Parameters
    ----------
    children : DataFrame
        Columns ``child``, ``target``, ``actual`` (one row per child).
    parent_target, parent_actual : float
        The parent's target and actual for the same span and metric.
    unallocated_label : str
        Name of the line for the part of the parent the children do not cover.

    Returns
    -------
    DataFrame with columns ``child, target, actual, gap`` (target - actual, in cents),
    ``share`` (the child's part of the shortfall: gap / the sum of the positive gaps, so the
    children falling short add up to 1 and an over-achiever's negative share is what it
    offsets; NaN when nobody falls short), ``attainment`` (actual /
    target) and ``below_parent`` (attainment below the parent's; False for the
    not-allocated line). Ordered by gap descending (biggest shortfall first), then child,
    with the not-allocated line last.

    Examples
    --------
    >>> kids = pd.DataFrame({"child": ["East", "West"], "target": [150.0, 150.0],
    ...                      "actual": [160.0, 100.0]})
    >>> attribute_gap(kids, parent_target=300.0, parent_actual=260.0)
      child  target  actual   gap  share  attainment  below_parent
    0  West   150.0   100.0  50.0    1.0    0.666667          True
    1  East   150.0   160.0 -10.0   -0.2    1.066667         False
    """
    require_columns(children, ["child", "target", "actual"], "children")
    child = children["child"].astype(str).tolist()
    tgt = children["target"].to_numpy(dtype=float)
    act = np.nan_to_num(children["actual"].to_numpy(dtype=float))
    if len(set(child)) < len(child):
        dups = sorted({k for k in child if child.count(k) > 1})
        raise ParamsError(f"children has duplicated child names {dups[:5]}; pass one row "
                          "per child (sum the rows first).")
    if unallocated_label in child:
        raise ParamsError(f"a child is named {unallocated_label!r}, the unallocated_label; "
                          "pass another unallocated_label.")
    pt, pa = float(parent_target), float(parent_actual)
    if np.isnan(pt) or np.isnan(pa):
        raise ParamsError(f"parent_target and parent_actual must be numbers, got {pt} and "
                          f"{pa}; use 0 (or the sum of the children) for a missing value.")
    rest_t, rest_a = pt - np.nansum(tgt), pa - act.sum()
    is_rest = np.zeros(len(child), dtype=bool)
    if abs(rest_t) > 0.005 or abs(rest_a) > 0.005:
        child, is_rest = child + [unallocated_label], np.append(is_rest, True)
        tgt, act = np.append(tgt, rest_t), np.append(act, rest_a)
    gap = exact_cents(np.nan_to_num(tgt) - act, pt - pa)
    attainment = np.where(is_rest, np.nan, safe_div(act, tgt))
    with np.errstate(invalid="ignore"):
        below = (attainment < safe_div(pa, pt)) & ~is_rest
    order = sorted(range(len(child)), key=lambda i: (is_rest[i], -gap[i], child[i]))
    out = pd.DataFrame({"child": pd.Series(child, dtype=object), "target": tgt, "actual": act,
                        "gap": gap, "share": safe_div(gap, float(gap[gap > 0].sum())),
                        "attainment": attainment, "below_parent": below})
    return out.iloc[order].reset_index(drop=True)[GAP_COLUMNS]


_STACK_ARGS = pd.DataFrame.stack.__code__.co_varnames


def _rep_team_by_month(cube: pd.DataFrame, months: pd.PeriodIndex) -> pd.Series:
    """Return the team of each rep in each of ``months``, indexed (rep, month).

    The team of most of the rep's sales (absolute amount) that month; a month without sales
    takes the last earlier month's team, or else the next later one.
    """
    g = cube.assign(amount=cube["amount"].abs()).groupby(["rep", "month", "team"])["amount"]
    main = (g.sum().reset_index().sort_values(["rep", "month", "amount", "team"],
                                              ascending=[True, True, False, True])
            .drop_duplicates(["rep", "month"]).set_index(["rep", "month"])["team"])
    if main.empty:
        return pd.Series(dtype=object, index=pd.MultiIndex.from_arrays([[], []]))
    lo = min(main.index.get_level_values(1).min(), months.min())
    hi = max(main.index.get_level_values(1).max(), months.max())
    grid = pd.period_range(lo, hi, freq="M")
    wide = main.unstack("month").reindex(columns=grid)        # rep x month, gaps NaN
    wide = wide.ffill(axis=1).bfill(axis=1)[months]
    out = wide.stack(future_stack=True) if "future_stack" in _STACK_ARGS else wide.stack(
        dropna=False)
    out.index.names = ["rep", "month"]
    return out.astype(object)


def attribution(
    cube: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    month,
    fiscal_year_start: int = 1,
    spans: tuple[Span, ...] = ("month", "ytd"),
    metric: Literal["amount", "quantity", "new_customers"] = "amount",
    as_of=None,
    working_days: bool = False,
    weekmask: str = "1111100",
    holidays=(),
) -> pd.DataFrame:
    """Attribute the company's gap to its teams and each team's gap to its reps.

    For each span (the report month, quarter to date or year to date): the company's
    children are the teams with sales or a target in the span; a team's children are the
    reps with sales booked to the team in the span or a target allocated to it. A parent's
    actual is all its sales (for a team: the sales booked to it); its target is its own
    target, or the sum of its children's targets when it has none. A rep's monthly target
    goes to the rep's team that month (the team of most of the rep's sales that month; a
    month without sales uses the last earlier month, else the next later one), so a rep who
    moved teams counts for each team with the sales booked to it and the months spent there.
    Gaps are split by :func:`attribute_gap` (adding up exactly, "Not allocated" as needed).

    In a mid-month report (``as_of`` inside ``month``) the "qtd" and "ytd" spans count the
    as-of month's targets by its time progress (targets to date, as in
    :func:`salesnb.progress.progress`: their gaps are the progress table's ``qtd_target -
    qtd_actual`` and ``ytd_gap``); the "month" span keeps the full month's target.

    Parameters
    ----------
    cube : DataFrame
        :func:`salesnb.cube.build_cube` output.
    targets : DataFrame
        Monthly targets: month (Period[M]), level, unit, metric, target.
    month : str or Period
        The report month.
    fiscal_year_start : int
        First month (1-12) of the fiscal year.
    spans : tuple of {"month", "qtd", "ytd"}
        Spans to attribute, in output order.
    metric : {"amount", "quantity", "new_customers"}
        The cube column to attribute.
    as_of : date, optional
        The last day covered, inside ``month`` (default its last day).
    working_days : bool
        Count the month's time progress in working days (as the progress table does).
    weekmask : str
        The working days of the week, Monday first (``"1111100"``).
    holidays : iterable of date-like
        Days off not counted as working days.

    Returns
    -------
    DataFrame with columns ``span, parent_level, parent, child_level, child, target,
    actual, gap, share, attainment, below_parent``; per span the company block, then the
    teams alphabetically; children ordered as in :func:`attribute_gap`.

    Examples
    --------
    >>> feb = pd.Period("2025-02", freq="M")
    >>> cube = pd.DataFrame({"month": [feb, feb], "team": "East", "rep": ["Ann", "Bob"],
    ...                      "amount": [120.0, 40.0]})
    >>> tg = pd.DataFrame({"month": feb, "level": ["company", "team", "rep", "rep"],
    ...     "unit": ["Company", "East", "Ann", "Bob"], "metric": "amount",
    ...     "target": [150.0, 150.0, 100.0, 50.0]})
    >>> attribution(cube, tg, month="2025-02", spans=("month",))[
    ...     ["parent", "child", "target", "actual", "gap", "share", "below_parent"]]
        parent child  target  actual   gap  share  below_parent
    0  Company  East   150.0   160.0 -10.0    NaN         False
    1     East   Bob    50.0    40.0  10.0    1.0          True
    2     East   Ann   100.0   120.0 -20.0   -2.0         False
    """
    if metric not in ("amount", "quantity", "new_customers"):
        raise ParamsError(f"metric must be amount, quantity or new_customers, got {metric!r}.")
    require_columns(cube, ["month", "team", "rep", "amount", metric], "cube")
    require_columns(targets, ["month", "level", "unit", "metric", "target"], "targets")
    cb = cube.assign(month=as_months(cube["month"]), team=cube["team"].astype(str),
                     rep=cube["rep"].astype(str))
    tg = targets[targets["metric"] == metric]
    tg = tg.assign(month=as_months(tg["month"]), unit=tg["unit"].astype(str))
    by_span = {span: span_months(month, span, fiscal_year_start) for span in spans}
    m = to_month(month)
    _, mtp = month_as_of(m, as_of, working_days=working_days, weekmask=weekmask,
                         holidays=holidays)
    all_months = pd.PeriodIndex(sorted(set().union(*by_span.values())), freq="M")
    teams_of = _rep_team_by_month(cb, all_months) if len(all_months) else pd.Series()
    rep_rows = tg[tg["level"] == "rep"]
    if len(teams_of):  # each rep target row gets the rep's team that month (a join)
        key = pd.MultiIndex.from_arrays([rep_rows["unit"], rep_rows["month"]])
        team = teams_of.reindex(key).to_numpy(dtype=object)
    else:
        team = np.full(len(rep_rows), np.nan, dtype=object)
    tg = pd.concat([tg[tg["level"] != "rep"], rep_rows.assign(team=team)])
    blocks = []
    for span, months in by_span.items():
        c, t = cb[cb["month"].isin(months)], tg[tg["month"].isin(months)]
        if span != "month" and mtp < 1:  # targets to date: the as-of month's by its progress
            t = t.assign(target=t["target"].where(t["month"] != m, t["target"] * mtp))
        team_tgt = t[t["level"] == "team"].groupby("unit")["target"].sum(min_count=1)
        reps_t = t[t["level"] == "rep"]
        rep_tgt = reps_t.groupby(["team", "unit"])["target"].sum(min_count=1)
        teams = sorted(set(c["team"]) | set(team_tgt.index))
        own = t.loc[t["level"] == "company", "target"].sum(min_count=1)
        parents = [("company", COMPANY, "team", teams, c.groupby("team")[metric].sum(),
                    team_tgt, own, c[metric].sum())]
        for team in teams:
            ct = c[c["team"] == team]
            tt = rep_tgt.xs(team, level="team") if team in rep_tgt.index.get_level_values(0) \
                else pd.Series(dtype=float)
            kids = sorted(set(ct["rep"]) | set(tt.index))
            parents.append(("team", team, "rep", kids, ct.groupby("rep")[metric].sum(), tt,
                            team_tgt.get(team, np.nan), ct[metric].sum()))
        for plevel, parent, clevel, kids, act, tgt, ptarget, pactual in parents:
            ch = pd.DataFrame({"child": pd.Series(kids, dtype=object),
                               "target": tgt.reindex(kids).to_numpy(dtype=float),
                               "actual": act.reindex(kids, fill_value=0.0).to_numpy(float)})
            if pd.isna(ptarget):
                ptarget = float(ch["target"].fillna(0.0).sum())
            g = attribute_gap(ch, parent_target=ptarget, parent_actual=float(pactual))
            blocks.append(g.assign(span=span, parent_level=plevel, parent=parent,
                                   child_level=clevel))
    cols = ["span", "parent_level", "parent", "child_level"] + GAP_COLUMNS
    if not blocks:
        return pd.DataFrame(columns=cols)
    return pd.concat(blocks, ignore_index=True)[cols]




def attribution_total(block: pd.DataFrame) -> dict:
    """Total one parent's attribution rows: the parent line under its children.

    Parameters
    ----------
    block : DataFrame
        The rows of one parent and span of :func:`attribution` (``target``, ``actual``,
        ``gap``), "Not allocated" included, so they add up to the parent.

    Returns
    -------
    dict
        ``target``, ``actual``, ``gap`` (sums) and ``attainment`` (actual / target; NaN
        for a zero target).

    Examples
    --------
    >>> b = pd.DataFrame({"target": [100.0, 50.0], "actual": [120.0, 40.0],
    ...                   "gap": [-20.0, 10.0]})
    >>> attribution_total(b)
    {'target': 150.0, 'actual': 160.0, 'gap': -10.0, 'attainment': 1.0666666666666667}
    """
    require_columns(block, ["target", "actual", "gap"], "block")
    target, actual = float(block["target"].sum()), float(block["actual"].sum())
    return {"target": target, "actual": actual, "gap": float(block["gap"].sum()),
            "attainment": actual / target if target else np.nan}


def reps_behind(attribution_table: pd.DataFrame, *, span: Span = "ytd", n: int = 10) -> pd.DataFrame:
    """List the reps furthest behind their target, with their share of the company's gap.

    Parameters
    ----------
    attribution_table : DataFrame
        :func:`attribution`'s output.
    span : {"month", "qtd", "ytd"}
        The span to read.
    n : int
        How many reps at most.

    Returns
    -------
    DataFrame with columns ``child`` (the rep), ``parent`` (the team), ``target``,
    ``actual``, ``gap``, ``attainment`` and ``share_of_company`` (the rep's gap / the
    company's gap; NaN when the company is not short), reps with a positive gap only,
    largest gap first. The shares of reps in different teams need not add up to 1: teams
    ahead of target offset part of the company's gap.

    Examples
    --------
    >>> a = pd.DataFrame({"span": "ytd", "parent_level": ["company", "company", "team", "team"],
    ...     "child_level": ["team", "team", "rep", "rep"], "parent": ["Company", "Company",
    ...     "East", "East"], "child": ["East", "West", "Ann", "Bob"],
    ...     "target": [100.0, 100.0, 60.0, 40.0], "actual": [80.0, 100.0, 40.0, 40.0],
    ...     "gap": [20.0, 0.0, 20.0, 0.0], "attainment": [0.8, 1.0, 0.667, 1.0]})
    >>> reps_behind(a)[["child", "gap", "share_of_company"]]
      child   gap  share_of_company
    0   Ann  20.0               1.0
    """
    a = attribution_table[attribution_table["span"] == span]
    company_gap = float(a.loc[a["parent_level"] == "company", "gap"].sum())
    reps = a[(a["child_level"] == "rep") & (a["gap"] > 0)]
    worst = reps.sort_values("gap", ascending=False).head(n)
    cols = ["child", "parent", "target", "actual", "gap", "attainment"]
    return worst[cols].assign(share_of_company=worst["gap"] / company_gap if company_gap > 0
                              else np.nan).reset_index(drop=True)
