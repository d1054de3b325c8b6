"""The static public site at news-day scale: the export (`python -m public export`) behind Debian's
nginx with deploy/nginx-public-site.conf, under 500 concurrent visitor sessions (Locust
StaticVisitor, bench/locustfile.py); p50/p95/p99 per request type, errors, throughput, and the
export's time and size, full and incremental (a second export of unchanged data rewrites nothing).

    .venv/bin/python -m bench.bench_static                    # the ~1.5M-event demo of bench_load
    .venv/bin/python -m bench.bench_static --sessions 500 --seconds 60 --db data/bench-load-s20.duckdb
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import results
from bench.bench_load import ROOT, locust, table

NGINX_WORKERS = 2


class NoRss:
    peak_worker = peak_total = 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its workers (nginx's master and its children)."""
    total = 0.0
    kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for p in [pid, *map(int, kids)]:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def export(db: Path, out: Path) -> tuple[float, str]:
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "public", "export", str(out), "--db", str(db)], cwd=ROOT,
                       capture_output=True, text=True, timeout=1200)
    if r.returncode:
        raise SystemExit(r.stderr.strip())
    return time.perf_counter() - t, r.stdout.strip()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=ROOT / "data" / "bench-load-s3.duckdb",
                    help="warehouse (default: bench_load's demo; run bench_load first or pass --db)")
    ap.add_argument("--sessions", type=int, default=500)
    ap.add_argument("--seconds", type=int, default=60)
    args = ap.parse_args(argv)
    if not args.db.exists():
        print(f"{args.db}: no warehouse; `python -m bench.bench_load` builds it", file=sys.stderr)
        return 1
    from tests.support.nginx import NGINX, Nginx

    if NGINX is None:
        print("bench_static skipped: nginx is not installed (Debian package nginx; make test installs it)")
        return 0

    with tempfile.TemporaryDirectory(prefix="seastat-static-") as tmp:
        folder, out = Path(tmp), Path(tmp) / "site"
        full, said = export(args.db, out)
        files = [p for p in out.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        again, said_again = export(args.db, out)
        print(f"export: {len(files)} files, {size / 1e6:.1f} MB in {full:.1f} s; again with the same data "
              f"{again:.1f} s: {said_again}", flush=True)
        server = Nginx.public_site(folder / "nginx", out, workers=NGINX_WORKERS)
        try:
            options = ["--static", server.base, "--host", server.base]
            nginx0, locust0, t0 = cpu_seconds(server.proc.pid), children_cpu(), time.perf_counter()
            rows, failures = locust(folder, args.sessions, args.seconds, options, f"static{args.sessions}",
                                    ("StaticVisitor",))
            wall = time.perf_counter() - t0
            nginx_cpu, locust_cpu = cpu_seconds(server.proc.pid) - nginx0, children_cpu() - locust0
        finally:
            server.stop()
    print(table(args.sessions, rows, args.seconds, NoRss, os.getloadavg()[0]).replace(
        "peak worker RSS 0 MB, all workers 0 MB", f"nginx, {NGINX_WORKERS} workers"), flush=True)
    print(f"CPU over the whole run ({wall:.0f} s, ramp included): nginx {nginx_cpu:.1f} s "
          f"({100 * nginx_cpu / wall:.0f}% of one core), Locust {locust_cpu:.1f} s ({100 * locust_cpu / wall:.0f}%)")
    for f in failures[:5]:
        print(f"  error: {f['Method']} {f['Name']}: {f['Error'][:150]} x{f['Occurrences']}")
    results.write("bench_static", {"sessions": args.sessions, "seconds": args.seconds, "export_s": full,
                                   "export_again_s": again, "files": len(files), "mb": size / 1e6,
                                   "nginx_cpu_s": nginx_cpu, "locust_cpu_s": locust_cpu, "wall_s": wall,
                                   "requests": {r["Name"]: {"count": int(r["Request Count"]),
                                                            "errors": int(r["Failure Count"]),
                                                            "p50_ms": r["50%"], "p95_ms": r["95%"],
                                                            "p99_ms": r["99%"], "req_per_s": float(r["Requests/s"])}
                                                for r in rows}, "failures": failures[:20]})
    return 0


if __name__ == "__main__":
    sys.exit(main())
