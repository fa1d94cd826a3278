"""One name, one unit: names matched on a normalised key across every table of a run.

Teams, reps, customer ids, products and categories are keys: ``East``, ``EAST`` and
`` east`` (or a full-width ``ｅａｓｔ``) are one team. Names are matched on
:func:`salesnb.load.coerce.name_key` (trimmed, inner spaces collapsed, Unicode NFKC,
case-folded) and every table is rewritten to one spelling per key: the first met in the
sales (in file order), else in org, targets, opportunities, spend and satisfaction, in that
order. Each key written more than one way is a warning that counts the rows of each spelling.

The checks of who belongs where also live here: a rep selling for two teams at the same
time (two people with one name) and a rep with two org rows in different teams whose dates
overlap are errors naming the rows.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .coerce import name_key, str_series
from .issues import Issue, rows_text

__all__ = ["NAME_COLUMNS", "unify_names", "rep_in_two_teams", "overlapping_org_rows",
           "empty_customer_ids", "scanned_customer_ids"]

#: which columns of which tables hold each kind of name, in the order spellings are taken
NAME_COLUMNS = {
    "team": [("sales", "team"), ("org", "team"), ("targets", "unit:team"),
             ("opportunities", "team"), ("spend", "team"), ("satisfaction", "team")],
    "rep": [("sales", "rep"), ("org", "rep"), ("org", "manager"), ("targets", "unit:rep"),
            ("opportunities", "rep"), ("satisfaction", "rep")],
    "customer": [("sales", "customer_id"), ("satisfaction", "customer_id")],
    "product": [("sales", "product")],
    "category": [("sales", "category")],
}


def _column(df: pd.DataFrame, spec: str) -> tuple[str, np.ndarray] | None:
    """Return (column, rows mask) of a spec such as ``team`` or ``unit:team``."""
    col, _, level = spec.partition(":")
    if col not in df:
        return None
    mask = df[col].notna().to_numpy().copy()
    if level:
        if "level" not in df:
            return None
        mask = mask & (df["level"] == level).to_numpy()
    return col, mask


def unify_names(tables: dict[str, pd.DataFrame], ctxs: Mapping, issues: list[Issue], *,
                fixed: Mapping[str, list] | None = None) -> dict[str, pd.DataFrame]:
    """Rewrite every name to one spelling per normalised key; warn about each key spelt two ways.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The canonical tables loaded (not modified).
    ctxs : mapping of str to TableContext
        Their contexts, for messages (row numbers as the user counts them).
    issues : list of Issue
        Appended to: one ``name_variants`` warning per kind of name and key spelt two ways.
    fixed : mapping of str to list, optional
        Spellings that come first for a kind (``{"team": [...]}``): the names of scanned
        sales, which cannot be rewritten.

    Returns
    -------
    dict of str to DataFrame
        The tables, with new frames where a name was rewritten.

    Examples
    --------
    >>> s = pd.DataFrame({"team": ["East", "EAST", " east", "West"], "rep": ["Ann", "Bo", "Ann", "Cy"]})
    >>> out, found = {}, []
    >>> out = unify_names({"sales": s}, {}, found)
    >>> out["sales"]["team"].tolist(), found[0].count
    (['East', 'East', 'East', 'West'], 2)
    """
    out = dict(tables)
    for kind, specs in NAME_COLUMNS.items():
        canon: dict[str, str] = {}
        for name in (fixed or {}).get(kind, []):
            if isinstance(name, str):
                canon.setdefault(name_key(pd.Series([name])).iloc[0], name)
        places = []
        for table, spec in specs:
            df = out.get(table)
            if df is None:
                continue
            got = _column(df, spec)
            if got is None:
                continue
            col, mask = got
            values = df[col]
            uniq = pd.unique(values[mask])
            keys = name_key(pd.Series(uniq, dtype=object))
            for v, k in zip(uniq, keys, strict=True):
                canon.setdefault(k, v)
            places.append((table, col, mask, dict(zip(uniq, keys, strict=True))))
        variants: dict[str, dict[str, list]] = {}
        for table, col, mask, keyof in places:
            df = out[table]
            to = {v: canon[k] for v, k in keyof.items() if canon[k] != v}
            if not to:
                continue
            values = df[col]
            moved = mask & values.isin(list(to)).to_numpy()
            new = values.astype(object).where(~moved, values.map(to))
            out[table] = df.assign(**{col: str_series(new.fillna(""), new.isna())})
            ctx = ctxs.get(table)
            for v in to:
                pos = np.flatnonzero(mask & (values == v).to_numpy())
                rows = [int(r) for r in ctx.rows[pos]] if ctx is not None else []
                entry = variants.setdefault(canon[keyof[v]], {})
                entry.setdefault(v, []).append((table, ctx, rows, len(pos)))
        for target, spellings in variants.items():
            n = sum(c for places_ in spellings.values() for _, _, _, c in places_)
            parts = []
            for v, found in spellings.items():
                where = "; ".join(
                    f"{ctx.name if ctx is not None else table} "
                    f"{rows_text(rows, ctx.noun if ctx is not None else 'row', limit=5)}"
                    for table, ctx, rows, _ in found)
                parts.append(f"{v!r} ({where})")
            first = next(iter(spellings.values()))[0]
            fname = first[1].name if first[1] is not None else first[0]
            issues.append(Issue(
                "warning", first[0], fname, "name_variants", kind, [], n,
                list(spellings)[:5],
                f"{kind} {target!r} is also written {', '.join(parts)}: {n} row"
                f"{'s' if n != 1 else ''} read as {target!r} (names are matched ignoring case, "
                "spaces and full-width letters; the first spelling is kept)."))
    return out


def rep_in_two_teams(sales: pd.DataFrame, ctx, *, fixed_team: bool) -> list[Issue]:
    """Return an error for each rep whose sales name two teams over overlapping dates.

    A rep who moves from one team to another sells for the first up to a day and for the
    second from then on; sales for two teams whose date ranges overlap are two people with
    one name (or a wrong team column), which would add up to one rep's figures.

    Parameters
    ----------
    sales : DataFrame
        Canonical sales (date, team, rep).
    ctx : TableContext or None
        The sales' context, for messages (None: the scan engine's daily table, whose rows
        are not the file's; the errors then name no rows).
    fixed_team : bool
        True when the teams come from the sales' own team column (teams from the org table
        cannot overlap: the org check finds that).

    Returns
    -------
    list of Issue

    Examples
    --------
    >>> from salesnb.load.tables import TableContext
    >>> s = pd.DataFrame({"date": pd.to_datetime(["2025-01-02", "2025-01-09", "2025-01-05"]),
    ...                   "team": ["East", "East", "West"], "rep": ["Ann", "Ann", "Ann"]})
    >>> ctx = TableContext("sales", "s.csv", "row", np.arange(3) + 2, {})
    >>> print(rep_in_two_teams(s, ctx, fixed_team=True)[0].message)  # doctest: +ELLIPSIS
    s.csv: rep 'Ann' sells for 2 teams over the same dates: East (rows 2, 3; 2025-01-02 to 2025-01-09), West (row 4; 2025-01-05 to 2025-01-05). ...
    """
    if not fixed_team or not {"date", "team", "rep"} <= set(sales) or not len(sales):
        return []
    s = sales[["date", "team", "rep"]].dropna()
    span = s.groupby(["rep", "team"], sort=True)["date"].agg(["min", "max"])
    multi = span.groupby(level="rep").size()
    out = []
    for rep in multi[multi > 1].index:
        sp = span.loc[rep].sort_values("min")
        clash = (sp["min"].to_numpy()[1:] <= np.maximum.accumulate(sp["max"].to_numpy())[:-1])
        if not clash.any():
            continue
        parts, allrows = [], []
        for team, r in sp.iterrows():
            pos = np.flatnonzero(((sales["rep"] == rep) & (sales["team"] == team)).to_numpy())
            rows = [int(x) for x in ctx.rows[pos]] if ctx is not None else []
            allrows += rows[:5]
            where = f"{rows_text(rows, ctx.noun, limit=5)}; " if ctx is not None else ""
            parts.append(f"{team} ({where}{r['min']:%Y-%m-%d} to {r['max']:%Y-%m-%d})")
        name = ctx.name if ctx is not None else "sales"
        out.append(Issue(
            "error", "sales", name, "rep_in_two_teams", "rep", sorted(allrows),
            int((sales["rep"] == rep).sum()), [rep],
            f"{name}: rep {rep!r} sells for {len(sp)} teams over the same dates: "
            f"{', '.join(parts)}. If these are different people, give them different names "
            f"(e.g. '{rep} ({sp.index[-1]})'); if one rep moved, the sales of each team must "
            "fall in its own dates (or give an org table with start and end dates and no "
            "team column)."))
    return out


def overlapping_org_rows(org: pd.DataFrame, ctx) -> list[Issue]:
    """Return an error for each rep with org rows in different teams whose dates overlap.

    Parameters
    ----------
    org : DataFrame
        The canonical org table (rep, team; start and end optional: empty means open).
    ctx : TableContext
        The org table's context, for messages.

    Returns
    -------
    list of Issue

    Examples
    --------
    >>> from salesnb.load.tables import TableContext
    >>> o = pd.DataFrame({"rep": ["Ann", "Ann", "Bob"], "team": ["East", "West", "East"]})
    >>> ctx = TableContext("org", "org.csv", "row", np.arange(3) + 2, {})
    >>> print(overlapping_org_rows(o, ctx)[0].message)  # doctest: +ELLIPSIS
    org.csv: rep 'Ann' is in 2 teams at the same time: rows 2, 3 (East from the start to the end, West from the start to the end). ...
    """
    if not {"rep", "team"} <= set(org) or not len(org):
        return []
    lo = org["start"] if "start" in org else pd.Series(pd.NaT, index=org.index)
    hi = org["end"] if "end" in org else pd.Series(pd.NaT, index=org.index)
    o = pd.DataFrame({"rep": org["rep"], "team": org["team"],
                      "lo": pd.to_datetime(lo).fillna(pd.Timestamp.min),
                      "hi": pd.to_datetime(hi).fillna(pd.Timestamp.max),
                      "pos": np.arange(len(org))}).dropna(subset=["rep", "team"])
    out = []
    for rep, g in o.groupby("rep", sort=True):
        if g["team"].nunique() < 2:
            continue
        g = g.sort_values("lo", kind="stable")
        bad: set[int] = set()
        rows = g.to_dict("records")
        for i, a in enumerate(rows):
            for b in rows[i + 1:]:
                if a["team"] != b["team"] and b["lo"] <= a["hi"] and a["lo"] <= b["hi"]:
                    bad |= {a["pos"], b["pos"]}
        if not bad:
            continue
        pos = sorted(bad)
        sel = o.set_index("pos").loc[pos]

        def day(v, edge):
            return edge if v in (pd.Timestamp.min, pd.Timestamp.max) else f"{v:%Y-%m-%d}"

        what = ", ".join(f"{r.team} from {day(r.lo, 'the start')} to {day(r.hi, 'the end')}"
                         for r in sel.itertuples())
        user = [int(r) for r in ctx.rows[pos]]
        out.append(Issue(
            "error", "org", ctx.name, "org_overlap", "team", user, len(user), [rep],
            f"{ctx.name}: rep {rep!r} is in {sel['team'].nunique()} teams at the same time: "
            f"{rows_text(user, ctx.noun)} ({what}). Give each row start and end dates that "
            "do not overlap (a rep who moved), or different names (two people)."))
    return out


def empty_customer_ids(sales: pd.DataFrame, ctx) -> list[Issue]:
    """Return a warning counting the sales with an empty customer id, and saying how they count.

    Parameters
    ----------
    sales : DataFrame
        Canonical sales with a ``customer_id`` column.
    ctx : TableContext
        The sales' context, for messages.

    Returns
    -------
    list of Issue
    """
    if "customer_id" not in sales or not len(sales):
        return []
    empty = sales["customer_id"].isna().to_numpy()
    if not empty.any():
        return []
    amount = float(sales.loc[empty, "amount"].sum()) if "amount" in sales else float("nan")
    pos = np.flatnonzero(empty)
    rows = [int(r) for r in ctx.rows[pos]]
    n = len(rows)
    return [Issue(
        "warning", "sales", ctx.name, "empty_customer_id", "customer_id", rows, n, [],
        f"{ctx.name}: {ctx.col('customer_id')}: empty in {n} {ctx.noun}{'s' if n != 1 else ''}"
        f" ({rows_text(rows, ctx.noun)}; amount {amount:,.2f} in all): these sales count in "
        "every amount, but belong to no customer, so customer counts, new customers, CAC, "
        "CLTV and top customers leave them out. Fill in the customer ids to count them.")]


def scanned_customer_ids(digest: dict, name: str) -> list[Issue]:
    """Return the warning about empty customer ids from a scanned digest (counted, not listed).

    Parameters
    ----------
    digest : dict
        The sales digest (``customer_monthly``; ``meta["empty_customer_id"]`` when counted).
    name : str
        The sales' name in messages.

    Returns
    -------
    list of Issue
    """
    cm = digest.get("customer_monthly")
    if cm is None or not cm["customer_id"].isna().any():
        return []
    no_id = cm[cm["customer_id"].isna()]
    n = digest["meta"].get("empty_customer_id")
    count = f"{n:,} sales" if n is not None else "sales"
    return [Issue(
        "warning", "sales", name, "empty_customer_id", "customer_id", [], n or 0, [],
        f"{name}: column 'customer_id': empty in {count} (amount "
        f"{float(no_id['amount'].sum()):,.2f} in all; the scan engine counts them but does "
        "not list their rows): these sales count in every amount, but belong to no "
        "customer, so customer counts, new customers, CAC, CLTV and top customers leave "
        "them out. Fill in the customer ids to count them.")]
