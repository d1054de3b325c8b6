"""Meeting page (`/meetings/<date>`): the packet for one SeaStat meeting, on screen, with the
commitments ledger to record decisions and action items during the meeting.

Everything shown comes from packet.build_packet, the same data the PDF prints. The PDF button
makes the packet on demand and records its figures, so the next packet can say what changed.
Ledger writes are recorded under the signed-in user, or settings.author (SEASTAT_AUTHOR) when the
app runs without sign-in (SEASTAT_AUTH=off; components/store_access.author).
"""
from __future__ import annotations

import datetime as dt

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from components import callback_guard
from components import ledger as ledger_ui
from components.engine_access import get_engine, settings
from components.formatting import fmt_date
from components.latest import latest_links
from components.pagekit import guarded, labelled, log, page_header, select
from components.store_access import author, get_annotations, get_commentary, get_ledger, get_snapshots, may_write
from packet import text
from packet.calendar import MeetingDateError, meeting_dates_around, next_meeting, parse_meeting_date
from packet.html import chart_for, hotspot_maps
from packet.svg import data_uri

dash.register_page(__name__, path_template="/meetings/<date>", name="Meeting", title="Meeting", order=5)
P = ledger_ui.P
# What this page's stores hold; a callback request with anything else is a 400 (callback_guard).
callback_guard.expect(f"{P}-meeting", "data", "date")
callback_guard.expect(f"{P}-versions", "data", "int_map")
callback_guard.expect(f"{P}-cm-seen", "data", "int_map")  # commentary version seen, by measure id
LAYER = "mcpp"  # hot spots and the ledger's area list use this boundary layer when it is loaded


def _layer(eng) -> str:
    layers = list(eng.layers()["layer"])
    return LAYER if LAYER in layers else (layers[0] if layers else LAYER)


def not_a_meeting(eng, message: str) -> html.Div:
    nxt = next_meeting(eng.city)
    return html.Div([
        html.H1("No such meeting", className="h3"), html.P(message, id=f"{P}-bad-date"),
        dcc.Link(f"Go to the next meeting ({fmt_date(nxt)})", href=f"/meetings/{nxt.isoformat()}"),
    ], className="alert alert-warning mt-3", role="alert", id="msg-not-a-meeting")


@guarded(cache=False)  # the ledger changes without the warehouse: never served from the page cache
def layout(date=None, **_query):
    eng = get_engine()
    if settings().mode != "internal":
        return html.Div([html.H1("Meeting mode is internal", className="h3"),
                         html.P("Meeting packets and the commitments ledger are not part of the public site.")],
                        className="alert alert-info mt-3", role="status", id="msg-internal-only")
    try:
        meeting = parse_meeting_date(eng.city, date) if date else next_meeting(eng.city)
    except MeetingDateError as exc:
        return not_a_meeting(eng, str(exc))
    return meeting_view(eng, meeting)


def meeting_view(eng, meeting: dt.date) -> html.Div:
    from packet.contents import build_packet
    from store import StoreError

    layer = _layer(eng)
    problem = ""
    try:
        ledger, snaps, notes, words = get_ledger(eng), get_snapshots(eng), get_annotations(eng), get_commentary(eng)
    except StoreError as exc:
        ledger = snaps = notes = words = None
        problem = f"The commitments ledger cannot be opened: {exc}"
    pkt = build_packet(eng, meeting, ledger=ledger, snapshots=snaps, layer=layer, annotations=notes, commentary=words)
    titles = {r.measure_id: r.title for r in pkt.rows()}
    return html.Div([
        dcc.Store(id=f"{P}-meeting", data=meeting.isoformat()),
        dcc.Store(id=f"{P}-jump"),
        dcc.Store(id=f"{P}-versions", data=ledger_ui.versions([c.item for c in pkt.carried] + list(pkt.new_items))),
        page_header(f"Meeting of {meeting:%A %-d %B %Y}", text.period_sentence(pkt), id=f"{P}-title"),
        html.P([html.Strong(f"Data as of {fmt_date(pkt.as_of)}. "),
                f"{len(pkt.flags)} flags, {len(pkt.carried)} open items carried over."], className="small"),
        _nav(eng, meeting),
        _latest(eng, pkt) or html.Div(),
        *([html.Div(problem, className="alert alert-danger", role="alert")] if problem else []),
        _section("Summary: where things stand", f"{P}-summary", _summary(pkt)),
        _section("Flags", f"{P}-flags", _flags(pkt)),
        _section("What happened and what we are doing", f"{P}-commentary", _commentary(pkt, titles)),
        _section("What changed since the last packet", f"{P}-changed", _changes(pkt)),
        _section("Events noted", f"{P}-events", _events(pkt, titles)),
        _section(f"Hot spots by {pkt.hotspot_layer_label}", f"{P}-hotspots", _hotspots(pkt, eng.geojson(layer))),
        _section("Commitments ledger", f"{P}-ledger", _ledger(pkt, eng, ledger, titles, layer)),
        *[_section(g.title, f"{P}-goal-{g.goal_id}", _goal(pkt, g)) for g in pkt.goals],
    ], className="meeting-page")


def _latest(eng, pkt):
    """Links to the meetings that review each measure's latest complete data, when this
    meeting's period has none for some measures (a real city's files end on different days)."""
    from engine.periods import make_period

    def link(day):
        p = make_period("meeting", day, None, eng.city.meeting_anchor, eng.city.meeting_every_days, complete=True)
        m = p.end + dt.timedelta(days=1)
        return f"Meeting of {fmt_date(m)} (reviews {fmt_date(p.start)} to {fmt_date(p.end)})", f"/meetings/{m.isoformat()}"
    return latest_links(eng, [r.meeting for r in pkt.rows()], link, f"{P}-latest")


def _nav(eng, meeting: dt.date) -> html.Nav:
    dates = meeting_dates_around(eng.city, meeting, 3, 2)
    links = [html.Li(html.A(f"{d:%-d %b %Y}", href=f"/meetings/{d.isoformat()}",
                              className="nav-link" + (" fw-bold" if d == meeting else ""),
                              **({"aria-current": "page"} if d == meeting else {})), className="nav-item")
             for d in dates]
    return html.Nav([
        html.Ul(links, className="nav nav-pills flex-wrap small"),
        _pdf_control(),
    ], className="no-print mb-3", **{"aria-label": "Meetings"})


def _role_reason(action: str) -> str:
    """Why the signed-in role may not `action`, in a sentence (shown beside the control it hides)."""
    import auth
    user = auth.current_user()
    who = f"Your role ({user.role})" if user is not None else "This site"
    return {"download": f"{who} can read the packet here but not download it; analysts, editors and admins can.",
            "write_ledger": f"{who} can read the ledger but not record or change items; editors and admins can."}[action]


def _pdf_control() -> html.Div:
    """The PDF button, or for a role that may not download a disabled one with the reason beside it."""
    import auth
    if not auth.allowed("download"):
        return html.Div([
            html.Button("Download the packet (PDF)", id=f"{P}-pdf-btn", n_clicks=0, disabled=True,
                        className="btn btn-secondary btn-sm me-2", **{"aria-describedby": f"{P}-pdf-why"}),
            html.Span(_role_reason("download"), id=f"{P}-pdf-why", className="small"),
            html.Span(id=f"{P}-pdf-status", className="small"), dcc.Download(id=f"{P}-pdf"),
        ], className="d-flex align-items-center mt-2")
    return html.Div([
        html.Button("Download the packet (PDF)", id=f"{P}-pdf-btn", n_clicks=0, className="btn btn-primary btn-sm me-2"),
        html.Button("Download the follow-up (PDF)", id=f"{P}-fu-btn", n_clicks=0,
                    className="btn btn-outline-primary btn-sm me-2"),
        dcc.Loading(html.Span(id=f"{P}-pdf-status", className="small"), type="dot"),
        dcc.Download(id=f"{P}-pdf"), dcc.Download(id=f"{P}-fu"),
    ], className="d-flex align-items-center mt-2 flex-wrap")


def _section(title: str, id: str, body) -> html.Section:
    return html.Section([html.H2(title, className="h4 mt-4", id=f"{id}-h"), body], id=id, className="packet-section",
                        **{"aria-labelledby": f"{id}-h"})


def _summary(pkt):
    from packet.summary import sections, summarise
    out = []
    for head, lines, none in sections(summarise(pkt)):
        out += [html.H3(head, className="h6 mt-2 mb-1"),
                html.Ul([html.Li(x) for x in lines], className="mb-1") if lines else html.P(none, className="mb-1")]
    return html.Div(out, className="border rounded p-2 bg-body-tertiary")


def _flags(pkt):
    note = html.P(text.FLAGS_NOTE, className="small text-body-secondary")
    few = [html.P(text.too_few_sentence(pkt), className="small", id=f"{P}-too-few")] if pkt.too_few else []
    if not pkt.flags:
        return html.Div([note, html.P("No measure is off track and no change is more than normal variation explains."),
                         *few])
    write = may_write()
    return html.Div([note, html.Ol([html.Li([
        html.Strong(f.headline),
        *([ledger_ui.from_button(f.measure_id, "", f.title)] if write else []),
        html.Details([html.Summary("How we know", className="small"), html.P(f.test, className="small mb-1")],
                     className="flag-how"),
    ], className=f"flag-{f.kind} mb-2", id=f"{P}-flag-{f.measure_id}") for f in pkt.flags], id=f"{P}-flag-list"), *few])


def _changes(pkt):
    if pkt.last_packet is None:
        return html.P("No packet was generated for an earlier meeting, so there is nothing to compare with yet. "
                      "Generating the PDF records this packet's figures.")
    if not pkt.changes:
        return html.P(f"Compared with the packet for {fmt_date(pkt.last_packet)}: no past figure was revised and "
                      "no measure changed status.")
    return html.Div([html.P(f"Compared with the packet for {fmt_date(pkt.last_packet)}:"),
                     html.Ul([html.Li(c.text) for c in pkt.changes])])


def _events(pkt, titles):
    """Annotations near this period, and for editors a form to note one (drawn on the charts)."""
    parts = [html.P(text.events_sentence(pkt), className="small")]
    if pkt.events_now:
        parts.append(_table(text.EVENTS_HEAD, [text.event_cells(a, titles) for a in pkt.events_now], f"{P}-events-table"))
    if may_write():
        measures = [{"label": "Citywide (every chart)", "value": ledger_ui.NONE}] + [
            {"label": t, "value": m} for m, t in titles.items()]
        parts.append(html.Div([
            html.H3("Note an event", className="h6"),
            html.Div([
                html.Div(labelled("Measure", select(f"{P}-ev-measure", measures, ledger_ui.NONE), f"{P}-ev-measure"),
                         className="col-12 col-md-4"),
                html.Div(labelled("Date", dcc.Input(id=f"{P}-ev-day", type="text", className="form-control",
                                                   placeholder="YYYY-MM-DD", autoComplete="off"), f"{P}-ev-day"),
                         className="col-12 col-md-3"),
                html.Div(labelled("What happened", dcc.Input(id=f"{P}-ev-text", type="text", className="form-control",
                                                            maxLength=500, autoComplete="off"), f"{P}-ev-text"),
                         className="col-12 col-md-5"),
            ], className="row g-2"),
            dbc.Checkbox(id=f"{P}-ev-public", label="Show on the public site too", value=False, className="small mb-1"),
            html.Button("Save event", id=f"{P}-ev-save", n_clicks=0, className="btn btn-outline-primary btn-sm"),
            html.Div(id=f"{P}-ev-msg", role="status", **{"aria-live": "polite"}, className="small mt-1"),
        ], className="card card-body no-print"))
    return html.Div(parts)


def _commentary_list(commentary: dict, titles: dict) -> html.Div:
    """Each measure's commentary for this meeting (measure id -> store.Commentary), in the
    catalog's order, with the packet's heading and byline."""
    if not commentary:
        return html.P("No commentary written for this meeting yet.", className="small", id=f"{P}-cm-none")
    order = {mid: i for i, mid in enumerate(titles)}
    return html.Div([html.Div([html.H3(text.commentary_head(titles.get(mid, mid)), className="h6 mb-1"),
                               *[html.P(x, className="mb-1") for x in c.text.splitlines()],
                               html.P(text.commentary_byline(c), className="small text-body-secondary mb-2")],
                              id=f"{P}-cm-show-{mid}", className="commentary")
                     for mid, c in sorted(commentary.items(), key=lambda kv: order.get(kv[0], len(order)))])


def _commentary(pkt, titles):
    """Per measure, what happened and what we are doing, written before the meeting by an editor
    (the measure's owner); printed in the packet. Viewers read it; only editors get the form."""
    parts = [html.Div(_commentary_list(pkt.commentary, titles), id=f"{P}-cm-list")]
    if not may_write():
        parts.append(html.P("Editors write each measure's commentary before the meeting; you can read it here "
                            "and in the packet.", className="small text-body-secondary", id=f"{P}-cm-read-only"))
        return html.Div(parts)
    measures = [{"label": t, "value": m} for m, t in titles.items()]
    parts.append(html.Div([
        html.H3("Write or revise a measure's commentary", className="h6"),
        html.Div(labelled("Measure", select(f"{P}-cm-measure", measures, None), f"{P}-cm-measure"), className="mb-2"),
        labelled("What happened and what we are doing",
                 dcc.Textarea(id=f"{P}-cm-text", className="form-control", maxLength=2000, rows=4), f"{P}-cm-text"),
        dbc.Checkbox(id=f"{P}-cm-public", value=False, className="small mb-1",
                     label="Also show it on the public measure page (once its published complete months cover "
                           "this meeting's period)"),
        html.Button("Save commentary", id=f"{P}-cm-save", n_clicks=0, className="btn btn-outline-primary btn-sm"),
        dcc.Store(id=f"{P}-cm-seen", data={mid: c.version for mid, c in pkt.commentary.items()}),
        html.Div(id=f"{P}-cm-msg", role="status", **{"aria-live": "polite"}, className="small mt-1"),
    ], className="card card-body no-print"))
    return html.Div(parts)


def _hotspots(pkt, geojson):
    parts = [html.P(text.hotspot_sentence(pkt), className="small")]
    if pkt.hotspots.spots:
        write = may_write()
        head = list(text.HOTSPOT_HEAD) + (["Action"] if write else [])
        rows = [text.hotspot_cells(i, h) + ([ledger_ui.from_button(h.measure_id, h.area_id, f"{h.title} in {h.label}")]
                                            if write else []) for i, h in enumerate(pkt.hotspots.spots, 1)]
        parts.append(_table(head, rows, f"{P}-hotspot-table"))
    parts.append(html.Div([html.Figure([html.Img(src=data_uri(svg), alt=f"{title}. {cap}", className="img-fluid", style={"width": "100%", "maxWidth": "520px"}),
                                        html.Figcaption([html.Strong(title), ". ", cap], className="small")],
                                       className="col-12 col-md-6")
                           for title, svg, cap in hotspot_maps(pkt, geojson)], className="row"))
    return html.Div(parts)


def _goal(pkt, g):
    charts = []
    for r in g.rows:
        picture, caption = chart_for(pkt, r)
        charts.append(html.Figure([html.Img(src=data_uri(picture), alt=caption, className="img-fluid"),
                                   html.Figcaption(caption, className="small")], className="col-12 col-md-6 col-xl-4"))
    return html.Div([html.P(g.statement, className="fst-italic"),
                     _table(text.MEASURE_HEAD, [text.measure_cells(r) for r in g.rows], f"{P}-table-{g.goal_id}"),
                     html.P(f"▲ the change passed its test. 28 days and year to date end {fmt_date(pkt.period.end)}.",
                            className="small text-body-secondary"),
                     html.Div(charts, className="row")])


def _table(head, rows, id: str) -> html.Div:
    return html.Div(html.Table([html.Thead(html.Tr([html.Th(h, scope="col") for h in head])),
                                html.Tbody([html.Tr([html.Td(c) for c in r]) for r in rows])],
                               className="table table-sm table-striped mb-1", id=id),
                    className="table-responsive bg-white")


def _ledger(pkt, eng, ledger, titles, layer):
    if ledger is None:
        return html.P("The ledger is unavailable.")
    areas = list(eng.areas(layer).itertuples(index=False, name=None))
    return html.Div([
        ledger_ui.form(list(titles.items()), areas, pkt.hotspot_layer_label, _owners(ledger)) if may_write() else
        html.P(_role_reason("write_ledger"), className="alert alert-secondary small py-2", id=f"{P}-read-only"),
        html.H3("Open items from earlier meetings", className="h5"),
        html.Div(ledger_ui.carried(pkt.carried, ledger), id=f"{P}-carried-box"),
        html.H3("Recorded at this meeting", className="h5 mt-3"),
        html.Div(ledger_ui.recorded(pkt.new_items, titles, ledger), id=f"{P}-new-items"),
        ledger_ui.message_box(),
    ])


def _owners(ledger) -> list[str]:
    """Names the owner field offers: the store's active users, then owners named before."""
    from store.users import Users
    try:
        people = [u.display_name for u in Users(ledger.store).list_users() if u.active]
    except Exception:  # the users table is the store's; a ledger without it still records items
        log.exception("owners: users")
        people = []
    named = sorted({i.owner for i in ledger.items() if i.owner})
    return list(dict.fromkeys(people + named))


def _one_line(exc) -> str:
    """A store error's message, or for a refused role the reason in words, as one line."""
    from auth import Forbidden
    if isinstance(exc, Forbidden):
        return "Not saved. " + _role_reason("write_ledger")
    return str(getattr(exc, "description", None) or exc).splitlines()[0]


def _context():
    """(engine, ledger, titles) for a callback."""
    eng = get_engine()
    return eng, get_ledger(eng), {m.id: m.title for m in eng.catalog.measures.values()}


@dash.callback(Output(f"{P}-msg", "children"), Output(f"{P}-new-items", "children"),
               Output(f"{P}-versions", "data"),
               Output(f"{P}-text", "value"), Output(f"{P}-owner", "value"), Output(f"{P}-due", "value"),
               Output(f"{P}-notes", "value"),
               Input(f"{P}-save", "n_clicks"),
               State(f"{P}-kind", "value"), State(f"{P}-text", "value"), State(f"{P}-owner", "value"),
               State(f"{P}-due", "value"), State(f"{P}-measure", "value"), State(f"{P}-area", "value"),
               State(f"{P}-notes", "value"), State(f"{P}-meeting", "data"), State(f"{P}-versions", "data"),
               prevent_initial_call=True)
def save(n, kind, what, owner, due, measure, area, notes, meeting, seen):
    from auth import Forbidden
    from store import StoreInputError

    if not n:
        return (no_update,) * 7
    eng, ledger, titles = _context()
    try:
        item = ledger.create(kind=kind or "action", text=what or "", owner=owner or "", meeting_date=meeting,
                             due_date=(due or "").strip() or None,
                             measure_id=None if measure in (None, "", ledger_ui.NONE) else measure,
                             area=None if area in (None, "", ledger_ui.NONE) else (_layer(eng), area),
                             notes=notes or "", by=author())
    except (StoreInputError, Forbidden) as exc:
        return ledger_ui.error_message(_one_line(exc)), no_update, no_update, no_update, no_update, no_update, no_update
    except Exception as exc:  # the store is down or locked too long: say so, keep what was typed
        log.exception("ledger save")
        return (ledger_ui.error_message(f"Not saved: {type(exc).__name__}: {str(exc).splitlines()[0]}"),
                *(no_update,) * 6)
    items = ledger.items(meeting_date=meeting)
    return (ledger_ui.saved_message(item), ledger_ui.recorded(items, titles, ledger),
            {**(seen or {}), **ledger_ui.versions(items)}, "", "", "", "")


CV = {"type": f"{P}-cv", "item": ALL, "field": ALL}  # the carried-over cells an edit redraws
_EDITS = (Output(f"{P}-msg", "children", allow_duplicate=True),
          Output(f"{P}-new-items", "children", allow_duplicate=True),
          Output(f"{P}-versions", "data", allow_duplicate=True), Output(CV, "children"))


def _clicked() -> dict | None:
    """The pattern id of the button that fired, or None when the call is a re-render (0 clicks)."""
    trig = ctx.triggered_id
    return trig if trig and any(t.get("value") for t in ctx.triggered) else None


def _write(meeting, seen, cv_ids, change) -> tuple:
    """Run change(ledger, seen) -> success message, then redraw what the ledger shows: items
    recorded at this meeting, the versions this page has seen, the carried-over cells, and the
    buttons and history of the item that changed. A refused write changes nothing on the page
    but the message: what the user typed stays there to be corrected, and the versions this page
    has seen stay too, so a conflict cannot be overwritten by pressing Save again without a reload."""
    from auth import Forbidden
    from store import ConflictError, StoreInputError

    _eng, ledger, titles = _context()
    try:
        msg = html.Div(change(ledger, dict(seen or {})), className="alert alert-success py-2")
    except (ConflictError, StoreInputError, Forbidden) as exc:
        return ledger_ui.error_message(_one_line(exc)), no_update, no_update, [no_update] * len(cv_ids)
    changed = str(ctx.triggered_id["item"])
    items = ledger.items(meeting_date=meeting)
    current = {i: ledger.get(int(i)) for i in {c["item"] for c in cv_ids}}
    day = dt.date.fromisoformat(meeting)

    def cell(c):
        item = current[c["item"]]
        if c["field"] == "actions":
            return ledger_ui.actions(item, ledger) if str(c["item"]) == changed else no_update
        return ledger_ui.carried_values(item, day, [c["field"]])[0]

    seen = {**(seen or {}), **ledger_ui.versions(list(current.values()) + items)}
    return msg, ledger_ui.recorded(items, titles, ledger), seen, [cell(c) for c in cv_ids]


def _expected(ledger, seen: dict, item_id: int) -> int:
    """The version of the item this page showed (the edit is refused if it moved on since)."""
    return int(seen.get(str(item_id)) or ledger.get(item_id).version)


@dash.callback(*_EDITS, Input({"type": f"{P}-close", "item": ALL, "to": ALL}, "n_clicks"),
               State(CV, "id"), State(f"{P}-meeting", "data"), State(f"{P}-versions", "data"),
               prevent_initial_call=True)
def close(clicks, cv_ids, meeting, seen):
    """Done, Drop or Reopen."""
    if not (trig := _clicked()):
        return no_update, no_update, no_update, [no_update] * len(cv_ids)

    def change(ledger, seen):
        item_id, to = int(trig["item"]), trig["to"]
        if to == "open":
            item = ledger.edit(item_id, expected_version=_expected(ledger, seen, item_id), by=author(), status="open")
            return f"Item {item_id} reopened."
        item = ledger.close(item_id, expected_version=_expected(ledger, seen, item_id), by=author(), status=to)
        return f"Item {item_id} marked {item.status}."
    return _write(meeting, seen, cv_ids, change)


@dash.callback(*_EDITS, Input({"type": f"{P}-note-btn", "item": ALL}, "n_clicks"),
               State({"type": f"{P}-note", "item": ALL}, "value"), State({"type": f"{P}-note", "item": ALL}, "id"),
               State(CV, "id"), State(f"{P}-meeting", "data"), State(f"{P}-versions", "data"),
               prevent_initial_call=True)
def add_note(clicks, notes, note_ids, cv_ids, meeting, seen):
    """Append a note to an item's notes: an edit at the version this page showed (history keeps it)."""
    if not (trig := _clicked()):
        return no_update, no_update, no_update, [no_update] * len(cv_ids)
    item_id = int(trig["item"])
    note = next((v for v, i in zip(notes, note_ids) if i["item"] == trig["item"]), None)
    if not (note or "").strip():
        return ledger_ui.error_message("notes: type the note first"), no_update, no_update, [no_update] * len(cv_ids)

    def change(ledger, seen):
        current = ledger.get(item_id)
        ledger.edit(item_id, expected_version=_expected(ledger, seen, item_id), by=author(),
                    notes=(current.notes + "\n" if current.notes else "") + note.strip())
        return f"Note added to item {item_id}."
    return _write(meeting, seen, cv_ids, change)


@dash.callback(*_EDITS, Input({"type": f"{P}-edit-save", "item": ALL}, "n_clicks"),
               *[State({"type": f"{P}-edit-{f}", "item": ALL}, prop) for f in ledger_ui.EDITABLE for prop in ("value", "id")],
               State(CV, "id"), State(f"{P}-meeting", "data"), State(f"{P}-versions", "data"),
               prevent_initial_call=True)
def edit(clicks, texts, text_ids, owners, owner_ids, dues, due_ids, cv_ids, meeting, seen):
    """Change what an item says, its owner or its due date; the store checks each field."""
    if not (trig := _clicked()):
        return no_update, no_update, no_update, [no_update] * len(cv_ids)
    item_id = int(trig["item"])

    def typed(values, ids):
        return next((v for v, i in zip(values, ids) if i["item"] == trig["item"]), None) or ""

    def change(ledger, seen):
        before = ledger.get(item_id)
        after = ledger.edit(item_id, expected_version=_expected(ledger, seen, item_id), by=author(),
                            text=typed(texts, text_ids), owner=typed(owners, owner_ids),
                            due_date=typed(dues, due_ids).strip() or None)
        if after.version == before.version:
            return f"Item {item_id}: nothing was changed."
        return f"Item {item_id} saved (version {after.version})."
    return _write(meeting, seen, cv_ids, change)


@dash.callback(Output(f"{P}-pdf", "data"), Output(f"{P}-pdf-status", "children"),
               Input(f"{P}-pdf-btn", "n_clicks"), State(f"{P}-meeting", "data"), prevent_initial_call=True)
def pdf(n, meeting):
    from packet.pdf import packet_pdf

    if not n:
        return no_update, no_update
    from werkzeug.exceptions import Unauthorized

    import auth

    eng = get_engine()
    day = dt.date.fromisoformat(meeting)
    try:
        auth.require("download")
    except (auth.Forbidden, Unauthorized):
        return no_update, html.Span(_role_reason("download"), role="alert")
    try:
        pkt, data = packet_pdf(eng, day, ledger=get_ledger(eng), snapshots=get_snapshots(eng), layer=_layer(eng),
                               annotations=get_annotations(eng), commentary=get_commentary(eng))
    except Exception as exc:
        log.exception("packet PDF")
        return no_update, f"The PDF could not be made: {type(exc).__name__}: {str(exc).splitlines()[0]}"
    return (dash.dcc.send_bytes(data, f"seastat-packet-{meeting}.pdf"),
            f"Packet made ({len(data) // 1024} KB); its figures are recorded for the next packet's comparison.")


FROM = {"type": f"{P}-from", "measure": ALL, "area": ALL}


@dash.callback(Output(f"{P}-kind", "value"), Output(f"{P}-text", "value", allow_duplicate=True),
               Output(f"{P}-measure", "value"), Output(f"{P}-area", "value"),
               Output(f"{P}-msg", "children", allow_duplicate=True),
               Input(FROM, "n_clicks"), State(f"{P}-meeting", "data"), prevent_initial_call=True)
def from_flag(clicks, meeting):
    """'Add action' on a flag or hot spot: the form gets its measure, area and the period reviewed,
    and the message says what is left to fill in. Nothing is saved until Save is pressed."""
    from packet.calendar import meeting_period

    if not (trig := _clicked()):
        return (no_update,) * 5
    eng = get_engine()
    m = eng.catalog.measures.get(trig["measure"])
    if m is None:
        return (no_update,) * 4 + (ledger_ui.error_message(f"measure: {trig['measure']!r} is not in the catalog"),)
    area = trig["area"]
    labels = dict(eng.areas(_layer(eng)).itertuples(index=False, name=None)) if area != ledger_ui.NONE else {}
    if area != ledger_ui.NONE and area not in labels:
        return (no_update,) * 4 + (ledger_ui.error_message(f"area: {area!r} is not an area of {_layer(eng)}"),)
    _, period = meeting_period(eng.city, dt.date.fromisoformat(meeting), eng.as_of())
    where = f" in {labels[area]}" if area != ledger_ui.NONE else " citywide"
    what = f"Follow up {m.title}{where}, {fmt_date(period.start)} – {fmt_date(period.end)}: "
    msg = html.Div(f"The form below is filled in for {m.title}{where}. Say what will be done, pick the owner and "
                   "the due date, then Save.", className="alert alert-info py-2")
    return "action", what, m.id, area, msg


dash.clientside_callback(
    """function(clicks) {  // bring the filled form into view, the cursor at the end of 'What'
        if (!(clicks || []).some(Boolean)) { return window.dash_clientside.no_update; }
        setTimeout(function() { var t = document.getElementById('mt-text');
            if (t) { t.scrollIntoView({block: 'center'}); t.focus(); } }, 300);
        return window.dash_clientside.no_update;
    }""",
    Output(f"{P}-jump", "data"), Input(FROM, "n_clicks"), prevent_initial_call=True)


@dash.callback(Output(f"{P}-ev-msg", "children"), Output(f"{P}-ev-text", "value"),
               Input(f"{P}-ev-save", "n_clicks"),
               State(f"{P}-ev-measure", "value"), State(f"{P}-ev-day", "value"), State(f"{P}-ev-text", "value"),
               State(f"{P}-ev-public", "value"), prevent_initial_call=True)
def save_event(n, measure, day, what, public):
    """Note a dated event; it is kept with its history and drawn on the charts from the next load."""
    from auth import Forbidden
    from store import StoreInputError

    if not n:
        return no_update, no_update
    eng = get_engine()
    try:
        a = get_annotations(eng).add(day=(day or "").strip(), text=what or "", by=author(),
                                     measure_id=None if measure in (None, "", ledger_ui.NONE) else measure,
                                     public=public is True)
    except (StoreInputError, Forbidden) as exc:
        return html.Div(_one_line(exc), className="alert alert-danger py-2", role="alert", id=f"{P}-ev-error"), no_update
    where = eng.catalog.measures[a.measure_id].title if a.measure_id else "citywide"
    return (html.Div(f"Saved: {fmt_date(a.day)}, {where}: {a.text}. Reload the page to see it on the charts.",
                     className="alert alert-success py-2", id=f"{P}-ev-saved"), "")


@dash.callback(Output(f"{P}-cm-text", "value"), Output(f"{P}-cm-public", "value"),
               Input(f"{P}-cm-measure", "value"), State(f"{P}-meeting", "data"), prevent_initial_call=True)
def pick_commentary(measure, meeting):
    """Choosing a measure puts its commentary (if any) in the form, to be revised rather than retyped."""
    eng = get_engine()
    if measure not in eng.catalog.measures:
        return "", False
    c = get_commentary(eng).get(measure, meeting)
    return (c.text, c.public) if c is not None else ("", False)


@dash.callback(Output(f"{P}-cm-msg", "children"), Output(f"{P}-cm-list", "children"),
               Output(f"{P}-cm-seen", "data"),
               Input(f"{P}-cm-save", "n_clicks"), State(f"{P}-cm-measure", "value"), State(f"{P}-cm-text", "value"),
               State(f"{P}-cm-public", "value"), State(f"{P}-meeting", "data"), State(f"{P}-cm-seen", "data"),
               prevent_initial_call=True)
def save_commentary(n, measure, words, public, meeting, seen):
    """Save over the version this page showed (0: none yet): an editor who saved meanwhile is
    not overwritten; the refused writer is told to reload, and what they typed stays."""
    from auth import Forbidden
    from store import ConflictError, StoreInputError

    if not n:
        return no_update, no_update, no_update
    eng = get_engine()
    if measure not in eng.catalog.measures:
        return ledger_ui.error_message("measure: pick the measure the commentary is about"), no_update, no_update
    seen = dict(seen or {})
    store = get_commentary(eng)
    try:
        c = store.write(measure_id=measure, meeting=meeting, text=words or "", by=author(),
                        expected_version=int(seen.get(measure, 0)), public=public is True)
    except (ConflictError, StoreInputError, Forbidden) as exc:
        return ledger_ui.error_message(_one_line(exc)), no_update, no_update
    everything = store.for_meeting(meeting)
    titles = {m.id: m.title for m in eng.catalog.measures.values()}
    shown = _commentary_list(everything, titles)
    return (html.Div(f"Saved: commentary on {titles[measure]} (version {c.version}).",
                     className="alert alert-success py-2", id=f"{P}-cm-saved"),
            shown, {**seen, **{mid: x.version for mid, x in everything.items()}})


@dash.callback(Output(f"{P}-fu", "data"), Output(f"{P}-pdf-status", "children", allow_duplicate=True),
               Input(f"{P}-fu-btn", "n_clicks"), State(f"{P}-meeting", "data"), prevent_initial_call=True)
def followup(n, meeting):
    """The one-page follow-up (decisions, action items with owners and due dates) as a PDF."""
    from werkzeug.exceptions import Unauthorized

    import auth
    from packet.followup import followup_pdf

    if not n:
        return no_update, no_update
    try:
        auth.require("download")
    except (auth.Forbidden, Unauthorized):
        return no_update, html.Span(_role_reason("download"), role="alert")
    eng = get_engine()
    try:
        data = followup_pdf(eng, dt.date.fromisoformat(meeting), get_ledger(eng), _layer(eng))
    except Exception as exc:
        log.exception("follow-up PDF")
        return no_update, f"The follow-up could not be made: {type(exc).__name__}: {str(exc).splitlines()[0]}"
    return dash.dcc.send_bytes(data, f"seastat-follow-up-{meeting}.pdf"), f"Follow-up made ({len(data) // 1024} KB)."
