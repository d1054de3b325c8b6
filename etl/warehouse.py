"""The warehouse's only write path: build PATH.new, then swap it in atomically.

Why: the app keeps the live file open read-only, and a load can crash or be killed at any
moment. So a load never writes the live file. It copies it to PATH.new (or starts empty),
writes there, CHECKPOINTs, closes, fsyncs and `os.replace`s it onto PATH; a kill before the
replace leaves PATH exactly as it was (a stale PATH.new is overwritten by the next load).
PATH.lock (an flock) keeps two loads from racing; readers never take it.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

BOOKKEEPING = (
    """CREATE TABLE IF NOT EXISTS load_log (load_id BIGINT, file VARCHAR, path VARCHAR, dataset VARCHAR,
       vintage VARCHAR, checksum VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP, rows_read BIGINT,
       rows_loaded BIGINT, rows_rejected BIGINT, rows_duplicate BIGINT)""",
    """CREATE TABLE IF NOT EXISTS rejects (load_id BIGINT, dataset VARCHAR, file VARCHAR, line BIGINT,
       raw VARCHAR, reason VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS quality_checks (load_id BIGINT, dataset VARCHAR, file VARCHAR,
       "check" VARCHAR, column_name VARCHAR, value DOUBLE, detail VARCHAR, checked_at TIMESTAMP)""",
)


class WarehouseBusy(RuntimeError):
    """Another load holds the warehouse lock."""


class Discard(Exception):
    """Raise inside `build()` to throw PATH.new away without an error (nothing changed)."""


def new_path(db_path: Path) -> Path:
    return Path(str(db_path) + ".new")


@contextlib.contextmanager
def lock(db_path: Path, wait_seconds: float = 60.0):
    """Hold PATH.lock for the whole load; wait up to wait_seconds for another load to finish."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(str(db_path) + ".lock", "a+")
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(f"{db_path}: another load is running (lock {fh.name})") from None
                time.sleep(0.2)
        yield
    finally:
        fh.close()  # closing releases the flock


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def build(db_path: Path, memory_limit: str = "1200MB"):
    """Yield a write connection to a fresh copy of the warehouse; swap it in on a clean exit.

    Any exception discards the copy and leaves the live warehouse untouched (`Discard` does so
    silently). Call inside `lock(db_path)`.
    """
    db_path = Path(db_path)
    new = new_path(db_path)
    for stale in (new, Path(str(new) + ".wal")):
        stale.unlink(missing_ok=True)
    if db_path.exists():
        shutil.copyfile(db_path, new)
    tmpdir = tempfile.mkdtemp(prefix="seastat-load-", dir=db_path.parent)
    con = duckdb.connect(str(new))
    try:
        con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute(f"SET threads = {max(1, len(os.sched_getaffinity(0)))}")  # every core this process may use
        con.execute("SET temp_directory = ?", [tmpdir])
        con.execute("SET preserve_insertion_order = true")
        con.execute("SET enable_progress_bar = false")
        for stmt in BOOKKEEPING:
            con.execute(stmt)
        yield con
        con.execute("CHECKPOINT")
        con.close()
        _fsync(new)
        os.replace(new, db_path)
        _fsync(db_path.parent)
    except Discard:
        con.close()
        new.unlink(missing_ok=True)
    except BaseException:
        with contextlib.suppress(Exception):
            con.close()
        new.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
