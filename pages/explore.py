"""Explorer (`/explore`): any dataset, any category value in the warehouse, a kind (count, per 1,000
residents, share, median or 90th percentile duration), any loaded layer (police areas,
Neighborhood Map Atlas, community reporting areas, census tracts), areas side by side, a period
and a demographic filter. The result is a trend (one line per selected area), the areas ranked,
a demographic breakdown, a table with its CSV, and the catalog YAML that would make it a measure.

Every number comes from an ad-hoc measure built and validated like a catalog one
(engine.explore), so nothing here is a second way of counting. Every choice is in the URL.
Analysts and up (components/drilldown.py); internal app only.
"""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

import dash
import pandas as pd
from dash import Input, Output, State, dcc, html

from components import callback_guard, drilldown, maps, messages, timeviews, urlstate
from components.charts import chart, bar_figure, ranked_summary, series_traces, trend_figure, trend_summary
from components.engine_access import get_engine, settings
from components.formatting import fmt_value, is_missing
from components.pagekit import (
    PAGES_LOCATION, checklist, custom_dates_toggle, filters_for, guarded, labelled, layer_labels,
    page_header, period_controls, resolve_period, select, tab_title, view_from_controls, view_store,
)
from components.tables import count_columns, csv_of, grid
from components.tables import csv_name as table_csv_name
from engine import timemodel
from engine.explore import KINDS, ExploreError, Spec, proposal_yaml

dash.register_page(__name__, path="/explore", name="Explore", title=tab_title("Explorer"), order=4)
P = "ex"
custom_dates_toggle(P)
callback_guard.expect(f"{P}-csv-meta", "data", "any")  # checked by download() itself
TREND_WEEKS = 52
SIDE_BY_SIDE = 8   # areas drawn as separate lines; more are listed in the table only
ALL = "-"          # "no category filter" / "no demographic filter" in a select
TOP_AREAS = 20


def _one(query, name):
    v = query.get(name)
    if isinstance(v, (list, tuple)):
        v = v[-1] if v else None
    return None if v in (None, "", ALL) else str(v)


def parse(eng, query: dict):
    """(spec, view, problems) for the explorer's URL; every choice checked against the warehouse."""
    problems = []
    loaded = [d for d in eng.catalog.datasets if d in eng.inventory().query("rows > 0")["dataset"].tolist()]
    dataset = _one(query, "dataset") or ("crime" if "crime" in loaded else (loaded[0] if loaded else None))
    if dataset not in loaded:
        problems.append(f"dataset: {dataset!r} is not a loaded dataset ({', '.join(loaded) or 'none loaded'})")
        return None, None, problems
    opts = eng.explore_options(dataset)
    field, value = _one(query, "field"), _one(query, "match")
    if field is not None and field not in opts["fields"]:
        problems.append(f"field: {field!r} is not a category of {dataset} ({', '.join(opts['fields'])})")
        field = None
    if field is not None:
        values = eng.explore_values(dataset, field)
        if value is None:
            value = values[0] if values else None
        elif value not in values:
            problems.append(f"match: {value!r} is not a value of {dataset}.{field} in the loaded data")
    kind = _one(query, "kind") or "count"
    if kind not in opts["kinds"] or (kind == "share" and field is None):
        problems.append(f"kind: {kind!r} is not one of {', '.join(opts['kinds'])} for this choice"
                        + (" (a share needs a category value)" if kind == "share" else ""))
        kind = "count"
    view, more = urlstate.parse(query, layers=opts["layers"], areas_of=lambda layer: list(eng.areas(layer)["area_id"]),
                                groups=opts["demographic"], fields=opts["demographic"],
                                default_layer="nma" if "nma" in opts["layers"] else (opts["layers"] or [None])[0])
    problems += more
    if view.group_field and view.group_value is not None and view.group_value not in eng.group_values(dataset, view.group_field):
        problems.append(f"value: {view.group_value!r} is not a value of {view.group_field} in {dataset}")
    return Spec(dataset, field, value, kind, view.layer), view, problems


def search_of(spec: Spec, view: urlstate.View) -> str:
    base = urlstate.to_search(view.with_(layer=view.layer))
    pairs = [("dataset", spec.dataset)] + ([("field", spec.field)] if spec.field else [])
    pairs += [("match", spec.value)] if spec.field and spec.value is not None else []
    pairs += [("kind", spec.kind)] if spec.kind != "count" else []
    return "?" + urlencode(pairs) + ("&" + base[1:] if base else "")


def csv_name(spec: Spec, view: urlstate.View, period) -> str:
    """explore_<dataset>_<field>-<value>_<kind>_<layer>[-areas]_[group-value]_<start>_<end>.csv"""
    bits = [spec.dataset] + ([f"{spec.field}-{spec.value}"] if spec.field else []) + [spec.kind]
    bits.append(f"{view.layer}" + (f"-{'-'.join(view.areas)}" if view.areas else ""))
    if view.group_field and view.group_value is not None:
        bits.append(f"{view.group_field}-{view.group_value}")
    return table_csv_name("explore", *bits, period.start.isoformat(), period.end.isoformat())


@guarded
def layout(**query):
    refused = drilldown.forbidden_notice(P, drilldown.WHO_EXPLORE)
    if refused is not None:
        return refused
    eng = get_engine()
    spec, view, problems = parse(eng, query)
    if problems:
        return messages.no_such_filter(problems, "/explore")
    try:
        m, raw = eng.explore(spec)
    except ExploreError as exc:
        return messages.no_such_filter([str(exc)], "/explore")
    opts = eng.explore_options(spec.dataset)
    labels = layer_labels(eng)
    period = resolve_period(eng, view, m.id)
    f = filters_for(view)
    result = eng.measure(m.id, period, f)
    shown = result.period or period
    unit = m.unit
    group_words = (f", {view.group_field.replace('_', ' ')} {view.group_value}"
                   if view.group_field and view.group_value is not None else "")
    area_labels = dict(zip(*[eng.areas(view.layer)[c] for c in ("area_id", "label")])) if view.layer else {}
    where = (f" in {', '.join(area_labels.get(a, a) for a in view.areas)}" if view.areas else " citywide")

    # trend: the city, or one line per selected area (side by side, not summed)
    start = timemodel.bucket_start("week", shown.end - dt.timedelta(weeks=TREND_WEEKS), eng.city.meeting_anchor,
                                   eng.city.meeting_every_days)
    if view.areas:
        data = []
        colours = ["#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf8f00", "#2e75b6", "#a5a5a5", "#843c0c"]
        for i, a in enumerate(view.areas[:SIDE_BY_SIDE]):
            s = eng.series(m.id, "week", start, shown.end, filters_for(view.with_(areas=(a,))), flags=False)
            data += series_traces(s, area_labels.get(a, a), colours[i % len(colours)], unit, "week")
        fig = {"data": data, "layout": {"height": 320, "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
                                        "legend": {"orientation": "h"}, "yaxis": {"title": {"text": unit}}}}
        summary = (f"Weekly {unit} for {len(view.areas[:SIDE_BY_SIDE])} areas side by side"
                   + (f" (the first {SIDE_BY_SIDE} of {len(view.areas)}; all are in the table)" if len(view.areas) > SIDE_BY_SIDE else "")
                   + ". " + "; ".join(f"{area_labels.get(a, a)}: latest complete week "
                                      f"{fmt_value(_last_complete(eng.series(m.id, 'week', start, shown.end, filters_for(view.with_(areas=(a,))), flags=False)), unit)}"
                                      for a in view.areas[:SIDE_BY_SIDE]) + ".")
        trend = chart(f"{P}-trend", fig, f"Weekly trend, areas side by side{group_words}", summary)
    else:
        s = eng.series(m.id, "week", start, shown.end, f)
        trend = chart(f"{P}-trend", trend_figure(s, None, None, unit, "week"), f"Weekly trend{where}{group_words}",
                      trend_summary(s, None, None, unit, "week"))

    # areas ranked (all of the layer), and the table: the selected areas only when some are chosen
    bd = eng.breakdown(m.id, period, f"area:{view.layer}", filters_for(view, with_areas=False)) if view.layer else None
    ranked, area_map = html.Div(), maps.hidden(P)
    table_df = None
    if bd is not None and len(bd):
        known = bd[bd["key"] != "UNKNOWN"].sort_values("value", ascending=False, na_position="last")
        area_map = maps.choropleth(P, maps.map_values(view.layer, known["key"], known["value"], known["label"], view.areas,
                                                      unit, settings().map_style),
                                   f"{m.title} by {labels.get(view.layer, view.layer)}",
                                   ranked_summary(known["label"], known["value"], unit, "areas"))
        top = known.head(TOP_AREAS)
        ranked = chart(f"{P}-bar", bar_figure(top["label"], top["value"], unit=unit,
                                              highlight=[area_labels.get(a, a) for a in view.areas]),
                       f"Highest {len(top)} of {len(known)} {labels.get(view.layer, view.layer)}",
                       ranked_summary(top["label"], top["value"], unit, "areas"))
        table_df = known if not view.areas else known[known["key"].isin(view.areas)]
        unknown = bd[bd["key"] == "UNKNOWN"]
        if len(unknown) and not view.areas:  # counted, never ranked: events the map cannot place
            table_df = pd.concat([table_df, unknown.assign(label="No known area")], ignore_index=True)
    breakdown = html.Div()
    by = view.by or (opts["demographic"][0] if opts["demographic"] else None)
    if by:
        g = eng.breakdown(m.id, period, by, filters_for(view)).sort_values("value", ascending=False, na_position="last")
        breakdown = chart(f"{P}-groups", bar_figure(g["label"], g["value"], g.get("ci_low"), g.get("ci_high"), unit=unit),
                          f"By {by.replace('_', ' ')}", ranked_summary(g["label"], g["value"], unit, "groups")
                          + " Whiskers show 95% intervals.")
    columns = [("label", "Area"), ("key", "Area id"), ("value", f"Value ({unit})"), *count_columns(m)]
    field_values = eng.explore_values(spec.dataset, spec.field) if spec.field else []
    group_values = eng.group_values(spec.dataset, view.group_field) if view.group_field else []
    controls = [
        html.Div(labelled("Dataset", select(f"{P}-dataset", [{"label": d.title, "value": d.id} for d in eng.catalog.datasets.values()
                                                             if d.id in eng.inventory().query("rows > 0")["dataset"].tolist()],
                                            spec.dataset), f"{P}-dataset"), className="col-12 col-md-3"),
        html.Div(labelled("Category field", select(f"{P}-field", [{"label": "(every event)", "value": ALL}] +
                                                   [{"label": x.replace("_", " "), "value": x} for x in opts["fields"]],
                                                   spec.field or ALL), f"{P}-field"), className="col-12 col-md-3"),
        html.Div(labelled("Value", select(f"{P}-match", [{"label": v, "value": v} for v in field_values] or
                                          [{"label": "(every event)", "value": ALL}], spec.value or ALL), f"{P}-match"),
                 className="col-12 col-md-3"),
        html.Div(labelled("Kind", select(f"{P}-kind", [{"label": KINDS[k], "value": k} for k in opts["kinds"]], spec.kind),
                          f"{P}-kind"), className="col-12 col-md-3"),
        html.Div(labelled("Layer", select(f"{P}-layer", [{"label": labels.get(x, x), "value": x} for x in opts["layers"]],
                                          view.layer), f"{P}-layer",
                          help_text=(f"Not offered: {', '.join(labels.get(x, x) for x in opts['unplaced'])} (none of "
                                     "these events could be placed in them: the source publishes no coordinates)"
                                     if opts["unplaced"] else None)), className="col-12 col-md-3", id=f"{P}-layer-box"),
        html.Div(labelled("Demographic filter", select(f"{P}-group", [{"label": "(everyone)", "value": ALL}] +
                                                       [{"label": x.replace("_", " "), "value": x} for x in opts["demographic"]],
                                                       view.group_field or ALL), f"{P}-group"), className="col-12 col-md-3"),
        html.Div(labelled("Group", select(f"{P}-gvalue", [{"label": "(all)", "value": ALL}] +
                                          [{"label": v, "value": v} for v in group_values], view.group_value or ALL),
                          f"{P}-gvalue"), className="col-12 col-md-3", hidden=not view.group_field),
        *period_controls(P, view),
        html.Div(checklist(f"{P}-areas", "Areas (side by side)", [{"label": area_labels.get(a, a), "value": a}
                                                                 for a in area_labels], view.areas),
                 className="col-12 col-md-6"),
    ]
    value_text = fmt_value(result.value, unit) if result.state != "not_covered" else "Not covered"
    return html.Div([
        view_store(P, view, search=search_of(spec, view)),
        page_header("Explorer", "Any category, any geography, any group: computed like the catalog's measures.", id=f"{P}-title"),
        html.Div(controls, className="row filters g-2 mb-2"),
        html.H2(m.title, className="h5", id=f"{P}-what"),
        html.Div([html.Span(value_text, className="display-6 me-2", id=f"{P}-value"),
                  html.Span(f"{unit}{where}{group_words}, {shown.label}. "),
                  html.Span(result.note or "", className="small text-body-secondary")], className="mb-2", id=f"{P}-headline"),
        trend,
        *_time_views(eng, m, view, period, shown, unit, where, group_words, area_labels, labels),
        html.Div([html.Div(ranked, className="col-12 col-lg-6"), html.Div(breakdown, className="col-12 col-lg-6")],
                 className="row"),
        area_map,
        grid(P, table_df if table_df is not None else _empty(), columns,
             "Selected areas" if view.areas else f"Every area of {labels.get(view.layer, view.layer)}"),
        dcc.Store(id=f"{P}-csv-meta", data={"filename": csv_name(spec, view, shown), "header": [
            f"explored: {m.title}", f"definition: {m.definition}", f"kind: {m.computation.kind}; unit: {unit}",
            f"period: {shown.start} to {shown.end} ({shown.label})", f"filters:{where}{group_words}",
            f"data as of: {eng.coverage(m.id).last_complete} (latest complete day of its data)",
            "suppression: none (internal explorer; not published)",
            "areas: events no area could be given are the row 'No known area' (not ranked)"]}),
        html.Details([html.Summary("Propose as a catalog measure", className="fw-semibold"),
                      html.P("Paste this into a file in catalog/, then choose its goal, id, direction and target.",
                             className="small"),
                      html.Pre(proposal_yaml(raw), id=f"{P}-yaml", className="bg-white border rounded p-2 small")],
                     className="mb-3", id=f"{P}-propose"),
    ])


def _time_views(eng, m, view, period, shown, unit, where, group_words, area_labels, labels) -> list:
    """Every loaded month (one line per selected area, side by side as the trend); for counts, the
    day-by-hour heat map of the events in view and the CompStat grid of the layer (the selected
    areas only, when some are chosen), ending on the period's last day with data."""
    if view.areas:
        colours = ["#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf8f00", "#2e75b6", "#a5a5a5", "#843c0c"]
        hist = [(area_labels.get(a, a), eng.history(m.id, filters_for(view.with_(areas=(a,)))))
                for a in view.areas[:SIDE_BY_SIDE]]
        data = [t for i, (name, h) in enumerate(hist) for t in series_traces(h, name, colours[i % len(colours)], unit, "month")]
        fig = {"data": data, "layout": {"height": 320, "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
                                        "legend": {"orientation": "h"}, "yaxis": {"title": {"text": unit}}}}
        first = hist[0][1]
        span = (f"from {first['period_start'].iloc[0]:%b %Y} to {first['period_start'].iloc[-1]:%b %Y} "
                if len(first) else "")
        words = (f"Monthly {unit} {span}for {len(hist)} areas side by side, every loaded month. "
                 + " ".join(f"{name}: {trend_summary(h, None, None, unit, 'month')}" for name, h in hist))
        parts = [html.Div(chart(f"{P}-history", fig, f"Monthly history, every loaded year, areas side by side{group_words}",
                                words), id=f"{P}-history-box")]
    else:
        parts = [timeviews.history_section(P, eng.history(m.id, filters_for(view)), unit, where + group_words)]
    if m.computation.kind == "count":
        parts.append(timeviews.heatmap_section(P, eng.week_hour(m.id, period, filters_for(view)), unit, where + group_words))
        if view.layer:
            periods, grid_df = eng.compstat(m.id, view.layer, filters_for(view, with_areas=False), end=shown.end)
            if view.areas:
                grid_df = grid_df[grid_df["key"].isin(("all", *view.areas))]
            parts.append(timeviews.compstat_section(P, periods, grid_df, unit, labels.get(view.layer, view.layer)))
    return parts


def _last_complete(s):
    vals = [v for v, p, d in zip(s["value"], s["partial"], s["days"]) if not p and d and not is_missing(v)]
    return vals[-1] if vals else None


def _empty():
    return pd.DataFrame(columns=["key", "label", "value", "numerator", "denominator"])


@dash.callback(Output(PAGES_LOCATION, "search", allow_duplicate=True),
               Input(f"{P}-dataset", "value"), Input(f"{P}-field", "value"), Input(f"{P}-match", "value"),
               Input(f"{P}-kind", "value"), Input(f"{P}-layer", "value"), Input(f"{P}-group", "value"),
               Input(f"{P}-gvalue", "value"), Input(f"{P}-period", "value"), Input(f"{P}-start", "value"),
               Input(f"{P}-end", "value"), Input(f"{P}-areas", "value"),
               State(f"{P}-view", "data"), prevent_initial_call=True)
def to_url(dataset, field, match, kind, layer, group, gvalue, period, start, end, areas, current):
    """Controls -> URL. A new dataset starts over; a new field takes its first value; a new layer
    clears the areas."""
    current = current or {}
    cur = dict(pair.split("=", 1) for pair in (current.get("search") or "?").lstrip("?").split("&") if "=" in pair)
    from urllib.parse import unquote_plus
    cur = {k: unquote_plus(v) for k, v in cur.items()}
    if dataset != cur.get("dataset"):
        field, match, group, gvalue, areas, layer, kind = ALL, ALL, ALL, ALL, [], None, "count"
    elif field != (cur.get("field") or ALL):
        match = ALL
    if layer != current.get("layer"):
        areas = []
    if group != (cur.get("group") or ALL):
        gvalue = ALL
    view = view_from_controls(period, start, end, layer=layer, areas=tuple(areas or ()),
                              group_field=None if group in (None, ALL) else group,
                              group_value=None if gvalue in (None, ALL) or group in (None, ALL) else gvalue)
    if view is None:
        return dash.no_update
    spec = Spec(dataset, None if field in (None, ALL) else field, None if match in (None, ALL) else match, kind or "count", layer)
    search = search_of(spec, view)
    return dash.no_update if search == current.get("search") else search


@dash.callback(Output(f"{P}-csv", "data"), Input(f"{P}-csv-btn", "n_clicks"),
               State(f"{P}-grid", "virtualRowData"), State(f"{P}-grid", "columnDefs"), State(f"{P}-csv-meta", "data"),
               prevent_initial_call=True)
def download(_n, rows, column_defs, meta):
    meta = meta if isinstance(meta, dict) else {}
    header = meta.get("header")
    return csv_of(rows, column_defs, str(meta.get("filename") or "explore.csv"),
                  [str(x) for x in header] if isinstance(header, list) else None)
