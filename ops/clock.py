"""The scheduler: `clock: python -m ops clock` in the Procfile. Runs refresh, alerts and digest on the
schedule in `<city folder>/ops.yaml`, forever, one job at a time.

Why each job is a child process (`python -m etl refresh`, `python -m ops alerts`) rather than a
function call: a job that crashes, leaks memory or is killed by the OOM killer takes nothing
with it; the clock logs one line saying what failed and runs the next job when it is due. The
refresh's own lock means a cron entry, a manual run and the clock never load at the same time
(the clock logs "skipped" for exit 75).

Timing: every job runs once when the clock starts (a restarted clock catches up), then
`every` after its previous START; when several are due they run in the order of ops.JOBS
(refresh first, so alerts see the new data). Intervals are counted on the monotonic clock, so
changing the system date (or SEASTAT_TODAY) never makes jobs run twice or stop.
SIGTERM / SIGINT (what a process manager sends) stop the clock after ending a running job.
Alternatives without a long-running process: cron or systemd timers (docs/OPERATIONS.md).
"""
from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import threading
import time

COMMANDS = {"refresh": ["-m", "etl", "refresh"], "alerts": ["-m", "ops", "alerts"], "digest": ["-m", "ops", "digest"]}
BUSY = 75


def say(text: str) -> None:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    print(f"{stamp} clock: {text}", flush=True)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else ""


class Clock:
    def __init__(self, every: dict[str, int], order: tuple[str, ...]):
        self.every = every
        self.jobs = [j for j in order if j in every]
        self.stop = threading.Event()
        self._child: subprocess.Popen | None = None

    def run_job(self, job: str) -> int:
        began = time.monotonic()
        self._child = subprocess.Popen([sys.executable, *COMMANDS[job]], stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True)
        out, err = self._child.communicate()
        code, self._child = self._child.returncode, None
        took = time.monotonic() - began
        if code == 0:
            say(f"{job} ok in {took:.1f} s: {_last_line(out)}")
        elif code == BUSY:
            say(f"{job} skipped: {_last_line(err)}")
        else:
            say(f"{job} FAILED (exit {code}) after {took:.1f} s: {_last_line(err) or _last_line(out)}; "
                f"the clock goes on, next {job} in {self.every[job]} s")
        return code

    def loop(self, once: bool = False) -> None:
        next_at = {j: time.monotonic() for j in self.jobs}
        say("started: " + ", ".join(f"{j} every {self.every[j]} s" for j in self.jobs))
        while not self.stop.is_set():
            for job in self.jobs:
                if self.stop.is_set():
                    break
                if next_at[job] <= time.monotonic():
                    next_at[job] = time.monotonic() + self.every[job]
                    self.run_job(job)
            if once:
                break
            self.stop.wait(max(0.0, min(next_at.values()) - time.monotonic()))
        say("stopped")

    def terminate(self, *_args) -> None:
        self.stop.set()
        child = self._child
        if child is not None and child.poll() is None:
            child.terminate()


def run_clock(settings, once: bool = False) -> int:
    from ops.config import JOBS, OpsConfigError, load_ops

    try:
        ops = load_ops(settings.city_config)
    except OpsConfigError as exc:
        print(f"ops clock: {exc}", file=sys.stderr)
        return 2
    if not ops.every:
        print(f"ops clock: {ops.path}: schedule: no jobs (add e.g. refresh: {{every: 1h}})", file=sys.stderr)
        return 2
    clock = Clock(ops.every, JOBS)
    signal.signal(signal.SIGTERM, clock.terminate)
    signal.signal(signal.SIGINT, clock.terminate)
    clock.loop(once=once)
    return 0
