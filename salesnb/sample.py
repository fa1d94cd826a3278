"""Make a deterministic, realistic synthetic sales company in the canonical shape.

The company sells hardware, software, services, accessories and networking gear through
teams that belong to regions (East, West, ... or 华东, 华南, ...). Its data runs from 1 January
``years`` years before ``end`` through ``end``: full past years plus the current year to date.

What the data holds, so reports and tests can point at it (:func:`story` finds the actors):

* **seasonality** (February dip for the Spring Festival, a June bump, a Q4 peak with November
  and December highest; weekends quiet), **growth** of 8-15 % a year per team, and noise;
* **targets** set each year at last year's actual x 1.1 with per-unit variation, split to
  months by last year's shape, so current-year attainment is near 100 % for most reps, except
  **two under-performers** (56 % and 64 % of target this year) and **two over-performers**
  (about 140 %), their sales visibly down or up on last year;
* a **joiner** (first day mid-way through the current year, ramping up), a **leaver** (last day
  in the summer of last year; a teammate takes over the accounts) and a **mover** (changes
  team on the first day of a month this year: earlier sales count for the old team, later ones
  for the new);
* about 1 % **returns** (whole orders with negative quantity and amount, order id ``RT...``);
* customers that mostly buy from one rep (their account owner), new customers every month,
  opportunities with stages and outcomes, monthly spend per team and satisfaction surveys.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from salesnb import __version__
from salesnb.cube import COMPANY
from salesnb.exceptions import ParamsError
from salesnb.io import write_tables
from salesnb.params import DATA_KEYS, check_params, resolve_params

__all__ = ["SAMPLE_END", "DEFAULT_ROWS", "make_company", "story", "sample_home",
           "sample_params"]

#: the default last day of the sample data ("today" of the sample company)
SAMPLE_END = "2026-10-31"
#: about this many sales rows when ``rows`` is not given
DEFAULT_ROWS = 90_000

_SEASON = np.array([0.95, 0.70, 1.00, 0.96, 1.00, 1.10, 0.92, 0.92, 1.02, 0.97, 1.25, 1.30])
_WEEKDAY = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.35, 0.2])
_STAGES = np.array(["Lead", "Qualified", "Proposal", "Negotiation"], dtype=object)
_CN_NUM = "一二三四五六七八九十"
# (team name, region, stem for extra teams, kind)
_TEAMS = {
    "en": [("East", "East", "East", 0), ("Northeast", "East", "Northeast", 0),
           ("South", "South", "South", 0), ("North", "North", "North", 0),
           ("West", "West", "West", 0), ("Online", "National", "Online", 1),
           ("Central", "Central", "Central", 0), ("Partners", "National", "Partners", 2)],
    "zh": [("华东一组", "华东", "华东", 0), ("上海组", "华东", "上海", 0), ("华南区", "华南", "华南", 0),
           ("华北区", "华北", "华北", 0), ("西部区", "西部", "西部", 0), ("电商部", "全国", "电商", 1),
           ("华中区", "华中", "华中", 0), ("渠道部", "全国", "渠道", 2)],
}
_CHANNELS = {"en": ["Direct", "Online", "Partner"], "zh": ["直销", "线上", "渠道"]}
_CHANNEL_P = np.array([[0.75, 0.15, 0.10], [0.05, 0.90, 0.05], [0.10, 0.05, 0.85]])
_PRODUCTS = [  # (en category, zh category, [(en product, zh product, list price in USD)])
    ("Hardware", "硬件", [("Laptop", "笔记本电脑", 1200), ("Monitor", "显示器", 300),
                          ("Docking Station", "扩展坞", 180), ("Keyboard", "键盘", 60)]),
    ("Software", "软件", [("Office Suite", "办公套件", 250), ("Security Suite", "安全软件", 120),
                          ("Design Studio", "设计工作室", 600), ("CRM Seats", "CRM席位", 400)]),
    ("Services", "服务", [("Installation", "安装服务", 500), ("Training Day", "培训课程", 900),
                          ("Support Plan", "运维支持", 1500)]),
    ("Accessories", "配件", [("Headset", "耳机", 80), ("Mouse", "鼠标", 30),
                             ("Cable Kit", "线缆套装", 20), ("Backpack", "双肩包", 70),
                             ("Webcam", "摄像头", 90)]),
    ("Networking", "网络设备", [("Router", "路由器", 350), ("Switch", "交换机", 800),
                                ("Access Point", "无线AP", 220)]),
]
_FIRST = ("James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William "
          "Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Lisa Matthew "
          "Nancy Anthony Betty Mark Sandra Steven Ashley Paul Emily Andrew Kimberly Joshua "
          "Michelle Kevin Amanda Brian Melissa George Laura Timothy Rebecca Ryan Sharon Jason "
          "Cynthia Eric Angela").split()
_LAST = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
         "Lopez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Thompson White Harris "
         "Clark Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores "
         "Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Phillips Evans "
         "Turner Parker").split()
_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾")
_GIVEN = ("伟 芳 娜 秀英 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀兰 霞 平 刚 桂英 文 华 建国 "
          "志强 晓东 婷 雪 鹏 浩然 子涵 欣怡 宇轩 思远 佳怡 俊杰 梓萱 海燕 建华 丹 琳 飞 斌 "
          "宁 红 玲 慧 凯 晨 悦 博文 雨萱 一鸣 嘉怡 文博 可欣 天宇 诗涵").split()


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Split integer ``total`` by ``weights`` into integers that add up to it exactly."""
    w = np.clip(np.asarray(weights, dtype=float), 0.0, None)
    if w.sum() <= 0:
        w = np.ones_like(w)
    exact = total * w / w.sum()
    parts = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - parts), kind="stable")
    parts[order[: int(total - parts.sum())]] += 1
    return parts


def _check(seed, lang, teams, reps, rows, end, years) -> pd.Timestamp:
    def bad(name, allowed, got, fix):
        raise ParamsError(f"{name} must be {allowed}, got {got!r}; {fix}")

    if not isinstance(seed, (int, np.integer)) or seed < 0:
        bad("seed", "a non-negative integer", seed, "pass e.g. seed=0")
    if lang not in ("en", "zh"):
        bad("lang", "'en' or 'zh'", lang, "pass lang='en' or lang='zh'")
    if not isinstance(teams, (int, np.integer)) or not 2 <= teams <= 50:
        bad("teams", "an integer from 2 to 50", teams, "pass e.g. teams=6")
    low = max(8, teams + 6)
    if not isinstance(reps, (int, np.integer)) or not low <= reps <= 500:
        bad("reps", f"an integer from {low} (teams + 6, at least 8) to 500", reps,
            f"pass reps={max(low, 40)} or fewer teams")
    if rows is not None and (not isinstance(rows, (int, np.integer)) or rows < 1000):
        bad("rows", "None or an integer of at least 1000", rows, f"pass e.g. rows={DEFAULT_ROWS}")
    if not isinstance(years, (int, np.integer)) or not 1 <= years <= 10:
        bad("years", "an integer from 1 to 10 (full years before the current one)", years,
            "pass e.g. years=3")
    try:
        day = pd.Timestamp(end).normalize()
    except (ValueError, TypeError):
        day = None
    if day is None or day.month < 3:
        bad("end", "a date on or after 1 March of its year (room for a joiner and a mover)",
            end, f"pass e.g. end={SAMPLE_END!r}")
    return day


def _cast(rng, lang, n_teams, n_reps, start, end):
    """Draw the company's structure: teams, reps, roles, key dates and latent factors."""
    team_names, regions, kinds = [], [], []
    for i in range(n_teams):
        name, region, stem, kind = _TEAMS[lang][i % 8]
        k = i // 8
        if k:
            name = f"{stem} {k + 1}" if lang == "en" else f"{stem}{_CN_NUM[k]}组"
        team_names.append(name)
        regions.append(region)
        kinds.append(kind)
    first, last = (_FIRST, _LAST) if lang == "en" else (_SURNAMES, _GIVEN)
    picks = rng.choice(len(first) * len(last), n_reps, replace=False)
    if lang == "en":
        names = [f"{first[p // len(last)]} {last[p % len(last)]}" for p in picks]
    else:
        names = [first[p // len(last)] + last[p % len(last)] for p in picks]
    rep_team = rng.permutation(np.arange(n_reps) % n_teams)
    size = np.bincount(rep_team, minlength=n_teams)
    order = rng.permutation(n_reps)
    leaver = next(r for r in order if size[rep_team[r]] >= 2)
    mover = next(r for r in order if size[rep_team[r]] >= 2 and rep_team[r] != rep_team[leaver])
    gone = np.bincount(rep_team[[leaver, mover]], minlength=n_teams)
    # the joiner's team keeps a rep who is there all along (no team is ever empty)
    joiner = next(r for r in order if r not in (leaver, mover)
                  and size[rep_team[r]] - gone[rep_team[r]] >= 2)
    rest = [r for r in order if r not in (leaver, mover, joiner)]
    under, over = rest[:2], rest[2:4]
    successor = next(r for r in order if rep_team[r] == rep_team[leaver]
                     and r not in (leaver, joiner))
    new_team = (rep_team[mover] + 1 + rng.integers(n_teams - 1)) % n_teams
    cy = pd.Timestamp(year=end.year, month=1, day=1)
    span = (end - cy).days
    join = cy + pd.Timedelta(days=int(span * rng.uniform(0.35, 0.6)))
    leave = pd.Timestamp(year=end.year - 1, month=6, day=1) + pd.Timedelta(
        days=int(rng.integers(0, 92)))
    move_month = int(rng.integers(max(2, round(end.month * 0.4)), max(2, end.month - 1) + 1))
    move = pd.Timestamp(year=end.year, month=move_month, day=1)
    quality = rng.normal(1.0, 0.04, n_reps)
    quality[under], quality[over] = 0.85, 1.12
    return dict(
        team_names=team_names, regions=regions, kinds=np.array(kinds), names=names,
        rep_team=rep_team, leaver=leaver, mover=mover, joiner=joiner, under=under, over=over,
        successor=successor, new_team=new_team, join=join, leave=leave, move=move,
        prod=np.clip(rng.lognormal(0, 0.25, n_reps), 0.6, 2.0),
        level=rng.lognormal(0, 0.25, n_teams), growth=rng.uniform(0.08, 0.15, n_teams),
        tilt=rng.lognormal(0, 0.35, (n_teams, len(_PRODUCTS))), quality=quality,
        spend_rate=rng.uniform(0.07, 0.13, n_teams),
        start=start, end=end,
    )


def _intensity(c, rng, days):
    """Return the expected daily order intensity (days x reps) and the team of each cell."""
    n_reps, n_days = len(c["names"]), len(days)
    start, end = c["start"], c["end"]
    t_years = ((days - start).days / 365.25).to_numpy()
    mi = ((days.year - start.year) * 12 + days.month - 1).to_numpy()
    yi = (days.year - start.year).to_numpy()
    team_of = np.broadcast_to(c["rep_team"], (n_days, n_reps)).copy()
    team_of[np.asarray(days >= c["move"]), c["mover"]] = c["new_team"]
    n_teams = len(c["team_names"])
    shock = rng.lognormal(0, 0.05, (mi.max() + 1, n_teams)) * rng.lognormal(
        0, 0.03, (yi.max() + 1, n_teams))[np.arange(mi.max() + 1) // 12]
    team_f = c["level"] * (1 + c["growth"]) ** t_years[:, None] * shock[mi]
    time_f = _SEASON[days.month - 1] * _WEEKDAY[days.dayofweek]
    rep_year = rng.lognormal(0, 0.02, (yi.max() + 1, n_reps))
    lam = (np.take_along_axis(team_f, team_of, axis=1) * time_f[:, None] * c["prod"]
           * rep_year[yi])
    moved = days >= c["move"]  # the mover keeps their own level in the new team
    lam[moved, c["mover"]] *= c["level"][c["rep_team"][c["mover"]]] / c["level"][c["new_team"]]
    current = np.asarray(days.year == end.year)
    lam[np.ix_(current, c["under"])] *= 0.6
    lam[np.ix_(current, c["over"])] *= 1.4
    since = (days - c["join"]).days.to_numpy()
    lam[:, c["joiner"]] *= np.where(since < 0, 0.0, np.clip(0.3 + since / 120, 0.3, 1.0))
    lam[np.asarray(days > c["leave"]), c["leaver"]] = 0.0
    return lam, team_of


def _customers(c, rng, n_cust, n_days, days):
    """Return the account book (owner, start day) sorted for look-up, and each customer's start."""
    n_reps = len(c["names"])
    owner = np.concatenate([np.repeat(np.arange(n_reps), 3),
                            rng.choice(n_reps, n_cust - 3 * n_reps, p=c["prod"] / c["prod"].sum())])
    rng.shuffle(owner)
    start = np.where(rng.random(n_cust) < 0.45, 0, rng.integers(0, n_days, n_cust))
    j0 = int((days < c["join"]).sum())
    js = owner == c["joiner"]
    start[js] = rng.integers(j0, n_days, js.sum())
    l0 = int((days <= c["leave"]).sum())
    taken = np.flatnonzero(owner == c["leaver"])
    b_owner = np.concatenate([owner, np.full(len(taken), c["successor"])])
    b_start = np.concatenate([start, np.maximum(start[taken], l0)])
    b_cust = np.concatenate([np.arange(n_cust), taken])
    key = b_owner.astype(np.int64) * (n_days + 1) + b_start
    o = np.argsort(key, kind="stable")
    return key[o], b_cust[o], start


def make_company(*, seed: int = 0, lang: Literal["en", "zh"] = "en", teams: int = 6,
                 reps: int = 40, rows: int | None = None, end: str | pd.Timestamp = SAMPLE_END,
                 years: int = 3) -> dict[str, pd.DataFrame]:
    """Make the sample company's canonical tables (deterministic for a given seed).

    Parameters
    ----------
    seed : the random seed; the same arguments always give identical tables.
    lang : ``"en"`` or ``"zh"`` (Chinese team, rep, customer, product and channel names).
    teams, reps : how many teams (2-50) and reps (teams + 6 to 500).
    rows : about this many sales rows (default :data:`DEFAULT_ROWS`); customers and
        opportunities scale with it.
    end : the last day of data; the data starts on 1 January of ``end``'s year - ``years``.
    years : full calendar years before the current one.

    Returns
    -------
    dict of DataFrames, keyed by table name:

    * ``sales``: date, team, rep, customer_id, product, category, quantity, amount,
      order_id, region, channel
    * ``org``: rep, team, region, start, end, title, manager (each team's lead manages it;
      the first team's lead, a sales director who also sells, manages the leads), email
      (at example.com)
    * ``targets``: period, level, unit, metric, target (monthly amount targets for the
      company, teams and reps that add up exactly; annual new_customers for company and teams)
    * ``opportunities``: opportunity_id, created, stage, amount, team, rep, expected_close,
      closed, outcome
    * ``spend``: month, team, spend
    * ``satisfaction``: date, customer_id, score, team, rep

    Examples
    --------
    >>> t = make_company(seed=1, rows=3000)
    >>> sorted(t)
    ['opportunities', 'org', 'sales', 'satisfaction', 'spend', 'targets']
    >>> s = t["sales"]
    >>> s["team"].nunique(), s["region"].nunique(), str(s["date"].min())[:4], str(s["date"].max())[:4]
    (6, 5, '2023', '2026')
    """
    end_day = _check(seed, lang, teams, reps, rows, end, years)
    n_rows = DEFAULT_ROWS if rows is None else int(rows)
    start = pd.Timestamp(year=end_day.year - years, month=1, day=1)
    days = pd.date_range(start, end_day, freq="D")
    r_cast, r_sales, r_opp, r_sat = (np.random.default_rng(s)
                                     for s in np.random.SeedSequence(int(seed)).spawn(4))
    c = _cast(r_cast, lang, teams, reps, start, end_day)
    lam, team_of = _intensity(c, r_sales, days)
    n_days = len(days)

    # orders per (day, rep) cell, in date order: systematic sampling of a jittered intensity,
    # so days vary but a rep's yearly count follows the plan (keeps under/over-performers clear)
    jitter = lam * r_sales.lognormal(0, 0.25, lam.shape)
    cum = np.floor(np.cumsum(jitter * (n_rows / 1.5 / jitter.sum()), axis=0)
                   + r_sales.random(reps))
    counts = np.diff(cum, axis=0, prepend=0.0).astype(np.int64)
    cell = np.repeat(np.arange(counts.size), counts.ravel())
    o_day, o_rep = np.divmod(cell, reps)
    o_team = team_of[o_day, o_rep]
    n_ord = len(cell)
    n_cust = max(1000, n_rows // 40, 8 * reps)
    key, b_cust, c_start = _customers(c, r_sales, n_cust, n_days, days)
    lo = np.searchsorted(key, o_rep.astype(np.int64) * (n_days + 1), "left")
    hi = np.searchsorted(key, o_rep.astype(np.int64) * (n_days + 1) + o_day, "right")
    pick = lo + np.floor(np.maximum(hi - lo, 1) * r_sales.random(n_ord) ** 1.5).astype(np.int64)
    o_cust = b_cust[pick]
    by_start = np.argsort(c_start, kind="stable")
    n_open = np.searchsorted(c_start[by_start], o_day, "right")
    shared = (r_sales.random(n_ord) < 0.08) & (n_open > 0)
    o_cust[shared] = by_start[np.floor(n_open[shared] * r_sales.random(shared.sum()))
                              .astype(np.int64)]
    ccum = _CHANNEL_P.cumsum(axis=1)[c["kinds"][o_team]]
    o_chan = (r_sales.random(n_ord)[:, None] > ccum[:, :-1]).sum(axis=1)
    o_ret = r_sales.random(n_ord) < 0.01

    # lines
    n_lines = 1 + r_sales.poisson(0.5, n_ord)
    li = np.repeat(np.arange(n_ord), n_lines)
    cats = [(p, cat) for cat, (_, _, prods) in enumerate(_PRODUCTS) for p in prods]
    price = np.array([p[2] for p, _ in cats], dtype=float) * (1.0 if lang == "en" else 7.0)
    p_cat = np.array([cat for _, cat in cats])
    pop = np.array([3, 4, 2, 3, 3, 2, 2, 2, 3, 2, 1, 3, 4, 3, 2, 2, 2, 2, 3], dtype=float)
    pcum = (pop * c["tilt"][:, p_cat]).cumsum(axis=1)
    pcum /= pcum[:, -1:]
    prod = (r_sales.random(len(li))[:, None] > pcum[o_team[li], :-1]).sum(axis=1)
    sign = np.where(o_ret[li], -1.0, 1.0)
    qty = sign * (1 + r_sales.poisson(np.clip(400 / price[prod] * (7.0 if lang == "zh" else 1.0),
                                              0.2, 5)))
    disc = r_sales.choice([0.0, 0.05, 0.10, 0.15, 0.20], len(li), p=[.5, .2, .15, .1, .05])
    amount = np.round(qty * price[prod] * (1 - disc), 2)

    names = np.array(c["names"], dtype=object)
    tnames = np.array(c["team_names"], dtype=object)
    width = max(4, len(str(n_cust)))
    cid = np.array([f"{'C' if lang == 'en' else '客户'}{i + 1:0{width}d}" for i in range(n_cust)],
                   dtype=object)[np.argsort(np.argsort(c_start, kind="stable"), kind="stable")]
    onum = pd.Series(np.arange(1, n_ord + 1)).astype(str).str.zfill(7)
    oid = (pd.Series(np.where(o_ret, "RT", "SO")) + onum).to_numpy(dtype=object)
    prod_names = np.array([p[0 if lang == "en" else 1] for p, _ in cats], dtype=object)
    cat_names = np.array([x[0 if lang == "en" else 1] for x in _PRODUCTS], dtype=object)
    S = lambda a: pd.array(a, dtype="str")  # noqa: E731
    sales = pd.DataFrame({
        "date": days.to_numpy().astype("datetime64[ns]")[o_day[li]],
        "team": S(tnames[o_team[li]]), "rep": S(names[o_rep[li]]),
        "customer_id": S(cid[o_cust[li]]), "product": S(prod_names[prod]),
        "category": S(cat_names[p_cat[prod]]), "quantity": qty, "amount": amount,
        "order_id": S(oid[li]), "region": S(np.array(c["regions"], dtype=object)[o_team[li]]),
        "channel": S(np.array(_CHANNELS[lang], dtype=object)[o_chan[li]]),
    })
    line = dict(day=o_day[li], rep=o_rep[li], team=o_team[li], amount=amount)
    org = _org(c, names, tnames, lang)
    targets = _targets(c, r_cast, line, days, o_day, o_team, o_cust, n_cust, tnames, names)
    opps = _opportunities(c, r_opp, lam, team_of, days, n_rows, amount.sum(), tnames, names)
    spend = _spend(c, r_opp, line, days, tnames)
    sat = _satisfaction(c, r_sat, o_day, o_rep, o_team, o_cust, days, cid, tnames, names)
    return {"sales": sales, "org": org, "targets": targets, "opportunities": opps,
            "spend": spend, "satisfaction": sat}


_TITLES = {"en": ("Sales Director", "Team Lead", "Sales Representative"),
           "zh": ("销售总监", "团队经理", "销售代表")}


def _emails(names) -> dict:
    """Return an example.com address per rep: ``first.last`` for Latin names, ``rep-NNN``
    (the rep's number) otherwise; no random draw, so adding them changes no figure.

    Examples
    --------
    >>> _emails(["Ann Lee", "王伟", "Ann Lee"])
    {'Ann Lee': 'ann.lee@example.com', '王伟': 'rep-002@example.com'}
    """
    out: dict = {}
    used: set = set()
    for i, name in enumerate(names):
        if name in out:
            continue
        local = ".".join(re.findall(r"[a-z0-9]+", str(name).lower())) \
            if str(name).isascii() else ""
        local = local or f"rep-{i + 1:03d}"
        while local in used:
            local += f".{i + 1}"
        used.add(local)
        out[name] = f"{local}@example.com"
    return out


def _org(c, names, tnames, lang="en") -> pd.DataFrame:
    """One row per rep and team spell; each team's lead manages it, the first team's lead
    (a sales director who also sells) manages the other leads."""
    nat = pd.NaT
    rows = []
    special = {c["leaver"], c["mover"], c["joiner"]}
    lead = {}
    for r in range(len(names)):  # the first rep of each team who is there all along
        t = c["rep_team"][r]
        if t not in lead or (lead[t] in special and r not in special):
            lead[t] = r
    director = lead[min(lead)]
    director_t, lead_t, rep_t = _TITLES[lang]

    def line(r, team):
        if r == director:
            return director_t, ""
        if lead.get(team) == r:
            return lead_t, names[director]
        return rep_t, names[lead[team]] if team in lead else names[director]

    for r, name in enumerate(names):
        team = c["rep_team"][r]
        s = c["join"] if r == c["joiner"] else nat
        e = c["leave"] if r == c["leaver"] else nat
        if r == c["mover"]:
            rows.append((name, tnames[team], c["regions"][team], nat,
                         c["move"] - pd.Timedelta(days=1), *line(r, team)))
            team, s = c["new_team"], c["move"]
        rows.append((name, tnames[team], c["regions"][team], s, e, *line(r, team)))
    org = pd.DataFrame(rows, columns=["rep", "team", "region", "start", "end", "title",
                                      "manager"])
    org["email"] = org["rep"].map(_emails(names))
    for col in ("rep", "team", "region", "title", "manager", "email"):
        org[col] = org[col].astype("str")
    for col in ("start", "end"):
        org[col] = pd.to_datetime(org[col]).astype("datetime64[ns]")
    return org.sort_values(["team", "rep", "start"], na_position="first").reset_index(drop=True)


def _targets(c, rng, line, days, o_day, o_team, o_cust, n_cust, tnames, names) -> pd.DataFrame:
    """Set monthly amount targets (company, teams, reps) from last year's actuals x 1.1."""
    n_reps, n_teams, y0 = len(names), len(tnames), c["start"].year
    n_years = c["end"].year - y0 + 1
    mi = (days.year - y0).to_numpy()[line["day"]] * 12 + (days.month - 1).to_numpy()[line["day"]]
    rep_m = np.bincount(line["rep"] * n_years * 12 + mi, line["amount"],
                        n_reps * n_years * 12).reshape(n_reps, n_years, 12)
    team_m = np.bincount(line["team"] * n_years * 12 + mi, line["amount"],
                         n_teams * n_years * 12).reshape(n_teams, n_years, 12)
    # new customers: first order's team and year
    first = np.full(n_cust, -1)
    first[o_cust[::-1]] = np.arange(len(o_cust))[::-1]
    has = first >= 0
    new_ty = np.zeros((n_teams, n_years))
    np.add.at(new_ty, (o_team[first[has]], (days.year - y0).to_numpy()[o_day[first[has]]]), 1)
    rec: list[tuple[str, str, str, int]] = []
    for y in range(n_years):
        base_y = y - 1 if y else 0
        months = pd.period_range(f"{y0 + y}-01", periods=12, freq="M")
        labels = list(months.astype(str))
        act = np.ones((n_reps, 12), dtype=bool)
        act[c["joiner"]] = months.end_time.normalize() >= c["join"]
        act[c["leaver"]] = months.start_time <= c["leave"]
        team = np.broadcast_to(c["rep_team"][:, None], (n_reps, 12)).copy()
        team[c["mover"], months.start_time >= c["move"]] = c["new_team"]
        shape = team_m[:, base_y] / np.maximum(team_m[:, base_y].sum(axis=1, keepdims=True), 1)
        # monthly base per rep: average month of up to 3 past years, each scaled to last
        # year's company level (first year: this year's actual / 1.1)
        past = list(range(max(0, y - 3), y)) or [0]
        comp_y = team_m.sum(axis=(0, 2))
        a = sum(rep_m[:, j].sum(axis=1) * comp_y[base_y] / comp_y[j] for j in past)
        a = a / len(past) / 12 / (1.0 if y else 1.1)
        mates = (team[:, -1] == team[c["joiner"], -1]) & act.all(axis=1)
        a[c["joiner"]] = 0.7 * np.median(a[mates])
        noise = rng.lognormal(0, 0.03, (n_reps, 1))
        if y == n_years - 1:  # plant the story: this year's pace / goal attainment
            done = np.arange(12) < c["end"].month
            for r, goal in zip(c["under"] + c["over"], (0.56, 0.64, 1.48, 1.38), strict=True):
                pace = rep_m[r, y, done].sum() / shape[team[r, done], done.nonzero()[0]].sum()
                a[r], noise[r] = pace / 12 / 1.1 / goal, 1.0
        raw = np.where(act, a[:, None] * 1.1 * noise * shape[team, np.arange(12)], 0.0)
        total = int(round(team_m[:, base_y].sum() * (1.1 if y else 1.0), -3))
        team_w = np.array([raw[team == k].sum() for k in range(n_teams)])
        for k, tk in enumerate(_largest_remainder(total, team_w)):
            tm = _largest_remainder(int(tk), np.where(team == k, raw, 0.0).sum(axis=0))
            for m in range(12):
                rec.append((labels[m], "team", tnames[k], int(tm[m])))
                who = np.flatnonzero((team[:, m] == k) & act[:, m])
                for r, v in zip(who, _largest_remainder(int(tm[m]), raw[who, m]), strict=True):
                    rec.append((labels[m], "rep", names[r], int(v)))
    t = pd.DataFrame(rec, columns=["period", "level", "unit", "target"]).assign(metric="amount")
    t["target"] = t["target"].astype(float)
    comp = (t[t["level"] == "team"].groupby("period", sort=True)["target"].sum().reset_index()
            .assign(level="company", unit=COMPANY, metric="amount"))
    new = new_ty[:, [y if y < 2 else y - 1 for y in range(n_years)]] * 1.05 * rng.lognormal(
        0, 0.08, (n_teams, n_years))
    new = np.maximum(1, np.round(new))
    nc = pd.DataFrame({"period": np.tile([str(y0 + y) for y in range(n_years)], n_teams),
                       "level": "team", "unit": np.repeat(tnames, n_years),
                       "metric": "new_customers", "target": new.ravel()})
    nc = pd.concat([nc.groupby("period")["target"].sum().reset_index()
                    .assign(level="company", unit=COMPANY, metric="new_customers"), nc])
    t = pd.concat([comp, t, nc], ignore_index=True)[["period", "level", "unit", "metric",
                                                      "target"]]
    for col in ("period", "level", "unit", "metric"):
        t[col] = t[col].astype("str")
    lvl = t["level"].map({"company": 0, "team": 1, "rep": 2})
    return (t.assign(_l=lvl, _m=t["metric"] != "amount")
            .sort_values(["_m", "period", "_l", "unit"], kind="stable")
            .drop(columns=["_l", "_m"]).reset_index(drop=True))


def _opportunities(c, rng, lam, team_of, days, n_rows, sales_total, tnames, names):
    n = int(np.clip(n_rows // 40, 300, 20000))
    p = lam.ravel() / lam.sum()
    cell = np.sort(rng.choice(lam.size, n, p=p))
    day, rep = np.divmod(cell, lam.shape[1])
    q = c["quality"][rep]
    reach = np.zeros(n, dtype=np.int64)
    for i, base in enumerate((0.7, 0.75, 0.8)):
        reach += (reach == i) & (rng.random(n) < np.clip(base * q, 0, 0.97))
    won = (reach == 3) & (rng.random(n) < np.clip(0.7 * q, 0, 0.97))
    cycle = np.where(won, 30 + rng.gamma(2.0, 20.0, n), 10 + 20 * reach + rng.exponential(15, n))
    created = days[day]
    closed = created + pd.to_timedelta(np.round(cycle), unit="D")
    expected = created + pd.to_timedelta(np.round(45 + rng.exponential(30, n)), unit="D")
    is_open = np.asarray(closed > c["end"])
    elapsed = (c["end"] - created).days.to_numpy()
    stage = np.where(is_open, np.minimum(reach, elapsed // 15), reach)
    late = is_open & np.asarray(expected <= c["end"])
    expected = expected.to_numpy().copy()
    expected[late] = (c["end"] + pd.to_timedelta(rng.integers(5, 76, late.sum()), unit="D"))
    raw = rng.lognormal(0, 0.8, n)
    scale = 0.25 * sales_total / max(raw[won & ~is_open].sum(), 1.0)
    out = pd.DataFrame({
        "opportunity_id": pd.array([f"OPP-{i + 1:06d}" for i in range(n)], dtype="str"),
        "created": created.to_numpy().astype("datetime64[ns]"),
        "stage": pd.array(_STAGES[stage], dtype="str"),
        "amount": np.maximum(100.0, np.round(raw * scale, -2)),
        "team": pd.array(np.array(tnames, dtype=object)[team_of[day, rep]], dtype="str"),
        "rep": pd.array(np.array(names, dtype=object)[rep], dtype="str"),
        "expected_close": expected.astype("datetime64[ns]"),
        "closed": np.where(is_open, np.datetime64("NaT"), closed.to_numpy()).astype(
            "datetime64[ns]"),
        "outcome": pd.array(np.where(is_open, "", np.where(won, "won", "lost")), dtype="str"),
    })
    return out


def _spend(c, rng, line, days, tnames) -> pd.DataFrame:
    months = pd.period_range(days[0], days[-1], freq="M")
    mi = ((days.year - days[0].year) * 12 + days.month - 1).to_numpy()[line["day"]]
    n_t, n_m = len(tnames), len(months)
    sales = np.bincount(line["team"] * n_m + mi, line["amount"], n_t * n_m).reshape(n_t, n_m)
    spend = np.round(np.maximum(sales, 0) * c["spend_rate"][:, None]
                     * rng.lognormal(0, 0.1, (n_t, n_m)) + 2000.0)
    return pd.DataFrame({"month": pd.array(np.tile(months.astype(str), n_t), dtype="str"),
                         "team": pd.array(np.repeat(tnames, n_m), dtype="str"),
                         "spend": spend.ravel()}).sort_values(
        ["month", "team"], kind="stable").reset_index(drop=True)


def _satisfaction(c, rng, o_day, o_rep, o_team, o_cust, days, cid, tnames, names):
    mi = ((days.year - days[0].year) * 12 + days.month - 1).to_numpy()[o_day]
    key = mi.astype(np.int64) * len(cid) + o_cust
    _, last = np.unique(key[::-1], return_index=True)
    idx = len(key) - 1 - last  # the last order of each (month, customer)
    idx = np.sort(idx[rng.random(len(idx)) < 0.06])
    mean = 4.0 + np.where(np.isin(o_rep[idx], c["under"]), -0.6,
                          np.where(np.isin(o_rep[idx], c["over"]), 0.3, 0.0))
    score = np.clip(np.round(rng.normal(mean, 0.9)), 1, 5)
    day = np.minimum(o_day[idx] + rng.integers(1, 15, len(idx)), len(days) - 1)
    out = pd.DataFrame({
        "date": days.to_numpy().astype("datetime64[ns]")[day],
        "customer_id": pd.array(cid[o_cust[idx]], dtype="str"), "score": score,
        "team": pd.array(np.array(tnames, dtype=object)[o_team[idx]], dtype="str"),
        "rep": pd.array(np.array(names, dtype=object)[o_rep[idx]], dtype="str")})
    return out.sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True)


def story(tables: dict[str, pd.DataFrame]) -> dict:
    """Return who plays which role in a sample company made by :func:`make_company`.

    Returns
    -------
    dict with ``as_of`` (last sale date), ``joiner``/``joined``/``joiner_team``,
    ``leaver``/``left``/``leaver_team``, ``mover``/``moved``/``from_team``/``to_team``,
    ``under`` and ``over`` (the two reps with the lowest and the two with the highest
    year-to-date attainment among the reps with a target in every month so far: the planted
    under-performers near 60 % and over-performers near 140 %) and ``attainment`` (theirs).

    Examples
    --------
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


def sample_home() -> Path:
    """Return the folder the sample company is written to for notebooks opened without data.

    ``$SALESNB_DATA`` when set, else ``$XDG_CACHE_HOME/salesnb`` (``~/.cache/salesnb``), the
    way scikit-learn and seaborn keep their sample data sets.

    Returns
    -------
    Path
        The folder (not created here).
    """
    if os.environ.get("SALESNB_DATA"):
        return Path(os.environ["SALESNB_DATA"])
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "salesnb"


def sample_params(*, month: str = "") -> dict:
    """Return resolved params for the sample company, writing it first if needed.

    The company (seed 0) is written once per salesnb version under :func:`sample_home`.

    Parameters
    ----------
    month : str
        The report month (empty: the sample's last month).

    Returns
    -------
    dict
        Resolved params (see :func:`salesnb.params.resolve_params`) with absolute data paths.
    """
    folder = sample_home() / f"sample-{__version__}"
    if not (folder / "sales.csv").is_file():
        write_tables(make_company(seed=0), folder, fmt="csv")  # atomic: each file whole
    raw = {name: str(folder / f"{name}.csv") for name in DATA_KEYS}
    raw["month"] = month or SAMPLE_END[:7]
    check_params(raw, path="sample")
    return resolve_params(raw, base_dir=folder)
