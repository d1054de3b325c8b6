"""Demo SPD crime offenses (NIBRS), in the 2021-era export and, for the last months, the 2025 one.

Categories are real SPD NIBRS offense groups with plausible shares; car prowls fall over the
period while motor-vehicle theft and shoplifting rise, so a meeting has trends to argue about.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from etl.demo import events, timeline
from etl.demo.events import Category
from etl.demo.places import MCPP
from etl.demo.writers import NIBRS_2025, US_DATETIME, ZERO_AS_0, as_date

# (parent group, offense, code, crime against, group A/B)
OFFENSES = {
    "LARCENY-THEFT": [("Theft From Motor Vehicle", "23F", 0.35), ("All Other Larceny", "23H", 0.35),
                      ("Shoplifting", "23C", 0.2), ("Theft From Building", "23D", 0.1)],
    "BURGLARY/BREAKING&ENTERING": [("Burglary/Breaking & Entering", "220", 1.0)],
    "DESTRUCTION/DAMAGE/VANDALISM OF PROPERTY": [("Destruction/Damage/Vandalism of Property", "290", 1.0)],
    "ASSAULT OFFENSES": [("Simple Assault", "13B", 0.6), ("Aggravated Assault", "13A", 0.2), ("Intimidation", "13C", 0.2)],
    "MOTOR VEHICLE THEFT": [("Motor Vehicle Theft", "240", 1.0)],
    "FRAUD OFFENSES": [("Identity Theft", "26F", 0.4), ("False Pretenses/Swindle/Confidence Game", "26A", 0.35),
                       ("Credit Card/Automated Teller Machine Fraud", "26B", 0.25)],
    "ROBBERY": [("Robbery", "120", 1.0)],
    "TRESPASS OF REAL PROPERTY": [("Trespass of Real Property", "90J", 1.0)],
    "DRUG/NARCOTIC OFFENSES": [("Drug/Narcotic Violations", "35A", 1.0)],
    "WEAPON LAW VIOLATIONS": [("Weapon Law Violations", "520", 1.0)],
    "DRIVING UNDER THE INFLUENCE": [("Driving Under the Influence", "90D", 1.0)],
    "STOLEN PROPERTY OFFENSES": [("Stolen Property Offenses", "280", 1.0)],
    "ARSON": [("Arson", "200", 1.0)],
    "HOMICIDE OFFENSES": [("Murder & Nonnegligent Manslaughter", "09A", 1.0)],
}
AGAINST = {"ASSAULT OFFENSES": "PERSON", "HOMICIDE OFFENSES": "PERSON", "DRUG/NARCOTIC OFFENSES": "SOCIETY",
           "TRESPASS OF REAL PROPERTY": "SOCIETY", "WEAPON LAW VIOLATIONS": "SOCIETY",
           "DRIVING UNDER THE INFLUENCE": "SOCIETY"}
GROUP_B = {"TRESPASS OF REAL PROPERTY", "DRIVING UNDER THE INFLUENCE"}
CATEGORIES = [
    Category("LARCENY-THEFT", 0.36, -0.06),
    Category("BURGLARY/BREAKING&ENTERING", 0.11, -0.08),
    Category("DESTRUCTION/DAMAGE/VANDALISM OF PROPERTY", 0.12, 0.0),
    Category("ASSAULT OFFENSES", 0.14, 0.05, {"S": 1.3, "W": 1.2}),
    Category("MOTOR VEHICLE THEFT", 0.09, 0.18, {"S": 1.3, "SW": 1.2}),
    Category("FRAUD OFFENSES", 0.06, 0.1),
    Category("ROBBERY", 0.03, 0.02, {"W": 1.3, "S": 1.2}),
    Category("TRESPASS OF REAL PROPERTY", 0.03, 0.0, {"W": 1.5}),
    Category("DRUG/NARCOTIC OFFENSES", 0.015, -0.2, {"W": 1.8}),
    Category("WEAPON LAW VIOLATIONS", 0.01, 0.08, {"S": 1.4}),
    Category("DRIVING UNDER THE INFLUENCE", 0.008, -0.05),
    Category("STOLEN PROPERTY OFFENSES", 0.005, 0.0),
    Category("ARSON", 0.003, 0.0),
    Category("HOMICIDE OFFENSES", 0.0008, 0.0, {"S": 2.0}),
]
PATTERN = timeline.Pattern(season_amp=0.15, weekday=timeline.WEEKEND_UP, hours=timeline.NIGHTLIFE)
PER_YEAR = 75_000
REPORT_NUMBER = "CAST({c} // 1000000 AS VARCHAR) || '-' || lpad(CAST({c} % 1000000 AS VARCHAR), 6, '0')"
SQL_2021 = {"Report Number": REPORT_NUMBER, "Offense Start DateTime": as_date(US_DATETIME),
            "Offense End DateTime": as_date(US_DATETIME), "Report DateTime": as_date(US_DATETIME),
            "Longitude": ZERO_AS_0, "Latitude": ZERO_AS_0}
SQL_2025 = {"Report Number": REPORT_NUMBER, "Report DateTime": as_date(NIBRS_2025), "Offense Date": as_date(NIBRS_2025),
            "Longitude": ZERO_AS_0, "Latitude": ZERO_AS_0}


def generate(rng: np.random.Generator, geo, window: timeline.Window, scale: float) -> pd.DataFrame:
    """One row per offense with typed columns; `frame_2021` / `frame_2025` lay them out."""
    ev = events.draw(rng, geo, window, "crime", CATEGORIES, PATTERN, int(PER_YEAR * scale * window.days / 365.25))
    n = len(ev)
    parent = np.array([c.label for c in CATEGORIES], dtype=object)[ev.cat]
    offense = np.empty(n, dtype=object)
    code = np.empty(n, dtype=object)
    for g, opts in OFFENSES.items():
        sel = np.flatnonzero(parent == g)
        k = rng.choice(len(opts), size=len(sel), p=np.array([o[2] for o in opts]) / sum(o[2] for o in opts))
        offense[sel] = np.array([o[0] for o in opts], dtype=object)[k]
        code[sel] = np.array([o[1] for o in opts], dtype=object)[k]
    start = ev.t
    # Many offenses have only a start; those with an end last up to a few hours.
    end = np.where(rng.random(n) < 0.25, start + rng.integers(600, 6 * 3600, n), -1)
    report = start + (rng.exponential(7 * 3600, n)).astype(np.int64) + 300
    # One report, several offenses: ~8% of rows share the previous row's report and times.
    same = np.zeros(n, dtype=bool)
    same[1:] = rng.random(n - 1) < 0.08
    idx = np.arange(n)
    src = np.maximum.accumulate(np.where(same, 0, idx))
    report = report[src]
    year = events.year_of(report)
    seq = np.where(same, 0, events.number_in_year(year, ~same) * 3 + 10_000)[src]
    report_number = year * 1_000_000 + seq  # written as 2024-010003 by REPORT_NUMBER
    offense_id = 10_000_000_000 + np.arange(n, dtype=np.int64) * 97 + rng.integers(0, 97, n)

    b = geo.blocks
    block = ev.block
    precinct = b.precinct[block]
    beat = b.beat[block]
    address = events.block_address(geo, block, rng)
    no_place = rng.random(n) < 0.03  # the real export: empty address with coordinates written 0,0
    address[no_place] = None
    lat = np.where(no_place, 0.0, np.round(b.lat[block], 9))
    lon = np.where(no_place, 0.0, np.round(b.lon[block], 9))
    return pd.DataFrame({
        "report_number": report_number, "offense_id": offense_id,
        "start": start.astype("datetime64[s]"), "end": pd.to_datetime(np.where(end < 0, np.datetime64("NaT"), end.astype("datetime64[s]"))),
        "report": report.astype("datetime64[s]"),
        "group_ab": np.where(np.isin(parent, list(GROUP_B)), "B", "A").astype(object),
        "against": np.array([AGAINST.get(p, "PROPERTY") for p in parent], dtype=object),
        "parent": parent, "offense": offense, "code": code, "precinct": precinct,
        "sector": b.sector[block], "beat": beat,
        "mcpp": np.array([m[0] for m in MCPP], dtype=object)[b.mcpp[block]],
        "address": address, "lon": lon, "lat": lat,
    })


def frame_2021(df: pd.DataFrame) -> pd.DataFrame:
    """Columns of the 2021-era export (`100 Block Address`, `MCPP`, letter precincts)."""
    return df[["report_number", "offense_id", "start", "end", "report", "group_ab", "against", "parent",
               "offense", "code", "precinct", "sector", "beat", "mcpp", "address", "lon", "lat"]].set_axis(
        ["Report Number", "Offense ID", "Offense Start DateTime", "Offense End DateTime", "Report DateTime",
         "Group A B", "Crime Against Category", "Offense Parent Group", "Offense", "Offense Code", "Precinct",
         "Sector", "Beat", "MCPP", "100 Block Address", "Longitude", "Latitude"], axis=1)


def frame_2025(df: pd.DataFrame) -> pd.DataFrame:
    """Columns of the 2025+ export (`Offense Date`, `Neighborhood`, `NIBRS_offense_code`)."""
    shooting = np.where(df["parent"].isin(["ASSAULT OFFENSES", "HOMICIDE OFFENSES"]) & (df["code"] != "13C")
                        & (df["offense_id"] % 10 == 7), "Shooting", None)
    return pd.DataFrame({
        "Report Number": df["report_number"], "Report DateTime": df["report"], "Offense ID": df["offense_id"],
        "Offense Date": df["start"], "NIBRS Group AB": df["group_ab"], "NIBRS Crime Against Category": df["against"],
        "Offense Sub Category": df["offense"].str.upper(), "Shooting Type Group": shooting,
        "Block Address": df["address"], "Latitude": df["lat"], "Longitude": df["lon"], "Beat": df["beat"],
        "Precinct": df["precinct"].map({"N": "North", "E": "East", "S": "South", "SW": "Southwest", "W": "West"}),
        "Sector": df["sector"], "Neighborhood": df["mcpp"], "Reporting Area": None,
        # The demo keeps the 2021 group names here so a category's series runs on across the switch.
        "Offense Category": df["parent"],
        "NIBRS Offense Code Description": df["offense"], "NIBRS_offense_code": df["code"],
    })
