"""The command line a deployment scripts against: `python -m etl load` / `status`, exit codes,
one-line errors, --help everywhere, and SEASTAT_DB as the default warehouse."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.etl_files import crime_file, crime_row, write

ROOT = Path(__file__).resolve().parents[1]


def etl(*args, db: Path | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEASTAT_")}
    if db is not None:
        env["SEASTAT_DB"] = str(db)
    return subprocess.run([sys.executable, "-m", "etl", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_help_on_every_command():
    for cmd in ([], ["load"], ["status"]):
        p = etl(*cmd, "--help")
        assert p.returncode == 0 and "usage: python -m etl" in p.stdout
    words = " ".join(etl("load", "--help").stdout.split())
    assert "one of: crime, calls, use_of_force, terry_stops, ois, fire_calls, service_requests" in words


def test_load_then_status_json(tmp_path):
    db = tmp_path / "wh.duckdb"
    good = crime_file(tmp_path / "good.csv", [crime_row("1"), crime_row("1"), crime_row("2", start="02/31/2020 01:00:00 AM")])
    p = etl("load", "crime", good, db=db)  # --db defaults to SEASTAT_DB
    assert p.returncode == 0, p.stderr
    assert "good.csv: crime vintage 2021: read 3, loaded 1, rejected 1, duplicate 1" in p.stdout
    s = etl("status", "--json", "--db", db)
    assert s.returncode == 0
    (entry,) = json.loads(s.stdout)
    assert {k: entry[k] for k in ("file", "dataset", "vintage", "rows_read", "rows_loaded", "rows_rejected",
                                  "rows_duplicate")} == {
        "file": "good.csv", "dataset": "crime", "vintage": "2021", "rows_read": 3, "rows_loaded": 1,
        "rows_rejected": 1, "rows_duplicate": 1}
    assert "good.csv" in etl("status", db=db).stdout


def test_unusable_file_fails_with_one_line_and_loads_nothing(tmp_path):
    db = tmp_path / "wh.duckdb"
    good = crime_file(tmp_path / "good.csv", [crime_row("1")])
    bad = write(tmp_path / "bad.csv", ["Just,Some,Columns", "1,2,3"])
    p = etl("load", "crime", good, bad, "--db", db)
    assert p.returncode == 1
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {bad}: unrecognised header for crime: missing column(s)")
    assert not db.exists()
    assert json.loads(etl("status", "--json", "--db", db).stdout) == []


def test_unknown_dataset_is_refused_by_the_parser(tmp_path):
    p = etl("load", "parking", tmp_path / "x.csv", "--db", tmp_path / "wh.duckdb")
    assert p.returncode == 2 and "invalid choice: 'parking'" in p.stderr


def test_status_on_a_missing_warehouse_says_so(tmp_path):
    p = etl("status", "--db", tmp_path / "none.duckdb")
    assert p.returncode == 0 and "nothing loaded yet" in p.stdout
