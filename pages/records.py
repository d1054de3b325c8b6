"""Records page (`/records/<measure_id>?<the measure page's filters>`): the events behind a number.

Opened from a measure page's headline, it lists exactly the events that number counted (the same
period cut to the data, the same areas, categories and demographic group): paged, sortable by
any published field (the column headers are links, so the keyboard and the back button work),
addresses as the source publishes them (blurred), each event linked to its full record, and the
whole list as a CSV. Analysts and up (components/drilldown.py refuses others with a 403);
internal app only.
"""
from __future__ import annotations

import dash
from dash import dcc, html

import auth
from components import drilldown, messages
from components.engine_access import get_engine
from components.formatting import fmt_date, fmt_value
from engine import records
from components.pagekit import catalog_title, guarded, page_header, scroll_table

dash.register_page(__name__, path_template="/records/<measure_id>", name="Records", title=catalog_title("measure"))
P = "rec"


@guarded
def layout(measure_id=None, **query):
    refused = drilldown.forbidden_notice(P)
    if refused is not None:
        return refused
    eng = get_engine()
    ask, problems = drilldown.parse(eng, measure_id, query)
    if ask is None:
        if measure_id not in eng.catalog.measures:
            return messages.not_found("measure", measure_id)
        if not records.listable(eng.catalog.measures[measure_id]):
            return html.Div([html.H1("No list of records", className="h3"), html.P(problems[0]),
                             dcc.Link("Back to the measure", href=f"/measures/{measure_id}")],
                            className="notice mt-3", role="status", id=f"{P}-not-listable")
        return messages.no_such_filter(problems, f"/records/{measure_id}")
    m = ask.measure
    rec = eng.records(m.id, ask.period, ask.filters, met=ask.met, sort=ask.sort, descending=ask.descending,
                      offset=(ask.page - 1) * ask.size, limit=ask.size)
    pages = max(1, -(-rec.total // ask.size))
    if ask.page > pages:
        return messages.no_such_filter([f"page: {ask.page} is past the last page ({pages}) of {rec.total} {rec.what}"],
                                       f"/records/{m.id}{drilldown.search(ask, page=1)}")
    back = f"/measures/{m.id}{drilldown.urlstate.to_search(ask.view)}"
    first, last = rec.offset + 1, rec.offset + len(rec.rows)
    csv_href = f"/download/records/{m.id}.csv{drilldown.search(ask, page=1)}"
    return html.Div([
        page_header(f"Records behind: {m.title}", m.definition, id=f"{P}-title"),
        html.P([html.Span(fmt_value(rec.total), id=f"{P}-total", className="fw-bold"),
                f" {rec.what}, {fmt_date(rec.start)} to {fmt_date(rec.end)}; {drilldown.filters_words(ask)}. ",
                "Addresses are as the source publishes them (blurred to the hundred block or an intersection)."],
               id=f"{P}-summary"),
        html.Div([dcc.Link("Back to the measure", href=back, id=f"{P}-back", className="me-3"),
                  html.A("Download CSV of all of them", href=csv_href, id=f"{P}-csv", className="btn btn-outline-primary btn-sm",
                         hidden=not auth.allowed("download"))], className="mb-2"),
        _pager(ask, rec, first, last, pages),
        scroll_table(_table(ask, rec, m.id), "Event records"),
        _pager(ask, rec, first, last, pages, bottom=True),
    ])


def _pager(ask, rec, first, last, pages, bottom=False) -> html.Nav:
    where = f"/records/{ask.measure.id}"
    shown = f"Showing {fmt_value(first)}–{fmt_value(last)} of {fmt_value(rec.total)}" if rec.total else "No events"
    links = []
    if ask.page > 1:
        links.append(dcc.Link("Previous page", href=where + drilldown.search(ask, page=ask.page - 1), className="me-3",
                              id=f"{P}-prev" if not bottom else f"{P}-prev-bottom"))
    if ask.page < pages:
        links.append(dcc.Link("Next page", href=where + drilldown.search(ask, page=ask.page + 1),
                              id=f"{P}-next" if not bottom else f"{P}-next-bottom"))
    return html.Nav([html.Span(f"{shown} (page {ask.page} of {pages}). ", className="me-3",
                               id=f"{P}-shown" if not bottom else f"{P}-shown-bottom"), *links],
                    className="small my-2", **{"aria-label": "Record pages" + (" (bottom)" if bottom else "")})


def _table(ask, rec, measure_id) -> html.Table:
    where = f"/records/{measure_id}"
    heads = []
    for c in rec.columns:
        on = c == ask.sort
        order = "asc" if on and ask.descending else "desc"
        arrow = (" ▼" if ask.descending else " ▲") if on else ""
        heads.append(html.Th(dcc.Link(c.replace("_", " ") + arrow, href=where + drilldown.search(ask, sort=c, order=order, page=1),
                                      title=f"Sort by {c.replace('_', ' ')}"),
                             scope="col", **({"aria-sort": "descending" if ask.descending else "ascending"} if on else {})))
    body = []
    for row in rec.rows.itertuples(index=False, name=None):
        cells = []
        for c, v in zip(rec.columns, row):
            text = drilldown.cell(v)
            if c == "event_key":
                cells.append(html.Th(dcc.Link(text, href=f"/event/{rec.dataset}?{drilldown.urlencode({'key': text, 'measure': measure_id})}"),
                                     scope="row"))
            else:
                cells.append(html.Td(text))
        body.append(html.Tr(cells))
    return html.Table([html.Caption(f"{rec.what.capitalize()} behind the number, sorted by {ask.sort.replace('_', ' ')}"),
                       html.Thead(html.Tr(heads)), html.Tbody(body)],
                      className="table table-sm table-striped bg-white small records-table", id=f"{P}-table")
