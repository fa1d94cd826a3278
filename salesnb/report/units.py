"""The units of a run: its teams, the reps with a scorecard, and file-name slugs."""

from __future__ import annotations

__all__ = ["teams_of", "slugify", "unit_slug", "scorecard_reps"]


def slugify(name: str) -> str:
    r"""Return a file-name-safe slug for a team name (keeps CJK letters).

    Parameters
    ----------
    name : str
        A team's or rep's name.

    Examples
    --------
    >>> slugify("East 2"), slugify("华东一组"), slugify("a/b\\c")
    ('east-2', '华东一组', 'a-b-c')
    """
    out = []
    for ch in str(name).strip().lower():
        out.append(ch if ch.isalnum() else "-")
    slug = "-".join(p for p in "".join(out).split("-") if p)
    return slug or "team"


def unit_slug(name: str) -> str:
    """Return the file-name slug of a team or rep: unique per name, whatever else the run holds.

    The slug is :func:`slugify`'s when the name is written in letters and digits with
    single spaces between words (``East 2`` -> ``east-2``, ``华东一组``); any other name
    (``East-2``, ``A/B``, ``O'Brien``) gets the first six hex digits of the SHA-1 of its
    text after it, so two names never share a file and a name's file never depends on
    which other units a run has or selects (``--team``). Names that differ only in case
    or spaces are one unit already (the loader merges them).

    Parameters
    ----------
    name : str
        The team's or rep's name as the reports show it.

    Returns
    -------
    str

    Examples
    --------
    >>> unit_slug("East 2"), unit_slug("华东一组"), unit_slug("Eric Walker")
    ('east-2', '华东一组', 'eric-walker')
    >>> unit_slug("East-2"), unit_slug("East/2")
    ('east-2-c9c011', 'east-2-67df3b')
    """
    import hashlib

    slug = slugify(name)
    if " ".join(str(name).split()).lower() == slug.replace("-", " "):
        return slug
    return f"{slug}-{hashlib.sha1(str(name).strip().encode('utf-8')).hexdigest()[:6]}"


def teams_of(tables: dict) -> list[str]:
    """Return the teams of a run: teams with sales or in the org table, alphabetically.

    A team that only the targets file names (a misspelling, most likely) gets no report;
    the data-quality section names it.

    Parameters
    ----------
    tables : dict
        A prepared run.
    """
    p = tables["progress"]
    known = set(tables["cube"]["team"].astype(str))
    if tables.get("org") is not None:
        known |= set(tables["org"]["team"].astype(str))
    teams = set(p.loc[p["level"] == "team", "unit"].astype(str))
    return sorted(teams & known)


def scorecard_reps(tables: dict, team: str | None = None) -> list[str]:
    """Return the reps who get a scorecard: a target or a sale this fiscal year (by name).

    Parameters
    ----------
    tables : dict
        A prepared run (or a team's slice).
    team : str, optional
        Only the reps of this team (their team in the progress table).

    Returns
    -------
    list of str
        The reps, alphabetically.
    """
    p = tables["progress"]
    r = p[(p["level"] == "rep") & (p["metric"] == "amount")]
    if team is not None:
        r = r[r["team"].astype(str) == str(team)]
    has = (r["annual_target"].fillna(0) > 0) | (r["ytd_actual"].fillna(0) != 0)
    return sorted(set(r.loc[has, "unit"].astype(str)))
