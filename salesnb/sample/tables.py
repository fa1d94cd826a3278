"""The sample's other tables, made from its sales: org, targets, pipeline, spend, satisfaction."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from salesnb.cube import COMPANY

from .cast import _STAGES, _largest_remainder

__all__ = []


_TITLES = {"en": ("Sales Director", "Team Lead", "Sales Representative"),
           "zh": ("销售总监", "团队经理", "销售代表")}


def _emails(names) -> dict:
    """Return an example.com address per rep.

    ``first.last`` for Latin names, ``rep-NNN`` (the rep's number) otherwise; no random
    draw, so adding them changes no figure.

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
    """Return the org table: one row per rep and team spell.

    Each team's lead manages it; the first team's lead (a sales director who also sells)
    manages the other leads.
    """
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
