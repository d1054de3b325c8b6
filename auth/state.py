"""What sign-in keeps per app: its settings, the way to the users, sessions and wrong-password
counts (all in the app's one store, opened on first use by components/store_access), and whether
the app may only run under the development server.

Kept on the Flask app (config[STATE_KEY]) rather than in module globals, so a test process can
build an internal app with sign-in and another without it side by side.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

import flask

from auth.throttle import Throttle
from settings import Settings

STATE_KEY = "SEASTAT_AUTH_STATE"


@dataclass
class AuthState:
    settings: Settings
    header: str                 # trusted identity header, "" when local passwords are used
    dev_server_only: str        # "" or why only Flask's development server may serve this app
    login_css: str              # URL of the Bootstrap CSS the sign-in page uses
    first_start_admin: bool = False  # this process made the first admin account (shown on the sign-in page)
    first_start_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    throttle: Throttle = field(default=None, repr=False)  # wrong passwords per username, in the store

    def __post_init__(self):
        if self.throttle is None:
            self.throttle = Throttle(_store)

    def users(self):
        """store.Users on the app's store (SEASTAT_LEDGER), the one the ledger pages use."""
        from store import Users

        return Users(_store())

    def sessions(self):
        """store.Sessions on the same store: sign-out ends a session on every worker."""
        from store.sessions import Sessions

        return Sessions(_store())


def _store():
    from components.store_access import get_store

    return get_store()


def state() -> AuthState | None:
    """This app's sign-in state, or None when the app has no sign-in (public mode, SEASTAT_AUTH=off)."""
    if not flask.has_app_context():
        return None
    return flask.current_app.config.get(STATE_KEY)
