"""The city's own facts (name, time zone, bounding box, meeting rhythm) from config/<city>/city.yaml.

Kept apart from settings.py because a deployment picks the city folder, while the folder
carries what is true of the city whatever the deployment.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml


def parse_yaml(text: str):
    """yaml.safe_load, through libyaml's C parser when PyYAML has it: every ETL command and app
    start reads the catalog, city and layers files, and the pure-Python parser took ~0.2 s."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # a safe loader (CSafeLoader when built)


class CityConfigError(ValueError):
    """city.yaml is missing a key or has a value of the wrong kind."""


@dataclass(frozen=True)
class Bounds:
    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon


@dataclass(frozen=True)
class City:
    folder: Path
    name: str
    timezone: str
    bounds: Bounds
    meeting_anchor: dt.date
    meeting_every_days: int
    # The meeting's hot spots mark a rise significant at this false-discovery rate (Benjamini-
    # Hochberg; packet/hotspots.py): a policy choice, so the city's, not the code's.
    hotspot_fdr: float = 0.10


def load_city(folder: Path) -> City:
    """Read folder/city.yaml; a missing or wrong key stops with one line naming file and key."""
    path = Path(folder) / "city.yaml"
    try:
        raw = parse_yaml(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise CityConfigError(f"{path}: file not found") from None
    for key in ("name", "timezone", "bounds", "meeting_anchor"):
        if key not in raw:
            raise CityConfigError(f"{path}: missing key '{key}'")
    try:
        bounds = Bounds(**{k: float(raw["bounds"][k]) for k in ("min_lat", "max_lat", "min_lon", "max_lon")})
    except (KeyError, TypeError, ValueError) as exc:
        raise CityConfigError(f"{path}: key 'bounds' needs min_lat, max_lat, min_lon, max_lon numbers ({exc})") from None
    anchor = raw["meeting_anchor"]
    if not isinstance(anchor, dt.date):
        raise CityConfigError(f"{path}: key 'meeting_anchor' must be a date like 2024-01-01")
    fdr = raw.get("hotspot_fdr", 0.10)
    if isinstance(fdr, bool) or not isinstance(fdr, (int, float)) or not 0 < fdr <= 0.25:
        raise CityConfigError(f"{path}: key 'hotspot_fdr' must be a number above 0 and at most 0.25, like 0.10")
    return City(
        folder=Path(folder), name=str(raw["name"]), timezone=str(raw["timezone"]), bounds=bounds,
        meeting_anchor=anchor, meeting_every_days=int(raw.get("meeting_every_days", 14)), hotspot_fdr=float(fdr),
    )
