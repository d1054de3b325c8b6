"""Pages rendered over HTTP (the router callback a browser calls) on the small demo warehouse:
bad URLs get a friendly message, and the numbers shown are the ones counted by hand in SQL.

The demo ends on 2026-11-21 (tests/conftest.py DEMO_END is the day after), so the default
period "last 28 days" is 2026-10-25 .. 2026-11-21 and "last 7 days" 2026-11-15 .. 2026-11-21.
"""
from __future__ import annotations

import duckdb
import pytest

from components.formatting import fmt_value
from settings import Settings
from tests.support.pages import find_by_id, render_with_client, texts


@pytest.fixture(scope="module")
def client(demo_db):
    from app import create_app

    return create_app(Settings(db_path=demo_db)).server.test_client()


def count(db, where: str, params: list) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"SELECT count(*) FROM crime WHERE {where}", params).fetchone()[0]
    finally:
        con.close()


def page_text(client, path, search=""):
    status, layout, _ = render_with_client(client, path, search)
    assert status == 200
    return layout, " ".join(texts(layout))


@pytest.mark.parametrize("path, search, message", [
    ("/goals/no_such_goal", "", "No such goal"),
    ("/measures/no_such_measure", "", "No such measure"),
    ("/measures/person_crimes", "?period=custom&start=2026-02-30&end=2026-03-05", "'2026-02-30' is not a date"),
    ("/measures/person_crimes", "?layer=mcpp&area=ATLANTIS", "'ATLANTIS' is not an area of layer mcpp"),
    ("/measures/person_crimes", "?layer=council", "layer: 'council' is not one of precinct, beat, mcpp"),
    ("/measures/person_crimes", "?category=NOT%20A%20CRIME", "'NOT A CRIME' is not a category"),
    ("/neighborhoods", "?area=ATLANTIS", "'ATLANTIS' is not an area of layer precinct"),
    ("/neighborhoods", "?measure=nope", "measure: 'nope' is not a measure"),
    ("/", "?period=fortnight", "period: 'fortnight' is not one of"),
    ("/goals/safe_neighborhoods", "?period=custom&start=2026-05-01&end=2026-04-01", "is after end"),
    ("/no/such/page", "", "No such page"),
])
def test_bad_urls_get_a_friendly_message(client, path, search, message):
    layout, text = page_text(client, path, search)
    assert message in text
    assert "Traceback" not in text and "could not be built" not in text


def test_measure_page_headline_is_the_hand_counted_number(client, demo_db):
    expected = count(demo_db, "crime_against = 'PERSON' AND CAST(event_time AS DATE) BETWEEN ? AND ?",
                     ["2026-10-25", "2026-11-21"])
    layout, text = page_text(client, "/measures/person_crimes")
    assert find_by_id(layout, "ms-value")["children"] == fmt_value(expected)
    assert "28 days to Nov 21, 2026" in text


def test_area_and_category_filters_in_the_url_change_the_headline(client, demo_db):
    expected = count(demo_db, "crime_against = 'PERSON' AND area_precinct = 'N' AND category = 'ASSAULT OFFENSES' "
                              "AND CAST(event_time AS DATE) BETWEEN ? AND ?", ["2026-11-15", "2026-11-21"])
    city = count(demo_db, "crime_against = 'PERSON' AND CAST(event_time AS DATE) BETWEEN ? AND ?",
                 ["2026-11-15", "2026-11-21"])
    assert expected != city  # otherwise the test could not tell a filter from no filter
    layout, text = page_text(client, "/measures/person_crimes", "?period=7d&area=N&category=ASSAULT%20OFFENSES")
    assert find_by_id(layout, "ms-value")["children"] == fmt_value(expected)
    assert "in N, ASSAULT OFFENSES" in text


def test_neighborhood_explorer_compares_area_with_city(client, demo_db):
    area = count(demo_db, "crime_against = 'PERSON' AND area_mcpp IN ('BALLARD NORTH', 'BALLARD SOUTH') "
                          "AND CAST(event_time AS DATE) BETWEEN ? AND ?", ["2026-10-25", "2026-11-21"])
    city = count(demo_db, "crime_against = 'PERSON' AND CAST(event_time AS DATE) BETWEEN ? AND ?",
                 ["2026-10-25", "2026-11-21"])
    layout, _ = page_text(client, "/neighborhoods", "?measure=person_crimes&layer=mcpp&area=BALLARD%20NORTH&area=BALLARD%20SOUTH")
    assert find_by_id(layout, "nb-area-person_crimes")["children"] == fmt_value(area)
    assert find_by_id(layout, "nb-city-person_crimes")["children"] == fmt_value(city)
    assert find_by_id(layout, "nb-areas")["value"] == ["BALLARD NORTH", "BALLARD SOUTH"]


def test_goal_card_sparklines_draw_the_periods_their_words_describe(client):
    """Each card's sparkline (an SVG picture) has one point per period its hidden summary counts,
    and its highest point is the highest period; a period with no value breaks the line."""
    import base64
    import datetime as dt
    import re

    import pandas as pd

    from components.charts import sparkline_svg

    layout, _ = page_text(client, "/goals/safe_neighborhoods")
    pictures = []

    def walk(n):
        if isinstance(n, list):
            for x in n:
                walk(x)
        elif isinstance(n, dict) and "props" in n:
            kids = n["props"].get("children")
            if isinstance(kids, list):
                for a, b in zip(kids, kids[1:]):
                    if isinstance(a, dict) and a.get("type") == "Img" and "sparkline" in a["props"].get("className", ""):
                        pictures.append((a["props"], b["props"]["children"]))
            walk(kids)
    walk(layout)
    assert len(pictures) >= 4  # the goal's measures
    for img, words in pictures:
        assert img["alt"] == ""  # decorative: the words are in the paragraph that follows
        svg = base64.b64decode(img["src"].split(",", 1)[1]).decode()
        points = [tuple(map(float, p)) for p in re.findall(r"[ML]([\d.]+) ([\d.]+)", svg)]
        assert len(points) == int(re.match(r"(\d+) periods from", words).group(1))
    days = [dt.date(2026, 1, 5) + dt.timedelta(weeks=i) for i in range(5)]
    gap = sparkline_svg(pd.DataFrame({"period_start": days, "value": [3.0, 9.0, None, 1.0, 2.0]}))
    assert re.search(r'd="M[^"]*L[^"]* M[^"]*L', gap)  # two pieces of line around the missing week
    top = re.findall(r"[ML]([\d.]+) ([\d.]+)", gap)[1]  # the week of 9: highest on the picture
    assert float(top[1]) == min(float(y) for _, y in re.findall(r"[ML]([\d.]+) ([\d.]+)", gap))


def test_data_page_lists_every_dataset_with_its_rejects(client, demo_db):
    con = duckdb.connect(str(demo_db), read_only=True)
    rejected = dict(con.execute("SELECT dataset, CAST(sum(rows_rejected) AS BIGINT) FROM load_log GROUP BY 1").fetchall())
    con.close()
    layout, text = page_text(client, "/data")
    for dataset, n in rejected.items():
        row = " ".join(texts(find_by_id(layout, f"dt-row-{dataset}")["children"]))
        assert row.split()[0] == dataset
        assert f" {n} " in f" {row} "
    assert "Quality checks: crime" in text


def test_after_a_new_load_the_page_shows_the_new_numbers(demo_db, tmp_path):
    """The ETL swaps the warehouse file whole; the next request must not serve a remembered page."""
    import os
    import shutil

    from app import create_app
    from engine import aggregates
    from engine.catalog import load_catalog
    from settings import ROOT

    live = tmp_path / "live.duckdb"
    shutil.copy(demo_db, live)
    client = create_app(Settings(db_path=live)).server.test_client()
    where = "crime_against = 'PERSON' AND CAST(event_time AS DATE) BETWEEN ? AND ?"
    period = ["2026-10-25", "2026-11-21"]
    before, without_north = count(live, where, period), count(live, where + " AND area_precinct <> 'N'", period)
    assert before != without_north
    layout, _ = page_text(client, "/measures/person_crimes")
    assert find_by_id(layout, "ms-value")["children"] == fmt_value(before)

    new = tmp_path / "live.duckdb.new"  # what a reload looks like: a new file moved over the old one
    shutil.copy(live, new)
    con = duckdb.connect(str(new))
    con.execute("DELETE FROM crime WHERE area_precinct = 'N'")
    aggregates.build(con, load_catalog(ROOT / "catalog"))
    con.execute("CHECKPOINT")
    con.close()
    os.replace(new, live)

    layout, _ = page_text(client, "/measures/person_crimes")
    assert find_by_id(layout, "ms-value")["children"] == fmt_value(without_north)


# --- Signed-in users: what a page shows depends on the role -------------------------------------

ROLE_PASSWORDS = {"vera": ("viewer", "viewer-pass-1"), "andy": ("analyst", "analyst-pass-2"),
                  "edie": ("editor", "editor-pass-3")}


@pytest.fixture(scope="module")
def auth_app(demo_db, tmp_path_factory):
    import re

    from app import create_app
    from store import Users, open_store

    url = f"sqlite:///{tmp_path_factory.mktemp('roles') / 'ledger.sqlite3'}"
    users = Users(open_store(url))
    for name, (role, password) in ROLE_PASSWORDS.items():
        users.add_user(name, role, password)
    app = create_app(Settings(db_path=demo_db, ledger_url=url, auth=True, secret_key="s" * 40))
    app.csrf_re = re.compile(r"name='csrf_token' value='([^']+)'")
    return app


def signed_in(app, name):
    """A test client signed in through the real sign-in form; Dash calls carry the CSRF header."""
    client = app.server.test_client()
    token = app.csrf_re.search(client.get("/auth/login").get_data(as_text=True)).group(1)
    r = client.post("/auth/login", data={"csrf_token": token, "username": name,
                                         "password": ROLE_PASSWORDS[name][1], "next": "/"})
    assert r.status_code == 302, r.get_data(as_text=True)
    client.environ_base["HTTP_X_CSRFTOKEN"] = client.get_cookie("_csrf_token").value
    return client


def test_a_viewers_cached_page_never_reaches_an_editor(auth_app):
    """Pages are cached per URL; a page built for one role must not be served to another (the
    meeting page is never cached now; the measure page shows Download CSV by role)."""
    viewer, editor = signed_in(auth_app, "vera"), signed_in(auth_app, "edie")
    _, vera_text = page_text(viewer, "/meetings/2026-11-16")
    assert "Your role (viewer) can read the ledger but not record or change items" in vera_text
    _, edie_text = page_text(editor, "/meetings/2026-11-16")
    assert "can read the ledger but not record" not in edie_text
    search = "?period=7d&area=S"  # a view no other test opens first
    for client, hidden in ((viewer, True), (editor, False), (viewer, True)):
        layout, _ = page_text(client, "/measures/person_crimes", search)
        assert find_by_id(layout, "ms-csv-btn")["hidden"] is hidden


def test_the_top_bar_names_the_signed_in_user_and_offers_sign_out(auth_app, client):
    analyst = signed_in(auth_app, "andy")
    bar = analyst.get("/_dash-layout").get_json()
    assert "Signed in as andy (analyst)" in "".join(texts(find_by_id(bar, "auth-user")["children"]))
    link = find_by_id(bar, "auth-signout-link")
    assert link["href"] == "/auth/logout" and link["children"] == "Sign out"
    page = analyst.get(link["href"]).get_data(as_text=True)  # the link leads to the sign-out form
    assert "id='auth-signout'" in page
    assert find_by_id(client.get("/_dash-layout").get_json(), "auth-signout-link") is None  # no sign-in, no menu


def download_csv(client, rows, column_defs, meta=None):
    """The measure page's Download CSV callback, as the browser calls it (meta: the page's
    ms-csv-meta store, the file's name and header block)."""
    return client.post("/_dash-update-component", json={
        "output": "ms-csv.data", "outputs": {"id": "ms-csv", "property": "data"},
        "inputs": [{"id": "ms-csv-btn", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["ms-csv-btn.n_clicks"],
        "state": [{"id": "ms-grid", "property": "virtualRowData", "value": rows},
                  {"id": "ms-grid", "property": "columnDefs", "value": column_defs},
                  {"id": "ms-csv-meta", "property": "data", "value": meta}]})


def test_only_analysts_and_up_may_download_csv(auth_app):
    rows = [{"period_start": "2026-11-15", "value": 12, "numerator": 12}]
    defs = [{"field": "period_start", "headerName": "Week of"}, {"field": "value", "headerName": "Value (count)"}]
    viewer, analyst = signed_in(auth_app, "vera"), signed_in(auth_app, "andy")

    refused = download_csv(viewer, rows, defs)
    assert refused.status_code == 403
    assert "vera is a viewer, who may not download" in refused.get_data(as_text=True)
    layout, _ = page_text(viewer, "/measures/person_crimes")
    assert find_by_id(layout, "ms-csv-btn")["hidden"] is True  # the button is not offered either

    ok = download_csv(analyst, rows, defs)
    assert ok.status_code == 200
    data = ok.get_json()["response"]["ms-csv"]["data"]
    assert data["filename"] == "measure.csv"  # a page always sends its meta; without it, a plain name
    assert data["content"].splitlines() == ["Week of,Value (count)", "2026-11-15,12"]
    named = download_csv(analyst, rows, defs, {"filename": "measure_x_2026-11-15.csv", "header": ["measure: x"]})
    data = named.get_json()["response"]["ms-csv"]["data"]
    assert data["filename"] == "measure_x_2026-11-15.csv"
    assert data["content"].splitlines() == ["# measure: x", "Week of,Value (count)", "2026-11-15,12"]
    forged = download_csv(analyst, rows, defs, {"filename": "../../etc/passwd", "header": "x"})
    assert forged.get_json()["response"]["ms-csv"]["data"]["filename"] == "table.csv"
    layout, _ = page_text(analyst, "/measures/person_crimes")
    assert find_by_id(layout, "ms-csv-btn")["hidden"] is False


def test_the_overview_and_goal_pages_are_built_before_their_first_visitor(demo_db):
    """The first request (here the page shell; often the sign-in page) starts a background build of
    the overview and goal pages, so the first visitor to open them computes nothing."""
    from app import create_app
    from components import warmup
    from components.engine_access import ENGINE_KEY

    app = create_app(Settings(db_path=demo_db))
    client = app.server.test_client()
    assert client.get("/_dash-layout").status_code == 200
    assert warmup.wait(app.server, 180)
    eng = app.server.config[ENGINE_KEY]
    computed = eng.misses
    layout, text = page_text(client, "/")
    assert "Goals overview" in text and find_by_id(layout, "ov-goals")["children"]
    _, goal_text = page_text(client, "/goals/safe_neighborhoods")
    assert "Department:" in goal_text
    assert "What we are doing about it" in goal_text and eng.catalog.goals[0].actions[0] in goal_text
    assert eng.misses == computed  # every answer was already there: the visitor waited for none


def test_without_warming_the_first_visitor_computes_the_overview(demo_db):
    """The counterpart: the test above would pass trivially if pages never needed the engine."""
    from app import create_app
    from components import warmup
    from components.engine_access import ENGINE_KEY

    app = create_app(Settings(db_path=demo_db))
    app.server.config[warmup.ENABLED_KEY] = False
    client = app.server.test_client()
    assert client.get("/_dash-layout").status_code == 200
    eng = app.server.config[ENGINE_KEY]
    computed = eng.misses
    page_text(client, "/")
    assert eng.misses > computed


def test_last_years_line_lies_under_this_years_weeks(client):
    """The trend draws the same weeks a year (52 weeks) earlier under this year's: each of its
    points sits on this year's week, and weeks before the data began are a gap, not zero (the
    small demo holds one year, so last year's weeks are almost all before it)."""
    import datetime as dt

    layout, _ = page_text(client, "/measures/person_crimes")
    data = find_by_id(layout, "ms-trend")["figure"]["data"]
    last, this = (next(t for t in data if t["name"] == name) for name in ("Same period last year", "This period"))
    assert [dt.date.fromisoformat(x[:10]) for x in last["x"]] == [dt.date.fromisoformat(x) for x in this["x"]]
    assert len(this["x"]) >= 52
    assert all(y is None for y in last["y"][:-2]) and all(isinstance(y, (int, float)) for y in this["y"][1:-1])
    # the first and last weeks hold part of a week (the data start on a Saturday, end on a
    # Saturday): off the line, drawn as labelled open circles (engine.timemodel)
    assert this["y"][0] is None and this["y"][-1] is None
    part = next(t for t in data if t["name"] == "This period: part-week (not tested)")
    assert part["x"] == [this["x"][0], this["x"][-1]]
    assert "partial: 6 of 7 days" in part["text"][-1]


def test_a_cached_page_is_what_dash_would_have_sent():
    """Pages are cached as the JSON tree Dash sends (pagekit.as_json_tree): the browser must get
    the same JSON as from the component tree, whatever values a page holds."""
    import datetime as dt
    import json

    import numpy as np
    import pandas as pd
    from dash import dcc, html
    from plotly.io.json import to_json_plotly

    from components.pagekit import as_json_tree

    page = html.Div([
        html.H1("Crimes </script> & more", id="x"),
        html.P(["text", 3, 2.5, True, None, float("nan"), float("inf"), -0.0, np.float64(1.25), np.int64(7), np.bool_(True)]),
        dcc.Graph(figure={"data": [{"x": np.array([1, 2, 3]), "y": [1.0, float("nan"), -float("inf")],
                                    "t": (dt.date(2026, 1, 5), dt.datetime(2026, 1, 5, 12, 30), pd.Timestamp("2026-01-05"))}],
                          "layout": {1: "int key", "nested": {"a": [np.nan, pd.NaT, None]}}}),
        dcc.Store(id="s", data={"areas": ("A", "B"), "when": pd.Timestamp("2026-01-05 08:00"), "n": [np.float32(0.1)]}),
    ], className="page")
    expected = json.loads(to_json_plotly(page))
    got = as_json_tree(page)
    assert json.dumps(got) == json.dumps(expected)  # text, not ==: 1, 1.0 and True must stay apart
    assert json.dumps(as_json_tree([page, {"k": page}])) == json.dumps(json.loads(to_json_plotly([page, {"k": page}])))
