"""The warehouse's only write path: build PATH.new, then swap it in atomically.

Why: the app keeps the live file open read-only, and a load can crash or be killed at any
moment. So a load never writes the live file. It copies it to PATH.new (or starts empty),
writes there, CHECKPOINTs, closes, fsyncs and `os.replace`s it onto PATH; a kill before the
replace leaves PATH exactly as it was. Every failure removes PATH.new and the load's temp
folder; what a KILLED load leaves (PATH.new, `seastat-load-<id>-*`) the next load removes.
PATH.lock (an flock) keeps two loads from racing; readers never take it.

A PATH that is a symbolic link (the deployment pattern `current -> releases/vN`) is resolved
first: the release it points to is what gets swapped (the link is kept), and the lock is the
real file's, so loads through the name and through the link exclude each other.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import stat
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


class WarehouseError(RuntimeError):
    """The --db target cannot be a warehouse (a folder, a text file, a damaged file, not writable);
    str() is one line naming it and what to do."""


DUCKDB_MAGIC = b"DUCK"  # bytes 8..12 of every DuckDB database file


def real_path(db_path: Path) -> Path:
    """The file a --db path names, links resolved (a missing file: its would-be real path)."""
    return Path(os.path.realpath(db_path))


def check_target(db_path: Path) -> None:
    """Refuse a --db that is not a DuckDB file before anything is copied or created beside it."""
    try:
        st = os.stat(db_path)
    except FileNotFoundError:
        if not db_path.parent.is_dir():
            raise WarehouseError(f"{db_path}: the folder {db_path.parent} does not exist: create it or choose "
                                 "another --db") from None
        return
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise WarehouseError(f"{db_path}: is {kind}, not a warehouse file: give --db a file path")
    if st.st_size == 0:
        return  # an empty file: a new warehouse
    with open(db_path, "rb") as fh:
        head = fh.read(16)
    if head[8:12] != DUCKDB_MAGIC:
        raise WarehouseError(f"{db_path}: is not a DuckDB warehouse (other content): give --db a warehouse "
                             "file or a new path")


def tmp_prefix(db_path: Path) -> str:
    """`seastat-load-<8 hex of the warehouse name>-`: whose temp folder it is, in any name length."""
    return "seastat-load-" + hashlib.sha1(db_path.name.encode()).hexdigest()[:8] + "-"


def _remove_leftovers(db_path: Path) -> None:
    """What a killed load of THIS warehouse left (we hold its lock, so none is in use)."""
    for stale in (new_path(db_path), Path(str(new_path(db_path)) + ".wal")):
        stale.unlink(missing_ok=True)
    for d in db_path.parent.glob(tmp_prefix(db_path) + "*"):
        shutil.rmtree(d, ignore_errors=True)


class Discard(Exception):
    """Raise inside `build()` to throw PATH.new away without an error (nothing changed)."""


def new_path(db_path: Path) -> Path:
    return Path(str(db_path) + ".new")


@contextlib.contextmanager
def lock(db_path: Path, wait_seconds: float = 60.0):
    """Hold PATH.lock (of the real file) for the whole load; wait up to wait_seconds for another load."""
    db_path = real_path(db_path)
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(str(db_path) + ".lock", "a+")
    except OSError as exc:
        from .errors import describe

        raise WarehouseError(f"{db_path}: cannot create the lock file beside the warehouse ({describe(exc)}); "
                             "choose a writable folder for --db") from None
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
    silently); PATH.new and the temp folder are removed on every path out. Call inside `lock(db_path)`.
    """
    db_path = real_path(db_path)
    check_target(db_path)
    new = new_path(db_path)
    _remove_leftovers(db_path)
    tmpdir = None
    con = None
    try:
        tmpdir = tempfile.mkdtemp(prefix=tmp_prefix(db_path), dir=db_path.parent)
        if db_path.exists() and db_path.stat().st_size:
            shutil.copyfile(db_path, new)
        try:
            con = duckdb.connect(str(new))
        except duckdb.Error as exc:
            from .errors import one_line

            raise WarehouseError(f"{db_path}: cannot be opened as a DuckDB warehouse ({one_line(exc)[:200]}); "
                                 "restore it from a backup or give --db a new path") from None
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
        if con is not None:
            with contextlib.suppress(Exception):
                con.close()
        new.unlink(missing_ok=True)
        Path(str(new) + ".wal").unlink(missing_ok=True)
        raise
    finally:
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
