"""Seattle Real Time Fire 911 Calls (kzjm-xkqj).

Vintage `fire`: Address, Type, Datetime, Latitude, Longitude, Report Location, Incident Number.
Datetime is local `01/21/2022 01:43:00 PM`, but some exports append ` +0000` (UTC: converted to
Seattle time) and write midnight as hour `24`. When Latitude / Longitude are empty the
location comes from Report Location, WKT `POINT (lon lat)` or `(lat, lon)`.
Natural key: Incident Number. category: Type.

Column history: one published schema. The API's JSON (seen in public code that caches it, e.g.
toalina/seattle-fire-911-calls server/responses.js) has `address, type, datetime
("2019-05-30T11:22:00.000"), latitude, longitude, report_location ({"type": "Point",
"coordinates": [lon, lat]}), incident_number` plus `:@computed_region_*` keys, which are ignored.
Rows with an empty Incident Number load with a derived key (etl/keys.py).
"""
import datetime as dt

from .base import Adapter, Vintage

ADAPTER = Adapter(
    name="fire_calls",
    title="Seattle Real Time Fire 911 Calls",
    fields={
        "address": (), "type": (), "datetime": (), "latitude": ("geometry_latitude",),
        "longitude": ("geometry_longitude",),
        "report_location": (), "incident_number": (),
    },
    vintages=(Vintage("fire", ("address", "type", "datetime", "incident_number"),
                      columns=("Address", "Type", "Datetime", "Latitude", "Longitude", "Report Location",
                               "Incident Number")),),
    key="s.incident_number",
    key_fields=("incident_number",),
    time="ts24(s.datetime)",  # midnight may be written as 24:00 (sqlfuncs ts_naive24)
    time_fields=("datetime",),
    category="s.type",
    start=dt.date(2003, 1, 1),
    lat="coalesce(num(s.latitude), wkt_lat(s.report_location), pair_lat(s.report_location))",
    lon="coalesce(num(s.longitude), wkt_lon(s.report_location), pair_lon(s.report_location))",
    columns=(
        ("incident_number", "VARCHAR", "s.incident_number"),
        ("address", "VARCHAR", "CASE WHEN upper(s.address) = 'UNK' THEN NULL ELSE s.address END"),
        ("type", "VARCHAR", "s.type"),
    ),
    natural_key_doc="Incident Number",
)
