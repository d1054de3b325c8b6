"""A running server notices a stopped feed: freshness is computed against today at request time.

A real server process (Flask's, on a free port) serves the small demo warehouse (data to
21 Nov 2026) with its clock in a file (SEASTAT_TODAY=file:...). The day after the data, crime is
up to date; the clock moves 30 days with no load, and the very next requests say "overdue":
the goal card, the data inventory and the top bar. Before, every cache layer was keyed by the
warehouse file only, so the server said "up to date" until a load or a restart.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.support.pages import find_by_id, post, router_payload, texts
from settings import ROOT
from test_auth_server import free_port

pytestmark = pytest.mark.slow


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=60) as r:
        return json.loads(r.read())


def page(base: str, path: str):
    status, body = post(base, router_payload(path, ""))
    assert status == 200
    return json.loads(body)["response"]["_pages_content"]["children"]


def words(node) -> str:
    return " | ".join(texts(node.get("children") if isinstance(node, dict) and "children" in node else node))


@pytest.fixture
def server(demo_db, tmp_path):
    clock = tmp_path / "today.txt"
    clock.write_text("2026-11-22\n")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEASTAT_")}
    env.update(SEASTAT_DB=str(demo_db), SEASTAT_AUTH="off", SEASTAT_TODAY=f"file:{clock}",
               SEASTAT_LEDGER=f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    code = ("from app import create_app; "
            f"create_app().server.run(host='127.0.0.1', port={port}, threaded=True, use_reloader=False)")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=10).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"the server did not start: {proc.stderr.read()[-2000:]}")
            time.sleep(0.5)
    yield base, clock
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def freshness_seen(base: str) -> tuple[str, str, str]:
    card = words(find_by_id(page(base, "/goals/safe_neighborhoods"), "gl-card-robberies"))
    data = words(find_by_id(page(base, "/data"), "dt-row-crime"))
    bar = words(get_json(base + "/_dash-layout"))
    return card, data, bar


def test_moving_the_clock_30_days_shows_overdue_without_a_reload(server):
    base, clock = server
    card, data, bar = freshness_seen(base)
    assert "Data to 21 Nov 2026, expected daily, up to date" in card
    assert "up to date" in data
    assert "overdue" not in bar
    before = os.stat(clock).st_mtime_ns
    clock.write_text("2026-12-22\n")               # 30 days on; nothing loaded, nothing restarted
    os.utime(clock, ns=(before + 10**9, before + 10**9))  # a new mtime even on a coarse clock
    card, data, bar = freshness_seen(base)
    assert "Data to 21 Nov 2026, expected daily, overdue" in card
    assert "newest data 1 month old: overdue" in bar
    assert "up to date" not in card
    assert "overdue" in data and "up to date" not in data
