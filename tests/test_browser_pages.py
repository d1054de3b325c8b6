"""The dashboard in a real Chromium (dash[testing]) on the small demo warehouse.

Every page loads with an empty browser console and no serious or critical axe-core violations,
and is photographed at desktop and phone (390 px) widths into screenshots/. Filters change the
numbers (checked against counts made by hand in SQL), a URL reproduces a view, back/forward
work, the CSV download equals the table on screen, and clicking an area on the map filters.

Demo dates: events end 2026-11-21; "last 28 days" = 2026-10-25..2026-11-21, "last 7 days" =
2026-11-15..2026-11-21.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import tarfile
import time
from pathlib import Path

import duckdb
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from components import plotly_bundle
from components.formatting import fmt_value
from settings import ROOT, Settings

pytestmark = pytest.mark.browser
SHOTS = ROOT / "screenshots"
PAGES = {
    "overview": ("/", "#ov-goals"),
    "goal": ("/goals/safe_neighborhoods", "#gl-cards"),
    "measure": ("/measures/person_crimes", "#ms-trend-summary"),
    "disparity": ("/measures/uof_disparity_black", "#ms-disparity"),
    "neighborhoods": ("/neighborhoods", "#nb-compare"),
    "data": ("/data", "#dt-inventory"),
    "not-found": ("/measures/nope", "#msg-not-found"),
}


@pytest.fixture(scope="module")
def dash_app(demo_db):
    from app import create_app

    return create_app(Settings(db_path=demo_db))


def count(db, where: str, params: list) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"SELECT count(*) FROM crime WHERE {where}", params).fetchone()[0]
    finally:
        con.close()


def settle(dash_duo, selector: str, timeout: int = 30):
    dash_duo.wait_for_element(selector, timeout=timeout)
    deadline = time.time() + timeout
    while time.time() < deadline:  # no callback still running
        if dash_duo.driver.execute_script(
                "var s = window.store && window.store.getState(); return !!s && !s.isLoading && "
                "(!s.pendingCallbacks || s.pendingCallbacks.length === 0);"):
            return
        time.sleep(0.2)


def axe_violations(dash_duo, axe_js: str) -> list[dict]:
    dash_duo.driver.execute_script(axe_js)
    dash_duo.driver.set_script_timeout(60)
    result = dash_duo.driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(function (r) { done(JSON.stringify(r.violations)); });")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in json.loads(result) if v["impact"] in ("serious", "critical")]


def shoot(dash_duo, name: str, width: int):
    driver = dash_duo.driver
    driver.set_window_size(width, 1000)
    time.sleep(0.8)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(height + 140, 8000))
    time.sleep(0.8)
    SHOTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"{name}_{width}.png"))


def headline(dash_duo, selector="#ms-value") -> str:
    return dash_duo.find_element(selector).text


def wait_for_text(dash_duo, selector, text, timeout=30):
    dash_duo.wait_for_text_to_equal(selector, text, timeout=timeout)


@pytest.mark.parametrize("name", list(PAGES))
def test_page_loads_clean_accessible_and_is_photographed(dash_duo, dash_app, axe_source, name):
    path, ready = PAGES[name]
    dash_duo.start_server(dash_app)
    t0 = time.perf_counter()
    dash_duo.driver.get(dash_duo.server_url + path)
    settle(dash_duo, ready)
    load_s = time.perf_counter() - t0
    assert dash_duo.get_logs() == [], f"browser console on {path}"
    if name in ("overview", "goal", "data", "not-found"):  # no chart or map: plotly.js not loaded
        assert dash_duo.driver.execute_script("return typeof window.Plotly") == "undefined"
    elif plotly_bundle.bundle_path() is not None:  # charts drawn by the small plotly.js, never Dash's 4.8 MB one
        # the chart chunk asks for plotly.js after the page's first callbacks: wait for that request
        # (on a busy machine it comes after the `ready` element), then check which bundle it was
        def resources():
            return dash_duo.driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        WebDriverWait(dash_duo.driver, 30).until(
            lambda d: [u for u in resources() if plotly_bundle.ROUTE in u or "plotly.min.js" in u])
        loaded = resources()
        assert [u for u in loaded if plotly_bundle.ROUTE in u] and not [u for u in loaded if "plotly.min.js" in u]
    for width in (1280, 390):
        shoot(dash_duo, name, width)
        if width == 390:  # usable on a phone: nothing wider than the screen makes the page scroll sideways
            assert dash_duo.driver.execute_script("return document.documentElement.scrollWidth") <= 390
        assert axe_violations(dash_duo, axe_source) == [], f"axe on {path} at {width}px"
    print(f"{path}: loaded in {load_s:.2f}s")


def test_period_filter_changes_the_numbers_to_the_hand_counted_ones(dash_duo, dash_app, demo_db):
    four_weeks = count(demo_db, "crime_against = 'PERSON' AND CAST(event_time AS DATE) BETWEEN ? AND ?",
                       ["2026-10-25", "2026-11-21"])
    one_week = count(demo_db, "crime_against = 'PERSON' AND CAST(event_time AS DATE) BETWEEN ? AND ?",
                     ["2026-11-15", "2026-11-21"])
    assert four_weeks != one_week
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(dash_duo.server_url + "/measures/person_crimes")
    settle(dash_duo, "#ms-value")
    assert headline(dash_duo) == fmt_value(four_weeks)
    Select(dash_duo.find_element("#ms-period")).select_by_visible_text("Last 7 days")
    wait_for_text(dash_duo, "#ms-value", fmt_value(one_week))
    assert "period=7d" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


def test_url_reproduces_the_view_and_back_forward_work(dash_duo, dash_app, demo_db):
    week_north = count(demo_db, "crime_against = 'PERSON' AND area_precinct = 'N' "
                                "AND CAST(event_time AS DATE) BETWEEN ? AND ?", ["2026-11-15", "2026-11-21"])
    month_north = count(demo_db, "crime_against = 'PERSON' AND area_precinct = 'N' "
                                 "AND CAST(event_time AS DATE) BETWEEN ? AND ?", ["2026-10-25", "2026-11-21"])
    assert week_north != month_north
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(dash_duo.server_url + "/measures/person_crimes?period=7d&area=N")
    settle(dash_duo, "#ms-value")
    assert headline(dash_duo) == fmt_value(week_north)
    assert "in N" in dash_duo.find_element("#ms-headline").text
    assert Select(dash_duo.find_element("#ms-period")).first_selected_option.text == "Last 7 days"
    assert dash_duo.find_element("#ms-areas input[value='N']").is_selected()
    Select(dash_duo.find_element("#ms-period")).select_by_visible_text("Last 28 days")
    wait_for_text(dash_duo, "#ms-value", fmt_value(month_north))
    assert "period=7d" not in dash_duo.driver.current_url and "area=N" in dash_duo.driver.current_url
    dash_duo.driver.back()
    wait_for_text(dash_duo, "#ms-value", fmt_value(week_north))
    assert "period=7d" in dash_duo.driver.current_url
    dash_duo.driver.forward()
    wait_for_text(dash_duo, "#ms-value", fmt_value(month_north))
    assert dash_duo.get_logs() == []


def grid_cells(dash_duo, grid_id: str) -> list[list[str]]:
    header = [h.text.strip() for h in dash_duo.driver.find_elements(
        By.CSS_SELECTOR, f"#{grid_id} .ag-header-row-column .ag-header-cell-text")]
    rows = dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{grid_id} .ag-center-cols-container .ag-row")
    rows = sorted(rows, key=lambda r: int(r.get_attribute("row-index")))
    body = []
    for r in rows:
        cells = sorted(r.find_elements(By.CSS_SELECTOR, ".ag-cell"), key=lambda c: int(c.get_attribute("aria-colindex")))
        body.append([c.text.strip() for c in cells])
    return [header] + body


def test_csv_download_equals_the_table_on_screen(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(dash_duo.server_url + "/measures/person_crimes?layer=mcpp")
    settle(dash_duo, "#ms-grid .ag-row")
    on_screen = grid_cells(dash_duo, "ms-grid")
    assert len(on_screen) > 50  # 58 neighborhoods and a header
    dash_duo.find_element("#ms-csv-btn").send_keys(Keys.ENTER)  # by keyboard, as a keyboard user would
    # named for the measure, its period and view; a header block says what it holds (issue 18)
    target = Path(dash_duo.download_path) / "measure_person_crimes_2026-10-25_2026-11-21_by-area.csv"
    deadline = time.time() + 20
    while not target.exists() and time.time() < deadline:
        time.sleep(0.2)
    lines = target.read_text(encoding="utf-8").splitlines()
    header = [x for x in lines if x.startswith("# ")]
    assert "# measure: person_crimes (Crimes against persons)" in header
    assert "# period: 2026-10-25 to 2026-11-21 (28 days to Nov 21, 2026)" in header
    assert any(x.startswith("# data as of: 2026-11-21") for x in header)
    downloaded = list(csv.reader(io.StringIO("\n".join(lines[len(header):]))))
    assert downloaded == on_screen


def test_a_period_before_the_data_still_maps_every_area_as_no_data(dash_duo, dash_app, demo_db):
    """Before the data began the engine has no value for any area: the map still draws every
    area of the layer, in the no-data grey, rather than an empty box."""
    con = duckdb.connect(str(demo_db), read_only=True)
    precincts = con.execute("SELECT count(*) FROM areas WHERE layer = 'precinct'").fetchone()[0]
    con.close()
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(dash_duo.server_url + "/measures/person_crimes?period=custom&start=2020-01-01&end=2020-01-28"
                        "&layer=precinct")
    settle(dash_duo, ".map-graph .js-plotly-plot .choroplethlocation")
    assert "No values for any of the areas" in dash_duo.find_element("#ms-map-summary").text
    assert len(dash_duo.find_elements(".map-graph .choroplethlocation")) >= precincts > 0
    assert dash_duo.get_logs() == []


def test_clicking_an_area_on_the_map_filters_the_page(dash_duo, dash_app, demo_db):
    from shapely.geometry import shape

    con = duckdb.connect(str(demo_db), read_only=True)
    geometry = json.loads(con.execute("SELECT geojson FROM areas WHERE layer = 'precinct' AND area_id = 'N'").fetchone()[0])
    con.close()
    point = shape(geometry.get("geometry", geometry)).representative_point()
    north = count(demo_db, "crime_against = 'PERSON' AND area_precinct = 'N' "
                           "AND CAST(event_time AS DATE) BETWEEN ? AND ?", ["2026-10-25", "2026-11-21"])
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(dash_duo.server_url + "/measures/person_crimes")
    settle(dash_duo, ".map-graph .js-plotly-plot .choroplethlocation")  # the SVG map (no tile layer configured)
    plot = dash_duo.find_element(".map-graph .js-plotly-plot .main-svg")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", plot)
    # where the point falls on screen, by the map's own projection (relative to the plot's corner)
    where = ("var gd = document.querySelector('.map-graph .js-plotly-plot');"
             "var p = gd._fullLayout.geo._subplot.projection([arguments[0], arguments[1]]);"
             "return [p[0], p[1]];")
    xy, previous = None, []
    for _ in range(40):  # the map may resize once the page has settled: wait until it stays put
        time.sleep(0.5)
        xy = dash_duo.driver.execute_script(where, point.x, point.y)
        if xy == previous:
            break
        previous = xy
    # selenium 4.2 measures the offset from the element's top-left corner
    ActionChains(dash_duo.driver).move_to_element_with_offset(plot, int(xy[0]), int(xy[1])).click().perform()
    wait_for_text(dash_duo, "#ms-value", fmt_value(north))
    assert "area=N" in dash_duo.driver.current_url
    assert "in N" in dash_duo.find_element("#ms-headline").text
    assert dash_duo.get_logs() == []


def test_keyboard_alone_reaches_content_and_changes_a_filter(dash_duo, dash_app, demo_db):
    one_week = count(demo_db, "crime_against = 'PERSON' AND CAST(event_time AS DATE) BETWEEN ? AND ?",
                     ["2026-11-15", "2026-11-21"])
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(dash_duo.server_url + "/measures/person_crimes")
    settle(dash_duo, "#ms-value")
    body = dash_duo.find_element("body")
    body.send_keys(Keys.TAB)
    active = dash_duo.driver.switch_to.active_element
    assert active.text == "Skip to content"
    active.send_keys(Keys.ENTER)
    assert dash_duo.driver.execute_script("return document.activeElement.id") == "main"
    for _ in range(30):  # Tab forward from the main content to the period control
        dash_duo.driver.switch_to.active_element.send_keys(Keys.TAB)
        if dash_duo.driver.execute_script("return document.activeElement.id") == "ms-period":
            break
    else:
        pytest.fail("Tab never reached the period control")
    dash_duo.driver.switch_to.active_element.send_keys("Last 7")  # typing picks an option, as in any select
    wait_for_text(dash_duo, "#ms-value", fmt_value(one_week))


def test_neighborhood_explorer_back_and_forward_restore_the_areas(dash_duo, dash_app, demo_db):
    north = count(demo_db, "crime_against = 'PERSON' AND area_precinct = 'N' "
                           "AND CAST(event_time AS DATE) BETWEEN ? AND ?", ["2026-10-25", "2026-11-21"])
    north_south = count(demo_db, "crime_against = 'PERSON' AND area_precinct IN ('N', 'S') "
                                 "AND CAST(event_time AS DATE) BETWEEN ? AND ?", ["2026-10-25", "2026-11-21"])
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(dash_duo.server_url + "/neighborhoods?measure=person_crimes&area=N")
    settle(dash_duo, "#nb-area-person_crimes")
    assert dash_duo.find_element("#nb-area-person_crimes").text == fmt_value(north)
    dash_duo.find_element("#nb-areas").find_element(By.XPATH, "./ancestor::details/summary").click()
    dash_duo.find_element("#nb-areas input[value='S']").click()
    wait_for_text(dash_duo, "#nb-area-person_crimes", fmt_value(north_south))
    assert "area=N&area=S" in dash_duo.driver.current_url
    dash_duo.driver.back()
    wait_for_text(dash_duo, "#nb-area-person_crimes", fmt_value(north))
    dash_duo.driver.forward()
    wait_for_text(dash_duo, "#nb-area-person_crimes", fmt_value(north_south))
    assert dash_duo.get_logs() == []


def test_tab_title_names_the_page_and_custom_dates_show_only_for_custom(dash_duo, dash_app, demo_db):
    four_weeks = count(demo_db, "crime_against = 'PERSON' AND CAST(event_time AS DATE) BETWEEN ? AND ?",
                       ["2026-10-25", "2026-11-21"])
    september = count(demo_db, "crime_against = 'PERSON' AND CAST(event_time AS DATE) BETWEEN ? AND ?",
                      ["2026-09-01", "2026-09-30"])
    assert september != four_weeks
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(dash_duo.server_url + "/measures/person_crimes")
    settle(dash_duo, "#ms-value")
    deadline = time.time() + 10
    while dash_duo.driver.title != "Crimes against persons · SeaStat" and time.time() < deadline:
        time.sleep(0.2)
    assert dash_duo.driver.title == "Crimes against persons · SeaStat"
    assert not dash_duo.find_element("#ms-start").is_displayed()  # not "custom": no date boxes to tab through

    period = dash_duo.find_element("#ms-period")
    Select(period).select_by_visible_text("Custom dates")
    deadline = time.time() + 10
    while not dash_duo.find_element("#ms-start").is_displayed() and time.time() < deadline:
        time.sleep(0.1)
    assert dash_duo.find_element("#ms-start").is_displayed()
    assert headline(dash_duo) == fmt_value(four_weeks)  # the page waits for the dates, it does not jump
    period.send_keys(Keys.TAB)  # the keyboard goes from the period straight to "From"
    assert dash_duo.driver.execute_script("return document.activeElement.id") == "ms-start"
    dash_duo.driver.switch_to.active_element.send_keys("09012026")
    dash_duo.driver.switch_to.active_element.send_keys(Keys.TAB)
    for _ in range(5):  # the date box has month/day/year parts; Tab leaves it for "To"
        if dash_duo.driver.execute_script("return document.activeElement.id") == "ms-end":
            break
        dash_duo.driver.switch_to.active_element.send_keys(Keys.TAB)
    assert dash_duo.driver.execute_script("return document.activeElement.id") == "ms-end"
    dash_duo.driver.switch_to.active_element.send_keys("09302026")  # complete: the page follows at once
    deadline = time.time() + 20
    while "end=" not in dash_duo.driver.current_url and time.time() < deadline:
        time.sleep(0.2)
    assert "period=custom&start=2026-09-01&end=2026-09-30" in dash_duo.driver.current_url
    wait_for_text(dash_duo, "#ms-value", fmt_value(september))
    settle(dash_duo, "#ms-value")
    assert dash_duo.find_element("#ms-start").is_displayed()  # a custom view keeps its dates in sight
    assert dash_duo.get_logs() == []

    dash_duo.driver.get(dash_duo.server_url + "/goals/safe_neighborhoods")
    settle(dash_duo, "#gl-cards")
    deadline = time.time() + 10
    while dash_duo.driver.title != "Safe neighborhoods · SeaStat" and time.time() < deadline:
        time.sleep(0.2)
    assert dash_duo.driver.title == "Safe neighborhoods · SeaStat"
