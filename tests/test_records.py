"""The events behind a number (issue 18): the list's length equals the number it was opened from,
for every kind of measure that counts events and with every filter a page applies, on the small
demo and on Seattle's real crime sample; pages of it are in order; one event reads whole."""
from __future__ import annotations

import datetime as dt

import pytest

from engine import Engine, FilterError, Filters
from engine.periods import make_period
from settings import ROOT, Settings

DEMO_28D = make_period("custom", dt.date(2026, 11, 21), dt.date(2026, 10, 25))
DEMO_YEAR = make_period("custom", dt.date(2026, 11, 21), dt.date(2025, 11, 23))


@pytest.fixture(scope="module")
def eng(demo_db):
    return Engine.open(Settings(db_path=demo_db))


VIEWS = [
    ("robberies", Filters()),
    ("person_crimes", Filters(layer="precinct", areas=("E", "N"))),
    ("serious_uof", Filters(group_field="subject_race", group_value="Black")),
    ("serious_uof", Filters(layer="precinct", areas=("S",), group_field="subject_gender", group_value="Male")),
    ("terry_stop_rate", Filters(layer="precinct", areas=("W",))),
    ("fire_calls", Filters()),
    ("service_requests", Filters(layer="mcpp", areas=())),
]


@pytest.mark.parametrize("measure_id, f", VIEWS)
def test_the_list_is_as_long_as_the_number(eng, measure_id, f):
    r = eng.measure(measure_id, DEMO_YEAR, f)
    rec = eng.records(measure_id, DEMO_YEAR, f, limit=25)
    assert r.numerator is not None and r.numerator > 0
    assert rec.total == r.numerator
    assert len(rec.rows) == min(25, rec.total)


def test_categories_filter_the_list_as_they_filter_the_number(eng):
    cats = eng.categories("person_crimes")[:2]
    f = Filters(categories=tuple(cats))
    rec = eng.records("person_crimes", DEMO_28D, f, limit=0)
    assert rec.total == eng.measure("person_crimes", DEMO_28D, f).value > 0
    assert set(rec.rows["category"]) <= set(cats) and len(rec.rows) == rec.total


def test_a_share_lists_its_base_or_the_events_meeting_its_condition(eng):
    r = eng.measure("p1_within_7min", DEMO_28D)
    assert eng.records("p1_within_7min", DEMO_28D).total == r.denominator
    assert eng.records("p1_within_7min", DEMO_28D, met=True).total == r.numerator < r.denominator


def test_a_percentile_lists_the_values_it_is_taken_over(eng):
    r = eng.measure("p1_median_response", DEMO_28D)
    rec = eng.records("p1_median_response", DEMO_28D, limit=0)
    assert rec.total == r.n > 0
    assert rec.rows["response_seconds"].notna().all() and set(rec.rows["priority"]) == {1}


def test_pages_are_sorted_and_do_not_overlap(eng):
    first = eng.records("person_crimes", DEMO_YEAR, sort="event_time", descending=False, limit=25)
    second = eng.records("person_crimes", DEMO_YEAR, sort="event_time", descending=False, offset=25, limit=25)
    times = list(first.rows["event_time"]) + list(second.rows["event_time"])
    assert times == sorted(times) and first.total > 50
    assert not set(first.rows["event_key"]) & set(second.rows["event_key"])
    newest = eng.records("person_crimes", DEMO_28D, limit=25)  # default: newest first
    assert newest.rows["event_time"].iloc[0] == max(eng.records("person_crimes", DEMO_28D, limit=0).rows["event_time"])


def test_the_list_shows_published_fields_and_blurred_addresses_not_load_bookkeeping(eng):
    rec = eng.records("robberies", DEMO_28D, limit=25)
    assert {"event_key", "event_time", "offense", "block_address"} <= set(rec.columns)
    assert not {"source_file", "source_row", "vintage"} & set(rec.columns)
    # as Seattle blurs them: a hundred block or an intersection, never a house number
    assert all("XX BLOCK OF" in a or " / " in a for a in rec.rows["block_address"].dropna())
    full = eng.record("crime", rec.rows["event_key"].iloc[0])
    assert full["event_key"] == rec.rows["event_key"].iloc[0] and "area_precinct" in full
    assert eng.record("crime", "no-such-event") is None


def test_bad_sorts_kinds_and_datasets_are_refused_in_one_line(eng):
    with pytest.raises(FilterError, match="cannot sort the records by 'source_file'"):
        eng.records("robberies", DEMO_28D, sort="source_file")
    with pytest.raises(FilterError, match="cannot sort the records by 'x; DROP TABLE crime'"):
        eng.records("robberies", DEMO_28D, sort="x; DROP TABLE crime")
    with pytest.raises(FilterError, match="disparity: it is not a count of events"):
        eng.records("uof_disparity_black", DEMO_28D)
    with pytest.raises(FilterError, match="unknown dataset 'users'"):
        eng.record("users", "1")
    with pytest.raises(FilterError, match="cannot be filtered by layer 'beat'"):
        eng.records("terry_stop_rate", DEMO_28D, Filters(layer="beat", areas=("B1",)))


def test_the_public_engine_never_lists_records(demo_db):
    pub = Engine.open(Settings(db_path=demo_db, mode="public"))
    with pytest.raises(FilterError, match="not published"):
        pub.records("robberies", DEMO_28D)
    with pytest.raises(FilterError, match="not published"):
        pub.record("crime", "1")


@pytest.mark.real_data
def test_the_list_equals_the_number_on_the_real_crime_sample(seattle_data, tmp_path_factory):
    from etl.load import load_many

    folder = tmp_path_factory.mktemp("real_records")
    db = folder / "w.duckdb"
    load_many({"crime": [seattle_data / "crime" / "spd_crime_data_2008-present__2021-09_robbery_only.csv"]},
              db, Settings(db_path=db, raw_dir=folder / "raw"), progress=False)
    real = Engine.open(Settings(db_path=db, catalog_dir=ROOT / "catalog"))
    year = make_period("custom", dt.date(2020, 12, 31), dt.date(2020, 1, 1))
    for period in (year, make_period("custom", dt.date(2020, 6, 30), dt.date(2020, 6, 1))):
        r = real.measure("robberies", period)
        rec = real.records("robberies", period, limit=0)
        assert rec.total == len(rec.rows) == r.value > 0
