"""Malformed callback requests for every callback an app declares: what an attacker posts to
/_dash-update-component by hand (used by tests/test_callback_guard.py and the gunicorn tests)."""
from __future__ import annotations

import copy
import json

# What no component of the app ever sends (refused with a 400), and values a component may hold
# but a callback may not expect (a 400 or an answer on the page, never a 500).
NEVER_SENT = {"a dict": {"$ne": ""}, "a nested list": [[1, 2]], "a list of dicts": [{"a": 1}]}
ODD = {"an impossible date": "2026-13-45", "a huge number": 10**30, "a negative count": -5,
       "a list": ["a", "b"], "text": "../../etc/passwd", "true": True}


def _item(ident: str, prop: str):
    """A well-formed entry: one matching component for a pattern id (ALL lists hold one)."""
    if ident.startswith("{"):
        pattern = json.loads(ident)
        concrete = {k: (1 if v in (["ALL"], ["ALLSMALLER"], ["MATCH"]) else v) for k, v in pattern.items()}
        one = {"id": concrete, "property": prop, "value": None}
        return [one] if any(v in (["ALL"], ["ALLSMALLER"]) for v in pattern.values()) else one
    return {"id": ident, "property": prop, "value": None}


def base_body(output: str, spec: dict) -> dict:
    outputs = [dict(zip(("id", "property"), o.rsplit(".", 1))) for o in output.split("@")[0].strip(".").split("...")]
    return {"output": output, "outputs": outputs if len(outputs) > 1 or output.startswith("..") else outputs[0],
            "inputs": [_item(i["id"], i["property"]) for i in spec["inputs"]],
            "state": [_item(s["id"], s["property"]) for s in spec["state"]],
            "changedPropIds": [f"{spec['inputs'][0]['id']}.{spec['inputs'][0]['property']}"] if spec["inputs"] else []}


def _set_value(body: dict, key: str, i: int, value) -> dict:
    body = copy.deepcopy(body)
    entry = body[key][i]
    for e in (entry if isinstance(entry, list) else [entry]):
        e["value"] = value
    return body


def malformed(callback_map: dict):
    """(what, body, must_refuse) for every input and state given each odd value, and bodies with
    missing fields or the wrong shape; must_refuse: a 400 is the only right answer."""
    for output, spec in callback_map.items():
        body = base_body(output, spec)
        name = output[:40]
        for key in ("inputs", "state"):
            for i, decl in enumerate(spec[key]):
                where = f"{name} {key}[{i}] {decl['id'][:30]}.{decl['property']}"
                for what, value in NEVER_SENT.items():
                    if decl["property"] not in ("data", "clickData", "virtualRowData", "columnDefs", "id"):
                        yield f"{where} = {what}", _set_value(body, key, i, value), True
                for what, value in ODD.items():
                    yield f"{where} = {what}", _set_value(body, key, i, value), False
                # a list where one component (a scalar entry) is expected, and an entry without its id
                wrong = copy.deepcopy(body)
                wrong[key][i] = [wrong[key][i]] if not isinstance(wrong[key][i], list) else {"value": 1}
                yield f"{name} {key}[{i}] shape", wrong, True
        for field in ("inputs", "output", "outputs"):
            missing = {k: v for k, v in body.items() if k != field}
            yield f"{name} without {field}", missing, True
        yield f"{name} inputs as a dict", {**body, "inputs": {"x": 1}}, True
