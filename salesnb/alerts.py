"""Alerts (警报) and incentive tiers (奖惩) computed from the progress table.

:data:`DEFAULT_THRESHOLDS` - when each alert rule fires (ratios are fractions):

* ``behind_pace`` (-0.05): pace against the plan (annual completion - planned progress,
  :func:`salesnb.progress.progress`) below -5 points.
* ``mom_drop`` (-0.20): the month's amount fell more than 20 % from the previous month.
* ``yoy_drop`` (-0.10): the month's amount fell more than 10 % from the same month last year.
* ``no_sales_days`` (14): a rep's last sale is more than 14 days before the as-of date.
* ``projected_miss`` (1.0): the year-end projection is below 100 % of the annual target.

Set a threshold to None to switch its rule off. Severity is "high" when the value is
beyond twice the threshold (pace below -10 points, a drop beyond 40 % or 20 %, no sale
for more than 28 days) or, for ``projected_miss``, the projection is below 90 % of the
threshold; otherwise "medium". Target mismatches are "medium"; data-quality alerts keep
the severity of the check (error -> high, warning -> medium, info -> low).

:data:`DEFAULT_TIERS` - attainment bands: value >= 1.20 "star", >= 1.00 "achieved",
>= 0.80 "watch", below "coaching"; no value (no target) gives "no target". The tiers live in
:mod:`salesnb.tiers` and are re-exported here, where the README documents them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from salesnb import fmt
from salesnb.checks import require_columns
from salesnb.cube import COMPANY
from salesnb.exceptions import ParamsError
from salesnb.tiers import DEFAULT_TIERS, TIER_ORDER, incentive_tiers, tier_summary

__all__ = ["DEFAULT_THRESHOLDS", "DEFAULT_TIERS", "TIER_ORDER", "ALERT_COLUMNS",
           "evaluate_alerts", "incentive_tiers", "tier_summary"]

#: when each alert rule fires; see the module docstring
DEFAULT_THRESHOLDS = {"behind_pace": -0.05, "mom_drop": -0.20, "yoy_drop": -0.10,
                      "no_sales_days": 14, "projected_miss": 1.0}
ALERT_COLUMNS = ["level", "unit", "team", "rule", "severity", "value", "threshold", "message",
                 "metric"]

_RULES = ("behind_pace", "projected_miss", "mom_drop", "yoy_drop", "no_sales",
          "target_mismatch", "data_quality")
_SEVERITY = {"high": 0, "medium": 1, "low": 2}
_LEVEL = {"company": 0, "team": 1, "rep": 2}
_QUALITY_SEVERITY = {"error": "high", "high": "high", "critical": "high", "warning": "medium",
                     "warn": "medium", "medium": "medium", "info": "low", "low": "low"}
_METRIC_WORDS = {"amount": "", "quantity": " on quantity", "new_customers": " on new customers"}


_require = require_columns


def _pct(x: float) -> str:
    return f"{x * 100:.1f} %"


def _num(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() or abs(x) >= 1000 else f"{x:,.2f}"


def _who(level: str, unit: str, team) -> str:
    has_team = isinstance(team, str) and team != ""
    return f"{unit} ({team})" if level == "rep" and has_team else str(unit)


def _finite(x) -> bool:
    try:
        return not pd.isna(x) and np.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _thresholds(thresholds: Mapping | None) -> dict:
    given = dict(thresholds or {})
    unknown = sorted(set(given) - set(DEFAULT_THRESHOLDS))
    if unknown:
        raise ParamsError(f"thresholds has unknown key(s) {unknown}; known keys: "
                          f"{list(DEFAULT_THRESHOLDS)}. Fix the spelling or remove them.")
    out = {**DEFAULT_THRESHOLDS, **given}
    for key, value in out.items():
        if value is None:
            continue
        if isinstance(value, bool) or not _finite(value):
            raise ParamsError(f"thresholds[{key!r}] must be a number or None (rule off), "
                              f"got {value!r}.")
        if key in ("behind_pace", "mom_drop", "yoy_drop") and value > 0:
            raise ParamsError(f"thresholds[{key!r}] must be zero or negative (a drop of 20 % "
                              f"is -0.20), got {value!r}.")
        if key in ("no_sales_days", "projected_miss") and value < 0:
            raise ParamsError(f"thresholds[{key!r}] must not be negative, got {value!r}.")
    return out


#: the column each pace is measured against, and its words in a message
_PACE_BASE = {"pace": ("planned_progress", "planned progress"),
              "seasonal_pace": ("expected_to_date", "expected to date"),
              "calendar_pace": ("time_progress", "time progress")}


def _progress_alerts(progress: pd.DataFrame, th: dict, pace: str, amt=_num) -> list[dict]:
    base, words = _PACE_BASE[pace]
    rows = []
    for r in progress.itertuples(index=False):
        who = _who(r.level, r.unit, r.team)
        key = dict(level=r.level, unit=r.unit, team=r.team, metric=r.metric)
        t = th["behind_pace"]
        p = getattr(r, pace)
        if t is not None and _finite(p) and p < t:
            rows.append(dict(key, rule="behind_pace", severity="high" if p < 2 * t else "medium",
                             value=p, threshold=t, message=(
                f"{who} is {-p * 100:.1f} points behind pace{_METRIC_WORDS.get(r.metric, '')} "
                f"(annual completion {_pct(r.annual_completion)} vs {words} "
                f"{_pct(getattr(r, base))}).")))
        if r.metric != "amount":
            continue
        for rule, col, base_col, span in (("mom_drop", "mom", "prev_actual", "month over month"),
                                          ("yoy_drop", "yoy", "last_year_actual",
                                           "year over year")):
            t, g = th[rule], getattr(r, col)
            if t is not None and _finite(g) and g < t:
                rows.append(dict(key, rule=rule, severity="high" if g < 2 * t else "medium",
                                 value=g, threshold=t, message=(
                    f"Sales of {who} fell {-g * 100:.1f} % {span} (from "
                    f"{amt(getattr(r, base_col))} to {amt(r.actual)}).")))
    return rows


def _no_sales_alerts(last_sale: pd.DataFrame, as_of: pd.Timestamp, t: float) -> list[dict]:
    _require(last_sale, ["rep", "team", "last_sale_date"], "last_sale")
    dates = pd.to_datetime(last_sale["last_sale_date"]).dt.normalize()
    rows = []
    for rep, team, d in zip(last_sale["rep"], last_sale["team"], dates, strict=True):
        if pd.isna(d):
            continue
        days = (as_of - d).days
        if days > t:
            team = "" if pd.isna(team) else str(team)
            rows.append(dict(level="rep", unit=str(rep), team=team, rule="no_sales",
                             severity="high" if days > 2 * t else "medium", value=float(days),
                             threshold=float(t), message=(
                f"{_who('rep', rep, team)} has had no sales for {days} days "
                f"(last sale {d.date()}).")))
    return rows


def _mismatch_alerts(mismatches: pd.DataFrame, amt=_num) -> list[dict]:
    _require(mismatches, ["year", "metric", "parent_level", "parent", "parent_target",
                          "children_target", "difference"], "mismatches")
    rows = []
    for r in mismatches.itertuples(index=False):
        if not _finite(r.difference) or np.isclose(r.difference, 0.0):
            continue
        unit = str(r.parent)
        num = amt if r.metric == "amount" else _num
        diff = r.children_target - r.parent_target
        if not _finite(diff):
            diff = r.difference
        side = "above" if diff > 0 else "below"
        rows.append(dict(level=str(r.parent_level), unit=unit, metric=str(r.metric),
                         team=unit if r.parent_level == "team" else "", rule="target_mismatch",
                         severity="medium", value=float(r.difference), threshold=0.0, message=(
            f"The {r.year} {str(r.metric).replace('_', ' ')} targets of {unit}'s parts add "
            f"up to {num(r.children_target)}, {num(abs(diff))} {side} its own target of "
            f"{num(r.parent_target)}.")))
    return rows


def _quality_alerts(quality: pd.DataFrame) -> list[dict]:
    _require(quality, ["severity", "table", "check", "count", "detail"], "quality")
    rows = []
    for r in quality.itertuples(index=False):
        if not _finite(r.count) or r.count <= 0:
            continue
        detail = "" if pd.isna(r.detail) else str(r.detail).strip().rstrip(".")
        n = int(r.count)
        detail = detail or f"{n} row{'s' if n != 1 else ''} affected"
        check = str(r.check).replace("_", " ")
        rows.append(dict(level="company", unit=COMPANY, team="", rule="data_quality",
                         severity=_QUALITY_SEVERITY.get(str(r.severity).strip().lower(),
                                                        "medium"),
                         value=float(r.count), threshold=0.0,
                         message=f"Data quality ({r.table} table, {check}): {detail}."))
    return rows


def _projection_alerts(projection: pd.DataFrame, teams: dict, t: float,
                       amt=_num) -> list[dict]:
    _require(projection, ["level", "unit", "projection", "annual_target", "probability"],
             "projection")
    rows = []
    for r in projection.itertuples(index=False):
        ratio = r.projection / r.annual_target if _finite(r.annual_target) and \
            r.annual_target != 0 and _finite(r.projection) else np.nan
        if not _finite(ratio) or ratio >= t:
            continue
        level, unit = str(r.level), str(r.unit)
        team = getattr(r, "team", None)
        if team is None or pd.isna(team) or team == "":
            team = unit if level == "team" else teams.get((level, unit), "")
        chance = (f"; {r.probability * 100:.0f} % chance of reaching it"
                  if _finite(r.probability) else "")
        rows.append(dict(level=level, unit=unit, team=team, metric="amount", rule="projected_miss",
                         severity="high" if ratio < 0.9 * t else "medium", value=float(ratio),
                         threshold=float(t), message=(
            f"{_who(level, unit, team)} is projected to end the year at "
            f"{amt(r.projection)} against a target of {amt(r.annual_target)} "
            f"({_pct(ratio)}{chance}).")))
    return rows


_PROGRESS_COLUMNS = ["level", "unit", "team", "metric", "actual", "annual_completion",
                     "prev_actual", "mom", "last_year_actual", "yoy"]


def evaluate_alerts(progress: pd.DataFrame | None, *, as_of, thresholds: Mapping | None = None,
                    last_sale: pd.DataFrame | None = None,
                    mismatches: pd.DataFrame | None = None,
                    quality: pd.DataFrame | None = None,
                    projection: pd.DataFrame | None = None,
                    pace: Literal["pace", "seasonal_pace", "calendar_pace"] = "pace",
                    currency: str | None = None) -> pd.DataFrame:
    """Evaluate the alert rules and return one row per alert that fires.

    Rules (thresholds from :data:`DEFAULT_THRESHOLDS`, overridden by ``thresholds``):
    ``behind_pace`` (pace against the plan < threshold, every metric), ``mom_drop`` and ``yoy_drop``
    (growth of the amount rows < threshold), ``no_sales`` (days from ``last_sale_date``
    to ``as_of`` > threshold), ``target_mismatch`` (each non-zero difference),
    ``data_quality`` (each check with count > 0; its ``detail`` becomes the message) and ``projected_miss`` (projection /
    annual target < threshold). A missing (NaN) value never fires. Optional tables that
    are None skip their rule; so does a threshold set to None.

    Parameters
    ----------
    progress : DataFrame or None
        The progress table (columns ``level, unit, team, metric, actual,
        annual_completion, prev_actual, mom, last_year_actual, yoy`` and the ``pace``
        column with its base: ``pace, planned_progress``; ``seasonal_pace,
        expected_to_date``; ``calendar_pace, time_progress``).
    as_of : date-like
        The report's as-of date (for ``no_sales``).
    thresholds : mapping, optional
        Rule -> threshold, over :data:`DEFAULT_THRESHOLDS` (None turns a rule off).
    last_sale : DataFrame, optional
        ``rep, team, last_sale_date``.
    mismatches : DataFrame, optional
        ``year, metric, parent_level, parent, parent_target, children_target,
        difference``.
    quality : DataFrame, optional
        ``severity, table, check, count, detail``.
    projection : DataFrame, optional
        ``level, unit, projection, annual_target, probability`` (``team`` optional;
        else a rep's team comes from ``progress``).
    pace : {"pace", "seasonal_pace", "calendar_pace"}
        Which pace ``behind_pace`` tests: ``"pace"`` (against the plan, DOMAIN.md's
        pace), ``"seasonal_pace"`` (its older name) or ``"calendar_pace"`` (against time
        progress, for a report that wants the calendar view).
    currency : str, optional
        When given, money amounts in the messages are compact with this symbol
        ("$2.15M"); else plain numbers ("2,154,238").

    Returns
    -------
    DataFrame with columns ``level``, ``unit``, ``team``, ``rule``, ``severity``
    (high|medium|low), ``value`` (the number tested), ``threshold``, ``message`` (a plain
    English sentence) and ``metric`` (the metric the rule speaks of: amount, quantity,
    new_customers; "" for no_sales and data_quality), sorted by severity, level (company,
    team, rep), unit and rule.

    Examples
    --------
    >>> p = pd.DataFrame({"level": ["team", "team"], "unit": ["East", "West"],
    ...     "team": ["East", "West"], "metric": ["amount", "amount"], "actual": [90.0, 150.0],
    ...     "annual_completion": [0.18, 0.26], "planned_progress": [0.242, 0.242],
    ...     "pace": [-0.062, 0.018], "prev_actual": [120.0, 150.0], "mom": [-0.25, 0.0],
    ...     "last_year_actual": [95.0, 140.0], "yoy": [-0.0526, 0.0714]})
    >>> a = evaluate_alerts(p, as_of="2025-03-31")
    >>> a[["unit", "rule", "severity"]]
       unit         rule severity
    0  East  behind_pace   medium
    1  East     mom_drop   medium
    >>> print(a.loc[0, "message"])
    East is 6.2 points behind pace (annual completion 18.0 % vs planned progress 24.2 %).
    """
    if pace not in _PACE_BASE:
        raise ParamsError(f"pace must be one of {list(_PACE_BASE)}, got {pace!r}.")
    th = _thresholds(thresholds)
    try:
        day = pd.Timestamp(as_of).normalize()
    except (TypeError, ValueError) as exc:
        raise ParamsError(f"as_of must be a date such as '2025-03-31', got {as_of!r}.") from exc
    rows: list[dict] = []
    # amounts in messages: compact with the currency ($2.15M) when it is given
    amt = _num if currency is None else (lambda x: fmt.money(x, currency))
    teams: dict = {}
    if progress is not None:
        _require(progress, _PROGRESS_COLUMNS + [pace, _PACE_BASE[pace][0]], "progress")
        rows += _progress_alerts(progress, th, pace, amt)
        teams = {(str(lv), str(u)): str(t) for lv, u, t in
                 zip(progress["level"], progress["unit"], progress["team"], strict=True)}
    if last_sale is not None and th["no_sales_days"] is not None:
        rows += _no_sales_alerts(last_sale, day, th["no_sales_days"])
    if mismatches is not None:
        rows += _mismatch_alerts(mismatches, amt)
    if quality is not None:
        rows += _quality_alerts(quality)
    if projection is not None and th["projected_miss"] is not None:
        rows += _projection_alerts(projection, teams, th["projected_miss"], amt)
    out = pd.DataFrame(rows, columns=ALERT_COLUMNS)
    out = out.astype({"value": float, "threshold": float})
    for col in ("level", "unit", "team", "rule", "severity", "message", "metric"):
        out[col] = out[col].astype(object).where(out[col].notna(), "").astype(str)
    order = pd.DataFrame({"s": out["severity"].map(_SEVERITY).fillna(9),
                          "l": out["level"].map(_LEVEL).fillna(9), "u": out["unit"],
                          "r": out["rule"].map({r: i for i, r in enumerate(_RULES)})})
    idx = order.sort_values(["s", "l", "u", "r"], kind="stable").index
    return out.loc[idx].reset_index(drop=True)


