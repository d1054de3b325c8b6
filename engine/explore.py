"""Ad-hoc measures for the analyst's explorer: any category value a dataset holds, any loaded layer,
any demographic field, as a Measure built and validated exactly like a catalog entry.

Why not new SQL: an explored number goes through the same engine code as the catalog's (series,
breakdowns, intervals, coverage, "not covered"), so an explorer figure and the catalog measure it
becomes once proposed can never disagree. The spec is turned into the catalog's YAML shape and
parsed by engine.catalog (the same checks, the same one-line errors), then validated against the
warehouse's own columns and layers; that YAML is also what "propose as catalog measure" shows.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import yaml

from engine.catalog import Catalog, CatalogError, Measure, _measure, validate
from engine.records import INTERNAL

DEMOGRAPHIC = ("subject_race", "subject_gender", "subject_age_group", "officer_race", "officer_gender")
DURATIONS = {"response_seconds": ("minutes", 60.0)}  # duration columns: unit shown, seconds per unit
KINDS = {"count": "Count", "rate": "Per 1,000 residents (annualised)", "share": "Share of the dataset's events (%)",
         "median": "Median duration", "p90": "90th percentile duration"}
# Columns that identify or locate one event, or time it: never a category to explore by.
NOT_CATEGORIES = ("event_key", "event_time", "latitude", "longitude", "block_address", "address", "location")
MAX_DISTINCT = 400  # a column with more distinct values than this is an identifier, not a category


class ExploreError(ValueError):
    """The explorer was asked for something the warehouse cannot answer (one line, naming the choice)."""


@dataclass(frozen=True)
class Spec:
    dataset: str
    field: str | None = None     # the category column; None = every event of the dataset
    value: str | None = None     # its value (as text; typed by the column)
    kind: str = "count"
    layer: str | None = None


def category_columns(columns: dict[str, str], distinct: dict[str, int]) -> list[str]:
    """The dataset's columns an analyst filters by: text or whole-number columns with few values."""
    out = []
    for c, ty in columns.items():
        if (c in INTERNAL or c in NOT_CATEGORIES or c.startswith("area_") or c.endswith(("_raw", "_id", "_num", "_number", "_yob"))
                or c in DEMOGRAPHIC or ty not in ("VARCHAR", "INTEGER", "BIGINT")):
            continue
        if 1 <= distinct.get(c, 0) <= MAX_DISTINCT:
            out.append(c)
    return out


def kinds_for(columns: dict[str, str]) -> list[str]:
    return ["count", "rate", "share"] + (["median", "p90"] if any(c in columns for c in DURATIONS) else [])


def raw_definition(spec: Spec, columns: dict[str, str], title: str, goal: str, layers: list[str]) -> dict:
    """The catalog entry (as YAML would give it) for `spec`."""
    where = {}
    if spec.field is not None:
        if spec.field not in columns:
            raise ExploreError(f"field: dataset {spec.dataset!r} has no column {spec.field!r}")
        value = spec.value
        if columns[spec.field] in ("INTEGER", "BIGINT"):
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise ExploreError(f"value: {spec.field} holds whole numbers, not {spec.value!r}") from None
        where = {spec.field: value}
    what = f"{spec.field.replace('_', ' ')} {spec.value}" if spec.field else "all events"
    comp: dict = {"dataset": spec.dataset}
    if where and spec.kind != "share":
        comp["where"] = where
    unit = "events"
    if spec.kind == "count":
        comp["kind"] = "count"
    elif spec.kind == "rate":
        comp.update(kind="rate", per=1000)
        unit = "per 1,000 residents"
    elif spec.kind == "share":
        if not where:
            raise ExploreError("kind: a share needs a category value (the share of events that have it)")
        comp.update(kind="share", condition=where)
        unit = "%"
    elif spec.kind in ("median", "p90"):
        col = next((c for c in DURATIONS if c in columns), None)
        if col is None:
            raise ExploreError(f"kind: dataset {spec.dataset!r} has no duration column, so no {spec.kind}")
        unit, scale = DURATIONS[col]
        comp.update(kind="percentile", column=col, q=0.5 if spec.kind == "median" else 0.9, scale=scale)
    else:
        raise ExploreError(f"kind: {spec.kind!r} is not one of {', '.join(KINDS)}")
    fields = [f for f in DEMOGRAPHIC if f in columns]
    ident = "explore_" + hashlib.sha1(json.dumps([spec.dataset, spec.field, spec.value, spec.kind],
                                                 default=str).encode()).hexdigest()[:10]
    return {
        "id": ident, "goal": goal,
        "title": f"{title}: {what}" + ("" if spec.kind == "count" else f" ({KINDS[spec.kind].lower()})"),
        "definition": (f"{KINDS[spec.kind]} of {title} events" + (f" whose {spec.field.replace('_', ' ')} is {spec.value}"
                                                                  if spec.field and spec.kind != "share" else "")
                       + (f" that have {spec.field.replace('_', ' ')} {spec.value}" if spec.kind == "share" else "")
                       + ", by event date."),
        "computation": comp, "unit": unit, "direction": "none", "cadence": "weekly",
        "breakdowns": {k: v for k, v in (("layers", layers), ("fields", fields)) if v},
        "visibility": "internal",
    }


def build(spec: Spec, catalog: Catalog, schema: dict[str, dict[str, str]], layers: set[str]) -> tuple[Measure, dict]:
    """(the validated ad-hoc Measure, its catalog entry) for spec; ExploreError in one line otherwise."""
    if spec.dataset not in catalog.datasets or spec.dataset not in schema:
        raise ExploreError(f"dataset: {spec.dataset!r} is not a loaded dataset "
                           f"(loaded: {', '.join(sorted(set(catalog.datasets) & set(schema)))})")
    columns = schema[spec.dataset]
    usable = [x for x in sorted(layers) if f"area_{x}" in columns]
    if spec.layer is not None and spec.layer not in usable:
        raise ExploreError(f"layer: {spec.layer!r} is not a layer dataset {spec.dataset!r} has areas for "
                           f"(usable: {', '.join(usable) or 'none'})")
    goal = catalog.goals[0].id if catalog.goals else "explore"
    raw = raw_definition(spec, columns, catalog.datasets[spec.dataset].title, goal, usable)
    try:
        m = _measure(raw, "explorer")
        validate(Catalog(list(catalog.goals), {m.id: m}, catalog.datasets, catalog.folder), schema, layers=layers)
    except CatalogError as exc:
        raise ExploreError(str(exc).replace("explorer: ", "", 1)) from None
    return m, raw


def proposal_yaml(raw: dict) -> str:
    """What a catalog file would need for this measure (an analyst pastes it into catalog/*.yaml
    and picks its goal, id, direction and target)."""
    entry = dict(raw, id=raw["id"].replace("explore_", "new_measure_"))
    return yaml.safe_dump({"measures": [entry]}, sort_keys=False, allow_unicode=True, width=100)
