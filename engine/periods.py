"""Reporting periods: biweekly meeting periods, 7/28-day windows, year to date, custom ranges.

Every period is a closed range of local calendar dates [start, end]; events count by the
local date of event_time, so a DST change day (23 or 25 hours) is simply one day.
Comparisons: the prior period is the same length immediately before. The prior year is the
same dates one calendar year back for year-to-date and custom ranges (29 Feb -> 28 Feb), and
52 weeks (364 days) back for meeting / 7-day / 28-day periods, so the weekday mix is the same
(the CompStat convention).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

KINDS = ("meeting", "7d", "28d", "ytd", "custom")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str
    kind: str = "custom"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def prior(self) -> "Period":
        end = self.start - dt.timedelta(days=1)
        start = end - dt.timedelta(days=self.days - 1)
        return Period(start, end, f"prior period ({_fmt(start, end)})", self.kind)

    def prior_year(self) -> "Period":
        if self.kind in ("meeting", "7d", "28d"):
            start, end = self.start - dt.timedelta(days=364), self.end - dt.timedelta(days=364)
        else:
            start, end = _year_back(self.start), _year_back(self.end)
        return Period(start, end, f"same period last year ({_fmt(start, end)})", self.kind)


def _year_back(d: dt.date) -> dt.date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def _fmt(start: dt.date, end: dt.date) -> str:
    return f"{start:%b %-d, %Y} – {end:%b %-d, %Y}"


def meeting_start(d: dt.date, anchor: dt.date, every: int = 14) -> dt.date:
    """First day of the meeting period that contains d."""
    return anchor + dt.timedelta(days=((d - anchor).days // every) * every)


def make_period(kind: str, end: dt.date, start: dt.date | None = None, anchor: dt.date | None = None,
                every: int = 14, complete: bool = False) -> Period:
    """A period of the given kind ending on `end`.

    meeting: the meeting period containing `end`; with complete=True, the latest period that has
    ended on or before `end` (what a meeting reviews).
    """
    if kind not in KINDS:
        raise PeriodError(f"period kind {kind!r}: expected one of {', '.join(KINDS)}")
    if kind == "meeting":
        if anchor is None:
            raise PeriodError("a meeting period needs the city's meeting anchor date")
        s = meeting_start(end, anchor, every)
        if complete and s + dt.timedelta(days=every - 1) > end:
            s -= dt.timedelta(days=every)
        e = s + dt.timedelta(days=every - 1)
        return Period(s, e, f"Meeting period {_fmt(s, e)}", kind)
    if kind == "7d":
        s = end - dt.timedelta(days=6)
        return Period(s, end, f"7 days to {end:%b %-d, %Y}", kind)
    if kind == "28d":
        s = end - dt.timedelta(days=27)
        return Period(s, end, f"28 days to {end:%b %-d, %Y}", kind)
    if kind == "ytd":
        s = dt.date(end.year, 1, 1)
        return Period(s, end, f"Year to date ({_fmt(s, end)})", kind)
    if start is None:
        raise PeriodError("a custom period needs a start date")
    if start > end:
        raise PeriodError(f"custom period: start {start} is after end {end}")
    return Period(start, end, _fmt(start, end), kind)


def meeting_dates(around: dt.date, anchor: dt.date, every: int = 14, n_back: int = 6, n_forward: int = 1) -> list[dt.date]:
    """Meeting days (the anchor weekday every `every` days) around a date; a meeting reviews
    the period that ended the day before it."""
    nxt = meeting_start(around, anchor, every) + dt.timedelta(days=every)
    return [nxt + dt.timedelta(days=every * k) for k in range(-n_back, n_forward)]


GRAINS = ("day", "week", "meeting", "month", "year")  # series buckets (time_buckets below; SQL: query.bucket_sql)


def time_buckets(grain: str, start: dt.date, end: dt.date, anchor: dt.date, every: int = 14) -> list[tuple]:
    """(first day, last day) of each bucket touching [start, end], matching query.bucket_sql."""
    def first(d):
        if grain == "day":
            return d
        if grain == "week":
            return d - dt.timedelta(days=d.weekday())
        if grain == "month":
            return d.replace(day=1)
        if grain == "year":
            return d.replace(month=1, day=1)
        return meeting_start(d, anchor, every)

    def nxt(b):
        if grain == "day":
            return b + dt.timedelta(days=1)
        if grain == "week":
            return b + dt.timedelta(days=7)
        if grain == "month":
            return (b.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        if grain == "year":
            return b.replace(year=b.year + 1)
        return b + dt.timedelta(days=every)

    out, b = [], first(start)
    while b <= end:
        n = nxt(b)
        out.append((b, n - dt.timedelta(days=1)))
        b = n
    return out
