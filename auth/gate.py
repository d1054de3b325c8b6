"""The check in front of every route of the internal app (a Flask before_request hook).

Everything Dash serves (pages, /_dash-layout, /_dash-dependencies, /_dash-update-component,
component bundles, assets, downloads) needs a signed-in user, except the sign-in and sign-out
pages, the one stylesheet they use and the health check. Refusals never carry data:
- a page a browser navigates to (a GET outside Dash's own /_dash... routes and /assets/)
  is redirected to the sign-in page, which comes back to it afterwards;
- anything else (Dash's XHRs and callbacks, other methods) gets 401 JSON with a header that
  assets/auth_session.js follows to the sign-in page.
A request that changes something (any method but GET / HEAD / OPTIONS) must also carry the
session's CSRF token (auth/sessions.py), or it is refused with 403.
"""
from __future__ import annotations

from urllib.parse import quote

import flask

from auth import sessions
from auth.state import state
from store.errors import StoreError

# /unsubscribe: the digest's one-click link; its signed token is the credential (ops/unsubscribe.py)
# /metrics: answers only the addresses in SEASTAT_METRICS_FROM (ops/metrics.py)
OPEN_PATHS = ("/auth/login", "/auth/logout", "/healthz", "/unsubscribe", "/metrics")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
DASH_INTERNAL = ("/_dash-", "/_reload-hash", "/_favicon.ico", "/assets/", "/static/")
SIGNIN_HEADER = "X-SeaStat-Signin"


def check():
    st = state()
    if st is None:
        return None
    req = flask.request
    if st.dev_server_only and not served_by_dev_server(req.environ):
        return problem(f"{st.dev_server_only}: set SEASTAT_SECRET_KEY (and leave SEASTAT_AUTH on) "
                       f"to serve the internal site with {req.environ.get('SERVER_SOFTWARE')}", 500)
    if req.path in OPEN_PATHS or req.path == st.login_css:
        return None
    try:
        user = sessions.session_user(st)
    except StoreError as exc:  # e.g. a SEASTAT_LEDGER that cannot be opened: say so, in one line
        return problem(f"sign-in is unavailable: {str(exc).splitlines()[0]}", 503)
    if user is None:
        return refuse(st)
    if req.method not in SAFE_METHODS and not sessions.csrf_ok():
        return problem("this request has no valid CSRF token (X-CSRFToken header); reload the page", 403)
    return None


def served_by_dev_server(environ) -> bool:
    """Flask's development server (`python app.py`) says so in SERVER_SOFTWARE; gunicorn and other
    servers name themselves. Flask's test client sets nothing."""
    software = environ.get("SERVER_SOFTWARE", "")
    return software == "" or software.startswith("Werkzeug/")


def refuse(st):
    req = flask.request
    login = flask.url_for("seastat_auth.login")
    reason = flask.g.get("seastat_refusal")
    if req.method == "GET" and not req.path.startswith(DASH_INTERNAL):  # the sign-in page says why
        here = req.full_path if req.query_string else req.path
        return flask.redirect(f"{login}?next={quote(here, safe='/')}", 302)
    response = problem(reason or "sign-in required", 403 if reason else 401)
    response.headers[SIGNIN_HEADER] = login
    return response


def problem(message: str, status: int):
    """A refusal as one line of JSON, never with data."""
    response = flask.jsonify(error=message)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
