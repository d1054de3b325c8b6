"""SPD Crime Data 2008-Present (tazs-3rd5): one row per NIBRS offense, three vintages.

- `2021`: Report Number, Offense ID, Offense Start/End DateTime, Report DateTime, Group A B,
  Crime Against Category, Offense Parent Group, Offense, Offense Code, Precinct, Sector, Beat,
  MCPP, 100 Block Address, Longitude, Latitude (dates `02/05/2020 09:39:33 AM`).
- `2025`: Offense Date, NIBRS Group AB, NIBRS Crime Against Category, Offense Sub Category,
  Shooting Type Group, Block Address, Neighborhood, Reporting Area, Offense Category,
  NIBRS Offense Code Description, NIBRS_offense_code (dates `2025 Dec 01 09:15:21 PM`; `REDACTED`
  is a null marker).
- `pre-nibrs`: the retired "Crime Data" (4fs7-3vj5): Report Number, Occurred Date, Occurred Time
  (HHMM), Reported Date, Reported Time, Crime Subcategory, Primary Offense Description, Precinct,
  Sector, Beat, Neighborhood. It has no offense id: its key is `RN:<report number>`.
- `police-report-incident`: the older retired "Seattle Police Department Police Report Incident"
  (7ais-f98f, 2010-2017): RMS CDW ID (one per row: key `RMS:<id>`), General Offense Number,
  Offense Code (+ Extension), Offense Type, Summary Offense Code, Summarized Offense Description
  (its category), Date Reported, Occurred Date or Date Range Start (its event time), Occurred Date
  Range End, Hundred Block Location, District/Sector, Zone/Beat, Census Tract 2000, Longitude,
  Latitude, Location `(lat, lon)`, Month, Year (header and `06/28/2015 10:31:00 AM` dates as
  public notebooks that read the file print them).
Natural key: Offense ID. event_time: offense start (2021) / offense date (2025), the report
time only when that is empty; category: offense parent group (2021) / offense category (2025).
A column subset of any of these loads when it has one of their date columns (etl/sources/sniff.py).

Column history, from public code that reads these files (search corpus, 2026-12): the 2021 API
names (`report_number ... _100_block_address, longitude, latitude`) from a portal query URL in
Khangnguyen04/seattle-crime-data's README; the retired Crime Data header and its `900` / `1500`
HHMM times from a README quoting the file ("Report Number,Occurred Date,Occurred Time,Reported
Date,Reported Time,Crime Subcategory,Primary Offense Description,Precinct,Sector,Beat,
Neighborhood"); the 2025 header from ../shared/data/seattle/README.md (seen in code only).
"""
import datetime as dt

from .base import Adapter, Vintage

ADAPTER = Adapter(
    name="crime",
    title="SPD Crime Data 2008-Present",
    fields={
        "report_number": (),
        "offense_id": (),
        "offense_start_datetime": (),
        "offense_end_datetime": (),
        "report_datetime": (),
        "offense_date": (),
        "group_a_b": ("nibrs_group_ab", "nibrs_group_a_b"),
        "crime_against_category": ("nibrs_crime_against_category",),
        "offense_parent_group": (),
        "offense": ("nibrs_offense_code_description",),
        "offense_code": ("nibrs_offense_code",),
        "offense_sub_category": (),
        "shooting_type_group": (),
        "offense_category": (),
        "precinct": (), "sector": ("district_sector",), "beat": ("zone_beat",),
        "mcpp": ("neighborhood",),
        "reporting_area": (),
        "block_address": ("100_block_address", "hundred_block_location"),
        "longitude": ("geometry_longitude",), "latitude": ("geometry_latitude",),
        "occurred_date": (), "occurred_time": (), "reported_date": (), "reported_time": (),
        "crime_subcategory": (), "primary_offense_description": (),
        # the retired Police Report Incident (7ais-f98f)
        "rms_cdw_id": (), "general_offense_number": (), "offense_type": (), "summarized_offense_description": (),
        "date_reported": (), "occurred_date_or_date_range_start": (), "occurred_date_range_end": (),
        "location": (),
    },
    vintages=(
        Vintage("2021", ("offense_id", "offense_start_datetime", "report_datetime",
                         "offense_parent_group", "mcpp"),
                columns=("Report Number", "Offense ID", "Offense Start DateTime", "Offense End DateTime",
                         "Report DateTime", "Group A B", "Crime Against Category", "Offense Parent Group",
                         "Offense", "Offense Code", "Precinct", "Sector", "Beat", "MCPP", "100 Block Address",
                         "Longitude", "Latitude")),
        Vintage("2025", ("offense_id", "offense_date", "group_a_b", "offense_sub_category",
                         "neighborhood"),
                time_fields=("offense_date", "report_datetime"),
                columns=("Report Number", "Report DateTime", "Offense ID", "Offense Date", "NIBRS Group AB",
                         "NIBRS Crime Against Category", "Offense Sub Category", "Shooting Type Group",
                         "Block Address", "Latitude", "Longitude", "Beat", "Precinct", "Sector", "Neighborhood",
                         "Reporting Area", "Offense Category", "NIBRS Offense Code Description",
                         "NIBRS_offense_code")),
        Vintage("pre-nibrs", ("report_number", "occurred_date", "occurred_time", "crime_subcategory",
                              "primary_offense_description"),
                key="'RN:' || s.report_number",
                time="CASE WHEN s.occurred_date IS NULL THEN reported_at ELSE offense_start END",
                time_fields=("occurred_date", "reported_date"),
                columns=("Report Number", "Occurred Date", "Occurred Time", "Reported Date", "Reported Time",
                         "Crime Subcategory", "Primary Offense Description", "Precinct", "Sector", "Beat",
                         "Neighborhood")),
        Vintage("police-report-incident", ("rms_cdw_id", "occurred_date_or_date_range_start",
                                           "summarized_offense_description"),
                key="'RMS:' || s.rms_cdw_id",
                time="CASE WHEN s.occurred_date_or_date_range_start IS NULL THEN reported_at ELSE offense_start END",
                time_fields=("occurred_date_or_date_range_start", "date_reported"),
                columns=("RMS CDW ID", "General Offense Number", "Offense Code", "Offense Code Extension",
                         "Offense Type", "Summary Offense Code", "Summarized Offense Description", "Date Reported",
                         "Occurred Date or Date Range Start", "Occurred Date Range End", "Hundred Block Location",
                         "District/Sector", "Zone/Beat", "Census Tract 2000", "Longitude", "Latitude", "Location",
                         "Month", "Year")),
    ),
    key="s.offense_id",
    key_fields=("offense_id", "report_number", "rms_cdw_id"),
    # (key, time and category may name the typed columns below: each timestamp is parsed once)
    time="CASE WHEN coalesce(s.offense_start_datetime, s.offense_date) IS NULL THEN reported_at "
         "ELSE offense_start END",
    time_fields=("offense_start_datetime", "report_datetime"),
    category="upper(coalesce(s.offense_parent_group, s.offense_category, s.crime_subcategory, "
             "s.summarized_offense_description))",
    start=dt.date(2008, 1, 1),
    precinct="s.precinct", sector="s.sector", beat="s.beat",
    # Location "(lat, lon)" (Police Report Incident) first: it is there when Latitude / Longitude say 0
    lat="coalesce(pair_lat(s.location), num(s.latitude))", lon="coalesce(pair_lon(s.location), num(s.longitude))",
    columns=(
        ("report_number", "VARCHAR", "s.report_number"),
        ("offense_id", "VARCHAR", "s.offense_id"),
        ("offense_start", "TIMESTAMP", "coalesce(ts(s.offense_start_datetime), ts(s.offense_date), "
                                       "dt(s.occurred_date) + clock(s.occurred_time), "
                                       "ts(s.occurred_date_or_date_range_start))"),
        ("offense_end", "TIMESTAMP", "coalesce(ts(s.offense_end_datetime), ts(s.occurred_date_range_end))"),
        ("reported_at", "TIMESTAMP", "coalesce(ts(s.report_datetime), "
                                     "dt(s.reported_date) + clock(s.reported_time), "
                                     "ts(s.date_reported))"),
        ("group_ab", "VARCHAR", "upper(s.group_a_b)"),
        ("crime_against", "VARCHAR", "upper(s.crime_against_category)"),
        ("offense_parent_group", "VARCHAR", "upper(coalesce(s.offense_parent_group, s.offense_category))"),
        ("offense", "VARCHAR", "coalesce(s.offense, s.primary_offense_description, s.offense_type)"),
        ("offense_code", "VARCHAR", "s.offense_code"),
        ("offense_sub_category", "VARCHAR", "coalesce(s.offense_sub_category, s.crime_subcategory)"),
        ("shooting_type_group", "VARCHAR", "s.shooting_type_group"),
        ("mcpp", "VARCHAR", "upper(s.mcpp)"),
        ("reporting_area", "VARCHAR", "s.reporting_area"),
        ("block_address", "VARCHAR", "s.block_address"),
        ("general_offense_number", "VARCHAR", "s.general_offense_number"),
    ),
    natural_key_doc="Offense ID (pre-NIBRS Crime Data: RN:<Report Number>)",
    clock_fields=("occurred_time",),
)
