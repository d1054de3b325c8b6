"""The access fixes of issue 15 against a real gunicorn server (two workers, a real SQLite store,
the small demo warehouse): a saved cookie dies with sign-out on every worker, wrong passwords are
counted in the store (a restart forgets nothing), every response forbids framing, crafted
callback requests get a 400, and the single sign-on header counts only from a trusted proxy and
only for single sign-on accounts."""
from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from callback_fuzz import malformed
from settings import ROOT
from store import Users, open_store
from test_auth_server import free_port

GUNICORN = Path(sys.executable).parent / "gunicorn"
KEY = "g" * 40
PASSWORDS = {"adam": "admin-pass-4", "edie": "editor-pass-3", "andy": "analyst-pass-2"}
pytestmark = pytest.mark.slow


class Server:
    """gunicorn serving app:server with the given environment; stderr goes to a file (a pipe
    nobody reads would fill up and stall the workers)."""

    def __init__(self, tmp: Path, demo_db: Path, ledger: str, workers: int = 2, **env):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        environ = {k: v for k, v in os.environ.items() if not k.startswith("SEASTAT_")}
        environ.update({"SEASTAT_MODE": "internal", "SEASTAT_DB": str(demo_db), "SEASTAT_LEDGER": ledger,
                        "SEASTAT_SECRET_KEY": KEY, **env})
        self.log = open(tmp / f"gunicorn-{self.port}.log", "w")
        self.proc = subprocess.Popen([str(GUNICORN), "app:server", "--workers", str(workers), "--bind",
                                      f"127.0.0.1:{self.port}", "--timeout", "120"], cwd=ROOT, env=environ,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:
            try:
                requests.get(self.base + "/healthz", timeout=30)  # any answer: the worker is up
                return
            except requests.ConnectionError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"gunicorn did not start: {(tmp / f'gunicorn-{self.port}.log').read_text()[-2000:]}")
            time.sleep(0.5)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)
        self.log.close()


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('access') / 'ledger.sqlite3'}"
    store = open_store(url)
    users = Users(store)
    users.add_user("adam", "admin", PASSWORDS["adam"])
    users.add_user("edie", "editor", PASSWORDS["edie"])
    users.add_user("andy", "analyst", PASSWORDS["andy"])
    users.add_user("sso.sam@seattle.gov", "editor", None)
    store.close()
    return url


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_db, ledger):
    srv = Server(tmp_path_factory.mktemp("gunicorn"), demo_db, ledger)
    yield srv
    srv.stop()


def sign_in(base: str, name: str, password: str | None = None) -> requests.Response:
    s = requests.Session()
    token = re.search(r"name='csrf_token' value='([^']+)'", s.get(base + "/auth/login").text).group(1)
    r = s.post(base + "/auth/login", data={"csrf_token": token, "username": name,
                                           "password": PASSWORDS[name] if password is None else password},
               allow_redirects=False)
    r.session = s
    return r


def signed_in(base: str, name: str) -> requests.Session:
    r = sign_in(base, name)
    assert r.status_code == 302, r.text
    return r.session


# --- 10: sign-out ends the session on every worker ------------------------------------------------

def test_a_cookie_saved_before_sign_out_no_longer_works_on_any_worker(server):
    browser = signed_in(server.base, "edie")
    saved = browser.cookies.get_dict()
    assert browser.get(server.base + "/_dash-layout").status_code == 200
    token = browser.cookies["_csrf_token"]
    assert browser.post(server.base + "/auth/logout", data={"csrf_token": token}).status_code == 200
    for _ in range(6):  # new connections: both workers answer some of them
        replay = requests.get(server.base + "/_dash-layout", cookies=saved)
        assert replay.status_code == 401, replay.text
    assert requests.get(server.base + "/data", cookies=saved, allow_redirects=False).status_code == 302


def test_a_new_password_ends_every_open_session_of_that_user(server, ledger):
    browsers = [signed_in(server.base, "andy") for _ in range(2)]
    other = signed_in(server.base, "edie")
    store = open_store(ledger)
    Users(store).set_password("andy", PASSWORDS["andy"])  # even the same password: a change is a change
    store.close()
    for b in browsers:
        assert b.get(server.base + "/_dash-layout").status_code == 401
    assert other.get(server.base + "/_dash-layout").status_code == 200


# --- 12: no framing, on every kind of response ----------------------------------------------------

def test_every_internal_response_forbids_framing(server):
    editor = signed_in(server.base, "edie")
    anonymous = requests.Session()
    responses = {
        "sign-in page": anonymous.get(server.base + "/auth/login"),
        "health check": anonymous.get(server.base + "/healthz"),
        "sign-in stylesheet": anonymous.get(server.base + "/assets/bootstrap.min.css"),
        "redirect to sign-in": anonymous.get(server.base + "/data", allow_redirects=False),
        "refused callback": anonymous.get(server.base + "/_dash-layout"),
        "signed-in page": editor.get(server.base + "/data"),
        "signed-in layout": editor.get(server.base + "/_dash-layout"),
        "signed-in asset": editor.get(server.base + "/assets/auth_session.js"),
        "sign-out page": editor.get(server.base + "/auth/logout"),
    }
    wrong = {what: (r.status_code, r.headers.get("X-Frame-Options"), r.headers.get("Content-Security-Policy"))
             for what, r in responses.items()
             if r.headers.get("X-Frame-Options") != "DENY"
             or r.headers.get("Content-Security-Policy") != "frame-ancestors 'none'"}
    assert wrong == {}


def test_the_public_site_is_framed_only_by_the_origins_the_city_lists(tmp_path, demo_db, ledger):
    srv = Server(tmp_path, demo_db, ledger, workers=1, SEASTAT_MODE="public")
    try:
        for path in ("/", "/api/v1/measures", "/no-such-page"):
            r = requests.get(srv.base + path)
            assert (r.headers.get("X-Frame-Options"), r.headers.get("Content-Security-Policy")) == \
                ("DENY", "frame-ancestors 'none'"), path
    finally:
        srv.stop()
    srv = Server(tmp_path, demo_db, ledger, workers=1, SEASTAT_MODE="public",
                 SEASTAT_PUBLIC_FRAME_ANCESTORS="https://www.seattle.gov")
    try:
        r = requests.get(srv.base + "/")
        assert r.status_code == 200 and "X-Frame-Options" not in r.headers
        assert r.headers["Content-Security-Policy"] == "frame-ancestors https://www.seattle.gov"
    finally:
        srv.stop()


# --- 13: crafted callback requests ----------------------------------------------------------------

def test_crafted_callback_requests_get_a_400_never_a_500(server):
    editor = signed_in(server.base, "edie")
    deps = editor.get(server.base + "/_dash-dependencies").json()
    callback_map = {d["output"]: {"inputs": d["inputs"], "state": d["state"], "callback": True}
                    for d in deps if not d.get("clientside_function")}
    headers = {"X-CSRFToken": editor.cookies["_csrf_token"]}
    cases = list(malformed(callback_map))
    assert len(cases) > 300
    wrong = {}
    for what, body, must_refuse in cases:
        r = editor.post(server.base + "/_dash-update-component", json=body, headers=headers)
        one_line = r.status_code == 400 and "\n" not in r.json()["error"]
        if (must_refuse and not one_line) or r.status_code >= 500 or (r.status_code == 400 and not one_line):
            wrong[what] = r.status_code
    assert wrong == {}, "\n".join(f"{k}: {v}" for k, v in list(wrong.items())[:40])
    meeting = next(o for o, spec in callback_map.items() if any(i["id"] == "mt-pdf-btn" for i in spec["inputs"]))
    r = editor.post(server.base + "/_dash-update-component", headers=headers, json={
        "output": meeting, "outputs": [{"id": "mt-pdf", "property": "data"}, {"id": "mt-pdf-status", "property": "children"}],
        "inputs": [{"id": "mt-pdf-btn", "property": "n_clicks", "value": 1}], "changedPropIds": ["mt-pdf-btn.n_clicks"],
        "state": [{"id": "mt-meeting", "property": "data", "value": "2026-13-45"}]})
    assert (r.status_code, r.json()) == (400, {"error": "bad callback request: state mt-meeting.data: expected a date YYYY-MM-DD"})


# --- 11: the throttle is in the store ---------------------------------------------------------------

def test_wrong_passwords_are_counted_across_workers_and_restarts(tmp_path, demo_db, ledger):
    srv = Server(tmp_path, demo_db, ledger)
    try:
        for _ in range(5):
            assert sign_in(srv.base, "adam", "guess-guess").status_code == 401
    finally:
        srv.stop()
    srv = Server(tmp_path, demo_db, ledger)  # a new server: nothing in memory survives
    try:
        r = sign_in(srv.base, "adam")  # the right password, but after 5 wrong ones: not even checked
        assert r.status_code == 429 and "Too many wrong passwords for this username" in r.text
        assert sign_in(srv.base, "andy").status_code == 302  # other names are not affected
    finally:
        srv.stop()


# --- 9: the single sign-on header ------------------------------------------------------------------

def get_from(port: int, source: str, path: str, headers: dict) -> tuple[int, str]:
    """A request whose TCP peer address is `source` (any 127.x address reaches a server on 127.0.0.1)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    try:
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        return r.status, r.read().decode()
    finally:
        conn.close()


def test_the_identity_header_counts_only_from_a_trusted_proxy_and_only_for_sso_accounts(tmp_path, demo_db, ledger):
    srv = Server(tmp_path, demo_db, ledger, workers=1, SEASTAT_TRUSTED_HEADER="X-Forwarded-User",
                 SEASTAT_TRUSTED_PROXIES="127.0.0.1")
    try:
        sam = {"X-Forwarded-User": "sso.sam@seattle.gov"}
        assert get_from(srv.port, "127.0.0.1", "/_dash-layout", sam)[0] == 200  # through the proxy
        status, body = get_from(srv.port, "127.0.0.2", "/_dash-layout", sam)  # straight from a client
        assert status == 403
        assert json.loads(body)["error"].startswith("X-Forwarded-User came from 127.0.0.2, which is not a trusted proxy")
        status, body = get_from(srv.port, "127.0.0.1", "/_dash-layout", {"X-Forwarded-User": "adam"})
        assert status == 403 and "'adam', a local-password account" in json.loads(body)["error"]
    finally:
        srv.stop()
