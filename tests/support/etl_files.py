"""Small raw files in the real 2021 crime format, written into a test's tmp_path.

Shared by the tests/test_etl_*.py modules so each test states only the rows it cares about.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

CRIME_HEADER = ("Report Number,Offense ID,Offense Start DateTime,Offense End DateTime,Report DateTime,Group A B,"
                "Crime Against Category,Offense Parent Group,Offense,Offense Code,Precinct,Sector,Beat,MCPP,"
                "100 Block Address,Longitude,Latitude")


def crime_row(offense_id: str, start: str = "02/04/2020 08:00:00 AM", group: str = "ROBBERY",
              precinct: str = "W", sector: str = "K", beat: str = "K1", lon: str = "-122.3305",
              lat: str = "47.6051", report: str = "02/04/2020 11:54:26 AM") -> str:
    return (f"2020-0001,{offense_id},{start},,{report},A,PROPERTY,{group},Robbery,120,{precinct},{sector},{beat},"
            f"DOWNTOWN COMMERCIAL,COLUMBIA ST / 5TH AVE,{lon},{lat}")


def write(path: Path, lines: list[str], newline: str = "\n", bom: bool = False, delimiter: str = ",") -> Path:
    text = newline.join(line.replace(",", delimiter) for line in lines) + newline
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def crime_file(path: Path, rows: list[str], **kw) -> Path:
    return write(path, [CRIME_HEADER, *rows], **kw)


def query(db: Path, sql: str, params=None) -> list[tuple]:
    """Read the warehouse the way the app does (read-only, fresh connection, closed after)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
