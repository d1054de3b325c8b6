"""Time `python -m etl demo` at the default size and at about 10M events; print the figures.

Why: the issue sets a target (the default demo builds in 60 s or less on a 2-core machine) and
asks that `--scale` reach 10M events for the app's benchmarks. Each run builds into a fresh
temporary folder through the real path (files, geography, load) and reports each phase.

    .venv/bin/python -m bench.bench_demo                 # default size, then ~10M events
    .venv/bin/python -m bench.bench_demo --only-default
    .venv/bin/python -m bench.bench_demo --events 10000000 --keep /tmp/demo10m   # keep the 10M build
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path


from bench import results
from etl.demo.build import DemoOptions, generate, load
from settings import Settings

END = dt.date(2026, 11, 22)


def cpu() -> float:
    """CPU seconds used by this process so far (all threads, user + system): unlike wall time,
    it does not grow when other work shares the machine."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def build(folder: Path, scale: float, years: float) -> dict:
    opts = DemoOptions(out_dir=folder / "demo", db_path=folder / "demo.duckdb", years=years, scale=scale, seed=2026, end=END)
    t0, c0 = time.perf_counter(), cpu()
    manifest = generate(opts)
    t_files, c_files = time.perf_counter() - t0, cpu() - c0
    out = load(manifest, opts.out_dir, opts.db_path, Settings.from_env())
    total, c_total = time.perf_counter() - t0, cpu() - c0
    rows = sum(r.rows_read for r in out["results"])
    raw_mb = sum(p.stat().st_size for p in (opts.out_dir / "raw").rglob("*.csv")) / 1e6
    return {"scale": scale, "years": years, "events": rows, "files_s": t_files, "geo_s": out["timings"]["geo_s"],
            "load_s": out["timings"]["load_s"], "total_s": total, "raw_mb": raw_mb,
            "cpu_files_s": c_files, "cpu_total_s": c_total, "load_avg": os.getloadavg()[0],
            "db_mb": opts.db_path.stat().st_size / 1e6}


def report(label: str, r: dict) -> None:
    print(f"{label}: {r['events']:,} events (--years {r['years']:g} --scale {r['scale']:g}), raw CSV {r['raw_mb']:,.0f} MB, "
          f"warehouse {r['db_mb']:,.0f} MB", flush=True)
    print(f"  total {r['total_s']:.1f} s = files {r['files_s']:.1f} s + geography {r['geo_s']:.1f} s + load {r['load_s']:.1f} s"
          f"   (peak RSS so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB)", flush=True)
    print(f"  CPU {r['cpu_total_s']:.1f} s (files {r['cpu_files_s']:.1f} s); machine load average {r['load_avg']:.1f} "
          f"on {os.cpu_count()} cores", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=float, default=10_000_000, help="target events for the large run (default 10M)")
    ap.add_argument("--only-default", action="store_true")
    ap.add_argument("--keep", type=Path, default=None, help="keep the large build in this folder")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        default = build(Path(tmp) / "default", 1.0, 2)
        report("default demo", default)
        print(f"  target 60 s: {'met' if default['total_s'] <= 60 else 'NOT met'}", flush=True)
    figures = {"default": default}
    if args.only_default:
        results.write("demo", figures)
        return 0
    scale = args.events / default["events"]  # events grow linearly with --scale
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-demo-10m-"))
    try:
        figures["large"] = build(folder, round(scale, 2), 2)
        report(f"large demo (~{args.events / 1e6:g}M)", figures["large"])
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.write("demo", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
