"""`<city folder>/ops.yaml`: who is told what, and when jobs run. Read by the alerts and the clock.

Owners live here, not in the catalog: an email address is a deployment's contact list, which
changes with staff, while the catalog defines what a measure means. A measure's alerts go to
`owners.measures[id]`, else its goal's `owners.goals[goal]`, else `owners.operators`; a
dataset's to `owners.datasets[id]` (its steward), else the operators; a commitment's to
`owners.people[<the ledger item's owner>]`, else the operators.
Every problem stops with one line naming the file and the key.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from city import parse_yaml

JOBS = ("refresh", "alerts", "digest")          # what the clock knows how to run, in the order it runs them
MEASURE_STATUSES = ("on_track", "at_risk", "off_track", "no_data", "no_target")
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
_EVERY = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class OpsConfigError(ValueError):
    """ops.yaml is wrong; the message is one line naming the file and key."""


@dataclass(frozen=True)
class Rules:
    overdue: bool = True                       # a dataset older than its cadence + lag (city.yaml)
    max_reject_rate: float = 0.05              # a refresh that rejected more than this share of a dataset's rows
    row_count_factor: float = 5.0              # a refresh that loaded this many times the usual rows (or 1/this)
    measure_status: tuple[str, ...] = ("off_track",)  # a measure turning into one of these
    flags: bool = True                         # a measure's latest meeting period flagged as a real change
    commitments: bool = True                   # an open commitment past its due date


@dataclass(frozen=True)
class OpsConfig:
    path: Path
    every: dict[str, int]                      # job -> seconds between runs
    rules: Rules
    operators: tuple[str, ...]
    datasets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    goals: dict[str, tuple[str, ...]] = field(default_factory=dict)
    measures: dict[str, tuple[str, ...]] = field(default_factory=dict)
    people: dict[str, tuple[str, ...]] = field(default_factory=dict)
    digest_days_before: int = 1                # digests go out this many days before a meeting (0: on the day)

    def for_measure(self, measure) -> tuple[str, ...]:
        return self.measures.get(measure.id) or self.goals.get(measure.goal) or self.operators

    def for_dataset(self, dataset: str) -> tuple[str, ...]:
        return self.datasets.get(dataset) or self.operators

    def for_person(self, owner: str) -> tuple[str, ...]:
        return self.people.get(owner) or self.operators


def parse_every(text, where: str) -> int:
    m = _EVERY.match(str(text))
    if not m or int(m.group(1)) < 1:
        raise OpsConfigError(f"{where}: expected a duration like 30s, 15m, 1h or 1d, got {text!r}")
    return int(m.group(1)) * _UNIT[m.group(2)]


def _emails(value, where: str) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values:
        raise OpsConfigError(f"{where}: expected a list of email addresses")
    for v in values:
        if not isinstance(v, str) or not _EMAIL.match(v):
            raise OpsConfigError(f"{where}: {v!r} is not an email address")
    return tuple(values)


def _group(raw: dict, key: str, path: Path) -> dict[str, tuple[str, ...]]:
    group = raw.get(key) or {}
    if not isinstance(group, dict):
        raise OpsConfigError(f"{path}: owners.{key}: expected a mapping of id to email addresses")
    return {str(k): _emails(v, f"{path}: owners.{key}.{k}") for k, v in group.items()}


def load_ops(folder: Path) -> OpsConfig:
    path = Path(folder) / "ops.yaml"
    try:
        raw = parse_yaml(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise OpsConfigError(f"{path}: file not found (copy config/seattle/ops.yaml)") from None
    except yaml.YAMLError as exc:
        raise OpsConfigError(f"{path}: not valid YAML ({' '.join(str(exc).split())})") from None
    schedule = raw.get("schedule") or {}
    every = {}
    for job, entry in schedule.items():
        if job not in JOBS:
            raise OpsConfigError(f"{path}: schedule.{job}: unknown job (expected one of {', '.join(JOBS)})")
        if not isinstance(entry, dict) or "every" not in entry:
            raise OpsConfigError(f"{path}: schedule.{job}: expected {{every: 1h}}")
        every[job] = parse_every(entry["every"], f"{path}: schedule.{job}.every")
    before = (schedule.get("digest") or {}).get("days_before_meeting", 1)
    if not isinstance(before, int) or isinstance(before, bool) or before < 0:
        raise OpsConfigError(f"{path}: schedule.digest.days_before_meeting: expected a whole number of days, 0 or more")
    r = raw.get("alerts") or {}
    try:
        statuses = tuple(r.get("measure_status", Rules.measure_status))
        bad = [s for s in statuses if s not in MEASURE_STATUSES]
        if bad:
            raise OpsConfigError(f"{path}: alerts.measure_status: {bad[0]!r} is not one of {', '.join(MEASURE_STATUSES)}")
        rules = Rules(overdue=bool(r.get("overdue", True)), max_reject_rate=float(r.get("max_reject_rate", 0.05)),
                      row_count_factor=float(r.get("row_count_factor", 5.0)), measure_status=statuses,
                      flags=bool(r.get("flags", True)), commitments=bool(r.get("commitments", True)))
    except (TypeError, ValueError) as exc:
        if isinstance(exc, OpsConfigError):
            raise
        raise OpsConfigError(f"{path}: alerts: {' '.join(str(exc).split())}") from None
    owners = raw.get("owners") or {}
    if "operators" not in owners:
        raise OpsConfigError(f"{path}: owners.operators: missing (who hears about anything without an owner)")
    return OpsConfig(path, every, rules, _emails(owners["operators"], f"{path}: owners.operators"),
                     _group(owners, "datasets", path), _group(owners, "goals", path),
                     _group(owners, "measures", path), _group(owners, "people", path), before)
