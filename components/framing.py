"""Who may show SeaStat inside a frame: nobody for the internal site, and for the public site only
the origins the city lists (SEASTAT_PUBLIC_FRAME_ANCESTORS, e.g. its own web site), else nobody.

Framing the internal site would let another page overlay it and trick a signed-in user into
clicks (clickjacking a ledger edit), so every internal response (pages, sign-in, assets, Dash's
routes, refusals) carries `X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`. The public
site shows only published numbers and has nothing to click that writes, so a city may embed it;
X-Frame-Options cannot name an origin, so with a list the CSP header alone says who may.
One after_request hook set in create_app for both modes.
"""
from __future__ import annotations

import flask

from settings import Settings


def install(server: flask.Flask, s: Settings) -> None:
    allowed = s.public_frame_ancestors if s.mode == "public" else ()
    csp = "frame-ancestors " + (" ".join(allowed) if allowed else "'none'")

    def add_headers(response: flask.Response) -> flask.Response:
        response.headers["Content-Security-Policy"] = csp
        if allowed:
            response.headers.pop("X-Frame-Options", None)
        else:
            response.headers["X-Frame-Options"] = "DENY"
        return response

    server.after_request(add_headers)
