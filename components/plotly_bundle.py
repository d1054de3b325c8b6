"""Serve a plotly.js with only the trace types SeaStat draws, when it has been built.

A browser compiles plotly.js once, on the first visit of a page with a chart: the full
plotly.min.js that Dash ships is 4.8 MB, and compiling it took the measure page's first visit past
1.5 s in headless Chromium. `make js` builds js/build/plotly-seastat.min.js (lines, bars, SVG
choropleths; 1.4 MB) from npm at install time. When that file exists, dcc.Graph is pointed at it
instead of Dash's copy; when it does not (no npm on the machine), or a tiled map style needs the
WebGL map traces it leaves out, the app uses Dash's full bundle as before.

dcc.Graph loads plotly.js lazily from `window._dashPlotlyJSURL`, which the Dash renderer sets
when it mounts; the page defines that property first (getter + a setter that ignores the
renderer's value), so pages without a chart still load no plotly.js at all.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import flask

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "js" / "build" / "plotly-seastat.min.js"
ROUTE = "/_seastat/"
# Map styles the bundle can draw: "white-bg" is the SVG choropleth; tiled styles need choroplethmap.
STYLES = ("white-bg",)


@lru_cache(maxsize=4)
def _fingerprint(path: Path, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def bundle_path(map_style: str = "white-bg") -> Path | None:
    """The small bundle if it is built and can draw every chart with this map style, else None."""
    if map_style not in STYLES or not BUNDLE.is_file():
        return None
    return BUNDLE


def full_bundle_path() -> Path:
    """The plotly.js Dash ships (every trace type)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def script_path(map_style: str = "white-bg") -> Path:
    """The plotly.js to ship in a static export: the small one when it serves, else the full one."""
    return bundle_path(map_style) or full_bundle_path()


def install(app, map_style: str) -> str | None:
    """Serve the bundle under a fingerprinted URL (cached for a year) and return the <script> that
    points dcc.Graph at it, or None when the app keeps Dash's full bundle."""
    path = bundle_path(map_style)
    if path is None:
        return None
    name = f"plotly-{_fingerprint(path, path.stat().st_mtime_ns)}.min.js"
    route, prefix = app.config.routes_pathname_prefix or "/", app.config.requests_pathname_prefix or "/"

    def serve(filename: str):
        if filename != name:  # not the name this app put in its pages (e.g. one from before a rebuild)
            flask.abort(404)
        response = flask.send_file(path, mimetype="application/javascript", max_age=365 * 24 * 3600)
        response.cache_control.immutable = True
        return response

    app.server.add_url_rule(f"{route.rstrip('/')}{ROUTE}<filename>", "seastat_plotly_bundle", serve)
    url = json.dumps(f"{prefix.rstrip('/')}{ROUTE}{name}")
    return ("<script>Object.defineProperty(window, '_dashPlotlyJSURL', "
            f"{{configurable: true, get: function () {{ return {url}; }}, set: function () {{}}}});</script>")
