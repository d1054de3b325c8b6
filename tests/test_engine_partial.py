"""Warehouses that hold only part of what the catalog describes (the real samples loaded without
boundaries or population): series and measures still answer, with blanks where a number needs
what is missing."""
from __future__ import annotations

import datetime as dt
import math

from test_engine_fixtures import measure, open_engine, ts

MEASURES = [measure("robbery_rate", {"kind": "rate", "dataset": "crime", "per": 1000})]
# Mondays 1, 8, 15, 22 and 29 Jan 2024 start five weeks; 2, 1, 3, 0 and 4 robberies in them.
DAYS = ["2024-01-01", "2024-01-02", "2024-01-09", "2024-01-15", "2024-01-16", "2024-01-17",
        "2024-01-29", "2024-01-30", "2024-01-31", "2024-02-01"]
CRIME = [{"event_time": ts(d + " 12:00"), "category": "ROBBERY"} for d in DAYS]


def test_rate_series_without_population_has_counts_and_no_rate(tmp_path):
    eng = open_engine(tmp_path, MEASURES, {"crime": CRIME}, denominators=[])  # population not loaded
    s = eng.series("robbery_rate", "week", dt.date(2024, 1, 1), dt.date(2024, 2, 4))
    assert list(s["period_start"]) == [dt.date(2024, 1, d) for d in (1, 8, 15, 22, 29)]
    assert list(s["numerator"]) == [2, 1, 3, 0, 4]
    assert all(math.isnan(v) for v in s["value"])     # no residents known: no rate, not zero
    assert not s["flagged"].any()                     # and nothing to test against
    r = eng.measure("robbery_rate", eng.period("custom", dt.date(2024, 2, 4), dt.date(2024, 1, 22)))
    assert r.numerator == 4 and r.value is None and r.status == "no_data"
