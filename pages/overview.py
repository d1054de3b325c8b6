"""Goals overview (`/`): each goal's status, how many of its measures are on track / at risk / off
track, and the measures whose change since the prior period passed the noise test."""
from __future__ import annotations

import dash
from dash import Input, Output, State, dcc, html

from components import messages, urlstate
from components.engine_access import get_engine
from components.latest import jump_links
from components.fields import get
from components.formatting import fmt_change, fmt_value
from components.pagekit import (
    tab_title, custom_dates_toggle,
    PAGES_LOCATION, guarded, new_search, page_header, period_controls, resolve_period, scroll_table,
    view_from_controls, view_store,
)
from components.status import ORDER, combined_status, status_badge

dash.register_page(__name__, path="/", name="Goals", title=tab_title("Goals overview"), order=0)
P = "ov"
custom_dates_toggle(P)


def goal_status(summary) -> str:
    """The engine's goal status when it gives one; otherwise the worst status among measures with
    a target, then 'No target' / 'Not covered' (components.status.combined_status), never 'No
    data' for a goal whose measures have values."""
    status = get(summary, "status")
    if status:
        return status
    counts = status_counts(summary)
    return combined_status([s for s, n in counts.items() for _ in range(n)])


def status_counts(summary) -> dict:
    counts = get(summary, "counts")
    if counts:
        return dict(counts)
    out = {s: 0 for s in ORDER}
    for r in results_of(summary):
        out[get(r, "status", "no_data")] = out.get(get(r, "status", "no_data"), 0) + 1
    return out


def results_of(summary) -> list:
    res = get(summary, "results") or get(summary, "measures") or []
    return list(res.values()) if isinstance(res, dict) else list(res)


def _goal_card(summary, measures) -> html.Div:
    goal = get(summary, "goal")
    gid = get(goal, "id")
    counts = status_counts(summary)
    count_items = [html.Li([status_badge(s), html.Span(f" {counts.get(s, 0)} measure{'s' if counts.get(s, 0) != 1 else ''}",
                                                       id=f"{P}-count-{gid}-{s}")], className="status-count me-3 mb-1")
                   for s in ORDER if s in ("on_track", "at_risk", "off_track") or counts.get(s)]
    return html.Div(html.Div([
        html.Div([html.H2(dcc.Link(get(goal, "title", gid), href=f"/goals/{gid}"), className="h5 mb-1"),
                  html.Span(["Goal status: ", status_badge(goal_status(summary), id=f"{P}-status-{gid}")])],
                 className="d-flex flex-wrap justify-content-between gap-2"),
        html.P(get(goal, "statement", ""), className="mb-2"),
        html.Ul(count_items, className="list-unstyled d-flex flex-wrap mb-0", **{"aria-label": "Measures by status"}),
    ], className="card-body"), className="card mb-3", id=f"{P}-goal-{gid}")


def _changes_table(summaries, measures) -> html.Div:
    rows = []
    for summary in summaries:
        for r in results_of(summary):
            flag = get(r, "flag")
            if not get(flag, "flagged"):
                continue
            mid = get(r, "measure_id") or get(r, "measure") or get(r, "id")
            m = measures.get(mid)
            unit = get(r, "unit") or get(m, "unit")
            rows.append(html.Tr([
                html.Td(dcc.Link(get(m, "title", mid), href=f"/measures/{mid}")),
                html.Td(fmt_value(get(r, "value"), unit)),
                html.Td(fmt_change(get(r, "change"), get(r, "change_pct"))),
                html.Td(get(flag, "explanation", "")),
            ]))
    if not rows:
        # a measure without data in the period could not be tested: say so instead of implying calm
        untested = sum(1 for summary in summaries for r in results_of(summary)
                       if get(r, "state") in ("no_data", "not_covered"))
        tested = sum(len(results_of(summary)) for summary in summaries) - untested
        return html.P(f"No measure changed beyond what noise explains since the prior period"
                      + (f" ({tested} measures tested; {untested} have no data or are not covered in this period)."
                         if untested else "."), id=f"{P}-no-changes")
    return scroll_table(html.Table([
        html.Caption("Measures whose change since the prior period passed the noise test"),
        html.Thead(html.Tr([html.Th(h, scope="col") for h in ("Measure", "Value", "Change", "Why it is flagged")])),
        html.Tbody(rows),
    ], className="table table-sm align-middle bg-white", id=f"{P}-changes"), "Measures that changed significantly")


@guarded
def layout(**query):
    eng = get_engine()
    view, problems = urlstate.parse(query)
    if problems:
        return messages.no_such_filter(problems, "/")
    period = resolve_period(eng, view)
    summaries = eng.goal_overview(period)
    measures = eng.catalog.measures
    return html.Div([
        page_header("Goals overview", f"{get(period, 'label', '')}: where each goal stands against its targets."),
        view_store(P, view),
        html.Div(period_controls(P, view), className="row filters g-2 mb-2"),
        jump_links(eng, [r for s in summaries for r in results_of(s)], view, "/", f"{P}-latest") or html.Div(),
        html.Div([_goal_card(s, measures) for s in summaries], id=f"{P}-goals"),
        html.H2("What changed significantly", className="h4 mt-4"),
        _changes_table(summaries, measures),
    ])


@dash.callback(Output(PAGES_LOCATION, "search", allow_duplicate=True),
               Input(f"{P}-period", "value"), Input(f"{P}-start", "value"), Input(f"{P}-end", "value"),
               State(f"{P}-view", "data"), prevent_initial_call=True)
def to_url(period, start, end, current):
    return new_search(view_from_controls(period, start, end), current)
