"""`python -m etl refresh` against the project's local Socrata server: a feed that grows between
runs, a lock, and the run log the /data page reads (in the store, so it outlives warehouse swaps).

Expected figures come from the days the test writes (tests/support/fire_feed.py), not from the loader.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

from store import open_store
from store.runs import RunLog
from tests.support.etl_files import query
from tests.support.fire_feed import FIRE_ID, city_folder, days, fire_calls
from tests.support.sodaserver import SodaServer

ROOT = Path(__file__).resolve().parents[1]
NOV = lambda d: dt.date(2026, 11, d)  # noqa: E731


@pytest.fixture
def site(tmp_path):
    """A portal serving fire calls of Nov 1-17 (10 a day), and the environment a deployment sets."""
    feed = fire_calls(tmp_path / "feed.csv", days(NOV(1), NOV(17), 10))
    with SodaServer({FIRE_ID: feed}, portal_dates=True) as portal:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SEASTAT_") and k != "SOCRATA_APP_TOKEN"}
        env.update(SEASTAT_PORTAL_URL=portal.url, SEASTAT_CITY=str(city_folder(tmp_path)),
                   SEASTAT_DB=str(tmp_path / "w.duckdb"), SEASTAT_RAW_DIR=str(tmp_path / "raw"),
                   SEASTAT_LEDGER=f"sqlite:///{tmp_path / 'store.sqlite3'}", SEASTAT_TODAY="2026-12-01")
        yield portal, env, tmp_path


def refresh(env, *args):
    return subprocess.run([sys.executable, "-m", "etl", "refresh", "--backoff", "0", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def runs(env):
    store = open_store(env["SEASTAT_LEDGER"])
    try:
        return RunLog(store).recent()
    finally:
        store.close()


def test_a_second_refresh_picks_up_only_the_new_rows_and_the_log_says_so(site):
    portal, env, tmp = site
    db = Path(env["SEASTAT_DB"])
    first = refresh(env)
    assert first.returncode == 0, first.stderr
    assert query(db, "SELECT count(*) FROM fire_calls") == [(170,)]

    portal.replace(FIRE_ID, fire_calls(tmp / "feed2.csv", days(NOV(1), NOV(30), 10)))  # Nov 18-30 published
    second = refresh(env)
    assert second.returncode == 0, second.stderr
    # only from the newest day loaded (Nov 17, included: a day may have been published in part)
    assert portal.data_requests()[-1]["params"]["$where"] == "datetime >= '2026-11-17T00:00:00'"
    assert query(db, "SELECT count(*), count(DISTINCT event_key), max(event_time)::DATE FROM fire_calls") == [
        (300, 300, NOV(30))]
    # the aggregates the pages read were rebuilt in the same swap
    assert query(db, "SELECT hi FROM agg_coverage WHERE dataset = 'fire_calls'") == [(NOV(30),)]

    latest, earlier = runs(env)[:2]
    assert (earlier.status, earlier.changes["fire_calls"]["fetched"], earlier.changes["fire_calls"]["loaded"]) == (
        "ok", 170, 170)
    got = latest.changes["fire_calls"]
    assert (latest.status, got["since"], got["fetched"], got["loaded"], got["duplicate"]) == (
        "ok", "2026-11-17", 140, 130, 10)
    assert latest.errors == {} and latest.seconds is not None and latest.seconds > 0

    third = refresh(env)  # nothing new on the portal: nothing new in the warehouse
    assert third.returncode == 0, third.stderr
    assert runs(env)[0].status == "nothing" and runs(env)[0].loaded == 0
    assert query(db, "SELECT count(*) FROM fire_calls") == [(300,)]


def test_a_second_refresh_while_one_runs_exits_with_one_line(site):
    _portal, env, _tmp = site
    lock = open(env["SEASTAT_DB"] + ".refresh.lock", "a+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what a running refresh holds
        busy = refresh(env)
    finally:
        lock.close()
    assert busy.returncode == 75
    assert busy.stderr.strip().count("\n") == 0 and "another refresh is running" in busy.stderr
    assert runs(env) == [] and not Path(env["SEASTAT_DB"]).exists()


def test_a_portal_that_fails_is_recorded_and_the_next_run_catches_up(site):
    portal, env, _tmp = site
    portal.drop_from = 1  # every request is cut off half way
    failed = refresh(env, "--retries", "0")
    assert failed.returncode == 1
    (run,) = runs(env)
    assert run.status == "failed" and "fire_calls" in run.errors and "gave up" in run.errors["fire_calls"]
    portal.drop_from = None
    again = refresh(env)
    assert again.returncode == 0, again.stderr
    assert runs(env)[0].status == "ok" and runs(env)[0].changes["fire_calls"]["loaded"] == 170


def test_the_data_page_lists_each_run_with_what_changed_and_its_errors(site):
    from app import create_app
    from settings import Settings
    from tests.support.pages import render_with_client, texts

    portal, env, _tmp = site
    portal.drop_from = 1
    assert refresh(env, "--retries", "0").returncode == 1
    portal.drop_from = None
    assert refresh(env).returncode == 0
    app = create_app(Settings(db_path=Path(env["SEASTAT_DB"]), ledger_url=env["SEASTAT_LEDGER"],
                              city_config=Path(env["SEASTAT_CITY"]), auth=False))
    status, layout, _size = render_with_client(app.server.test_client(), "/data")
    assert status == 200
    words = " ".join(texts(layout))
    assert "Refresh runs" in words and "The 2 most recent refresh runs, newest first (America/Los_Angeles time)" in words
    newest, failed = words.index("\u2714 loaded new rows"), words.index("\u2716 failed")
    assert newest < failed  # newest first
    assert "fire_calls: 170 rows fetched (first fetch), 170 new or revised, 0 rejected, 0 already held" in words
    assert "fire_calls: gave up after 1 attempts" in words
    # a failed run swaps no warehouse in, and still shows (the run log is not cached with the page)
    portal.drop_from = 1
    assert refresh(env, "--retries", "0").returncode == 1
    _s, layout, _n = render_with_client(app.server.test_client(), "/data")
    words = " ".join(texts(layout))
    assert "The 3 most recent refresh runs" in words and words.count("\u2716 failed") == 2


def test_a_refresh_killed_mid_download_is_listed_and_the_next_one_resumes_where_it_stopped(site):
    import signal

    portal, env, _tmp = site
    portal.hold_from(100)  # pages from row 100 on wait: the run is then blocked after saving rows 0-99
    first = subprocess.Popen([sys.executable, "-m", "etl", "refresh", "--page-size", "50"], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert portal.held.wait(120), "the refresh never reached row 100"
        first.send_signal(signal.SIGKILL)  # no handler runs: like the OOM killer or a power cut
        first.wait(timeout=30)
    finally:
        portal.release()
        first.stdout.close()
        first.stderr.close()
    asked = len(portal.data_requests())
    again = refresh(env, "--page-size", "50")
    assert again.returncode == 0, again.stderr
    resumed = [r["params"]["$offset"] for r in portal.data_requests()[asked:]]
    assert resumed[0] == "100"  # not from 0: the saved pages were kept
    assert query(Path(env["SEASTAT_DB"]), "SELECT count(*), count(DISTINCT event_key) FROM fire_calls") == [(170, 170)]
    latest, killed = runs(env)[:2]
    assert (latest.status, latest.changes["fire_calls"]["loaded"]) == ("ok", 170)
    assert killed.status == "interrupted" and killed.finished_at is None
