"""The meeting calendar: which days are meeting days and which dates a meeting reviews.

Meetings fall on the city's anchor date plus multiples of `meeting_every_days` (city.yaml), by
the engine's one rule (engine.periods.meeting_start). A meeting on day M reviews the period that
ended the day before it, [M - every, M - 1]. When the warehouse's newest event is earlier than
that period's last day (a packet made before the period is over, or data published with a lag),
the packet compares the days that have data like for like: the same number of days just before,
and 52 weeks back.
"""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from engine.periods import Period, meeting_start

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class MeetingDateError(ValueError):
    """A date that is not in the form YYYY-MM-DD or is not one of the city's meeting days."""


def today_in(city) -> dt.date:
    return dt.datetime.now(ZoneInfo(city.timezone)).date()


def next_meeting(city, today: dt.date | None = None) -> dt.date:
    """The first meeting day on or after `today` (the city's local date by default)."""
    today = today or today_in(city)
    start = meeting_start(today, city.meeting_anchor, city.meeting_every_days)
    return start if start == today else start + dt.timedelta(days=city.meeting_every_days)


def parse_meeting_date(city, text) -> dt.date:
    """'2026-11-30' -> date, or MeetingDateError with one line naming the nearest meeting days."""
    if isinstance(text, dt.date) and not isinstance(text, dt.datetime):
        day = text
    else:
        raw = str(text or "").strip()
        if not _ISO.match(raw):
            raise MeetingDateError(f"meeting date {raw!r} is not a date in the form YYYY-MM-DD")
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise MeetingDateError(f"meeting date {raw!r} is not a real date") from None
    before = meeting_start(day, city.meeting_anchor, city.meeting_every_days)
    if before != day:
        after = before + dt.timedelta(days=city.meeting_every_days)
        raise MeetingDateError(f"{day.isoformat()} is not a meeting date (the nearest are "
                               f"{before.isoformat()} and {after.isoformat()})")
    return day


def meeting_dates_around(city, meeting: dt.date, n_back: int = 6, n_forward: int = 2) -> list[dt.date]:
    step = dt.timedelta(days=city.meeting_every_days)
    return [meeting + k * step for k in range(-n_back, n_forward + 1)]


def meeting_period(city, meeting: dt.date, as_of: dt.date | None) -> tuple[Period, Period]:
    """(the full period meeting `meeting` reviews, the part of it the packet compares).

    The second is the first cut at the data's as-of date when the period is not over in the data
    (same start, fewer days; its prior period and prior year are as long)."""
    every = city.meeting_every_days
    start, end = meeting - dt.timedelta(days=every), meeting - dt.timedelta(days=1)
    full = Period(start, end, f"Meeting period {_fmt(start, end)}", "meeting")
    if as_of is None or as_of >= end or as_of < start:
        return full, full
    return full, Period(start, as_of, f"Meeting period so far {_fmt(start, as_of)}", "meeting")


def _fmt(start: dt.date, end: dt.date) -> str:
    return f"{start:%b %-d, %Y} – {end:%b %-d, %Y}"
