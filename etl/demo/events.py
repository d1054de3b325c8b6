"""Draw the events of one dataset: a time, a category and a block for each, as numpy arrays.

Each dataset module describes its categories (share, yearly trend, optional precinct tilt) and
its time pattern; this module turns that into events, adding the hot spots that belong to the
dataset. Dataset modules then dress the events in their own columns.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from etl.demo import places, timeline
from etl.demo.shapes import Geography


@dataclass(frozen=True)
class Category:
    label: str
    share: float
    trend: float = 0.0                           # change per year (+0.2 = up 20% a year)
    tilt: dict = field(default_factory=dict)     # precinct -> weight multiplier


@dataclass
class Events:
    """Aligned arrays, sorted by time."""
    t: np.ndarray         # epoch seconds, naive local clock
    cat: np.ndarray       # index into the category list
    block: np.ndarray     # index into geo.blocks

    def __len__(self) -> int:
        return len(self.t)


def draw(rng: np.random.Generator, geo: Geography, window: timeline.Window, dataset: str,
         categories: list[Category], pattern: timeline.Pattern, total: int, place_kind: str = "activity") -> Events:
    counts = timeline.split_counts(rng, total, [c.share for c in categories])
    base = timeline.place_weights(place_kind)
    precinct = np.array([p for _n, p, *_ in places.MCPP])
    blocks = geo.blocks
    order = np.argsort(blocks.mcpp, kind="stable")
    per_mcpp = np.bincount(blocks.mcpp, minlength=len(places.MCPP))
    first = np.concatenate([[0], np.cumsum(per_mcpp)[:-1]])
    ts, cats, blks = [], [], []
    for ci, (cat, n) in enumerate(zip(categories, counts)):
        w = base * np.array([cat.tilt.get(p, 1.0) for p in precinct])
        t = timeline.sample_times(rng, window, timeline.day_weights(window, pattern, cat.trend), pattern.hours, int(n))
        m = rng.choice(len(w), size=int(n), p=w / w.sum())
        b = order[first[m] + (rng.random(int(n)) * per_mcpp[m]).astype(np.int64)]
        ts.append(t)
        blks.append(b)
        cats.append(np.full(int(n), ci))
        for spot in timeline.HOT_SPOTS:
            if spot.dataset != dataset or spot.category != cat.label:
                continue
            extra = max(int(round(spot.extra_share * n)), 5 if n else 0)
            mi = [name for name, *_ in places.MCPP].index(spot.mcpp)
            hot_blocks = order[first[mi]:first[mi] + 3]  # a few blocks, as real hot spots are
            ts.append(timeline.hot_spot_times(rng, window, spot, extra, pattern.hours))
            blks.append(rng.choice(hot_blocks, size=extra))
            cats.append(np.full(extra, ci))
    t = np.concatenate(ts)
    srt = np.argsort(t, kind="stable")
    return Events(t[srt], np.concatenate(cats)[srt], np.concatenate(blks)[srt])


def year_of(t: np.ndarray) -> np.ndarray:
    """Calendar year of epoch-second times."""
    return t.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970


def number_in_year(year: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """1, 2, 3, ... for the events of each year in array (= time) order; 0 where mask is False.
    Record numbers in the exports restart every year (2024-000001, F240000001, ...)."""
    out = np.zeros(len(year), dtype=np.int64)
    for y in np.unique(year):
        sel = np.flatnonzero(year == y if mask is None else (year == y) & mask)
        out[sel] = np.arange(1, len(sel) + 1)
    return out


def pick(rng: np.random.Generator, options: list, probs, n: int) -> np.ndarray:
    """n draws from options with the given relative probabilities, as an object array."""
    p = np.asarray(probs, dtype=float)
    idx = rng.choice(len(options), size=n, p=p / p.sum())
    return np.asarray(options, dtype=object)[idx]


def block_address(geo: Geography, block: np.ndarray, rng: np.random.Generator, style: str = "spd") -> np.ndarray:
    """Blurred addresses: '12XX BLOCK OF E HOWELL ST', or an intersection 'A / B' for ~20%."""
    b = geo.blocks
    blurred = b.blurred_ois if style == "ois" else b.blurred
    return np.where(rng.random(len(block)) < 0.2, b.corner[block], blurred[block])


def block_values(geo: Geography, block: np.ndarray, table: dict, key: str) -> np.ndarray:
    """table[the block's precinct or sector] per event, looked up once per block (fast at 10M events)."""
    keys = geo.blocks.precinct if key == "precinct" else geo.blocks.sector
    return np.array([table[k] for k in keys], dtype=object)[block]


def street_address(geo: Geography, block: np.ndarray) -> np.ndarray:
    """An exact-looking address, '5312 Rainier Ave S', in the mixed case the fire feed uses."""
    return geo.blocks.address[block]
