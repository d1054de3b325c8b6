"""Two app hosts behind a real nginx, sharing one PostgreSQL store, each with its own copy of the
warehouse kept current by `python -m etl pull` (issue 20).

Each host is a gunicorn (app:server, 2 workers) on its own warehouse file; nginx (Debian's, started
here in a temp folder, round-robin, one worker so requests alternate strictly) is the only way in.
nginx adds X-Upstream (which host answered), so every "through one, then the other" step below is
checked, not assumed. Sign-in, the ledger, the throttle and sign-out must hold across hosts; a
warehouse published while requests flow must reach both hosts within 10 s without one failed request.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from settings import ROOT
from store import Users, open_store
from test_access_server import PASSWORDS, Server
from tests.support.nginx import Nginx
from tests.support.pages import router_payload

pytestmark = pytest.mark.slow
PROXY = """
    upstream seastat { server 127.0.0.1:%d; server 127.0.0.1:%d; }
    server {
        listen 127.0.0.1:{port};
        location / {
            proxy_pass http://seastat;
            proxy_set_header Host $http_host;
            proxy_read_timeout 120s;
            proxy_next_upstream off;
            add_header X-Upstream $upstream_addr always;
        }
    }
"""


class Host:
    """One app host: its own warehouse copy, gunicorn on it, and a puller beside it."""

    def __init__(self, folder: Path, demo_db: Path, ledger: str, shared: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.db = folder / "seastat.duckdb"
        shutil.copyfile(demo_db, self.db)
        self.server = Server(folder, self.db, ledger, SEASTAT_SECURE_COOKIES="off")
        env = {k: v for k, v in os.environ.items() if not k.startswith("SEASTAT_")}
        self.puller = subprocess.Popen([sys.executable, "-m", "etl", "pull", "--from", str(shared), "--db", str(self.db),
                                        "--every", "1"], cwd=ROOT, env=env, stdout=open(folder / "pull.log", "w"),
                                       stderr=subprocess.STDOUT)

    def version(self) -> str | None:
        return requests.get(self.server.base + "/healthz", timeout=60).json()["warehouse"]["version"]

    def stop(self):
        self.puller.terminate()
        self.puller.wait(timeout=30)
        self.server.stop()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, demo_db, pg_server):
    tmp = tmp_path_factory.mktemp("multihost")
    ledger = pg_server.new_database()
    store = open_store(ledger)
    for name, role in (("adam", "admin"), ("edie", "editor"), ("andy", "analyst")):
        Users(store).add_user(name, role, PASSWORDS[name])
    store.close()
    shared = tmp / "shared"
    shared.mkdir()
    hosts = [Host(tmp / f"host{i}", demo_db, ledger, shared) for i in (0, 1)]
    proxy = None
    try:
        proxy = Nginx(tmp / "nginx", PROXY % (hosts[0].server.port, hosts[1].server.port))
        yield proxy, hosts, shared
    finally:
        if proxy:
            proxy.stop()
        for h in hosts:
            h.stop()


def upstream(r: requests.Response) -> str:
    return r.headers["X-Upstream"]


def other_next(proxy, session, last: str) -> None:
    """Make the next request through nginx go to the host that did NOT answer `last`: round-robin
    alternates, so after a request answered by `last` the next one goes to the other."""
    for _ in range(4):
        if upstream(session.get(proxy.base + "/healthz")) == last:
            return
    raise AssertionError("nginx does not alternate between the hosts")


def sign_in(proxy, name, password=None, away_from: str | None = None):
    """Sign in through nginx; away_from: make sure the password goes to the host that did not answer that."""
    s = requests.Session()
    page = s.get(proxy.base + "/auth/login")
    if away_from:
        other_next(proxy, s, away_from)
    token = re.search(r"name='csrf_token' value='([^']+)'", page.text).group(1)
    r = s.post(proxy.base + "/auth/login", data={"csrf_token": token, "username": name,
                                                   "password": PASSWORDS[name] if password is None else password},
               allow_redirects=False)
    return s, r


def save_item(proxy, s, meeting: str, text: str) -> requests.Response:
    outputs = [("mt-msg", "children"), ("mt-new-items", "children"), ("mt-versions", "data"), ("mt-text", "value"),
               ("mt-owner", "value"), ("mt-due", "value"), ("mt-notes", "value")]
    state = {"mt-kind": "decision", "mt-text": text, "mt-owner": "Captain Ortiz", "mt-due": "", "mt-measure": "",
             "mt-area": "", "mt-notes": "", "mt-meeting": meeting, "mt-versions": {}}
    props = {"mt-meeting": "data", "mt-versions": "data"}
    return s.post(proxy.base + "/_dash-update-component", headers={"X-CSRFToken": s.cookies["_csrf_token"]}, json={
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{"id": "mt-save", "property": "n_clicks", "value": 1}], "changedPropIds": ["mt-save.n_clicks"],
        "state": [{"id": k, "property": props.get(k, "value"), "value": v} for k, v in state.items()]})


def page(proxy, s, path: str) -> requests.Response:
    return s.post(proxy.base + "/_dash-update-component", json=router_payload(path),
                  headers={"X-CSRFToken": s.cookies.get("_csrf_token", "")})


def test_signing_in_writing_throttling_and_signing_out_hold_across_two_hosts(cluster):
    proxy, hosts, _ = cluster
    s, r = sign_in(proxy, "edie")
    assert r.status_code == 302, r.text
    signed_on = upstream(r)
    other_next(proxy, s, signed_on)
    layout = s.get(proxy.base + "/_dash-layout")
    assert layout.status_code == 200 and upstream(layout) != signed_on  # the other host knows the session

    from packet.calendar import next_meeting
    from city import load_city
    from settings import Settings

    meeting = next_meeting(load_city(Settings.from_env().city_config)).isoformat()
    text = f"Walk the Aurora corridor with outreach {time.time_ns()}"
    saved = save_item(proxy, s, meeting, text)
    assert saved.status_code == 200 and "Saved" in saved.text, saved.text[:300]
    other_next(proxy, s, upstream(saved))
    seen = page(proxy, s, f"/meetings/{meeting}")
    assert seen.status_code == 200 and upstream(seen) != upstream(saved)
    assert text in seen.text  # the other host reads the same ledger

    for _ in range(5):
        _, wrong = sign_in(proxy, "adam", "not-the-password")
        assert wrong.status_code == 401
    _, right = sign_in(proxy, "adam", away_from=upstream(wrong))  # the right password, on the other host
    assert upstream(right) != upstream(wrong)
    assert right.status_code == 429 and "Too many wrong passwords" in right.text
    _, ok = sign_in(proxy, "andy")
    assert ok.status_code == 302  # only the guessed name is held

    saved_cookies = s.cookies.get_dict()
    out = s.post(proxy.base + "/auth/logout", data={"csrf_token": s.cookies["_csrf_token"]})
    assert out.status_code == 200
    answered = set()
    for _ in range(4):  # both hosts answer some of these
        replay = requests.get(proxy.base + "/_dash-layout", cookies=saved_cookies)
        answered.add(upstream(replay))
        assert replay.status_code == 401, replay.text
    assert len(answered) == 2


def test_a_warehouse_published_under_load_reaches_both_hosts_within_10_s_without_a_failed_request(cluster):
    proxy, hosts, shared = cluster
    _, r = sign_in(proxy, "andy")
    assert r.status_code == 302
    before = {h.version() for h in hosts}
    failures, done, stop = [], [0], threading.Event()

    def visitor(paths):
        s, _ = sign_in(proxy, "andy")
        i = 0
        while not stop.is_set():
            path = paths[i % len(paths)]
            i += 1
            try:
                got = page(proxy, s, path) if path != "/healthz" else s.get(proxy.base + path)
                if got.status_code != 200:
                    failures.append(f"{path}: HTTP {got.status_code} from {upstream(got)}: {got.text[:200]}")
            except requests.RequestException as exc:
                failures.append(f"{path}: {type(exc).__name__}: {exc}")
            done[0] += 1

    threads = [threading.Thread(target=visitor, args=(p,)) for p in
               (["/", "/measures/person_crimes", "/healthz"], ["/goals/safe_neighborhoods", "/data", "/healthz"])]
    for t in threads:
        t.start()
    try:
        time.sleep(2)  # requests flowing before the publish
        out = subprocess.run([sys.executable, "-m", "etl", "publish", "--to", str(shared), "--db", str(hosts[0].db)],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        published = time.monotonic()
        version = re.match(r"seastat-(\w+)-[0-9a-f]{64}\.duckdb$", Path(out.stdout.strip()).name).group(1)
        assert version not in before
        waited = {}
        while len(waited) < len(hosts) and time.monotonic() - published < 30:
            for i, h in enumerate(hosts):
                if i not in waited and h.version() == version:
                    waited[i] = time.monotonic() - published
            time.sleep(0.2)
        time.sleep(2)  # and after it
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=120)
    print(f"publish under load: hosts on {version} after {waited} s; {done[0]} requests, {len(failures)} failed")
    assert len(waited) == 2 and max(waited.values()) <= 10, f"hosts on {version} after (s): {waited}"
    assert done[0] > 10
    assert failures == [], "\n".join(failures[:10])
