"""The packet as a real PDF document (text you can search and copy, charts as images): HTML from
packet.html printed by WeasyPrint. `packet_pdf` is what the CLI and the meeting page call.
"""
from __future__ import annotations

import datetime as dt

from packet.contents import build_packet
from packet.html import render_html


def freshness_rows(eng) -> list[tuple[str, str]]:
    """(dataset, newest event) for each catalog dataset, from the engine's inventory."""
    from components.formatting import fmt_date

    inv = eng.inventory()
    return [(str(r["title"]), fmt_date(r["newest_event"]) if r["rows"] else "not loaded")
            for _, r in inv.iterrows()]


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported when a PDF is made: it loads Pango

    # PDF/UA-1: a tagged PDF (structure tree, language, title shown, figures with their alt text) that
    # screen readers read in order; WCAG 2.1 AA applies to documents a city publishes (US rule, 2027).
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")


def packet_pdf(eng, meeting: dt.date, ledger=None, snapshots=None, layer: str = "mcpp", annotations=None,
               commentary=None):
    """(Packet, PDF bytes). With `snapshots`, the packet's figures are recorded for the next one."""
    pkt = build_packet(eng, meeting, ledger=ledger, snapshots=snapshots, layer=layer, annotations=annotations,
                       commentary=commentary)
    data = html_to_pdf(render_html(pkt, eng.geojson(layer), freshness_rows(eng)))
    if snapshots is not None:
        snapshots.save(pkt)
    return pkt, data
