"""Server-side latency of each page's callbacks, against the same page built the naive way.

The app renders a page in Dash's router callback (the URL's path and query -> the page) and the
maps fetch geometry once; both are timed as a browser sends them: HTTP POST to
/_dash-update-component on a real server. The naive build keeps one global pandas DataFrame of
events and filters it in each callback. Prints p50/p95 and response sizes; run on the 10M-event
demo warehouse: `SEASTAT_DB=data/bench.duckdb .venv/bin/python -m bench.bench_pages` (figures also in
bench/results/pages.json; how it measures is bench/pagebench.py).

Figures (issue #5), 10,210,588-event demo (`python -m etl demo --scale 21`), 2 cores shared with
other work, as ranges over runs. Browser times use bench/pagebench.py's DRAWN_JS for every column (charts,
maps and grids drawn, a frame painted). Columns: "before" = 3e2ab70, 4 runs at load average
1.5-4.7; "app" = 6db87e9 (SVG maps, JSON page cache, cached plotly.js; engine with 371277b), 2 runs
at 4.0-4.7; "now" = bd4c3c1 (also SVG sparklines; engine with its in-memory aggregates f7ac5f3),
2 runs at 2.0-2.4. Cold figures and RSS are mostly the engine's doing (see below).

                                      target    before       app          now  final
    warm p95, worst page (ms)         <= 50     9.5-22.1     10.0-25.4    3.7-5.0  4.0
    warm p95, data page (ms)                    9.5-22.1     4.3-5.8      2.4  4.0
    cold p95, measure (ms)                      31.1-52.2    48.6-53.2    18.7-22.5  30.7
    measure vs naive, warm p50        >= 5x     x30-48       x46-58       x45-51  x225 (x31*)
    measure vs naive, cold p50        >= 5x     x2.6-3.3     x2.1-2.3     x4.9-6.0  x19 (x4.5*)
    worker RSS after the run (MB)     <= 300    391-392      345          373-375  291 / 298
    Chromium, later p50 (s)  /        <= 1.5    0.29-0.51    0.43-0.48    0.21  0.26
                             goal               0.39-0.62    0.54-0.64    0.19-0.20  0.25
                             measure            1.11-1.60    0.76-1.03    0.48-0.52  0.68
                             neighborhoods      0.76-1.20    0.71         0.36  0.46
                             data               0.59-0.61    0.59-0.88    0.29-0.34  0.36
    Chromium, first visit (s) goal              1.39-2.38    1.86-1.99    0.24  0.30
                             measure            1.39-2.15    1.49-1.91    1.45-1.51  1.94

"final" = the commit that dropped pyarrow and capped DuckDB's read pool at 128 MB, one run at
load average 0.8-1.3; RSS after the HTTP run / after the browser
run. * Without pyarrow the naive page's pandas string filters are ~4x slower (373 ms p50 against
88 ms with pyarrow, measured the same day at 3e2ab70+): the ratios in brackets are against that
faster naive build (p50 88.3 ms, p95 112.5 ms) - against it the cold ratio is x4.5, short of 5x.
The first visit of a chart page in a fresh browser (plotly.js compile) was 1.45-1.51 s in the
"now" runs and 1.94 s in the final run: NOT reliably under 1.5 s.

The first visit of the first page with a chart compiles plotly.js once per browser: since the
goal cards became SVG pictures that page is the measure page (plotly.min.js was 4.8 MB; the
bundle built by `make js` is 1.4 MB, see "Final figures" below).

Where the worker's RSS goes (10M demo, in one process serving every view above): ~175 MB is
`import app` (pandas 3 + pyarrow ~107, Dash ~37, SQLAlchemy for auth ~18); the page modules ~35
(the engine, via packet); the first engine query ~90 (DuckDB's catalog of a 500 MB file ~32, then
the engine's min/max(event_time) scan of every event table leaves ~46 MB of blocks in DuckDB's
buffer pool); the pages ~40 more. 392 -> 345 MB came from the engine no longer loading scipy.stats
(371277b; in-process, the old app on that engine 346 MB, ours 344); its in-memory aggregates add ~25.
Since then: pyarrow is gone (~60 MB) and the read pool is capped at 128 MB (~14 MB): 298 MB after
the browser run, just under the target. Then the loads record each table's first and last day
(agg_coverage) so the engine no longer scans them: 281 MB after the HTTP run, 286 MB after the
browser run (fbb887b, load 0.8-1.1; first measure visit 1.59 s, later 0.61 s).

Cold measure views against the faster naive build (pyarrow installed), issue #5's last open
criterion. `--naive-python PYTHON` (repeatable) times the naive page under another interpreter,
e.g. a venv under /tmp with requirements.txt plus pyarrow (never this project's venv); each
naive server now starts after the app's figures, because its 10M-row load used to run on the
second core while the app was timed (app cold p50 21.6 ms with it, 13.0 ms without, load 1.0-1.3).
HTTP part only (--no-browser), 10M demo, two runs each at load 0.9-1.1, ms:

                                      075aa9a (bench fix only)   1729514 (engine + page cuts)
    measure cold p50 / p95            12.4-12.5 / 19.6-20.8      8.8-10.8 / 16.3-16.7
    measure warm p50 / p95            1.3-1.4 / 1.7-1.8          1.2-1.9 / 1.3-2.2
    naive p50, pyarrow / without      69.9-70.0 / 336.9-338.2    70.7-76.9 / 320.9-349.6
    cold p50 ratio, pyarrow / without x5.6 / x27.1               x7.2-8.0 / x32.5-36.5
    cold p95 ratio, pyarrow           x4.6-4.7                   x5.1-6.5
    worker RSS after the run (MB)     270-272                    268-275

Where a cold view's ~9 ms goes now (in-process): the engine ~2.5 (this year's weekly series with
its exact tests ~1.3, last year's line, no longer tested, ~0.6, the headline ~0.4), building the
page's ~100 components and its figures ~4, the page cache's JSON tree ~0.8, Dash and Flask ~1.5.
The 12 cold views are few: one run's p50 moves by 1-2 ms with what else the machine is doing.

Final figures (cca662a + 1729514 + this file's paired timing), 10M demo, load 0.6-1.9. This VM's
speed drifts by up to 1.7x within minutes (the same pure-Python loop: 194-376 ms), and the measure
page and the naive builds used to be timed minutes apart: ratios from 3.7 to 8.0 in back-to-back
runs of the same code. Now the naive servers load first (until idle), the app waits for its warm-up
to end, and each measure request is followed at once by the same view on each naive server.
    measure cold p50 / p95 (ms)             10.4-14.1 / 17.6-24.3 (unpaired runs: 11.5-20.3 / 25-30)
    measure warm p95, worst page p95 (ms)   3.3-3.5 / 3.5
    vs naive with pyarrow, cold p50 / p95   x5.6-7.2 / x5.0-7.0; request by request median x6.2-7.3
    vs naive without pyarrow, cold p50      x24.9-30.3 (request by request x29.8-30.5)
    worker RSS after the HTTP / browser run 266-277 / 275-279 MB
    Chromium first visit, measure page      0.97-1.22 s over 6 fresh browsers (2 runs x --browsers 3;
                                            was 1.45-1.94 s): plotly.js is now js/plotly-seastat.js,
                                            1.4 MB (components/plotly_bundle.py); same session with
                                            Dash's 4.8 MB bundle: 1.79-2.48 s
    Chromium later visits, every page       at most 0.86 s (measure p50 0.66-0.71 s)
Cold p95 is the first view of a map layer in a worker (its slices load in 20-60 ms): loading every
measure's first layer in the warm-up (~10 MB, ~0.5 s) was tried and dropped, as its extra start-up
work overlapped the first visitors' requests. The first request of all (opens the engine) is
289-557 ms, and a page's first view of its kind in a fresh worker can reach 60-110 ms (overview,
neighborhoods, disparity cold p95 above): one-off costs per worker and file, not per view.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import results
from bench.pagebench import (ROOT, SCRIPT, app_server, browser_times, cold_start, filter_output, filter_payload,
                             free_port, geometry_payload, naive_build, naive_payload, naive_server, page_cases,
                             percentile, rss_mb, start_naive, stop, time_paired, time_requests, wait_idle, wait_up)
from tests.support.pages import post, router_payload


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path(os.environ.get("SEASTAT_DB", ROOT / "data" / "seastat.duckdb")))
    parser.add_argument("--repeat", type=int, default=40, help="requests per page")
    parser.add_argument("--naive-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--app-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--browsers", type=int, default=1,
                        help="fresh browsers to time (a first visit compiles plotly.js; one browser gives one such figure)")
    parser.add_argument("--naive-python", action="append", type=Path, metavar="PYTHON",
                        help="run the naive page under this interpreter (a venv with requirements.txt, with or "
                             "without pyarrow, which makes pandas' string filters ~4x faster); repeat to time "
                             "several naive builds in one run; default: this interpreter")
    parser.add_argument("--no-warm", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cold-start", action="store_true",
                        help="only time the first visitor's overview with and without background warming")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds between start-up and the first visitor")
    args = parser.parse_args(argv)
    if args.naive_server:
        naive_server(args.db, args.naive_server)
        return 0
    if args.app_server:
        app_server(args.app_server, warm=not args.no_warm)
        return 0
    if not args.db.is_file():
        print(f"{args.db}: no warehouse; build the 10M-event demo with "
              f"python -m etl demo --db {args.db} --years 2 --scale 20", file=sys.stderr)
        return 2
    import duckdb

    con = duckdb.connect(str(args.db), read_only=True)
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    events = sum(con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in
                 ("crime", "calls", "use_of_force", "terry_stops", "ois", "fire_calls", "service_requests") if t in tables)
    con.close()
    print(f"warehouse {args.db}: {events:,} events; load average {'/'.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores (other work on the machine slows every figure)")
    if args.cold_start:
        cold_start(args.db, args.idle)
        return 0

    env = {**os.environ, "SEASTAT_DB": str(args.db), "SEASTAT_AUTH": "off"}
    port = free_port()
    app_proc = subprocess.Popen([sys.executable, "-m", SCRIPT, "--db", str(args.db),
                                 "--app-server", str(port)], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    naives: list = []  # (python, process, URL)
    try:
        # The naive builds load their 10M-row frames first, one at a time, each until its process is
        # idle, so no load runs beside a timed request. The measure page is then timed with its naive
        # counterparts request by request in turn: this VM's speed drifts (a pure-Python loop takes
        # 200-380 ms from one minute to the next), and only requests interleaved in time compare fairly.
        for python in args.naive_python or [Path(sys.executable)]:
            proc, nbase = start_naive(python, args.db, env)
            naives.append((python, proc, nbase))
            wait_up(nbase, proc, timeout=900)
            wait_idle(proc.pid)
        wait_up(base, app_proc)
        t = time.perf_counter()
        post(base, router_payload("/data"))  # the first request opens the engine (catalog check, connection)
        print(f"first request (opens the engine): {(time.perf_counter() - t) * 1000:.0f} ms")
        # That request also starts the background warm-up (components/warmup.py); cold views timed
        # while it runs share the interpreter with it and measure the start-up window, which
        # --cold-start times on its own. Wait until the worker is idle.
        print(f"worker idle (warm-up done) after {wait_idle(app_proc.pid):.1f} s")
        rows, naive_rows = [], []
        for page, cases in page_cases(args.db).items():
            payloads = [router_payload(p, s) for p, s in cases]
            if page == "measure":
                cold, warm, sizes, naive_rows = time_paired(base, payloads, [
                    (n, [naive_payload(s) for _, s in cases]) for _, _, n in naives], args.repeat)
            else:
                cold, warm, sizes = time_requests(base, payloads, args.repeat)
            rows.append((page, cold, warm, sizes))
        cold, warm, sizes = time_requests(base, [geometry_payload(x) for x in ("mcpp", "precinct", "beat")], 9)
        rows.append(("map geometry (once per session)", cold, warm, sizes))
        cold, warm, sizes = time_requests(base, [filter_payload(p, filter_output(base)) for p in ("7d", "ytd", "meeting", "28d")], args.repeat)
        rows.append(("filter change -> URL", cold, warm, sizes))
        worker = app_proc.pid
        app_rss = rss_mb(worker)
        figures: dict = {"warehouse": str(args.db), "events": events, "app_rss_mb": app_rss, "callbacks": {
            name: {"views": len(cold), "cold_p50_ms": statistics.median(cold), "cold_p95_ms": percentile(cold, 0.95),
                   "warm_p50_ms": statistics.median(warm), "warm_p95_ms": percentile(warm, 0.95),
                   "kb_p50": statistics.median(sizes) / 1024} for name, cold, warm, sizes in rows}, "naive": []}

        print(f"\n{'callback':34s} {'views':>5s} {'cold p50':>9s} {'cold p95':>9s} {'warm p50':>9s} {'warm p95':>9s} {'kB p50':>7s}")
        for name, cold, warm, sizes in rows:
            print(f"{name:34s} {len(cold):5d} {statistics.median(cold):9.1f} {percentile(cold, 0.95):9.1f} "
                  f"{statistics.median(warm):9.1f} {percentile(warm, 0.95):9.1f} {statistics.median(sizes) / 1024:7.1f}")
        print("(ms; cold = first request for a view, warm = the same views again, answered from the cache)")
        print(f"app worker RSS after the run: {app_rss:.0f} MB")

        _, ours_cold, ours_warm, _ = next(r for r in rows if r[0] == "measure")
        for (python, proc, _), (n_cold, n_warm, n_sizes) in zip(naives, naive_rows):
            n_times = n_cold + n_warm  # the naive page has no cache: every request filters the frame again
            print(f"\nnaive measure page (global DataFrame; {python}: {naive_build(python)}): "
                  f"p50 {statistics.median(n_times):.1f} ms, p95 {percentile(n_times, 0.95):.1f} ms, "
                  f"response {statistics.median(n_sizes) / 1024:.1f} kB, RSS {rss_mb(proc.pid):.0f} MB")
            figures["naive"].append({"python": str(python), "build": naive_build(python),
                                     "p50_ms": statistics.median(n_times), "p95_ms": percentile(n_times, 0.95),
                                     "cold_p50_ratio": statistics.median(n_times) / statistics.median(ours_cold),
                                     "warm_p50_ratio": statistics.median(n_times) / statistics.median(ours_warm)})
            for label, ours, theirs in (("cold", ours_cold, n_cold), ("warm", ours_warm, n_warm)):
                print(f"measure page vs naive, {label}: p50 x{statistics.median(n_times) / statistics.median(ours):.1f} faster, "
                      f"p95 x{percentile(n_times, 0.95) / percentile(ours, 0.95):.1f} faster; "
                      f"request by request (same moment) median x{statistics.median(t / o for t, o in zip(theirs, ours)):.1f}")
            stop(proc)

        if not args.no_browser:
            paths = ["/", "/goals/safe_neighborhoods", "/measures/person_crimes", "/neighborhoods", "/data"]
            runs = [browser_times(base, paths) for _ in range(args.browsers)]  # each a fresh browser
            print(f"\nheadless Chromium (no GPU), full page load to drawn page, {args.browsers} fresh browser(s) x 4 rounds"
                  " (first = the first round of each browser):")
            print(f"  {'page':32s} {'first':>13s} {'later p50':>10s} {'later max':>10s}")
            for path in paths:
                first = [r[path][0] for r in runs]
                later = [s for r in runs for s in r[path][1:]]
                print(f"  {path:32s} {min(first):5.2f}-{max(first):5.2f}s {statistics.median(later):9.2f}s {max(later):9.2f}s")
            print(f"app worker RSS after the browser run: {rss_mb(worker):.0f} MB")
            figures["browser"] = {path: {"first_s": [r[path][0] for r in runs],
                                         "later_p50_s": statistics.median(s for r in runs for s in r[path][1:])}
                                  for path in paths}
            figures["app_rss_after_browser_mb"] = rss_mb(worker)
        print(f"load average at the end: {'/'.join(f'{x:.1f}' for x in os.getloadavg())}")
        results.write("pages", figures)
    finally:
        for p in (app_proc, *(proc for _, proc, _ in naives)):
            if p is not None:
                stop(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
