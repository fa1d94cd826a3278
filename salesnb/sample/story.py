"""Where the sample company's story is in its data: :func:`story`."""

from __future__ import annotations

import pandas as pd

__all__ = ["story"]


def story(tables: dict[str, pd.DataFrame]) -> dict:
    """Return who plays which role in a sample company (made by ``make_company``).

    Parameters
    ----------
    tables : dict of str to DataFrame
        The tables of :func:`~salesnb.sample.make_company`.

    Returns
    -------
    dict with ``as_of`` (last sale date), ``joiner``/``joined``/``joiner_team``,
    ``leaver``/``left``/``leaver_team``, ``mover``/``moved``/``from_team``/``to_team``,
    ``under`` and ``over`` (the two reps with the lowest and the two with the highest
    year-to-date attainment among the reps with a target in every month so far: the planted
    under-performers near 60 % and over-performers near 140 %) and ``attainment`` (theirs).

    Examples
    --------
    >>> from salesnb.sample import make_company
    >>> s = story(make_company(seed=1, rows=3000))
    >>> s["moved"].day, s["from_team"] != s["to_team"], len(s["under"]), len(s["over"])
    (1, True, 2, 2)
    """
    org, sales, targets = tables["org"], tables["sales"], tables["targets"]
    n = org["rep"].value_counts()
    single = org[org["rep"].map(n) == 1]
    mv = org[org["rep"].map(n) == 2].sort_values("start", na_position="first")
    joiner = single[single["start"].notna()].iloc[0]
    leaver = single[single["end"].notna()].iloc[0]
    as_of = sales["date"].max()
    months = pd.period_range(f"{as_of.year}-01", as_of.to_period("M"), freq="M").astype(str)
    t = targets[(targets["level"] == "rep") & (targets["metric"] == "amount")
                & targets["period"].isin(months)]
    full = t.groupby("unit")["period"].nunique() == len(months)
    tsum = t.groupby("unit")["target"].sum()[full]
    ytd = sales[sales["date"].dt.year == as_of.year].groupby("rep")["amount"].sum()
    att = (ytd.reindex(tsum.index).fillna(0) / tsum).drop(
        [r for r in (leaver["rep"], joiner["rep"]) if r in tsum.index]).sort_values()
    under, over = att.iloc[:2], att.iloc[::-1].iloc[:2]
    return {
        "as_of": as_of, "joiner": joiner["rep"], "joined": joiner["start"],
        "joiner_team": joiner["team"], "leaver": leaver["rep"], "left": leaver["end"],
        "leaver_team": leaver["team"], "mover": mv["rep"].iloc[0], "moved": mv["start"].iloc[1],
        "from_team": mv["team"].iloc[0], "to_team": mv["team"].iloc[1],
        "under": list(under.index), "over": list(over.index),
        "attainment": {r: round(float(v), 3) for r, v in pd.concat([under, over]).items()},
    }
