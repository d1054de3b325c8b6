"""The ETL-time aggregates held in memory per warehouse file, so a count or a percentile for any
date range is array arithmetic (microseconds) instead of a DuckDB query (~1 ms of CPU each, before
it reads a row; a goal overview needs ~25 of them).

Why this is safe: the warehouse file is read-only and replaced whole by the ETL; the engine drops
these objects with the rest of its per-file metadata when it sees a new file (Engine._m), and
uses them only when the aggregate's signature matches the catalog (same rule as the SQL path).

- CountCube: one slice of agg_measure_daily (measure, part, layer, group_field), categories summed,
  as cumulative sums over days x keys (area, group value). A range's count is the difference of
  two rows: the same integers SQL's sum(n) gives. Memory: (days + 1) x keys x 16 bytes (the
  10M-event demo's biggest slice, 730 days x 59 areas: 0.7 MB). Categories are not keys (that
  would multiply memory by the categories): a view with a category filter gets a cube of its
  own, of those categories summed and, when it names areas, only those areas (days x a few keys:
  one ~4 ms query serves its headline, both trend lines and its group breakdown, where SQL took
  ~4 ms for each). Every area of a layer by category (the page's map) stays a SQL question:
  one query is cheaper than loading that slice (~20 ms for 59 areas).
- ValueColumn: a percentile measure's values (agg_values_<measure>, written in time order) with
  the first row of each day, so a range is one slice; order statistics come from np.partition,
  so the value (numpy's / quantile_cont's interpolation) and its order-statistic interval are
  exact. Area / group / category codes load per column the first time a filter or breakdown
  uses it. Memory: 8 bytes per value + 4 per code column used (286k values: 2.3 MB).
Both load on first use (a few ms to ~100 ms per slice on the 10M demo), then are shared by every
call until the next swap.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from engine import stats
from engine.periods import time_buckets
from engine.query import AGG_TABLE, By, Filters, q

EPOCH = dt.date(1970, 1, 1)
DAY_SQL = "date_diff('day', DATE '1970-01-01', {})"


def _day(d: dt.date) -> int:
    return (d - EPOCH).days


def _spans(by: By, start, end, anchor, every) -> list:
    """[(key, (first day, last day))] of a periods or grain breakdown: the comparison ranges
    (keyed 0, 1, ...) or the time buckets cut to [start, end] (keyed by the bucket's start)."""
    if by.kind == "periods":
        return list(enumerate(by.ranges))
    return [(b, (max(b, start), min(e, end))) for b, e in time_buckets(by.name, start, end, anchor, every)]


class CountCube:
    """Cumulative daily counts of one aggregate slice: cum_n[i, k] = events of key k on the slice's
    days before day0 + i."""

    def __init__(self, day0: int, cum_n: np.ndarray, cum_met: np.ndarray, areas: np.ndarray, groups: np.ndarray,
                 categories=(), only_areas=()):
        self.day0, self.cum_n, self.cum_met = day0, cum_n, cum_met
        self.areas, self.groups = areas, groups  # per key: area_id ('' when the slice has no layer), group_value
        self.categories = frozenset(categories)  # the categories summed (empty: all of them)
        self.only_areas = frozenset(only_areas)  # the areas loaded (empty: every area of the slice)

    @classmethod
    def load(cls, fetch, measure_id: str, part: str, layer: str, field: str,
             categories=(), only_areas=()) -> "CountCube":
        """fetch(sql, params) -> {column: numpy array} (Warehouse.numpy). categories: only those
        categories, summed; only_areas: only those areas of the layer (with categories only)."""
        conds, params = ["measure_id = ?", "part = ?", "layer = ?", "group_field = ?"], [measure_id, part, layer, field]
        for column, values in (("category", sorted(set(categories))), ("area_id", sorted(set(only_areas)))):
            if values:
                conds.append(f"{column} IN ({', '.join('?' for _ in values)})")
                params += values
        got = fetch(f"SELECT {DAY_SQL.format('day')} AS d, area_id, group_value, CAST(sum(n) AS BIGINT) AS n, "
                    f"CAST(sum(n_met) AS BIGINT) AS m FROM {AGG_TABLE} WHERE {' AND '.join(conds)} GROUP BY ALL", params)
        d = np.asarray(got["d"], dtype=np.int64)
        if len(d) == 0:
            z = np.zeros((1, 0), dtype=np.int64)
            return cls(0, z, z, np.array([], dtype=object), np.array([], dtype=object), categories, only_areas)
        ca, ua = pd.factorize(np.asarray(got["area_id"], dtype=object), use_na_sentinel=False)
        cg, ug = pd.factorize(np.asarray(got["group_value"], dtype=object), use_na_sentinel=False)
        keys, kc = np.unique(ca.astype(np.int64) * len(ug) + cg, return_inverse=True)
        day0, days, width = int(d.min()), int(d.max() - d.min()) + 1, len(keys)
        flat = (d - day0) * width + kc
        out = []
        for col in ("n", "m"):
            dense = np.zeros(days * width, dtype=np.int64)
            np.add.at(dense, flat, np.asarray(got[col], dtype=np.int64))
            cum = np.zeros((days + 1, width), dtype=np.int64)
            np.cumsum(dense.reshape(days, width), axis=0, out=cum[1:])
            out.append(cum)
        return cls(day0, out[0], out[1], np.asarray(ua, dtype=object)[keys // len(ug)],
                   np.asarray(ug, dtype=object)[keys % len(ug)], categories, only_areas)

    @property
    def nbytes(self) -> int:
        return self.cum_n.nbytes + self.cum_met.nbytes

    def _row(self, d: dt.date) -> int:
        """Row of the cumulative arrays holding the counts of every day before d."""
        return min(max(_day(d) - self.day0, 0), self.cum_n.shape[0] - 1)

    def counts(self, start, end, f: Filters, by: By, group_override=None, anchor=None, every=14) -> list:
        """[(key, n, n_met)] exactly as query.agg_counts returns them (keys with no events left
        out), or None when this cube cannot answer: other categories than the ones it sums, or
        areas it did not load."""
        if frozenset(f.categories) != self.categories:
            return None
        if self.only_areas and not (f.areas and self.only_areas.issuperset(f.areas)):
            return None
        mask = np.ones(len(self.areas), dtype=bool)
        if f.areas:
            mask &= np.isin(self.areas, np.asarray(f.areas, dtype=object))
        gf, gv = group_override or (f.group_field, f.group_value)
        if gv is not None:
            mask &= self.groups == str(gv)
        cols = np.flatnonzero(mask)
        one = dt.timedelta(days=1)
        if by.kind in ("periods", "grain"):
            spans = _spans(by, start, end, anchor, every)
            rows = np.array([[self._row(s), self._row(e + one)] for _, (s, e) in spans], dtype=np.int64).reshape(-1, 2)
            n = self.cum_n[rows[:, 1]][:, cols].sum(axis=1) - self.cum_n[rows[:, 0]][:, cols].sum(axis=1)
            m = self.cum_met[rows[:, 1]][:, cols].sum(axis=1) - self.cum_met[rows[:, 0]][:, cols].sum(axis=1)
            return [(k, int(a), int(b)) for (k, _), a, b in zip(spans, n, m) if a]
        i0, i1 = self._row(start), self._row(end + one)
        n = self.cum_n[i1, cols] - self.cum_n[i0, cols]
        m = self.cum_met[i1, cols] - self.cum_met[i0, cols]
        if by.kind == "none":
            total = int(n.sum())
            return [("all", total, int(m.sum()))] if total else []
        keys = (self.areas if by.kind == "area" else self.groups)[cols]
        acc: dict = {}
        for k, a, b in zip(keys, n.tolist(), m.tolist()):
            if a:
                x = acc.get(k, (0, 0))
                acc[k] = (x[0] + a, x[1] + b)
        return [(k, a, b) for k, (a, b) in acc.items()]


class ValueColumn:
    """A percentile measure's values in time order, the first row of each day, and the codes of
    the columns its filters and breakdowns use (loaded when first used)."""

    def __init__(self, fetch, table: str, column: str):
        self.fetch, self.table = fetch, table
        got = fetch(f"SELECT {DAY_SQL.format('CAST(event_time AS DATE)')} AS d, CAST({q(column)} AS DOUBLE) AS v "
                    f"FROM {q(table)} ORDER BY rowid", [])
        d = np.asarray(got["d"], dtype=np.int64)
        v = np.asarray(got["v"], dtype=np.float64)
        self.perm = None
        if len(d) and np.any(np.diff(d) < 0):  # written ORDER BY event_time; keep working if not
            self.perm = np.argsort(d, kind="stable")
            d, v = d[self.perm], v[self.perm]
        self.values = v
        self.day0 = int(d[0]) if len(d) else 0
        last = int(d[-1]) if len(d) else -1
        self.first = np.searchsorted(d, np.arange(self.day0, last + 2)).astype(np.int64)  # row of each day
        self._codes: dict = {}

    @property
    def nbytes(self) -> int:
        return self.values.nbytes + self.first.nbytes + sum(c.nbytes for c, _ in self._codes.values())

    def _span(self, s: dt.date, e: dt.date) -> tuple[int, int]:
        last = len(self.first) - 1
        a = min(max(_day(s) - self.day0, 0), last)
        b = min(max(_day(e) + 1 - self.day0, 0), last)
        return int(self.first[a]), int(self.first[b])

    def codes(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """(code per row, value per code) of a column (CAST to text; NULL is its own code)."""
        if column not in self._codes:
            text = f"CAST({q(column)} AS VARCHAR)"
            got = self.fetch(f"SELECT DISTINCT {text} AS c FROM {q(self.table)}", [])
            vals = sorted(x for x in np.asarray(got["c"], dtype=object).tolist() if x is not None)
            if len(vals) <= 2000:  # DuckDB numbers the rows: 5-10x faster than Python strings + factorize
                got = self.fetch(f"SELECT coalesce(list_position(?, {text}), 0) AS k FROM {q(self.table)} "
                                 "ORDER BY rowid", [vals])
                codes, uniq = np.asarray(got["k"]), np.asarray([None, *vals], dtype=object)
            else:
                got = self.fetch(f"SELECT {text} AS c FROM {q(self.table)} ORDER BY rowid", [])
                codes, uniq = pd.factorize(np.asarray(got["c"], dtype=object), use_na_sentinel=False)
            if self.perm is not None:
                codes = codes[self.perm]
            width = np.int16 if len(uniq) < 32000 else np.int32
            self._codes[column] = (codes.astype(width), np.asarray(uniq, dtype=object))
        return self._codes[column]

    def _mask(self, a: int, b: int, f: Filters) -> np.ndarray | None:
        """Rows a..b-1 that pass the filters (None: all of them)."""
        mask = None

        def keep(column, wanted):
            nonlocal mask
            c, uniq = self.codes(column)
            ok = np.flatnonzero(np.isin(uniq, np.asarray(wanted, dtype=object)))
            m = np.isin(c[a:b], ok)
            mask = m if mask is None else mask & m

        if f.areas:
            keep("area_" + f.layer, f.areas)
        if f.group_value is not None:
            keep(f.group_field, [str(f.group_value)])
        if f.categories:
            keep("category", f.categories)
        return mask

    def _kept(self, a: int, b: int, f: Filters) -> tuple[np.ndarray, np.ndarray | None]:
        """The values of rows a..b-1 that pass the filters, and the mask that chose them."""
        m = self._mask(a, b, f)
        return (self.values[a:b] if m is None else self.values[a:b][m]), m

    def quantiles(self, qv: float, start, end, f: Filters, by: By, anchor=None, every=14) -> dict:
        """{key: (n, value, ci_low, ci_high)} of the q-th quantile of the values in [start, end]
        per key of `by` (grain: no interval, NaN). Keys without values are left out."""
        if by.kind in ("periods", "grain"):  # a long series of buckets goes without intervals
            out = {}
            for key, (s, e) in _spans(by, start, end, anchor, every):
                a, b = self._span(s, e)
                r = _order_stats(self._kept(a, b, f)[0], qv, interval=by.kind == "periods")
                if r[0]:
                    out[key] = r
            return out
        a, b = self._span(start, end)
        x, m = self._kept(a, b, f)
        if by.kind == "none":
            r = _order_stats(x, qv, interval=True)
            return {"all": r} if r[0] else {}
        column = "area_" + by.name if by.kind == "area" else by.name
        c, uniq = self.codes(column)
        c = c[a:b] if m is None else c[a:b][m]
        order = np.argsort(c, kind="stable")
        c, x = c[order], x[order]
        bounds = np.flatnonzero(np.diff(c)) + 1
        out = {}
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(c)]):
            if hi > lo:
                key = uniq[c[lo]]
                key = key if key is not None else ("UNKNOWN" if by.kind == "area" else "Unknown")
                out[key] = _order_stats(x[lo:hi], qv, interval=True)
        return out


def _order_stats(x: np.ndarray, qv: float, interval: bool) -> tuple:
    """(n, quantile, ci_low, ci_high): linear interpolation between order statistics (numpy's and
    DuckDB quantile_cont's rule) and the exact distribution-free interval's order statistics."""
    n = len(x)
    if n == 0:
        return (0, math.nan, math.nan, math.nan)
    h = (n - 1) * qv
    r = int(math.floor(h))
    r2 = min(r + 1, n - 1)
    lo_r, hi_r = stats.quantile_ci_ranks(n, qv) if interval else (None, None)
    kth = sorted({r, r2, *(k for k in (lo_r, hi_r) if k is not None)})
    p = np.partition(x, kth)
    value = float(p[r]) + (h - r) * (float(p[r2]) - float(p[r]))
    if not interval:
        return (n, value, math.nan, math.nan)
    return (n, value, -math.inf if lo_r is None else float(p[lo_r]), math.inf if hi_r is None else float(p[hi_r]))
