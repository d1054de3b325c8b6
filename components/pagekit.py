"""What every page's layout function does the same way: guard against a missing warehouse or an
unexpected error, draw the period controls, and turn the URL's View into engine arguments.
"""
from __future__ import annotations

import functools
import json
import logging

import dash_bootstrap_components as dbc
import dash
from dash import Input, Output, dcc, html, no_update
from dash.development.base_component import Component

import auth

from components import callback_guard, messages, urlstate
from components.fields import get
from components.engine_access import NoWarehouse, get_engine, page_cache
from components.engine_cache import PageCache

log = logging.getLogger("seastat.pages")
PAGES_LOCATION = "_pages_location"  # dash.page_container's Location: writing its search re-renders the page


def guarded(layout=None, *, cache: bool = True):
    """Wrap a page layout: no warehouse -> the 'run make run' message; any other error -> one line,
    logged. A page built for the same URL, warehouse and user role is served again from PageCache
    (pages show or hide forms and buttons by role, so one role's page must never reach another),
    kept as the JSON tree Dash sends (as_json_tree).
    `@guarded(cache=False)` for a page that changes without the warehouse (the meeting ledger)."""
    if layout is None:
        return functools.partial(guarded, cache=cache)

    @functools.wraps(layout)
    def wrapper(**kwargs):
        try:
            if not cache:
                return layout(**kwargs)
            role = getattr(auth.current_user(), "role", "")
            key = PageCache.key(layout.__module__, get_engine().generation, kwargs, role)
            pages = page_cache()
            page = pages.get(key)
            if page is None:
                page = as_json_tree(layout(**kwargs))
                pages.put(key, page)
            return page
        except NoWarehouse:
            return messages.no_warehouse()
        except Exception as exc:  # never a traceback in the browser
            log.exception("page %s failed", layout.__module__)
            return html.Div([html.H1("This page could not be built", className="h3"),
                             html.P(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")],
                            className="notice notice-error mt-3", role="alert", id="msg-page-error")
    return wrapper


def as_json_tree(page):
    """A rendered page as the plain dicts and lists Dash would send, for the page cache.

    Dash serialises a returned component tree by calling each component's to_plotly_json in
    Python: ~8 ms for the data page's ~1,300 components on every request, even when the page
    came from the cache. Plain dicts go through json's C encoder (~1.5 ms), and the browser gets
    the same bytes: a cached page is converted once, when it is built.

    The conversion walks the tree instead of encoding it to text and parsing that back (a third
    less: 1.25 -> 0.84 ms a page on the 10M demo, paid once per built page): components become
    their to_plotly_json dicts, plain values are copied as JSON carries them (NaN and infinities
    become None, as Dash's encoder makes them null), and anything else (numpy, pandas, dates,
    non-text keys) goes through Dash's own encoder and back, so the tree equals
    json.loads(to_json_plotly(page))."""
    return _plain_json(page)


_INF = float("inf")


def _plain_json(x):
    t = type(x)
    if t is str or t is int or t is bool or x is None:
        return x
    if t is float:
        return x if -_INF < x < _INF else None
    if t is list or t is tuple:
        return [_plain_item(v) for v in x]
    if t is dict:
        out = {}
        for k, v in x.items():
            if type(k) is not str:
                break
            out[k] = _plain_item(v)
        else:
            return out
    elif isinstance(x, Component):
        return _plain_json(x.to_plotly_json())
    from plotly.io.json import to_json_plotly  # the encoder Dash itself uses for responses

    return json.loads(to_json_plotly(x))


def _plain_item(v):
    """_plain_json of one element, with text and finite numbers (most of a page's leaves) inline."""
    t = type(v)
    if t is str or t is int or v is None:
        return v
    if t is float and -_INF < v < _INF:
        return v
    return _plain_json(v)


def tab_title(words: str) -> str:
    """What the browser tab (and a screen reader on page change) says: the page, then the site."""
    return f"{words} · SeaStat"


def catalog_title(kind: str):
    """A register_page title function for /goals/<goal_id> or /measures/<measure_id>: the goal's or
    measure's own title, so tabs and history tell pages apart. Never raises (no warehouse, unknown id)."""
    def title(**path_variables):
        ident = next(iter(path_variables.values()), None)
        try:
            catalog = get_engine().catalog
            if kind == "goal":
                words = get(next((g for g in catalog.goals if get(g, "id") == ident), None), "title")
            else:
                words = get(catalog.measures.get(ident), "title")
        except Exception:  # the page itself says what is wrong
            words = None
        return tab_title(words or (f"No such {kind}" if ident else kind.capitalize()))
    return title


def labelled(label: str, control, id: str, help_text: str | None = None) -> html.Div:
    return html.Div([html.Label(label, htmlFor=id, className="form-label mb-1"), control,
                     *([html.Div(help_text, className="form-text")] if help_text else [])], className="mb-2")


def select(id: str, options, value) -> dbc.Select:
    """A native <select>: keyboard, screen readers and phones all know it (dcc.Dropdown in Dash 4
    puts a focusable element under aria-hidden, which axe reports as serious)."""
    opts = [o if isinstance(o, dict) else {"label": str(o), "value": o} for o in options]
    return dbc.Select(id=id, options=opts, value=value)


def checklist(id: str, label: str, options, value) -> html.Details:
    """Several choices as checkboxes in a collapsible, scrollable box; the summary says how many are on."""
    opts = [o if isinstance(o, dict) else {"label": str(o), "value": o} for o in options]
    chosen = len(value or [])
    return html.Details([
        html.Summary(f"{label}: {chosen} selected" if chosen else f"{label}: all", className="form-label fw-semibold"),
        html.Div(dbc.Checklist(id=id, options=opts, value=list(value or [])), className="checklist-box",
                 role="group", **{"aria-label": label}),
    ], className="mb-2", open=False)


def period_controls(prefix: str, view: urlstate.View) -> list:
    """Period kind plus start/end dates. The dates are shown only while the kind is 'custom'
    (a hidden box is out of the tab order and unread by screen readers; choosing 'Custom dates'
    shows them right after the select, where the keyboard goes next). Pages with these controls
    call custom_dates_toggle(prefix) once."""
    def date_box(label, which, value):
        # No debounce: dcc.Input's debounce calls setSelectionRange, which a date box refuses (a
        # console error per keystroke); a date box only reports complete dates anyway.
        return html.Div(labelled(label, dcc.Input(id=f"{prefix}-{which}", type="date",
                                                  value=value.isoformat() if value else None,
                                                  className="form-control"), f"{prefix}-{which}"),
                        className="col-6")
    return [
        html.Div(labelled("Period", select(
            f"{prefix}-period", [{"label": urlstate.PERIOD_LABELS[k], "value": k} for k in urlstate.PERIOD_KINDS],
            view.period), f"{prefix}-period"), className="col-12 col-md-3"),
        html.Div(html.Div([date_box("From", "start", view.start), date_box("To", "end", view.end)], className="row g-2"),
                 id=f"{prefix}-custom", className="col-12 col-md-4", role="group",
                 hidden=view.period != "custom", **{"aria-label": "Custom period dates"}),
    ]


def custom_dates_toggle(prefix: str) -> None:
    """Show the From/To boxes as soon as 'Custom dates' is chosen, in the browser (no round trip)."""
    dash.clientside_callback("function (period) { return period !== 'custom'; }",
                             Output(f"{prefix}-custom", "hidden"), Input(f"{prefix}-period", "value"))
    for which in ("start", "end"):  # a callback request with any other value is a 400 (callback_guard)
        callback_guard.expect(f"{prefix}-{which}", "value", "date")


def view_from_controls(period, start, end, **rest) -> urlstate.View | None:
    """Control values -> View. None while 'custom' is chosen and the two dates are not both typed
    (a browser's date box gives a valid date or nothing): the page waits for them instead of
    jumping to another period or to an error. A URL typed by hand is checked by urlstate.parse."""
    import datetime as dt

    def d(x):
        try:
            day = dt.date.fromisoformat(x) if x else None
        except ValueError:
            return None
        return day if day and day.year >= 1000 else None  # year 0002, 0020, 0202: still being typed
    kind = period or urlstate.DEFAULT_PERIOD
    if kind == "custom" and not (d(start) and d(end)):
        return None
    return urlstate.View(period=kind, start=d(start), end=d(end), **rest)


def resolve_period(eng, view: urlstate.View, measure_id: str | None = None):
    """The View's period. A kind without an end in the URL ends on the newest data: a measure
    page's on its own measure's last complete day (so crime opens on crime's data even when
    another dataset is newer), other pages on the newest day of any dataset. `end` with a
    kind other than custom ("jump to the latest data") ends that kind on that day."""
    if view.period == "custom":
        return eng.period("custom", end=view.end, start=view.start)
    if view.end is not None:
        return eng.period(view.period, end=view.end)
    return eng.period(view.period, measure_id=measure_id)


def page_header(title: str, subtitle=None, id: str | None = None) -> html.Div:
    return html.Div([html.H1(title, className="h3 mb-1", **({"id": id} if id else {})),
                     *([html.P(subtitle, className="text-body-secondary mb-2")] if subtitle else [])])


def filters_for(view: urlstate.View, with_areas: bool = True):
    from engine import Filters
    return Filters(layer=view.layer, areas=view.areas if with_areas else (), categories=view.categories,
                   group_field=view.group_field, group_value=view.group_value)


def layer_labels(eng) -> dict:
    """{layer id: label} of the warehouse's boundary layers (one query; call once per page)."""
    layers = eng.layers()
    return dict(zip(layers["layer"], layers["label"]))


def view_store(prefix: str, view: urlstate.View, **extra) -> dcc.Store:
    """What the page is showing, so the URL callback can tell a real change from a control settling."""
    return dcc.Store(id=f"{prefix}-view", data={"search": urlstate.to_search(view), "areas": list(view.areas),
                                                "layer": view.layer, **extra})


def new_search(view: urlstate.View | None, current: dict | None):
    """The URL query for `view`, or no_update when the page already shows exactly that view (or
    there is no view yet: custom dates still being typed)."""
    if view is None:
        return no_update
    search = urlstate.to_search(view)
    return no_update if current and current.get("search") == search else search


def scroll_table(table, label: str) -> html.Div:
    """A table that may scroll sideways on a phone: the scroll box is focusable and named, so a
    keyboard user can scroll it too."""
    return html.Div(table, className="table-responsive", tabIndex="0", role="region", **{"aria-label": label})
