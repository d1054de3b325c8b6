"""Status shown as icon + words (never colour alone), the same on every page."""
from __future__ import annotations

from dash import html

# status -> (icon, words, bootstrap colour). The icon and words carry the meaning; colour only helps.
STATUS = {
    "on_track": ("\u2714", "On track", "success"),
    "at_risk": ("\u26a0", "At risk", "warning"),
    "off_track": ("\u2716", "Off track", "danger"),
    "no_data": ("\u2014", "No data", "secondary"),
}
ORDER = ("on_track", "at_risk", "off_track", "no_data")


def status_words(status: str | None) -> str:
    return STATUS.get(status or "no_data", STATUS["no_data"])[1]


def status_badge(status: str | None, id=None) -> html.Span:
    icon, words, colour = STATUS.get(status or "no_data", STATUS["no_data"])
    text_class = "text-dark" if colour == "warning" else ""
    kwargs = {"id": id} if id else {}
    return html.Span(
        [html.Span(icon, **{"aria-hidden": "true"}, className="me-1"), words],
        className=f"badge rounded-pill bg-{colour} {text_class} status-badge status-{status or 'no_data'}",
        **kwargs,
    )
