"""Opening the store: the SQLite settings that keep concurrent writers safe, an idempotent
schema with a version, and clear one-line errors for URLs that cannot work."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from settings import Settings
from store import StoreError, Users, open_store
from store.schema import SCHEMA_VERSION
from store import db
from tests.support.pgserver import BACKENDS

ROOT = Path(__file__).resolve().parents[1]


def test_a_file_store_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path):
    path = tmp_path / "nested" / "dir" / "ledger.sqlite3"   # parent folders are made
    store = open_store(f"sqlite:///{path}")
    assert path.is_file()
    assert store.journal_mode() == "wal"
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
    with pytest.raises(Exception, match="FOREIGN KEY"):
        with store.engine.begin() as conn:
            conn.execute(text("INSERT INTO ledger_history (item_id, version, action, changed_by, changed_at, changes) "
                              "VALUES (42, 1, 'create', 'x', '2024-01-01 00:00:00', '{}')"))
    store.close()


def test_opening_again_keeps_the_data_and_records_the_schema_version_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    first = open_store(url)
    Users(first).add_user("ann", "viewer", "long enough pw")
    first.close()
    second = open_store(url)
    assert [u.username for u in Users(second).list_users()] == ["ann"]
    with second.read() as conn:
        assert conn.execute(text("SELECT version FROM schema_version")).all() == [(SCHEMA_VERSION,)]
    assert second.schema_version() == SCHEMA_VERSION
    second.close()


def test_a_store_from_newer_code_is_refused_not_damaged(tmp_path):
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    store = open_store(url)
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO schema_version (version, applied_at) VALUES (7, '2030-01-01 00:00:00')"))
    store.close()
    with pytest.raises(StoreError, match="schema version 7 is newer than this code understands"):
        open_store(url)


def test_the_default_ledger_is_its_own_file_beside_the_warehouse():
    s = Settings.from_env({})
    assert s.ledger_url == "sqlite:///" + str(s.db_path.parent / "ledger.sqlite3")
    assert Settings.from_env({"SEASTAT_LEDGER": "sqlite:////srv/x.sqlite3"}).ledger_url == "sqlite:////srv/x.sqlite3"


@pytest.mark.parametrize("url, message", [
    ("postgresql+psycopg2://seastat:hunter22@db.city.example/seastat", "database driver 'psycopg2' is not installed"),
    ("postgresql+psycopg://seastat:hunter22@127.0.0.1:1/seastat", "cannot open the database: connection failed"),
    ("oracle+nosuchdriver://u@h/x", "no SQLAlchemy dialect"),
    ("not a url", "is not a database URL"),
])
def test_urls_that_cannot_work_give_one_line_without_the_password(url, message):
    with pytest.raises(StoreError) as err:
        open_store(url)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert "hunter22" not in str(err.value)


def test_importing_the_store_touches_no_database(tmp_path):
    target = tmp_path / "never" / "ledger.sqlite3"
    env = dict(os.environ, PYTHONPATH=str(ROOT), SEASTAT_LEDGER=f"sqlite:///{target}")
    done = subprocess.run([sys.executable, "-c", "import store, store.__main__, store.ledger, store.users"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert not target.parent.exists()


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_workers_starting_together_on_a_fresh_file_all_open_it(tmp_path, backend, request):
    """gunicorn starts its workers at once: each creates-if-missing the same schema (on a real
    PostgreSQL server too, where an advisory lock takes the place of SQLite's write lock)."""
    url = (request.getfixturevalue("pg_server").new_database() if backend == "postgresql"
           else f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    go = tmp_path / "go"
    code = ("import sys, time; from pathlib import Path; from store import open_store\n"
            "Path(sys.argv[3]).touch()\n"  # imported and waiting: the test counts these
            "while not Path(sys.argv[2]).exists(): time.sleep(0.002)\n"
            "s = open_store(sys.argv[1]); print(s.journal_mode(), s.schema_version())")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    ready = [tmp_path / f"ready-{i}" for i in range(4)]
    procs = [subprocess.Popen([sys.executable, "-c", code, url, str(go), str(r)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for r in ready]
    deadline = time.monotonic() + 120
    while not all(r.exists() for r in ready):  # every worker at the start line, however slow its imports
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs), "a worker never got ready"
        time.sleep(0.01)
    go.touch()
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [err for _o, err in outs]
    assert [out for out, _err in outs] == [("wal" if backend == "sqlite" else "None") + f" {SCHEMA_VERSION}\n"] * 4
    store = open_store(url)
    with store.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM schema_version")).scalar() == 1
    store.close()


def test_a_worker_forked_after_the_store_was_opened_uses_its_own_connection(tmp_path):
    """gunicorn --preload forks workers from a parent that may already hold the store open:
    SQLite connections must not cross a fork, so the child opens fresh ones and still writes."""
    import multiprocessing

    store = open_store(f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    users = Users(store)
    users.add_user("parent.before", "viewer")
    with store.engine.connect() as conn:
        parents = conn.connection.dbapi_connection   # back in the pool after this block

    def child():
        with store.engine.connect() as conn:
            if conn.connection.dbapi_connection is parents:
                raise SystemExit(3)  # the parent's connection, reused across the fork
        Users(store).add_user("child", "viewer")

    proc = multiprocessing.get_context("fork").Process(target=child)
    proc.start()
    proc.join(60)
    assert proc.exitcode == 0
    users.add_user("parent.after", "viewer")
    assert [u.username for u in users.list_users()] == ["child", "parent.after", "parent.before"]
    store.close()


def test_an_older_store_is_upgraded_in_place_keeping_its_data(tmp_path, monkeypatch):
    import store.db as db

    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    old = open_store(url)
    Users(old).add_user("ann", "viewer")
    old.close()

    def add_notes_table(conn):
        conn.execute(text("CREATE TABLE meeting_notes (meeting_date DATE PRIMARY KEY, body TEXT NOT NULL)"))

    new = SCHEMA_VERSION + 1
    monkeypatch.setattr(db, "SCHEMA_VERSION", new)
    monkeypatch.setattr(db, "MIGRATIONS", {**db.MIGRATIONS, new: add_notes_table})
    upgraded = open_store(url)
    assert upgraded.schema_version() == new
    with upgraded.read() as conn:
        assert conn.execute(text("SELECT version FROM schema_version ORDER BY version")).all() == [(SCHEMA_VERSION,), (new,)]
        assert conn.execute(text("SELECT count(*) FROM meeting_notes")).scalar() == 0
    assert [u.username for u in Users(upgraded).list_users()] == ["ann"]
    upgraded.close()
    assert open_store(url).schema_version() == new  # opening again runs nothing twice
