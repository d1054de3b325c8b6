"""What page and callback code asks: who is signed in, and may they do this?

Roles (store.users): viewer = read; analyst = + download; editor = + write_ledger;
admin = + manage_users. The check is made on the server in the callback itself:

    user = auth.require("write_ledger")   # raises Forbidden (HTTP 403) when not allowed
    author = user.username if user else settings.author

Apps without sign-in: the internal app with SEASTAT_AUTH=off (local demo, tests) allows every
action and has no current user; the public app allows read and download only.
"""
from __future__ import annotations

import flask
from dash import html
from werkzeug.exceptions import Forbidden as _HTTPForbidden
from werkzeug.exceptions import Unauthorized

from auth import sessions
from auth.state import state
from store.users import role_allows

PUBLIC_ACTIONS = ("read", "download")


class Forbidden(_HTTPForbidden):
    """The signed-in user's role does not allow the action (HTTP 403; the message is one line)."""


def current_user():
    """The signed-in store.User, or None when nobody is (or the app has no sign-in)."""
    st = state()
    if st is None or not flask.has_request_context():
        return None
    return sessions.session_user(st)


def allowed(action: str) -> bool:
    """Whether this request may do `action` (for showing or hiding a button; enforce with require)."""
    try:
        require(action)
    except (Forbidden, Unauthorized):
        return False
    return True


def require(action: str):
    """The signed-in user if their role allows `action`; raises Forbidden (or Unauthorized) otherwise.

    An unknown action name is a programming error: ValueError.
    """
    role_allows("admin", action)  # raises ValueError for an action that does not exist
    st = state()
    if st is None:
        from components.engine_access import SETTINGS_KEY

        s = flask.current_app.config.get(SETTINGS_KEY) if flask.has_app_context() else None
        if s is not None and s.mode == "public" and action not in PUBLIC_ACTIONS:
            raise Forbidden(f"the public site is read-only: it cannot {action.replace('_', ' ')}")
        return None
    user = current_user()
    if user is None:
        raise Unauthorized("sign-in required")
    if not user.can(action):
        raise Forbidden(f"{user.username} is a{'n' if user.role[0] in 'aeiou' else ''} {user.role}, "
                        f"who may not {action.replace('_', ' ')}")
    return user


def user_menu() -> html.Div | None:
    """'Signed in as ... (role) · Sign out' for the top bar; None when nobody is signed in."""
    user = current_user()
    if user is None:
        return None
    return html.Div([
        html.Span(["Signed in as ", html.Strong(user.display_name), f" ({user.role})"], id="auth-user"),
        " · ",
        html.A("Sign out", href="/auth/logout", id="auth-signout-link", className="link-light"),
    ], className="small text-white")  # the top bar is dark
