"""The scheduler as deployed: the Procfile's `clock:` process runs refresh on the schedule in the
city's ops.yaml, survives a failed run and says so, and the site (the Procfile's `web:` process,
gunicorn) shows each run on /data, over real HTTP.
"""
from __future__ import annotations

import datetime as dt
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.support.fire_feed import FIRE_ID, city_folder, days, fire_calls
from tests.support.pages import router_payload, texts
from tests.support.sodaserver import SodaServer

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def procfile() -> dict[str, list[str]]:
    """Procfile lines as argv, `python` / `gunicorn` taken from this virtualenv."""
    out = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if ":" in line:
            name, cmd = line.split(":", 1)
            argv = shlex.split(cmd)
            argv[0] = sys.executable if argv[0] == "python" else str(BIN / argv[0])
            out[name.strip()] = argv
    return out


class Lines:
    """A process's stdout, line by line, read in a thread so the test can wait for a line."""

    def __init__(self, proc):
        self.lines: list[str] = []
        self._thread = threading.Thread(target=lambda: [self.lines.append(x.rstrip()) for x in proc.stdout], daemon=True)
        self._thread.start()

    def wait_for(self, text: str, timeout: float = 240.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [x for x in self.lines if text in x]
            if found:
                return found[0]
            time.sleep(0.2)
        raise AssertionError(f"no line with {text!r} in {timeout} s; got: {self.lines}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_clock_process_runs_refresh_on_schedule_survives_a_failure_and_data_shows_it(tmp_path):
    procs = procfile()
    assert procs["clock"][1:] == ["-m", "ops", "clock"]
    ops = {"schedule": {"refresh": {"every": "3s"}}, "owners": {"operators": ["ops@example.org"]}}
    feed = fire_calls(tmp_path / "feed.csv", days(dt.date(2026, 11, 1), dt.date(2026, 11, 17), 10))
    with SodaServer({FIRE_ID: feed}, portal_dates=True) as portal:
        portal.fail = {n: 400 for n in range(1, 10_000)}  # the portal refuses every request for now
        env = {k: v for k, v in os.environ.items() if not k.startswith("SEASTAT_") and k != "SOCRATA_APP_TOKEN"}
        env.update(SEASTAT_PORTAL_URL=portal.url, SEASTAT_CITY=str(city_folder(tmp_path, {"ops.yaml": ops})),
                   SEASTAT_DB=str(tmp_path / "w.duckdb"), SEASTAT_RAW_DIR=str(tmp_path / "raw"),
                   SEASTAT_LEDGER=f"sqlite:///{tmp_path / 'store.sqlite3'}", SEASTAT_TODAY="2026-11-18",
                   SEASTAT_SECRET_KEY="k" * 40, SEASTAT_TRUSTED_HEADER="X-Forwarded-User", PORT=str(free_port()))
        # an analyst signed in by the city's proxy (single sign-on from loopback), as deployed
        subprocess.run([sys.executable, "-m", "store", "adduser", "ana@city.example.org", "--role", "viewer", "--sso"],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        clock = subprocess.Popen(procs["clock"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True)
        web = None
        try:
            out = Lines(clock)
            failed = out.wait_for("refresh FAILED")
            assert "HTTP 400" in failed and "the clock goes on" in failed
            portal.fail = {}  # the portal is back
            ok = out.wait_for("refresh ok")
            assert "ok: 170 new or revised rows" in ok
            assert clock.poll() is None  # still running after the failure

            web_argv = [a.replace("$PORT", env["PORT"]) for a in procs["web"]] + ["--workers", "1"]
            web = subprocess.Popen(web_argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            base = f"http://127.0.0.1:{env['PORT']}"
            words = _data_page_words(base, web)
            assert "\u2716 failed" in words and "\u2714 loaded new rows" in words
            assert "fire_calls: 170 rows fetched (first fetch), 170 new or revised" in words
            assert "HTTP 400" in words  # the failed run's error, on the page
        finally:
            if web is not None:
                web.terminate()
                web.wait(timeout=30)
            clock.send_signal(signal.SIGTERM)
            clock.wait(timeout=60)
        assert clock.returncode == 0
        assert any("clock: stopped" in x for x in out.lines)


def _data_page_words(base: str, web, timeout: float = 120.0) -> str:
    """What a signed-in user reads on /data: the page as the browser's router asks for it."""
    import requests

    deadline = time.monotonic() + timeout
    while True:
        try:
            user = requests.Session()
            user.headers["X-Forwarded-User"] = "ana@city.example.org"
            assert user.get(base + "/data", timeout=60).status_code == 200
            r = user.post(base + "/_dash-update-component", json=router_payload("/data"), timeout=60,
                          headers={"X-CSRFToken": user.cookies.get("_csrf_token", "")})
            assert r.status_code == 200, r.text[:300]
            return " ".join(texts(r.json()["response"]["_pages_content"]["children"]))
        except requests.ConnectionError:
            if web.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the web process did not serve /data: {web.stderr.read() if web.poll() is not None else ''}")
            time.sleep(0.5)
