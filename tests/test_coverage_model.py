"""The coverage model on tiny warehouses: what the loaded files can answer, their complete days,
and freshness against an injected clock (engine/coverage.py, Engine.coverage, settings.Clock).

Each warehouse gets its aggregates and coverage tables from the real ETL step
(engine.aggregates.build), so the facts are the ones a load records.
"""
from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from components.engine_cache import CachedEngine
from components.status import combined_status, status_badge
from engine import Engine
from engine.aggregates import build
from engine.periods import make_period
from settings import ROOT, Clock, Settings, SettingsError
from test_engine_fixtures import make_warehouse, measure, ts, write_catalog

ROBBERY = {"kind": "count", "dataset": "crime", "where": {"category": "ROBBERY"}}
PERSONS = {"kind": "count", "dataset": "crime", "where": {"crime_against": "PERSON"}}
MEASURES = [
    measure("robberies", ROBBERY, target={"value": 100, "tolerance_pct": 10}),
    measure("person_crimes", PERSONS, target={"value": 100, "tolerance_pct": 10}),
    measure("calls_rate", {"kind": "rate", "dataset": "calls", "per": 1000}),
    measure("p1_median", {"kind": "percentile", "dataset": "calls", "where": {"priority": 1},
                          "column": "response_seconds", "q": 0.5}, unit="seconds"),
    measure("fire_calls", {"kind": "count", "dataset": "fire_calls"}),
]
MARCH = make_period("custom", dt.date(2024, 3, 31), dt.date(2024, 3, 1))


def robbery(day: str, file="robbery_only.csv", sector="K", precinct="W") -> dict:
    return {"event_time": ts(day), "category": "ROBBERY", "crime_against": "PROPERTY", "source_file": file,
            "sector": sector, "precinct": precinct}


def call(day: str, sector: str, file: str, seconds=300.0, precinct="E") -> dict:
    return {"event_time": ts(day), "category": "X", "priority": 1, "response_seconds": seconds,
            "sector": sector, "precinct": precinct, "source_file": file}


def engine(tmp_path, events, today=None, build_aggregates=True) -> Engine:
    db = make_warehouse(tmp_path / "w.duckdb", events,
                        denominators=[("mcpp", "A", "total", "all", 2024, 750000.0)])
    cat = write_catalog(tmp_path / "catalog", MEASURES)
    if build_aggregates:
        con = duckdb.connect(str(db))
        build(con, cat, ROOT / "config" / "seattle")
        con.close()
    return Engine.open(Settings(db_path=db, catalog_dir=cat, city_config=ROOT / "config" / "seattle",
                                today=today))


def test_a_robbery_only_file_does_not_cover_crimes_against_persons(tmp_path):
    eng = engine(tmp_path, {"crime": [robbery(f"2024-03-{d:02d} 12:00") for d in range(1, 29)]})
    r = eng.measure("person_crimes", MARCH)
    # the old engine said 0 offenses, "On track" (0 <= 100)
    assert r.value is None and r.status == "not_covered" and r.state == "not_covered"
    rob = eng.measure("robberies", MARCH)
    assert rob.value == 28 and rob.state == "value"
    assert "only ROBBERY records" in r.coverage and "crime against = PERSON" in r.coverage
    assert r.note.startswith("Not covered by the loaded data")
    assert not r.flag.flagged and r.target is None
    # its series and breakdowns have nothing to draw (zeros would be false)
    assert len(eng.series("person_crimes", "week", MARCH.start, MARCH.end)) == 0
    assert len(eng.breakdown("person_crimes", MARCH, "area:mcpp")) == 0
    # and in a year with no crime file at all it is still not covered, not "no data"
    assert eng.measure("person_crimes", make_period("custom", dt.date(2026, 1, 31), dt.date(2026, 1, 1))).state \
        == "not_covered"


def test_a_complete_file_with_no_person_crime_this_month_says_zero(tmp_path):
    events = [robbery(f"2024-03-{d:02d} 12:00", file="all.csv") for d in range(1, 29)]
    events.append({**robbery("2024-01-05 10:00", file="all.csv"), "category": "ASSAULT OFFENSES",
                   "crime_against": "PERSON"})
    eng = engine(tmp_path, {"crime": events})
    r = eng.measure("person_crimes", MARCH)
    assert r.value == 0 and r.state == "value" and r.status == "on_track"  # a real zero is a value


def test_a_one_sector_call_file_is_not_a_citywide_rate(tmp_path):
    sector_c = [call(f"2024-03-{d:02d} 12:00", "C", "east_c.csv") for d in range(1, 29)]
    eng = engine(tmp_path, {"calls": sector_c,
                            "crime": [robbery("2024-03-02 12:00", sector=s) for s in "BCDEK"]})
    for mid in ("calls_rate", "p1_median"):
        r = eng.measure(mid, MARCH)
        assert r.value is None and r.state == "not_covered", mid  # the old engine: a citywide figure
        assert "covers one sector (C) only" in r.coverage


def test_a_citywide_file_in_the_period_covers_it(tmp_path):
    events = [call(f"2024-03-{d:02d} 12:00", "C", "east_c.csv") for d in range(1, 29)]
    events += [call("2024-03-15 08:00", s, "city_day.csv", precinct=p) for s, p in zip("BCDKNO", "NNWWSS")]
    eng = engine(tmp_path, {"calls": events})
    r = eng.measure("calls_rate", MARCH)
    assert r.value > 0 and r.state == "no_target"   # a value; calls_rate has no target
    # a period that only the one-sector file reaches is not covered
    april = make_period("custom", dt.date(2024, 3, 28), dt.date(2024, 3, 20))
    assert eng.measure("calls_rate", april).state == "not_covered"


def test_a_file_without_the_needed_column_values_is_not_covered(tmp_path):
    events = [call(f"2024-03-{d:02d} 12:00", s, "no_times.csv", seconds=None)
              for d in range(1, 29) for s in "BC"]
    eng = engine(tmp_path, {"calls": events})
    r = eng.measure("p1_median", MARCH)
    assert r.state == "not_covered" and "carry no response seconds values" in r.coverage
    assert eng.measure("calls_rate", MARCH).value > 0  # counting calls needs no response time


def test_default_period_ends_on_the_measures_own_last_complete_day(tmp_path):
    crime = [robbery(f"2024-03-{d:02d} {h}:00") for d in range(1, 20) for h in (10, 12, 16, 20)]
    crime.append(robbery("2024-03-20 00:10"))   # 1 event on 20 Mar against 4 a day: cut off by the export
    fire = [{"event_time": ts(f"2024-06-{d:02d} {h}:00"), "category": "Aid", "source_file": "fire.csv"}
            for d in range(1, 11) for h in ("00", "12", "23")]            # 3 a day to 10 Jun: complete
    eng = engine(tmp_path, {"crime": crime, "fire_calls": fire})
    assert eng.as_of() == dt.date(2024, 6, 10)
    assert eng.coverage("robberies").last_complete == dt.date(2024, 3, 19)
    assert eng.coverage("fire_calls").last_complete == dt.date(2024, 6, 10)
    assert eng.coverage("fire_calls").first_complete == dt.date(2024, 6, 1)  # starts at midnight
    p = eng.period("28d", measure_id="robberies")
    assert p.end == dt.date(2024, 3, 19)          # not 10 Jun, where crime has no data
    r = eng.measure("robberies", p)
    assert r.value == 19 * 4 and r.state == "value"
    assert eng.latest_data(["robberies", "fire_calls"]) == dt.date(2024, 6, 10)
    lags = {x["dataset"]: x for x in eng.lag_report()}
    assert lags["crime"]["behind_days"] == (dt.date(2024, 6, 10) - dt.date(2024, 3, 20)).days


def test_a_warehouse_without_coverage_tables_still_opens(tmp_path):
    eng = engine(tmp_path, {"crime": [robbery(f"2024-03-{d:02d} 12:00") for d in range(1, 21)]},
                 build_aggregates=False)
    r = eng.measure("person_crimes", MARCH)
    assert r.state == "value" and r.value == 0   # no file facts: nothing says it is not covered
    assert eng.coverage("robberies").last_complete == dt.date(2024, 3, 20)  # nothing says it was cut off


def test_freshness_follows_the_clock_through_the_cache(tmp_path):
    day = {"today": dt.date(2024, 3, 29)}
    crime = [robbery(f"2024-03-{d:02d} 12:00") for d in range(1, 29)]
    cached = CachedEngine(engine(tmp_path, {"crime": crime}, today=lambda: day["today"]))
    p = make_period("28d", dt.date(2024, 3, 28))
    assert cached.measure("robberies", p).freshness.fresh  # a day after the last event: within cadence 1 + lag 0
    day["today"] = dt.date(2024, 4, 28)                    # 30 days on, no load
    assert cached.measure("robberies", p).freshness.fresh is False
    assert cached.inventory().set_index("dataset").loc["crime", "fresh"] == False  # noqa: E712
    assert cached.lag_report()[0]["fresh"] is False


def test_clock_setting(tmp_path):
    assert Clock("2026-12-07")() == dt.date(2026, 12, 7)
    f = tmp_path / "today.txt"
    c = Clock(f"file:{f}")
    assert c() == dt.date.today()          # no file yet: the system date
    f.write_text("2030-01-02\n")
    assert c() == dt.date(2030, 1, 2)
    with pytest.raises(SettingsError, match="SEASTAT_TODAY='tomorrow'"):
        Clock("tomorrow")
    assert Settings.from_env({"SEASTAT_TODAY": "2026-01-01"}).today() == dt.date(2026, 1, 1)


def test_badges_tell_the_four_states_apart():
    words = {s: " ".join(str(c) if isinstance(c, str) else c.children for c in status_badge(s).children)
             for s in ("no_target", "not_covered", "no_data", "on_track")}
    assert "No target" in words["no_target"] and "Not covered" in words["not_covered"]
    assert "No data" in words["no_data"] and len(set(words.values())) == 4
    assert combined_status(["no_target", "no_target"]) == "no_target"  # was "No data"
    assert combined_status(["not_covered", "not_covered"]) == "not_covered"
    assert combined_status(["no_target", "off_track", "not_covered"]) == "off_track"


def test_a_few_rows_say_nothing_about_coverage(tmp_path):
    # a one-day incremental file of 3 calls, all in sector C, beside a citywide file: a period
    # only the small file reaches is a (small) citywide count, not "one sector"
    events = [call(f"2024-02-{d:02d} 12:00", s, "city.csv") for d in range(1, 29) for s in "BCDK"]
    events += [call("2024-03-10 12:00", "C", "since_2024-03-10.csv") for _ in range(3)]
    eng = engine(tmp_path, {"calls": events})
    r = eng.measure("calls_rate", make_period("custom", dt.date(2024, 3, 10), dt.date(2024, 3, 10)))
    assert r.state != "not_covered" and r.value is not None
