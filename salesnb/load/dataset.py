"""The dataset of one run: every table loaded, checked across tables, sales up to the as-of date.

:func:`load_dataset` loads each table (:func:`salesnb.load.tables.load_source`), or scans
the sales where they live (:mod:`salesnb.load.engines`), checks the tables against each
other (:mod:`salesnb.load.crosscheck`), raises one DataError listing every error and sets
the sales after the as-of date aside in ``Dataset.excluded``: no row is dropped without a
line there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

import pandas as pd

from ..exceptions import DataError, ParamsError
from ..schema import SCHEMAS
from .crosscheck import (
    check_not_empty,
    check_org_lines,
    check_target_repeats,
    check_target_units,
    rep_not_in_org,
    team_from_org,
)
from .engines import ScanFallback, choose, scan_sales
from .identity import (
    empty_customer_ids,
    overlapping_org_rows,
    rep_in_two_teams,
    scanned_customer_ids,
    unify_names,
)
from .issues import Issue, as_of_date, check_timezone, raise_issues, rows_text
from .money import check_rates
from .optional import DEFAULT_STAGES, check_stage_names, check_stages, leave_out_optional
from .tables import load_source

__all__ = ["Dataset", "load_dataset", "dataset_from_params", "QUALITY_COLUMNS",
           "EXCLUDED_COLUMNS"]

QUALITY_COLUMNS = ["severity", "table", "check", "column", "count", "rows", "detail"]
EXCLUDED_COLUMNS = ["table", "file", "row", "reason"]
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
#: a table as ``load_dataset`` takes it: a path, a DataFrame or a SQL source
Source = Union[str, Path, pd.DataFrame, Mapping]  # noqa: UP007 (an alias, read at runtime)


@dataclass
class Dataset:
    """The validated canonical tables of one run, with their data-quality issues.

    Attributes
    ----------
    sales, targets, org, opportunities, spend, satisfaction : DataFrame or None
        The canonical tables given (``sales`` is None when the sales were scanned).
    issues : list of Issue
        The warnings and info found.
    excluded : DataFrame
        The rows set aside: table, file, row, reason and the row's canonical values.
    sources : dict
        Each table's source description for run.json (path, rows, sha256...).
    as_of : Timestamp or None
        The last day the data may cover.
    digest : dict or None
        The aggregated sales when they were scanned where they live.
    stages : tuple of str
        The opportunity stages in pipeline order (the params' ``stages``).
    """

    sales: pd.DataFrame | None
    targets: pd.DataFrame | None = None
    org: pd.DataFrame | None = None
    opportunities: pd.DataFrame | None = None
    spend: pd.DataFrame | None = None
    satisfaction: pd.DataFrame | None = None
    issues: list[Issue] = field(default_factory=list)
    excluded: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EXCLUDED_COLUMNS))
    sources: dict = field(default_factory=dict)
    as_of: pd.Timestamp | None = None
    #: the aggregated sales when they were scanned where they live (then ``sales`` is None)
    digest: dict | None = None
    #: the opportunity stages in pipeline order (the params' ``stages``)
    stages: tuple = DEFAULT_STAGES

    @property
    def last_sale_date(self) -> pd.Timestamp | None:
        """The latest sale date kept in ``sales`` (None when there are no sales)."""
        if self.digest is not None:
            d = self.digest["daily"]["date"]
            return d.max() if len(d) else None
        if self.sales is None or not len(self.sales):
            return None
        return self.sales["date"].max()

    @property
    def sales_rows(self) -> int:
        """How many sales rows the run uses (after the as-of date's exclusions)."""
        if self.digest is not None:
            meta = self.digest["meta"]
            return int(meta["rows"] - meta["excluded_after_as_of"])
        return 0 if self.sales is None else len(self.sales)

    def quality_table(self) -> pd.DataFrame:
        """Return one row per issue, errors first, then warnings, then info.

        Returns
        -------
        DataFrame with columns ``severity``, ``table``, ``check``, ``column``, ``count``,
        ``rows`` (short text such as "5, 9, 12 (and 3 more)") and ``detail`` (the message).

        Examples
        --------
        >>> s = pd.DataFrame({"date": ["2025-01-02", "2025-01-03", "2025-01-03"],
        ...                   "team": ["East"] * 3, "rep": ["Ann", "Bob", "Bob"],
        ...                   "amount": ["10", "-5", "-5"]})
        >>> load_dataset(sales=s).quality_table()[["severity", "check", "count", "rows"]]
          severity            check  count  rows
        0  warning  negative_amount      2  2, 3
        1  warning   duplicate_rows      1     3
        """
        issues = sorted(self.issues, key=lambda i: _SEVERITY_ORDER.get(i.severity, 3))
        data = [(i.severity, i.table, i.check, i.column or "", i.count,
                 rows_text(i.rows, ""), i.message) for i in issues]
        return pd.DataFrame(data, columns=QUALITY_COLUMNS)


def load_dataset(*, sales: Source, targets: Source | None = None, org: Source | None = None,
                 opportunities: Source | None = None, spend: Source | None = None,
                 satisfaction: Source | None = None,
                 columns: Mapping[str, Mapping[str, str]] | None = None, as_of: object = None,
                 base_dir: str | Path | None = None, engine: str = "pandas",
                 timezone: str | None = None, currency: str | None = None,
                 rates: Mapping[str, float] | None = None,
                 stages: Sequence[str] | None = None) -> Dataset:
    """Load and validate every given table; raise one DataError listing all errors.

    Sales without a team column get the team of the rep's org row valid at the sale date.

    Parameters
    ----------
    sales, targets, org, opportunities, spend, satisfaction : str, Path, DataFrame or mapping
        Each table: a path (relative ones resolve against ``base_dir``), a DataFrame or a
        SQL source ``{url: ..., table: ...}`` / ``{url: ..., query: ...}``
        (:mod:`salesnb.load.sql_spec`: ``${VAR}`` in the url comes from the environment;
        relative SQLite paths use ``base_dir``).
    columns : mapping of str to mapping, optional
        Table -> {canonical name: the user's name}.
    as_of : str, date or None
        A month ``YYYY-MM`` (its last day) or a date: later sales are moved to
        ``Dataset.excluded``.
    base_dir : str or Path, optional
        The folder relative paths start from (the params file's).
    engine : {"pandas", "scan", "auto"}, default "pandas"
        Where the sales are aggregated (:mod:`salesnb.load.engines`). With ``scan`` (or
        ``auto`` on a large file) ``Dataset.sales`` is None and ``Dataset.digest`` holds
        the aggregated sales. What the scan engine cannot read the way the pandas reader
        does (another encoding or delimiter, formatted amounts in a database, names spelt
        two ways) is read by the pandas reader, with an info finding saying so.
    timezone : str, optional
        The reporting time zone (IANA name, e.g. ``Europe/Berlin``): timestamps with a UTC
        offset are converted to it before their day and month are taken. Default: the
        data's own clock (timestamps without an offset are never changed; offsets that
        differ within a column are an error).
    currency : str, optional
        The reporting currency (symbol or code), needed with ``rates``.
    rates : mapping of str to float, optional
        What one unit of each other currency is worth in ``currency``: money columns that
        mix currencies are converted (without rates they are an error).
    stages : sequence of str, optional
        The opportunity stages in pipeline order (default
        :data:`salesnb.load.optional.DEFAULT_STAGES`); another stage leaves the
        opportunities out of the run (and says why).

    Returns
    -------
    Dataset
        The canonical tables, ``issues`` (warnings and info), ``excluded`` (columns table,
        file, row, reason and the row's canonical values) and ``sources``.

    Raises
    ------
    DataError
        Listing every error of every table.

    Examples
    --------
    >>> s = pd.DataFrame({"date": ["2025-01-10", "2025-02-03", "2025-04-01"],
    ...                   "rep": ["Ann", "Ann", "Bob"], "amount": ["10", "20", "30"]})
    >>> o = pd.DataFrame({"rep": ["Ann", "Bob"], "team": ["East", "West"]})
    >>> ds = load_dataset(sales=s, org=o, as_of="2025-03")
    >>> ds.sales[["date", "rep", "team", "amount"]]
            date  rep  team  amount
    0 2025-01-10  Ann  East    10.0
    1 2025-02-03  Ann  East    20.0
    >>> ds.excluded[["table", "row", "rep", "reason"]]
       table  row  rep                           reason
    0  sales    3  Bob  after the as-of date 2025-03-31
    """
    given = {"sales": sales, "targets": targets, "org": org, "opportunities": opportunities,
             "spend": spend, "satisfaction": satisfaction}
    columns = dict(columns or {})
    unknown = [t for t in columns if t not in given]
    if unknown:
        raise ParamsError(f"columns mapping names unknown table(s) {', '.join(map(repr, unknown))};"
                          f" allowed: {', '.join(given)}")
    if sales is None or (isinstance(sales, (str, Path)) and not str(sales).strip()):
        raise ParamsError("no sales given: the params file needs a 'sales' key naming the "
                          "sales file (CSV, Excel or Parquet) or a SQL source {url: ..., "
                          "table: ...}")
    cutoff = as_of_date(as_of)
    check_timezone(timezone)
    rates = check_rates(currency, rates)
    stages = check_stages(stages)
    opts = {"timezone": timezone, "currency": currency, "rates": rates}
    tables, ctxs, issues, sources = {}, {}, [], {}
    digest = None
    if not timezone and not rates:  # the scan engine reads neither offsets nor currencies
        digest = _scan(sales, engine, columns.get("sales"), cutoff, base_dir, issues, sources)
    elif engine != "pandas" and choose(engine, sales, base_dir) != "pandas":
        issues.append(Issue("info", "sales", str(sales), "read_in_pandas", None, [], 0, [],
                            f"{sales}: read whole into memory (not scanned where it is), "
                            "because 'timezone' or 'rates' are set, which only the pandas "
                            "reader applies."))
    for t, src in given.items():
        if src is None or (t == "sales" and digest is not None):
            continue
        df, found, ctx, info = load_source(src, t, columns.get(t), None, base_dir, **opts)
        tables[t], ctxs[t], sources[t] = df, ctx, info
        issues += found
    check_stage_names(tables, ctxs, issues, stages)
    leave_out_optional(tables, issues)
    if digest is not None:
        try:
            return _digest_dataset(digest, tables, ctxs, issues, sources, cutoff, stages)
        except ScanFallback as exc:
            issues = [i for i in issues if i.table != "sales"] + [_fallback_note(sales, exc)]
            df, found, ctx, info = load_source(sales, "sales", columns.get("sales"), None,
                                               base_dir, **opts)
            tables["sales"], ctxs["sales"], sources["sales"] = df, ctx, info
            issues += found
    tables = unify_names(tables, ctxs, issues)
    s, sctx, org_df = tables["sales"], ctxs["sales"], tables.get("org")
    has = {t: [i.check for i in issues if i.table == t and i.severity == "error"] for t in tables}
    if org_df is not None and not has.get("org"):
        issues += overlapping_org_rows(org_df, ctxs["org"])
        has["org"] = [i.check for i in issues if i.table == "org" and i.severity == "error"]
    if not has.get("sales"):
        issues += rep_in_two_teams(s, sctx, fixed_team="team" in s)
    if "team" not in s and org_df is None:
        issues.append(Issue("error", "sales", sctx.name, "missing_columns", "team", [], 0, [],
                            f"{sctx.name}: the sales table has no 'team' column and no org table "
                            "is given; add a team column (or map yours with 'columns:') or give "
                            "an org table (rep, team)."))
    elif "team" not in s and {"rep", "date"} <= set(s) and not has.get("org"):
        team = team_from_org(s, org_df)
        none = (team.isna() & s["date"].notna() & s["rep"].notna()).to_numpy()
        if cutoff is not None:  # sales after the as-of date are set aside, not checked
            none = none & (s["date"] <= cutoff).to_numpy()
        if none.any():
            issues.append(sctx.issue(
                "error", "empty_value", "team", none, s["rep"],
                "no team (the table has no team column and the rep has no org row valid "
                "at the sale date)", f"Add these reps to the org table ({ctxs['org'].name}) with "
                "start/end dates that cover the sales, or add a team column."))
        s = s.assign(team=team)
        s = s[[c for c in SCHEMAS["sales"].names if c in s]]
    if org_df is not None and "rep" in s and "rep" in org_df:
        out = (s["rep"].notna() & ~s["rep"].isin(org_df["rep"].dropna())).to_numpy()
        if cutoff is not None and "date" in s:  # sales after the as-of date are set aside
            out = out & (s["date"] <= cutoff).to_numpy()
        if out.any():
            issues.append(sctx.issue("warning", "rep_not_in_org", "rep", out, s["rep"],
                                     f"a rep missing from the org table "
                                     f"({ctxs['org'].name})", "Add them to the org table."))
    check_target_units(tables, ctxs, issues, {lv: set(s[lv].dropna()) if lv in s else set()
                                                for lv in ("team", "rep")})
    check_target_repeats(tables, ctxs, issues)
    check_org_lines(tables, ctxs, issues)
    if not has.get("sales"):
        issues += empty_customer_ids(s, sctx)
    raise_issues(issues, "cannot use the input data")
    check_not_empty(sctx.name, len(s), int((s["date"] <= cutoff).sum()) if cutoff is not None
                    else len(s), s["date"].min() if len(s) else None, cutoff)
    excluded = pd.concat([pd.DataFrame(columns=EXCLUDED_COLUMNS), s.iloc[:0]], axis=1)
    if cutoff is not None:
        late = (s["date"] > cutoff).to_numpy()
        if late.any():
            reason = f"after the as-of date {cutoff:%Y-%m-%d}"
            issues.append(sctx.issue("warning", "after_report_month", "date", late, sctx.raw["date"],
                                     f"a sale dated after {cutoff:%Y-%m-%d} (excluded from the "
                                     "report and listed as an excluded row)"))
            excluded = pd.concat([pd.DataFrame({"table": "sales", "file": sctx.name,
                                                "row": sctx.rows[late], "reason": reason}),
                                  s.loc[late].reset_index(drop=True)], axis=1)
            s = s.loc[~late].reset_index(drop=True)
    tables["sales"] = s
    return Dataset(**tables, issues=issues, excluded=excluded, sources=sources, as_of=cutoff,
                   stages=stages)


def dataset_from_params(params: Mapping, *, engine: str | None = None) -> Dataset:
    """Load the tables a params dict names (paths relative to ``params['base_dir']``).

    Parameters
    ----------
    params : mapping
        The run's parameters (sales, targets, org, ..., columns, as_of or month, base_dir,
        engine).
    engine : {"pandas", "scan", "auto"}, optional
        Overrides ``params['engine']`` (default ``auto``: large sales files are scanned
        where they are, see :mod:`salesnb.load.engines`).

    Returns
    -------
    Dataset
    """
    return load_dataset(
        sales=params.get("sales") or None, targets=params.get("targets") or None,
        org=params.get("org") or None, opportunities=params.get("opportunities") or None,
        spend=params.get("spend") or None, satisfaction=params.get("satisfaction") or None,
        columns=params.get("columns") or None,
        as_of=params.get("as_of") or params["month"], base_dir=params.get("base_dir") or None,
        engine=engine or params.get("engine") or "auto",
        timezone=params.get("timezone") or None, currency=params.get("currency") or None,
        rates=params.get("rates") or None, stages=params.get("stages") or None)


def _fallback_note(sales, exc: Exception) -> Issue:
    """Return the info finding that the scan engine handed the sales to the pandas reader."""
    return Issue("info", "sales", str(sales), "read_in_pandas", None, [], 0, [],
                 f"{sales}: read whole into memory (not scanned where it is), because "
                 f"{str(exc).splitlines()[-1].lstrip('- ')}")


def _scan(sales, engine, columns, cutoff, base_dir, issues, sources) -> dict | None:
    """Return the sales digest when ``engine`` scans them where they are; None to read them here."""
    if engine == "pandas":
        return None
    kind = choose(engine, sales, base_dir)
    if kind == "pandas":
        return None
    try:
        digest, found, info = scan_sales(sales, kind, columns=columns, as_of=cutoff,
                                         base_dir=base_dir)
    except ScanFallback as exc:
        issues.append(_fallback_note(sales, exc))
        return None
    except DataError as exc:
        if engine != "auto" or "scan engine" not in str(exc):
            raise
        issues.append(Issue("info", "sales", str(sales), "read_in_pandas", None, [], 0, [],
                            f"{sales}: a large file read whole into memory, because the scan "
                            f"engine cannot read it: {str(exc).splitlines()[-1].lstrip('- ')}"))
        return None
    issues += found
    sources["sales"] = info
    return digest


def _digest_dataset(digest, tables, ctxs, issues, sources, cutoff, stages) -> Dataset:
    """Return the Dataset of scanned sales: cross-table checks on the digest's reps and teams."""
    daily = digest["daily"]
    if rep_in_two_teams(daily, None, fixed_team=True):
        raise ScanFallback("a rep sells for two teams over the same dates, which the pandas "
                           "reader lists row by row")
    fixed = {"team": list(pd.unique(daily["team"].dropna())),
             "rep": list(pd.unique(daily["rep"].dropna()))}
    tables.update(unify_names(tables, ctxs, issues, fixed=fixed))
    org_df = tables.get("org")
    if org_df is not None:
        issues += rep_not_in_org(daily, org_df, sales_name=sources["sales"]["path"],
                                 org_name=ctxs["org"].name)
        if not any(i.table == "org" and i.severity == "error" for i in issues):
            issues += overlapping_org_rows(org_df, ctxs["org"])
    check_target_units(tables, ctxs, issues, {lv: set(daily[lv].dropna())
                                                for lv in ("team", "rep")})
    check_target_repeats(tables, ctxs, issues)
    check_org_lines(tables, ctxs, issues)
    issues += scanned_customer_ids(digest, sources["sales"]["path"])
    raise_issues(issues, "cannot use the input data")
    meta = digest["meta"]
    check_not_empty(sources["sales"]["path"], int(meta["rows"]),
                    int(meta["rows"] - meta["excluded_after_as_of"]),
                    meta.get("first_date"), cutoff)
    excluded = pd.DataFrame(columns=EXCLUDED_COLUMNS + SCHEMAS["sales"].names)
    return Dataset(sales=None, **tables, issues=issues, excluded=excluded, sources=sources,
                   as_of=cutoff, digest=digest, stages=stages)
