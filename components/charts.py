"""Charts with a text summary a screen reader reads, and the figure builders pages share.

Every chart goes through `chart()`: a <figure> whose caption names it and whose summary
paragraph says in words what the chart shows, so the numbers are never only in pixels.
"""
from __future__ import annotations

from dash import dcc, html

from components.formatting import finite, fmt_date, fmt_value, is_missing
from packet.svg import line_path  # the same line drawing as the packet's charts

GRAPH_CONFIG = {"displayModeBar": False, "responsive": True}
TARGET_COLOUR = "#6c4f00"
LINE_COLOUR = "#0b5cad"
PRIOR_COLOUR = "#767676"
FLAG_COLOUR = "#b00020"


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


def sparkline_svg(df, value_col: str = "value", width: int = 300, height: int = 60) -> str:
    """The sparkline as SVG text for an <img>: a card's sparkline has no axes, hover or clicks, and
    drawing it with plotly.js made a goal page load and compile 4.8 MB of JavaScript (about a
    second on a first visit) for a few lines. Gaps (no value) break the line, as in plotly."""
    xs = [_day(d) for d in df["period_start"]]
    ys = [finite(v) for v in df[value_col]]
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
    vals = [finite(v) for v in df["value"] if finite(v) is not None] if len(df) else []
    if not vals:
        return "No values in this period."
    return (f"{len(vals)} periods from {fmt_date(df['period_start'].iloc[0])} to {fmt_date(df['period_start'].iloc[-1])}: "
            f"first {fmt_value(vals[0], unit)}, last {fmt_value(vals[-1], unit)}, "
            f"lowest {fmt_value(min(vals), unit)}, highest {fmt_value(max(vals), unit)}.")


def trend_figure(df, prior=None, target=None, unit: str | None = None) -> dict:
    """Series with the prior year aligned under it, the target as a dashed line, flagged points marked."""
    data = []
    if prior is not None and len(prior):
        data.append({"type": "scatter", "x": dates(prior["aligned_start"]), "y": [finite(v) for v in prior["value"]],
                     "name": "Same period last year", "mode": "lines",
                     "line": {"color": PRIOR_COLOUR, "width": 1.5, "dash": "dot"}})
    data.append({"type": "scatter", "x": dates(df["period_start"]), "y": [finite(v) for v in df["value"]],
                 "name": "This period", "mode": "lines+markers", "line": {"color": LINE_COLOUR, "width": 2},
                 "marker": {"size": 4}})
    if "flagged" in df.columns:
        flagged = df[df["flagged"].fillna(False).astype(bool)]
        if len(flagged):
            data.append({"type": "scatter", "x": dates(flagged["period_start"]), "y": [finite(v) for v in flagged["value"]],
                         "name": "Flagged change", "mode": "markers",
                         "marker": {"symbol": "diamond-open", "size": 12, "color": FLAG_COLOUR, "line": {"width": 2}}})
    layout = _base_layout(320, legend={"orientation": "h", "y": -0.15}, hovermode="x unified",
                          xaxis={"showgrid": False}, yaxis={"gridcolor": "#e5e5e5", "rangemode": "tozero"})
    if finite(target) is not None:
        layout["shapes"] = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": float(target),
                             "y1": float(target), "line": {"color": TARGET_COLOUR, "dash": "dash", "width": 1.5}}]
        layout["annotations"] = [{"xref": "paper", "x": 0, "xanchor": "left", "yref": "y", "y": float(target),
                                  "yanchor": "bottom", "text": f"Target {fmt_value(target, unit)}", "showarrow": False,
                                  "font": {"color": TARGET_COLOUR}}]
    return {"data": data, "layout": layout}


def trend_summary(df, prior=None, target=None, unit: str | None = None, grain: str = "week") -> str:
    # plain lists: on pandas 3 every column access costs ~1 ms, which adds up on a page
    starts, values = list(df["period_start"]), [finite(v) for v in df["value"]]
    points = [(d, v) for d, v in zip(starts, values) if v is not None]
    if not points:
        return "No values in this period."
    lo = min(points, key=lambda p: p[1])
    hi = max(points, key=lambda p: p[1])
    text = (f"{len(points)} {grain}s from {fmt_date(points[0][0])} to {fmt_date(points[-1][0])}. "
            f"Latest {fmt_value(points[-1][1], unit)}; lowest {fmt_value(lo[1], unit)} ({fmt_date(lo[0])}), "
            f"highest {fmt_value(hi[1], unit)} ({fmt_date(hi[0])}).")
    if finite(target) is not None:
        text += f" Target {fmt_value(target, unit)}."
    prior_values = [finite(v) for v in prior["value"]] if prior is not None and len(prior) else []
    prior_values = [v for v in prior_values if v is not None]
    if prior_values:
        text += f" Same {grain} last year: {fmt_value(prior_values[-1], unit)}."
    n_flag = sum(1 for f in df["flagged"] if f is True or f == 1) if "flagged" in df.columns else 0
    text += (f" {n_flag} {grain}{'s' if n_flag != 1 else ''} flagged as a change beyond noise." if n_flag
             else " No change flagged beyond noise.")
    return text


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
