"""Every event gets an area in each layer: by its coordinates, else by its source's codes, else UNKNOWN.

Synthetic expectations come from the hand-drawn city in tests/support/geo_city.py (A | B split at
lon -122.37; beats X1 | Y1 and precincts P1 | P2 along the same line). Real ones are rows of the
real crime and fire samples whose neighborhoods were looked up by hand from their addresses.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl.geo import GeoError, assign_areas, load_boundaries
from settings import Settings
from tests.support.geo_city import LAYERS_YAML, write_city

EVENTS = [
    # key, lat, lon, precinct, sector, beat, mcpp
    ("e1", 47.61, -122.39, None, None, "Y1", None),      # in A; its beat code disagrees: the point wins
    ("e2", 47.61, -122.365, None, None, None, None),     # in B
    ("e3", None, None, None, None, "y1 ", None),         # no point: beat Y1 -> sector Y -> precinct P2
    ("e4", None, None, None, "X", None, None),           # sector only
    ("e5", None, None, None, None, None, "OLD A"),       # an alias of neighborhood A
    ("e6", None, None, "-", None, "ZZ", None),           # codes that name no area
    ("e7", 47.70, -122.39, None, None, "X1", None),      # outside every polygon, but has a beat
    ("e8", 47.61, -122.37, None, None, None, None),      # exactly on the A|B border
    ("e9", 47.61, -122.365, None, None, None, None),     # same point as e2
    ("e10", 47.61, -122.365, None, None, None, None),
    ("e11", None, None, "P2", None, "X1", None),         # own precinct code beats the beat's roll-up
]

EXPECTED = {  # key: (precinct, sector, beat, hood, tract)
    "e1": ("P1", "X", "X1", "A", "53033000100"),
    "e2": ("P2", "Y", "Y1", "B", "53033000200"),
    "e3": ("P2", "Y", "Y1", "UNKNOWN", "UNKNOWN"),
    "e4": ("P1", "X", "UNKNOWN", "UNKNOWN", "UNKNOWN"),
    "e5": ("P1", "UNKNOWN", "UNKNOWN", "A", "UNKNOWN"),
    "e6": ("UNKNOWN", "UNKNOWN", "UNKNOWN", "UNKNOWN", "UNKNOWN"),
    "e7": ("P1", "X", "X1", "UNKNOWN", "UNKNOWN"),
    "e8": ("P1", "X", "X1", "A", "53033000200"),
    "e9": ("P2", "Y", "Y1", "B", "53033000200"),
    "e10": ("P2", "Y", "Y1", "B", "53033000200"),
    "e11": ("P2", "X", "X1", "UNKNOWN", "UNKNOWN"),
}


def make_events(con, table="crime", rows=EVENTS, coordinates=True):
    coords = "latitude DOUBLE, longitude DOUBLE, " if coordinates else ""
    con.execute(f"CREATE TABLE {table} (event_key VARCHAR PRIMARY KEY, event_time TIMESTAMP, {coords}"
                "precinct VARCHAR, sector VARCHAR, beat VARCHAR, mcpp VARCHAR)")
    for key, lat, lon, *codes in rows:
        values = [key, "2024-01-01 10:00"] + ([lat, lon] if coordinates else []) + list(codes)
        con.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(values))})", values)


def areas_of(con, table="crime"):
    rows = con.execute(f"SELECT event_key, area_precinct, area_sector, area_beat, area_hood, area_tract "
                       f"FROM {table} ORDER BY event_key").fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def test_loading_boundaries_assigns_existing_events_by_point_then_codes_then_unknown(tmp_path):
    settings = write_city(tmp_path, population=False)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    make_events(con)
    summary = load_boundaries(con, settings, tmp_path / "boundaries", None)
    assert areas_of(con) == EXPECTED
    result = summary.assigned[0]
    assert (result.table, result.rows, result.distinct_points) == ("crime", 11, 4)  # e2, e9, e10 share a point
    assert result.unknown["hood"] == 5 and result.unknown["precinct"] == 1
    assert con.execute("SELECT count(*) FROM crime").fetchall() == [(11,)]        # nothing dropped


def test_events_loaded_after_the_boundaries_are_assigned_by_assign_areas(tmp_path):
    settings = write_city(tmp_path, population=False)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_boundaries(con, settings, tmp_path / "boundaries", None)
    make_events(con, "calls")
    result = assign_areas(con, "calls", settings)
    assert areas_of(con, "calls") == EXPECTED
    assert result.unknown == {"precinct": 1, "sector": 2, "beat": 3, "hood": 5, "tract": 6}
    # run again (a later load): same answer, columns not duplicated
    assign_areas(con, "calls", settings)
    assert areas_of(con, "calls") == EXPECTED
    cols = [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                      "WHERE table_name = 'calls' AND column_name LIKE 'area_%'").fetchall()]
    assert sorted(cols) == ["area_beat", "area_hood", "area_precinct", "area_sector", "area_tract"]


def test_a_table_without_coordinates_uses_its_codes(tmp_path):
    settings = write_city(tmp_path, population=False)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_boundaries(con, settings, tmp_path / "boundaries", None)
    make_events(con, "use_of_force", rows=[("u1", None, None, None, "Y", "", None), ("u2", 47.61, -122.39, None, None, "X1", None)],
                coordinates=False)
    assign_areas(con, "use_of_force")
    assert areas_of(con, "use_of_force") == {
        "u1": ("P2", "Y", "UNKNOWN", "UNKNOWN", "UNKNOWN"),
        "u2": ("P1", "X", "X1", "UNKNOWN", "UNKNOWN"),
    }


def test_a_layer_dropped_from_layers_yaml_loses_its_column(tmp_path):
    settings = write_city(tmp_path, population=False)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    make_events(con)
    load_boundaries(con, settings, tmp_path / "boundaries", None)
    without_tracts = LAYERS_YAML.split("  tract:")[0] + "population:" + LAYERS_YAML.split("population:")[1]
    without_tracts = without_tracts.replace("layer: tract", "layer: hood")
    settings = write_city(tmp_path, population=False, layers_yaml=without_tracts)
    load_boundaries(con, settings, tmp_path / "boundaries", None)
    cols = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'crime'").fetchall()}
    assert "area_tract" not in cols and "area_hood" in cols
    assert con.execute("SELECT area_hood FROM crime WHERE event_key = 'e2'").fetchall() == [("B",)]


def test_assign_areas_refuses_a_table_that_does_not_exist(tmp_path):
    settings = write_city(tmp_path, population=False)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_boundaries(con, settings, tmp_path / "boundaries", None)
    with pytest.raises(GeoError, match="no table 'crime; DROP TABLE areas'"):
        assign_areas(con, "crime; DROP TABLE areas")
    assert con.execute("SELECT count(*) FROM areas").fetchall()[0][0] == 10


# ---------------------------------------------------------------- real Seattle events
CRIME = Path("crime") / "spd_crime_data_2008-present__2021-09_robbery_only.csv"
FIRE = Path("fire_911") / "seattle_real_time_fire_911_calls__2022-01.csv"

# Offense ID -> (block address as published, MCPP, beat, CRA) expected from the address on a map.
CRIME_ROWS = {
    "12049336029": ("15XX BLOCK OF NW 90TH ST", "BALLARD NORTH", "J1", "10.1"),
    "22899654015": ("E HOWELL ST / BROADWAY", "CAPITOL HILL", "E2", "6.2"),
    "27156078720": ("43XX BLOCK OF 15TH AVE NE", "UNIVERSITY", "U2", "7.2"),
    "14893642377": ("64XX BLOCK OF SW WILTON CT", "ALKI", "W1", "1.4"),
    "11133486699": ("91XX BLOCK OF RAINIER AVE S", "RAINIER BEACH", "S3", "4.1"),
    "11859878996": ("2ND AVE / SENECA ST", "DOWNTOWN COMMERCIAL", "K1", "13.2"),
    "13174466589": ("56XX BLOCK OF 4TH AVE S", "GEORGETOWN", "O2", "3.2"),
    "27002519932": ("19XX BLOCK OF QUEEN ANNE AVE N", "QUEEN ANNE", "Q2", "12.3"),
    "7636808838": ("7XX BLOCK OF S CLOVERDALE ST", "SOUTH PARK", "F3", "3.1"),
    "8300609458": ("39XX BLOCK OF GREENWOOD AVE N", "FREMONT", "B2", "11.1"),
}
# Rows published with Longitude/Latitude 0 (no point): their own codes place them.
CRIME_NO_POINT = {
    "12172747209": ("W", "M", "M2", "DOWNTOWN COMMERCIAL"),
    "11809597889": ("W", "99", "99", "UNKNOWN"),   # MCPP 'UNKNOWN' in the source
}
FIRE_ROWS = {
    "F220002953": "UNIVERSITY",            # 4748 University Way NE
    "F220000301": "DOWNTOWN COMMERCIAL",   # 1514 Pike Pl (Pike Place Market)
    "F220012962": "CAPITOL HILL",          # 201 Broadway E
    "F220011717": "UNKNOWN",               # EB I-90 at Island Crest Way: Mercer Island, not Seattle
    "B220011768": "UNKNOWN",               # 1826 N 149th St: Shoreline, north of the city limit
}


@pytest.fixture(scope="module")
def seattle_events(seattle_data, tmp_path_factory):
    """Real crime and fire rows in the canonical event shape (docs/SCHEMA.md), then `etl geo`."""
    con = duckdb.connect(str(tmp_path_factory.mktemp("assign") / "w.duckdb"))
    keys = list(CRIME_ROWS) + list(CRIME_NO_POINT)
    con.execute(f"""CREATE TABLE crime AS SELECT "Offense ID" AS event_key, now()::TIMESTAMP AS event_time,
        nullif(Precinct, 'UNKNOWN') AS precinct, nullif(Sector, 'UNKNOWN') AS sector,
        nullif(Beat, 'UNKNOWN') AS beat, nullif(MCPP, 'UNKNOWN') AS mcpp,
        nullif(Latitude::DOUBLE, 0) AS latitude, nullif(Longitude::DOUBLE, 0) AS longitude
        FROM read_csv(?, all_varchar = true) WHERE "Offense ID" IN ({', '.join('?' * len(keys))})""",
                [str(seattle_data / CRIME)] + keys)
    con.execute(f"""CREATE TABLE fire_calls AS SELECT "Incident Number" AS event_key, now()::TIMESTAMP AS event_time,
        Latitude::DOUBLE AS latitude, Longitude::DOUBLE AS longitude
        FROM read_csv(?, all_varchar = true) WHERE "Incident Number" IN ({', '.join('?' * len(FIRE_ROWS))})""",
                [str(seattle_data / FIRE)] + list(FIRE_ROWS))
    load_boundaries(con, Settings(), seattle_data / "boundaries", None)
    yield con
    con.close()


@pytest.mark.real_data
def test_real_crime_rows_land_in_the_neighborhood_of_their_address(seattle_events):
    got = {r[0]: r[1:] for r in seattle_events.execute(
        "SELECT event_key, area_mcpp, area_beat, area_cra FROM crime").fetchall()}
    for key, (_address, mcpp, beat, cra) in CRIME_ROWS.items():
        assert got[key] == (mcpp, beat, cra), key


@pytest.mark.real_data
def test_real_crime_rows_without_a_point_keep_their_own_codes(seattle_events):
    got = {r[0]: r[1:] for r in seattle_events.execute(
        "SELECT event_key, area_precinct, area_sector, area_beat, area_mcpp, area_cra FROM crime").fetchall()}
    for key, expected in CRIME_NO_POINT.items():
        assert got[key] == expected + ("UNKNOWN",), key


@pytest.mark.real_data
def test_real_fire_calls_land_in_their_neighborhood_or_the_unknown_bucket(seattle_events):
    got = dict(seattle_events.execute("SELECT event_key, area_mcpp FROM fire_calls").fetchall())
    assert got == FIRE_ROWS


def test_after_a_load_only_rows_without_areas_are_assigned(tmp_path):
    settings = write_city(tmp_path, population=False)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    make_events(con)
    load_boundaries(con, settings, tmp_path / "boundaries", None)
    con.execute("UPDATE crime SET area_hood = 'KEPT' WHERE event_key = 'e4'")  # stands for an earlier answer
    con.execute("INSERT INTO crime (event_key, event_time, latitude, longitude, beat) "
                "VALUES ('n1', '2024-02-01', 47.605, -122.395, NULL), ('n2', '2024-02-01', NULL, NULL, 'Y1')")
    result = assign_areas(con, "crime", settings)
    got = areas_of(con)
    assert got["n1"] == ("P1", "X", "X1", "A", "53033000100")
    assert got["n2"] == ("P2", "Y", "Y1", "UNKNOWN", "UNKNOWN")
    assert got["e4"][3] == "KEPT" and result.distinct_points == 1
    assign_areas(con, "crime", reassign=True)   # what `python -m etl geo` does: everything afresh
    assert areas_of(con)["e4"] == EXPECTED["e4"]


def test_big_tables_are_updated_in_row_batches_with_the_same_answer(tmp_path, monkeypatch):
    import etl.geo

    monkeypatch.setattr(etl.geo, "ROW_BATCH", 2)  # 11 rows -> 6 UPDATEs of each kind
    settings = write_city(tmp_path, population=False)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    make_events(con)
    con.execute("DELETE FROM crime WHERE event_key = 'e5'")  # a gap in the row ids
    load_boundaries(con, settings, tmp_path / "boundaries", None)
    assert areas_of(con) == {k: v for k, v in EXPECTED.items() if k != "e5"}
