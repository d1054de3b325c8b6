"""Boundary layers: every real Seattle boundary file loads; layers.yaml mistakes stop with one line.

Real files are read in place from ../shared/data/seattle/boundaries (the `seattle_data` fixture).
"""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from etl.boundaries import BoundaryError, read_boundary_file, read_layers
from etl.geo import load_boundaries
from etl.layers import LayerConfigError, load_geo_config, parse_geo_config
from settings import Settings
from tests.support.geo_city import LAYERS_YAML, write_city

SEATTLE_BOX = (-122.47, 47.47, -122.21, 47.76)  # lon/lat, a little wider than city.yaml's bounds


def inside_seattle(bounds) -> bool:
    minx, miny, maxx, maxy = bounds
    return SEATTLE_BOX[0] <= minx and SEATTLE_BOX[1] <= miny and maxx <= SEATTLE_BOX[2] and maxy <= SEATTLE_BOX[3]


@pytest.mark.real_data
@pytest.mark.parametrize("name, features", [
    ("spd_micro_community_policing_plans_mcpp.geojson", 58),
    ("seattle_police_beats_2018-present.geojson", 55),
    ("spd_precincts_shapefile", 5),                           # a shapefile folder
    ("neighborhood_map_atlas_neighborhoods.geojson", 94),
    ("community_reporting_areas_shapefile.zip", 53),          # a zipped shapefile
    ("racial_social_equity_index_2020_census_tracts.geojson", 180),
])
def test_every_real_seattle_boundary_file_loads_in_wgs84(seattle_data, name, features):
    gdf = read_boundary_file(seattle_data / "boundaries" / name)
    assert len(gdf) == features
    assert gdf.crs.to_epsg() == 4326
    assert inside_seattle(gdf.total_bounds)
    assert gdf.geometry.is_valid.all()


@pytest.mark.real_data
def test_the_2015_washington_tracts_in_nad83_are_cut_to_king_county_and_the_city(seattle_data):
    whole = read_boundary_file(seattle_data / "boundaries" / "census_cb_2015_53_tract_500k_washington.zip")
    assert len(whole) == 1454 and whole.crs.to_epsg() == 4326  # reprojected from NAD83 (EPSG:4269)
    config = parse_geo_config(Path("test.yaml"), """
layers:
  precinct: {file: spd_precincts_shapefile, id_field: name}
  tract2010:
    file: census_cb_2015_53_tract_500k_washington.zip
    id_field: GEOID
    label_field: NAME
    label_format: "Census Tract {label}"
    where: {COUNTYFP: "033"}
    keep_within: precinct
""")
    tracts = read_layers(config, seattle_data / "boundaries")["tract2010"]
    ids = set(tracts["area_id"])
    assert all(i.startswith("53033") for i in ids)               # King County only
    assert 110 <= len(ids) <= 140                                 # Seattle had about 130 tracts, not 397
    assert "53033000100" in ids                                   # tract 1, Haller Lake, north Seattle
    assert "53033023100" not in ids and "53033029101" not in ids  # Bellevue, Kent: King County, not Seattle
    assert inside_seattle(tracts.total_bounds)
    assert tracts.set_index("area_id").loc["53033000100", "label"] == "Census Tract 1"


@pytest.mark.real_data
def test_a_points_csv_is_refused_with_a_one_line_message(seattle_data):
    path = seattle_data / "boundaries" / "police_beat_and_precinct_centerpoints.csv"
    with pytest.raises(BoundaryError) as err:
        read_boundary_file(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


@pytest.fixture(scope="module")
def seattle_warehouse(seattle_data, tmp_path_factory):
    path = tmp_path_factory.mktemp("geo") / "w.duckdb"
    con = duckdb.connect(str(path))
    load_boundaries(con, Settings(), seattle_data / "boundaries", None)
    yield con
    con.close()


@pytest.mark.real_data
def test_seattle_layers_yaml_builds_every_layer_with_parents(seattle_warehouse):
    con = seattle_warehouse
    counts = dict(con.execute("SELECT layer, count(*) FROM areas GROUP BY layer").fetchall())
    # 52 Neighborhood Map Atlas areas: its 94 features share 52 S_HOOD names
    assert counts == {"precinct": 5, "sector": 19, "beat": 55, "mcpp": 58, "cra": 53, "nma": 52, "tract": 180}
    area = {(r[0], r[1]): r[2:] for r in con.execute("SELECT layer, area_id, label, parent_id FROM areas").fetchall()}
    assert area[("mcpp", "BALLARD NORTH")] == ("BALLARD NORTH", "N")
    assert area[("beat", "C2")] == ("Beat C2", "C")
    assert area[("sector", "C")] == ("Sector C", "E")            # from the beats' first_precinct
    assert area[("sector", "H")] == ("Sector H", None)           # the harbor: no precinct
    assert area[("precinct", "SW")] == ("Southwest", None)
    assert area[("cra", "13.2")] == ("Downtown Commercial Core", None)  # CRA_NO 13.200000000000001 in the DBF
    assert area[("tract", "53033000402")][0] == "Census Tract 4.02"
    layers = con.execute("SELECT layer, parent_layer, source_column FROM layers ORDER BY position").fetchall()
    assert layers[:4] == [("precinct", None, "precinct"), ("sector", "precinct", "sector"),
                          ("beat", "sector", "beat"), ("mcpp", "precinct", "mcpp")]


@pytest.mark.real_data
def test_display_geometry_is_small_valid_geojson_with_centroids_inside(seattle_warehouse):
    con = seattle_warehouse
    for layer, size in con.execute("SELECT layer, sum(length(geojson)) FROM areas GROUP BY layer").fetchall():
        limit = 600_000 if layer == "tract" else 300_000  # 180 tracts; every other layer has <= 60 areas
        assert size < limit, (layer, size)
    geom, lat, lon = con.execute("SELECT geojson, centroid_lat, centroid_lon FROM areas "
                                 "WHERE layer = 'mcpp' AND area_id = 'CAPITOL HILL'").fetchone()
    shape = json.loads(geom)
    assert shape["type"] in ("Polygon", "MultiPolygon")
    assert 47.61 < lat < 47.64 and -122.33 < lon < -122.30   # Capitol Hill, around Broadway and E Olive
    outside = con.execute("SELECT count(*) FROM areas WHERE NOT (centroid_lat BETWEEN 47.47 AND 47.76 "
                          "AND centroid_lon BETWEEN -122.47 AND -122.21)").fetchone()[0]
    assert outside == 0


def test_generated_layers_are_flagged_approximate(tmp_path):
    settings = write_city(tmp_path, population=False)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_boundaries(con, settings, tmp_path / "boundaries", None, approximate=True)
    assert con.execute("SELECT bool_and(approximate) FROM areas").fetchone()[0] is True
    assert con.execute("SELECT bool_and(approximate) FROM layers").fetchone()[0] is True
    load_boundaries(con, settings, tmp_path / "boundaries", None)
    assert con.execute("SELECT bool_or(approximate) FROM areas").fetchone()[0] is False


def test_features_sharing_an_id_become_one_area_and_parents_are_found_spatially(tmp_path):
    settings = write_city(tmp_path, population=False)
    layers = read_layers(load_geo_config(settings.city_config), tmp_path / "boundaries")
    hoods = layers["hood"].set_index("area_id")
    assert list(hoods.index) == ["A", "B"]
    assert hoods.loc["A", "parent_id"] == "P1" and hoods.loc["B", "parent_id"] == "P2"  # no parent_field
    assert layers["precinct"].set_index("area_id").loc["P1", "label"] == "West precinct"
    assert list(layers["sector"]["area_id"]) == ["X", "Y"]


@pytest.mark.parametrize("change, message", [
    (("id_field: NAME", "id_field: NOM"), "hoods.geojson (layer 'hood'): no field 'NOM' (fields: NAME)"),
    (("file: beats.geojson", "file: nothere.geojson"), "nothere.geojson: file not found"),
])
def test_boundary_file_problems_name_the_file_and_field(tmp_path, change, message):
    settings = write_city(tmp_path, population=False, layers_yaml=LAYERS_YAML.replace(*change))
    with pytest.raises(BoundaryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_layers(load_geo_config(settings.city_config), tmp_path / "boundaries")


def test_a_feature_without_an_id_is_an_error_naming_it(tmp_path):
    settings = write_city(tmp_path, population=False)
    (tmp_path / "boundaries" / "hoods.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"NAME": "A"}, "geometry": {"type": "Point", "coordinates": [0, 0]}}]}))
    with pytest.raises(BoundaryError, match="hoods.geojson: feature 1 is a Point, not a polygon"):
        read_layers(load_geo_config(settings.city_config), tmp_path / "boundaries")
    (tmp_path / "boundaries" / "hoods.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"NAME": "A"}, "geometry": {"type": "Polygon", "coordinates": [
            [[-122.4, 47.6], [-122.39, 47.6], [-122.39, 47.61], [-122.4, 47.6]]]}},
        {"type": "Feature", "properties": {"NAME": " "}, "geometry": {"type": "Polygon", "coordinates": [
            [[-122.4, 47.6], [-122.39, 47.6], [-122.39, 47.61], [-122.4, 47.6]]]}}]}))
    with pytest.raises(BoundaryError, match="layer 'hood'\\): feature 2 has an empty 'NAME'"):
        read_layers(load_geo_config(settings.city_config), tmp_path / "boundaries")


@pytest.mark.parametrize("text, message", [
    ("layers: {}", "key 'layers' must map layer ids"),
    ("layers:\n  Hood: {file: a.geojson, id_field: x}", "layer id 'Hood' must be lower-case"),
    ("layers:\n  hood: {file: a.geojson}", "layer 'hood' is missing key 'id_field'"),
    ("layers:\n  hood: {file: a.geojson, id_field: x, colour: red}", "layer 'hood' has unknown key 'colour'"),
    ("layers:\n  hood: {id_field: x}", "layer 'hood' needs exactly one of 'file' or 'dissolve_from'"),
    ("layers:\n  hood: {file: a.geojson, id_field: x, parent: city}", "key 'parent' names unknown layer 'city'"),
    ("layers:\n  a: {dissolve_from: b, id_field: x}\n  b: {dissolve_from: a, id_field: x}", "depend on each other"),
    ("layers:\n  hood: {file: a.geojson, id_field: x, source_column: zip}", "key 'source_column' must be one of"),
    ("layers: [oops", "not valid YAML"),
])
def test_layers_yaml_mistakes_stop_with_one_line(text, message):
    with pytest.raises(LayerConfigError, match=message) as err:
        parse_geo_config(Path("config/x/layers.yaml"), text)
    assert str(err.value).startswith("config/x/layers.yaml: ") and "\n" not in str(err.value)


def test_the_seattle_layers_yaml_is_valid_and_names_the_real_files():
    config = load_geo_config(Settings().city_config)
    assert list(config.layers) == ["precinct", "sector", "beat", "mcpp", "cra", "nma", "tract"]
    assert config.load_order().index("beat") < config.load_order().index("sector")
    assert config.population.tracts_file == "racial_social_equity_index_2020_census_tracts.csv"


def test_two_layers_cannot_share_a_source_column():
    text = "layers:\n  a: {file: a.geojson, id_field: x, source_column: beat}\n  b: {file: b.geojson, id_field: y, source_column: beat}"
    with pytest.raises(LayerConfigError, match="layers 'a' and 'b' both use source_column 'beat'"):
        parse_geo_config(Path("layers.yaml"), text)


def test_an_alias_naming_no_area_is_an_error(tmp_path):
    settings = write_city(tmp_path, population=False, layers_yaml=LAYERS_YAML.replace("{OLD A: A}", "{OLD A: C}"))
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    with pytest.raises(BoundaryError, match="layer 'hood' alias 'OLD A' names 'C', which is not an area of hoods.geojson"):
        load_boundaries(con, settings, tmp_path / "boundaries", None)
