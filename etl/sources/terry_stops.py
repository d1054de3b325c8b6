"""SPD Terry Stops (28ny-9ts8): one row per stop x subject.

Vintages: `terry` (2019+: Subject ID, Reported Time, call types, Officer Squad, Arrest / Frisk
Flag) and `terry-early` (no Reported Time / flags; `Subject Race` / `Subject Gender` and `Arrest`
accepted for the perceived-race, perceived-gender and arrest-flag columns). Reported Date comes
as `2015-03-15T00:00:00Z`: a date, not an instant, so its `Z` is ignored and Reported Time
(`21:08:00.0000000`) is added. Stop Resolution, old and new wordings, is mapped to one list
(etl/sources/sqlfuncs.py RESOLUTIONS) with the raw text kept in `stop_resolution_raw`.
Natural key: Terry Stop ID.

The early API squashed some names (`subjectrace`, `subjectgender`, next to `reported_date`:
public R code of 2016-2017 that reads 28ny-9ts8 with RSocrata); etl/sources/base.py
`Adapter.spelled` matches any header that differs from a known one only by underscores.
Column history: the 23-column header of 2019+ from the real sample and several public analyses
(e.g. data-gab/Terry-Stops's README lists every column); the first years' exports (2015-2017)
lacked Subject ID, Reported Time, the call types, Officer Squad and the flags, which the
`terry-early` vintage lists; a file in between (some of those columns, not all) loads as a column
subset of whichever vintage it shares most with.
"""
import datetime as dt

from .base import Adapter, Vintage

ADAPTER = Adapter(
    name="terry_stops",
    title="SPD Terry Stops",
    fields={
        "subject_age_group": (), "subject_id": (), "go_sc_num": (), "terry_stop_id": (),
        "stop_resolution": (), "weapon_type": (), "officer_id": (), "officer_yob": (),
        "officer_gender": (), "officer_race": (),
        "subject_perceived_race": ("subject_race",), "subject_perceived_gender": ("subject_gender",),
        "reported_date": (), "reported_time": (),
        # a 2025 export names an `Occurred Date` (seen in public code, format unknown): used when
        # Reported Date is absent or empty
        "occurred_date": (), "occurred_time": (),
        "initial_call_type": (), "final_call_type": (), "call_type": (), "officer_squad": (),
        "arrest_flag": ("arrest",), "frisk_flag": (),
        "precinct": (), "sector": (), "beat": (),
    },
    vintages=(
        Vintage("terry", ("terry_stop_id", "stop_resolution", "reported_date", "reported_time", "frisk_flag"),
                columns=("Subject Age Group", "Subject ID", "GO / SC Num", "Terry Stop ID", "Stop Resolution",
                         "Weapon Type", "Officer ID", "Officer YOB", "Officer Gender", "Officer Race",
                         "Subject Perceived Race", "Subject Perceived Gender", "Reported Date", "Reported Time",
                         "Initial Call Type", "Final Call Type", "Call Type", "Officer Squad", "Arrest Flag",
                         "Frisk Flag", "Precinct", "Sector", "Beat")),
        Vintage("terry-early", ("terry_stop_id", "stop_resolution", "reported_date"),
                columns=("Subject Age Group", "GO / SC Num", "Terry Stop ID", "Stop Resolution", "Weapon Type",
                         "Officer ID", "Officer YOB", "Officer Gender", "Officer Race", "Subject Perceived Race",
                         "Subject Perceived Gender", "Reported Date", "Precinct", "Sector", "Beat")),
    ),
    key="s.terry_stop_id",
    key_fields=("terry_stop_id",),
    time="coalesce(dt(s.reported_date) + clock(s.reported_time), "
         "CASE WHEN s.occurred_time IS NULL THEN ts(s.occurred_date) "
         "ELSE dt(s.occurred_date) + hhmm(s.occurred_time) END)",
    clock_fields=("reported_time",),
    time_fields=("reported_date", "occurred_date"),
    category="resolution_cat(s.stop_resolution)",
    start=dt.date(2015, 3, 1),
    precinct="s.precinct", sector="s.sector", beat="s.beat",
    columns=(
        ("terry_stop_id", "VARCHAR", "s.terry_stop_id"),
        ("subject_id", "VARCHAR", "s.subject_id"),
        ("go_sc_num", "VARCHAR", "s.go_sc_num"),
        ("weapon_type", "VARCHAR", "s.weapon_type"),
        ("officer_id", "VARCHAR", "s.officer_id"),
        ("officer_yob", "INTEGER", "int_(s.officer_yob)"),
        ("initial_call_type", "VARCHAR", "s.initial_call_type"),
        ("final_call_type", "VARCHAR", "regexp_replace(s.final_call_type, '^-+\\s*', '')"),
        ("call_type", "VARCHAR", "s.call_type"),
        ("officer_squad", "VARCHAR", "s.officer_squad"),
        ("arrest_flag", "BOOLEAN", "flag(s.arrest_flag)"),
        ("frisk_flag", "BOOLEAN", "flag(s.frisk_flag)"),
    ),
    demographics=(
        ("stop_resolution", "resolution", "s.stop_resolution"),
        ("subject_race", "race", "s.subject_perceived_race"),
        ("subject_gender", "gender", "s.subject_perceived_gender"),
        ("subject_age_group", "age", "s.subject_age_group"),
        ("officer_race", "race", "s.officer_race"),
        ("officer_gender", "gender", "s.officer_gender"),
    ),
    natural_key_doc="Terry Stop ID",
)
