"""Which counts a published number gives away, and what a reader knows ties them together.

A cell is (events, dimension, key, month start): `events` names the set of events counted
(dataset and every filter), so two measures that count the same events name the same cell, and
a subset of events (more filters) is recognisable as part of its superset. published.py turns a
month's rows into these cells and these relations and hands them to engine.suppression.
"""
from __future__ import annotations

import math


def num(x):
    """A finite float, or None (NaN, infinity, missing, text)."""
    if x is None:
        return None
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) or math.isinf(x) else x


def sig_of(part, extra: tuple = ()) -> tuple:
    """The set of events a count counts: dataset and every filter (so two measures that count the
    same events name the same cell)."""
    return (part.dataset, tuple(sorted(set(part.where) | set(extra), key=repr)))


def subset(a: tuple, b: tuple) -> bool:
    """True when events `a` are a strict subset of events `b` (same dataset, more filters)."""
    return a != b and a[0] == b[0] and set(b[1]) <= set(a[1])


def sigs(m) -> dict:
    """{role: signature} of the counts a row of this measure gives away."""
    c = m.computation
    if c.kind in ("count", "rate"):
        return {"num": sig_of(c.part)}
    if c.kind == "share":
        return {"num": sig_of(c.part, c.condition), "den": sig_of(c.part)}
    if c.kind == "ratio":
        return {"num": sig_of(c.part), "den": sig_of(c.denominator)}
    if c.kind == "percentile":
        return {"den": sig_of(c.part, ((c.column, "not_null", True),))}
    if c.kind == "disparity":
        out = {"num": sig_of(c.part, c.condition)}
        if c.basis == "contacts":
            out["den"] = sig_of(c.part)
        return out
    return {}


def month_cells(m, months: list[tuple], extra: dict) -> dict:
    """{month start: {cell: value}} the measure's month row gives away."""
    sig = sigs(m)
    c = m.computation
    out = {}
    s = extra["series"]
    for (ms, me) in months:
        r = s.get(ms)
        if r is None:
            continue
        if c.kind == "disparity":
            grp, ref = c.group, c.reference
            cells = {(sig["num"], c.field, grp, ms): r["numerator"], (sig["num"], c.field, ref, ms): r["denominator"]}
            if c.basis == "contacts":
                e = extra["contacts"].get(ms, {})
                cells[(sig["den"], c.field, grp, ms)] = e.get(grp, 0.0)
                cells[(sig["den"], c.field, ref, ms)] = e.get(ref, 0.0)
        else:
            cells = {}
            if "num" in sig:
                cells[(sig["num"], None, None, ms)] = r["numerator"]
            if "den" in sig:
                cells[(sig["den"], None, None, ms)] = r["denominator"]
        out[ms] = {k: float(v) for k, v in cells.items() if num(v) is not None}
    return out


def links(values: dict) -> tuple[list, dict]:
    """Equations a reader knows between cells of one month: a subset of events plus an unseen
    rest is its superset (per area / group / month total); the groups a month shows plus the
    rest make the month's total."""
    eqs, latent = [], {}
    cells = list(values)
    by_place: dict = {}
    for cell in cells:
        by_place.setdefault(cell[1:], []).append(cell)
    for place, cs in by_place.items():
        for a in cs:
            for b in cs:
                if subset(a[0], b[0]):
                    rest = ("rest", a[0], b[0], *place)
                    latent[rest] = values[b] - values[a]
                    eqs.append({b: 1.0, a: -1.0, rest: -1.0})
    return eqs, latent


def group_links(values: dict, fixed: set) -> tuple[list, dict]:
    """A month's total is the sum of its groups (of one field) plus the groups not shown: for every
    signature with a total cell and some group cells of a field not already summed in `fixed`."""
    eqs, latent = [], {}
    by: dict = {}
    for cell in values:
        sig, dim, key, ms = cell
        if dim is not None and not dim.startswith("area:"):
            by.setdefault((sig, dim, ms), []).append(cell)
    for (sig, dim, ms), cs in by.items():
        total = (sig, None, None, ms)
        if total not in values or (sig, dim, ms) in fixed:
            continue
        rest = ("others", sig, dim, ms)
        latent[rest] = values[total] - sum(values[c] for c in cs)
        eqs.append({total: 1.0, rest: -1.0, **{c: -1.0 for c in cs}})
    return eqs, latent
