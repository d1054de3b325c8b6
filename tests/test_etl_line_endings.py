"""Mixed line endings lose no record and refuse no file (issue 14).

Why: a CRLF header over an LF body made DuckDB's reader merge 60 officer-involved-shooting
records (newlines inside quoted summaries) into one rejected line while the accounting still
balanced; one CRLF record in an LF file refused the whole file with "The CSV Parser state
machine reached an invalid state". Every dataset, real records, through `python -m etl load`:
the mixed file must load exactly like the same records with one kind of ending.
"""
from __future__ import annotations

import pytest

from etl_samples import DATASETS, accounting, etl, query, records, write_csv

N = 60


def load_both(request, tmp_path, dataset, **mixed):
    data = None if dataset == "service_requests" else request.getfixturevalue("seattle_data")
    header, rows = records(data, dataset, N)
    clean = write_csv(tmp_path / "clean.csv", header, rows)
    damaged = write_csv(tmp_path / "mixed.csv", header, rows, **mixed)
    out = {}
    for path in (clean, damaged):
        db = tmp_path / f"{path.stem}.duckdb"
        p = etl("load", dataset, path, "--db", db)
        assert p.returncode == 0 and p.stderr.strip() == "", p.stderr
        out[path.stem] = (db, accounting(p.stdout))
    return out, len(rows)


@pytest.mark.parametrize("dataset", DATASETS)
def test_crlf_header_over_an_lf_body_reads_every_record(request, tmp_path, dataset):
    out, n = load_both(request, tmp_path, dataset, header_newline="\r\n")
    assert out["mixed"][1] == out["clean"][1] and out["mixed"][1].startswith(f"read {n},")
    sql = f"SELECT event_key, event_time, source_row FROM {dataset} ORDER BY source_row"
    assert query(out["mixed"][0], sql) == query(out["clean"][0], sql)


@pytest.mark.parametrize("dataset", DATASETS)
def test_one_crlf_record_in_an_lf_file_is_read_like_the_others(request, tmp_path, dataset):
    out, n = load_both(request, tmp_path, dataset, newlines={N // 2: "\r\n"})
    assert out["mixed"][1] == out["clean"][1] and out["mixed"][1].startswith(f"read {n},")
    assert query(out["mixed"][0], "SELECT count(*) FROM rejects") == query(out["clean"][0], "SELECT count(*) FROM rejects")


def test_ois_summaries_keep_their_inner_newlines_and_every_officer_row(seattle_data, tmp_path):
    out, n = load_both(type("R", (), {"getfixturevalue": lambda self, name: seattle_data})(), tmp_path, "ois",
                       header_newline="\r\n")
    db = out["mixed"][0]
    # records 30 and 32 of the sample are identical rows: one officer (etl/sources/ois.py)
    assert out["mixed"][1] == out["clean"][1] == f"read {n}, loaded {n - 1}, rejected 0, duplicate 1"
    assert query(db, "SELECT count(*) FROM ois WHERE summary LIKE '%' || chr(10) || '%'")[0][0] > 0
