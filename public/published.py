"""Every number the public side shows, already suppressed: pages, API, CSV and the static export
all read these dictionaries, so they cannot disagree and none of them can skip suppression.

What is published (and nothing else), for each measure marked `visibility: public`:
- the year to date and the same dates last year (headline), with the change between them;
- months from 1 January of last year to the newest data; suppression runs on each calendar year's
  months as one table with its total (this year's total is the headline), so a hidden month
  cannot be worked out from the year-to-date figure;
- areas of ONE layer (the "neighborhood" layer) and each demographic field, citywide only. Each
  table includes a "location / group not known" row so it adds up to the headline and its
  suppression covers everything a reader could subtract. Publishing one layer and no
  area-by-group cross tables is deliberate: nested layers or crossed tables would let a reader
  combine two separately protected tables.
Suppression is engine.suppression (small counts + complementary); a rate or percentage is hidden
when its count (or its count denominator) is.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import weakref

import pandas as pd
import yaml

from engine import suppression
from engine.query import FilterError

ADDITIVE = ("count", "rate", "share", "ratio", "percentile")  # kinds whose counts add up over areas
UNKNOWN_KEY = "__unknown__"
UNKNOWN_AREA = "UNKNOWN"  # the warehouse's area id for events no layer could place (docs/SCHEMA.md)
# per engine: (warehouse generation, today) and the views built for them (_stamped)
_cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _stamped(eng) -> dict:
    """This engine's published views for the current (warehouse generation, day); a new file or
    a new day starts an empty one (freshness is computed against today's date)."""
    stamp = (eng.warehouse.refresh(), eng.today())
    held = _cache.get(eng)
    if held is None or held[0] != stamp:
        held = _cache[eng] = (stamp, {})
    return held[1]


def _num(x):
    if x is None:
        return None
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) or math.isinf(x) else x


def is_unknown(key) -> bool:
    """The row for events with no known area or group (added here, or the warehouse's UNKNOWN area)."""
    return key in (UNKNOWN_KEY, UNKNOWN_AREA)


def slug(text: str) -> str:
    """URL and file name for an area id: 'BALLARD NORTH' -> 'ballard-north'."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "area"


def public_measures(eng) -> list:
    """Public measures in goal order; an internal measure never appears."""
    out = []
    for g in sorted(eng.catalog.goals, key=lambda g: g.order):
        for mid in g.measures:
            m = eng.catalog.measures.get(mid)
            if m is not None and m.visibility == "public":
                out.append(m)
    return out


def public_ids(eng) -> set:
    return {m.id for m in public_measures(eng)}


def public_goals(eng) -> list:
    """A goal is public when it has at least one public measure (goals carry no visibility key)."""
    ids = public_ids(eng)
    return [g for g in sorted(eng.catalog.goals, key=lambda g: g.order) if any(m in ids for m in g.measures)]


def neighborhood_layer(eng) -> str | None:
    """The one layer areas are published on: city.yaml's optional `public_layer`, else the layer
    most public measures offer with the most areas (finer is more useful to a resident)."""
    path = eng.city.folder / "city.yaml"
    try:
        chosen = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("public_layer")
    except OSError:
        chosen = None
    have = set(eng.layers()["layer"])
    if chosen in have:
        return chosen
    counts: dict = {}
    for m in public_measures(eng):
        for layer in m.layers:
            if layer in have:
                counts[layer] = counts.get(layer, 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda k: (counts[k], len(eng.areas(k)), k))


def _count_col(kind: str) -> str:
    return "denominator" if kind == "percentile" else "numerator"


def _denom_is_count(kind: str) -> bool:
    return kind in ("share", "ratio", "disparity")


def _hidden_state(kind: str, numerator, denominator, n, threshold: int) -> str | None:
    """'small' when the result rests on a count below the threshold, else None."""
    if kind == "freshness":
        return None
    counts = [n if kind == "percentile" else numerator]
    if _denom_is_count(kind):
        counts.append(denominator)
    return "small" if any(suppression.is_small(_num(c), threshold) for c in counts) else None


def _cell(value, count, state, unit, kind) -> dict:
    return {"value": None if state else _num(value), "count": None if state or kind == "freshness" else _num(count),
            "hidden": state}


def _suppress_table(df: pd.DataFrame, m, label_col: str = "label") -> list[dict]:
    """Rows of a one-dimensional table published with its total, through engine.suppression."""
    kind = m.computation.kind
    thr = m.small_number_threshold
    cc = _count_col(kind)
    if len(df) == 0:
        return []
    s = suppression.suppress_breakdown(df, thr, count_col=cc,
                                       denom_col="denominator" if _denom_is_count(kind) else None,
                                       value_cols=("value",))
    rows = []
    for _, r in s.iterrows():
        small = suppression.is_small(_num(df.loc[_, cc]), thr)
        state = "small" if small else ("protect" if r["suppressed"] else ("small" if r["rate_suppressed"] else None))
        rows.append({"key": str(r["key"]), "label": str(r[label_col]),
                     "value": None if state else _num(r["value"]),
                     "count": None if state else _num(r[cc]), "hidden": state})
    return rows


def _with_unknown(df: pd.DataFrame, total, kind: str) -> pd.DataFrame:
    """Add the row that makes the table add up to the published total (events with no area/group)."""
    cc = _count_col(kind)
    total = _num(total)
    if kind not in ADDITIVE or total is None or len(df) == 0:
        return df
    rest = total - float(df[cc].fillna(0).sum())
    if rest <= 0:
        return df
    extra = {c: float("nan") for c in df.columns}
    extra.update({"key": UNKNOWN_KEY, "label": UNKNOWN_KEY, cc: rest})
    return pd.concat([df, pd.DataFrame([extra])], ignore_index=True)


def _months(eng, m, period) -> list[dict]:
    start = dt.date(period.end.year - 1, 1, 1)
    try:
        s = eng.series(m.id, "month", start, period.end)
    except FilterError:
        return []
    if len(s) == 0:
        return []
    out = []
    s = s.rename(columns={"period_start": "key"})
    s["label"] = [d.strftime("%Y-%m") for d in s["key"]]
    s["period_end_txt"] = [str(d) for d in s["period_end"]]
    for year, seg in s.groupby([d.year for d in s["key"]], sort=True):
        seg = seg.reset_index(drop=True)
        known = seg[[c for c in seg.columns if c != "key"]].copy()
        known["key"] = seg["label"]
        if m.computation.kind == "freshness":
            rows = [{"key": k, "label": k, "value": _num(v), "count": None, "hidden": None}
                    for k, v in zip(known["key"], known["value"])]
        else:
            valid = known[_count_col(m.computation.kind)].notna()
            rows = _suppress_table(known[valid].reset_index(drop=True), m)
            blank = [{"key": k, "label": k, "value": None, "count": None, "hidden": None}
                     for k in known.loc[~valid, "key"]]
            rows = sorted(rows + blank, key=lambda r: r["key"])
        out += rows
    return out


def _measure_meta(eng, m) -> dict:
    goal = next((g for g in eng.catalog.goals if g.id == m.goal), None)
    t = m.target
    target = None
    if t is not None:
        target = {"value": _num(t.value), "change_pct": _num(t.change_pct),
                  "baseline": t.baseline if isinstance(t.baseline, str) else [str(x) for x in (t.baseline or ())],
                  "tolerance_pct": _num(t.tolerance_pct), "placeholder": bool(t.placeholder),
                  "rationale": t.rationale or ""}
    return {"id": m.id, "title": m.title, "goal": m.goal, "goal_title": goal.title if goal else m.goal,
            "definition": m.definition, "methodology": m.methodology, "unit": m.unit, "kind": m.computation.kind,
            "direction": m.direction, "cadence": m.cadence, "lag_days": m.lag_days, "target": target,
            "small_number_threshold": m.small_number_threshold,
            "history": [{"date": str(d), "change": str(c)} for d, c in m.history]}


def measure(eng, measure_id: str) -> dict | None:
    """The published view of one measure, or None when it is not public (callers answer 404)."""
    m = eng.catalog.measures.get(measure_id) if isinstance(measure_id, str) else None
    if m is None or m.visibility != "public":
        return None
    cache = _stamped(eng)
    key = measure_id
    if key not in cache:
        cache[key] = _build(eng, m)
    return cache[key]


def _build(eng, m) -> dict:
    kind, thr = m.computation.kind, m.small_number_threshold
    period = eng.period("ytd", measure_id=m.id)  # the year of the measure's own latest complete data
    out = _measure_meta(eng, m)
    out["period"] = {"start": str(period.start), "end": str(period.end), "label": period.label}
    cur = eng.measure(m.id, period)
    old = eng.measure(m.id, period.prior_year())
    st_cur = _hidden_state(kind, cur.numerator, cur.denominator, cur.n, thr)
    st_old = _hidden_state(kind, old.numerator, old.denominator, old.n, thr)
    count_of = (lambda r: r.n) if kind == "percentile" else (lambda r: r.numerator)
    change_pct = None
    if not st_cur and not st_old and _num(cur.value) is not None and _num(old.value):
        change_pct = 100.0 * (cur.value - old.value) / old.value
    out["headline"] = {
        "current": _cell(cur.value, count_of(cur), st_cur, m.unit, kind),
        "last_year": {**_cell(old.value, count_of(old), st_old, m.unit, kind),
                      "start": str(period.prior_year().start), "end": str(period.prior_year().end)},
        "change_pct": change_pct,
        "target": None if st_cur else _num(cur.target),
        "status": "hidden" if st_cur else cur.status,
        # why the loaded data cannot answer the measure (status "not_covered"), else ""
        "not_covered": cur.coverage,
    }
    f = cur.freshness
    out["freshness"] = {"as_of": str(f.as_of) if f.as_of else None, "fresh": bool(f.fresh)}
    out["months"] = _months(eng, m, period)
    layer = neighborhood_layer(eng)
    out["areas"] = None
    if layer and layer in m.layers and kind != "disparity":
        df = eng.breakdown(m.id, period, f"area:{layer}", suppress=False)
        labels = dict(zip(eng.layers()["layer"], eng.layers()["label"]))
        df = _with_unknown(df, count_of(cur), kind)
        rows = _suppress_table(df, m)
        for r in rows:
            r["slug"] = None if is_unknown(r["key"]) else slug(r["key"])
        out["areas"] = {"layer": layer, "layer_label": labels.get(layer, layer), "rows": rows}
    out["groups"] = {}
    if kind not in ("disparity", "freshness"):
        for fld in m.fields:
            df = eng.breakdown(m.id, period, fld, suppress=False)
            out["groups"][fld] = _suppress_table(_with_unknown(df, count_of(cur), kind), m)
    return out


def neighborhoods(eng) -> list[dict]:
    """[{key, label, slug}] of the published layer's areas."""
    layer = neighborhood_layer(eng)
    if not layer:
        return []
    return [{"key": k, "label": lab, "slug": slug(k)} for k, lab in eng.areas(layer).itertuples(index=False)
            if not is_unknown(k)]


def neighborhood(eng, area_slug: str) -> dict | None:
    """An area's rows of every published area table beside the city's headline, or None."""
    hood = next((a for a in neighborhoods(eng) if isinstance(area_slug, str) and a["slug"] == area_slug), None)
    if hood is None:
        return None
    rows = []
    for m in public_measures(eng):
        v = measure(eng, m.id)
        if not v or not v["areas"]:
            continue
        row = next((r for r in v["areas"]["rows"] if r["key"] == hood["key"]), None)
        if row is None:
            continue
        rows.append({"measure": m.id, "title": m.title, "unit": m.unit, "kind": m.computation.kind,
                     "area": {k: row[k] for k in ("value", "count", "hidden")},
                     "city": v["headline"]["current"], "period": v["period"]})
    return {**hood, "layer": neighborhood_layer(eng), "measures": rows}


def index(eng) -> dict:
    """What the site publishes: goals with their public measures (no numbers)."""
    ms = {m.id: m for m in public_measures(eng)}
    return {"as_of": str(eng.as_of()) if eng.as_of() else None,
            "goals": [{"id": g.id, "title": g.title, "statement": g.statement, "department": g.department,
                       "actions": list(g.actions),
                       "measures": [mid for mid in g.measures if mid in ms]} for g in public_goals(eng)]}


def geometry(eng) -> dict:
    """The published layer's boundaries (a FeatureCollection keyed by area id), for the maps."""
    layer = neighborhood_layer(eng)
    if not layer:
        return {"type": "FeatureCollection", "features": []}
    cache = _stamped(eng)
    key = ("geometry", layer)
    if key not in cache:
        cache[key] = eng.geojson(layer)
    return cache[key]
