"""The read-only open-data API: JSON for published measures and a CSV per published table.

Stable URLs (the same paths in the live app and in the static export), documented in
public/API.md and listed by /api/v1/index.json. Only GET; only public measures (anything
else is 404); every number comes from public/published.py, so it is suppressed like the pages.
"""
from __future__ import annotations

import csv
import io
import json
import re

import flask

from public import published
from public.views import row_label

VERSION = "api/v1"
CSV_COLUMNS = ["measure_id", "table", "key", "label", "value", "count", "shown_as", "unit", "period_start", "period_end"]
SHOWN_AS = "not shown (privacy)"  # the one label of every hidden cell
_MEASURE_FILE = re.compile(r"^measures/([a-z0-9_]+)\.json$")
_CSV_FILE = re.compile(r"^measures/([a-z0-9_]+)/([a-z0-9_]+)\.csv$")
_HOOD_FILE = re.compile(r"^neighborhoods/([a-z0-9-]+)\.json$")


def _json(obj) -> tuple[bytes, str]:
    return json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"), "application/json"


def tables_of(v: dict) -> dict:
    """{table name: rows} a measure publishes as CSV."""
    out = {"months": v["months"]}
    if v["areas"]:
        out["areas"] = v["areas"]["rows"]
    out.update(v["groups"])
    return out


def _csv(v: dict, table: str, rows: list) -> tuple[bytes, str]:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    # months: each row is its month; areas and groups: the last complete month
    span = v["period"] if table == "months" or not v.get("tables_period") else v["tables_period"]
    for r in rows:
        label = row_label(r, "en", table)
        shown = SHOWN_AS if r["hidden"] else ""
        w.writerow([v["id"], table, r["key"], label, "" if r["value"] is None else repr(r["value"]),
                    "" if r["count"] is None else int(r["count"]), shown, v["unit"], span["start"], span["end"]])
    return buf.getvalue().encode("utf-8"), "text/csv; charset=utf-8"


def document(eng, path: str) -> tuple[bytes, str] | None:
    """The bytes and media type of one API file (path relative to api/v1/), or None (404)."""
    if path == "index.json":
        return _json({"version": 1, "docs": "Complete months only: each measure's year to date, its months, and its "
                              "tables of the last complete month; see public/API.md.",
                      "files": sorted(paths(eng))})
    if path == "goals.json":
        return _json(published.index(eng))
    if path == "measures.json":
        return _json([{k: published.measure(eng, m.id)[k] for k in
                       ("id", "title", "goal", "unit", "definition", "kind", "direction", "period")}
                      for m in published.public_measures(eng)])
    if path == "neighborhoods.json":
        return _json(published.neighborhoods(eng))
    if (m := _MEASURE_FILE.match(path)) and (v := published.measure(eng, m.group(1))):
        return _json(v)
    if (m := _CSV_FILE.match(path)) and (v := published.measure(eng, m.group(1))):
        tables = tables_of(v)
        if m.group(2) in tables:
            return _csv(v, m.group(2), tables[m.group(2)])
    if (m := _HOOD_FILE.match(path)) and (h := published.neighborhood(eng, m.group(1))):
        return _json(h)
    return None


def paths(eng) -> list[str]:
    """Every API file the site publishes (the static export writes exactly these)."""
    out = ["index.json", "goals.json", "measures.json", "neighborhoods.json"]
    for m in published.public_measures(eng):
        v = published.measure(eng, m.id)
        out.append(f"measures/{m.id}.json")
        out += [f"measures/{m.id}/{t}.csv" for t in tables_of(v)]
    out += [f"neighborhoods/{a['slug']}.json" for a in published.neighborhoods(eng)]
    return out


def blueprint() -> flask.Blueprint:
    from components.engine_access import NoWarehouse, get_engine

    bp = flask.Blueprint("public_api", __name__)

    @bp.route("/api/v1/<path:path>", methods=["GET"])
    def api_file(path):
        if len(path) > 200:
            flask.abort(404)
        try:
            got = document(get_engine(), path)
        except NoWarehouse:
            return flask.Response('{"error": "no data yet"}', status=503, mimetype="application/json")
        if got is None:
            return flask.Response('{"error": "not found"}', status=404, mimetype="application/json")
        body, kind = got
        resp = flask.Response(body, mimetype=kind.split(";")[0])
        resp.headers["Content-Type"] = kind
        resp.headers["Cache-Control"] = "public, max-age=300"
        resp.headers["Access-Control-Allow-Origin"] = "*"
        return resp

    return bp
