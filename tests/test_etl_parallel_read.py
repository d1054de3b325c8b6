"""Record numbers are exact at any size: `source_row`, `rejects.line`, and which duplicate is kept.

Why: the loader used to take record numbers from the order DuckDB's parallel pipeline wrote the
staged rows in; above ~400k rows whole read chunks came out swapped (at 1M rows 892,190 rows
carried another record's number, differently in each run), so a reject's line led to the wrong
record and "the first row of a repeated key is kept" kept a later one. 2.1M records (generated
here, ~150 MB), loaded through the command line as a user would: a record DuckDB cannot split,
an impossible date and a repeated key, all late in the file.
"""
from __future__ import annotations

import pytest

from tests.support.etl_files import CRIME_HEADER
from tests.support.etl_samples import accounting, etl, query

pytestmark = pytest.mark.slow  # a 2.1M-record file

N = 2_100_000
MALFORMED_AT = 700_001     # a record with one field too many
BAD_DATE_AT = 1_500_001
DUP_AT = 2_000_001         # repeats the key of record 5, with another category


def row(i: int, group: str = "ROBBERY", start: str = "02/04/2020 08:00:00 AM") -> str:
    return f"R{i},{i},{start},,,A,,{group},,,W,K,K1,,,,"


def test_record_numbers_stay_exact_on_a_2m_record_file(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "w") as fh:
        fh.write(CRIME_HEADER + "\n")
        for i in range(1, N + 1):
            if i == MALFORMED_AT:
                fh.write(row(i) + ",extra\n")
            elif i == BAD_DATE_AT:
                fh.write(row(i, start="02/30/2021 10:00:00 AM") + "\n")
            elif i == DUP_AT:
                fh.write(row(i).replace(f"R{i},{i},", "R5,5,").replace("ROBBERY", "ASSAULT") + "\n")
            else:
                fh.write(row(i) + "\n")
    db = tmp_path / "wh.duckdb"
    p = etl("load", "crime", path, "--db", db, timeout=600)
    assert p.returncode == 0, p.stderr
    assert accounting(p.stdout) == f"read {N}, loaded {N - 3}, rejected 2, duplicate 1"
    # offense id i sits at record i: every loaded row names its own record
    assert query(db, "SELECT count(*), min(source_row), max(source_row) FROM crime") == [(N - 3, 1, N)]
    assert query(db, "SELECT count(*) FROM crime WHERE source_row <> CAST(event_key AS BIGINT)") == [(0,)]
    got = query(db, "SELECT line, reason FROM rejects ORDER BY line")
    assert [line for line, _ in got] == [MALFORMED_AT, BAD_DATE_AT]
    assert got[0][1].startswith("malformed CSV line: ")
    assert got[1][1] == "unparseable or impossible date '02/30/2021 10:00:00 AM' in Offense Start DateTime"
    # the first row of a repeated key is kept, not the later one
    assert query(db, "SELECT source_row, category FROM crime WHERE event_key = '5'") == [(5, "ROBBERY")]
