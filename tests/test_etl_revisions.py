"""Loading is idempotent and revisable: the same file twice changes nothing; a newer export that
overlaps an older one updates revised records by natural key and keeps the newest."""
from __future__ import annotations

from etl.load import load_files
from settings import Settings
from tests.support.etl_files import crime_file, crime_row, query

S = Settings()


def load(paths, db):
    return load_files("crime", paths, db, S, progress=False)


def test_same_file_twice_changes_nothing(tmp_path):
    db = tmp_path / "wh.duckdb"
    a = crime_file(tmp_path / "a.csv", [crime_row("1"), crime_row("2")])
    (first,) = load([a], db)
    assert (first.rows_loaded, first.skipped) == (2, False)
    before, mtime = db.read_bytes(), db.stat().st_mtime_ns
    (again,) = load([a], db)
    assert again.skipped and again.rows_loaded == 0
    assert db.read_bytes() == before and db.stat().st_mtime_ns == mtime
    copy = tmp_path / "renamed_copy.csv"
    copy.write_bytes(a.read_bytes())
    (dup,) = load([copy], db)
    assert dup.skipped
    assert query(db, "SELECT count(*) FROM load_log") == [(1,)]
    assert query(db, "SELECT count(*) FROM crime") == [(2,)]


def test_newer_overlapping_export_updates_revised_records(tmp_path):
    db = tmp_path / "wh.duckdb"
    old = crime_file(tmp_path / "export_2021-08.csv", [
        crime_row("1", group="ROBBERY"), crime_row("2", group="ROBBERY", precinct="N", sector="U", beat="U3")])
    new = crime_file(tmp_path / "export_2021-09.csv", [
        crime_row("1", group="ROBBERY"),                                          # unchanged
        crime_row("2", group="ASSAULT OFFENSES", precinct="N", sector="U", beat="U2"),  # revised
        crime_row("3", group="BURGLARY")])                                         # new
    load([old], db)
    (r,) = load([new], db)
    assert (r.rows_read, r.rows_loaded, r.rows_rejected, r.rows_duplicate) == (3, 2, 0, 1)
    assert query(db, "SELECT event_key, category, beat, source_file FROM crime ORDER BY 1") == [
        ("1", "ROBBERY", "K1", "export_2021-08.csv"),
        ("2", "ASSAULT OFFENSES", "U2", "export_2021-09.csv"),
        ("3", "BURGLARY", "K1", "export_2021-09.csv"),
    ]
    # loading the older export again is recognised (same checksum) and does not undo the revision
    (again,) = load([old], db)
    assert again.skipped
    assert query(db, "SELECT category FROM crime WHERE event_key = '2'") == [("ASSAULT OFFENSES",)]


def test_two_files_in_one_call_go_in_one_swap_with_the_later_file_winning(tmp_path):
    db = tmp_path / "wh.duckdb"
    a = crime_file(tmp_path / "a.csv", [crime_row("1", group="ROBBERY")])
    b = crime_file(tmp_path / "b.csv", [crime_row("1", group="ASSAULT OFFENSES"), crime_row("2")])
    ra, rb = load([a, b], db)
    assert (ra.rows_loaded, rb.rows_loaded, rb.rows_duplicate) == (1, 2, 0)
    assert query(db, "SELECT event_key, category FROM crime ORDER BY 1") == [("1", "ASSAULT OFFENSES"), ("2", "ROBBERY")]
    assert query(db, "SELECT file, rows_read, rows_loaded FROM load_log ORDER BY load_id") == [
        ("a.csv", 1, 1), ("b.csv", 2, 2)]
