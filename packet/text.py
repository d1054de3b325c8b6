"""The packet's tables as rows of text: the page and the PDF both lay out these same cells.

Numbers go through components.formatting, as on every other page, so a figure reads the same in
the packet, on the page and on the measure's own page.
"""
from __future__ import annotations

from components.formatting import fmt_change, fmt_date, fmt_value
from engine.status import LABELS as STATUS_LABELS

MEASURE_HEAD = ("Measure", "This period", "Previous period", "Change", "Same period last year", "Change",
                "28 days", "Year to date", "Target", "Status")
CARRIED_HEAD = ("Item", "Owner", "Due", "Made at", "Age", "Measure", "Then → now")
NEW_HEAD = ("Item", "Kind", "Owner", "Due", "Measure", "Status")
# Significance beside the area, not last: on a phone the table scrolls sideways and the last
# columns are out of sight.
HOTSPOT_HEAD = ("#", "Area", "More than normal variation?", "Measure", "Previous period", "This period", "Increase")


def _notes(notes: str) -> str:
    """Notes on one line (each added note was a line): '; ' between them."""
    return f" (notes: {'; '.join(n for n in notes.splitlines() if n.strip())})" if notes else ""


FLAGS_NOTE = ("One line per measure that needs attention: off track against its target first, then changes "
              "larger than normal variation explains (5% false-alarm rate), clearest first. Changes within "
              "chance, and changes of fewer than 10 events, are not listed.")


def too_few_sentence(pkt) -> str:
    """Measures the table calls off track that are not flags: too few events to judge."""
    names = "; ".join(f"{t} ({n})" for t, n in pkt.too_few)
    return f"Off track in the tables but too few events to judge, so not flagged: {names}."


EVENTS_HEAD = ("Date", "Measure", "What happened", "Public")


def events_sentence(pkt) -> str:
    start = pkt.full_period.start.toordinal() - pkt.full_period.days
    import datetime as _dt
    since = _dt.date.fromordinal(start)
    if not pkt.events_now:
        return (f"No event was noted from {fmt_date(since)} to {fmt_date(pkt.full_period.end)}. Editors note dated "
                "events (a new patrol plan, a storm, a policy change) on the meeting page; charts mark them.")
    return (f"Dated events noted from {fmt_date(since)} to {fmt_date(pkt.full_period.end)} (this period and the "
            "one before); the charts mark each with a dotted line.")


def event_cells(a, titles: dict) -> list[str]:
    return [fmt_date(a.day), titles.get(a.measure_id, a.measure_id) if a.measure_id else "citywide", a.text,
            "yes" if a.public else "no"]


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def _mark(flag) -> str:
    return " ▲" if flag.flagged else ""


def _value(r, u) -> str:
    """A packet cell's value: never 'no data' (or 0) for a measure the loaded files cannot answer."""
    return "not covered" if getattr(r, "state", None) == "not_covered" else fmt_value(r.value, u)


def measure_cells(row) -> list[str]:
    r, u = row.meeting, row.unit
    return [
        row.title,
        _value(r, u),
        fmt_value(r.prior, u),
        fmt_change(r.change, r.change_pct) + _mark(r.flag),
        fmt_value(r.prior_year, u),
        fmt_change(r.change_year, r.change_year_pct) + _mark(r.flag_year),
        _value(row.d28, u),
        _value(row.ytd, u),
        "none" if r.target is None else fmt_value(r.target, u),
        status_label(r.status) + (f": {r.coverage}" if getattr(r, "coverage", "") else ""),
    ]


def movement_text(ci) -> str:
    mv = ci.movement
    if mv is None:
        return "no measure named"
    where = f"; {mv.area_note}" if mv.area_note else ""
    where += f"; {mv.length_note}" if getattr(mv, "length_note", "") else ""
    change = "no change" if mv.change == 0 else fmt_change(mv.change, mv.change_pct)
    return f"{fmt_value(mv.then, ci.unit)} → {fmt_value(mv.now, ci.unit)}: {change}{where}"


def item_head_cells(it, overdue: bool) -> list[str]:
    """What, owner and due date of an item, as the carried-over table shows them (the meeting page
    also redraws just these after an edit)."""
    return [it.text + _notes(it.notes), it.owner or "none",
            (fmt_date(it.due_date) + (" OVERDUE" if overdue else "")) if it.due_date else "none"]


def carried_cells(ci) -> list[str]:
    it = ci.item
    area = f", {it.area_id}" if it.area_id else ""
    return [
        *item_head_cells(it, ci.overdue),
        fmt_date(it.meeting_date),
        f"{ci.age_days} days",
        (ci.measure_title + area) if ci.measure_title else "none",
        movement_text(ci),
    ]


def item_cells(it, titles: dict) -> list[str]:
    return [it.text + _notes(it.notes), it.kind, it.owner or "none",
            fmt_date(it.due_date) if it.due_date else "none",
            (titles.get(it.measure_id, it.measure_id) + (f", {it.area_id}" if it.area_id else "")) if it.measure_id else "none",
            it.status]


def hotspot_cells(i: int, h) -> list[str]:
    from engine.stats import fmt_p
    return [str(i), h.label, ("Yes, significant" if h.significant else "No, within chance") + f" ({fmt_p(h.p_value)})",
            h.title, fmt_value(h.prior_count), fmt_value(h.count), f"+{h.increase:,}"]


def period_sentence(pkt) -> str:
    s = f"Period reviewed: {pkt.full_period.start:%-d %b} – {pkt.full_period.end:%-d %b %Y}."
    if pkt.partial:
        s += (f" {pkt.period.days} of {pkt.full_period.days} days so far: the data run to {fmt_date(pkt.as_of)}, "
              f"so this packet compares the {pkt.period.days} days "
              f"{pkt.period.start:%-d %b} – {pkt.period.end:%-d %b} with the {pkt.period.days} days before "
              "and the same days 52 weeks earlier.")
    return s


def hotspot_sentence(pkt) -> str:
    from engine.stats import MIN_EVENTS
    hs = pkt.hotspots
    if not hs.titles:
        return f"No count measure can be broken down by {pkt.hotspot_layer_label}."
    base = (f"The largest rises by {pkt.hotspot_layer_label} since the previous period, for {len(hs.titles)} count "
            f"measures ({hs.tests} areas tested by the exact Poisson test). \"Significant\" marks a rise that is more "
            f"than normal variation explains, holding the false-discovery rate at {hs.fdr:.0%} (Benjamini-Hochberg: of "
            f"the rises marked, about 1 in {round(1 / hs.fdr)} may still be chance). An area with fewer than "
            f"{MIN_EVENTS} events in the two periods is too few to test and is not ranked.")
    if not hs.spots:
        return base + " No area rose by enough events to test this period."
    n = len(hs.significant)
    return base + (f" {n} significant rise{'s' if n != 1 else ''}, listed first." if n else
                   " No rise is significant this period: the ranked rises are within normal variation.")


def events_words(events) -> str:
    """Annotations in a chart's text alternative, numbered as the chart numbers them (packet and
    measure page alike): ' Events (dotted, numbered): 1 5 Nov 2026: text (citywide).' or ''."""
    if not events:
        return ""
    return " Events (dotted, numbered): " + "; ".join(
        f"{i} {fmt_date(a.day)}: {a.text}" + ("" if a.measure_id else " (citywide)")
        for i, a in enumerate(events, 1)) + "."


def commentary_head(title: str) -> str:
    return f"{title}: what happened and what we are doing"


def commentary_byline(c) -> str:
    """Who wrote a commentary and whether the public sees it (the meeting page and packet alike)."""
    return (f"Written by {c.updated_by}, {fmt_date(c.updated_at.date())} (version {c.version}); "
            + ("also shown on the public measure page." if c.public else "internal, not published."))
