"""Annotations in the store, on SQLite and on a real PostgreSQL server: dated events on a measure
or citywide, each change a new version with who and when, history the database will not alter,
and the days a chart asks for returning that measure's events and the citywide ones."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from store import AnnotationInputError, Annotations, ConflictError, open_store
from test_store_ledger import BACKENDS, MEASURES  # noqa: F401

D = dt.date


@pytest.fixture(params=BACKENDS)
def notes(request, tmp_path):
    url = (request.getfixturevalue("pg_server").new_database() if request.param == "postgresql"
           else f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    store = open_store(url)
    yield Annotations(store, MEASURES)
    store.close()


def test_annotations_are_dated_versioned_and_found_by_the_days_a_chart_shows(notes):
    m = sorted(MEASURES)[0]
    patrol = notes.add(day="2024-02-05", text="  New foot-patrol plan\n in Fremont ", measure_id=m, by="ann")
    storm = notes.add(day=D(2024, 2, 20), text="Snow storm: two days of closures", by="bob", public=True)
    notes.add(day=D(2024, 6, 1), text="Outside the chart", measure_id=m, by="ann")
    assert (patrol.text, patrol.version, patrol.measure_id) == ("New foot-patrol plan in Fremont", 1, m)
    assert [a.id for a in notes.between(D(2024, 1, 1), D(2024, 3, 31), m)] == [patrol.id, storm.id]  # citywide too
    assert [a.id for a in notes.between(D(2024, 1, 1), D(2024, 3, 31), m, public_only=True)] == [storm.id]
    moved = notes.edit(patrol.id, expected_version=1, by="bob", day="2024-02-06")
    assert (moved.day, moved.version, moved.updated_by) == (D(2024, 2, 6), 2, "bob")
    with pytest.raises(ConflictError, match="version 2"):
        notes.edit(patrol.id, expected_version=1, by="cy", text="Lost update")
    gone = notes.edit(patrol.id, expected_version=2, by="ann", deleted=True)
    assert gone.deleted and [a.id for a in notes.between(D(2024, 1, 1), D(2024, 3, 31), m)] == [storm.id]
    hist = notes.history(patrol.id)
    assert [(h["version"], h["action"], h["changed_by"]) for h in hist] == [(1, "create", "ann"), (2, "edit", "bob"),
                                                                            (3, "delete", "ann")]
    assert hist[1]["changes"] == {"day": ["2024-02-05", "2024-02-06"]}
    with pytest.raises(Exception, match="immutable"):
        with notes.store.write() as conn:
            conn.execute(text("UPDATE annotation_history SET changed_by = 'mallory'"))


@pytest.mark.parametrize("bad, field", [({"day": "05/02/2024"}, "day"), ({"text": "  "}, "text"),
                                        ({"text": "x" * 501}, "text"), ({"measure_id": "burglaries"}, "measure_id"),
                                        ({"by": ""}, "by")])
def test_bad_annotation_names_the_field_and_saves_nothing(notes, bad, field):
    args = dict(day="2024-02-05", text="Event", by="ann") | bad
    with pytest.raises(AnnotationInputError) as err:
        notes.add(**args)
    assert err.value.field == field and str(err.value).startswith(f"{field}: ")
    assert notes.between(D(2000, 1, 1), D(2100, 1, 1)) == []
