"""The packet as one HTML document (what packet.pdf prints), from the Packet data and nothing else
but the layer's boundaries for the maps.

Order: cover, flags, what changed, hot spots, one section per goal (table and charts), the
commitments ledger, the data's as-of date and freshness. Every chart is an <img> of SVG with a
caption saying in words what it shows.
"""
from __future__ import annotations

from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

from components.formatting import fmt_date, fmt_value
from engine import timemodel
from packet import svg, text

CSS = Path(__file__).with_name("packet.css")
MAX_MAPS = 4


def chart_for(pkt, row) -> tuple[str, str]:
    """(SVG, caption) of a measure's meeting-period series: the caption ranks complete periods
    only and names a part-period with its days, so chart, caption and table tell one story."""
    s = row.series
    events = pkt.events_for(row.measure_id)
    picture = svg.line_chart(s, row.chart_target, pkt.partial, title=row.title,
                             events=[(a.day, i) for i, a in enumerate(events, 1)])
    whole = timemodel.complete(s) if len(s) else s
    vals = [v for v in whole["value"] if v == v] if len(whole) else []
    n_flag = int(s["flagged"].fillna(False).astype(bool).sum()) if len(s) else 0
    caption = (f"{row.title}, each complete meeting period from {whole['period_start'].iloc[0]:%b %-d, %Y}: "
               f"from {fmt_value(min(vals), row.unit)} to {fmt_value(max(vals), row.unit)}"
               if vals else f"{row.title}: no complete period to chart")
    caption += f"; {n_flag} period{'s' if n_flag != 1 else ''} flagged against the 8 before (red)." if vals else "."
    targets = row.chart_target or [None] * len(s)
    for d, v, n, g, p, t in zip(s["period_start"], s["value"], s["days"], s["grain_days"], s["partial"], targets):
        if p:
            so_far = pkt.partial and d == pkt.period.start
            caption += (f" Period of {d:%b %-d}: {fmt_value(v, row.unit)}, "
                        f"{timemodel.partial_note(int(n), int(g), so_far)}"
                        + (f", against a target of {fmt_value(t, row.unit)} for those days" if t is not None else "")
                        + " (open circle, not tested).")
    line = [t for t, p in zip(row.chart_target or [], s["partial"] if len(s) else []) if t is not None and not p]
    if line:
        per = f" per {int(s['grain_days'].iloc[0])}-day period" if len(set(line)) == 1 and row.kind == "count" else ""
        caption += f" Target {fmt_value(line[-1], row.unit)}{per} (dashed)."
    caption += text.events_words(events)
    if getattr(row.meeting, "state", None) == "not_covered":
        caption = f"{row.title}: not covered by the loaded data ({row.meeting.coverage}), so there is nothing to chart."
    return picture, caption


def hotspot_maps(pkt, geojson: dict) -> list[tuple[str, str, str]]:
    """(title, SVG, caption) per measure in the ranked table (numbered as in the table), each map
    showing that same measure; with no ranked rise, one map of the first measure's changes so the
    meeting still sees where counts moved. Areas too small to test are hatched, and said so."""
    hs = pkt.hotspots
    numbers = {}
    for i, h in enumerate(hs.spots, 1):
        numbers.setdefault(h.measure_id, {})[h.area_id] = i
    ids = list(numbers) or list(hs.titles)[:1]
    units = {h.measure_id: h.unit for h in hs.spots}
    out = []
    for mid in ids[:MAX_MAPS]:
        changes = hs.changes.get(mid, {})
        few = hs.untested.get(mid, set())
        ups = sum(1 for v in changes.values() if v > 0)
        downs = sum(1 for v in changes.values() if v < 0)
        marked = numbers.get(mid, {})
        sig = [i for a, i in marked.items() if any(h.significant and h.area_id == a and h.measure_id == mid
                                                    for h in hs.spots)]
        title = f"{hs.titles[mid]}: change from the previous period by {pkt.hotspot_layer_label}"
        caption = (f"Red: more than the previous period ({ups} areas); blue: fewer ({downs}); grey: no change"
                   + (f"; hatched: too few events to test ({len(few)} areas)" if few else "") + ". "
                   + (f"Outlined and numbered: the ranked rise{'s' if len(marked) != 1 else ''} "
                      f"{', '.join(map(str, sorted(marked.values())))} in the table"
                      + (f", of which {', '.join(map(str, sorted(sig)))} significant." if sig else
                         ", none significant.") if marked else "No area rose by enough events to test."))
        out.append((title, svg.change_map(geojson, changes, marked, title=title, untested=few,
                                          unit=units.get(mid) or "events"), caption))
    return out


def _table(head, rows, cls: str = "") -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def render_html(pkt, geojson: dict, freshness: list[tuple[str, str]] | None = None) -> str:
    """The whole packet as HTML. `freshness`: (dataset title, newest event text) rows for the notes."""
    zone = ZoneInfo("UTC")
    made = pkt.generated_at.astimezone(zone)
    title = f"{pkt.city} SeaStat packet, meeting of {fmt_date(pkt.meeting)}"
    p = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title>"
         f"<style>{CSS.read_text(encoding='utf-8')}</style></head><body>"]
    counts = {}
    for r in pkt.rows():
        counts[r.meeting.status] = counts.get(r.meeting.status, 0) + 1
    status_line = ", ".join(f"{n} {text.status_label(s).lower()}" for s, n in sorted(counts.items()))
    # Page 1: the cover's essentials, then the executive summary
    p.append('<section class="cover">')
    p.append(f"<p class='running'>{escape(title)}</p>")
    p.append(f"<p class='kicker'>{escape(pkt.city)} · SeaStat performance meeting</p>")
    p.append(f"<h1>Meeting packet<br>{pkt.meeting:%A %-d %B %Y}</h1>")
    p.append(f"<p class='lead'>{escape(text.period_sentence(pkt))}</p>")
    p.append(f"<p><strong>Data as of {escape(fmt_date(pkt.as_of))}</strong> (newest event in the warehouse). "
             f"Generated {made:%-d %b %Y %H:%M} UTC.</p>")
    if pkt.is_demo:
        p.append("<p class='demo'>DEMO DATA: a synthetic city, not real events.</p>")
    p.append(f"<p>{len(pkt.rows())} measures under {len(pkt.goals)} goals: {escape(status_line)}. "
             f"{len(pkt.flags)} flag{'s' if len(pkt.flags) != 1 else ''}; {len(pkt.carried)} open "
             f"commitment{'s' if len(pkt.carried) != 1 else ''} carried over.</p>")
    p.append("</section>")
    # Executive summary on page 1, under the cover's essentials: what a reader who reads one page needs
    from packet.summary import sections, summarise
    p.append("<section class='summary'><h2 id='summary'>Summary: where things stand</h2>")
    for head, lines, none in sections(summarise(pkt)):
        p.append(f"<h3>{escape(head)}</h3>" + ("<ul>" + "".join(f"<li>{escape(x)}</li>" for x in lines) + "</ul>"
                                              if lines else f"<p>{escape(none)}</p>"))
    p.append("<h2 class='toc-head'>Inside this packet</h2><ol class='toc'>"
             "<li>Flags</li><li>What changed since the last packet</li><li>Events noted</li><li>Hot spots</li>"
             + "".join(f"<li>{escape(g.title)}</li>" for g in pkt.goals)
             + "<li>Commitments ledger</li><li>About the data</li></ol>")
    p.append("</section>")
    # Flags
    p.append("<section class='flags-section'><h2 id='flags'>Flags</h2>")
    p.append(f"<p class='note'>{escape(text.FLAGS_NOTE)}</p>")
    if pkt.flags:
        p.append("<ol class='flags'>" + "".join(
            f"<li class='flag-{f.kind}'><strong>{escape(f.headline)}</strong><br><span class='test'>"
            f"How we know: {escape(f.test)}</span></li>" for f in pkt.flags) + "</ol>")
    else:
        p.append("<p>No measure is off track and no change is more than normal variation explains.</p>")
    if pkt.too_few:
        p.append(f"<p class='note'>{escape(text.too_few_sentence(pkt))}</p>")
    p.append("</section>")
    # What changed
    p.append("<section><h2 id='changed'>What changed since the last packet</h2>")
    if pkt.last_packet is None:
        p.append("<p>No earlier packet was generated, so there is nothing to compare with.</p>")
    elif not pkt.changes:
        p.append(f"<p>Compared with the packet for {fmt_date(pkt.last_packet)}: no past figure was revised "
                 "and no measure changed status.</p>")
    else:
        p.append(f"<p>Compared with the packet for {fmt_date(pkt.last_packet)}:</p><ul class='changes'>"
                 + "".join(f"<li>{escape(c.text)}</li>" for c in pkt.changes) + "</ul>")
    p.append("</section>")
    # Events noted (annotations)
    p.append("<section class='events'><h2 id='events'>Events noted</h2>")
    p.append(f"<p>{escape(text.events_sentence(pkt))}</p>")
    if pkt.events_now:
        titles_ = {r.measure_id: r.title for r in pkt.rows()}
        p.append(_table(text.EVENTS_HEAD, [text.event_cells(a, titles_) for a in pkt.events_now], "events"))
    p.append("</section>")
    # Hot spots
    p.append(f"<section class='hotspots'><h2 id='hotspots'>Hot spots by {escape(pkt.hotspot_layer_label)}</h2>")
    p.append(f"<p class='note'>{escape(text.hotspot_sentence(pkt))}</p>")
    if pkt.hotspots.spots:
        p.append(_table(text.HOTSPOT_HEAD, [text.hotspot_cells(i, h) for i, h in enumerate(pkt.hotspots.spots, 1)],
                        "hotspots"))
    p.append("<div class='maps'>" + "".join(
        f"<figure class='map'><img src='{svg.data_uri(s)}' alt='{escape(t)}'><figcaption><strong>{escape(t)}"
        f"</strong>. {escape(c)}</figcaption></figure>" for t, s, c in hotspot_maps(pkt, geojson)) + "</div>")
    p.append("</section>")
    # Goals
    for g in pkt.goals:
        p.append(f"<section class='goal'><h2>{escape(g.title)}</h2><p class='statement'>{escape(g.statement)}</p>")
        p.append(_table(text.MEASURE_HEAD, [text.measure_cells(r) for r in g.rows], "measures"))
        p.append("<p class='note'>▲ the change passed its test (flagged). 28 days and year to date end "
                 f"{fmt_date(pkt.period.end)}.</p>")
        for r in g.rows:
            if (c := pkt.commentary.get(r.measure_id)) is not None:
                paras = "".join(f"<p>{escape(x)}</p>" for x in c.text.splitlines())
                p.append(f"<div class='commentary'><h3>{escape(text.commentary_head(r.title))}</h3>{paras}"
                         f"<p class='note'>{escape(text.commentary_byline(c))}</p></div>")
        p.append("<div class='charts'>")
        for r in g.rows:
            pic, cap = chart_for(pkt, r)
            p.append(f"<figure class='chart'><img src='{svg.data_uri(pic)}' alt='{escape(cap)}'>"
                     f"<figcaption>{escape(cap)}</figcaption></figure>")
        p.append("</div></section>")
    # Ledger
    titles = {r.measure_id: r.title for r in pkt.rows()}
    p.append("<section class='ledger'><h2 id='ledger'>Commitments ledger</h2>")
    p.append("<h3>Open items from earlier meetings</h3>")
    if pkt.carried:
        p.append("<p class='note'>Then → now: the related measure in the period reviewed at the item's meeting "
                 "and in this packet's period (for the item's area when it names one).</p>")
        p.append(_table(text.CARRIED_HEAD, [text.carried_cells(c) for c in pkt.carried], "carried"))
    else:
        p.append("<p>No open items from earlier meetings.</p>")
    p.append("<h3>Recorded at this meeting</h3>")
    if pkt.new_items:
        p.append(_table(text.NEW_HEAD, [text.item_cells(i, titles) for i in pkt.new_items], "new-items"))
    else:
        p.append("<p>Nothing recorded yet.</p>")
    p.append("</section>")
    # About the data
    p.append("<section class='about'><h2 id='about'>About the data</h2>")
    p.append(f"<p>Data as of {escape(fmt_date(pkt.as_of))}. Flags use exact tests at a 5% false-alarm rate: "
             "counts and rates an exact Poisson test, shares Fisher's exact test, percentiles and disparity "
             "ratios non-overlapping 95% intervals. The same period last year is 52 weeks earlier.</p>")
    if freshness:
        p.append(_table(("Dataset", "Newest event"), freshness, "fresh"))
    p.append("</section></body></html>")
    return "".join(p)
