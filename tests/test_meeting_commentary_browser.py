"""Commentary in a real Chromium: an editor writes a measure's "what happened and what we are
doing" on the meeting page, revises it, and finds it (with the events noted) in the packet PDF the
page downloads; a viewer reads the commentary but gets no form to write one."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select

from settings import Settings
from test_auth_browser import PASSWORD, fill_in, start, wait_for_path
from test_meeting_browser import LOAD, open_page, settle, shoot
from test_meeting_roles_browser import ledger_url  # noqa: F401 (fixture: a store with a viewer)
from tests.support.tools import in_ci

pytestmark = pytest.mark.browser
MEETING = "2026-11-16"  # reviews 2 - 15 Nov 2026, the small demo's last complete period


def _type(dash_duo, selector: str, words: str) -> None:
    el = dash_duo.find_element(selector)
    el.send_keys(Keys.CONTROL, "a")
    el.send_keys(Keys.DELETE)
    el.send_keys(words)


@pytest.mark.skipif(shutil.which("pdftotext") is None and not in_ci(), reason="poppler-utils (pdftotext) is not installed")
def test_commentary_written_on_the_meeting_page_is_printed_in_the_packet(dash_duo, demo_db, tmp_path):
    from app import create_app
    from store import Annotations, open_store

    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    store = open_store(url)
    Annotations(store, {"robberies"}).add(day=dt.date(2026, 11, 5), text="Pike Place market closed for repairs",
                                         by="editor", measure_id="robberies")
    store.close()
    dash_duo.start_server(create_app(Settings(db_path=demo_db, ledger_url=url)))
    open_page(dash_duo, f"/meetings/{MEETING}")
    assert dash_duo.find_element("#mt-cm-none").text == "No commentary written for this meeting yet."
    Select(dash_duo.find_element("#mt-cm-measure")).select_by_value("robberies")
    settle(dash_duo, "#mt-cm-text")
    _type(dash_duo, "#mt-cm-text", "Robberies rose near the market. West Precinct moved two patrols there.")
    dash_duo.find_element("#mt-cm-save").send_keys(Keys.ENTER)
    dash_duo.wait_for_contains_text("#mt-cm-msg", "Saved: commentary on Robberies reported (version 1)", timeout=LOAD)
    shown = dash_duo.find_element("#mt-cm-show-robberies").text
    assert "Robberies reported: what happened and what we are doing" in shown
    assert "West Precinct moved two patrols there." in shown and "internal, not published" in shown
    # revised after a reload: the form gets the saved words back, the new version replaces them
    dash_duo.driver.refresh()
    settle(dash_duo, "#mt-cm-show-robberies")
    Select(dash_duo.find_element("#mt-cm-measure")).select_by_value("robberies")
    dash_duo.wait_for_text_to_equal("#mt-cm-text", "Robberies rose near the market. West Precinct moved two "
                                    "patrols there.", timeout=LOAD)
    _type(dash_duo, "#mt-cm-text", "Robberies rose near the closed market; two West Precinct patrols since 9 Nov.")
    dash_duo.find_element("#mt-cm-save").send_keys(Keys.ENTER)
    dash_duo.wait_for_contains_text("#mt-cm-msg", "(version 2)", timeout=LOAD)
    shoot(dash_duo, "meeting_commentary", 1280)
    # the packet the page downloads prints it, under its goal, and the event noted on the measure
    dash_duo.find_element("#mt-pdf-btn").send_keys(Keys.ENTER)
    target = Path(dash_duo.download_path) / f"seastat-packet-{MEETING}.pdf"
    deadline = time.time() + LOAD
    while not target.exists() and time.time() < deadline:
        time.sleep(0.3)
    dash_duo.wait_for_contains_text("#mt-pdf-status", "Packet made", timeout=LOAD)
    txt = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(txt.split())
    assert "Robberies reported: what happened and what we are doing" in flat
    assert "Robberies rose near the closed market; two West Precinct patrols since 9 Nov." in flat
    assert "near the market. West Precinct moved" not in flat  # the revised words, not the first ones
    assert "Pike Place market closed for repairs" in flat
    assert dash_duo.get_logs() == []


def test_a_viewer_reads_commentary_but_gets_no_form(dash_duo, demo_db, ledger_url):  # noqa: F811
    from app import create_app
    from engine import Engine
    from store import Commentaries, open_store

    url, _item = ledger_url
    eng = Engine.open(Settings(db_path=demo_db, ledger_url=url))
    Commentaries(open_store(url), eng.catalog.measures.keys()).write(
        measure_id="robberies", meeting=MEETING, text="Two patrols moved to the market.", by="admin",
        expected_version=0)
    base = start(dash_duo, create_app(Settings(db_path=demo_db, ledger_url=url, auth=True, secret_key="v" * 40)))
    dash_duo.driver.get(base + f"/meetings/{MEETING}")
    wait_for_path(dash_duo, "/auth/login")
    fill_in(dash_duo, "vic", PASSWORD)
    settle(dash_duo, "#mt-cm-show-robberies", LOAD)
    assert "Two patrols moved to the market." in dash_duo.find_element("#mt-cm-show-robberies").text
    driver = dash_duo.driver
    for control in ("#mt-cm-measure", "#mt-cm-text", "#mt-cm-public", "#mt-cm-save"):
        assert driver.find_elements("css selector", control) == [], control
    assert driver.find_elements("css selector", "#mt-commentary textarea, #mt-commentary button") == []
    assert "Editors write each measure's commentary" in dash_duo.find_element("#mt-cm-read-only").text
