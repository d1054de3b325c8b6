"""The in-memory aggregates (engine/cube.py) must give exactly the event tables' answers.

A seeded random city (two years of robberies, calls with response times and Terry stops over
three neighborhoods, two precincts, several races and categories) is asked every call shape the
pages make three ways: from the event tables, from the aggregate tables in SQL, and from their
in-memory copies. Counts, rates, shares, percentiles, intervals, flags and targets must agree;
a replaced warehouse file must be read afresh; a year to date's "same period last year" must be
the number a user gets by asking for last year's dates directly.
"""
from __future__ import annotations

import datetime as dt
import math
import os

import duckdb
import numpy as np
import pandas as pd
import pytest

from engine import Filters, aggregates
from engine.periods import make_period
from test_engine_fixtures import make_warehouse, measure, open_engine

AREAS = [("mcpp", a, a.title()) for a in ("ALPHA", "BETA", "GAMMA")] + [("precinct", p, p) for p in ("N", "S")]
PRECINCT = {"ALPHA": "N", "BETA": "N", "GAMMA": "S"}
RACES = ["Black", "White", "Asian", "Hispanic", None]
DEN = [("city", "city", "total", "all", y, 9000.0) for y in (2023, 2024)] + \
      [("mcpp", a, "total", "all", y, p) for y in (2023, 2024) for a, p in (("ALPHA", 2000.0), ("BETA", 3000.0),
                                                                          ("GAMMA", 4000.0))] + \
      [("precinct", "N", "total", "all", y, 5000.0) for y in (2023, 2024)] + \
      [("precinct", "S", "total", "all", y, 4000.0) for y in (2023, 2024)] + \
      [("city", "city", "subject_race", r, y, p) for y in (2023, 2024)
       for r, p in (("Black", 1000.0), ("White", 5000.0), ("Asian", 2000.0), ("Hispanic", 1000.0))] + \
      [("precinct", pr, "subject_race", r, y, p) for y in (2023, 2024) for pr in ("N", "S")
       for r, p in (("Black", 500.0), ("White", 2500.0), ("Asian", 1000.0), ("Hispanic", 500.0))]
MEASURES = [
    measure("robberies", {"kind": "count", "dataset": "crime", "where": {"crime_against": "PROPERTY"}},
            target={"change_pct": -10, "baseline": "prior_year", "tolerance_pct": 5},
            breakdowns={"layers": ["mcpp", "precinct"]}),
    measure("robbery_rate", {"kind": "rate", "dataset": "crime", "where": {"crime_against": "PROPERTY"}, "per": 1000},
            breakdowns={"layers": ["mcpp", "precinct"]}),
    measure("p1_median", {"kind": "percentile", "dataset": "calls", "where": {"priority": 1},
                          "column": "response_seconds", "q": 0.5, "scale": 60},
            breakdowns={"layers": ["mcpp", "precinct"]}),
    measure("p1_p90", {"kind": "percentile", "dataset": "calls", "where": {"priority": 1},
                       "column": "response_seconds", "q": 0.9, "scale": 60},
            breakdowns={"layers": ["mcpp", "precinct"]}),
    measure("p1_within_7", {"kind": "share", "dataset": "calls",
                            "where": {"priority": 1, "response_seconds": {"not_null": True}},
                            "condition": {"response_seconds": {"le": 420}}}, direction="up",
            breakdowns={"layers": ["mcpp", "precinct"]}),
    measure("stop_rate", {"kind": "rate", "dataset": "terry_stops", "per": 1000},
            breakdowns={"layers": ["precinct"], "fields": ["subject_race"]}),
    measure("stop_disparity", {"kind": "disparity", "dataset": "terry_stops", "field": "subject_race",
                               "group": "Black", "reference": "White"},
            breakdowns={"layers": ["precinct"], "fields": ["subject_race"]}),
    measure("arrest_share", {"kind": "share", "dataset": "terry_stops", "condition": {"arrest_flag": True}},
            direction="up", breakdowns={"layers": ["precinct"], "fields": ["subject_race"]}),
]
START, END = dt.date(2023, 1, 1), dt.date(2024, 10, 31)


def _events(seed: int, end: dt.date = END) -> dict:
    rng = np.random.default_rng(seed)
    days = (end - START).days + 1
    crime, calls, stops = [], [], []
    for i in range(days):
        day = dt.datetime.combine(START + dt.timedelta(days=i), dt.time())
        for _ in range(int(rng.poisson(4))):
            area = str(rng.choice(list(PRECINCT)))
            crime.append({"event_time": day + dt.timedelta(minutes=int(rng.integers(0, 1440))),
                          "category": str(rng.choice(["ROBBERY", "BURGLARY", "THEFT"])),
                          "crime_against": "PROPERTY" if rng.random() < 0.8 else "PERSON",
                          "area_mcpp": area, "area_precinct": PRECINCT[area]})
        for _ in range(int(rng.poisson(6))):
            area = str(rng.choice(list(PRECINCT)))
            secs = None if rng.random() < 0.05 else float(round(rng.gamma(2.0, 200.0)))
            calls.append({"event_time": day + dt.timedelta(minutes=int(rng.integers(0, 1440))),
                          "category": str(rng.choice(["ALARM", "ASSAULT"])), "priority": int(rng.choice([1, 1, 2])),
                          "response_seconds": secs, "area_precinct": PRECINCT[area],
                          "area_mcpp": None if rng.random() < 0.03 else area})  # NULL area: listed as UNKNOWN
        for _ in range(int(rng.poisson(2))):
            pr = str(rng.choice(["N", "S"]))
            stops.append({"event_time": day + dt.timedelta(minutes=int(rng.integers(0, 1440))),
                          "category": str(rng.choice(["Arrest", "Field Contact"])),
                          "subject_race": RACES[int(rng.integers(0, len(RACES)))], "area_precinct": pr,
                          "arrest_flag": bool(rng.random() < 0.3)})
    return {"crime": crime, "calls": calls, "terry_stops": stops}


def _build_aggregates(eng) -> None:
    eng.warehouse.close()
    con = duckdb.connect(str(eng.warehouse.path))
    aggregates.build(con, eng.catalog)
    con.close()


@pytest.fixture(scope="module")
def eng(tmp_path_factory):
    e = open_engine(tmp_path_factory.mktemp("memory"), MEASURES, _events(3), DEN, AREAS)
    _build_aggregates(e)
    assert all(e._agg_ok(m["id"]) for m in MEASURES)
    return e


def _three_ways(eng, call):
    """The call's answer from event tables, from aggregate tables in SQL, and from memory."""
    out = []
    for agg, mem in ((False, False), (True, False), (True, True)):
        eng.use_aggregates, eng.use_memory = agg, mem
        try:
            out.append(call())
        finally:
            eng.use_aggregates, eng.use_memory = True, True
    return out


def _same(a, b, where):
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False,
                                      rtol=1e-12, obj=where)
        return
    for k in a.__dataclass_fields__:
        x, y = getattr(a, k), getattr(b, k)
        if isinstance(x, float) and isinstance(y, float):
            assert x == pytest.approx(y, rel=1e-12, nan_ok=True), (where, k)
        else:
            assert x == y, (where, k, x, y)


def _calls(eng):
    meeting = eng.period("meeting")
    ytd = eng.period("ytd")
    custom = make_period("custom", dt.date(2024, 3, 20), dt.date(2023, 12, 20))
    year = meeting.end - dt.timedelta(weeks=52)
    for m in MEASURES:
        i, layers, fields = m["id"], m["breakdowns"]["layers"], m["breakdowns"].get("fields", [])
        for p in (meeting, ytd, custom):
            yield f"{i} {p.kind}", lambda i=i, p=p: eng.measure(i, p)
        for grain in ("week", "month", "meeting", "day"):
            start = meeting.start if grain == "day" else year
            yield f"{i} series {grain}", lambda i=i, g=grain, s=start: eng.series(i, g, s, meeting.end)
        for layer in layers:
            area = eng.areas(layer)["area_id"].iloc[0]
            one = Filters(layer=layer, areas=(area,))
            yield f"{i} {layer} {area}", lambda i=i, f=one: eng.measure(i, ytd, f)
            yield f"{i} by {layer}", lambda i=i, layer=layer: eng.breakdown(i, meeting, f"area:{layer}")
            yield f"{i} series in {area}", lambda i=i, f=one: eng.series(i, "week", year, meeting.end, f)
        for fld in fields:
            yield f"{i} by {fld}", lambda i=i, fld=fld: eng.breakdown(i, ytd, fld)
            black = Filters(group_field=fld, group_value="Black")
            yield f"{i} Black", lambda i=i, f=black: eng.measure(i, custom, f)
            yield f"{i} Black by precinct", lambda i=i, f=black: eng.breakdown(i, ytd, "area:precinct", f)
            if m["computation"]["kind"] != "disparity":
                yield f"{i} disparity", lambda i=i: eng.disparity(i, ytd, "subject_race", "White")
        if m["computation"].get("dataset") == "crime":
            robbery = Filters(categories=("ROBBERY",))
            yield f"{i} robbery only", lambda i=i, f=robbery: eng.measure(i, meeting, f)
        # a category filter: a cube of its own (of the view's areas, if any), or SQL for every area
        cats = {"crime": ("ROBBERY", "THEFT"), "calls": ("ALARM",), "terry_stops": ("Arrest",)}[m["computation"]["dataset"]]
        for layer in layers:
            area = eng.areas(layer)["area_id"].iloc[-1]
            for c in (cats[:1], cats):
                inside = Filters(layer=layer, areas=(area,), categories=c)
                two = Filters(layer=layer, areas=tuple(eng.areas(layer)["area_id"].iloc[:2]), categories=c)
                yield f"{i} {c} in {area}", lambda i=i, f=inside: eng.measure(i, ytd, f)
                yield f"{i} {c} series in {area}", lambda i=i, f=inside: eng.series(i, "week", year, meeting.end, f)
                yield f"{i} {c} last year in {area}", lambda i=i, f=inside: eng.series(
                    i, "week", year - dt.timedelta(days=364), meeting.end - dt.timedelta(days=364), f, flags=False)
                yield f"{i} {c} by {layer}", lambda i=i, layer=layer, c=c: eng.breakdown(
                    i, meeting, f"area:{layer}", Filters(layer=layer, categories=c))
                yield f"{i} {c} two areas by {layer}", lambda i=i, layer=layer, f=two: eng.breakdown(
                    i, custom, f"area:{layer}", f)
                for fld in fields:
                    yield f"{i} {c} in {area} by {fld}", lambda i=i, fld=fld, f=inside: eng.breakdown(i, ytd, fld, f)
        for fld in fields:
            yield f"{i} {cats} by {fld}", lambda i=i, fld=fld: eng.breakdown(i, meeting, fld, Filters(categories=cats))
        yield f"{i} {cats} citywide series", lambda i=i: eng.series(i, "month", year, meeting.end, Filters(categories=cats))
    yield "goal overview", lambda: eng.goal_overview(meeting)


@pytest.mark.slow
def test_memory_sql_aggregates_and_event_tables_agree_on_every_call(eng):
    n = 0
    for where, call in _calls(eng):
        events, sql, memory = _three_ways(eng, call)
        if isinstance(events, list):  # goal overview
            for a, b, c in zip(events, sql, memory):
                for ra, rb, rc in zip(a.results, b.results, c.results):
                    _same(ra, rb, where)
                    _same(ra, rc, where)
            continue
        _same(events, sql, where)
        _same(events, memory, where)
        n += 1
    assert n > 100
    assert eng.memory_bytes() > 0  # the in-memory path was really used
    held = eng._m()["category_cubes"]  # and category filters were answered from cubes of their own
    assert len(held) > 10 and all(c.categories for c in held.values())


def test_percentile_from_memory_is_numpys_quantile_and_order_statistics(eng):
    from engine import stats

    p = make_period("custom", dt.date(2024, 6, 30), dt.date(2024, 1, 1))
    con = duckdb.connect(str(eng.warehouse.path), read_only=True)
    secs = np.array([r[0] for r in con.execute(
        "SELECT response_seconds FROM calls WHERE priority = 1 AND response_seconds IS NOT NULL "
        "AND event_time >= DATE '2024-01-01' AND event_time < DATE '2024-07-01'").fetchall()])
    con.close()
    eng.warehouse.refresh()
    assert len(secs) > 500
    for mid, q in (("p1_median", 0.5), ("p1_p90", 0.9)):
        r = eng.measure(mid, p)
        assert r.n == len(secs)
        assert r.value == pytest.approx(np.quantile(secs, q) / 60, rel=1e-12)
        lo, hi = stats.quantile_ci(secs, q)
        assert (r.ci_low, r.ci_high) == pytest.approx((lo / 60, hi / 60), rel=1e-12)


def test_same_period_last_year_of_a_year_to_date_is_last_years_own_number(eng):
    """A year to date's prior period (the same length just before) and its same period last year
    overlap by months; each must still count all of its own days."""
    ytd = eng.period("ytd")
    last_year = make_period("custom", ytd.prior_year().end, ytd.prior_year().start)
    before = make_period("custom", ytd.prior().end, ytd.prior().start)
    for mid in ("robberies", "p1_median", "p1_within_7"):
        for r, direct_ly, direct_prior in zip(_three_ways(eng, lambda mid=mid: eng.measure(mid, ytd)),
                                              _three_ways(eng, lambda mid=mid: eng.measure(mid, last_year)),
                                              _three_ways(eng, lambda mid=mid: eng.measure(mid, before))):
            assert r.prior_year == pytest.approx(direct_ly.value)
            assert r.prior == pytest.approx(direct_prior.value)
    r = eng.measure("robberies", ytd)  # the target is 10% below last year's own count
    assert r.target == pytest.approx(0.9 * eng.measure("robberies", last_year).value)


@pytest.mark.slow
def test_a_replaced_warehouse_is_read_afresh_not_from_memory(tmp_path):
    e = open_engine(tmp_path, MEASURES, _events(5), DEN, AREAS)
    _build_aggregates(e)
    p = e.period("ytd")
    before = e.measure("robberies", p).value, e.measure("p1_median", p).value
    bd_before = e.breakdown("robberies", p, "area:mcpp")
    assert e.memory_bytes() > 0
    # the ETL writes a new file and swaps it in: one more month of events, different seed
    new = make_warehouse(tmp_path / "w.duckdb.new", _events(6, END + dt.timedelta(days=30)), DEN, AREAS)
    con = duckdb.connect(str(new))
    aggregates.build(con, e.catalog)
    con.close()
    os.replace(new, e.warehouse.path)
    p2 = e.period("ytd")
    assert p2.end > p.end
    after = e.measure("robberies", p2).value, e.measure("p1_median", p2).value
    e.use_memory = False
    assert after == (e.measure("robberies", p2).value, e.measure("p1_median", p2).value)
    e.use_memory = True
    assert after != before
    bd_after = e.breakdown("robberies", p, "area:mcpp")
    assert not bd_after["value"].equals(bd_before["value"])
    assert not any(math.isnan(v) for v in after)
