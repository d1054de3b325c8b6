"""Mixed line endings lose no record and refuse no file (issue 14).

Why: a CRLF header over an LF body made DuckDB's reader merge 60 officer-involved-shooting
records (newlines inside quoted summaries) into one rejected line while the accounting still
balanced; one CRLF record in an LF file refused the whole file with "The CSV Parser state
machine reached an invalid state". Every dataset, real records, through `python -m etl load`:
the mixed file must load exactly like the same records with one kind of ending.
"""
from __future__ import annotations

import pytest

from tests.support.etl_samples import DATASETS, accounting, etl, query, records, write_csv

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


def test_a_broken_multi_line_record_is_one_reject_with_its_record_number(seattle_data, tmp_path):
    """Errors of one record (an OIS summary spanning lines, plus a field too many) are ONE reject
    numbered like source_row, and the records after it keep their own numbers."""
    header, rows = records(seattle_data, "ois", N)
    multi = next(i for i, r in enumerate(rows) if "\n" in r[header.index("Summary")])
    rows[multi] = rows[multi] + ["one field too many"]
    db = tmp_path / "wh.duckdb"
    p = etl("load", "ois", write_csv(tmp_path / "ois.csv", header, rows), "--db", db)
    assert p.returncode == 0, p.stderr
    assert accounting(p.stdout).startswith(f"read {N}, ") and ", rejected 1, " in p.stdout
    (line, reason), = query(db, "SELECT line, reason FROM rejects")
    assert line == multi + 1 and reason.startswith("malformed CSV line: ")
    got = dict(query(db, "SELECT source_row, incident_number FROM ois"))
    inc = header.index("Incident Number")
    assert all(got[n] == rows[n - 1][inc] for n in got) and multi + 1 not in got


def test_a_bad_byte_is_a_row_reject_in_the_first_64_kib_too(tmp_path):
    """A Windows-1252 byte in record 2 rejects record 2, exactly as it does a megabyte in."""
    from tests.support.etl_files import crime_file, crime_row

    path = crime_file(tmp_path / "early.csv", [crime_row("1")])
    with open(path, "ab") as fh:
        fh.write(crime_row("2", group="CAFÉ").encode("cp1252") + b"\n" + crime_row("3").encode() + b"\n")
    db = tmp_path / "wh.duckdb"
    p = etl("load", "crime", path, "--db", db)
    assert p.returncode == 0, p.stderr
    assert accounting(p.stdout) == "read 3, loaded 2, rejected 1, duplicate 0"
    (line, reason), = query(db, "SELECT line, reason FROM rejects")
    assert line == 2 and reason.startswith("malformed CSV line: Invalid unicode")


def test_a_quote_inside_an_unquoted_field_is_text_and_the_count_still_agrees(tmp_path):
    """`5'10"` in an unquoted field is text to the reader; the independent count must agree with
    it (its quote-parity fast path cannot, so the exact rule is applied) instead of refusing the file."""
    from tests.support.etl_files import crime_file, crime_row

    rows = [crime_row(str(i)) for i in range(1, 6)]
    rows[1] = rows[1].replace(",Robbery,", ',Robbery 5\'10" suspect,')
    rows[3] = rows[3].replace(",Robbery,", ',Robbery 6\'1" suspect,')
    db = tmp_path / "wh.duckdb"
    p = etl("load", "crime", crime_file(tmp_path / "q.csv", rows), "--db", db)
    assert p.returncode == 0, p.stderr
    assert accounting(p.stdout) == "read 5, loaded 5, rejected 0, duplicate 0"
    assert query(db, "SELECT offense FROM crime WHERE source_row = 2") == [('Robbery 5\'10" suspect',)]


def test_records_the_reader_silently_drops_stop_the_load_with_one_line(tmp_path):
    """A quote opened at a field's start and never closed: DuckDB's reader returned the 1,500
    records before it and reported nothing for the 500 after (read 1500, loaded 1500: a silent
    loss that balanced). The independent record count disagrees, so the load stops, names the
    record, and the served warehouse stays as it was."""
    from tests.support.etl_files import crime_file, crime_row

    db = tmp_path / "wh.duckdb"
    assert etl("load", "crime", crime_file(tmp_path / "seed.csv", [crime_row("1")]), "--db", db).returncode == 0
    before = db.read_bytes()
    rows = [crime_row(str(i)) for i in range(2, 2001)]
    rows[1499] = rows[1499].replace(",Robbery,", ',"Robbery,')
    bad = crime_file(tmp_path / "open_quote.csv", rows)
    p = etl("load", "crime", bad, "--db", db)
    assert p.returncode == 1
    (line,) = p.stderr.strip().splitlines()
    assert line.startswith(f"error: {bad}: the file has 1500 records but the CSV reader split 1499")
    assert "a quote opened in record 1500 is never closed" in line
    assert db.read_bytes() == before
