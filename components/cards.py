"""A measure as a card: latest value, target, status (icon + words), sparkline, changes, freshness."""
from __future__ import annotations

from dash import dcc, html

from components.charts import sparkline_summary, sparkline_svg
from components.fields import get
from components.formatting import fmt_change, fmt_date, fmt_unit, fmt_value
from components.status import status_badge
from packet.svg import data_uri


def freshness_text(freshness) -> str:
    """The engine's freshness (text, or an object with as_of / cadence / fresh) in one line."""
    if freshness is None:
        return "Freshness unknown"
    if isinstance(freshness, str):
        return freshness
    as_of = get(freshness, "as_of") or get(freshness, "newest")
    cadence = get(freshness, "cadence")
    fresh = get(freshness, "fresh")
    parts = []
    if as_of is not None:
        parts.append(f"Data to {fmt_date(as_of)}")
    if cadence:
        parts.append(f"expected {cadence}")
    if fresh is not None:
        parts.append("up to date" if fresh else "overdue")
    return ", ".join(parts) or str(freshness)


def target_text(target, unit) -> str:
    """The catalog's target in words: a value, or a % change against a baseline."""
    if target is None:
        return "No target set."
    if get(target, "value") is None and get(target, "change_pct") is not None:
        base = get(target, "baseline")
        base = "the same period last year" if base == "prior_year" else (
            f"{fmt_date(base[0])} to {fmt_date(base[1])}" if isinstance(base, tuple) else str(base))
        text = f"Target: {get(target, 'change_pct'):+g}% against {base}."
    else:
        text = f"Target: {fmt_value(get(target, 'value'), unit)}."
    if get(target, "placeholder"):
        text += " (placeholder target, not yet adopted)"
    return text


def value_words(result, unit) -> str:
    """The headline number, or which of the states without one it is: 'not covered by the loaded
    data' and 'no data for this period' must never read as 0 or as each other."""
    state = get(result, "state")
    if state == "not_covered":
        return "Not covered"
    if state == "no_data" or get(result, "value") is None:
        return "No data for this period"
    return fmt_value(get(result, "value"), unit)


def events_line(page: str, mid: str, events) -> list:
    """The events noted (annotations) within a card's sparkline span, in words: a sparkline is too
    small to mark them, and a reader of the card should still learn why its line moved."""
    if not events:
        return []
    words = "; ".join(f"{fmt_date(a.day)}: {a.text}" + ("" if a.measure_id else " (citywide)") for a in events)
    return [html.P([html.Strong("Events noted: "), words], className="small mb-1", id=f"{page}-events-{mid}")]


def measure_card(page: str, measure, result, spark_df=None, events=()) -> html.Div:
    """`events`: the store.Annotation objects dated within the sparkline's span (oldest first)."""
    mid = get(measure, "id")
    unit = get(result, "unit") or get(measure, "unit") or ""
    target = get(result, "target")
    flag = get(result, "flag")
    if get(result, "state") == "not_covered":
        return html.Div(html.Div([
            html.Div([html.H2(dcc.Link(get(measure, "title", mid), href=f"/measures/{mid}"), className="h6 mb-1"),
                      status_badge("not_covered")], className="d-flex justify-content-between align-items-start gap-2"),
            html.P(html.Span(value_words(result, unit), className="fw-semibold", id=f"{page}-value-{mid}"), className="mb-1"),
            html.P(get(result, "note"), className="small mb-1", id=f"{page}-why-{mid}"),
            html.P(freshness_text(get(result, "freshness")), className="small text-body-secondary mb-0"),
        ], className="card-body"), className="card measure-card h-100", id=f"{page}-card-{mid}")
    spark = []
    if spark_df is not None and len(spark_df) and spark_df["value"].notna().any():  # no line: no empty box
        # decorative picture (alt=""): the words a screen reader reads are in the paragraph after it
        spark = [html.Img(src=data_uri(sparkline_svg(spark_df)), alt="", className="sparkline d-block w-100",
                          style={"height": "60px"}),
                 html.P(sparkline_summary(spark_df, unit), className="visually-hidden")]
    return html.Div(html.Div([
        html.Div([
            html.H2(dcc.Link(get(measure, "title", mid), href=f"/measures/{mid}"), className="h6 mb-1"),
            status_badge(get(result, "status")),
        ], className="d-flex justify-content-between align-items-start gap-2"),
        html.P([html.Span(value_words(result, unit), id=f"{page}-value-{mid}",
                          className="value" if get(result, "value") is not None else "fw-semibold"),
                *([html.Span(f" {fmt_unit(unit)}", className="small")] if get(result, "value") is not None else [])],
               className="mb-1"),
        html.P(f"Target: {fmt_value(target, unit)}" if target is not None else target_text(get(measure, "target"), unit),
               className="small mb-1"),
        *spark,
        *events_line(page, mid, events),
        *([html.Ul([
            html.Li(f"vs prior period: {fmt_change(get(result, 'change'), get(result, 'change_pct'))}"),
            html.Li(f"vs prior year: {fmt_change(get(result, 'change_year'), get(result, 'change_year_pct'))}"),
            *( [html.Li([html.Strong("Flagged: "), get(flag, "explanation", "change beyond noise")])]
               if get(flag, "flagged") else []),
        ], className="small list-unstyled mb-1")] if get(result, "value") is not None else []),
        *([html.P(get(result, "note"), className="small mb-1")] if get(result, "note") else []),
        html.P(freshness_text(get(result, "freshness")), className="small text-body-secondary mb-0"),
    ], className="card-body"), className="card measure-card h-100", id=f"{page}-card-{mid}")


def broken_card(page: str, measure, exc: Exception) -> html.Div:
    """The card of a measure the engine could not compute: says so in one line instead of a number."""
    mid = get(measure, "id")
    return html.Div(html.Div([
        html.H2(dcc.Link(get(measure, "title", mid), href=f"/measures/{mid}"), className="h6 mb-1"),
        status_badge("no_data"),
        html.P(f"Could not be computed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
               className="small mt-2 mb-0"),
    ], className="card-body"), className="card measure-card h-100", id=f"{page}-card-{mid}")
