"""Time views CompStat users expect: the whole loaded history by month, when in the week events
happen (day of week by hour of day), and this year against last year per area over the
week to date, 28 days, year to date and two years back.

Why here and not in pages: each is a question of the time model (engine.timemodel). A history
marks its first and last months partial when the data start or stop inside them; a heat map
over a period that is not whole weeks has more Mondays than Sundays, so it says how many of
each weekday it covers; a comparison is always of two periods of the same length, cut to the
days the data cover (`within_data`), and a comparison period the data do not reach entirely is
"no data", never 0.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from engine.periods import Period, _fmt

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
YEAR_WEEKS = dt.timedelta(days=364)  # 52 weeks: last year's days fall on the same weekdays


@dataclass(frozen=True)
class WeekHour:
    period: Period            # the days counted (the asked period cut to the data)
    counts: tuple             # 7 rows (Monday first) of 24 counts (hour 0 first)
    weekdays: tuple           # how many of each weekday the period holds (Monday first)
    midnight: int = 0         # events stamped exactly 00:00:00: in Seattle's crime data about 1 in 5 of
                              # hour 0's robberies, mostly times nobody recorded; the page says so

    @property
    def total(self) -> int:
        return sum(sum(r) for r in self.counts)


def weekday_counts(start: dt.date, end: dt.date) -> tuple:
    """How many Mondays .. Sundays lie in [start, end]."""
    days = (end - start).days + 1
    out = [days // 7] * 7
    for i in range(days % 7):
        out[(start.weekday() + i) % 7] += 1
    return tuple(out)


def week_hour(rows, period: Period) -> WeekHour:
    grid = [[0] * 24 for _ in range(7)]
    midnight = 0
    for dow, hr, n, n0 in rows:
        grid[int(dow) - 1][int(hr)] += int(n)
        midnight += int(n0 or 0)
    return WeekHour(period, tuple(tuple(r) for r in grid), weekday_counts(period.start, period.end), midnight)


# The CompStat columns: (key, heading, how the period is built from the last day, years back compared)
COMPSTAT = (("wtd", "Week to date", 1), ("d28", "28 days", 1), ("ytd", "Year to date", 1), ("y2", "2 years", 2))


def _back(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def compstat_periods(end: dt.date, lo: dt.date | None, hi: dt.date | None, within_data) -> list[tuple]:
    """[(key, heading, this period, the period compared with)] ending on `end`. This period is
    cut to the data (within_data); the one compared is exactly as long: for the week and the 28
    days, 52 weeks back (same weekdays); for the year to date, from the same first day one year
    back (and two for the 2-year column), so a leap year's 1 Jan - 10 Mar (70 days) is compared
    with 70 days, not with 1 Jan - 10 Mar of a common year (69)."""
    starts = {"wtd": end - dt.timedelta(days=end.weekday()), "d28": end - dt.timedelta(days=27),
              "ytd": dt.date(end.year, 1, 1), "y2": dt.date(end.year, 1, 1)}
    out = []
    for key, heading, years in COMPSTAT:
        now = within_data(Period(starts[key], end, f"{heading} ({_fmt(starts[key], end)})", "custom"), lo, hi)
        if key in ("wtd", "d28"):
            s = now.start - YEAR_WEEKS
        else:
            s = _back(now.start, years)
        e = s + dt.timedelta(days=now.days - 1)
        then = Period(s, e, f"{years} year{'s' if years > 1 else ''} earlier ({_fmt(s, e)})", "custom")
        out.append((key, heading, now, then))
    return out


def pct_change(now, then):
    """% change, or None when there is nothing to compare with (no data, or 0 last year: a rise
    from 0 has no percentage)."""
    if now is None or then is None or then == 0:
        return None
    return 100.0 * (now - then) / then
