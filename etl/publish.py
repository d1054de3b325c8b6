"""Publish a warehouse to many app hosts, and pull the newest one onto a host.

Why: each app host serves its own local copy of the warehouse (DuckDB reads a local file; a
network file system under a read connection is neither fast nor safe). So the ETL host builds the
warehouse as usual, then `publish` puts an immutable copy in a shared place (a folder here; object
storage in production, see docs/SCALING.md) and every app host runs `pull`, which fetches the
newest COMPLETE version and swaps it in atomically the way a load does (etl/warehouse.py: copy to
PATH.new, fsync, os.replace), so the running workers reconnect at their next request.

An artifact is `seastat-<version>-<sha256>.duckdb`: the version (UTC time of publishing, sortable)
and the SHA-256 of the file's bytes in its name, so a host can check what it copied and nobody can
publish two different files under one name. The version is also stamped INSIDE the file (table
`publication`), so `/healthz` reports what the workers' read connections actually see. An artifact
is written under a dot-name and renamed into place only once complete and fsynced: a puller never
sees a partial one. Published files are never modified; `publish` keeps the newest KEEP.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import time
from pathlib import Path

import duckdb

from etl import warehouse as wh

ARTIFACT = re.compile(r"^seastat-(\d{8}T\d{6}\d{6}Z)-([0-9a-f]{64})\.duckdb$")
KEEP = 5  # published versions kept in the shared folder (a host mid-copy of an older one still finishes)
TABLE = "publication"


class PublishError(RuntimeError):
    """A one-line reason publishing or pulling failed (naming the file)."""


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def artifacts(shared: Path) -> list[tuple[str, str, Path]]:
    """(version, checksum, path) of every complete artifact in `shared`, oldest first."""
    found = []
    for p in Path(shared).iterdir() if Path(shared).is_dir() else []:
        m = ARTIFACT.match(p.name)
        if m:
            found.append((m.group(1), m.group(2), p))
    return sorted(found)


def publish(db_path: Path, shared: Path, keep: int = KEEP) -> Path:
    """Copy the warehouse at `db_path` into `shared` as a new immutable version; returns its path."""
    db_path, shared = Path(db_path), Path(shared)
    if not db_path.is_file():
        raise PublishError(f"{db_path}: no warehouse to publish")
    shared.mkdir(parents=True, exist_ok=True)
    version = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    while artifacts(shared) and artifacts(shared)[-1][0] >= version:  # two publishes in one microsecond
        time.sleep(0.001)
        version = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    partial = shared / f".partial-{version}-{os.getpid()}.duckdb"
    try:
        with wh.lock(db_path):  # no load swaps the file while it is copied
            shutil.copyfile(db_path, partial)
        con = duckdb.connect(str(partial))
        try:
            con.execute(f"CREATE OR REPLACE TABLE {TABLE} (version VARCHAR, published_at TIMESTAMP)")
            con.execute(f"INSERT INTO {TABLE} VALUES (?, now()::TIMESTAMP)", [version])
            con.execute("CHECKPOINT")
        finally:
            con.close()
        Path(str(partial) + ".wal").unlink(missing_ok=True)
        _fsync(partial)
        final = shared / f"seastat-{version}-{sha256(partial)}.duckdb"
        os.replace(partial, final)
        _fsync(shared)
    finally:
        partial.unlink(missing_ok=True)
    for _, _, old in artifacts(shared)[:-keep]:
        old.unlink(missing_ok=True)
    return final


def served_version(warehouse) -> str | None:
    """The published version stamped in the warehouse a read connection sees (engine.Warehouse), or None."""
    if TABLE not in warehouse.tables():
        return None
    return warehouse.scalar(f"SELECT max(version) FROM {TABLE}")


def local_version(db_path: Path) -> str | None:
    """The published version of the local warehouse file, or None (never published, or no file)."""
    if not Path(db_path).is_file():
        return None
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [TABLE]).fetchone()[0]:
            return None
        return con.execute(f"SELECT max(version) FROM {TABLE}").fetchone()[0]
    finally:
        con.close()


def pull(shared: Path, db_path: Path) -> str | None:
    """Swap the newest complete artifact in `shared` into `db_path` if it is newer than what is
    there; returns the version now at `db_path` (None when nothing was ever published)."""
    db_path = Path(db_path)
    if not Path(shared).is_dir():
        raise PublishError(f"{shared}: no such folder to pull from")
    found = artifacts(shared)
    current = local_version(db_path)
    if not found or (current is not None and current >= found[-1][0]):
        return current
    version, checksum, src = found[-1]
    new = wh.new_path(db_path)
    with wh.lock(db_path):
        shutil.copyfile(src, new)
        if sha256(new) != checksum:
            new.unlink(missing_ok=True)
            raise PublishError(f"{src}: its bytes do not match the checksum in its name; not swapped in")
        _fsync(new)
        os.replace(new, db_path)
        _fsync(db_path.parent)
    return version


def watch(shared: Path, db_path: Path, every: float, log=print) -> None:
    """Pull every `every` seconds until stopped; a failed pull is reported and retried next time."""
    last = None
    while True:
        try:
            version = pull(shared, db_path)
            if version != last:
                log(f"{db_path}: serving version {version}")
                last = version
        except (OSError, PublishError, wh.WarehouseBusy, duckdb.Error) as exc:  # e.g. a local load holds the lock
            log(f"pull from {shared} failed: {str(exc).splitlines()[0]}")
        time.sleep(every)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
