"""The small plotly.js (components/plotly_bundle.py): same plotly.js version as Dash expects, served
under a fingerprinted, year-long cached URL, and the page points dcc.Graph at it. The browser side
(the measure page draws with it and never fetches Dash's 4.8 MB copy) is in test_browser_pages.py."""
from __future__ import annotations

import json
import shutil

import pytest

from components import plotly_bundle
from settings import ROOT, Settings


def test_bundle_pins_the_plotly_js_version_the_python_package_ships():
    """dcc.Graph is built against the plotly.js in the Python plotly package; a bundle of another
    version could draw differently or break. Upgrading plotly without js/package.json fails here."""
    from plotly.offline import get_plotlyjs_version

    pinned = json.loads((ROOT / "js" / "package.json").read_text())["devDependencies"]["plotly.js"]
    locked = json.loads((ROOT / "js" / "package-lock.json").read_text())["packages"]["node_modules/plotly.js"]["version"]
    assert pinned == locked == get_plotlyjs_version()


@pytest.fixture
def built():
    if plotly_bundle.BUNDLE.is_file():
        return plotly_bundle.BUNDLE
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed, so `make js` cannot build the small plotly.js (the app serves Dash's)")
    pytest.fail(f"{plotly_bundle.BUNDLE} is missing although npm is installed: run `make js` (make test does)")


def test_bundle_has_the_traces_the_pages_draw_and_is_a_third_of_the_full_one(built):
    text = built.read_text(encoding="utf-8", errors="replace")
    for trace in ('"choropleth"', '"bar"', '"scatter"'):
        assert trace in text
    assert built.stat().st_size < plotly_bundle.full_bundle_path().stat().st_size / 3


def test_page_points_dcc_graph_at_the_fingerprinted_bundle(built, demo_db):
    from app import create_app

    client = create_app(Settings(db_path=demo_db, auth=False)).server.test_client()
    page = client.get("/measures/person_crimes").get_data(as_text=True)
    start = page.index("_dashPlotlyJSURL")
    url = page[start:].split('return "', 1)[1].split('"', 1)[0]
    assert url.startswith(plotly_bundle.ROUTE) and url.endswith(".min.js")
    r = client.get(url)
    assert r.status_code == 200 and r.get_data() == built.read_bytes()
    assert r.cache_control.max_age >= 30 * 24 * 3600 and r.cache_control.immutable
    assert client.get(plotly_bundle.ROUTE + "plotly-000000000000.min.js").status_code == 404


def test_tiled_map_style_keeps_dashs_full_bundle(built, demo_db):
    """A tile layer needs plotly's WebGL map traces, which the small bundle leaves out."""
    from app import create_app

    client = create_app(Settings(db_path=demo_db, auth=False, map_style="carto-positron")).server.test_client()
    assert "_dashPlotlyJSURL" not in client.get("/measures/person_crimes").get_data(as_text=True)
