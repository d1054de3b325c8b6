"""The internal site under gunicorn, as deployed (Procfile): it will not start without a secret key
or with sign-in turned off, and with a key it serves the sign-in page and refuses the rest."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from settings import ROOT

GUNICORN = Path(sys.executable).parent / "gunicorn"
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn(tmp_path, port: int, **env) -> subprocess.Popen:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SEASTAT_")}
    environ.update(SEASTAT_MODE="internal", SEASTAT_DB=str(tmp_path / "none.duckdb"),
                   SEASTAT_LEDGER=f"sqlite:///{tmp_path / 'ledger.sqlite3'}", **env)
    return subprocess.Popen([str(GUNICORN), "app:server", "--workers", "1", "--bind", f"127.0.0.1:{port}",
                             "--timeout", "60"], cwd=ROOT, env=environ, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("env, message", [
    ({}, "SEASTAT_SECRET_KEY is not set: refusing to serve the internal site under gunicorn"),
    ({"SEASTAT_AUTH": "off", "SEASTAT_SECRET_KEY": "s" * 40}, "SEASTAT_AUTH=off is for a local demo only"),
])
def test_gunicorn_refuses_to_start_an_unsafe_internal_site(tmp_path, env, message):
    proc = gunicorn(tmp_path, free_port(), **env)
    try:
        _, err = proc.communicate(timeout=90)
    finally:
        proc.kill()
    assert proc.returncode != 0
    assert message in err


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_gunicorn_with_a_key_serves_sign_in_and_refuses_anonymous_requests(tmp_path):
    port = free_port()
    proc = gunicorn(tmp_path, port, SEASTAT_SECRET_KEY="s" * 40)
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(NoRedirect)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                health = urllib.request.urlopen(base + "/healthz", timeout=30).read()
                break
            except OSError:  # not listening yet, or the worker still importing
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.poll() is not None else "timeout"
                time.sleep(0.5)
        assert json.loads(health)["status"] == "ok"
        with pytest.raises(urllib.error.HTTPError) as page:
            opener.open(base + "/data")
        assert page.value.code == 302 and page.value.headers["Location"] == "/auth/login?next=/data"
        with pytest.raises(urllib.error.HTTPError) as layout:
            opener.open(base + "/_dash-layout")
        assert layout.value.code == 401
        login = opener.open(base + "/auth/login")
        assert login.status == 200 and b"Sign in" in login.read()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
