"""Every real Seattle sample loads with exact row accounting and the canonical values a user sees.

Expected values were read off the CSV files by hand (line numbers are the file's physical
lines; record n = line n+1 for files without multi-line records).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from settings import Settings

pytestmark = pytest.mark.real_data

FILES = {
    "crime": ["crime/spd_crime_data_2008-present__2021-09_robbery_only.csv"],
    "calls": ["calls_911/call_data__2024-05_east_sector_c.csv",
              "calls_911/seattle_police_department_911_incident_response__2016-03-25.csv"],
    "use_of_force": ["use_of_force/use_of_force__2022-04.csv"],
    "terry_stops": ["terry_stops/terry_stops__2023-11.csv"],
    "ois": ["ois/spd_officer_involved_shooting__data-thru-2019-07.csv"],
    "fire_calls": ["fire_911/seattle_real_time_fire_911_calls__2022-01.csv"],
}


@pytest.fixture(scope="module")
def loaded(seattle_data, tmp_path_factory):
    from etl.load import load_many

    db = tmp_path_factory.mktemp("wh") / "real.duckdb"
    batch = {ds: [seattle_data / f for f in files] for ds, files in FILES.items()}
    results = load_many(batch, db, Settings(), progress=False)
    return db, {r.file: r for r in results}


def q(db: Path, sql: str, params=None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def row(db, table, key, columns):
    got = q(db, f"SELECT {', '.join(columns)} FROM {table} WHERE event_key = ?", [key])
    assert len(got) == 1, f"{table} {key}: {len(got)} rows"
    return dict(zip(columns, got[0]))


@pytest.mark.parametrize("file, vintage, read, loaded_, rejected, duplicate", [
    ("spd_crime_data_2008-present__2021-09_robbery_only.csv", "2021", 20000, 20000, 0, 0),
    ("call_data__2024-05_east_sector_c.csv", "call-data", 275, 275, 0, 0),
    ("seattle_police_department_911_incident_response__2016-03-25.csv", "incident-response", 706, 706, 0, 0),
    ("use_of_force__2022-04.csv", "uof", 14095, 14095, 0, 0),
    # 7 Terry Stop IDs appear twice (one row per weapon, e.g. 51931017728 on lines 2214 and 8216)
    ("terry_stops__2023-11.csv", "terry", 20000, 19993, 0, 7),
    # 3 pairs of identical officer rows (records 30 / 32, 64 / 65, 109 / 110): one officer each (etl/sources/ois.py)
    ("spd_officer_involved_shooting__data-thru-2019-07.csv", "ois", 156, 153, 0, 3),
    ("seattle_real_time_fire_911_calls__2022-01.csv", "fire", 9873, 9873, 0, 0),
])
def test_every_real_file_loads_with_exact_accounting(loaded, file, vintage, read, loaded_, rejected, duplicate):
    db, results = loaded
    r = results[file]
    assert (r.vintage, r.rows_read, r.rows_loaded, r.rows_rejected, r.rows_duplicate) == \
        (vintage, read, loaded_, rejected, duplicate)
    log = q(db, "SELECT vintage, rows_read, rows_loaded, rows_rejected, rows_duplicate FROM load_log WHERE file = ?", [file])
    assert log == [(vintage, read, loaded_, rejected, duplicate)]


def test_table_row_counts_match_the_log(loaded):
    db, _ = loaded
    assert q(db, "SELECT count(*) FROM crime") == [(20000,)]
    assert q(db, "SELECT count(*) FROM calls") == [(275 + 706,)]
    assert q(db, "SELECT count(*) FROM terry_stops") == [(19993,)]
    assert q(db, "SELECT count(*) FROM fire_calls") == [(9873,)]


def test_crime_rows(loaded):
    db, _ = loaded
    # line 4: 2020-042846,12603653571,02/04/2020 12:00:00 AM,,02/04/2020 03:10:55 AM,A,PROPERTY,ROBBERY,
    #         Robbery,120,E,E,E2,CAPITOL HILL,12XX BLOCK OF E HOWELL ST,-122.316238574,47.61760538
    got = row(db, "crime", "12603653571", ["event_time", "offense_end", "reported_at", "category", "precinct",
                                            "sector", "beat", "mcpp", "block_address", "latitude", "longitude",
                                            "offense_code", "source_row", "vintage"])
    assert got == {"event_time": dt.datetime(2020, 2, 4, 0, 0), "offense_end": None,
                   "reported_at": dt.datetime(2020, 2, 4, 3, 10, 55), "category": "ROBBERY", "precinct": "E",
                   "sector": "E", "beat": "E2", "mcpp": "CAPITOL HILL", "block_address": "12XX BLOCK OF E HOWELL ST",
                   "latitude": 47.61760538, "longitude": -122.316238574, "offense_code": "120",
                   "source_row": 3, "vintage": "2021"}
    # line 927: UNKNOWN precinct/sector/beat/MCPP, empty address, coordinates 0,0
    got = row(db, "crime", "7670349655", ["precinct", "sector", "beat", "mcpp", "latitude", "longitude"])
    assert got == {"precinct": None, "sector": None, "beat": None, "mcpp": None, "latitude": None, "longitude": None}
    # an empty Offense Start DateTime: event_time falls back to Report DateTime (10/25/2019 10:04:08 PM)
    assert row(db, "crime", "11394955016", ["event_time"])["event_time"] == dt.datetime(2019, 10, 25, 22, 4, 8)
    # README: 697 rows with 0 / 0 coordinates; all become NULL and are counted
    assert q(db, "SELECT count(*) FROM crime WHERE latitude IS NULL") == [(697,)]
    assert q(db, "SELECT value FROM quality_checks WHERE dataset='crime' AND \"check\"='coords_zero'") == [(697.0,)]


def test_calls_rows(loaded):
    db, _ = loaded
    # line 3: 2014000063173, priority 3, final '--THEFT - CAR PROWL', queued 09:14:05, arrived 09:36:59
    got = row(db, "calls", "2014000063173", ["event_time", "category", "priority", "precinct", "sector", "beat",
                                               "response_seconds", "call_type"])
    assert got == {"event_time": dt.datetime(2014, 2, 28, 9, 14, 5), "category": "THEFT - CAR PROWL", "priority": 3,
                   "precinct": "E", "sector": "C", "beat": "C2", "response_seconds": 22 * 60 + 54, "call_type": "911"}
    # retired 911 Incident Response, line 4: District/Sector D, Zone/Beat D2, no precinct column -> W
    got = row(db, "calls", "16000104108", ["event_time", "category", "precinct", "sector", "beat", "arrived_at",
                                             "latitude", "vintage"])
    assert got == {"event_time": dt.datetime(2016, 3, 25, 23, 54, 19), "category": "TRESPASS", "precinct": "W",
                   "sector": "D", "beat": "D2", "arrived_at": None, "latitude": 47.614216,
                   "vintage": "incident-response"}


def test_use_of_force_rows(loaded):
    db, _ = loaded
    cols = ["event_time", "category", "precinct", "sector", "beat", "subject_race", "subject_race_raw",
            "subject_gender"]
    # line 33: 2014UOF-0033-1258-365,409,Level 1 - Use of Force,07/04/2014 10:20:00 PM,Southwest,FRANK,F2,...
    assert row(db, "use_of_force", "2014UOF-0033-1258-365", cols) == {
        "event_time": dt.datetime(2014, 7, 4, 22, 20), "category": "Level 1 - Use of Force", "precinct": "SW",
        "sector": "F", "beat": "F2", "subject_race": "Black", "subject_race_raw": "Black or African American",
        "subject_gender": "Male"}
    # line 7: Not Specified race
    got = row(db, "use_of_force", "2014UOF-0006-1216-178", ["precinct", "sector", "subject_race", "subject_race_raw"])
    assert got == {"precinct": "W", "sector": "K", "subject_race": "Unknown", "subject_race_raw": "Not Specified"}
    # line 12459: OOJ precinct, empty sector, beat 0 -> all unknown
    got = row(db, "use_of_force", "2020UOF-1653-2622-23737", ["precinct", "sector", "beat"])
    assert got == {"precinct": None, "sector": None, "beat": None}


def test_terry_stop_rows(loaded):
    db, _ = loaded
    # line 4: 26 - 35,34167590692,...,34169190117,Arrest,-,8869,1990,M,White,Black or African American,Male,
    #         2022-06-08T00:00:00Z,07:16:15.0000000,...,Y,Y,South,S,S3
    cols = ["event_time", "category", "stop_resolution_raw", "weapon_type", "officer_yob", "officer_gender",
            "officer_race", "subject_race", "subject_gender", "subject_age_group", "arrest_flag", "frisk_flag",
            "precinct", "sector", "beat"]
    assert row(db, "terry_stops", "34169190117", cols) == {
        "event_time": dt.datetime(2022, 6, 8, 7, 16, 15), "category": "Arrest", "stop_resolution_raw": "Arrest",
        "weapon_type": None, "officer_yob": 1990, "officer_gender": "Male", "officer_race": "White",
        "subject_race": "Black", "subject_gender": "Male", "subject_age_group": "26 - 35", "arrest_flag": True,
        "frisk_flag": True, "precinct": "S", "sector": "S", "beat": "S3"}
    # the duplicate key keeps its first row (line 2214, weapon Blunt Object) and drops line 8216 (Firearm)
    got = row(db, "terry_stops", "51931017728", ["weapon_type", "subject_race", "subject_race_raw", "source_row"])
    assert got == {"weapon_type": "Blunt Object/Striking Implement", "subject_race": "Unknown",
                   "subject_race_raw": "DUPLICATE", "source_row": 2213}
    assert q(db, "SELECT value FROM quality_checks WHERE dataset='terry_stops' AND \"check\"='duplicate_keys'") == [(7.0,)]


def test_ois_rows(loaded):
    db, _ = loaded
    got = row(db, "ois", "FRB 05-05|20050000286240|1",
              ["event_time", "category", "subject_race", "officer_race", "number_of_rounds", "subject_age", "fatal"])
    assert got == {"event_time": dt.datetime(2005, 7, 8, 13, 48), "category": "Non-fatal", "subject_race": "Black",
                   "officer_race": "White", "number_of_rounds": 1, "subject_age": 48, "fatal": False}
    # FRB # empty: the key still identifies the officer row
    got = row(db, "ois", "|20140000021878|1", ["officer_race", "officer_race_raw", "category"])
    assert got == {"officer_race": "Asian", "officer_race_raw": "Asian/Pacific Islander", "category": "Fatal"}
    # multi-line Summary survives intact
    (summary,), = q(db, "SELECT summary FROM ois WHERE event_key = 'FRB 05-05|20050000286240|1'")
    assert summary.startswith("On July 8th, 2005") and summary.endswith("charged with Burglary and Assault.")


def test_fire_rows(loaded):
    db, _ = loaded
    got = row(db, "fire_calls", "F220009060", ["event_time", "category", "address", "latitude", "longitude"])
    assert got == {"event_time": dt.datetime(2022, 1, 21, 13, 43), "category": "Aid Response",
                   "address": "5300 24th Ave Ne", "latitude": 47.66707, "longitude": -122.301946}
    # line 1807: Unk address and no location at all
    got = row(db, "fire_calls", "F220011356", ["address", "latitude", "category"])
    assert got == {"address": None, "latitude": None, "category": "Referral To Agency"}
    # 26 rows without a location + 2 outside the city box (47.743826 on 15739 Meridian Ave N is north of
    # max_lat 47.74; B220002075 / V220002441 at 47.314128,-122.005047 is far south-east)
    assert q(db, "SELECT count(*) FROM fire_calls WHERE latitude IS NULL") == [(28,)]
    assert q(db, "SELECT event_key FROM fire_calls WHERE event_key IN ('B220002075', 'V220002441') "
                 "AND latitude IS NULL ORDER BY 1") == [("B220002075",), ("V220002441",)]
    assert q(db, "SELECT value FROM quality_checks WHERE dataset='fire_calls' AND \"check\"='coords_outside_city'") \
        == [(2.0,)]


def test_precincts_spelled_one_way_across_datasets(loaded):
    db, _ = loaded
    for table in ("crime", "calls", "use_of_force", "terry_stops"):
        got = {p for (p,) in q(db, f"SELECT DISTINCT precinct FROM {table}")}
        assert got <= {"N", "E", "S", "SW", "W", None}, (table, got)
