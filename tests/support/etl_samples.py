"""Real Seattle records of every dataset, re-written with the damage a test needs.

Shared by the ETL integrity tests: each takes a few real records (parsed quote-aware, so the
officer-involved-shooting summaries keep their newlines), changes one field by its header name,
and writes the file with the line endings under test. Service requests have no real sample:
their rows are the portal's CSV headers with plain values.
"""
from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.support.etl_files import query  # re-exported: the ETL tests import it from here too

ROOT = Path(__file__).resolve().parents[2]

SAMPLES = {
    "crime": "crime/spd_crime_data_2008-present__2021-09_robbery_only.csv",
    "calls": "calls_911/call_data__2024-05_east_sector_c.csv",
    "use_of_force": "use_of_force/use_of_force__2022-04.csv",
    "terry_stops": "terry_stops/terry_stops__2023-11.csv",
    "ois": "ois/spd_officer_involved_shooting__data-thru-2019-07.csv",
    "fire_calls": "fire_911/seattle_real_time_fire_911_calls__2022-01.csv",
}
SERVICE_HEADER = ["Service Request Number", "Web Intake Service Requests", "Department Name", "Created Date"]

# the field each dataset's event time comes from, and how that field writes a date
EVENT_FIELD = {
    "crime": ("Offense Start DateTime", "{m}/{d}/{y} 01:00:00 AM"),
    "calls": ("Original Time Queued", "{m}/{d}/{y} 01:00:00 AM"),
    "use_of_force": ("Occured_date_time", "{m}/{d}/{y} 01:00:00 AM"),
    "terry_stops": ("Reported Date", "{y}-{m}-{d}T00:00:00Z"),
    "ois": ("Date / Time", "{m}/{d}/{y} 01:00:00 AM"),
    "fire_calls": ("Datetime", "{m}/{d}/{y} 01:00:00 AM"),
    "service_requests": ("Created Date", "{m}/{d}/{y} 01:00:00 AM"),
}
DATASETS = tuple(EVENT_FIELD)


def records(seattle_data: Path | None, dataset: str, n: int) -> tuple[list[str], list[list[str]]]:
    """(header, first n records) of the dataset's real sample (service requests: made up)."""
    if dataset == "service_requests":
        rows = [[f"23-{i:08d}", "Abandoned Vehicle", "SPD", f"03/{1 + i % 28:02d}/2023 0{1 + i % 9}:15:00 PM"]
                for i in range(n)]
        return list(SERVICE_HEADER), rows
    with open(seattle_data / SAMPLES[dataset], newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = [r for _, r in zip(range(n), reader)]
    return header, rows


def set_field(header: list[str], row: list[str], name: str, value: str) -> list[str]:
    row = list(row)
    row[header.index(name)] = value
    return row


def write_csv(path: Path, header: list[str], rows: list[list[str]], newline: str = "\n",
              header_newline: str | None = None, newlines: dict[int, str] | None = None) -> Path:
    """Write with `newline` after each record (`newlines`: record index -> another ending)."""
    def line(rec):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(rec)
        return buf.getvalue()

    out = [line(header) + (header_newline or newline)]
    out += [line(r) + (newlines or {}).get(i, newline) for i, r in enumerate(rows)]
    path.write_bytes("".join(out).encode("utf-8"))
    return path


def etl(*args, env: dict | None = None, timeout: float = 300):
    """`python -m etl ...` in a child process, as a user runs it."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("SEASTAT_")}
    base.update(env or {})
    return subprocess.run([sys.executable, "-m", "etl", *map(str, args)], cwd=ROOT, env=base,
                          capture_output=True, text=True, timeout=timeout)


def accounting(stdout: str) -> str:
    """The accounting part of `load`'s per-file line: 'read N, loaded N, rejected N, duplicate N'."""
    line = next(ln for ln in stdout.splitlines() if ": read " in ln)
    m = re.search(r"read \d+, loaded \d+, rejected \d+, duplicate \d+", line)
    return m.group(0)  # derived keys and absent columns follow it when there are any (etl/cli_load.py)


