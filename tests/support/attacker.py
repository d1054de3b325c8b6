"""An attacker for the public API: what a determined reader can work out from everything published.

Written from the reader's side, independently of the publisher's code (it imports nothing from
public/ or engine.suppression): it takes the measure documents the API serves
(`/api/v1/measures/<id>.json`) from one or more publications (say today's and yesterday's), the
catalog's definitions (open source: which events each measure counts) and the census
populations (public), and turns every number into linear facts about counts:
- a count, a rate's count, a percentile's number of calls, a share's count and (count / share)
  its denominator, a ratio's count and denominator, a disparity's group count and (through the
  populations) the reference group's count; a contact-basis disparity's reference count once
  both groups' stops are known;
- a table's rows add up to its month (rows for "not known" included), months add up to the year
  to date, a year to date of fewer days is part of a longer one (daily differencing), a subset of
  events plus an unseen rest is its superset, groups shown plus everyone else are the total;
- a hidden count is at least 1 (zero is always shown), every count is a whole number >= 0.
Then, with an integer program (scipy's HiGHS `milp`) for each hidden cell and each derived cell
(a rest, everyone else, a day's difference): the smallest and largest value consistent with all
of it. A LEAK is a hidden cell pinned to an interval narrower than the threshold, or a derived
cell pinned below the threshold (e.g. [4, 4]).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp


@dataclass(frozen=True)
class Leak:
    cell: tuple
    lo: float
    hi: float
    what: str  # "hidden" or "derived"

    def __str__(self) -> str:
        c = self.cell
        if isinstance(c[0], str):  # a derived cell: ("rest" | "everyone else" | "days", what, ..., start, end)
            return f"derived {c[0]} of {c[1]!r} {c[2:-2]} {c[-2]}..{c[-1]}: [{self.lo:g}, {self.hi:g}]"
        sig, dim, key, a, b = c
        where = f"{dim}={key}" if dim else "total"
        return f"{self.what} {sig[0]}{list(sig[1]) if sig[1] else ''} {where} {a}..{b}: [{self.lo:g}, {self.hi:g}]"


def _events(part, extra=()) -> tuple:
    return (part.dataset, tuple(sorted(set(part.where) | set(extra), key=repr)))


def _month_span(key: str, cap: str | None) -> tuple:
    a = dt.date.fromisoformat(key + "-01")
    b = (a.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    if cap:
        b = min(b, dt.date.fromisoformat(cap))
    return (str(a), str(b))


class Attacker:
    def __init__(self, catalog, population):
        """population(field, group, year) -> residents (the census, public)."""
        self.catalog = catalog
        self.population = population
        self.known: dict = {}      # cell -> value
        self.hidden: dict = {}     # cell -> lower bound a reader knows (1 for a hidden count)
        self.eqs: list = []        # [{cell: coef}] == 0
        self.latent: set = set()
        self.thr: dict = {}        # cell -> threshold of the measure that shows it
        self.pending: list = []    # contact-basis disparities, resolved once stops are known
        self.full: set = set()     # (events, field, start, end) of tables that list every group
        self.unseen: set = set()   # counts a row implies but does not give (not targets)

    # ---- reading the documents ---------------------------------------------------------------
    def _see(self, cell, value, thr):
        self.thr[cell] = max(self.thr.get(cell, 0), thr)
        if value is None:
            self.hidden.setdefault(cell, 0)
            return
        v = round(float(value))
        if cell in self.known and self.known[cell] != v:
            raise AssertionError(f"two publications disagree about {cell}: {self.known[cell]} vs {v}")
        self.known[cell] = v

    def _unsure(self, cell, thr):
        self.thr[cell] = max(self.thr.get(cell, 0), thr)
        if cell not in self.known:
            self.unseen.add(cell)

    def _row(self, m, doc, dim, key, span, row):
        c = m.computation
        thr = doc["small_number_threshold"]
        hidden = bool(row.get("hidden"))
        one = 0 if row.get("withheld") else 1  # a hidden count is at least 1, unless zeros are hidden too
        count, value = row.get("count"), row.get("value")
        place = (dim, key, *span)
        if c.kind in ("count", "rate"):
            cell = (_events(c.part), *place)
            self._see(cell, None if hidden else count, thr)
            if hidden:
                self.hidden[cell] = max(self.hidden[cell], one)
        elif c.kind == "percentile":
            cell = (_events(c.part, ((c.column, "not_null", True),)), *place)
            self._see(cell, None if hidden else count, thr)
            if hidden:
                self.hidden[cell] = max(self.hidden[cell], one)
        elif c.kind in ("share", "ratio"):
            num = (_events(c.part, c.condition if c.kind == "share" else ()), *place)
            den = (_events(c.part if c.kind == "share" else c.denominator), *place)
            per = 100.0 if c.kind == "share" else c.per
            self._see(num, None if hidden else count, thr)
            if hidden or (count and value):
                self._see(den, None if hidden else count * per / value, thr)
            else:
                self._unsure(den, thr)
            if dim is not None:
                self.full.add((den[0], dim, *span))
        if dim is not None and c.kind in ("count", "rate", "percentile", "share", "ratio"):
            self.full.add((((_events(c.part, ((c.column, "not_null", True),)) if c.kind == "percentile" else
                             _events(c.part, c.condition if c.kind == "share" else ()))), dim, *span))
        elif c.kind == "disparity" and dim is None:
            f = c.field
            grp = (_events(c.part, c.condition), f, c.group, *span)
            ref = (_events(c.part, c.condition), f, c.reference, *span)
            self._see(grp, None if hidden else count, thr)
            if hidden:
                self._see(ref, None, thr)
            elif count and value:
                if c.basis == "residents":
                    yr = dt.date.fromisoformat(span[1]).year
                    pg, pr = self.population(f, c.group, yr), self.population(f, c.reference, yr)
                    self._see(ref, count * pr / (pg * value), thr)
                else:
                    self._unsure(ref, thr)
                    self.pending.append((m, span, count, value, thr))
            else:
                self._unsure(ref, thr)

    def add(self, docs: dict) -> None:
        """One publication: {measure id: the measure's JSON document}."""
        for mid, doc in docs.items():
            m = self.catalog.measures[mid]
            if m.computation.kind == "freshness":
                continue
            period = doc["period"]
            for row in doc["months"]:
                if row.get("count") is None and not row.get("hidden"):
                    continue  # no data
                self._row(m, doc, None, None, _month_span(row["key"], period["end"]), row)
            h = doc["headline"]
            self._row(m, doc, None, None, (period["start"], period["end"]), h["current"])
            ly = h["last_year"]
            self._row(m, doc, None, None, (ly["start"], ly["end"]), ly)
            tp = doc.get("tables_period") or period
            span = (tp["start"], tp["end"])
            tables = {}
            if doc.get("areas"):
                tables[f"area:{doc['areas']['layer']}"] = doc["areas"]["rows"]
            for fld, rows in (doc.get("groups") or {}).items():
                tables[fld] = rows
            for dim, rows in tables.items():
                withheld = rows and all(r.get("hidden") for r in rows)  # may hide zeros too (API.md)
                for row in rows:
                    self._row(m, doc, dim, row["key"], span, {**row, "withheld": withheld})

    # ---- relations ---------------------------------------------------------------------------
    def _relations(self) -> None:
        cells = set(self.known) | set(self.hidden)
        # contact-basis disparities: the reference group's count once both groups' stops are known
        for m, span, count, value, thr in self.pending:
            c = m.computation
            stops = _events(c.part)
            b, w = (stops, c.field, c.group, *span), (stops, c.field, c.reference, *span)
            if b in self.known and w in self.known and self.known[b]:
                self.unseen.discard((_events(c.part, c.condition), c.field, c.reference, *span))
                self._see((_events(c.part, c.condition), c.field, c.reference, *span),
                          count * self.known[w] / (self.known[b] * value), thr)
        cells = set(self.known) | set(self.hidden) | self.unseen
        totals = {}
        for cell in cells:
            sig, dim, key, a, b = cell
            if dim is not None:
                totals.setdefault((sig, dim, a, b), []).append(cell)
        # tables add up to their total; groups shown plus everyone else make the total
        for (sig, dim, a, b), parts in totals.items():
            total = (sig, None, None, a, b)
            if (sig, dim, a, b) in self.full:
                self.eqs.append({total: 1.0, **{p: -1.0 for p in parts}})
            else:
                rest = ("everyone else", (sig, dim), None, a, b)
                self.latent.add(rest)
                self.eqs.append({total: 1.0, rest: -1.0, **{p: -1.0 for p in parts}})
            self.thr.setdefault(total, max(self.thr.get(p, 0) for p in parts))
        cells = set(self.known) | set(self.hidden) | self.unseen | {c for eq in self.eqs for c in eq if c not in self.latent}
        # a subset of events plus an unseen rest is the superset, at the same place and dates
        by_place = {}
        for cell in cells:
            by_place.setdefault(cell[1:], []).append(cell)
        for place, cs in by_place.items():
            for x in cs:
                for y in cs:
                    if x != y and x[0][0] == y[0][0] and set(y[0][1]) < set(x[0][1]):
                        rest = ("rest", (x[0], y[0]), *place[:2], *place[2:])
                        self.latent.add(rest)
                        self.eqs.append({y: 1.0, x: -1.0, rest: -1.0})
        # dates: months add up to a longer span that they tile; a shorter span from the same
        # day is part of a longer one (yesterday's year to date in today's)
        by_what = {}
        for cell in cells:
            by_what.setdefault(cell[:3], []).append(cell)
        for what, cs in by_what.items():
            spans = sorted({(c[3], c[4]) for c in cs})
            for a, b in spans:
                inner = [(x, y) for x, y in spans if (x, y) != (a, b) and a <= x and y <= b]
                tiles = _tiling(inner, a, b)
                if tiles:
                    self.eqs.append({(*what, a, b): 1.0, **{(*what, x, y): -1.0 for x, y in tiles}})
                for x, y in inner:
                    if x != a or y >= b or tiles and (x, y) in tiles:
                        continue
                    after = str(dt.date.fromisoformat(y) + dt.timedelta(days=1))
                    if (*what, after, b) in cells:  # the days between are published themselves
                        self.eqs.append({(*what, a, b): 1.0, (*what, x, y): -1.0, (*what, after, b): -1.0})
                        continue
                    rest = ("days", what, None, after, b)
                    self.latent.add(rest)
                    self.eqs.append({(*what, a, b): 1.0, (*what, x, y): -1.0, rest: -1.0})
                    self.thr.setdefault(rest, self.thr.get((*what, a, b), 10))

    # ---- solving -----------------------------------------------------------------------------
    def leaks(self) -> list[Leak]:
        self._relations()
        unknown = ({c for eq in self.eqs for c in eq} | set(self.hidden)) - set(self.known)
        parent = {c: c for c in unknown}

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for eq in self.eqs:
            us = [c for c in eq if c in unknown]
            for u in us[1:]:
                parent[find(u)] = find(us[0])
        comp = {}
        for c in unknown:
            comp.setdefault(find(c), []).append(c)
        eqs_of = {}
        for eq in self.eqs:
            us = [c for c in eq if c in unknown]
            if us:
                eqs_of.setdefault(find(us[0]), []).append(eq)
        out = []
        for root, cs in comp.items():
            targets = [c for c in cs if c in self.hidden or c in self.latent]
            if not targets:
                continue
            idx = {c: i for i, c in enumerate(cs)}
            eqs = eqs_of.get(root, [])
            a = np.zeros((len(eqs), len(cs)))
            rhs = np.zeros(len(eqs))
            for k, eq in enumerate(eqs):
                for c, coef in eq.items():
                    if c in self.known:
                        rhs[k] -= coef * self.known[c]
                    else:
                        a[k, idx[c]] += coef
            lb = np.array([self.hidden.get(c, 0) for c in cs], dtype=float)
            bounds = Bounds(lb, np.full(len(cs), np.inf))
            cons = [LinearConstraint(a, rhs, rhs)] if len(eqs) else []
            for t in targets:
                lo, hi = _bounds(a, rhs, lb, idx[t], cons, exact=False)
                thr = self.thr.get(t, 10)
                if math.isfinite(hi) and hi - lo < 2 * max(thr, 1) and len(eqs) > 1:
                    lo, hi = _bounds(a, rhs, lb, idx[t], cons, exact=True)  # whole numbers only
                thr = self.thr.get(t, 10)
                if t in self.hidden and thr > 0 and hi - lo < thr:
                    out.append(Leak(t, lo, hi, "hidden"))
                elif t in self.latent and thr > 0 and hi - lo < thr and lo < thr and hi >= 1:
                    out.append(Leak(t, lo, hi, "derived"))
        return out


def _bounds(a, rhs, lb, t: int, cons, exact: bool) -> tuple:
    """min and max of variable t subject to a x = rhs, x >= lb: the LP relaxation (HiGHS simplex,
    rounded inward) or, exact=True, the integer program."""
    from scipy.optimize import linprog

    got = []
    for sign in (1.0, -1.0):
        cost = np.zeros(a.shape[1])
        cost[t] = sign
        if exact:
            r = milp(cost, constraints=cons, integrality=np.ones(a.shape[1]), bounds=Bounds(lb, np.inf))
        else:
            r = linprog(cost, A_eq=a if len(rhs) else None, b_eq=rhs if len(rhs) else None,
                        bounds=[(x, None) for x in lb], method="highs")
        if r.status == 0:
            got.append(sign * r.fun)
        else:  # unbounded above (or, never, below)
            got.append(lb[t] if sign > 0 else math.inf)
    lo, hi = got
    return (math.ceil(lo - 1e-6), math.floor(hi + 1e-6) if math.isfinite(hi) else math.inf)


def _tiling(inner: list, a: str, b: str) -> list | None:
    """Spans from `inner` that cover [a, b] end to end without overlap (months tiling a year to
    date), or None."""
    by_start = {}
    for x, y in inner:
        by_start.setdefault(x, []).append((x, y))
    out, cur = [], dt.date.fromisoformat(a)
    end = dt.date.fromisoformat(b)
    while cur <= end:
        nxt = [s for s in by_start.get(str(cur), []) if dt.date.fromisoformat(s[1]) <= end]
        if not nxt:
            return None
        # the shortest piece (a month) so a year to date is tiled by months
        s = min(nxt, key=lambda s: s[1])
        out.append(s)
        cur = dt.date.fromisoformat(s[1]) + dt.timedelta(days=1)
    return out if len(out) > 1 else None


def population_of(eng):
    """The census population by group and year (public data; read here from the warehouse's copy)."""
    from engine.query import By

    cache = {}

    def pop(field, group, year):
        if (field, group, year) not in cache:
            got = eng._source().population(None, (), field, group, year, By())
            cache[(field, group, year)] = float(got.get("all"))
        return cache[(field, group, year)]

    return pop


def sweep(eng, publish, days: list, log=None) -> dict:
    """Attack every day's publication together with the previous day's. publish(day) -> {measure
    id: document}. Returns {"days": n, "distinct": publications that differ, "leaks": {day: [Leak]}}.
    Consecutive identical publications add nothing to each other, so each distinct pair is solved once."""
    import json

    pop = population_of(eng)
    prev, prev_key, seen, out = None, None, {}, {}
    distinct = 0
    for day in days:
        docs = publish(day)
        key = json.dumps(docs, sort_keys=True, default=str)
        pair = (prev_key, key)
        if key != prev_key:
            distinct += 1
        if pair not in seen:
            a = Attacker(eng.catalog, pop)
            if prev is not None and prev_key != key:
                a.add(prev)
            a.add(docs)
            seen[pair] = a.leaks()
        if seen[pair]:
            out[day] = seen[pair]
            if log:
                log(f"{day}: {len(seen[pair])} leaks, e.g. {seen[pair][0]}")
        prev, prev_key = docs, key
    return {"days": len(days), "distinct": distinct, "leaks": out}
