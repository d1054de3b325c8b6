"""Commentary in the store, on SQLite and on a real PostgreSQL server: one per measure per
meeting, rewritten over the version the writer saw (a stale write is refused, not lost), every
version kept in a history the database will not alter, and the newest public one found for the
public measure page. A store made before commentary existed (schema 4) gains it on open."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from store import CommentaryInputError, Commentaries, ConflictError, open_store
from test_store_ledger import BACKENDS, MEASURES  # noqa: F401

D = dt.date
M = sorted(MEASURES)[0]


@pytest.fixture(params=BACKENDS)
def words(request, tmp_path):
    url = (request.getfixturevalue("pg_server").new_database() if request.param == "postgresql"
           else f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    store = open_store(url)
    yield Commentaries(store, MEASURES)
    store.close()


def test_commentary_is_one_per_measure_and_meeting_versioned_with_its_history(words):
    first = words.write(measure_id=M, meeting="2026-11-16", text="Robberies rose downtown.\n  We added a  patrol.",
                        by="ann", expected_version=0)
    assert (first.text, first.version, first.public, first.updated_by) == (
        "Robberies rose downtown.\nWe added a patrol.", 1, False, "ann")
    second = words.write(measure_id=M, meeting=D(2026, 11, 16), text="Rose downtown; patrol added on 9 Nov.",
                         by="bob", expected_version=1, public=True)
    assert (second.id, second.version, second.updated_by, second.public) == (first.id, 2, "bob", True)
    with pytest.raises(ConflictError, match="version 2"):  # ann still has version 1 open: refused, not lost
        words.write(measure_id=M, meeting="2026-11-16", text="Lost update", by="ann", expected_version=1)
    with pytest.raises(ConflictError, match="version 2"):  # a second "new" commentary for the same meeting
        words.write(measure_id=M, meeting="2026-11-16", text="Another first", by="cy", expected_version=0)
    assert words.write(measure_id=M, meeting="2026-11-16", text="Rose downtown; patrol added on 9 Nov.",
                       by="bob", expected_version=2, public=True).version == 2  # unchanged: nothing written
    other = sorted(MEASURES)[1]
    words.write(measure_id=other, meeting="2026-11-16", text="Steady.", by="ann", expected_version=0)
    words.write(measure_id=M, meeting="2026-11-30", text="Not public yet.", by="ann", expected_version=0)
    assert {k: v.text for k, v in words.for_meeting("2026-11-16").items()} == {
        M: "Rose downtown; patrol added on 9 Nov.", other: "Steady."}
    assert words.get(M, "2026-11-02") is None
    # the public page: the newest public commentary up to the day, never a private or later one
    assert words.latest_public(M, D(2026, 12, 31)).meeting == D(2026, 11, 16)
    assert words.latest_public(M, D(2026, 11, 15)) is None
    assert words.latest_public(other, D(2026, 12, 31)) is None
    hist = words.history(M, "2026-11-16")
    assert [(h["version"], h["changed_by"], h["public"]) for h in hist] == [(1, "ann", False), (2, "bob", True)]
    assert hist[0]["text"] == "Robberies rose downtown.\nWe added a patrol."
    with pytest.raises(Exception, match="immutable"):
        with words.store.write() as conn:
            conn.execute(text("UPDATE commentary_history SET changed_by = 'mallory'"))


@pytest.mark.parametrize("bad, field", [({"meeting": "16/11/2026"}, "meeting"), ({"text": " \n "}, "text"),
                                        ({"text": "x" * 2001}, "text"), ({"measure_id": "burglaries"}, "measure_id"),
                                        ({"by": ""}, "by"), ({"public": "yes"}, "public"),
                                        ({"expected_version": -1}, "expected_version")])
def test_bad_commentary_names_the_field_and_saves_nothing(words, bad, field):
    args = dict(measure_id=M, meeting="2026-11-16", text="What happened", by="ann", expected_version=0) | bad
    with pytest.raises(CommentaryInputError) as err:
        words.write(**args)
    assert err.value.field == field and str(err.value).startswith(f"{field}: ") and "\n" not in str(err.value)
    assert words.for_meeting("2026-11-16") == {}


def test_a_schema_4_store_gains_commentary_on_open(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    store = open_store(url)
    with store.write() as conn:  # as a store made by the previous release was left
        conn.execute(text("DROP TABLE commentary_history"))
        conn.execute(text("DROP TABLE commentary"))
        conn.execute(text("DELETE FROM schema_version"))
        conn.execute(text("INSERT INTO schema_version (version, applied_at) VALUES (4, '2026-11-01 00:00:00')"))
    store.close()
    store = open_store(url)
    assert store.schema_version() == 5
    saved = Commentaries(store, MEASURES).write(measure_id=M, meeting="2026-11-16", text="Kept", by="ann",
                                                expected_version=0)
    assert saved.version == 1
    store.close()
