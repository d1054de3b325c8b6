"""Goal page (`/goals/<goal_id>`): the goal's statement and each of its measures as a card."""
from __future__ import annotations

import datetime as dt

import dash
from dash import Input, Output, State, html

from components import messages, urlstate
from components.cards import broken_card, measure_card
from components.engine_access import get_engine
from components.latest import jump_links
from components.fields import get
from components.store_access import get_annotations
from components.pagekit import (
    catalog_title, custom_dates_toggle,
    PAGES_LOCATION, guarded, log, new_search, page_header, period_controls, resolve_period,
    view_from_controls, view_store,
)
from engine import timemodel

dash.register_page(__name__, path_template="/goals/<goal_id>", name="Goal", title=catalog_title("goal"), order=1)
P = "gl"
custom_dates_toggle(P)
SPARK_WEEKS = 26


def find_goal(eng, goal_id):
    return next((g for g in eng.catalog.goals if get(g, "id") == goal_id), None)


def measure_ids(goal) -> list[str]:
    return [get(m, "id") if not isinstance(m, str) else m for m in get(goal, "measures", ())]


@guarded
def layout(goal_id=None, **query):
    eng = get_engine()
    goal = find_goal(eng, goal_id)
    if goal is None:
        return messages.not_found("goal", goal_id)
    view, problems = urlstate.parse(query)
    if problems:
        return messages.no_such_filter(problems, f"/goals/{goal_id}")
    period = resolve_period(eng, view)
    spark_start = timemodel.bucket_start("week", period.end - dt.timedelta(weeks=SPARK_WEEKS), eng.city.meeting_anchor)
    cards, results = [], []
    events, events_problem = _events(spark_start, period.end)
    for mid in measure_ids(goal):
        m = eng.catalog.measures[mid]
        try:
            result = eng.measure(mid, period)
            results.append(result)
            # not covered: no line at all (a series of the uncovered events would draw zeros)
            spark = eng.series(mid, "week", spark_start, period.end) if result.state != "not_covered" else None
            card = measure_card(P, m, result, spark, [a for a in events if a.measure_id in (None, mid)])
        except Exception as exc:  # one measure that cannot be computed must not hide the others
            log.exception("measure %s on the goal page", mid)
            card = broken_card(P, m, exc)
        cards.append(html.Div(card, className="col-12 col-md-6 col-xl-4 mb-3"))
    return html.Div([
        page_header(get(goal, "title", goal_id), get(goal, "statement", ""), id=f"{P}-title"),
        html.P(f"Department: {get(goal, 'department', '')}. {get(period, 'label', '')}.", className="small"),
        view_store(P, view),
        html.Div(period_controls(P, view), className="row filters g-2 mb-2"),
        jump_links(eng, results, view, f"/goals/{goal_id}", f"{P}-latest") or html.Div(),
        *([html.P(events_problem, className="small text-body-secondary", id=f"{P}-events-problem")] if events_problem else []),
        html.Div(cards or [html.P("This goal has no measures yet.")], className="row", id=f"{P}-cards"),
        _actions(get(goal, "actions", ())),
    ])


def _events(start: dt.date, end: dt.date):
    """Every live annotation in the sparklines' span, read once for all cards; a store that cannot
    be opened costs the cards their events, not the page, and the page says so in one line."""
    from store import StoreError

    try:
        return get_annotations(get_engine()).between(start, end), ""
    except StoreError as exc:
        return [], f"Events noted on these measures cannot be shown: {exc}"


def _actions(actions) -> html.Section:
    """What the city says it is doing about the goal: the same sentences the public page shows."""
    body = (html.Ul([html.Li(a) for a in actions], className="small") if actions else
            html.P("None published yet: add `actions` to this goal in the catalog.", className="small"))
    return html.Section([html.H2("What we are doing about it", className="h5", id=f"{P}-actions-h"), body],
                        id=f"{P}-actions", **{"aria-labelledby": f"{P}-actions-h"})


@dash.callback(Output(PAGES_LOCATION, "search", allow_duplicate=True),
               Input(f"{P}-period", "value"), Input(f"{P}-start", "value"), Input(f"{P}-end", "value"),
               State(f"{P}-view", "data"), prevent_initial_call=True)
def to_url(period, start, end, current):
    return new_search(view_from_controls(period, start, end), current)
