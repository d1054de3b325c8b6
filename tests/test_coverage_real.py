"""The real Seattle samples, loaded exactly as README.md says (`python -m etl load <dataset>
<files>` per dataset, then `python -m etl geo`), seen through the app as a user opens it:
every measure page opens on data or on a "not covered" explanation, and the robbery-only crime
export never turns "crimes against persons" into 0 offenses, On track.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from tests.support.pages import find_by_id, render_with_client, texts
from engine.periods import make_period
from settings import ROOT, Settings

pytestmark = pytest.mark.real_data

FILES = {"crime": "crime", "calls": "calls_911", "use_of_force": "use_of_force", "terry_stops": "terry_stops",
         "ois": "ois", "fire_calls": "fire_911"}
NOT_COVERED = "the loaded crime file holds only ROBBERY records (none with crime against = PERSON)"


@pytest.fixture(scope="module")
def real_db(seattle_data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cov_real")
    db = folder / "real.duckdb"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("SEASTAT_")}, "SEASTAT_DB": str(db)}
    for ds, sub in FILES.items():
        files = sorted(str(p) for p in (seattle_data / sub).glob("*.csv"))
        subprocess.run([sys.executable, "-m", "etl", "load", ds, *files], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=600)
    subprocess.run([sys.executable, "-m", "etl", "geo", "--boundaries", str(seattle_data / "boundaries"),
                    "--population", str(seattle_data / "population")], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=600)
    return db


@pytest.fixture(scope="module")
def app(real_db, tmp_path_factory):
    from app import create_app

    ledger = tmp_path_factory.mktemp("ledger") / "ledger.sqlite3"
    return create_app(Settings(db_path=real_db, ledger_url=f"sqlite:///{ledger}"))


@pytest.fixture(scope="module")
def client(app):
    return app.server.test_client()


def page(client, path, search=""):
    status, layout, _ = render_with_client(client, path, search)
    assert status == 200
    return layout


def text_of(layout, ident=None) -> str:
    node = find_by_id(layout, ident) if ident else layout
    assert node is not None, f"no element {ident!r} on the page"
    return " | ".join(texts(node if ident is None else node.get("children")))


def loaded_measures(app):
    from components.engine_access import get_engine

    with app.server.test_request_context("/"):
        eng = get_engine()
        tables = set(eng.warehouse.tables())
        return eng, [m for m in eng.catalog.measures.values()
                     if m.computation.kind != "freshness" and all(d in tables for d in m.datasets)]


def test_every_loaded_measure_page_opens_on_data_or_says_not_covered(app, client):
    eng, measures = loaded_measures(app)
    assert len(measures) >= 15
    empty, not_covered = [], []
    for m in measures:
        layout = page(client, f"/measures/{m.id}")
        value = find_by_id(layout, "ms-value")["children"]
        if find_by_id(layout, "ms-not-covered") is not None:
            assert value == "Not covered"
            not_covered.append(m.id)
            continue
        summary = text_of(layout, "ms-trend-summary")
        # the old default period ended on 28 Nov 2023 (Terry stops) for every measure: crime,
        # calls, use of force and fire all opened on "no data" and an empty chart
        if value == "no data" or "No values" in summary:
            empty.append(m.id)
    assert empty == []
    assert set(not_covered) == {"person_crimes", "person_crime_rate", "calls_rate", "p1_median_response",
                                "p1_p90_response", "p1_within_7min", "uof_per_1000_calls"}


def test_robberies_open_on_the_last_complete_day_of_the_crime_file(client):
    layout = page(client, "/measures/robberies")
    assert "28 days to Sep 20, 2021" in text_of(layout, "ms-headline")   # not Nov 2023 (Terry stops)
    assert find_by_id(layout, "ms-value")["children"] not in ("no data", "0")


def test_crimes_against_persons_is_not_covered_on_the_measure_page(client):
    layout = page(client, "/measures/person_crimes")
    assert find_by_id(layout, "ms-value")["children"] == "Not covered"
    assert NOT_COVERED in text_of(layout, "ms-not-covered")
    assert "Not covered" in text_of(layout, "ms-status")
    assert find_by_id(layout, "ms-trend") is None  # no chart of zeros


def test_crimes_against_persons_is_not_covered_on_the_goal_card(client):
    layout = page(client, "/goals/safe_neighborhoods", "?end=2021-09-20")
    card = text_of(layout, "gl-card-person_crimes")
    assert "Not covered" in card and NOT_COVERED in card
    assert "On track" not in card and find_by_id(layout, "gl-value-person_crimes")["children"] == "Not covered"
    # robberies in the same period have a value: the jump link led to data
    assert find_by_id(layout, "gl-value-robberies")["children"] not in ("no data", "No data for this period")


def test_goal_page_offers_a_jump_to_the_latest_data(client):
    layout = page(client, "/goals/safe_neighborhoods")        # default: 28 days to 28 Nov 2023
    jump = find_by_id(layout, "gl-latest")
    assert jump is not None and "to 20 Sep 2021" in text_of(layout, "gl-latest")
    assert "/goals/safe_neighborhoods?end=2021-09-20" in str(jump)


def test_top_bar_says_which_dataset_is_behind(client):
    r = client.get("/_dash-layout")
    bar = " | ".join(texts(find_by_id(r.get_json(), "topbar-behind")["children"]))
    assert "SPD Officer Involved Shooting (OIS) Data is 4 years 5 months behind (to 3 Jul 2019)" in bar


def crime_meeting(app) -> dt.date:
    """The meeting that reviews the crime file's last complete meeting period."""
    eng, _ = loaded_measures(app)
    p = make_period("meeting", dt.date(2021, 9, 20), None, eng.city.meeting_anchor, eng.city.meeting_every_days,
                    complete=True)
    return p.end + dt.timedelta(days=1)


def test_crimes_against_persons_is_not_covered_on_the_meeting_page(app, client):
    meeting = crime_meeting(app)
    layout = page(client, "/meetings")               # the next meeting (2026): links to the crime data's
    assert f"/meetings/{meeting.isoformat()}" in str(find_by_id(layout, "mt-latest"))
    layout = page(client, f"/meetings/{meeting.isoformat()}")
    rows = [r for r in text_of(layout).split("Crimes against persons | ")[1:]]
    assert rows, "no row for crimes against persons"
    row = rows[0].split(" | Crimes against persons per")[0]
    assert row.startswith("not covered") and "Not covered: " + NOT_COVERED in row
    assert "On track" not in row


def test_crimes_against_persons_is_not_covered_in_the_packet(app):
    from components.engine_access import get_engine
    from packet.contents import build_packet
    from packet.html import render_html

    with app.server.test_request_context("/"):
        eng = get_engine()
        pkt = build_packet(eng, crime_meeting(app), layer="mcpp")
        html = render_html(pkt, eng.geojson("mcpp"))
    row = next(r for r in html.split("<tr") if "Crimes against persons<" in r)
    assert "not covered" in row and "Not covered: " + NOT_COVERED in row
    assert "On track" not in row and ">0<" not in row
    assert "Crimes against persons: not covered by the loaded data" in html  # its chart's caption


def test_crimes_against_persons_is_not_covered_on_the_public_page(real_db):
    from app import create_app

    c = create_app(Settings(db_path=real_db, mode="public")).server.test_client()
    assert c.get("/").status_code == 200
    v = c.get("/api/v1/measures/person_crimes.json").get_json()
    assert v["headline"]["status"] == "not_covered" and v["headline"]["current"]["value"] is None
    assert v["headline"]["not_covered"] == NOT_COVERED
    layout = page(c, "/measure/person_crimes")
    assert NOT_COVERED in text_of(layout, "measure-not-covered")
    assert "not covered by the loaded data" in text_of(layout, "measure-summary")
