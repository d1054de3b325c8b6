"""Alert rules: what needs someone's attention, sent by email to its owner ONCE per change.

Each rule looks at one thing (a dataset, a measure, a commitment) and says what state it is in
now (`Watch.value`) and whether that state deserves an email (`Watch.alert`). The store keeps
the last state seen per thing (store/alert_state.py); an email goes out only when the state
changes into one that deserves it. So a feed that stops makes one "overdue" email (its state is
its newest day, which stops moving), not one per run; it alerts again only if it is fixed and
stops again. A state is recorded only after its email went out: a mail server that is down
means the alert is tried again next run, never lost.

Rules (ops.yaml `alerts:`; owners in ops/config.py):
* overdue: a loaded dataset whose newest event is older than its cadence + lag (city.yaml) at
  today (SEASTAT_TODAY or the system date), as the app's top bar computes it (Engine.lag_report);
* refresh: the latest refresh run failed (or partly), to the operators, once until one succeeds;
* reject_rate / row_count: the latest refresh run (store/runs.py) rejected more than
  max_reject_rate of a dataset's rows, or loaded row_count_factor times more (or fewer) new rows
  than the median of that dataset's earlier runs that loaded any;
* measure_status: a measure's status for its latest complete meeting period (what its page
  opens on) turns into one of the listed statuses (default Off track);
* flags: that period is flagged as a real change (engine stats), once per period;
* commitments: an open ledger item whose due date has passed, once per due date.
"""
from __future__ import annotations

import datetime as dt
import statistics
import sys
from dataclasses import dataclass, field
from html import escape

from engine.status import LABELS


@dataclass(frozen=True)
class Watch:
    key: str                  # what is watched: overdue:<dataset>, status:<measure>, ...
    value: str                # its state now
    alert: bool               # whether reaching this state deserves an email
    recipients: tuple[str, ...] = ()
    subject: str = ""
    lines: tuple[str, ...] = ()   # the email's body, one paragraph each


@dataclass
class Report:
    sent: list[Watch] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    watched: int = 0


def dataset_watches(eng, ops) -> list[Watch]:
    out = []
    if not ops.rules.overdue:
        return out
    today = eng.today()
    for r in eng.lag_report():
        ds = eng.catalog.datasets.get(r["dataset"])
        if r["fresh"] or ds is None:
            out.append(Watch(f"overdue:{r['dataset']}", "fresh", False))
            continue
        allowed = ds.cadence_days + ds.lag_days
        out.append(Watch(
            f"overdue:{r['dataset']}", r["last_day"].isoformat(), True, ops.for_dataset(r["dataset"]),
            f"[SeaStat] {r['title']} is overdue: no new data since {r['last_day']:%-d %b %Y}",
            (f"The newest event in {r['title']} ({r['dataset']}) is from {r['last_day']:%-d %b %Y}, "
             f"{r['age_days']} days before {today:%-d %b %Y}. It is expected every {ds.cadence_days} day(s) "
             f"with a lag of {ds.lag_days} day(s), so it should be no more than {allowed} days old.",
             "Measures that read it show it as overdue until new rows are loaded. Check the portal and the "
             "refresh runs on the Data page.",
             "You get this once: the next alert for this dataset comes only after it is fresh again.")))
    return out


def run_watches(runs, ops) -> list[Watch]:
    """Refresh failing; reject rate and row count of the latest finished refresh (runs: newest first)."""
    out = []
    ended = [r for r in runs if r.finished_at is not None]
    if ended:
        last = ended[0]
        failing = last.status in ("failed", "partial")
        out.append(Watch("refresh", "failing" if failing else "ok", failing, ops.operators,
                         f"[SeaStat] The data refresh is failing (run {last.id}: {last.status})",
                         (f"Refresh run {last.id} ended {last.status}: "
                          + "; ".join(f"{k}: {v}" for k, v in sorted(last.errors.items())),
                          "The Data page lists every run. You get this once until a refresh succeeds again.")))
    done = [r for r in runs if r.finished_at is not None and r.changes]
    if not done:
        return out
    latest, earlier = done[0], done[1:]
    for ds, c in sorted(latest.changes.items()):
        read, rejected, loaded = int(c.get("read") or 0), int(c.get("rejected") or 0), int(c.get("loaded") or 0)
        if read:
            high = rejected / read > ops.rules.max_reject_rate
            out.append(Watch(f"rejects:{ds}", f"run {latest.id}" if high else "normal", high, ops.for_dataset(ds),
                             f"[SeaStat] {ds}: {rejected:,} of {read:,} rows rejected in the latest refresh",
                             (f"Refresh run {latest.id} rejected {rejected:,} of the {read:,} {ds} rows it read "
                              f"({rejected / read:.1%}; the alert threshold is {ops.rules.max_reject_rate:.1%}).",
                              "The Data page lists the rejected rows' reasons. A change in the portal's format is "
                              "the usual cause.")))
        usual = [int(r.changes[ds].get("loaded") or 0) for r in earlier if int(r.changes.get(ds, {}).get("loaded") or 0)]
        if len(usual) >= 3 and loaded:
            median, factor = statistics.median(usual), ops.rules.row_count_factor
            odd = loaded > median * factor or loaded < median / factor
            out.append(Watch(f"rows:{ds}", f"run {latest.id}" if odd else "normal", odd, ops.for_dataset(ds),
                             f"[SeaStat] {ds}: unusual number of new rows ({loaded:,}) in the latest refresh",
                             (f"Refresh run {latest.id} loaded {loaded:,} new or revised {ds} rows; earlier runs "
                              f"loaded a median of {median:,.0f}.",
                              "A portal republishing old rows, or losing some, looks like this.")))
    return out


def measure_watches(eng, ops) -> list[Watch]:
    out = []
    for mid, m in eng.catalog.measures.items():
        if m.computation.kind == "freshness":
            continue
        try:
            period = eng.period("meeting", measure_id=mid)
            r = eng.measure(mid, period)
        except Exception as exc:  # one measure must not stop the others' alerts
            print(f"ops alerts: measure {mid}: {' '.join(str(exc).split())}", file=sys.stderr)
            continue
        label = LABELS.get(r.status, r.status)
        value_text = "no value" if r.value is None else f"{r.value:,.1f} {r.unit}"
        target_text = "no target" if r.target is None else f"target {r.target:,.1f}"
        out.append(Watch(
            f"status:{mid}", r.status, r.status in ops.rules.measure_status, ops.for_measure(m),
            f"[SeaStat] {m.title} is now {label}",
            (f"{m.title}: {value_text} for {period.label} ({target_text}). Its status is now {label}.",
             f"Definition: {m.definition}",
             "The measure's page shows the trend, the flags and where the change is.")))
        if ops.rules.flags:
            flagged = bool(getattr(r.flag, "flagged", False))
            out.append(Watch(
                f"flag:{mid}", f"{period.start}..{period.end}" if flagged else "none", flagged, ops.for_measure(m),
                f"[SeaStat] {m.title}: a real change in {period.label}",
                (f"{m.title}: {value_text} for {period.label}, against "
                 + ("no value" if r.prior is None else f"{r.prior:,.1f}") + " in the period before.",
                 f"Why it is flagged: {getattr(r.flag, 'explanation', '')}")))
    return out


def commitment_watches(ledger_items, today: dt.date, ops) -> list[Watch]:
    out = []
    if not ops.rules.commitments:
        return out
    for item in ledger_items:
        if item.status != "open" or item.due_date is None:
            continue
        late = item.due_date < today
        out.append(Watch(
            f"due:{item.id}", item.due_date.isoformat() if late else "not due", late, ops.for_person(item.owner),
            f"[SeaStat] Commitment #{item.id} is past due ({item.due_date:%-d %b %Y})",
            (f"{item.owner} committed at the meeting of {item.meeting_date:%-d %b %Y} to: {item.text}",
             f"It was due on {item.due_date:%-d %b %Y} and is still open.",
             "Close it on the meeting page when it is done, or change its due date.")))
    return out


def as_email(w: Watch) -> tuple[str, str]:
    """(plain text, HTML) of an alert."""
    text = "\n\n".join(w.lines) + "\n\n-- SeaStat\n"
    html = ("<!doctype html><html><body>" + "".join(f"<p>{escape(p)}</p>" for p in w.lines)
            + "<p>&mdash; SeaStat</p></body></html>")
    return text, html


def deliver(watches: list[Watch], states, mailer) -> Report:
    """Email each watch whose state changed into an alerting one; remember every state."""
    report = Report(watched=len(watches))
    seen = states.all()
    for w in watches:
        before = seen.get(w.key)
        if before is not None and before.value == w.value:
            continue
        if not w.alert:
            states.record(w.key, w.value, sent=False)
            continue
        if mailer is None:
            report.errors.append(f"{w.key}: no mail server configured (SEASTAT_SMTP): {w.subject}")
            continue
        text, html = as_email(w)
        try:
            mailer.send(w.recipients, w.subject, text, html)
        except Exception as exc:
            report.errors.append(f"{w.key}: {exc}")
            continue
        states.record(w.key, w.value, sent=True, recipients=w.recipients)
        report.sent.append(w)
    return report


def run(settings) -> Report:
    """Evaluate every rule against the warehouse, the run log and the ledger; send what changed."""
    from engine import Engine
    from ops.config import load_ops
    from ops.mail import Mailer
    from store import Ledger, open_store
    from store.alert_state import AlertStates
    from store.runs import RunLog

    ops = load_ops(settings.city_config)
    store = open_store(settings.ledger_url)
    try:
        watches: list[Watch] = []
        errors: list[str] = []
        runs = RunLog(store).recent(20)
        watches += run_watches(runs, ops)
        try:
            eng = Engine.open(settings)
            watches += dataset_watches(eng, ops) + measure_watches(eng, ops)
            ledger = Ledger(store, eng.city, eng.catalog.measures.keys())
            watches += commitment_watches(ledger.items(status="open"), eng.today(), ops)
        except Exception as exc:  # no warehouse yet: the run-log rules still run
            errors.append(f"warehouse: {' '.join(str(exc).split()) or type(exc).__name__}")
        mailer = Mailer(settings.smtp_url, settings.mail_from) if settings.smtp_url else None
        report = deliver(watches, AlertStates(store), mailer)
        report.errors[:0] = errors
        return report
    finally:
        store.close()
