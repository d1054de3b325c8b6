"""Write demo files byte-for-byte in the real exports' layout: header, BOM, line ending, quoting.

Each dataset's layout (the exact header line, UTF-8 BOM or not, LF or CRLF) lives in FORMATS, the
one place the test compares against the real samples. Rows are written by DuckDB's CSV writer
(fast, and it quotes only when a value needs it, as Socrata does); dates are formatted in the
same pass with strftime, and numbers are turned into ids there too.
"""
from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd


@dataclass(frozen=True)
class FileFormat:
    header: str
    bom: bool
    eol: str  # "\n" or "\r\n"


FORMATS = {
    "crime/2021": FileFormat(
        "Report Number,Offense ID,Offense Start DateTime,Offense End DateTime,Report DateTime,Group A B,"
        "Crime Against Category,Offense Parent Group,Offense,Offense Code,Precinct,Sector,Beat,MCPP,"
        "100 Block Address,Longitude,Latitude", True, "\n"),
    "crime/2025": FileFormat(
        "Report Number,Report DateTime,Offense ID,Offense Date,NIBRS Group AB,NIBRS Crime Against Category,"
        "Offense Sub Category,Shooting Type Group,Block Address,Latitude,Longitude,Beat,Precinct,Sector,"
        "Neighborhood,Reporting Area,Offense Category,NIBRS Offense Code Description,NIBRS_offense_code", True, "\n"),
    "calls/call_data": FileFormat(
        "CAD Event Number,Event Clearance Description,Call Type,Priority,Initial Call Type,Final Call Type,"
        "Original Time Queued,Arrived Time,Precinct,Sector,Beat,Blurred_Longitude,Blurred_Latitude", True, "\n"),
    "use_of_force/2022": FileFormat(
        "ID,Incident_Num,Incident_Type,Occured_date_time,Precinct,Sector,Beat,Officer_ID,Subject_ID,"
        "Subject_Race,Subject_Gender", False, "\n"),
    "terry_stops/2023": FileFormat(
        "Subject Age Group,Subject ID,GO / SC Num,Terry Stop ID,Stop Resolution,Weapon Type,Officer ID,"
        "Officer YOB,Officer Gender,Officer Race,Subject Perceived Race,Subject Perceived Gender,Reported Date,"
        "Reported Time,Initial Call Type,Final Call Type,Call Type,Officer Squad,Arrest Flag,Frisk Flag,"
        "Precinct,Sector,Beat", False, "\n"),
    "ois/2019": FileFormat(
        "FRB #,Incident Number,Date / Time,Blurred Address,Longitude,Latitude,City,State,Rank,Officer Gender,"
        "Officer Race,Years of SPD Service,Officer Injured,Number of Rounds,Subject Gender,Subject Race,"
        "Subject DOB,Subject Age,Subject Weapon,Type of Weapon,Fatal,On-duty,Disposition,Officer Disciplined?,"
        "Summary", False, "\n"),
    "fire_calls/2022": FileFormat("Address,Type,Datetime,Latitude,Longitude,Report Location,Incident Number", False, "\r\n"),
    # No real export exists; the portal's display header, in the layout of the other Socrata exports.
    "service_requests/display": FileFormat(
        "Service Request Number,Web Intake Service Requests,Department Name,Created Date,Method Received Name,"
        "Service Request Status Name,Location,Latitude,Longitude,ZIP Code,Council District,Police Precinct,"
        "Community Reporting Area", False, "\n"),
    "population/sei_csv": FileFormat(
        "OBJECTID,GEOID,ACRES_TOTAL,PCT_PEOPLE_OF_COLOR,PCT_ENGLISH_LANG_LEARNERS,PCT_FOREIGN_BORN,"
        "PCT_POP_UNDER200PCT_POVERTY,PCT_LESS_BACHELOR_DEGREE,PCT_ADULT_NOLEISUREPHYSACTIV,PCT_ADULT_WITH_DIABETES,"
        "PCT_ADULT_WITH_OBESITY,PCT_ADULT_MENTALHLTHNOTGOOD,PCT_ADULT_WITH_ASTHMA,LIFE_EXPECTANCY_AT_BIRTH,"
        "PCT_ADULT_WITH_DISABILITY,PTL_PEOPLE_OF_COLOR,PTL_ENGLISH_LANG_LEARNERS,PTL_FOREIGN_BORN,"
        "PTL_POP_UNDER200PCT_POVERTY,PTL_LESS_BACHELOR_DEGREE,PTL_ADULT_NOLEISUREPHYSACTIV,PTL_ADULT_WITH_DIABETES,"
        "PTL_ADULT_WITH_OBESITY,PTL_ADULT_MENTALHLTHNOTGOOD,PTL_ADULT_WITH_ASTHMA,PTL_LOW_LIFE_EXPECT_AT_BIRTH,"
        "RACE_ELL_ORIGINS_PERCENTILE,SOCIOECON_DISADV_PERCENTILE,HEALTH_DISADV_PERCENTILE,COMPOSITE_PERCENTILE,"
        "RACE_ELL_ORIGINS_QUINTILE,HEALTH_DISADV_QUINTILE,COMPOSITE_QUINTILE,TRACTCE,TRACT,NAME,NAMELSAD,POP_POC,"
        "POP_TOTAL_FOR_POC,POP_FOREIGN_BORN,POP_TOTAL_FOR_FOREIGN_BORN,POP_ENGLISH_LANG_LEARNERS,POP_5_YRS_AND_OLDER,"
        "POP_LESS_THAN_BACHELOR_DEG,POP_25_YRS_AND_OLDER,POP_UNDER200PCT_POVERTY,POP_POV_STATUS_DETERMINED,"
        "POP_ADULT_WITH_DISABILITY,POP_ADULT_CIVILIAN_NONINST,COMPOSITE_SCORE,RACE_ELL_ORIGINS_SCORE,"
        "SOCIOECON_DISADV_SCORE,HEALTH_DISADV_SCORE,SOCIOECON_DISADV_QUINTILE,PTL_ADULT_WITH_DISABILITY,"
        "SHAPE_Length,SHAPE_Area", True, "\n"),
    "population/ofm": FileFormat("Year,Population", False, "\r\n"),
    "population/race": FileFormat("Race,Year,Population,Percent", True, "\n"),
    # No real counterpart (etl/population.py defines it): plain UTF-8, LF.
    "population/tract_race": FileFormat("GEOID,Year,Race,Population", False, "\n"),
}

# Date layouts the real exports use (strftime).
US_DATETIME = "%m/%d/%Y %I:%M:%S %p"      # 02/05/2020 09:39:33 AM
NIBRS_2025 = "%Y %b %d %I:%M:%S %p"      # 2025 Dec 01 09:15:21 PM
ISO_MIDNIGHT_Z = "%Y-%m-%dT00:00:00Z"    # Terry stops Reported Date
TIME_7 = "%H:%M:%S.0000000"              # Terry stops Reported Time
ISO_MILLIS = "%Y-%m-%dT%H:%M:%S.000"     # OIS Subject DOB


def _literal(value: str | None) -> str:
    return "NULL" if value is None else "'" + str(value).replace("'", "''") + "'"


def as_date(pattern: str) -> str:
    """SQL template formatting a datetime64 column with a strftime pattern."""
    return f"strftime({{c}}, '{pattern}')"


ZERO_AS_0 = "CASE WHEN {c} = 0 THEN '0' ELSE CAST({c} AS VARCHAR) END"  # the crime export writes 0, not 0.0


def _ident(name: str) -> str:
    return re.sub(r"\W", "_", name)


def write_csv(path: Path, frame: pd.DataFrame, fmt: FileFormat, sql: dict[str, str] | None = None,
              overrides: dict[str, dict[int, str | None]] | None = None) -> Path:
    """Write frame's columns in order under fmt's header. None/NaN/NaT become empty fields.

    `sql` {column: template} writes a column through a DuckDB expression: `{c}` is the column
    itself and `{Other_Name}` another column (non-word characters as `_`), e.g. as_date(...).
    `overrides` {column: {row index: raw text}} replaces single values verbatim (bad rows on purpose).
    """
    sql, overrides = sql or {}, overrides or {}
    header = fmt.header
    if len(header.split(",")) != frame.shape[1]:
        raise ValueError(f"{path.name}: header has {len(header.split(','))} fields, frame {frame.shape[1]}")
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = [f"c{i}" for i in range(frame.shape[1])]
    names = {_ident(name): c for c, name in zip(cols, frame.columns)}
    data = frame.set_axis(cols, axis=1).assign(__i=range(len(frame)))
    exprs = []
    for c, name in zip(cols, frame.columns):
        expr = sql[name].format(c=c, **names) if name in sql else c
        if name in overrides:
            whens = " ".join(f"WHEN {int(i)} THEN {_literal(v)}" for i, v in overrides[name].items())
            expr = f"CASE __i {whens} ELSE CAST({expr} AS VARCHAR) END"
        exprs.append(f"{expr} AS {c}")
    select = ", ".join(exprs)
    body = path.with_name(path.name + ".body")
    con = duckdb.connect()
    try:
        con.register("frame", data)
        eol = "\\r\\n" if fmt.eol == "\r\n" else "\\n"
        target = str(body).replace("'", "''")
        con.execute(f"COPY (SELECT {select} FROM frame) TO '{target}' (FORMAT csv, HEADER false, NEW_LINE '{eol}')")
    finally:
        con.close()
    with open(path, "wb") as out:
        out.write((b"\xef\xbb\xbf" if fmt.bom else b"") + (header + fmt.eol).encode("utf-8"))
        with open(body, "rb") as src:
            shutil.copyfileobj(src, out, 1 << 22)
    os.remove(body)
    return path
