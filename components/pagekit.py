"""What every page's layout function does the same way: guard against a missing warehouse or an
unexpected error, draw the period controls, and turn the URL's View into engine arguments.
"""
from __future__ import annotations

import functools
import logging

import dash_bootstrap_components as dbc
from dash import dcc, html, no_update

import auth

from components import messages, urlstate
from components.engine_access import NoWarehouse, get_engine, page_cache
from components.engine_cache import PageCache

log = logging.getLogger("seastat.pages")
PAGES_LOCATION = "_pages_location"  # dash.page_container's Location: writing its search re-renders the page


def guarded(layout):
    """Wrap a page layout: no warehouse -> the 'run make run' message; any other error -> one line,
    logged. A page built for the same URL, warehouse and user role is served again from PageCache
    (pages show or hide forms and buttons by role, so one role's page must never reach another)."""
    @functools.wraps(layout)
    def wrapper(**kwargs):
        try:
            role = getattr(auth.current_user(), "role", "")
            key = PageCache.key(layout.__module__, get_engine().generation, kwargs, role)
            pages = page_cache()
            page = pages.get(key)
            if page is None:
                page = layout(**kwargs)
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
    """Period kind plus start/end dates (used when the kind is 'custom')."""
    return [
        html.Div(labelled("Period", select(
            f"{prefix}-period", [{"label": urlstate.PERIOD_LABELS[k], "value": k} for k in urlstate.PERIOD_KINDS],
            view.period), f"{prefix}-period"), className="col-12 col-md-3"),
        html.Div(labelled("From (custom)", dcc.Input(id=f"{prefix}-start", type="date", debounce=True,
                                                      value=view.start.isoformat() if view.start else None,
                                                      className="form-control"), f"{prefix}-start"),
                 className="col-6 col-md-2"),
        html.Div(labelled("To (custom)", dcc.Input(id=f"{prefix}-end", type="date", debounce=True,
                                                    value=view.end.isoformat() if view.end else None,
                                                    className="form-control"), f"{prefix}-end"),
                 className="col-6 col-md-2"),
    ]


def view_from_controls(period, start, end, **rest) -> urlstate.View:
    """Control values -> View; a bad date typed in a box becomes a URL the page then reports on."""
    import datetime as dt

    def d(x):
        try:
            return dt.date.fromisoformat(x) if x else None
        except ValueError:
            return None
    kind = period or urlstate.DEFAULT_PERIOD
    if kind == "custom" and not (d(start) and d(end)):
        kind = urlstate.DEFAULT_PERIOD if not (start or end) else "custom"
    return urlstate.View(period=kind, start=d(start), end=d(end), **rest)


def resolve_period(eng, view: urlstate.View):
    if view.period == "custom":
        return eng.period("custom", end=view.end, start=view.start)
    return eng.period(view.period)


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


def new_search(view: urlstate.View, current: dict | None):
    """The URL query for `view`, or no_update when the page already shows exactly that view."""
    search = urlstate.to_search(view)
    return no_update if current and current.get("search") == search else search


def scroll_table(table, label: str) -> html.Div:
    """A table that may scroll sideways on a phone: the scroll box is focusable and named, so a
    keyboard user can scroll it too."""
    return html.Div(table, className="table-responsive", tabIndex="0", role="region", **{"aria-label": label})
