"""`python -m public export OUT_DIR`: the static public site, served by a plain file server
(python -m http.server on 127.0.0.1) and fetched with urllib, shows the same numbers as the live
public pages and API, in both languages, with every link working and nothing from a CDN."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest

from settings import ROOT, Settings
from test_public_http import page_tree, table_rows

pytestmark = pytest.mark.slow  # exports the whole site (and serves it for a browser)


class Tables(HTMLParser):
    """Cell texts of each <table id=...> and every href/src in a static page."""

    def __init__(self):
        super().__init__()
        self.tables, self.links, self._table, self._row, self._cell = {}, [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self._table = self.tables.setdefault(a.get("id"), [])
        elif tag == "tbody" and self._table is not None:
            self._in_body = True
        elif tag == "tr" and self._table is not None and getattr(self, "_in_body", False):
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        for k in ("href", "src"):
            if k in a:
                self.links.append(a[k])

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table, self._in_body = None, False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse(html: str) -> Tables:
    p = Tables()
    p.feed(html)
    return p


@pytest.fixture(scope="module")
def site(demo_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("public_site")
    r = subprocess.run([sys.executable, "-m", "public", "export", str(out), "--db", str(demo_db)], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("\n") == 1 and "public export: wrote" in r.stdout
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            urllib.request.urlopen(base, timeout=2).read()
            break
        except OSError:
            time.sleep(0.1)
    yield base
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="module")
def live(demo_db):
    from app import create_app

    c = create_app(Settings(db_path=demo_db, mode="public")).server.test_client()
    assert c.get("/").status_code == 200
    return c


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.status == 200
        return r.read()


def test_static_pages_show_the_live_numbers(site, live):
    measures = live.get("/api/v1/measures.json").get_json()
    assert len(measures) == 19
    for m in measures:
        for lang, prefix, search in (("en", "", ""), ("es", "es/", "?lang=es")):
            static = parse(get(f"{site}{prefix}measure/{m['id']}.html").decode())
            tree = page_tree(live, f"/measure/{m['id']}", search)
            for tid in ("month-table", "area-table"):
                if tid in static.tables:
                    assert static.tables[tid] == table_rows(tree, tid), (m["id"], lang, tid)
            assert ("area-table" in static.tables) == (m["id"] in {r["measure"] for r in
                                                                   live.get("/api/v1/neighborhoods/n.json").get_json()["measures"]})


def test_static_data_files_equal_the_live_api(site, live):
    files = live.get("/api/v1/index.json").get_json()["files"]
    assert "measures/robberies/areas.csv" in files
    for f in files:
        assert get(f"{site}api/v1/{f}") == live.get(f"/api/v1/{f}").data, f
    with pytest.raises(urllib.error.HTTPError):
        get(f"{site}api/v1/measures/stop_arrest_share.json")


def test_every_link_works_and_nothing_comes_from_a_cdn(site):
    seen = set()
    for page in ["index.html", "es/index.html", "data.html", "es/neighborhood/index.html", "neighborhood/n.html",
                 "measure/robberies.html", "es/measure/robberies.html"]:
        url = site + page
        html = get(url).decode()
        assert 'lang="es"' in html if page.startswith("es/") else 'lang="en"' in html
        for link in parse(html).links:
            assert not link.startswith(("http:", "https:", "//")), f"{page} links outside: {link}"
            target = urljoin(url, link).split("#")[0]
            if target not in seen:
                seen.add(target)
                get(target)
    assert len(seen) > 40


def test_export_errors_are_one_line(tmp_path, demo_db):
    r = subprocess.run([sys.executable, "-m", "public", "export", str(tmp_path / "o"), "--db", str(tmp_path / "no.duckdb")],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "no.duckdb" in r.stderr
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = subprocess.run([sys.executable, "-m", "public", "export", str(blocker / "sub"), "--db", str(demo_db)],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "cannot write" in r.stderr
    assert blocker.read_text() == "x"  # nothing lost


STATIC_PAGES = ["index.html", "es/index.html", "measure/robberies.html", "es/measure/serious_uof.html",
                "neighborhood/index.html", "neighborhood/n.html", "es/neighborhood/n.html", "data.html", "404.html"]


@pytest.mark.browser
def test_static_pages_are_accessible_on_a_phone(site, dash_duo, axe_source):
    """The exported site is what most of the public will read: the same axe-core check, phone
    width and clean console as the live pages, in a real Chromium, with no Python behind it."""
    from test_browser_pages import axe_violations, shoot

    driver = dash_duo.driver
    for page in STATIC_PAGES:
        driver.set_window_size(390, 900)
        driver.get(site + page)
        dash_duo.wait_for_element("main", timeout=30)
        assert driver.find_element("css selector", "html").get_attribute("lang") == ("es" if page.startswith("es/") else "en")
        assert dash_duo.get_logs() == [], f"browser console on {page}"
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 390, page
        assert axe_violations(dash_duo, axe_source) == [], f"axe on static {page}"
        shoot(dash_duo, "static-" + page.replace("/", "-").removesuffix(".html"), 390)


def test_static_spanish_pages_carry_no_english_catalog_text(site, live):
    """The es/ pages of the export are Spanish through and through: no goal or measure text of the
    English catalog (catalog/locale/es.po translates every one), while the English pages show it."""
    import html as h

    from engine.catalog import load_catalog
    from engine.catalog_i18n import public_texts

    cat = load_catalog(ROOT / "catalog")
    english = {text for _, _, text in public_texts(cat) if cat.translations["es"][text] != text and len(text) > 12}
    pages = ["index.html", "data.html"] + [f"measure/{m['id']}.html" for m in live.get("/api/v1/measures.json").get_json()]
    seen = set()
    for rel in pages:
        es = h.unescape(get(f"{site}es/{rel}").decode())
        leaked = [x for x in english if x in es]
        assert not leaked, (rel, leaked[:3])
        seen |= {x for x in english if x in h.unescape(get(f"{site}{rel}").decode())}
    assert len(seen) > len(english) * 0.8
