"""Bad input: unusable files stop the load with one line and change nothing; bad rows are
rejected with a reason a person can act on; every row is accounted for."""
from __future__ import annotations

import datetime as dt

import pytest

from etl.load import LoadError, load_files
from settings import Settings
from tests.support.etl_files import CRIME_HEADER, crime_file, crime_row, query, write

S = Settings()


def load(dataset, paths, db):
    return load_files(dataset, paths, db, S, progress=False)


@pytest.fixture
def db(tmp_path):
    """A warehouse that already holds one crime row, to prove failed loads leave it alone."""
    path = tmp_path / "wh.duckdb"
    load("crime", [crime_file(tmp_path / "seed.csv", [crime_row("100")])], path)
    return path


def unchanged(db, before: bytes):
    assert db.read_bytes() == before
    assert query(db, "SELECT count(*) FROM crime") == [(1,)]
    assert query(db, "SELECT count(*) FROM load_log") == [(1,)]


def test_wrong_dataset_header_fails_naming_file_and_dataset(db, tmp_path):
    calls = write(tmp_path / "calls.csv", [
        "CAD Event Number,Event Clearance Description,Call Type,Priority,Initial Call Type,Final Call Type,"
        "Original Time Queued,Arrived Time,Precinct,Sector,Beat,Blurred_Longitude,Blurred_Latitude",
        "2011000272829,X,911,7,A,--B,08/19/2011 09:16:27 PM,,EAST,CHARLIE,C2,-122.28,47.62"])
    before = db.read_bytes()
    with pytest.raises(LoadError) as exc:
        load("crime", [calls], db)
    assert str(exc.value) == f"{calls}: wrong dataset: the header is calls (call-data), not crime"
    unchanged(db, before)


def test_unrecognised_header_names_the_missing_columns(db, tmp_path):
    # a column subset loads when it has an event date (tests/test_etl_published_formats.py); this one has none
    bad = write(tmp_path / "bad.csv", ["Report Number,Offense ID,Offense Parent Group,Precinct", "1,2,3,N"])
    before = db.read_bytes()
    with pytest.raises(LoadError) as exc:
        load("crime", [bad], db)
    msg = str(exc.value)
    assert msg.startswith(f"{bad}: unrecognised header for crime: missing column(s) for an event date ")
    assert "Offense Start DateTime" in msg and "Report DateTime" in msg and "\n" not in msg
    unchanged(db, before)


def test_binary_empty_and_non_utf8_files_fail_and_a_good_file_beside_them_is_not_loaded(db, tmp_path):
    good = crime_file(tmp_path / "good.csv", [crime_row("200")])
    binary = tmp_path / "export.csv"
    binary.write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)))
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(b"Caf\xe9," + CRIME_HEADER.encode() + b"\n")  # a Windows-1252 export
    before = db.read_bytes()
    cases = {binary: "not a text file", empty: "empty file", latin1: "not UTF-8 text"}
    for path, what in cases.items():
        with pytest.raises(LoadError) as exc:
            load("crime", [good, path], db)
        assert str(exc.value).startswith(f"{path}: {what}")
    unchanged(db, before)


@pytest.mark.slow
def test_bom_crlf_cr_only_and_tab_separated_files_load_the_same_values(tmp_path):
    rows = [crime_row("1", start="03/01/2021 01:02:03 PM"), crime_row("2", precinct="SW", sector="F", beat="F2")]
    variants = {
        "bom.csv": dict(bom=True), "crlf.csv": dict(newline="\r\n"), "cr.csv": dict(newline="\r"),
        "tabs.csv": dict(delimiter="\t"), "all.csv": dict(bom=True, newline="\r\n", delimiter="\t"),
    }
    for name, kw in variants.items():
        db = tmp_path / f"{name}.duckdb"
        (r,) = load("crime", [crime_file(tmp_path / name, rows, **kw)], db)
        assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (2, 2, 0), name
        assert query(db, "SELECT event_key, event_time, precinct, sector, beat, mcpp FROM crime ORDER BY 1") == [
            ("1", dt.datetime(2021, 3, 1, 13, 2, 3), "W", "K", "K1", "DOWNTOWN COMMERCIAL"),
            ("2", dt.datetime(2020, 2, 4, 8, 0), "SW", "F", "F2", "DOWNTOWN COMMERCIAL"),
        ], name


def test_truncated_file_loads_complete_rows_and_rejects_the_cut_one(tmp_path):
    path = crime_file(tmp_path / "cut.csv", [crime_row("1"), crime_row("2")])
    path.write_bytes(path.read_bytes() + b"2020-0003,3,02/04/2020 08:00:00 AM,,02/04/2020 11:5")  # cut mid-row
    db = tmp_path / "wh.duckdb"
    (r,) = load("crime", [path], db)
    assert (r.rows_read, r.rows_loaded, r.rows_rejected, r.rows_duplicate) == (3, 2, 1, 0)
    (line, raw, reason), = query(db, "SELECT line, raw, reason FROM rejects")
    assert line == 3 and raw.startswith("2020-0003,3,")  # record 3 (rejects.line = record number) and reason.startswith("malformed CSV line")
    assert query(db, "SELECT event_key FROM crime ORDER BY 1") == [("1",), ("2",)]


def test_excel_mangled_or_missing_keys_get_derived_keys_and_impossible_dates_are_rejected(tmp_path):
    path = crime_file(tmp_path / "mangled.csv", [
        crime_row("2.02E+11"),
        crime_row("7", start="02/30/2021 10:00:00 AM"),
        crime_row("8", start="13/01/2021 10:00:00 AM"),
        crime_row("", start="02/01/2021 10:00:00 AM"),
        crime_row("9", start="", report=""),
        crime_row("10"),
    ])
    db = tmp_path / "wh.duckdb"
    (r,) = load("crime", [path], db)
    assert (r.rows_read, r.rows_loaded, r.rows_rejected, r.rows_duplicate, r.rows_derived_key) == (6, 3, 3, 0, 2)
    assert query(db, "SELECT line, reason FROM rejects ORDER BY line") == [
        (2, "unparseable or impossible date '02/30/2021 10:00:00 AM' in Offense Start DateTime"),
        (3, "unparseable or impossible date '13/01/2021 10:00:00 AM' in Offense Start DateTime"),
        (5, "missing date (Offense Start DateTime, Report DateTime)"),
    ]
    # the damaged keys are not kept as keys: each row's key comes from its content, marked derived
    got = query(db, "SELECT source_row, offense_id, key_quality, event_time, left(event_key, 2) FROM crime ORDER BY 1")
    assert got == [(1, "2.02E+11", "derived", dt.datetime(2020, 2, 4, 8, 0), "D:"),
                   (4, None, "derived", dt.datetime(2021, 2, 1, 10, 0), "D:"),
                   (6, "10", "source", dt.datetime(2020, 2, 4, 8, 0), "10")]


def test_out_of_city_coordinates_are_blanked_and_counted(tmp_path):
    path = crime_file(tmp_path / "coords.csv", [
        crime_row("1", lat="47.6051", lon="-122.3305"),      # downtown: kept
        crime_row("2", lat="40.7128", lon="-74.0060"),       # New York: outside the box
        crime_row("3", lat="47.6051", lon="122.3305"),       # sign lost: outside
        crime_row("4", lat="0", lon="0"),                    # 0 / 0
        crime_row("5", lat="", lon=""),                      # none given
    ])
    db = tmp_path / "wh.duckdb"
    (r,) = load("crime", [path], db)
    assert (r.rows_read, r.rows_loaded) == (5, 5)
    assert query(db, "SELECT event_key, latitude, longitude FROM crime ORDER BY 1") == [
        ("1", 47.6051, -122.3305), ("2", None, None), ("3", None, None), ("4", None, None), ("5", None, None)]
    checks = dict(query(db, "SELECT \"check\", value FROM quality_checks WHERE file = 'coords.csv' "
                             "AND \"check\" IN ('coords_outside_city', 'coords_zero')"))
    assert checks == {"coords_outside_city": 2.0, "coords_zero": 1.0}


def test_duplicate_rows_are_counted_and_the_first_is_kept(tmp_path):
    path = crime_file(tmp_path / "dups.csv", [
        crime_row("1", group="ROBBERY"), crime_row("1", group="ROBBERY"), crime_row("2"), crime_row("1", group="ASSAULT")])
    db = tmp_path / "wh.duckdb"
    (r,) = load("crime", [path], db)
    assert (r.rows_read, r.rows_loaded, r.rows_rejected, r.rows_duplicate) == (4, 2, 0, 2)
    assert query(db, "SELECT event_key, category, source_row FROM crime ORDER BY 1") == [
        ("1", "ROBBERY", 1), ("2", "ROBBERY", 3)]


def test_unknown_codes_and_future_dates_are_counted(tmp_path):
    # tomorrow late evening: in the future but within the one-day tolerance (etl/domains.py), so
    # loaded and counted; a year ahead is out of the event date's domain and rejected (record 5)
    future = (dt.date.today() + dt.timedelta(days=1)).strftime("%m/%d/%Y") + " 11:00:00 PM"
    far = (dt.date.today() + dt.timedelta(days=400)).strftime("%m/%d/%Y") + " 10:00:00 AM"
    path = crime_file(tmp_path / "codes.csv", [
        crime_row("1", precinct="FK ERROR", sector="99", beat="XX"),
        crime_row("2", precinct="OOJ", sector="K", beat="K1"),
        crime_row("3", start=future),
        crime_row("4", start="01/01/1999 10:00:00 AM"),
        crime_row("5", start=far),
    ])
    db = tmp_path / "wh.duckdb"
    load("crime", [path], db)
    got = {(c, col): (v, d) for c, col, v, d in query(
        db, "SELECT \"check\", column_name, value, detail FROM quality_checks WHERE file = 'codes.csv'")}
    assert got[("unknown_codes", "precinct")] == (2.0, "FK ERROR (1), OOJ (1)")
    assert got[("unknown_codes", "sector")] == (1.0, "99 (1)")
    assert got[("unknown_codes", "beat")] == (1.0, "XX (1)")
    assert got[("future_dates", "event_time")][0] == 1.0
    assert got[("before_start", "event_time")][0] == 1.0
    (line, reason), = query(db, "SELECT line, reason FROM rejects")
    assert line == 5 and reason.startswith(f"date out of range '{far}': ")
    # an unknown precinct with a known sector still gets its precinct from the sector (K -> West)
    assert query(db, "SELECT event_key, precinct FROM crime WHERE event_key IN ('1', '2') ORDER BY 1") == [
        ("1", None), ("2", "W")]


def test_a_non_utf8_byte_deep_in_the_file_rejects_only_that_row(tmp_path):
    # 1000 clean rows (~150 KB, past the first-bytes check), then one Windows-1252 row, then one more
    path = crime_file(tmp_path / "late.csv", [crime_row(str(i)) for i in range(1000)])
    with open(path, "ab") as fh:
        fh.write(crime_row("1000", group="CAFÉ").encode("cp1252") + b"\n" + crime_row("1001").encode() + b"\n")
    db = tmp_path / "wh.duckdb"
    (r,) = load("crime", [path], db)
    assert (r.rows_read, r.rows_loaded, r.rows_rejected, r.rows_duplicate) == (1002, 1001, 1, 0)
    (line, reason), = query(db, "SELECT line, reason FROM rejects")
    assert line == 1001 and reason.startswith("malformed CSV line: Invalid unicode")  # record 1001
    assert query(db, "SELECT count(*) FROM crime WHERE event_key IN ('999', '1001')") == [(2,)]


def test_adjacent_malformed_records_keep_every_later_record_number_exact(tmp_path):
    rows = [crime_row(str(i)) for i in range(1, 9)]
    rows[2] += ",extra"      # record 3
    rows[3] += ",more,extra"  # record 4
    rows[5] += ",extra"      # record 6
    db = tmp_path / "wh.duckdb"
    (r,) = load("crime", [crime_file(tmp_path / "adj.csv", rows)], db)
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (8, 5, 3)
    assert query(db, "SELECT line FROM rejects ORDER BY line") == [(3,), (4,), (6,)]
    assert query(db, "SELECT event_key, source_row FROM crime ORDER BY source_row") == [
        ("1", 1), ("2", 2), ("5", 5), ("7", 7), ("8", 8)]
