"""`/metrics` in Prometheus text format (prometheus-client), for the city's monitoring; internal
site only, and only to the addresses in SEASTAT_METRICS_FROM (default loopback): no sign-in, so
a scraper can read it, and nobody else can.

- `seastat_http_request_duration_seconds{kind}`: request latency, kind = page (a page a browser
  opens), callback (Dash's /_dash-update-component: what a page's content costs), asset, other;
  a few kinds, never the URL (unbounded label values would grow memory without end). Counted per
  worker process: with several gunicorn workers a scrape sees the one that answered, unless
  PROMETHEUS_MULTIPROC_DIR is set (prometheus-client's multiprocess mode; then its files are
  aggregated).
- From the store, read at scrape time so every worker reports the same numbers:
  `seastat_refresh_runs_total{status}`, `seastat_refresh_last_run_timestamp_seconds`,
  `seastat_refresh_last_ok_timestamp_seconds`, `seastat_refresh_last_rows_loaded`,
  `seastat_alerts_active` (things whose current state was alerted: overdue feeds, off-track
  measures, ...), `seastat_digest_subscriptions`.
- From the warehouse: `seastat_warehouse_age_seconds` (since it was swapped in),
  `seastat_warehouse_last_load_id`.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
import time

import flask

KINDS = ("page", "callback", "asset", "other")


def _kind(path: str) -> str:
    if path == "/_dash-update-component":
        return "callback"
    if path.startswith(("/assets/", "/_dash-component-suites/", "/static/")):
        return "asset"
    if path.startswith("/_dash-") or path in ("/metrics", "/healthz"):
        return "other"
    return "page"


class StoreCollector:
    """Figures kept in the store and the warehouse, read when scraped (the same on every worker)."""

    def __init__(self, app):
        self.app = app

    def collect(self):
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        from components.store_access import get_store
        from ops.health import warehouse_state
        from store.alert_state import AlertStates
        from store.runs import STATUSES
        from store.subscriptions import Subscriptions

        with self.app.app_context():
            store = get_store()
            from sqlalchemy import func, select

            from store.schema import refresh_runs

            with store.read() as conn:
                counts = dict(conn.execute(select(refresh_runs.c.status, func.count()).group_by(refresh_runs.c.status)).all())
                last = conn.execute(select(func.max(refresh_runs.c.started_at))).scalar()
                last_ok = conn.execute(select(func.max(refresh_runs.c.finished_at)).where(
                    refresh_runs.c.status.in_(("ok", "nothing")))).scalar()
            runs = CounterMetricFamily("seastat_refresh_runs", "Refresh runs recorded, by result", labels=["status"])
            for status in STATUSES:
                runs.add_metric([status], counts.get(status, 0))
            yield runs
            for name, value, text in (("seastat_refresh_last_run_timestamp_seconds", last, "Start of the latest refresh run"),
                                      ("seastat_refresh_last_ok_timestamp_seconds", last_ok, "End of the latest successful refresh run")):
                g = GaugeMetricFamily(name, text)
                if value is not None:
                    g.add_metric([], value.replace(tzinfo=dt.timezone.utc).timestamp())
                    yield g
            from store.runs import RunLog

            recent = RunLog(store).recent(1)
            if recent:
                yield GaugeMetricFamily("seastat_refresh_last_rows_loaded", "New or revised rows the latest refresh loaded",
                                        value=recent[0].loaded)
            yield GaugeMetricFamily("seastat_alerts_active", "Watched things whose current state was alerted",
                                    value=AlertStates(store).sent_count())
            yield GaugeMetricFamily("seastat_digest_subscriptions", "Digest subscriptions (address x goal or measure)",
                                    value=len(Subscriptions(store).all()))
            wh, _problem = warehouse_state()
            if wh is not None:
                if wh["age_seconds"] is not None:
                    yield GaugeMetricFamily("seastat_warehouse_age_seconds", "Seconds since the warehouse was swapped in",
                                            value=wh["age_seconds"])
                if wh["last_load_id"] is not None:
                    yield GaugeMetricFamily("seastat_warehouse_last_load_id", "Newest load in the served warehouse",
                                            value=wh["last_load_id"])


def install(server: flask.Flask, settings) -> None:
    """Time every request and serve /metrics (internal app only)."""
    from prometheus_client import CollectorRegistry, Histogram, generate_latest
    from prometheus_client.exposition import CONTENT_TYPE_LATEST

    allowed = [ipaddress.ip_network(v, strict=False) for v in settings.metrics_from]
    registry = CollectorRegistry()
    latency = Histogram("seastat_http_request_duration_seconds", "Time to answer a request, by kind",
                        ["kind"], registry=registry,
                        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
    for kind in KINDS:
        latency.labels(kind)
    registry.register(StoreCollector(server))

    inner = server.wsgi_app

    def timed(environ, start_response):
        """Around the whole Flask app, so refused requests (the sign-in gate answers before any
        other hook runs) are timed too."""
        t0 = time.perf_counter()
        try:
            return inner(environ, start_response)
        finally:
            latency.labels(_kind(environ.get("PATH_INFO", ""))).observe(time.perf_counter() - t0)

    server.wsgi_app = timed

    @server.get("/metrics")
    def metrics():
        peer = flask.request.remote_addr or ""
        try:
            ok = any(ipaddress.ip_address(peer) in net for net in allowed)
        except ValueError:
            ok = False
        if not ok:
            return flask.Response(f"/metrics is not open to {peer or 'this client'} (SEASTAT_METRICS_FROM)\n",
                                  status=403, mimetype="text/plain")
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            merged = CollectorRegistry()
            multiprocess.MultiProcessCollector(merged)
            merged.register(StoreCollector(server))
            body = generate_latest(merged)
        else:
            body = generate_latest(registry)
        return flask.Response(body, mimetype=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
