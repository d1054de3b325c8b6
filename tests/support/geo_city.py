"""A tiny city drawn by hand for the geography and population tests (not a test module).

Why: expected areas and populations must be worked out by hand, which real boundaries do not
allow. Everything is a rectangle near Seattle (lon -122.40 .. -122.36, lat 47.60 .. 47.62):

    lon  -122.40        -122.38   -122.37   -122.36
          +---- T1 ------+---- T2 --+--------+      tracts T1 (west), T2 (east)
          +-------- hood A ---------+- hood B+      A = T1 + west half of T2, B = east half of T2
          +-------- beat X1 (sector X, P1) --+- Y1 (sector Y, P2)
          +-------- precinct P1 ------------+- P2

Files are GeoJSON written with the property names layers.yaml below refers to.
"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from settings import Settings

LAT0, LAT1 = 47.60, 47.62
W, M1, M2, E = -122.40, -122.38, -122.37, -122.36

LAYERS_YAML = """
layers:
  precinct:
    label: Precincts
    file: precincts.geojson
    id_field: name
    labels: {P1: West precinct}
    source_column: precinct
  sector:
    label: Sectors
    dissolve_from: beat
    id_field: sector
    label_format: "Sector {id}"
    parent: precinct
    parent_field: precinct
    source_column: sector
  beat:
    label: Beats
    file: beats.geojson
    id_field: beat
    parent: sector
    parent_field: sector
    source_column: beat
  hood:
    label: Neighborhoods
    file: hoods.geojson
    id_field: NAME
    parent: precinct
    source_column: mcpp
    aliases: {OLD A: A}
  tract:
    label: Tracts
    file: tracts.geojson
    id_field: GEOID
    label_field: NAMELSAD
population:
  tracts: {file: tracts.csv, layer: tract, id_field: GEOID, total_field: POP, year: 2020}
  city_totals: {file: city.csv, year_field: Year, population_field: Population}
  city_race:
    file: race.csv
    race_field: Race
    year_field: Year
    population_field: Population
    race_labels: {Black or African American: Black}
  tract_race: {file: tract_race.csv}
"""


def box(x0: float, x1: float) -> dict:
    ring = [[x0, LAT0], [x1, LAT0], [x1, LAT1], [x0, LAT1], [x0, LAT0]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature_collection(features: list[tuple[dict, dict]]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": geom} for props, geom in features]})


def write_city(root: Path, population: bool = True, layers_yaml: str = LAYERS_YAML) -> Settings:
    """Write city config + boundary (+ population) files under root; return Settings using them."""
    city = root / "city"
    bounds = root / "boundaries"
    pop = root / "population"
    for d in (city, bounds, pop):
        d.mkdir(parents=True, exist_ok=True)
    (city / "layers.yaml").write_text(layers_yaml, encoding="utf-8")
    (bounds / "precincts.geojson").write_text(feature_collection([
        ({"name": "P1"}, box(W, M2)), ({"name": "P2"}, box(M2, E))]))
    (bounds / "beats.geojson").write_text(feature_collection([
        ({"beat": "X1", "sector": "X", "precinct": "P1"}, box(W, M2)),
        ({"beat": "Y1", "sector": "Y", "precinct": "P2"}, box(M2, E))]))
    (bounds / "hoods.geojson").write_text(feature_collection([
        ({"NAME": "A"}, box(W, M1)), ({"NAME": "A"}, box(M1, M2)),  # one area in two pieces
        ({"NAME": "B"}, box(M2, E))]))
    (bounds / "tracts.geojson").write_text(feature_collection([
        ({"GEOID": "53033000100", "NAMELSAD": "Census Tract 1"}, box(W, M1)),
        ({"GEOID": "53033000200", "NAMELSAD": "Census Tract 2"}, box(M1, E))]))
    if population:
        (pop / "tracts.csv").write_text("\ufeffGEOID,POP\n53033000100,1000\n53033000200,3000\n", encoding="utf-8")
        (pop / "city.csv").write_text("Year,Population\r\n2020,8000\r\n2021,4000\r\n")
        (pop / "race.csv").write_text("Race,Year,Population\nWhite,2020,6000\nBlack or African American,2020,2000\n")
    return replace(Settings(), city_config=city)
