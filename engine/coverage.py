"""What the loaded data can answer: per dataset its complete days, per loaded file what it covers.

A city's open-data files are often partial without saying so: Seattle's crime sample is a
robbery-only export, one call file is a one-sector extract. Counting "crimes against persons" in
the first gives 0 and "On track"; a rate per resident from the second divides one sector's calls
by the whole city. Both are false. So the ETL records, per loaded file, what the rows evidently
cover (engine/aggregates.py writes `agg_file_coverage`: per file and column, how many rows carry
a value and which distinct values occur), and `gap()` says in words why a measure is NOT COVERED
by the loaded data, which pages show instead of a number.

The facts are read from the rows, never from how a file was recognised (a file with some columns
absent, or filtered before it was published, shows as such). A warehouse written before these
tables existed opens as before: every measure is covered and complete days are estimated.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from engine.catalog import Catalog, Measure, parts_of

MAX_VALUES = 200  # more distinct values than this in a file: not listed (the file is not a filtered extract)
GEO_COLUMNS = ("sector", "precinct")  # finest first: a file whose rows name one of these only is local
NOT_A_PLACE = {"", "UNKNOWN", "99", "-", "NULL", "NONE", "N/A"}
# Rows needed before an absence means something: 20 citywide rows spread over Seattle's 17
# sectors all landing in one by chance has probability ~1e-23, while a one-day incremental
# fetch of a sparse dataset (2 shootings) naming one sector, or holding no assault, says nothing.
MIN_ROWS = 20



def complete_sql(table: str) -> str:
    """SELECT lo, hi, first_complete, last_complete of an event table (a quoted, checked name).

    An export cut during a day leaves that day with a fraction of its events. The first and the
    last event day count as complete when they hold at least half the median events of the days
    with events in the 28 days next to them (a sparse dataset, one event on most days, keeps its
    days; a 20-minute tail of a busy day is left out), else the day next to it is the first /
    last complete day. A file of one single day counts that day as complete."""
    return (f"WITH d AS (SELECT CAST(event_time AS DATE) AS day, count(*) AS n FROM {table} "
            f"WHERE event_time IS NOT NULL GROUP BY 1), b AS (SELECT min(day) AS lo, max(day) AS hi FROM d) "
            f"SELECT lo, hi, "
            f"CASE WHEN (SELECT n FROM d WHERE day = lo) * 2 >= coalesce((SELECT median(n) FROM d "
            f"WHERE day > lo AND day <= lo + 28), 0) THEN lo ELSE lo + 1 END, "
            f"CASE WHEN (SELECT n FROM d WHERE day = hi) * 2 >= coalesce((SELECT median(n) FROM d "
            f"WHERE day < hi AND day >= hi - 28), 0) THEN hi ELSE hi - 1 END FROM b")


@dataclass(frozen=True)
class FileFacts:
    """One loaded file: rows, first and last event day, rows with a value per column, and the
    distinct values of the columns measures filter on (None: more than MAX_VALUES, or not listed)."""
    file: str
    rows: int
    lo: dt.date | None
    hi: dt.date | None
    non_null: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DatasetFacts:
    dataset: str
    lo: dt.date | None                 # first and last event day
    hi: dt.date | None
    first_complete: dt.date | None     # first and last COMPLETE day (complete_sql)
    last_complete: dt.date | None
    files: tuple = ()                  # FileFacts; empty for a warehouse written before agg_file_coverage


@dataclass(frozen=True)
class MeasureCoverage:
    """Whether the loaded data can answer a measure for a period, and its latest complete data."""
    covered: bool
    reason: str                        # why not, in words ("the loaded crime file holds only ROBBERY ...")
    first_complete: dt.date | None
    last_complete: dt.date | None


def value_columns(catalog: Catalog) -> dict[str, set[str]]:
    """{dataset: columns whose distinct values agg_file_coverage lists}: categories, places, and
    every column a measure of that dataset filters on by value (gap() checks those values occur)."""
    out: dict[str, set[str]] = {d: {"category", *GEO_COLUMNS} for d in catalog.datasets}
    for m in catalog.measures.values():
        for p in parts_of(m.computation):
            out.setdefault(p.dataset, {"category", *GEO_COLUMNS}).update(c for c, op, _ in p.where if op in ("eq", "in"))
    return out


def load(warehouse, tables: set, datasets, bounds: dict) -> dict[str, DatasetFacts]:
    """DatasetFacts per loaded dataset. `bounds`: {dataset: (lo, hi)} the engine already read."""
    from engine.query import AGG_COVERAGE, AGG_FILE_COVERAGE  # noqa: PLC0415

    complete = {}
    if AGG_COVERAGE in tables and "last_complete" in warehouse.columns().get(AGG_COVERAGE, {}):
        complete = {d: (a, b) for d, a, b in warehouse.rows(
            f"SELECT dataset, first_complete, last_complete FROM {AGG_COVERAGE}")}
    files: dict[str, dict[str, FileFacts]] = {}
    if AGG_FILE_COVERAGE in tables:
        for d, f, n, lo, hi, col, nn, _nv, vals in warehouse.rows(
                f"SELECT dataset, file, rows, lo, hi, column_name, non_null, n_values, value_list "
                f"FROM {AGG_FILE_COVERAGE} ORDER BY dataset, file"):
            ff = files.setdefault(d, {}).setdefault(f, FileFacts(str(f or ""), int(n), lo, hi, {}, {}))
            ff.non_null[col] = int(nn or 0)
            ff.values[col] = None if vals is None else tuple(str(v) for v in vals)
    out = {}
    for d in datasets:
        if d not in tables or d not in bounds:
            continue
        lo, hi = bounds[d]
        a, b = complete.get(d, (lo, hi))  # an older warehouse: nothing says a day was cut off
        out[d] = DatasetFacts(d, lo, hi, a, b, tuple(files.get(d, {}).values()))
    return out


def _needed(m: Measure, dataset: str) -> list[str]:
    """Columns of `dataset` the measure cannot be computed without."""
    comp = m.computation
    cols = [c for p in parts_of(comp) if p.dataset == dataset for c, _, _ in p.where]
    if comp.part is not None and comp.part.dataset == dataset:
        cols += [c for c, _, _ in comp.condition]
        cols += [c for c in (comp.column, comp.field) if c]
    return list(dict.fromkeys(cols))


def _norm(v) -> str:
    return str(v).strip().lower()


def _plural(files, what="file") -> tuple[str, str]:
    return (f"{what}s", "hold") if len(files) > 1 else (what, "holds")


def _places(f: FileFacts, col: str) -> set | None:
    vals = f.values.get(col)
    if vals is None or not f.non_null.get(col):
        return None
    return {v for v in vals if _norm(v).upper() not in NOT_A_PLACE}


def gap(m: Measure, facts: dict[str, DatasetFacts], start: dt.date, end: dt.date) -> str:
    """Why the loaded files cannot answer measure `m` for [start, end], in words; '' when they can.

    Looks at the files whose events overlap the period (all of the dataset's files when none
    does: a robbery-only file covers no crimes against persons in any year either):
    - a column the measure needs carries no value in any of them ("carry no response_seconds");
    - a filter value the measure counts occurs in none of them, while they list their values
      ("the loaded crime file holds only ROBBERY records (none with crime_against = PERSON)");
    - every one of them names a single sector (or precinct) while the loaded data name several:
      a citywide figure would be one place's ("the loaded calls file covers one sector (C) only").
    """
    if m.computation.kind == "freshness":
        return ""
    city = {col: set() for col in GEO_COLUMNS}
    for ds in facts.values():
        for f in ds.files:
            for col in GEO_COLUMNS:
                city[col] |= _places(f, col) or set()
    for part in parts_of(m.computation):
        ds = facts.get(part.dataset)
        if ds is None or not ds.files:
            continue
        overlapping = [f for f in ds.files if f.lo and f.hi and f.lo <= end and f.hi >= start]
        files = overlapping or list(ds.files)
        name = part.dataset.replace("_", " ")
        word, verb = _plural(files)
        for col in _needed(m, part.dataset):
            if all(col in f.non_null for f in files) and not any(f.non_null[col] for f in files):
                return f"the loaded {name} {word} carry no {col.replace('_', ' ')} values"
        for col, op, val in part.where:
            if op not in ("eq", "in"):
                continue
            lists = [f.values.get(col) for f in files]
            if any(v is None for v in lists) or sum(f.non_null.get(col, 0) for f in files) < MIN_ROWS:
                continue  # many values, not recorded, or too few rows to tell: assume covered
            present = {_norm(v) for vals in lists for v in vals}
            wanted = [val] if op == "eq" else list(val)
            if present & {_norm(v) for v in wanted}:
                continue
            cats = sorted({v for f in files for v in (f.values.get("category") or ())})
            held = (f"only {', '.join(cats)} records" if cats and len(cats) <= 3 else
                    f"only {col.replace('_', ' ')} {', '.join(sorted(present))}" if len(present) <= 3 else "no such records")
            return (f"the loaded {name} {word} {verb} {held} "
                    f"(none with {col.replace('_', ' ')} = {' or '.join(str(v) for v in wanted)})")
        for col in GEO_COLUMNS if overlapping else ():  # no file in the period: no data, not a place question
            places = [_places(f, col) for f in files]
            if (len(city[col]) > 1 and all(p is not None and len(p) == 1 for p in places)
                    and sum(f.non_null.get(col, 0) for f in files) >= MIN_ROWS):
                named = sorted(set().union(*places))
                return (f"the loaded {name} {word} cover{'s' if len(files) == 1 else ''} "
                        f"{'one ' + col if len(named) == 1 else ', '.join(named) + ' ' + col + 's'}"
                        f"{' (' + named[0] + ')' if len(named) == 1 else ''} only, not the whole city")
            if any(p for p in places):
                break  # the finest place column that is filled decides
    return ""


def measure_coverage(m: Measure, facts: dict[str, DatasetFacts], start: dt.date | None = None,
                     end: dt.date | None = None) -> MeasureCoverage:
    """gap() plus the measure's first and last complete day (over all the datasets it reads)."""
    ds = [facts[p.dataset] for p in parts_of(m.computation) if p.dataset in facts] if m.computation.kind != "freshness" \
        else list(facts.values())
    firsts = [d.first_complete for d in ds if d.first_complete]
    lasts = [d.last_complete for d in ds if d.last_complete]
    first = max(firsts) if firsts and len(firsts) == len(ds) else None
    last = (min(lasts) if m.computation.kind != "freshness" else max(lasts)) if lasts and len(lasts) == len(ds) else None
    if start is None or end is None:
        start, end = (first or dt.date.min), (last or dt.date.max)
    reason = gap(m, facts, start, end)
    return MeasureCoverage(not reason, reason, first, last)
