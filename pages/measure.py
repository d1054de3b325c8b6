"""Measure page (`/measures/<measure_id>`): trend against target and last year with flagged points
explained; map and ranked bar by area (click an area to filter); demographic breakdown with
disparity ratios where the catalog allows; definition, source and history; a table and its CSV."""
from __future__ import annotations

import datetime as dt

import dash
import pandas as pd
from dash import Input, Output, State, ctx, dcc, html, no_update

import auth
from components import callback_guard, drilldown, maps, messages, timeviews, urlstate
from components.cards import freshness_text, target_text
from components.charts import bar_figure, chart, ranked_summary, trend_figure, trend_summary
from components.engine_access import get_engine, settings
from components.fields import get
from components.store_access import get_annotations
from components.formatting import fmt_change, fmt_date, fmt_value, is_missing
from components.pagekit import (
    catalog_title, custom_dates_toggle,
    PAGES_LOCATION, checklist, filters_for, guarded, labelled, layer_labels, new_search,
    page_header, period_controls, resolve_period, scroll_table, select, view_from_controls,
    view_store,
)
from components.status import status_badge
from components.tables import count_columns, csv_name, csv_of, grid
from engine import records, timemodel

dash.register_page(__name__, path_template="/measures/<measure_id>", name="Measure", title=catalog_title("measure"), order=2)
P = "ms"
custom_dates_toggle(P)
TREND_WEEKS = 52
YEAR = dt.timedelta(days=364)  # 52 weeks: last year's weeks start on the same weekday
TOP_AREAS = 20
NO_AREA = "No known area"
callback_guard.expect(f"{P}-csv-meta", "data", "any")  # checked by download() itself


def grain_of(m) -> str:
    """Weekly points, except for ratios between groups and percentiles: too noisy (and too costly) weekly."""
    return "month" if m.computation.kind in ("disparity", "percentile") else "week"


def _trend(eng, m, period, f):
    """This period's series (points tested against the weeks before them) and last year's, shifted
    52 weeks to lie under it: drawn for comparison only, so its points are not tested."""
    grain = grain_of(m)
    # from the first day of a bucket, so the chart's first bucket is a whole one where the data reach
    start = timemodel.bucket_start(grain, min(period.start, period.end - dt.timedelta(weeks=TREND_WEEKS)),
                                   eng.city.meeting_anchor, eng.city.meeting_every_days)
    df = eng.series(m.id, grain, start, period.end, f)
    # weeks before the data begin hold no day of data: not drawn (a January file is not a year of blanks)
    first = next((d for d, n in zip(df["period_start"], df["days"]) if n > 0), None)
    if first is not None and first > start:
        start = first
        df = df[df["period_start"] >= first].reset_index(drop=True)
    prior = eng.series(m.id, grain, start - YEAR, period.end - YEAR, f, flags=False).copy(deep=False)
    # plain datetimes (what pd.to_datetime + Timedelta gave, without its per-call cost on a small frame)
    prior["aligned_start"] = pd.Series([dt.datetime.combine(d, dt.time()) + YEAR for d in prior["period_start"]],
                                       index=prior.index, dtype=object)
    return df, prior


def _flag_notes(df, unit, grain) -> html.Div:
    if "flagged" not in df.columns:
        return html.Div()
    # plain lists, not a boolean mask and a Series per row: on frames this small pandas' per-call
    # overhead is most of this function's cost
    flagged = [i for i, x in enumerate(df["flagged"].tolist()) if not is_missing(x) and bool(x)]
    if not flagged:
        return html.P(f"No {grain} in this chart changed beyond what noise explains.", className="small", id=f"{P}-flags")
    items = []
    columns = {c: df[c].tolist() for c in df.columns}
    for r in ({c: v[i] for c, v in columns.items()} for i in flagged):
        base = (f"the {r['baseline_n']} complete {grain}s from {fmt_date(r['baseline_start'])} to "
                f"{fmt_date(r['period_start'] - dt.timedelta(days=1))}" if not is_missing(r.get("baseline_start"))
                else f"the previous {grain}s")
        why = r.get("explanation") if "explanation" in r and isinstance(r.get("explanation"), str) else (
            f"p = {r['p_value']:.3g}: differs from {base} more than chance explains" if not is_missing(r.get("p_value")) else "outside control limits")
        items.append(html.Li(f"{grain.capitalize()} of {fmt_date(r['period_start'])}: {fmt_value(r['value'], unit)}. {why}"))
    return html.Div([html.H3(f"Flagged {grain}s", className="h6"), html.Ul(items, className="small")], id=f"{P}-flags")


def _events(eng, m, df, period):
    """The annotations dated within the chart's span (this measure's and citywide ones), and a
    one-line reason when the store cannot be read: the chart is still worth drawing without them,
    but the page says so rather than showing a span with no events as if none were noted."""
    from store import StoreError

    if not len(df):
        return [], ""
    first = df["period_start"].iloc[0]
    first = first.date() if isinstance(first, dt.datetime) else first
    try:
        return get_annotations(eng).between(first, period.end, m.id), ""
    except StoreError as exc:
        return [], f"Events noted on this measure cannot be shown: {exc}"


def _area_section(eng, m, view, period, unit, labels):
    layer = view.layer
    bd = eng.breakdown(m.id, period, f"area:{layer}", filters_for(view, with_areas=False))
    bd = bd.sort_values("value", ascending=False, na_position="last").reset_index(drop=True)
    # events no area could be given (no coordinates, no code): counted, listed last as "No known
    # area", never ranked, mapped or called highest
    unknown = bd[bd["key"] == "UNKNOWN"].assign(label=NO_AREA)
    bd = bd[bd["key"] != "UNKNOWN"].reset_index(drop=True)
    labels_by_id = dict(zip(bd["key"], bd["label"]))
    selected_labels = [labels_by_id.get(a, a) for a in view.areas]
    values = maps.map_values(layer, bd["key"], bd["value"], bd["label"], view.areas, unit, settings().map_style)
    map_summary = ranked_summary(bd["label"], bd["value"], unit, "areas") + (
        f" Selected: {', '.join(selected_labels)}." if selected_labels else " Click an area (or pick it in Areas) to filter the page.")
    top = bd.head(TOP_AREAS)
    table = pd.concat([bd, unknown], ignore_index=True) if len(unknown) else bd
    return table, html.Div([
        html.Div(maps.choropleth(P, values, f"{m.title} by {labels.get(layer, layer)}", map_summary), className="col-12 col-lg-7"),
        html.Div(chart(f"{P}-bar", bar_figure(top["label"], top["value"], unit=unit, highlight=selected_labels),
                       f"Highest {min(TOP_AREAS, len(bd))} areas", ranked_summary(top["label"], top["value"], unit, "areas")),
                 className="col-12 col-lg-5"),
    ], className="row")


# The group a disparity ratio compares with, when the catalog names none for a field.
REFERENCE = {"subject_race": "White", "officer_race": "White", "subject_gender": "Male", "officer_gender": "Male"}


def _group_section(eng, m, view, period, unit):
    """Breakdown by a demographic field (bar with intervals) and disparity ratios against a reference."""
    comp = m.computation
    by = comp.field if comp.kind == "disparity" and not view.by else view.by
    parts = []
    if comp.kind != "disparity":  # a disparity measure is itself a ratio between groups: its table says it all
        bd = eng.breakdown(m.id, period, by, filters_for(view))
        bd = bd.sort_values("value", ascending=False, na_position="last").reset_index(drop=True)
        parts.append(chart(f"{P}-groups", bar_figure(bd["label"], bd["value"], bd.get("ci_low"), bd.get("ci_high"), unit=unit),
                           f"{m.title} by {by.replace('_', ' ')}",
                           ranked_summary(bd["label"], bd["value"], unit, "groups") + " Whiskers show 95% intervals."))
    reference = comp.reference if comp.kind == "disparity" and by == comp.field else REFERENCE.get(by)
    if reference is None or comp.kind not in ("count", "rate", "share", "disparity"):
        return html.Div(parts)
    disp = eng.disparity(m.id, period, by, reference, filters_for(view))
    basis = "per contact" if comp.kind == "share" or comp.basis == "contacts" else "per 1,000 residents"
    rows = [html.Tr([html.Th(r["group"], scope="row"), html.Td(fmt_value(r["numerator"])), html.Td(fmt_value(r["rate"])),
                     html.Td("reference" if r["group"] == reference else fmt_value(r["ratio"])),
                     html.Td("" if r["group"] == reference or is_missing(r["ci_low"]) else
                             f"{fmt_value(r['ci_low'])} to {fmt_value(r['ci_high'])}")])
            for r in disp.to_dict("records")]
    parts.append(scroll_table(html.Table([
        html.Caption(f"Rates by {by.replace('_', ' ')} ({basis}) and disparity ratios against {reference}, with 95% intervals"),
        html.Thead(html.Tr([html.Th(h, scope="col") for h in ("Group", "Count", "Rate", "Ratio to " + reference, "95% interval")])),
        html.Tbody(rows)], className="table table-sm bg-white", id=f"{P}-disparity"), "Disparity ratios"))
    return html.Div([html.H2("For whom", className="h5"), *parts])


def _about(eng, m, result) -> html.Div:
    datasets = [eng.catalog.datasets.get(d) for d in m.datasets]
    sources = [f"{get(d, 'title', '')}" + (f" (portal id {get(d, 'portal_id')})" if get(d, "portal_id") else "")
               for d in datasets if d is not None]
    history = [html.Li(f"{fmt_date(d)}: {change}") for d, change in m.history] or [html.Li("No changes since it was first defined.")]
    return html.Div([
        html.H2("About this measure", className="h5"),
        html.Dl([
            html.Dt("Definition"), html.Dd(m.definition),
            html.Dt("Methodology"), html.Dd(m.methodology or "Not written yet."),
            html.Dt("Data source"), html.Dd("; ".join(sources) or ", ".join(m.datasets)),
            html.Dt("Latest complete day of its data"), html.Dd(fmt_date(eng.coverage(m.id).last_complete), id=f"{P}-asof"),
            html.Dt("Expected cadence"), html.Dd(m.cadence),
            html.Dt("Freshness"), html.Dd(freshness_text(get(result, "freshness"))),
            html.Dt("Target"), html.Dd(target_text(m.target, m.unit) + (f" {m.target.rationale}" if m.target and m.target.rationale else "")),
            html.Dt("History of definition and target changes"), html.Dd(html.Ul(history, className="mb-0")),
        ], className="about"),
    ], className="bg-white border rounded p-3 mb-3")


def _control(label, control, id, col, shown) -> html.Div:
    return html.Div(labelled(label, control, id), className=col, hidden=not shown)


@guarded
def layout(measure_id=None, **query):
    eng = get_engine()
    m = eng.catalog.measures.get(measure_id)
    if m is None:
        return messages.not_found("measure", measure_id)
    layers = list(m.layers)
    view, problems = urlstate.parse(query, layers=layers, default_layer=layers[0] if layers else None,
                                    areas_of=lambda layer: list(eng.areas(layer)["area_id"]),
                                    categories=eng.categories(m.id), fields=list(m.fields), groups=list(m.fields))
    problems += _group_problems(eng, m, view)
    if problems:
        return messages.no_such_filter(problems, f"/measures/{measure_id}")
    if m.fields and view.by is None:
        view = view.with_(by=m.computation.field if m.computation.field in m.fields else m.fields[0])
    period = resolve_period(eng, view, m.id)
    f = filters_for(view)
    result = eng.measure(m.id, period, f)
    unit = get(result, "unit") or m.unit
    if result.state == "not_covered":
        return _not_covered(eng, m, view, period, result, layers, labels=layer_labels(eng))
    df, prior = _trend(eng, m, period, f)
    target = get(result, "target")
    # the badge's target at the chart's grain (engine.timemodel): the same rule as the badge
    line = timemodel.target_line(m.computation.kind, target, get(result, "period") or period, df["period_start"],
                                 df["period_end"], df["days"], m.target is not None and m.target.value is None)
    shown = get(result, "period") or period  # the days with data, when the period runs past them
    events, events_problem = _events(eng, m, df, period)
    where = (f" in {', '.join(view.areas)}" if view.areas else " citywide") + group_words(view)
    cats = f", {', '.join(view.categories)}" if view.categories else ""

    labels = layer_labels(eng)
    area_df, area_block = (_area_section(eng, m, view, period, unit, labels) if view.layer else (None, html.Div()))
    table_df = area_df if area_df is not None else df
    columns = ([("label", "Area"), ("key", "Area id"), ("value", f"Value ({unit})"), *count_columns(m)]
               if area_df is not None else
               [("period_start", f"{grain_of(m).capitalize()} of"), ("value", f"Value ({unit})"), *count_columns(m),
                ("days", "Days with data"), ("grain_days", f"Days in the {grain_of(m)}"),
                ("partial", "Partial"), ("flagged", "Flagged")])
    columns = [(c, h) for c, h in columns if c in table_df.columns]

    # Every control is always in the layout (hidden when the measure does not allow it), so the
    # URL callback's inputs always exist.
    area_opts = eng.areas(view.layer).to_dict("records") if view.layer else []
    cat_options = eng.categories(m.id)
    controls = period_controls(P, view) + [
        _control("Map layer", select(f"{P}-layer", [{"label": labels.get(x, x), "value": x} for x in layers], view.layer),
                 f"{P}-layer", "col-12 col-md-2", bool(layers)),
        _control("Breakdown by", select(f"{P}-by", [{"label": x.replace("_", " "), "value": x} for x in m.fields], view.by),
                 f"{P}-by", "col-12 col-md-2", bool(m.fields)),
        html.Div(checklist(f"{P}-areas", "Areas", [{"label": r["label"], "value": r["area_id"]} for r in area_opts], view.areas),
                 className="col-12 col-md-6", hidden=not layers),
        html.Div(checklist(f"{P}-cats", "Categories", cat_options, view.categories),
                 className="col-12 col-md-6", hidden=not cat_options),
    ]
    if not view.layer:
        area_block = maps.hidden(P)

    return html.Div([
        view_store(P, view, group=view.group_field, gvalue=view.group_value),
        html.Div([page_header(m.title, m.definition, id=f"{P}-title"), status_badge(get(result, "status"), id=f"{P}-status")],
                 className="d-flex flex-wrap justify-content-between align-items-start gap-2"),
        html.Div([
            html.Span(fmt_value(get(result, "value"), unit), className="display-6 me-2", id=f"{P}-value"),
            html.Span(f"{unit}{where}{cats}, {get(shown, 'label', '')}. "),
            html.Span(f"Prior period: {fmt_value(get(result, 'prior'), unit)} ({fmt_change(get(result, 'change'), get(result, 'change_pct'))}). "),
            html.Span(f"Same period last year: {fmt_value(get(result, 'prior_year'), unit)}. "),
            html.Span(target_text(m.target, unit) if target is None else f"Target: {fmt_value(target, unit)}."),
        ], className="mb-2", id=f"{P}-headline"),
        _records_link(m, view, result),
        *( [html.P([html.Strong("Flagged: "), get(get(result, 'flag'), 'explanation', '')], id=f"{P}-flag-note")]
           if get(get(result, "flag"), "flagged") else []),
        html.Div(controls, className="row filters g-2 mb-2"),
        chart(f"{P}-trend", trend_figure(df, prior, line, unit, grain_of(m), events),
              f"{grain_of(m).capitalize()}ly trend{where}", trend_summary(df, prior, line, unit, grain_of(m), events)),
        *([html.P(events_problem, className="small text-body-secondary", id=f"{P}-events-problem")] if events_problem else []),
        _flag_notes(df, unit, grain_of(m)),
        *_time_views(eng, m, view, period, shown, f, unit, where, labels),
        area_block,
        _group_section(eng, m, view, period, unit) if view.by else html.Div(),
        grid(P, table_df, columns, "Areas shown above" if area_df is not None else f"{grain_of(m).capitalize()}s shown above"),
        dcc.Store(id=f"{P}-csv-meta", data=_csv_meta(eng, m, view, shown, where, area_df is not None)),
        _about(eng, m, result),
    ])


def _time_views(eng, m, view, period, shown, f, unit, where, labels) -> list:
    """Every loaded month; for a count, when in the week its events happen and the CompStat grid
    by the page's layer, ending on the period's last day with data (components/timeviews.py)."""
    parts = [timeviews.history_section(P, eng.history(m.id, f), unit, where)]
    if m.computation.kind == "count":
        parts.append(timeviews.heatmap_section(P, eng.week_hour(m.id, period, f), unit, where))
        if view.layer:
            parts.append(timeviews.compstat_section(
                P, *eng.compstat(m.id, view.layer, filters_for(view, with_areas=False), end=shown.end), unit,
                labels.get(view.layer, view.layer)))
    return parts


def _csv_meta(eng, m, view, shown, where, by_area) -> dict:
    """The CSV's name and header block: which measure, period and filters, as of when, what the
    columns hold and how small numbers are treated, so a file read later says what it is."""
    start, end = get(shown, "start"), get(shown, "end")
    filters = [f"{view.layer}-{'-'.join(view.areas)}" if view.areas else "",
               "-".join(view.categories), f"{view.group_field}-{view.group_value}" if view.group_field else ""]
    name = csv_name("measure", m.id, start, end, *filters, "by-area" if by_area else f"by-{grain_of(m)}")
    pub = (f"the public site hides counts below {m.small_number_threshold} (and any that would reveal one)"
           if m.visibility == "public" else "this measure is internal; it is not published")
    return {"filename": name, "header": [
        f"measure: {m.id} ({m.title})", f"definition: {m.definition}",
        f"kind: {m.computation.kind}; unit: {m.unit}",
        f"period: {start} to {end} ({get(shown, 'label', '')})",
        f"filters:{where}" + (f"; categories {', '.join(view.categories)}" if view.categories else ""),
        f"data as of: {eng.coverage(m.id).last_complete} (latest complete day of its data)",
        f"suppression: none in this internal file; {pub}",
        "areas: events no area could be given are the row 'No known area' (not ranked)" if by_area else
        "rows: one per time bucket; a partial bucket has fewer days with data than the bucket"]}


def group_words(view) -> str:
    """', for subject race Black' when the view is filtered to one demographic group."""
    if view.group_field and view.group_value is not None:
        return f", for {view.group_field.replace('_', ' ')} {view.group_value}"
    return ""


def _group_problems(eng, m, view) -> list[str]:
    """A demographic filter (?group=subject_race&value=Black) must name a value the data hold:
    an unknown one would read as a true zero."""
    if not view.group_field:
        return []
    if m.computation.kind == "disparity":
        return [f"group: {m.title} compares groups with each other; it cannot be filtered to one group"]
    if view.group_value is None:
        return [f"value: the group filter {view.group_field} needs a value (e.g. &value=...)"]
    known = eng.group_values(m.computation.part.dataset, view.group_field)
    return [] if view.group_value in known else [
        f"value: {view.group_value!r} is not a value of {view.group_field} (values: {', '.join(known)})"]


def _records_link(m, view, result):
    """From the number to the events it counted (analysts and up; components/drilldown.py). The
    link says how many there are, so the list it opens can be checked against it."""
    if not records.listable(m) or not auth.allowed(drilldown.RIGHT) or is_missing(get(result, "value")):
        return html.Div(id=f"{P}-records")
    kind = m.computation.kind
    links = []
    if kind == "share":
        links.append(dcc.Link(f"List the {fmt_value(result.numerator)} events meeting the condition",
                              href=drilldown.records_href(m.id, view, met=True), id=f"{P}-records-met", className="me-3"))
        n = result.denominator
    else:
        n = result.n if kind == "percentile" else result.numerator
    links.append(dcc.Link(f"List the {fmt_value(n)} events behind this number", href=drilldown.records_href(m.id, view),
                          id=f"{P}-records-link"))
    return html.P(links, className="small mb-2", id=f"{P}-records")


def _not_covered(eng, m, view, period, result, layers, labels) -> html.Div:
    """The page of a measure the loaded files cannot answer: why, in words, where the number,
    chart, map and table would be (all of them would show zeros that are not true)."""
    return html.Div([
        view_store(P, view, group=view.group_field, gvalue=view.group_value),
        html.Div([page_header(m.title, m.definition, id=f"{P}-title"), status_badge("not_covered", id=f"{P}-status")],
                 className="d-flex flex-wrap justify-content-between align-items-start gap-2"),
        html.Div([html.Span("Not covered", className="display-6 me-2", id=f"{P}-value"),
                  html.Span(f"{get(period, 'label', '')}. ")], className="mb-2", id=f"{P}-headline"),
        html.Div([html.Strong("Not covered by the loaded data. "),
                  f"The loaded files cannot answer this measure: {result.coverage}. "
                  "A number here would be false (not zero, not a citywide figure); load a complete "
                  "export of the dataset to see it."],
                 className="alert alert-secondary", role="note", id=f"{P}-not-covered"),
        html.Div(period_controls(P, view) + [
            html.Div(select(f"{P}-layer", [{"label": labels.get(x, x), "value": x} for x in layers], view.layer), hidden=True),
            html.Div(select(f"{P}-by", [{"label": x, "value": x} for x in m.fields], view.by), hidden=True),
            html.Div(checklist(f"{P}-areas", "Areas", [], view.areas), hidden=True),
            html.Div(checklist(f"{P}-cats", "Categories", [], view.categories), hidden=True),
        ], className="row filters g-2 mb-2"),
        maps.hidden(P),
        _about(eng, m, result),
    ])


@dash.callback(Output(PAGES_LOCATION, "search", allow_duplicate=True),
               Input(f"{P}-period", "value"), Input(f"{P}-start", "value"), Input(f"{P}-end", "value"),
               Input(f"{P}-layer", "value"),
               Input(f"{P}-areas", "value"), Input(f"{P}-cats", "value"), Input(f"{P}-by", "value"),
               Input({"type": "map", "page": P}, "clickData"),
               State(f"{P}-view", "data"), prevent_initial_call=True)
def to_url(period, start, end, layer, areas, cats, by, click, current):
    areas = list(areas or [])
    if ctx.triggered_id == {"type": "map", "page": P}:
        area = maps.clicked_area(click)
        if area is None:
            return no_update
        areas = [a for a in areas if a != area] if area in areas else areas + [area]
    if current and layer != current.get("layer"):
        areas = []
    # the demographic filter comes from the URL (no control changes it): kept as the page had it
    view = view_from_controls(period, start, end, layer=layer, areas=tuple(areas), categories=tuple(cats or ()), by=by,
                              group_field=(current or {}).get("group"), group_value=(current or {}).get("gvalue"))
    return new_search(view, current)


@dash.callback(Output(f"{P}-csv", "data"), Input(f"{P}-csv-btn", "n_clicks"),
               State(f"{P}-grid", "virtualRowData"), State(f"{P}-grid", "columnDefs"), State(f"{P}-csv-meta", "data"),
               prevent_initial_call=True)
def download(_n, rows, column_defs, meta):
    """The table as CSV, named for its measure, period and filters, with a header block saying so."""
    meta = meta if isinstance(meta, dict) else {}
    header = meta.get("header")
    header = [str(x) for x in header] if isinstance(header, list) else None
    return csv_of(rows, column_defs, str(meta.get("filename") or "measure.csv"), header)
