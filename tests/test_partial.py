"""Partial re-runs keep the pack whole: ``--team`` into an existing pack folder."""

from __future__ import annotations

import json
import shutil

import pytest


@pytest.mark.slow
def test_a_team_re_run_updates_the_pack_in_place(sample_pack, tmp_path):
    from salesnb.run import render_pack
    out = tmp_path / "pack"
    shutil.copytree(sample_pack["out"], out)
    before = json.loads((out / "run.json").read_text(encoding="utf-8"))
    teams = [r for r in before["reports"] if r["kind"] == "team"]
    team = teams[0]["name"]
    others = teams[1:]
    redo = {r["file"] for r in before["reports"]
            if r["kind"] == "company" or r["team"] == team}
    untouched = {r["file"]: (out / r["file"]).read_bytes() for r in before["reports"]
                 if r["file"] not in redo}
    for f in redo:  # a marker the re-run must replace
        (out / f).write_text("<html>stale</html>", encoding="utf-8")

    record = render_pack(sample_pack["params"], out=out, teams=[team], workers=2)

    # the record lists the whole pack, in the pack's order, under the same file names
    assert [(r["kind"], r["name"], r["file"]) for r in record["reports"]] == \
        [(r["kind"], r["name"], r["file"]) for r in before["reports"]]
    assert json.loads((out / "run.json").read_text(encoding="utf-8")) == json.loads(
        json.dumps(record, default=str))
    assert {r["status"] for r in record["reports"]} == {"ok"}
    # the team, its reps' scorecards and the company overview are new; the rest untouched
    for f in redo:
        assert "stale" not in (out / f).read_text(encoding="utf-8"), f
    assert {f: (out / f).read_bytes() for f in untouched} == untouched
    index = (out / "index.html").read_text(encoding="utf-8")
    for t in teams:
        assert f'href="{t["file"]}"' in index, t["name"]
    assert 'href="company.html"' in index
    cards = sum(r["kind"] == "rep" for r in record["reports"])
    assert f"{cards} of {cards} rep scorecards written" in index
    # the new team page links up to the company and down to its reps' scorecards
    page = (out / teams[0]["file"]).read_text(encoding="utf-8")
    assert 'href="company.html"' in page and 'href="index.html"' in page
    reps = [r["file"] for r in record["reports"] if r["kind"] == "rep" and r["team"] == team]
    assert reps and all(f'href="{f}"' in page for f in reps)
    company = (out / "company.html").read_text(encoding="utf-8")
    assert all(f'href="{t["file"]}"' in company for t in others)

