"""The public app (SEASTAT_MODE=public) over HTTP on the small demo warehouse, with Flask's test
client: which addresses exist, what the pages and the open-data API say, in both languages.
Expected counts are made by hand in SQL against the warehouse file, not by the engine.

Demo dates: events end 2026-11-21; the public side publishes complete months only, so "year to
date" is 2026-01-01..2026-10-31 and the area and group tables are October's.
"""
from __future__ import annotations

import csv
import io
import json

import duckdb
import pytest

from settings import Settings

YTD = ("2026-01-01", "2026-10-31")
MONTH = ("2026-10-01", "2026-10-31")
ROUTER = ".._pages_content.children..._pages_store.data.."


@pytest.fixture(scope="module")
def client(demo_db):
    from app import create_app

    app = create_app(Settings(db_path=demo_db, mode="public"))
    c = app.server.test_client()
    assert c.get("/").status_code == 200  # first request sets Dash's router up
    return c


def route(client, path, search=""):
    """What the browser gets when it navigates to path?search: the page router's answer."""
    body = {"output": ROUTER, "outputs": [{"id": "_pages_content", "property": "children"},
                                          {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}
    return client.post("/_dash-update-component", json=body)


def texts(node) -> list[str]:
    """Every string in a Dash component tree (JSON), in document order."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [t for n in node for t in texts(n)]
    if isinstance(node, dict):
        props = node.get("props", {})
        return texts(props.get("children")) if "props" in node else [t for v in node.values() for t in texts(v)]
    return []


def find(node, id_):
    if isinstance(node, list):
        for n in node:
            if (got := find(n, id_)) is not None:
                return got
    elif isinstance(node, dict):
        if node.get("props", {}).get("id") == id_:
            return node
        for v in node.get("props", {}).values():
            if (got := find(v, id_)) is not None:
                return got
    return None


def table_rows(tree, id_) -> list[list[str]]:
    """A published table's body rows as lists of cell texts."""
    table = find(tree, id_)
    assert table is not None, f"no table #{id_}"
    body = [c for c in table["props"]["children"] if c["type"] == "Tbody"][0]
    rows = body["props"]["children"]
    return [["".join(texts(cell)) for cell in r["props"]["children"]] for r in rows]


def page_tree(client, path, search=""):
    r = route(client, path, search)
    assert r.status_code == 200
    return r.get_json()["response"]["_pages_content"]["children"]


def sql(db, query, params=()):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query, list(params)).fetchall()
    finally:
        con.close()


def test_public_addresses_exist_and_internal_ones_do_not(client):
    for url in ["/", "/measure/robberies", "/neighborhood", "/neighborhood/n", "/open-data",
                "/api/v1/index.json", "/api/v1/measures/robberies.json", "/api/v1/measures/robberies/areas.csv"]:
        assert client.get(url).status_code == 200, url
    # internal pages and the unpublished measure do not exist, by page or by API
    for url in ["/goals/safe_neighborhoods", "/measures/robberies", "/data", "/neighborhoods", "/ledger",
                "/measure/stop_arrest_share", "/measure/nope", "/neighborhood/atlantis",
                "/api/v1/measures/stop_arrest_share.json", "/api/v1/measures/stop_arrest_share/months.csv",
                "/api/v1/measures/robberies/nope.csv", "/api/v2/measures.json"]:
        assert client.get(url).status_code == 404, url
    # and the router, asked directly, says "not found" without a number
    tree = page_tree(client, "/measure/stop_arrest_share")
    assert "Page not found" in texts(tree)
    assert "Terry stops ending in arrest" not in json.dumps(tree)


def test_robberies_by_precinct_match_hand_counts_and_hide_what_must_be_hidden(client, demo_db):
    counts = dict(sql(demo_db, "SELECT area_precinct, count(*) FROM crime WHERE category = 'ROBBERY' AND "
                               "CAST(event_time AS DATE) BETWEEN ? AND ? GROUP BY 1", MONTH))
    tree = page_tree(client, "/measure/robberies")
    rows = {r[0]: r[1] for r in table_rows(tree, "area-table")}
    labels = {"E": "East", "N": "North", "S": "South", "SW": "Southwest", "W": "West"}
    if counts.get("UNKNOWN"):
        labels["UNKNOWN"] = "Location not known"
    assert set(rows) == set(labels.values())
    small = {k for k in labels if 0 < counts.get(k, 0) < 10}
    assert small, "the demo has small precinct counts in a month"
    for k in small:
        assert rows[labels[k]] == "not shown (privacy)"
    shown = {k: int(rows[lab].replace(",", "")) for k, lab in labels.items() if rows[lab].replace(",", "").isdigit()}
    assert shown == {k: counts.get(k, 0) for k in shown}  # what is shown is the hand count
    hidden = [k for k in labels if k not in shown]
    assert {rows[labels[k]] for k in hidden} == {"not shown (privacy)"}  # one label, whatever the reason
    assert len(hidden) != 1  # a lone hidden row is the month minus the others
    caption = json.dumps(find(tree, "area-table"))
    assert "Oct 2026" in caption  # the table says which month it is
    # the headline is the citywide hand count of the complete months, or hidden with a month
    total = sql(demo_db, "SELECT count(*) FROM crime WHERE category = 'ROBBERY' AND "
                         "CAST(event_time AS DATE) BETWEEN ? AND ?", YTD)[0][0]
    summary = "".join(texts(find(tree, "measure-summary")))
    assert f": {total:,} offenses." in summary or ": not shown (privacy)" in summary
    assert "October 31, 2026" in summary
    # the page says the rule and why (from the catalog), and when the next month comes
    words = " ".join(texts(tree))
    assert "Privacy: counts from 1 to 9 are not shown" in words and "CDC WONDER" in words
    assert "Next update: when Nov 2026 is complete in the data" in words
    ois = " ".join(texts(page_tree(client, "/measure/ois_count")))
    assert "Privacy: every count is shown. Public record" in ois


def test_spanish_pages_and_language_switch(client):
    tree = page_tree(client, "/", "?lang=es")
    words = " ".join(texts(tree))
    assert "Metas" in words and "Qué estamos haciendo" in words and "Mi vecindario" in words
    switch = find(tree, "lang-switch")
    assert switch["props"]["href"] == "/" and switch["props"]["children"] == "English"
    en = page_tree(client, "/measure/robberies", "?lang=en")
    assert find(en, "lang-switch")["props"]["href"] == "/measure/robberies?lang=es"
    assert tree["props"]["lang"] == "es" and en["props"]["lang"] == "en"
    # anything else in ?lang= is English, not an error
    assert page_tree(client, "/", "?lang=<script>")["props"]["lang"] == "en"


def test_api_json_and_csv_agree_with_the_page(client, demo_db):
    index = client.get("/api/v1/index.json").get_json()
    assert "measures/robberies.json" in index["files"]
    assert not [f for f in index["files"] if "stop_arrest_share" in f]
    listed = {m["id"] for m in client.get("/api/v1/measures.json").get_json()}
    assert "stop_arrest_share" not in listed and "robberies" in listed and len(listed) == 19
    r = client.get("/api/v1/measures/robberies/areas.csv")
    assert r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.data.decode())))
    page = {r_[0]: r_[1] for r_ in table_rows(page_tree(client, "/measure/robberies"), "area-table")}
    for row in rows:
        if row["shown_as"]:
            assert row["count"] == "" and row["value"] == "" and page[row["label"]] == row["shown_as"]
        else:
            assert page[row["label"]] == f"{int(row['count']):,}"


def test_neighborhood_page_is_a_slice_of_the_published_tables(client):
    hood = client.get("/api/v1/neighborhoods/n.json").get_json()
    assert hood["label"] == "North" and hood["measures"]
    for m in hood["measures"]:
        v = client.get(f"/api/v1/measures/{m['measure']}.json").get_json()
        row = next(r for r in v["areas"]["rows"] if r["key"] == "N")
        assert {k: row[k] for k in ("value", "count", "hidden")} == m["area"]
        month = next(r for r in v["months"] if r["key"] == v["tables_period"]["month"])
        assert m["city"] == {k: month[k] for k in ("value", "count", "hidden")}  # the same month citywide
    rows = table_rows(page_tree(client, "/neighborhood/n"), "hood-table")
    assert [r[0] for r in rows] == [m["title"] for m in hood["measures"]]


def test_public_pages_say_plainly_when_they_show_the_demo_city(client):
    """The demo warehouse is synthetic: every public page, in both languages, says so."""
    for path, search in (("/", ""), ("/", "?lang=es"), ("/open-data", "")):
        tree = route(client, path, search).get_json()["response"]["_pages_content"]["children"]
        notice = find(tree, "public-demo-notice")
        assert notice is not None, f"{path}{search}: no demo notice"
        words = " ".join(texts(notice))
        assert ("synthetic" in words) if "es" not in search else ("ficticia" in words)


def test_home_says_what_the_city_is_doing_about_each_goal(client):
    from engine.catalog import load_catalog
    from settings import ROOT

    goals = {g.id: g for g in load_catalog(ROOT / "catalog").goals}
    index = client.get("/api/v1/goals.json").get_json()
    tree = page_tree(client, "/")
    for g in index["goals"]:
        assert g["actions"] == list(goals[g["id"]].actions)
        shown = texts(find(tree, f"actions-{g['id']}"))
        if g["actions"]:
            assert shown == g["actions"]
        else:  # nothing invented: the page says none is published
            assert shown == ["The city has not published actions for this goal yet."]
    assert any(g["actions"] for g in index["goals"]) and any(not g["actions"] for g in index["goals"])


def test_map_summaries_speak_of_areas(client):
    """The screen-reader text under each map describes areas (it once said 'No month has ...')."""
    seen = set()
    for mid in ("robberies", "serious_uof", "crimes_against_persons"):
        for lang, search in (("en", ""), ("es", "?lang=es")):
            node = find(page_tree(client, f"/measure/{mid}", search), "area-map-summary")
            if node is None:
                continue
            summary = "".join(texts(node))
            first = summary.split(".")[0]
            assert first.startswith(("The map shades", "No area has", "El mapa colorea", "Ninguna zona")), summary
            seen.add(first.split()[0])
    assert {"The", "No"} & seen and {"El", "Ninguna"} & seen
