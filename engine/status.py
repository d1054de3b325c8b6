"""On track / at risk / off track: one rule for every measure, from target, direction and tolerance.

For a measure where lower is better: at or below target is on track; above target but within
the tolerance band (target + tolerance_pct of target) is at risk; beyond it is off track. Higher
is better mirrors this. No value (no events to compute from, no residents, too few cases for a
percentile or share) is 'no_data'; a measure without a target is 'no_target'.
"""
from __future__ import annotations

import math

STATUSES = ("on_track", "at_risk", "off_track", "no_data", "no_target", "not_covered")
LABELS = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track",
          "no_data": "Not enough data", "no_target": "No target", "not_covered": "Not covered"}


def status(value, target, direction: str, tolerance_pct: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no_data"
    if target is None or direction == "none" or (isinstance(target, float) and math.isnan(target)):
        return "no_target"
    band = abs(target) * tolerance_pct / 100.0
    if direction == "down":
        if value <= target:
            return "on_track"
        return "at_risk" if value <= target + band else "off_track"
    if value >= target:
        return "on_track"
    return "at_risk" if value >= target - band else "off_track"
