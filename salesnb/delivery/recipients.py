"""Who gets which report of a rendered pack, and the check that a message carries no more.

The routing reads what the run wrote: ``run.json`` (the reports and their files), the
``tables/progress.csv`` export (each rep's team at the report month) and the org table (the
run cache's ``_cache/org.parquet``, else the params' ``org`` source) for the ``email`` and
``manager`` columns. Directors come from the params key ``recipients``:

.. code-block:: yaml

    recipients:
      directors: [ceo@example.com, Eric Walker]   # an address, or a name from org (its email)
      managers: {East: east.lead@example.com}     # per team; wins over org
      managers_from_org: true                     # else a team's manager is the person most of
                                                  # its current members name in org `manager`
      reps: true                                  # each rep gets their own scorecard

A director gets the company overview and the index; a team's manager the team's report and
the scorecards (``rep-<slug>.html`` entries of run.json, kind ``rep``) of the team's reps; a
rep their own scorecard only.
"""

from __future__ import annotations

import html as _html
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from ..exceptions import ParamsError

__all__ = ["Delivery", "Audience", "RECIPIENT_KEYS", "check_recipients", "audience_of",
           "plan_deliveries", "allowed_files", "forbidden_names", "names_in", "visible_text"]

RECIPIENT_KEYS = ("directors", "managers", "managers_from_org", "reps")
Role = Literal["director", "manager", "rep"]
_ROLE_ORDER = {"director": 0, "manager": 1, "rep": 2}


@dataclass(frozen=True)
class Delivery:
    """One message to plan: a recipient, what they are (role and scope), the files to attach.

    ``scope`` is "" for a director, the team for a manager, the rep's name for a rep.
    """

    role: Role
    scope: str
    to: str
    files: tuple[str, ...]
    name: str = ""

    @property
    def key(self) -> str:
        """Return the key send.json records this message under."""
        return f"{self.role}|{self.scope}|{self.to}"


@dataclass
class Audience:
    """What the run holds: teams, each rep's team, the report file of each team and rep."""

    teams: list[str]
    rep_team: dict[str, str]
    team_members: dict[str, set[str]]
    team_file: dict[str, str]
    rep_file: dict[str, str]
    company_files: list[str]
    org: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    @property
    def reps(self) -> set[str]:
        """Return every rep name the run knows (progress and org)."""
        return set(self.rep_team) | set().union(*self.team_members.values()) \
            if self.team_members else set(self.rep_team)


def check_recipients(spec, *, path: str = "params") -> dict:
    """Return the ``recipients`` params key with defaults, or raise ParamsError.

    Parameters
    ----------
    spec : mapping or None
        The params' ``recipients`` key.
    path : str
        The params file's name, quoted in messages.

    Examples
    --------
    >>> check_recipients({"directors": "a@example.com"})["directors"]
    ['a@example.com']
    >>> check_recipients(None)["reps"]
    True
    """
    spec = dict(spec or {})
    unknown = sorted(set(spec) - set(RECIPIENT_KEYS))
    if unknown:
        raise ParamsError(f"{path}: recipients has unknown key(s) {unknown}; allowed: "
                          f"{list(RECIPIENT_KEYS)}.")
    directors = spec.get("directors") or []
    if isinstance(directors, str):
        directors = [directors]
    managers = spec.get("managers") or {}
    if not isinstance(managers, Mapping):
        raise ParamsError(f"{path}: recipients.managers must map team -> address, e.g. "
                          f"{{East: lead@example.com}}, got {managers!r}.")
    managers = {str(t): [v] if isinstance(v, str) else list(v) for t, v in managers.items()}
    return {"directors": [str(d) for d in directors], "managers": managers,
            "managers_from_org": bool(spec.get("managers_from_org", True)),
            "reps": bool(spec.get("reps", True))}


def _current(org: pd.DataFrame, month: str) -> pd.DataFrame:
    """Org rows valid in the report month (empty start/end: always)."""
    if org.empty:
        return org
    p = pd.Period(month, freq="M")
    start = pd.to_datetime(org["start"]) if "start" in org else pd.Series(pd.NaT, org.index)
    end = pd.to_datetime(org["end"]) if "end" in org else pd.Series(pd.NaT, org.index)
    ok = (start.isna() | (start <= p.end_time)) & (end.isna() | (end >= p.start_time))
    return org[ok]


def audience_of(record: Mapping, progress: pd.DataFrame, org: pd.DataFrame) -> Audience:
    """Return the run's audience from run.json's record, progress.csv and the org table.

    Parameters
    ----------
    record : mapping
        The pack's run.json.
    progress : DataFrame
        The pack's ``tables/progress.csv``.
    org : DataFrame
        The org table.
    """
    reports = [r for r in record.get("reports", []) if r.get("status") == "ok"]
    reps = progress[progress["level"] == "rep"].drop_duplicates("unit")
    rep_team = {str(u): str(t) for u, t in zip(reps["unit"], reps["team"], strict=True)}
    team_file, rep_file, company_files = {}, {}, []
    for r in reports:
        kind, name, file = r.get("kind"), str(r.get("name", "")), str(r.get("file", ""))
        if kind == "company":
            company_files.append(file)
        elif kind in ("team", "week"):
            team_file[name] = file
        elif kind == "rep" or file.startswith("rep-"):
            rep_file[name] = file
            if r.get("team"):
                rep_team[name] = str(r["team"])
    teams = sorted(set(team_file) | set(rep_team.values()))
    members: dict[str, set[str]] = {t: {r for r, tt in rep_team.items() if tt == t}
                                    for t in teams}
    if not org.empty:  # a rep who moved appears on both teams' pages
        for rep, team in zip(org["rep"].astype(str), org["team"].astype(str), strict=True):
            members.setdefault(team, set()).add(rep)
    company_files.append("index.html")
    return Audience(teams=teams, rep_team=rep_team, team_members=members, team_file=team_file,
                    rep_file=rep_file, company_files=company_files, org=org)


def _email_of(org: pd.DataFrame) -> dict[str, str]:
    if org.empty or "email" not in org:
        return {}
    o = org[org["email"].notna() & (org["email"].astype(str).str.strip() != "")]
    return {str(r): str(e).strip() for r, e in zip(o["rep"], o["email"], strict=True)}


def _address(who: str, emails: Mapping[str, str], what: str) -> tuple[str, str]:
    """(address, name) for an address or a name found in org."""
    if "@" in who:
        return who.strip(), ""
    if who in emails:
        return emails[who], who
    raise ParamsError(f"recipients: {what} {who!r} is neither an e-mail address nor a rep with "
                      "an email in the org table; write the address or add the org email.")


def _org_manager(org: pd.DataFrame, team: str, month: str) -> tuple[str | None, str]:
    """Return the person most of the team's current members name as manager, or (None, why)."""
    if org.empty or "manager" not in org:
        return None, "the org table has no manager column"
    cur = _current(org, month)
    cur = cur[cur["team"].astype(str) == team]
    names = [str(m) for r, m in zip(cur["rep"], cur["manager"], strict=True)
             if isinstance(m, str) and m.strip() and m != "nan" and m != r]
    if not names:
        return None, "no member names a manager in org"
    top = Counter(names).most_common()
    if len(top) > 1 and top[0][1] == top[1][1]:
        return None, f"no single manager in org ({top[0][0]} and {top[1][0]} tie)"
    return top[0][0], ""


def plan_deliveries(record: Mapping, audience: Audience, recipients: Mapping, *,
                    month: str) -> tuple[list[Delivery], list[str]]:
    """Return the messages to send (directors, managers, reps) and notes on who gets none.

    Parameters
    ----------
    record : mapping
        The pack's run.json.
    audience : Audience
        Who is who in the run (teams, reps, managers).
    recipients : mapping
        The checked ``recipients`` key (:func:`check_recipients`).
    month : str
        The report month (``YYYY-MM``).
    """
    emails = _email_of(audience.org)
    out: list[Delivery] = []
    notes: list[str] = []
    for who in recipients["directors"]:
        addr, name = _address(who, emails, "director")
        out.append(Delivery("director", "", addr, tuple(audience.company_files), name))
    for team in audience.teams:
        if team not in audience.team_file:
            continue
        files = [audience.team_file[team]] + sorted(
            f for r, f in audience.rep_file.items() if audience.rep_team.get(r) == team)
        who = recipients["managers"].get(team)
        if who is None and recipients["managers_from_org"]:
            mgr, why = _org_manager(audience.org, team, month)
            if mgr is None:
                notes.append(f"team {team}: no manager to send to ({why}); set "
                             f"recipients.managers.{team}")
                continue
            if mgr not in emails:
                notes.append(f"team {team}: its manager {mgr} has no email in org")
                continue
            who = [mgr]
        for w in who or []:
            addr, name = _address(w, emails, f"manager of {team}")
            out.append(Delivery("manager", team, addr, tuple(files), name))
    if recipients["reps"]:
        for rep, file in sorted(audience.rep_file.items()):
            if rep in emails:
                out.append(Delivery("rep", rep, emails[rep], (file,), rep))
            else:
                notes.append(f"rep {rep}: no email in org, scorecard not sent")
    out.sort(key=lambda d: (_ROLE_ORDER[d.role], d.scope, d.to))
    return out, notes


def allowed_files(d: Delivery, audience: Audience) -> set[str]:
    """Return the report files (HTML or PDF) the recipient of ``d`` may receive.

    Parameters
    ----------
    d : Delivery
        One message's recipient, unit and files.
    audience : Audience
        Who is who in the run (teams, reps, managers).
    """
    if d.role == "director":
        files = set(audience.company_files) | set(audience.team_file.values()) \
            | set(audience.rep_file.values())
    elif d.role == "manager":
        files = {audience.team_file.get(d.scope, "")} | {
            f for r, f in audience.rep_file.items() if audience.rep_team.get(r) == d.scope}
    else:
        files = {audience.rep_file.get(d.scope, "")}
    files.discard("")
    return files | {f[:-5] + ".pdf" for f in files if f.endswith(".html")}


def forbidden_names(d: Delivery, audience: Audience) -> tuple[set[str], set[str]]:
    """Return the (team, rep) names a message to ``d`` must not contain (none: a director).

    A manager may read the names of their team's people (a rep who moved in or out during
    the year included); a rep their own name and team.

    Parameters
    ----------
    d : Delivery
        One message's recipient, unit and files.
    audience : Audience
        Who is who in the run (teams, reps, managers).
    """
    if d.role == "director":
        return set(), set()
    own = {d.name} if d.name else set()
    if d.role == "manager":
        teams = set(audience.teams) - {d.scope}
        reps = audience.reps - audience.team_members.get(d.scope, set()) - own
    else:
        teams = set(audience.teams) - {audience.rep_team.get(d.scope, "")}
        reps = audience.reps - {d.scope} - own
    return {t for t in teams if t}, {r for r in reps if r}


def names_in(text: str, names: set[str]) -> list[str]:
    """Return the ``names`` found in ``text`` as whole words (CJK names: anywhere).

    Parameters
    ----------
    text : str
        The text searched.
    names : set of str
        Team or rep names.

    Examples
    --------
    >>> names_in("North is ahead; Northeast behind", {"North", "East", "Northeast"})
    ['North', 'Northeast']
    """
    found = []
    for n in sorted(names):
        if n.isascii():
            if re.search(rf"(?<![\w]){re.escape(n)}(?![\w])", text):
                found.append(n)
        elif n in text:
            found.append(n)
    return found


def visible_text(html_text: str) -> str:
    """Return the text a reader sees in an HTML page (no style, script or tags).

    Parameters
    ----------
    html_text : str
        An HTML page.

    Examples
    --------
    >>> visible_text("<style>p{}</style><p>O&#x27;Brien</p>").strip()
    "O'Brien"
    """
    t = re.sub(r"(?is)<(style|script)\b.*?</\1>", " ", html_text)
    t = re.sub(r"(?s)<[^>]+>", " ", t)
    return _html.unescape(t)
