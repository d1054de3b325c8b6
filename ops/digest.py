"""The pre-meeting digest: each subscriber gets one email before each meeting with what changed
in the goals and measures they follow, the flags, and their open commitments.

When: `python -m ops digest` (the clock runs it on `schedule.digest`) sends a subscriber the
digest of the next meeting M (on or after today, SEASTAT_TODAY or the system date) once today is
within `days_before_meeting` of M, and only once per meeting (alert_state key `digest:<email>`
holds the last meeting sent), so the job may run every hour.

What: per measure followed (a goal means its measures), the latest complete meeting period the
measure's page opens on: value, target, status in words, the status of the period before (a
change is listed first, under "What changed"), the change against the prior period and any flag
with its explanation; "Not covered" and "no data" are said as such, never as 0. Then the open
commitments the subscriber owns (owner = their user name, display name or address) or that are
about a measure they follow, with the due date and "past due".

How: HTML with a plain-text part, and the meeting packet PDF attached for a subscriber who asked
(made once per run with packet.pdf, not recorded as a snapshot); List-Unsubscribe + List-Unsubscribe-Post (RFC 8058) and a
link in the footer carry a token signed with SEASTAT_SECRET_KEY (itsdangerous), so one click
(or the mail client's button) unsubscribes the address without signing in (ops/unsubscribe.py).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html import escape
from urllib.parse import quote

from engine.status import LABELS

SALT = "seastat-unsubscribe"


def signer(secret_key: str):
    from itsdangerous import URLSafeSerializer

    if not secret_key:
        raise ValueError("SEASTAT_SECRET_KEY is not set: it signs the digest's unsubscribe links")
    return URLSafeSerializer(secret_key, salt=SALT)


def unsubscribe_url(settings, email: str) -> str:
    return f"{settings.base_url.rstrip('/')}/unsubscribe?t={quote(signer(settings.secret_key).dumps(email))}"


@dataclass
class Line:
    measure_id: str
    title: str
    text: str              # the measure's sentence
    changed: bool          # status differs from the period before, or flagged
    notes: list[str] = field(default_factory=list)


def _fmt(v: float | None, unit: str) -> str:
    from components.formatting import fmt_value

    return fmt_value(v) + (f" {unit}" if v is not None and unit else "")


def measure_line(eng, m) -> Line:
    period = eng.period("meeting", measure_id=m.id)
    r = eng.measure(m.id, period)
    label = LABELS.get(r.status, r.status)
    if r.state == "not_covered":
        return Line(m.id, m.title, f"{m.title}: Not covered by the loaded data ({r.coverage}).", False)
    if r.state == "no_data":
        return Line(m.id, m.title, f"{m.title}: no data for {period.label}.", False)
    before = eng.measure(m.id, period.prior())
    was = LABELS.get(before.status, before.status)
    target = f" (target {_fmt(r.target, '')})" if r.target is not None else ""
    text = f"{m.title}: {_fmt(r.value, r.unit)} for {period.label}{target}: {label}"
    moved = before.status != r.status and before.state == "value" and r.state == "value"
    if moved:
        text += f", was {was} in the period before"
    notes = []
    if r.change_pct is not None:
        notes.append(f"{r.change_pct:+.1f}% against the period before.")
    flagged = bool(getattr(r.flag, "flagged", False))
    if flagged:
        notes.append(f"Flagged as a real change: {r.flag.explanation}")
    return Line(m.id, m.title, text + ".", moved or flagged, notes)


def followed_measures(eng, subs) -> list:
    goals = {s.target for s in subs if s.kind == "goal"}
    ids = {s.target for s in subs if s.kind == "measure"}
    out = []
    for g in eng.catalog.goals:
        for mid in g.measures:
            m = eng.catalog.measures.get(mid)
            if m is not None and (g.id in goals or mid in ids) and m.computation.kind != "freshness":
                out.append(m)
    return out


def their_items(ledger_items, names: set[str], measure_ids: set[str]) -> list:
    names = {n.lower() for n in names if n}
    return [i for i in ledger_items if i.status == "open" and (i.owner.lower() in names or i.measure_id in measure_ids)]


def compose(eng, meeting: dt.date, lines: list[Line], items: list, today: dt.date, unsubscribe: str,
            manage: str = "") -> tuple[str, str, str]:
    """(subject, plain text, HTML) of one subscriber's digest."""
    subject = f"[SeaStat] Before the meeting of {meeting:%-d %b %Y}: your measures and commitments"
    changed = [ln for ln in lines if ln.changed]
    def item_text(i):
        due = f", due {i.due_date:%-d %b %Y}" + (" (past due)" if i.due_date < today else "") if i.due_date else ""
        return f"#{i.id} {i.text} ({i.owner}{due})"
    sections = [
        ("What changed", [ln.text for ln in changed] or ["No measure you follow changed status or was flagged."]),
        ("Your measures", [" ".join([ln.text, *ln.notes]) for ln in lines] or ["You follow no measures."]),
        ("Your open commitments", [item_text(i) for i in items] or ["None open."]),
    ]
    text = f"SeaStat digest for the meeting of {meeting:%-d %b %Y}\n\n" + "\n\n".join(
        f"{title}\n" + "\n".join(f"- {x}" for x in rows) for title, rows in sections)
    text += (f"\n\nChange what you follow: {manage}" if manage else "") + f"\nUnsubscribe from these digests: {unsubscribe}\n"
    html = (f"<!doctype html><html lang='en'><body><h1>SeaStat digest for the meeting of {meeting:%-d %b %Y}</h1>"
            + "".join(f"<h2>{escape(title)}</h2><ul>" + "".join(f"<li>{escape(x)}</li>" for x in rows) + "</ul>"
                      for title, rows in sections)
            + (f"<p><a href=\"{escape(manage)}\">Change what you follow</a></p>" if manage else "")
            + f"<p><a href=\"{escape(unsubscribe)}\">Unsubscribe from these digests</a></p></body></html>")
    return subject, text, html


def run(settings) -> tuple[list[str], list[str]]:
    """Send the digests that are due; returns (addresses sent to, errors)."""
    from engine import Engine
    from ops.config import load_ops
    from packet.calendar import next_meeting
    from ops.mail import Mailer
    from store import Ledger, Users, open_store
    from store.alert_state import AlertStates
    from store.subscriptions import Subscriptions

    ops = load_ops(settings.city_config)
    store = open_store(settings.ledger_url)
    sent, errors = [], []
    try:
        eng = Engine.open(settings)
        today = eng.today()
        meeting = next_meeting(eng.city, today)
        if (meeting - today).days > ops.digest_days_before:
            return sent, errors
        subs = Subscriptions(store).by_email()
        if not subs:
            return sent, errors
        if not settings.smtp_url:
            return sent, ["no mail server configured (SEASTAT_SMTP): no digests sent"]
        mailer = Mailer(settings.smtp_url, settings.mail_from)
        states, users = AlertStates(store), Users(store)
        seen = states.all()
        open_items = Ledger(store, eng.city, eng.catalog.measures.keys()).items(status="open")
        packet: list = []  # made once per run, only if someone asked for it

        def packet_pdf() -> list[tuple[str, bytes, str]]:
            if not packet:
                from packet.pdf import packet_pdf as make

                layers = list(eng.layers()["layer"])
                if not layers:
                    raise ValueError("the packet needs a boundary layer (python -m etl geo); digest sent without it")
                layer = "mcpp" if "mcpp" in layers else layers[0]
                _pkt, data = make(eng, meeting, ledger=Ledger(store, eng.city, eng.catalog.measures.keys()),
                                  snapshots=None, layer=layer)
                packet.append((f"seastat-packet-{meeting.isoformat()}.pdf", data, "application/pdf"))
            return packet

        for email, mine in subs.items():
            key = f"digest:{email}"
            if key in seen and seen[key].value == meeting.isoformat():
                continue
            measures = followed_measures(eng, mine)
            lines = [measure_line(eng, m) for m in measures]
            lines.sort(key=lambda ln: not ln.changed)  # what changed first
            names = {email}
            for s in mine:
                u = users.get(s.username)
                names |= {s.username, getattr(u, "display_name", "")}
            items = their_items(open_items, names, {m.id for m in measures})
            attach = []
            if any(s.with_packet for s in mine):
                try:
                    attach = packet_pdf()
                except Exception as exc:  # the digest still goes out; the operator hears why
                    errors.append(f"{email}: packet not attached: {' '.join(str(exc).split())}")
            try:
                link = unsubscribe_url(settings, email)
                subject, text, html = compose(eng, meeting, lines, items, today, link,
                                              f"{settings.base_url.rstrip('/')}/subscriptions")
                mailer.send([email], subject, text, html, headers={
                    "List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
                    attachments=attach)
            except Exception as exc:
                errors.append(f"{email}: {exc}")
                continue
            states.record(key, meeting.isoformat(), sent=True, recipients=(email,))
            sent.append(email)
        return sent, errors
    finally:
        store.close()
