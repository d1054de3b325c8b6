"""The signed-in session: who it is, when it started, and the CSRF token bound to it.

Flask's signed cookie session holds `user`, `since` (sign-in time, epoch seconds) and `csrf`.
The user is looked up in the store on every request, so disabling an account, changing its
role or its password takes effect at once (a change made after `since` ends the session).
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


def sign_in(username: str) -> None:
    """A fresh session for `username`: nothing of the anonymous one (its token included) is kept."""
    flask.session.clear()
    flask.session["user"] = username
    flask.session["since"] = time.time()
    flask.session["csrf"] = secrets.token_urlsafe(32)
    flask.session.permanent = True


def sign_out() -> None:
    flask.session.clear()


def session_user(st: AuthState):
    """The store.User this request is signed in as, or None; cached for the request."""
    if "seastat_user" in flask.g:
        return flask.g.seastat_user
    user = _header_user(st) if st.header else _cookie_user(st)
    flask.g.seastat_user = user
    return user


def _cookie_user(st: AuthState):
    name, since = flask.session.get("user"), flask.session.get("since")
    if not name or not isinstance(since, (int, float)):
        return None
    user = st.users().find(name)
    expired = time.time() - since > SESSION_HOURS * 3600
    if user is None or not user.active or expired or user.updated_at.timestamp() > since:
        sign_out()
        return None
    return user


def _header_user(st: AuthState):
    """Single sign-on: the proxy names the user in the trusted header on every request."""
    name = flask.request.headers.get(st.header, "").strip()
    if not name:
        return None
    user = st.users().find(name)
    if user is None or not user.active:
        flask.g.seastat_refusal = (f"{st.header} names {name[:64]!r}, who has no active SeaStat account; "
                                   f"an admin adds it with: python -m store adduser NAME --role viewer --sso")
        return None
    if flask.session.get("user") != user.username:  # a new person behind the proxy: a new session and token
        sign_in(user.username)
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
