"""Data page (`/data`): the inventory (What Works Cities DM2) with quality checks (DM4): each
dataset's source, detected vintage, rows, rows rejected and why, last load, freshness against
its expected cadence, and the latest quality checks."""
from __future__ import annotations

import dash
from dash import html

from components.engine_access import get_engine
from components.formatting import fmt_date, fmt_value, is_missing
from components.pagekit import tab_title, guarded, page_header, scroll_table

dash.register_page(__name__, path="/data", name="Data", title=tab_title("Data inventory"), order=4)
P = "dt"


def _cell(v):
    if isinstance(v, (list, tuple)):
        return html.Ul([html.Li(str(x)) for x in v], className="mb-0 ps-3")
    if is_missing(v):
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, float)):
        return fmt_value(v)
    if hasattr(v, "year"):
        return fmt_date(v)
    return str(v)


def _fresh(v) -> html.Span:
    if is_missing(v):
        return html.Span("unknown")
    return html.Span(["\u2714 up to date"] if v else ["\u26a0 overdue"], className="fw-semibold")


def inventory_table(inv) -> html.Div:
    cols = [c for c in inv.columns if c not in ("fresh",)]
    head = [html.Th(c.replace("_", " ").capitalize(), scope="col") for c in cols] + [html.Th("Fresh", scope="col")]
    body = [html.Tr([html.Th(_cell(r[c]), scope="row") if i == 0 else html.Td(_cell(r[c])) for i, c in enumerate(cols)]
                    + [html.Td(_fresh(r.get("fresh")))], id=f"{P}-row-{r[cols[0]]}")
            for r in inv.to_dict("records")]
    return scroll_table(html.Table([html.Caption("Every dataset the warehouse holds"), html.Thead(html.Tr(head)), html.Tbody(body)],
                               className="table table-sm bg-white align-top", id=f"{P}-inventory"), "Data inventory")


def quality_section(eng, dataset) -> html.Details:
    q = eng.quality(dataset)
    if q is None or not len(q):
        body = html.P("No quality checks recorded.")
    else:
        cols = [c for c in ("check", "column_name", "value", "detail", "checked_at") if c in q.columns] or list(q.columns)
        body = scroll_table(html.Table([html.Thead(html.Tr([html.Th(c.replace("_", " "), scope="col") for c in cols])),
                                    html.Tbody([html.Tr([html.Td(_cell(r[c])) for c in cols]) for r in q.to_dict("records")])],
                                   className="table table-sm"), "Quality checks")
    return html.Details([html.Summary(f"Quality checks: {dataset}"), body], className="mb-2 bg-white border rounded p-2")


@guarded
def layout(**_query):
    eng = get_engine()
    inv = eng.inventory()
    key = "dataset" if "dataset" in inv.columns else inv.columns[0]
    return html.Div([
        page_header("Data inventory", "Where every number comes from, how fresh it is, and what was rejected on the way in."),
        inventory_table(inv),
        html.H2("Quality checks", className="h4 mt-3"),
        *[quality_section(eng, d) for d in inv[key]],
        html.P(["Rows read = rows loaded + rejected + duplicates. Rejected rows are kept with their reason; ",
                "nothing is dropped silently."], className="small"),
    ])
