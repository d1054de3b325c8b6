"""The static public site behind Debian's nginx with deploy/nginx-public-site.conf: headers a CDN
honours (a lifetime, validators that survive a re-export, Vary for compressed copies), 304s on
revalidation, the right types for JSON and CSV, no framing, and the export's bookkeeping not served."""
from __future__ import annotations

import subprocess
import sys

import pytest
import requests

from settings import ROOT
from tests.support.nginx import Nginx

pytestmark = pytest.mark.slow  # exports the whole site


def export(out, demo_db) -> None:
    r = subprocess.run([sys.executable, "-m", "public", "export", str(out), "--db", str(demo_db)], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr


@pytest.fixture(scope="module")
def served(tmp_path_factory, demo_db):
    out = tmp_path_factory.mktemp("static") / "site"
    export(out, demo_db)
    server = Nginx.public_site(tmp_path_factory.mktemp("nginx"), out)
    yield server, out
    server.stop()


def test_every_kind_of_file_carries_a_lifetime_a_validator_and_its_type(served):
    server, out = served
    expect = {"/": "text/html", "/index.html": "text/html", "/es/index.html": "text/html",
              "/api/v1/measures.json": "application/json",
              "/assets/public.css": "text/css", "/assets/plotly.min.js": "application/javascript"}
    csv = next((out / "api" / "v1" / "measures").glob("*/*.csv")).relative_to(out).as_posix()
    expect["/" + csv] = "text/csv"
    for path, kind in expect.items():
        r = requests.get(server.base + path)
        assert r.status_code == 200, path
        assert r.headers["Content-Type"].startswith(kind), (path, r.headers["Content-Type"])
        cache = r.headers["Cache-Control"]
        assert "public" in cache and "max-age=" in cache and "stale-if-error" in cache, (path, cache)
        assert r.headers.get("ETag") and r.headers.get("Last-Modified"), path
        again = requests.get(server.base + path, headers={"If-None-Match": r.headers["ETag"]})
        assert again.status_code == 304 and again.content == b"", path  # a CDN's revalidation costs no body
    page = requests.get(server.base + "/index.html")
    assert page.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    gz = requests.get(server.base + "/api/v1/measures.json", headers={"Accept-Encoding": "gzip"})
    assert gz.headers.get("Content-Encoding") == "gzip" and "Accept-Encoding" in gz.headers.get("Vary", "")


def test_a_re_export_with_the_same_data_keeps_every_validator_so_caches_stay_valid(served, demo_db):
    server, out = served
    paths = ["/index.html", "/api/v1/measures.json", "/assets/plotly.min.js"]
    before = {p: requests.get(server.base + p).headers["ETag"] for p in paths}
    export(out, demo_db)
    assert {p: requests.get(server.base + p).headers["ETag"] for p in paths} == before


def test_the_exports_bookkeeping_is_not_served_and_unknown_pages_get_the_sites_own_404(served):
    server, out = served
    assert (out / ".seastat-export.json").is_file()
    assert requests.get(server.base + "/.seastat-export.json").status_code == 404
    missing = requests.get(server.base + "/no-such-page")
    assert missing.status_code == 404 and missing.text == (out / "404.html").read_text(encoding="utf-8")
