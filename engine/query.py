"""The engine's SQL, in one place: counts and values of a measure's events for a date range.

Two sources answer the same question: the pre-aggregated `agg_measure_daily` table (fast; built
at ETL time by engine.aggregates) and the event tables (always correct; used when the aggregate
is missing, stale or lacks the combination asked for). Identifiers are checked against the
measure's catalog entry before they are put in SQL; every value is a bound parameter.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from engine.catalog import Measure, Part

AGG_TABLE = "agg_measure_daily"
AGG_META = "agg_meta"
AGG_COVERAGE = "agg_coverage"  # dataset -> first and last event date and complete day, written with the aggregates
AGG_FILE_COVERAGE = "agg_file_coverage"  # per loaded file and column: rows with a value, distinct values (engine/coverage.py)
# The event times coverage ("as of", first event) is taken from: the ETL's domain for an event
# time (etl/domains.py: 1900 to today + 1 day). The ETL rejects anything else now, but an older
# warehouse can hold year 0000 (1 BC, which reaches Python as the string '0001-01-01 (BC)') or
# 9999-12-31 (an "as of" no period can end on); coverage must not crash or be steered by them.
PLAUSIBLE_EVENT = "event_time >= TIMESTAMP '1900-01-01' AND event_time < current_date + 2"
PLAUSIBLE_COVERAGE = "lo >= DATE '1900-01-01' AND hi < current_date + 2"


class FilterError(ValueError):
    """A filter or breakdown names a layer, field or grain the measure does not allow."""


@dataclass(frozen=True)
class Filters:
    layer: str | None = None
    areas: tuple = ()
    group_field: str | None = None
    group_value: str | None = None
    categories: tuple = ()

    def check(self, m: Measure) -> None:
        if self.areas and self.layer not in m.layers:
            raise FilterError(f"measure '{m.id}' cannot be filtered by layer {self.layer!r} "
                              f"(allowed: {', '.join(m.layers) or 'none'})")
        if self.group_value is not None and self.group_field not in m.fields:
            raise FilterError(f"measure '{m.id}' cannot be filtered by field {self.group_field!r} "
                              f"(allowed: {', '.join(m.fields) or 'none'})")


NO_FILTERS = Filters()


def q(ident: str) -> str:
    """Quote an identifier that has already been checked against the catalog."""
    if not ident.replace("_", "").isalnum():
        raise FilterError(f"not a valid identifier: {ident!r}")
    return '"' + ident + '"'


def where_sql(where: tuple) -> tuple[list[str], list]:
    """Catalog filter triples -> SQL conditions with bound parameters."""
    conds, params = [], []
    ops = {"eq": "=", "ne": "<>", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
    for col, op, val in where:
        c = q(col)
        if op in ops:
            conds.append(f"{c} {ops[op]} ?")
            params.append(val)
        elif op in ("in", "not_in"):
            marks = ", ".join("?" for _ in val) or "NULL"
            conds.append(f"{c} {'NOT ' if op == 'not_in' else ''}IN ({marks})")
            params.extend(val)
        elif op == "is_null":
            conds.append(f"{c} IS {'' if val else 'NOT '}NULL")
        elif op == "not_null":
            conds.append(f"{c} IS {'NOT ' if val else ''}NULL")
    return conds, params


def bucket_sql(grain: str, col: str, anchor: dt.date, every: int) -> tuple[str, list]:
    if grain == "day":
        return col, []
    if grain in ("week", "month", "year"):
        return f"CAST(date_trunc('{grain}', {col}) AS DATE)", []
    if grain == "meeting":
        return (f"CAST(? AS DATE) + CAST(floor(date_diff('day', CAST(? AS DATE), {col}) / {int(every)}) "
                f"* {int(every)} AS INTEGER)"), [anchor, anchor]
    raise FilterError(f"unknown grain {grain!r} (allowed: day, week, meeting, month, year)")


@dataclass(frozen=True)
class By:
    """What rows to group by: nothing, an area layer, a demographic field, or a time grain."""
    kind: str = "none"      # none | area | field | grain | periods
    name: str | None = None
    ranges: tuple = ()      # periods: ((start, end), ...); the key is the range's index

    @staticmethod
    def parse(text: str | None, m: Measure) -> "By":
        if not text:
            return By()
        if text.startswith("area:"):
            layer = text[5:]
            if layer not in m.layers:
                raise FilterError(f"measure '{m.id}' cannot be broken down by layer {layer!r} "
                                  f"(allowed: {', '.join(m.layers) or 'none'})")
            return By("area", layer)
        if text in m.fields or (m.computation.field == text):
            return By("field", text)
        raise FilterError(f"measure '{m.id}' cannot be broken down by {text!r} "
                          f"(allowed: {', '.join(['area:' + x for x in m.layers] + list(m.fields)) or 'none'})")


def when_sql(col: str, start, end, by: By) -> tuple[str, list]:
    """Date condition on col: [start, end], or any of by.ranges when grouping by periods."""
    ranges = by.ranges if by.kind == "periods" else ((start, end),)
    sql = " OR ".join(f"({col} >= ? AND {col} < ?)" for _ in ranges)
    return f"({sql})", [x for s, e in ranges for x in (s, e + dt.timedelta(days=1))]


def periods_key(col: str, by: By) -> tuple[str, list]:
    whens = " ".join(f"WHEN {col} >= ? AND {col} < ? THEN {i}" for i in range(len(by.ranges)))
    return f"CASE {whens} END", [x for s, e in by.ranges for x in (s, e + dt.timedelta(days=1))]


def event_counts(run, part: Part, start, end, f: Filters, by: By, condition: tuple = (),
                 anchor=None, every=14, group_override: tuple | None = None) -> list:
    """count(*) and count meeting `condition` of part's events in [start, end], grouped by `by`.

    group_override: (field, value) replacing the user's group filter (a disparity's group).
    """
    table = q(part.dataset)
    w, params = when_sql("event_time", start, end, by)
    conds = [w]
    c2, p2 = where_sql(part.where)
    conds += c2
    params += p2
    conds, params = _filter_events(conds, params, f, group_override)
    key, kparams = _event_key(by, anchor, every)
    met_conds, met_params = where_sql(condition)
    met = f"count(*) FILTER (WHERE {' AND '.join(met_conds)})" if met_conds else "count(*)"
    sql = (f"SELECT {key} AS key, count(*) AS n, {met} AS n_met FROM {table} "
           f"WHERE {' AND '.join(conds)} GROUP BY 1")
    return run(sql, kparams + met_params + params)


def _filter_events(conds, params, f: Filters, group_override=None):
    conds, params = list(conds), list(params)
    if f.areas:
        conds.append(f"{q('area_' + f.layer)} IN ({', '.join('?' for _ in f.areas)})")
        params += list(f.areas)
    gf, gv = group_override or (f.group_field, f.group_value)
    if gv is not None:
        conds.append(f"{q(gf)} = ?")
        params.append(gv)
    if f.categories:
        conds.append(f"category IN ({', '.join('?' for _ in f.categories)})")
        params += list(f.categories)
    return conds, params


def _event_key(by: By, anchor, every):
    if by.kind == "none":
        return "'all'", []
    if by.kind == "area":
        return f"coalesce({q('area_' + by.name)}, 'UNKNOWN')", []
    if by.kind == "field":
        return f"coalesce(CAST({q(by.name)} AS VARCHAR), 'Unknown')", []
    if by.kind == "periods":
        return periods_key("event_time", by)
    return bucket_sql(by.name, "CAST(event_time AS DATE)", anchor, every)


def agg_usable(f: Filters, by: By, group_override=None) -> tuple[str, str] | None:
    """The (layer, group_field) grouping set that answers this question, or None if there is none."""
    layers = {x for x in (f.layer if f.areas else None, by.name if by.kind == "area" else None) if x}
    gf = (group_override or (f.group_field, f.group_value))
    fields = {x for x in (gf[0] if gf[1] is not None else None, by.name if by.kind == "field" else None) if x}
    if len(layers) > 1 or len(fields) > 1:
        return None
    return (layers.pop() if layers else "", fields.pop() if fields else "")


def agg_counts(run, measure_id: str, part_name: str, start, end, f: Filters, by: By, gset: tuple,
               anchor=None, every=14, group_override=None) -> list:
    layer, field = gset
    w, wp = when_sql("day", start, end, by)
    conds = ["measure_id = ?", "part = ?", "layer = ?", "group_field = ?", w]
    params = [measure_id, part_name, layer, field, *wp]
    if f.areas:
        conds.append(f"area_id IN ({', '.join('?' for _ in f.areas)})")
        params += list(f.areas)
    gf, gv = group_override or (f.group_field, f.group_value)
    if gv is not None:
        conds.append("group_value = ?")
        params.append(gv)
    if f.categories:
        conds.append(f"category IN ({', '.join('?' for _ in f.categories)})")
        params += list(f.categories)
    if by.kind == "none":
        key, kp = "'all'", []
    elif by.kind == "area":
        key, kp = "area_id", []
    elif by.kind == "field":
        key, kp = "group_value", []
    elif by.kind == "periods":
        key, kp = periods_key("day", by)
    else:
        key, kp = bucket_sql(by.name, "day", anchor, every)
    sql = (f"SELECT {key} AS key, CAST(sum(n) AS BIGINT) AS n, CAST(sum(n_met) AS BIGINT) AS n_met "
           f"FROM {AGG_TABLE} WHERE {' AND '.join(conds)} GROUP BY 1")
    return run(sql, kp + params)


def values_sql(part: Part, column: str, start, end, f: Filters, by: By, anchor=None, every=14) -> tuple[str, list]:
    """SQL giving (key, v): the non-null values of `column` (e.g. response_seconds) of part's events."""
    w, params = when_sql("event_time", start, end, by)
    conds = [w, f"{q(column)} IS NOT NULL"]
    c2, p2 = where_sql(part.where)
    conds, params = _filter_events(conds + c2, params + p2, f)
    key, kparams = _event_key(by, anchor, every)
    sql = f"SELECT {key} AS key, CAST({q(column)} AS DOUBLE) AS v FROM {q(part.dataset)} WHERE {' AND '.join(conds)}"
    return sql, kparams + params


def event_quantiles(run, part: Part, column: str, qv: float, start, end, f: Filters, by: By,
                    anchor=None, every=14) -> list:
    """(key, quantile, count) per group, computed inside DuckDB (linear interpolation, as numpy)."""
    sql, params = values_sql(part, column, start, end, f, by, anchor, every)
    return run(f"SELECT key, quantile_cont(v, ?) AS v, count(*) AS n FROM ({sql}) GROUP BY 1", [qv] + params)


def quantile_windows(run, part: Part, column: str, qv: float, start, end, f: Filters, by: By,
                     anchor=None, every=14) -> list:
    """(key, n, first_rank, sorted values) per group: the values ranked within 3 standard deviations
    (+5) of the q-th quantile's rank n*q, which hold the interpolated quantile and the ranks of its
    exact 95% interval; one scan, one sort per group, only a few hundred values leave the database."""
    sql, params = values_sql(part, column, start, end, f, by, anchor, every)
    spread = "(3 * sqrt(n * ? * (1 - ?)) + 5)"
    outer = (f"SELECT key, n, lo, s[lo + 1 : hi + 1] AS w FROM (SELECT key, n, s, "
             f"greatest(0, CAST(floor(n * ? - {spread}) AS BIGINT)) AS lo, "
             f"least(n - 1, CAST(ceil(n * ? + {spread}) AS BIGINT)) AS hi FROM "
             f"(SELECT key, count(*) AS n, list_sort(list(v)) AS s FROM ({sql}) GROUP BY 1))")
    return run(outer, [qv, qv, qv, qv, qv, qv] + params)


def weekday_hour_counts(run, part: Part, start, end, f: Filters) -> list:
    """(ISO weekday 1-7, hour 0-23, events, events stamped exactly 00:00:00) of part's events in
    [start, end] under the filters: the day-of-week by hour-of-day heat map. Hours are the
    warehouse's local clock times; a time of exactly midnight is often a time nobody recorded."""
    w, params = when_sql("event_time", start, end, By())
    c2, p2 = where_sql(part.where)
    conds, params = _filter_events([w, *c2], params + p2, f)
    sql = (f"SELECT isodow(event_time) AS dow, hour(event_time) AS hr, count(*) AS n, "
           f"count(*) FILTER (WHERE CAST(event_time AS TIME) = TIME '00:00:00') AS n_midnight FROM {q(part.dataset)} "
           f"WHERE {' AND '.join(conds)} GROUP BY 1, 2")
    return run(sql, params)
