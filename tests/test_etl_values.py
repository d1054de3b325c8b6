"""Impossible values never crash a load, refuse a file or pass as something else (issue 14).

Why: year 0000 loaded as 1 BC and crashed the app's read side; 9999-12-31 became the "as of"
date; `24:30` was read as 00:30 the next day; a Terry `Reported Time` of `25:99:00` or `abc`
silently became midnight; one `99999999999` in a priority, a year of birth or a count of rounds
refused the whole file. Each case runs through `python -m etl load` on real records of every
dataset it applies to.
"""
from __future__ import annotations

import datetime as dt

import pytest

from tests.support.etl_samples import (DATASETS, EVENT_FIELD, accounting, etl, query, records, set_field,
                         write_csv)


def rows_for(request, dataset, n):
    data = None if dataset == "service_requests" else request.getfixturevalue("seattle_data")
    return records(data, dataset, n)


def load(tmp_path, dataset, header, rows, name="f.csv"):
    db = tmp_path / "wh.duckdb"
    p = etl("load", dataset, write_csv(tmp_path / name, header, rows), "--db", db)
    assert p.returncode == 0 and p.stderr.strip() == "", p.stderr
    return db, p


@pytest.mark.parametrize("dataset", DATASETS)
def test_year_0000_and_9999_are_rejected_rows_with_the_range(request, tmp_path, dataset):
    header, rows = rows_for(request, dataset, 6)
    field, fmt = EVENT_FIELD[dataset]
    rows[1] = set_field(header, rows[1], field, fmt.format(y="0000", m="01", d="01"))
    rows[3] = set_field(header, rows[3], field, fmt.format(y="9999", m="12", d="31"))
    db, p = load(tmp_path, dataset, header, rows)
    read, loaded, rejected, _dup = [int(w.strip(",")) for w in accounting(p.stdout).split()[1::2]]
    assert (read, rejected) == (6, 2), p.stdout
    got = query(db, "SELECT line, reason FROM rejects ORDER BY line")
    assert [line for line, _ in got] == [2, 4]
    for (_line, reason), year in zip(got, ("0000", "9999")):
        assert reason.startswith("date out of range '") and year in reason and "1900" in reason, reason
    # nothing impossible reached the table the app reads
    lo, hi = query(db, f"SELECT min(event_time), max(event_time) FROM {dataset}")[0]
    assert lo.year >= 1900 and hi.date() <= dt.date.today() + dt.timedelta(days=1)


@pytest.mark.parametrize("value", ["25:99:00", "abc", "24:30:00"])
def test_an_impossible_terry_reported_time_rejects_the_row_instead_of_becoming_midnight(request, tmp_path, value):
    header, rows = rows_for(request, "terry_stops", 4)
    rows[2] = set_field(header, rows[2], "Reported Time", value)
    db, p = load(tmp_path, "terry_stops", header, rows)
    assert "read 4, loaded 3, rejected 1" in p.stdout
    assert query(db, "SELECT line, reason FROM rejects") == [
        (3, f"impossible time of day '{value}' in Reported Time")]
    stop_id = rows[2][header.index("Terry Stop ID")]
    assert query(db, "SELECT count(*) FROM terry_stops WHERE event_key = ?", [stop_id]) == [(0,)]


def test_fire_24_00_is_next_midnight_but_24_30_is_no_time(request, tmp_path):
    header, rows = rows_for(request, "fire_calls", 3)
    rows[0] = set_field(header, rows[0], "Datetime", "01/21/2022 24:00:00")
    rows[1] = set_field(header, rows[1], "Datetime", "01/21/2022 24:30:00")
    db, p = load(tmp_path, "fire_calls", header, rows)
    assert "read 3, loaded 2, rejected 1" in p.stdout
    key0 = rows[0][header.index("Incident Number")]
    assert query(db, "SELECT event_time FROM fire_calls WHERE event_key = ?", [key0]) == [(dt.datetime(2022, 1, 22),)]
    (line, reason), = query(db, "SELECT line, reason FROM rejects")
    assert line == 2 and reason == "unparseable or impossible date '01/21/2022 24:30:00' in Datetime"


@pytest.mark.parametrize("dataset, field, column", [
    ("calls", "Priority", "priority"),
    ("terry_stops", "Officer YOB", "officer_yob"),
    ("ois", "Number of Rounds", "number_of_rounds"),
    ("ois", "Subject Age", "subject_age"),
    ("ois", "Years of SPD Service", "years_of_service"),
])
def test_an_out_of_range_integer_is_null_and_counted_not_a_refused_file(request, tmp_path, dataset, field, column):
    header, rows = rows_for(request, dataset, 5)
    rows[2] = set_field(header, rows[2], field, "99999999999")
    db, p = load(tmp_path, dataset, header, rows)
    read, loaded, rejected, dup = [int(w.strip(",")) for w in accounting(p.stdout).split()[1::2]]
    assert read == 5 and rejected == 0 and loaded + dup == 5
    assert query(db, f"SELECT {column} FROM {dataset} WHERE source_row = 3") == [(None,)]
    (value, detail), = query(db, "SELECT value, detail FROM quality_checks WHERE \"check\" = 'out_of_domain' "
                                 "AND column_name = ?", [column])
    assert value == 1.0 and "set to NULL" in detail


def test_a_9999_end_date_is_null_and_counted_and_the_row_still_loads(request, tmp_path):
    header, rows = rows_for(request, "crime", 4)
    rows[1] = set_field(header, rows[1], "Offense End DateTime", "12/31/9999 11:59:00 PM")
    db, p = load(tmp_path, "crime", header, rows)
    assert "read 4, loaded 4, rejected 0" in p.stdout
    assert query(db, "SELECT offense_end FROM crime WHERE source_row = 2") == [(None,)]
    assert query(db, "SELECT value FROM quality_checks WHERE \"check\" = 'out_of_domain' "
                     "AND column_name = 'offense_end'") == [(1.0,)]
