"""A city whose only portal dataset is Real Time Fire 911 Calls, fed by days the test chooses.

The refresh, alert and scheduler tests need a portal whose rows they control day by day (a feed
that grows, then stops), in the exact format data.seattle.gov serves (the real sample's header and
date format; tests/support/sodaserver.py turns it into the portal's API names and timestamps).
`city_folder` copies config/seattle with a portal.yaml listing fire_calls only, plus any extra
files (ops.yaml), so a refresh asks the test server for nothing it does not have.
"""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
FIRE_ID = "kzjm-xkqj"
HEADER = "Address,Type,Datetime,Latitude,Longitude,Report Location,Incident Number"


def fire_calls(path: Path, per_day: dict[dt.date, int]) -> Path:
    """Write `per_day[d]` aid responses on each day d (at 08:00, one minute apart); returns path.
    Incident numbers depend only on the day and the call's number, so a later, longer file
    repeats the earlier rows exactly (as the portal does) and adds the new days."""
    lines = [HEADER]
    for day in sorted(per_day):
        for i in range(per_day[day]):
            when = dt.datetime.combine(day, dt.time(8, 0)) + dt.timedelta(minutes=i)
            lines.append(f"5300 24th Ave Ne,Aid Response,{when.strftime('%m/%d/%Y %I:%M:%S %p')},47.66707,"
                         f"-122.301946,POINT (-122.301946 47.66707),F{day.strftime('%y%m%d')}{i:04d}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def days(first: dt.date, last: dt.date, n: int) -> dict[dt.date, int]:
    """n calls on every day from first to last, both included."""
    return {first + dt.timedelta(days=k): n for k in range((last - first).days + 1)}


def city_folder(tmp: Path, extra: dict[str, dict] | None = None) -> Path:
    """config/seattle copied to tmp/city with portal.yaml reduced to fire_calls; extra: {file name: YAML data}."""
    folder = tmp / "city"
    shutil.copytree(ROOT / "config" / "seattle", folder)
    portal = yaml.safe_load((folder / "portal.yaml").read_text(encoding="utf-8"))
    portal["datasets"] = {"fire_calls": portal["datasets"]["fire_calls"]}
    (folder / "portal.yaml").write_text(yaml.safe_dump(portal), encoding="utf-8")
    for name, data in (extra or {}).items():
        (folder / name).write_text(yaml.safe_dump(data), encoding="utf-8")
    return folder
