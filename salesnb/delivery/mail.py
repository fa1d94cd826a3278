"""``salesnb send``: e-mail each reader the reports of a rendered pack that they may see.

The messages are planned by :mod:`salesnb.delivery.recipients`, worded by
:mod:`salesnb.delivery.body`, checked one by one (attachments and names) and then sent over
one SMTP connection (STARTTLS, TLS or plain), or written as ``.eml`` files with ``--dry-run``.
``send.json`` in the run folder records every message (written atomically after each one),
so a second ``send`` sends nothing again unless ``--force``.

Statuses in send.json: ``sent``; ``refused`` (the server refused the recipient or sender:
not delivered, tried again by the next ``send``); ``failed`` (not delivered, e.g. the
connection dropped before the message was handed over: tried again); ``unconfirmed`` (the
connection dropped while the message was being handed over: it may have arrived, so only
``--force`` sends it again); ``blocked`` (the check found something the recipient may not
see: never sent).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

import pandas as pd

from ..atomic import atomic_write_bytes, atomic_write_text
from ..exceptions import DataError, ParamsError, SalesnbError
from . import body
from .recipients import (
    Audience,
    Delivery,
    allowed_files,
    audience_of,
    check_recipients,
    forbidden_names,
    names_in,
    plan_deliveries,
    visible_text,
)

__all__ = ["SMTP_KEYS", "check_smtp", "run_dir_of", "read_run", "compose", "check_message",
           "send_pack", "Mailer"]

SMTP_KEYS = ("host", "port", "user", "password", "security", "from", "timeout", "cafile")
_PORTS = {"starttls": 587, "tls": 465, "none": 25}
_RETRY = ("refused", "failed")


def check_smtp(spec, *, path: str = "params") -> dict:
    """Return the ``smtp`` params key with defaults, or raise ParamsError (secrets unexpanded).

    Parameters
    ----------
    spec : mapping or None
        The params' ``smtp`` key.
    path : str
        The params file's name, quoted in messages.

    Examples
    --------
    >>> s = check_smtp({"host": "localhost", "from": "r@example.com", "security": "tls"})
    >>> s["port"], s["security"]
    (465, 'tls')
    """
    spec = dict(spec or {})
    unknown = sorted(set(spec) - set(SMTP_KEYS))
    if unknown:
        raise ParamsError(f"{path}: smtp has unknown key(s) {unknown}; allowed: {list(SMTP_KEYS)}.")
    missing = [k for k in ("host", "from") if not spec.get(k)]
    if missing:
        raise ParamsError(f"{path}: smtp needs {missing}, e.g. smtp: {{host: smtp.example.com, "
                          "port: 587, user: reports, password: \"${SMTP_PASSWORD}\", "
                          "security: starttls, from: reports@example.com}.")
    sec = str(spec.get("security", "starttls")).lower()
    if sec not in _PORTS:
        raise ParamsError(f"{path}: smtp.security must be starttls, tls or none, got {sec!r}.")
    spec["security"] = sec
    spec["port"] = int(spec.get("port") or _PORTS[sec])
    spec["timeout"] = float(spec.get("timeout") or 30)
    return spec


def run_dir_of(params: Mapping, params_path) -> Path:
    """Return the run folder ``salesnb run`` writes for these params (its ``out`` rule).

    Parameters
    ----------
    params : mapping
        Resolved params (``month``, ``out``).
    params_path : str or Path
        The params file (``out`` is relative to its folder).
    """
    month = params["month"]
    if params.get("out"):
        return Path(params_path).resolve().parent / str(params["out"]).format(month=month)
    return Path("reports/{month}".format(month=month))


def read_run(run_dir: Path, params: Mapping | None = None) -> tuple[dict, Audience, dict]:
    """Read run.json, the exported tables and the org table of a rendered pack.

    Parameters
    ----------
    run_dir : Path
        A pack written by ``salesnb run``.
    params : mapping, optional
        The params (their org table when the pack has none).
    """
    run_dir = Path(run_dir)
    f = run_dir / "run.json"
    if not f.exists():
        raise DataError(f"{run_dir}: no run.json, so no rendered pack to send; render it first "
                        "with `salesnb run PARAMS.yaml` (or give its folder with --run DIR).")
    from ..run.exports import read_export_csv  # undoes the exports' formula escape
    record = json.loads(f.read_text(encoding="utf-8"))
    tables = {}
    for name in ("progress", "alerts"):
        p = run_dir / "tables" / f"{name}.csv"
        if not p.exists():
            raise DataError(f"{p}: missing; the pack is incomplete, render it again.")
        tables[name] = read_export_csv(p, dtype={"unit": str, "team": str})
    org_file = run_dir / "_cache" / "org.parquet"
    if org_file.exists():
        org = pd.read_parquet(org_file)
    elif params and params.get("org"):
        from ..load.tables import load_table
        org = load_table(params["org"], "org", columns=(params.get("columns") or {}).get("org"),
                         base_dir=params.get("base_dir"))
    else:
        org = pd.DataFrame(columns=["rep", "team"])
    return record, audience_of(record, tables["progress"], org), tables


def compose(d: Delivery, record: Mapping, tables: Mapping, run_dir: Path,
            sender: str) -> EmailMessage:
    """Return the message for ``d``: text and HTML parts, the reports attached.

    Parameters
    ----------
    d : Delivery
        One message's recipient, unit and files.
    record : mapping
        The pack's run.json.
    tables : mapping
        The pack's exported tables (progress, alerts).
    run_dir : Path
        The pack's folder (the attachments are read from it).
    sender : str
        The From address.
    """
    msg = EmailMessage()
    msg["Subject"] = body.subject(d, record)
    msg["From"] = sender
    msg["To"] = d.to
    msg["Date"] = formatdate(localtime=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "salesnb.invalid"
    msg["Message-ID"] = make_msgid("salesnb", domain=domain)
    msg.set_content(body.body_text(d, record, tables["progress"], tables["alerts"]))
    msg.add_alternative(body.body_html(d, record, tables["progress"], tables["alerts"]),
                        subtype="html")
    for name in d.files:
        for f in (run_dir / name, (run_dir / name).with_suffix(".pdf")):
            if f.suffix == ".pdf" and (f.name == name or not f.exists()):
                continue
            if not f.exists():
                raise DataError(f"{f}: listed in run.json but missing; render the pack again.")
            main, sub = ("text", "html") if f.suffix == ".html" else ("application", "pdf")
            msg.add_attachment(f.read_bytes(), maintype=main, subtype=sub, filename=f.name)
    return msg


def check_message(msg: EmailMessage, d: Delivery, audience: Audience) -> list[str]:
    """Return what is wrong with ``msg`` for its recipient (empty: it may leave).

    The attachments must be among the files the recipient may see; the subject and the body
    may name no other team or rep than theirs, and an attached page no other rep (a team
    page may say where a rep who left the team went).

    Parameters
    ----------
    msg : EmailMessage
        The composed message.
    d : Delivery
        One message's recipient, unit and files.
    audience : Audience
        Who is who in the run (teams, reps, managers).
    """
    problems = []
    allowed = allowed_files(d, audience)
    teams, reps = forbidden_names(d, audience)
    names = [p.get_filename() for p in msg.iter_attachments()]
    extra = sorted(n for n in names if n not in allowed)
    if extra:
        problems.append(f"attachments {extra} are not for a {d.role} {d.scope}".rstrip())
    texts = {"subject": (str(msg["Subject"]), teams | reps)}
    for part in msg.walk():
        if part.get_content_maintype() != "text":
            continue
        content = part.get_content()
        name = part.get_filename()
        label = name or f"body ({part.get_content_subtype()})"
        text = visible_text(content) if part.get_content_subtype() == "html" else content
        texts[label] = (text, reps if name else teams | reps)
    for label, (text, forbidden) in texts.items():
        found = names_in(text, forbidden)
        if found:
            problems.append(f"{label} names {found[:5]}")
    return problems


class Mailer:
    """One SMTP connection, opened on first use and again after a drop; secrets masked.

    ``${VAR}`` in any setting is replaced from the environment when connecting, never
    earlier (a password is expanded only when it is exactly one ``${VAR}``; a typed one is
    used as written); the password's value never appears in a message this class raises.
    """

    def __init__(self, settings: Mapping, *, environ: Mapping[str, str] | None = None):
        self.settings = dict(settings)
        self.environ = os.environ if environ is None else environ
        self.conn: smtplib.SMTP | None = None
        self._secrets: list[str] = []

    def mask(self, text: str) -> str:
        """Return ``text`` with every secret value (as written or %-quoted) shown as ``***``.

        Parameters
        ----------
        text : str
            A message or error text.
        """
        from urllib.parse import quote
        for s in sorted(set(self._secrets), key=len, reverse=True):
            text = text.replace(s, "***").replace(quote(s, safe=""), "***")
        return text

    def _value(self, key: str) -> str:
        from ..load.sql_spec import expand_env, is_reference
        raw = self.settings.get(key)
        if raw in (None, ""):
            return ""
        if key == "password" and not is_reference(str(raw)):
            value = str(raw)  # a typed password is used as written: never expanded
        else:
            try:
                value = expand_env(str(raw), environ=self.environ)
            except DataError as exc:
                raise ParamsError(f"smtp.{key}: {exc}") from None
        if key == "password" and value:
            self._secrets.append(value)
        return value

    def where(self) -> str:
        """Return ``host:port (security)`` for messages."""
        s = self.settings
        return f"{s['host']}:{s['port']} ({s['security']})"

    def open(self) -> None:
        """Connect, secure the connection and log in (raises SalesnbError, masked)."""
        s = self.settings
        ctx = ssl.create_default_context(cafile=s.get("cafile") or None)
        host, user, password = self._value("host"), self._value("user"), self._value("password")
        try:
            if s["security"] == "tls":
                conn = smtplib.SMTP_SSL(host, s["port"], timeout=s["timeout"], context=ctx)
            else:
                conn = smtplib.SMTP(host, s["port"], timeout=s["timeout"])
                if s["security"] == "starttls":
                    conn.starttls(context=ctx)
            if user:
                conn.login(user, password)
        except (OSError, smtplib.SMTPException) as exc:
            raise SalesnbError(self.mask(f"could not connect to the mail server {self.where()}"
                                         f"{' as ' + user if user else ''}: "
                                         f"{type(exc).__name__}: {exc}")) from None
        self.conn = conn

    def close(self) -> None:
        """Say QUIT (or drop the socket when the server is gone)."""
        if self.conn is not None:
            try:
                self.conn.quit()
            except (OSError, smtplib.SMTPException):
                self.conn.close()
            self.conn = None

    def send(self, msg: EmailMessage, sender: str, to: str) -> tuple[str, str]:
        """Hand one message over; return (status, detail) as send.json records them.

        Parameters
        ----------
        msg : EmailMessage
            The composed, checked message.
        sender : str
            The envelope sender.
        to : str
            The recipient's address.
        """
        if self.conn is None:
            self.open()
        c = self.conn
        stage = "before the message was handed over"
        try:
            c.ehlo_or_helo_if_needed()
            code, resp = c.mail(sender)
            if code != 250:
                c.rset()
                return "refused", f"sender {sender} refused: {code} {resp.decode(errors='replace')}"
            code, resp = c.rcpt(to)
            if code not in (250, 251):
                c.rset()
                return "refused", f"recipient refused: {code} {resp.decode(errors='replace')}"
            stage = "while the message was handed over (it may have arrived)"
            code, resp = c.data(msg.as_bytes(policy=msg.policy.clone(linesep="\r\n")))
            reply = f"{code} {resp.decode(errors='replace')}"
            return ("sent", reply) if code == 250 else ("refused", f"message refused: {reply}")
        except smtplib.SMTPDataError as exc:
            return "refused", f"message refused: {exc.smtp_code} {exc.smtp_error!r}"
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self.conn = None
            try:
                c.close()
            except OSError:
                pass
            status = "failed" if stage.startswith("before") else "unconfirmed"
            return status, self.mask(f"the connection to {self.where()} dropped {stage}: "
                                     f"{type(exc).__name__}: {exc}".rstrip(": "))


def _load_record(path: Path) -> dict:
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return {"salesnb_send": 1, "messages": []}


def _save(path: Path, rec: dict) -> None:
    rec["updated"] = _dt.datetime.now().isoformat(timespec="seconds")
    atomic_write_text(path, json.dumps(rec, indent=2, ensure_ascii=False))


def _eml_name(i: int, d: Delivery) -> str:
    from ..report import slugify
    return f"{i:03d}-{d.role}-{slugify(d.scope or 'company')}-{slugify(d.to)}.eml"


def send_pack(params: Mapping, *, run_dir: Path, dry_run: Path | None = None,
              force: bool = False, mailer: Mailer | None = None, out=print) -> int:
    """Send (or with ``dry_run`` write as .eml files) every planned message of a pack.

    Parameters
    ----------
    params : Mapping
        Resolved params (``recipients`` and, unless ``dry_run``, ``smtp``).
    run_dir : Path
        The rendered pack (run.json, tables/, the reports).
    dry_run : Path or None
        Folder for one ``.eml`` file per message instead of sending; send.json is left alone.
    force : bool
        Send again what send.json records as sent (or unconfirmed).
    mailer : Mailer or None
        The connection (default: built from ``params['smtp']``).
    out : callable
        Where progress lines go (``print``).

    Returns
    -------
    int
        0 every message sent (or sent before), 1 some message was not sent.
    """
    recipients = check_recipients(params.get("recipients"))
    run_dir = Path(run_dir)
    record, audience, tables = read_run(run_dir, params)
    plan, notes = plan_deliveries(record, audience, recipients,
                                  month=str(record.get("params", {}).get("month", "")))
    for n in notes:
        out(f"note: {n}")
    if not plan:
        out("nothing to send: no recipient has a report (set `recipients` in the params)")
        return 0
    if dry_run is None and mailer is None:
        mailer = Mailer(check_smtp(params.get("smtp")))
    sender = (mailer.settings["from"] if mailer else
              (params.get("smtp") or {}).get("from") or "salesnb@localhost")
    rec_path = run_dir / "send.json"
    rec = _load_record(rec_path)
    rec["run_started"] = record.get("started", "")
    by_key = {m["key"]: m for m in rec["messages"]}
    counts: dict[str, int] = {}
    stop = False
    try:
        for i, d in enumerate(plan, 1):
            prev = by_key.get(d.key)
            if prev and prev["status"] not in _RETRY and not force:
                counts["earlier"] = counts.get("earlier", 0) + 1
                continue
            msg = compose(d, record, tables, run_dir, sender)
            problems = check_message(msg, d, audience)
            files = [p.get_filename() for p in msg.iter_attachments()]
            if problems:
                status, detail = "blocked", "; ".join(problems)
            elif dry_run is not None:
                atomic_write_bytes(Path(dry_run) / _eml_name(i, d), msg.as_bytes())
                status, detail = "written", str(Path(dry_run) / _eml_name(i, d))
            else:
                try:
                    status, detail = mailer.send(msg, sender, d.to)
                except ParamsError:
                    raise
                except SalesnbError as exc:  # cannot connect: stop, the rest stay unsent
                    status, detail, stop = "failed", str(exc), True
            counts[status] = counts.get(status, 0) + 1
            what = f"{d.role} {d.scope}".rstrip()
            line = f"{status}: {what} <{d.to}>: {', '.join(files)}"
            out(line if status in ("sent", "written") else f"{line} -- {detail}")
            if dry_run is None:
                entry = {"key": d.key, "to": d.to, "role": d.role, "scope": d.scope,
                         "subject": str(msg["Subject"]), "attachments": files,
                         "message_id": str(msg["Message-ID"]), "status": status,
                         "detail": detail, "at": _dt.datetime.now().isoformat(timespec="seconds"),
                         "attempts": (prev or {}).get("attempts", 0) + 1}
                if prev:
                    rec["messages"][rec["messages"].index(prev)] = entry
                else:
                    rec["messages"].append(entry)
                by_key[d.key] = entry
                _save(rec_path, rec)
            if stop:
                left = len(plan) - i
                counts["not tried"] = left
                out(f"stopped: {left} message(s) not tried; send again when the server is back")
                break
    finally:
        if mailer is not None:
            mailer.close()
    summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()) if k != "earlier")
    if counts.get("earlier"):
        summary += (f"{'; ' if summary else ''}{counts['earlier']} sent earlier, not sent again "
                    "(--force sends them again)")
    where = f"messages in {dry_run}" if dry_run is not None else f"record: {rec_path}"
    out(f"{summary or 'nothing sent'} ({where})")
    bad = sum(counts.get(k, 0) for k in ("refused", "failed", "unconfirmed", "blocked",
                                              "not tried"))
    if bad:
        out(f"{bad} message(s) not delivered: see above; `salesnb send` again retries the "
            "refused and failed ones (blocked ones never leave)")
    return 1 if bad else 0
