"""Known-answer tests for every computation kind, on tiny hand-built DuckDB warehouses.

Every expected number is worked out by hand in the comment beside it. The city has three
neighborhoods (mcpp): A with 1,000 residents, B with 3,000, C with none; 4,000 citywide.
The main period is 26 Feb - 10 Mar 2024 (14 days): it holds a leap day (29 Feb) and the
spring-forward DST change (10 Mar 2024, 02:00 -> 03:00 in Seattle).
"""
from __future__ import annotations

import datetime as dt
import math
import os
import threading

import duckdb
import pytest

from engine import FilterError, Filters, WarehouseMissing, aggregates
from engine.periods import make_period
from test_engine_fixtures import make_warehouse, measure, open_engine, ts

P = make_period("custom", dt.date(2024, 3, 10), dt.date(2024, 2, 26))
DEN = [("city", "city", "total", "all", 2024, 4000.0),
       ("mcpp", "A", "total", "all", 2024, 1000.0), ("mcpp", "B", "total", "all", 2024, 3000.0),
       ("mcpp", "C", "total", "all", 2024, 0.0),
       ("precinct", "N", "total", "all", 2024, 4000.0),
       ("city", "city", "subject_race", "Black", 2024, 1000.0),
       ("city", "city", "subject_race", "White", 2024, 2000.0),
       ("city", "city", "subject_race", "Asian", 2024, 1000.0)]
AREAS = [("mcpp", "A", "Alpha"), ("mcpp", "B", "Beta"), ("mcpp", "C", "Gamma (park, no residents)"),
         ("precinct", "N", "North")]


def crime(t, cat="ROBBERY", area="A"):
    return {"event_time": ts(t), "category": cat, "area_mcpp": area, "area_precinct": "N", "crime_against": "PROPERTY"}


CRIME = [
    crime("2024-02-25 23:59:59"),          # the day before the period: out
    crime("2024-02-29 10:00"),             # leap day: in (A)
    crime("2024-03-10 01:30"),             # DST day, before the jump: in (A)
    crime("2024-03-10 03:30", area="B"),   # DST day, after the jump: in (B)
    crime("2024-03-10 23:59:59", area="B"),  # last second of the period: in (B)
    crime("2024-03-11 00:00", area="B"),   # first second after: out
    crime("2024-03-01 12:00", cat="ASSAULT OFFENSES"),  # other category: out of the robbery count
    crime("2023-03-01 12:00"),             # same period last year: 1 robbery
    crime("2023-01-02 12:00", cat="OTHER"),  # the data start here, before last year's window
    crime("2024-02-20 12:00"), crime("2024-02-21 12:00"),  # in the prior 14 days (12-25 Feb)
]


def call(t, priority, secs, area="A"):
    return {"event_time": ts(t), "category": "X", "priority": priority, "response_seconds": secs,
            "area_mcpp": area, "area_precinct": "N"}


CALLS = [call("2024-03-01 08:00", 1, s) for s in (60, 120, 180, 240, 420, 600)] + [
    call("2024-03-02 08:00", 1, None),     # no arrival: not in percentiles or shares
    call("2024-03-02 09:00", 2, 10000),    # priority 2: not in priority-1 measures
]
UOF = [{"event_time": ts("2024-03-05 12:00"), "category": "Level 1 - Use of Force", "area_mcpp": "A",
        "subject_race": "Black"} for _ in range(3)]
STOPS = ([{"event_time": ts("2024-03-03 12:00"), "category": "Arrest", "subject_race": "Black", "frisk_flag": i < 3}
          for i in range(6)] +
         [{"event_time": ts("2024-03-03 12:00"), "category": "Arrest", "subject_race": "White", "frisk_flag": i < 1}
          for i in range(4)])
EVENTS = {"crime": CRIME, "calls": CALLS, "use_of_force": UOF, "terry_stops": STOPS}

MEASURES = [
    measure("robberies", {"kind": "count", "dataset": "crime", "where": {"category": "ROBBERY"}}),
    measure("robbery_rate", {"kind": "rate", "dataset": "crime", "where": {"category": "ROBBERY"}, "per": 1000}),
    measure("p1_median", {"kind": "percentile", "dataset": "calls", "where": {"priority": 1},
                          "column": "response_seconds", "q": 0.5, "scale": 60}, small_number_threshold=5),
    measure("p1_p90", {"kind": "percentile", "dataset": "calls", "where": {"priority": 1},
                       "column": "response_seconds", "q": 0.9, "scale": 60}, small_number_threshold=5),
    measure("p1_within_7", {"kind": "share", "dataset": "calls",
                            "where": {"priority": 1, "response_seconds": {"not_null": True}},
                            "condition": {"response_seconds": {"le": 420}}}, direction="up",
            small_number_threshold=5),
    measure("uof_per_call", {"kind": "ratio", "numerator": {"dataset": "use_of_force"},
                             "denominator": {"dataset": "calls"}, "per": 1000}),
    measure("stop_disparity", {"kind": "disparity", "dataset": "terry_stops", "field": "subject_race",
                               "group": "Black", "reference": "White"},
            breakdowns={"layers": ["mcpp"], "fields": ["subject_race"]}),
    measure("frisk_disparity", {"kind": "disparity", "dataset": "terry_stops", "field": "subject_race",
                                "group": "Black", "reference": "White", "basis": "contacts",
                                "condition": {"frisk_flag": True}},
            breakdowns={"layers": ["mcpp"], "fields": ["subject_race"]}),
    measure("fresh", {"kind": "freshness", "datasets": ["crime", "calls", "ois"]}, direction="up", breakdowns=None),
]
DATASETS = [{"id": "crime", "title": "c", "cadence_days": 1, "lag_days": 7},
            {"id": "calls", "title": "k", "cadence_days": 1, "lag_days": 2},
            {"id": "use_of_force", "title": "u", "cadence_days": 30, "lag_days": 0},
            {"id": "terry_stops", "title": "t", "cadence_days": 30, "lag_days": 0},
            {"id": "ois", "title": "o", "cadence_days": 90, "lag_days": 0}]


@pytest.fixture(params=["events", "aggregates"])
def eng(request, tmp_path):
    """The same questions answered from the event tables and from the ETL-time aggregates."""
    e = open_engine(tmp_path, MEASURES, EVENTS, DEN, AREAS, datasets=DATASETS)
    if request.param == "aggregates":
        e.warehouse.close()
        con = duckdb.connect(str(e.warehouse.path))
        built = aggregates.build(con, e.catalog)
        con.close()
        assert built["robberies"] > 0
        assert e._agg_ok("robberies")
    return e


def test_count_leap_day_dst_day_and_period_edges(eng):
    r = eng.measure("robberies", P)
    assert r.value == 4          # 29 Feb, 10 Mar 01:30, 10 Mar 03:30, 10 Mar 23:59:59
    assert r.prior == 3          # prior 14 days, 12-25 Feb: 20, 21 and 25 Feb 23:59:59
    assert r.prior_year == 1     # 1 Mar 2023 (custom range: same dates a year back)
    assert (r.ci_low, r.ci_high) == pytest.approx((1.0899, 10.2416), abs=1e-3)  # exact Poisson 95% for 4
    assert r.status == "no_target"


def test_count_breakdown_lists_empty_neighborhood_with_zero(eng):
    bd = eng.breakdown("robberies", P, "area:mcpp").set_index("key")
    assert bd.loc["A", "value"] == 2 and bd.loc["B", "value"] == 2 and bd.loc["C", "value"] == 0
    assert bd.loc["C", "label"] == "Gamma (park, no residents)"


def test_empty_period_inside_the_data_counts_zero_outside_is_no_data(eng):
    quiet = make_period("custom", dt.date(2024, 3, 9), dt.date(2024, 3, 2))  # events on 1 and 10 Mar only
    r = eng.measure("robberies", quiet)
    assert r.value == 0
    future = make_period("custom", dt.date(2030, 1, 14), dt.date(2030, 1, 1))
    r = eng.measure("robberies", future)
    assert r.value is None and r.status == "no_data"


def test_rate_per_1000_residents_annualised_and_no_residents_no_rate(eng):
    r = eng.measure("robbery_rate", P)
    # 4 robberies / 4,000 residents x 1,000 = 1 per 1,000 in 14 days; x 365/14 per year
    assert r.value == pytest.approx(365 / 14)
    assert r.denominator == 4000
    bd = eng.breakdown("robbery_rate", P, "area:mcpp").set_index("key")
    assert bd.loc["A", "value"] == pytest.approx(2 / 1000 * 1000 * 365 / 14)   # 52.14
    assert bd.loc["B", "value"] == pytest.approx(2 / 3000 * 1000 * 365 / 14)   # 17.38
    assert math.isnan(bd.loc["C", "value"])                                   # no residents: no rate
    f = Filters(layer="mcpp", areas=("C",))
    assert eng.measure("robbery_rate", P, f).value is None


def test_percentiles_of_response_time(eng):
    # priority-1 seconds: 60 120 180 240 420 600 (the call without arrival and the priority-2 are out)
    med = eng.measure("p1_median", P)
    assert med.value == pytest.approx((180 + 240) / 2 / 60)          # 3.5 minutes
    assert med.n == 6
    p90 = eng.measure("p1_p90", P)
    assert p90.value == pytest.approx((420 + 0.5 * (600 - 420)) / 60)  # rank 4.5 of 0..5: 8.5 minutes


def test_share_meeting_a_condition_counts_the_boundary(eng):
    r = eng.measure("p1_within_7", P)
    assert r.value == pytest.approx(100 * 5 / 6)   # 60..420 are within 7 minutes (420 included); 600 is not
    assert (r.numerator, r.denominator) == (5, 6)


def test_ratio_of_two_counts(eng):
    r = eng.measure("uof_per_call", P)
    assert r.value == pytest.approx(3 / 8 * 1000)  # 3 uses of force over all 8 calls
    bd = eng.breakdown("uof_per_call", P, "area:mcpp").set_index("key")
    assert bd.loc["A", "value"] == pytest.approx(3 / 8 * 1000)
    assert math.isnan(bd.loc["B", "value"])        # no calls in B: no ratio


def test_disparity_per_resident_with_exact_interval(eng):
    r = eng.measure("stop_disparity", P)
    # Black: 6 stops / 1,000 residents; White: 4 / 2,000 -> (6/1000)/(4/2000) = 3.0
    assert r.value == pytest.approx(3.0)
    # Clopper-Pearson 95% for 6 of 10 is (0.2624, 0.8784); RR = p/(1-p) x 2000/1000
    assert r.ci_low == pytest.approx(0.2624 / 0.7376 * 2, rel=1e-3)
    assert r.ci_high == pytest.approx(0.8784 / 0.1216 * 2, rel=1e-3)
    d = eng.disparity("stop_disparity", P, "subject_race", "White").set_index("group")
    assert d.loc["White", "ratio"] == 1.0
    assert d.loc["Black", "rate"] == pytest.approx(6 / 1000 * 1000 * 365 / 14)


def test_disparity_per_contact(eng):
    r = eng.measure("frisk_disparity", P)
    assert r.value == pytest.approx((3 / 6) / (1 / 4))  # half of Black subjects frisked, a quarter of White: 2.0


def test_freshness_share_of_datasets(eng):
    r = eng.measure("fresh", P)
    # at 10 Mar 2024: crime newest 10 Mar (fresh, 1+7 days allowed); calls newest 2 Mar is 8 days old
    # (1+2 allowed: stale); ois has no rows (stale) -> 1 of 3
    assert r.value == pytest.approx(100 / 3)


def test_series_has_every_bucket_and_zero_weeks(eng):
    s = eng.series("robberies", "week", dt.date(2024, 2, 19), dt.date(2024, 3, 10))
    # weeks start Monday: 19 Feb (20, 21, 25 Feb = 3), 26 Feb (29 Feb = 1), 4 Mar (10 Mar x3 = 3)
    assert list(s["period_start"]) == [dt.date(2024, 2, 19), dt.date(2024, 2, 26), dt.date(2024, 3, 4)]
    assert list(s["value"]) == [3, 1, 3]


def test_category_and_group_filters(eng):
    assert eng.measure("robberies", P, Filters(categories=("ROBBERY",))).value == 4
    assert eng.measure("robberies", P, Filters(categories=("NOT A CATEGORY",))).value == 0
    assert eng.measure("robberies", P, Filters(layer="mcpp", areas=("B",))).value == 2


def test_identifiers_are_checked_and_values_are_bound(eng):
    with pytest.raises(FilterError, match="layer 'beat'"):
        eng.measure("robberies", P, Filters(layer="beat", areas=("B1",)))
    with pytest.raises(FilterError, match="cannot be broken down"):
        eng.breakdown("robberies", P, "subject_race")
    with pytest.raises(FilterError):
        eng.breakdown("robberies", P, "area:mcpp; DROP TABLE crime")
    # a hostile value is only ever a value
    assert eng.measure("robberies", P, Filters(layer="mcpp", areas=("A' OR '1'='1",))).value == 0
    assert eng.measure("robberies", P).value == 4


def test_public_breakdown_is_suppressed(tmp_path):
    e = open_engine(tmp_path, MEASURES, EVENTS, DEN, AREAS, datasets=DATASETS, mode="public")
    bd = e.breakdown("robberies", P, "area:mcpp").set_index("key")
    # A=2 and B=2 are small; C=0 is shown; total 4 is small too
    assert list(bd["display"]) == ["not shown (privacy)", "not shown (privacy)", "0"]  # one label
    assert bd["value"].isna().tolist() == [True, True, False]


def test_warehouse_swap_is_seen_and_missing_file_is_explained(tmp_path):
    e = open_engine(tmp_path, MEASURES, EVENTS, DEN, AREAS, datasets=DATASETS)
    assert e.measure("robberies", P).value == 4
    new = make_warehouse(tmp_path / "w.duckdb.new", {"crime": CRIME[:2]}, DEN, AREAS)
    os.replace(new, e.warehouse.path)
    assert e.measure("robberies", P).value == 1  # only the leap-day robbery is in the new file
    os.remove(e.warehouse.path)
    with pytest.raises(WarehouseMissing, match="python -m etl demo"):
        e.measure("robberies", P)


def test_concurrent_calls_from_threads_agree(eng):
    results, errors = [], []

    def work():
        try:
            for _ in range(10):
                results.append(eng.measure("robberies", P).value)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and results == [4] * 60


def test_disparity_breakdown_by_its_field_and_by_month(eng):
    bd = eng.breakdown("stop_disparity", P, "subject_race").set_index("key")
    assert bd.loc["Black", "value"] == pytest.approx(3.0) and bd.loc["White", "value"] == 1.0
    s = eng.series("stop_disparity", "month", dt.date(2024, 2, 1), dt.date(2024, 3, 31))
    assert math.isnan(s["value"].iloc[0])                 # February: no stops
    assert s["value"].iloc[1] == pytest.approx(3.0)       # March: all ten stops


def test_overview_inventory_and_geography(eng):
    groups = eng.goal_overview(P)
    assert [g.goal.id for g in groups] == ["g"]
    assert sum(groups[0].counts.values()) == len(MEASURES)
    inv = eng.inventory().set_index("dataset")
    assert inv.loc["crime", "rows"] == len(CRIME) and inv.loc["ois", "rows"] == 0
    assert list(eng.areas("mcpp")["area_id"]) == ["A", "B", "C"]
    assert eng.categories("robberies") == ["ROBBERY"]
    assert eng.as_of() == dt.date(2024, 3, 11)            # newest event: 11 Mar 00:00
    assert not eng.is_demo()


def test_percentile_of_thousands_of_calls_matches_numpy(tmp_path):
    """Large n: the engine reads only a window of ranks around the quantile; value and interval
    must still be exactly numpy's interpolated quantile and the order statistics of the ranks."""
    import numpy as np

    from engine import stats

    rng = np.random.default_rng(5)
    secs = rng.gamma(2.0, 200.0, 4000).round()
    calls = [call(f"2024-03-0{1 + i % 9} 08:00", 1, float(s)) for i, s in enumerate(secs)]
    e = open_engine(tmp_path, MEASURES, {"calls": calls}, DEN, AREAS, datasets=DATASETS)
    for mid, q in (("p1_median", 0.5), ("p1_p90", 0.9)):
        r = e.measure(mid, P)
        assert r.value == pytest.approx(np.quantile(secs, q) / 60)
        lo, hi = stats.quantile_ci(secs, q)
        assert (r.ci_low, r.ci_high) == pytest.approx((lo / 60, hi / 60))
        assert r.n == 4000
