"""The one time model every series, chart, flag, target line and comparison uses.

Why one: a chart bucket that holds 2 days of a 7-day week is not a low week, a 28-day target is
not a weekly one, and 7 days of a meeting period are not comparable with the 14 before them.
Each of those mistakes was made once per consumer (trend chart, sparkline, packet chart,
meeting page, ledger) before this module existed; here they are decided once:

- A bucket of a series has `grain_days` (its calendar length) and `days` (how many of them lie
  inside the requested window AND inside the measure's data coverage). 0 < days < grain_days
  is PARTIAL. A partial bucket keeps its value (it is a true count of those days) but is never
  tested, never part of a baseline or a control limit, never ranked, never called lowest,
  highest or latest: `complete()` is what those questions read.
- A target is drawn at the chart's grain: a count target for a period is scaled to each
  bucket's days (147 per 28 days is 36.75 a week); a rate, share, percentile or ratio target is
  drawn as is. A target derived from a baseline (a % change on last year) belongs to the
  period it was computed for, so it is drawn only on that period's buckets.
- A period that runs past the data (an unfinished meeting period) is compared on the days that
  have data: `within_data` cuts it, and its prior period and prior year are then as long.
"""
from __future__ import annotations

import datetime as dt
import math

from engine.periods import Period, _fmt, time_buckets

SERIES_COLUMNS = ["period_start", "period_end", "days", "grain_days", "partial",
                  "value", "numerator", "denominator", "flagged", "p_value", "baseline_start", "baseline_n"]


def covered_days(b_start: dt.date, b_end: dt.date, lo: dt.date, hi: dt.date) -> int:
    """Days of the bucket [b_start, b_end] inside [lo, hi] (window and data coverage intersected)."""
    return max((min(b_end, hi) - max(b_start, lo)).days + 1, 0)


def grain_days(b_start: dt.date, b_end: dt.date) -> int:
    return (b_end - b_start).days + 1


def is_partial(days: int, full: int) -> bool:
    return 0 < days < full


def partial_note(days: int, full: int, so_far: bool = False) -> str:
    """'partial: 2 of 7 days' (or '7 of 14 days so far' for a period the data have not finished)."""
    return f"{days} of {full} days so far" if so_far else f"partial: {days} of {full} days"


def complete(df):
    """The rows of a series that may be ranked, compared and named: complete buckets with a value."""
    if not len(df):
        return df
    ok = [(not p) and v == v and v is not None for p, v in zip(df["partial"].tolist(), df["value"].tolist())]
    return df[ok]


def bucket_start(grain: str, day: dt.date, anchor: dt.date, every: int = 14) -> dt.date:
    """First day of the bucket of `grain` holding `day`: a chart window that starts there has a
    complete first bucket (where the data reach back that far)."""
    return time_buckets(grain, day, day, anchor, every)[0][0]


def within_data(period: Period, lo: dt.date | None, hi: dt.date | None) -> Period:
    """The part of `period` that the data cover, labelled with how much of it that is. A period
    wholly inside the data, or wholly outside it (no data: nothing to cut), is returned as is."""
    if lo is None or hi is None or lo > hi or period.end < lo or period.start > hi:
        return period  # outside the data, or datasets with no common day: nothing to cut
    start, end = max(period.start, lo), min(period.end, hi)
    if (start, end) == (period.start, period.end):
        return period
    days = (end - start).days + 1
    label = f"{period.label}: {days} of its {period.days} days have data ({_fmt(start, end)})"
    return Period(start, end, label, period.kind)


def target_line(kind: str, target, period: Period, starts, ends, days, from_baseline: bool) -> list:
    """The period's target at each bucket of a series: counts scaled to the bucket's days (the
    bucket targets of a period sum to its target); other kinds as is. None where the bucket has
    no days of data, and, for a target derived from a baseline, outside the period."""
    t = None if target is None else float(target)
    if t is None or math.isnan(t):
        return [None] * len(days)
    out = []
    for s, e, d in zip(starts, ends, days):
        if not d or (from_baseline and (e < period.start or s > period.end)):
            out.append(None)
        else:
            out.append(t * d / period.days if kind == "count" else t)
    return out
