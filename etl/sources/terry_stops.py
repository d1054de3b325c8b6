"""SPD Terry Stops (28ny-9ts8): one row per stop x subject.

Vintages: `terry` (2019+: Subject ID, Reported Time, call types, Officer Squad, Arrest / Frisk
Flag) and `terry-early` (no Reported Time / flags; `Subject Race` / `Subject Gender` and `Arrest`
accepted for the perceived-race, perceived-gender and arrest-flag columns). Reported Date comes
as `2015-03-15T00:00:00Z`: a date, not an instant, so its `Z` is ignored and Reported Time
(`21:08:00.0000000`) is added. Stop Resolution, old and new wordings, is mapped to one list
(etl/sources/sqlfuncs.py RESOLUTIONS) with the raw text kept in `stop_resolution_raw`.
Natural key: Terry Stop ID.
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
        "initial_call_type": (), "final_call_type": (), "call_type": (), "officer_squad": (),
        "arrest_flag": ("arrest",), "frisk_flag": (),
        "precinct": (), "sector": (), "beat": (),
    },
    vintages=(
        Vintage("terry", ("terry_stop_id", "stop_resolution", "reported_date", "reported_time", "frisk_flag")),
        Vintage("terry-early", ("terry_stop_id", "stop_resolution", "reported_date")),
    ),
    key="s.terry_stop_id",
    key_fields=("terry_stop_id",),
    time="dt(s.reported_date) + clock(s.reported_time)",
    clock_fields=("reported_time",),
    time_fields=("reported_date",),
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
