"""SPD Use of Force (ppi5-g2bj): one row per officer x subject x incident.

Vintage `uof`: ID, Incident_Num, Incident_Type, Occured_date_time (the portal's spelling; the
corrected `Occurred` is accepted too), Precinct / Sector words (`Southwest`, `EDWARD`), Beat,
Officer_ID, Subject_ID, Subject_Race, Subject_Gender. Natural key: ID. category: incident type
(`Level 1 - Use of Force` ... `Level 3 - OIS`).

Column history: the CSV header from the real sample in ../shared; the API names the ID column
`uniqueid` (seen in public code that reads ppi5-g2bj's JSON: `{"uniqueid": ..., "incident_num":
..., "occured_date_time": "2024-04-17T01:00:00"}`), the rest are the normalised display names.
"""
import datetime as dt

from .base import Adapter, Vintage

ADAPTER = Adapter(
    name="use_of_force",
    title="SPD Use of Force",
    fields={
        "id": ("uof_id", "unique_id", "uniqueid"),  # uniqueid: the API's name
        "incident_num": ("incident_number",),
        "incident_type": (),
        "occured_date_time": ("occurred_date_time",),
        "precinct": (), "sector": (), "beat": (),
        "officer_id": (), "subject_id": (),
        "subject_race": (), "subject_gender": (),
    },
    vintages=(Vintage("uof", ("id", "incident_num", "incident_type", "occured_date_time"),
                      columns=("ID", "Incident_Num", "Incident_Type", "Occured_date_time", "Precinct", "Sector",
                               "Beat", "Officer_ID", "Subject_ID", "Subject_Race", "Subject_Gender")),),
    key="s.id",
    key_fields=("id",),
    time="ts(s.occured_date_time)",
    time_fields=("occured_date_time",),
    category="s.incident_type",
    start=dt.date(2014, 1, 1),
    precinct="s.precinct", sector="s.sector", beat="s.beat",
    columns=(
        ("uof_id", "VARCHAR", "s.id"),
        ("incident_num", "VARCHAR", "s.incident_num"),
        ("incident_type", "VARCHAR", "s.incident_type"),
        ("officer_id", "VARCHAR", "s.officer_id"),
        ("subject_id", "VARCHAR", "s.subject_id"),
    ),
    demographics=(("subject_race", "race", "s.subject_race"), ("subject_gender", "gender", "s.subject_gender")),
    natural_key_doc="ID",
)
