"""Charts with a text summary a screen reader reads, and the figure builders pages share.

Every chart goes through `chart()`: a <figure> whose caption names it and whose summary
paragraph says in words what the chart shows, so the numbers are never only in pixels.
"""
from __future__ import annotations

import datetime as dt

from dash import dcc, html

from components.formatting import finite, fmt_date, fmt_value, is_missing
from engine.timemodel import complete, partial_note
from packet.svg import line_path  # the same line drawing as the packet's charts
from packet.text import events_words  # the same words for events as the packet's captions

GRAPH_CONFIG = {"displayModeBar": False, "responsive": True}
TARGET_COLOUR = "#6c4f00"
LINE_COLOUR = "#0b5cad"
PRIOR_COLOUR = "#767676"
FLAG_COLOUR = "#b00020"
EVENT_COLOUR = "#5a3d8a"  # annotations: dotted, numbered, not a status colour


def chart(id: str, figure, title: str, summary: str, config: dict | None = None) -> html.Figure:
    summary_id = f"{id}-summary"
    return html.Figure(
        [
            html.Figcaption(title, className="h6 mb-1"),
            dcc.Graph(id=id, figure=figure, config={**GRAPH_CONFIG, **(config or {})}, className="chart-graph"),
            html.P(summary, id=summary_id, className="chart-summary small text-body-secondary mb-0"),
        ],
        className="chart mb-3", **{"aria-describedby": summary_id},
    )


def _base_layout(height: int, **kw) -> dict:
    return {**dict(height=height, margin=dict(l=40, r=10, t=10, b=30), plot_bgcolor="white",
                   paper_bgcolor="white", font=dict(size=12)), **kw}


def dates(values) -> list[str]:
    return [v.isoformat() if hasattr(v, "isoformat") else str(v) for v in values]


def _partial(df) -> list[bool]:
    """Which rows are part-periods (engine.timemodel); a frame without the column has none."""
    return [bool(x) for x in df["partial"].tolist()] if "partial" in df.columns else [False] * len(df)


def partial_words(df, grain: str, unit: str | None = None, target=None) -> str:
    """The part-periods of a series in words, for a chart's text alternative ('' when none)."""
    part = _partial(df)
    if not any(part):
        return ""
    goal = _target_values(df, target)
    rows = [(d, v, n, g, t) for d, v, n, g, p, t in
            zip(df["period_start"], df["value"], df["days"], df["grain_days"], part, goal) if p]
    each = "; ".join(f"{grain} of {fmt_date(d)}: {fmt_value(v, unit)}, {partial_note(n, g)}"
                     + (f", target for those days {fmt_value(t, unit)}" if t is not None else "")
                     for d, v, n, g, t in rows)
    return (f" Part-{grain}s, drawn as open circles off the line and not tested or ranked: {each}.")


def sparkline_svg(df, value_col: str = "value", width: int = 300, height: int = 60) -> str:
    """The sparkline as SVG text for an <img>: a card's sparkline has no axes, hover or clicks, and
    drawing it with plotly.js made a goal page load and compile 4.8 MB of JavaScript (about a
    second on a first visit) for a few lines. Gaps (no value) break the line, as in plotly.
    Part-periods are left out (a tiny line cannot label them): the card's words say so."""
    xs = [_day(d) for d in df["period_start"]]
    ys = [None if p else finite(v) for v, p in zip(df[value_col], _partial(df))]
    known = [(x, y) for x, y in zip(xs, ys) if x is not None and y is not None]
    points = []
    if known:
        x0, x1 = min(x for x, _ in known), max(x for x, _ in known)
        y0, y1 = min(y for _, y in known), max(y for _, y in known)
        pad = (y1 - y0) * 0.05 or 1.0
        y0, y1 = y0 - pad, y1 + pad
        points = [None if x is None or y is None else
                  ((x - x0) / (x1 - x0) * width if x1 > x0 else width / 2, height - (y - y0) / (y1 - y0) * height)
                  for x, y in zip(xs, ys)]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" preserveAspectRatio="none">'
            f'<path d="{line_path(points)}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2" '
            'stroke-linejoin="round" vector-effect="non-scaling-stroke"/></svg>')


def _day(value) -> int | None:
    """A date-like value as a day number (x of a time axis), or None."""
    try:
        return value.toordinal()
    except AttributeError:
        return None


def sparkline_summary(df, unit: str | None = None) -> str:
    whole = complete(df) if len(df) and "partial" in df.columns else df
    vals = [finite(v) for v in whole["value"] if finite(v) is not None] if len(whole) else []
    left_out = sum(_partial(df))
    tail = (f" {left_out} part-period{'s' if left_out != 1 else ''} (fewer days than a whole period) "
            "not drawn." if left_out else "")
    if not vals:
        return "No values for a complete period." + tail
    return (f"{len(vals)} periods from {fmt_date(whole['period_start'].iloc[0])} to "
            f"{fmt_date(whole['period_start'].iloc[-1])}: "
            f"first {fmt_value(vals[0], unit)}, last {fmt_value(vals[-1], unit)}, "
            f"lowest {fmt_value(min(vals), unit)}, highest {fmt_value(max(vals), unit)}." + tail)


def series_traces(df, name: str, colour: str, unit: str | None = None, grain: str = "week", target=None,
                  **extra) -> list[dict]:
    """A series as plotly traces: a line through its complete periods, and its part-periods as
    open circles off the line, named and hover-labelled ('partial: 2 of 7 days', and the target
    for those days when `target` gives one per bucket), so a 1-day week never reads as a
    collapse. `extra` goes on both (e.g. yaxis)."""
    part = _partial(df)
    xs, values = dates(df["period_start"]), [finite(v) for v in df["value"]]
    out = [{"type": "scatter", "x": xs, "y": [None if p else v for v, p in zip(values, part)], "name": name,
            "mode": "lines+markers", "line": {"color": colour, "width": 2}, "marker": {"size": 4}, **extra}]
    if any(part):
        idx = [i for i, p in enumerate(part) if p]
        days, full = df["days"].tolist(), df["grain_days"].tolist()
        goal = _target_values(df, target)
        out.append({"type": "scatter", "x": [xs[i] for i in idx], "y": [values[i] for i in idx],
                    "name": f"{name}: part-{grain} (not tested)", "mode": "markers",
                    "marker": {"symbol": "circle-open", "size": 10, "color": colour, "line": {"width": 2}},
                    "text": [f"{fmt_value(values[i], unit)}, {partial_note(int(days[i]), int(full[i]))}"
                             + (f"; target for those days {fmt_value(goal[i], unit)}" if goal[i] is not None else "")
                             for i in idx],
                    "hovertemplate": "%{text}", **extra})
    return out


def trend_figure(df, prior=None, target=None, unit: str | None = None, grain: str = "week", events=()) -> dict:
    """Series with the prior year aligned under it, the target at the chart's grain as a dashed
    line (`target`: one value per bucket, engine.timemodel.target_line; a number: the same for
    every bucket), flagged points marked, part-periods off the line and labelled. `events`
    (store.Annotation, oldest first) are dotted vertical lines numbered as the text alternative
    numbers them (packet.text.events_words), with their words in a hover marker at the foot."""
    data = []
    if prior is not None and len(prior):
        data.append({"type": "scatter", "x": dates(prior["aligned_start"]),
                     "y": [None if p else finite(v) for v, p in zip(prior["value"], _partial(prior))],
                     "name": "Same period last year", "mode": "lines",
                     "line": {"color": PRIOR_COLOUR, "width": 1.5, "dash": "dot"}})
    data += series_traces(df, "This period", LINE_COLOUR, unit, grain, target)
    line = _target_values(df, target)
    if any(v is not None for v in line):
        data.append({"type": "scatter", "x": dates(df["period_start"]), "name": f"Target per {grain}",
                     "y": [None if p else v for v, p in zip(line, _partial(df))], "mode": "lines",
                     "line": {"color": TARGET_COLOUR, "dash": "dash", "width": 1.5}})
    if "flagged" in df.columns:
        flagged = df[df["flagged"].fillna(False).astype(bool)]
        if len(flagged):
            data.append({"type": "scatter", "x": dates(flagged["period_start"]), "y": [finite(v) for v in flagged["value"]],
                         "name": "Flagged change", "mode": "markers",
                         "marker": {"symbol": "diamond-open", "size": 12, "color": FLAG_COLOUR, "line": {"width": 2}}})
    layout = _base_layout(320, legend={"orientation": "h", "y": -0.15}, hovermode="x unified",
                          xaxis={"showgrid": False}, yaxis={"gridcolor": "#e5e5e5", "rangemode": "tozero"})
    if events:
        days = dates(a.day for a in events)
        data.append({"type": "scatter", "x": days, "y": [0] * len(days), "name": "Event noted",
                     "mode": "markers", "marker": {"symbol": "triangle-up", "size": 11, "color": EVENT_COLOUR},
                     "text": [f"Event {i}: {a.text}" + ("" if a.measure_id else " (citywide)")
                              for i, a in enumerate(events, 1)],
                     "hovertemplate": "%{text}<extra></extra>"})
        layout["shapes"] = [{"type": "line", "xref": "x", "yref": "paper", "x0": d, "x1": d, "y0": 0, "y1": 1,
                             "line": {"color": EVENT_COLOUR, "width": 1, "dash": "dot"}} for d in days]
        layout["annotations"] = [{"x": d, "xref": "x", "y": 1, "yref": "paper", "text": str(i), "showarrow": False,
                                  "yanchor": "bottom", "font": {"color": EVENT_COLOUR, "size": 11}}
                                 for i, d in enumerate(days, 1)]
        layout["margin"] = {**layout["margin"], "t": 22}
    return {"data": data, "layout": layout}


def _target_values(df, target) -> list:
    if target is None:
        return [None] * len(df)
    if isinstance(target, (list, tuple)):
        return [finite(v) for v in target]
    return [finite(target)] * len(df)


def trend_summary(df, prior=None, target=None, unit: str | None = None, grain: str = "week", events=()) -> str:
    return _trend_words(df, prior, target, unit, grain) + events_words(events)


def _trend_words(df, prior, target, unit, grain) -> str:
    # plain lists: on pandas 3 every column access costs ~1 ms, which adds up on a page
    part = _partial(df)
    starts, values = list(df["period_start"]), [finite(v) for v in df["value"]]
    points = [(d, v) for d, v, p in zip(starts, values, part) if v is not None and not p]
    if not points:
        return f"No values for a complete {grain}." + partial_words(df, grain, unit, target)
    lo = min(points, key=lambda p: p[1])
    hi = max(points, key=lambda p: p[1])
    text = (f"{len(points)} complete {grain}s from {fmt_date(points[0][0])} to {fmt_date(points[-1][0])}. "
            f"Latest complete {grain} {fmt_value(points[-1][1], unit)}; lowest {fmt_value(lo[1], unit)} "
            f"({fmt_date(lo[0])}), highest {fmt_value(hi[1], unit)} ({fmt_date(hi[0])}).")
    line = [v for v, p in zip(_target_values(df, target), part) if v is not None and not p]
    if line:
        a, b = min(line), max(line)
        text += (f" Target {fmt_value(a, unit)} per {grain}." if fmt_value(a, unit) == fmt_value(b, unit) else
                 f" Target {fmt_value(a, unit)} to {fmt_value(b, unit)} per {grain} (by the {grain}'s days).")
    if prior is not None and len(prior):
        same = {d: finite(v) for d, v, p in zip(prior["aligned_start"], prior["value"], _partial(prior)) if not p}
        last_year = next((same[k] for k in same if _date(k) == _date(points[-1][0])), None)
        if last_year is not None:
            text += f" Same {grain} last year: {fmt_value(last_year, unit)}."
    n_flag = sum(1 for f in df["flagged"] if f is True or f == 1) if "flagged" in df.columns else 0
    text += (f" {n_flag} {grain}{'s' if n_flag != 1 else ''} flagged as a change beyond noise." if n_flag
             else " No change flagged beyond noise.")
    return text + partial_words(df, grain, unit, target)


def _date(v):
    return v.date() if isinstance(v, dt.datetime) else v


def bar_figure(labels, values, errors_low=None, errors_high=None, unit: str | None = None, height=None,
               highlight=()) -> dict:
    """Horizontal ranked bars, largest on top; optional interval whiskers; highlighted bars in another colour."""
    labels, values = [str(x) for x in labels], [finite(v) for v in values]
    colours = [FLAG_COLOUR if lab in set(highlight) else LINE_COLOUR for lab in labels]
    bar = {"type": "bar", "y": labels, "x": values, "orientation": "h", "marker": {"color": colours},
           "hovertemplate": "%{y}: %{x}<extra></extra>"}
    if errors_low is not None and errors_high is not None:
        lo = [max(0.0, v - finite(l)) if v is not None and finite(l) is not None else 0 for v, l in zip(values, errors_low)]
        hi = [max(0.0, finite(h) - v) if v is not None and finite(h) is not None else 0 for v, h in zip(values, errors_high)]
        bar["error_x"] = {"type": "data", "symmetric": False, "array": hi, "arrayminus": lo, "color": "#333", "thickness": 1}
    return {"data": [bar], "layout": _base_layout(height or max(200, 22 * len(labels) + 40), margin=dict(l=10, r=10, t=10, b=30),
                                                  yaxis={"autorange": "reversed", "automargin": True},
                                                  xaxis={"gridcolor": "#e5e5e5"})}


def ranked_summary(labels, values, unit: str | None = None, what: str = "areas") -> str:
    pairs = [(lab, v) for lab, v in zip(labels, values) if not is_missing(v)]
    if not pairs:
        return f"No values for any of the {what}."
    top = ", ".join(f"{lab} {fmt_value(v, unit)}" for lab, v in pairs[:3])
    low = pairs[-1]
    return f"{len(pairs)} {what} ranked. Highest: {top}. Lowest: {low[0]} {fmt_value(low[1], unit)}."
