"""Comparison periods that reach before a dataset's first event are no data, never zero.

A prior period or a "same period last year" that starts before the data do would count the
missing days as zero, turn a "-5% vs last year" target into a wrong number and give a wrong
status. Crime here starts on 15 Feb 2024 (its first event) and ends on 5 Mar 2025.
"""
from __future__ import annotations

import datetime as dt

from engine.periods import make_period
from test_engine_fixtures import measure, open_engine, ts

TARGET = {"change_pct": -5, "baseline": "prior_year", "tolerance_pct": 10}
MEASURES = [measure("robberies", {"kind": "count", "dataset": "crime"}, target=TARGET)]
CRIME = [{"event_time": ts(t), "category": "ROBBERY"} for t in (
    "2024-02-15 09:00",  # the first event: the data start here
    "2024-02-22 12:00", "2024-03-01 12:00", "2024-03-03 12:00",
    "2025-01-10 12:00", "2025-02-01 12:00", "2025-03-05 12:00",  # the last event
)]


def engine(tmp_path):
    return open_engine(tmp_path, MEASURES, {"crime": CRIME})


def test_last_year_partly_before_the_first_event_is_no_data_not_a_target(tmp_path):
    eng = engine(tmp_path)
    p = make_period("ytd", dt.date(2025, 3, 10))          # 1 Jan - 10 Mar 2025
    r = eng.measure("robberies", p)
    assert r.value == 3                                     # 10 Jan, 1 Feb, 5 Mar 2025
    # last year = 1 Jan - 10 Mar 2024, but the data start on 15 Feb 2024: 4 events there would
    # have made a target of 3.8 and "on track"; the honest answer is that there is no baseline.
    assert r.prior_year is None and r.change_year is None and r.change_year_pct is None
    assert r.target is None
    assert r.status == "no_target"   # a value (3) with nothing to judge it by: not "no data"
    assert "Not enough data" in r.note
    # the prior 69 days (24 Oct - 31 Dec 2024) lie inside the data and had no robbery: a real zero
    assert r.prior == 0


def test_prior_period_partly_before_the_first_event_is_no_data(tmp_path):
    eng = engine(tmp_path)
    p = make_period("custom", dt.date(2024, 3, 6), dt.date(2024, 2, 22))   # 14 days
    r = eng.measure("robberies", p)
    assert r.value == 3                  # 22 Feb, 1 Mar, 3 Mar
    assert r.prior is None               # 8-21 Feb 2024 starts before 15 Feb (it held 1 event)
    assert r.change is None and r.change_pct is None and not r.flag.flagged
    assert r.prior_year is None          # 2023: no data at all
    assert r.status == "no_target"       # the value is there; the target (from last year) is not


def test_last_year_inside_the_data_still_sets_the_target(tmp_path):
    eng = engine(tmp_path)
    p = make_period("custom", dt.date(2025, 3, 5), dt.date(2025, 2, 20))
    r = eng.measure("robberies", p)
    assert r.value == 1                  # 5 Mar 2025
    assert r.prior_year == 3             # 20 Feb - 5 Mar 2024: 22 Feb, 1 Mar, 3 Mar
    assert r.target == 3 * 0.95          # 5% below last year
    assert r.status == "on_track"        # 1 <= 2.85, lower is better
