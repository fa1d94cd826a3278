"""PDF copies of the reports (headless Chromium) and the message when it is missing."""

from __future__ import annotations

import os
import re

import pandas as pd
import pytest

from salesnb.delivery.pdf import INSTALL_HINT, find_chromium, write_pdfs
from salesnb.html import page, table_html


def _page(n_rows: int) -> str:
    t = pd.DataFrame({"unit": [f"Rep {i}" for i in range(n_rows)],
                      "attainment": [0.5 + i / 100 for i in range(n_rows)]})
    return page("East", "<h1>East</h1>" + table_html(t, {"attainment": "att"}))


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.mark.slow
def test_a_small_pack_is_printed_to_pdf(tmp_path):
    if not find_chromium():
        if os.environ.get("SALESNB_REQUIRE_CHROMIUM") == "1":
            pytest.fail(f"no Chromium: {INSTALL_HINT}")
        pytest.skip(INSTALL_HINT)
    (tmp_path / "team-east.html").write_text(_page(3), encoding="utf-8")
    (tmp_path / "company.html").write_text(_page(150), encoding="utf-8")
    said = []
    done = write_pdfs(tmp_path, ["team-east.html", "company.html"], say=said.append)
    assert [p.name for p in done] == ["team-east.pdf", "company.pdf"]
    small, big = (p.read_bytes() for p in done)
    assert small[:5] == big[:5] == b"%PDF-"
    assert _pages(small) == 1 and _pages(big) > 1  # 150 table rows do not fit on one A4/Letter
    assert said == ["2 PDF(s) written beside the HTML reports"]


def test_missing_engine_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv("SALESNB_CHROMIUM", "no-such-chromium-binary")
    (tmp_path / "team-east.html").write_text(_page(3), encoding="utf-8")
    said = []
    assert write_pdfs(tmp_path, ["team-east.html"], say=said.append) == []
    assert said == [f"no PDF written: {INSTALL_HINT}"]
    assert "apt-get install chromium" in said[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["team-east.html"]
