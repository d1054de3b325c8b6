"""A page as the browser's router asks for it, and what a user reads in the answer.

Dash renders a page in its router callback (the URL's path and query -> the page); the tests
(tests/test_app.py, tests/test_pages_http.py) and the benchmarks (bench/bench_pages.py,
bench/bench_public.py) send exactly that request, through a Flask test client or real HTTP.
"""
from __future__ import annotations

import json
import urllib.request

ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."


def router_payload(path: str, search: str = "") -> dict:
    """The request the browser's router sends when the URL becomes path + search."""
    return {
        "output": ROUTER_OUTPUT,
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "changedPropIds": ["_pages_location.pathname", "_pages_location.search"],
        "state": [],
    }


def render_with_client(client, path: str, search: str = "") -> tuple[int, dict | None, int]:
    """Render a page through a Flask test client: (status, page layout JSON, response bytes)."""
    r = client.post("/_dash-update-component", json=router_payload(path, search))
    body = r.get_data()
    data = json.loads(body) if r.status_code == 200 and body else None
    layout = data["response"]["_pages_content"]["children"] if data else None
    return r.status_code, layout, len(body)


def post(base_url: str, payload: dict) -> tuple[int, bytes]:
    req = urllib.request.Request(base_url + "/_dash-update-component", data=json.dumps(payload).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.status, r.read()


def texts(node) -> list[str]:
    """Every string in a rendered layout, in order: what a user would read."""
    out: list[str] = []

    def walk(n):
        if isinstance(n, str):
            out.append(n)
        elif isinstance(n, (int, float)) and not isinstance(n, bool):
            out.append(str(n))
        elif isinstance(n, list):
            for x in n:
                walk(x)
        elif isinstance(n, dict):
            if "props" in n:
                walk(n["props"].get("children"))
    walk(node)
    return out


def find_by_id(node, ident):
    """The props of the component with this id in a rendered layout, or None."""
    if isinstance(node, list):
        for x in node:
            found = find_by_id(x, ident)
            if found is not None:
                return found
    elif isinstance(node, dict) and "props" in node:
        if node["props"].get("id") == ident:
            return node["props"]
        for v in node["props"].values():
            if isinstance(v, (list, dict)):
                found = find_by_id(v, ident)
                if found is not None:
                    return found
    return None
