"""Kill-safety: a load killed at any moment leaves the previous warehouse intact and readable,
also by a reader that had it open the whole time (the running app)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from etl.load import load_files
from settings import Settings
from tests.support.etl_files import CRIME_HEADER, crime_file, crime_row, query

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def big_crime_file(path: Path, n: int) -> Path:
    row = crime_row("{}")
    with open(path, "w") as fh:
        fh.write(CRIME_HEADER + "\n")
        fh.writelines(row.format(1_000_000 + i) + "\n" for i in range(n))
    return path


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """1M rows: even on an idle machine the load runs for seconds, so every kill lands mid-load."""
    return big_crime_file(tmp_path_factory.mktemp("big") / "big.csv", 1_000_000)


@pytest.mark.parametrize("delay", [0.05, 0.4, 1.2])
def test_killed_load_leaves_old_warehouse_readable(tmp_path, big, delay):
    db = tmp_path / "wh.duckdb"
    load_files("crime", [crime_file(tmp_path / "old.csv", [crime_row("1"), crime_row("2")])], db,
               Settings(), progress=False)
    reader = duckdb.connect(str(db), read_only=True)  # the app's connection, open throughout
    env = {**os.environ, "SEASTAT_DB": str(db)}
    proc = subprocess.Popen([sys.executable, "-m", "etl", "load", "crime", str(big)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    new = Path(str(db) + ".new")
    deadline = time.monotonic() + 30
    while not new.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the load finished before it could be killed"
    assert reader.execute("SELECT count(*) FROM crime").fetchall() == [(2,)]
    reader.close()
    assert query(db, "SELECT count(*) FROM crime") == [(2,)]
    assert query(db, "SELECT file, rows_loaded FROM load_log") == [("old.csv", 2)]
    # the next load is not blocked by the dead one's lock or its half-written PATH.new
    (r,) = load_files("crime", [crime_file(tmp_path / "next.csv", [crime_row("3")])], db, Settings(), progress=False)
    assert r.rows_loaded == 1
    assert query(db, "SELECT count(*) FROM crime") == [(3,)]
    assert not new.exists()
