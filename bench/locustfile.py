"""The sessions bench/bench_load.py replays with Locust: what a city's staff and a news-day crowd do.

Each simulated user is one browser session that signs in once (the real sign-in form, CSRF token
and all) and then works at a person's pace (a few seconds between actions):

- leadership: overview, a goal, a measure, the meeting page (each a page shell GET plus the
  router callback the browser sends, which is where the page is built);
- analysts: filter changes on the measure and neighbourhood pages (the router callback for the new
  URL: every filter lives in the URL), the map's geometry, and the measure table's CSV download;
- editors: the meeting page and a ledger write through the meeting page's save callback;
- public visitors (no sign-in) on the public server: pages and the open-data API (JSON, CSV).

Requests are named by what a user did, so the table reads per request type. The hosts, accounts
and meeting day come from bench_load's command line options (see `--internal` etc. below), never
from the environment. Run alone for a quick look:

    PYTHONPATH=. locust -f bench/locustfile.py --headless -u 10 -r 5 -t 30s --internal http://127.0.0.1:8000 \
        --public http://127.0.0.1:8001 --accounts /tmp/accounts.json --meeting 2026-12-14
"""
from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import re
import urllib.parse

from locust import FastHttpUser, HttpUser, between, events, task

# the router request and the layout search the tests use (bench_load puts the project on PYTHONPATH)
from tests.support.pages import find_by_id as find_props
from tests.support.pages import router_payload as router

PERIODS = ["", "?period=7d", "?period=28d", "?period=ytd", "?period=meeting"]
MEASURES = ["person_crimes", "robberies", "p1_median_response", "uof_disparity_black", "service_requests"]
GOALS = ["safe_neighborhoods", "fast_help", "fair_policing", "responsive_services"]
_accounts: dict[str, list[tuple[str, str]]] = {}
_next = {}


@events.init_command_line_parser.add_listener
def _options(parser):
    parser.add_argument("--internal", default="", help="base URL of the internal app (gunicorn app:server)")
    parser.add_argument("--public", default="", help="base URL of the public app (SEASTAT_MODE=public)")
    parser.add_argument("--static", default="", help="base URL of the static export behind nginx (StaticVisitor)")
    parser.add_argument("--accounts", default="", help="JSON file {role: [[username, password], ...]}")
    parser.add_argument("--meeting", default="", help="the meeting day the meeting page opens (YYYY-MM-DD)")
    parser.add_argument("--areas", default="", help="comma-separated area ids of the mcpp layer, for filters")


def _opt(user, name):
    return getattr(user.environment.parsed_options, name)


class Staff(HttpUser):
    """A signed-in member of staff; subclasses say what they do. abstract: never spawned itself."""

    abstract = True
    role = "viewer"
    wait_time = between(2, 6)

    def on_start(self):
        self.client.base_url = _opt(self, "internal")
        pool = _accounts.setdefault(self.role, json.load(open(_opt(self, "accounts")))[self.role])
        counter = _next.setdefault(self.role, itertools.count())
        username, password = pool[next(counter) % len(pool)]
        page = self.client.get("/auth/login", name="sign-in form").text
        token = re.search(r"name='csrf_token' value='([^']+)'", page).group(1)
        with self.client.post("/auth/login", data={"csrf_token": token, "username": username, "password": password},
                              allow_redirects=False, name="sign-in", catch_response=True) as r:
            if r.status_code != 302:
                r.failure(f"sign-in answered {r.status_code}")
        self.areas = [a for a in _opt(self, "areas").split(",") if a]

    def _headers(self):
        return {"X-CSRFToken": self.client.cookies.get("_csrf_token", "")}

    def callback(self, name: str, payload: dict) -> dict | None:
        with self.client.post("/_dash-update-component", json=payload, headers=self._headers(), name=name,
                              catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}: {r.text[:120]}")
                return None
            return r.json()

    def page(self, name: str, path: str, search: str = "") -> dict | None:
        """A page visit as the browser makes it: the HTML shell, then the router callback."""
        self.client.get(path + search, name=f"{name} (shell)")
        body = self.callback(name, router(path, search))
        return body["response"]["_pages_content"]["children"] if body else None


class Leadership(Staff):
    role = "viewer"
    weight = 3

    @task(3)
    def overview(self):
        self.page("overview", "/", random.choice(PERIODS))

    @task(2)
    def goal(self):
        self.page("goal", f"/goals/{random.choice(GOALS)}", random.choice(PERIODS))

    @task(3)
    def measure(self):
        self.page("measure", f"/measures/{random.choice(MEASURES)}", random.choice(PERIODS))

    @task(1)
    def meeting(self):
        self.page("meeting", f"/meetings/{_opt(self, 'meeting')}")


class Analyst(Staff):
    role = "analyst"
    weight = 3

    def _area_search(self, period=True) -> str:
        q = {"layer": "mcpp", "area": random.choice(self.areas)} if self.areas else {}
        if period:
            q["period"] = random.choice(["7d", "28d", "ytd"])
        return "?" + urllib.parse.urlencode(q)

    @task(4)
    def filter_measure(self):
        self.page("measure filter", f"/measures/{random.choice(MEASURES)}", self._area_search())

    @task(2)
    def filter_neighborhoods(self):
        self.page("neighborhoods filter", "/neighborhoods",
                  f"?measure={random.choice(MEASURES)}&" + self._area_search(period=False).lstrip("?"))

    @task(1)
    def map_geometry(self):
        self.callback("map geometry", {
            "output": "geo-store.data", "outputs": {"id": "geo-store", "property": "data"},
            "inputs": [[{"id": {"page": "ms", "type": "map-need"}, "property": "data", "value": "mcpp"}]],
            "changedPropIds": ['{"page":"ms","type":"map-need"}.data'], "state": []})

    @task(2)
    def csv(self):
        layout = self.page("measure", f"/measures/{random.choice(MEASURES)}", random.choice(PERIODS))
        grid = find_props(layout, "ms-grid") if layout else None
        if grid is None:
            return
        body = self.callback("csv download", {
            "output": "ms-csv.data", "outputs": {"id": "ms-csv", "property": "data"},
            "inputs": [{"id": "ms-csv-btn", "property": "n_clicks", "value": 1}],
            "changedPropIds": ["ms-csv-btn.n_clicks"],
            "state": [{"id": "ms-grid", "property": "virtualRowData", "value": grid.get("rowData") or []},
                      {"id": "ms-grid", "property": "columnDefs", "value": grid.get("columnDefs") or []}]})
        if body is not None and "ms-csv" not in body.get("response", {}):
            events.request.fire(request_type="POST", name="csv download", response_time=0, response_length=0,
                                exception=AssertionError("no CSV in the answer"), context={})


SAVE_OUTPUTS = [("mt-msg", "children"), ("mt-new-items", "children"), ("mt-versions", "data"), ("mt-text", "value"),
                ("mt-owner", "value"), ("mt-due", "value"), ("mt-notes", "value")]


class Editor(Staff):
    role = "editor"
    weight = 1

    @task(2)
    def meeting(self):
        self.page("meeting", f"/meetings/{_opt(self, 'meeting')}")

    @task(1)
    def ledger_write(self):
        due = (dt.date.fromisoformat(_opt(self, "meeting")) + dt.timedelta(days=14)).isoformat()
        state = {"mt-kind": "action", "mt-text": f"Load-test follow-up {random.randrange(10**6)}",
                 "mt-owner": "Precinct lead", "mt-due": due, "mt-measure": "", "mt-area": "", "mt-notes": "",
                 "mt-meeting": _opt(self, "meeting"), "mt-versions": {}}
        props = {"mt-meeting": "data", "mt-versions": "data"}
        body = self.callback("ledger write", {
            "output": ".." + "...".join(f"{i}.{p}" for i, p in SAVE_OUTPUTS) + "..",
            "outputs": [{"id": i, "property": p} for i, p in SAVE_OUTPUTS],
            "inputs": [{"id": "mt-save", "property": "n_clicks", "value": 1}], "changedPropIds": ["mt-save.n_clicks"],
            "state": [{"id": k, "property": props.get(k, "value"), "value": v} for k, v in state.items()]})
        said = json.dumps(body["response"].get("mt-msg", {}), ensure_ascii=False) if body else ""
        if body is not None and "Saved" not in said:
            events.request.fire(request_type="POST", name="ledger write", response_time=0, response_length=0,
                                exception=AssertionError(f"not saved: {said[:200]}"), context={})


class PublicVisitor(HttpUser):
    """Someone who followed a news story's link: the public site and its open-data API."""

    weight = 4
    wait_time = between(2, 6)

    def on_start(self):
        self.client.base_url = _opt(self, "public")
        r = self.client.get("/api/v1/measures.json", name="public api json")
        self.ids = [m["id"] for m in r.json()] if r.ok else []

    @task(3)
    def home(self):
        self.client.get("/", name="public page")

    @task(3)
    def measure_page(self):
        if self.ids:
            self.client.get(f"/measure/{random.choice(self.ids)}", name="public page")

    @task(2)
    def api_json(self):
        if self.ids:
            self.client.get(f"/api/v1/measures/{random.choice(self.ids)}.json", name="public api json")

    @task(1)
    def api_csv(self):
        if self.ids:
            self.client.get(f"/api/v1/measures/{random.choice(self.ids)}/months.csv", name="public api csv")


class StaticVisitor(FastHttpUser):
    """A news-day visitor on the static export behind nginx (bench/bench_static.py spawns only these):
    a first visit fetches the page with its stylesheets and script, later pages only the HTML (the
    browser keeps the rest for its max-age), and some follow the open-data links. FastHttpUser
    (geventhttpclient): 500 sessions of the requests-based client saturate Locust's one core first."""

    wait_time = between(2, 6)

    def on_start(self):  # the host is Locust's --host (bench_static passes the nginx URL)
        r = self.client.get("/api/v1/measures.json", name="static api json")
        self.ids = [m["id"] for m in r.json()] if r.status_code == 200 else []
        self.client.get("/", name="static page")
        for asset in ("/assets/bootstrap.min.css", "/assets/public.css", "/assets/plotly.min.js"):
            self.client.get(asset, name="static asset (first visit)")

    @task(3)
    def page(self):
        path = f"/measure/{random.choice(self.ids)}.html" if self.ids and random.random() < 0.7 else "/"
        self.client.get(path, name="static page")

    @task(1)
    def api(self):
        if self.ids:
            m = random.choice(self.ids)
            self.client.get(random.choice([f"/api/v1/measures/{m}.json", f"/api/v1/measures/{m}/months.csv"]),
                            name="static api")
