"""The SeaStat Dash app: `create_app(config)` builds it; `server` is what gunicorn serves.

Building the app reads no data: the engine is opened on the first request that needs it
(components/engine_access.py), so `import app` is cheap and works before any warehouse exists.
Pages live in pages/ (one module each, registered with dash.register_page); shared layout
pieces in components/; Bootstrap and our CSS/JS are served from assets/, never a CDN.
"""
from __future__ import annotations

import logging
from pathlib import Path

import dash
import flask
from dash import _callback, html

import auth
import settings as settings_mod
from city import load_city
from components import callback_guard, drilldown, framing, health, maps, plotly_bundle, warmup
from components.engine_access import ENGINE_KEY, SETTINGS_KEY, NoWarehouse, get_engine
from components.topbar import topbar

HERE = Path(__file__).resolve().parent
# Dash's default page lacks a language, which screen readers need to pick a voice.
INDEX = """<!DOCTYPE html>
<html lang="en">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


def _shell():
    """The layout around every page; called per page load so the as-of date follows the warehouse."""
    s = dash.get_app().server.config[SETTINGS_KEY]
    try:
        city_name = load_city(s.city_config).name
    except Exception:  # a broken city.yaml is reported by the ETL; the app still shows its pages
        city_name = "City"
    try:
        eng = get_engine()
        bar = topbar(getattr(eng.city, "name", city_name), eng.as_of(), bool(eng.is_demo()), lags=eng.lag_report())
    except NoWarehouse:
        bar = topbar(city_name, has_warehouse=False)
    except Exception as exc:  # e.g. a catalog error: the pages say what it is, the bar still shows
        logging.getLogger("seastat.app").exception("top bar: engine unavailable")
        bar = topbar(city_name, has_warehouse=False, problem=f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    return html.Div([
        bar,
        *maps.shell_stores(),
        html.Main(dash.page_container, id="main", className="container-lg py-3", tabIndex="-1"),
    ])


# Dash fingerprints the bundles it lists in the page (cached for a year), but the ones a component
# loads when it first draws (the graph and grid chunks; Dash's plotly.min.js when the small bundle of
# components/plotly_bundle.py is not built, which has its own fingerprinted URL) have plain names and
# come with an ETag only: every full page load asked for them again and waited for the 304 before
# drawing a chart. A short lifetime skips that; after a Dash or plotly upgrade a browser may keep
# the old file for at most this long (then the ETag check resumes).
ASYNC_BUNDLE_MAX_AGE = 600


def _cache_async_bundles(response):
    path = flask.request.path
    if ("/_dash-component-suites/" in path and response.status_code in (200, 304)
            and not response.cache_control.max_age):
        response.cache_control.public = True
        response.cache_control.max_age = ASYNC_BUNDLE_MAX_AGE
    return response


def create_app(config: settings_mod.Settings | None = None) -> dash.Dash:
    s = config or settings_mod.Settings.from_env()
    # Dash re-imports every page module for each app it builds (use_pages); callbacks those
    # modules declared for an earlier app that never served a request would be registered twice.
    _callback.GLOBAL_CALLBACK_LIST.clear()
    _callback.GLOBAL_CALLBACK_MAP.clear()
    # Dash's page registry is process-wide: start empty so public mode never inherits internal
    # pages (and the reverse). SEASTAT_MODE=public serves only public/pages (public/site.py).
    dash.page_registry.clear()
    public = s.mode == "public"
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(HERE / ("public/pages" if public else "pages")),
        assets_folder=str(HERE / "assets"),
        suppress_callback_exceptions=True,
        title="SeaStat",
        update_title=None,
        index_string=INDEX,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.server.config[SETTINGS_KEY] = s
    app.server.config[ENGINE_KEY] = None
    framing.install(app.server, s)  # no framing of the internal site; the public one as configured
    callback_guard.install(app)  # a malformed callback request is a 400, checked in one place (both modes)
    health.install(app.server, s.mode)  # /healthz with the warehouse version served, open in every mode
    plotly_script = plotly_bundle.install(app, s.map_style)
    if plotly_script:
        app.index_string = INDEX.replace("{%css%}", "{%css%}\n        " + plotly_script)
    if public:
        from public.site import install

        install(app)  # public pages' layout, the open-data API, 404 for everything else
        return app
    app.layout = _shell
    app.server.after_request(_cache_async_bundles)
    maps.register_callbacks(app)
    app.server.before_request(warmup.on_request)  # the first request starts building the busiest pages
    if s.mode == "internal":
        from ops.unsubscribe import blueprint as unsubscribe

        app.server.register_blueprint(unsubscribe)  # the digest's one-click link (docs/OPERATIONS.md)
        from ops.subscribe_page import blueprint as subscribe_page

        app.server.register_blueprint(subscribe_page)  # /subscriptions: a signed-in user's digest choices
        from ops import metrics

        metrics.install(app.server, s)  # /metrics for the city's monitoring, from SEASTAT_METRICS_FROM only
        auth.install(app, s)  # sign-in for every route (auth/README.md); a no-op check when SEASTAT_AUTH=off
        drilldown.install(app.server)  # the events behind a number: analysts and up; no such routes when public
    return app


_default_app: dash.Dash | None = None


def __getattr__(name: str):
    """`app.server` (what gunicorn loads) builds the default app on first access, so importing
    this module in a test does not build an app nobody uses."""
    global _default_app
    if name == "server":
        if _default_app is None:
            _default_app = create_app()
        return _default_app.server
    raise AttributeError(name)


def main(port: int = 8050) -> None:
    """`python app.py` (what `make run` starts): the development server on localhost, saying where
    to sign in and where the first admin password will appear (auth prints it on this terminal)."""
    s = settings_mod.Settings.from_env()
    application = create_app(s)
    url = f"http://127.0.0.1:{port}"
    print(f"SeaStat running on {url}", flush=True)
    if s.mode == "internal" and s.auth:
        print(f"Sign in at {url}/auth/login. On the first start (no accounts yet) opening that page makes an "
              "account 'admin' and prints its password HERE, once; add others with: python -m store adduser",
              flush=True)
    application.run(host="127.0.0.1", port=port, debug=False)


if __name__ == "__main__":
    main()
