"""Server-side latency of each page's callbacks, against the same page built the naive way.

The app renders a page in Dash's router callback (the URL's path and query -> the page) and the
maps fetch geometry once; both are timed as a browser sends them: HTTP POST to
/_dash-update-component on a real server. The naive build keeps one global pandas DataFrame of
events and filters it in each callback. Prints p50/p95 and response sizes; run on the 10M-event
demo warehouse: `SEASTAT_DB=data/bench.duckdb .venv/bin/python bench/bench_pages.py`.

Figures (issue #5), 10,210,588-event demo (`python -m etl demo --scale 21`), 2 cores shared with
other work, as ranges over runs. Browser times use this file's DRAWN_JS for every column (charts,
maps and grids drawn, a frame painted). Columns: "before" = 3e2ab70, 4 runs at load average
1.5-4.7; "app" = 6db87e9 (SVG maps, JSON page cache, cached plotly.js; engine with 371277b), 2 runs
at 4.0-4.7; "now" = bd4c3c1 (also SVG sparklines; engine with its in-memory aggregates f7ac5f3),
2 runs at 2.0-2.4. Cold figures and RSS are mostly the engine's doing (see below).

                                      target    before       app          now  final
    warm p95, worst page (ms)         <= 50     9.5-22.1     10.0-25.4    3.7-5.0  4.0
    warm p95, data page (ms)                    9.5-22.1     4.3-5.8      2.4  4.0
    cold p95, measure (ms)                      31.1-52.2    48.6-53.2    18.7-22.5  30.7
    measure vs naive, warm p50        >= 5x     x30-48       x46-58       x45-51  x225 (x31*)
    measure vs naive, cold p50        >= 5x     x2.6-3.3     x2.1-2.3     x4.9-6.0  x19 (x4.5*)
    worker RSS after the run (MB)     <= 300    391-392      345          373-375  291 / 298
    Chromium, later p50 (s)  /        <= 1.5    0.29-0.51    0.43-0.48    0.21  0.26
                             goal               0.39-0.62    0.54-0.64    0.19-0.20  0.25
                             measure            1.11-1.60    0.76-1.03    0.48-0.52  0.68
                             neighborhoods      0.76-1.20    0.71         0.36  0.46
                             data               0.59-0.61    0.59-0.88    0.29-0.34  0.36
    Chromium, first visit (s) goal              1.39-2.38    1.86-1.99    0.24  0.30
                             measure            1.39-2.15    1.49-1.91    1.45-1.51  1.94

"final" = the commit that dropped pyarrow and capped DuckDB's read pool at 128 MB, one run at
load average 0.8-1.3; RSS after the HTTP run / after the browser
run. * Without pyarrow the naive page's pandas string filters are ~4x slower (373 ms p50 against
88 ms with pyarrow, measured the same day at 3e2ab70+): the ratios in brackets are against that
faster naive build (p50 88.3 ms, p95 112.5 ms) - against it the cold ratio is x4.5, short of 5x.
The first visit of a chart page in a fresh browser (plotly.js compile) was 1.45-1.51 s in the
"now" runs and 1.94 s in the final run: NOT reliably under 1.5 s.

The first visit of the first page with a chart compiles plotly.js once per browser: since the
goal cards became SVG pictures that page is the measure page (plotly.min.js was 4.8 MB; the
bundle built by `make js` is 1.4 MB, see "Final figures" below).

Where the worker's RSS goes (10M demo, in one process serving every view above): ~175 MB is
`import app` (pandas 3 + pyarrow ~107, Dash ~37, SQLAlchemy for auth ~18); the page modules ~35
(the engine, via packet); the first engine query ~90 (DuckDB's catalog of a 500 MB file ~32, then
the engine's min/max(event_time) scan of every event table leaves ~46 MB of blocks in DuckDB's
buffer pool); the pages ~40 more. 392 -> 345 MB came from the engine no longer loading scipy.stats
(371277b; in-process, the old app on that engine 346 MB, ours 344); its in-memory aggregates add ~25.
Since then: pyarrow is gone (~60 MB) and the read pool is capped at 128 MB (~14 MB): 298 MB after
the browser run, just under the target. Then the loads record each table's first and last day
(agg_coverage) so the engine no longer scans them: 281 MB after the HTTP run, 286 MB after the
browser run (fbb887b, load 0.8-1.1; first measure visit 1.59 s, later 0.61 s).

Cold measure views against the faster naive build (pyarrow installed), issue #5's last open
criterion. `--naive-python PYTHON` (repeatable) times the naive page under another interpreter,
e.g. a venv under /tmp with requirements.txt plus pyarrow (never this project's venv); each
naive server now starts after the app's figures, because its 10M-row load used to run on the
second core while the app was timed (app cold p50 21.6 ms with it, 13.0 ms without, load 1.0-1.3).
HTTP part only (--no-browser), 10M demo, two runs each at load 0.9-1.1, ms:

                                      075aa9a (bench fix only)   1729514 (engine + page cuts)
    measure cold p50 / p95            12.4-12.5 / 19.6-20.8      8.8-10.8 / 16.3-16.7
    measure warm p50 / p95            1.3-1.4 / 1.7-1.8          1.2-1.9 / 1.3-2.2
    naive p50, pyarrow / without      69.9-70.0 / 336.9-338.2    70.7-76.9 / 320.9-349.6
    cold p50 ratio, pyarrow / without x5.6 / x27.1               x7.2-8.0 / x32.5-36.5
    cold p95 ratio, pyarrow           x4.6-4.7                   x5.1-6.5
    worker RSS after the run (MB)     270-272                    268-275

Where a cold view's ~9 ms goes now (in-process): the engine ~2.5 (this year's weekly series with
its exact tests ~1.3, last year's line, no longer tested, ~0.6, the headline ~0.4), building the
page's ~100 components and its figures ~4, the page cache's JSON tree ~0.8, Dash and Flask ~1.5.
The 12 cold views are few: one run's p50 moves by 1-2 ms with what else the machine is doing.

Final figures (cca662a + 1729514 + this file's paired timing), 10M demo, load 0.6-1.9. This VM's
speed drifts by up to 1.7x within minutes (the same pure-Python loop: 194-376 ms), and the measure
page and the naive builds used to be timed minutes apart: ratios from 3.7 to 8.0 in back-to-back
runs of the same code. Now the naive servers load first (until idle), the app waits for its warm-up
to end, and each measure request is followed at once by the same view on each naive server.
    measure cold p50 / p95 (ms)             10.4-14.1 / 17.6-24.3 (unpaired runs: 11.5-20.3 / 25-30)
    measure warm p95, worst page p95 (ms)   3.3-3.5 / 3.5
    vs naive with pyarrow, cold p50 / p95   x5.6-7.2 / x5.0-7.0; request by request median x6.2-7.3
    vs naive without pyarrow, cold p50      x24.9-30.3 (request by request x29.8-30.5)
    worker RSS after the HTTP / browser run 266-277 / 275-279 MB
    Chromium first visit, measure page      0.97-1.22 s over 6 fresh browsers (2 runs x --browsers 3;
                                            was 1.45-1.94 s): plotly.js is now js/plotly-seastat.js,
                                            1.4 MB (components/plotly_bundle.py); same session with
                                            Dash's 4.8 MB bundle: 1.79-2.48 s
    Chromium later visits, every page       at most 0.86 s (measure p50 0.66-0.71 s)
Cold p95 is the first view of a map layer in a worker (its slices load in 20-60 ms): loading every
measure's first layer in the warm-up (~10 MB, ~0.5 s) was tried and dropped, as its extra start-up
work overlapped the first visitors' requests. The first request of all (opens the engine) is
289-557 ms, and a page's first view of its kind in a fresh worker can reach 60-110 ms (overview,
neighborhoods, disparity cold p95 above): one-off costs per worker and file, not per view.
"""
from __future__ import annotations

import json
import urllib.parse
import urllib.request

ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."


def router_payload(path: str, search: str = "") -> dict:
    """The request the browser's router sends when the URL becomes path + search."""
    return {
        "output": ROUTER_OUTPUT,
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "changedPropIds": ["_pages_location.pathname", "_pages_location.search"],
        "state": [],
    }


def render_with_client(client, path: str, search: str = "") -> tuple[int, dict | None, int]:
    """Render a page through a Flask test client: (status, page layout JSON, response bytes)."""
    r = client.post("/_dash-update-component", json=router_payload(path, search))
    body = r.get_data()
    data = json.loads(body) if r.status_code == 200 and body else None
    layout = data["response"]["_pages_content"]["children"] if data else None
    return r.status_code, layout, len(body)


def post(base_url: str, payload: dict) -> tuple[int, bytes]:
    req = urllib.request.Request(base_url + "/_dash-update-component", data=json.dumps(payload).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.status, r.read()


def texts(node) -> list[str]:
    """Every string in a rendered layout, in order: what a user would read."""
    out: list[str] = []

    def walk(n):
        if isinstance(n, str):
            out.append(n)
        elif isinstance(n, (int, float)) and not isinstance(n, bool):
            out.append(str(n))
        elif isinstance(n, list):
            for x in n:
                walk(x)
        elif isinstance(n, dict):
            if "props" in n:
                walk(n["props"].get("children"))
    walk(node)
    return out


def find_by_id(node, ident):
    """The props of the component with this id in a rendered layout, or None."""
    if isinstance(node, list):
        for x in node:
            found = find_by_id(x, ident)
            if found is not None:
                return found
    elif isinstance(node, dict) and "props" in node:
        if node["props"].get("id") == ident:
            return node["props"]
        for v in node["props"].values():
            if isinstance(v, (list, dict)):
                found = find_by_id(v, ident)
                if found is not None:
                    return found
    return None


# ---- the benchmark -------------------------------------------------------------------------
import argparse  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NAIVE_MEASURE = ("crime", "crime_against", "PERSON")  # person_crimes: dataset, column, value


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, proc, timeout: float = 300) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url + "/_dash-layout", timeout=5).read()
            return
        except Exception:
            time.sleep(0.5)
    raise SystemExit(f"{url}: server did not come up in {timeout}s")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def wait_idle(pid: int, quiet: float = 1.0, timeout: float = 180) -> float:
    """Seconds until the process used under 2% of a core for `quiet` seconds (Linux /proc)."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        before = cpu_seconds(pid)
        time.sleep(quiet)
        if cpu_seconds(pid) - before < 0.02 * quiet:
            break
    return time.perf_counter() - t0


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(q * (len(values) - 1))))
    return values[k]


def _timed(base: str, payload: dict) -> tuple[float, int]:
    t = time.perf_counter()
    status, body = post(base, payload)
    ms = (time.perf_counter() - t) * 1000
    if status != 200:
        raise SystemExit(f"HTTP {status} for {payload['inputs']}")
    return ms, len(body)


def time_requests(base: str, payloads: list[dict], repeat: int) -> tuple[list[float], list[float], list[int]]:
    """(cold, warm, sizes): cold = the first request for each distinct view (nothing cached for
    it yet); warm = `repeat` more requests cycling over the same views."""
    return time_paired(base, payloads, [], repeat)[:3]


def time_paired(base: str, payloads: list[dict], others: list[tuple[str, list[dict]]], repeat: int):
    """time_requests for `base`, with each request followed at once by the same view's request to
    every other server: (cold, warm, sizes, [(cold, warm, sizes) of each other server])."""
    ours = ([], [], [])
    theirs = [([], [], []) for _ in others]
    order = [(0, i) for i in range(len(payloads))] + [(1, i % len(payloads)) for i in range(repeat)]
    for phase, i in order:
        ms, size = _timed(base, payloads[i])
        ours[phase].append(ms)
        ours[2].append(size)
        for (url, views), out in zip(others, theirs):
            ms, size = _timed(url, views[i])
            out[phase].append(ms)
            out[2].append(size)
    return (*ours, theirs)


def page_cases(db: Path) -> dict[str, list[tuple[str, str]]]:
    """Realistic variations of each page's URL, so a cache that answers repeats cannot flatter us."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    mcpp = [r[0] for r in con.execute("SELECT area_id FROM areas WHERE layer = 'mcpp' ORDER BY 1 LIMIT 8").fetchall()]
    con.close()
    periods = ["", "?period=7d", "?period=ytd", "?period=meeting"]
    return {
        "overview": [("/", p) for p in periods],
        "goal": [("/goals/safe_neighborhoods", p) for p in periods],
        "measure": [("/measures/person_crimes", f"?layer=mcpp&area={urllib.parse.quote(a)}") for a in mcpp]
                   + [("/measures/person_crimes", p) for p in periods],
        "measure (disparity)": [("/measures/uof_disparity_black", p) for p in periods],
        "neighborhoods": [("/neighborhoods", f"?measure=person_crimes&layer=mcpp&area={urllib.parse.quote(a)}") for a in mcpp],
        "data": [("/data", "")],
    }


def geometry_payload(layer: str) -> dict:
    return {"output": "geo-store.data", "outputs": {"id": "geo-store", "property": "data"},
            "inputs": [[{"id": {"page": "ms", "type": "map-need"}, "property": "data", "value": layer}]],
            "changedPropIds": ['{"page":"ms","type":"map-need"}.data'], "state": []}


def naive_server(db: Path, port: int) -> None:
    """The same measure page built the naive way: one global DataFrame, filtered in each callback."""
    import dash
    import duckdb
    import pandas as pd
    from dash import Input, Output, dcc, html

    dataset, column, value = NAIVE_MEASURE
    con = duckdb.connect(str(db), read_only=True)
    events = con.execute(f"SELECT event_time, category, area_mcpp, {column} FROM {dataset}").df()
    con.close()
    events["day"] = events["event_time"].dt.normalize()
    end = events["day"].max()
    app = dash.Dash(__name__)
    app.layout = html.Div([dcc.Location(id="url"), html.Div(id="page")])

    @app.callback(Output("page", "children"), Input("url", "search"))
    def page(search):
        q = urllib.parse.parse_qs((search or "").lstrip("?"))
        days = 7 if q.get("period") == ["7d"] else 28
        areas = q.get("area", [])
        df = events[events[column] == value]
        if areas:
            df = df[df["area_mcpp"].isin(areas)]
        start = end - pd.Timedelta(days=days - 1)

        def n(a, b):
            return int(((df["day"] >= a) & (df["day"] <= b)).sum())
        cur, prior = n(start, end), n(start - pd.Timedelta(days=days), start - pd.Timedelta(days=1))
        last_year = n(start - pd.Timedelta(days=364), end - pd.Timedelta(days=364))
        year = df[df["day"] > end - pd.Timedelta(weeks=52)]
        weekly = year.groupby(year["day"].dt.to_period("W").dt.start_time).size()
        old = df[(df["day"] > end - pd.Timedelta(weeks=104)) & (df["day"] <= end - pd.Timedelta(weeks=52))]
        weekly_old = old.groupby(old["day"].dt.to_period("W").dt.start_time).size()
        in_period = events[(events[column] == value) & (events["day"] >= start)]
        by_area = in_period.groupby("area_mcpp").size().sort_values(ascending=False)
        return html.Div([html.H1(f"{cur} (prior {prior}, last year {last_year})"),
                         dcc.Graph(figure={"data": [{"x": [str(x) for x in weekly.index], "y": weekly.tolist()},
                                                    {"x": [str(x) for x in weekly_old.index], "y": weekly_old.tolist()}]}),
                         dcc.Graph(figure={"data": [{"type": "bar", "y": by_area.index.tolist(), "x": by_area.tolist(),
                                                     "orientation": "h"}]})])

    print(f"naive app: {len(events):,} events in memory", flush=True)
    app.run(host="127.0.0.1", port=port, debug=False)


def app_server(port: int, warm: bool = True) -> None:
    """The real app in one single-threaded process (as one gunicorn worker with --threads 1).
    Flask's own server, because sign-in refuses gunicorn without a secret key and a session; the
    callbacks timed are the same code either way. warm=False: no background page warming."""
    sys.path.insert(0, str(ROOT))
    from app import create_app
    from components import warmup
    from settings import Settings

    app = create_app(Settings.from_env())
    app.server.config[warmup.ENABLED_KEY] = warm
    app.run(host="127.0.0.1", port=port, debug=False, threaded=False)


def cold_start(db: Path, idle: float) -> None:
    """What the first visitor waits for on a freshly started worker, with and without background
    warming: start the app, send one request (the page shell, as a sign-in page would), let `idle`
    seconds pass (a visitor typing a password), then time the overview; and the worker's RSS."""
    env = {**os.environ, "SEASTAT_DB": str(db), "SEASTAT_AUTH": "off"}
    for warm in (False, True):
        port = free_port()
        cmd = [sys.executable, str(Path(__file__).resolve()), "--db", str(db), "--app-server", str(port)]
        proc = subprocess.Popen(cmd + ([] if warm else ["--no-warm"]), cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_up(base, proc)
            rss_up = rss_mb(proc.pid)
            time.sleep(idle)
            times = []
            for path in ("/", "/goals/safe_neighborhoods", "/"):
                t = time.perf_counter()
                post(base, router_payload(path))
                times.append((time.perf_counter() - t) * 1000)
            print(f"warming {'on ' if warm else 'off'}: first overview {times[0]:.0f} ms, first goal page "
                  f"{times[1]:.0f} ms, overview again {times[2]:.0f} ms; RSS after start {rss_up:.0f} MB, "
                  f"after the pages {rss_mb(proc.pid):.0f} MB", flush=True)
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def filter_output(base: str) -> str:
    """The measure page's URL callback output id (Dash adds a hash for allow_duplicate outputs)."""
    deps = json.loads(urllib.request.urlopen(base + "/_dash-dependencies", timeout=30).read())
    # the one that writes the URL (another callback on ms-period, shown/hidden custom dates, is clientside)
    return next(d["output"] for d in deps if "_pages_location.search" in d["output"]
                and any(i["id"] == "ms-period" for i in d["inputs"]))


def filter_payload(period: str, output: str) -> dict:
    """The measure page's filter callback: controls -> the URL's query (the router then renders)."""
    ids = ["ms-period", "ms-start", "ms-end", "ms-layer", "ms-areas", "ms-cats", "ms-by"]
    values = [period, None, None, "mcpp", [], [], None]
    inputs = [{"id": i, "property": "value", "value": v} for i, v in zip(ids, values)]
    inputs.append({"id": {"page": "ms", "type": "map"}, "property": "clickData", "value": None})
    return {"output": output, "outputs": {"id": "_pages_location", "property": "search"},
            "inputs": inputs, "changedPropIds": ["ms-period.value"],
            "state": [{"id": "ms-view", "property": "data", "value": {"search": "?layer=mcpp", "layer": "mcpp"}}]}


def naive_payload(search: str) -> dict:
    return {"output": "page.children", "outputs": {"id": "page", "property": "children"},
            "inputs": [{"id": "url", "property": "search", "value": search}],
            "changedPropIds": ["url.search"], "state": []}


# The page is drawn: Dash has nothing pending, the heading is there, every visible chart has
# drawn its SVG, every visible map its areas (SVG paths or the WebGL canvas), every grid its rows.
DRAWN_JS = """
var s = window.store && window.store.getState();
if (!s || s.isLoading || (s.pendingCallbacks && s.pendingCallbacks.length)) { return false; }
var main = document.querySelector('#main');
if (!main || !main.querySelector('h1')) { return false; }
var shown = function (el) { return el.offsetParent !== null; };
var graphs = Array.prototype.filter.call(main.querySelectorAll('.dash-graph'), shown);
for (var i = 0; i < graphs.length; i++) {
  if (!graphs[i].querySelector('.main-svg')) { return false; }
  if (graphs[i].classList.contains('map-graph') &&
      !graphs[i].querySelector('.choroplethlocation, .maplibregl-canvas')) { return false; }
}
var grids = Array.prototype.filter.call(main.querySelectorAll('.ag-root-wrapper'), shown);
for (var j = 0; j < grids.length; j++) {
  if (!grids[j].querySelector('.ag-row, .ag-overlay-no-rows-center')) { return false; }
}
return true;
"""
# ...and the browser has painted a frame since: a long task (the first WebGL map compiling its
# shaders) delays this until it ends.
NEXT_FRAME_JS = ("var done = arguments[arguments.length - 1];"
                 "requestAnimationFrame(function () { requestAnimationFrame(function () { done(true); }); });")


def browser_times(base: str, paths: list[str], rounds: int = 4) -> dict[str, list[float]]:
    """Seconds from navigation (a full page load) until the page is drawn (DRAWN_JS, then a painted
    frame), for each path in `rounds` rounds. The first round includes one-off costs of a fresh
    browser (compiling plotly.js, the first map); later rounds are what a returning visitor waits."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.common.by import By

    opts = Options()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--window-size=1280,1500"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(options=opts)
    driver.set_script_timeout(30)
    out: dict[str, list[float]] = {p: [] for p in paths}
    try:
        driver.get(base + "/")  # browser cache warm: scripts and CSS, as for a returning user
        time.sleep(3)
        for _ in range(rounds):
            for path in paths:
                t = time.perf_counter()
                driver.get(base + path)
                deadline = t + 30
                while time.perf_counter() < deadline and not driver.execute_script(DRAWN_JS):
                    time.sleep(0.02)
                driver.execute_async_script(NEXT_FRAME_JS)
                out[path].append(time.perf_counter() - t)
                driver.find_element(By.CSS_SELECTOR, "#main h1")
    finally:
        driver.quit()
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path(os.environ.get("SEASTAT_DB", ROOT / "data" / "seastat.duckdb")))
    parser.add_argument("--repeat", type=int, default=40, help="requests per page")
    parser.add_argument("--naive-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--app-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--browsers", type=int, default=1,
                        help="fresh browsers to time (a first visit compiles plotly.js; one browser gives one such figure)")
    parser.add_argument("--naive-python", action="append", type=Path, metavar="PYTHON",
                        help="run the naive page under this interpreter (a venv with requirements.txt, with or "
                             "without pyarrow, which makes pandas' string filters ~4x faster); repeat to time "
                             "several naive builds in one run; default: this interpreter")
    parser.add_argument("--no-warm", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cold-start", action="store_true",
                        help="only time the first visitor's overview with and without background warming")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds between start-up and the first visitor")
    args = parser.parse_args(argv)
    if args.naive_server:
        naive_server(args.db, args.naive_server)
        return 0
    if args.app_server:
        app_server(args.app_server, warm=not args.no_warm)
        return 0
    if not args.db.is_file():
        print(f"{args.db}: no warehouse; build the 10M-event demo with "
              f"python -m etl demo --db {args.db} --years 2 --scale 20", file=sys.stderr)
        return 2
    import duckdb

    con = duckdb.connect(str(args.db), read_only=True)
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    events = sum(con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in
                 ("crime", "calls", "use_of_force", "terry_stops", "ois", "fire_calls", "service_requests") if t in tables)
    con.close()
    print(f"warehouse {args.db}: {events:,} events; load average {'/'.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores (other work on the machine slows every figure)")
    if args.cold_start:
        cold_start(args.db, args.idle)
        return 0

    env = {**os.environ, "SEASTAT_DB": str(args.db), "SEASTAT_AUTH": "off"}
    port = free_port()
    app_proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--db", str(args.db),
                                 "--app-server", str(port)], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    naives: list = []  # (python, process, URL)
    try:
        # The naive builds load their 10M-row frames first, one at a time, each until its process is
        # idle, so no load runs beside a timed request. The measure page is then timed with its naive
        # counterparts request by request in turn: this VM's speed drifts (a pure-Python loop takes
        # 200-380 ms from one minute to the next), and only requests interleaved in time compare fairly.
        for python in args.naive_python or [Path(sys.executable)]:
            proc, nbase = start_naive(python, args.db, env)
            naives.append((python, proc, nbase))
            wait_up(nbase, proc, timeout=900)
            wait_idle(proc.pid)
        wait_up(base, app_proc)
        t = time.perf_counter()
        post(base, router_payload("/data"))  # the first request opens the engine (catalog check, connection)
        print(f"first request (opens the engine): {(time.perf_counter() - t) * 1000:.0f} ms")
        # That request also starts the background warm-up (components/warmup.py); cold views timed
        # while it runs share the interpreter with it and measure the start-up window, which
        # --cold-start times on its own. Wait until the worker is idle.
        print(f"worker idle (warm-up done) after {wait_idle(app_proc.pid):.1f} s")
        rows, naive_rows = [], []
        for page, cases in page_cases(args.db).items():
            payloads = [router_payload(p, s) for p, s in cases]
            if page == "measure":
                cold, warm, sizes, naive_rows = time_paired(base, payloads, [
                    (n, [naive_payload(s) for _, s in cases]) for _, _, n in naives], args.repeat)
            else:
                cold, warm, sizes = time_requests(base, payloads, args.repeat)
            rows.append((page, cold, warm, sizes))
        cold, warm, sizes = time_requests(base, [geometry_payload(x) for x in ("mcpp", "precinct", "beat")], 9)
        rows.append(("map geometry (once per session)", cold, warm, sizes))
        cold, warm, sizes = time_requests(base, [filter_payload(p, filter_output(base)) for p in ("7d", "ytd", "meeting", "28d")], args.repeat)
        rows.append(("filter change -> URL", cold, warm, sizes))
        worker = app_proc.pid
        app_rss = rss_mb(worker)

        print(f"\n{'callback':34s} {'views':>5s} {'cold p50':>9s} {'cold p95':>9s} {'warm p50':>9s} {'warm p95':>9s} {'kB p50':>7s}")
        for name, cold, warm, sizes in rows:
            print(f"{name:34s} {len(cold):5d} {statistics.median(cold):9.1f} {percentile(cold, 0.95):9.1f} "
                  f"{statistics.median(warm):9.1f} {percentile(warm, 0.95):9.1f} {statistics.median(sizes) / 1024:7.1f}")
        print("(ms; cold = first request for a view, warm = the same views again, answered from the cache)")
        print(f"app worker RSS after the run: {app_rss:.0f} MB")

        _, ours_cold, ours_warm, _ = next(r for r in rows if r[0] == "measure")
        for (python, proc, _), (n_cold, n_warm, n_sizes) in zip(naives, naive_rows):
            n_times = n_cold + n_warm  # the naive page has no cache: every request filters the frame again
            print(f"\nnaive measure page (global DataFrame; {python}: {naive_build(python)}): "
                  f"p50 {statistics.median(n_times):.1f} ms, p95 {percentile(n_times, 0.95):.1f} ms, "
                  f"response {statistics.median(n_sizes) / 1024:.1f} kB, RSS {rss_mb(proc.pid):.0f} MB")
            for label, ours, theirs in (("cold", ours_cold, n_cold), ("warm", ours_warm, n_warm)):
                print(f"measure page vs naive, {label}: p50 x{statistics.median(n_times) / statistics.median(ours):.1f} faster, "
                      f"p95 x{percentile(n_times, 0.95) / percentile(ours, 0.95):.1f} faster; "
                      f"request by request (same moment) median x{statistics.median(t / o for t, o in zip(theirs, ours)):.1f}")
            stop(proc)

        if not args.no_browser:
            paths = ["/", "/goals/safe_neighborhoods", "/measures/person_crimes", "/neighborhoods", "/data"]
            runs = [browser_times(base, paths) for _ in range(args.browsers)]  # each a fresh browser
            print(f"\nheadless Chromium (no GPU), full page load to drawn page, {args.browsers} fresh browser(s) x 4 rounds"
                  " (first = the first round of each browser):")
            print(f"  {'page':32s} {'first':>13s} {'later p50':>10s} {'later max':>10s}")
            for path in paths:
                first = [r[path][0] for r in runs]
                later = [s for r in runs for s in r[path][1:]]
                print(f"  {path:32s} {min(first):5.2f}-{max(first):5.2f}s {statistics.median(later):9.2f}s {max(later):9.2f}s")
            print(f"app worker RSS after the browser run: {rss_mb(worker):.0f} MB")
        print(f"load average at the end: {'/'.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        for p in (app_proc, *(proc for _, proc, _ in naives)):
            if p is not None:
                stop(p)
    return 0


def stop(proc) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def start_naive(python: Path, db: Path, env: dict):
    """The naive server under `python` (its own venv's pandas, with or without pyarrow): (process, URL)."""
    port = free_port()
    proc = subprocess.Popen([str(python), str(Path(__file__).resolve()), "--db", str(db), "--naive-server", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, f"http://127.0.0.1:{port}"


def naive_build(python: Path) -> str:
    """'pandas X, pyarrow Y' (or 'no pyarrow') of an interpreter: what the naive page's speed depends on."""
    code = ("import importlib.metadata as m\n"
            "def v(p):\n    try:\n        return m.version(p)\n    except m.PackageNotFoundError:\n        return None\n"
            "a = v('pyarrow')\nprint(f\"pandas {v('pandas')}, {'pyarrow ' + a if a else 'no pyarrow'}\")")
    try:
        return subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=60).stdout.strip() or "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


if __name__ == "__main__":
    sys.exit(main())
