"""Periods a meeting reviews: biweekly from the anchor, 7/28-day, year to date, custom; their
prior period and same period last year (leap years included)."""
from __future__ import annotations

import datetime as dt

import pytest

from engine.periods import PeriodError, make_period, meeting_dates, meeting_start

D = dt.date
ANCHOR = D(2024, 1, 1)  # a Monday


def test_meeting_period_containing_a_date_and_the_last_complete_one():
    p = make_period("meeting", D(2024, 1, 20), anchor=ANCHOR)
    assert (p.start, p.end) == (D(2024, 1, 15), D(2024, 1, 28))  # 15 Jan = anchor + 14
    done = make_period("meeting", D(2024, 1, 20), anchor=ANCHOR, complete=True)
    assert (done.start, done.end) == (D(2024, 1, 1), D(2024, 1, 14))
    last_day = make_period("meeting", D(2024, 1, 28), anchor=ANCHOR, complete=True)
    assert (last_day.start, last_day.end) == (D(2024, 1, 15), D(2024, 1, 28))


def test_meeting_periods_before_the_anchor_and_other_rhythms():
    p = make_period("meeting", D(2023, 12, 31), anchor=ANCHOR)
    assert (p.start, p.end) == (D(2023, 12, 18), D(2023, 12, 31))
    p = make_period("meeting", D(2024, 1, 10), anchor=ANCHOR, every=7)
    assert (p.start, p.end) == (D(2024, 1, 8), D(2024, 1, 14))
    assert meeting_start(D(2024, 1, 29), ANCHOR) == D(2024, 1, 29)


def test_meeting_dates_around_a_day():
    assert meeting_dates(D(2024, 1, 20), ANCHOR, n_back=2, n_forward=2) == [
        D(2024, 1, 1), D(2024, 1, 15), D(2024, 1, 29), D(2024, 2, 12)]


def test_rolling_and_year_to_date():
    p7 = make_period("7d", D(2024, 3, 10))
    assert (p7.start, p7.days) == (D(2024, 3, 4), 7)
    p28 = make_period("28d", D(2024, 3, 10))
    assert (p28.start, p28.days) == (D(2024, 2, 12), 28)
    ytd = make_period("ytd", D(2024, 3, 10))
    assert (ytd.start, ytd.days) == (D(2024, 1, 1), 31 + 29 + 10)  # 2024 is a leap year


def test_prior_period_is_the_same_length_just_before():
    p = make_period("28d", D(2024, 3, 10)).prior()
    assert (p.start, p.end) == (D(2024, 1, 15), D(2024, 2, 11))


def test_prior_year_keeps_weekdays_for_rolling_periods():
    p = make_period("28d", D(2024, 3, 10))  # Sunday
    py = p.prior_year()
    assert (py.start, py.end) == (D(2023, 2, 13), D(2023, 3, 12))  # 364 days back: also a Sunday
    assert py.end.weekday() == p.end.weekday() and py.days == p.days


def test_prior_year_of_a_leap_day():
    ytd = make_period("ytd", D(2024, 2, 29))
    py = ytd.prior_year()
    assert (py.start, py.end) == (D(2023, 1, 1), D(2023, 2, 28))
    custom = make_period("custom", D(2025, 3, 1), D(2024, 2, 29))
    assert custom.prior_year().start == D(2023, 2, 28)


def test_bad_periods_are_named():
    with pytest.raises(PeriodError, match="expected one of"):
        make_period("fortnight", D(2024, 1, 1))
    with pytest.raises(PeriodError, match="after end"):
        make_period("custom", D(2024, 1, 1), D(2024, 2, 1))
    with pytest.raises(PeriodError, match="start date"):
        make_period("custom", D(2024, 1, 1))


def test_series_buckets_cover_the_range_on_calendar_boundaries():
    from engine.periods import time_buckets

    assert time_buckets("month", D(2024, 1, 15), D(2024, 3, 1), ANCHOR) == [
        (D(2024, 1, 1), D(2024, 1, 31)), (D(2024, 2, 1), D(2024, 2, 29)), (D(2024, 3, 1), D(2024, 3, 31))]
    assert time_buckets("meeting", D(2024, 1, 20), D(2024, 2, 1), ANCHOR) == [
        (D(2024, 1, 15), D(2024, 1, 28)), (D(2024, 1, 29), D(2024, 2, 11))]
    assert time_buckets("year", D(2023, 12, 31), D(2024, 1, 1), ANCHOR) == [
        (D(2023, 1, 1), D(2023, 12, 31)), (D(2024, 1, 1), D(2024, 12, 31))]
    assert time_buckets("week", D(2024, 3, 10), D(2024, 3, 11), ANCHOR) == [
        (D(2024, 3, 4), D(2024, 3, 10)), (D(2024, 3, 11), D(2024, 3, 17))]
