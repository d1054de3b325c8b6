"""Annotations on the measure page in a real Chromium: an event an editor noted on a measure is
drawn on its trend chart (a dotted, numbered line with a hover marker) and read out in the chart's
text alternative; an event noted on another measure is not. The page is photographed."""
from __future__ import annotations

import datetime as dt

import pytest

from settings import Settings
from test_meeting_browser import LOAD, open_page, settle, shoot

pytestmark = pytest.mark.browser


@pytest.fixture()
def app_with_events(demo_db, tmp_path):
    from app import create_app
    from store import Annotations, open_store

    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    store = open_store(url)
    notes = Annotations(store, {"person_crimes", "robberies"})
    notes.add(day=dt.date(2026, 10, 5), text="Belltown foot-patrol plan starts", by="editor", measure_id="person_crimes")
    notes.add(day=dt.date(2026, 10, 20), text="Storm closes the viaduct", by="editor")  # citywide
    notes.add(day=dt.date(2026, 10, 12), text="Only about robberies", by="editor", measure_id="robberies")
    store.close()
    return create_app(Settings(db_path=demo_db, ledger_url=url))


def test_an_annotation_is_drawn_on_the_measure_trend_and_read_in_its_summary(dash_duo, app_with_events):
    dash_duo.start_server(app_with_events)
    open_page(dash_duo, "/measures/person_crimes", ready="#ms-trend-summary")
    settle(dash_duo, "#ms-trend .main-svg")
    summary = dash_duo.find_element("#ms-trend-summary").text
    assert ("Events (dotted, numbered): 1 5 Oct 2026: Belltown foot-patrol plan starts; "
            "2 20 Oct 2026: Storm closes the viaduct (citywide).") in summary
    assert "Only about robberies" not in summary
    # drawn: two dotted lines numbered 1 and 2 over the plot, and a hover marker carrying the words
    figure = dash_duo.driver.execute_script(
        "var g = document.querySelector('#ms-trend .js-plotly-plot');"
        "return {shapes: g._fullLayout.shapes.map(s => [s.x0, s.line.dash]),"
        " labels: Array.from(g.querySelectorAll('.annotation-text')).map(e => e.textContent),"
        " events: g.data.filter(t => t.name === 'Event noted').map(t => t.text)};")
    assert [s[1] for s in figure["shapes"]] == ["dot", "dot"]
    assert [s[0][:10] for s in figure["shapes"]] == ["2026-10-05", "2026-10-20"]
    assert figure["labels"] == ["1", "2"]
    assert figure["events"] == [["Event 1: Belltown foot-patrol plan starts", "Event 2: Storm closes the viaduct (citywide)"]]
    legend = [e.text for e in dash_duo.driver.find_elements("css selector", "#ms-trend .legendtext")]
    assert "Event noted" in legend
    shoot(dash_duo, "measure_events", 1280)
    assert dash_duo.get_logs() == []


def test_a_goal_card_names_the_events_noted_on_its_measure(dash_duo, app_with_events):
    dash_duo.start_server(app_with_events)
    open_page(dash_duo, "/goals/safe_neighborhoods", ready="#gl-cards")
    person = dash_duo.find_element("#gl-events-person_crimes").text
    assert person == ("Events noted: 5 Oct 2026: Belltown foot-patrol plan starts; "
                      "20 Oct 2026: Storm closes the viaduct (citywide)")
    robbery = dash_duo.find_element("#gl-events-robberies").text
    assert "Only about robberies" in robbery and "Belltown" not in robbery
    assert dash_duo.get_logs() == []
