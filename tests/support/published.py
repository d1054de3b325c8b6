"""Files in the formats Seattle's users actually hold, made by the tests (never copied from ../shared).

For every dataset a few events as the Socrata API returns them (snake_case field names, every
value a string, ISO timestamps with milliseconds), and writers for what people download or
re-save: API JSON (nulls and missing keys), API GeoJSON (fields in `properties`, the location as
the feature's geometry), a portal CSV of a chosen column subset (display headers, the portal's
`MM/DD/YYYY hh:mm:ss AM` dates), and spreadsheet re-saves (tabs, CR-only lines, BOM, M/D/YY).

Field names are those of the portal API (seen in public code that reads these datasets); display
headers are the published CSV's (etl/sources/<dataset>.py vintages list them).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Spec:
    """One dataset's API records and what the warehouse must hold for each."""
    records: list[dict]
    expected: list[tuple]            # (event_key, event_time, category) per record, in order
    timestamps: tuple[str, ...]      # API fields holding timestamps (reformatted for CSV)
    display: dict[str, str]          # API field -> CSV display header
    subset: tuple[str, ...]          # API fields of a column-subset export
    point: tuple[str, str] | None = None  # API (lon, lat) fields that become the GeoJSON geometry
    dates: tuple[str, ...] = field(default=())  # date-only API fields


T = dt.datetime

SPECS: dict[str, Spec] = {
    "crime": Spec(
        records=[
            {"report_number": "2022-000101", "offense_id": "31000000001", "offense_start_datetime": "2022-01-03T14:05:00.000",
             "report_datetime": "2022-01-03T15:00:00.000", "group_a_b": "A", "crime_against_category": "PROPERTY",
             "offense_parent_group": "ROBBERY", "offense": "Robbery", "offense_code": "120", "precinct": "W",
             "sector": "K", "beat": "K1", "mcpp": "DOWNTOWN COMMERCIAL", "_100_block_address": "1XX BLOCK OF PIKE ST",
             "longitude": "-122.3381", "latitude": "47.6097"},
            {"report_number": "2022-000102", "offense_id": "31000000002", "offense_start_datetime": "2022-02-10T23:30:00.000",
             "report_datetime": "2022-02-11T01:00:00.000", "group_a_b": "A", "crime_against_category": "PERSON",
             "offense_parent_group": "ASSAULT OFFENSES", "offense": "Simple Assault", "offense_code": "13B",
             "precinct": "SW", "sector": "F", "beat": "F2", "mcpp": "ALKI", "_100_block_address": None,
             "longitude": None, "latitude": None},
            {"report_number": "2022-000103", "offense_id": "31000000003", "offense_start_datetime": None,
             "report_datetime": "2022-03-01T08:15:00.000", "group_a_b": "A", "crime_against_category": "PROPERTY",
             "offense_parent_group": "LARCENY-THEFT", "offense": "Theft From Motor Vehicle", "offense_code": "23F",
             "precinct": "N", "sector": "B", "beat": "B2", "mcpp": "BALLARD SOUTH",
             "_100_block_address": "XX BLOCK OF NW MARKET ST", "longitude": "-122.384", "latitude": "47.668"},
        ],
        expected=[("31000000001", T(2022, 1, 3, 14, 5), "ROBBERY"),
                  ("31000000002", T(2022, 2, 10, 23, 30), "ASSAULT OFFENSES"),
                  ("31000000003", T(2022, 3, 1, 8, 15), "LARCENY-THEFT")],
        timestamps=("offense_start_datetime", "report_datetime"),
        display={"report_number": "Report Number", "offense_id": "Offense ID",
                 "offense_start_datetime": "Offense Start DateTime", "report_datetime": "Report DateTime",
                 "group_a_b": "Group A B", "crime_against_category": "Crime Against Category",
                 "offense_parent_group": "Offense Parent Group", "offense": "Offense", "offense_code": "Offense Code",
                 "precinct": "Precinct", "sector": "Sector", "beat": "Beat", "mcpp": "MCPP",
                 "_100_block_address": "100 Block Address", "longitude": "Longitude", "latitude": "Latitude"},
        subset=("report_number", "report_datetime", "offense_id", "offense_start_datetime", "mcpp",
                "offense_parent_group", "sector"),
        point=("longitude", "latitude"),
    ),
    "calls": Spec(
        records=[
            {"cad_event_number": "2025000000001", "cad_event_clearance_description": "REPORT WRITTEN (NO ARREST)",
             "call_type": "911", "priority": "1", "initial_call_type": "ASLT - IP/JO - WITH OR W/O WPNS",
             "final_call_type": "--ASSAULTS - FIREARM INVOLVED", "cad_event_original_time_queued": "2025-01-05T23:58:02.000",
             "cad_event_arrived_time": "2025-01-06T00:04:32.000", "dispatch_precinct": "SOUTHWEST",
             "dispatch_sector": "FRANK", "dispatch_beat": "F2", "dispatch_longitude": "-122.36", "dispatch_latitude": "47.55"},
            {"cad_event_number": "2025000000002", "cad_event_clearance_description": "ASSISTANCE RENDERED",
             "call_type": "ONVIEW", "priority": "7", "initial_call_type": "TRAFFIC STOP", "final_call_type": None,
             "cad_event_original_time_queued": "2025-01-05T10:00:00.000", "cad_event_arrived_time": None,
             "dispatch_precinct": "NORTH", "dispatch_sector": "NORA", "dispatch_beat": "N1",
             "dispatch_longitude": None, "dispatch_latitude": None},
        ],
        expected=[("2025000000001", T(2025, 1, 5, 23, 58, 2), "ASSAULTS - FIREARM INVOLVED"),
                  ("2025000000002", T(2025, 1, 5, 10, 0), "TRAFFIC STOP")],
        timestamps=("cad_event_original_time_queued", "cad_event_arrived_time"),
        display={"cad_event_number": "CAD Event Number", "cad_event_clearance_description": "CAD Event Clearance Description",
                 "call_type": "Call Type", "priority": "Priority", "initial_call_type": "Initial Call Type",
                 "final_call_type": "Final Call Type", "cad_event_original_time_queued": "CAD Event Original Time Queued",
                 "cad_event_arrived_time": "CAD Event Arrived Time", "dispatch_precinct": "Dispatch Precinct",
                 "dispatch_sector": "Dispatch Sector", "dispatch_beat": "Dispatch Beat",
                 "dispatch_longitude": "Dispatch Longitude", "dispatch_latitude": "Dispatch Latitude"},
        subset=("cad_event_number", "priority", "initial_call_type", "final_call_type", "cad_event_original_time_queued",
                "dispatch_beat"),
        point=("dispatch_longitude", "dispatch_latitude"),
    ),
    "use_of_force": Spec(
        records=[
            {"uniqueid": "2024UOF-0001-1000-100", "incident_num": "51001", "incident_type": "Level 1 - Use of Force",
             "occured_date_time": "2024-04-17T01:00:00.000", "precinct": "West", "sector": "KING", "beat": "K1",
             "officer_id": "1001", "subject_id": "100", "subject_race": "White", "subject_gender": "Male"},
            {"uniqueid": "2024UOF-0002-1001-101", "incident_num": "51002", "incident_type": "Level 2 - Use of Force",
             "occured_date_time": "2024-04-18T22:30:00.000", "precinct": "East", "sector": "CHARLIE", "beat": "C2",
             "officer_id": "1002", "subject_id": "101", "subject_race": "Black or African American",
             "subject_gender": None},
        ],
        expected=[("2024UOF-0001-1000-100", T(2024, 4, 17, 1, 0), "Level 1 - Use of Force"),
                  ("2024UOF-0002-1001-101", T(2024, 4, 18, 22, 30), "Level 2 - Use of Force")],
        timestamps=("occured_date_time",),
        display={"uniqueid": "ID", "incident_num": "Incident_Num", "incident_type": "Incident_Type",
                 "occured_date_time": "Occured_date_time", "precinct": "Precinct", "sector": "Sector", "beat": "Beat",
                 "officer_id": "Officer_ID", "subject_id": "Subject_ID", "subject_race": "Subject_Race",
                 "subject_gender": "Subject_Gender"},
        subset=("uniqueid", "incident_type", "occured_date_time", "precinct", "subject_race"),
    ),
    "terry_stops": Spec(
        records=[
            {"subject_age_group": "26 - 35", "subject_id": "-1", "go_sc_num": "20220000123456", "terry_stop_id": "34169190117",
             "stop_resolution": "Arrest", "weapon_type": "-", "officer_id": "8869", "officer_yob": "1990",
             "officer_gender": "M", "officer_race": "White", "subject_perceived_race": "Black or African American",
             "subject_perceived_gender": "Male", "reported_date": "2022-06-08T00:00:00.000",
             "reported_time": "07:16:15", "initial_call_type": "-", "final_call_type": "-", "call_type": "-",
             "officer_squad": "SOUTH PCT 1ST W - SAM", "arrest_flag": "Y", "frisk_flag": "Y", "precinct": "South",
             "sector": "S", "beat": "S3"},
            {"subject_age_group": "18 - 25", "subject_id": "-1", "go_sc_num": "20220000123457", "terry_stop_id": "34169190118",
             "stop_resolution": "Field Contact", "weapon_type": "None", "officer_id": "8870", "officer_yob": "1985",
             "officer_gender": "F", "officer_race": "Asian", "subject_perceived_race": "White",
             "subject_perceived_gender": "Female", "reported_date": "2022-06-09T00:00:00.000",
             "reported_time": None, "initial_call_type": None, "final_call_type": None, "call_type": None,
             "officer_squad": None, "arrest_flag": "N", "frisk_flag": "N", "precinct": "North", "sector": "B",
             "beat": "B2"},
        ],
        expected=[("34169190117", T(2022, 6, 8, 7, 16, 15), "Arrest"),
                  ("34169190118", T(2022, 6, 9), "Field Contact")],
        timestamps=(),
        dates=("reported_date",),
        display={"subject_age_group": "Subject Age Group", "subject_id": "Subject ID", "go_sc_num": "GO / SC Num",
                 "terry_stop_id": "Terry Stop ID", "stop_resolution": "Stop Resolution", "weapon_type": "Weapon Type",
                 "officer_id": "Officer ID", "officer_yob": "Officer YOB", "officer_gender": "Officer Gender",
                 "officer_race": "Officer Race", "subject_perceived_race": "Subject Perceived Race",
                 "subject_perceived_gender": "Subject Perceived Gender", "reported_date": "Reported Date",
                 "reported_time": "Reported Time", "initial_call_type": "Initial Call Type",
                 "final_call_type": "Final Call Type", "call_type": "Call Type", "officer_squad": "Officer Squad",
                 "arrest_flag": "Arrest Flag", "frisk_flag": "Frisk Flag", "precinct": "Precinct",
                 "sector": "Sector", "beat": "Beat"},
        subset=("terry_stop_id", "stop_resolution", "subject_perceived_race", "reported_date", "reported_time",
                "precinct"),
    ),
    "ois": Spec(
        records=[
            {"frb": "FRB 19-01", "incident_number": "2019000111111", "date_time": "2019-07-03T13:48:00.000",
             "blurred_address": "16 AV / E UNION ST", "longitude": "-122.3114", "latitude": "47.6129", "city": "Seattle",
             "state": "WA", "rank": "Officer", "officer_gender": "Male", "officer_race": "White",
             "years_of_spd_service": "4", "officer_injured": "No", "number_of_rounds": "2", "subject_gender": "Male",
             "subject_race": "White", "subject_dob": None, "subject_age": "30", "subject_weapon": "Yes",
             "type_of_weapon": "Knife", "fatal": "No", "on_duty": "Yes", "disposition": "Justified",
             "officer_disciplined": "No", "summary": "Line one.\nLine two, with a comma."},
            {"frb": None, "incident_number": "2019000222222", "date_time": "2019-05-01T02:10:00.000",
             "blurred_address": "3 AV / PIKE ST", "longitude": None, "latitude": None, "city": "Seattle", "state": "WA",
             "rank": "Sergeant", "officer_gender": "Female", "officer_race": "Asian", "years_of_spd_service": "12",
             "officer_injured": "No", "number_of_rounds": "1", "subject_gender": "Male",
             "subject_race": "Black or African American", "subject_dob": None, "subject_age": "41",
             "subject_weapon": "Yes", "type_of_weapon": "Firearm", "fatal": "Yes", "on_duty": "Yes",
             "disposition": "Justified", "officer_disciplined": "No", "summary": None},
        ],
        expected=[("FRB 19-01|2019000111111|1", T(2019, 7, 3, 13, 48), "Non-fatal"),
                  ("|2019000222222|1", T(2019, 5, 1, 2, 10), "Fatal")],
        timestamps=("date_time",),
        display={"frb": "FRB #", "incident_number": "Incident Number", "date_time": "Date / Time",
                 "blurred_address": "Blurred Address", "longitude": "Longitude", "latitude": "Latitude",
                 "city": "City", "state": "State", "rank": "Rank", "officer_gender": "Officer Gender",
                 "officer_race": "Officer Race", "years_of_spd_service": "Years of SPD Service",
                 "officer_injured": "Officer Injured", "number_of_rounds": "Number of Rounds",
                 "subject_gender": "Subject Gender", "subject_race": "Subject Race", "subject_dob": "Subject DOB",
                 "subject_age": "Subject Age", "subject_weapon": "Subject Weapon", "type_of_weapon": "Type of Weapon",
                 "fatal": "Fatal", "on_duty": "On-duty", "disposition": "Disposition",
                 "officer_disciplined": "Officer Disciplined?", "summary": "Summary"},
        subset=("frb", "incident_number", "date_time", "fatal", "subject_race"),
        point=("longitude", "latitude"),
    ),
    "fire_calls": Spec(
        records=[
            {"address": "1402 3rd Av", "type": "Rescue Elevator", "datetime": "2019-05-30T11:22:00.000",
             "latitude": "47.608766", "longitude": "-122.336894", "incident_number": "F190056035"},
            {"address": "500 17th Av", "type": "Aid Response", "datetime": "2019-05-30T11:23:00.000",
             "latitude": "47.606176", "longitude": "-122.310249", "incident_number": "F190056036"},
            {"address": "Unk", "type": "Medic Response", "datetime": "2019-05-31T00:01:00.000",
             "latitude": None, "longitude": None, "incident_number": "F190056037"},
        ],
        expected=[("F190056035", T(2019, 5, 30, 11, 22), "Rescue Elevator"),
                  ("F190056036", T(2019, 5, 30, 11, 23), "Aid Response"),
                  ("F190056037", T(2019, 5, 31, 0, 1), "Medic Response")],
        timestamps=("datetime",),
        display={"address": "Address", "type": "Type", "datetime": "Datetime", "latitude": "Latitude",
                 "longitude": "Longitude", "incident_number": "Incident Number"},
        subset=("type", "datetime", "incident_number"),
        point=("longitude", "latitude"),
    ),
    "service_requests": Spec(
        records=[
            {"servicerequestnumber": "23-00012345", "webintakeservicerequests": "Abandoned Vehicle/72hr Parking Ordinance",
             "departmentname": "SPD-Seattle Police Department", "createddate": "2023-01-05T10:11:12.000",
             "methodreceivedname": "Find It Fix It Apps", "servicerequeststatusname": "Closed",
             "latitude": "47.61", "longitude": "-122.33", "zipcode": "98101", "councildistrict": "7",
             "policeprecinct": "West", "community_reporting_area": "Downtown Commercial Core"},
            {"servicerequestnumber": "23-00012346", "webintakeservicerequests": "Graffiti",
             "departmentname": "SPU-Seattle Public Utilities", "createddate": "2023-01-06T08:00:00.000",
             "methodreceivedname": "Phone", "servicerequeststatusname": "Open", "latitude": None, "longitude": None,
             "zipcode": None, "councildistrict": "3", "policeprecinct": "East", "community_reporting_area": None},
        ],
        expected=[("23-00012345", T(2023, 1, 5, 10, 11, 12), "Abandoned Vehicle/72hr Parking Ordinance"),
                  ("23-00012346", T(2023, 1, 6, 8, 0), "Graffiti")],
        timestamps=("createddate",),
        display={"servicerequestnumber": "Service Request Number", "webintakeservicerequests": "Web Intake Service Requests",
                 "departmentname": "Department Name", "createddate": "Created Date",
                 "methodreceivedname": "Method Received Name", "servicerequeststatusname": "Service Request Status Name",
                 "latitude": "Latitude", "longitude": "Longitude", "zipcode": "ZIP Code",
                 "councildistrict": "Council District", "policeprecinct": "Police Precinct",
                 "community_reporting_area": "Community Reporting Area"},
        subset=("servicerequestnumber", "webintakeservicerequests", "createddate", "councildistrict"),
        point=("longitude", "latitude"),
    ),
}


def api_json(spec: Spec, path: Path) -> Path:
    """A JSON array as /resource/<id>.json returns it: a null is sent as null in even records and
    left out (the API's habit) in odd ones."""
    out = []
    for i, rec in enumerate(spec.records):
        out.append({k: v for k, v in rec.items() if v is not None or i % 2 == 0})
    path.write_text(json.dumps(out, indent=1), encoding="utf-8")
    return path


def api_geojson(spec: Spec, path: Path) -> Path:
    """A FeatureCollection as /resource/<id>.geojson returns it: the location is the geometry
    (null when the record has none), the other fields are string properties."""
    feats = []
    for rec in spec.records:
        props = {k: v for k, v in rec.items() if not (spec.point and k in spec.point)}
        geom = None
        if spec.point and rec.get(spec.point[0]) is not None:
            geom = {"type": "Point", "coordinates": [float(rec[spec.point[0]]), float(rec[spec.point[1]])]}
        feats.append({"type": "Feature", "geometry": geom, "properties": props})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats, "crs": {
        "type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}}), encoding="utf-8")
    return path


def portal_time(iso: str | None, spreadsheet: bool = False) -> str:
    """The CSV export's `MM/DD/YYYY hh:mm:ss AM`, or a spreadsheet's `M/D/YY H:MM`."""
    if iso is None:
        return ""
    t = dt.datetime.fromisoformat(iso)
    if spreadsheet:
        return f"{t.month}/{t.day}/{t:%y} {t.hour}:{t:%M}"
    return t.strftime("%m/%d/%Y %I:%M:%S %p")


def csv_text(spec: Spec, fields: tuple[str, ...], delimiter: str = ",", spreadsheet: bool = False,
             rows: list[dict] | None = None) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerow([spec.display[f] for f in fields])
    for rec in rows if rows is not None else spec.records:
        vals = []
        for f in fields:
            v = rec.get(f)
            if f in spec.timestamps:
                v = portal_time(v, spreadsheet)
            elif f in spec.dates and v is not None:
                v = portal_time(v, spreadsheet).split(" ")[0] if spreadsheet else v.replace(".000", "Z")
            vals.append("" if v is None else v)
        w.writerow(vals)
    return buf.getvalue()


def subset_csv(spec: Spec, path: Path) -> Path:
    path.write_text(csv_text(spec, spec.subset), encoding="utf-8")
    return path


def spreadsheet_resave(spec: Spec, path: Path) -> Path:
    """The subset re-saved by a spreadsheet: tab-separated, CR-only line ends, a BOM, M/D/YY dates."""
    text = csv_text(spec, spec.subset, delimiter="\t", spreadsheet=True).replace("\n", "\r")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return path
