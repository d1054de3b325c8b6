"""The time views CompStat users expect, as page pieces the measure page and the explorer share:
the whole loaded history by month, the day-of-week by hour-of-day heat map and the CompStat
grid (numbers from engine.timeviews through the Engine; no SQL here).

The heat map is an HTML table, not a plotly heatmap: the app's small plotly.js has no heatmap
trace, and a table is its own text alternative (every cell says its number; the shade only
repeats it). The grid's changes read in words and signs (up/down, "no comparison"), not colour.
"""
from __future__ import annotations

from dash import html

from components.charts import chart, trend_figure, trend_summary
from components.formatting import fmt_date, fmt_value, is_missing
from components.pagekit import scroll_table
from engine.timeviews import WEEKDAYS


def history_section(prefix: str, df, unit: str, where: str = "") -> html.Div:
    """Every loaded month as one line; part-months (where the data start or stop) off the line."""
    if df is None or not len(df):
        return html.Div(id=f"{prefix}-history-box")
    first, last = df["period_start"].iloc[0], df["period_end"].iloc[-1]
    years = sorted({d.year for d in df["period_start"]})
    span = (f"History: every loaded month, {fmt_date(first)} to {fmt_date(last)} "
            f"({len(df)} months, {years[0]}–{years[-1]}). ")
    return html.Div(chart(f"{prefix}-history", trend_figure(df, None, None, unit, "month"),
                          f"Monthly history, every loaded year{where}",
                          span + trend_summary(df, None, None, unit, "month")), id=f"{prefix}-history-box")


def _shade(n: int, top: int) -> dict:
    """A cell's background: darker for more events; text switches to white where the shade is dark."""
    if not top or not n:
        return {}
    level = n / top
    return {"backgroundColor": f"rgba(11, 92, 173, {0.08 + 0.82 * level:.2f})",
            "color": "white" if level > 0.55 else None}


def heatmap_section(prefix: str, wh, unit: str, where: str = "") -> html.Div:
    """Day of week (rows) by hour of day (columns): counts in every cell, the shade repeating
    them; each weekday says how many of it the period holds (a period of 10 days has two
    Fridays and one Monday: a busier Friday row may only be a longer one)."""
    if wh is None:
        return html.Div(html.P("Day and hour: no data for this period.", className="small"), id=f"{prefix}-heat-box")
    top = max(max(r) for r in wh.counts)
    busiest = sorted(((n, d, h) for d, row in enumerate(wh.counts) for h, n in enumerate(row)), reverse=True)[:3]
    uneven = len(set(wh.weekdays)) > 1
    words = (f"{fmt_value(wh.total)} {unit} from {fmt_date(wh.period.start)} to {fmt_date(wh.period.end)} by day of "
             f"week and hour of day (local time). " +
             ("Busiest: " + "; ".join(f"{WEEKDAYS[d]} {h:02d}:00–{h:02d}:59 ({fmt_value(n)})" for n, d, h in busiest if n)
              + "." if top else "No events.") +
             (" The period is not whole weeks: rows hold different numbers of days (in brackets)." if uneven else "") +
             (f" {fmt_value(wh.midnight)} of the hour-00 events are stamped exactly 00:00:00, which often means no "
              "time was recorded: that column may be too high." if wh.midnight else ""))
    head = html.Thead(html.Tr([html.Th("Day (days)", scope="col", title="Day of week (how many of it the period holds)", className="text-nowrap")] +
                              [html.Th(f"{h:02d}", scope="col", title=f"{h:02d}:00–{h:02d}:59") for h in range(24)] +
                              [html.Th("All day", scope="col")]))
    body = html.Tbody([html.Tr([html.Th(f"{WEEKDAYS[d][:3]} ({wh.weekdays[d]})", scope="row", title=WEEKDAYS[d], className="text-nowrap")] +
                               [html.Td(str(n), style=_shade(n, top), className="text-end px-1") for n in row] +
                               [html.Td(fmt_value(sum(row)), className="text-end fw-semibold")])
                       for d, row in enumerate(wh.counts)])
    table = html.Table([html.Caption(f"{unit.capitalize()} by day of week and hour of day{where}, "
                                     f"{fmt_date(wh.period.start)} to {fmt_date(wh.period.end)}; darker = more"),
                        head, body], className="table table-sm table-bordered bg-white small heatmap mb-1",
                       id=f"{prefix}-heat")
    return html.Div([html.H2("When: day of week by hour of day", className="h6"),
                     scroll_table(table, "Day by hour table"),
                     html.P(words, className="chart-summary small text-body-secondary", id=f"{prefix}-heat-summary")],
                    className="mb-3", id=f"{prefix}-heat-box")


def _pct(p, now=None, then=None) -> str:
    """'up 50%', 'down 20%', 'no change', 'up from 0' (a rise from 0 has no percentage), or 'no
    comparison' (no data on either side)."""
    if is_missing(now) or is_missing(then):
        return "no comparison"
    if then == 0:
        return "no change" if now == 0 else "▲ up from 0"
    if is_missing(p):
        return "no comparison"
    if round(p) == 0 and abs(p) < 0.5:
        return "no change"
    return f"{'▲ up' if p > 0 else '▼ down'} {abs(p):.0f}%"


def compstat_section(prefix: str, periods, df, unit: str, layer_label: str) -> html.Div:
    """One row per area (citywide first, 'No known area' last, never ranked), for each column this
    year, the period compared with (same length) and the change."""
    if not periods or df is None or not len(df):
        return html.Div(id=f"{prefix}-compstat-box")
    top = html.Tr([html.Td("")] + [html.Th(h, colSpan=3, scope="colgroup", className="text-center")
                                              for _, h, _, _ in periods])
    sub = html.Tr([html.Th("Area", scope="col")] + [
        x for key, _, now, then in periods for x in (
            html.Th(f"{now.start:%Y}", scope="col", title=f"{fmt_date(now.start)} to {fmt_date(now.end)}"),
            html.Th(f"{then.start:%Y}", scope="col", title=f"{fmt_date(then.start)} to {fmt_date(then.end)}"),
            html.Th("Change", scope="col"))])
    rows = []
    for r in df.to_dict("records"):
        cells = [html.Th(r["label"], scope="row", className="text-nowrap")]
        for key, _, _, _ in periods:
            cells += [html.Td(fmt_value(r[f"{key}_now"]), className="text-end"),
                      html.Td(fmt_value(r[f"{key}_then"]), className="text-end"),
                      html.Td(_pct(r[f"{key}_pct"], r[f"{key}_now"], r[f"{key}_then"]), className="text-end")]
        rows.append(html.Tr(cells, className="fw-semibold" if r["key"] == "all" else None))
    spans = "; ".join(f"{h}: {fmt_date(now.start)} to {fmt_date(now.end)} against {fmt_date(then.start)} to "
                      f"{fmt_date(then.end)} ({now.days} days each)" for _, h, now, then in periods)
    table = html.Table([html.Caption(f"CompStat: {unit} by {layer_label}, this year against the same days "
                                     "before (equal lengths)"),
                        html.Thead([top, sub]), html.Tbody(rows)],
                       className="table table-sm bg-white small mb-1 text-nowrap", id=f"{prefix}-compstat")
    return html.Div([html.H2("CompStat comparison", className="h6"), scroll_table(table, "CompStat table"),
                     html.P(f"Periods compared: {spans}. \"no data\": the loaded data do not reach that period; "
                            "\"no comparison\": nothing to compare with (no data, or none before). Events no area "
                            "could be given are the row \"No known area\".",
                            className="small text-body-secondary", id=f"{prefix}-compstat-note")],
                    className="mb-3", id=f"{prefix}-compstat-box")
