"""The one-page follow-up after a meeting: what was decided and who does what by when.

Sent round after the meeting (HTML and PDF), it lists the decisions and action items recorded at
the meeting, each with its owner, due date and the measure and area it is about, then the items
still open from earlier meetings, overdue first, so the next meeting starts where this one ended.
"""
from __future__ import annotations

from html import escape

from components.formatting import fmt_date
from packet import text
from packet.html import CSS

HEAD = ("What", "Owner", "Due", "Measure")


def _row(it, titles: dict) -> list[str]:
    about = (titles.get(it.measure_id, it.measure_id) + (f", {it.area_id}" if it.area_id else "")) if it.measure_id else "none"
    return [it.text, it.owner or "none", fmt_date(it.due_date) if it.due_date else "none", about]


def _table(rows) -> str:
    th = "".join(f"<th scope='col'>{escape(h)}</th>" for h in HEAD)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def render_followup(pkt) -> str:
    titles = {r.measure_id: r.title for r in pkt.rows()}
    title = f"{pkt.city} SeaStat follow-up, meeting of {fmt_date(pkt.meeting)}"
    made = [i for i in pkt.new_items if i.status == "open" or i.kind == "decision"]
    decisions = [i for i in made if i.kind == "decision"]
    actions = sorted((i for i in made if i.kind == "action"), key=lambda i: (i.due_date, i.id))
    still = sorted(pkt.carried, key=lambda c: (not c.overdue, c.item.due_date or pkt.meeting))
    p = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title>"
         f"<style>{CSS.read_text(encoding='utf-8')}</style></head><body><section class='followup'>",
         f"<p class='running'>{escape(title)}</p><h1>Follow-up: meeting of {pkt.meeting:%A %-d %B %Y}</h1>",
         f"<p>{escape(text.period_sentence(pkt))}</p>"]
    p.append("<h2>Decisions</h2>" + (_table(_row(i, titles) for i in decisions) if decisions
                                      else "<p>No decision was recorded.</p>"))
    p.append("<h2>Action items</h2>" + (_table(_row(i, titles) for i in actions) if actions
                                         else "<p>No action item was recorded.</p>"))
    p.append("<h2>Still open from earlier meetings</h2>")
    if still:
        p.append(_table([_row(c.item, titles)[:2] + [
            (fmt_date(c.item.due_date) + (" OVERDUE" if c.overdue else "")) if c.item.due_date else "none",
            _row(c.item, titles)[3]] for c in still]))
    else:
        p.append("<p>Nothing is open from earlier meetings.</p>")
    p.append("</section></body></html>")
    return "".join(p)


def followup_pdf(eng, meeting, ledger, layer: str = "mcpp") -> bytes:
    """The follow-up as a tagged PDF (the same PDF/UA printing as the packet)."""
    from packet.contents import build_packet
    from packet.pdf import html_to_pdf

    return html_to_pdf(render_followup(build_packet(eng, meeting, ledger=ledger, layer=layer)))
