"""Ranking and peers (排名): a unit's rank and how it compares with its peers and parent.

* :func:`rank_units` ranks units by attainment, ties broken by amount.
* :func:`peer_stats` gives each unit's peer average, percentile, z-score and whether it is
  below its parent's value (DOMAIN.md: Ranking).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from salesnb.checks import require_columns
from salesnb.exceptions import ParamsError
from salesnb.numbers import safe_div

__all__ = ["rank_units", "peer_stats"]


def rank_units(table: pd.DataFrame, *, by: str = "attainment", tiebreak: str = "actual",
               within: str | None = None) -> pd.DataFrame:
    """Rank units by ``by`` (higher is better), ties broken by ``tiebreak`` (higher is better).

    ``rank`` starts at 1 for the best unit. Rows tie (share a rank; the next rank follows
    densely) only when both ``by`` and ``tiebreak`` are equal. A NaN ``by`` (no target) ranks
    after every unit with a value. ``within`` names a column (e.g. ``"team"``) to rank
    inside each of its groups.

    Parameters
    ----------
    table : DataFrame
        One row per unit: unit, ``by``, ``tiebreak`` (and ``within`` if given).
    by : str
        The column ranked on, higher is better.
    tiebreak : str
        The column breaking ties in ``by``, higher is better.
    within : str, optional
        A column whose groups are ranked separately.

    Returns
    -------
    The input rows (all columns) plus ``rank`` (int), ordered by ``within`` (if given),
    rank, then unit.

    Examples
    --------
    >>> t = pd.DataFrame({"unit": ["Ann", "Bob", "Cat", "Dan"], "team": "East",
    ...                   "attainment": [0.9, 1.1, 0.9, np.nan], "actual": [90, 55, 45, 10]})
    >>> rank_units(t)[["unit", "attainment", "actual", "rank"]]
      unit  attainment  actual  rank
    0  Bob         1.1      55     1
    1  Ann         0.9      90     2
    2  Cat         0.9      45     3
    3  Dan         NaN      10     4
    """
    need = ["unit", by, tiebreak] + ([within] if within else [])
    require_columns(table, need, "table")
    t = table.reset_index(drop=True)
    b, tb = t[by].astype(float), t[tiebreak].astype(float)
    grp = t[within].astype(str) if within else pd.Series("", index=t.index)
    keys = pd.DataFrame({"g": grp, "bn": b.isna(), "b": -b.fillna(0.0), "tn": tb.isna(),
                         "t": -tb.fillna(0.0), "u": t["unit"].astype(str)})
    order = keys.sort_values(["g", "bn", "b", "tn", "t", "u"], kind="stable").index
    k = keys.loc[order, ["g", "bn", "b", "tn", "t"]]
    new_group = k["g"].ne(k["g"].shift())
    changed = (k.ne(k.shift()).any(axis=1)) | new_group
    rank = changed.astype(int).groupby(k["g"]).cumsum()
    out = t.loc[order].assign(rank=rank.astype("int64").to_numpy())
    return out.reset_index(drop=True)


def peer_stats(
    table: pd.DataFrame,
    *,
    value: str = "attainment",
    group: str | None = "team",
    parent: Mapping[str, float] | float | None = None,
) -> pd.DataFrame:
    """Compare each unit with its peers (the other units of its ``group``) and its parent.

    Parameters
    ----------
    table : DataFrame
        Rows of units, e.g. the progress table's rep rows for one metric; needs ``value``
        and ``group`` columns, and may carry a ``parent_value`` column.
    value : str
        Column compared (attainment by default).
    group : str or None
        Column whose values form the peer groups; None makes the whole table one group.
    parent : mapping or float, optional
        The parent unit's value per group (e.g. ``{"East": 1.07}``) or one value for all.
        Without it, a ``parent_value`` column is used; without either, the peer average.

    Returns
    -------
    The input rows plus ``peer_average`` (mean of the group's non-NaN values),
    ``percentile`` (share of the *other* non-NaN peers strictly below, 0-1; NaN for a NaN
    value or a group of one), ``z_score`` ((value - mean) / population std; NaN when the
    std is 0 or fewer than 2 peers have a value) and ``below_average`` (value < parent
    value; False when either is NaN). Row order is kept.

    Examples
    --------
    >>> t = pd.DataFrame({"unit": ["Ann", "Bob", "Cat"], "team": "East",
    ...                   "attainment": [0.8, 1.0, 1.2]})
    >>> peer_stats(t, parent={"East": 0.9}).round(4)
      unit  team  attainment  peer_average  percentile  z_score  below_average
    0  Ann  East         0.8           1.0         0.0  -1.2247           True
    1  Bob  East         1.0           1.0         0.5   0.0000          False
    2  Cat  East         1.2           1.0         1.0   1.2247          False
    """
    require_columns(table, [value] + ([group] if group else []), "table")
    if parent is not None and "parent_value" in table.columns:
        raise ParamsError("peer_stats got both parent= and a parent_value column; "
                          "pass only one of them.")
    t = table.reset_index(drop=True)
    v = t[value].astype(float)
    g = t[group].astype(str) if group else pd.Series("", index=t.index)
    by = v.groupby(g)
    mean = by.transform("mean")
    std = by.transform(lambda s: s.std(ddof=0))
    n = by.transform("count")
    below = by.rank(method="min") - 1
    percentile = safe_div(below, n - 1).where(v.notna())
    z = ((v - mean) / std).where((std > 0) & (n >= 2))
    if parent is None and "parent_value" in t.columns:
        ref = t["parent_value"].astype(float)
    elif isinstance(parent, Mapping):
        ref = g.map(lambda k: parent.get(k, np.nan)).astype(float)
    elif parent is not None:
        ref = pd.Series(float(parent), index=t.index)
    else:
        ref = mean
    return t.assign(peer_average=mean, percentile=percentile, z_score=z,
                    below_average=(v < ref).fillna(False).astype(bool))
