"""Optional KPIs: sales funnel, win rate, pipeline coverage, CAC, CLTV and satisfaction.

They read the optional canonical tables (``opportunities``, ``spend``, ``satisfaction``)
and ``sales``; definitions follow DOMAIN.md (Funnel, CAC, CLTV).

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

from salesnb.calendar import to_month
from salesnb.checks import require_columns
from salesnb.cube import COMPANY
from salesnb.exceptions import DataError, ParamsError
from salesnb.load.optional import DEFAULT_STAGES as _DEFAULT_STAGES
from salesnb.numbers import safe_div

__all__ = ["DEFAULT_STAGES", "funnel", "win_rate", "pipeline_coverage", "cac", "cltv",
           "satisfaction_summary", "satisfaction_trend", "data_available"]

#: pipeline stages in order (the params' ``stages`` default, declared in the data layer)
DEFAULT_STAGES = _DEFAULT_STAGES
_OUTCOMES = ("won", "lost", "")


_require = require_columns


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
    _require(opportunities, ["created", "stage", "amount"] + (["team"] if team else []),
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
    _require(opportunities, ["stage", "closed"] + ([by] if by else []), "opportunities")
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
    _require(opportunities, ["stage", "amount", "expected_close"] + (["team"] if team else []),
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


def cac(spend: pd.DataFrame, new_customers: pd.DataFrame, *,
        by: Literal["team", "company"] = "team") -> pd.DataFrame:
    """Return customer acquisition cost = spend / new customers, for one period.

    Both frames must already cover the same period. A team missing from ``spend`` has
    unknown spend (NaN); a team missing from ``new_customers`` won none (0); CAC is NaN
    without new customers.

    Parameters
    ----------
    spend : DataFrame
        Canonical spend rows (``month``, ``team``, ``spend``) of the period.
    new_customers : DataFrame
        ``team``, ``new_customers`` for the same period.
    by : {"team", "company"}
        One row per team, or one ``"Company"`` row.

    Returns
    -------
    DataFrame with columns ``unit``, ``spend``, ``new_customers``, ``cac``, sorted by unit.

    Examples
    --------
    >>> sp = pd.DataFrame({"month": ["2025-01", "2025-02", "2025-01"],
    ...                    "team": ["East", "East", "West"], "spend": [600.0, 400.0, 300.0]})
    >>> nc = pd.DataFrame({"team": ["East", "West"], "new_customers": [4, 0]})
    >>> cac(sp, nc)
       unit   spend  new_customers    cac
    0  East  1000.0              4  250.0
    1  West   300.0              0    NaN
    """
    if by not in ("team", "company"):
        raise ParamsError(f"by must be 'team' or 'company', got {by!r}.")
    _require(spend, ["team", "spend"], "spend")
    _require(new_customers, ["team", "new_customers"], "new_customers")
    sp = spend.assign(spend=spend["spend"].astype(float))
    nc = new_customers.assign(new_customers=new_customers["new_customers"].astype(float))
    if by == "company":
        sp, nc = sp.assign(team=COMPANY), nc.assign(team=COMPANY)
    s = sp.groupby("team", sort=True)["spend"].sum(min_count=1)
    n = nc.groupby("team", sort=True)["new_customers"].sum()
    units = sorted(set(s.index.astype(str)) | set(n.index.astype(str)))
    s = s.rename(index=str).reindex(units)
    n = n.rename(index=str).reindex(units).fillna(0).astype("int64")
    return pd.DataFrame({"unit": units, "spend": s.to_numpy(dtype=float),
                         "new_customers": n.to_numpy(),
                         "cac": safe_div(s, n.astype(float)).to_numpy(dtype=float)})


def cltv(sales: pd.DataFrame, *, as_of, gross_margin: float = 0.3, years: int = 1,
         max_lifetime_years: float | None = None) -> dict:
    """Return customer lifetime value and every input it is computed from.

    CLTV = revenue per customer per year x gross margin x lifetime (1 / annual churn).
    The window is the ``years`` years through ``as_of`` (default the trailing 12 months);
    active customers are those with at least one positive sale in it (rows without a
    ``customer_id`` are ignored). Revenue is the net amount (returns included) of all
    customers' rows in the window, divided by ``years``. Churn is the share of the customers active in the window before
    who bought nothing in this one (annualised as ``1 - (1 - churn) ** (1 / years)`` when
    ``years > 1``). No customers, no earlier customers or zero churn give NaN.
    ``max_lifetime_years`` caps the lifetime (a very low churn otherwise gives lifetimes
    of centuries); with a cap, zero churn gives the cap.

    Returns
    -------
    dict with ``customers``, ``revenue``, ``revenue_per_customer_per_year``,
    ``previous_customers``, ``churned_customers``, ``churn_rate``, ``lifetime_years``,
    ``gross_margin``, ``cltv``.

    Examples
    --------
    >>> s = pd.DataFrame({"date": pd.to_datetime(["2024-03-01", "2024-05-01", "2025-02-01",
    ...                                           "2025-03-01"]),
    ...                   "customer_id": ["a", "b", "a", "c"], "amount": [50.0, 80.0, 100.0, 300.0]})
    >>> r = cltv(s, as_of="2025-12-31", gross_margin=0.5)
    >>> r["customers"], r["revenue_per_customer_per_year"], r["churn_rate"], r["cltv"]
    (2, 200.0, 0.5, 200.0)
    """
    _require(sales, ["date", "amount", "customer_id"], "sales")
    if not _finite_number(gross_margin) or not 0 <= gross_margin <= 1:
        raise ParamsError(f"gross_margin must be a fraction between 0 and 1 (e.g. 0.3 for "
                          f"30 %), got {gross_margin!r}.")
    if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or years < 1:
        raise ParamsError(f"years must be a whole number of years >= 1, got {years!r}.")
    if max_lifetime_years is not None and (not _finite_number(max_lifetime_years)
                                           or max_lifetime_years <= 0):
        raise ParamsError(f"max_lifetime_years must be a positive number of years or None, "
                          f"got {max_lifetime_years!r}.")
    end = _timestamp(as_of, "as_of")
    start = end - pd.DateOffset(years=int(years))
    before = start - pd.DateOffset(years=int(years))
    date = _dates(sales, "date", "sales")
    amount = sales["amount"].astype(float)
    cid = sales["customer_id"].astype(object)
    known = cid.notna() & (cid.astype(str).str.strip() != "")
    now = known & (date > start) & (date <= end)
    prev = known & (date > before) & (date <= start)
    customers = set(cid[now & (amount > 0)].astype(str))
    earlier = set(cid[prev & (amount > 0)].astype(str))
    revenue = float(amount[now].sum())
    per_year = float(safe_div(revenue, len(customers))) / years
    churned = len(earlier - customers)
    churn = float(safe_div(churned, len(earlier)))
    if years > 1 and not np.isnan(churn):
        churn = 1 - (1 - churn) ** (1 / years)
    lifetime = float(safe_div(1.0, churn))
    if max_lifetime_years is not None and not np.isnan(churn):
        lifetime = min(float(max_lifetime_years), 1.0 / churn if churn > 0 else np.inf)
    return {"customers": len(customers), "revenue": revenue,
            "revenue_per_customer_per_year": per_year, "previous_customers": len(earlier),
            "churned_customers": churned, "churn_rate": churn, "lifetime_years": lifetime,
            "gross_margin": float(gross_margin), "cltv": per_year * gross_margin * lifetime}


def _satisfaction_rows(satisfaction: pd.DataFrame, level: str) -> pd.DataFrame:
    if level not in ("company", "team"):
        raise ParamsError(f"level must be 'company' or 'team', got {level!r}.")
    _require(satisfaction, ["date", "score"] + (["team"] if level == "team" else []),
             "satisfaction")
    month = _dates(satisfaction, "date", "satisfaction").dt.to_period("M")
    if level == "team":
        unit = satisfaction["team"].astype(object)
    else:
        unit = pd.Series(COMPANY, index=satisfaction.index, dtype=object)
    df = pd.DataFrame({"unit": unit, "month": month, "score": satisfaction["score"].astype(float)})
    return df[df["unit"].notna() & df["score"].notna() & df["month"].notna()].astype(
        {"unit": str})


def _check_months(months) -> int:
    if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or months < 1:
        raise ParamsError(f"months must be a whole number >= 1, got {months!r}.")
    return int(months)


def satisfaction_summary(satisfaction: pd.DataFrame, *, month,
                         level: Literal["company", "team"] = "company",
                         months: int = 6) -> pd.DataFrame:
    """Average satisfaction score per unit and month for the ``months`` months through ``month``.

    Rows without a score (or, at team level, without a team) are left out. Every unit
    with a response in the window gets a row for every month of it; a month without
    responses has score NaN and 0 responses.

    Returns
    -------
    DataFrame with columns ``unit`` ("Company" or the team), ``month`` ("YYYY-MM"),
    ``score`` (mean), ``responses``, sorted by unit then month.

    Examples
    --------
    >>> s = pd.DataFrame({"date": pd.to_datetime(["2025-01-10", "2025-01-20", "2025-03-05"]),
    ...                   "customer_id": ["a", "b", "a"], "score": [4.0, 5.0, 3.0]})
    >>> satisfaction_summary(s, month="2025-03", months=3)
          unit    month  score  responses
    0  Company  2025-01    4.5          2
    1  Company  2025-02    NaN          0
    2  Company  2025-03    3.0          1
    """
    n = _check_months(months)
    last = to_month(month)
    window = pd.period_range(last - (n - 1), last, freq="M")
    df = _satisfaction_rows(satisfaction, level)
    df = df[df["month"].isin(window)]
    units = sorted(df["unit"].unique())
    grid = pd.MultiIndex.from_product([units, window], names=["unit", "month"])
    agg = df.groupby(["unit", "month"])["score"].agg(["mean", "size"]).reindex(grid)
    return pd.DataFrame({"unit": grid.get_level_values(0).astype(str),
                         "month": grid.get_level_values(1).astype(str),
                         "score": agg["mean"].to_numpy(dtype=float),
                         "responses": agg["size"].fillna(0).to_numpy(dtype="int64")})


def satisfaction_trend(satisfaction: pd.DataFrame, *, month,
                       level: Literal["company", "team"] = "company",
                       months: int = 1) -> pd.DataFrame:
    """Compare the average score of the last ``months`` months with the ``months`` before.

    ``score`` averages all responses in the months through ``month``; ``prev_score``
    those of the equally long span just before; ``change`` = score - prev_score in
    score points (NaN when either side has no responses).

    Returns
    -------
    DataFrame with columns ``unit``, ``score``, ``prev_score``, ``change``, sorted by unit.

    Examples
    --------
    >>> s = pd.DataFrame({"date": pd.to_datetime(["2025-02-10", "2025-03-01", "2025-03-20"]),
    ...                   "customer_id": ["a", "b", "a"], "score": [4.0, 5.0, 4.0],
    ...                   "team": ["E", "E", "E"]})
    >>> satisfaction_trend(s, month="2025-03", level="team")
      unit  score  prev_score  change
    0    E    4.5         4.0     0.5
    """
    n = _check_months(months)
    last = to_month(month)
    df = _satisfaction_rows(satisfaction, level)
    now = df[(df["month"] > last - n) & (df["month"] <= last)].groupby("unit")["score"].mean()
    prev = df[(df["month"] > last - 2 * n) & (df["month"] <= last - n)]
    prev = prev.groupby("unit")["score"].mean()
    units = sorted(set(now.index) | set(prev.index))
    score = now.reindex(units).to_numpy(dtype=float)
    before = prev.reindex(units).to_numpy(dtype=float)
    return pd.DataFrame({"unit": pd.Series(units, dtype=str), "score": score,
                         "prev_score": before, "change": score - before})


def data_available(tables: dict) -> dict[str, bool]:
    """Say which optional KPIs the given tables allow (so a report can note what is missing).

    ``tables`` maps canonical table names (``sales``, ``opportunities``, ``spend``,
    ``satisfaction``) to DataFrames or None; absent keys count as missing.

    Returns
    -------
    dict with boolean ``funnel``, ``win_rate``, ``pipeline_coverage``, ``cac``, ``cltv``,
    ``satisfaction``.

    Examples
    --------
    >>> sales = pd.DataFrame({"date": pd.to_datetime(["2025-01-02"]), "rep": ["Ann"],
    ...                       "amount": [10.0], "customer_id": ["c1"]})
    >>> data_available({"sales": sales, "opportunities": None})
    {'funnel': False, 'win_rate': False, 'pipeline_coverage': False, 'cac': False, 'cltv': True, 'satisfaction': False}
    """
    def has(name: str, *columns: str) -> bool:
        df = tables.get(name)
        return (isinstance(df, pd.DataFrame) and len(df) > 0
                and all(c in df.columns for c in columns))

    opps = has("opportunities", "stage", "amount")
    closed = False
    if opps and "closed" in tables["opportunities"].columns:
        try:
            o = tables["opportunities"]
            closed = bool((_outcomes(o).isin(["won", "lost"]) & o["closed"].notna()).any())
        except DataError:
            closed = False
    customers = has("sales", "date", "amount", "customer_id") and bool(
        tables["sales"]["customer_id"].notna().any())
    return {"funnel": opps and has("opportunities", "created"),
            "win_rate": closed,
            "pipeline_coverage": opps and has("opportunities", "expected_close"),
            "cac": has("spend", "team", "spend") and customers,
            "cltv": customers,
            "satisfaction": has("satisfaction", "date", "score")}
