"""The machinery of bench/bench_pages.py: servers (the app, the naive page), request timing paired
across servers, worker RSS and CPU from /proc, and a browser's time to a drawn page.

Why a module apart from the script: the script is what to run and what was measured; this is how,
and it can be read (and imported) without the figures' history in the way. Servers run as
`python -m bench.bench_pages --app-server PORT` (or `--naive-server`) from the project root, so a
naive build in another venv needs no install of this project.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tests.support.pages import post, router_payload

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = "bench.bench_pages"  # run with -m from ROOT: the servers below are this script's --*-server modes
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
        cmd = [sys.executable, "-m", SCRIPT, "--db", str(db), "--app-server", str(port)]
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
    proc = subprocess.Popen([str(python), "-m", SCRIPT, "--db", str(db), "--naive-server", str(port)],
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
