"""Every file a city's users hold, loaded through `python -m etl load` as a user runs it.

For every dataset: the Socrata API's JSON and GeoJSON, a column-subset CSV export, a spreadsheet
re-save of it (tabs, CR-only lines, BOM, M/D/YY), and the older schemas (Terry Stops of
2015-2017, the retired "Crime Data", 911 Incident Response as API GeoJSON). Each file is made
here (tests/support/published.py); each load is checked for exact row accounting and for the event
keys, times and categories a measure counts, which must be the same whatever the format.
A key a spreadsheet mangled into scientific notation, or left empty, does not lose the event.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import published as P
from tests.support.etl_files import query, write

ROOT = Path(__file__).resolve().parents[1]
DATASETS = list(P.SPECS)


def etl(*args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEASTAT_")}
    return subprocess.run([sys.executable, "-m", "etl", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def load(dataset: str, path: Path, db: Path) -> str:
    p = etl("load", dataset, path, "--db", db)
    assert p.returncode == 0, p.stderr
    return p.stdout


def status(db: Path) -> list[dict]:
    p = etl("status", "--json", "--db", db)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def rows(db: Path, dataset: str) -> list[tuple]:
    return query(db, f"SELECT event_key, event_time, category FROM {dataset} ORDER BY source_row")


WRITERS = {"api.json": P.api_json, "api.geojson": P.api_geojson}


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("kind", list(WRITERS))
def test_socrata_api_json_and_geojson_load_by_content(tmp_path, dataset, kind):
    spec = P.SPECS[dataset]
    # the extension says nothing: the content decides (a download saved as .txt still loads)
    path = WRITERS[kind](spec, tmp_path / f"{dataset}_{kind.replace('.', '_')}.txt")
    db = tmp_path / "wh.duckdb"
    out = load(dataset, path, db)
    n = len(spec.records)
    fmt = kind.split(".")[1]
    assert f"({fmt}): read {n}, loaded {n}, rejected 0, duplicate 0" in out
    assert rows(db, dataset) == spec.expected
    (entry,) = status(db)
    assert (entry["format"], entry["rows_read"], entry["rows_loaded"], entry["rows_derived_key"]) == (fmt, n, n, 0)


def test_json_lines_and_a_bad_json_file(tmp_path):
    spec = P.SPECS["fire_calls"]
    path = tmp_path / "fire.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in spec.records) + "\n")
    db = tmp_path / "wh.duckdb"
    assert "fire_calls vintage fire (ndjson): read 3, loaded 3, rejected 0, duplicate 0" in load("fire_calls", path, db)
    assert rows(db, "fire_calls") == spec.expected
    bad = tmp_path / "cut.json"
    bad.write_text(json.dumps(spec.records)[:-40])  # a download cut short
    p = etl("load", "fire_calls", bad, "--db", db)
    assert p.returncode == 1
    (line,) = p.stderr.strip().splitlines()
    assert line.startswith(f"error: {bad}: not valid JSON (")


def test_geojson_geometry_gives_the_location(tmp_path):
    spec = P.SPECS["fire_calls"]
    db = tmp_path / "wh.duckdb"
    load("fire_calls", P.api_geojson(spec, tmp_path / "fire.geojson"), db)
    assert query(db, "SELECT event_key, latitude, longitude, address FROM fire_calls ORDER BY 1") == [
        ("F190056035", 47.608766, -122.336894, "1402 3rd Av"), ("F190056036", 47.606176, -122.310249, "500 17th Av"),
        ("F190056037", None, None, None)]


@pytest.mark.parametrize("dataset", DATASETS)
def test_column_subset_export_loads_and_names_what_is_absent(tmp_path, dataset):
    spec = P.SPECS[dataset]
    db = tmp_path / "wh.duckdb"
    out = load(dataset, P.subset_csv(spec, tmp_path / "subset.csv"), db)
    n = len(spec.records)
    assert f"read {n}, loaded {n}, rejected 0, duplicate 0; absent columns: " in out
    assert rows(db, dataset) == spec.expected
    (entry,) = status(db)
    present = {spec.display[f] for f in spec.subset}
    assert entry["absent_columns"] and not present & set(entry["absent_columns"])
    assert ", ".join(entry["absent_columns"]) in out


@pytest.mark.parametrize("dataset", DATASETS)
def test_a_subset_after_the_full_export_does_not_blank_what_it_lacks(tmp_path, dataset):
    """A column the subset lacks is unknown, not a revision to empty: the same events count as duplicates."""
    spec = P.SPECS[dataset]
    db = tmp_path / "wh.duckdb"
    load(dataset, P.api_json(spec, tmp_path / "full.json"), db)
    before = query(db, f"SELECT * EXCLUDE (source_file, source_row, vintage) FROM {dataset} ORDER BY event_key")
    n = len(spec.records)
    assert f"read {n}, loaded 0, rejected 0, duplicate {n}" in load(dataset, P.subset_csv(spec, tmp_path / "s.csv"), db)
    assert query(db, f"SELECT * EXCLUDE (source_file, source_row, vintage) FROM {dataset} ORDER BY event_key") == before


def test_the_eight_column_crime_export_of_the_issue(tmp_path):
    """Report Number, Report DateTime, Offense ID, Offense Date, Neighborhood, Reporting Area,
    Offense Category, Sector: counts by neighborhood, category and day need nothing else."""
    path = write(tmp_path / "crime8.csv", [
        "Report Number,Report DateTime,Offense ID,Offense Date,Neighborhood,Reporting Area,Offense Category,Sector",
        "2025-000001,2025 Dec 01 09:15:21 PM,61000000001,2025 Dec 01 08:00:00 PM,CAPITOL HILL,E012,PROPERTY CRIME,E",
        "2025-000002,2025 Dec 02 01:00:00 AM,61000000002,,BALLARD NORTH,B021,VIOLENT CRIME,B",
    ])
    db = tmp_path / "wh.duckdb"
    out = load("crime", path, db)
    assert ("crime8.csv: crime vintage 2025: read 2, loaded 2, rejected 0, duplicate 0; absent columns: NIBRS Group AB, "
            "NIBRS Crime Against Category, Offense Sub Category, Shooting Type Group, Block Address, Latitude, "
            "Longitude, Beat, Precinct, NIBRS Offense Code Description, NIBRS_offense_code") in out
    assert query(db, "SELECT event_key, event_time, category, mcpp, sector, precinct, beat FROM crime ORDER BY 1") == [
        ("61000000001", dt.datetime(2025, 12, 1, 20, 0), "PROPERTY CRIME", "CAPITOL HILL", "E", "E", None),
        ("61000000002", dt.datetime(2025, 12, 2, 1, 0), "VIOLENT CRIME", "BALLARD NORTH", "B", "N", None)]


def test_a_file_without_an_event_date_is_refused_in_one_line(tmp_path):
    path = write(tmp_path / "nodate.csv", ["Report Number,Offense ID,Neighborhood,Offense Category",
                                           "2025-1,61000000001,CAPITOL HILL,PROPERTY CRIME"])
    db = tmp_path / "wh.duckdb"
    p = etl("load", "crime", path, "--db", db)
    assert p.returncode == 1 and not db.exists()
    (line,) = p.stderr.strip().splitlines()
    assert line.startswith(f"error: {path}: unrecognised header for crime: missing column(s) for an event date "
                           "(one of Offense Start DateTime, Report DateTime, Offense Date, Occurred Date, Reported Date, "
                           "Occurred Date or Date Range Start, Date Reported); the file has Report Number, Offense ID, "
                           "Neighborhood, Offense Category")


@pytest.mark.parametrize("dataset", DATASETS)
def test_spreadsheet_resave_tabs_cr_bom_and_short_dates(tmp_path, dataset):
    spec = P.SPECS[dataset]
    db = tmp_path / "wh.duckdb"
    out = load(dataset, P.spreadsheet_resave(spec, tmp_path / "resaved.csv"), db)
    n = len(spec.records)
    assert f"read {n}, loaded {n}, rejected 0, duplicate 0" in out
    # M/D/YY H:MM keeps the minute, not the second (Terry's separate Reported Time keeps it)
    assert rows(db, dataset) == [(k, t.replace(second=0) if spec.timestamps else t, c) for k, t, c in spec.expected]


def test_terry_stops_of_2015_to_2017(tmp_path):
    """The early export: no Subject ID, Reported Time, call types, squad or flags; dates as the
    portal wrote them then (`2015-03-20T00:00:00`)."""
    path = write(tmp_path / "Terry_Stops_2017.csv", [
        "Subject Age Group,GO / SC Num,Terry Stop ID,Stop Resolution,Weapon Type,Officer ID,Officer YOB,"
        "Officer Gender,Officer Race,Subject Perceived Race,Subject Perceived Gender,Reported Date,Precinct,Sector,Beat",
        "18 - 25,20150000001234,12345,Citation/Infraction,None,1234,1980,M,White,Hispanic,Male,2015-03-20T00:00:00,"
        "North,B,B2",
        "26 - 35,20160000004321,22345,Field Contact,None,2234,1975,F,Black,White,Female,2016-07-01T00:00:00,East,C,C1",
        "36 - 45,20170000009876,32345,Arrest,Knife,3234,1982,M,Asian,Black,Male,2017-12-31T00:00:00,South,R,R2",
    ])
    db = tmp_path / "wh.duckdb"
    out = load("terry_stops", path, db)
    assert "Terry_Stops_2017.csv: terry_stops vintage terry-early: read 3, loaded 3, rejected 0, duplicate 0\n" in out
    assert query(db, "SELECT event_key, event_time, category, subject_race, precinct FROM terry_stops ORDER BY 1") == [
        ("12345", dt.datetime(2015, 3, 20), "Citation / Infraction", "Hispanic", "N"),
        ("22345", dt.datetime(2016, 7, 1), "Field Contact", "White", "E"),
        ("32345", dt.datetime(2017, 12, 31), "Arrest", "Black", "S")]
    assert status(db)[0]["absent_columns"] == []


def test_terry_stops_from_the_early_api_with_squashed_names(tmp_path):
    """The API of 2016-2017 spelled some fields without underscores (`subjectrace`, `subjectgender`)."""
    path = tmp_path / "28ny-9ts8.json"
    path.write_text(json.dumps([
        {"terry_stop_id": "127819", "stop_resolution": "Field Contact", "reported_date": "2016-02-11T00:00:00.000",
         "reported_time": "05:53:00.0000000", "subjectrace": "Black", "subjectgender": "Male", "sector": "K",
         "subjectagegroup": "36 - 45"},
        {"terry_stop_id": "59866", "stop_resolution": "Offense Report", "reported_date": "2015-07-03T00:00:00.000",
         "subjectrace": "White", "subjectgender": "Female", "sector": "-"},
    ]))
    db = tmp_path / "wh.duckdb"
    assert "(json): read 2, loaded 2, rejected 0, duplicate 0" in load("terry_stops", path, db)
    assert query(db, "SELECT event_key, event_time, category, subject_race, subject_gender, subject_age_group, precinct "
                     "FROM terry_stops ORDER BY 1") == [
        ("127819", dt.datetime(2016, 2, 11, 5, 53), "Field Contact", "Black", "Male", "36 - 45", "W"),
        ("59866", dt.datetime(2015, 7, 3), "Offense Report", "White", "Female", "Unknown", None)]


def test_911_incident_response_as_api_geojson(tmp_path):
    """The retired dataset from the API: snake_case, string values, ms timestamps, nulls, and the
    Incident Location as the feature's geometry."""
    feats = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-122.32245, 47.598347]},
         "properties": {"cad_cdw_id": "1701856", "cad_event_number": "16000104006", "event_clearance_code": "063",
                        "event_clearance_description": "THEFT - CAR PROWL", "event_clearance_group": "CAR PROWL",
                        "event_clearance_date": "2016-03-25T23:58:30.000", "hundred_block_location": "S KING ST / 8 AV S",
                        "district_sector": "K", "zone_beat": "K3", "census_tract": "9100.1019",
                        "initial_type_description": "THEFT (DOES NOT INCLUDE SHOPLIFT OR SVCS)",
                        "initial_type_group": "THEFT", "at_scene_time": None}},
        {"type": "Feature", "geometry": None,
         "properties": {"cad_cdw_id": "1701857", "cad_event_number": "16000104108", "event_clearance_code": "245",
                        "event_clearance_description": "TRESPASS", "event_clearance_group": "TRESPASS",
                        "event_clearance_date": "2016-03-25T23:54:19.000", "hundred_block_location": None,
                        "district_sector": "D", "zone_beat": "D2", "census_tract": None,
                        "initial_type_description": "TRESPASS", "initial_type_group": "TRESPASS",
                        "at_scene_time": "2016-03-25T23:40:00.000"}},
    ]
    path = tmp_path / "Seattle_Police_Department_911_Incident_Response.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    db = tmp_path / "wh.duckdb"
    out = load("calls", path, db)
    assert "vintage incident-response (geojson): read 2, loaded 2, rejected 0, duplicate 0" in out
    assert query(db, "SELECT event_key, event_time, category, precinct, sector, beat, latitude, arrived_at "
                     "FROM calls ORDER BY 1") == [
        ("16000104006", dt.datetime(2016, 3, 25, 23, 58, 30), "THEFT (DOES NOT INCLUDE SHOPLIFT OR SVCS)", "W", "K",
         "K3", 47.598347, None),
        ("16000104108", dt.datetime(2016, 3, 25, 23, 54, 19), "TRESPASS", "W", "D", "D2", None,
         dt.datetime(2016, 3, 25, 23, 40))]


def test_police_report_incident_the_crime_schema_before_crime_data(tmp_path):
    """7ais-f98f, retired: one row per RMS CDW ID; its time is 'Occurred Date or Date Range Start'."""
    path = write(tmp_path / "Seattle_Police_Department_Police_Report_Incident.csv", [
        "RMS CDW ID,General Offense Number,Offense Code,Offense Code Extension,Offense Type,Summary Offense Code,"
        "Summarized Offense Description,Date Reported,Occurred Date or Date Range Start,Occurred Date Range End,"
        "Hundred Block Location,District/Sector,Zone/Beat,Census Tract 2000,Longitude,Latitude,Location,Month,Year",
        '483839,2015218538,2202,0,BURGLARY-FORCE-RES,2200,BURGLARY,06/28/2015 10:31:00 AM,06/28/2014 10:31:00 AM,'
        '06/28/2015 10:31:00 AM,6XX BLOCK OF NW 74 ST,J,J2,2900.3013,-122.364672,47.682524,'
        '"(47.68252427, -122.364671996)",6,2014',
        '481375,2015210301,2316,0,THEFT-MAIL,2300,MAIL THEFT,06/22/2015 09:22:00 AM,08/31/2014 09:00:00 AM,,'
        '81XX BLOCK OF 11 AV SW,F,F3,11300.5013,0,0,"(47.529232299, -122.349312181)",8,2014',
    ])
    db = tmp_path / "wh.duckdb"
    out = load("crime", path, db)
    assert "crime vintage police-report-incident: read 2, loaded 2, rejected 0, duplicate 0\n" in out
    assert query(db, "SELECT event_key, event_time, reported_at, category, offense, precinct, sector, beat, latitude, "
                     "general_offense_number FROM crime ORDER BY 1") == [
        ("RMS:481375", dt.datetime(2014, 8, 31, 9, 0), dt.datetime(2015, 6, 22, 9, 22), "MAIL THEFT", "THEFT-MAIL",
         "SW", "F", "F3", 47.529232299, "2015210301"),
        ("RMS:483839", dt.datetime(2014, 6, 28, 10, 31), dt.datetime(2015, 6, 28, 10, 31), "BURGLARY",
         "BURGLARY-FORCE-RES", "N", "J", "J2", 47.68252427, "2015218538")]  # Location is the more precise


# -- damaged keys -------------------------------------------------------------------------------
CRIME_DATA = ("Report Number,Occurred Date,Occurred Time,Reported Date,Reported Time,Crime Subcategory,"
              "Primary Offense Description,Precinct,Sector,Beat,Neighborhood")
HOODS = [("NORTH", "B", "B2", "BALLARD SOUTH"), ("EAST", "C", "C2", "CAPITOL HILL"),
         ("SOUTH", "R", "R3", "RAINIER BEACH"), ("WEST", "K", "K1", "DOWNTOWN COMMERCIAL"),
         ("SOUTHWEST", "W", "W3", "ALKI")]
SUBCATS = [("BURGLARY-RESIDENTIAL", "BURGLARY-FORCE-RES"), ("CAR PROWL", "THEFT-CARPROWL"),
           ("ROBBERY-STREET", "ROBBERY-STREET-BODYFORCE"), ("AGGRAVATED ASSAULT", "ASSLT-AGG-WEAPON")]


def crime_data_rows(n: int, seed: int = 13) -> list[list[str]]:
    """Retired 'Crime Data' records, 2008-2011: report numbers like 20080000123456 (14 digits)."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        day = dt.date(2008, 1, 1) + dt.timedelta(days=rnd.randrange(4 * 365))
        prec, sector, beat, hood = rnd.choice(HOODS)
        sub, desc = rnd.choice(SUBCATS)
        occurred = f"{rnd.randrange(24):02d}{rnd.randrange(60):02d}"
        out.append([f"{day.year}{i:010d}", day.strftime("%m/%d/%Y"), occurred, day.strftime("%m/%d/%Y"),
                    f"{rnd.randrange(24):02d}{rnd.randrange(60):02d}", sub, desc, prec, sector, beat, hood])
    return out


def excel(number: str) -> str:
    """What a spreadsheet writes back for a 14-digit number: 4 significant digits, E+13."""
    return f"{float(number):.3E}".replace("E+", "E+")


MONTH_HOOD = ("SELECT strftime(event_time, '%Y-%m') AS month, mcpp, count(*) FROM crime GROUP BY ALL ORDER BY ALL")


def test_crime_data_whose_report_numbers_a_spreadsheet_mangled(tmp_path):
    records = crime_data_rows(600)
    intact = write(tmp_path / "Crime_Data.csv", [CRIME_DATA, *(",".join(r) for r in records)])
    mangled_rows = []
    for i, r in enumerate(records):
        r = list(r)
        r[0] = "" if i % 50 == 0 else excel(r[0])   # a few left empty, the rest 2.008E+13 and the like
        mangled_rows.append(",".join(r))
    mangled = write(tmp_path / "Crime_Data_resaved.csv", [CRIME_DATA, *mangled_rows])
    assert "E+13" in mangled.read_text()
    db_ok, db_bad = tmp_path / "ok.duckdb", tmp_path / "bad.duckdb"
    load("crime", intact, db_ok)
    out = load("crime", mangled, db_bad)
    assert "Crime_Data_resaved.csv: crime vintage pre-nibrs: read 600, loaded 600, rejected 0, duplicate 0, " \
           "derived keys 600" in out
    (entry,) = status(db_bad)
    assert (entry["rows_rejected"], entry["rows_derived_key"]) == (0, 600)  # <= 5% rejected: none
    assert query(db_ok, MONTH_HOOD) == query(db_bad, MONTH_HOOD)
    assert query(db_bad, "SELECT key_quality, count(*) FROM crime GROUP BY 1") == [("derived", 600)]
    assert query(db_ok, "SELECT key_quality, count(*) FROM crime GROUP BY 1") == [("source", 600)]
    # the same damaged rows again, in another order: every event is already there (content key)
    again = write(tmp_path / "copy.csv", [CRIME_DATA, *reversed(mangled_rows)])  # another checksum
    assert "copy.csv: crime vintage pre-nibrs: read 600, loaded 0, rejected 0, duplicate 600" in load("crime", again, db_bad)


def test_fire_calls_with_empty_incident_numbers(tmp_path):
    header = "Address,Type,Datetime,Latitude,Longitude,Report Location,Incident Number"
    lines = [header,
             "517 3rd Ave,Aid Response,01/21/2022 01:43:00 PM,47.602,-122.331,POINT (-122.331 47.602),F220000001",
             "517 3rd Ave,Aid Response,01/21/2022 01:50:00 PM,47.602,-122.331,POINT (-122.331 47.602),",
             "1 Main St,Medic Response,01/21/2022 02:00:00 PM,,,,",
             "1 Main St,Medic Response,01/21/2022 02:00:00 PM,,,,",      # the same event twice: counted once
             "2 Main St,Aid Response,,,,,",                              # no date: nothing can count it
             ]
    path = write(tmp_path / "fire.csv", lines)
    db = tmp_path / "wh.duckdb"
    out = load("fire_calls", path, db)
    assert "fire.csv: fire_calls vintage fire: read 5, loaded 3, rejected 1, duplicate 1, derived keys 2\n" in out
    assert query(db, "SELECT key_quality, event_time, category FROM fire_calls ORDER BY event_time") == [
        ("source", dt.datetime(2022, 1, 21, 13, 43), "Aid Response"),
        ("derived", dt.datetime(2022, 1, 21, 13, 50), "Aid Response"),
        ("derived", dt.datetime(2022, 1, 21, 14, 0), "Medic Response")]
    assert query(db, "SELECT line, reason FROM rejects") == [(5, "missing date (Datetime)")]
    (entry,) = status(db)
    assert entry["reject_reasons"] == {"missing date (Datetime)": 1}


def test_data_page_shows_each_files_accounting(tmp_path):
    """Per file: rows read, loaded, rejected with the reason, duplicates, derived keys, absent columns."""
    from app import create_app
    from tests.support.pages import find_by_id, render_with_client, texts
    from settings import Settings

    db = tmp_path / "wh.duckdb"
    fire = write(tmp_path / "fire_no_numbers.csv", [
        "Type,Datetime,Incident Number",
        "Aid Response,01/21/2022 01:43:00 PM,F220000001",
        "Aid Response,01/21/2022 01:50:00 PM,",
        "Medic Response,01/21/2022 02:00:00 PM,",
        "Medic Response,01/21/2022 02:00:00 PM,",
        "Aid Response,,",
    ])
    load("fire_calls", fire, db)
    load("crime", P.api_geojson(P.SPECS["crime"], tmp_path / "crime.geojson"), db)
    client = create_app(Settings(db_path=db)).server.test_client()
    status_, layout, _ = render_with_client(client, "/data")
    assert status_ == 200
    fire_id, crime_id = (e["load_id"] for e in status(db))
    cells = [" ".join(texts(c)) for c in find_by_id(layout, f"dt-file-{fire_id}")["children"]]
    assert cells == ["fire_no_numbers.csv", "fire_calls", "fire (csv)", "5", "3", "1", "missing date (Datetime) (1)",
                     "1", "2", "Address Latitude Longitude Report Location", cells[-1]]
    cells = [" ".join(texts(c)) for c in find_by_id(layout, f"dt-file-{crime_id}")["children"]]
    assert cells[:10] == ["crime.geojson", "crime", "2021 (geojson)", "3", "3", "0", "none", "0", "0",
                          "Offense End DateTime"]
