"""Links between the pages of a pack: up to the team and the company, to the index, down to reps.

``salesnb run`` puts the pack's page map in the run cache (``meta["pages"]``: ``index``,
``company``, ``teams`` and ``reps`` as ``{name: file}``), sliced per page so a page only
knows the pages it may name (:func:`salesnb.cache.pages_for`). Links are relative file
names: the pack folder can be moved, zipped or served as it is. A page that is not in the
map (a ``--team`` run has no company page; scorecards off: no rep pages) gets no link.
"""

from __future__ import annotations

from urllib.parse import quote

from .. import fmt

__all__ = ["href", "nav_html", "links_html"]


def href(file: str) -> str:
    """Return a relative link target for a file of the pack (percent-encoded, e.g. CJK names).

    Parameters
    ----------
    file : str
        A file name of the pack.

    Examples
    --------
    >>> href("team-east.html"), href("team-华东.html")
    ('team-east.html', 'team-%E5%8D%8E%E4%B8%9C.html')
    """
    return quote(str(file))


def _a(file: str, text: str) -> str:
    return f'<a href="{fmt.esc(href(file))}">{fmt.esc(text)}</a>'


def nav_html(meta: dict, lang: str, *, team: str | None = None, company: str = "Company") -> str:
    """Return the line of links up from a page: the index, the company, the page's team.

    Parameters
    ----------
    meta : dict
        The page's run meta; without ``pages`` (interactive use) there are no links.
    lang : str
        ``"en"`` or ``"zh"``.
    team : str, optional
        Link to this team's report too (a scorecard's way up).
    company : str
        The company's name as the report says it.

    Returns
    -------
    str
        A ``<p class="nav">`` line, or ``""`` when there is nothing to link.

    Examples
    --------
    >>> m = {"pages": {"index": "index.html", "company": "company.html",
    ...                "teams": {"East": "team-east.html"}, "reps": {}}}
    >>> nav_html(m, "en", team="East")
    '<p class="nav"><a href="index.html">Index</a> · <a href="company.html">Company overview</a> · <a href="team-east.html">East</a></p>'
    >>> nav_html({}, "en")
    ''
    """
    pages = meta.get("pages") or {}
    zh = lang == "zh"
    parts = []
    if pages.get("index"):
        parts.append(_a(pages["index"], "目录" if zh else "Index"))
    if pages.get("company"):
        parts.append(_a(pages["company"], f"{company}总览" if zh and company != "公司" else
                        ("公司总览" if zh else
                         ("Company overview" if company == "Company" else f"{company} overview"))))
    if team is not None and (pages.get("teams") or {}).get(team):
        parts.append(_a(pages["teams"][team], team))
    return f'<p class="nav">{" · ".join(parts)}</p>' if parts else ""


def links_html(files: dict, label: str) -> str:
    """Return a labelled line of links to pages, in the given order (``""`` without any).

    Parameters
    ----------
    files : dict
        Link text -> file name.
    label : str
        The line's label.

    Examples
    --------
    >>> links_html({"Ann": "rep-ann.html"}, "Scorecards")
    '<p class="nav">Scorecards: <a href="rep-ann.html">Ann</a></p>'
    """
    if not files:
        return ""
    return (f'<p class="nav">{fmt.esc(label)}: '
            + " · ".join(_a(f, name) for name, f in files.items()) + "</p>")
