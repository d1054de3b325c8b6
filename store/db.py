"""Open the transactional store (ledger, users) that lives beside, never inside, the warehouse.

The warehouse is read-only to the app and replaced whole by every ETL load, so what users write
goes here instead: SQLite in WAL mode by default (several gunicorn workers can write at once;
each write transaction takes the write lock up front with BEGIN IMMEDIATE and waits up to
`busy_timeout_ms` for it), or any SQLAlchemy database URL (e.g. postgresql+psycopg://...) for a
server database. All SQL is SQLAlchemy Core with bound parameters, so it is dialect-neutral.
The schema is created on open (idempotent) and its version recorded in `schema_version`.
"""
from __future__ import annotations

import datetime as dt
import os
import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import Connection, Engine, create_engine, event, insert, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.pool import StaticPool

from store.errors import StoreError
from store.schema import SCHEMA_VERSION, metadata, schema_version

BUSY_TIMEOUT_MS = 10_000


def _add_sessions_and_signin_failures(conn: Connection) -> None:
    """Schema 2: server-side sessions (sign-out revokes) and the shared sign-in throttle."""
    from store.schema import sessions, signin_failures

    for table in (sessions, signin_failures):
        table.create(conn, checkfirst=True)


def _add_refresh_runs_and_alert_state(conn: Connection) -> None:
    """Schema 3: the refresh run log, what the alert rules last saw, digest subscriptions
    (store/runs.py, store/alert_state.py, store/subscriptions.py)."""
    from store.schema import alert_state, refresh_runs, subscriptions

    for table in (refresh_runs, alert_state, subscriptions):
        table.create(conn, checkfirst=True)


def _add_annotations(conn: Connection) -> None:
    """Schema 4: annotations (dated events on a measure or citywide) and their history."""
    from store.schema import annotation_history, annotations

    for table in (annotations, annotation_history):
        table.create(conn, checkfirst=True)


def _add_commentary(conn: Connection) -> None:
    """Schema 5: commentary per measure per meeting and its history (store/commentary.py)."""
    from store.schema import commentary, commentary_history

    for table in (commentary, commentary_history):
        table.create(conn, checkfirst=True)


# version -> function(conn) that upgrades a store from version-1 to version.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {2: _add_sessions_and_signin_failures,
                                                       3: _add_refresh_runs_and_alert_state,
                                                       4: _add_annotations,
                                                       5: _add_commentary}


def utcnow() -> dt.datetime:
    """Now in UTC, without a zone: how the store keeps every timestamp."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def as_utc(value: dt.datetime) -> dt.datetime:
    """A timestamp read back from the store, with its UTC zone put back."""
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)


@dataclass
class Store:
    """An open store: an SQLAlchemy engine plus the two ways to use it (read, write)."""

    engine: Engine
    url: str  # for messages: the password, if any, is masked

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection in a transaction that only reads (SQLite: no write lock taken)."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction: everything in the block is saved together or not at all.

        On SQLite it starts with BEGIN IMMEDIATE, so a read-then-update in the block cannot be
        overtaken by another process between the read and the update.
        """
        with self.engine.connect() as conn:
            conn.execution_options(store_write=True)
            with conn.begin():
                yield conn

    def journal_mode(self) -> str | None:
        """SQLite's journal mode ('wal' for a file store); None for a server database."""
        if self.dialect != "sqlite":
            return None
        with self.engine.connect() as conn:
            return str(conn.exec_driver_sql("PRAGMA journal_mode").scalar()).lower()

    def schema_version(self) -> int:
        with self.read() as conn:
            return int(conn.execute(select(schema_version.c.version).order_by(schema_version.c.version.desc())).scalar() or 0)

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str | None = None, *, create: bool = True) -> Store:
    """Open the store at `url` (default: Settings.from_env().ledger_url) and make its schema.

    Raises StoreError with one line for a URL that cannot work (unknown scheme, driver not
    installed, a SQLite file on a file system without WAL, a schema newer than this code).
    """
    if url is None:
        from settings import Settings  # read the environment only when asked to

        url = Settings.from_env().ledger_url
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"ledger URL {url!r} is not a database URL (e.g. sqlite:///data/ledger.sqlite3)") from None
    shown = parsed.render_as_string(hide_password=True)
    engine = _create_engine(parsed, shown)
    store = Store(engine=engine, url=shown)
    _forget_pool_after_fork(engine)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        mode = store.journal_mode()
        if mode != "wal":
            engine.dispose()
            raise StoreError(f"ledger {shown}: SQLite would not switch to WAL (journal_mode={mode}); "
                             "put the file on a local disk")
    if create:
        try:
            _create_schema(store)
        except OperationalError as exc:  # a server that is down, refuses us, or a database that is missing
            engine.dispose()
            reason = str(exc.orig or exc).strip().splitlines()[0] if str(exc.orig or exc).strip() else type(exc).__name__
            raise StoreError(f"ledger {shown}: cannot open the database: {reason}") from None
        except Exception:
            engine.dispose()
            raise
    return store


def _create_engine(parsed, shown: str) -> Engine:
    backend = parsed.get_backend_name()
    # hide_parameters: if someone turns SQL logging on, password hashes and notes stay out of it.
    kwargs: dict = {"future": True, "hide_parameters": True}
    if backend == "sqlite":
        database = parsed.database
        if database in (None, "", ":memory:"):
            # One shared in-memory database for the whole engine (tests, throw-away use).
            kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **kwargs)
    except NoSuchModuleError:
        raise StoreError(f"ledger {shown}: no SQLAlchemy dialect for {parsed.drivername!r}") from None
    except ModuleNotFoundError as exc:
        raise StoreError(f"ledger {shown}: database driver {exc.name!r} is not installed "
                         f"(pip install it and pin it in requirements.txt)") from None
    if backend == "sqlite":
        _sqlite_events(engine)
    return engine


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see _on_begin).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
        cur.execute("PRAGMA foreign_keys = ON")
        _switch_to_wal(cur)
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("store_write") else "BEGIN")


def _switch_to_wal(cur) -> None:
    """PRAGMA journal_mode = WAL, retried while another process is doing the same.

    On a fresh file every gunicorn worker switches at once: each takes a shared lock and asks
    for an exclusive one, and SQLite answers SQLITE_BUSY at once to all but one (waiting would
    deadlock), without calling the busy handler. Once the file is in WAL mode the switch is a
    no-op, so a short retry loop settles it.
    """
    import sqlite3
    import time

    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


def _forget_pool_after_fork(engine: Engine) -> None:
    """A gunicorn worker forked from a parent that opened the store must not reuse its sockets."""
    ref = weakref.ref(engine)

    def _after_fork() -> None:
        eng = ref()
        if eng is not None:
            eng.dispose(close=False)

    os.register_at_fork(after_in_child=_after_fork)


SCHEMA_LOCK = 0x5EA57A7  # PostgreSQL advisory lock key: one worker at a time creates or upgrades the schema


def _create_schema(store: Store) -> None:
    with store.write() as conn:
        if store.dialect == "postgresql":  # SQLite's BEGIN IMMEDIATE already serialises this
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
        current = None
        if inspect(conn).has_table(schema_version.name):
            current = conn.execute(select(schema_version.c.version).order_by(schema_version.c.version.desc())).scalar()
        if current is None:
            metadata.create_all(conn, checkfirst=True)
            conn.execute(insert(schema_version).values(version=SCHEMA_VERSION, applied_at=utcnow()))
            return
        if current > SCHEMA_VERSION:
            raise StoreError(f"ledger {store.url}: schema version {current} is newer than this code "
                             f"understands ({SCHEMA_VERSION}); upgrade the app")
        for version in range(current + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[version](conn)
            conn.execute(insert(schema_version).values(version=version, applied_at=utcnow()))
