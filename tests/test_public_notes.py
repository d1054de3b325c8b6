"""The public measure page shows what editors marked public, and nothing else: the events noted
on the measure (or citywide) within the complete months it publishes, and the newest public
commentary of a meeting whose period those months cover. Private words, another measure's, and
words about days after the last published month stay off the page, in both languages.

Demo dates: events end 2026-11-21, so the public side publishes months through October 2026.
Meetings every 14 days: 19 Oct reviews 5-18 Oct (covered); 2 Nov reviews 19 Oct - 1 Nov and
16 Nov reviews 2-15 Nov (both reach past 31 Oct)."""
from __future__ import annotations

import datetime as dt

import pytest

from settings import Settings
from test_public_http import find, page_tree, texts


@pytest.fixture(scope="module")
def client(demo_db, tmp_path_factory):
    from app import create_app
    from engine import Engine
    from store import Annotations, Commentaries, open_store

    url = f"sqlite:///{tmp_path_factory.mktemp('notes') / 'ledger.sqlite3'}"
    store = open_store(url)
    ids = Engine.open(Settings(db_path=demo_db)).catalog.measures.keys()
    notes, words = Annotations(store, ids), Commentaries(store, ids)
    notes.add(day=dt.date(2026, 10, 5), text="Foot patrols start downtown", by="ed", measure_id="robberies", public=True)
    notes.add(day=dt.date(2026, 10, 20), text="Storm closes the viaduct", by="ed", public=True)
    notes.add(day=dt.date(2026, 10, 9), text="Internal staffing gap", by="ed", measure_id="robberies")
    notes.add(day=dt.date(2026, 11, 12), text="After the last published month", by="ed", measure_id="robberies",
              public=True)
    notes.add(day=dt.date(2026, 10, 7), text="About another measure", by="ed", measure_id="person_crimes", public=True)
    words.write(measure_id="robberies", meeting="2026-10-19", text="Robberies held steady.\nPatrols continue.",
                by="ed", expected_version=0, public=True)
    words.write(measure_id="robberies", meeting="2026-11-02", text="Private draft", by="ed", expected_version=0)
    words.write(measure_id="robberies", meeting="2026-11-16", text="Too new to publish", by="ed", expected_version=0,
                public=True)
    store.close()
    c = create_app(Settings(db_path=demo_db, mode="public", ledger_url=url)).server.test_client()
    assert c.get("/").status_code == 200
    c.ledger_url = url
    return c


def test_public_measure_page_shows_only_public_words_within_its_complete_months(client):
    tree = page_tree(client, "/measure/robberies")
    heading, listed = find(tree, "measure-events")["props"]["children"]
    assert texts(heading) == ["Events noted"]
    assert ["".join(texts(li)) for li in listed["props"]["children"]] == [
        "October 5, 2026: Foot patrols start downtown", "October 20, 2026: Storm closes the viaduct (citywide)"]
    said = " ".join(texts(find(tree, "measure-commentary")))
    assert said == ("What happened and what we are doing Robberies held steady. Patrols continue. "
                    "Written for the performance meeting of October 19, 2026.")
    everything = " ".join(texts(tree))
    for hidden in ("Internal staffing gap", "After the last published month", "About another measure",
                   "Private draft", "Too new to publish"):
        assert hidden not in everything


def test_public_notes_in_spanish(client):
    tree = page_tree(client, "/measure/robberies", "?lang=es")
    assert texts(find(tree, "measure-commentary"))[0] == "Qué pasó y qué estamos haciendo"
    assert "(en toda la ciudad)" in " ".join(texts(find(tree, "measure-events")))


def test_static_export_carries_the_same_public_words(client, demo_db, tmp_path):
    from engine import Engine
    from public.export import export
    from store import open_store

    eng = Engine.open(Settings(db_path=demo_db, mode="public"))
    store = open_store(client.ledger_url)
    export(eng, tmp_path / "site", store)
    store.close()
    page = (tmp_path / "site" / "measure" / "robberies.html").read_text(encoding="utf-8")
    assert "Foot patrols start downtown" in page and "Robberies held steady." in page
    assert "Internal staffing gap" not in page and "Too new to publish" not in page
