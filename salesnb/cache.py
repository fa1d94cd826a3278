"""The run cache and team slices: a prepared run's tables as Parquet, one team's rows only.

:func:`write_cache` / :func:`read_cache` keep the tables of :func:`salesnb.report.prepare`
in the run folder; :func:`team_slice` keeps one team's rows plus company aggregates, so a
team report cannot show another team's reps. :mod:`salesnb.report` re-exports them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["write_cache", "read_cache", "team_slice", "rep_slice", "pages_for"]

_PERIOD_COLS = {"month"}


def _to_disk(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.PeriodDtype):
            continue  # pyarrow keeps pandas periods (an extension type): no text round trip
        elif out[c].dtype == object:
            out[c] = out[c].map(lambda v: v if v is None or isinstance(v, str) or pd.isna(v)
                                else str(v))
    return out


def _from_disk(df: pd.DataFrame) -> pd.DataFrame:
    for c in _PERIOD_COLS & set(df.columns):
        if isinstance(df[c].dtype, pd.PeriodDtype):
            continue
        if len(df) and len(str(df[c].iloc[0])) == 7:
            df[c] = pd.PeriodIndex(df[c].astype(str), freq="M")
        elif not len(df):
            df[c] = pd.PeriodIndex([], freq="M")
    return df


#: the large tables a team's report reads with a filter on ``team``
TEAM_FILTERED = ("sales", "cube", "customer_months", "customer_sales", "product_sales")
_ORDER = "_salesnb_row"


def _by_team_row_groups(df: pd.DataFrame) -> bytes:
    """``df`` as Parquet with one row group per team, and each row's position kept.

    A report reading one team's rows (``filters=[("team", "==", team)]``) then reads that
    team's row group only, skipping the others by their statistics, instead of decoding
    the whole file and dropping most of it (the 1 M-row benchmark's 220 reports each read
    all 4.6 MB of these files). :func:`read_cache` puts the rows back in their order.
    """
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq
    df = df.assign(**{_ORDER: np.arange(len(df), dtype=np.int64)})
    key = df["team"].astype(str)
    table = pa.Table.from_pandas(df, preserve_index=False)
    buf = io.BytesIO()
    with pq.ParquetWriter(buf, table.schema) as w:
        for _, idx in key.groupby(key, sort=True).indices.items():
            w.write_table(table.take(pa.array(idx)))
    return buf.getvalue()


def write_cache(tables: dict, directory) -> Path:
    """Write a prepared run's tables as Parquet (and meta.json) into ``directory``.

    Parameters
    ----------
    tables : dict
        A prepared run (:func:`salesnb.report.prepare`).
    directory : str or Path
        The cache folder (created when missing).
    """
    from .atomic import atomic_write_bytes, atomic_write_text
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        if name == "meta":
            continue
        if df is None:   # a table this run has not: no earlier run's file may stand for it
            (d / f"{name}.parquet").unlink(missing_ok=True)
            continue
        if name in TEAM_FILTERED and "team" in df.columns and len(df):
            buf = _by_team_row_groups(_to_disk(df))
        else:
            buf = _to_disk(df).to_parquet(index=False)
        atomic_write_bytes(d / f"{name}.parquet", buf)
    atomic_write_text(d / "meta.json", json.dumps(tables["meta"], indent=2, ensure_ascii=False))
    return d


def read_cache(directory, *, team: str | None = None) -> dict:
    """Read a run cache; with ``team``, only that team's slice (see :func:`team_slice`).

    Parameters
    ----------
    directory : str or Path
        A folder written by :func:`write_cache`.
    team : str, optional
        Read only this team's slice.
    """
    import pyarrow.parquet as pq
    d = Path(directory)
    tables: dict = {"meta": json.loads((d / "meta.json").read_text(encoding="utf-8"))}
    for f in sorted(d.glob("*.parquet")):
        name = f.stem
        filters = None
        if team is not None and name in TEAM_FILTERED:
            filters = [("team", "==", team)]
        df = _from_disk(pq.read_table(f, filters=filters).to_pandas())
        if _ORDER in df.columns:   # written a row group per team: back in the rows' order
            df = (df.sort_values(_ORDER, kind="stable").drop(columns=_ORDER)
                  .reset_index(drop=True))
        tables[name] = df
    for name in ("opportunities", "spend", "satisfaction", "org", "mismatches",
                 "customer_sales", "product_sales", "customer_months", "lines",
                 "forecast_paths", "quarter_projections"):
        tables.setdefault(name, None)
    return team_slice(tables, team) if team is not None else tables


#: the tables with a row per (level, unit): a slice keeps the company's, its team's and its
#: reps' rows only
UNIT_TABLES = ("actuals", "targets", "progress", "projections", "forecast_paths",
               "quarter_projections")


def _rep_names(tables: dict, team: str) -> set[str]:
    p = tables["progress"]
    reps = set(p.loc[(p["level"] == "rep") & (p["team"] == team), "unit"].astype(str))
    c = tables["cube"]
    reps |= set(c.loc[c["team"] == team, "rep"].astype(str))
    return reps


def team_slice(tables: dict, team: str) -> dict:
    """Keep one team's rows and company-level aggregates only (confidential by construction).

    Rep rows are kept for reps of ``team`` (their team at the report month, or with sales
    booked to the team); other teams' team and rep rows are dropped from every table.

    Parameters
    ----------
    tables : dict
        A prepared run.
    team : str
        The team whose report reads the slice.
    """
    reps = _rep_names(tables, team)

    def units(df, level_col="level", unit_col="unit"):
        if df is None:
            return None
        lv, un = df[level_col].astype(str), df[unit_col].astype(str)
        keep = (lv == "company") | ((lv == "team") & (un == team)) | ((lv == "rep") & un.isin(reps))
        return df[keep].reset_index(drop=True)

    def by_team(df):
        if df is None or "team" not in df.columns:
            return None  # no team column: it cannot be split, so no team gets any of it
        return df[df["team"].astype(str) == team].reset_index(drop=True)

    out = dict(tables)
    out["meta"] = dict(tables["meta"], team=team)
    if "pages" in tables["meta"]:
        out["meta"]["pages"] = pages_for(tables["meta"]["pages"], team=team, reps=reps)
    for name in UNIT_TABLES:
        out[name] = units(tables.get(name))
    for name in ("sales", "cube", "customer_months", "customer_sales", "product_sales",
                 "opportunities", "spend", "last_sale"):
        out[name] = by_team(tables.get(name))
    if tables.get("satisfaction") is not None:
        s = tables["satisfaction"]
        out["satisfaction"] = by_team(s) if "team" in s.columns else None
    a = tables["attribution"]
    out["attribution"] = a[(a["parent_level"] == "team") & (a["parent"] == team)].reset_index(drop=True)
    al = tables["alerts"]
    al = al[((al["level"] == "team") & (al["unit"] == team))
            | ((al["level"] == "rep") & al["unit"].isin(reps))
            | (al["level"] == "company")].reset_index(drop=True)
    dq = (al["rule"] == "data_quality").to_numpy()  # their details may name other teams' reps
    out["alerts"] = al.assign(message=al["message"].where(~dq, "Data quality: see the "
                                                          "company report."))
    ti = tables["tiers"]
    out["tiers"] = ti[ti["unit"].isin(reps)].reset_index(drop=True)
    if tables.get("org") is not None:  # without managers' names: lines cross teams
        out["org"] = by_team(tables["org"].drop(columns=["manager"], errors="ignore"))
    out["lines"] = None
    out["mismatches"] = None
    if tables.get("mismatches") is not None:
        mm = tables["mismatches"]
        out["mismatches"] = mm[(mm["parent_level"] == "team") & (mm["parent"] == team)]
    out["excluded"] = None
    rk = tables.get("ranking")
    if rk is not None:
        out["ranking"] = rk.loc[rk["unit"] == team, ["unit", "rank", "of"]].reset_index(drop=True)
    q = tables.get("quality")
    if q is not None and len(q):  # counts only: details may name other teams' reps
        out["quality"] = q.assign(detail="", rows="").reset_index(drop=True)
    return _known_only(out)


#: every table a slice has a rule for; any other table is left out of a slice
SLICED = frozenset({*UNIT_TABLES, "sales", "cube", "customer_months", "customer_sales",
                    "product_sales", "opportunities", "spend", "last_sale", "satisfaction",
                    "attribution", "alerts", "tiers", "org", "lines", "mismatches", "excluded",
                    "ranking", "quality"})


def _known_only(out: dict) -> dict:
    """Drop the tables no slicing rule covers: a new table is never shown to a team unsliced."""
    for name in [k for k, v in out.items() if isinstance(v, pd.DataFrame) and k not in SLICED]:
        out[name] = None
    return out


def pages_for(pages: dict, *, team: str | None = None, reps=None) -> dict:
    """Keep the pack's page map to what one page may link to: its team, its reps.

    ``pages`` (set by ``salesnb run`` in the cache's meta) maps ``index`` and ``company``
    to file names (absent when the run wrote no such page), ``teams`` and ``reps`` to
    ``{name: file}``. A team's slice keeps its own team and reps; a rep's slice its own.

    Parameters
    ----------
    pages : dict
        The pack's page map.
    team : str, optional
        The page's team.
    reps : iterable of str, optional
        The reps the page may link to.
    """
    reps = set(reps or ())
    out = {k: v for k, v in pages.items() if k not in ("teams", "reps")}
    out["teams"] = {k: v for k, v in (pages.get("teams") or {}).items() if k == team}
    out["reps"] = {k: v for k, v in (pages.get("reps") or {}).items() if k in reps}
    return out


def rep_slice(tables: dict, rep: str) -> dict:
    """Keep one rep's rows, their team's and the company's aggregates (confidential by construction).

    The rep's standing among the team's reps is computed first
    (:func:`salesnb.peers.peer_standing`, kept as ``meta["standing"]``: ranks and the
    team's average, no name); then every table keeps only rows of this rep or of the
    rep's team and company as a whole, so the scorecard's kernel never holds another rep's
    figures. Alerts and tiers are the rep's own only.

    Parameters
    ----------
    tables : dict
        A prepared run (or the rep's team's slice).
    rep : str
        The rep whose scorecard reads the slice.
    """
    from .peers import peer_standing
    p = tables["progress"]
    own = p[(p["level"] == "rep") & (p["unit"].astype(str) == str(rep))]
    if own.empty:
        from .exceptions import DataError
        raise DataError(f"rep {rep!r} has no progress row in this run (no target and no sale "
                        "this year): there is no scorecard for them.")
    team = str(own[own["metric"] == "amount"]["team"].iloc[0]) if (own["metric"] == "amount").any() \
        else str(own["team"].iloc[0])
    standing = peer_standing(p, rep) if (own["metric"] == "amount").any() else None
    base = team_slice(tables, team) if tables["meta"].get("team") != team else dict(tables)

    def units(df):
        if df is None:
            return None
        lv, un = df["level"].astype(str), df["unit"].astype(str)
        keep = (lv == "company") | ((lv == "team") & (un == team)) | ((lv == "rep") & (un == rep))
        return df[keep].reset_index(drop=True)

    def by_rep(df):
        if df is None or "rep" not in df.columns:
            return None
        return df[df["rep"].astype(str) == str(rep)].reset_index(drop=True)

    out = dict(base)
    out["meta"] = dict(base["meta"], team=team, rep=rep, standing=standing)
    if "pages" in tables["meta"]:
        out["meta"]["pages"] = pages_for(tables["meta"]["pages"], team=team, reps={rep})
    for name in UNIT_TABLES:
        out[name] = units(base.get(name))
    for name in ("sales", "cube", "customer_months", "customer_sales", "opportunities",
                 "last_sale", "org"):
        out[name] = by_rep(base.get(name))
    out["product_sales"] = None  # team totals by product: not the rep's own
    out["spend"] = None
    out["satisfaction"] = None
    a = base["attribution"]
    out["attribution"] = a[(a["child_level"] == "rep") & (a["child"].astype(str) == str(rep))
                           ].reset_index(drop=True)
    al = base["alerts"]
    out["alerts"] = al[(al["level"] == "rep") & (al["unit"].astype(str) == str(rep))
                       ].reset_index(drop=True)
    ti = base["tiers"]
    out["tiers"] = ti[ti["unit"].astype(str) == str(rep)].reset_index(drop=True)
    out["mismatches"] = None
    out["lines"] = None
    out["excluded"] = None
    return _known_only(out)
