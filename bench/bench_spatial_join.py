"""Spatial join speed: random points in the city assigned to every boundary layer.

Why: assign_areas runs after every load on tables of up to 10M rows. Random points are the
worst case (every point distinct; real blurred coordinates repeat a lot), so this measures the
point-in-polygon join and the DuckDB join-back on a real DuckDB file.

    .venv/bin/python -m bench.bench_spatial_join                       # 1M and 10M points
    .venv/bin/python -m bench.bench_spatial_join --points 200000       # a quick run
    .venv/bin/python -m bench.bench_spatial_join --boundaries data/demo/boundaries

Boundaries default to ../shared/data/seattle/boundaries when present, else data/raw/boundaries.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from bench import results
from city import load_city
from etl.geo import assign_areas, load_boundaries
from settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, nargs="+", default=[1_000_000, 10_000_000],
                        help="numbers of random points to join (default: 1000000 10000000)")
    shared = ROOT.parent / "shared" / "data" / "seattle" / "boundaries"
    parser.add_argument("--boundaries", type=Path, default=None,
                        help=f"boundary files folder (default: {shared} if present, else data/raw/boundaries)")
    parser.add_argument("--seed", type=float, default=0.42, help="DuckDB random seed (-1..1)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    boundaries = args.boundaries or (shared if shared.is_dir() else settings.raw_dir / "boundaries")
    box = load_city(settings.city_config).bounds

    with tempfile.TemporaryDirectory(prefix="bench-geo-") as tmp:
        con = duckdb.connect(str(Path(tmp) / "bench.duckdb"))
        con.execute("SET memory_limit = '1200MB'")  # as etl/warehouse.py sets it
        t0 = time.perf_counter()
        summary = load_boundaries(con, settings, boundaries, None)
        layers = len(summary.areas)
        figures = {"boundaries": str(boundaries), "areas": sum(summary.areas.values()), "layers": layers,
                   "boundaries_s": time.perf_counter() - t0, "runs": []}
        print(f"boundaries: {sum(summary.areas.values())} areas in {layers} layers from {boundaries} "
              f"({time.perf_counter() - t0:.1f} s)")
        for n in args.points:
            con.execute("DROP TABLE IF EXISTS events")
            con.execute("SELECT setseed(?)", [args.seed]).fetchall()
            con.execute(f"""CREATE TABLE events AS SELECT i::VARCHAR AS event_key, TIMESTAMP '2024-01-01' AS event_time,
                {box.min_lat} + random() * {box.max_lat - box.min_lat} AS latitude,
                {box.min_lon} + random() * {box.max_lon - box.min_lon} AS longitude
                FROM range(?) t(i)""", [n])
            r = assign_areas(con, "events")
            print(f"{n:>11,} random points: join {r.join_seconds:6.1f} s = {r.distinct_points / r.join_seconds:>9,.0f} points/s "
                  f"through all {layers} layers ({r.distinct_points * layers / r.join_seconds:,.0f} point-layer tests/s); "
                  f"assign_areas end to end {r.seconds:6.1f} s = {r.rows / r.seconds:,.0f} rows/s; "
                  f"outside every MCPP area: {r.unknown.get('mcpp', 0):,}")
            figures["runs"].append({"points": n, "join_s": r.join_seconds, "points_per_s": r.distinct_points / r.join_seconds,
                                    "assign_s": r.seconds, "rows_per_s": r.rows / r.seconds,
                                    "outside_mcpp": r.unknown.get("mcpp", 0)})
        con.close()
    results.write("spatial_join", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
