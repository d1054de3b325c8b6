"""Demo Seattle Fire 911 calls and customer service requests (Find It, Fix It).

Medical calls peak in winter and follow where people are during the day; service requests are a
weekday, daytime, residential pattern with graffiti rising and abandoned-vehicle reports falling.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from etl.demo import events, timeline
from etl.demo.events import Category
from etl.demo.places import MCPP, PRECINCT_UPPER, ZIP_BY_PRECINCT
from etl.demo.writers import US_DATETIME, as_date

FIRE_TYPES = [
    Category("Aid Response", 0.47, 0.03), Category("Medic Response", 0.095, 0.02), Category("Trans to AMR", 0.09, 0.0),
    Category("Auto Fire Alarm", 0.057, 0.0), Category("Low Acuity Response", 0.043, 0.1),
    Category("Triaged Incident", 0.03, 0.0), Category("Illegal Burn", 0.02, 0.0),
    Category("MVI - Motor Vehicle Incident", 0.019, 0.0), Category("Rubbish Fire", 0.015, 0.05),
    Category("Rescue Elevator", 0.011, 0.0), Category("Encampment Fire", 0.01, -0.15, {"S": 1.5, "W": 1.3}),
    Category("Automatic Fire Alarm Resd", 0.0095, 0.0), Category("Alarm Bell", 0.008, 0.0),
    Category("Natural Gas Odor", 0.0045, 0.0), Category("Car Fire", 0.0035, 0.0), Category("Fire in Building", 0.002, 0.0),
]
FIRE_PATTERN = timeline.Pattern(season_amp=-0.08, hours=timeline.MEDICAL)
FIRE_PER_YEAR = 40_000
FIRE_SQL = {
    "Datetime": as_date(US_DATETIME),
    "Report Location": "CASE WHEN {Latitude} IS NOT NULL THEN "
                       "'POINT (' || CAST({Longitude} AS VARCHAR) || ' ' || CAST({Latitude} AS VARCHAR) || ')' END",
    "Incident Number": "'F' || lpad(CAST({c} AS VARCHAR), 9, '0')",  # F220009060: year, then 7 digits
}
SR_SQL = {"Created Date": as_date(US_DATETIME),
          "Service Request Number": "lpad(CAST({c} // 100000000 AS VARCHAR), 2, '0') || '-' "
                                    "|| lpad(CAST({c} % 100000000 AS VARCHAR), 8, '0')"}  # 24-00000003

SR_TYPES = [  # (request type, department, share, trend)
    ("Abandoned Vehicle/72hr Parking Ordinance", "SPD-Seattle Police Department", 0.25, -0.1),
    ("Illegal Dumping / Needles", "SPU-Seattle Public Utilities", 0.18, 0.05),
    ("Graffiti", "SPU-Seattle Public Utilities", 0.12, 0.15),
    ("Unauthorized Encampment", "FAS-Finance and Administrative Services", 0.08, -0.12),
    ("Pothole", "SDOT-Seattle Department of Transportation", 0.07, 0.0),
    ("Parking Enforcement", "SPD-Seattle Police Department", 0.12, 0.0),
    ("Streetlight Report", "SCL-Seattle City Light", 0.05, 0.0),
    ("Clogged Storm Drain", "SPU-Seattle Public Utilities", 0.03, 0.0),
    ("Sign and Signal Maintenance", "SDOT-Seattle Department of Transportation", 0.03, 0.0),
    ("General Inquiry - Customer Service Bureau", "CSB-Customer Service Bureau", 0.07, 0.0),
]
SR_PATTERN = timeline.Pattern(season_amp=0.1, weekday=timeline.WEEKDAYS, hours=timeline.DAYTIME)
SR_PER_YEAR = 40_000
COUNCIL_DISTRICT = {"N": ("4", "5", "6"), "E": ("3",), "S": ("2",), "SW": ("1",), "W": ("7",)}


def fire_calls(rng, geo, window, scale) -> pd.DataFrame:
    ev = events.draw(rng, geo, window, "fire_calls", FIRE_TYPES, FIRE_PATTERN,
                     int(FIRE_PER_YEAR * scale * window.days / 365.25))
    n = len(ev)
    b = geo.blocks
    lat = np.round(b.lat[ev.block] + rng.normal(0, 0.0003, n), 6)
    lon = np.round(b.lon[ev.block] + rng.normal(0, 0.0003, n), 6)
    address = events.street_address(geo, ev.block)
    unknown = rng.random(n) < 0.003  # the real feed: no location at all for a few calls
    lat[unknown] = np.nan
    lon[unknown] = np.nan
    address[unknown & (rng.random(n) < 0.5)] = "Unk"
    t = ev.t // 60 * 60  # the feed's times have whole minutes
    year2 = events.year_of(t) % 100
    number = year2 * 10_000_000 + events.number_in_year(year2)  # written F + 2-digit year + 7 digits by FIRE_SQL
    return pd.DataFrame({
        "Address": address, "Type": np.array([c.label for c in FIRE_TYPES], dtype=object)[ev.cat],
        "Datetime": t.astype("datetime64[s]"), "Latitude": lat, "Longitude": lon,
        "Report Location": None, "Incident Number": number,
    })


def service_requests(rng, geo, window, scale) -> pd.DataFrame:
    cats = [Category(label, share, trend) for label, _d, share, trend in SR_TYPES]
    ev = events.draw(rng, geo, window, "service_requests", cats, SR_PATTERN,
                     int(SR_PER_YEAR * scale * window.days / 365.25), place_kind="residents")
    n = len(ev)
    b = geo.blocks
    # ZIP code and council district are fixed per block (a block lies in one of each)
    block_precinct = b.precinct
    zip_of_block = np.array([ZIP_BY_PRECINCT[p][h % len(ZIP_BY_PRECINCT[p])] for p, h in zip(block_precinct, b.hundred)],
                            dtype=object)
    district_of_block = np.array([COUNCIL_DISTRICT[p][h % len(COUNCIL_DISTRICT[p])]
                                  for p, h in zip(block_precinct, b.hundred)], dtype=object)
    zip_code, district = zip_of_block[ev.block], district_of_block[ev.block]
    location = (geo.blocks.address + ", Seattle, WA")[ev.block]
    year2 = events.year_of(ev.t) % 100
    number = year2 * 100_000_000 + events.number_in_year(year2) * 3  # written 24-00000003 by SR_SQL
    age_days = (ev.t.max() - ev.t) / 86_400
    closed = rng.random(n) < np.minimum(0.97, 0.35 + age_days / 30)
    return pd.DataFrame({
        "Service Request Number": number,
        "Web Intake Service Requests": np.array([c.label for c in cats], dtype=object)[ev.cat],
        "Department Name": np.array([d for _l, d, _s, _t in SR_TYPES], dtype=object)[ev.cat],
        "Created Date": ev.t.astype("datetime64[s]"),
        "Method Received Name": events.pick(rng, ["Find It, Fix It App", "Citizen Web Intake", "Phone Call", "Email"],
                                            [0.55, 0.25, 0.15, 0.05], n),
        "Service Request Status Name": np.where(closed, "Closed", "Reported").astype(object),
        "Location": location, "Latitude": np.round(b.lat[ev.block], 8), "Longitude": np.round(b.lon[ev.block], 8),
        "ZIP Code": zip_code, "Council District": district,
        "Police Precinct": np.array([PRECINCT_UPPER[m[1]] for m in MCPP], dtype=object)[b.mcpp[ev.block]],
        "Community Reporting Area": np.array([m[0].title() for m in MCPP], dtype=object)[b.mcpp[ev.block]],
    })
