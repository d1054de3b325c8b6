"""Engine answers remembered until the warehouse changes or the day does.

The warehouse is read-only to the app and replaced whole by the ETL, so a count stays right
until the file is swapped; the engine's Warehouse bumps `generation` when it reconnects to a new
file. Freshness ("overdue") and "days behind" also depend on today's date (the engine's clock,
settings.today), so every key here is the pair (warehouse generation, today): after a day
without a load the answers are computed again against the new date, never frozen. In a meeting, many people open the same few views: the
second request for a view is then served without touching DuckDB. Bounded (LRU) per process.
Callers must treat cached DataFrames as read-only (pages only derive new frames from them).
"""
from __future__ import annotations

import threading
from collections import OrderedDict

CACHED = ("measure", "series", "breakdown", "disparity", "goal_overview", "categories", "areas", "layers",
          "geojson", "inventory", "quality", "as_of", "is_demo", "period", "coverage", "latest_data", "lag_report",
          "history", "week_hour", "compstat")
MAX_ENTRIES = 2048


class CachedEngine:
    """Wraps an Engine; the read methods in CACHED are memoized per (warehouse generation, day)."""

    def __init__(self, engine, max_entries: int = MAX_ENTRIES):
        self._engine = engine
        self._max = max_entries
        self._store: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def __getattr__(self, name):
        attr = getattr(self._engine, name)
        if name not in CACHED:
            return attr

        def cached(*args, **kwargs):
            key = (self.generation, name, args, tuple(sorted(kwargs.items())))
            with self._lock:
                if key in self._store:
                    self._store.move_to_end(key)
                    self.hits += 1
                    return self._store[key]
            value = attr(*args, **kwargs)
            with self._lock:
                self.misses += 1
                self._store[key] = value
                while len(self._store) > self._max:
                    self._store.popitem(last=False)
            return value
        return cached

    @property
    def generation(self) -> tuple:
        """(warehouse generation, today): what every cached answer and page is keyed by."""
        return self._engine.warehouse.generation, self._engine.today()

    def refresh(self) -> None:
        """Notice a swapped warehouse file (the engine reconnects and bumps its generation)."""
        self._engine.warehouse.refresh()


class PageCache:
    """Rendered page layouts by (page, URL arguments, (warehouse generation, day), user role): a page
    is a pure function of those, so a repeat view skips all the work of building it."""

    def __init__(self, max_entries: int = 256):
        self._store: OrderedDict = OrderedDict()
        self._max = max_entries
        self._lock = threading.Lock()

    @staticmethod
    def key(page: str, generation: int, kwargs: dict, role: str = "") -> tuple:
        return (page, generation, role, tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items())))

    def get(self, key):
        with self._lock:
            if key in self._store:
                self._store.move_to_end(key)
                return self._store[key]
        return None

    def put(self, key, layout) -> None:
        with self._lock:
            self._store[key] = layout
            while len(self._store) > self._max:
                self._store.popitem(last=False)
