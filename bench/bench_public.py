"""Public side figures: the cold build of every published (suppressed) measure, warm page and API
latency through the app, and the static export's time and size (the way public traffic scales).

    .venv/bin/python -m bench.bench_public --db data/bench.duckdb   # the 10M-event demo warehouse
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path


from bench import results
from settings import Settings
from tests.support.pages import router_payload


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="warehouse (default: SEASTAT_DB)")
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    s = replace(Settings.from_env(), mode="public", **({"db_path": args.db} if args.db else {}))

    from app import create_app
    from engine import Engine
    from public import api, export, published

    eng = Engine.open(s)
    rows = sum(int(eng.warehouse.scalar(f"SELECT count(*) FROM {d}")) for d in eng.catalog.datasets
               if d in eng.warehouse.tables())
    print(f"warehouse {s.db_path}: {rows:,} events, as of {eng.as_of()}")
    t0 = time.perf_counter()
    per = {}
    for m in published.public_measures(eng):
        t = time.perf_counter()
        published.measure(eng, m.id)
        per[m.id] = time.perf_counter() - t
    cold = time.perf_counter() - t0
    slow = sorted(per.items(), key=lambda kv: -kv[1])[:3]
    figures = {"warehouse": str(s.db_path), "events": rows, "cold_build_s": cold, "measures": len(per),
               "slowest": dict(slow), "pages": {}, "api": {}}
    print(f"cold build of {len(per)} published measures: {cold:.2f} s (slowest: "
          + ", ".join(f"{k} {v:.2f} s" for k, v in slow) + ")")

    app = create_app(s)
    c = app.server.test_client()
    c.get("/")

    def route(client, path, search):
        return client.post("/_dash-update-component", json=router_payload(path, search))

    for path, search in [("/", ""), ("/measure/robberies", ""), ("/measure/robberies", "?lang=es"),
                         ("/neighborhood/n", "")]:
        route(c, path, search)  # warm the app's own engine cache
        ts = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            r = route(c, path, search)
            ts.append(time.perf_counter() - t)
            assert r.status_code == 200
        figures["pages"][path + search] = {"p50_ms": 1000 * statistics.median(ts), "p95_ms": 1000 * pct(ts, 95),
                                           "kib": len(r.data) / 1024}
        print(f"page {path}{search}: p50 {1000 * statistics.median(ts):.1f} ms, p95 {1000 * pct(ts, 95):.1f} ms, "
              f"{len(r.data) / 1024:.0f} KiB")
    for f in ["measures/robberies.json", "measures/robberies/areas.csv", "index.json"]:
        c.get("/api/v1/" + f)
        ts = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            r = c.get("/api/v1/" + f)
            ts.append(time.perf_counter() - t)
        figures["api"][f] = {"p50_ms": 1000 * statistics.median(ts), "p95_ms": 1000 * pct(ts, 95)}
        print(f"api {f}: p50 {1000 * statistics.median(ts):.1f} ms, p95 {1000 * pct(ts, 95):.1f} ms")

    with tempfile.TemporaryDirectory() as tmp:
        eng2 = Engine.open(s)
        t = time.perf_counter()
        got = export.export(eng2, Path(tmp))
        took = time.perf_counter() - t
        files = [p for p in Path(tmp).rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        print(f"static export (cold engine): {took:.1f} s, {got['html']} pages + {got['api']} data files, "
              f"{len(files)} files, {size / 1e6:.1f} MB (plotly.min.js {4.6:.1f} MB of it)")
        figures["export"] = {"s": took, "html": got["html"], "api": got["api"], "files": len(files), "mb": size / 1e6}
    results.write("public", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
