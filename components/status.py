"""Status shown as icon + words (never colour alone), the same on every page.

Four things a measure can say that are not a judgement against a target, and must never read
alike: a value with no target ("No target": fire calls 9,873 are a fact, not a gap), not covered
by the loaded data ("Not covered": the loaded files cannot answer it, so no number, not even 0),
and no data for this period ("No data").
"""
from __future__ import annotations

from dash import html

# status -> (icon, words, bootstrap colour). The icon and words carry the meaning; colour only helps.
STATUS = {
    "on_track": ("\u2714", "On track", "success"),
    "at_risk": ("\u26a0", "At risk", "warning"),
    "off_track": ("\u2716", "Off track", "danger"),
    "no_target": ("\u25cb", "No target", "info"),
    "not_covered": ("\u2205", "Not covered", "dark"),
    "no_data": ("\u2014", "No data", "secondary"),
}
ORDER = ("on_track", "at_risk", "off_track", "no_target", "not_covered", "no_data")
JUDGED = ("off_track", "at_risk", "on_track")  # worst first: the statuses that compare with a target
DARK_TEXT = ("warning", "info")


def status_words(status: str | None) -> str:
    return STATUS.get(status or "no_data", STATUS["no_data"])[1]


def combined_status(statuses) -> str:
    """A goal's status from its measures': the worst judged one; else 'no_target' when some
    measure has a value without a target, 'not_covered' when the loaded data cover none, and
    'no_data' only when there is truly nothing for the period."""
    statuses = list(statuses)
    for s in (*JUDGED, "no_target", "no_data"):
        if s in statuses:
            return s
    return "not_covered" if statuses and all(s == "not_covered" for s in statuses) else "no_data"


def status_badge(status: str | None, id=None) -> html.Span:
    icon, words, colour = STATUS.get(status or "no_data", STATUS["no_data"])
    text_class = "text-dark" if colour in DARK_TEXT else ""
    kwargs = {"id": id} if id else {}
    return html.Span(
        [html.Span(icon, **{"aria-hidden": "true"}, className="me-1"), words],
        className=f"badge rounded-pill bg-{colour} {text_class} status-badge status-{status or 'no_data'}",
        **kwargs,
    )
