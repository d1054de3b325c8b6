"""`install(app, settings)`: put sign-in in front of an internal Dash app.

The secret key signs the session cookie. It comes from SEASTAT_SECRET_KEY; without one, a random
key is made for this process, which is fine for `python app.py` on a laptop but means sessions
end on every restart and differ between workers. So "production" is any server other than
Flask's development server: under gunicorn the app refuses to start without a key (or with
SEASTAT_AUTH=off), and under any other server each request is refused with a one-line 500.
"""
from __future__ import annotations

import logging
import re
import secrets
import sys

import dash

from auth import gate, sessions, views
from auth.state import STATE_KEY, AuthState
from settings import Settings, SettingsError

MIN_KEY_CHARS = 32
_HEADER = re.compile(r"^[A-Za-z0-9-]{1,64}$")
log = logging.getLogger("seastat.auth")


def install(app: dash.Dash, s: Settings) -> None:
    """Require sign-in for every route of `app` (s.auth), or, with SEASTAT_AUTH=off, only check
    that it is the local development server serving it."""
    server = app.server
    if s.mode != "internal":
        raise SettingsError(f"SEASTAT_MODE={s.mode!r}: sign-in is for the internal site only")
    if not s.auth:
        _refuse_under_gunicorn("SEASTAT_AUTH=off is for a local demo only")
        server.before_request(_dev_server_only)
        return
    header = s.trusted_header
    if header and not _HEADER.match(header):
        raise SettingsError(f"SEASTAT_TRUSTED_HEADER={header!r}: expected a header name such as X-Forwarded-User")
    if header and not s.trusted_proxies:
        raise SettingsError(f"SEASTAT_TRUSTED_HEADER={header} but SEASTAT_TRUSTED_PROXIES is none: nobody could sign "
                            "in; list the proxy's address (e.g. SEASTAT_TRUSTED_PROXIES=10.0.0.5)")
    if s.secret_key:
        if len(s.secret_key) < MIN_KEY_CHARS:
            raise SettingsError(f"SEASTAT_SECRET_KEY: at least {MIN_KEY_CHARS} characters, e.g. the output of "
                                "python -c 'import secrets; print(secrets.token_urlsafe(32))'")
        server.secret_key, dev_only = s.secret_key, ""
    else:
        _refuse_under_gunicorn("SEASTAT_SECRET_KEY is not set")
        server.secret_key, dev_only = secrets.token_urlsafe(32), "SEASTAT_SECRET_KEY is not set"
        log.warning("SEASTAT_SECRET_KEY is not set: using a random key, so sessions end when the app restarts")
    server.config[STATE_KEY] = AuthState(settings=s, header=header, dev_server_only=dev_only,
                                         login_css=app.get_asset_url("bootstrap.min.css"))
    sessions.configure(server, s.secure_cookies)
    server.register_blueprint(views.blueprint)
    # First of all before_request hooks: nothing (not even a data-reading hook) runs for a refused request.
    server.before_request_funcs.setdefault(None, []).insert(0, gate.check)


def _refuse_under_gunicorn(why: str) -> None:
    if "gunicorn" in sys.modules:
        raise SettingsError(f"{why}: refusing to serve the internal site under gunicorn "
                            "(set SEASTAT_SECRET_KEY, keep SEASTAT_AUTH on)")


def _dev_server_only():
    import flask

    if not gate.served_by_dev_server(flask.request.environ):
        return gate.problem("SEASTAT_AUTH=off is for a local demo under python app.py only", 500)
    return None
