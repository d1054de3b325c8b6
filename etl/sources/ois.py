"""SPD Officer Involved Shootings (mg5r-efcm): one row per officer involved.

Vintage `ois`: FRB #, Incident Number, Date / Time, Blurred Address, Longitude, Latitude, Rank,
Officer Gender / Race, Years of SPD Service, Officer Injured, Number of Rounds, Subject Gender /
Race / DOB / Age / Weapon, Type of Weapon, Fatal, On-duty, Disposition, Officer Disciplined?,
Summary (free text with newlines inside quotes). The file has no officer id, so the natural key
is `FRB # | Incident Number | n`, n = the rank of the row's content among that incident's distinct
rows (FRB # is empty in about half the rows): identical repeated rows are one officer. category: `Fatal` / `Non-fatal`.
"""
import datetime as dt

from .base import Adapter, Vintage

FIELDS = {
    "frb": ("frb_number",), "incident_number": (), "date_time": ("date",),
    "blurred_address": (), "longitude": ("geometry_longitude",), "latitude": ("geometry_latitude",),
    "city": (), "state": (), "rank": (),
    "officer_gender": (), "officer_race": (), "years_of_spd_service": (), "officer_injured": (),
    "number_of_rounds": (), "subject_gender": (), "subject_race": (), "subject_dob": (),
    "subject_age": (), "subject_weapon": (), "type_of_weapon": (), "fatal": (), "on_duty": (),
    "disposition": (), "officer_disciplined": (), "summary": (),
}

ADAPTER = Adapter(
    name="ois",
    title="SPD Officer Involved Shootings",
    fields=FIELDS,
    vintages=(Vintage("ois", ("incident_number", "date_time", "fatal", "number_of_rounds"),
                      columns=("FRB #", "Incident Number", "Date / Time", "Blurred Address", "Longitude", "Latitude",
                               "City", "State", "Rank", "Officer Gender", "Officer Race", "Years of SPD Service",
                               "Officer Injured", "Number of Rounds", "Subject Gender", "Subject Race",
                               "Subject DOB", "Subject Age", "Subject Weapon", "Type of Weapon", "Fatal", "On-duty",
                               "Disposition", "Officer Disciplined?", "Summary")),),
    # officer n of the incident = rank of the row's CONTENT among the incident's distinct rows, so a
    # repeated identical row gets the same key (a duplicate, not an extra officer) and re-loading
    # the same rows in another order gives the same keys
    key="coalesce(s.frb, '') || '|' || s.incident_number || '|' || "
        "dense_rank() OVER (PARTITION BY s.frb, s.incident_number ORDER BY md5(CAST(struct_pack(" + ", ".join(
            f"{f} := s.{f}" for f in FIELDS) + ") AS VARCHAR)))",
    key_fields=("incident_number",),
    time="ts(s.date_time)",
    time_fields=("date_time",),
    category="CASE flag(s.fatal) WHEN TRUE THEN 'Fatal' WHEN FALSE THEN 'Non-fatal' END",
    start=dt.date(2005, 1, 1),
    lat="num(s.latitude)", lon="num(s.longitude)",
    columns=(
        ("frb_number", "VARCHAR", "s.frb"),
        ("incident_number", "VARCHAR", "s.incident_number"),
        ("block_address", "VARCHAR", "s.blurred_address"),
        ("rank", "VARCHAR", "s.rank"),
        ("years_of_service", "INTEGER", "int_(s.years_of_spd_service)"),
        ("officer_injured", "BOOLEAN", "flag(s.officer_injured)"),
        ("number_of_rounds", "INTEGER", "int_(s.number_of_rounds)"),
        ("subject_dob", "DATE", "CAST(dt(s.subject_dob) AS DATE)"),
        ("subject_age", "INTEGER", "int_(s.subject_age)"),
        ("subject_weapon", "BOOLEAN", "flag(s.subject_weapon)"),
        ("type_of_weapon", "VARCHAR", "s.type_of_weapon"),
        ("fatal", "BOOLEAN", "flag(s.fatal)"),
        ("on_duty", "BOOLEAN", "flag(s.on_duty)"),
        ("disposition", "VARCHAR", "s.disposition"),
        ("officer_disciplined", "VARCHAR", "s.officer_disciplined"),
        ("summary", "VARCHAR", "s.summary"),
    ),
    demographics=(
        ("subject_race", "race", "s.subject_race"), ("subject_gender", "gender", "s.subject_gender"),
        ("officer_race", "race", "s.officer_race"), ("officer_gender", "gender", "s.officer_gender"),
    ),
    natural_key_doc="FRB # | Incident Number | n (rank of the row among the incident's distinct rows)",
)
