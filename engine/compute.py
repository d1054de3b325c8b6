"""Each computation kind turned into numbers: a table of key -> value, numerator, denominator, interval.

One function per question shape (`table`) serves the headline value (one row), breakdowns (a row
per area or group) and series (a row per time bucket), so the three can never disagree.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from engine import query, stats
from engine.catalog import Measure
from engine.query import By, Filters

YEAR_DAYS = 365.0
COLUMNS = ["key", "value", "numerator", "denominator", "ci_low", "ci_high", "n"]


class Source:
    """What compute needs from the engine: run SQL, know which aggregates are current, populations."""

    def __init__(self, run, agg_ok, anchor: dt.date, every: int, population):
        self.run = run
        self.agg_ok = agg_ok          # measure_id -> bool (aggregate exists and matches the definition)
        self.anchor = anchor
        self.every = every
        self.population = population  # (layer|None, areas, field|None, value|None, year, by) -> DataFrame key, pop

    def counts(self, m: Measure, part_name: str, start, end, f: Filters, by: By, group_override=None) -> pd.DataFrame:
        comp = m.computation
        part = comp.denominator if part_name == "den" else comp.part
        cond = () if part_name == "den" else comp.condition
        gset = query.agg_usable(f, by, group_override)
        if gset is not None and self.agg_ok(m.id):
            df = query.agg_counts(self.run, m.id, part_name, start, end, f, by, gset, self.anchor, self.every,
                                  group_override)
        else:
            df = query.event_counts(self.run, part, start, end, f, by, cond, self.anchor, self.every, group_override)
        if by.kind == "grain":
            df["key"] = [pd.Timestamp(k).date() for k in df["key"]]
        df["n"] = df["n"].fillna(0).astype("int64")
        df["n_met"] = df["n_met"].fillna(0).astype("int64")
        return df


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object if c == "key" else float) for c in COLUMNS})


def _merge_counts(df: pd.DataFrame, keys: list | None) -> pd.DataFrame:
    """Index counts by key; keys listed but absent get zero (an empty area or bucket counts 0)."""
    df = df.set_index("key")[["n", "n_met"]]
    if keys is not None:
        df = df.reindex(pd.Index(keys, name="key").union(df.index), fill_value=0)
    return df


def _pop_by_key(src: Source, f: Filters, by: By, year: int) -> pd.Series:
    field = by.name if by.kind == "field" else (f.group_field if f.group_value is not None else None)
    value = None if by.kind == "field" else f.group_value
    df = src.population(f.layer if f.areas else None, f.areas, field, value, year, by)
    return df.set_index("key")["pop"] if len(df) else pd.Series(dtype=float)


def table(src: Source, m: Measure, start: dt.date, end: dt.date, f: Filters, by: By,
          keys: list | None = None) -> pd.DataFrame:
    """Value per key for the measure over [start, end]. by='none' gives one row with key 'all'."""
    comp = m.computation
    kind = comp.kind
    if by.kind == "none" and keys is None:
        keys = ["all"]
    year = end.year
    if kind in ("count", "rate", "share"):
        c = _merge_counts(src.counts(m, "num", start, end, f, by), keys)
        out = pd.DataFrame(index=c.index)
        if kind == "count":
            n = c["n"].astype(float)
            out["value"], out["numerator"], out["denominator"] = n, n, np.nan
            ci = [stats.poisson_ci(int(x)) for x in n]
        elif kind == "share":
            base, met = c["n"].astype(float), c["n_met"].astype(float)
            out["value"] = np.where(base > 0, 100 * met / base.where(base > 0, 1), np.nan)
            out["numerator"], out["denominator"] = met, base
            ci = [tuple(100 * x for x in stats.proportion_ci(int(k), int(b))) for k, b in zip(met, base)]
        else:
            n = c["n"].astype(float)
            pop = _pop_by_key(src, f, by, year).reindex(out.index) if by.kind != "grain" else None
            if by.kind == "grain":
                total = _pop_by_key(src, f, By(), year)
                pop = pd.Series(float(total.sum()) if len(total) else np.nan, index=out.index)
            pop = pop.astype(float)
            # rates are annualised so periods of different lengths compare (series: engine rescales per bucket)
            per = comp.per * (1.0 if by.kind == "grain" else YEAR_DAYS / ((end - start).days + 1))
            ok = pop > 0
            out["value"] = np.where(ok, n / pop.where(ok, 1) * per, np.nan)
            out["numerator"], out["denominator"] = n, pop
            ci = [tuple(x / p * per for x in stats.poisson_ci(int(k))) if p > 0 else (np.nan, np.nan)
                  for k, p in zip(n, pop.fillna(0))]
        out["n"] = c["n"].astype(float)
    elif kind == "ratio":
        num = _merge_counts(src.counts(m, "num", start, end, f, by), keys)
        den = _merge_counts(src.counts(m, "den", start, end, Filters(f.layer, f.areas, f.group_field, f.group_value),
                                       by), list(num.index))
        num = num.reindex(den.index, fill_value=0)
        out = pd.DataFrame(index=den.index)
        a, d = num["n"].astype(float), den["n"].astype(float)
        out["value"] = np.where(d > 0, a / d.where(d > 0, 1) * comp.per, np.nan)
        out["numerator"], out["denominator"], out["n"] = a, d, a
        ci = [tuple(x / dd * comp.per for x in stats.poisson_ci(int(k))) if dd > 0 else (np.nan, np.nan)
              for k, dd in zip(a, d)]
    elif kind == "percentile":
        if by.kind == "grain":
            df = query.event_quantiles(src.run, comp.part, comp.column, comp.q, start, end, f, by, src.anchor, src.every)
            df["key"] = [pd.Timestamp(k).date() for k in df["key"]]
            df = df.set_index("key")
            if keys is not None:
                df = df.reindex(pd.Index(keys).union(df.index))
            out = pd.DataFrame(index=df.index)
            out["value"] = df["v"] / comp.scale
            out["numerator"], out["denominator"] = np.nan, df["n"].fillna(0).astype(float)
            out["n"] = out["denominator"]
            ci = [(np.nan, np.nan)] * len(out)
        else:
            vals = query.event_values(src.run, comp.part, comp.column, start, end, f, by, src.anchor, src.every)
            groups = {k: g["v"].to_numpy() for k, g in vals.groupby("key")}
            idx = pd.Index(sorted(set(groups) | set(keys or [])), name="key")
            out = pd.DataFrame(index=idx)
            rows, ci = [], []
            for k in idx:
                v = groups.get(k, np.array([]))
                if len(v):
                    rows.append((float(np.quantile(v, comp.q)) / comp.scale, len(v)))
                    lo, hi = stats.quantile_ci(v, comp.q)
                    ci.append((lo / comp.scale, hi / comp.scale))
                else:
                    rows.append((np.nan, 0))
                    ci.append((np.nan, np.nan))
            out["value"] = [r[0] for r in rows]
            out["numerator"] = np.nan
            out["denominator"] = [float(r[1]) for r in rows]
            out["n"] = out["denominator"]
    elif kind == "disparity":
        return disparity_table(src, m, start, end, f, by, keys)
    else:
        raise ValueError(f"kind {kind!r} is computed by the engine, not by compute.table")
    out["ci_low"] = [c[0] for c in ci]
    out["ci_high"] = [c[1] for c in ci]
    return out.reset_index().rename(columns={"index": "key"})[COLUMNS]


def group_rates(src: Source, m: Measure, start, end, f: Filters, field: str, by: By = By(),
                keys: list | None = None, basis: str | None = None, groups: list | None = None) -> pd.DataFrame:
    """Rate of the measure's events for every value of `field`: per resident or per contact.

    Returns key (by-key), group, a (numerator), e (exposure: residents or contacts), rate.
    """
    comp = m.computation
    basis = basis or (comp.basis if comp.kind == "disparity" else ("contacts" if comp.kind == "share" else "residents"))
    per = comp.per if comp.kind in ("rate", "disparity", "ratio") else (100.0 if basis == "contacts" else 1000.0)
    if comp.kind == "disparity" and basis == "contacts":
        per = 100.0 if comp.per == 1000 else comp.per
    if by.kind == "none":
        c = src.counts(m, "num", start, end, Filters(f.layer, f.areas, None, None, f.categories), By("field", field))
        df = pd.DataFrame({"key": "all", "group": c["key"].astype(str), "n": c["n"], "n_met": c["n_met"]})
        if groups:  # groups asked for but absent had no events: count zero
            missing = [g for g in groups if g not in set(df["group"])]
            df = pd.concat([df, pd.DataFrame({"key": "all", "group": missing, "n": 0, "n_met": 0})], ignore_index=True)
    else:
        parts = []
        for g in groups or []:  # one query per group keeps each (area, group) cell on the aggregate
            cc = src.counts(m, "num", start, end, f, by, group_override=(field, g))
            cc = _merge_counts(cc, keys).reset_index()
            parts.append(pd.DataFrame({"key": cc["key"], "group": g, "n": cc["n"], "n_met": cc["n_met"]}))
        df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["key", "group", "n", "n_met"])
    if basis == "contacts":
        df["a"], df["e"] = df["n_met"].astype(float), df["n"].astype(float)
    else:
        df["a"] = df["n"].astype(float)
        if by.kind == "none":
            pop = src.population(f.layer if f.areas else None, f.areas, field, None, end.year, By("field", field))
            df["e"] = df["group"].map(pop.set_index("key")["pop"]).astype(float)
        else:
            e = []
            for g, sub in df.groupby("group", sort=False):
                pop = src.population(by.name, (), field, g, end.year, by).set_index("key")["pop"]
                e.append(sub["key"].map(pop).astype(float))
            df["e"] = pd.concat(e) if e else pd.Series(dtype=float)
    if basis == "residents":
        per *= YEAR_DAYS / ((end - start).days + 1)
    ok = df["e"] > 0
    df["rate"] = np.where(ok, df["a"] / df["e"].where(ok, 1) * per, np.nan)
    return df


def disparity_table(src: Source, m: Measure, start, end, f: Filters, by: By, keys=None) -> pd.DataFrame:
    comp = m.computation
    if by.kind == "grain":
        raise query.FilterError(f"measure '{m.id}': a disparity ratio has no time series by grain; use periods")
    if by.kind == "field":
        raise query.FilterError(f"measure '{m.id}': use Engine.disparity for a disparity by group")
    groups = [comp.group, comp.reference]
    g = group_rates(src, m, start, end, f, comp.field, by, keys, groups=groups)
    idx = list(dict.fromkeys(list(keys or []) + list(g["key"])))
    out = []
    for k in idx:
        a = g[(g["key"] == k) & (g["group"] == comp.group)]
        b = g[(g["key"] == k) & (g["group"] == comp.reference)]
        aa, ea = (float(a["a"].sum()), float(a["e"].sum())) if len(a) else (0.0, np.nan)
        bb, eb = (float(b["a"].sum()), float(b["e"].sum())) if len(b) else (0.0, np.nan)
        ratio, lo, hi = stats.rate_ratio(int(aa), ea, int(bb), eb) if ea == ea and eb == eb else (np.nan,) * 3
        out.append({"key": k, "value": ratio, "numerator": aa, "denominator": bb, "ci_low": lo, "ci_high": hi,
                    "n": aa + bb})
    return pd.DataFrame(out, columns=COLUMNS) if out else _empty()
