"""`/unsubscribe?t=TOKEN`: the digest's one-click unsubscribe, without signing in.

The token is the subscriber's address signed with SEASTAT_SECRET_KEY (ops/digest.py), so only a
link the app sent works, and it can only remove that address. GET shows a button (mail scanners
fetch links, and a GET must not unsubscribe anyone); POST unsubscribes: from the button, or from
the mail client's own unsubscribe button (RFC 8058 `List-Unsubscribe=One-Click`). The path is
open in the sign-in gate (auth/gate.py OPEN_PATHS); nothing else is served here.
"""
from __future__ import annotations

import flask
from markupsafe import escape

blueprint = flask.Blueprint("seastat_unsubscribe", __name__)


def _page(title: str, body: str, status: int = 200):
    html = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{escape(title)} · SeaStat</title></head><body><main>"
            f"<h1>{escape(title)}</h1>{body}</main></body></html>")
    response = flask.Response(html, status=status, mimetype="text/html")
    response.headers.update({"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
                             "X-Content-Type-Options": "nosniff"})
    return response


def _address(token: str) -> str | None:
    from itsdangerous import BadSignature

    from components.engine_access import settings
    from ops.digest import signer

    try:
        value = signer(settings().secret_key).loads(token)
    except (BadSignature, ValueError):
        return None
    return value if isinstance(value, str) else None


@blueprint.route("/unsubscribe", methods=["GET", "POST"])
def unsubscribe():
    token = flask.request.args.get("t") or flask.request.form.get("t") or ""
    email = _address(token)
    if email is None:
        return _page("Unsubscribe", "<p role='alert'>This unsubscribe link is not valid (it may have been cut "
                                    "short by the mail program). Open it again from the digest email.</p>", 400)
    if flask.request.method == "GET":
        return _page("Unsubscribe", f"<p>Stop sending SeaStat digests to <strong>{escape(email)}</strong>?</p>"
                     f"<form method='post' action='/unsubscribe?t={escape(token)}'>"
                     "<button type='submit'>Unsubscribe</button></form>")
    from components.store_access import get_store
    from store.subscriptions import Subscriptions

    Subscriptions(get_store()).remove_all(email)
    return _page("Unsubscribed", f"<p role='status'>{escape(email)} gets no more SeaStat digests. "
                                 "Subscribe again from SeaStat at any time.</p>")
