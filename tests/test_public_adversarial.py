"""Adversarial requests to the public app: at least 1,000 crafted GETs and callback POSTs.

Every public page and the page router with unpublished measure ids, internal page addresses,
every area x group filter a URL can carry, tiny filters, injection strings and oversized input;
every API file and crafted API paths. Whatever is sent: no response is a 500, no response names
the unpublished measure or shows an internal page, no count from 1 to 9 appears in any table or
data file, and a filter smuggled into a URL changes nothing (the public site publishes no
filtered views, so no new number can be produced).
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import re
from urllib.parse import quote, urlencode

import duckdb
import pytest

from settings import Settings
from test_public_http import ROUTER, route, texts

INJECTIONS = ["' OR 1=1 --", "\"; DROP TABLE crime; --", "<script>alert(1)</script>", "../../etc/passwd",
              "%00", "robberies'--", "{{7*7}}", "${jndi:ldap://x}", "\u202e\u0000", "robberies;stop_arrest_share"]
INTERNAL_PAGES = ["/goals/safe_neighborhoods", "/measures/robberies", "/measures/stop_arrest_share", "/data",
                  "/neighborhoods", "/ledger", "/packet", "/admin", "/login", "/404"]
FORBIDDEN = ["stop_arrest_share", "Terry stops ending in arrest", "ov-goals", "nb-compare", "ms-value",
             "dt-inventory", "Traceback"]


@pytest.fixture(scope="module")
def app_client(demo_db):
    from app import create_app

    app = create_app(Settings(db_path=demo_db, mode="public"))
    c = app.server.test_client()
    assert c.get("/").status_code == 200
    return c


def _cells(node, out):
    """Texts of every table cell (Td) in a component tree."""
    if isinstance(node, list):
        for n in node:
            _cells(n, out)
    elif isinstance(node, dict) and "props" in node:
        if node.get("type") == "Td":
            out.append("".join(texts(node["props"].get("children"))))
        _cells(node["props"].get("children"), out)
    return out


def _without_rows(node, titles: set):
    """The tree without table rows whose heading is one of `titles` (public-record measures)."""
    if isinstance(node, list):
        return [_without_rows(n, titles) for n in node]
    if isinstance(node, dict) and "props" in node:
        if node.get("type") == "Tr":
            heads = [c for c in (node["props"].get("children") or []) if isinstance(c, dict) and c.get("type") == "Th"]
            if heads and "".join(texts(heads[0]["props"].get("children"))) in titles:
                return None
        return {**node, "props": {**node["props"], "children": _without_rows(node["props"].get("children"), titles)}}
    return node


def _public_record() -> set:
    """Measures whose counts are public record (catalog threshold 0): every count is shown."""
    from engine.catalog import load_catalog
    from settings import ROOT

    return {m.id for m in load_catalog(ROOT / "catalog").measures.values() if m.small_number_threshold == 0}


def _translations() -> dict:
    """English catalog text -> its Spanish translation (catalog/locale/es.po)."""
    from engine.catalog import load_catalog
    from settings import ROOT

    return load_catalog(ROOT / "catalog").translations.get("es", {})


def _check_json_counts(obj, threshold=10):
    if isinstance(obj, dict):
        if obj.get("small_number_threshold") == 0 or obj.get("id") in _public_record() \
                or obj.get("measure") in _public_record():
            return
        if obj.get("hidden"):
            assert obj.get("count") is None and obj.get("value") is None, obj
        c = obj.get("count")
        if isinstance(c, (int, float)) and not isinstance(c, bool):
            assert c == 0 or c >= threshold, obj
        for v in obj.values():
            _check_json_counts(v, threshold)
    elif isinstance(obj, list):
        for v in obj:
            _check_json_counts(v, threshold)


@pytest.mark.slow
def test_a_thousand_crafted_requests_leak_nothing(app_client, demo_db):
    c = app_client
    measures = c.get("/api/v1/measures.json").get_json()
    count_kinds = {m["id"] for m in measures if m["kind"] == "count"} - _public_record()
    record_titles = {m["title"] for m in measures if m["id"] in _public_record()}
    record_titles |= {_translations().get(x, x) for x in record_titles}  # their rows on Spanish pages
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        areas = [r[0] for r in con.execute("SELECT area_id FROM areas WHERE layer IN ('precinct', 'beat') "
                                           "ORDER BY layer, area_id").fetchall()]
        measure_ids = [r[0] for r in con.execute("SELECT DISTINCT measure_id FROM agg_measure_daily").fetchall()]
    finally:
        con.close()
    groups = ["White", "Black", "Hispanic", "Asian", "Native American", "Pacific Islander", "Multiracial",
              "Other", "Unknown"]
    hoods = [h["slug"] for h in c.get("/api/v1/neighborhoods.json").get_json()]
    ids = sorted({m["id"] for m in measures} | set(measure_ids) | {"stop_arrest_share", "nope", ""})

    paths = (["/", "/neighborhood", "/open-data"] + [f"/measure/{i}" for i in ids]
             + [f"/neighborhood/{h}" for h in hoods] + INTERNAL_PAGES
             + [f"/measure/{quote(x, safe='')}" for x in INJECTIONS] + [f"/neighborhood/{quote(x, safe='')}" for x in INJECTIONS])
    searches = ["", "?lang=es", "?lang=xx", "?lang=es&lang=en"] + ["?" + urlencode({"measure": x, "area": x}) for x in INJECTIONS[:3]]
    # every area x group filter a URL can carry (the public site ignores them: same answer as unfiltered)
    filtered = ["?" + urlencode({"layer": "precinct" if len(a) <= 2 else "beat", "area": a,
                                 "group_field": "subject_race", "group_value": g, "period": "custom",
                                 "start": "2026-11-20", "end": "2026-11-21"})
                for a, g in itertools.product(areas, groups)]

    n = 0
    problems = []

    def check(resp, what):
        nonlocal n
        n += 1
        body = resp.get_data(as_text=True)
        if resp.status_code >= 500:
            problems.append(f"{what}: {resp.status_code}")
        for word in FORBIDDEN:
            if word in body:
                problems.append(f"{what}: contains {word!r}")
        return body

    # 1. GET every page address with every search string
    for p, s in itertools.product(paths, searches):
        check(c.get(p + s), f"GET {p}{s}")
    # 2. the page router with the same (what the browser's callback sends)
    plain = {}
    for p, s in itertools.product(paths, searches):
        r = route(c, p, s)
        body = check(r, f"router {p}{s}")
        if r.status_code == 200:
            tree = r.get_json()["response"]["_pages_content"]["children"]
            if s == "":
                plain[p] = body
            mid = p.rsplit("/", 1)[-1]
            if mid in count_kinds or p.startswith("/neighborhood/"):
                for cell in _cells(_without_rows(tree, record_titles), []):
                    if re.fullmatch(r"[1-9]", cell.strip()):
                        problems.append(f"router {p}{s}: shows a small count {cell!r}")
    # 3. area x group filters on measure pages change nothing
    for p in ["/measure/robberies", "/measure/serious_uof"]:
        for s in filtered:
            r = route(c, p, s)
            body = check(r, f"router {p}{s}")
            if body != plain[p]:
                problems.append(f"router {p}{s}: a filter changed the answer")
    # 4. every API file, and crafted API paths
    files = c.get("/api/v1/index.json").get_json()["files"]
    for f in files:
        r = c.get("/api/v1/" + f)
        body = check(r, f"GET api {f}")
        assert r.status_code == 200, f
        if f.endswith(".json"):
            _check_json_counts(json.loads(body))
        else:
            for row in csv.DictReader(io.StringIO(body)):
                if row["count"] and row["measure_id"] not in _public_record():
                    cnt = int(row["count"])
                    if 0 < cnt < 10:
                        problems.append(f"api {f}: count {cnt}")
                if row["shown_as"] and (row["count"] or row["value"]):
                    problems.append(f"api {f}: hidden row with a number")
    for i in ids + INJECTIONS:
        for suffix in [".json", "/months.csv", "/areas.csv", "/subject_race.csv", "/../../app.py"]:
            check(c.get("/api/v1/measures/" + quote(i, safe="") + suffix), f"GET api {i}{suffix}")
    for verb in ("post", "put", "delete"):
        check(getattr(c, verb)("/api/v1/measures.json"), f"{verb} api")
    # 5. malformed and oversized callback payloads
    good = {"output": ROUTER, "outputs": [{"id": "_pages_content", "property": "children"},
                                          {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/"},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}
    crafted = [
        {**good, "output": "_pages_dummy.children"}, {**good, "output": "ms-value.children"},
        {**good, "inputs": []}, {**good, "inputs": "x"}, {**good, "outputs": None}, {**good, "state": [{"id": 1}]},
        {**good, "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/" * 100_000},
                            good["inputs"][1]]},
        {**good, "inputs": [{"id": "_pages_location", "property": "pathname", "value": ["/measure/robberies"]},
                            good["inputs"][1]]},
        {**good, "inputs": [{"id": "_pages_location", "property": "pathname", "value": 12},
                            good["inputs"][1]]},
        {**good, "inputs": [good["inputs"][0], {"id": "_pages_location", "property": "search",
                                                "value": "?" + "&".join(f"a{i}=1" for i in range(900))}]},
        [], "x", None, {"output": ROUTER},
    ]
    for body in crafted:
        check(c.post("/_dash-update-component", json=body), f"POST {str(body)[:60]}")
    check(c.post("/_dash-update-component", data=b"{" * 200_000, content_type="application/json"), "POST junk")
    check(c.get("/measure/" + "x" * 100_000), "GET long path")
    check(c.get("/?" + "lang=es&" * 5000), "GET long query")

    assert problems == [], "\n".join(problems[:30])
    assert n >= 1000, n
    print(f"{n} crafted requests, no leak, no 500")
