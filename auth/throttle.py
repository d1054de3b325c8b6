"""Slow down password guessing: after MAX_FAILURES wrong passwords for one username within WINDOW
seconds, further tries for that name are refused, without checking them, until the oldest
failure is WINDOW seconds old. A right password clears the count.

The failures live in the store (store/signin_failures.py), so all gunicorn workers, and all hosts
sharing a PostgreSQL store, count together, and a restart forgets nothing. It bounds guessing to
MAX_FAILURES per WINDOW per name; it is not an account lock an admin must undo.

The table is bounded (MAX_ROWS); past it the OLDEST failures are dropped, never every count at
once. Pushing a given name's count out therefore takes MAX_ROWS wrong passwords after its last
failure and within the window; each costs a scrypt check (~80 ms of a core), so 100,000 take
over two core-hours, far beyond the 15-minute window on a few workers.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

MAX_FAILURES = 5
WINDOW = 15 * 60
MAX_ROWS = 100_000  # failures kept at once (a few MB); past that the oldest go first


@dataclass
class Throttle:
    store: Callable[[], object] = field(repr=False)  # () -> store.Store, opened on first use
    max_failures: int = MAX_FAILURES
    window: float = WINDOW
    max_rows: int = MAX_ROWS

    def _failures(self):
        from store.signin_failures import SigninFailures

        return SigninFailures(self.store())

    def wait_seconds(self, username: str) -> int:
        """0 when `username` may try a password now, else how many seconds until it may."""
        now = _now()
        tries = self._failures().recent(username, _naive(now - self._window()), self.max_failures)
        if len(tries) < self.max_failures:
            return 0
        return max(1, int((tries[0] + self._window() - now).total_seconds() + 0.999))

    def failed(self, username: str) -> None:
        now = _now()
        self._failures().record(username, _naive(now), _naive(now - self._window()), self.max_rows)

    def succeeded(self, username: str) -> None:
        self._failures().clear(username)

    def _window(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.window)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _naive(t: dt.datetime) -> dt.datetime:
    return t.replace(tzinfo=None)  # how the store keeps UTC times
