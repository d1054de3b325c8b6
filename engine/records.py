"""The events behind a number: the rows a measure counted, listed page by page, and one event whole.

A count an analyst cannot open is a count they must take on trust. The list is built from the
same pieces the count's SQL uses (query.when_sql, query.where_sql, the filters' conditions), so
the list's length and the number on the page cannot drift apart. Sort columns are checked
against the event table's own columns; every value is a bound parameter.

Which events are "behind" a number depends on the kind:
- count, rate, ratio: the (numerator) events counted;
- share: all events of the base, or (`met=True`) only those meeting the condition (the numerator);
- percentile: the events with a value of the measured column (the n the percentile is taken over).
Disparities and freshness are not sums of events; they have no list.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from engine.catalog import Measure
from engine.query import By, FilterError, Filters, _filter_events, q, when_sql, where_sql

LISTABLE = ("count", "rate", "ratio", "share", "percentile")
# Columns the ETL adds (where a row came from, the spatial join): not what the source published.
INTERNAL = ("source_file", "source_row", "vintage")
PAGE_SIZES = (25, 50, 100, 250)
DEFAULT_SORT = "event_time"


@dataclass(frozen=True)
class Records:
    dataset: str
    start: dt.date
    end: dt.date
    total: int                 # every event behind the number (the list's length)
    rows: pd.DataFrame         # this page of them
    columns: tuple             # the published fields, in the table's order
    sort: str
    descending: bool
    offset: int
    limit: int
    what: str                  # the events listed, in words ("robberies", "calls meeting the condition")


def listable(m: Measure) -> bool:
    return m.computation.kind in LISTABLE


def published_columns(table_columns) -> list[str]:
    """The event table's columns a user reads: the source's fields and the canonical ones, without
    the load bookkeeping, the raw copies of mapped demographic fields, or the area join columns."""
    return [c for c in table_columns
            if c not in INTERNAL and not c.startswith("area_") and not c.endswith("_raw")]


def conditions(m: Measure, start: dt.date, end: dt.date, f: Filters, met: bool = False) -> tuple[str, list, str]:
    """(table, WHERE sql, params) selecting exactly the events behind the measure's number."""
    comp = m.computation
    if comp.kind not in LISTABLE:
        raise FilterError(f"measure '{m.id}' is a {comp.kind}: it is not a count of events, so it has no list of records")
    part = comp.part
    w, params = when_sql("event_time", start, end, By())
    conds = [w]
    c2, p2 = where_sql(part.where)
    conds, params = _filter_events(conds + c2, params + p2, f)
    if comp.kind == "share" and met:
        c3, p3 = where_sql(comp.condition)
        conds, params = conds + c3, params + p3
    if comp.kind == "percentile":
        conds.append(f"{q(comp.column)} IS NOT NULL")
    return q(part.dataset), " AND ".join(conds), params


def fetch(run_df, scalar, m: Measure, table_columns: dict, start, end, f: Filters, *, met=False,
          sort=None, descending=True, offset=0, limit=50) -> Records:
    """One page of the events behind the measure's number over [start, end], and how many there are."""
    table, where, params = conditions(m, start, end, f, met)
    columns = published_columns(table_columns)
    sort = sort or DEFAULT_SORT
    if sort not in columns:
        raise FilterError(f"cannot sort the records by {sort!r} (the fields are: {', '.join(columns)})")
    offset, limit = max(0, int(offset)), int(limit)
    if limit not in PAGE_SIZES and limit != 0:
        raise FilterError(f"page size {limit} is not one of {', '.join(map(str, PAGE_SIZES))}")
    total = int(scalar(f"SELECT count(*) FROM {table} WHERE {where}", params))
    order = f"{q(sort)} {'DESC' if descending else 'ASC'} NULLS LAST, event_key"
    cols = ", ".join(q(c) for c in columns)
    page = "" if limit == 0 else " LIMIT ? OFFSET ?"
    rows = run_df(f"SELECT {cols} FROM {table} WHERE {where} ORDER BY {order}{page}",
                  params + ([limit, offset] if limit else []))
    comp = m.computation
    what = m.unit or "events"
    if comp.kind == "share":
        what = "events meeting the condition" if met else "events the share is taken of"
    elif comp.kind == "percentile":
        what = f"events with a {comp.column.replace('_', ' ')}"
    return Records(comp.part.dataset, start, end, total, rows, tuple(columns), sort, descending, offset, limit, what)
