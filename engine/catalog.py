"""Goals and measures as data: load catalog/*.yaml and validate it against the warehouse schema.

A catalog mistake must stop the app or the ETL at start-up, not show a wrong number later, so
every check raises CatalogError with one line naming the file, the measure and the key.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from city import parse_yaml

KINDS = ("count", "rate", "percentile", "share", "ratio", "disparity", "freshness")
DIRECTIONS = ("up", "down", "none")
VISIBILITY = ("public", "internal")
OPS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "is_null", "not_null")

GOAL_KEYS = {"id", "title", "statement", "department", "order", "actions"}
GOAL_REQUIRED = ("id", "title", "statement", "department", "order")
MEASURE_KEYS = {
    "id", "goal", "title", "definition", "methodology", "datasets", "computation", "unit",
    "direction", "target", "cadence", "lag_days", "breakdowns", "visibility",
    "small_number_threshold", "suppression", "history", "order",
}
DATASET_KEYS = {"id", "title", "cadence_days", "lag_days", "portal_id"}
TARGET_KEYS = {"value", "change_pct", "baseline", "tolerance_pct", "per_days", "placeholder", "rationale"}
BREAKDOWN_KEYS = {"layers", "fields"}
HISTORY_KEYS = {"date", "change"}
PART_KEYS = {"dataset", "where"}
KIND_KEYS = {
    "count": {"kind", "dataset", "where"},
    "rate": {"kind", "dataset", "where", "per"},
    "percentile": {"kind", "dataset", "where", "column", "q", "scale"},
    "share": {"kind", "dataset", "where", "condition"},
    "ratio": {"kind", "numerator", "denominator", "per"},
    "disparity": {"kind", "dataset", "where", "field", "group", "reference", "basis", "condition", "per"},
    "freshness": {"kind", "datasets"},
}
REQUIRED_MEASURE = ("id", "goal", "title", "definition", "computation", "unit", "direction", "cadence")


class CatalogError(ValueError):
    """The catalog cannot be used; the message is one line naming file, measure and key."""


@dataclass(frozen=True)
class Part:
    """Events of one dataset matching a filter: what a count, a numerator or a base is made of."""
    dataset: str
    where: tuple = ()  # tuple of (column, op, value)


@dataclass(frozen=True)
class Computation:
    kind: str
    part: Part | None = None          # count, rate, percentile, share, disparity: the events counted
    denominator: Part | None = None   # ratio
    condition: tuple = ()             # share, disparity(basis=contacts): events meeting it
    column: str | None = None         # percentile
    q: float | None = None
    scale: float = 1.0
    per: float = 1.0
    field: str | None = None          # disparity
    group: str | None = None
    reference: str | None = None
    basis: str = "residents"
    datasets: tuple = ()              # freshness


@dataclass(frozen=True)
class Target:
    value: float | None = None
    change_pct: float | None = None
    baseline: str | tuple | None = None   # 'prior_year' or (start, end) dates
    tolerance_pct: float = 10.0
    per_days: float | None = None          # count targets are stated per this many days
    placeholder: bool = True
    rationale: str = ""


@dataclass(frozen=True)
class Measure:
    id: str
    goal: str
    title: str
    definition: str
    methodology: str
    datasets: tuple
    computation: Computation
    unit: str
    direction: str
    target: Target | None
    cadence: str
    lag_days: int
    layers: tuple
    fields: tuple
    visibility: str
    small_number_threshold: int
    history: tuple  # tuple of (date, change)
    order: int
    source: str     # the file it came from
    suppression_reason: str = ""  # why this threshold (shown in the public methodology)


@dataclass(frozen=True)
class Goal:
    id: str
    title: str
    statement: str
    department: str
    order: int
    measures: tuple = ()
    source: str = ""
    actions: tuple = ()  # what the city is doing about the goal, in plain words (public progress page)


@dataclass(frozen=True)
class Dataset:
    id: str
    title: str
    cadence_days: int
    lag_days: int
    portal_id: str = ""


@dataclass
class Catalog:
    goals: list[Goal]
    measures: dict[str, Measure]
    datasets: dict[str, Dataset]
    folder: Path = field(default=Path("."))
    # {lang: {English text: translation}} of the public text (engine/catalog_i18n.py)
    translations: dict = field(default_factory=dict)

    def goal(self, goal_id: str) -> Goal:
        return next(g for g in self.goals if g.id == goal_id)


def _err(src: str, what: str, key: str, msg: str) -> CatalogError:
    return CatalogError(f"{src}: {what}: key '{key}': {msg}")


def _actions(raw, src: str, what: str) -> tuple:
    """A goal's `actions`: a list of non-empty sentences (absent = none published yet)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _err(src, what, "actions", "expected a list of sentences")
    for i, a in enumerate(raw):
        if not isinstance(a, str) or not a.strip():
            raise _err(src, what, f"actions[{i}]", "expected a non-empty sentence")
    return tuple(a.strip() for a in raw)


def _check_keys(raw: dict, allowed: set, src: str, what: str, prefix: str = "") -> None:
    if not isinstance(raw, dict):
        raise _err(src, what, prefix.rstrip(".") or "(entry)", "expected a mapping")
    for k in raw:
        if k not in allowed:
            raise _err(src, what, prefix + str(k), f"unknown key (allowed: {', '.join(sorted(allowed))})")


def _where(raw, src: str, what: str, key: str) -> tuple:
    """{'priority': 1, 'category': [..], 'response_seconds': {'le': 420}} -> ((col, op, value), ...)."""
    if raw in (None, {}):
        return ()
    if not isinstance(raw, dict):
        raise _err(src, what, key, "expected a mapping of column -> value")
    out = []
    for col, val in raw.items():
        if isinstance(val, dict):
            for op, v in val.items():
                if op not in OPS:
                    raise _err(src, what, f"{key}.{col}.{op}", f"unknown operator (allowed: {', '.join(OPS)})")
                if op in ("in", "not_in") and not isinstance(v, list):
                    raise _err(src, what, f"{key}.{col}.{op}", "expected a list")
                out.append((str(col), op, tuple(v) if isinstance(v, list) else v))
        elif isinstance(val, list):
            out.append((str(col), "in", tuple(val)))
        else:
            out.append((str(col), "eq", val))
    return tuple(out)


def _part(raw, src, what, key) -> Part:
    _check_keys(raw, PART_KEYS, src, what, key + ".")
    if "dataset" not in raw:
        raise _err(src, what, key + ".dataset", "missing")
    return Part(str(raw["dataset"]), _where(raw.get("where"), src, what, key + ".where"))


def _computation(raw, src, what) -> Computation:
    if not isinstance(raw, dict) or "kind" not in raw:
        raise _err(src, what, "computation.kind", "missing")
    kind = raw["kind"]
    if kind not in KINDS:
        raise _err(src, what, "computation.kind", f"unknown kind {kind!r} (allowed: {', '.join(KINDS)})")
    _check_keys(raw, KIND_KEYS[kind], src, what, "computation.")
    if kind == "freshness":
        return Computation(kind, datasets=tuple(raw.get("datasets") or ()))
    if kind == "ratio":
        for k in ("numerator", "denominator"):
            if k not in raw:
                raise _err(src, what, f"computation.{k}", "missing")
        return Computation(kind, part=_part(raw["numerator"], src, what, "computation.numerator"),
                           denominator=_part(raw["denominator"], src, what, "computation.denominator"),
                           per=float(raw.get("per", 1)))
    if "dataset" not in raw:
        raise _err(src, what, "computation.dataset", "missing")
    part = Part(str(raw["dataset"]), _where(raw.get("where"), src, what, "computation.where"))
    cond = _where(raw.get("condition"), src, what, "computation.condition")
    if kind == "share" and not cond:
        raise _err(src, what, "computation.condition", "a share needs the condition its events meet")
    if kind == "percentile":
        if "column" not in raw:
            raise _err(src, what, "computation.column", "missing")
        q = raw.get("q")
        if not isinstance(q, (int, float)) or not 0 < q < 1:
            raise _err(src, what, "computation.q", "expected a quantile between 0 and 1, e.g. 0.9")
        return Computation(kind, part=part, column=str(raw["column"]), q=float(q), scale=float(raw.get("scale", 1)))
    if kind == "disparity":
        for k in ("field", "group", "reference"):
            if k not in raw:
                raise _err(src, what, f"computation.{k}", "missing")
        basis = raw.get("basis", "residents")
        if basis not in ("residents", "contacts"):
            raise _err(src, what, "computation.basis", "expected 'residents' or 'contacts'")
        if basis == "contacts" and not cond:
            raise _err(src, what, "computation.condition", "a per-contact disparity needs the condition counted")
        return Computation(kind, part=part, condition=cond, field=str(raw["field"]), group=str(raw["group"]),
                           reference=str(raw["reference"]), basis=basis, per=float(raw.get("per", 1000)))
    return Computation(kind, part=part, condition=cond, per=float(raw.get("per", 1000 if kind == "rate" else 1)))


def _target(raw, direction, src, what) -> Target | None:
    if raw is None:
        return None
    _check_keys(raw, TARGET_KEYS, src, what, "target.")
    if direction == "none":
        raise _err(src, what, "target", "a target needs a direction ('up' or 'down'), got 'none'")
    if ("value" in raw) == ("change_pct" in raw):
        raise _err(src, what, "target", "give exactly one of 'value' or 'change_pct'")
    baseline = raw.get("baseline")
    if "change_pct" in raw:
        if baseline == "prior_year":
            pass
        elif isinstance(baseline, dict) and set(baseline) == {"start", "end"} and all(
                isinstance(baseline[k], dt.date) for k in ("start", "end")):
            baseline = (baseline["start"], baseline["end"])
        else:
            raise _err(src, what, "target.baseline",
                       "a % change needs a baseline: 'prior_year' or {start: YYYY-MM-DD, end: YYYY-MM-DD}")
    for k in ("value", "change_pct", "tolerance_pct", "per_days"):
        if k in raw and not isinstance(raw[k], (int, float)):
            raise _err(src, what, f"target.{k}", "expected a number")
    return Target(value=raw.get("value"), change_pct=raw.get("change_pct"), baseline=baseline,
                  tolerance_pct=float(raw.get("tolerance_pct", 10)), per_days=raw.get("per_days"),
                  placeholder=bool(raw.get("placeholder", True)), rationale=str(raw.get("rationale", "")))


def _measure(raw, src) -> Measure:
    mid = raw.get("id") if isinstance(raw, dict) else None
    what = f"measure '{mid}'"
    _check_keys(raw, MEASURE_KEYS, src, what)
    for k in REQUIRED_MEASURE:
        if k not in raw:
            raise _err(src, what, k, "missing")
    direction = raw["direction"]
    if direction not in DIRECTIONS:
        raise _err(src, what, "direction", f"expected one of {', '.join(DIRECTIONS)}")
    vis = raw.get("visibility", "public")
    if vis not in VISIBILITY:
        raise _err(src, what, "visibility", f"expected one of {', '.join(VISIBILITY)}")
    comp = _computation(raw["computation"], src, what)
    bd = raw.get("breakdowns") or {}
    _check_keys(bd, BREAKDOWN_KEYS, src, what, "breakdowns.")
    history = []
    for i, h in enumerate(raw.get("history") or []):
        _check_keys(h, HISTORY_KEYS, src, what, f"history[{i}].")
        if not isinstance(h.get("date"), dt.date) or not h.get("change"):
            raise _err(src, what, f"history[{i}]", "each entry needs a date (YYYY-MM-DD) and a change")
        history.append((h["date"], str(h["change"])))
    thr = raw.get("small_number_threshold", 10)
    if not isinstance(thr, int) or isinstance(thr, bool) or thr < 0:
        raise _err(src, what, "small_number_threshold", "expected a whole number >= 0")
    reason = raw.get("suppression", "")
    if not isinstance(reason, str):
        raise _err(src, what, "suppression", "expected a sentence saying why this threshold")
    # Per-measure policy: a public-record count (threshold 0) must say so; counts about people in
    # groups (demographic breakdowns, disparities) are never exempt.
    if thr == 0 and comp.kind != "freshness":
        if bd.get("fields") or comp.kind == "disparity":
            raise _err(src, what, "small_number_threshold",
                       "0 (never suppressed) is not allowed for counts broken down by demographic group")
        if not reason.strip():
            raise _err(src, what, "suppression", "a threshold of 0 (public record) needs the reason it is not suppressed")
    datasets = tuple(raw.get("datasets") or _datasets_of(comp))
    return Measure(
        id=str(mid), goal=str(raw["goal"]), title=str(raw["title"]), definition=str(raw["definition"]),
        methodology=str(raw.get("methodology", "")), datasets=datasets, computation=comp,
        unit=str(raw["unit"]), direction=direction, target=_target(raw.get("target"), direction, src, what),
        cadence=str(raw["cadence"]), lag_days=int(raw.get("lag_days", 0)),
        layers=tuple(bd.get("layers") or ()), fields=tuple(bd.get("fields") or ()), visibility=vis,
        small_number_threshold=thr, history=tuple(sorted(history)), order=int(raw.get("order", 0)), source=src,
        suppression_reason=reason.strip(),
    )


def _datasets_of(comp: Computation) -> tuple:
    if comp.kind == "freshness":
        return tuple(comp.datasets)
    names = [comp.part.dataset] + ([comp.denominator.dataset] if comp.denominator else [])
    return tuple(dict.fromkeys(names))


def parts_of(comp: Computation) -> list[Part]:
    return [p for p in (comp.part, comp.denominator) if p is not None]


def load_catalog(folder: Path) -> Catalog:
    """Parse every *.yaml in folder (keys: goals, measures, datasets); structure checks only."""
    folder = Path(folder)
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise CatalogError(f"{folder}: no catalog files (*.yaml) found")
    goals, measures, datasets = [], {}, {}
    for path in files:
        src = str(path)
        try:
            raw = parse_yaml(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise CatalogError(f"{src}: not valid YAML ({str(exc).splitlines()[0]})") from None
        _check_keys(raw, {"goals", "measures", "datasets"}, src, "file")
        for g in raw.get("goals") or []:
            what = f"goal '{g.get('id') if isinstance(g, dict) else g}'"
            _check_keys(g, GOAL_KEYS, src, what)
            for k in GOAL_REQUIRED:
                if k not in g:
                    raise _err(src, what, k, "missing")
            goals.append(Goal(str(g["id"]), str(g["title"]), str(g["statement"]), str(g["department"]),
                              int(g["order"]), source=src, actions=_actions(g.get("actions"), src, what)))
        for d in raw.get("datasets") or []:
            what = f"dataset '{d.get('id') if isinstance(d, dict) else d}'"
            _check_keys(d, DATASET_KEYS, src, what)
            for k in ("id", "title", "cadence_days"):
                if k not in d:
                    raise _err(src, what, k, "missing")
            datasets[str(d["id"])] = Dataset(str(d["id"]), str(d["title"]), int(d["cadence_days"]),
                                             int(d.get("lag_days", 0)), str(d.get("portal_id", "")))
        for m in raw.get("measures") or []:
            measure = _measure(m, src)
            if measure.id in measures:
                raise _err(src, f"measure '{measure.id}'", "id", f"duplicate (also in {measures[measure.id].source})")
            measures[measure.id] = measure
    goal_ids = {g.id for g in goals}
    for m in measures.values():
        if m.goal not in goal_ids:
            raise _err(m.source, f"measure '{m.id}'", "goal", f"unknown goal {m.goal!r}")
    goals = [Goal(g.id, g.title, g.statement, g.department, g.order,
                  tuple(sorted((m.id for m in measures.values() if m.goal == g.id),
                               key=lambda i: (measures[i].order, i))), g.source, g.actions)
             for g in sorted(goals, key=lambda g: (g.order, g.id))]
    from engine import catalog_i18n

    cat = Catalog(goals, measures, datasets, folder)
    cat.translations = catalog_i18n.load(cat)
    return cat


def validate(catalog: Catalog, schema: dict[str, dict[str, str]], layers: set[str] | None = None,
             strict: bool = True) -> None:
    """Check every dataset, column, layer and field a measure names against the warehouse schema.

    schema: {dataset: {column: type}}. layers: the boundary layers that exist; a layer is
    usable for a measure when every dataset it reads has an `area_<layer>` column.
    strict=False (schema read from a warehouse that may not hold every dataset yet): a dataset
    the catalog describes but the warehouse lacks is skipped; the engine reports it as no data;
    and a missing `area_<layer>` column is not an error (boundaries not loaded yet): the engine
    turns that breakdown off with a note (Engine.disabled_breakdowns).
    """
    for m in catalog.measures.values():
        what = f"measure '{m.id}'"
        comp = m.computation
        if comp.kind == "freshness":
            for d in comp.datasets:
                if d not in catalog.datasets:
                    raise _err(m.source, what, "computation.datasets", f"unknown dataset {d!r}")
            if m.layers or m.fields:
                raise _err(m.source, what, "breakdowns", "a freshness measure cannot be broken down")
            continue
        for name, part in (("computation", comp.part), ("computation.denominator", comp.denominator)):
            if part is None:
                continue
            key = "computation.numerator" if comp.kind == "ratio" and name == "computation" else name
            if part.dataset not in catalog.datasets or (strict and part.dataset not in schema):
                known = sorted(set(schema) & set(catalog.datasets)) if strict else sorted(catalog.datasets)
                raise _err(m.source, what, f"{key}.dataset",
                           f"unknown dataset {part.dataset!r} (known: {', '.join(known)})")
            if part.dataset not in schema:
                continue
            cols = schema[part.dataset]
            for col, _op, _v in part.where:
                if col not in cols:
                    raise _err(m.source, what, f"{key}.where.{col}", f"dataset {part.dataset!r} has no column {col!r}")
        read = [p.dataset for p in parts_of(comp)]
        if any(d not in schema for d in read):
            continue  # not loaded yet (strict=False only)
        main = schema[comp.part.dataset]
        for col, _op, _v in comp.condition:
            if col not in main:
                raise _err(m.source, what, f"computation.condition.{col}", f"dataset {comp.part.dataset!r} has no column {col!r}")
        if comp.column and comp.column not in main:
            raise _err(m.source, what, "computation.column", f"dataset {comp.part.dataset!r} has no column {comp.column!r}")
        if comp.field and comp.field not in main:
            raise _err(m.source, what, "computation.field", f"dataset {comp.part.dataset!r} has no column {comp.field!r}")
        for d in m.datasets:
            if d not in catalog.datasets:
                raise _err(m.source, what, "datasets", f"unknown dataset {d!r}")
        for layer in m.layers if strict else ():
            for d in read:
                if f"area_{layer}" not in schema[d] or (layers is not None and layer not in layers):
                    raise _err(m.source, what, "breakdowns.layers",
                               f"dataset {d!r} cannot be broken down by layer {layer!r} (no area_{layer})")
        for fld in m.fields:
            for d in read:
                if fld not in schema[d]:
                    raise _err(m.source, what, "breakdowns.fields", f"dataset {d!r} has no field {fld!r}")
