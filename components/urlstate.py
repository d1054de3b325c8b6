"""Filters live in the URL's query string, so a copied link reproduces the view and back/forward work.

`parse()` turns the query a page receives into a checked `View` plus a list of problems in words
(unknown area, malformed date ...); `to_search()` is its inverse. Every value is checked against
a list the engine gave (layers, areas, categories, groups) before it reaches the engine.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

PERIOD_KINDS = ("meeting", "7d", "28d", "ytd", "custom")
PERIOD_LABELS = {"meeting": "Since the last meeting", "7d": "Last 7 days", "28d": "Last 28 days",
                 "ytd": "Year to date", "custom": "Custom dates"}
DEFAULT_PERIOD = "28d"


@dataclass(frozen=True)
class View:
    period: str = DEFAULT_PERIOD
    start: dt.date | None = None
    end: dt.date | None = None
    layer: str | None = None
    areas: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    group_field: str | None = None
    group_value: str | None = None
    by: str | None = None          # the demographic field a breakdown is shown by
    measure: str | None = None     # the measure a page shows, where the page lets you pick one
    extra: dict = field(default_factory=dict, compare=False)

    def with_(self, **changes) -> "View":
        return replace(self, **changes)


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if str(v) != ""]
    return [str(value)] if str(value) != "" else []


def _one(value) -> str | None:
    values = _as_list(value)
    return values[-1] if values else None


def parse_date(text: str, name: str, problems: list[str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        problems.append(f"{name}: {text!r} is not a date like 2024-05-31")
        return None


def parse(query: dict, *, layers=(), areas_of=None, categories=(), groups=(), default_layer=None,
          fields=(), measures=(), default_measure=None) -> tuple[View, list[str]]:
    """Check a page's query parameters. `areas_of(layer)` returns the area ids a layer has."""
    problems: list[str] = []
    measure = _one(query.get("measure")) or default_measure
    if measure is not None and measures and measure not in measures:
        problems.append(f"measure: {measure!r} is not a measure this page can show")
        measure = default_measure
    by = _one(query.get("by"))
    if by is not None and by not in fields:
        problems.append(f"by: {by!r} is not one of {', '.join(fields) or 'no breakdown fields'}")
        by = None
    period = _one(query.get("period")) or DEFAULT_PERIOD
    if period not in PERIOD_KINDS:
        problems.append(f"period: {period!r} is not one of {', '.join(PERIOD_KINDS)}")
        period = DEFAULT_PERIOD
    start = end = None
    if _one(query.get("start")):
        start = parse_date(_one(query.get("start")), "start", problems)
    if _one(query.get("end")):
        end = parse_date(_one(query.get("end")), "end", problems)
    if period == "custom" and (start is None or end is None) and not problems:
        problems.append("period: custom needs both start and end dates")
    if start and end and start > end:
        problems.append(f"start {start.isoformat()} is after end {end.isoformat()}")

    layer = _one(query.get("layer")) or default_layer
    if layer is not None and layer not in layers:
        problems.append(f"layer: {layer!r} is not one of {', '.join(layers) or 'no layers'}")
        layer = default_layer if default_layer in layers else None
    areas = _as_list(query.get("area"))
    if areas:
        known = set(areas_of(layer)) if (layer and areas_of) else set()
        unknown = [a for a in areas if a not in known]
        for a in unknown:
            problems.append(f"area: {a!r} is not an area of layer {layer or '(none)'}")
        areas = [a for a in areas if a in known]

    cats = _as_list(query.get("category"))
    unknown_cats = [c for c in cats if c not in set(categories)]
    for c in unknown_cats:
        problems.append(f"category: {c!r} is not a category of this measure")
    cats = [c for c in cats if c in set(categories)]

    group_field = _one(query.get("group"))
    if group_field is not None and group_field not in groups:
        problems.append(f"group: {group_field!r} is not one of {', '.join(groups) or 'no groups'}")
        group_field = None
    group_value = _one(query.get("value")) if group_field else None

    view = View(period=period, start=start, end=end, layer=layer, areas=tuple(dict.fromkeys(areas)),
                categories=tuple(dict.fromkeys(cats)), group_field=group_field, group_value=group_value,
                by=by, measure=measure)
    return view, problems


def to_search(view: View, default_layer=None, default_measure=None) -> str:
    """'?period=28d&layer=mcpp&area=A&area=B' (only what differs from the defaults)."""
    pairs: list[tuple[str, str]] = []
    if view.measure and view.measure != default_measure:
        pairs.append(("measure", view.measure))
    if view.period != DEFAULT_PERIOD:
        pairs.append(("period", view.period))
    if view.period == "custom" and view.start:
        pairs.append(("start", view.start.isoformat()))
    if view.end:  # custom's last day, or where another kind ends ("jump to the latest data")
        pairs.append(("end", view.end.isoformat()))
    if view.layer and view.layer != default_layer:
        pairs.append(("layer", view.layer))
    pairs += [("area", a) for a in view.areas]
    pairs += [("category", c) for c in view.categories]
    if view.group_field:
        pairs.append(("group", view.group_field))
        if view.group_value:
            pairs.append(("value", view.group_value))
    if view.by:
        pairs.append(("by", view.by))
    return ("?" + urlencode(pairs)) if pairs else ""
