"""The sales funnel (销售漏斗): stage counts and conversion, win rate, pipeline coverage.

They read the optional ``opportunities`` table; definitions follow DOMAIN.md (Funnel).

Stage convention: ``stage`` is the furthest pipeline stage an opportunity reached, in
the order of ``stages`` (default :data:`DEFAULT_STAGES`); ``outcome`` is ``"won"``,
``"lost"`` or empty/NaN while open. Stage names match ignoring case and surrounding
spaces. A stage of ``"Won"`` or ``"Lost"`` (some sources record the outcome there) is
read as that outcome; a ``"Won"`` stage counts as having reached every stage, a
``"Lost"`` stage only the first (how far it got is unknown). A won deal counts as
having reached every stage whatever its recorded stage, so the funnel never widens.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from salesnb.checks import require_columns
from salesnb.exceptions import DataError, ParamsError
from salesnb.load.optional import DEFAULT_STAGES as _DEFAULT_STAGES
from salesnb.numbers import safe_div

__all__ = ["DEFAULT_STAGES", "funnel", "win_rate", "pipeline_coverage"]

#: pipeline stages in order (the params' ``stages`` default, declared in the data layer)
DEFAULT_STAGES = _DEFAULT_STAGES
_OUTCOMES = ("won", "lost", "")


def _finite_number(x) -> bool:
    return (isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)
            and bool(np.isfinite(x)))


def _timestamp(value, name: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ParamsError(f"{name} must be a date such as '2025-03-31', got {value!r}.") from exc
    if pd.isna(ts):
        raise ParamsError(f"{name} must be a date such as '2025-03-31', got {value!r}.")
    return ts.normalize()


def _dates(df: pd.DataFrame, column: str, name: str) -> pd.Series:
    try:
        return pd.to_datetime(df[column]).dt.normalize()
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name} column {column!r} must hold dates; convert it with "
                        f"salesnb.io or pd.to_datetime first ({exc}).") from exc


def _text(series: pd.Series) -> pd.Series:
    """Lower-cased, stripped text with missing values as ""."""
    s = series.astype(object)
    return s.where(s.notna(), "").astype(str).str.strip().str.lower()


def _outcomes(opps: pd.DataFrame) -> pd.Series:
    """Return "won", "lost" or "" (open) per row, from ``outcome`` or a Won/Lost stage."""
    stage = _text(opps["stage"])
    out = _text(opps["outcome"]) if "outcome" in opps.columns else pd.Series("", index=opps.index)
    out = out.replace("open", "")
    out = out.where(out != "", stage.where(stage.isin(["won", "lost"]), ""))
    bad = ~out.isin(_OUTCOMES)
    if bad.any():
        raise DataError(
            f"opportunities column 'outcome' must be 'won', 'lost' or empty (open); got "
            f"{sorted(set(out[bad]))[:5]} in rows {list(opps.index[bad][:5])}. Map the values "
            f"to won/lost or leave open deals empty.")
    return out


def _stage_positions(opps: pd.DataFrame, stages: Sequence[str], outcome: pd.Series) -> pd.Series:
    """Return the 0-based position of the furthest stage each opportunity reached."""
    allowed = {str(s).strip().lower(): i for i, s in enumerate(stages)}
    stage = _text(opps["stage"])
    pos = stage.map(allowed)
    pos = pos.where(stage != "won", len(stages) - 1).where(stage != "lost", 0)
    unknown = pos.isna()
    if unknown.any():
        raise DataError(
            f"opportunities column 'stage' has unknown value(s) "
            f"{sorted(set(opps['stage'][unknown].astype(str)))[:5]} in rows "
            f"{list(opps.index[unknown][:5])}; allowed: {list(stages)} (or Won/Lost). Rename "
            f"the stages in your data or pass stages=[...] in pipeline order.")
    return pos.where(outcome != "won", len(stages) - 1).astype(int)


def _check_stages(stages: Sequence[str]) -> list[str]:
    names = [str(s) for s in stages] if not isinstance(stages, str) else []
    keys = [s.strip().lower() for s in names]
    if not names or len(set(keys)) != len(keys) or {"won", "lost"} & set(keys):
        raise ParamsError(
            f"stages must be a non-empty sequence of distinct stage names other than Won/Lost, "
            f"in pipeline order, e.g. {list(DEFAULT_STAGES)}; got {stages!r}.")
    return names


def funnel(opportunities: pd.DataFrame, *, start=None, end=None,
           stages: Sequence[str] = DEFAULT_STAGES, team: str | None = None) -> pd.DataFrame:
    """Count opportunities created in ``[start, end]`` that reached each stage, then won.

    Parameters
    ----------
    opportunities : DataFrame
        Canonical opportunities table (``created``, ``stage``, ``amount``;
        ``outcome`` optional; ``team`` when ``team`` is given).
    start, end : date-like, optional
        First and last creation day included (None: unbounded).
    stages : sequence of str
        Stage names in pipeline order.
    team : str, optional
        Keep only this team's opportunities.

    Returns
    -------
    DataFrame with one row per stage plus a final ``"Won"`` row: ``stage``, ``count`` and
    ``value`` (sum of ``amount``) of the opportunities that reached at least that stage,
    ``conversion`` (count / previous row's count; NaN for the first row or a zero base).

    Examples
    --------
    >>> o = pd.DataFrame({"opportunity_id": ["a", "b", "c", "d"],
    ...     "created": pd.to_datetime(["2025-01-05", "2025-01-09", "2025-02-01", "2025-02-03"]),
    ...     "stage": ["Lead", "Qualified", "Negotiation", "Proposal"],
    ...     "amount": [10.0, 20.0, 30.0, 40.0], "outcome": ["lost", None, "won", None]})
    >>> funnel(o).round(3)
             stage  count  value  conversion
    0         Lead      4  100.0         NaN
    1    Qualified      3   90.0       0.750
    2     Proposal      2   70.0       0.667
    3  Negotiation      1   30.0       0.500
    4          Won      1   30.0       1.000
    """
    require_columns(opportunities, ["created", "stage", "amount"] + (["team"] if team else []),
             "opportunities")
    names = _check_stages(stages)
    opps = opportunities
    created = _dates(opps, "created", "opportunities")
    keep = pd.Series(True, index=opps.index)
    if start is not None:
        keep &= created >= _timestamp(start, "start")
    if end is not None:
        keep &= created <= _timestamp(end, "end")
    if team is not None:
        keep &= opps["team"].astype(object) == team
    opps = opps.loc[keep]
    outcome = _outcomes(opps)
    pos = _stage_positions(opps, names, outcome)
    amount = opps["amount"].astype(float)
    reached = [pos >= i for i in range(len(names))] + [outcome == "won"]
    counts = np.array([int(m.sum()) for m in reached], dtype="int64")
    values = [float(amount[m].sum()) for m in reached]
    conversion = [np.nan] + [safe_div(counts[i], counts[i - 1]) for i in range(1, len(counts))]
    return pd.DataFrame({"stage": names + ["Won"], "count": counts, "value": values,
                         "conversion": np.array(conversion, dtype=float)})


def win_rate(opportunities: pd.DataFrame, *, start, end,
             by: Literal["team", "rep"] | None = None) -> float | pd.DataFrame:
    """Return won / (won + lost) for opportunities closed in ``[start, end]``.

    Parameters
    ----------
    opportunities : DataFrame
        Canonical opportunities: stage, closed, outcome (and ``by``).
    start, end : date-like
        The first and last closing day counted.
    by : {"team", "rep"}, optional
        Split by team or rep (None gives one overall rate).

    Returns
    -------
    float (NaN when nothing closed) when ``by`` is None, else a DataFrame with columns
    ``unit``, ``won``, ``lost``, ``win_rate``, one row per team or rep with a closed deal,
    sorted by unit.

    Examples
    --------
    >>> o = pd.DataFrame({"opportunity_id": ["a", "b", "c", "d"], "team": ["E", "E", "W", "W"],
    ...     "created": pd.to_datetime(["2025-01-01"] * 4), "stage": ["Negotiation"] * 4,
    ...     "amount": [1.0] * 4, "outcome": ["won", "lost", "won", None],
    ...     "closed": pd.to_datetime(["2025-02-01", "2025-02-10", "2025-03-01", None])})
    >>> round(win_rate(o, start="2025-01-01", end="2025-03-31"), 4)
    0.6667
    >>> win_rate(o, start="2025-01-01", end="2025-03-31", by="team")
      unit  won  lost  win_rate
    0    E    1     1       0.5
    1    W    1     0       1.0
    """
    if by not in (None, "team", "rep"):
        raise ParamsError(f"by must be None, 'team' or 'rep', got {by!r}.")
    require_columns(opportunities, ["stage", "closed"] + ([by] if by else []), "opportunities")
    lo, hi = _timestamp(start, "start"), _timestamp(end, "end")
    closed = _dates(opportunities, "closed", "opportunities")
    outcome = _outcomes(opportunities)
    keep = (closed >= lo) & (closed <= hi) & outcome.isin(["won", "lost"])
    won, lost = (outcome == "won") & keep, (outcome == "lost") & keep
    if by is None:
        return float(safe_div(int(won.sum()), int(won.sum() + lost.sum())))
    unit = opportunities[by].astype(object)
    unit = unit.where(unit.notna(), "(none)").astype(str)
    df = pd.DataFrame({"unit": unit[keep], "won": won[keep].astype("int64"),
                       "lost": lost[keep].astype("int64")})
    out = df.groupby("unit", sort=True).sum().reset_index()
    out["win_rate"] = safe_div(out["won"], out["won"] + out["lost"])
    return out[["unit", "won", "lost", "win_rate"]].reset_index(drop=True)


def pipeline_coverage(opportunities: pd.DataFrame, *, as_of, period_end, remaining_gap: float,
                      team: str | None = None) -> dict:
    """Return open pipeline value expected to close by ``period_end`` / the remaining gap.

    Open means no outcome yet; only opportunities with ``expected_close`` in
    ``(as_of, period_end]`` count. ``remaining_gap`` is the target still to reach (target
    minus actual to date). When the gap is zero or negative the target is already
    achieved and coverage is NaN ("no value"), as it is when the gap is missing.

    Parameters
    ----------
    opportunities : DataFrame
        Canonical opportunities: stage, amount, expected_close, outcome (team to filter).
    as_of : date-like
        The last elapsed day; pipeline must be expected to close after it.
    period_end : date-like
        The last day of the period the gap belongs to.
    remaining_gap : float or None
        Target minus actual to date (None counts as missing).
    team : str, optional
        Keep only this team's opportunities.

    Returns
    -------
    dict with ``open_count``, ``open_value``, ``remaining_gap`` and ``coverage``.

    Examples
    --------
    >>> o = pd.DataFrame({"opportunity_id": ["a", "b", "c"], "stage": ["Proposal"] * 3,
    ...     "amount": [300.0, 200.0, 500.0], "outcome": [None, None, "won"],
    ...     "expected_close": pd.to_datetime(["2025-11-15", "2026-01-10", "2025-11-01"])})
    >>> pipeline_coverage(o, as_of="2025-10-31", period_end="2025-12-31", remaining_gap=150.0)
    {'open_count': 1, 'open_value': 300.0, 'remaining_gap': 150.0, 'coverage': 2.0}
    """
    require_columns(opportunities, ["stage", "amount", "expected_close"] + (["team"] if team else []),
             "opportunities")
    lo, hi = _timestamp(as_of, "as_of"), _timestamp(period_end, "period_end")
    if hi < lo:
        raise ParamsError(f"period_end ({hi.date()}) must not be before as_of ({lo.date()}).")
    gap = float(remaining_gap) if remaining_gap is not None else np.nan
    exp = _dates(opportunities, "expected_close", "opportunities")
    keep = (_outcomes(opportunities) == "") & (exp > lo) & (exp <= hi)
    if team is not None:
        keep &= opportunities["team"].astype(object) == team
    value = float(opportunities.loc[keep, "amount"].astype(float).sum())
    coverage = safe_div(value, gap) if gap > 0 else np.nan
    return {"open_count": int(keep.sum()), "open_value": value, "remaining_gap": gap,
            "coverage": float(coverage)}
