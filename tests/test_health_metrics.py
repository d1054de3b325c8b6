"""/healthz (what warehouse is served, how old, the latest refresh) and /metrics (Prometheus text,
only to SEASTAT_METRICS_FROM) on the internal app, signed out, as a load balancer and a scraper ask."""
from __future__ import annotations

from pathlib import Path

import pytest

from settings import Settings
from store import open_store
from store.alert_state import AlertStates
from store.runs import RunLog
from tests.support.etl_files import query


@pytest.fixture
def ledger(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    store = open_store(url)
    runs = RunLog(store)
    runs.finish(runs.start(), "failed", {}, {"crime": "HTTP 500"})
    runs.finish(runs.start(), "ok", {"crime": {"fetched": 12, "loaded": 9}}, {})
    AlertStates(store).record("overdue:calls", "2026-11-01", sent=True, recipients=("a@example.org",))
    AlertStates(store).record("status:robberies", "on_track", sent=False)
    store.close()
    return url


def client(db: Path, ledger: str, **kw):
    from app import create_app

    return create_app(Settings(db_path=db, ledger_url=ledger, auth=True, secret_key="h" * 40, **kw)).server.test_client()


def test_healthz_says_which_warehouse_is_served_how_old_and_the_latest_refresh(demo_db, ledger):
    got = client(demo_db, ledger).get("/healthz")
    assert got.status_code == 200 and got.headers["Cache-Control"] == "no-store"
    body = got.get_json()
    (last_load,) = query(demo_db, "SELECT max(load_id) FROM load_log")[0]
    assert body["status"] == "ok" and body["warehouse"]["last_load_id"] == last_load
    assert body["warehouse"]["newest_event"] == "2026-11-21" and body["warehouse"]["age_seconds"] >= 0
    assert body["warehouse"]["built_at"].endswith("Z")
    assert (body["last_refresh"]["status"], body["last_refresh"]["rows_loaded"], body["last_refresh"]["errors"]) == ("ok", 9, 0)


def test_healthz_without_a_warehouse_still_answers_and_says_why(tmp_path, ledger):
    body = client(tmp_path / "none.duckdb", ledger).get("/healthz").get_json()
    assert body["status"] == "ok" and body["warehouse"] is None and "no warehouse yet" in body["problem"]


def test_metrics_in_prometheus_format_only_to_the_configured_scraper(demo_db, ledger):
    from prometheus_client.parser import text_string_to_metric_families

    c = client(demo_db, ledger)
    assert c.get("/data").status_code == 302  # signed out: a page is refused, and still timed
    got = c.get("/metrics")
    assert got.status_code == 200 and got.content_type.startswith("text/plain; version=")
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for fam in text_string_to_metric_families(got.get_data(as_text=True)) for s in fam.samples}
    assert samples[("seastat_refresh_runs_total", (("status", "ok"),))] == 1
    assert samples[("seastat_refresh_runs_total", (("status", "failed"),))] == 1
    assert samples[("seastat_refresh_last_rows_loaded", ())] == 9
    assert samples[("seastat_alerts_active", ())] == 1
    assert samples[("seastat_http_request_duration_seconds_count", (("kind", "page"),))] == 1
    assert samples[("seastat_warehouse_age_seconds", ())] >= 0
    refused = c.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert refused.status_code == 403 and "10.1.2.3" in refused.get_data(as_text=True)
    opened = client(demo_db, ledger, metrics_from=("10.1.2.0/24",))
    assert opened.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert opened.get("/metrics").status_code == 403  # loopback is no longer listed
