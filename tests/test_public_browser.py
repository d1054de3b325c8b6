"""The public pages in a real Chromium (dash[testing]) on the demo warehouse, in English and
Spanish: an empty console, no serious or critical axe-core violations, nothing wider than a
390 px phone, and a screenshot of each at 390 px (screenshots/, not committed)."""
from __future__ import annotations

import pytest

from settings import Settings
from test_browser_pages import axe_violations, settle, shoot

pytestmark = pytest.mark.browser
PAGES = {
    "home": ("/", "#goal-safe_neighborhoods"),
    "measure": ("/measure/robberies", "#area-table"),
    "measure-groups": ("/measure/serious_uof", "#group-table-subject_race"),
    "neighborhoods": ("/neighborhood", ".hood-list"),
    "neighborhood": ("/neighborhood/n", "#hood-table"),
    "open-data": ("/open-data", "#public-main"),
    "not-found": ("/measure/stop_arrest_share", "#public-main"),
}


@pytest.fixture(scope="module")
def public_app(demo_db):
    from app import create_app

    return create_app(Settings(db_path=demo_db, mode="public"))


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("name", list(PAGES))
def test_public_page_is_accessible_on_a_phone(dash_duo, public_app, axe_source, name, lang):
    path, ready = PAGES[name]
    dash_duo.start_server(public_app)
    dash_duo.driver.set_window_size(390, 900)
    dash_duo.driver.get(dash_duo.server_url + path + ("?lang=es" if lang == "es" else ""))
    if name == "not-found":  # a plain 404 page (no Dash app behind an address that does not exist)
        dash_duo.wait_for_element(ready)
    else:
        settle(dash_duo, ready)
    # waits (a re-render may replace the element between finding it and reading it); fails if the
    # page never carries the language asked for
    dash_duo.wait_for_element(f'.public-site[lang="{lang}"]', timeout=10)
    logs = dash_duo.get_logs()
    if name == "not-found":  # the address answers 404 (and says so in the console); nothing else may
        logs = [e for e in logs if "status of 404" not in e["message"]]
    assert logs == [], f"browser console on {path}"
    shoot(dash_duo, f"public-{name}-{lang}", 390)
    assert dash_duo.driver.execute_script("return document.documentElement.scrollWidth") <= 390
    assert axe_violations(dash_duo, axe_source) == [], f"axe on {path} ({lang})"
    if name == "not-found":
        assert "Terry stops ending in arrest" not in dash_duo.driver.page_source
