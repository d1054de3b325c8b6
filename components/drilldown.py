"""From a number to the events behind it: the records page's URL, its CSV, and who may see them.

The records page (`/records/<measure_id>`), one event (`/event/<dataset>?key=...`) and the CSV
(`/download/records/<measure_id>.csv`) take the measure page's own query (period, layer, areas,
categories, demographic group), parsed here once for all three, so the list obeys exactly the
filters of the number it was opened from. Reading records is an analyst's right (auth:
read_records): the routes answer 403 with one line for anyone else, and the public app has none
of them (they are registered only on the internal app).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from urllib.parse import urlencode

import flask
from dash import html

import auth
from components import urlstate
from components.engine_access import get_engine
from components.formatting import fmt_date, is_missing
from components.pagekit import filters_for, resolve_period
from engine import records as records_mod

PREFIXES = ("/records/", "/event/", "/download/records/", "/explore")
RIGHT = "read_records"
WHO = "Event records are for analysts, editors and admins"
WHO_EXPLORE = "The explorer is for analysts, editors and admins"


@dataclass(frozen=True)
class Ask:
    """A parsed records request: what the number was, and which page of its events to show."""
    measure: object
    view: urlstate.View
    period: object
    filters: object
    met: bool
    sort: str
    descending: bool
    page: int
    size: int


def _one(query, name):
    v = query.get(name)
    if isinstance(v, (list, tuple)):
        v = v[-1] if v else None
    return None if v in (None, "") else str(v)


def parse(eng, measure_id: str, query: dict) -> tuple[Ask | None, list[str]]:
    """(Ask, []) or (None, problems in words) for a records URL's query."""
    m = eng.catalog.measures.get(measure_id)
    if m is None:
        return None, [f"measure: no such measure {measure_id!r}"]
    if not records_mod.listable(m):
        return None, [f"{m.title} is a {m.computation.kind}, not a count of events: it has no list of records"]
    layers = list(m.layers)
    view, problems = urlstate.parse(query, layers=layers, areas_of=lambda layer: list(eng.areas(layer)["area_id"]),
                                    categories=eng.categories(m.id), fields=list(m.fields), groups=list(m.fields))
    sort = _one(query, "sort") or records_mod.DEFAULT_SORT
    columns = records_mod.published_columns(eng._event_columns(m.computation.part.dataset))
    if sort not in columns:
        problems.append(f"sort: {sort!r} is not one of the record's fields ({', '.join(columns)})")
        sort = records_mod.DEFAULT_SORT
    order = _one(query, "order") or "desc"
    if order not in ("asc", "desc"):
        problems.append(f"order: {order!r} is not asc or desc")
    page, size = _whole(query, "page", 1, problems), _whole(query, "size", 50, problems)
    if size not in records_mod.PAGE_SIZES:
        problems.append(f"size: {size} is not one of {', '.join(map(str, records_mod.PAGE_SIZES))}")
        size = 50
    met = _one(query, "met")
    if met not in (None, "1") or (met and m.computation.kind != "share"):
        problems.append("met: only a share's records can be limited to the events meeting its condition (met=1)")
    if problems:
        return None, problems
    period = resolve_period(eng, view, m.id)
    return Ask(m, view.with_(by=None), period, filters_for(view), met == "1", sort, order == "desc", page, size), []


def _whole(query, name, default, problems) -> int:
    text = _one(query, name)
    if text is None:
        return default
    if not re.fullmatch(r"[1-9][0-9]{0,6}", text):
        problems.append(f"{name}: {text!r} is not a whole number from 1")
        return default
    return int(text)


def search(ask: Ask, **changes) -> str:
    """The records URL's query for `ask` with some of sort/order/page/size/met changed."""
    base = urlstate.to_search(ask.view)
    extra = {"sort": ask.sort, "order": "desc" if ask.descending else "asc", "page": ask.page, "size": ask.size,
             "met": "1" if ask.met else None}
    extra.update(changes)
    defaults = {"sort": records_mod.DEFAULT_SORT, "order": "desc", "page": 1, "size": 50, "met": None}
    pairs = [(k, str(v)) for k, v in extra.items() if v is not None and v != defaults[k]]
    if not pairs:
        return base
    return (base + "&" if base else "?") + urlencode(pairs)


def records_href(measure_id: str, view: urlstate.View, met: bool = False) -> str:
    """Where a number on a measure page (view = its filters) leads: the list of its events."""
    q = urlstate.to_search(view.with_(by=None))
    if met:
        q = (q + "&" if q else "?") + "met=1"
    return f"/records/{measure_id}{q}"


def filters_words(ask: Ask) -> str:
    v = ask.view
    parts = []
    if v.areas:
        parts.append(f"{v.layer} {', '.join(v.areas)}")
    if v.categories:
        parts.append("categories " + ", ".join(v.categories))
    if v.group_field and v.group_value is not None:
        parts.append(f"{v.group_field.replace('_', ' ')} = {v.group_value}")
    return "; ".join(parts) or "citywide, no filters"


def csv_filename(ask: Ask) -> str:
    """records_<measure>_<start>_<end>[_<filters>].csv: the file says what it holds."""
    bits = [ask.measure.id, ask.period.start.isoformat(), ask.period.end.isoformat()]
    v = ask.view
    if v.areas:
        bits.append(f"{v.layer}-{'-'.join(v.areas)}")
    bits += list(v.categories)
    if v.group_field and v.group_value is not None:
        bits.append(f"{v.group_field}-{v.group_value}")
    if ask.met:
        bits.append("meeting-condition")
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", "records_" + "_".join(bits))[:180] + ".csv"


def cell(v) -> str:
    if is_missing(v):
        return ""
    if hasattr(v, "isoformat") and hasattr(v, "hour"):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    return str(v)


def csv_response(measure_id: str):
    """GET /download/records/<measure_id>.csv: every event behind the number, with a header block
    (lines starting '#') saying which measure, period, filters and warehouse day they are."""
    auth.require("download")
    eng = get_engine()
    ask, problems = parse(eng, measure_id, flask.request.args.to_dict(flat=False))
    if ask is None:
        return _text("; ".join(problems), 400)
    rec = eng.records(ask.measure.id, ask.period, ask.filters, met=ask.met, sort=ask.sort,
                      descending=ask.descending, limit=0)
    out = io.StringIO()
    m = ask.measure
    for line in (f"measure: {m.id} ({m.title})", f"definition: {m.definition}",
                 f"events: {rec.total} {rec.what}",
                 f"period: {rec.start.isoformat()} to {rec.end.isoformat()} (the days of {ask.period.label} with data)",
                 f"filters: {filters_words(ask)}", f"data as of: {fmt_date(eng.as_of())}",
                 "addresses: as the source publishes them (blurred to the hundred block or an intersection)",
                 "suppression: none (internal records; never published)"):
        out.write("# " + line.replace("\n", " ") + "\n")
    w = csv.writer(out)
    w.writerow(rec.columns)
    for row in rec.rows.itertuples(index=False, name=None):
        w.writerow([cell(v) for v in row])
    resp = flask.Response(out.getvalue(), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{csv_filename(ask)}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _text(message: str, status: int):
    resp = flask.Response(message + "\n", status=status, mimetype="text/plain")
    resp.headers["Cache-Control"] = "no-store"
    return resp


def forbidden_notice(prefix: str, who: str = WHO):
    """None when the user may read records; else what a page says instead (inside the app, Dash
    builds a page in a callback, so the refusal is a notice; a direct visit is check_right's 403)."""
    try:
        auth.require(RIGHT)
        return None
    except auth.Forbidden as exc:
        return html.Div([html.H1("Not allowed", className="h3"), html.P(f"{exc.description}. {who}.")],
                        className="notice mt-3", role="alert", id=f"{prefix}-forbidden")


def check_right():
    """before_request: a records route answers 403 with one line to a user who may not read them
    (sign-in itself is auth.gate's, which runs first)."""
    if not flask.request.path.startswith(PREFIXES):
        return None
    try:
        auth.require(RIGHT)
    except auth.Forbidden as exc:
        who = WHO_EXPLORE if flask.request.path.startswith("/explore") else WHO
        return _text(f"403 Forbidden: {exc.description}. {who}.", 403)
    return None


def install(server) -> None:
    """The records routes of the internal app (never called for the public app)."""
    server.before_request(check_right)
    server.add_url_rule("/download/records/<measure_id>.csv", "records_csv", csv_response)
