"""When and where demo events happen: the patterns a performance meeting would discuss.

Counts follow seasonality (a summer peak for police data, a winter peak for medical calls), day of
week and time of day, a trend per category (some rising, some falling), neighborhood weights,
and a few hot spots: one category in one neighborhood surging for some weeks and then fading.
Everything is drawn with numpy from one Generator, so a seed gives the same city every time.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from etl.demo import places

DAY = 86_400


@dataclass(frozen=True)
class Window:
    start: dt.date  # first day with events
    end: dt.date    # the day after the last day with events

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def epoch0(self) -> int:
        return int(dt.datetime(self.start.year, self.start.month, self.start.day, tzinfo=dt.UTC).timestamp())


@dataclass(frozen=True)
class Pattern:
    """The shape of one dataset's counts over time (all factors relative to 1)."""
    season_amp: float = 0.15       # July (or January when negative) is 1+amp, the opposite month 1-amp
    weekday: tuple = (1.0,) * 7    # Monday .. Sunday
    hours: tuple = (1.0,) * 24


@dataclass(frozen=True)
class HotSpot:
    """Extra events of one category in one neighborhood, peaking `days_before_end` before the end."""
    dataset: str
    category: str
    mcpp: str
    days_before_end: int
    width_days: float
    extra_share: float  # extra events as a share of that category's total


HOT_SPOTS = [
    HotSpot("crime", "MOTOR VEHICLE THEFT", "SODO", 35, 12, 0.06),
    HotSpot("crime", "ROBBERY", "UNIVERSITY", 200, 15, 0.08),
    HotSpot("crime", "BURGLARY/BREAKING&ENTERING", "CAPITOL HILL", 290, 14, 0.05),
    HotSpot("calls", "--WEAPON - GUN OR KNIFE (SHOTS FIRED)", "RAINIER BEACH", 110, 16, 0.15),
    HotSpot("service_requests", "Illegal Dumping / Needles", "GEORGETOWN", 60, 15, 0.08),
]

NIGHTLIFE = (1.6, 1.3, 1.1, 0.7, 0.45, 0.35, 0.4, 0.6, 0.8, 0.9, 0.95, 1.0,
             1.05, 1.05, 1.05, 1.1, 1.15, 1.2, 1.25, 1.3, 1.35, 1.4, 1.5, 1.6)
DAYTIME = (0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.5, 1.0, 1.5, 1.8, 1.9, 1.9,
           1.8, 1.8, 1.8, 1.7, 1.5, 1.2, 0.9, 0.7, 0.5, 0.4, 0.3, 0.2)
MEDICAL = (0.6, 0.5, 0.45, 0.4, 0.4, 0.45, 0.6, 0.9, 1.1, 1.2, 1.3, 1.3,
           1.3, 1.3, 1.25, 1.25, 1.25, 1.2, 1.15, 1.1, 1.0, 0.9, 0.8, 0.7)
WEEKEND_UP = (0.92, 0.9, 0.92, 0.97, 1.12, 1.18, 1.0)
WEEKDAYS = (1.2, 1.2, 1.15, 1.15, 1.1, 0.55, 0.5)


def day_weights(window: Window, pattern: Pattern, trend_per_year: float = 0.0) -> np.ndarray:
    """Relative expected count for each day of the window."""
    days = np.arange(window.days)
    dates = np.datetime64(window.start) + days
    doy = (dates - dates.astype("datetime64[Y]")).astype(int)
    season = 1 + pattern.season_amp * np.cos(2 * np.pi * (doy - 196) / 365.25)  # peak mid-July
    weekday = np.asarray(pattern.weekday)[(dates.astype("datetime64[D]").view("int64") - 4) % 7]  # 1970-01-01 was a Thursday
    years = (days - window.days) / 365.25  # 0 at the end, negative before
    trend = (1 + trend_per_year) ** years
    return season * weekday * trend


def sample_times(rng: np.random.Generator, window: Window, weights: np.ndarray, hours: tuple, n: int) -> np.ndarray:
    """n event times (epoch seconds, naive local clock) with the given day weights and hour profile."""
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    day = rng.choice(len(weights), size=n, p=weights / weights.sum())
    h = np.asarray(hours, dtype=float)
    hour = rng.choice(24, size=n, p=h / h.sum())
    sec = rng.integers(0, 3600, size=n)
    return window.epoch0() + day.astype(np.int64) * DAY + hour * 3600 + sec


def split_counts(rng: np.random.Generator, total: int, shares: np.ndarray) -> np.ndarray:
    """Split total events among categories (multinomial, so counts vary naturally)."""
    shares = np.asarray(shares, dtype=float)
    return rng.multinomial(total, shares / shares.sum())


def place_weights(kind: str) -> np.ndarray:
    """Neighborhood weights for a dataset kind: 'activity' (crime, calls) or 'residents'."""
    table = places.ACTIVITY if kind == "activity" else places.RESIDENTS
    return np.array([table.get(name, 1.0) for name, *_ in places.MCPP])


def hot_spot_times(rng: np.random.Generator, window: Window, spot: HotSpot, n: int, hours: tuple) -> np.ndarray:
    """Times of a hot spot's extra events: a bell around its peak day, clipped to the window."""
    centre = window.days - spot.days_before_end
    day = np.clip(np.rint(rng.normal(centre, spot.width_days, n)), 0, window.days - 1).astype(np.int64)
    h = np.asarray(hours, dtype=float)
    hour = rng.choice(24, size=n, p=h / h.sum())
    return window.epoch0() + day * DAY + hour * 3600 + rng.integers(0, 3600, size=n)
