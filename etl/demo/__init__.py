"""`python -m etl demo`: the synthetic demo city, written as real-format raw files and loaded.

The README's two commands (`python -m etl demo`, then `make run`) must give a working app with
no data download, and the demo must exercise the same load path as real data, so this command
writes files exactly like the city's exports and loads them with etl.load and etl.geo. The
modules: places (names, centres, weights), shapes (approximate nested boundaries), timeline and
events (when and where), crime / calls / force / services (each dataset's columns), writers (the
exact file layouts), census (boundary and population files), injections (bad rows on purpose),
build (generate, load, mark the warehouse as a demo).
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path


def configure(parser) -> None:
    from etl.errors import iso_date

    parser.add_argument("--db", type=Path, default=None, help="warehouse to build (default: SEASTAT_DB, data/seastat.duckdb)")
    parser.add_argument("--out", type=Path, default=None, help="folder for the raw files (default: SEASTAT_DEMO_DIR, data/demo)")
    parser.add_argument("--years", type=float, default=2, help="years of events, ending yesterday (default 2)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiplies event counts (1 = about 480k events over 2 years; 20 = about 10M)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed: the same seed and end give the same files")
    parser.add_argument("--end", type=iso_date, default=None,
                        help="the day after the last day with events, YYYY-MM-DD (default: today in the city's time zone)")
    parser.add_argument("--no-load", action="store_true", help="only write the files; do not build the warehouse")
    parser.add_argument("--force", action="store_true", help="replace a warehouse that is not a demo")


def city_today(settings) -> dt.date:
    """Today in the city's time zone: events stop at yesterday's midnight there, never in its future."""
    from zoneinfo import ZoneInfo

    from city import load_city

    return dt.datetime.now(ZoneInfo(load_city(settings.city_config).timezone)).date()


def run(args) -> int:
    import time

    from settings import Settings

    from .build import DemoError, DemoOptions, check_target, generate, load

    settings = Settings.from_env()
    opts = DemoOptions(out_dir=Path(args.out or settings.demo_dir), db_path=Path(args.db or settings.db_path),
                       years=args.years, scale=args.scale, seed=args.seed, end=args.end or city_today(settings),
                       force=args.force)
    t0 = time.perf_counter()
    try:
        if not args.no_load:
            check_target(opts.db_path, opts.force)
        manifest = generate(opts)
        t_gen = time.perf_counter() - t0
        rows = sum(f["rows"] for f in manifest["files"])
        print(f"demo: wrote {len(manifest['files'])} raw files ({rows:,} rows, {manifest['start']} to {manifest['end']}) "
              f"and boundary/population files to {opts.out_dir} in {t_gen:.1f} s")
        if args.no_load:
            return 0
        out = load(manifest, opts.out_dir, opts.db_path, settings, force_overwrite=opts.force)
    except DemoError as exc:
        print(f"python -m etl demo: {exc}", file=sys.stderr)
        return 1
    for r in out["results"]:
        print(f"  {r.dataset:<17} {r.file:<48} vintage {r.vintage:<10} read {r.rows_read:>9,}  loaded {r.rows_loaded:>9,}  "
              f"rejected {r.rows_rejected:>3}  duplicate {r.rows_duplicate:>3}  derived keys {r.rows_derived_key:>3}")
    rejected = sum(r.rows_rejected for r in out["results"])
    derived = sum(r.rows_derived_key for r in out["results"])
    print(f"demo: {rejected} rows rejected (injected on purpose: {len(manifest['injected_rejects'])}), "
          f"{derived} keys derived (injected on purpose: {len(manifest.get('injected_derived_keys', []))})")
    for line in out["geo"].lines()[:2]:
        print("  " + line)
    total = time.perf_counter() - t0
    print(f"demo: warehouse {opts.db_path} built in {total:.1f} s "
          f"(files {t_gen:.1f} s, geography {out['timings']['geo_s']:.1f} s, load {out['timings']['load_s']:.1f} s)")
    return 0
