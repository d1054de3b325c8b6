"""A file big enough that DuckDB reads it on several threads still gets exact record numbers.

Why: the loader stages files with a parallel read and takes record numbers (`source_row`,
`rejects.line`) from the staged table's row order; if that order were lost, a user following a
reject's line number or a row's source_row back to the file would land on the wrong record.
"""
from __future__ import annotations

import pytest

from etl.load import load_files
from settings import Settings
from tests.support.etl_files import crime_file, crime_row, query

pytestmark = pytest.mark.slow  # a 50 MB file

N = 300_000  # about 50 MB: several of DuckDB's CSV buffers, so the read is split across threads
BAD_DATE_AT = 150_001
DUP_AT = 299_999  # repeats the key of record 5


def test_record_numbers_stay_exact_when_the_file_is_read_in_parallel(tmp_path):
    rows = []
    for i in range(1, N + 1):
        if i == BAD_DATE_AT:
            rows.append(crime_row(str(i), start="02/30/2021 10:00:00 AM"))
        elif i == DUP_AT:
            rows.append(crime_row("5", group="ASSAULT"))
        else:
            rows.append(crime_row(str(i)))
    path = crime_file(tmp_path / "big.csv", rows)
    db = tmp_path / "wh.duckdb"
    (r,) = load_files("crime", [path], db, Settings(), progress=False)
    assert (r.rows_read, r.rows_loaded, r.rows_rejected, r.rows_duplicate) == (N, N - 2, 1, 1)
    # offense id i sits at record i: every loaded row names its own record
    assert query(db, "SELECT count(*), min(source_row), max(source_row) FROM crime") == [(N - 2, 1, N)]
    assert query(db, "SELECT count(*) FROM crime WHERE source_row <> CAST(event_key AS BIGINT)") == [(0,)]
    assert query(db, "SELECT line, reason FROM rejects") == [
        (BAD_DATE_AT, "unparseable or impossible date '02/30/2021 10:00:00 AM' in Offense Start DateTime")]
    # the first row of a repeated key is kept, not the later one
    assert query(db, "SELECT source_row, category FROM crime WHERE event_key = '5'") == [(5, "ROBBERY")]
