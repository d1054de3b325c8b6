"""Demo SPD 911 / CAD calls in the Call Data export layout, with response times that have tails.

Response time (arrived - queued) depends on priority, grows slowly over the period (the staffing
story a meeting would discuss), is longer in the outer neighborhoods, and has a heavy tail: a few
calls wait hours. On-view calls arrive when queued; about a fifth of calls never get an arrival.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from etl.demo import events, timeline
from etl.demo.events import Category
from etl.demo.places import ACTIVITY, MCPP, PRECINCT_UPPER, SECTOR_WORD
from etl.demo.writers import US_DATETIME, as_date

# final call type (category) -> (initial call type, priority choices)
CALL_TYPES = {
    "--SUSPICIOUS CIRCUM. - SUSPICIOUS PERSON": ("SUSPICIOUS PERSON, VEHICLE, OR INCIDENT", (2, 3)),
    "--DISTURBANCE - OTHER": ("DISTURBANCE, MISCELLANEOUS/OTHER", (2, 3)),
    "--TRAFFIC - MV COLLISION INVESTIGATION": ("MVC - WITH INJURIES (INCLUDES HIT AND RUN)", (1, 2)),
    "--TRAFFIC - PARKING VIOL (EXCEPT ABANDONED CAR)": ("PARKING VIOLATION (EXCEPT ABANDONED CAR)", (4, 5)),
    "--THEFT - CAR PROWL": ("THEFT (DOES NOT INCLUDE SHOPLIFT OR SVCS)", (3, 4)),
    "--THEFT - SHOPLIFT": ("SHOPLIFT - THEFT", (2, 3)),
    "--ASSIST PUBLIC - OTHER (NON-SPECIFIED)": ("ASSIST PUBLIC - NO WELFARE CHK OR DV ORDER SERVICE", (3, 4)),
    "--ALARM-COMM (INC BANK, ATM, SCHOOLS, BSN)": ("ALARM - COMM, SILENT/AUD BURG (INCL BANKS)", (2, 3)),
    "--ALARM-RESIDENTIAL BURG": ("ALARM - RESIDENTIAL - BURGLARY, SILENT/AUDIBLE", (2, 3)),
    "--DV - ARGUMENTS, DISTURBANCE (NO ARREST)": ("DV - DISTURBANCE/ARGUMENT", (1, 2)),
    "--ASSAULTS, OTHER": ("ASLT - IP/JO - WITH OR W/O WPNS (NO SHOOTINGS)", (1, 2)),
    "--AUTOMOBILES - AUTO THEFT": ("AUTO THEFT - VEH THEFT OR THEFT AND RECOVERY", (3,)),
    "--BURGLARY - RESIDENTIAL, UNOCCUPIED": ("BURG - RESD (INCL UNOCC STRUCTURES ON PROP)", (2, 3)),
    "--PREMISE CHECKS - CRIME PREVENTION": ("PREMISE CHECK, OFFICER INITIATED ONVIEW ONLY", (7,)),
    "--TRAFFIC - MOVING VIOLATION": ("TRAFFIC STOP - OFFICER INITIATED ONVIEW", (7,)),
    "--CRISIS COMPLAINT - GENERAL": ("PERSON IN BEHAVIORAL/EMOTIONAL CRISIS", (1, 2)),
    "--WEAPON - GUN OR KNIFE (SHOTS FIRED)": ("SHOTS - DELAY/INCLUDES HEARD/NO ASSAULT", (1,)),
    "--NOISE - DISTURBANCE": ("NOISE - DISTURBANCE (PARTY, ETC)", (4,)),
}
CATEGORIES = [
    Category("--SUSPICIOUS CIRCUM. - SUSPICIOUS PERSON", 0.12, 0.0),
    Category("--DISTURBANCE - OTHER", 0.1, 0.03),
    Category("--TRAFFIC - MV COLLISION INVESTIGATION", 0.06, 0.0),
    Category("--TRAFFIC - PARKING VIOL (EXCEPT ABANDONED CAR)", 0.07, -0.1),
    Category("--THEFT - CAR PROWL", 0.06, -0.12, {"N": 1.3}),
    Category("--THEFT - SHOPLIFT", 0.04, 0.15, {"W": 1.4}),
    Category("--ASSIST PUBLIC - OTHER (NON-SPECIFIED)", 0.08, 0.0),
    Category("--ALARM-COMM (INC BANK, ATM, SCHOOLS, BSN)", 0.05, 0.0),
    Category("--ALARM-RESIDENTIAL BURG", 0.04, -0.05),
    Category("--DV - ARGUMENTS, DISTURBANCE (NO ARREST)", 0.05, 0.02),
    Category("--ASSAULTS, OTHER", 0.04, 0.04, {"W": 1.3, "S": 1.2}),
    Category("--AUTOMOBILES - AUTO THEFT", 0.04, 0.18, {"S": 1.3}),
    Category("--BURGLARY - RESIDENTIAL, UNOCCUPIED", 0.03, -0.08),
    Category("--PREMISE CHECKS - CRIME PREVENTION", 0.08, -0.15),
    Category("--TRAFFIC - MOVING VIOLATION", 0.06, -0.2),
    Category("--CRISIS COMPLAINT - GENERAL", 0.04, 0.12),
    Category("--WEAPON - GUN OR KNIFE (SHOTS FIRED)", 0.01, 0.1, {"S": 2.0}),
    Category("--NOISE - DISTURBANCE", 0.03, 0.0),
]
CLEARANCES = ["ASSISTANCE RENDERED", "REPORT WRITTEN (NO ARREST)", "FALSE COMPLAINT/UNFOUNDED",
              "UNABLE TO LOCATE INCIDENT OR COMPLAINANT", "CITATION ISSUED (CRIMINAL OR NON-CRIMINAL)",
              "NO POLICE ACTION POSSIBLE OR NECESSARY", "ORAL WARNING GIVEN", "PHYSICAL ARREST MADE",
              "RESPONDING UNIT(S) CANCELLED BY RADIO"]
CLEARANCE_P = [0.3, 0.2, 0.1, 0.12, 0.06, 0.08, 0.05, 0.05, 0.04]
# Median minutes from queued to arrival by priority.
MEDIAN_MIN = {1: 7.0, 2: 14.0, 3: 38.0, 4: 70.0, 5: 90.0, 6: 100.0, 7: 0.0, 9: 120.0}
PATTERN = timeline.Pattern(season_amp=0.1, weekday=timeline.WEEKEND_UP, hours=timeline.NIGHTLIFE)
PER_YEAR = 80_000
SQL = {"Original Time Queued": as_date(US_DATETIME), "Arrived Time": as_date(US_DATETIME)}


def generate(rng: np.random.Generator, geo, window: timeline.Window, scale: float) -> pd.DataFrame:
    ev = events.draw(rng, geo, window, "calls", CATEGORIES, PATTERN, int(PER_YEAR * scale * window.days / 365.25))
    n = len(ev)
    final = np.array([c.label for c in CATEGORIES], dtype=object)[ev.cat]
    initial = np.array([CALL_TYPES[c.label][0] for c in CATEGORIES], dtype=object)[ev.cat]
    priority = np.empty(n, dtype=np.int64)
    for ci, c in enumerate(CATEGORIES):
        sel = ev.cat == ci
        priority[sel] = rng.choice(CALL_TYPES[c.label][1], size=int(sel.sum()))
    onview = priority == 7
    call_type = np.where(onview, "ONVIEW", events.pick(rng, ["911", "TELEPHONE OTHER, NOT 911", "ALARM CALL (NOT POLICE ALARM)"],
                                                        [0.55, 0.4, 0.05], n)).astype(object)
    alarm = np.char.startswith(final.astype(str), "--ALARM")
    call_type[alarm] = "ALARM CALL (NOT POLICE ALARM)"

    b = geo.blocks
    mcpp_i = b.mcpp[ev.block]
    # Response: lognormal around the priority median; +6%/year; quiet outer areas wait longer;
    # 4% of calls hit a slow tail (x4) so the 90th percentile means something.
    median = np.array([MEDIAN_MIN.get(int(p), 60.0) for p in range(10)])[priority] * 60
    years_back = (ev.t - ev.t.max()) / (365.25 * 86_400)
    busy = np.array([ACTIVITY.get(m[0], 1.0) for m in MCPP])[mcpp_i]
    slow = np.where(rng.random(n) < 0.04, 4.0, 1.0)
    response = median * (1.06 ** years_back) * (1.25 / np.sqrt(np.minimum(busy, 4.0))) * slow * rng.lognormal(0, 0.6, n)
    arrived = ev.t + response.astype(np.int64)
    missing = (rng.random(n) < 0.2) & ~onview
    arrived_dt = np.where(missing, np.datetime64("NaT"), arrived.astype("datetime64[s]"))

    year = events.year_of(ev.t)
    seq = 1000 + (events.number_in_year(year) - 1) * 7 + rng.integers(0, 7, n)  # gaps: other units' events
    cad = year * 1_000_000_000 + seq
    beat = b.beat[ev.block]
    return pd.DataFrame({
        "CAD Event Number": cad,
        "Event Clearance Description": events.pick(rng, CLEARANCES, CLEARANCE_P, n),
        "Call Type": call_type, "Priority": priority,
        "Initial Call Type": initial, "Final Call Type": final,
        "Original Time Queued": ev.t.astype("datetime64[s]"), "Arrived Time": pd.to_datetime(arrived_dt),
        "Precinct": events.block_values(geo, ev.block, PRECINCT_UPPER, "precinct"),
        "Sector": events.block_values(geo, ev.block, SECTOR_WORD, "sector"), "Beat": beat,
        # Call Data coordinates are blurred: snap to a ~300 m grid.
        "Blurred_Longitude": np.round(np.round(b.lon[ev.block] / 0.004) * 0.004, 8),
        "Blurred_Latitude": np.round(np.round(b.lat[ev.block] / 0.003) * 0.003, 8),
    })
