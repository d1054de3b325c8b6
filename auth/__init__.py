"""Sign-in for the internal site: every page and callback needs a signed-in user with a role.

    import auth
    auth.install(app, settings)        # in create_app, internal mode only
    user = auth.current_user()         # store.User or None (no sign-in on this app)
    user = auth.require("write_ledger")  # in a callback that writes: refuses (403) anyone not allowed

Why a package of its own: the rules (who is signed in, which requests need a CSRF token, what a
role may do) must be enforced on the server for every route Dash has, not page by page.
auth/README.md describes the settings, the cookies, CSRF and the single sign-on header.
Nothing here reads data at import time: the users store is opened on the first request.
"""
from auth.install import install
from auth.roles import Forbidden, allowed, current_user, require, user_menu

__all__ = ["install", "current_user", "require", "allowed", "Forbidden", "user_menu"]
