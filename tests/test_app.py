"""The app shell without a browser: building it reads no data, and every page copes with a
missing warehouse by saying how to build one (never a traceback)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.bench_pages import render_with_client, texts
from components.messages import NO_WAREHOUSE
from settings import ROOT, Settings

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


def test_procfile_serves_the_module_level_server():
    procfile = (ROOT / "Procfile").read_text()
    assert procfile.startswith("web: gunicorn app:server ")
    code = "from app import server; print(type(server).__name__)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "Flask"
