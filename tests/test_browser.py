"""The rendered pack in a real browser: headless Chromium, in English and in Chinese.

English reads the session's sample pack (tests/conftest.py); Chinese renders a small
two-team sample company with Chinese team and rep names. The HTML pages are opened in
headless Chromium (Debian's ``chromium`` package), driven through the DevTools
protocol with ``websocket-client`` (already installed: jupyter_server depends on it).
The tests fail on console errors, uncaught exceptions, failed loads and external
requests, and save a full-width screenshot (1000 px wide) and a printed PDF of every
page into ``$SALESNB_SCREENSHOTS`` (default: a pytest temporary folder) for a person
to look at.

Without Chromium (or, for Chinese, without a CJK font) the browser tests skip, unless
``SALESNB_REQUIRE_CHROMIUM=1`` (set by ``.ci/run``), where they fail: in CI the browser
must be there. The checks on the HTML files themselves run either way.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from salesnb.io import load_params, write_tables
from salesnb.runner import check_params, render_pack, resolve_params
from salesnb.sample import make_company

pytestmark = pytest.mark.slow

MONTH = "2026-10"
CURRENCY = {"en": "$", "zh": "¥"}
MAX_BYTES = 1_500_000
WIDTH = 1000
MAX_SHOT_HEIGHT = 20_000
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                  "--remote-debugging-port=0"]
INSTALL_HINT = ("install Debian's browser and CJK fonts: `apt-get install chromium "
                "fonts-noto-cjk` (or point SALESNB_CHROMIUM at a Chromium binary)")


def _chromium() -> str | None:
    override = os.environ.get("SALESNB_CHROMIUM")
    if override:
        return shutil.which(override)
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _skip_or_fail(reason: str):
    if os.environ.get("SALESNB_REQUIRE_CHROMIUM") == "1":
        pytest.fail(f"{reason} (SALESNB_REQUIRE_CHROMIUM=1: the browser test must run here)")
    pytest.skip(reason)


def _has_cjk_font() -> bool | None:
    """True/False when fontconfig can tell, None when fc-list is not there."""
    if not shutil.which("fc-list"):
        return None
    found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True,
                           text=True, check=False).stdout
    return bool(found.strip())


# --------------------------------------------------------------------------- DevTools


class Page:
    """A minimal DevTools-protocol client for one browser tab (commands + event log)."""

    def __init__(self, ws_url: str):
        import websocket
        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self._id = 0
        self.events: list[dict] = []

    def _recv(self) -> dict:
        return json.loads(self.ws.recv())

    def call(self, method: str, **params) -> dict:
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            msg = self._recv()
            if msg.get("id") == self._id:
                if "error" in msg:
                    raise RuntimeError(f"DevTools {method} failed: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_for(self, method: str, *, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not any(e["method"] == method for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} within {timeout} s")
            msg = self._recv()
            if "method" in msg:
                self.events.append(msg)

    def close(self):
        self.ws.close()


def _problems(events: list[dict]) -> list[str]:
    """Console errors, uncaught exceptions, failed loads and non-local requests."""
    out = []
    for e in events:
        m, p = e["method"], e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in p["args"])
            out.append(f"console.{p['type']}: {args}")
        elif m == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            out.append(f"uncaught: {d.get('exception', {}).get('description') or d['text']}")
        elif m == "Log.entryAdded" and p["entry"]["level"] == "error":
            out.append(f"console ({p['entry']['source']}): {p['entry']['text']}")
        elif m == "Network.loadingFailed" and not p.get("canceled"):
            out.append(f"failed load ({p['type']}): {p['errorText']}")
        elif m == "Network.responseReceived" and p["response"].get("status", 0) >= 400:
            out.append(f"HTTP {p['response']['status']}: {p['response']['url']}")
        elif m == "Network.requestWillBeSent":
            url = p["request"]["url"]
            if not url.startswith(("file:", "data:", "about:")):
                out.append(f"external request (the report must be self-contained): {url}")
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A headless Chromium with remote debugging; yields the first tab's websocket URL."""
    exe = _chromium()
    if not exe:
        _skip_or_fail(f"headless Chromium not found: {INSTALL_HINT}")
    pytest.importorskip("websocket", reason="websocket-client (a jupyter_server dependency) "
                                            "is needed to drive Chromium")
    profile = tmp_path_factory.mktemp("chromium-profile")
    log = open(profile.parent / "chromium-stderr.log", "wb")  # closed in the finally below
    proc = subprocess.Popen([exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=log)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                tail = (profile.parent / "chromium-stderr.log").read_text(errors="replace")[-800:]
                pytest.fail(f"Chromium ({exe}) did not start its DevTools endpoint:\n{tail}")
            time.sleep(0.05)
        port = port_file.read_text().splitlines()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            tabs = [t for t in json.load(r) if t["type"] == "page"]
        yield tabs[0]["webSocketDebuggerUrl"]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def visit(ws_url: str, html: Path, shots: Path, name: str) -> dict:
    """Open ``html``; return its problems and layout, saving ``name``.png and ``name``.pdf."""
    page = Page(ws_url)
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            page.call(f"{domain}.enable")
        # a short viewport so that scrollHeight is the page's own height
        page.call("Emulation.setDeviceMetricsOverride", width=WIDTH, height=800,
                  deviceScaleFactor=1, mobile=False)
        page.events.clear()
        page.call("Page.navigate", url=html.resolve().as_uri())
        page.wait_for("Page.loadEventFired")
        layout = page.call(
            "Runtime.evaluate", awaitPromise=True, returnByValue=True,
            expression="document.fonts.ready.then(() => ({"
                       " width: document.documentElement.scrollWidth,"
                       " height: document.documentElement.scrollHeight,"
                       " broken_images: [...document.images].filter("
                       "   i => !i.complete || i.naturalWidth === 0).length,"
                       " scripts: document.scripts.length}))")["result"]["value"]
        height = min(layout["height"], MAX_SHOT_HEIGHT)
        shot = page.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": WIDTH, "height": height, "scale": 1})
        (shots / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))
        pdf = page.call("Page.printToPDF", printBackground=True, preferCSSPageSize=True)
        (shots / f"{name}.pdf").write_bytes(base64.b64decode(pdf["data"]))
        page.call("Page.navigate", url="about:blank")  # flushes late events of the report
        return {"problems": _problems(page.events), **layout}
    finally:
        page.close()


# --------------------------------------------------------------------------- the packs


@pytest.fixture(scope="module")
def shots_dir(tmp_path_factory) -> Path:
    d = os.environ.get("SALESNB_SCREENSHOTS")
    path = Path(d) if d else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module", params=["en", "zh"])
def pack(request, tmp_path_factory):
    """A rendered pack per language (no browser needed) and the pages to open.

    English: the session's sample pack (tests/conftest.py, six teams and a scorecard per
    rep), rendered once for the whole suite; its index, company overview, every team report
    and the scorecards of the first team are opened (the other scorecards come from the
    same notebook). Chinese: a two-team sample company with Chinese names, every page.
    """
    lang = request.param
    if lang == "en":
        sp = request.getfixturevalue("sample_pack")
        out, record = sp["out"], sp["record"]
        first = sorted(r["name"] for r in record["reports"] if r["kind"] == "team")[0]
        skip = {r["file"] for r in record["reports"] if r["kind"] == "rep" and r["team"] != first}
        pages = sorted(p for p in out.glob("*.html") if p.name not in skip)
        return {"lang": lang, "out": out, "record": record, "pages": pages}
    root = tmp_path_factory.mktemp(f"pack-{lang}")
    write_tables(make_company(seed=3, rows=12_000, teams=2, reps=12, lang=lang), root / "data")
    params_file = root / "params.yaml"
    params_file.write_text(
        f'month: "{MONTH}"\nlang: {lang}\ncurrency: "{CURRENCY[lang]}"\n'
        "sales: data/sales.csv\ntargets: data/targets.csv\norg: data/org.csv\n"
        "opportunities: data/opportunities.csv\nspend: data/spend.csv\n"
        "satisfaction: data/satisfaction.csv\n", encoding="utf-8")
    raw = load_params(params_file)
    check_params(raw)
    params = resolve_params(raw, base_dir=root)
    out = root / "out"
    # no `teams=`: the company has two teams, and the company report is rendered too
    record = render_pack(params, out=out, workers=2)
    return {"lang": lang, "out": out, "record": record, "pages": sorted(out.glob("*.html"))}


@pytest.fixture(scope="module")
def visits(pack, browser, shots_dir):
    """Open every page of the pack once: page name -> problems and layout."""
    if pack["lang"] == "zh" and _has_cjk_font() is False:
        _skip_or_fail(f"no CJK font: Chinese would render as boxes; {INSTALL_HINT}")
    return {p.name: visit(browser, p, shots_dir, f"{pack['lang']}-{p.stem}")
            for p in pack["pages"]}


def _team_pages(pack) -> list[Path]:
    return [p for p in pack["pages"] if p.name.startswith("team-")]


def test_pack_renders_index_and_every_team(pack):
    reports = pack["record"]["reports"]
    assert [r["status"] for r in reports].count("ok") == len(reports), reports
    assert (pack["out"] / "index.html") in pack["pages"]
    assert len(_team_pages(pack)) == sum(r["kind"] == "team" for r in reports) >= 2
    assert any(p.name.startswith("rep-") for p in pack["pages"])


def test_pages_open_without_console_errors_or_failed_loads(pack, visits):
    problems = {name: v["problems"] for name, v in visits.items() if v["problems"]}
    assert not problems, f"{pack['lang']}: browser reported problems: {problems}"


def test_pages_have_no_broken_images_and_run_no_scripts(pack, visits):
    for name, v in visits.items():
        assert v["broken_images"] == 0, f"{pack['lang']}/{name}: broken images"
        assert v["scripts"] == 0, f"{pack['lang']}/{name}: the DOM holds <script> elements"


def test_pages_are_small_and_have_no_script_tags(pack):
    for page in pack["pages"]:
        raw = page.read_bytes()
        assert len(raw) < MAX_BYTES, f"{page.name}: {len(raw):,} bytes (limit {MAX_BYTES:,})"
        assert not re.search(rb"<script\b", raw, re.I), f"{page.name} has a <script> tag"


def test_reports_show_no_python_warnings_or_tracebacks(pack):
    """Warnings and errors from the kernel must not reach the reader (or leak paths)."""
    for page in _team_pages(pack):
        text = page.read_text(encoding="utf-8")
        found = re.findall(r"\w*(?:Warning|Error): .{0,80}|Traceback \(most recent", text)
        assert not found, f"{pack['lang']}/{page.name} shows kernel output: {found[:3]}"


def test_screenshots_and_pdfs_are_saved_and_not_blank(pack, visits, shots_dir):
    assert set(visits) == {p.name for p in pack["pages"]}
    for page in pack["pages"]:
        png = shots_dir / f"{pack['lang']}-{page.stem}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size > 20_000, f"{png.name} looks blank ({png.stat().st_size} B)"
        pdf = shots_dir / f"{pack['lang']}-{page.stem}.pdf"
        assert pdf.read_bytes()[:5] == b"%PDF-"


def test_zh_reports_have_chinese_headings_and_wan_yi_amounts(pack):
    if pack["lang"] != "zh":
        pytest.skip("Chinese-only check")
    for page in _team_pages(pack):
        html = page.read_text(encoding="utf-8")
        assert '<html lang="zh-CN"' in html
        assert ">进度分析</h2>" in html, f"{page.name}: no 进度分析 heading"
        # e.g. ¥94.7万 or ¥1.23亿: a number, then 万 or 亿
        assert re.search(r"¥-?[\d,.]+(万|亿)", html), f"{page.name}: no ¥…万/亿 amounts"
        assert "$" not in re.sub(r"<style>.*?</style>", "", html, flags=re.S)


def test_en_reports_have_english_headings_and_no_chinese_units(pack):
    if pack["lang"] != "en":
        pytest.skip("English-only check")
    for page in _team_pages(pack):
        html = page.read_text(encoding="utf-8")
        assert ">Progress</h2>" in html
        assert not re.search(r"\d(万|亿)", html), f"{page.name}: Chinese units in English"


def test_the_browser_check_catches_console_errors_and_missing_files(browser, tmp_path):
    """The detector itself: a page that logs an error and misses an image is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><body><img src="missing.png">'
                   '<script>console.error("boom")</script></body></html>', encoding="utf-8")
    v = visit(browser, bad, tmp_path, "bad")
    assert any("console.error: boom" in p for p in v["problems"]), v["problems"]
    assert any("failed load" in p for p in v["problems"]), v["problems"]
    assert v["broken_images"] == 1 and v["scripts"] == 1


def _english_vocabulary() -> set[str]:
    """The report's own English words: every word of views/words.py's English sentences
    and terms (placeholders left out), three letters or more."""
    from salesnb.views import words
    texts = list(words.SENTENCES["en"].values()) + list(words.TERMS["en"].values())
    found = set()
    for text in texts:
        found |= {w.lower() for w in re.findall(r"[A-Za-z]{3,}", re.sub(r"\{[^}]*\}", " ", text))}
    return found


def _shown_text(html: str) -> str:
    """The text a reader sees: no style, script or SVG metadata; the SVG's text kept."""
    import html as _html
    html = re.sub(r"<(style|script|metadata)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return _html.unescape(re.sub(r"<[^>]+>", " ", html))


def test_zh_report_pages_use_no_english_word_of_the_reports_vocabulary(pack):
    if pack["lang"] != "zh":
        pytest.skip("Chinese-only check")
    vocab = _english_vocabulary()
    assert {"pace", "target", "volume", "coaching", "negotiation"} <= vocab
    pages = [p for p in pack["pages"] if p.name.startswith(("team-", "rep-", "company"))]
    assert len(pages) >= 4
    found = {}
    for page in pages:
        text = _shown_text(page.read_text(encoding="utf-8"))
        for word in re.findall(r"[A-Za-z][A-Za-z'-]*", text):
            if word.lower() in vocab:
                i = text.find(word)
                found.setdefault(page.name, []).append(
                    f"{word!r} in …{text[max(0, i - 30):i + 30].strip()}…")
    assert not found, {k: v[:5] for k, v in found.items()}
