"""Load test: 10, 50 and 200 concurrent sessions (bench/locustfile.py) against gunicorn as the
Procfile runs it; p50/p95/p99 per request type, errors, throughput and worker RSS.

    .venv/bin/python -m bench.bench_load                       # ~1.5M-event demo, 10/50/200 sessions
    .venv/bin/python -m bench.bench_load --scale 20 --seconds 60   # the issue's 10M demo (data/bench-load-s20.duckdb)

Two servers, both `gunicorn app:server --workers 3 --threads 1 --timeout 60` (the Procfile): the
internal site with sign-in (a throw-away SQLite store with accounts per role) and the public site
(SEASTAT_MODE=public), each its own deployment as in production. Locust (headless, one process)
runs on the same 2 cores, loopback only, for a bounded time per level; sessions start over
RAMP_SECONDS and statistics are reset once every session has started (--reset-stats), so each
table is the following `--seconds` of steady state, not the morning rush of password checks (each
~80 ms of a core by design; sign-ins still under way show as their own rows). A warm-up level runs first and is not
reported: a news-day crowd meets servers that have been up.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import results

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PROCFILE_ARGS = ["--workers", "3", "--threads", "1", "--timeout", "60"]
ROLES = {"viewer": 8, "analyst": 8, "editor": 4}  # accounts per role (a session limit is 20 per account)
KEY = "load-test-secret-key-" + "k" * 24
SESSIONS = ("Leadership", "Analyst", "Editor", "PublicVisitor")  # locustfile classes in this mix


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, folder: Path, env: dict, name: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(folder / f"{name}.log", "w")
        environ = {k: v for k, v in os.environ.items() if not k.startswith("SEASTAT_")} | env
        self.proc = subprocess.Popen([str(BIN / "gunicorn"), "app:server", *PROCFILE_ARGS, "--bind",
                                      f"127.0.0.1:{self.port}"], cwd=ROOT, env=environ,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        try:
            wait_up(self.base + "/healthz", self.proc)
        except BaseException:
            self.stop()
            raise

    def workers(self) -> list[int]:
        try:
            kids = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        except OSError:
            return []
        return [int(k) for k in kids]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def wait_up(url: str, proc, timeout: float = 180) -> None:
    import urllib.request

    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=10).read()
            return
        except Exception:
            time.sleep(0.5)
    raise SystemExit(f"{url}: not up in {timeout}s")


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class RssSampler(threading.Thread):
    """Peak RSS of one worker and of all workers together, sampled every half second."""

    def __init__(self, servers):
        super().__init__(daemon=True)
        self.servers, self.peak_worker, self.peak_total, self._halt = servers, 0.0, 0.0, threading.Event()

    def run(self):
        while not self._halt.wait(0.5):
            sizes = [rss_mb(p) for s in self.servers for p in s.workers()]
            if sizes:
                self.peak_worker = max(self.peak_worker, max(sizes))
                self.peak_total = max(self.peak_total, sum(sizes))

    def stop(self):
        self._halt.set()
        self.join()


def make_accounts(folder: Path) -> tuple[str, Path]:
    from store import Users, open_store

    url = f"sqlite:///{folder / 'ledger.sqlite3'}"
    store = open_store(url)
    users = Users(store)
    accounts = {}
    for role, n in ROLES.items():
        accounts[role] = [(f"{role}{i}", f"{role}-password-{i}") for i in range(n)]
        for name, password in accounts[role]:
            users.add_user(name, role, password)
    store.close()
    path = folder / "accounts.json"
    path.write_text(json.dumps(accounts))
    return url, path


RAMP_SECONDS = 20  # sessions start over this long: 200 password checks at once would be a test of scrypt


def locust(folder: Path, users: int, seconds: int, options: list[str], tag: str,
           classes: tuple[str, ...] = ()) -> tuple[list[dict], list[dict]]:
    """Run Locust headless for `seconds` after every user started; (stats rows, failure rows) from its CSV."""
    prefix = folder / tag
    cmd = [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--only-summary",
           "-u", str(users), "-r", str(max(1, users // RAMP_SECONDS)), "-t", f"{seconds + RAMP_SECONDS}s", "--stop-timeout", "10",
           "--reset-stats", "--csv", str(prefix), "--loglevel", "WARNING", *options]
    cmd += ["--host", options[options.index("--host") + 1] if "--host" in options else
            options[options.index("--internal") + 1], *classes]  # every user sets its own site in on_start
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=seconds + RAMP_SECONDS + 300)
    if not Path(f"{prefix}_stats.csv").exists():
        raise SystemExit(f"locust failed ({out.returncode}): {out.stderr[-1500:]}")
    with open(f"{prefix}_stats.csv") as fh:
        rows = list(csv.DictReader(fh))
    for line in out.stderr.splitlines():
        if "CPU usage" in line:  # Locust's own warning: then the load generator, not the server, is the limit
            print(f"  locust: {line.split('] ', 1)[-1][:160]}", flush=True)
            break
    if not any(int(r["Request Count"]) for r in rows):
        raise SystemExit(f"locust made no requests ({out.returncode}): {out.stderr[-1500:]}")
    failures = []
    if Path(f"{prefix}_failures.csv").exists():
        with open(f"{prefix}_failures.csv") as fh:
            failures = list(csv.DictReader(fh))
    return rows, failures


def _ms(text: str) -> float | None:
    return None if text == "N/A" else float(text)


def table(level: int, rows: list[dict], seconds: int, rss: RssSampler, load: float) -> str:
    head = f"{'request':<26}{'count':>7}{'errors':>7}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'req/s':>7}"
    lines = [f"\n{level} sessions, {seconds} s steady state (load average {load:.1f}); peak worker RSS "
             f"{rss.peak_worker:.0f} MB, all workers {rss.peak_total:.0f} MB", head, "-" * len(head)]
    rows = sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"]))
    for r in rows:
        name = "ALL" if r["Name"] == "Aggregated" else r["Name"]
        lines.append(f"{name:<26}{r['Request Count']:>7}{r['Failure Count']:>7}{r['50%']:>8}{r['95%']:>8}"
                     f"{r['99%']:>8}{float(r['Requests/s']):>7.1f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="warehouse (default data/bench-load-s<scale>.duckdb, built if missing)")
    ap.add_argument("--scale", type=int, default=3, help="demo scale when building (3 = ~1.5M events; 20 = ~10M)")
    ap.add_argument("--sessions", default="10,50,200", help="concurrent sessions per level")
    ap.add_argument("--seconds", type=int, default=60, help="steady-state seconds per level (after every sign-in)")
    args = ap.parse_args(argv)
    db = args.db or ROOT / "data" / f"bench-load-s{args.scale}.duckdb"
    if not db.exists():
        print(f"building the demo warehouse {db} (scale {args.scale})", flush=True)
        subprocess.run([sys.executable, "-m", "etl", "demo", "--db", str(db), "--out", str(db.parent / f"demo-s{args.scale}"),
                        "--scale", str(args.scale)], cwd=ROOT, check=True)
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    events = sum(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in
                 ("crime", "calls", "use_of_force", "terry_stops", "ois", "fire_calls", "service_requests"))
    areas = [r[0] for r in con.execute("SELECT area_id FROM areas WHERE layer = 'mcpp' ORDER BY 1 LIMIT 12").fetchall()]
    con.close()
    from city import load_city
    from packet.calendar import next_meeting
    from settings import Settings

    meeting = next_meeting(load_city(Settings.from_env().city_config)).isoformat()
    levels = [int(x) for x in args.sessions.split(",")]
    print(f"warehouse {db}: {events:,} events; levels {levels}, {args.seconds} s each; {os.cpu_count()} cores", flush=True)
    figures = {"warehouse": str(db), "events": events, "seconds": args.seconds, "levels": {}}
    with tempfile.TemporaryDirectory(prefix="seastat-load-") as tmp:
        folder = Path(tmp)
        ledger, accounts = make_accounts(folder)
        servers = []
        try:  # a server that fails to start stops the one already running, so nothing is left behind
            internal = Gunicorn(folder, {"SEASTAT_DB": str(db), "SEASTAT_LEDGER": ledger, "SEASTAT_SECRET_KEY": KEY,
                                         "SEASTAT_MODE": "internal"}, "internal")
            servers.append(internal)
            public = Gunicorn(folder, {"SEASTAT_DB": str(db), "SEASTAT_MODE": "public",
                                       "SEASTAT_LEDGER": f"sqlite:///{folder / 'public-ledger.sqlite3'}"}, "public")
            servers.append(public)
            options = ["--internal", internal.base, "--public", public.base, "--accounts", str(accounts),
                       "--meeting", meeting, "--areas", ",".join(areas)]
            locust(folder, 10, 20, options, "warmup", SESSIONS)
            for level in levels:
                rss = RssSampler([internal, public])
                rss.start()
                rows, failures = locust(folder, level, args.seconds, options, f"u{level}", SESSIONS)
                rss.stop()
                load = os.getloadavg()[0]
                print(table(level, rows, args.seconds, rss, load), flush=True)
                for f in failures[:5]:
                    print(f"  error: {f['Method']} {f['Name']}: {f['Error'][:150]} x{f['Occurrences']}")
                figures["levels"][level] = {"load_average": load, "peak_worker_rss_mb": rss.peak_worker,
                                            "peak_all_workers_rss_mb": rss.peak_total, "requests": {
                    r["Name"]: {"count": int(r["Request Count"]), "errors": int(r["Failure Count"]),
                                **{f"p{q}_ms": _ms(r[f"{q}%"]) for q in (50, 95, 99)},
                                "req_per_s": float(r["Requests/s"])} for r in rows},
                    "failures": failures[:20]}
        finally:
            for server in servers:
                server.stop()
    results.write("bench_load", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
