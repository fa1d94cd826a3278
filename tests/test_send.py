"""``salesnb send`` end to end against a real SMTP server on localhost (aiosmtpd).

A hand-made run folder (two teams, four reps, each with a ``rep-<slug>.html`` scorecard
listed in run.json as the scorecard branch will write them) checks the routing, the check
before a message leaves, send.json and the failure paths; one rendered sample pack checks
the delivery of a real pack. Every address is at example.com and goes only to the server
started here on 127.0.0.1.
"""

from __future__ import annotations

import email
import json
import shutil
import socket
import subprocess
from email import policy
from pathlib import Path

import pandas as pd
import pytest

from salesnb import fmt
from salesnb.cli import main
from salesnb.delivery.mail import check_message, compose, read_run
from salesnb.delivery.recipients import Delivery, check_recipients, plan_deliveries

aiosmtpd = pytest.importorskip("aiosmtpd", reason="aiosmtpd is in the test extra")
from aiosmtpd.controller import Controller  # noqa: E402

PEOPLE = {  # rep: (team, manager, email)
    "Ann": ("East", "", "ann@example.com"),
    "Bob": ("East", "Ann", "bob@example.com"),
    "Cat": ("West", "Zed", "cat@example.com"),
    "Dan": ("West", "Zed", ""),
}


def _progress_rows():
    rows = [("company", "Company", "", 300.0, 330.0), ("team", "East", "East", 150.0, 160.0),
            ("team", "West", "West", 150.0, 170.0)]
    rows += [("rep", r, t, 50.0 + i, 40.0 + 10 * i) for i, (r, (t, _, _)) in
             enumerate(PEOPLE.items())]
    return pd.DataFrame([dict(level=lv, unit=u, team=t, month="2025-02", metric="amount",
                              target=tg, actual=a, attainment=a / tg, ytd_attainment=a / tg,
                              pace=a / tg - 1) for lv, u, t, tg, a in rows])


def make_run(root: Path) -> Path:
    """Write a run folder: run.json, tables, org in the cache, one page per report."""
    out = root / "run"
    (out / "tables").mkdir(parents=True)
    (out / "_cache").mkdir()
    reports = [{"kind": "company", "name": "company", "file": "company.html", "status": "ok"}]
    pages = {"company.html": "Company: East, West, Ann, Bob, Cat, Dan", "index.html": "index"}
    for team in ("East", "West"):
        reps = [r for r, (t, _, _) in PEOPLE.items() if t == team]
        reports.append({"kind": "team", "name": team, "file": f"team-{team.lower()}.html",
                        "status": "ok"})
        pages[f"team-{team.lower()}.html"] = f"{team}: {', '.join(reps)}"
    for rep, (team, _, _) in PEOPLE.items():
        reports.append({"kind": "rep", "name": rep, "team": team,
                        "file": f"rep-{rep.lower()}.html", "status": "ok"})
        pages[f"rep-{rep.lower()}.html"] = f"{rep}: 2nd of 2 in {team}"
    for name, text in pages.items():
        (out / name).write_text(f"<html><body><p>{text}</p></body></html>", encoding="utf-8")
    record = {"salesnb_run": 1, "started": "2025-03-01T06:30:00",
              "params": {"month": "2025-02", "company": "Tiny Co.", "currency": "$",
                         "lang": "en"},
              "data": {"last_sale_date": "2025-02-15"}, "reports": reports}
    (out / "run.json").write_text(json.dumps(record), encoding="utf-8")
    _progress_rows().to_csv(out / "tables" / "progress.csv", index=False)
    pd.DataFrame([dict(level="rep", unit="Bob", team="East", rule="behind_pace",
                       severity="high", value=-0.3, threshold=-0.05,
                       message="Bob (East) is 30.0 points behind pace."),
                  dict(level="rep", unit="Cat", team="West", rule="mom_drop",
                       severity="medium", value=-0.25, threshold=-0.2,
                       message="Sales of Cat (West) fell 25.0 % on last month.")]
                 ).to_csv(out / "tables" / "alerts.csv", index=False)
    org = pd.DataFrame([dict(rep=r, team=t, manager=m, email=e, start=pd.NaT, end=pd.NaT)
                        for r, (t, m, e) in PEOPLE.items()])
    org.to_parquet(out / "_cache" / "org.parquet", index=False)
    return out


class Recorder:
    """An aiosmtpd handler: keeps every message; refuses or drops where told."""

    def __init__(self, refuse=(), drop_once=()):
        self.messages: list = []
        self.refuse = set(refuse)
        self.drop_once = set(drop_once)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        if address in self.drop_once:
            self.drop_once.discard(address)
            server.transport.close()
            return "421 4.3.0 closing"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos[0], msg))
        return "250 Message accepted"

    def got(self) -> dict:
        """Address -> list of attachment-name lists, one per message received."""
        out: dict = {}
        for to, msg in self.messages:
            out.setdefault(to, []).append(sorted(p.get_filename() for p in
                                                 msg.iter_attachments()))
        return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    started = []

    def start(handler=None, **kwargs):
        handler = handler or Recorder()
        c = Controller(handler, hostname="127.0.0.1", port=_free_port(), **kwargs)
        c.start()
        started.append(c)
        return handler, c.port
    yield start
    for c in started:
        c.stop()


def write_params(root: Path, port: int, *, security="none", extra="") -> Path:
    p = root / "params.yaml"
    p.write_text(
        'month: "2025-02"\nout: run\n'
        "recipients:\n  directors: [boss@example.com]\n  managers: {West: west@example.com}\n"
        f"smtp: {{host: 127.0.0.1, port: {port}, security: {security}, "
        f"from: \"Reports <reports@example.com>\"{extra}}}\n", encoding="utf-8")
    return p


EXPECTED = {
    "boss@example.com": [["company.html", "index.html"]],
    "ann@example.com": [["rep-ann.html", "rep-bob.html", "team-east.html"], ["rep-ann.html"]],
    "west@example.com": [["rep-cat.html", "rep-dan.html", "team-west.html"]],
    "bob@example.com": [["rep-bob.html"]],
    "cat@example.com": [["rep-cat.html"]],
}


def _sorted(got: dict) -> dict:
    return {k: sorted(v) for k, v in got.items()}


def test_plan_routes_each_reader_to_their_reports(tmp_path):
    run = make_run(tmp_path)
    record, audience, _ = read_run(run)
    plan, notes = plan_deliveries(record, audience, check_recipients(
        {"directors": ["boss@example.com"], "managers": {"West": "west@example.com"}}),
        month="2025-02")
    got = {(d.role, d.scope, d.to): sorted(d.files) for d in plan}
    assert got == {
        ("director", "", "boss@example.com"): ["company.html", "index.html"],
        ("manager", "East", "ann@example.com"): ["rep-ann.html", "rep-bob.html",
                                                 "team-east.html"],  # Bob's manager in org
        ("manager", "West", "west@example.com"): ["rep-cat.html", "rep-dan.html",
                                                  "team-west.html"],
        ("rep", "Ann", "ann@example.com"): ["rep-ann.html"],
        ("rep", "Bob", "bob@example.com"): ["rep-bob.html"],
        ("rep", "Cat", "cat@example.com"): ["rep-cat.html"],
    }
    assert notes == ["rep Dan: no email in org, scorecard not sent"]


def test_org_manager_without_email_is_a_note(tmp_path):
    run = make_run(tmp_path)
    record, audience, _ = read_run(run)
    plan, notes = plan_deliveries(record, audience, check_recipients({"reps": False}),
                                  month="2025-02")
    assert [(d.role, d.scope) for d in plan] == [("manager", "East")]
    assert "team West: its manager Zed has no email in org" in notes


@pytest.mark.parametrize("files, text, problem", [
    (("rep-ann.html", "rep-bob.html"), "", "attachments ['rep-bob.html']"),
    (("rep-ann.html",), "Bob is ahead of you", "names ['Bob']"),
    (("rep-ann.html",), "West leads the company", "names ['West']"),
])
def test_check_refuses_what_a_rep_may_not_see(tmp_path, files, text, problem):
    run = make_run(tmp_path)
    record, audience, tables = read_run(run)
    msg = compose(Delivery("rep", "Ann", "ann@example.com", files, "Ann"), record, tables,
                  run, "r@example.com")
    if text:
        msg.get_body(("plain",)).set_content(text)
    problems = check_message(msg, Delivery("rep", "Ann", "ann@example.com", ("rep-ann.html",),
                                           "Ann"), audience)
    assert any(problem in p for p in problems), problems


def test_check_refuses_a_team_page_naming_another_teams_rep(tmp_path, smtp, capsys):
    run = make_run(tmp_path)
    (run / "team-east.html").write_text("<p>East: Ann, Bob; Cat leads West</p>")
    handler, port = smtp()
    assert main(["send", str(write_params(tmp_path, port))]) == 1
    out = capsys.readouterr().out
    assert "blocked: manager East <ann@example.com>" in out and "names ['Cat']" in out
    assert "ann@example.com" in handler.got() and len(handler.got()["ann@example.com"]) == 1
    sent = json.loads((run / "send.json").read_text())["messages"]
    assert [m["status"] for m in sent if m["role"] == "manager" and m["scope"] == "East"] == \
        ["blocked"]


def test_send_delivers_exactly_each_readers_reports_once(tmp_path, smtp, capsys):
    run = make_run(tmp_path)
    handler, port = smtp()
    params = write_params(tmp_path, port)
    assert main(["send", str(params)]) == 0
    assert _sorted(handler.got()) == _sorted(EXPECTED)
    rec = json.loads((run / "send.json").read_text())
    assert len(rec["messages"]) == 6 and {m["status"] for m in rec["messages"]} == {"sent"}
    # the body: headline figures from progress.csv, the reader's alert, both parts
    to_bob = next(m for to, m in handler.messages if to == "bob@example.com")
    text = to_bob.get_body(("plain",)).get_content()
    assert "Month: $50 / $51 of target (98.0 %)" in text  # 50 / 51 = 0.9804, by hand
    assert "Bob (East) is 30.0 points behind pace." in text
    assert "Bob (East)" in to_bob.get_body(("html",)).get_content()
    capsys.readouterr()
    # a second send sends nothing; --force sends everything again
    assert main(["send", str(params)]) == 0
    assert len(handler.messages) == 6
    assert "6 sent earlier, not sent again" in capsys.readouterr().out
    assert main(["send", str(params), "--force"]) == 0
    assert len(handler.messages) == 12


def test_dry_run_writes_the_same_messages_and_sends_nothing(tmp_path, smtp):
    run = make_run(tmp_path)
    handler, port = smtp()
    assert main(["send", str(write_params(tmp_path, port)), "--dry-run",
                 str(tmp_path / "eml")]) == 0
    got: dict = {}
    for f in sorted((tmp_path / "eml").glob("*.eml")):
        msg = email.message_from_bytes(f.read_bytes(), policy=policy.default)
        got.setdefault(str(msg["To"]), []).append(
            sorted(p.get_filename() for p in msg.iter_attachments()))
    assert _sorted(got) == _sorted(EXPECTED)
    assert handler.messages == [] and not (run / "send.json").exists()


def test_refused_recipient_is_reported_and_the_rest_is_sent(tmp_path, smtp, capsys):
    run = make_run(tmp_path)
    handler, port = smtp(Recorder(refuse={"cat@example.com"}))
    params = write_params(tmp_path, port)
    assert main(["send", str(params)]) == 1
    out = capsys.readouterr().out
    assert "refused: rep Cat <cat@example.com>: rep-cat.html -- recipient refused: 550" in out
    expected = {k: v for k, v in EXPECTED.items() if k != "cat@example.com"}
    assert _sorted(handler.got()) == _sorted(expected)
    status = {m["key"]: m["status"] for m in
              json.loads((run / "send.json").read_text())["messages"]}
    assert status["rep|Cat|cat@example.com"] == "refused"
    handler.refuse.clear()  # the mailbox is fixed: only Cat's message goes out
    assert main(["send", str(params)]) == 0
    assert _sorted(handler.got()) == _sorted(EXPECTED)


def test_dropped_connection_loses_one_message_and_sends_none_twice(tmp_path, smtp, capsys):
    run = make_run(tmp_path)
    handler, port = smtp(Recorder(drop_once={"west@example.com"}))
    params = write_params(tmp_path, port)
    assert main(["send", str(params)]) == 1
    out = capsys.readouterr().out
    assert ("failed: manager West <west@example.com>: team-west.html, rep-cat.html, "
            "rep-dan.html -- the connection to 127.0.0.1") in out
    assert "dropped before the message was handed over" in out
    expected = {k: v for k, v in EXPECTED.items() if k != "west@example.com"}
    assert _sorted(handler.got()) == _sorted(expected)  # reconnected for the rest
    assert main(["send", str(params)]) == 0
    assert _sorted(handler.got()) == _sorted(EXPECTED)  # West once, nobody twice
    rec = json.loads((run / "send.json").read_text())["messages"]
    assert {m["key"]: m["attempts"] for m in rec}["manager|West|west@example.com"] == 2


def test_server_down_stops_with_a_clear_message(tmp_path, capsys):
    make_run(tmp_path)
    assert main(["send", str(write_params(tmp_path, _free_port()))]) == 1
    out = capsys.readouterr().out
    assert "could not connect to the mail server 127.0.0.1" in out
    assert "5 message(s) not tried" in out


def test_missing_password_variable_is_a_params_error(tmp_path, capsys, monkeypatch):
    make_run(tmp_path)
    monkeypatch.delenv("SALESNB_TEST_SMTP_PW", raising=False)
    params = write_params(tmp_path, 25, extra=', user: reports, password: "${SALESNB_TEST_SMTP_PW}"')
    assert main(["send", str(params)]) == 2
    assert "SALESNB_TEST_SMTP_PW is not set" in capsys.readouterr().err


def _cert(tmp_path: Path) -> tuple[Path, Path]:
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a self-signed certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    return key, cert


def test_starttls_login_and_the_password_is_never_shown(tmp_path, smtp, capsys, monkeypatch):
    import ssl

    from aiosmtpd.smtp import AuthResult
    run = make_run(tmp_path)
    key, cert = _cert(tmp_path)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)

    def auth(server, session, envelope, mechanism, data):
        return AuthResult(success=data.login == b"reports" and data.password == b"s3cret-pw")

    handler, port = smtp(tls_context=ctx, require_starttls=True, authenticator=auth,
                         auth_required=True)
    password = "s3cret-pw"
    monkeypatch.setenv("SALESNB_TEST_SMTP_PW", password)
    params = write_params(tmp_path, port, security="starttls",
                          extra=f', user: reports, password: "${{SALESNB_TEST_SMTP_PW}}", '
                                f'cafile: "{cert}"')
    assert main(["send", str(params)]) == 0
    out = capsys.readouterr()
    assert password not in out.out + out.err + (run / "send.json").read_text()
    assert _sorted(handler.got()) == _sorted(EXPECTED)


def _expected_routing(pack: Path, org: pd.DataFrame, month: str) -> dict:
    """Who should get what, worked out from run.json and the org table alone.

    Directors: the overview and the index. A team's manager (the person most of the team's
    members in the report month name in org ``manager``): the team's report and the
    scorecards of the reps run.json puts on the team. A rep with an email: their own
    scorecard. Address -> sorted list of sorted attachment lists.
    """
    run = json.loads((pack / "run.json").read_text(encoding="utf-8"))
    email_of = dict(zip(org["rep"], org["email"], strict=True))
    p = pd.Period(month, freq="M")
    start, end = pd.to_datetime(org["start"]), pd.to_datetime(org["end"])
    now = org[(start.isna() | (start <= p.end_time)) & (end.isna() | (end >= p.start_time))]
    out: dict = {"director@example.com": [["company.html", "index.html"]]}
    for t in (r for r in run["reports"] if r["kind"] == "team"):
        members = now[(now["team"] == t["name"]) & now["manager"].notna()
                      & (now["manager"] != now["rep"])]
        lead = members["manager"].mode()
        assert len(lead) == 1, (t["name"], lead.tolist())
        cards = [r["file"] for r in run["reports"] if r["kind"] == "rep"
                 and r["team"] == t["name"]]
        out.setdefault(email_of[lead[0]], []).append(sorted([t["file"], *cards]))
    for r in (r for r in run["reports"] if r["kind"] == "rep"):
        if isinstance(email_of.get(r["name"]), str):
            out.setdefault(email_of[r["name"]], []).append([r["file"]])
    return _sorted(out)


def _eml_routing(folder: Path) -> dict:
    got: dict = {}
    for f in sorted(folder.glob("*.eml")):
        msg = email.message_from_bytes(f.read_bytes(), policy=policy.default)
        got.setdefault(str(msg["To"]), []).append(
            sorted(p.get_filename() for p in msg.iter_attachments()))
    return _sorted(got)


@pytest.mark.slow
def test_the_sample_pack_reaches_every_reader_with_exactly_their_reports(
        sample_pack, tmp_path, smtp):
    """The session's sample pack (six teams, a scorecard per rep) sent end to end."""
    pack = tmp_path / "pack"  # send writes send.json into the pack: a copy
    shutil.copytree(sample_pack["out"], pack, ignore=shutil.ignore_patterns("_failed"))
    data = sample_pack["data"]
    handler, port = smtp()
    params = tmp_path / "params.yaml"
    params.write_text(
        f'month: "2026-10"\nsales: {data / "sales.csv"}\ntargets: {data / "targets.csv"}\n'
        f'org: {data / "org.csv"}\nout: pack\ncompany: "Sample Co."\n'
        "recipients: {directors: [director@example.com]}\n"
        f"smtp: {{host: 127.0.0.1, port: {port}, security: none, from: r@example.com}}\n",
        encoding="utf-8")
    org = pd.read_csv(data / "org.csv")
    expected = _expected_routing(pack, org, "2026-10")
    n = sum(len(v) for v in expected.values())
    assert n > 40  # a director, six managers and every rep with an email

    assert main(["send", str(params), "--dry-run", str(tmp_path / "eml")]) == 0
    assert _eml_routing(tmp_path / "eml") == expected and handler.messages == []
    assert main(["send", str(params)]) == 0
    assert _sorted(handler.got()) == expected
    prog = pd.read_csv(pack / "tables" / "progress.csv")
    checked = 0
    for _, msg in handler.messages:  # each reader's own headline attainment is in the body
        what = str(msg["Subject"]).split(" · ")[1]
        for level, word in (("team", "team report "), ("rep", "scorecard ")):
            if what.startswith(word):
                row = prog[(prog["level"] == level) & (prog["unit"] == what.removeprefix(word))
                           & (prog["metric"] == "amount")].iloc[0]
                assert fmt.pct(row["attainment"]) in msg.get_body(("plain",)).get_content()
                checked += 1
    assert checked == n - 1
    record = json.loads((pack / "send.json").read_text(encoding="utf-8"))
    assert len(record["messages"]) == n and {m["status"] for m in record["messages"]} == {"sent"}
    assert main(["send", str(params)]) == 0 and len(handler.messages) == n  # nothing again
