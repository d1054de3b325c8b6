"""The time model in a real Chromium: part-weeks of the real fire 911 file, and the demo's
robbery target at the weekly grain.

The real file (Seattle Real Time Fire 911 Calls, 1-31 January 2022) is loaded exactly as the
README says, `python -m etl load fire_calls FILE --db PATH`. Its weeks start on Mondays, so the
week of 27 December holds 2 days of data (1-2 January) and the week of 31 January one; before
the time model the chart drew those as its lowest weeks, and the normal weeks after New Year
were flagged because the 2-day week sat in their baseline.
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time

import pytest

from settings import ROOT, Settings

pytestmark = pytest.mark.browser
FIRE = "fire_911/seattle_real_time_fire_911_calls__2022-01.csv"
JANUARY = "?period=custom&start=2022-01-01&end=2022-01-31"
TRACES = ("var g = document.querySelector('#ms-trend .js-plotly-plot') || document.getElementById('ms-trend');"
          "return g && g.data ? JSON.stringify(g.data.map(function (t) {"
          "return {name: t.name, x: t.x, y: t.y, text: t.text || null}; })) : null;")


@pytest.fixture(scope="module")
def fire_db(seattle_data, tmp_path_factory):
    db = tmp_path_factory.mktemp("fire") / "fire.duckdb"
    run = subprocess.run([sys.executable, "-m", "etl", "load", "fire_calls", str(seattle_data / FIRE), "--db", str(db)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return db


def traces(dash_duo, timeout: int = 60) -> dict:
    """The trend's traces as plotly.js holds them in the page: {name: {x, y, text}}."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = dash_duo.driver.execute_script(TRACES)
        if got:
            return {t["name"]: t for t in json.loads(got)}
        time.sleep(0.3)
    raise AssertionError("the trend chart was not drawn")


def open_page(dash_duo, app, path: str):
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + path)
    dash_duo.wait_for_element("#ms-trend-summary", timeout=60)
    return traces(dash_duo)


def test_fire_part_weeks_are_not_regular_points_nor_in_any_baseline(dash_duo, fire_db):
    from app import create_app

    app = create_app(Settings(db_path=fire_db))
    t = open_page(dash_duo, app, "/measures/fire_calls" + JANUARY)
    line = t["This period"]
    y = dict(zip((x[:10] for x in line["x"]), line["y"]))
    # the whole weeks of January are regular points; the part-weeks are not on the line
    assert all(isinstance(y[d], (int, float)) and y[d] > 1500 for d in ("2022-01-03", "2022-01-10", "2022-01-17",
                                                                       "2022-01-24"))
    assert y["2021-12-27"] is None and y["2022-01-31"] is None
    part = t["This period: part-week (not tested)"]
    labelled = dict(zip((x[:10] for x in part["x"]), part["text"]))
    assert set(labelled) == {"2021-12-27", "2022-01-31"}
    assert labelled["2021-12-27"].endswith("partial: 2 of 7 days")
    assert labelled["2022-01-31"].endswith("partial: 1 of 7 days")
    # no week is flagged because of a part-week in its baseline, and no part-week is tested:
    # 10 Jan has one whole week before it (untested; it was flagged against 3 Jan plus the
    # 2-day week); 17 and 24 Jan are tested against whole weeks only, named in the flag list
    flagged = [x[:10] for x in t.get("Flagged change", {"x": []})["x"]]
    assert "2022-01-10" not in flagged and "2021-12-27" not in flagged and "2022-01-31" not in flagged
    flags = dash_duo.find_element("#ms-flags").text
    assert "Week of 10 Jan 2022" not in flags
    assert "Week of 17 Jan 2022: 2,111. p = 0.000584: differs from the 2 complete weeks from 3 Jan 2022 to " \
           "16 Jan 2022" in flags   # 2,111 against 2,378 + 2,243 in twice the days: binomial(4732, 1/3)
    assert binomial_p(2111, 2111 + 2378 + 2243, 1 / 3) == pytest.approx(0.000584, rel=1e-2)
    summary = dash_duo.find_element("#ms-trend-summary").text
    lowest = summary.split("lowest ")[1].split(" (")[0]
    assert int(lowest.replace(",", "")) > 1500                       # not the 1-day week's count
    assert "Latest complete week" in summary and "partial: 1 of 7 days" in summary
    # the table under the chart (and so its CSV) says which rows are part-weeks
    from tests.support.pages import find_by_id, render_with_client

    _, layout, _ = render_with_client(app.server.test_client(), "/measures/fire_calls", JANUARY)
    grid = find_by_id(layout, "ms-grid")
    assert {"days", "grain_days", "partial"} <= {c["field"] for c in grid["columnDefs"]}
    rows = {r["period_start"]: (r["numerator"], r["days"], r["partial"]) for r in grid["rowData"]}
    assert rows["2021-12-27"] == (760, 2, True) and rows["2022-01-31"] == (285, 1, True)
    assert rows["2022-01-10"] == (2243, 7, False)


def binomial_p(k: int, n: int, p: float) -> float:
    """Exact two-sided binomial p-value by summing the probabilities no likelier than k's (by hand,
    in logs, independently of the engine's and scipy's code)."""
    import math

    def logpmf(j):
        return math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1) + j * math.log(p) + (n - j) * math.log1p(-p)
    at = logpmf(k) + 1e-7
    return min(1.0, sum(math.exp(logpmf(j)) for j in range(n + 1) if logpmf(j) <= at))


@pytest.fixture(scope="module")
def demo2(tmp_path_factory):
    """Two years of demo (the robbery target is 5% below the same days last year)."""
    from etl.demo.build import DemoOptions, generate, load

    folder = tmp_path_factory.mktemp("demo2")
    opts = DemoOptions(out_dir=folder / "demo", db_path=folder / "demo.duckdb", years=2, scale=0.05, seed=7,
                       end=dt.date(2026, 11, 22))
    load(generate(opts), opts.out_dir, opts.db_path, Settings.from_env())
    return opts.db_path


def test_demo_robberies_target_is_drawn_at_the_weekly_grain(dash_duo, demo2):
    from app import create_app

    t = open_page(dash_duo, create_app(Settings(db_path=demo2)),
                  "/measures/robberies?period=custom&start=2026-10-19&end=2026-11-15")
    head = dash_duo.find_element("#ms-headline").text
    period_target = float(head.split("Target: ")[1].split(".")[0].replace(",", "") + "." +
                          head.split("Target: ")[1].split(".")[1][:2])
    drawn = [v for v in t["Target per week"]["y"] if v is not None]
    assert len(drawn) == 4 and max(drawn) == pytest.approx(min(drawn))
    assert drawn[0] == pytest.approx(period_target / 4, rel=0.01)     # a week's share, not the 28 days'
    weekly = [v for v in t["This period"]["y"][-4:] if v is not None]
    assert max(weekly) < period_target or drawn[0] < period_target    # drawn among the weekly points
    assert "per week" in dash_duo.find_element("#ms-trend-summary").text
