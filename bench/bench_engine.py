"""Time every engine call the pages make, on the ~10M-event demo warehouse; print p50 / p95.

Why: the issue's target is p95 <= 20 ms per engine call, and the usual Dash approach (pandas on
an in-memory DataFrame) is the baseline to beat. The same questions are answered three ways in
one run: the engine with its ETL-time aggregates, the engine reading event tables only, and
pandas on DataFrames loaded from the same warehouse.

    .venv/bin/python bench/bench_engine.py                       # builds the 10M demo once (cached)
    .venv/bin/python bench/bench_engine.py --db data/seastat.duckdb --repeat 5
    .venv/bin/python bench/bench_engine.py --scale 1             # a small demo, quick look

The warehouse is built with `python -m etl demo --scale S` (21 gives about 10M events) into
--db (default /tmp/seastat-bench/demo-<scale>.duckdb) unless that file already exists.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from engine import Engine, Filters  # noqa: E402
from settings import Settings  # noqa: E402


def pct(xs, q, which=0):
    return float(np.percentile(np.asarray([x[which] for x in xs]) * 1000, q))


def timed(fn, repeat):
    """[(wall seconds, CPU seconds of this process)] per run. CPU time does not grow when other
    work shares the machine, so it shows the call's own cost on a busy 2-core box."""
    fn()  # warm-up (first call reads metadata)
    out = []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        out.append((time.perf_counter() - t, time.process_time() - c))
    return out


def build(db: Path, scale: float, end: dt.date) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    print(f"building the demo warehouse at scale {scale} into {db} (once; reused next time) ...", flush=True)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "etl", "demo", "--db", str(db), "--out", str(db.parent / f"raw-{scale}"),
                    "--scale", str(scale), "--end", end.isoformat(), "--force"], cwd=ROOT, check=True)
    print(f"built in {time.perf_counter() - t:.0f} s", flush=True)


def engine_calls(eng: Engine):
    """{call name: [closure, ...]}: every call shape the pages make, over every measure it applies to."""
    per = eng.period("meeting")
    ytd = eng.period("ytd")
    m = eng.catalog.measures
    ids = [i for i in m]
    layered = [i for i in ids if m[i].layers]
    fielded = [i for i in ids if m[i].fields]
    layer = "mcpp"
    half_year = per.end - dt.timedelta(weeks=26)
    year = per.end - dt.timedelta(weeks=52)
    calls = {
        "measure (meeting period)": [lambda i=i: eng.measure(i, per) for i in ids],
        "measure (ytd)": [lambda i=i: eng.measure(i, ytd) for i in ids],
        "measure (one neighborhood)": [
            lambda i=i: eng.measure(i, per, Filters(layer=m[i].layers[0], areas=(
                eng.areas(m[i].layers[0])["area_id"].iloc[0],))) for i in layered],
        "series (26 weeks)": [lambda i=i: eng.series(i, "week", half_year, per.end) for i in ids],
        "series (52 weeks, prior year too)": [
            lambda i=i: (eng.series(i, "week", year, per.end),
                         eng.series(i, "week", year - dt.timedelta(days=364), per.end - dt.timedelta(days=364)))
            for i in ids],
        "breakdown (area)": [lambda i=i: eng.breakdown(i, per, f"area:{m[i].layers[0]}") for i in layered],
        "breakdown (area, suppressed)": [lambda i=i: eng.breakdown(i, per, f"area:{m[i].layers[0]}", suppress=True)
                                         for i in layered],
        "breakdown (field)": [lambda i=i: eng.breakdown(i, ytd, m[i].fields[0]) for i in fielded],
        "disparity": [lambda i=i: eng.disparity(i, ytd, "subject_race", "White") for i in fielded
                      if "subject_race" in m[i].fields],
        "goal_overview (all measures)": [lambda: eng.goal_overview(per)],
        "categories": [lambda i=i: eng.categories(i) for i in ids],
        "areas / layers / geojson": [lambda: eng.areas(layer), lambda: eng.layers(), lambda: eng.geojson(layer)],
        "inventory": [lambda: eng.inventory()],
        "quality": [lambda d=d: eng.quality(d) for d in eng.catalog.datasets],
    }
    return {k: v for k, v in calls.items() if v}


def pandas_questions(db: Path, eng: Engine):
    """The same questions answered by pandas on in-memory DataFrames (the usual Dash approach)."""
    t = time.perf_counter()
    con = duckdb.connect(str(db), read_only=True)
    crime = con.execute("SELECT event_time, category, area_mcpp FROM crime").df()
    calls = con.execute("SELECT event_time, priority, response_seconds, area_mcpp FROM calls").df()
    stops = con.execute("SELECT event_time, subject_race FROM terry_stops").df()
    pop = con.execute("SELECT group_value, population, year FROM denominators WHERE layer = 'city' "
                      "AND group_field = 'subject_race'").df()
    con.close()
    load_s = time.perf_counter() - t
    mem = sum(df.memory_usage(deep=True).sum() for df in (crime, calls, stops)) / 1e6
    per, ytd = eng.period("meeting"), eng.period("ytd")
    ranges = [(per.start, per.end), (per.prior().start, per.prior().end),
              (per.prior_year().start, per.prior_year().end)]

    def between(df, s, e):
        return df[(df["event_time"] >= pd.Timestamp(s)) & (df["event_time"] < pd.Timestamp(e + dt.timedelta(days=1)))]

    def robberies():
        rob = crime[crime["category"] == "ROBBERY"]
        return [len(between(rob, s, e)) for s, e in ranges]

    def p1_median():
        p1 = calls[(calls["priority"] == 1) & calls["response_seconds"].notna()]
        return [between(p1, s, e)["response_seconds"].median() / 60 for s, e in ranges]

    def p1_share():
        p1 = calls[(calls["priority"] == 1) & calls["response_seconds"].notna()]
        return [(between(p1, s, e)["response_seconds"] <= 420).mean() * 100 for s, e in ranges]

    def robbery_by_area():
        rob = between(crime[crime["category"] == "ROBBERY"], per.start, per.end)
        return rob.groupby("area_mcpp").size()

    def robbery_weekly():
        rob = crime[crime["category"] == "ROBBERY"]
        rob = between(rob, per.end - dt.timedelta(weeks=26), per.end)
        return rob.groupby(rob["event_time"].dt.to_period("W-SUN")).size()

    def stop_disparity():
        s = between(stops, ytd.start, ytd.end).groupby("subject_race").size()
        p = pop[pop["year"] == pop["year"].max()].set_index("group_value")["population"]
        return (s["Black"] / p["Black"]) / (s["White"] / p["White"])

    qs = {"measure (meeting period)": [robberies, p1_median, p1_share],
          "series (26 weeks)": [robbery_weekly],
          "breakdown (area)": [robbery_by_area],
          "disparity": [stop_disparity]}
    return qs, load_s, mem


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--scale", type=float, default=21.0, help="demo scale when building (21 = about 10M events)")
    ap.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2026, 11, 22))
    ap.add_argument("--repeat", type=int, default=5, help="timed runs of every call (after one warm-up)")
    args = ap.parse_args(argv)
    db = args.db or Path(f"/tmp/seastat-bench/demo-{args.scale:g}.duckdb")
    if not db.exists():
        build(db, args.scale, args.end)
    con = duckdb.connect(str(db), read_only=True)
    have = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    events = sum(con.execute(f"SELECT count(*) FROM {d}").fetchone()[0]  # --db may be the real samples: some absent
                 for d in ("crime", "calls", "use_of_force", "terry_stops", "ois", "fire_calls", "service_requests")
                 if d in have)
    aggs = con.execute("SELECT count(*) FROM agg_measure_daily").fetchone()[0]
    con.close()
    print(f"warehouse {db}: {events:,} events, {aggs:,} aggregate rows, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    eng = Engine.open(Settings(db_path=db))
    print(f"as of {eng.as_of()}, meeting period {eng.period('meeting').label}\n")
    calls = engine_calls(eng)
    results = {}
    for name, fns in calls.items():  # with and without aggregates side by side, so load changes hit both
        for use_agg in (True, False):
            results[(name, use_agg)] = []
        for fn in fns:
            for use_agg in (True, False):
                eng.use_aggregates = use_agg
                results[(name, use_agg)] += timed(fn, args.repeat)
        ts = results[(name, True)]
        print(f"  timed {name}: wall p95 {pct(ts, 95):.1f} ms, cpu p95 {pct(ts, 95, 1):.1f} ms", flush=True)
    eng.use_aggregates = True
    qs, load_s, mem = pandas_questions(db, eng)
    pand = {name: [x for fn in fns for x in timed(fn, args.repeat)] for name, fns in qs.items()}

    print(f"\nload average now {os.getloadavg()[0]:.1f}. Milliseconds; 'cpu' = this process's CPU time per call.")
    print(f"{'engine call':34s} {'n':>4s} {'p50':>6s} {'p95':>6s} {'cpu95':>6s} | {'no-agg p50':>10s} {'p95':>6s} "
          f"{'cpu95':>6s} | {'pandas p50':>10s} {'p95':>6s} {'cpu95':>6s} {'p95 ratio':>9s}")
    over = []
    for name in calls:
        a, b = results[(name, True)], results[(name, False)]
        line = (f"{name:34s} {len(a):4d} {pct(a, 50):6.1f} {pct(a, 95):6.1f} {pct(a, 95, 1):6.1f} | "
                f"{pct(b, 50):10.1f} {pct(b, 95):6.1f} {pct(b, 95, 1):6.1f} |")
        if name in pand:
            p = pand[name]
            line += f" {pct(p, 50):10.1f} {pct(p, 95):6.1f} {pct(p, 95, 1):6.1f} {pct(p, 95) / pct(a, 95):8.1f}x"
        print(line)
        if pct(a, 95) > 20:
            over.append(name)
    print(f"\npandas: loading the three event tables took {load_s:.1f} s and {mem:,.0f} MB before any question.")
    print("pandas answers a narrower question per call (no intervals, flags, targets or suppression).")
    print(f"calls over the 20 ms wall-clock p95 target: {', '.join(over) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
