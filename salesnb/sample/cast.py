"""The sample company's shape: its teams, reps, products, seasons and customers (seeded)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesnb.exceptions import ParamsError

__all__ = ["SAMPLE_END", "DEFAULT_ROWS"]


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
