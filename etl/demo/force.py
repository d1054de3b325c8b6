"""Demo Terry stops, use of force and officer-involved shootings, with demographic differences.

Who is stopped depends on the neighborhood (its share of residents of colour) and, as in the
real data, Black subjects are stopped, frisked and subjected to force at a higher rate than
their share of residents; the denominators files let the app show that as a ratio with an
interval. Officers are a fixed synthetic roster so officer fields repeat as they do in the exports.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from etl.demo import events, timeline
from etl.demo.events import Category
from etl.demo.places import MCPP, POC_SHARE, PRECINCT_UPPER, PRECINCT_WORD, SECTOR_WORD
from etl.demo.writers import ISO_MIDNIGHT_Z, ISO_MILLIS, TIME_7, US_DATETIME, as_date

RACES = ["White", "Black", "Hispanic", "Asian", "Native American", "Pacific Islander", "Multiracial", "Other", "Unknown"]
# Each export's own spelling of the race categories (None: not used by that export).
RACE_LABELS = {
    "terry": {"White": "White", "Black": "Black or African American", "Hispanic": "Hispanic", "Asian": "Asian",
              "Native American": "American Indian or Alaska Native", "Pacific Islander": "Native Hawaiian or Other Pacific Islander",
              "Multiracial": "Multi-Racial", "Other": "Other", "Unknown": "Unknown"},
    "uof": {"White": "White", "Black": "Black or African American", "Hispanic": "Hispanic or Latino", "Asian": "Asian",
            "Native American": "American Indian/Alaska Native", "Pacific Islander": "Nat Hawaiian/Oth Pac Islander",
            "Multiracial": "Not Specified", "Other": "Not Specified", "Unknown": "Not Specified"},
    "ois": {"White": "White", "Black": "Black or African American", "Hispanic": "Hispanic", "Asian": "Asian",
            "Native American": "Native American", "Pacific Islander": "Nat Hawaiian/Oth Pac Islander",
            "Multiracial": "Not Specified", "Other": "Not Specified", "Unknown": "Not Specified"},
}
OFFICER_RACES = ["White", "Two or More Races", "Hispanic or Latino", "Asian", "Not Specified", "Black or African American",
                 "Nat Hawaiian/Oth Pac Islander", "American Indian/Alaska Native"]
OFFICER_RACE_P = [0.72, 0.065, 0.06, 0.05, 0.045, 0.04, 0.01, 0.01]
AGE_GROUPS = ["1 - 17", "18 - 25", "26 - 35", "36 - 45", "46 - 55", "56 and Above", "-"]
AGE_P = [0.04, 0.19, 0.33, 0.22, 0.13, 0.05, 0.04]
RESOLUTIONS = [Category("Field Contact", 0.47, -0.05), Category("Offense Report", 0.27, 0.0),
               Category("Arrest", 0.24, 0.04), Category("Referred for Prosecution", 0.012, 0.0),
               Category("Citation / Infraction", 0.008, 0.0)]
WEAPONS = ["None", "-", "Lethal Cutting Instrument", "Knife/Cutting/Stabbing Instrument", "Handgun",
           "Blunt Object/Striking Implement", "Firearm", "Mace/Pepper Spray"]
WEAPON_P = [0.56, 0.37, 0.026, 0.02, 0.007, 0.0025, 0.002, 0.0015]
CALL_TYPES = [("SUSPICIOUS PERSON, VEHICLE OR INCIDENT", "--SUSPICIOUS CIRCUM. - SUSPICIOUS PERSON"),
              ("ASLT - IP/JO - DV", "--DV - DOMESTIC VIOL/ASLT (ARREST MANDATORY)"),
              ("THEFT (DOES NOT INCLUDE SHOPLIFT OR SVCS)", "--THEFT - ALL OTHER"),
              ("WEAPN-IP/JO-GUN,DEADLY WPN (NO FIREARM/THREAT/BRANDISH)", "--WEAPON, PERSON WITH - OTHER WEAPON"),
              ("TRESPASS", "--PROWLER - TRESPASS"), ("SHOPLIFT - THEFT", "--THEFT - SHOPLIFT"),
              ("ROBBERY - IP/JO (INCLUDES STRONG ARM)", "--ROBBERY - ARMED")]
PATTERN = timeline.Pattern(season_amp=0.12, weekday=timeline.WEEKEND_UP, hours=timeline.NIGHTLIFE)
TERRY_PER_YEAR = 5_000
UOF_INCIDENTS_PER_YEAR = 1_000
OIS_INCIDENTS_PER_YEAR = 6
TERRY_SQL = {"Reported Date": as_date(ISO_MIDNIGHT_Z), "Reported Time": as_date(TIME_7)}
UOF_SQL = {"Occured_date_time": as_date(US_DATETIME)}
OIS_SQL = {"Date / Time": as_date(US_DATETIME), "Subject DOB": as_date(ISO_MILLIS)}


def subject_race(rng: np.random.Generator, mcpp_i: np.ndarray, black_boost: float) -> np.ndarray:
    """Canonical race per subject, depending on the neighborhood's share of residents of colour."""
    poc = np.array([POC_SHARE.get(m[0], 0.30) for m in MCPP])[mcpp_i]
    w = np.stack([
        0.72 * (1 - poc) + 0.05,            # White
        (0.06 + 0.25 * poc) * black_boost,  # Black: over-represented against ~7% of residents
        0.02 + 0.06 * poc,                  # Hispanic
        0.01 + 0.07 * poc,                  # Asian
        np.full_like(poc, 0.025),           # Native American
        np.full_like(poc, 0.004),           # Pacific Islander
        np.full_like(poc, 0.013),           # Multiracial
        np.full_like(poc, 0.003),           # Other
        np.full_like(poc, 0.07),            # Unknown
    ], axis=1)
    cum = np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)
    k = (rng.random(len(poc))[:, None] > cum).sum(axis=1)
    return np.array(RACES, dtype=object)[np.minimum(k, len(RACES) - 1)]


class Roster:
    """A fixed pool of synthetic officers (ids, birth years, gender, race, squad)."""

    def __init__(self, rng: np.random.Generator, size: int = 900):
        self.id = rng.choice(np.arange(4000, 9000), size=size, replace=False)
        self.yob = rng.integers(1962, 2001, size)
        self.gender = events.pick(rng, ["M", "F", "N"], [0.86, 0.135, 0.005], size)
        self.race = events.pick(rng, OFFICER_RACES, OFFICER_RACE_P, size)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.integers(0, len(self.id), n)


def _place(geo, block):
    b = geo.blocks
    beat = b.beat[block]
    precinct = b.precinct[block]
    return b.mcpp[block], beat, precinct


def terry_stops(rng, geo, window, scale, roster: Roster) -> pd.DataFrame:
    ev = events.draw(rng, geo, window, "terry_stops", RESOLUTIONS, PATTERN,
                     int(TERRY_PER_YEAR * scale * window.days / 365.25))
    n = len(ev)
    mcpp_i, beat, precinct = _place(geo, ev.block)
    race = subject_race(rng, mcpp_i, black_boost=1.6)
    resolution = np.array([c.label for c in RESOLUTIONS], dtype=object)[ev.cat]
    frisk_p = np.where(race == "Black", 0.30, 0.2)
    frisk = np.where(rng.random(n) < frisk_p, "Y", "N").astype(object)
    frisk[rng.random(n) < 0.008] = "-"
    arrest = np.where((resolution == "Arrest") & (rng.random(n) < 0.45), "Y", "N").astype(object)
    off = roster.draw(rng, n)
    ct = rng.integers(0, len(CALL_TYPES), n)
    no_call = rng.random(n) < 0.22
    initial = np.where(no_call, "-", np.array([c[0] for c in CALL_TYPES], dtype=object)[ct])
    final = np.where(no_call, "-", np.array([c[1] for c in CALL_TYPES], dtype=object)[ct])
    call_type = np.where(no_call, "-", events.pick(rng, ["911", "ONVIEW", "TELEPHONE OTHER, NOT 911"], [0.55, 0.35, 0.1], n))
    no_place = rng.random(n) < 0.1
    squad = np.array([f"{PRECINCT_UPPER[p]} PCT {w} W - {SECTOR_WORD[s[0]]} - PLATOON {k}"
                      for p, s, w, k in zip(precinct, beat, rng.choice(["1ST", "2ND", "3RD"], n), rng.integers(1, 3, n))],
                     dtype=object)
    squad[rng.random(n) < 0.1] = "TRAINING - FIELD TRAINING SQUAD"
    year = events.year_of(ev.t)
    stop_id = 30_000_000_000 + np.arange(n, dtype=np.int64) * 211 + rng.integers(0, 211, n)
    subject_id = np.where(rng.random(n) < 0.6, -1, 30_000_000_000 + rng.integers(0, 10**10, n))
    go = year * 10**10 + rng.integers(1, 600_000, n)
    t = ev.t.astype("datetime64[s]")
    gender = events.pick(rng, ["Male", "Female", "Unable to Determine", "-", "Unknown"], [0.78, 0.2, 0.008, 0.006, 0.006], n)
    race_raw = np.array([RACE_LABELS["terry"][r] for r in race], dtype=object)
    race_raw[rng.random(n) < 0.03] = "-"
    return pd.DataFrame({
        "Subject Age Group": events.pick(rng, AGE_GROUPS, AGE_P, n), "Subject ID": subject_id,
        "GO / SC Num": go, "Terry Stop ID": stop_id, "Stop Resolution": resolution,
        "Weapon Type": events.pick(rng, WEAPONS, WEAPON_P, n), "Officer ID": roster.id[off],
        "Officer YOB": roster.yob[off], "Officer Gender": roster.gender[off],
        "Officer Race": roster.race[off], "Subject Perceived Race": race_raw, "Subject Perceived Gender": gender,
        "Reported Date": t, "Reported Time": t,
        "Initial Call Type": initial, "Final Call Type": final, "Call Type": call_type.astype(object),
        "Officer Squad": squad, "Arrest Flag": arrest, "Frisk Flag": frisk,
        "Precinct": np.where(no_place, "-", events.block_values(geo, ev.block, PRECINCT_WORD, "precinct")),
        "Sector": np.where(no_place, "-", geo.blocks.sector[ev.block]),
        "Beat": np.where(no_place, "-", beat),
    })


def use_of_force(rng, geo, window, scale, roster: Roster) -> pd.DataFrame:
    levels = [Category("Level 1 - Use of Force", 0.71, -0.04), Category("Level 2 - Use of Force", 0.27, 0.03),
              Category("Level 3 - Use of Force", 0.012, 0.0), Category("Level 3 - OIS", 0.008, 0.0)]
    ev = events.draw(rng, geo, window, "use_of_force", levels, PATTERN,
                     int(UOF_INCIDENTS_PER_YEAR * scale * window.days / 365.25))
    # One row per officer x subject: most incidents have one row, some two to four.
    rows = rng.choice([1, 2, 3, 4], size=len(ev), p=[0.62, 0.25, 0.09, 0.04])
    inc = np.repeat(np.arange(len(ev)), rows)
    n = len(inc)
    mcpp_i, beat, precinct = _place(geo, ev.block[inc])
    subj_of_inc = 10_000 + np.arange(len(ev)) * 3 + rng.integers(0, 3, len(ev))
    subject = subj_of_inc[inc]
    race_inc = subject_race(rng, geo.blocks.mcpp[ev.block], black_boost=1.8)
    race = np.array([RACE_LABELS["uof"][r] for r in race_inc[inc]], dtype=object)
    off = roster.draw(rng, n)
    year = events.year_of(ev.t[inc])
    seq = events.number_in_year(year)
    uof_id = [f"{y}UOF-{s:04d}-{o}-{sub}" for y, s, o, sub in zip(year, seq, roster.id[off], subject)]
    gender_inc = events.pick(rng, ["Male", "Female", "Unknown", "-", "Transgender Female", "Non-binary"],
                             [0.76, 0.21, 0.025, 0.004, 0.0007, 0.0003], len(ev))
    no_place = rng.random(n) < 0.03
    return pd.DataFrame({
        "ID": np.array(uof_id, dtype=object), "Incident_Num": 60_000 + inc,
        "Incident_Type": np.array([c.label for c in levels], dtype=object)[ev.cat[inc]],
        "Occured_date_time": (ev.t[inc] // 60 * 60).astype("datetime64[s]"),
        "Precinct": np.where(no_place, "-", events.block_values(geo, ev.block[inc], PRECINCT_WORD, "precinct")),
        "Sector": np.where(no_place, None, events.block_values(geo, ev.block[inc], SECTOR_WORD, "sector")),
        "Beat": np.where(no_place, "-", beat),
        "Officer_ID": roster.id[off], "Subject_ID": subject,
        "Subject_Race": race, "Subject_Gender": gender_inc[inc],
    })


def ois(rng, geo, window, scale) -> pd.DataFrame:
    n_inc = max(3, int(round(OIS_INCIDENTS_PER_YEAR * scale * window.days / 365.25)))
    ev = events.draw(rng, geo, window, "ois", [Category("OIS", 1.0)], PATTERN, n_inc)
    rows = rng.choice([1, 2, 3], size=len(ev), p=[0.6, 0.3, 0.1])
    inc = np.repeat(np.arange(len(ev)), rows)
    n = len(inc)
    t = ev.t // 60 * 60
    year = events.year_of(t)
    incident_number = (year * 10**10 + 100_000 + np.arange(len(ev)) * 977).astype(str)
    frb = np.array([f"FRB {y % 100:02d}-{i % 20 + 1:02d}" if rng.random() < 0.5 else None for i, y in enumerate(year)], dtype=object)
    address = events.block_address(geo, ev.block, rng, style="ois")
    race = subject_race(rng, geo.blocks.mcpp[ev.block], black_boost=1.8)
    fatal = events.pick(rng, ["Yes", "No"], [0.5, 0.5], len(ev))
    weapon = events.pick(rng, ["Handgun", "Knife", "Vehicle", "Rifle", None], [0.4, 0.25, 0.1, 0.05, 0.2], len(ev))
    age = rng.integers(17, 66, len(ev))
    dob = (t - (age * 365.25 + rng.integers(0, 365, len(ev))).astype(np.int64) * 86_400) // 86_400 * 86_400
    summary = [_summary(int(ti), a, w, f) for ti, a, w, f in zip(t, address, weapon, fatal)]
    return pd.DataFrame({
        "FRB #": frb[inc], "Incident Number": incident_number[inc].astype(object),
        "Date / Time": t[inc].astype("datetime64[s]"), "Blurred Address": address[inc],
        "Longitude": np.round(geo.blocks.lon[ev.block], 7)[inc], "Latitude": np.round(geo.blocks.lat[ev.block], 8)[inc],
        "City": "Seattle", "State": "WA",
        "Rank": events.pick(rng, ["Officer", "POLICE OFFICER", "Sergeant", "Detective"], [0.5, 0.35, 0.08, 0.07], n),
        "Officer Gender": events.pick(rng, ["Male", "Female"], [0.88, 0.12], n),
        "Officer Race": events.pick(rng, ["White", "Black or African American", "Hispanic/Latino", "Asian/Pacific Islander", "AI/AN"],
                                    [0.78, 0.06, 0.06, 0.06, 0.04], n),
        "Years of SPD Service": rng.integers(1, 25, n).astype(str).astype(object),
        "Officer Injured": events.pick(rng, ["No", "Yes"], [0.9, 0.1], n),
        "Number of Rounds": events.pick(rng, ["1", "2", "3", "Multiple"], [0.2, 0.2, 0.15, 0.45], n),
        "Subject Gender": events.pick(rng, ["Male", "Female"], [0.9, 0.1], len(ev))[inc],
        "Subject Race": np.array([RACE_LABELS["ois"][r] for r in race], dtype=object)[inc],
        "Subject DOB": dob[inc].astype("datetime64[s]"), "Subject Age": age[inc].astype(str).astype(object),
        "Subject Weapon": np.where(weapon == None, "No", "Yes")[inc].astype(object),  # elementwise: which rows have no weapon
        "Type of Weapon": weapon[inc], "Fatal": fatal[inc],
        "On-duty": "Yes", "Disposition": events.pick(rng, ["Within Policy", "Justified", "Out of Policy"], [0.6, 0.3, 0.1], n),
        "Officer Disciplined?": events.pick(rng, ["No", "Yes"], [0.93, 0.07], n),
        "Summary": np.array(summary, dtype=object)[inc],
    })


def _summary(t: int, address: str, weapon, fatal: str) -> str:
    """A short synthetic narrative in the export's style: two paragraphs inside one quoted field."""
    when = dt.datetime.fromtimestamp(t, dt.UTC)
    armed = f"armed with a {weapon.lower()}" if weapon else "reported to be armed"
    outcome = ("The subject died at the scene." if fatal == "Yes"
               else "The subject was treated for a gunshot wound at Harborview Medical Center.")
    return (f"(Synthetic demo record.) On {when:%B} {when.day}, {when.year}, at approximately {when:%I:%M %p}, "
            f"Seattle Police Officers responded to {address} after a report of a person {armed}. "
            f"Officers gave commands; the subject did not comply and an officer fired.\n\n{outcome}")
