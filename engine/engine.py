"""Engine: the one object pages, the packet, downloads and the public API ask for numbers.

It owns the read-only warehouse, the validated catalog and the city's calendar, and turns
"measure X for period P with filters F" into results with targets, comparisons, noise-aware
flags and freshness. Pages never write SQL; everything here returns dataclasses or DataFrames.
"""
from __future__ import annotations

import bisect
import datetime as dt
import json
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from city import City, load_city
from engine import compute, coverage, cube, query, stats, suppression, timemodel, timeviews
from engine import explore as explore_mod
from engine import records as records_mod
from engine.aggregates import signature, values_table
from engine.catalog import Catalog, Measure, load_catalog, parts_of, validate
from engine.periods import GRAINS, Period, make_period, meeting_dates, time_buckets
from engine.query import (AGG_COVERAGE, AGG_META, NO_FILTERS, PLAUSIBLE_COVERAGE, PLAUSIBLE_EVENT, By, FilterError,
                          Filters, q)
from engine.schema import event_schema
from engine.status import status as status_of
from engine.warehouse import Warehouse


@dataclass(frozen=True)
class Freshness:
    as_of: dt.date | None        # newest event among the measure's datasets
    cadence: str
    lag_days: int
    fresh: bool
    note: str = ""


@dataclass
class MeasureResult:
    measure_id: str
    title: str
    unit: str
    direction: str
    period: Period
    filters: Filters
    value: float | None
    numerator: float | None
    denominator: float | None
    ci_low: float | None
    ci_high: float | None
    n: float | None
    target: float | None
    status: str
    prior: float | None
    prior_year: float | None
    change: float | None
    change_pct: float | None
    change_year: float | None
    change_year_pct: float | None
    flag: stats.Flag
    flag_year: stats.Flag
    freshness: Freshness
    small_number_threshold: int
    note: str = ""
    prior_period: Period | None = None
    prior_year_period: Period | None = None
    coverage: str = ""   # why the loaded data cannot answer this measure (status 'not_covered'), or ''

    @property
    def state(self) -> str:
        """One of the four things a page may say: 'value' (zero included; it may still have no
        target: see status), 'not_covered' (the loaded files cannot answer it: `coverage` says
        why), 'no_data' (nothing for this period), 'no_target' (a value, but nothing to compare)."""
        if self.status == "not_covered":
            return "not_covered"
        if self.value is None:
            return "no_data"
        return "no_target" if self.status == "no_target" else "value"


@dataclass
class GoalSummary:
    goal: object
    counts: dict = field(default_factory=dict)
    results: list = field(default_factory=list)


# Category-filtered cubes kept per file: the most recently used, at most this many and bytes
# (each is days x the view's areas or groups x 16 bytes: 12 KB citywide, ~70 KB for 6 groups).
CATEGORY_CUBES, CATEGORY_CUBE_BYTES = 64, 8 << 20


# per_file methods whose answer depends on today's date (freshness): memoised per (file, day).
CALENDAR = ("inventory",)


def per_file(method):
    """Memoise a method for as long as the warehouse file is the same one (it is read-only and
    replaced whole), so metadata such as areas, populations and the inventory is read once per
    load. DataFrames are returned as copies; dicts must not be modified by callers."""
    name = method.__name__

    def wrapper(self, *args):
        memo = self._m().setdefault("memo", {})
        key = (name, tuple(tuple(a) if isinstance(a, list) else a for a in args),
               self.today() if name in CALENDAR else None)
        if key not in memo:
            memo[key] = method(self, *args)
        out = memo[key]
        return out.copy() if isinstance(out, (pd.DataFrame, list)) else out

    wrapper.__name__, wrapper.__doc__ = name, method.__doc__
    return wrapper


def _num(x):
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


class Engine:
    def __init__(self, city: City, catalog: Catalog, warehouse: Warehouse, mode: str = "internal", today=None):
        self.city = city
        # The clock every calendar-dependent answer (freshness, "overdue", days behind) reads at
        # request time: a callable returning a date (settings.today; tests move it).
        self.today = today or dt.date.today
        self._catalog_full = catalog  # as written; `catalog` is what this warehouse can serve
        self._catalog = catalog
        self.warehouse = warehouse
        self.mode = mode
        self.use_aggregates = True  # False: always read the event tables (benchmarks, checks)
        self.use_memory = True      # False: read current aggregates with SQL, not their in-memory copies (engine.cube)
        self._meta_gen = -1
        self._meta: dict = {}
        self._signatures: dict = {}
        self._cube_lock = threading.Lock()
        self._adhoc: OrderedDict[str, Measure] = OrderedDict()  # explorer measures (engine.explore), most recent last

    # ---- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, settings, validate_catalog: bool = True) -> "Engine":
        """City + catalog (validated against the warehouse schema) + read-only warehouse.

        A missing warehouse raises WarehouseMissing telling the user how to build one; a catalog
        error raises CatalogError naming file, measure and key.
        """
        city = load_city(settings.city_config)
        catalog = load_catalog(settings.catalog_dir)
        wh = Warehouse(settings.db_path)
        eng = cls(city, catalog, wh, getattr(settings, "mode", "internal"), getattr(settings, "today", None))
        if validate_catalog:
            schema, strict = event_schema(catalog, wh, city.folder)
            validate(catalog, schema, strict=strict)
        return eng

    @property
    def catalog(self) -> Catalog:
        """The catalog as this warehouse file can serve it: a breakdown by a layer whose area
        column the warehouse lacks (boundaries not loaded yet) is left out of the measure's
        `layers`, with a note in `disabled_breakdowns`; it comes back after `python -m etl geo`.
        Checked whenever the engine reads a new warehouse file; reading the catalog alone never
        opens the file (a script may still be writing it)."""
        if self.warehouse.connected:
            self._m()
        return self._catalog

    def disabled_breakdowns(self, measure_id: str | None = None) -> dict[str, str] | dict[str, dict[str, str]]:
        """{layer: why} for one measure, or {measure_id: {layer: why}} for every measure with one."""
        off = self._m()["disabled"]
        return dict(off.get(measure_id, {})) if measure_id is not None else {k: dict(v) for k, v in off.items()}

    def _disable_breakdowns(self, tables: set) -> dict:
        """Per measure, the layers this warehouse cannot break it down by, with the reason; sets
        self._catalog to the full catalog minus those layers."""
        cols = self.warehouse.columns()
        full = self._catalog_full
        off: dict[str, dict[str, str]] = {}
        for m in full.measures.values():
            for layer in m.layers:
                lacking = [p.dataset for p in parts_of(m.computation)
                           if p.dataset in tables and f"area_{layer}" not in cols.get(p.dataset, {})]
                if lacking:
                    off.setdefault(m.id, {})[layer] = (
                        f"Breakdown by {layer} is off: dataset {', '.join(lacking)} has no area_{layer} column in "
                        f"this warehouse (boundaries not loaded yet: run `python -m etl geo`).")
        measures = {mid: (replace(m, layers=tuple(x for x in m.layers if x not in off[mid])) if mid in off else m)
                    for mid, m in full.measures.items()}
        self._catalog = Catalog(full.goals, measures, full.datasets, full.folder, full.translations)
        return off

    # ---- metadata cached per warehouse generation ------------------------------------------
    def _m(self) -> dict:
        if self._meta_gen != self.warehouse.refresh():  # reconnects if the file was swapped
            tables = self.warehouse.tables()
            meta = {"tables": tables, "coverage": {}, "agg": {}, "city_layer": None, "pop_years": {}}
            known = ({d: (lo, hi) for d, lo, hi in self.warehouse.rows(
                f"SELECT dataset, lo, hi FROM {AGG_COVERAGE} WHERE {PLAUSIBLE_COVERAGE}")}
                     if AGG_COVERAGE in tables else {})  # written by each load; older warehouses are scanned
            for d in self._catalog_full.datasets:
                if d in known and d in tables:
                    meta["coverage"][d] = known[d]
                elif d in tables:
                    row = self.warehouse.execute(
                        f"SELECT CAST(min(event_time) AS DATE) AS lo, CAST(max(event_time) AS DATE) AS hi FROM {q(d)} "
                        f"WHERE {PLAUSIBLE_EVENT}")
                    lo, hi = row.iloc[0]["lo"], row.iloc[0]["hi"]
                    meta["coverage"][d] = (None if pd.isna(lo) else pd.Timestamp(lo).date(),
                                           None if pd.isna(hi) else pd.Timestamp(hi).date())
            if AGG_META in tables:
                meta["agg"] = dict(self.warehouse.execute(f"SELECT measure_id, signature FROM {AGG_META}")
                                   .itertuples(index=False, name=None))
            if "denominators" in tables:
                layers = self.warehouse.execute(
                    "SELECT layer, sum(population) AS p FROM denominators WHERE group_field = 'total' "
                    "GROUP BY 1 ORDER BY 2 DESC")
                names = list(layers["layer"])
                meta["city_layer"] = "city" if "city" in names else ("tract" if "tract" in names else
                                                                     (names[0] if names else None))
            meta["facts"] = coverage.load(self.warehouse, tables, self._catalog_full.datasets, meta["coverage"])
            meta["disabled"] = self._disable_breakdowns(tables)
            self._meta, self._meta_gen = meta, self.warehouse.generation
        return self._meta

    def _agg_ok(self, measure_id: str) -> bool:
        if measure_id not in self._catalog_full.measures:
            return False  # an explorer measure: no pre-aggregates, the event tables answer
        if measure_id not in self._signatures:
            self._signatures[measure_id] = signature(self._catalog_full.measures[measure_id])
        return self.use_aggregates and self._m()["agg"].get(measure_id) == self._signatures[measure_id]

    @per_file
    def _population(self, layer, areas, fld, value, year, by: By) -> dict:
        """{key: residents} for the areas / groups asked for, from the nearest year at or before `year`."""
        meta = self._m()
        if "denominators" not in meta["tables"]:
            return {}
        if by.kind == "area":
            lay = by.name
        elif areas:
            lay = layer
        else:
            lay = meta["city_layer"]
        gf = fld or "total"
        conds = ["layer = ?", "group_field = ?"]
        params = [lay, gf]
        if areas and (by.kind != "area" or by.name == layer):
            conds.append(f"area_id IN ({', '.join('?' for _ in areas)})")
            params += list(areas)
        if value is not None:
            conds.append("group_value = ?")
            params.append(str(value))
        elif gf == "total":
            conds.append("group_value = 'all'")
        key = {"area": "area_id", "field": "group_value"}.get(by.kind, "'all'")
        where = " AND ".join(conds)
        sql = (f"SELECT {key} AS key, CAST(sum(population) AS DOUBLE) AS pop FROM denominators WHERE {where} "
               f"AND year = (SELECT coalesce(max(year) FILTER (WHERE year <= ?), min(year)) FROM denominators "
               f"WHERE layer = ? AND group_field = ?) GROUP BY 1")
        return dict(self.warehouse.rows(sql, params + [year, lay, gf]))

    def _cube(self, measure_id: str, part: str, layer: str, fld: str, categories=(), areas=()) -> cube.CountCube:
        """The in-memory copy of one aggregate slice, loaded on first use, kept for this file; with
        categories, a small cube of those categories (and areas, if any) summed, of which the
        most recently used are kept (CATEGORY_CUBES, CATEGORY_CUBE_BYTES): a view's calls share one load."""
        meta = self._m()
        if not categories:
            cubes = meta.setdefault("cubes", {})
            key = (measure_id, part, layer, fld)
            if key not in cubes:
                cubes[key] = cube.CountCube.load(self.warehouse.numpy, *key)
            return cubes[key]
        key = (measure_id, part, layer, fld, frozenset(categories), frozenset(areas))
        with self._cube_lock:
            recent = meta.setdefault("category_cubes", OrderedDict())
            if key in recent:
                recent.move_to_end(key)
                return recent[key]
        c = cube.CountCube.load(self.warehouse.numpy, measure_id, part, layer, fld, categories, areas)
        with self._cube_lock:
            recent[key] = c
            while len(recent) > 1 and (len(recent) > CATEGORY_CUBES or
                                       sum(x.nbytes for x in recent.values()) > CATEGORY_CUBE_BYTES):
                recent.popitem(last=False)
        return c

    def _values(self, m: Measure) -> cube.ValueColumn | None:
        """A percentile measure's values in memory (from its current agg_values_<measure>)."""
        vals = self._m().setdefault("values", {})
        if m.id not in vals:
            table = values_table(m)
            vals[m.id] = (cube.ValueColumn(self.warehouse.numpy, table, m.computation.column)
                          if table in self._m()["tables"] else None)
        return vals[m.id]

    def memory_bytes(self) -> int:
        """Bytes held by the in-memory aggregates of the current warehouse file (grows as slices are used)."""
        meta = self._m()
        return (sum(c.nbytes for c in meta.get("cubes", {}).values())
                + sum(c.nbytes for c in list(meta.get("category_cubes", {}).values()))
                + sum(v.nbytes for v in meta.get("values", {}).values() if v is not None))

    def _source(self) -> compute.Source:
        mem = self.use_memory
        return compute.Source(self.warehouse.rows, self._agg_ok, self.city.meeting_anchor,
                              self.city.meeting_every_days, self._population,
                              self._cube if mem else None, self._values if mem else None)

    # ---- dates ---------------------------------------------------------------------------
    def as_of(self) -> dt.date | None:
        his = [hi for _, hi in self._m()["coverage"].values() if hi]
        return max(his) if his else None

    def version(self) -> dict:
        """The warehouse being served, for /healthz and /metrics: its newest load (load_log) and
        when the file was last swapped in (its mtime, UTC), so a stale deployment is visible."""
        path = Path(self.warehouse.path)
        built = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc) if path.exists() else None
        last = self.warehouse.scalar("SELECT max(load_id) FROM load_log") if "load_log" in self._m()["tables"] else None
        newest = self.as_of()
        return {"last_load_id": None if last is None else int(last), "built_at": built,
                "newest_event": newest.isoformat() if newest else None}

    def is_demo(self) -> bool:
        if "meta" not in self._m()["tables"]:
            return False
        v = self.warehouse.scalar("SELECT value FROM meta WHERE key = ?", ["is_demo"])
        return str(v).lower() == "true"

    def period(self, kind: str, end: dt.date | None = None, start: dt.date | None = None,
               measure_id: str | None = None) -> Period:
        """A period of `kind` ending on `end`; without an end, on the newest data: that measure's
        own last complete day when `measure_id` is given (a page opens on data, not on the
        newest day of some other dataset), else the newest event of any dataset."""
        complete = end is None
        if end is None and measure_id is not None:
            end = self.coverage(measure_id).last_complete
        end = end or self.as_of() or self.today()
        return make_period(kind, end, start, self.city.meeting_anchor, self.city.meeting_every_days,
                           complete=complete and kind == "meeting")

    def coverage(self, measure_id: str, period: Period | None = None) -> coverage.MeasureCoverage:
        """Whether the loaded files can answer the measure (for `period`, else for its whole
        data) and why not, with its first and last complete day (engine/coverage.py)."""
        m = self._measure(measure_id)
        facts = self._m()["facts"]
        return coverage.measure_coverage(m, facts, *((period.start, period.end) if period else (None, None)))

    def latest_data(self, measure_ids=None) -> dt.date | None:
        """The newest last complete day among these measures (default: all): where "jump to
        the latest data" goes."""
        ids = list(measure_ids) if measure_ids is not None else list(self.catalog.measures)
        days = [self.coverage(mid).last_complete for mid in ids
                if self.catalog.measures[mid].computation.kind != "freshness"]
        days = [d for d in days if d]
        return max(days) if days else None

    def lag_report(self) -> list[dict]:
        """Per loaded dataset, newest first: its last event day, its last complete day, days
        behind the newest dataset and days since today (the clock), and whether it is fresh."""
        facts = self._m()["facts"]
        newest = self.as_of()
        today = self.today()
        out = []
        for d, f in facts.items():
            if f.hi is None:
                continue
            ds = self._catalog.datasets.get(d)
            out.append({"dataset": d, "title": getattr(ds, "title", d), "last_day": f.hi,
                        "last_complete": f.last_complete, "behind_days": (newest - f.hi).days,
                        "age_days": (today - f.hi).days, "fresh": self._dataset_fresh(d, today)})
        return sorted(out, key=lambda r: (r["behind_days"], r["dataset"]))

    def meeting_dates(self, n_back: int = 6, n_forward: int = 1) -> list[dt.date]:
        return meeting_dates(self.as_of() or self.today(), self.city.meeting_anchor,
                             self.city.meeting_every_days, n_back, n_forward)

    # ---- measures ------------------------------------------------------------------------
    def _measure(self, measure_id: str) -> Measure:
        try:
            return self.catalog.measures[measure_id]
        except KeyError:
            if measure_id in self._adhoc:
                return self._adhoc[measure_id]
            raise FilterError(f"unknown measure {measure_id!r}") from None

    # ---- the analyst's explorer (engine.explore): ad-hoc measures, validated like catalog ones ----
    def explore(self, spec: "explore_mod.Spec") -> tuple[Measure, dict]:
        """(an ad-hoc Measure every engine method accepts by its id, its catalog entry) for the
        explorer's choices; raises explore.ExploreError (one line) for a choice the warehouse
        cannot answer. Internal only: the public engine serves the catalog's published measures."""
        if self.mode == "public":
            raise explore_mod.ExploreError("the explorer is not part of the public site")
        opts = self.explore_options(spec.dataset) if spec.dataset in self._m()["tables"] else None
        if opts and spec.field is not None and spec.field not in opts["fields"]:
            raise explore_mod.ExploreError(f"field: {spec.field!r} is not a category of {spec.dataset} "
                                           f"(categories: {', '.join(opts['fields'])})")
        if opts and spec.field is not None and spec.value not in self.explore_values(spec.dataset, spec.field):
            raise explore_mod.ExploreError(f"value: {spec.value!r} is not a value of {spec.dataset}.{spec.field} "
                                           "in the loaded data")
        schema = {t: c for t, c in self._schema().items() if t in self._catalog_full.datasets}
        layers = set(opts["layers"]) if opts else set(self.layers()["layer"])
        m, raw = explore_mod.build(spec, self._catalog_full, schema, layers)
        self._adhoc[m.id] = m
        self._adhoc.move_to_end(m.id)
        while len(self._adhoc) > 256:  # bounded: a long-running worker sees many explorations
            self._adhoc.popitem(last=False)
        return m, raw

    @per_file
    def _schema(self) -> dict:
        return self.warehouse.columns()

    @per_file
    def explore_options(self, dataset: str) -> dict:
        """What the explorer offers for a loaded dataset: category columns, kinds, demographic
        fields, layers (every loaded layer the dataset has areas for)."""
        if dataset not in self.catalog.datasets or dataset not in self._m()["tables"]:
            raise explore_mod.ExploreError(f"dataset: {dataset!r} is not a loaded dataset")
        cols = self._schema()[dataset]
        cand = [c for c, ty in cols.items() if ty in ("VARCHAR", "INTEGER", "BIGINT")
                and explore_mod.category_columns({c: ty}, {c: 1})]
        distinct = {}
        if cand:
            row = self.warehouse.rows("SELECT " + ", ".join(f"approx_count_distinct({q(c)})" for c in cand)
                                      + f" FROM {q(dataset)}")[0]
            distinct = dict(zip(cand, row))
        with_col = [x for x in self.layers()["layer"] if f"area_{x}" in cols]
        placed = (self.warehouse.rows("SELECT " + ", ".join(
            f"count(*) FILTER (WHERE {q('area_' + x)} IS NOT NULL AND {q('area_' + x)} <> 'UNKNOWN')" for x in with_col)
            + f" FROM {q(dataset)}")[0] if with_col else [])
        # a layer none of the dataset's events could be placed in (Terry stops publish no
        # coordinates, so no Neighborhood Map Atlas area) would only show "no known area": not offered
        layers = [x for x, n in zip(with_col, placed) if n]
        return {"fields": explore_mod.category_columns(cols, distinct), "kinds": explore_mod.kinds_for(cols),
                "demographic": [f for f in explore_mod.DEMOGRAPHIC if f in cols], "layers": layers,
                "unplaced": [x for x, n in zip(with_col, placed) if not n]}

    @per_file
    def explore_values(self, dataset: str, field: str) -> list[str]:
        """The values a category column holds in the loaded data, as text, most frequent first."""
        if field not in self.explore_options(dataset)["fields"]:
            raise explore_mod.ExploreError(f"field: {field!r} is not a category of {dataset}")
        rows = self.warehouse.rows(f"SELECT CAST({q(field)} AS VARCHAR) AS v, count(*) AS n FROM {q(dataset)} "
                                   f"WHERE {q(field)} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?",
                                   [explore_mod.MAX_DISTINCT])
        return [r[0] for r in rows]

    @per_file
    def group_values(self, dataset: str, field: str) -> list[str]:
        """The values of a demographic field in the loaded data (for a demographic filter)."""
        if field not in explore_mod.DEMOGRAPHIC or field not in self._schema().get(dataset, {}):
            raise explore_mod.ExploreError(f"group: dataset {dataset!r} has no demographic field {field!r}")
        return [r[0] for r in self.warehouse.rows(f"SELECT DISTINCT CAST({q(field)} AS VARCHAR) FROM {q(dataset)} "
                                                  f"WHERE {q(field)} IS NOT NULL ORDER BY 1")]

    def _missing(self, m: Measure) -> str:
        """Why this measure cannot be computed from this warehouse, or ''."""
        tables = self._m()["tables"]
        if m.computation.kind == "freshness":
            return ""
        gone = [p.dataset for p in parts_of(m.computation) if p.dataset not in tables]
        return f"dataset {', '.join(gone)} is not loaded" if gone else ""

    def _data_span(self, m: Measure) -> tuple[dt.date | None, dt.date | None]:
        """First and last day on which every dataset the measure reads has data (a dataset with
        no events makes the span empty: lo > hi); (None, None) for a measure that reads none."""
        cov = self._m()["coverage"]
        parts = parts_of(m.computation)
        if not parts:
            return None, None
        return (max(cov.get(p.dataset, (None, None))[0] or dt.date.max for p in parts),
                min(cov.get(p.dataset, (None, None))[1] or dt.date.min for p in parts))

    def within_data(self, measure_id: str, period: Period) -> Period:
        """The part of `period` this measure's data cover (engine.timemodel.within_data): what
        measure() and breakdown() measure, and what a comparison of the same length must use."""
        return self._within_data(self._measure(measure_id), period)

    def _within_data(self, m: Measure, period: Period) -> Period:
        if m.computation.kind == "freshness":
            return period
        return timemodel.within_data(period, *self._data_span(m))

    def _gap(self, m: Measure, start: dt.date, end: dt.date) -> str:
        """coverage.gap for this warehouse file, remembered per (measure, dates): every measure,
        series and breakdown call asks it."""
        meta = self._m()
        gaps = meta.setdefault("gaps", {})
        key = (m.id, start, end)
        if key not in gaps:
            if len(gaps) > 50_000:  # bounded: a long-running worker sees many custom ranges
                gaps.clear()
            gaps[key] = coverage.gap(m, meta["facts"], start, end)
        return gaps[key]

    def _covered(self, m: Measure, start: dt.date, end: dt.date, whole: bool = False) -> bool:
        """True when [start, end] overlaps every dataset the measure reads; whole=True: lies
        entirely within them (a comparison period that starts before a dataset's first event
        would count the missing days as zero, so it is no data instead)."""
        cov = self._m()["coverage"]
        for p in parts_of(m.computation):
            lo, hi = cov.get(p.dataset, (None, None))
            if lo is None or end < lo or start > hi or (whole and (start < lo or end > hi)):
                return False
        return True

    def _rows(self, m: Measure, ranges: list[tuple], f: Filters, whole: int = 0) -> list[dict | None]:
        """The measure's row for each (start, end) range, in one query where the kind allows;
        None for a range outside the data or a dataset not loaded, and for a range at index
        >= `whole` (comparison periods, baselines) that is not entirely within the data."""
        kind = m.computation.kind
        if kind == "freshness":
            return [self._freshness_row(m, e) for _, e in ranges]
        if self._missing(m):
            return [None] * len(ranges)
        whole = whole or len(ranges)
        covered = [self._covered(m, s, e, i >= whole) for i, (s, e) in enumerate(ranges)]
        want = [r for r, c in zip(ranges, covered) if c]
        if not want:
            return [None] * len(ranges)
        if kind == "disparity":
            got = [compute.table_rows(self._source(), m, s, e, f, By())[0] for s, e in want]
        else:
            got = compute.table_rows(self._source(), m, None, None, f, By("periods", ranges=tuple(want)))
        it = iter(got)
        out = []
        for c in covered:
            r = next(it) if c else None
            if r is not None and kind in ("percentile", "share") and (r["n"] or 0) < max(m.small_number_threshold, 1):
                r["value"] = float("nan")  # too few cases for a stable percentile or share
            out.append(r)
        return out

    def _row(self, m: Measure, start, end, f: Filters) -> dict | None:
        return self._rows(m, [(start, end)], f)[0]

    def _target(self, m: Measure, period: Period, f: Filters, base: dict | None) -> tuple[float | None, str]:
        """The target for this period; `base` is the baseline row for a % change target."""
        t = m.target
        if t is None:
            return None, ""
        scale = period.days / t.per_days if (t.per_days and m.computation.kind == "count") else 1.0
        if t.value is not None:
            if m.computation.kind == "count" and (f.areas or f.group_value is not None or f.categories):
                return None, "The target is citywide; it does not apply to a filtered view."
            return float(t.value) * scale, ""
        if t.baseline != "prior_year" and m.computation.kind == "count":
            bs, be = t.baseline
            scale = period.days / ((be - bs).days + 1)
        bv = _num(base["value"]) if base else None
        if bv is None:
            return None, "No baseline to compute the target from."
        return bv * scale * (1 + t.change_pct / 100.0), ""

    def _flag(self, m: Measure, cur: dict | None, old: dict | None, days: int, days0: int) -> stats.Flag:
        if not cur or not old:
            return stats.NO_TEST
        kind = m.computation.kind
        if kind == "count":
            return stats.compare_counts(int(cur["numerator"]), int(old["numerator"]), days, days0, what=f"number of {m.unit}" if m.unit else "count")
        if kind == "rate":
            e, e0 = (cur["denominator"] or 0) * days, (old["denominator"] or 0) * days0
            return stats.compare_counts(int(cur["numerator"]), int(old["numerator"]), e, e0, what="rate")
        if kind == "ratio":
            return stats.compare_counts(int(cur["numerator"]), int(old["numerator"]), cur["denominator"] or 0,
                                        old["denominator"] or 0, what="ratio")
        if kind == "share":
            return stats.compare_shares(int(cur["numerator"]), int(cur["denominator"]), int(old["numerator"]),
                                        int(old["denominator"]))
        if kind in ("percentile", "disparity"):
            if _num(cur["value"]) is None or _num(old["value"]) is None:
                return stats.NO_TEST
            return stats.compare_intervals((cur["ci_low"], cur["ci_high"]), (old["ci_low"], old["ci_high"]),
                                           what="percentile" if kind == "percentile" else "disparity ratio")
        return stats.NO_TEST

    def freshness(self, m: Measure) -> Freshness:
        cov = self._m()["coverage"]
        ds = [p.dataset for p in parts_of(m.computation)] if m.computation.kind != "freshness" else list(self.catalog.datasets)
        his = [cov.get(d, (None, None))[1] for d in ds]
        as_of = min((h for h in his if h), default=None)
        fresh = all(self._dataset_fresh(d, self.today()) for d in ds) if ds else False
        note = "" if fresh else "Some of this measure's data is older than its update cadence."
        return Freshness(as_of, m.cadence, m.lag_days, fresh, note)

    def _dataset_fresh(self, dataset: str, at: dt.date, meta: dict | None = None) -> bool:
        """A dataset is fresh at a date when its newest event on or before that date is within
        its cadence plus its publication lag. `meta`: self._m() when the caller has it (a series
        asks this for every bucket and dataset; each _m() checks the file on disk)."""
        meta = meta or self._m()
        d = self._catalog.datasets.get(dataset)
        if d is None or dataset not in meta["tables"]:
            return False
        lo, hi = meta["coverage"].get(dataset, (None, None))
        if hi is None or lo > at:
            return False
        if hi <= at:
            newest = hi
        else:  # the newest event on or before `at`: from the dataset's event days, read once per file
            days = meta.setdefault("days", {})
            if dataset not in days:
                days[dataset] = [r[0] for r in self.warehouse.rows(
                    f"SELECT DISTINCT CAST(event_time AS DATE) AS d FROM {q(dataset)} WHERE event_time IS NOT NULL ORDER BY 1")]
            newest = days[dataset][bisect.bisect_right(days[dataset], at) - 1]
        return (at - newest).days <= d.cadence_days + d.lag_days

    def _freshness_row(self, m: Measure, at: dt.date) -> dict:
        meta = self._m()
        ds = list(m.computation.datasets) or list(self._catalog.datasets)
        fresh = sum(self._dataset_fresh(d, at, meta) for d in ds)
        n = len(ds)
        lo, hi = stats.proportion_ci(fresh, n) if n else (math.nan, math.nan)
        return {"key": "all", "value": 100.0 * fresh / n if n else math.nan, "numerator": float(fresh),
                "denominator": float(n), "ci_low": 100 * lo, "ci_high": 100 * hi, "n": float(n)}

    def measure(self, measure_id: str, period: Period, f: Filters = NO_FILTERS) -> MeasureResult:
        m = self._measure(measure_id)
        f = f or NO_FILTERS
        f.check(m)
        period = self._within_data(m, period)  # the days with data, compared with as many days before
        pp, py = period.prior(), period.prior_year()
        ranges = [(period.start, period.end), (pp.start, pp.end), (py.start, py.end)]
        fixed = m.target is not None and m.target.change_pct is not None and m.target.baseline != "prior_year"
        if fixed:
            ranges.append(tuple(m.target.baseline))
        gap = self._gap(m, period.start, period.end)
        rows = [None] * len(ranges) if gap else self._rows(m, ranges, f, whole=1)
        cur, old, year = rows[:3]
        value = _num(cur["value"]) if cur else None
        prior = _num(old["value"]) if old else None
        prior_year = _num(year["value"]) if year else None
        target, note = self._target(m, period, f, rows[3] if fixed else year)
        st = status_of(value, target, m.direction, m.target.tolerance_pct if m.target else 0)
        missing = self._missing(m)
        if missing:
            note = f"No data: {missing}."
        elif gap:
            st, target = "not_covered", None
            note = f"Not covered by the loaded data: {gap}."
        elif value is None:
            note = "Not enough data in this period."
        elif target is None and m.target is not None and m.target.change_pct is not None:
            # the target is a change from a baseline the data do not reach: a value with no
            # target to judge it by ("No target", never "No data": the value is there)
            st = "no_target"
            base = "the same period last year" if m.target.baseline == "prior_year" else "the baseline period"
            note = f"Not enough data: {base} is not entirely within the data, so there is no target to compare with."
        elif m.target is None or m.direction == "none":
            note = note or "This measure is reported for context and has no target."
        change = None if value is None or prior is None else value - prior
        change_y = None if value is None or prior_year is None else value - prior_year
        return MeasureResult(
            measure_id=m.id, title=m.title, unit=m.unit, direction=m.direction, period=period, filters=f,
            value=value, numerator=_num(cur["numerator"]) if cur else None,
            denominator=_num(cur["denominator"]) if cur else None,
            ci_low=_num(cur["ci_low"]) if cur else None, ci_high=_num(cur["ci_high"]) if cur else None,
            n=_num(cur["n"]) if cur else None, target=target, status=st, prior=prior, prior_year=prior_year,
            change=change, change_pct=(100 * change / prior) if change is not None and prior else None,
            change_year=change_y,
            change_year_pct=(100 * change_y / prior_year) if change_y is not None and prior_year else None,
            flag=self._flag(m, cur, old, period.days, pp.days) if value is not None else stats.NO_TEST,
            flag_year=self._flag(m, cur, year, period.days, py.days) if value is not None else stats.NO_TEST,
            freshness=self.freshness(m), small_number_threshold=m.small_number_threshold, note=note,
            prior_period=pp, prior_year_period=py, coverage=gap,
        )

    def series(self, measure_id: str, grain: str, start: dt.date, end: dt.date, f: Filters = NO_FILTERS,
               baseline_points: int = 8, flags: bool = True) -> pd.DataFrame:
        """One row per time bucket of [start, end] (empty buckets count zero; buckets outside the
        data are blank). Count-like points are flagged when they differ from the pooled
        `baseline_points` buckets before them more than chance explains (exact test, exposure =
        days, residents x days, or calls); percentile points are not flagged. Each bucket says how
        many of its days the window and the data cover (`days` of `grain_days`); a `partial` one is
        never tested nor part of a baseline (engine.timemodel); a tested bucket names its baseline
        (`baseline_start`, `baseline_n` complete buckets up to the one before it). flags=False: no
        point is tested (flagged False, p_value None), for a line only drawn for comparison, such
        as last year's under this year's (the tests are most of a weekly series' cost)."""
        m = self._measure(measure_id)
        f = f or NO_FILTERS
        f.check(m)
        if grain not in GRAINS:
            raise FilterError(f"unknown grain {grain!r} (allowed: {', '.join(GRAINS)})")
        buckets = time_buckets(grain, start, end, self.city.meeting_anchor, self.city.meeting_every_days)
        cols = timemodel.SERIES_COLUMNS
        kind = m.computation.kind
        if kind == "freshness":  # as it stood on the bucket's last day inside the window
            rows = [{"period_start": b, "period_end": e, **self._freshness_row(m, min(e, end))} for b, e in buckets]
            lo, hi = start, end
        elif self._missing(m) or self._gap(m, start, end):
            return pd.DataFrame(columns=cols)  # not covered: no points (they would be zeros)
        else:
            lo, hi = self._data_span(m)
            lo, hi = max(lo or start, start), min(hi or end, end)
            # counted over the days every dataset covers, as measure() does: a ratio's bucket
            # never divides one dataset's 6 days by another's 7
            got = ({r["key"]: r for r in compute.table_rows(self._source(), m, lo, hi, f, By("grain", grain),
                                                             keys=[b for b, _ in buckets])} if lo <= hi else {})
            rows = [{"period_start": b, "period_end": e, **got.get(b, {"value": math.nan, "numerator": math.nan,
                                                                        "denominator": math.nan, "n": 0})}
                    for b, e in buckets]
        few = max(m.small_number_threshold, 1)
        for r in rows:
            r["days"] = timemodel.covered_days(r["period_start"], r["period_end"], lo, hi)
            r["grain_days"] = timemodel.grain_days(r["period_start"], r["period_end"])
            r["partial"] = timemodel.is_partial(r["days"], r["grain_days"])
            if r["days"] == 0 and kind != "freshness":  # outside the data: unknown, not zero
                r["value"] = r["numerator"] = r["denominator"] = math.nan
            elif kind == "rate":  # annualise each bucket by the days it covers
                r["value"] = r["value"] * compute.YEAR_DAYS / r["days"]
            elif kind in ("percentile", "share") and (r.get("n") or 0) < few:
                r["value"] = math.nan  # too few cases, as in measure(): a chart and its table agree
            r["flagged"], r["p_value"], r["baseline_start"], r["baseline_n"] = False, None, None, 0
        if flags and kind in ("count", "rate", "ratio", "share"):
            done: list[dict] = []  # complete buckets with data so far: a bucket's baseline is the last few
            for cur in rows:
                if cur["days"] == 0 or cur["partial"]:  # a part-period is never tested nor a baseline
                    continue
                prev = done[-baseline_points:]
                done.append(cur)
                if len(prev) < 2:
                    continue
                num, num0 = int(cur["numerator"]), int(sum(r["numerator"] for r in prev))
                if kind == "share":
                    fl = stats.compare_shares(num, int(cur["denominator"]), num0, int(sum(r["denominator"] for r in prev)))
                elif kind == "ratio":
                    fl = stats.compare_counts(num, num0, cur["denominator"], sum(r["denominator"] for r in prev))
                elif kind == "rate":
                    fl = stats.compare_counts(num, num0, cur["denominator"] * cur["days"],
                                              sum(r["denominator"] * r["days"] for r in prev))
                else:
                    fl = stats.compare_counts(num, num0, cur["days"], sum(r["days"] for r in prev))
                cur["flagged"], cur["p_value"] = fl.flagged, fl.p_value
                cur["baseline_start"], cur["baseline_n"] = prev[0]["period_start"], len(prev)
        return pd.DataFrame(rows, columns=cols)

    # ---- time views CompStat users expect (engine.timeviews) ----------------------------------
    def history(self, measure_id: str, f: Filters = NO_FILTERS, end: dt.date | None = None) -> pd.DataFrame:
        """The measure by month over every loaded year: series() from the month of its first day
        of data to `end` (default: its last day of data), so the first and last months are
        partial where the data start or stop inside them (never drawn or ranked as whole)."""
        m = self._measure(measure_id)
        lo, hi = self._data_span(m)
        if lo is None or hi is None or lo > hi or m.computation.kind == "freshness":
            return pd.DataFrame(columns=timemodel.SERIES_COLUMNS)
        end = min(end or hi, hi)
        return self.series(measure_id, "month", lo.replace(day=1), end, f, flags=False)

    def week_hour(self, measure_id: str, period: Period, f: Filters = NO_FILTERS) -> timeviews.WeekHour | None:
        """Events of a count measure by day of week and hour of day over `period` cut to the data
        (the same events measure() counts: its total is measure().value); None when the loaded
        data cannot answer it (not loaded, not covered, or no day of the period has data)."""
        m = self._measure(measure_id)
        f = f or NO_FILTERS
        f.check(m)
        if m.computation.kind != "count":
            raise FilterError(f"measure '{m.id}' is a {m.computation.kind}: only counts have a day-by-hour heat map")
        period = self._within_data(m, period)
        if (self._missing(m) or not self._covered(m, period.start, period.end, whole=True)
                or self._gap(m, period.start, period.end)):
            return None
        rows = query.weekday_hour_counts(self.warehouse.rows, m.computation.part, period.start, period.end, f)
        return timeviews.week_hour(rows, period)

    def compstat(self, measure_id: str, layer: str, f: Filters = NO_FILTERS,
                 end: dt.date | None = None) -> tuple[list, pd.DataFrame]:
        """The CompStat grid of a count measure: (periods, table). periods: [(key, heading, this
        period, the one compared)] for week to date, 28 days, year to date and 2 years, each pair
        of equal length (engine.timeviews.compstat_periods). table: one row per area of `layer`
        (citywide first, 'UNKNOWN' last) with <key>_now, <key>_then and <key>_pct; a period the
        data do not wholly cover is None (no data), never 0. `end` defaults to the measure's last
        complete day."""
        m = self._measure(measure_id)
        f = f or NO_FILTERS
        f.check(m)
        if m.computation.kind != "count":
            raise FilterError(f"measure '{m.id}' is a {m.computation.kind}: the CompStat grid compares counts")
        by = By.parse(f"area:{layer}", m)
        end = end or self.coverage(m.id).last_complete or self._data_span(m)[1]
        lo, hi = self._data_span(m)
        periods = timeviews.compstat_periods(end, lo, hi, timemodel.within_data) if end else []
        labels = self.areas(layer)
        keys = list(labels["area_id"])
        names = dict(zip(labels["area_id"], labels["label"]))
        values: dict = {}
        covered = set()  # (column, side) the data wholly cover: an area with no events there is 0
        counted: dict = {}  # (start, end) -> {area or 'all': count}
        for key, _, now, then in periods:
            for side, p in (("now", now), ("then", then)):
                ok = (not self._missing(m) and self._covered(m, p.start, p.end, whole=True)
                      and not self._gap(m, p.start, p.end))
                if not ok:
                    continue
                covered.add((key, side))
                if (p.start, p.end) not in counted:  # the YTD and 2-year columns share this year's days
                    src = self._source()
                    counted[(p.start, p.end)] = {"all": compute.table_rows(src, m, p.start, p.end, f, By())[0]["numerator"],
                                                 **{r["key"]: r["numerator"] for r in
                                                    compute.table_rows(src, m, p.start, p.end, f, by, keys=keys)}}
                values.update({(k, key, side): n for k, n in counted[(p.start, p.end)].items()})
        found = {k for k, _, _ in values if k != "all"}
        order = ["all"] + sorted((k for k in found | set(keys) if k != "UNKNOWN"), key=lambda k: str(names.get(k, k)))
        order += ["UNKNOWN"] if "UNKNOWN" in found else []
        rows = []
        for k in order:
            row = {"key": k, "label": "Citywide" if k == "all" else ("No known area" if k == "UNKNOWN" else names.get(k, k))}
            for key, _, _, _ in periods:
                now, then = (values.get((k, key, side), 0.0 if (key, side) in covered else None)
                             for side in ("now", "then"))
                row.update({f"{key}_now": now, f"{key}_then": then, f"{key}_pct": timeviews.pct_change(now, then)})
            rows.append(row)
        cols = ["key", "label"] + [f"{k}_{s}" for k, _, _ in timeviews.COMPSTAT for s in ("now", "then", "pct")]
        return periods, pd.DataFrame(rows, columns=cols)

    def breakdown(self, measure_id: str, period: Period, by: str, f: Filters = NO_FILTERS,
                  suppress: bool | None = None) -> pd.DataFrame:
        """One row per area of a layer ('area:<layer>') or value of a demographic field.

        Areas with no events are listed with zero. suppress (default: on in public mode) applies
        small-number and complementary suppression (engine.suppression) to the counts and rates.
        """
        m = self._measure(measure_id)
        f = f or NO_FILTERS
        f.check(m)
        b = By.parse(by, m)
        period = self._within_data(m, period)  # as measure(): a map's rates and the headline agree
        cols = ["key", "label", "value", "numerator", "denominator", "ci_low", "ci_high"]
        if (m.computation.kind == "freshness" or self._missing(m) or not self._covered(m, period.start, period.end)
                or self._gap(m, period.start, period.end)):
            return pd.DataFrame(columns=cols)
        labels = self.areas(b.name) if b.kind == "area" else pd.DataFrame(columns=["area_id", "label"])
        keys = list(labels["area_id"]) if len(labels) else None
        t = compute.table(self._source(), m, period.start, period.end, f, b, keys=keys)
        lab = dict(zip(labels["area_id"], labels["label"]))
        t["label"] = [lab.get(k, k) for k in t["key"]]
        t = t[cols + ["n"]]
        if m.computation.kind in ("percentile", "share"):
            t.loc[t["n"] < max(m.small_number_threshold, 1), "value"] = float("nan")
        if suppress is None:
            suppress = self.mode == "public"
        if suppress:
            count_col = "numerator" if m.computation.kind not in ("percentile",) else "denominator"
            t = suppression.suppress_breakdown(
                t, m.small_number_threshold, count_col=count_col,
                denom_col="denominator" if m.computation.kind in ("share", "ratio", "rate") else None)
        return t.drop(columns=["n"])

    def disparity(self, measure_id: str, period: Period, fld: str, reference: str,
                  f: Filters = NO_FILTERS, suppress: bool | None = None) -> pd.DataFrame:
        """Every group's rate (per resident, or per contact for shares) and its ratio to the reference
        group's rate, with exact 95% intervals."""
        m = self._measure(measure_id)
        f = f or NO_FILTERS
        f.check(m)
        if fld not in m.fields and fld != m.computation.field:
            raise FilterError(f"measure '{m.id}' cannot be broken down by {fld!r}")
        cols = ["group", "numerator", "denominator", "rate", "ratio", "ci_low", "ci_high"]
        if (self._missing(m) or m.computation.kind not in ("count", "rate", "share", "disparity")
                or self._gap(m, period.start, period.end)):
            return pd.DataFrame(columns=cols)
        g = compute.group_rates(self._source(), m, period.start, period.end, f, fld, groups=[reference])
        ref = [r for r in g if r["group"] == reference]
        ra, re_ = (ref[0]["a"], ref[0]["e"]) if ref else (0.0, math.nan)
        rows = []
        for r in g:
            ratio, lo, hi = (stats.rate_ratio(int(r["a"]), r["e"], int(ra), re_)
                             if r["e"] == r["e"] and re_ == re_ else (math.nan,) * 3)
            rows.append({"group": r["group"], "numerator": r["a"], "denominator": r["e"], "rate": r["rate"],
                         "ratio": ratio, "ci_low": lo, "ci_high": hi})
        out = pd.DataFrame(rows, columns=cols).sort_values("group").reset_index(drop=True)
        if suppress is None:
            suppress = self.mode == "public"
        if suppress:
            basis = m.computation.basis if m.computation.kind == "disparity" else ("contacts" if m.computation.kind == "share" else "residents")
            out = suppression.suppress_breakdown(out, m.small_number_threshold, count_col="numerator",
                                                 denom_col="denominator", denom_is_count=True,
                                                 value_cols=("rate", "ratio", "ci_low", "ci_high"))
        return out

    def goal_overview(self, period: Period) -> list[GoalSummary]:
        out = []
        for g in self.catalog.goals:
            s = GoalSummary(g)
            for mid in g.measures:
                r = self.measure(mid, period)
                s.results.append(r)
                s.counts[r.status] = s.counts.get(r.status, 0) + 1
            out.append(s)
        return out

    # ---- the events behind a number (engine.records; internal, analysts and up) ---------------
    def records(self, measure_id: str, period: Period, f: Filters = NO_FILTERS, *, met: bool = False,
                sort: str | None = None, descending: bool = True, offset: int = 0,
                limit: int = 50) -> records_mod.Records:
        """One page of the events the measure counted for `period` and `f`, over the same days
        measure() counts (the period cut to the data), and how many there are in all: for a count,
        `total` equals measure().value. limit=0: every event (the CSV). Never in public mode."""
        if self.mode == "public":
            raise FilterError("event records are not published")
        m = self._measure(measure_id)
        f = f or NO_FILTERS
        f.check(m)
        period = self._within_data(m, period)
        missing = self._missing(m)
        if missing:
            raise FilterError(f"measure '{m.id}' has no records: {missing}")
        cols = self._event_columns(m.computation.part.dataset)
        return records_mod.fetch(self.warehouse.execute, self.warehouse.scalar, m, cols, period.start,
                                 period.end, f, met=met, sort=sort, descending=descending, offset=offset, limit=limit)

    @per_file
    def _event_columns(self, dataset: str) -> list:
        """The event table's columns in table order (read once per warehouse file)."""
        return list(self.warehouse.columns().get(dataset, {}))

    def record(self, dataset: str, event_key: str) -> dict | None:
        """One event's full record as published (every field but the load bookkeeping), or None."""
        if self.mode == "public":
            raise FilterError("event records are not published")
        if dataset not in self.catalog.datasets or dataset not in self._m()["tables"]:
            raise FilterError(f"unknown dataset {dataset!r}")
        every = self._event_columns(dataset)
        cols = records_mod.published_columns(every) + [c for c in every if c.startswith("area_")]
        df = self.warehouse.execute(f"SELECT {', '.join(q(c) for c in cols)} FROM {q(dataset)} WHERE event_key = ?",
                                    [event_key])
        return df.iloc[0].to_dict() if len(df) else None

    # ---- geography and inventory ------------------------------------------------------------
    @per_file
    def layers(self) -> pd.DataFrame:
        if "layers" not in self._m()["tables"]:
            return pd.DataFrame(columns=["layer", "label"])
        return self.warehouse.execute("SELECT layer, label FROM layers ORDER BY layer")

    @per_file
    def areas(self, layer: str) -> pd.DataFrame:
        if "areas" not in self._m()["tables"]:
            return pd.DataFrame(columns=["area_id", "label"])
        return self.warehouse.execute("SELECT area_id, coalesce(label, area_id) AS label FROM areas "
                                      "WHERE layer = ? ORDER BY label", [layer])

    @per_file
    def geojson(self, layer: str) -> dict:
        feats = []
        if "areas" in self._m()["tables"]:
            df = self.warehouse.execute("SELECT area_id, label, geojson FROM areas WHERE layer = ? "
                                        "AND geojson IS NOT NULL", [layer])
            for area_id, label, gj in df.itertuples(index=False, name=None):
                geom = json.loads(gj)
                if geom.get("type") == "Feature":
                    geom = geom["geometry"]
                feats.append({"type": "Feature", "id": area_id, "properties": {"area_id": area_id, "label": label},
                              "geometry": geom})
        return {"type": "FeatureCollection", "features": feats}

    @per_file
    def categories(self, measure_id: str) -> list[str]:
        m = self._measure(measure_id)
        if m.computation.kind == "freshness" or self._missing(m):
            return []
        if self._agg_ok(m.id):
            df = self.warehouse.execute("SELECT DISTINCT category FROM agg_measure_daily WHERE measure_id = ? "
                                        "AND part = 'num' AND layer = '' AND group_field = '' "
                                        "AND category IS NOT NULL ORDER BY 1", [m.id])
        else:
            from engine.query import where_sql
            conds, params = where_sql(m.computation.part.where)
            where = " AND ".join(["category IS NOT NULL", *conds])
            df = self.warehouse.execute(f"SELECT DISTINCT category FROM {q(m.computation.part.dataset)} "
                                        f"WHERE {where} ORDER BY 1", params)
        return [str(x) for x in df["category"]]

    @per_file
    def inventory(self) -> pd.DataFrame:
        """DM2 data inventory: one row per catalog dataset, loaded or not."""
        meta = self._m()
        tables = meta["tables"]
        rows = []
        today = self.today()
        for d in self.catalog.datasets.values():
            row = {"dataset": d.id, "title": d.title, "source": d.portal_id, "vintage": None, "rows": 0,
                   "rejects": 0, "top_reasons": "", "last_load": None, "newest_event": None,
                   "cadence_days": d.cadence_days, "lag_days": d.lag_days, "fresh": False}
            if d.id in tables:
                row["rows"] = int(self.warehouse.scalar(f"SELECT count(*) FROM {q(d.id)}"))
                row["newest_event"] = meta["coverage"].get(d.id, (None, None))[1]
                row["fresh"] = self._dataset_fresh(d.id, today)
            if "load_log" in tables:
                ll = self.warehouse.execute(
                    "SELECT string_agg(DISTINCT vintage, ', ') AS vintage, CAST(sum(rows_rejected) AS BIGINT) AS rej, "
                    "max(finished_at) AS last FROM load_log WHERE dataset = ?", [d.id]).iloc[0]
                row["vintage"] = ll["vintage"] if isinstance(ll["vintage"], str) else None
                row["rejects"] = 0 if pd.isna(ll["rej"]) else int(ll["rej"])
                row["last_load"] = None if pd.isna(ll["last"]) else ll["last"]
            if "rejects" in tables:
                rr = self.warehouse.execute("SELECT reason, count(*) AS n FROM rejects WHERE dataset = ? "
                                            "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3", [d.id])
                row["top_reasons"] = "; ".join(f"{r} ({n})" for r, n in rr.itertuples(index=False, name=None))
            rows.append(row)
        return pd.DataFrame(rows)

    @per_file
    def loads(self) -> list[dict]:
        """One entry per loaded file (newest first) for the data page: rows read, loaded, rejected
        (with reasons grouped by kind), duplicates, derived keys, absent columns, format.
        A warehouse written before derived keys / absent columns existed reports 0 / [] / csv."""
        tables = self._m()["tables"]
        if "load_log" not in tables:
            return []
        have = set(self.warehouse.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'load_log'")
                   ["column_name"])
        extra = {"rows_derived_key": "0", "absent_columns": "CAST([] AS VARCHAR[])", "format": "'csv'"}
        cols = ", ".join(c if c in have else f"{d} AS {c}" for c, d in extra.items())
        df = self.warehouse.execute(
            "SELECT load_id, file, dataset, vintage, finished_at, rows_read, rows_loaded, rows_rejected, "
            f"rows_duplicate, {cols} FROM load_log ORDER BY load_id DESC")
        reasons: dict = {}
        if "rejects" in tables:
            rr = self.warehouse.execute(
                "SELECT load_id, regexp_replace(reason, '''[^'']*''', '…', 'g') AS kind, count(*) AS n "
                "FROM rejects GROUP BY ALL ORDER BY 1, 3 DESC, 2")
            for load_id, kind, n in rr.itertuples(index=False, name=None):
                reasons.setdefault(int(load_id), []).append((kind, int(n)))
        out = []
        for r in df.to_dict("records"):
            r["absent_columns"] = [str(c) for c in (r["absent_columns"] if r["absent_columns"] is not None else [])]
            r["reject_reasons"] = reasons.get(int(r["load_id"]), [])
            out.append(r)
        return out

    @per_file
    def quality(self, dataset: str) -> pd.DataFrame:
        if "quality_checks" not in self._m()["tables"]:
            return pd.DataFrame(columns=["load_id", "dataset", "file", "check", "column_name", "value", "detail",
                                         "checked_at"])
        return self.warehouse.execute(
            "SELECT * FROM quality_checks WHERE dataset = ? AND load_id = (SELECT load_id FROM quality_checks "
            "WHERE dataset = ? ORDER BY checked_at DESC LIMIT 1) ORDER BY 1, 4", [dataset, dataset])
