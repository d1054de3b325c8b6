"""The refresh run log (`python -m etl refresh`), kept in the store so it outlives warehouse swaps.

A run is recorded when it starts (status `running`) and again when it ends, so a run that was
killed is still listed (it stays `running` with no end; `recent()` reports it as `interrupted`
once a later run has started). The /data page and /metrics read `recent()`.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import insert, select, update

from store.db import Store, as_utc, utcnow
from store.schema import refresh_runs as runs

STATUSES = ("running", "ok", "partial", "failed", "nothing", "interrupted")


@dataclass(frozen=True)
class Run:
    id: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    changes: dict = field(default_factory=dict)   # dataset -> {since, fetched, loaded, rejected, duplicate, file}
    errors: dict = field(default_factory=dict)    # dataset (or "load") -> one line

    @property
    def seconds(self) -> float | None:
        return (self.finished_at - self.started_at).total_seconds() if self.finished_at else None

    @property
    def loaded(self) -> int:
        return sum(int(c.get("loaded") or 0) for c in self.changes.values())


class RunLog:
    def __init__(self, store: Store):
        self.store = store

    def start(self) -> int:
        with self.store.write() as conn:
            return int(conn.execute(insert(runs).values(started_at=utcnow(), status="running", changes="{}",
                                                        errors="{}")).inserted_primary_key[0])

    def finish(self, run_id: int, status: str, changes: dict, errors: dict) -> None:
        if status not in STATUSES:
            raise ValueError(f"status: {status!r} is not one of {', '.join(STATUSES)}")
        with self.store.write() as conn:
            conn.execute(update(runs).where(runs.c.id == run_id).values(
                finished_at=utcnow(), status=status, changes=json.dumps(changes, sort_keys=True, default=str),
                errors=json.dumps(errors, sort_keys=True)))

    def recent(self, limit: int = 20) -> list[Run]:
        """The newest runs first. A `running` run older than a newer run was killed: `interrupted`."""
        with self.store.read() as conn:
            rows = conn.execute(select(runs).order_by(runs.c.id.desc()).limit(limit)).mappings().all()
        out = []
        for i, r in enumerate(rows):
            status = "interrupted" if r["status"] == "running" and i > 0 else r["status"]
            out.append(Run(r["id"], as_utc(r["started_at"]), as_utc(r["finished_at"]) if r["finished_at"] else None,
                           status, json.loads(r["changes"] or "{}"), json.loads(r["errors"] or "{}")))
        return out
