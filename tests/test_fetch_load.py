"""`python -m etl fetch` end to end: the portal's pages become rows of a real DuckDB warehouse.

The server speaks like the real portal here (API field names, floating-timestamp dates), so
this is the path a deployment takes: download, then etl.load.load_files. Expected figures were
counted on the sample by hand (grep), not by the loader.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.support.sodaserver import SodaServer

pytestmark = pytest.mark.real_data

ROOT = Path(__file__).resolve().parents[1]
FIRE = "fire_911/seattle_real_time_fire_911_calls__2022-01.csv"


@pytest.fixture
def portal(seattle_data):
    with SodaServer({"kzjm-xkqj": seattle_data / FIRE}, portal_dates=True) as server:
        yield server


def fetch(portal, tmp_path, *args):
    env = {k: v for k, v in os.environ.items() if k != "SOCRATA_APP_TOKEN"}
    env.update(SEASTAT_PORTAL_URL=portal.url, SEASTAT_RAW_DIR=str(tmp_path / "raw"))
    return subprocess.run([sys.executable, "-m", "etl", "fetch", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)


def query(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_fetch_loads_every_fire_call_into_the_warehouse(portal, tmp_path):
    db = tmp_path / "w.duckdb"
    done = fetch(portal, tmp_path, "fire_calls", "--db", str(db), "--page-size", "4000")
    assert done.returncode == 0, done.stderr
    assert "9873 rows in 3 pages" in done.stdout
    # 9,873 calls, each with its own Incident Number (sample README; `cut | sort -u | wc -l`)
    assert query(db, "SELECT count(*), count(DISTINCT event_key) FROM fire_calls") == [(9873, 9873)]
    # the month's last call, read off the sample: F220013186, 01/31/2022 11:57:00 PM, Aid Response
    assert query(db, "SELECT event_time, category FROM fire_calls WHERE event_key = 'F220013186'") == [
        (dt.datetime(2022, 1, 31, 23, 57), "Aid Response")]
    (log,) = query(db, "SELECT file, rows_read, rows_loaded, rows_rejected FROM load_log WHERE dataset = 'fire_calls'")
    assert log[0].startswith("fire_calls_all_") and log[1:] == (9873, 9873, 0)


def test_an_incremental_fetch_adds_only_what_is_new(portal, tmp_path):
    db = tmp_path / "w.duckdb"
    first = fetch(portal, tmp_path, "fire_calls", "--since", "2022-01-30", "--db", str(db))
    assert first.returncode == 0, first.stderr
    # `grep -c -E ",01/3[01]/2022 "`: 577 calls on January 30 and 31
    assert query(db, "SELECT count(*), min(event_time) >= TIMESTAMP '2022-01-30' FROM fire_calls") == [(577, True)]

    again = fetch(portal, tmp_path, "fire_calls", "--since", "--db", str(db))  # from the newest event: Jan 31
    assert again.returncode == 0, again.stderr
    assert "since 2022-01-31" in again.stderr and "285 rows" in again.stdout
    assert portal.data_requests()[-1]["params"]["$where"] == "datetime >= '2022-01-31T00:00:00'"
    # the 285 calls of January 31 were already there: nothing new, nothing lost
    assert query(db, "SELECT count(*) FROM fire_calls") == [(577,)]
    assert query(db, "SELECT sum(rows_loaded), sum(rows_duplicate) FROM load_log") == [(577, 285)]


def test_a_download_the_loader_refuses_is_kept_and_named(seattle_data, tmp_path):
    # portal.yaml pointing fire_calls at the wrong dataset: the portal serves Terry stops
    with SodaServer({"kzjm-xkqj": seattle_data / "terry_stops/terry_stops__2023-11.csv"}) as wrong:
        done = fetch(wrong, tmp_path, "fire_calls", "--db", str(tmp_path / "w.duckdb"))
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    (kept,) = (tmp_path / "raw" / "fire_calls").glob("fire_calls_all_*.csv")
    assert "wrong dataset" in line and "terry_stops" in line
    assert line.endswith(f"python -m etl load fire_calls {kept})")
    assert not (tmp_path / "w.duckdb").exists()  # nothing half-loaded


# Records per sample, from ../shared/data/seattle/README.md (counted by its author, not by us).
SAMPLES = {
    "crime": ("tazs-3rd5", "crime/spd_crime_data_2008-present__2021-09_robbery_only.csv", 20000),
    "calls": ("33kz-ixgy", "calls_911/call_data__2024-05_east_sector_c.csv", 275),
    "use_of_force": ("ppi5-g2bj", "use_of_force/use_of_force__2022-04.csv", 14095),
    "terry_stops": ("28ny-9ts8", "terry_stops/terry_stops__2023-11.csv", 20000),
    "ois": ("mg5r-efcm", "ois/spd_officer_involved_shooting__data-thru-2019-07.csv", 156),
}


@pytest.mark.slow
@pytest.mark.parametrize("dataset", sorted(SAMPLES))
def test_every_sample_in_the_portals_form_loads_without_a_reject(dataset, seattle_data, tmp_path):
    rid, rel, records = SAMPLES[dataset]
    db = tmp_path / "w.duckdb"
    with SodaServer({rid: seattle_data / rel}, portal_dates=True) as server:
        done = fetch(server, tmp_path, dataset, "--db", str(db))
    assert done.returncode == 0, done.stderr
    ((read, loaded, rejected, duplicate),) = query(
        db, f"SELECT rows_read, rows_loaded, rows_rejected, rows_duplicate FROM load_log WHERE dataset = '{dataset}'")
    assert (read, rejected) == (records, 0) and loaded + duplicate == records
    assert query(db, f"SELECT count(*) FROM {dataset}") == [(loaded,)]
