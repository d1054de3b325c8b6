"""The commitments ledger on the meeting page: the form that records an item, the items carried
over from earlier meetings, the items recorded at this meeting, and each item's history.

Only layout lives here; pages/meeting.py owns the callbacks. The cells are the packet's own
(packet.text), so the page and the PDF list an item the same way.
"""
from __future__ import annotations

from dash import dcc, html

from components.formatting import fmt_date
from components.pagekit import labelled, select
from packet import text

P = "mt"
NONE = "none"  # the "no measure" / "citywide" choice: an empty value would show as a blank select


def form(measures: list[tuple[str, str]], areas: list[tuple[str, str]], layer_label: str,
         owners: list[str] = (), meeting=None) -> html.Div:
    """measures: (id, title); areas: (area id, label) of the hot-spot layer; owners: names offered
    for the owner (the store's users and owners named before; a unit may still be typed);
    meeting: the meeting day, the earliest due date the date input offers."""
    return html.Div([
        html.H3("Record a decision or action item", className="h5"),
        html.Div([
            html.Div(labelled("Kind", select(f"{P}-kind", [{"label": "Action item", "value": "action"},
                                                            {"label": "Decision", "value": "decision"}], "action"),
                              f"{P}-kind"), className="col-12 col-md-3"),
            html.Div([labelled("Owner", dcc.Input(id=f"{P}-owner", type="text", className="form-control",
                                                  maxLength=200, autoComplete="off", list=f"{P}-owners"), f"{P}-owner",
                               "Pick a user or type a unit, e.g. North Precinct; a decision may have none"),
                      html.Datalist([html.Option(value=o) for o in owners], id=f"{P}-owners")],
                     className="col-12 col-md-5"),
            html.Div(labelled("Due date", dcc.Input(id=f"{P}-due", type="text", className="form-control",
                                                    placeholder="YYYY-MM-DD", autoComplete="off"), f"{P}-due",
                              "Needed for an action item"), className="col-12 col-md-4"),
            html.Div(labelled("What", dcc.Textarea(id=f"{P}-text", className="form-control", rows=2,
                                                   maxLength=2000), f"{P}-text"), className="col-12"),
            html.Div(labelled("Related measure", select(f"{P}-measure", [{"label": "None", "value": NONE}] +
                                                        [{"label": t, "value": m} for m, t in measures], NONE),
                              f"{P}-measure"), className="col-12 col-md-6"),
            html.Div(labelled(f"Area ({layer_label})", select(f"{P}-area", [{"label": "Citywide", "value": NONE}] +
                                                              [{"label": lab, "value": a} for a, lab in areas], NONE),
                              f"{P}-area"), className="col-12 col-md-6"),
            html.Div(labelled("Notes", dcc.Textarea(id=f"{P}-notes", className="form-control", rows=2),
                              f"{P}-notes"), className="col-12"),
        ], className="row g-2"),
        html.Button("Save item", id=f"{P}-save", className="btn btn-primary mt-1", n_clicks=0),
    ], className="ledger-form no-print card card-body mb-3")


def message_box() -> html.Div:
    """Where the outcome of every ledger write is said (saved, closed, a one-line error).

    It closes the ledger section and sticks to the bottom of the window while any part of the
    ledger is on screen, so the answer to a Done or Save pressed on item 12, far below the form,
    appears where the facilitator is looking; screen readers hear it through aria-live."""
    return html.Div(id=f"{P}-msg", className="ledger-msg no-print", role="status", **{"aria-live": "polite"})


def history(entries) -> html.Details:
    def line(h):
        what = "; ".join(f"{f}: {_v(a)} → {_v(b)}" for f, (a, b) in h.changes.items())
        return html.Li(f"v{h.version} {h.action} by {h.changed_by}, {h.changed_at:%Y-%m-%d %H:%M} UTC: {what}")
    return html.Details([html.Summary(f"History ({len(entries)})", className="small"),
                         html.Ul([line(h) for h in entries], className="small mb-0")], className="item-history")


def _v(x) -> str:
    return "—" if x in (None, "") else str(x)


def _note(item) -> html.Div:
    """Add a note to an item (kept in its history like every other edit)."""
    # dcc.Input takes no aria-label: the label wrapping it names it for screen readers.
    return html.Div([
        html.Label([html.Span(f"Note for item {item.id}", className="visually-hidden"),
                    dcc.Input(id={"type": f"{P}-note", "item": item.id}, type="text", placeholder="Add a note",
                              className="form-control form-control-sm", maxLength=2000, autoComplete="off")],
                   className="flex-grow-1 mb-0"),
        html.Button("Add", id={"type": f"{P}-note-btn", "item": item.id}, n_clicks=0,
                    className="btn btn-outline-primary btn-sm", **{"aria-label": f"Add the note to item {item.id}"}),
    ], className="input-group input-group-sm no-print mt-1")


EDITABLE = ("text", "owner", "due_date")  # what the edit form changes; measure and area stay as recorded


def _edit(item) -> html.Details:
    """Change what the item says, who owns it or when it is due (kept in its history)."""
    def field(name, label, control):  # a wrapping label: pattern-matching ids have no plain DOM id to point at
        return html.Label([html.Span(label, className="d-block"), control], className="d-block small mb-1")

    def ident(name):
        return {"type": f"{P}-edit-{name}", "item": item.id}

    return html.Details([
        html.Summary(f"Edit item {item.id}", className="small"),
        field("text", "What", dcc.Textarea(id=ident("text"), value=item.text, className="form-control form-control-sm",
                                           rows=2, maxLength=2000)),
        field("owner", "Owner", dcc.Input(id=ident("owner"), value=item.owner, type="text", maxLength=200,
                                          className="form-control form-control-sm", autoComplete="off")),
        field("due_date", "Due date (YYYY-MM-DD)", dcc.Input(
            id=ident("due_date"), value=item.due_date.isoformat() if item.due_date else "", type="text",
            className="form-control form-control-sm", autoComplete="off")),
        html.Button("Save changes", id={"type": f"{P}-edit-save", "item": item.id}, n_clicks=0,
                    className="btn btn-outline-primary btn-sm", **{"aria-label": f"Save the changes to item {item.id}"}),
    ], className="item-edit no-print mt-1")


def _buttons(item) -> html.Div:
    if item.status != "open":
        return html.Div([
            _note(item), _edit(item),
            html.Button("Reopen", id={"type": f"{P}-close", "item": item.id, "to": "open"}, n_clicks=0,
                        className="btn btn-outline-secondary btn-sm mt-1", **{"aria-label": f"Reopen item {item.id}"}),
        ], className="no-print mt-1")
    return html.Div([
        _note(item),
        html.Button("Done", id={"type": f"{P}-close", "item": item.id, "to": "done"}, n_clicks=0,
                    className="btn btn-outline-success btn-sm me-1 mt-1", **{"aria-label": f"Mark item {item.id} done"}),
        html.Button("Drop", id={"type": f"{P}-close", "item": item.id, "to": "dropped"}, n_clicks=0,
                    className="btn btn-outline-secondary btn-sm mt-1", **{"aria-label": f"Drop item {item.id}"}),
        _edit(item),
    ], className="no-print mt-1")


CARRIED_FIELDS = ("what", "owner", "due")  # the carried-over cells an edit redraws, beside "status"


def carried_values(item, meeting, fields) -> list[str]:
    """The carried-over table's cell texts for `fields` (what / owner / due / status) of an item now."""
    cells = dict(zip(CARRIED_FIELDS, text.item_head_cells(item, item.due_date is not None and item.due_date < meeting)))
    return [item.status if f == "status" else cells[f] for f in fields]


def _table(head, rows, id: str) -> html.Div:
    return html.Div(html.Table([
        html.Thead(html.Tr([html.Th(h, scope="col") for h in head])),
        html.Tbody(rows),
    ], className="table table-sm align-top mb-0", id=id), className="table-responsive bg-white")


def actions(item, ledger) -> list:
    """An item's buttons (Done / Drop, or Reopen once closed) and its history, as they are now:
    redrawn after every write, so a closed item offers Reopen at once and its history counts
    the edit just made. A role that may not write sees the history only: no button it would be
    refused for (the ledger section says once why)."""
    from components.store_access import may_write
    return [_buttons(item), history(ledger.history(item.id))] if may_write() else [history(ledger.history(item.id))]


def carried(items, ledger) -> html.Div:
    """Open items from earlier meetings (packet.CarriedItem), with age and movement, status now."""
    if not items:
        return html.P("No open items from earlier meetings.", id=f"{P}-carried-none")
    rows = []
    for ci in items:
        cells = text.carried_cells(ci)
        head = [html.Td(html.Span(c, id={"type": f"{P}-cv", "item": ci.item.id, "field": f}))
                for c, f in zip(cells, CARRIED_FIELDS)]
        rows.append(html.Tr(head + [html.Td(c) for c in cells[len(head):]] + [html.Td([
            html.Span(ci.item.status, id={"type": f"{P}-cv", "item": ci.item.id, "field": "status"},
                      className="item-status"),
            html.Div(actions(ci.item, ledger), id={"type": f"{P}-cv", "item": ci.item.id, "field": "actions"})],
            className="ledger-actions")],
            id=f"{P}-carried-{ci.item.id}"))
    return _table(list(text.CARRIED_HEAD) + ["Status"], rows, f"{P}-carried")


def recorded(items, titles: dict, ledger) -> html.Div:
    """Items recorded at this meeting, newest last, each with its buttons and history."""
    if not items:
        return html.P("Nothing recorded at this meeting yet.", id=f"{P}-new-none")
    rows = []
    for it in items:
        cells = text.item_cells(it, titles)
        rows.append(html.Tr([html.Td(c) for c in cells[:-1]] + [html.Td([
            html.Span(cells[-1]), *actions(it, ledger)], className="ledger-actions")],
            id=f"{P}-item-{it.id}"))
    return _table(text.NEW_HEAD, rows, f"{P}-new")


def versions(items) -> dict:
    """{item id: version shown}: what an edit from this page expects to find."""
    return {str(it.id): it.version for it in items}


def saved_message(item) -> html.Div:
    due = f", due {fmt_date(item.due_date)}" if item.due_date else ""
    owner = f" for {item.owner}" if item.owner else ""
    return html.Div(f"Saved: {item.kind} “{item.text}”{owner}{due}.", className="alert alert-success py-2")


def from_button(measure_id: str, area_id: str, what: str) -> html.Button:
    """'Add action' beside a flag or hot spot: fills the ledger form with its measure, area and
    period (pages/meeting.py), so the facilitator types only the owner, the due date and what."""
    return html.Button("Add action", id={"type": f"{P}-from", "measure": measure_id, "area": area_id or NONE},
                       n_clicks=0, className="btn btn-outline-primary btn-sm ms-2 no-print",
                       **{"aria-label": f"Add action: {what}"})


def error_message(message: str) -> html.Div:
    return html.Div(message, className="alert alert-danger py-2", role="alert", id=f"{P}-error")
