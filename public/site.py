"""Public mode wiring: which addresses exist, the page builder both the live app and the static
export call, and `install(app)` that create_app runs when SEASTAT_MODE=public.

Anything that is not a public page, a public API file or Dash's own plumbing answers 404 before
Dash sees it, so internal pages and unpublished measures do not exist in public mode whatever
URL is asked for; Dash callbacks (the page router) go through the same page builder, which
answers "not found" for anything unpublished.
"""
from __future__ import annotations

import re

import flask
from dash import html

from components import plotly_bundle
from public import notes, published, views
from public.i18n import lang_of, localized_hood, localized_index, localized_view, t
from public.links import Links

DASH_PREFIXES = ("/_dash-", "/assets/", "/_favicon.ico", "/_reload-hash", plotly_bundle.ROUTE)
_MEASURE = re.compile(r"^/measure/([a-z0-9_]+)/?$")
_HOOD = re.compile(r"^/neighborhood/([a-z0-9-]+)/?$")


def page(eng, kind: str, ident, lang: str, links: Links, store=None) -> tuple[bool, str, html.Div]:
    """(found, title, tree) for one public page; unknown or unpublished -> not found. With `store`
    (store.Store), a measure page also shows the events and commentary marked public (public/notes.py)."""
    lang = lang_of(lang)
    city = eng.city.name
    here = (kind, ident)
    found, title, body = True, t("site_title", lang, city=city), None
    cat = eng.catalog
    if kind == "home":
        mv = {m.id: localized_view(published.measure(eng, m.id), cat, lang) for m in published.public_measures(eng)}
        body = views.home(lang, links, city, localized_index(published.index(eng), cat, lang), mv)
    elif kind == "measure" and (v := localized_view(published.measure(eng, ident), cat, lang)):
        if store is not None:
            v = dict(v, notes=notes.measure_notes(store, eng.catalog.measures.keys(), v))
        title, body = v["title"], views.measure(lang, links, city, v, published.geometry(eng))
    elif kind == "hoods":
        title, body = t("hood_title", lang), views.hoods(lang, links, published.neighborhoods(eng))
    elif kind == "hood" and (h := published.neighborhood(eng, ident)):
        h = localized_hood(h, cat, lang)
        title, body = h["label"], views.hood(lang, links, h)
    elif kind == "data":
        mv = {m.id: localized_view(published.measure(eng, m.id), cat, lang) for m in published.public_measures(eng)}
        title, body = t("data_title", lang), views.open_data(lang, links, mv)
    if body is None:
        found, title, body, here = False, t("not_found", lang), views.not_found(lang, links), ("home", None)
    return found, title, views.frame(lang, links, city, body, here, demo=bool(eng.is_demo()))


def live(kind: str, ident=None, lang=None) -> html.Div:
    """What a Dash page layout returns (no warehouse -> a plain message, never a traceback)."""
    from components.engine_access import NoWarehouse, get_engine

    lang = lang_of(lang)
    try:
        eng = get_engine()
    except NoWarehouse:
        return html.Div(html.P(t("no_warehouse", lang)), lang=lang)
    store = notes.live_store() if kind == "measure" else None
    return page(eng, kind, ident if isinstance(ident, str) else None, lang, Links(lang), store)[2]


def known_path(eng, path: str) -> bool:
    """True for an address the public site serves (pages with a published id, API, Dash plumbing)."""
    if path in ("/", "/neighborhood", "/neighborhood/", "/open-data", "/open-data/") or path.startswith("/api/v1/"):
        return True
    if path.startswith(DASH_PREFIXES):
        return True
    if m := _MEASURE.match(path):
        return m.group(1) in published.public_ids(eng)
    if m := _HOOD.match(path):
        return any(a["slug"] == m.group(1) for a in published.neighborhoods(eng))
    return False


def well_formed_callback(app, body) -> bool:
    """A callback request names a callback this app has, with the declared inputs and values of
    the right kinds (components/callback_guard.py, the one check both modes use), so a crafted
    payload is a 400, never an error inside Dash."""
    from components.callback_guard import problem

    return problem(app, body) is None


def not_found_response(eng, lang) -> flask.Response:
    """The site's own "not found" page as plain HTML with a real 404 status; it does not echo
    the address asked for (so nothing a visitor sends is reflected back)."""
    from public import static_html

    lang = lang_of(lang)
    _, title, tree = page(eng, "missing", None, lang, Links(lang))
    html_text = static_html.document(tree, title, lang, "/")
    return flask.Response(html_text, status=404, mimetype="text/html")


def install(app) -> None:
    """Public mode: the page container as the whole layout, the API, and the 404 guard."""
    import dash

    from components.engine_access import NoWarehouse, get_engine
    from public import api

    app.layout = html.Div(dash.page_container)
    app.server.register_blueprint(api.blueprint())

    @app.server.route("/favicon.ico")
    def favicon():
        """The icon every public page (and the 404 page) links to, at the address the static
        export puts it, so a browser's icon request is never answered with the 404 page."""
        return flask.send_from_directory(app.config.assets_folder, "favicon.ico", max_age=86400)

    @app.server.before_request
    def only_public():
        path = flask.request.path
        if path == "/_dash-update-component":
            return None if well_formed_callback(app, flask.request.get_json(silent=True)) else flask.abort(400)
        if path.startswith(DASH_PREFIXES) or path.startswith("/api/v1/") or path in ("/healthz", "/favicon.ico"):
            return None
        try:
            eng = get_engine()
        except NoWarehouse:
            return None if path == "/" else flask.abort(404)
        if not known_path(eng, path):
            return not_found_response(eng, flask.request.args.get("lang"))
        return None
