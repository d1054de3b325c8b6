"""How long the meeting packet takes for the default catalog: build (engine queries and tests),
HTML, PDF (WeasyPrint), and the whole `python -m packet` run. Target: under 10 s.

    SEASTAT_DB=data/seastat.duckdb .venv/bin/python -m bench.bench_packet [--date YYYY-MM-DD] [--runs 3]

Uses a throw-away ledger (one open item) in a temp folder, so nothing real is written. Prints
each phase's median over the runs, the events in the warehouse and the PDF's size and pages.
"""
from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--date", help="meeting date (default: the meeting after the data's as-of date)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    from bench import results
    from engine import Engine
    from packet.calendar import next_meeting, parse_meeting_date
    from packet.contents import build_packet
    from packet.html import render_html
    from packet.pdf import freshness_rows, html_to_pdf
    from packet.snapshots import Snapshots
    from settings import Settings
    from store import Ledger, open_store

    s = Settings.from_env()
    t = time.perf_counter()
    eng = Engine.open(s)
    as_of = eng.as_of()
    opened = time.perf_counter() - t
    meeting = parse_meeting_date(eng.city, args.date) if args.date else next_meeting(eng.city, as_of)
    events = sum(int(eng.warehouse.scalar(f'SELECT count(*) FROM "{d}"')) for d in eng.catalog.datasets
                 if d in eng.warehouse.tables())
    tmp = Path(tempfile.mkdtemp(prefix="bench_packet_"))
    store = open_store(f"sqlite:///{tmp / 'ledger.sqlite3'}")
    ledger = Ledger(store, eng.city, eng.catalog.measures.keys())
    ledger.create(kind="action", text="bench item", owner="Ops", meeting_date=meeting - dt.timedelta(days=14),
                  due_date=meeting, measure_id=next(iter(eng.catalog.measures)), by="bench")
    snaps = Snapshots(store, eng.city.timezone)
    # Wall time and this process's CPU time: on a machine shared with other work the wall time
    # grows with the load; the CPU time says what the packet itself costs.
    phases: dict[str, list[tuple[float, float]]] = {"build": [], "html": [], "pdf": [], "total in process": []}
    data = b""
    for _ in range(args.runs):
        w0, c0 = time.perf_counter(), time.process_time()
        pkt = build_packet(eng, meeting, ledger=ledger, snapshots=snaps)
        w1, c1 = time.perf_counter(), time.process_time()
        html = render_html(pkt, eng.geojson("mcpp"), freshness_rows(eng))
        w2, c2 = time.perf_counter(), time.process_time()
        data = html_to_pdf(html)
        w3, c3 = time.perf_counter(), time.process_time()
        phases["build"].append((w1 - w0, c1 - c0))
        phases["html"].append((w2 - w1, c2 - c1))
        phases["pdf"].append((w3 - w2, c3 - c2))
        phases["total in process"].append((w3 - w0, c3 - c0))
    out = tmp / "packet.pdf"
    t = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run([sys.executable, "-m", "packet", "--date", meeting.isoformat(), "--out", str(out),
                        "--ledger", f"sqlite:///{tmp / 'ledger.sqlite3'}"], cwd=ROOT, capture_output=True, text=True)
    cli = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cli_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    pages = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout if out.exists() else ""
    n_pages = next((ln.split()[-1] for ln in pages.splitlines() if ln.startswith("Pages:")), "?")
    print(f"warehouse {s.db_path}: {events:,} events, as of {as_of}; meeting {meeting} "
          f"({len(eng.catalog.measures)} measures); engine open {opened:.2f} s")
    for name, values in phases.items():
        print(f"  {name:<18} median {statistics.median(w for w, _ in values):6.2f} s wall, "
              f"{statistics.median(c for _, c in values):6.2f} s CPU  (wall per run: "
              + ", ".join(f"{w:.2f}" for w, _ in values) + ")")
    print(f"  python -m packet   {cli:6.2f} s wall, {cli_cpu:.2f} s CPU (imports, engine open, build, PDF, "
          f"snapshot); exit {r.returncode}" + (f": {r.stderr.strip()}" if r.returncode else ""))
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    print(f"  PDF {len(data):,} bytes, {n_pages} pages; load average {load}; target < 10 s wall: "
          + ("met" if cli < 10 else "NOT met") + " by the CLI run")
    results.write("packet", {
        "warehouse": str(s.db_path), "events": events, "meeting": meeting.isoformat(), "engine_open_s": opened,
        "phases": {name: {"wall_median_s": statistics.median(w for w, _ in v),
                          "cpu_median_s": statistics.median(c for _, c in v), "wall_runs_s": [w for w, _ in v]}
                   for name, v in phases.items()},
        "cli_wall_s": cli, "cli_cpu_s": cli_cpu, "cli_exit": r.returncode, "pdf_bytes": len(data), "pdf_pages": n_pages})
    return 0


if __name__ == "__main__":
    sys.exit(main())
