"""Incentive tiers (奖惩): each unit's attainment band and the count of units per band.

:data:`DEFAULT_TIERS` - attainment bands: value >= 1.20 "star", >= 1.00 "achieved",
>= 0.80 "watch", below "coaching"; no value (no target) gives "no target".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from salesnb.checks import require_columns
from salesnb.exceptions import ParamsError

__all__ = ["DEFAULT_TIERS", "TIER_ORDER", "incentive_tiers", "tier_summary"]

_LEVELS = ("company", "team", "rep")


def _finite(x) -> bool:
    try:
        return not pd.isna(x) and np.isfinite(float(x))
    except (TypeError, ValueError):
        return False


#: lower edges of the attainment bands; below ``watch`` is "coaching"
DEFAULT_TIERS = {"star": 1.20, "achieved": 1.00, "watch": 0.80}


TIER_ORDER = ("star", "achieved", "watch", "coaching", "no target")


def _tiers(tiers: Mapping | None) -> dict:
    given = dict(tiers or {})
    unknown = sorted(set(given) - set(DEFAULT_TIERS))
    if unknown:
        raise ParamsError(f"tiers has unknown key(s) {unknown}; known keys: "
                          f"{list(DEFAULT_TIERS)}.")
    out = {**DEFAULT_TIERS, **given}
    vals = [out["star"], out["achieved"], out["watch"]]
    if not all(_finite(v) and not isinstance(v, bool) for v in vals) or not (
            vals[0] > vals[1] > vals[2]):
        raise ParamsError(f"tiers must be numbers with star > achieved > watch (strictly "
                          f"decreasing), e.g. {DEFAULT_TIERS}; got {out}.")
    return out


def incentive_tiers(progress: pd.DataFrame, *, tiers: Mapping | None = None,
                    on: Literal["ytd_attainment", "attainment", "qtd_attainment",
                                "annual_completion"] = "ytd_attainment",
                    metric: str = "amount",
                    level: Literal["company", "team", "rep"] = "rep") -> pd.DataFrame:
    """Place each unit in an incentive band by its attainment.

    Bands (lower edges from :data:`DEFAULT_TIERS`, overridden by ``tiers``): value >= star
    -> "star", >= achieved -> "achieved", >= watch -> "watch", else "coaching"; a missing
    value (no target) -> "no target".

    Parameters
    ----------
    progress : DataFrame
        :func:`salesnb.progress.progress` output (level, unit, team, metric and ``on``).
    tiers : mapping, optional
        Lower edges overriding :data:`DEFAULT_TIERS` (keys star, achieved, watch).
    on : {"ytd_attainment", "attainment", "qtd_attainment", "annual_completion"}
        The progress column that places a unit.
    metric : str
        The metric whose rows are tiered.
    level : {"company", "team", "rep"}
        The level whose units are tiered.

    Returns
    -------
    DataFrame with columns ``unit``, ``team``, ``value``, ``tier``, sorted by value
    (highest first, "no target" last), then unit.

    Examples
    --------
    >>> p = pd.DataFrame({"level": ["rep"] * 4, "unit": ["Ann", "Bob", "Cat", "Dan"],
    ...     "team": ["East", "East", "West", "West"], "metric": ["amount"] * 4,
    ...     "ytd_attainment": [1.2, 0.95, float("nan"), 0.7999]})
    >>> incentive_tiers(p)
      unit  team   value       tier
    0  Ann  East  1.2000       star
    1  Bob  East  0.9500      watch
    2  Dan  West  0.7999   coaching
    3  Cat  West     NaN  no target
    """
    allowed = ("ytd_attainment", "attainment", "qtd_attainment", "annual_completion")
    if on not in allowed:
        raise ParamsError(f"on must be one of {list(allowed)}, got {on!r}.")
    if level not in _LEVELS:
        raise ParamsError(f"level must be one of {list(_LEVELS)}, got {level!r}.")
    t = _tiers(tiers)
    require_columns(progress, ["level", "unit", "team", "metric", on], "progress")
    rows = progress[(progress["level"] == level) & (progress["metric"] == metric)]
    value = rows[on].astype(float).to_numpy()
    tier = np.select([value >= t["star"], value >= t["achieved"], value >= t["watch"],
                      ~np.isnan(value)], ["star", "achieved", "watch", "coaching"], "no target")
    out = pd.DataFrame({"unit": rows["unit"].astype(str).to_numpy(),
                        "team": rows["team"].astype(object).fillna("").astype(str).to_numpy(),
                        "value": value, "tier": tier.astype(object)})
    out = out.astype({"tier": str})
    out = out.sort_values(["value", "unit"], ascending=[False, True], na_position="last",
                          kind="stable")
    return out.reset_index(drop=True)


def tier_summary(tiers_table: pd.DataFrame) -> pd.DataFrame:
    """Count the units in each incentive band and list their names.

    Parameters
    ----------
    tiers_table : DataFrame
        :func:`incentive_tiers` output (columns unit and tier).

    Returns
    -------
    DataFrame with columns ``tier`` (star, achieved, watch, coaching, no target, always
    all five), ``count`` and ``names`` (comma-separated in the table's order; "" if none).

    Examples
    --------
    >>> t = pd.DataFrame({"unit": ["Ann", "Bob", "Dan"], "team": ["E", "E", "W"],
    ...                   "value": [1.3, 1.25, 0.5], "tier": ["star", "star", "coaching"]})
    >>> tier_summary(t)  # doctest: +NORMALIZE_WHITESPACE
            tier  count     names
    0       star      2  Ann, Bob
    1   achieved      0
    2      watch      0
    3   coaching      1       Dan
    4  no target      0
    """
    require_columns(tiers_table, ["unit", "tier"], "tiers_table")
    unknown = sorted(set(tiers_table["tier"].astype(str)) - set(TIER_ORDER))
    if unknown:
        raise ParamsError(f"tiers_table column 'tier' has unknown value(s) {unknown}; "
                          f"allowed: {list(TIER_ORDER)}. Pass incentive_tiers' output.")
    names = [[str(u) for u, t in zip(tiers_table["unit"], tiers_table["tier"], strict=True)
              if t == tier] for tier in TIER_ORDER]
    return pd.DataFrame({"tier": list(TIER_ORDER),
                         "count": np.array([len(n) for n in names], dtype="int64"),
                         "names": [", ".join(n) for n in names]})
