"""The sign-in and sign-out pages and the health check: plain Flask routes, server-rendered HTML.

They work before any Dash script loads (and without JavaScript), use only assets/bootstrap.min.css,
and keep no data on the page. The forms carry the session's CSRF token; `next` only ever leads
back to a path on this site (no open redirect).
"""
from __future__ import annotations

import functools
import logging
import secrets
import sys
from urllib.parse import urlsplit

import flask
from markupsafe import escape

from auth import sessions
from auth.gate import served_by_dev_server
from auth.state import state
from store.errors import StoreError

blueprint = flask.Blueprint("seastat_auth", __name__)
log = logging.getLogger("seastat.auth")
FIRST_ADMIN = "admin"


def _store_errors(view):
    """The users store cannot be opened (a bad SEASTAT_LEDGER): one line on the page, nothing else."""
    @functools.wraps(view)
    def wrapped():
        try:
            return view(state())
        except StoreError as exc:
            return page("Sign in", f"<p class='alert alert-danger' role='alert' id='auth-error'>Sign-in is "
                                   f"unavailable: {escape(str(exc).splitlines()[0])}</p>", 503)
    return wrapped


@blueprint.route("/auth/login", methods=["GET", "POST"])
@_store_errors
def login(st):
    nxt = safe_next(flask.request.values.get("next"))
    if st.header:
        if sessions.session_user(st) is not None:
            return flask.redirect(nxt)
        reason = flask.g.get("seastat_refusal")
        text = reason or f"Sign in through the city's single sign-on (the proxy sets {st.header})."
        return page("Sign in", f"<p class='alert alert-warning' role='alert' id='auth-error'>{escape(text)}</p>",
                    403 if reason else 401)
    if flask.request.method == "GET":
        if sessions.session_user(st) is not None:
            return flask.redirect(nxt)
        _first_start(st)
        return login_form(st, nxt)
    if not sessions.csrf_ok():
        return login_form(st, nxt, "The sign-in form had expired; please sign in again.", status=400)
    username = flask.request.form.get("username", "")
    # The throttle's key: printable characters only (PostgreSQL refuses a NUL in text), 64 at most.
    key = "".join(c for c in username.strip().lower() if c.isprintable())[:64]
    wait = st.throttle.wait_seconds(key)
    if wait:
        log.warning("sign-in throttled for %r", key)
        return login_form(st, nxt, f"Too many wrong passwords for this username: try again in "
                                   f"{(wait + 59) // 60} minute(s).", username=username, status=429)
    user = st.users().authenticate(username, flask.request.form.get("password", ""))
    if user is None:
        st.throttle.failed(key)
        log.info("sign-in refused for %r", key)
        return login_form(st, nxt, "Wrong username or password.", username=username, status=401)
    st.throttle.succeeded(key)
    sessions.sign_in(st, user.username)
    log.info("signed in: %s (%s)", user.username, user.role)
    return flask.redirect(nxt)


@blueprint.route("/auth/logout", methods=["GET", "POST"])
@_store_errors
def logout(st):
    if flask.request.method == "POST" and sessions.csrf_ok():
        sessions.sign_out(st)
        body = "<p role='status'>You are signed out.</p>"
        if not st.header:
            body += f"<p><a class='btn btn-primary' href='{flask.url_for('seastat_auth.login')}'>Sign in again</a></p>"
        return page("Signed out", body)
    user = sessions.session_user(st)
    if user is None:
        return flask.redirect(flask.url_for("seastat_auth.login"))
    body = (f"<p>Signed in as <strong>{escape(user.display_name)}</strong> ({escape(user.role)}).</p>"
            f"<form method='post' action='{flask.url_for('seastat_auth.logout')}'>"
            f"<input type='hidden' name='{sessions.CSRF_FIELD}' value='{escape(sessions.csrf_token())}'>"
            "<button class='btn btn-primary' type='submit' id='auth-signout'>Sign out</button> "
            "<a class='btn btn-link' href='/'>Back to SeaStat</a></form>")
    return page("Sign out", body)


def login_form(st, nxt: str, error: str = "", username: str = "", status: int = 200):
    notice = ""
    if error:
        notice = f"<p class='alert alert-danger' role='alert' id='auth-error'>{escape(error)}</p>"
    elif st.first_start_admin:
        notice = ("<p class='alert alert-info' role='status' id='auth-first-start'>First start: an account "
                  f"<strong>{FIRST_ADMIN}</strong> was made, and its password printed in the terminal that runs "
                  "the app. Change it with <code>python -m store passwd admin</code>.</p>")
    elif served_by_dev_server(flask.request.environ) and flask.request.environ.get("SERVER_SOFTWARE"):
        # `make run` again after the first start: the password was printed then, not now.
        notice = ("<p class='small text-body-secondary' id='auth-local-hint'>Running SeaStat locally "
                  f"(<code>make run</code>)? The first start printed the password of <strong>{FIRST_ADMIN}"
                  "</strong> in its terminal. Lost it? Set a new one with "
                  "<code>python -m store passwd admin</code>.</p>")
    body = (f"{notice}<form method='post' action='{flask.url_for('seastat_auth.login')}' id='auth-form'>"
            f"<input type='hidden' name='{sessions.CSRF_FIELD}' value='{escape(sessions.csrf_token())}'>"
            f"<input type='hidden' name='next' value='{escape(nxt)}'>"
            "<div class='mb-3'><label class='form-label' for='auth-username'>Username</label>"
            f"<input class='form-control' id='auth-username' name='username' value='{escape(username)}' "
            "autocomplete='username' autocapitalize='none' spellcheck='false' required autofocus></div>"
            "<div class='mb-3'><label class='form-label' for='auth-password'>Password</label>"
            "<input class='form-control' id='auth-password' name='password' type='password' "
            "autocomplete='current-password' required></div>"
            "<button class='btn btn-primary' type='submit' id='auth-submit'>Sign in</button></form>")
    return page("Sign in", body, status)


def page(title: str, body: str, status: int = 200):
    st = state()
    html = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{escape(title)} · SeaStat</title><link rel='stylesheet' href='{escape(st.login_css)}'></head>"
            "<body class='bg-light'><main class='container py-5' style='max-width: 26rem'>"
            f"<h1 class='h3 mb-4'>{escape(title)} · SeaStat</h1>{body}</main></body></html>")
    response = flask.Response(html, status=status, mimetype="text/html")
    response.headers.update({"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                             "Referrer-Policy": "same-origin", "X-Content-Type-Options": "nosniff"})
    return response


def safe_next(value) -> str:
    """`next` if it is a path on this site, else "/": never another host, scheme or the auth pages."""
    if (not isinstance(value, str) or not value.startswith("/") or value.startswith("//") or "\\" in value
            or any(ord(c) < 32 or ord(c) == 127 for c in value) or len(value) > 2000):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith("/auth/"):
        return "/"
    return value


def _first_start(st) -> None:
    """`make run` on a fresh clone: no account exists yet, so make an admin and print its password
    once on the terminal. Only under the development server; a deployment adds users itself."""
    if st.first_start_admin or not served_by_dev_server(flask.request.environ) \
            or not flask.request.environ.get("SERVER_SOFTWARE"):
        return
    with st.first_start_lock:
        users = st.users()
        if st.first_start_admin or users.list_users():
            return
        password = secrets.token_urlsafe(12)
        users.add_user(FIRST_ADMIN, "admin", password, display_name="Administrator")
        st.first_start_admin = True
    print(f"SeaStat: no accounts yet, so made '{FIRST_ADMIN}' (role admin) with password {password} "
          f"(shown once; change it with: python -m store passwd {FIRST_ADMIN})", file=sys.stderr, flush=True)
