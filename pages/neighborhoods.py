"""Neighborhood explorer (`/neighborhoods`): pick a layer, areas, a period and categories (or click
areas on the map) and compare the areas with the whole city. Every choice is in the URL."""
from __future__ import annotations

import datetime as dt

import dash
from dash import Input, Output, State, ctx, dcc, html, no_update

from components import maps, messages, urlstate
from components.charts import LINE_COLOUR, PRIOR_COLOUR, chart, partial_words, ranked_summary, series_traces
from components.engine_access import get_engine, settings
from components.fields import get
from components.formatting import fmt_change, fmt_date, fmt_value
from components.pagekit import (
    tab_title, custom_dates_toggle,
    PAGES_LOCATION, checklist, filters_for, guarded, labelled, layer_labels, new_search,
    page_header, period_controls, resolve_period, scroll_table, select, view_from_controls,
    view_store,
)
from engine import timemodel

dash.register_page(__name__, path="/neighborhoods", name="Neighborhoods", title=tab_title("Neighborhood explorer"), order=3)
P = "nb"
custom_dates_toggle(P)
TREND_WEEKS = 26


def mappable(eng) -> list:
    """Measures that can be broken down by at least one layer, in catalog order."""
    return [m for g in eng.catalog.goals for m in (eng.catalog.measures[i] for i in g.measures) if m.layers]


def _comparison_table(eng, measures, view, period):
    city_view = view.with_(areas=())
    rows = []
    for m in measures:
        if view.layer not in m.layers:
            continue
        cats = tuple(c for c in view.categories if c in set(eng.categories(m.id)))
        city = eng.measure(m.id, period, filters_for(city_view.with_(categories=cats)))
        area = eng.measure(m.id, period, filters_for(view.with_(categories=cats))) if view.areas else None
        unit = get(city, "unit") or m.unit
        rows.append(html.Tr([
            html.Th(dcc.Link(m.title, href=f"/measures/{m.id}"), scope="row"),
            html.Td(fmt_value(get(area, "value"), unit) if area is not None else "pick an area", id=f"{P}-area-{m.id}"),
            html.Td(fmt_change(get(area, "change"), get(area, "change_pct")) if area is not None else ""),
            html.Td(fmt_value(get(city, "value"), unit), id=f"{P}-city-{m.id}"),
            html.Td(fmt_change(get(city, "change"), get(city, "change_pct"))),
        ]))
    return scroll_table(html.Table([
        html.Caption("Selected areas against the whole city, for the measures of this goal that this layer can show"),
        html.Thead(html.Tr([html.Th(h, scope="col") for h in ("Measure", "Selected areas", "Change", "City", "Change")])),
        html.Tbody(rows)], className="table table-sm bg-white align-middle", id=f"{P}-compare"), "Selected areas against the city")


def _trend(eng, m, view, period, unit):
    start = timemodel.bucket_start("week", period.end - dt.timedelta(weeks=TREND_WEEKS), eng.city.meeting_anchor)
    city = eng.series(m.id, "week", start, period.end, filters_for(view.with_(areas=())))
    data = series_traces(city, "City", PRIOR_COLOUR, unit, yaxis="y2")
    data[0]["line"] = {"color": PRIOR_COLOUR, "dash": "dot"}
    text = f"City: {_latest(city, unit)}." + partial_words(city, "week", unit)
    if view.areas:
        area = eng.series(m.id, "week", start, period.end, filters_for(view))
        data += series_traces(area, "Selected areas", LINE_COLOUR, unit)
        whole = timemodel.complete(area)
        text = (f"Selected areas: {_latest(area, unit)}, highest "
                f"{fmt_value(whole['value'].max() if len(whole) else None, unit)}. ") + text
    fig = {"data": data, "layout": {
        "height": 300, "margin": {"l": 40, "r": 40, "t": 10, "b": 30}, "plot_bgcolor": "white", "legend": {"orientation": "h", "y": -0.2},
        "yaxis": {"title": {"text": "Selected areas"}, "rangemode": "tozero", "gridcolor": "#e5e5e5"},
        "yaxis2": {"title": {"text": "City"}, "overlaying": "y", "side": "right", "rangemode": "tozero"}}}
    return chart(f"{P}-trend", fig, f"{m.title}: selected areas and city, weekly (city on the right axis)", text)


def _latest(df, unit) -> str:
    """'N complete weeks, latest complete week X' (a part-week is never the latest)."""
    whole = timemodel.complete(df)
    return (f"{len(whole)} complete weeks, latest complete week "
            f"{fmt_value(whole['value'].iloc[-1] if len(whole) else None, unit)}")


@guarded
def layout(**query):
    eng = get_engine()
    measures = mappable(eng)
    if not measures:
        return html.P("No measure in the catalog can be broken down by area yet.")
    ids = [m.id for m in measures]
    chosen = eng.catalog.measures.get(query.get("measure") if isinstance(query.get("measure"), str) else None)
    base = chosen if chosen is not None and chosen.id in ids else measures[0]
    view, problems = urlstate.parse(query, measures=ids, default_measure=ids[0], layers=list(base.layers),
                                    default_layer=base.layers[0], areas_of=lambda layer: list(eng.areas(layer)["area_id"]),
                                    categories=eng.categories(base.id))
    if problems:
        return messages.no_such_filter(problems, "/neighborhoods")
    m = eng.catalog.measures[view.measure]
    period = resolve_period(eng, view, m.id)  # the chosen measure's own latest data
    unit = m.unit
    bd = eng.breakdown(m.id, period, f"area:{view.layer}", filters_for(view.with_(areas=())))
    bd = bd.sort_values("value", ascending=False, na_position="last")
    labels = dict(zip(bd["key"], bd["label"]))
    chosen_labels = [labels.get(a, a) for a in view.areas]
    values = maps.map_values(view.layer, bd["key"], bd["value"], bd["label"], view.areas, unit, settings().map_style)
    summary = ranked_summary(bd["label"], bd["value"], unit, "areas") + (
        f" Selected: {', '.join(chosen_labels)}." if chosen_labels else " No area selected: click one or pick it in Areas.")
    areas = eng.areas(view.layer).to_dict("records")
    labels = layer_labels(eng)
    controls = [
        html.Div(labelled("Measure", select(f"{P}-measure", [{"label": x.title, "value": x.id} for x in measures], m.id),
                          f"{P}-measure"), className="col-12 col-md-5"),
        html.Div(labelled("Layer", select(f"{P}-layer", [{"label": labels.get(x, x), "value": x} for x in m.layers],
                                          view.layer), f"{P}-layer"), className="col-12 col-md-3"),
        *period_controls(P, view),
        html.Div(checklist(f"{P}-areas", "Areas", [{"label": r["label"], "value": r["area_id"]} for r in areas], view.areas),
                 className="col-12 col-md-6"),
        html.Div(checklist(f"{P}-cats", "Categories", eng.categories(m.id), view.categories), className="col-12 col-md-6"),
    ]
    return html.Div([
        view_store(P, view, measure=m.id),
        page_header("Neighborhood explorer", f"{get(period, 'label', '')}. Data as of {fmt_date(eng.as_of())}."),
        html.Div(controls, className="row filters g-2 mb-2"),
        html.P(f"Showing {', '.join(chosen_labels) if chosen_labels else 'the whole city'}"
               f"{' for ' + ', '.join(view.categories) if view.categories else ''}.", id=f"{P}-showing", className="fw-semibold"),
        _comparison_table(eng, [x for x in measures if x.goal == m.goal], view, period),
        html.Div([
            html.Div(maps.choropleth(P, values, f"{m.title} by {labels.get(view.layer, view.layer)}", summary), className="col-12 col-lg-6"),
            html.Div(_trend(eng, m, view, period, unit), className="col-12 col-lg-6"),
        ], className="row"),
    ])


@dash.callback(Output(PAGES_LOCATION, "search", allow_duplicate=True),
               Input(f"{P}-measure", "value"), Input(f"{P}-layer", "value"), Input(f"{P}-areas", "value"),
               Input(f"{P}-period", "value"), Input(f"{P}-start", "value"), Input(f"{P}-end", "value"),
               Input(f"{P}-cats", "value"), Input({"type": "map", "page": P}, "clickData"),
               State(f"{P}-view", "data"), prevent_initial_call=True)
def to_url(measure, layer, areas, period, start, end, cats, click, current):
    areas = list(areas or [])
    if ctx.triggered_id == {"type": "map", "page": P}:
        area = maps.clicked_area(click)
        if area is None:
            return no_update
        areas = [a for a in areas if a != area] if area in areas else areas + [area]
    current = current or {}
    if measure != current.get("measure"):
        layer, cats = None, []  # a new measure has its own layers and categories
    if layer != current.get("layer"):
        areas = []
    view = view_from_controls(period, start, end, layer=layer, areas=tuple(areas), categories=tuple(cats or ()), measure=measure)
    return new_search(view, current)
