"""One-click action items in a real Chromium: "Add action" beside a hot spot fills the ledger form
with that hot spot's measure, area and the period reviewed; the facilitator adds the owner and the
due date, saves, and the item recorded at this meeting names that measure and area."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select

from test_meeting_browser import LOAD, dash_app, fill, open_page, save, settle  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser
MEETING = "2026-11-16"  # reviews 2 - 15 Nov 2026, the small demo's last complete period


def test_add_action_from_a_hot_spot_prefills_measure_area_and_period(dash_duo, dash_app):  # noqa: F811
    dash_duo.start_server(dash_app)
    open_page(dash_duo, f"/meetings/{MEETING}")
    rows = dash_duo.driver.find_elements("css selector", "#mt-hotspot-table tbody tr")
    assert rows, "the small demo's meeting of 16 Nov lists at least one ranked hot spot"
    cells = rows[0].find_elements("css selector", "td")
    area_label, measure_title = cells[1].text, cells[3].text
    assert cells[2].text.startswith(("Yes, significant", "No, within chance"))
    rows[0].find_element("css selector", "button").send_keys(Keys.ENTER)
    dash_duo.wait_for_contains_text("#mt-msg", "filled in for", timeout=LOAD)
    settle(dash_duo, "#mt-msg")
    measure = Select(dash_duo.find_element("#mt-measure")).first_selected_option
    area = Select(dash_duo.find_element("#mt-area")).first_selected_option
    assert (measure.text, area.text) == (measure_title, area_label)
    what = dash_duo.find_element("#mt-text").get_attribute("value")
    assert what.startswith(f"Follow up {measure_title} in {area_label}, 2 Nov 2026 – 15 Nov 2026: ")
    dash_duo.find_element("#mt-text").send_keys("extra unit on weekend nights")
    fill(dash_duo, owner="Fire Station 2", due="2026-11-30")
    save(dash_duo, "Saved")
    row = dash_duo.find_element("#mt-new tbody tr")
    assert "extra unit on weekend nights" in row.text
    assert f"{measure_title}, {area.get_attribute('value')}" in row.text  # measure and area recorded
    assert dash_duo.get_logs() == []


def test_meeting_page_with_flags_hot_spots_and_summary_has_no_serious_axe_violation(dash_duo, dash_app, axe_source):  # noqa: F811
    """The new parts (summary, "How we know" disclosures, Add action buttons, maps with legends)
    keep the page free of serious or critical axe-core violations."""
    from test_browser_pages import axe_violations

    dash_duo.start_server(dash_app)
    open_page(dash_duo, f"/meetings/{MEETING}")
    assert dash_duo.find_element("#mt-summary").is_displayed()
    assert axe_violations(dash_duo, axe_source) == []


def test_an_event_noted_on_the_page_is_drawn_on_its_chart_after_reload(dash_duo, dash_app):  # noqa: F811
    dash_duo.start_server(dash_app)
    open_page(dash_duo, f"/meetings/{MEETING}")
    Select(dash_duo.find_element("#mt-ev-measure")).select_by_value("robberies")
    dash_duo.find_element("#mt-ev-day").send_keys("2026-11-05")
    dash_duo.find_element("#mt-ev-text").send_keys("Pike Place market closed for repairs")
    dash_duo.find_element("#mt-ev-save").send_keys(Keys.ENTER)
    dash_duo.wait_for_contains_text("#mt-ev-msg", "Saved: 5 Nov 2026, Robberies reported", timeout=LOAD)
    dash_duo.driver.refresh()
    settle(dash_duo, "#mt-events-table")
    assert "Pike Place market closed for repairs" in dash_duo.find_element("#mt-events-table").text
    charts = [img.get_attribute("alt") for img in dash_duo.driver.find_elements("css selector", "#mt-goal-safe_neighborhoods img")]
    robbery = next(a for a in charts if a.startswith("Robberies reported,"))
    assert "Events (dotted, numbered): 1 5 Nov 2026: Pike Place market closed for repairs." in robbery
    assert not any("Pike Place" in a for a in charts if not a.startswith("Robberies reported,"))
    assert dash_duo.get_logs() == []
