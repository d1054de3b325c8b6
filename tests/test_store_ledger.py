"""The commitments ledger as a meeting uses it: record, edit, close, see history, carry open items.

Meetings in these tests are every 14 days from Monday 2024-01-01 (a city.yaml written per test),
so 2024-01-15, 2024-01-29 and 2024-02-12 are meeting dates and 2024-01-16 is not.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import func, select, text

from city import load_city
from settings import Settings
from store import ConflictError, Ledger, LedgerInputError, NotFoundError, open_store
from store.schema import ledger_history, ledger_items
from tests.support.pgserver import BACKENDS

ROOT = Path(__file__).resolve().parents[1]
MEASURES = {"violent_crime_rate", "response_time_p1"}
CITY_YAML = """\
name: Testville
timezone: America/Los_Angeles
bounds: {min_lat: 47.48, max_lat: 47.74, min_lon: -122.46, max_lon: -122.22}
meeting_anchor: 2024-01-01
meeting_every_days: 14
"""


@pytest.fixture
def city_dir(tmp_path) -> Path:
    folder = tmp_path / "city"
    folder.mkdir()
    (folder / "city.yaml").write_text(CITY_YAML, encoding="utf-8")
    return folder


@pytest.fixture(params=BACKENDS)
def ledger_url(request, tmp_path) -> str:
    """Every ledger test runs on the default SQLite file and on a real PostgreSQL server."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_server").new_database()
    return f"sqlite:///{tmp_path / 'data' / 'ledger.sqlite3'}"


@pytest.fixture
def ledger(ledger_url, city_dir) -> Ledger:
    store = open_store(ledger_url)
    yield Ledger(store, load_city(city_dir), MEASURES, valid_areas={"mcpp": {"BALLARD NORTH", "FREMONT"}})
    store.close()


def action(**overrides) -> dict:
    values = dict(kind="action", text="Add patrols near the Ballard Ave bars on weekends",
                  owner="North Precinct captain", meeting_date="2024-01-15", due_date="2024-02-12",
                  measure_id="violent_crime_rate", area=("mcpp", "BALLARD NORTH"), by="ann")
    values.update(overrides)
    return values


def counts(ledger: Ledger) -> tuple[int, int]:
    with ledger.store.read() as conn:
        return (conn.execute(select(func.count()).select_from(ledger_items)).scalar(),
                conn.execute(select(func.count()).select_from(ledger_history)).scalar())


# ---- create, edit, close, history ---------------------------------------------------------

def test_create_edit_close_keeps_every_change_with_who_and_when(ledger):
    made = ledger.create(**action())
    assert (made.status, made.version, made.created_by, made.owner) == ("open", 1, "ann", "North Precinct captain")
    assert made.due_date == dt.date(2024, 2, 12) and made.meeting_date == dt.date(2024, 1, 15)
    assert (made.area_layer, made.area_id) == ("mcpp", "BALLARD NORTH")

    edited = ledger.edit(made.id, expected_version=1, by="bob", owner="Lt. Diaz", due_date="2024-02-26")
    assert (edited.owner, edited.due_date, edited.version, edited.updated_by) == (
        "Lt. Diaz", dt.date(2024, 2, 26), 2, "bob")
    assert edited.created_by == "ann"

    closed = ledger.close(edited.id, expected_version=2, by="cy", note="Patrols started 2024-02-03")
    assert (closed.status, closed.version, closed.notes) == ("done", 3, "Patrols started 2024-02-03")

    history = ledger.history(made.id)
    assert [(h.version, h.action, h.changed_by) for h in history] == [
        (1, "create", "ann"), (2, "edit", "bob"), (3, "close", "cy")]
    assert history[0].changes["owner"] == (None, "North Precinct captain")
    assert history[1].changes == {"owner": ("North Precinct captain", "Lt. Diaz"),
                                  "due_date": ("2024-02-12", "2024-02-26")}
    assert history[2].changes == {"status": ("open", "done"), "notes": ("", "Patrols started 2024-02-03")}
    assert all(h.changed_at.tzinfo is not None for h in history)
    assert history[0].changed_at <= history[1].changed_at <= history[2].changed_at


def test_reopen_and_drop_are_recorded_as_such(ledger):
    made = ledger.create(**action())
    done = ledger.close(made.id, expected_version=1, by="ann")
    dropped = ledger.edit(made.id, expected_version=done.version, by="ann", status="dropped")
    reopened = ledger.edit(made.id, expected_version=dropped.version, by="bob", status="open")
    assert reopened.status == "open"
    assert [h.action for h in ledger.history(made.id)] == ["create", "close", "close", "reopen"]
    assert [r.item.id for r in ledger.open_items("2039-05-02")] == [made.id]


def test_saving_the_same_values_adds_no_version_and_no_history(ledger):
    made = ledger.create(**action())
    same = ledger.edit(made.id, expected_version=1, by="bob", owner="  North Precinct captain ")
    assert same.version == 1
    assert len(ledger.history(made.id)) == 1


def test_second_editor_of_the_same_version_gets_a_conflict_not_a_silent_overwrite(ledger):
    made = ledger.create(**action())
    ledger.edit(made.id, expected_version=1, by="ann", owner="Lt. Diaz")
    with pytest.raises(ConflictError) as err:
        ledger.edit(made.id, expected_version=1, by="bob", owner="Sgt. Lee")
    message = str(err.value)
    assert "\n" not in message and f"item {made.id}" in message and "ann" in message and "version 2" in message
    assert ledger.get(made.id).owner == "Lt. Diaz"
    assert len(ledger.history(made.id)) == 2


def test_unknown_item_is_a_clear_not_found(ledger):
    with pytest.raises(NotFoundError, match="item 999: no such ledger item"):
        ledger.edit(999, expected_version=1, by="ann", owner="x")


def test_a_decision_needs_no_due_date_or_measure(ledger):
    made = ledger.create(kind="decision", text="Adopt the 28-day window for the packet",
                         owner="Chief of staff", meeting_date=dt.date(2024, 1, 29), by="ann")
    assert (made.due_date, made.measure_id, made.area_layer, made.area_id) == (None, None, None, None)


def test_a_decision_needs_no_owner_but_an_action_item_does(ledger):
    made = ledger.create(kind="decision", text="Keep the 14-day meeting rhythm", owner="",
                         meeting_date=dt.date(2024, 1, 29), by="ann")
    assert (made.owner, made.kind) == ("", "decision")
    with pytest.raises(LedgerInputError, match="owner: must not be empty for an action item"):
        ledger.edit(made.id, expected_version=1, by="ann", kind="action", due_date="2024-02-12")
    assert ledger.get(made.id).version == 1


# ---- validation: each bad value is named, nothing is saved --------------------------------

BAD_CREATES = [
    ({"due_date": "2024/02/12"}, "due_date"),
    ({"due_date": "02/12/2024"}, "due_date"),
    ({"due_date": "2024-02-30"}, "due_date"),
    ({"due_date": "2024-01-01"}, "due_date"),   # before the meeting it was made at
    ({"due_date": None}, "due_date"),           # an action item needs one
    ({"owner": ""}, "owner"),
    ({"owner": "   "}, "owner"),
    ({"text": ""}, "text"),
    ({"measure_id": "no_such_measure"}, "measure_id"),
    ({"meeting_date": "2024-01-16"}, "meeting_date"),
    ({"meeting_date": "15 Jan 2024"}, "meeting_date"),
    ({"kind": "promise"}, "kind"),
    ({"status": "pending"}, "status"),
    ({"area": ("mcpp", "ATLANTIS")}, "area"),
    ({"area": ("mcpp; DROP TABLE x", "FREMONT")}, "area"),
    ({"by": ""}, "by"),
]


@pytest.mark.parametrize("bad, field", BAD_CREATES, ids=[f"{f}={list(b.values())[0]!r}" for b, f in BAD_CREATES])
def test_invalid_create_names_the_field_and_saves_nothing(ledger, bad, field):
    with pytest.raises(LedgerInputError) as err:
        ledger.create(**action(**bad))
    assert isinstance(err.value, ValueError)
    assert err.value.field == field
    assert str(err.value).startswith(f"{field}: ") and "\n" not in str(err.value)
    assert counts(ledger) == (0, 0)


def test_not_a_meeting_date_message_offers_the_nearest_meeting_dates(ledger):
    with pytest.raises(LedgerInputError, match=r"2024-01-16 is not a meeting date \(the nearest are 2024-01-15 and 2024-01-29\)"):
        ledger.create(**action(meeting_date="2024-01-16"))


@pytest.mark.parametrize("bad, field", [
    ({"due_date": "next week"}, "due_date"),
    ({"owner": ""}, "owner"),
    ({"measure_id": "made_up"}, "measure_id"),
    ({"meeting_date": "2024-01-20"}, "meeting_date"),
    ({"version": 7}, "version"),
])
def test_invalid_edit_changes_nothing(ledger, bad, field):
    made = ledger.create(**action())
    with pytest.raises(LedgerInputError) as err:
        ledger.edit(made.id, expected_version=1, by="bob", **bad)
    assert err.value.field == field
    assert ledger.get(made.id) == made
    assert counts(ledger) == (1, 1)


def test_a_failure_inside_the_transaction_leaves_no_half_saved_item(ledger):
    # The database refuses the history row; the item written just before it must go too.
    with ledger.store.engine.begin() as conn:
        if ledger.store.dialect == "postgresql":
            conn.execute(text("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                              "IF NEW.changes LIKE '%REFUSE%' THEN RAISE EXCEPTION 'refused'; END IF; "
                              "RETURN NEW; END $$"))
            conn.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON ledger_history "
                              "FOR EACH ROW EXECUTE FUNCTION refuse()"))
        else:
            conn.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON ledger_history "
                              "WHEN NEW.changes LIKE '%REFUSE%' BEGIN SELECT RAISE(ABORT, 'refused'); END"))
    with pytest.raises(Exception, match="refused"):
        ledger.create(**action(text="REFUSE this one"))
    assert counts(ledger) == (0, 0)
    ledger.create(**action())
    assert counts(ledger) == (1, 1)


def test_history_rows_cannot_be_rewritten(ledger):
    made = ledger.create(**action())
    with pytest.raises(Exception, match="immutable"):
        with ledger.store.engine.begin() as conn:
            conn.execute(text("UPDATE ledger_history SET changed_by = 'mallory'"))
    with pytest.raises(Exception, match="immutable"):
        with ledger.store.engine.begin() as conn:
            conn.execute(text("DELETE FROM ledger_history"))
    assert ledger.history(made.id)[0].changed_by == "ann"


# ---- open items come back at the next meeting ----------------------------------------------

def test_open_items_at_a_meeting_with_age_and_overdue(ledger):
    early = ledger.create(**action(text="early", due_date="2024-02-01"))           # made 2024-01-15
    later = ledger.create(**action(text="later", meeting_date="2024-01-29", due_date="2024-03-11"))
    done = ledger.create(**action(text="done already"))
    ledger.close(done.id, expected_version=1, by="ann")
    ledger.create(**action(text="made at the meeting itself", meeting_date="2024-02-12", due_date="2024-03-11"))

    rows = ledger.open_items("2024-02-12")
    # "done already" was closed now (2026+), after the 2024-02-12 meeting: it was open then.
    assert [(r.item.text, r.age_days, r.overdue) for r in rows] == [
        ("early", 28, True), ("done already", 28, False), ("later", 14, False)]
    by_text = {r.item.text: r for r in rows}
    assert by_text["done already"].item.status == "done"  # shown as it is now
    assert by_text["early"].item.id == early.id and by_text["later"].item.id == later.id

    # At a meeting after today, the closed item no longer comes back.
    future = dt.date(2039, 5, 2)  # 2024-01-01 + 400 x 14 days (5,600 days), a meeting Monday
    rows = ledger.open_items(future)
    assert [(r.item.text, r.age_days) for r in rows] == [
        ("early", 5600 - 14), ("later", 5600 - 28), ("made at the meeting itself", 5600 - 42)]


def test_open_items_needs_a_meeting_date(ledger):
    with pytest.raises(LedgerInputError, match="meeting_date: 2024-02-13 is not a meeting date"):
        ledger.open_items("2024-02-13")


def test_open_at_a_past_meeting_is_replayed_from_history_in_city_time(ledger):
    """Closed before the end of the meeting day (Seattle time) -> not open at it; after -> open."""
    clock = {"now": dt.datetime(2024, 1, 15, 20, 0)}  # naive UTC, as the store keeps time
    timed = Ledger(ledger.store, ledger.city, MEASURES, clock=lambda: clock["now"])
    a = timed.create(**action(text="closed the week before"))
    b = timed.create(**action(text="closed late on meeting day"))
    c = timed.create(**action(text="closed just after midnight"))
    clock["now"] = dt.datetime(2024, 2, 5, 18, 0)
    timed.close(a.id, expected_version=1, by="ann")
    clock["now"] = dt.datetime(2024, 2, 13, 7, 30)   # 2024-02-12 23:30 in Seattle (PST, UTC-8)
    timed.close(b.id, expected_version=1, by="ann")
    clock["now"] = dt.datetime(2024, 2, 13, 8, 30)   # 2024-02-13 00:30 in Seattle
    timed.close(c.id, expected_version=1, by="ann")

    assert [r.item.text for r in timed.open_items("2024-01-29")] == [
        "closed the week before", "closed late on meeting day", "closed just after midnight"]
    assert [r.item.text for r in timed.open_items("2024-02-12")] == ["closed just after midnight"]
    assert timed.open_items("2024-02-26") == []


# ---- several processes, and the warehouse being rebuilt beside the ledger -----------------

WORKER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from city import load_city
    from store import ConflictError, Ledger, open_store

    url, city_dir, tag, go, shared = sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4]), json.loads(sys.argv[5])
    ledger = Ledger(open_store(url), load_city(Path(city_dir)), {"violent_crime_rate"})
    ledger.items(meeting_date="2024-01-15")  # warm up (imports the meeting calendar) before the start
    Path(str(go) + "." + tag).touch()  # ready
    while not go.exists():
        time.sleep(0.002)
    conflicts = 0
    for i in range(200):
        ledger.create(kind="decision", text=f"{tag}-{i}", owner=tag, meeting_date="2024-01-15", by=tag)
        target = shared[i % len(shared)]
        while True:  # what a page does on a conflict: reload, apply the change again
            item = ledger.get(target)
            try:
                ledger.edit(target, expected_version=item.version, by=tag, notes=item.notes + f" {tag}-{i}")
                break
            except ConflictError:
                conflicts += 1
    print(json.dumps({"conflicts": conflicts}))
""")


@pytest.mark.slow
def test_two_processes_writing_at_once_lose_nothing(ledger, ledger_url, city_dir, tmp_path):
    shared = [ledger.create(**action(text=f"shared {k}", notes="")).id for k in range(2)]
    go = tmp_path / "go"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, ledger_url, str(city_dir), tag, str(go), json.dumps(shared)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for tag in ("p1", "p2")]
    deadline = time.monotonic() + 120
    while not all(Path(f"{go}.{tag}").exists() for tag in ("p1", "p2")):  # both opened and waiting
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs), "a worker did not start"
        time.sleep(0.05)
    started = time.monotonic()
    go.touch()
    outputs = [p.communicate(timeout=240) for p in procs]
    elapsed = time.monotonic() - started
    assert [p.returncode for p in procs] == [0, 0], [err for _out, err in outputs]
    conflicts = sum(json.loads(out)["conflicts"] for out, _err in outputs)
    print(f"\n2 processes x (200 creates + 200 edits of 2 shared items): {elapsed:.1f} s, {conflicts} conflicts retried")

    made = ledger.items(meeting_date="2024-01-15")
    texts = {it.text for it in made}
    assert len(made) == 2 + 400
    assert {f"p1-{i}" for i in range(200)} | {f"p2-{i}" for i in range(200)} <= texts
    for k, item_id in enumerate(shared):
        item = ledger.get(item_id)
        # Every edit of this item by either process is in its notes: none overwrote another.
        expected = {f"{tag}-{i}" for tag in ("p1", "p2") for i in range(200) if i % 2 == k}
        tokens = item.notes.split()
        assert sorted(tokens) == sorted(expected)
        assert item.version == 1 + 200
        assert [h.version for h in ledger.history(item_id)] == list(range(1, 202))


def test_a_warehouse_rebuild_leaves_the_ledger_intact(tmp_path, city_dir):
    data = tmp_path / "data"
    settings = Settings.from_env({"SEASTAT_DB": str(data / "seastat.duckdb"),
                                  "SEASTAT_LEDGER": f"sqlite:///{data / 'ledger.sqlite3'}"})
    data.mkdir()
    con = duckdb.connect(str(settings.db_path))
    con.execute("CREATE TABLE crime AS SELECT * FROM (VALUES ('a', 1), ('b', 2)) t(event_key, n)")
    con.close()

    store = open_store(settings.ledger_url)
    ledger = Ledger(store, load_city(city_dir), MEASURES)
    kept = ledger.create(**action())
    kept = ledger.edit(kept.id, expected_version=1, by="bob", owner="Lt. Diaz")
    ledger.create(kind="decision", text="Publish the packet on Fridays", owner="Analytics",
                  meeting_date="2024-01-29", by="ann")
    before_items, before_history = ledger.items(), ledger.history(kept.id)

    # The ETL's own swap (etl.warehouse): build PATH.new, checkpoint, close, os.replace.
    from etl.warehouse import build, lock

    inode = settings.db_path.stat().st_ino
    with lock(settings.db_path), build(settings.db_path) as con:
        con.execute("CREATE OR REPLACE TABLE crime AS SELECT * FROM (VALUES ('c', 3)) t(event_key, n)")
    assert settings.db_path.stat().st_ino != inode
    con = duckdb.connect(str(settings.db_path), read_only=True)
    assert con.execute("SELECT event_key FROM crime").fetchall() == [("c",)]  # the rebuild happened
    con.close()
    assert sorted(p.name for p in data.iterdir()) == ["ledger.sqlite3", "ledger.sqlite3-shm", "ledger.sqlite3-wal", "seastat.duckdb", "seastat.duckdb.lock"]
    store.close()

    reopened = Ledger(open_store(settings.ledger_url), load_city(city_dir), MEASURES)
    assert reopened.items() == before_items
    assert [(it.text, it.owner, it.version) for it in reopened.items()] == [
        ("Add patrols near the Ballard Ave bars on weekends", "Lt. Diaz", 2),
        ("Publish the packet on Fridays", "Analytics", 1)]
    assert reopened.history(kept.id) == before_history
    reopened.store.close()


@pytest.mark.real_data
def test_real_etl_loads_beside_the_ledger_leave_it_intact(tmp_path, city_dir, seattle_data):
    """`python -m etl load` twice (two full rebuilds) with the ledger in the same data folder."""
    data = tmp_path / "data"
    env = dict(os.environ, PYTHONPATH=str(ROOT), SEASTAT_DB=str(data / "seastat.duckdb"),
               SEASTAT_LEDGER=f"sqlite:///{data / 'ledger.sqlite3'}")
    settings = Settings.from_env(env)
    ledger = Ledger(open_store(settings.ledger_url), load_city(city_dir), MEASURES)
    first = ledger.create(**action())

    def etl_load(dataset: str, relative: str) -> None:
        done = subprocess.run([sys.executable, "-m", "etl", "load", dataset, str(seattle_data / relative)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr

    etl_load("calls", "calls_911/call_data__2024-05_east_sector_c.csv")
    inode = settings.db_path.stat().st_ino
    second = ledger.create(**action(text="Review fire response times", meeting_date="2024-01-29",
                                    due_date="2024-02-26", measure_id="response_time_p1", area=None))
    first = ledger.edit(first.id, expected_version=1, by="bob", notes="Patrol plan drafted")
    etl_load("fire_calls", "fire_911/seattle_real_time_fire_911_calls__2022-01.csv")
    assert settings.db_path.stat().st_ino != inode  # the warehouse file was replaced
    ledger.store.close()

    reopened = Ledger(open_store(settings.ledger_url), load_city(city_dir), MEASURES)
    assert [(it.id, it.text, it.notes, it.version) for it in reopened.items()] == [
        (first.id, "Add patrols near the Ballard Ave bars on weekends", "Patrol plan drafted", 2),
        (second.id, "Review fire response times", "", 1)]
    assert [h.action for h in reopened.history(first.id)] == ["create", "edit"]
    reopened.store.close()
