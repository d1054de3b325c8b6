"""Vintages with no real sample in ../shared: each built by hand from the published column names,
loaded, and checked against values worked out by hand (including the time-zone arithmetic)."""
from __future__ import annotations

import datetime as dt

import pytest

from etl.load import LoadError, load_files
from settings import Settings
from tests.support.etl_files import query, write

S = Settings()


def load(dataset, lines, tmp_path, name="f.csv"):
    db = tmp_path / "wh.duckdb"
    (r,) = load_files(dataset, [write(tmp_path / name, lines)], db, S, progress=False)
    return db, r


def one(db, table, key, cols):
    got = query(db, f"SELECT {', '.join(cols)} FROM {table} WHERE event_key = ?", [key])
    assert len(got) == 1
    return dict(zip(cols, got[0]))


def test_crime_2025_schema(tmp_path):
    db, r = load("crime", [
        "Report Number,Report DateTime,Offense ID,Offense Date,NIBRS Group AB,NIBRS Crime Against Category,"
        "Offense Sub Category,Shooting Type Group,Block Address,Latitude,Longitude,Beat,Precinct,Sector,"
        "Neighborhood,Reporting Area,Offense Category,NIBRS Offense Code Description,NIBRS_offense_code",
        "2025-123456,2025 Dec 01 09:15:21 PM,55555555555,2025 Dec 01 08:00:00 PM,A,PROPERTY,LARCENY-THEFT,-,"
        "REDACTED,REDACTED,REDACTED,K1,West,K,DOWNTOWN COMMERCIAL,1234,PROPERTY CRIME,Theft From Motor Vehicle,23F",
        # no Offense Date: event_time falls back to the report time
        "2025-123457,2025 Nov 30 01:02:03 AM,55555555556,,B,SOCIETY,DUI,-,1XX BLOCK OF PIKE ST,47.61,-122.34,"
        "M2,W,M,DOWNTOWN COMMERCIAL,1235,ALL OTHER,Driving Under the Influence,90D",
    ], tmp_path)
    assert (r.vintage, r.rows_read, r.rows_loaded) == ("2025", 2, 2)
    assert one(db, "crime", "55555555555", ["event_time", "reported_at", "category", "precinct", "sector", "beat",
                                             "mcpp", "block_address", "latitude", "offense", "offense_code",
                                             "offense_sub_category", "reporting_area", "group_ab"]) == {
        "event_time": dt.datetime(2025, 12, 1, 20, 0), "reported_at": dt.datetime(2025, 12, 1, 21, 15, 21),
        "category": "PROPERTY CRIME", "precinct": "W", "sector": "K", "beat": "K1", "mcpp": "DOWNTOWN COMMERCIAL",
        "block_address": None, "latitude": None, "offense": "Theft From Motor Vehicle", "offense_code": "23F",
        "offense_sub_category": "LARCENY-THEFT", "reporting_area": "1234", "group_ab": "A"}
    assert one(db, "crime", "55555555556", ["event_time", "latitude"]) == {
        "event_time": dt.datetime(2025, 11, 30, 1, 2, 3), "latitude": 47.61}


def test_crime_socrata_api_names_and_timestamps(tmp_path):
    db, r = load("crime", [
        "report_number,offense_id,offense_start_datetime,offense_end_datetime,report_datetime,group_a_b,"
        "crime_against_category,offense_parent_group,offense,offense_code,precinct,sector,beat,mcpp,"
        "_100_block_address,longitude,latitude",
        "2021-000001,12000000001,2021-09-20T23:30:00.000,,2021-09-21T01:00:00.000,A,PERSON,ASSAULT OFFENSES,"
        "Simple Assault,13B,SW,W,W1,ALKI,XX BLOCK OF ALKI AVE SW,-122.41,47.58",
    ], tmp_path)
    assert r.vintage == "2021"
    assert one(db, "crime", "12000000001", ["event_time", "category", "precinct", "block_address", "longitude"]) == {
        "event_time": dt.datetime(2021, 9, 20, 23, 30), "category": "ASSAULT OFFENSES", "precinct": "SW",
        "block_address": "XX BLOCK OF ALKI AVE SW", "longitude": -122.41}


def test_retired_pre_nibrs_crime_data(tmp_path):
    db, r = load("crime", [
        "Report Number,Occurred Date,Occurred Time,Reported Date,Reported Time,Crime Subcategory,"
        "Primary Offense Description,Precinct,Sector,Beat,Neighborhood",
        "1975000079415,12/16/1975,900,12/16/1975,1500,BURGLARY-RESIDENTIAL,BURGLARY-FORCE-RES,SOUTHWEST,W,W3,"
        "ROXHILL/WESTWOOD/ARBOR HEIGHTS",
        "2008000012345,01/02/2008,2359,01/03/2008,15,CAR PROWL,THEFT-CARPROWL,NORTH,B,B2,BALLARD SOUTH",
    ], tmp_path)
    assert (r.vintage, r.rows_loaded) == ("pre-nibrs", 2)
    assert one(db, "crime", "RN:1975000079415", ["event_time", "reported_at", "category", "precinct", "mcpp", "offense"]) == {
        "event_time": dt.datetime(1975, 12, 16, 9, 0), "reported_at": dt.datetime(1975, 12, 16, 15, 0),
        "category": "BURGLARY-RESIDENTIAL", "precinct": "SW", "mcpp": "ROXHILL/WESTWOOD/ARBOR HEIGHTS",
        "offense": "BURGLARY-FORCE-RES"}
    assert one(db, "crime", "RN:2008000012345", ["event_time", "reported_at"]) == {
        "event_time": dt.datetime(2008, 1, 2, 23, 59), "reported_at": dt.datetime(2008, 1, 3, 0, 15)}
    assert query(db, "SELECT value FROM quality_checks WHERE \"check\" = 'before_start'") == [(1.0,)]


def test_calls_2025_renamed_columns(tmp_path):
    db, r = load("calls", [
        "CAD Event Number,CAD Event Clearance Description,Call Type,Priority,Initial Call Type,Final Call Type,"
        "CAD Event Original Time Queued,CAD Event Arrived Time,Dispatch Precinct,Dispatch Sector,Dispatch Beat,"
        "Dispatch Longitude,Dispatch Latitude",
        "2025000123456,REPORT WRITTEN (NO ARREST),911,2,ASLT - IP/JO - PERSON SHOT OR SHOT AT,"
        "--ASSAULTS - FIREARM INVOLVED,01/05/2025 11:58:02 PM,01/06/2025 12:04:32 AM,SOUTHWEST,FRANK,F2,-122.36,47.55",
        # arrived before queued: no response time
        "2025000123457,ASSISTANCE RENDERED,ONVIEW,7,TRAFFIC STOP,,01/05/2025 10:00:00 AM,01/05/2025 09:00:00 AM,"
        "NORTH,NORA,N1,-122.36,47.70",
    ], tmp_path)
    assert (r.vintage, r.rows_loaded) == ("call-data-2025", 2)
    assert one(db, "calls", "2025000123456", ["event_time", "category", "priority", "precinct", "sector", "beat",
                                                "response_seconds", "event_clearance_description"]) == {
        "event_time": dt.datetime(2025, 1, 5, 23, 58, 2), "category": "ASSAULTS - FIREARM INVOLVED", "priority": 2,
        "precinct": "SW", "sector": "F", "beat": "F2", "response_seconds": 6 * 60 + 30,
        "event_clearance_description": "REPORT WRITTEN (NO ARREST)"}
    # no final call type: category is the initial call type
    assert one(db, "calls", "2025000123457", ["category", "response_seconds", "precinct"]) == {
        "category": "TRAFFIC STOP", "response_seconds": None, "precinct": "N"}


def test_fire_utc_suffix_hour_24_and_location_text(tmp_path):
    db, r = load("fire_calls", [
        "Address,Type,Datetime,Latitude,Longitude,Report Location,Incident Number",
        "517 3rd Ave,Aid Response,01/21/2022 09:43:00 PM +0000,,,POINT (-122.331 47.602),F220000001",  # PST = UTC-8
        '1 Main St,Medic Response,2022-01-21T24:00:00,,,"(47.61, -122.33)",F220000002',
        "2 Main St,Aid Response,07/04/2022 03:00:00 AM +0000,47.6,-122.3,,F220000003",  # PDT = UTC-7
    ], tmp_path)
    assert (r.rows_read, r.rows_loaded) == (3, 3)
    assert query(db, "SELECT event_key, event_time, latitude, longitude FROM fire_calls ORDER BY 1") == [
        ("F220000001", dt.datetime(2022, 1, 21, 13, 43), 47.602, -122.331),
        ("F220000002", dt.datetime(2022, 1, 22, 0, 0), 47.61, -122.33),
        ("F220000003", dt.datetime(2022, 7, 3, 20, 0), 47.6, -122.3),
    ]


@pytest.mark.parametrize("header, created, vintage", [
    ("servicerequestnumber,webintakeservicerequests,departmentname,createddate,methodreceivedname,"
     "servicerequeststatusname,location,latitude,longitude,zipcode,councildistrict,policeprecinct,"
     "community_reporting_area", "2023-01-05T10:11:12.000", "api"),
    ("Service Request Number,Web Intake Service Requests,Department Name,Created Date,Method Received Name,"
     "Service Request Status Name,Location,Latitude,Longitude,ZIP Code,Council District,Police Precinct,"
     "Community Reporting Area", "01/05/2023 10:11:12 AM", "csv"),
])
def test_service_requests_both_header_styles(tmp_path, header, created, vintage):
    db, r = load("service_requests", [
        header,
        f'23-00012345,Abandoned Vehicle/72hr Parking Ordinance,SPD-Seattle Police Department,{created},'
        f'Find It Fix It Apps,Closed,"1234 5TH AVE, SEATTLE, WA",47.61,-122.33,98101,7,West,Downtown Commercial Core',
    ], tmp_path)
    assert (r.vintage, r.rows_loaded) == (vintage, 1)
    assert one(db, "service_requests", "23-00012345", [
        "event_time", "category", "department", "status", "precinct", "zip_code", "council_district",
        "community_reporting_area", "latitude"]) == {
        "event_time": dt.datetime(2023, 1, 5, 10, 11, 12), "category": "Abandoned Vehicle/72hr Parking Ordinance",
        "department": "SPD-Seattle Police Department", "status": "Closed", "precinct": "W", "zip_code": "98101",
        "council_district": "7", "community_reporting_area": "DOWNTOWN COMMERCIAL CORE", "latitude": 47.61}


def test_terry_stops_early_vintage_and_new_resolution_wording(tmp_path):
    db, r = load("terry_stops", [
        "Subject Age Group,GO / SC Num,Terry Stop ID,Stop Resolution,Weapon Type,Officer ID,Officer YOB,"
        "Officer Gender,Officer Race,Subject Perceived Race,Subject Perceived Gender,Reported Date,Precinct,Sector,Beat",
        "18 - 25,20150000001234,12345,Citation/Infraction,None,1234,1980,M,White,Hispanic,Male,2015-03-20T00:00:00,"
        "North,B,B2",
        "18 - 25,20150000001235,12346,Physical Arrest,None,1234,1980,F,Asian,-,Female,2015-03-21T00:00:00,-,-,-",
    ], tmp_path)
    assert (r.vintage, r.rows_loaded) == ("terry-early", 2)
    assert query(db, "SELECT event_key, event_time, category, stop_resolution_raw, subject_race, officer_gender, "
                     "precinct FROM terry_stops ORDER BY 1") == [
        ("12345", dt.datetime(2015, 3, 20), "Citation / Infraction", "Citation/Infraction", "Hispanic", "Male", "N"),
        ("12346", dt.datetime(2015, 3, 21), "Arrest", "Physical Arrest", "Unknown", "Female", None),
    ]


def test_unknown_dataset_is_a_one_line_error(tmp_path):
    with pytest.raises(LoadError, match="^unknown dataset 'parking': expected one of crime, calls"):
        load_files("parking", [tmp_path / "x.csv"], tmp_path / "wh.duckdb", S, progress=False)
