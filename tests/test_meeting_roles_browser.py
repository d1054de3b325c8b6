"""Roles shown, not just enforced, in a real Chromium: a viewer signed in to the meeting page sees
the packet and the ledger but no control it would be refused for (no form, no Done / Drop / Edit /
note, the PDF button disabled with the reason beside it), and never a raw "Forbidden: 403"."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from settings import ROOT, Settings
from test_auth_browser import PASSWORD, fill_in, start, wait_for_path
from test_meeting_browser import LOAD, settle

pytestmark = pytest.mark.browser
MEETING, EARLIER = dt.date(2026, 11, 16), dt.date(2026, 11, 2)  # the small demo's last complete period


@pytest.fixture()
def ledger_url(tmp_path, demo_db):
    """A store with a viewer and one open item from an earlier meeting (so the carried table has a row)."""
    from engine import Engine
    from store import Ledger, open_store

    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    done = subprocess.run([sys.executable, "-m", "store", "--ledger", url, "adduser", "vic", "--role", "viewer",
                           "--password-stdin"], input=PASSWORD + "\n", cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    eng = Engine.open(Settings(db_path=demo_db, ledger_url=url))
    item = Ledger(open_store(url), eng.city, eng.catalog.measures.keys()).create(
        kind="action", text="Walk the Georgetown blocks", owner="South Precinct", meeting_date=EARLIER,
        due_date="2026-11-30", measure_id="robberies", by="admin")
    return url, item.id


def test_a_viewer_sees_no_write_controls_and_a_reason_not_a_403(dash_duo, demo_db, ledger_url):
    from app import create_app

    url, item_id = ledger_url
    base = start(dash_duo, create_app(Settings(db_path=demo_db, ledger_url=url, auth=True, secret_key="v" * 40)))
    dash_duo.driver.get(base + f"/meetings/{MEETING.isoformat()}")
    wait_for_path(dash_duo, "/auth/login")
    fill_in(dash_duo, "vic", PASSWORD)
    settle(dash_duo, "#mt-title", LOAD)
    # The page is there, with the carried item and its history ...
    dash_duo.wait_for_element(f"#mt-carried-{item_id}", timeout=LOAD)
    assert "Walk the Georgetown blocks" in dash_duo.find_element(f"#mt-carried-{item_id}").text
    assert dash_duo.find_element("#mt-summary").is_displayed()
    # ... but nothing the viewer would be refused for:
    driver = dash_duo.driver
    assert driver.find_elements("css selector", "#mt-save") == []
    buttons = [b.text for b in driver.find_elements("css selector", "#mt-ledger button")]
    assert not {"Done", "Drop", "Reopen", "Add", "Save changes"} & set(buttons), buttons
    assert driver.find_elements("css selector", ".item-edit") == []
    assert "viewer" in dash_duo.find_element("#mt-read-only").text
    pdf = dash_duo.find_element("#mt-pdf-btn")
    assert pdf.get_attribute("disabled") is not None
    why = dash_duo.find_element("#mt-pdf-why").text
    assert "viewer" in why and "analysts" in why
    assert "403" not in driver.find_element("css selector", "body").text
