"""Who reaches the events behind a number, over HTTP (Flask's test client on the real app, a real
SQLite users store, the small demo warehouse): analysts and up read them and download their CSV;
a viewer gets 403 with one line saying why, by URL and inside the app; the public app has no
route to them at all."""
from __future__ import annotations

import csv
import io
import re

import duckdb
import pytest

from settings import Settings
from tests.support.pages import find_by_id, render_with_client, texts

USERS = {"vera": ("viewer", "viewer-pass-1"), "andy": ("analyst", "analyst-pass-2")}
SEARCH = "?period=custom&start=2025-11-23&end=2026-11-21&layer=precinct&area=E&area=N"


@pytest.fixture(scope="module")
def auth_app(demo_db, tmp_path_factory):
    from app import create_app
    from store import Users, open_store

    url = f"sqlite:///{tmp_path_factory.mktemp('records') / 'ledger.sqlite3'}"
    users = Users(open_store(url))
    for name, (role, password) in USERS.items():
        users.add_user(name, role, password)
    return create_app(Settings(db_path=demo_db, ledger_url=url, auth=True, secret_key="r" * 40))


def signed_in(app, name):
    client = app.server.test_client()
    token = re.search(r"name='csrf_token' value='([^']+)'", client.get("/auth/login").get_data(as_text=True)).group(1)
    r = client.post("/auth/login", data={"csrf_token": token, "username": name, "password": USERS[name][1], "next": "/"})
    assert r.status_code == 302, r.get_data(as_text=True)
    client.environ_base["HTTP_X_CSRFTOKEN"] = client.get_cookie("_csrf_token").value
    client.get("/_dash-dependencies")  # the first request registers the pages' callbacks
    return client


def hand_count(db) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM crime WHERE crime_against = 'PERSON' AND area_precinct IN ('E', 'N') "
                           "AND event_time >= '2025-11-23' AND event_time < '2026-11-22'").fetchone()[0]
    finally:
        con.close()


def test_a_viewer_gets_403_with_the_reason_and_no_records(auth_app):
    vera = signed_in(auth_app, "vera")
    for url in ["/records/person_crimes" + SEARCH, "/event/crime?key=1",
                "/download/records/person_crimes.csv" + SEARCH]:
        r = vera.get(url)
        body = r.get_data(as_text=True)
        assert r.status_code == 403, url
        assert body.strip() == ("403 Forbidden: vera is a viewer, who may not read records. "
                                "Event records are for analysts, editors and admins.")
    r = vera.get("/explore?dataset=crime")
    assert r.status_code == 403 and r.get_data(as_text=True).strip() == (
        "403 Forbidden: vera is a viewer, who may not read records. The explorer is for analysts, editors and admins.")
    _, layout, _ = render_with_client(vera, "/explore", "?dataset=crime")
    assert find_by_id(layout, "ex-forbidden") is not None and find_by_id(layout, "ex-value") is None
    # inside the app (Dash builds the page in a callback): the page says so, with no record in it
    status, layout, _ = render_with_client(vera, "/records/person_crimes", SEARCH)
    assert status == 200 and find_by_id(layout, "rec-forbidden") is not None
    assert find_by_id(layout, "rec-table") is None
    # and the measure page offers no link to them
    _, layout, _ = render_with_client(vera, "/measures/person_crimes", SEARCH)
    assert find_by_id(layout, "ms-records-link") is None


def test_an_analyst_reads_as_many_records_as_the_number_and_downloads_them(auth_app, demo_db):
    andy = signed_in(auth_app, "andy")
    n = hand_count(demo_db)
    _, layout, _ = render_with_client(andy, "/measures/person_crimes", SEARCH)
    assert find_by_id(layout, "ms-value")["children"] == f"{n:,}"
    link = find_by_id(layout, "ms-records-link")
    assert link["children"] == f"List the {n:,} events behind this number"
    path, search = link["href"].split("?")
    _, layout, _ = render_with_client(andy, path, "?" + search)
    assert find_by_id(layout, "rec-total")["children"] == f"{n:,}"
    assert f"Showing 1–50 of {n:,}" in " ".join(texts(layout))
    assert andy.get(link["href"]).status_code == 200  # the page itself (Dash's index)

    r = andy.get(f"/download/records/person_crimes.csv?{search}")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == (
        'attachment; filename="records_person_crimes_2025-11-23_2026-11-21_precinct-E-N.csv"')
    text = r.get_data(as_text=True)
    header = [line for line in text.splitlines() if line.startswith("# ")]
    assert "# measure: person_crimes (Crimes against persons)" in header
    assert "# filters: precinct E, N" in header and f"# events: {n} offenses" in header
    rows = list(csv.DictReader(io.StringIO("\n".join(x for x in text.splitlines() if not x.startswith("# ")))))
    assert len(rows) == n and {r["precinct"] for r in rows} <= {"E", "N"}
    assert {r["crime_against"] for r in rows} == {"PERSON"}


def test_a_measure_page_filtered_to_one_group_counts_that_group_and_lists_its_records(auth_app, demo_db):
    """?group=subject_race&value=Black on a measure whose dataset has demographic fields filters
    the headline, trend, map and table, and the drill-down keeps the filter (issue 18)."""
    andy = signed_in(auth_app, "andy")
    search = "?period=custom&start=2025-11-23&end=2026-11-21&group=subject_race&value=Black"
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        n = con.execute("SELECT count(*) FROM use_of_force WHERE subject_race = 'Black' AND category IN "
                        "('Level 2 - Use of Force', 'Level 3 - Use of Force', 'Level 3 - OIS') AND "
                        "event_time >= '2025-11-23' AND event_time < '2026-11-22'").fetchone()[0]
    finally:
        con.close()
    _, layout, _ = render_with_client(andy, "/measures/serious_uof", search)
    assert find_by_id(layout, "ms-value") is not None, texts(layout)[:6]
    assert find_by_id(layout, "ms-value")["children"] == f"{n:,}" and n > 0
    assert "for subject race Black" in " ".join(texts(layout))
    link = find_by_id(layout, "ms-records-link")["href"]
    assert "group=subject_race" in link and "value=Black" in link
    path, query = link.split("?")
    _, records, _ = render_with_client(andy, path, "?" + query)
    assert find_by_id(records, "rec-total")["children"] == f"{n:,}"
    _, layout, _ = render_with_client(andy, "/measures/serious_uof", search.replace("Black", "Martian"))
    assert "value: 'Martian' is not a value of subject_race" in " ".join(texts(layout))


# Last in this file: building a public app resets Dash's process-wide page registry.
def test_the_public_app_has_no_route_to_records_or_the_explorer(demo_db):
    from app import create_app

    client = create_app(Settings(db_path=demo_db, mode="public")).server.test_client()
    for url in ["/records/robberies", "/event/crime?key=1", "/download/records/robberies.csv", "/explore"]:
        assert client.get(url).status_code == 404, url
    for path in ("/records/robberies", "/explore"):
        status, layout, _ = render_with_client(client, path)
        assert "Page not found" in texts(layout) and "event_key" not in str(layout) and "ex-value" not in str(layout)
