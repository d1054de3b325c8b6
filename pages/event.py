"""One event's full record (`/event/<dataset>?key=<event key>`): every field the source published
for it, with the areas the spatial join gave it. Analysts and up; internal app only
(components/drilldown.py)."""
from __future__ import annotations

import dash
from dash import dcc, html

from components import drilldown, messages
from components.engine_access import get_engine
from components.pagekit import guarded, page_header, tab_title

dash.register_page(__name__, path_template="/event/<dataset>", name="Event", title=tab_title("Event record"))
P = "ev"


@guarded
def layout(dataset=None, key=None, measure=None, **_query):
    refused = drilldown.forbidden_notice(P)
    if refused is not None:
        return refused
    eng = get_engine()
    key = key[-1] if isinstance(key, list) else key
    measure = measure[-1] if isinstance(measure, list) else measure
    if dataset not in eng.catalog.datasets:
        return messages.not_found("dataset", dataset)
    rec = eng.record(dataset, key) if key else None
    if rec is None:
        return messages.not_found(f"{dataset} event", key or "(no key given)")
    title = eng.catalog.datasets[dataset].title
    back = ([dcc.Link("Back to the records", href=f"/records/{measure}", id=f"{P}-back")]
            if measure in eng.catalog.measures else [])
    return html.Div([
        page_header(f"{title}: {key}", "The record as published (addresses blurred by the source), with the areas "
                    "SeaStat placed it in.", id=f"{P}-title"),
        *back,
        html.Dl([x for k, v in rec.items() for x in (html.Dt(k.replace("_", " ")), html.Dd(drilldown.cell(v) or "(blank)"))],
                className="about bg-white border rounded p-3 mt-2", id=f"{P}-record"),
    ])
