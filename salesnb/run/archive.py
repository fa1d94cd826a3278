"""The history of packs in a run: the previous pack, what changed since it, the archive index.

Packs written the default way sit side by side in one folder, one per month
(``reports/2026-09/``, ``reports/2026-10/`` ...: a pack folder whose name starts with its
report month). For such a pack the run

* finds the **previous pack**: the sibling folder with the latest earlier report month of
  the same period (month or week) that has a ``run.json``;
* compares it with this run (:func:`salesnb.history.changes_since`): the pack's index
  shows "changes since <previous pack>" and flags restated figures; run.json gets a
  ``history`` entry (the previous pack, counts, and the restated figures with both values);
* rewrites the **archive index** ``<folder>/index.html`` (every pack, newest first, with
  its headline figures; :func:`salesnb.views.history.archive_html`). An ``index.html``
  there that salesnb did not write is left alone.

A pack written anywhere else (``--out /tmp/x``) has no series: no history, no archive.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..atomic import atomic_write_text
from ..history import changes_since, read_pack, read_tables
from ..views.history import ARCHIVE_MARK, archive_html

__all__ = ["in_series", "previous_pack", "pack_history", "history_record", "write_archive"]


def in_series(out: Path, month: str) -> bool:
    """Tell whether the pack folder ``out`` is one of a series (its name starts with its month).

    Parameters
    ----------
    out : Path
        The pack folder.
    month : str
        Its report month, ``YYYY-MM``.
    """
    return Path(out).name.startswith(str(month))


def _record(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _period(params: dict) -> str:
    return str((params or {}).get("period") or "month")


def previous_pack(out: Path, month: str, period: str = "month") -> Path | None:
    """Return the sibling pack with the latest report month before ``month``, or None.

    Parameters
    ----------
    out : Path
        This run's pack folder.
    month : str
        This run's report month, ``YYYY-MM``.
    period : str
        ``month`` or ``week``: only packs of the same period count.
    """
    out = Path(out)
    if not in_series(out, month) or not out.parent.is_dir():
        return None
    best, best_month = None, ""
    for d in out.parent.iterdir():
        if d == out or not d.is_dir():
            continue
        rec = _record(d)
        if not rec:
            continue
        p = rec.get("params") or {}
        m = str(p.get("month", ""))
        if not m or not d.name.startswith(m) or _period(p) != period or m >= str(month):
            continue
        if m > best_month or (m == best_month and d.name > best.name):
            best, best_month = d, m
    return best


def pack_history(out: Path, *, month: str, period: str, params: dict,
                 actuals: pd.DataFrame) -> dict | None:
    """Compare this run (its tables already written to ``out/tables``) with the previous pack.

    Parameters
    ----------
    out : Path
        This run's pack folder.
    month : str
        This run's report month.
    period : str
        ``month`` or ``week``.
    params : dict
        This run's public params (its ``tiers``).
    actuals : DataFrame
        Today's monthly actuals (the prepared run's ``actuals``).

    Returns
    -------
    dict or None
        :func:`salesnb.history.changes_since`'s dict plus ``previous`` (the previous
        pack's folder); None when there is no previous pack.
    """
    prev = previous_pack(out, month, period)
    if prev is None:
        return None
    current = dict(read_tables(out), run={"params": params}, month=str(month))
    changes = changes_since(read_pack(prev), current, actuals)
    changes["previous"] = prev
    return changes


def history_record(changes: dict | None) -> dict | None:
    """Return the run.json ``history`` entry: the previous pack, counts, restated figures.

    Parameters
    ----------
    changes : dict or None
        :func:`pack_history`'s result.
    """
    if not changes:
        return None
    a = changes["alerts"]
    restated = changes["restated"]
    return {
        "previous": Path(changes["previous"]).name, "since": changes["since"],
        "restated": len(restated), "tier_moves": len(changes["tiers"]),
        "alerts_opened": int((a["change"] == "opened").sum()) if len(a) else 0,
        "alerts_closed": int((a["change"] == "closed").sum()) if len(a) else 0,
        "rank_changes": len(changes["ranks"]),
        "restated_figures": restated.to_dict(orient="records"),
    }


def _headline(folder: Path, rec: dict) -> dict:
    p = rec.get("params") or {}
    row = {}
    path = folder / "tables" / "progress.csv"
    if path.exists():
        prog = pd.read_csv(path, keep_default_na=False, na_values=[""])
        c = prog[(prog["level"] == "company") & (prog["metric"] == "amount")]
        if len(c):
            row = c.iloc[0].to_dict()
    reports = rec.get("reports") or []
    return {"folder": folder.name, "month": str(p.get("month", "")),
            "generated": str(rec.get("started", ""))[:16].replace("T", " "),
            "last_sale": (rec.get("data") or {}).get("last_sale_date", ""),
            "actual": row.get("actual", float("nan")), "target": row.get("target", float("nan")),
            "attainment": row.get("attainment", float("nan")),
            "ytd_attainment": row.get("ytd_attainment", float("nan")),
            "ok": sum(r.get("status") == "ok" for r in reports), "reports": len(reports),
            "history": rec.get("history")}


def write_archive(out: Path, *, month: str, lang: str = "en", currency: str = "$",
                  title: str = "", say=print) -> Path | None:
    """Rewrite the archive index above a series pack; return its path (None: not written).

    Parameters
    ----------
    out : Path
        This run's pack folder (its parent gets ``index.html``).
    month : str
        This run's report month.
    lang : str
        ``en`` or ``zh``.
    currency : str
        Symbol shown before amounts.
    title : str
        The company's name.
    say : callable
        Where a note goes when the folder's ``index.html`` is not salesnb's.
    """
    out = Path(out)
    if not in_series(out, month):
        return None
    dest = out.parent / "index.html"
    if dest.exists() and ARCHIVE_MARK not in dest.read_text(encoding="utf-8", errors="replace"):
        say(f"{dest} was not written by salesnb: the archive index is not written there")
        return None
    packs = []
    for d in sorted(out.parent.iterdir()):
        rec = _record(d) if d.is_dir() else None
        m = str(((rec or {}).get("params") or {}).get("month", ""))
        if rec and m and d.name.startswith(m):
            packs.append(_headline(d, rec))
    atomic_write_text(dest, archive_html(packs, lang=lang, currency=currency, title=title))
    return dest
