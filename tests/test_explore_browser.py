"""The explorer in a real Chromium (issue 18): an analyst picks, with the page's own controls, a crime
category no catalog measure uses by Neighborhood Map Atlas area and reads the count made by hand
in SQL; then three areas side by side, as three lines, with the table restricted to them; then a
Terry stop call type no measure uses for one demographic group (Terry stops publish no
coordinates: the NMA layer is not offered for them, and the page says why). Photographed at
1280 and 390 px."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

from settings import Settings
from tests.test_browser_pages import axe_violations, settle, shoot
from tests.test_explore import sql, uncatalogued_call_type

pytestmark = pytest.mark.browser
START, END = dt.date(2025, 11, 23), dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def demo_app(demo_db):
    from app import create_app

    return create_app(Settings(db_path=demo_db))


def choose(dash_duo, select_id: str, value: str):
    """Pick an option in a select and wait for the page the URL change builds."""
    before = dash_duo.driver.current_url
    Select(dash_duo.find_element(f"#{select_id}")).select_by_value(value)
    deadline = time.time() + 60
    while dash_duo.driver.current_url == before and time.time() < deadline:
        time.sleep(0.2)
    settle(dash_duo, "#ex-value", timeout=60)
    dash_duo.wait_for_element(f"#{select_id}", timeout=60)


def hand_counts(db, table, where, params, layer):
    return dict(sql(db, f"SELECT area_{layer}, count(*) FROM {table} WHERE {where} AND event_time >= ? AND "
                        f"event_time < ? GROUP BY 1", [*params, START, END + dt.timedelta(days=1)]))


def test_uncatalogued_categories_by_nma_side_by_side_and_with_a_demographic_filter(dash_duo, demo_app, demo_db,
                                                                                  axe_source):
    from engine import Engine

    eng = Engine.open(Settings(db_path=demo_db))
    dash_duo.start_server(demo_app)
    dash_duo.driver.get(dash_duo.server_url + f"/explore?period=custom&start={START}&end={END}")
    settle(dash_duo, "#ex-value", timeout=60)

    # 1. a crime category no catalog measure counts, by Neighborhood Map Atlas area
    assert not [m for m in eng.catalog.measures.values() if m.computation.part is not None
                and ("category", "eq", "MOTOR VEHICLE THEFT") in m.computation.part.where]
    choose(dash_duo, "ex-field", "category")
    choose(dash_duo, "ex-match", "MOTOR VEHICLE THEFT")
    choose(dash_duo, "ex-layer", "nma")
    by_hand = hand_counts(demo_db, "crime", "category = ?", ["MOTOR VEHICLE THEFT"], "nma")
    assert dash_duo.find_element("#ex-value").text == f"{sum(by_hand.values()):,}"

    # 2. three areas side by side: three lines, and the table holds those three only
    top = sorted((a for a in by_hand if a != "UNKNOWN"), key=lambda a: (-by_hand[a], a))[:3]
    dash_duo.driver.get(dash_duo.driver.current_url + "".join(f"&area={a.replace(' ', '+')}" for a in top))
    settle(dash_duo, "#ex-value", timeout=60)
    assert dash_duo.find_element("#ex-value").text == f"{sum(by_hand[a] for a in top):,}"
    traces = dash_duo.driver.execute_script(
        "return document.querySelector('#ex-trend .js-plotly-plot').data.map(t => t.name)")
    assert sorted({t.split(":")[0] for t in traces}) == sorted(top)  # a part-week is its own trace
    dash_duo.wait_for_element("#ex-grid .ag-row", timeout=60)
    rows = dash_duo.driver.find_elements(By.CSS_SELECTOR, "#ex-grid .ag-center-cols-container .ag-row")
    assert len(rows) == 3
    assert dash_duo.get_logs() == []
    for width in (1280, 390):
        shoot(dash_duo, "explore", width)
        if width == 390:
            assert dash_duo.driver.execute_script("return document.documentElement.scrollWidth") <= 390
        assert axe_violations(dash_duo, axe_source) == [], f"axe on the explorer at {width}px"
    dash_duo.driver.set_window_size(1280, 1000)

    # 3. a Terry stop call type no measure uses, for one group, by beat: Terry stops publish no
    # coordinates, so the Neighborhood Map Atlas is not offered for them, and the page says why
    value = uncatalogued_call_type(demo_db, eng)
    choose(dash_duo, "ex-dataset", "terry_stops")
    assert "Neighborhood Map Atlas" in dash_duo.find_element("#ex-layer-box").text
    assert "nma" not in [o.get_attribute("value") for o in dash_duo.find_elements("#ex-layer option")]
    choose(dash_duo, "ex-field", "final_call_type")
    choose(dash_duo, "ex-match", value)
    choose(dash_duo, "ex-group", "subject_race")
    choose(dash_duo, "ex-gvalue", "Black")
    by_hand = hand_counts(demo_db, "terry_stops", "final_call_type = ? AND subject_race = 'Black'", [value], "beat")
    assert dash_duo.find_element("#ex-value").text == f"{sum(by_hand.values()):,}"
    assert f"final call type {value}" in dash_duo.find_element("#ex-what").text
    assert "subject race Black" in dash_duo.find_element("#ex-headline").text
    assert "final_call_type" in dash_duo.find_element("#ex-yaml").get_attribute("textContent")
    assert dash_duo.get_logs() == []
