"""Keys that identify: a repeated identical officer-involved-shooting row is a duplicate, not an
extra officer (issue 14).

Why: the file has no officer id; the key was FRB # | Incident Number | the row's order within the
incident, so the same officer's row exported twice counted as two officers (and two shootings
in any per-officer measure). Real records, through `python -m etl load`.
"""
from __future__ import annotations

from tests.support.etl_samples import accounting, etl, query, records, write_csv


def test_identical_ois_rows_deduplicate_and_distinct_officers_stay(seattle_data, tmp_path):
    header, rows = records(seattle_data, "ois", 20)
    inc = header.index("Incident Number")
    repeated = rows[:3] + [rows[1], rows[2]] + rows[3:] + [rows[1]]  # rows 1 and 2 again, and 1 at the end
    db = tmp_path / "wh.duckdb"
    p = etl("load", "ois", write_csv(tmp_path / "ois.csv", header, repeated), "--db", db)
    assert p.returncode == 0, p.stderr
    assert accounting(p.stdout) == f"read {len(repeated)}, loaded 20, rejected 0, duplicate 3"
    # every distinct row is one officer: per incident, as many rows as the file has distinct rows
    want = {}
    for r in rows:
        want.setdefault(r[inc], set()).add(tuple(r))
    got = dict(query(db, "SELECT incident_number, count(*) FROM ois GROUP BY 1"))
    assert got == {k: len(v) for k, v in want.items()}
    # the first occurrence is the row kept
    assert sorted(r for (r,) in query(db, "SELECT source_row FROM ois")) == list(range(1, 4)) + list(range(6, 23))
    # the same file again changes nothing: every row is already there
    p = etl("load", "ois", write_csv(tmp_path / "again.csv", header, list(reversed(rows))), "--db", db)
    assert accounting(p.stdout) == "read 20, loaded 0, rejected 0, duplicate 20"
