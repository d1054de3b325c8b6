"""Offline choropleth maps whose geometry crosses the wire once per browser session.

The shell holds `geo-store` ({layer: {geojson, center, zoom}}). A page's map is a dcc.Graph plus
a small values store (ids, values, labels, selected areas). A clientside function asks for a
layer's geometry only when the store lacks it, and another draws the figure in the browser from
the stored geometry and the values, so filter changes send numbers, never polygons again.
`settings.map_style` picks the base map. The default "white-bg" needs no tiles and is drawn as an
SVG choropleth (assets/maps.js): in a browser without a GPU the WebGL map cost a second or two
on its first draw, for a blank background. A tiled style (e.g. "carto-positron") keeps WebGL.
"""
from __future__ import annotations

import math

from dash import ALL, MATCH, ClientsideFunction, Input, Output, Patch, State, dcc, html, no_update

from components.engine_access import get_engine
from components.formatting import finite

GEO_STORE = "geo-store"


def shell_stores() -> list:
    return [dcc.Store(id=GEO_STORE, data={}, storage_type="memory")]


def map_values(layer: str, ids, values, labels, selected=(), unit: str = "", style: str = "white-bg") -> dict:
    return {"layer": layer, "ids": list(ids), "values": [finite(v) for v in values],
            "labels": list(labels), "selected": list(selected), "unit": unit, "style": style}


def choropleth(page: str, values: dict, title: str, summary: str) -> html.Div:
    """A map for `page` (its id prefix): Graph id {"type": "map", "page": page}; click gives clickData."""
    return html.Div([
        dcc.Store(id={"type": "map-values", "page": page}, data=values),
        dcc.Store(id={"type": "map-need", "page": page}),
        _map_chart(page, title, summary),
    ])


def _map_chart(page: str, title: str, summary: str) -> html.Figure:
    summary_id = f"{page}-map-summary"
    return html.Figure([
        html.Figcaption(title, className="h6 mb-1"),
        dcc.Graph(id={"type": "map", "page": page}, figure=_empty_map(), config={"displayModeBar": False, "scrollZoom": False},
                  className="chart-graph map-graph"),
        html.P(summary, id=summary_id, className="chart-summary small text-body-secondary mb-0"),
    ], className="chart mb-3", **{"aria-describedby": summary_id})


def _empty_map() -> dict:
    return {"data": [], "layout": {"height": 420, "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
                                   "xaxis": {"visible": False}, "yaxis": {"visible": False}}}


def _bounds(geojson: dict):
    lons, lats = [], []

    def walk(c):
        if isinstance(c, (list, tuple)) and c and isinstance(c[0], (int, float)):
            lons.append(c[0]); lats.append(c[1])
        elif isinstance(c, (list, tuple)):
            for x in c:
                walk(x)

    for feat in geojson.get("features", []):
        walk((feat.get("geometry") or {}).get("coordinates", []))
    if not lons:
        return {"lat": 0, "lon": 0}, 1
    span_lon = max(max(lons) - min(lons), 1e-4)
    span_lat = max(max(lats) - min(lats), 1e-4) / max(math.cos(math.radians(sum(lats) / len(lats))), 0.1)
    zoom = min(math.log2(360 * 360 / (512 * span_lon)), math.log2(400 * 360 / (512 * span_lat)))
    return {"lat": (max(lats) + min(lats)) / 2, "lon": (max(lons) + min(lons)) / 2}, round(zoom, 2)


def geometry_entry(layer: str) -> dict:
    geojson = get_engine().geojson(layer)
    center, zoom = _bounds(geojson)
    return {"geojson": geojson, "center": center, "zoom": zoom}


def layer_ids() -> list[str]:
    """Ids of the layers the warehouse has."""
    return [str(x) for x in get_engine().layers()["layer"]]


def clicked_area(click_data) -> str | None:
    try:
        return str(click_data["points"][0]["location"])
    except (TypeError, KeyError, IndexError):
        return None


def hidden(page: str) -> html.Div:
    """The map's components, empty and hidden, for a view with no layer to map (boundaries not
    loaded): the page's URL callback reads the map's clicks, and the shared map callbacks need
    the map's stores beside the graph, or the browser logs a missing-input error."""
    return html.Div([dcc.Store(id={"type": "map-values", "page": page}), dcc.Store(id={"type": "map-need", "page": page}),
                     dcc.Graph(id={"type": "map", "page": page})], hidden=True)


def register_callbacks(app) -> None:
    """The map plumbing every page shares; called once by create_app."""
    app.clientside_callback(
        ClientsideFunction("seastat", "needGeometry"),
        Output({"type": "map-need", "page": MATCH}, "data"),
        Input({"type": "map-values", "page": MATCH}, "data"),
        State(GEO_STORE, "data"),
    )

    @app.callback(Output(GEO_STORE, "data"), Input({"type": "map-need", "page": ALL}, "data"),
                  prevent_initial_call=True)
    def send_geometry(needs):
        known = set(layer_ids())
        layers = [n for n in needs if n and n in known]  # a layer name from the browser is checked first
        if not layers:
            return no_update
        patch = Patch()
        for layer in dict.fromkeys(layers):
            patch[layer] = geometry_entry(layer)
        return patch

    app.clientside_callback(
        ClientsideFunction("seastat", "drawMap"),
        Output({"type": "map", "page": MATCH}, "figure"),
        Input({"type": "map-values", "page": MATCH}, "data"),
        Input(GEO_STORE, "data"),
    )
