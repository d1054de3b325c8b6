"""Read-only access to the warehouse DuckDB file, for a long-running app.

The ETL replaces the file whole (os.replace), so a connection opened before a load keeps
showing the old data. Every call checks the file's inode and mtime and reconnects when they
changed, closing the old connection FIRST: DuckDB caches open databases by path inside a
process, and a new connect() while the old one is open silently returns the old data.
One lock serialises calls, so Dash's threads never share a cursor mid-query.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:  # results are DataFrames, but the ETL imports this module and needs no pandas
    import pandas as pd


# DuckDB's buffer pool for a read connection. Its default (80% of RAM) keeps every block a
# query ever read, per worker; the pages ask small questions of aggregates (most answers come
# from the engine's in-memory copies), so a small pool costs no speed and caps worker RSS.
READ_MEMORY_LIMIT = "128MB"


class WarehouseMissing(FileNotFoundError):
    """There is no warehouse file yet: the user has to build one."""


class Warehouse:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._stamp: tuple[int, int, int] | None = None
        self.generation = 0  # bumps on every reconnect; callers key their caches on it

    def _file_stamp(self) -> tuple[int, int, int]:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise WarehouseMissing(
                f"{self.path}: no warehouse yet; build one with `make run` (demo city) or "
                f"`python -m etl demo --db {self.path}`, or load real files with `python -m etl load`"
            ) from None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _connection(self) -> duckdb.DuckDBPyConnection:
        stamp = self._file_stamp()
        if self._con is None or stamp != self._stamp:
            if self._con is not None:
                self._con.close()
                self._con = None
            self._con = duckdb.connect(str(self.path), read_only=True)
            # SET, not connect(config=...): a process may already hold this file open (tests, the
            # packet command), and DuckDB refuses a second connection with a different config
            self._con.execute(f"SET memory_limit = '{READ_MEMORY_LIMIT}'")
            self._stamp = stamp
            self.generation += 1
        return self._con

    def execute(self, sql: str, params: list | tuple | dict | None = None) -> pd.DataFrame:
        """Run one read query with bound parameters and return its rows as a DataFrame."""
        with self._lock:
            con = self._connection()
            return con.execute(sql, params or []).df()

    def rows(self, sql: str, params: list | tuple | dict | None = None) -> list[tuple]:
        """Like execute, as a list of tuples (no DataFrame overhead for small answers)."""
        with self._lock:
            return self._connection().execute(sql, params or []).fetchall()

    def numpy(self, sql: str, params: list | tuple | dict | None = None) -> dict:
        """Like execute, as {column: numpy array} (bulk loads of the in-memory aggregates)."""
        with self._lock:
            return self._connection().execute(sql, params or []).fetchnumpy()

    @property
    def connected(self) -> bool:
        """True while a read connection is open (the engine has read this file)."""
        return self._con is not None

    def refresh(self) -> int:
        """Reconnect now if the file was replaced; returns the connection generation.

        The engine asks this before every call (~25 times a page), so the usual answer - same
        file, already connected - is an os.stat without the lock: taking the lock meant waiting
        for whatever query another thread (the background page warm-up) was running."""
        if self._con is not None and self._file_stamp() == self._stamp:
            return self.generation
        with self._lock:
            self._connection()
        return self.generation

    def scalar(self, sql: str, params: list | tuple | dict | None = None):
        with self._lock:
            row = self._connection().execute(sql, params or []).fetchone()
        return None if row is None else row[0]

    def tables(self) -> set[str]:
        return set(self.execute("SELECT table_name FROM information_schema.tables")["table_name"])

    def columns(self) -> dict[str, dict[str, str]]:
        """{table: {column: type}} from the warehouse's own information_schema."""
        df = self.execute("SELECT table_name, column_name, data_type FROM information_schema.columns "
                          "ORDER BY table_name, ordinal_position")
        out: dict[str, dict[str, str]] = {}
        for t, c, ty in df.itertuples(index=False):
            out.setdefault(t, {})[c] = ty
        return out

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None
                self._stamp = None
