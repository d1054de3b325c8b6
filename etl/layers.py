"""A city's boundary layers and population files, read from config/<city>/layers.yaml.

Layers are configuration, not code, so another city (or the synthetic demo city) only needs its
own layers.yaml and files. This module only parses and checks that file; reading the boundary
files is etl/boundaries.py, the warehouse tables are etl/geo.py, denominators etl/population.py.

Every mistake stops with one line naming layers.yaml, the layer and the key. Layer ids become
column names (`area_<layer>`), so they must be lower-case identifiers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from city import parse_yaml

LAYER_ID = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
# Event-table columns a layer may fall back to when a row has no coordinates (docs/SCHEMA.md).
SOURCE_COLUMNS = ("precinct", "sector", "beat", "mcpp")


class LayerConfigError(ValueError):
    """layers.yaml is missing a key or has a value of the wrong kind."""


@dataclass(frozen=True)
class LayerSpec:
    id: str
    label: str
    id_field: str
    file: str | None = None            # relative to the boundaries folder
    dissolve_from: str | None = None   # no file: merge this layer's features on id_field
    label_field: str | None = None
    label_format: str = "{label}"      # e.g. "Beat {id}"; placeholders {id} and {label}
    labels: dict = field(default_factory=dict)    # id -> display label
    parent: str | None = None
    parent_field: str | None = None    # property holding the parent id; else found spatially
    source_column: str | None = None   # event column giving this layer's id when no coordinates
    aliases: dict = field(default_factory=dict)   # source code -> area id
    where: dict = field(default_factory=dict)     # property -> value (or list) a feature must have
    keep_within: str | None = None     # keep features whose inner point lies in that layer
    portal_id: str | None = None
    approximate: bool = False


@dataclass(frozen=True)
class PopulationSpec:
    """Population files, relative to the population folder. See etl/population.py for formats."""
    tracts_file: str
    tract_layer: str
    tract_id_field: str
    tract_total_field: str
    tract_year: int
    city_totals_file: str | None = None
    city_totals_year_field: str = "Year"
    city_totals_population_field: str = "Population"
    city_race_file: str | None = None
    city_race_fields: tuple = ("Race", "Year", "Population")
    race_labels: dict = field(default_factory=dict)
    tract_race_file: str | None = None


@dataclass(frozen=True)
class GeoConfig:
    path: Path
    layers: dict  # id -> LayerSpec, in the order of the file
    population: PopulationSpec | None

    def load_order(self) -> list[str]:
        """Layers ordered so a layer comes after the ones it is dissolved from or kept within."""
        done: list[str] = []

        def visit(lid: str, chain: tuple) -> None:
            if lid in done:
                return
            if lid in chain:
                raise LayerConfigError(f"{self.path}: layers {' -> '.join(chain + (lid,))} depend on each other in a circle")
            spec = self.layers[lid]
            for dep in (spec.dissolve_from, spec.keep_within):
                if dep:
                    visit(dep, chain + (lid,))
            done.append(lid)

        for lid in self.layers:
            visit(lid, ())
        return done


def _str_map(path: Path, where: str, value) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise LayerConfigError(f"{path}: {where} must be a mapping")
    return {str(k): v if isinstance(v, list) else str(v) for k, v in value.items()}


def _layer(path: Path, lid: str, raw) -> LayerSpec:
    where = f"layer '{lid}'"
    if not LAYER_ID.match(str(lid)):
        raise LayerConfigError(f"{path}: layer id {lid!r} must be lower-case letters, digits and _ (it names a column)")
    if not isinstance(raw, dict):
        raise LayerConfigError(f"{path}: {where} must be a mapping of keys")
    known = set(LayerSpec.__dataclass_fields__) - {"id"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise LayerConfigError(f"{path}: {where} has unknown key '{unknown[0]}' (known: {', '.join(sorted(known))})")
    if "id_field" not in raw:
        raise LayerConfigError(f"{path}: {where} is missing key 'id_field'")
    if bool(raw.get("file")) == bool(raw.get("dissolve_from")):
        raise LayerConfigError(f"{path}: {where} needs exactly one of 'file' or 'dissolve_from'")
    source_column = raw.get("source_column")
    if source_column is not None and source_column not in SOURCE_COLUMNS:
        raise LayerConfigError(f"{path}: {where} key 'source_column' must be one of {', '.join(SOURCE_COLUMNS)}")
    return LayerSpec(
        id=str(lid), label=str(raw.get("label", lid)), id_field=str(raw["id_field"]),
        file=raw.get("file"), dissolve_from=raw.get("dissolve_from"),
        label_field=raw.get("label_field"), label_format=str(raw.get("label_format", "{label}")),
        labels=_str_map(path, f"{where} key 'labels'", raw.get("labels")),
        parent=raw.get("parent"), parent_field=raw.get("parent_field"), source_column=source_column,
        aliases=_str_map(path, f"{where} key 'aliases'", raw.get("aliases")),
        where=_str_map(path, f"{where} key 'where'", raw.get("where")),
        keep_within=raw.get("keep_within"), portal_id=raw.get("portal_id"),
        approximate=bool(raw.get("approximate", False)),
    )


def _population(path: Path, raw) -> PopulationSpec:
    if not isinstance(raw, dict) or not isinstance(raw.get("tracts"), dict):
        raise LayerConfigError(f"{path}: key 'population' needs a 'tracts' mapping")
    tracts = raw["tracts"]
    for key in ("file", "layer", "id_field", "total_field", "year"):
        if key not in tracts:
            raise LayerConfigError(f"{path}: population 'tracts' is missing key '{key}'")
    totals = raw.get("city_totals") or {}
    race = raw.get("city_race") or {}
    tract_race = raw.get("tract_race") or {}
    return PopulationSpec(
        tracts_file=str(tracts["file"]), tract_layer=str(tracts["layer"]),
        tract_id_field=str(tracts["id_field"]), tract_total_field=str(tracts["total_field"]),
        tract_year=int(tracts["year"]),
        city_totals_file=totals.get("file"),
        city_totals_year_field=str(totals.get("year_field", "Year")),
        city_totals_population_field=str(totals.get("population_field", "Population")),
        city_race_file=race.get("file"),
        city_race_fields=(str(race.get("race_field", "Race")), str(race.get("year_field", "Year")),
                          str(race.get("population_field", "Population"))),
        race_labels=_str_map(path, "population 'city_race' key 'race_labels'", race.get("race_labels")),
        tract_race_file=tract_race.get("file"),
    )


def parse_geo_config(path: Path, text: str) -> GeoConfig:
    """Parse the text of a layers.yaml (path is only used in messages)."""
    try:
        raw = parse_yaml(text) or {}
    except yaml.YAMLError as exc:
        raise LayerConfigError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(raw.get("layers"), dict) or not raw["layers"]:
        raise LayerConfigError(f"{path}: key 'layers' must map layer ids to their settings")
    layers = {str(lid): _layer(path, lid, spec) for lid, spec in raw["layers"].items()}
    for spec in layers.values():
        for key in ("dissolve_from", "parent", "keep_within"):
            ref = getattr(spec, key)
            if ref is not None and ref not in layers:
                raise LayerConfigError(f"{path}: layer '{spec.id}' key '{key}' names unknown layer '{ref}'")
    used: dict[str, str] = {}
    for spec in layers.values():
        if spec.source_column and spec.source_column in used:
            raise LayerConfigError(f"{path}: layers '{used[spec.source_column]}' and '{spec.id}' both use "
                                   f"source_column '{spec.source_column}'")
        if spec.source_column:
            used[spec.source_column] = spec.id
    population = _population(path, raw["population"]) if raw.get("population") else None
    if population and population.tract_layer not in layers:
        raise LayerConfigError(f"{path}: population 'tracts' key 'layer' names unknown layer '{population.tract_layer}'")
    config = GeoConfig(path=path, layers=layers, population=population)
    config.load_order()  # fails on circular references
    return config


def load_geo_config(city_folder: Path) -> GeoConfig:
    """Read city_folder/layers.yaml."""
    path = Path(city_folder) / "layers.yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LayerConfigError(f"{path}: file not found") from None
    return parse_geo_config(path, text)
