"""The signed-in session: who it is, when it started, and the CSRF token bound to it.

Flask's signed cookie session holds `user`, `sid` (the session's random token), `since` and
`csrf`. The session itself is a row in the store (store/sessions.py), looked up with its user on
every request: sign-out deletes the row, so a cookie copied before sign-out is refused on every
worker; a password change, a role change or disabling the account deletes all the user's rows.
A session ends 8 hours after sign-in whatever the activity (SESSION_HOURS).

CSRF: the token lives in the session and is copied into a readable cookie `_csrf_token`; Dash's
renderer sends that cookie's value as the `X-CSRFToken` header on every callback (dash-renderer
getCSRFHeader), and the sign-in form carries it as a hidden field. A write is accepted only when
the header / field equals the token in the signed session: another site can neither read the
cookie nor forge the session, so it cannot make a valid write.
"""
from __future__ import annotations

import hmac
import secrets
import time
from datetime import timedelta
from urllib.parse import urlsplit

import flask
from flask.sessions import SecureCookieSessionInterface

from auth.state import AuthState

SESSION_HOURS = 8
SESSION_COOKIE = "seastat_session"
CSRF_COOKIE = "_csrf_token"     # the name dash-renderer reads
CSRF_HEADER = "X-CSRFToken"     # the header dash-renderer sends
CSRF_FIELD = "csrf_token"       # the sign-in / sign-out forms' hidden field
LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def configure(server: flask.Flask, secure_cookies: str) -> None:
    server.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        SESSION_REFRESH_EACH_REQUEST=False,  # the 8 hours run from sign-in: no need to re-send the cookie
    )
    server.session_interface = CookieSessions(secure_cookies)
    server.after_request(_csrf_cookie)


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie session whose Secure flag follows SEASTAT_SECURE_COOKIES."""

    def __init__(self, secure_cookies: str):
        self.secure_cookies = secure_cookies

    def get_cookie_secure(self, app) -> bool:
        return cookies_secure(self.secure_cookies)


def cookies_secure(mode: str) -> bool:
    """on / off as set; auto: Secure unless the browser reached us at http://localhost or 127.0.0.1
    (a browser drops a Secure cookie sent over plain http, so local use could never sign in)."""
    if mode != "auto":
        return mode == "on"
    req = flask.request
    return not (req.scheme == "http" and urlsplit("//" + req.host).hostname in LOOPBACK)


def csrf_token() -> str:
    """The session's CSRF token, made on first use."""
    token = flask.session.get("csrf")
    if not token:
        token = flask.session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_ok() -> bool:
    """Whether this request carries the session's CSRF token (header for Dash, field for forms)."""
    expected = flask.session.get("csrf")
    sent = flask.request.headers.get(CSRF_HEADER) or flask.request.form.get(CSRF_FIELD) or ""
    return bool(expected) and hmac.compare_digest(str(sent), str(expected))


def sign_in(st: AuthState, username: str) -> None:
    """A fresh session for `username`: a new row in the store (its token in the cookie) and a new
    CSRF token; nothing of the anonymous session (its token included) is kept."""
    token = st.sessions().start(username, timedelta(hours=SESSION_HOURS))
    _fresh(username, sid=token)


def _fresh(username: str, **extra) -> None:
    flask.session.clear()
    flask.session.update(user=username, since=time.time(), csrf=secrets.token_urlsafe(32), **extra)
    flask.session.permanent = True


def sign_out(st: AuthState | None = None) -> None:
    """End this browser's session: its row in the store goes, so a copy of the cookie made before
    is refused on every worker; then the cookie itself is cleared."""
    sid = flask.session.get("sid")
    if st is not None and sid:
        st.sessions().end(sid)
    flask.session.clear()


def session_user(st: AuthState):
    """The store.User this request is signed in as, or None; cached for the request."""
    if "seastat_user" in flask.g:
        return flask.g.seastat_user
    user = _header_user(st) if st.header else _cookie_user(st)
    flask.g.seastat_user = user
    return user


def _cookie_user(st: AuthState):
    """The session's row in the store decides: gone (signed out, password changed, disabled) or
    expired means signed out, whatever the cookie says."""
    name, sid = flask.session.get("user"), flask.session.get("sid")
    if not name or not sid:
        if name:  # a cookie from before sessions were kept in the store: sign in again
            flask.session.clear()
        return None
    found = st.sessions().user(sid)
    user = found[0] if found else None
    if user is None or user.username != name or not user.active or user.updated_at > found[1]:
        flask.session.clear()
        return None
    return user


def _header_user(st: AuthState):
    """Single sign-on: the proxy names the user in the trusted header on every request.

    The header counts only when the request comes straight from one of the trusted proxies
    (SEASTAT_TRUSTED_PROXIES, matched against the TCP peer, REMOTE_ADDR), and it can only name a
    single-sign-on account (no local password): a header can never become `admin`."""
    name = flask.request.headers.get(st.header, "").strip()
    if not name:
        return None
    peer = flask.request.remote_addr or ""
    if not st.settings.proxy_trusted(peer):
        flask.g.seastat_refusal = (f"{st.header} came from {peer[:64] or 'an unknown address'}, which is not a "
                                   "trusted proxy (SEASTAT_TRUSTED_PROXIES); sign in through the city's single sign-on")
        return None
    user = st.users().find(name)
    if user is None or not user.active:
        flask.g.seastat_refusal = (f"{st.header} names {name[:64]!r}, who has no active SeaStat account; "
                                   f"an admin adds it with: python -m store adduser NAME --role viewer --sso")
        return None
    if user.has_password:
        flask.g.seastat_refusal = (f"{st.header} names {user.username!r}, a local-password account; single sign-on "
                                   "only signs in accounts made with: python -m store adduser NAME --sso")
        return None
    if flask.session.get("user") != user.username:  # a new person behind the proxy: a new session and token
        _fresh(user.username)
    return user


def _csrf_cookie(response: flask.Response) -> flask.Response:
    """Keep the readable `_csrf_token` cookie equal to the session's token (or gone without one)."""
    token = flask.session.get("csrf") if flask.has_request_context() else None
    sent = flask.request.cookies.get(CSRF_COOKIE)
    if token and sent != token:
        response.set_cookie(CSRF_COOKIE, token, secure=cookies_secure(flask.current_app.session_interface.secure_cookies),
                            httponly=False, samesite="Lax", path="/")
    elif not token and sent:
        response.delete_cookie(CSRF_COOKIE, path="/")
    return response
