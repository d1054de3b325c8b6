"""Every number the public side shows, already suppressed: pages, API, CSV and the static export
all read these dictionaries, so they cannot disagree and none of them can skip suppression.

What is published, for each measure marked `visibility: public`, and why in this shape:
- COMPLETE MONTHS ONLY. The publication is a function of the complete calendar months in the data
  (per measure: its datasets' newest day), so it changes once a month and two copies saved on
  consecutive days are identical (nothing to subtract). The page says when the next month comes.
- months from 1 January of last year to the last complete month;
- the year to date (complete months) and the same months last year. A year-to-date figure is
  shown only while every month it adds up is shown: it is republished every month, so a hidden
  month would otherwise come back as this month's total minus last month's.
- areas of ONE layer and each demographic field, for the LAST COMPLETE MONTH (with a row for
  events with no known area / group, so each table adds up to the month). A table of one fixed
  month never changes once published, so successive publications never overlap. One layer and
  no area-by-group cross tables, deliberately: nested layers or crossed tables would add
  relations for a reader to combine.
Suppression (engine.suppression) runs on one linked problem per month: every measure's month
cell, the tables of that month, and the cells those rows give away together (a share gives its
denominator, so its complement; a ratio gives its denominator; a disparity ratio gives the
reference group's count; a percentile gives its number of calls, the share's denominator; a rate
gives its count, the population being public). Measures that count the same events share cells;
a subset of events is tied to its superset by an unseen "rest" cell. The month cells are decided
from that month's data alone and the month's tables are then protected with them fixed, so a
month is suppressed the same way in every publication that shows it.
"""
from __future__ import annotations

import datetime as dt
import re
import weakref

import pandas as pd
import yaml

from engine import suppression
from engine.periods import Period
from engine.query import FilterError
from public.linked import group_links, links, month_cells, sigs
from public.linked import num as _num

UNKNOWN_KEY = "__unknown__"
UNKNOWN_AREA = "UNKNOWN"  # the warehouse's area id for events no layer could place (docs/SCHEMA.md)
# per engine: (warehouse generation, today) and the views built for them (_stamped)
_cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _stamped(eng) -> dict:
    """This engine's published views for the current (warehouse generation, day); a new file or
    a new day starts an empty one, so nothing of an older file is kept and freshness (computed
    against today's date) never goes stale in a running server."""
    stamp = (eng.warehouse.refresh(), eng.today())
    held = _cache.get(eng)
    if held is None or held[0] != stamp:
        held = _cache[eng] = (stamp, {})
    return held[1]


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


SEED = "seastat-public"  # the protector order's hash seed (any fixed text: the order must be stable)


# ---- the publication -----------------------------------------------------------------------------
def _month_end(d: dt.date) -> dt.date:
    return (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def complete_through(as_of: dt.date | None) -> dt.date | None:
    """The last day of the last complete month on or before as_of."""
    if as_of is None:
        return None
    return as_of if as_of == _month_end(as_of) else as_of.replace(day=1) - dt.timedelta(days=1)


def _month_list(start: dt.date, end: dt.date) -> list[tuple]:
    out, d = [], start
    while d <= end:
        out.append((d, _month_end(d)))
        d = _month_end(d) + dt.timedelta(days=1)
    return out


def publication(eng, today: dt.date | None = None) -> dict:
    """{measure id: published view} of every public measure; `today` (default: the data's newest
    day + 1) only matters through the complete months before it, so every day of a month gives
    the same publication (and the same cache entry)."""
    cache = _stamped(eng)
    refresh = eng.warehouse.refresh()
    if (refresh, "ends", today) not in cache:  # the API asks this for every file: once per warehouse
        ends = {}
        for m in public_measures(eng):
            # the measure's own last complete day (engine.coverage), else its newest event
            as_of = eng.coverage(m.id).last_complete or eng.freshness(m).as_of
            if today is not None and as_of is not None:
                as_of = min(as_of, today - dt.timedelta(days=1))
            ends[m.id] = complete_through(as_of)
        cache[(refresh, "ends", today)] = ends
    ends = cache[(refresh, "ends", today)]
    key = (refresh, "publication", tuple(sorted(ends.items())))
    if key not in cache:
        cache[key] = _publish(eng, ends)
    return cache[key]


def _publish(eng, ends: dict) -> dict:
    ms = [m for m in public_measures(eng)]
    info = {}
    for m in ms:
        end = ends[m.id]
        info[m.id] = {"end": end, "months": _month_list(dt.date(end.year - 1, 1, 1), end) if end else []}
    # 1. every measure's month cells, all months
    rows_by_month: dict = {}   # month start -> {row id: (measure, cells)}
    for m in ms:
        if m.computation.kind == "freshness" or not info[m.id]["months"]:
            info[m.id]["series"] = {}
            continue
        months = info[m.id]["months"]
        try:
            s = eng.series(m.id, "month", months[0][0], months[-1][1], flags=False)
        except FilterError:
            s = pd.DataFrame()
        series = {r["period_start"]: r for r in s.to_dict("records")}
        info[m.id]["series"] = series
        extra = {"series": series, "contacts": {}}
        c = m.computation
        if c.kind == "disparity" and c.basis == "contacts":
            for a, b in months:
                if a in series:
                    d = eng.disparity(m.id, Period(a, b, "", "custom"), c.field, c.reference, suppress=False)
                    extra["contacts"][a] = dict(zip(d["group"], d["denominator"].astype(float)))
        for mstart, cells in month_cells(m, months, extra).items():
            rows_by_month.setdefault(mstart, {})[("month", m.id, mstart)] = (m, cells)
    month_hidden: dict = {}  # month start -> set of hidden row ids
    month_values: dict = {}
    for mstart, rows in rows_by_month.items():
        values = {c: v for _, cells in rows.values() for c, v in cells.items()}
        eqs, latent = links(values)
        e2, l2 = group_links(values, set())
        thr = max([m.small_number_threshold for m, _ in rows.values()] or [0])
        prob = suppression.Problem({**values, **latent, **l2}, eqs + e2,
                                   [suppression.Row(rid, tuple(cells), m.small_number_threshold)
                                    for rid, (m, cells) in rows.items()],
                                   derived={c: thr for c in {**latent, **l2}} if thr else {})
        month_hidden[mstart] = suppression.protect(prob, SEED)
        month_values[mstart] = (values, rows)
    # 2. the last complete month's tables, with that month's cells fixed
    layer = neighborhood_layer(eng)
    labels = dict(zip(eng.layers()["layer"], eng.layers()["label"])) if layer else {}
    tables: dict = {}  # measure -> {"areas": df, fld: df}
    by_end: dict = {}
    for m in ms:
        kind = m.computation.kind
        end = info[m.id]["end"]
        if end is None or kind in ("disparity", "freshness"):
            continue
        period = Period(end.replace(day=1), end, "", "custom")
        t = {}
        if layer and layer in m.layers:
            t["areas"] = eng.breakdown(m.id, period, f"area:{layer}", suppress=False)
        for fld in m.fields:
            t[fld] = eng.breakdown(m.id, period, fld, suppress=False)
        tables[m.id] = t
        by_end.setdefault(end.replace(day=1), []).append(m)
    table_hidden: dict = {}
    for mstart, mlist in by_end.items():
        values, mrows = month_values.get(mstart, ({}, {}))
        values = dict(values)
        rows = [suppression.Row(rid, tuple(cells), m.small_number_threshold, total=True, locked=True,
                                hidden_from_start=rid in month_hidden.get(mstart, set()))
                for rid, (m, cells) in mrows.items()]
        eqs, summed = [], set()
        for m in mlist:
            sig = sigs(m)
            for tname, df in tables[m.id].items():
                dim = f"area:{layer}" if tname == "areas" else tname
                roles = {"num": "numerator", "den": "denominator"}
                df = _with_rest(df, {r: (values.get((sig[r], None, None, mstart)), col) for r, col in roles.items() if r in sig})
                for rec in df.to_dict("records"):
                    cells = {}
                    for r, col in roles.items():
                        if r in sig and _num(rec.get(col)) is not None:
                            cells[(sig[r], dim, str(rec["key"]), mstart)] = float(rec[col])
                    values.update(cells)
                    rows.append(suppression.Row(("table", m.id, tname, str(rec["key"])), tuple(cells),
                                                m.small_number_threshold, table=(m.id, tname)))
                summed |= {(sig[r], dim, mstart) for r in sig if (sig[r], None, None, mstart) in values}
        for sg, dim, ms_ in summed:  # every table of a month adds up to the month (once all rows are in)
            eqs.append({(sg, None, None, ms_): 1.0,
                        **{c: -1.0 for c in values if c[0] == sg and c[1] == dim and c[3] == ms_}})
        e1, l1 = links(values)
        e2, l2 = group_links(values, summed)
        thr = max([r.threshold for r in rows] or [0])
        prob = suppression.Problem({**values, **l1, **l2}, eqs + e1 + e2, rows,
                                   derived={c: thr for c in {**l1, **l2}} if thr else {})
        table_hidden[mstart] = suppression.protect(prob, SEED)
    # 3. the views
    out = {}
    for m in ms:
        out[m.id] = _view(eng, m, info[m.id], month_hidden, tables.get(m.id, {}), table_hidden, layer, labels)
    return out


def _with_rest(df: pd.DataFrame, totals: dict) -> pd.DataFrame:
    """Add the row of events with no known area / group, so the table adds up to the month's cells.
    totals: {role: (month total or None, column)}."""
    if len(df) == 0:
        return df
    extra = {c: float("nan") for c in df.columns}
    extra.update({"key": UNKNOWN_KEY, "label": UNKNOWN_KEY})
    any_rest = False
    for total, col in totals.values():
        if total is None or col not in df:
            continue
        rest = float(total) - float(df[col].fillna(0).sum())
        extra[col] = max(rest, 0.0)
        any_rest |= rest > 0
    if not any_rest:
        return df
    return pd.concat([df, pd.DataFrame([extra])], ignore_index=True)


def _row_out(key, label, value, count, hidden) -> dict:
    return {"key": str(key), "label": str(label), "value": None if hidden else _num(value),
            "count": None if hidden else _num(count), "hidden": HIDDEN if hidden else None}


HIDDEN = "privacy"  # the one `hidden` value of every suppressed cell, whatever the reason


def _view(eng, m, inf: dict, month_hidden: dict, tables: dict, table_hidden: dict, layer, labels) -> dict:
    kind = m.computation.kind
    cc = _count_col(kind)
    out = _measure_meta(eng, m)
    end = inf["end"]
    if end is None:
        period = eng.period("ytd", measure_id=m.id)
    else:
        period = Period(dt.date(end.year, 1, 1), end, f"{dt.date(end.year, 1, 1):%b %-d, %Y} – {end:%b %-d, %Y}", "ytd")
    out["period"] = {"start": str(period.start), "end": str(period.end), "label": period.label}
    nxt = _month_end((end or period.end) + dt.timedelta(days=1))
    out["next_update"] = {"month_end": str(nxt), "expected": str(nxt + dt.timedelta(days=m.lag_days + 1))}
    series = inf.get("series", {})

    def month_shown(ms) -> bool:
        return ("month", m.id, ms) not in month_hidden.get(ms, set())

    months = []
    for ms, me in inf["months"]:
        r = series.get(ms)
        lab = ms.strftime("%Y-%m")
        if kind == "freshness":
            months.append({"key": lab, "label": lab, "value": _num(r["value"]) if r else None, "count": None, "hidden": None})
            continue
        if r is None or _num(r[cc]) is None:
            months.append({"key": lab, "label": lab, "value": None, "count": None, "hidden": None})
            continue
        months.append(_row_out(lab, lab, r["value"], r[cc], not month_shown(ms)))
    out["months"] = months
    this_year = [ms for ms, _ in inf["months"] if ms.year == period.end.year]
    last_year = [ms for ms, _ in inf["months"] if ms.year == period.end.year - 1 and ms.month <= period.end.month]
    cur = eng.measure(m.id, period)
    old = eng.measure(m.id, period.prior_year())
    count_of = (lambda r: r.n) if kind == "percentile" else (lambda r: r.numerator)
    cur_hidden = kind != "freshness" and not all(month_shown(ms) for ms in this_year)
    old_hidden = kind != "freshness" and not all(month_shown(ms) for ms in last_year)
    change_pct = None
    if not cur_hidden and not old_hidden and _num(cur.value) is not None and _num(old.value):
        change_pct = 100.0 * (cur.value - old.value) / old.value
    # a target set as a change from last year gives last year's value away
    target_hidden = cur_hidden or (m.target is not None and m.target.change_pct is not None and old_hidden)
    out["headline"] = {
        "current": _cell(cur.value, count_of(cur), cur_hidden, kind),
        "last_year": {**_cell(old.value, count_of(old), old_hidden, kind),
                      "start": str(period.prior_year().start), "end": str(period.prior_year().end)},
        "change_pct": change_pct,
        "target": None if target_hidden else _num(cur.target),
        "status": "hidden" if target_hidden and cur.status not in ("no_data", "no_target", "not_covered") else cur.status,
        # why the loaded data cannot answer the measure (status "not_covered"), else ""
        "not_covered": cur.coverage,
    }
    f = cur.freshness
    out["freshness"] = {"as_of": str(f.as_of) if f.as_of else None, "fresh": bool(f.fresh)}
    mstart = end.replace(day=1) if end else None
    out["tables_period"] = ({"start": str(mstart), "end": str(end), "month": mstart.strftime("%Y-%m")}
                            if end else None)
    hidden = table_hidden.get(mstart, set())

    def table_rows(tname) -> list:
        df = tables[tname]
        sig = sigs(m)
        total = series.get(mstart, {}) if mstart else {}
        df = _with_rest(df, {r: (total.get(col), col) for r, col in (("num", "numerator"), ("den", "denominator"))
                             if r in sig})
        return [_row_out(rec["key"], rec["label"], rec["value"], rec[cc], ("table", m.id, tname, str(rec["key"])) in hidden)
                for rec in df.to_dict("records")]

    out["areas"] = None
    if "areas" in tables:
        rows = table_rows("areas")
        for r in rows:
            r["slug"] = None if is_unknown(r["key"]) else slug(r["key"])
        out["areas"] = {"layer": layer, "layer_label": labels.get(layer, layer), "rows": rows}
    out["groups"] = {fld: table_rows(fld) for fld in m.fields if fld in tables}
    return out


def _cell(value, count, hidden: bool, kind) -> dict:
    return {"value": None if hidden else _num(value), "count": None if hidden or kind == "freshness" else _num(count),
            "hidden": HIDDEN if hidden else None}


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
            "suppression": m.suppression_reason,
            "history": [{"date": str(d), "change": str(c)} for d, c in m.history],
            # a disparity ratio reads as a sentence naming its two groups ("x times as likely as")
            "comparison": ({"group": m.computation.group, "reference": m.computation.reference}
                           if m.computation.kind == "disparity" else None)}


def measure(eng, measure_id: str, today: dt.date | None = None) -> dict | None:
    """The published view of one measure, or None when it is not public (callers answer 404)."""
    m = eng.catalog.measures.get(measure_id) if isinstance(measure_id, str) else None
    if m is None or m.visibility != "public":
        return None
    return publication(eng, today).get(measure_id)


def neighborhoods(eng) -> list[dict]:
    """[{key, label, slug}] of the published layer's areas."""
    layer = neighborhood_layer(eng)
    if not layer:
        return []
    return [{"key": k, "label": lab, "slug": slug(k)} for k, lab in eng.areas(layer).itertuples(index=False)
            if not is_unknown(k)]


def neighborhood(eng, area_slug: str) -> dict | None:
    """An area's rows of every published area table beside the whole city in the same month, or None."""
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
        tp = v["tables_period"]  # the area's month beside the city's same month
        city = next((r for r in v["months"] if tp and r["key"] == tp["month"]), None)
        rows.append({"measure": m.id, "title": m.title, "unit": m.unit, "kind": m.computation.kind,
                     "area": {k: row[k] for k in ("value", "count", "hidden")},
                     "city": {k: (city or {}).get(k) for k in ("value", "count", "hidden")},
                     "period": v["period"], "tables_period": tp})
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
    key = (eng.warehouse.refresh(), "geometry", layer)
    if key not in cache:
        cache[key] = eng.geojson(layer)
    return cache[key]
