"""Public pages read as a resident reads them, in English and Spanish (issue #19): dates, months
and numbers formatted by each locale's CLDR rules (en_US, es_US), and the sentences free of the
wording defects residents saw ("51.8% %", "no data offenses", "0% less than", "6.80 minutes",
"4.35 ratio (1 = parity)"). Expected dates are written out by hand, not by Babel."""
from __future__ import annotations

import re

import pytest

from settings import Settings
from tests.test_public_http import find, page_tree, texts

BAD = [re.compile(p) for p in (r"%\s*%", r"\bno data \w", r"sin datos \(", r"\b0% (less|more|fewer|lower|higher)\b",
                               r"\d\.\d+ minutes", r"\(1 = parity\)", r"\(\)", r"parent group")]


@pytest.fixture(scope="module")
def client(demo_db):
    from app import create_app

    c = create_app(Settings(db_path=demo_db, mode="public")).server.test_client()
    assert c.get("/").status_code == 200
    return c


def words(tree) -> str:
    return " | ".join(x for x in texts(tree) if x.strip())


def test_dates_and_months_follow_the_locale(client):
    es = page_tree(client, "/measure/robberies", "?lang=es")
    en = page_tree(client, "/measure/robberies")
    # demo: year to date is the complete months 2026-01-01..2026-10-31, tables are October's
    assert "Del 1 de enero de 2026 al 31 de octubre de 2026" in words(find(es, "measure-summary"))
    assert "From January 1, 2026 to October 31, 2026" in words(find(en, "measure-summary"))
    assert "nov 2026" in words(find(es, "next-update")) and "8 de diciembre de 2026" in words(find(es, "next-update"))
    es_months = [texts(r)[0] for r in find(es, "month-table")["props"]["children"][2]["props"]["children"]]
    assert es_months[0] == "ene 2025" and es_months[-1] == "oct 2026"


def test_no_page_carries_the_wording_defects(client):
    ids = [m["id"] for m in client.get("/api/v1/measures.json").get_json()]
    assert len(ids) == 19
    for path in ["/", "/neighborhood", "/open-data"] + [f"/measure/{i}" for i in ids]:
        for search in ("", "?lang=es"):
            text = words(page_tree(client, path, search))
            for bad in BAD:
                assert not bad.search(text), (path, search, bad.pattern, bad.search(text).group(0))


def _view(unit, kind, cur, last, change_pct, comparison=None):
    return {"unit": unit, "kind": kind, "small_number_threshold": 10, "comparison": comparison,
            "period": {"start": "2026-01-01", "end": "2026-10-31"},
            "headline": {"not_covered": "", "current": {"value": cur, "hidden": None},
                         "last_year": {"value": last, "hidden": None}, "change_pct": change_pct}}


@pytest.mark.parametrize("lang, view, expected", [
    ("en", _view("%", "share", 51.8, 52.0, -0.4),
     "From January 1, 2026 to October 31, 2026: 51.8%. That is about the same as the same months last year (52%)."),
    ("en", _view("offenses", "count", 1234.0, 1341.0, -8.0),
     "From January 1, 2026 to October 31, 2026: 1,234 offenses. That is 8% fewer than in the same months last year (1,341)."),
    ("en", _view("offenses", "count", None, None, None), "From January 1, 2026 to October 31, 2026: no data."),
    ("es", _view("offenses", "count", None, None, None), "Del 1 de enero de 2026 al 31 de octubre de 2026: sin datos."),
    ("en", _view("minutes", "percentile", 6.8, 7.25, -6.2),
     "From January 1, 2026 to October 31, 2026: 6 min 48 s. That is 6% lower than in the same months last year (7 min 15 s)."),
    ("en", _view("ratio (1 = parity)", "disparity", 4.35, None, None, {"group": "Black", "reference": "White"}),
     "From January 1, 2026 to October 31, 2026: Black residents were 4.35 times as likely as White residents to be "
     "counted in this measure (1 would mean equally likely)."),
    ("es", _view("offenses", "count", 12345.5, 11000.0, 12.2),
     "Del 1 de enero de 2026 al 31 de octubre de 2026: 12,346 (offenses). Es un 12% más que en los mismos meses del año "
     "pasado (11,000)."),
])
def test_summary_sentences_read_plainly(lang, view, expected):
    from public.views import _measure_summary

    assert _measure_summary(view, lang) == expected


def test_the_public_favicon_exists(client):
    """Every public page (the 404 page too) links /favicon.ico; it must not answer with the 404 page."""
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.mimetype.startswith("image/")
    assert b'href="/favicon.ico"' in client.get("/no-such-page").data


def test_spanish_pages_carry_no_english_catalog_text(client):
    """Every public page in Spanish: no goal or measure text of the English catalog (titles,
    statements, departments, actions, definitions, methodology, units, suppression reasons,
    history), and the English pages do show them (so the check can see them)."""
    from engine.catalog import load_catalog
    from engine.catalog_i18n import public_texts
    from settings import ROOT

    cat = load_catalog(ROOT / "catalog")
    english = {text for _, _, text in public_texts(cat) if cat.translations["es"][text] != text}
    hoods = [a["slug"] for a in client.get("/api/v1/neighborhoods.json").get_json()] if \
        client.get("/api/v1/neighborhoods.json").status_code == 200 else []
    ids = [m["id"] for m in client.get("/api/v1/measures.json").get_json()]
    paths = ["/", "/neighborhood", "/open-data"] + [f"/measure/{i}" for i in ids] + [f"/neighborhood/{s}" for s in hoods]
    seen_en = set()
    for path in paths:
        es = words(page_tree(client, path, "?lang=es"))
        leaked = [x for x in english if x in es]
        assert not leaked, (path, leaked[:3])
        seen_en |= {x for x in english if x in words(page_tree(client, path))}
    assert len(seen_en) > len(english) * 0.8  # the English pages show (nearly) all of them


def test_each_target_says_its_basis(client):
    """Two related measures, one aiming at a change from last year and one at a fixed level, say
    so beside each other on the home page (the issue's 'Off track' next to 'On track')."""
    home = words(page_tree(client, "/"))
    assert "Target: 5% fewer than in the same months last year" in home  # person_crimes
    assert "Target: A fixed level of 15 per 1,000 residents per year" in home  # person_crime_rate
    es = words(page_tree(client, "/", "?lang=es"))
    assert "Meta: Un 5% menos que en los mismos meses del año pasado" in es
    assert "Meta: Un nivel fijo de 15 por cada 1,000 residentes al año" in es
