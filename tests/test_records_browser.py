"""Drill-down in a real Chromium (issue 18): from the number on a measure page to the list of the
events behind it, whose length, counted row by row across its pages, equals the number clicked,
on the small demo and on Seattle's real crime sample; sorting by a column; one event's record.
The pages are photographed at 1280 and 390 px and checked with axe-core."""
from __future__ import annotations

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from settings import ROOT, Settings
from tests.test_browser_pages import axe_violations, settle, shoot

pytestmark = pytest.mark.browser


def rows_on_screen(dash_duo) -> list[list[str]]:
    table = dash_duo.find_element("#rec-table")
    return [[c.text for c in tr.find_elements(By.CSS_SELECTOR, "th, td")]
            for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr")]


def drill_down(dash_duo, url: str) -> tuple[int, list[list[str]], list[str]]:
    """Open the measure page, click its 'List the N events' link, and read every page of the list
    by following 'Next page': (the number clicked, every row read, the column headers)."""
    dash_duo.driver.get(url)
    settle(dash_duo, "#ms-records-link", timeout=60)
    number = int(dash_duo.find_element("#ms-value").text.replace(",", ""))
    logs = dash_duo.get_logs()
    assert logs == [], "on the measure page: " + "\n".join(x["message"][:300] for x in logs)
    link = dash_duo.find_element("#ms-records-link")
    assert link.text == f"List the {number:,} events behind this number"
    link.click()
    settle(dash_duo, "#rec-table", timeout=60)
    assert int(dash_duo.find_element("#rec-total").text.replace(",", "")) == number
    heads = [th.text for th in dash_duo.find_elements("#rec-table thead th")]
    rows = rows_on_screen(dash_duo)
    while dash_duo.driver.find_elements(By.ID, "rec-next"):
        first, shown = rows[-1][0], dash_duo.find_element("#rec-shown").text
        dash_duo.find_element("#rec-next").click()
        WebDriverWait(dash_duo.driver, 60, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: d.find_elements(By.ID, "rec-shown") and d.find_element(By.ID, "rec-shown").text != shown)
        settle(dash_duo, "#rec-table", timeout=60)
        page = rows_on_screen(dash_duo)
        assert page and page[0][0] != first  # a new page, not the same one again
        rows += page
    return number, rows, heads


@pytest.fixture(scope="module")
def demo_app(demo_db):
    from app import create_app

    return create_app(Settings(db_path=demo_db))


def test_the_list_behind_a_number_is_as_long_as_the_number_on_the_demo(dash_duo, demo_app, axe_source):
    dash_duo.start_server(demo_app)
    url = (dash_duo.server_url + "/measures/person_crimes?period=custom&start=2026-05-01&end=2026-11-21"
           "&layer=precinct&area=E&area=N")
    number, rows, heads = drill_down(dash_duo, url)
    assert number > 50  # more than one page of 50
    assert len(rows) == number and len({r[0] for r in rows}) == number  # every event once
    precinct = heads.index("precinct")
    assert {r[precinct] for r in rows} <= {"E", "N"}
    for width in (1280, 390):
        shoot(dash_duo, "records", width)
        if width == 390:  # the wide table scrolls in its own box; the page does not
            assert dash_duo.driver.execute_script("return document.documentElement.scrollWidth") <= 390
        assert axe_violations(dash_duo, axe_source) == [], f"axe on the records page at {width}px"
    dash_duo.driver.set_window_size(1280, 1000)

    # sort by offense (a header is a link: keyboard and back button work), then open one event
    dash_duo.find_element("#rec-table thead th:nth-child(%d) a" % (heads.index("offense") + 1)).click()
    dash_duo.wait_for_contains_text("#rec-table caption", "sorted by offense", timeout=60)
    settle(dash_duo, "#rec-table", timeout=60)
    offenses = [r[heads.index("offense")] for r in rows_on_screen(dash_duo)]
    assert offenses == sorted(offenses, reverse=True)
    key = rows_on_screen(dash_duo)[0][0]
    dash_duo.find_element("#rec-table tbody tr th a").click()
    settle(dash_duo, "#ev-record", timeout=60)
    record = dash_duo.find_element("#ev-record").text
    assert f"event key\n{key}" in record and "block address" in record and "area precinct" in record
    assert dash_duo.get_logs() == []
    for width in (1280, 390):
        shoot(dash_duo, "event", width)
        assert axe_violations(dash_duo, axe_source) == [], f"axe on the event page at {width}px"


@pytest.mark.real_data
def test_the_list_behind_a_number_is_as_long_as_the_number_on_the_real_crime_sample(dash_duo, seattle_data,
                                                                                     tmp_path_factory):
    from app import create_app
    from etl.load import load_many

    folder = tmp_path_factory.mktemp("real_records_browser")
    db = folder / "w.duckdb"
    load_many({"crime": [seattle_data / "crime" / "spd_crime_data_2008-present__2021-09_robbery_only.csv"]},
              db, Settings(db_path=db, raw_dir=folder / "raw"), progress=False)
    dash_duo.start_server(create_app(Settings(db_path=db, catalog_dir=ROOT / "catalog")))
    number, rows, heads = drill_down(dash_duo, dash_duo.server_url +
                                     "/measures/robberies?period=custom&start=2020-06-01&end=2020-07-31")
    assert number > 50 and len(rows) == number and len({r[0] for r in rows}) == number
    assert {r[heads.index("category")] for r in rows} == {"ROBBERY"}
    logs = dash_duo.get_logs()
    assert logs == [], "\n".join(x["message"][:600] for x in logs).replace("http", "\nhttp")
