"""Slow down password guessing: after MAX_FAILURES wrong passwords for one username within WINDOW
seconds, further tries for that name are refused, without checking them, until the oldest
failure is WINDOW seconds old. A right password clears the count.

Kept in memory per process (each gunicorn worker counts on its own), so it bounds guessing to
MAX_FAILURES x workers per WINDOW per name; it is not an account lock an admin must undo.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field

MAX_FAILURES = 5
WINDOW = 15 * 60
MAX_NAMES = 10_000  # names being counted at once; past that, stale ones are dropped (memory stays bounded)


@dataclass
class Throttle:
    max_failures: int = MAX_FAILURES
    window: float = WINDOW
    _failures: dict[str, deque] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def wait_seconds(self, username: str) -> int:
        """0 when `username` may try a password now, else how many seconds until it may."""
        now = time.monotonic()
        with self._lock:
            tries = self._recent(username, now)
            if len(tries) < self.max_failures:
                return 0
            return max(1, int(tries[0] + self.window - now + 0.999))

    def failed(self, username: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._failures) >= MAX_NAMES:
                for name in [n for n, tries in self._failures.items() if not self._recent(n, now)]:
                    del self._failures[name]
                if len(self._failures) >= MAX_NAMES:  # a flood of names: start counting afresh
                    self._failures.clear()
            self._recent(username, now).append(now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(username, None)

    def _recent(self, username: str, now: float) -> deque:
        tries = self._failures.setdefault(username, deque())
        while tries and tries[0] <= now - self.window:
            tries.popleft()
        return tries
