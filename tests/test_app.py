"""The app shell without a browser: building it reads no data, and every page copes with a
missing warehouse by saying how to build one (never a traceback)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from components.messages import NO_WAREHOUSE
from settings import ROOT, Settings
from tests.support.pages import render_with_client, texts

PAGES = ["/", "/goals/safe_neighborhoods", "/measures/anything", "/neighborhoods", "/data"]


@pytest.fixture(scope="module")
def empty_client(tmp_path_factory):
    from app import create_app

    db = tmp_path_factory.mktemp("nowh") / "missing.duckdb"
    app = create_app(Settings(db_path=db))
    return app.server.test_client(), db


def test_building_the_app_reads_no_data(tmp_path):
    db = tmp_path / "not_a_warehouse.duckdb"
    db.write_bytes(b"this is not a DuckDB file: opening it would fail")
    code = ("import app; from settings import Settings; from pathlib import Path; "
            "from components.engine_access import ENGINE_KEY; "
            f"a = app.create_app(Settings(db_path=Path({str(db)!r}))); "
            "print(a.server.config[ENGINE_KEY] is None, len(a.server.url_map._rules) > 0)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]
    assert db.read_bytes().startswith(b"this is not")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_without_a_warehouse_says_how_to_build_one(empty_client, path):
    client, db = empty_client
    status, layout, _ = render_with_client(client, path)
    assert status == 200
    assert NO_WAREHOUSE in texts(layout)
    assert not db.exists()


def test_top_bar_without_a_warehouse_names_the_city(empty_client):
    client, _ = empty_client
    layout = client.get("/_dash-layout").get_json()
    words = " ".join(texts(layout))
    assert "Seattle performance" in words
    assert "No warehouse yet" in words


def test_index_page_ships_no_cdn_links_and_has_a_language(empty_client):
    client, _ = empty_client
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "bootstrap.min.css" in html
    assert "cdn" not in html.lower() and "https://" not in html


def test_a_returning_browser_reuses_plotly_without_asking_again(empty_client):
    """plotly.min.js (4.8 MB) is loaded by the first chart, under a name without a version: it must
    come with a lifetime, or every page load waits for a 304 before drawing. Versioned bundles keep
    Dash's year; pages and callbacks are never cached."""
    import re

    from app import ASYNC_BUNDLE_MAX_AGE

    client, _ = empty_client
    plotly_js = client.get("/_dash-component-suites/plotly/package_data/plotly.min.js")
    assert plotly_js.status_code == 200 and len(plotly_js.get_data()) > 1_000_000
    assert plotly_js.cache_control.max_age == ASYNC_BUNDLE_MAX_AGE > 0
    assert plotly_js.cache_control.public
    again = client.get("/_dash-component-suites/plotly/package_data/plotly.min.js",
                       headers={"If-None-Match": plotly_js.headers["ETag"]})
    assert again.status_code == 304  # after the lifetime, still a cheap check
    html = client.get("/").get_data(as_text=True)
    versioned = re.search(r'src="(/_dash-component-suites/dash/dash-renderer/build/[^"]+)"', html).group(1)
    assert client.get(versioned).cache_control.max_age == 31536000
    assert not client.get("/").cache_control.max_age
    assert not client.post("/_dash-update-component", json={}).cache_control.max_age


@pytest.mark.slow  # imports the app in a new interpreter
def test_procfile_serves_the_module_level_server():
    procfile = (ROOT / "Procfile").read_text()
    assert procfile.startswith("web: gunicorn app:server ")
    code = "from app import server; print(type(server).__name__)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "Flask"


@pytest.mark.slow
def test_make_run_first_start_says_where_the_admin_password_is(tmp_path):
    """`python app.py` on a fresh clone: the sign-in page says the password is on the terminal, the
    terminal shows it once, and it signs in."""
    import os
    import re
    import socket
    import time
    import urllib.error
    import urllib.request
    from http.cookiejar import CookieJar

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEASTAT_")}
    env.update(SEASTAT_DB=str(tmp_path / "none.duckdb"), SEASTAT_LEDGER=f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    log = tmp_path / "terminal.txt"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-c", f"import app; app.main({port})"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        for _ in range(100):
            try:
                page = opener.open(base + "/", timeout=5).read().decode()  # redirected to sign-in
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        else:
            pytest.fail(f"app did not start: {log.read_text()}")
        assert "printed in the terminal that runs the app" in page
        terminal = log.read_text()
        assert f"Sign in at {base}/auth/login" in terminal
        password = re.search(r"made 'admin' \(role admin\) with password (\S+)", terminal).group(1)
        assert password not in page
        token = re.search(r"name='csrf_token' value='([^']+)'", page).group(1)
        form = urllib.parse.urlencode({"csrf_token": token, "username": "admin", "password": password,
                                       "next": "/data"}).encode()
        signed = opener.open(base + "/auth/login", data=form, timeout=10)
        assert signed.url == base + "/data"  # signed in, sent on to the page asked for
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    with open(log, "w") as out:  # `make run` again: no new password, but the page says where it was
        proc = subprocess.Popen([sys.executable, "-c", f"import app; app.main({port})"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                page = urllib.request.urlopen(base + "/auth/login", timeout=5).read().decode()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        assert "The first start printed the password of <strong>admin</strong> in its terminal" in page
        assert "python -m store passwd admin" in page
        assert "with password" not in log.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
