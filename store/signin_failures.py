"""Wrong passwords per username, kept in the store so every worker (and, with PostgreSQL, every
host) counts the same tries and a restart forgets nothing. auth/throttle.py decides what they mean.

The table stays small: rows older than the throttle's window are deleted whenever a failure is
recorded, and past `max_rows` the oldest rows go first (by age, one row at a time), so a flood of
made-up names pushes out only the oldest tries, never everyone's count at once.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, insert, select

from store.db import Store, as_utc
from store.schema import signin_failures as failures


class SigninFailures:
    def __init__(self, store: Store):
        self.store = store

    def recent(self, username: str, since: dt.datetime, limit: int) -> list[dt.datetime]:
        """The newest `limit` failures for `username` after `since` (UTC, no zone), oldest first."""
        query = (select(failures.c.failed_at)
                 .where(failures.c.username == username, failures.c.failed_at > since)
                 .order_by(failures.c.failed_at.desc(), failures.c.id.desc()).limit(limit))
        with self.store.read() as conn:
            return sorted(as_utc(t) for t in conn.execute(query).scalars())

    def record(self, username: str, at: dt.datetime, forget_before: dt.datetime, max_rows: int) -> None:
        """One more failure; drop the ones older than `forget_before`, then the oldest beyond `max_rows`."""
        with self.store.write() as conn:
            conn.execute(insert(failures).values(username=username, failed_at=at))
            conn.execute(delete(failures).where(failures.c.failed_at <= forget_before))
            excess = conn.execute(select(func.count()).select_from(failures)).scalar() - max_rows
            if excess > 0:
                oldest = (select(failures.c.id).order_by(failures.c.failed_at, failures.c.id)
                          .limit(excess).scalar_subquery())
                conn.execute(delete(failures).where(failures.c.id.in_(oldest)))

    def clear(self, username: str) -> None:
        with self.store.write() as conn:
            conn.execute(delete(failures).where(failures.c.username == username))

    def count(self) -> int:
        with self.store.read() as conn:
            return int(conn.execute(select(func.count()).select_from(failures)).scalar())
