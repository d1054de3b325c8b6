"""What each alert rule last saw (ops/alerts.py), kept in the store so that a state is alerted
once, by whichever process runs the rules, across warehouse swaps and restarts."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from store.db import Store, as_utc, utcnow
from store.schema import alert_state


@dataclass(frozen=True)
class Seen:
    key: str
    value: str
    sent_at: dt.datetime | None
    recipients: str


class AlertStates:
    def __init__(self, store: Store):
        self.store = store

    def all(self) -> dict[str, Seen]:
        with self.store.read() as conn:
            rows = conn.execute(select(alert_state)).mappings().all()
        return {r["key"]: Seen(r["key"], r["value"], as_utc(r["sent_at"]) if r["sent_at"] else None, r["recipients"])
                for r in rows}

    def record(self, key: str, value: str, sent: bool, recipients: tuple[str, ...] = ()) -> None:
        """Remember `value` for `key` (and that its alert went out, if `sent`)."""
        now = utcnow()
        values = {"key": key, "value": value, "updated_at": now, "sent_at": now if sent else None,
                  "recipients": ", ".join(recipients)}
        insert = (postgresql if self.store.dialect == "postgresql" else sqlite).insert(alert_state).values(**values)
        upsert = insert.on_conflict_do_update(index_elements=[alert_state.c.key],
                                              set_={k: v for k, v in values.items() if k != "key"})
        with self.store.write() as conn:
            conn.execute(upsert)

    def sent_count(self) -> int:
        with self.store.read() as conn:
            return len(conn.execute(select(alert_state.c.key).where(alert_state.c.sent_at.is_not(None))).all())
