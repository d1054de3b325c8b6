"""The one time model (engine/timemodel.py), with numbers worked out by hand on tiny warehouses.

The fire file of January 2022 in miniature: Saturday 1 and Sunday 2 January hold 60 calls a day
(New Year), every later day of the month 20. Weeks start on Mondays, so the week of 27 December
holds 2 days of data (120 calls), the weeks of 3 to 24 January 7 days (140 each) and the week of
31 January one day (20).
"""
from __future__ import annotations

import datetime as dt
import math

import pytest

from engine import timemodel
from engine.periods import make_period
from engine.status import status
from test_engine_fixtures import measure, open_engine, ts

JAN = [dt.date(2022, 1, 1) + dt.timedelta(days=i) for i in range(31)]
FIRE = [{"event_time": ts(f"{d} {8 + k % 12:02d}:00")} for d in JAN for k in range(60 if d.day <= 2 else 20)]
MEASURES = [
    measure("fire_calls", {"kind": "count", "dataset": "fire_calls"}, direction="none"),
    measure("fire_target", {"kind": "count", "dataset": "fire_calls"},
            target={"value": 560, "per_days": 28, "tolerance_pct": 10}),
    measure("fire_vs_last_year", {"kind": "count", "dataset": "fire_calls"},
            target={"change_pct": -5, "baseline": "prior_year", "tolerance_pct": 5}),
]
WEEKS = [dt.date(2021, 12, 27) + dt.timedelta(weeks=i) for i in range(6)]


@pytest.fixture(scope="module")
def eng(tmp_path_factory):
    return open_engine(tmp_path_factory.mktemp("fire"), MEASURES, {"fire_calls": FIRE})


def test_each_bucket_knows_its_days_and_part_weeks_are_partial(eng):
    s = eng.series("fire_calls", "week", dt.date(2022, 1, 1), dt.date(2022, 1, 31))
    assert list(s["period_start"]) == WEEKS
    assert list(s["days"]) == [2, 7, 7, 7, 7, 1]
    assert list(s["grain_days"]) == [7] * 6
    assert list(s["partial"]) == [True, False, False, False, False, True]
    assert list(s["numerator"]) == [120, 140, 140, 140, 140, 20]
    # the window reaches back before the data: those weeks hold no day of data (blank, not partial)
    wide = eng.series("fire_calls", "week", dt.date(2021, 12, 1), dt.date(2022, 1, 31))
    before = wide[wide["period_start"] < dt.date(2021, 12, 27)]
    assert (before["days"] == 0).all() and not before["partial"].any() and before["value"].isna().all()


def test_normal_weeks_are_not_flagged_because_of_a_part_week(eng):
    """Old rule: the 2-day New Year week (60 a day) sat in the baseline of the weeks after it, so
    normal weeks of 140 were 'lower than expected'; and the 1-day week was tested too."""
    s = eng.series("fire_calls", "week", dt.date(2022, 1, 1), dt.date(2022, 1, 31))
    assert not s["flagged"].any()
    tested = s["p_value"].notna().tolist()
    assert tested == [False, False, False, True, True, False]  # partial weeks never; 10 Jan has one week before
    assert s["p_value"].iloc[3] == pytest.approx(1.0)           # 17 Jan against 3 and 10 Jan: equal


def test_complete_rows_are_what_gets_ranked(eng):
    s = eng.series("fire_calls", "week", dt.date(2022, 1, 1), dt.date(2022, 1, 31))
    c = timemodel.complete(s)
    assert list(c["period_start"]) == WEEKS[1:5]
    assert c["value"].min() == 140 and c["value"].max() == 140   # not 20 (1 day) nor 120 (2 days)


def test_a_period_past_the_data_is_compared_like_with_like(eng):
    """14 days of which the data hold 8 (24-31 Jan): compared with the 8 days before, not 14."""
    p = make_period("custom", dt.date(2022, 2, 6), dt.date(2022, 1, 24))
    r = eng.measure("fire_calls", p)
    assert (r.period.start, r.period.end, r.period.days) == (dt.date(2022, 1, 24), dt.date(2022, 1, 31), 8)
    assert "8 of its 14 days have data" in r.period.label
    assert eng.within_data("fire_calls", p) == r.period   # what breakdowns and hot spots measure too
    assert r.value == 160 and r.prior == 160 and r.change == 0          # 16-23 Jan: 8 days of 20
    assert (r.prior_period.start, r.prior_period.end) == (dt.date(2022, 1, 16), dt.date(2022, 1, 23))
    t = eng.measure("fire_target", p)
    assert t.target == pytest.approx(560 * 8 / 28)                      # the target for the 8 days


def test_count_target_is_drawn_at_the_charts_grain_and_sums_to_the_badges(eng):
    p = make_period("custom", dt.date(2022, 1, 30), dt.date(2022, 1, 3))   # 4 whole weeks
    r = eng.measure("fire_target", p)
    assert r.target == 560 and r.value == 560 and r.status == "on_track"
    s = eng.series("fire_target", "week", dt.date(2022, 1, 1), dt.date(2022, 1, 31))
    line = timemodel.target_line("count", r.target, r.period, s["period_start"], s["period_end"], s["days"], False)
    assert line == [pytest.approx(x) for x in (40, 140, 140, 140, 140, 20)]   # 560 * days / 28
    inside = [t for t, d in zip(line, s["period_start"]) if p.start <= d <= p.end]
    assert sum(inside) == pytest.approx(r.target)
    assert status(sum(s["value"][1:5]), sum(inside), "down", 10) == r.status


def test_a_year_to_date_target_is_drawn_per_week_not_as_the_years(eng):
    """A count target over a year to date (560 per 28 days -> 620 for 31 days) on a weekly chart is
    each week's share (140), not 620 flattening the weeks into the axis."""
    r = eng.measure("fire_target", eng.period("ytd", end=dt.date(2022, 1, 31)))
    assert r.target == pytest.approx(620)
    s = eng.series("fire_target", "week", dt.date(2022, 1, 1), dt.date(2022, 1, 31))
    line = timemodel.target_line("count", r.target, r.period, s["period_start"], s["period_end"], s["days"], False)
    assert line[1:5] == [pytest.approx(140)] * 4 and sum(line) == pytest.approx(r.target)


def test_a_target_from_last_year_is_drawn_only_on_its_period(eng):
    p = make_period("custom", dt.date(2022, 1, 30), dt.date(2022, 1, 3))
    s = eng.series("fire_vs_last_year", "week", dt.date(2022, 1, 1), dt.date(2022, 1, 31))
    line = timemodel.target_line("count", 532.0, p, s["period_start"], s["period_end"], s["days"], True)
    assert line[0] is None and line[-1] is None
    assert line[1:5] == [pytest.approx(133.0)] * 4


def test_rate_and_share_targets_are_drawn_as_is():
    p = make_period("custom", dt.date(2022, 1, 30), dt.date(2022, 1, 3))
    starts = [dt.date(2022, 1, 3), dt.date(2022, 1, 10)]
    ends = [dt.date(2022, 1, 9), dt.date(2022, 1, 16)]
    assert timemodel.target_line("rate", 2.0, p, starts, ends, [7, 3], False) == [2.0, 2.0]
    assert timemodel.target_line("share", 50.0, p, starts, ends, [7, 0], False) == [50.0, None]


SHARE = [measure("within_7", {"kind": "share", "dataset": "calls", "where": {"priority": 1},
                              "condition": {"response_seconds": {"le": 420}}}, unit="%", direction="up",
                 small_number_threshold=10),
         measure("uof_per_call", {"kind": "ratio", "numerator": {"dataset": "use_of_force"},
                                  "denominator": {"dataset": "calls"}, "per": 1}, direction="down")]
# 12 calls a day 3-9 Jan, 4 calls on Monday 10 Jan; uses of force 3-8 Jan only (one a day)
CALLS = ([{"event_time": ts(f"2022-01-{d:02d} 09:{k:02d}"), "priority": 1, "response_seconds": 300.0}
          for d in range(3, 10) for k in range(12)]
         + [{"event_time": ts(f"2022-01-10 09:{k:02d}"), "priority": 1, "response_seconds": 300.0} for k in range(4)])
UOF = [{"event_time": ts(f"2022-01-{d:02d} 12:00")} for d in range(3, 9)]


def test_a_chart_bucket_and_the_table_agree_on_too_few_cases_and_on_common_days(tmp_path):
    eng = open_engine(tmp_path, SHARE, {"calls": CALLS, "use_of_force": UOF})
    s = eng.series("within_7", "week", dt.date(2022, 1, 3), dt.date(2022, 1, 16))
    r = eng.measure("within_7", make_period("custom", dt.date(2022, 1, 16), dt.date(2022, 1, 10)))
    assert r.value is None                      # 4 calls: fewer than 10, no share
    assert math.isnan(s["value"].iloc[1])       # and the chart's week says the same
    assert s["value"].iloc[0] == 100.0          # 84 calls the week before
    # the ratio's week: uses of force end on 8 Jan, so calls count to 8 Jan too (6 of 7 days)
    s = eng.series("uof_per_call", "week", dt.date(2022, 1, 3), dt.date(2022, 1, 9))
    r = eng.measure("uof_per_call", make_period("custom", dt.date(2022, 1, 9), dt.date(2022, 1, 3)))
    assert r.value == pytest.approx(6 / 72) and s["value"].iloc[0] == pytest.approx(r.value)
    assert s["days"].iloc[0] == 6 and bool(s["partial"].iloc[0])
