"""Every Dash callback request is checked here, in one place, before Dash runs a callback: a
payload a browser could not have sent gets `400 {"error": "<one line>"}`, never a 500 from inside
a callback.

Why one place: Dash hands whatever JSON arrives to the callback functions, and each would need its
own checks for a dict where a string belongs, a list where a scalar belongs, a missing field or
a date of 2026-13-45. Instead the request is compared with what the app declared:
- the shape: `output` names a callback this app has; `inputs` and `state` list exactly the
  declared (id, property) pairs, pattern-matching ones (ALL / MATCH) as lists of matching ids;
- each value's kind, by property (`n_clicks` a count, `value` a scalar or a list of scalars,
  `pathname` a path starting with /, ...; KINDS);
- and what pages declare about their own values with `expect(id, property, kind)` (a Store
  holding a meeting date, a date input), at import time next to the callback that reads them.
What the guard cannot know (an id of a pattern-matched component that is not on the page, a
missing store value a page always fills) can still break a callback. So, second, Dash's dispatch
is wrapped: an error of the kind a wrong value raises (TypeError, ValueError, KeyError,
IndexError, AttributeError) escaping a callback is answered with a one-line 400 as well, and
logged with its traceback at ERROR (a real bug stays visible in the server log; the client
learns nothing of the code). Anything else (the warehouse or the store failing) stays a 500;
Forbidden / Unauthorized (auth) and Dash's own PreventUpdate keep their meaning.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import math
import re
from typing import Callable

import flask
from werkzeug.exceptions import HTTPException

MAX_TEXT = 20_000     # the longest text a form takes (ledger notes)
MAX_ITEMS = 2_000     # items in a list value or matched by a pattern id
WILDCARDS = (["ALL"], ["ALLSMALLER"], ["MATCH"])
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")

_SCALAR = (str, int, float, bool, type(None))


def _scalar(v) -> bool:
    if isinstance(v, float) and not math.isfinite(v):
        return False
    return isinstance(v, _SCALAR) and not (isinstance(v, str) and len(v) > MAX_TEXT)


def _count(v) -> bool:
    return v is None or (isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**53)


def _text(v) -> bool:
    return v is None or (isinstance(v, str) and len(v) <= MAX_TEXT)


def _path(v) -> bool:
    """What a browser's location.pathname always is: text starting with a slash."""
    return v is None or (isinstance(v, str) and v.startswith("/") and len(v) <= MAX_TEXT)


def _value(v) -> bool:
    if isinstance(v, list):
        return len(v) <= MAX_ITEMS and all(_scalar(x) and x is not None for x in v)
    return _scalar(v)


def _date(v) -> bool:
    """Empty, or a real calendar day written YYYY-MM-DD (a time after it is allowed)."""
    if v is None or v == "":
        return True
    if not isinstance(v, str) or not _ISO_DATE.match(v) or len(v) > 40:
        return False
    try:
        dt.date.fromisoformat(v[:10])
    except ValueError:
        return False
    return True


def _int_map(v) -> bool:
    """{"<id>": <int>, ...}: e.g. the ledger item versions a page has seen."""
    return v is None or (isinstance(v, dict) and len(v) <= MAX_ITEMS
                         and all(isinstance(k, str) and _count(x) for k, x in v.items()))


def _any(v) -> bool:
    return True


KINDS: dict[str, Callable[[object], bool]] = {
    "count": _count, "text": _text, "path": _path, "value": _value, "date": _date, "int_map": _int_map, "any": _any,
}
# What a browser sends for these properties, whatever the component.
BY_PROPERTY = {
    "n_clicks": "count", "n_submit": "count", "n_blur": "count", "n_intervals": "count",
    "n_clicks_timestamp": "count", "pathname": "path", "search": "text", "hash": "text", "href": "text",
    "value": "value", "date": "date", "start_date": "date", "end_date": "date",
}
KIND_WORDS = {"count": "a whole number", "text": "text", "path": "a path starting with /",
              "value": "a value or a list of values", "date": "a date YYYY-MM-DD", "int_map": "a map of versions", "any": "JSON"}
_EXPECTED: dict[tuple[str, str], str] = {}
log = logging.getLogger("seastat.callbacks")
VALUE_ERRORS = (TypeError, ValueError, KeyError, IndexError, AttributeError)


def expect(component_id: str, prop: str, kind: str) -> None:
    """Declare what `component_id.prop` holds (one of KINDS), e.g. expect("mt-meeting", "data", "date")."""
    if kind not in KINDS:
        raise ValueError(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    _EXPECTED[(component_id, prop)] = kind


def install(app) -> None:
    """Check every /_dash-update-component request of `app` (a before_request hook)."""
    def guard():
        req = flask.request
        if not req.path.endswith("/_dash-update-component") or req.method != "POST":
            return None
        why = problem(app, req.get_json(silent=True))
        return None if why is None else bad_request(why)

    app.server.before_request(guard)
    server = app.server
    for rule in server.url_map.iter_rules():
        if rule.rule.endswith("/_dash-update-component"):
            server.view_functions[rule.endpoint] = _answer_400_on_error(server.view_functions[rule.endpoint])


def bad_request(why: str) -> flask.Response:
    response = flask.jsonify(error=f"bad callback request: {why}")
    response.status_code = 400
    response.headers["Cache-Control"] = "no-store"
    return response


def _answer_400_on_error(dispatch):
    @functools.wraps(dispatch)
    def guarded_dispatch(*args, **kwargs):
        try:
            return dispatch(*args, **kwargs)
        except HTTPException:
            raise
        except VALUE_ERRORS:
            body = flask.request.get_json(silent=True)
            output = body.get("output") if isinstance(body, dict) else None
            log.exception("callback %.120s failed on a request that passed the checks", output)
            return bad_request("the callback could not use the values sent")
    return guarded_dispatch


def problem(app, body) -> str | None:
    """None for a callback request this app could have sent, else one line saying what is wrong."""
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or "callback" not in app.callback_map.get(output, {}):
        return "`output` names no server callback of this app"  # clientside ones run in the browser
    if not isinstance(body.get("outputs"), (list, dict)):
        return "`outputs` is missing"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) and len(c) < 2000 for c in changed):
        return "`changedPropIds` must be a list of text"
    declared = app.callback_map[output]
    for key in ("inputs", "state"):
        items = body.get(key, [])
        want = declared.get(key, [])
        if not isinstance(items, list) or len(items) != len(want):
            return f"`{key}` must list the callback's {len(want)} {key}"
        for spec, item in zip(want, items):
            why = _check(spec, item)
            if why:
                return f"{key} {_short(spec['id'])}.{spec['property']}: {why}"
    return None


def _check(spec: dict, item) -> str | None:
    pattern = _pattern(spec["id"])
    if pattern is not None and any(v in (["ALL"], ["ALLSMALLER"]) for v in pattern.values()):
        if not isinstance(item, list) or len(item) > MAX_ITEMS:
            return "expected a list of matching components"
        return next((why for one in item if (why := _check_one(spec, pattern, one))), None)
    return _check_one(spec, pattern, item)


def _check_one(spec: dict, pattern: dict | None, item) -> str | None:
    if not isinstance(item, dict) or "id" not in item or "property" not in item:
        return "expected {id, property, value}"
    if item.get("property") != spec["property"]:
        return "the property does not match the callback"
    ident = item.get("id")
    if pattern is None:
        if ident != spec["id"]:
            return "the id does not match the callback"
        key = spec["id"]
    else:
        if not isinstance(ident, dict) or set(ident) != set(pattern):
            return "the id does not match the callback's pattern"
        for k, v in pattern.items():
            if v in WILDCARDS:
                if not (isinstance(ident[k], (str, int, float)) and not isinstance(ident[k], bool)):
                    return f"the id's {k!r} must be text or a number"
            elif ident[k] != v:
                return "the id does not match the callback's pattern"
        key = pattern.get("type")
    kind = _EXPECTED.get((key, spec["property"])) if isinstance(key, str) else None
    kind = kind or BY_PROPERTY.get(spec["property"], "any")
    if not KINDS[kind](item.get("value")):
        return f"expected {KIND_WORDS[kind]}"
    return None


def _pattern(ident: str) -> dict | None:
    if not ident.startswith("{"):
        return None
    try:
        parsed = json.loads(ident)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _short(ident: str) -> str:
    return ident if len(ident) <= 60 else ident[:57] + "..."
