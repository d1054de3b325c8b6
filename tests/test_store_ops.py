"""The store's schema-3 tables (run log, alert state, subscriptions) on SQLite and a real PostgreSQL."""
from __future__ import annotations

import pytest

from store import StoreInputError, Users, open_store
from store.alert_state import AlertStates
from store.runs import RunLog
from store.subscriptions import Subscriptions
from tests.support.pgserver import BACKENDS


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    url = (request.getfixturevalue("pg_server").new_database() if request.param == "postgresql"
           else f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    s = open_store(url)
    yield s
    s.close()


def test_the_run_log_keeps_each_run_and_calls_a_run_that_never_ended_interrupted(store):
    log = RunLog(store)
    killed = log.start()  # a refresh that was killed: never finished
    done = log.start()
    log.finish(done, "partial", {"crime": {"fetched": 5, "loaded": 4}}, {"calls": "HTTP 500"})
    newest, older = log.recent()
    assert (newest.id, newest.status, newest.loaded, newest.errors) == (done, "partial", 4, {"calls": "HTTP 500"})
    assert (older.id, older.status, older.finished_at) == (killed, "interrupted", None)
    assert newest.seconds is not None and newest.seconds >= 0
    with pytest.raises(ValueError, match="status"):
        log.finish(done, "great", {}, {})


def test_alert_state_is_one_row_per_thing_updated_in_place(store):
    states = AlertStates(store)
    states.record("overdue:crime", "2026-11-30", sent=True, recipients=("a@example.org",))
    states.record("overdue:crime", "2026-11-30", sent=True, recipients=("a@example.org",))
    states.record("status:robberies", "on_track", sent=False)
    seen = states.all()
    assert set(seen) == {"overdue:crime", "status:robberies"}
    assert seen["overdue:crime"].value == "2026-11-30" and seen["overdue:crime"].sent_at is not None
    assert seen["status:robberies"].sent_at is None and states.sent_count() == 1
    states.record("overdue:crime", "fresh", sent=False)
    assert states.all()["overdue:crime"].value == "fresh" and states.sent_count() == 0


def test_subscriptions_are_checked_unique_per_address_and_removed_together(store):
    Users(store).add_user("ann", "viewer", None)
    subs = Subscriptions(store)
    valid = {"goal": {"safe_neighborhoods"}, "measure": {"robberies"}}
    subs.add("ann", "Ann@Example.org", "measure", "robberies", valid)
    subs.add("ann", "ann@example.org", "measure", "robberies", valid)  # the same again: no second row
    subs.add("ann", "ann@example.org", "goal", "safe_neighborhoods", valid)
    assert [(s.email, s.kind, s.target) for s in subs.all()] == [
        ("ann@example.org", "goal", "safe_neighborhoods"), ("ann@example.org", "measure", "robberies")]
    for args, field in ((("bob", "b@example.org", "goal", "safe_neighborhoods"), "username"),
                        (("ann", "not an address", "goal", "safe_neighborhoods"), "email"),
                        (("ann", "ann@example.org", "measure", "no_such"), "measure"),
                        (("ann", "ann@example.org", "area", "x"), "kind")):
        with pytest.raises(StoreInputError) as err:
            subs.add(*args, valid=valid)
        assert err.value.field == field
    assert subs.remove_all("ANN@example.org") == 2 and subs.all() == []
