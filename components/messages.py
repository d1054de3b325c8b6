"""The friendly messages pages show instead of a traceback or a blank page."""
from __future__ import annotations

from dash import dcc, html

NO_WAREHOUSE = "No warehouse yet: run make run or python -m etl demo"


def no_warehouse() -> html.Div:
    return html.Div(
        [html.H1("No data yet", className="h3"), html.P(NO_WAREHOUSE, className="lead")],
        className="notice mt-3", role="status", id="msg-no-warehouse",
    )


def not_found(what: str, ident: str, back_href: str = "/", back_text: str = "Back to the goals") -> html.Div:
    return html.Div(
        [
            html.H1(f"No such {what}", className="h3"),
            html.P([f"There is no {what} called ", html.Code(str(ident)), "."]),
            dcc.Link(back_text, href=back_href),
        ],
        className="notice mt-3", role="alert", id="msg-not-found",
    )


def no_such_filter(problems: list[str], reset_href: str) -> html.Div:
    return html.Div(
        [
            html.H1("No such filter", className="h3"),
            html.Ul([html.Li(p) for p in problems]),
            dcc.Link("Show the page without these filters", href=reset_href),
        ],
        className="notice mt-3", role="alert", id="msg-no-such-filter",
    )
