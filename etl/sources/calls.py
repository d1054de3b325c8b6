"""SPD Call Data (33kz-ixgy, CAD events) and the retired 911 Incident Response (3k2p-39jp).

Vintages:
- `call-data`: CAD Event Number, Event Clearance Description, Call Type, Priority, Initial /
  Final Call Type, Original Time Queued, Arrived Time, Precinct, Sector, Beat (words: EAST,
  CHARLIE), Blurred_Longitude / Blurred_Latitude.
- `call-data-2025`: the 2025 export's names (CAD Event Original Time Queued, CAD Event Arrived
  Time, Dispatch Precinct / Sector / Beat, Dispatch Longitude / Latitude, CAD Event Clearance
  Description).
- `incident-response`: the retired dataset (Event Clearance Date, District/Sector, Zone/Beat,
  At Scene Time, Incident Location `(lat, lon)`). It has no queue time, so its event_time is the
  event clearance date, `arrived_at` is At Scene Time and `response_seconds` is NULL.
Natural key: CAD Event Number. category: final call type without its leading `--`, else the
initial call type.

Column history: call-data and incident-response from the real samples in ../shared (their
READMEs cite the repositories); the API's snake_case names are the normalised display names
(`district_sector`, `zone_beat`, `cad_event_original_time_queued`, ...), and the API gives a
location column as an object (`{latitude, longitude, human_address}`, or the GeoJSON geometry),
which etl/formats.py turns into the `(lat, lon)` text the CSV has.
"""
import datetime as dt

from .base import Adapter, Vintage

ADAPTER = Adapter(
    name="calls",
    title="SPD Call Data (911 / CAD events)",
    fields={
        "cad_event_number": (),
        "event_clearance_description": ("cad_event_clearance_description",),
        "call_type": (),
        "priority": (),
        "initial_call_type": ("initial_type_description",),
        "final_call_type": (),
        "original_time_queued": ("cad_event_original_time_queued",),
        "arrived_time": ("cad_event_arrived_time", "at_scene_time"),
        "event_clearance_date": (),
        "precinct": ("dispatch_precinct",),
        "sector": ("dispatch_sector", "district_sector"),
        "beat": ("dispatch_beat", "zone_beat"),
        "longitude": ("blurred_longitude", "dispatch_longitude", "geometry_longitude"),
        "latitude": ("blurred_latitude", "dispatch_latitude", "geometry_latitude"),
        "incident_location": (),
        "hundred_block_location": (),
    },
    vintages=(
        Vintage("call-data", ("cad_event_number", "original_time_queued", "final_call_type", "precinct"),
                columns=("CAD Event Number", "Event Clearance Description", "Call Type", "Priority",
                         "Initial Call Type", "Final Call Type", "Original Time Queued", "Arrived Time",
                         "Precinct", "Sector", "Beat", "Blurred_Longitude", "Blurred_Latitude")),
        Vintage("call-data-2025", ("cad_event_number", "cad_event_original_time_queued", "dispatch_precinct"),
                columns=("CAD Event Number", "CAD Event Clearance Description", "Call Type", "Priority",
                         "Initial Call Type", "Final Call Type", "CAD Event Original Time Queued",
                         "CAD Event Arrived Time", "Dispatch Precinct", "Dispatch Sector", "Dispatch Beat",
                         "Dispatch Longitude", "Dispatch Latitude")),
        Vintage("incident-response", ("cad_event_number", "event_clearance_date", "zone_beat",
                                      "at_scene_time"),
                time="ts(s.event_clearance_date)", time_fields=("event_clearance_date",),
                columns=("CAD CDW ID", "CAD Event Number", "General Offense Number", "Event Clearance Code",
                         "Event Clearance Description", "Event Clearance SubGroup", "Event Clearance Group",
                         "Event Clearance Date", "Hundred Block Location", "District/Sector", "Zone/Beat",
                         "Census Tract", "Longitude", "Latitude", "Incident Location",
                         "Initial Type Description", "Initial Type Subgroup", "Initial Type Group",
                         "At Scene Time")),
    ),
    key="s.cad_event_number",
    key_fields=("cad_event_number",),
    time="queued_at",
    time_fields=("original_time_queued",),
    category="regexp_replace(coalesce(s.final_call_type, s.initial_call_type), '^-+\\s*', '')",
    start=dt.date(2009, 1, 1),
    precinct="s.precinct", sector="s.sector", beat="s.beat",
    lat="coalesce(num(s.latitude), pair_lat(s.incident_location))",
    lon="coalesce(num(s.longitude), pair_lon(s.incident_location))",
    columns=(
        ("cad_event_number", "VARCHAR", "s.cad_event_number"),
        ("event_clearance_description", "VARCHAR", "s.event_clearance_description"),
        ("call_type", "VARCHAR", "s.call_type"),
        ("priority", "INTEGER", "int_(s.priority)"),
        ("initial_call_type", "VARCHAR", "s.initial_call_type"),
        ("final_call_type", "VARCHAR", "regexp_replace(s.final_call_type, '^-+\\s*', '')"),
        ("queued_at", "TIMESTAMP", "ts(s.original_time_queued)"),
        ("arrived_at", "TIMESTAMP", "ts(s.arrived_time)"),
        ("response_seconds", "DOUBLE", "CASE WHEN ts(s.arrived_time) >= ts(s.original_time_queued) THEN "
                                       "date_diff('second', ts(s.original_time_queued), ts(s.arrived_time)) END"),
        ("block_address", "VARCHAR", "s.hundred_block_location"),
    ),
    natural_key_doc="CAD Event Number",
)
