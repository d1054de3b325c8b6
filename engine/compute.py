"""Each computation kind turned into numbers: rows of key -> value, numerator, denominator, interval.

One function (`table`) serves the headline value (one row), breakdowns (a row per area or group)
and series (a row per time bucket), so the three can never disagree. Plain Python over the few
rows SQL returns: for tables this small, pandas' per-call overhead would dominate.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from engine import query, stats
from engine.aggregates import values_table
from engine.catalog import Measure, Part
from engine.query import By, Filters

NAN = float("nan")
YEAR_DAYS = 365.0
COLUMNS = ["key", "value", "numerator", "denominator", "ci_low", "ci_high", "n"]


class Source:
    """What compute needs from the engine: run SQL, know which aggregates are current, populations,
    and (optionally) the in-memory copies of the aggregates (engine.cube)."""

    def __init__(self, rows, agg_ok, anchor: dt.date, every: int, population, cube=None, values=None):
        self.rows = rows              # (sql, params) -> list of tuples
        self.agg_ok = agg_ok          # measure_id -> bool (aggregate exists and matches the definition)
        self.anchor = anchor
        self.every = every
        self.population = population  # (layer|None, areas, field|None, value|None, year, by) -> {key: pop}
        self.cube = cube              # (measure_id, part, layer, field, categories, areas) -> CountCube | None
        self.values = values          # measure -> ValueColumn | None (a current agg_values_<measure>)

    def counts(self, m: Measure, part_name: str, start, end, f: Filters, by: By, group_override=None) -> dict:
        """{key: (n, n_met)} from the aggregate when it can answer, else from the event table."""
        comp = m.computation
        part = comp.denominator if part_name == "den" else comp.part
        cond = () if part_name == "den" else comp.condition
        gset = query.agg_usable(f, by, group_override)
        if gset is not None and self.agg_ok(m.id):
            cats = tuple(f.categories)
            # by category, every area of a layer (the map) is one SQL query: cheaper than loading it
            whole_layer = bool(cats and gset[0] and not f.areas)
            cube = (self.cube(m.id, part_name, *gset, cats, tuple(f.areas) if cats else ())
                    if self.cube and not whole_layer else None)
            rows = cube.counts(start, end, f, by, group_override, self.anchor, self.every) if cube else None
            if rows is None:  # no in-memory copy for this question: the aggregate table in SQL
                rows = per_range(lambda s, e, b: query.agg_counts(
                    self.rows, m.id, part_name, s, e, f, b, gset, self.anchor, self.every, group_override), start, end, by)
        else:
            rows = per_range(lambda s, e, b: query.event_counts(
                self.rows, part, s, e, f, b, cond, self.anchor, self.every, group_override), start, end, by)
        return {_key(k, by): (int(n or 0), int(nm or 0)) for k, n, nm in rows}


def per_range(run, start, end, by: By) -> list:
    """run(start, end, by) -> [(key, ...)], one query per range when by's periods overlap.

    SQL keys each day by the FIRST range containing it (query.periods_key), so overlapping ranges
    (a year to date's prior period and its same period last year share ten months) would leave
    the later range short; apart, each range gets all its days."""
    if by.kind != "periods" or not _overlap(by.ranges):
        return run(start, end, by)
    out = []
    for i, (s, e) in enumerate(by.ranges):
        out += [(i, *row[1:]) for row in run(s, e, By())]
    return out


def _overlap(ranges) -> bool:
    r = sorted(ranges)
    return any(b[0] <= a[1] for a, b in zip(r, r[1:]))


def _key(k, by: By):
    if by.kind == "grain" and not isinstance(k, dt.date) or isinstance(k, dt.datetime):
        return pd.Timestamp(k).date()
    return k


def _keys(found, keys: list | None) -> list:
    """Keys to report: those asked for (zero when absent: an empty area or bucket counts 0) and those found."""
    out = list(keys or [])
    seen = set(out)
    out += sorted((k for k in found if k not in seen), key=str)
    return out


def _pops(src: Source, f: Filters, by: By, year: int) -> dict:
    field = by.name if by.kind == "field" else (f.group_field if f.group_value is not None else None)
    value = None if by.kind == "field" else f.group_value
    return src.population(f.layer if f.areas else None, f.areas, field, value, year, by)


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS) if rows else pd.DataFrame(
        {c: pd.Series(dtype=object if c == "key" else float) for c in COLUMNS})


def table(src: Source, m: Measure, start: dt.date, end: dt.date, f: Filters, by: By,
          keys: list | None = None) -> pd.DataFrame:
    """Value per key for the measure over [start, end]. by='none' gives one row with key 'all'."""
    return _frame(table_rows(src, m, start, end, f, by, keys))


def table_rows(src: Source, m: Measure, start: dt.date, end: dt.date, f: Filters, by: By,
               keys: list | None = None) -> list[dict]:
    comp = m.computation
    kind = comp.kind
    if by.kind == "none" and keys is None:
        keys = ["all"]
    if by.kind == "periods":
        keys = list(range(len(by.ranges)))
    out = []
    if kind in ("count", "rate", "share"):
        c = src.counts(m, "num", start, end, f, by)
        pops, pers = None, {}
        if kind == "rate":
            if by.kind == "grain":  # series: the engine annualises each bucket by its own days
                total = _pops(src, f, By(), end.year)
                pops = {k: total.get("all", NAN) for k in _keys(c, keys)}
                pers = {k: comp.per for k in pops}
            elif by.kind == "periods":  # each period: its own year's residents and its own length
                pops, pers = {}, {}
                for k, (s_, e_) in enumerate(by.ranges):
                    pops[k] = _pops(src, f, By(), e_.year).get("all", NAN)
                    pers[k] = comp.per * YEAR_DAYS / ((e_ - s_).days + 1)
            else:
                pops = _pops(src, f, by, end.year)
                pers = {k: comp.per * YEAR_DAYS / ((end - start).days + 1) for k in _keys(c, keys) + list(pops)}
        for k in _keys(c, keys):
            n, met = c.get(k, (0, 0))
            if kind == "count":
                lo, hi = stats.poisson_ci(n)
                out.append(dict(key=k, value=float(n), numerator=float(n), denominator=NAN, ci_low=lo, ci_high=hi, n=n))
            elif kind == "share":
                lo, hi = stats.proportion_ci(met, n)
                out.append(dict(key=k, value=100.0 * met / n if n else NAN, numerator=float(met), denominator=float(n),
                                ci_low=100 * lo, ci_high=100 * hi, n=n))
            else:
                p = float(pops[k]) if pops.get(k) is not None else NAN
                per = pers.get(k, NAN)
                if p > 0:
                    lo, hi = stats.poisson_ci(n)
                    out.append(dict(key=k, value=n / p * per, numerator=float(n), denominator=p,
                                    ci_low=lo / p * per, ci_high=hi / p * per, n=n))
                else:  # no residents: no rate
                    out.append(dict(key=k, value=NAN, numerator=float(n), denominator=p, ci_low=NAN, ci_high=NAN, n=n))
    elif kind == "ratio":
        num = src.counts(m, "num", start, end, f, by)
        den = src.counts(m, "den", start, end, Filters(f.layer, f.areas, f.group_field, f.group_value), by)
        for k in _keys(set(num) | set(den), keys):
            a, d = num.get(k, (0, 0))[0], den.get(k, (0, 0))[0]
            if d > 0:
                lo, hi = stats.poisson_ci(a)
                out.append(dict(key=k, value=a / d * comp.per, numerator=float(a), denominator=float(d),
                                ci_low=lo / d * comp.per, ci_high=hi / d * comp.per, n=a))
            else:
                out.append(dict(key=k, value=NAN, numerator=float(a), denominator=float(d), ci_low=NAN, ci_high=NAN, n=a))
    elif kind == "percentile":
        vc = src.values(m) if src.values and src.agg_ok(m.id) else None
        if vc is not None:  # exact order statistics from the in-memory values (engine.cube)
            got = vc.quantiles(comp.q, start, end, f, by, src.anchor, src.every)
            for k in _keys(got, keys):
                n, v, lo, hi = got.get(k, (0, NAN, NAN, NAN))
                out.append(dict(key=k, value=v / comp.scale, numerator=NAN, denominator=float(n),
                                ci_low=lo / comp.scale, ci_high=hi / comp.scale, n=n))
        elif by.kind == "grain":  # long series: quantiles computed inside DuckDB, no interval
            part = Part(values_table(m), ()) if src.agg_ok(m.id) else comp.part
            got = {_key(k, by): (v, n) for k, v, n in
                   query.event_quantiles(src.rows, part, comp.column, comp.q, start, end, f, by, src.anchor, src.every)}
            for k in _keys(got, keys):
                v, n = got.get(k, (None, 0))
                out.append(dict(key=k, value=NAN if v is None else v / comp.scale, numerator=NAN, denominator=float(n),
                                ci_low=NAN, ci_high=NAN, n=n))
        else:  # value and interval computed inside DuckDB: two scans, no values leave the database
            part = Part(values_table(m), ()) if src.agg_ok(m.id) else comp.part
            got = {k: (n, lo, w) for k, n, lo, w in per_range(lambda s, e, b: query.quantile_windows(
                src.rows, part, comp.column, comp.q, s, e, f, b, src.anchor, src.every), start, end, by)}
            for k in _keys(got, keys):
                n, first, w = got.get(k, (0, 0, []))
                if n:
                    value, lo, hi = _quantile_from_window(n, first, w, comp.q)
                    out.append(dict(key=k, value=value / comp.scale, numerator=NAN, denominator=float(n),
                                    ci_low=lo / comp.scale, ci_high=hi / comp.scale, n=n))
                else:
                    out.append(dict(key=k, value=NAN, numerator=NAN, denominator=0.0, ci_low=NAN, ci_high=NAN, n=0))
    elif kind == "disparity":
        return disparity_rows(src, m, start, end, f, by, keys)
    else:
        raise ValueError(f"kind {kind!r} is computed by the engine, not by compute.table")
    return out


def _quantile_from_window(n: int, first: int, w: list, q: float) -> tuple[float, float, float]:
    """Quantile (linear interpolation between order statistics, as numpy and DuckDB) and its exact
    95% interval from the sorted values of ranks first .. first + len(w) - 1."""
    def at(rank):
        return float(w[rank - first])

    h = (n - 1) * q
    r = int(math.floor(h))
    value = at(r) + (h - r) * (at(min(r + 1, n - 1)) - at(r))
    lo_r, hi_r = stats.quantile_ci_ranks(n, q)
    return value, (-math.inf if lo_r is None else at(lo_r)), (math.inf if hi_r is None else at(hi_r))


def group_rates(src: Source, m: Measure, start, end, f: Filters, field: str, by: By = By(),
                keys: list | None = None, groups: list | None = None) -> list[dict]:
    """Rate of the measure's events for each value of `field`: per resident (annualised) or per contact.

    Rows: key (the by-key, 'all' without one), group, a (numerator), e (residents or contacts), rate.
    """
    comp = m.computation
    basis = comp.basis if comp.kind == "disparity" else ("contacts" if comp.kind == "share" else "residents")
    if basis == "contacts":
        per = 100.0
    else:
        per = (comp.per if comp.kind in ("rate", "disparity") else 1000.0) * YEAR_DAYS / ((end - start).days + 1)
    cells = []  # (key, group, n, n_met)
    if by.kind == "none":
        c = src.counts(m, "num", start, end, Filters(f.layer, f.areas, None, None, f.categories), By("field", field))
        for g in _keys(c, groups):
            cells.append(("all", str(g), *c.get(g, (0, 0))))
    else:  # by area or time bucket
        for g in groups or []:  # one query per group keeps each (area, group) cell on the aggregate
            c = src.counts(m, "num", start, end, f, by, group_override=(field, g))
            for k in _keys(c, keys):
                cells.append((k, g, *c.get(k, (0, 0))))
    pops: dict = {}
    if basis == "residents":
        if by.kind == "none":
            pops = {("all", g): p for g, p in src.population(f.layer if f.areas else None, f.areas, field, None,
                                                             end.year, By("field", field)).items()}
        elif by.kind == "grain":  # each bucket: residents of its own year
            for g in dict.fromkeys(c[1] for c in cells):
                for yr in {c[0].year for c in cells}:
                    p = src.population(f.layer if f.areas else None, f.areas, field, g, yr, By()).get("all", NAN)
                    pops.update({(c[0], g): p for c in cells if c[0].year == yr})
        else:
            for g in dict.fromkeys(c[1] for c in cells):
                pops.update({(k, g): p for k, p in src.population(by.name, (), field, g, end.year, by).items()})
    out = []
    for k, g, n, met in cells:
        a, e = (float(met), float(n)) if basis == "contacts" else (float(n), float(pops.get((k, g), NAN)))
        out.append(dict(key=k, group=g, a=a, e=e, rate=a / e * per if e > 0 else NAN))
    return out


def disparity_rows(src: Source, m: Measure, start, end, f: Filters, by: By, keys=None) -> list[dict]:
    comp = m.computation
    if by.kind == "field":  # every group's rate over the reference group's
        if by.name != comp.field:
            raise query.FilterError(f"measure '{m.id}' compares groups of {comp.field!r}, not {by.name!r}")
        g = group_rates(src, m, start, end, f, comp.field, groups=[comp.group, comp.reference])
        ref = next((r for r in g if r["group"] == comp.reference), None)
        out = []
        for r in g:
            ok = ref is not None and not (math.isnan(r["e"]) or math.isnan(ref["e"]))
            ratio, lo, hi = stats.rate_ratio(int(r["a"]), r["e"], int(ref["a"]), ref["e"]) if ok else (NAN,) * 3
            out.append(dict(key=r["group"], value=ratio, numerator=r["a"], denominator=r["e"], ci_low=lo,
                            ci_high=hi, n=r["a"]))
        return out
    cells = {(r["key"], r["group"]): r for r in
             group_rates(src, m, start, end, f, comp.field, by, keys, groups=[comp.group, comp.reference])}
    out = []
    for k in _keys({c[0] for c in cells}, keys):
        a, b = cells.get((k, comp.group)), cells.get((k, comp.reference))
        aa, ea = (a["a"], a["e"]) if a else (0.0, NAN)
        bb, eb = (b["a"], b["e"]) if b else (0.0, NAN)
        ratio, lo, hi = stats.rate_ratio(int(aa), ea, int(bb), eb) if not (math.isnan(ea) or math.isnan(eb)) else (NAN,) * 3
        out.append(dict(key=k, value=ratio, numerator=aa, denominator=bb, ci_low=lo, ci_high=hi, n=aa + bb))
    return out
