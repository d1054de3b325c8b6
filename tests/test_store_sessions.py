"""Sessions and wrong-password counts kept in the store (schema 2), on SQLite and PostgreSQL: a
store made by the previous version is upgraded in place, a session ends for good when it is
ended, and the failure table stays bounded by dropping its oldest rows."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, text

from store import Users, open_store
from store.db import utcnow
from store.sessions import Sessions
from store.signin_failures import SigninFailures
from store.schema import SCHEMA_VERSION

HOUR = dt.timedelta(hours=1)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "postgresql":
        return request.getfixturevalue("pg_server").new_database()
    return f"sqlite:///{tmp_path / 'ledger.sqlite3'}"


@pytest.fixture
def store(url):
    s = open_store(url)
    yield s
    s.close()


def test_a_version_1_store_is_upgraded_in_place_keeping_its_users(url):
    first = open_store(url)
    Users(first).add_user("ann", "viewer", "long enough pw")
    with first.write() as conn:  # what a store made by schema 1 looks like
        conn.execute(text("DROP TABLE sessions"))
        conn.execute(text("DROP TABLE signin_failures"))
        conn.execute(text("DROP TABLE annotation_history"))  # schema 3
        conn.execute(text("DROP TABLE annotations"))
        conn.execute(text("UPDATE schema_version SET version = 1"))
    first.close()
    second = open_store(url)
    assert second.schema_version() == SCHEMA_VERSION
    with second.read() as conn:
        assert conn.execute(text("SELECT version FROM schema_version ORDER BY version")).all() == [
            (v,) for v in range(1, SCHEMA_VERSION + 1)]
        assert {"sessions", "signin_failures", "annotations", "annotation_history"} <= set(inspect(conn).get_table_names())
    assert [u.username for u in Users(second).list_users()] == ["ann"]
    token = Sessions(second).start("ann", HOUR)
    assert Sessions(second).user(token)[0].username == "ann"
    second.close()


def test_an_ended_session_is_gone_and_only_a_hash_of_its_token_is_kept(store):
    Users(store).add_user("ann", "viewer", "long enough pw")
    sessions = Sessions(store)
    one, two = sessions.start("ann", HOUR), sessions.start("ann", HOUR)
    assert sessions.user(one)[0].username == "ann" and sessions.user(two) is not None
    with store.read() as conn:
        assert one not in {r[0] for r in conn.execute(text("SELECT token_hash FROM sessions"))}
    sessions.end(one)
    assert sessions.user(one) is None and sessions.user(two) is not None  # the other browser stays in
    for bad in (None, "", 42, {"x": 1}, "x" * 500):
        assert sessions.user(bad) is None


def test_an_expired_session_does_not_count_and_is_cleared_by_the_next_sign_in(store):
    Users(store).add_user("ann", "viewer", "long enough pw")
    sessions = Sessions(store)
    old = sessions.start("ann", dt.timedelta(seconds=-1))
    assert sessions.user(old) is None
    sessions.start("ann", HOUR)
    assert sessions.count("ann") == 1


@pytest.mark.parametrize("change", [
    lambda users: users.set_password("ann", "another long pw"),
    lambda users: users.set_active("ann", False),
    lambda users: users.set_role("ann", "editor"),
])
def test_a_new_password_role_or_disabling_ends_every_session_of_that_user_only(store, change):
    users = Users(store)
    users.add_user("ann", "viewer", "long enough pw")
    users.add_user("bob", "viewer", "long enough pw")
    sessions = Sessions(store)
    ann1, ann2, bob = sessions.start("ann", HOUR), sessions.start("ann", HOUR), sessions.start("bob", HOUR)
    change(users)
    assert sessions.user(ann1) is None and sessions.user(ann2) is None
    assert sessions.user(bob)[0].username == "bob"


def test_failures_are_bounded_by_dropping_the_oldest_not_all(store):
    failures = SigninFailures(store)
    start = utcnow()
    long_ago = start - dt.timedelta(days=1)
    for i in range(5):
        failures.record("admin", start + dt.timedelta(seconds=i), long_ago, max_rows=8)
    for i in range(6):  # a flood of made-up names, newer than admin's tries
        failures.record(f"made-up-{i}", start + dt.timedelta(seconds=10 + i), long_ago, max_rows=8)
    assert failures.count() == 8
    assert len(failures.recent("admin", long_ago, 5)) == 2  # admin's three oldest went first, not every count
    assert len(failures.recent("made-up-5", long_ago, 5)) == 1
    # Rows older than the window go whatever the bound.
    failures.record("bob", start + dt.timedelta(minutes=30), start + dt.timedelta(minutes=15), max_rows=8)
    assert failures.count() == 1
    failures.clear("bob")
    assert failures.count() == 0


def test_one_account_keeps_at_most_its_newest_sessions(store):
    from store.sessions import MAX_PER_USER

    Users(store).add_user("ann", "viewer", "long enough pw")
    sessions = Sessions(store)
    tokens = [sessions.start("ann", HOUR) for _ in range(MAX_PER_USER + 3)]
    assert sessions.count("ann") == MAX_PER_USER
    assert sessions.user(tokens[-1]) is not None
