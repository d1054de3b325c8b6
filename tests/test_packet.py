"""The meeting packet's numbers on a tiny warehouse whose every event is listed here.

Calendar (anchor Monday 2024-01-01, every 14 days): the meeting of 2026-11-16 reviews
2026-11-02..2026-11-15; the previous period is 2026-10-19..2026-11-01; the same period last
year is 52 weeks back, 2025-11-03..2025-11-16. The meeting of 2026-11-02 reviewed 10-19..11-01.

Robberies (target 10 per 14 days, 10% tolerance, lower is better):
  this period  BELLTOWN 18, FREMONT 2  -> 20
  previous     BELLTOWN 2,  FREMONT 3  -> 5
  last year    10 (area unknown)
Fire calls (no target): 7 this period, 7 previous, all in no known area.
P-values are worked out below from binomial coefficients, independently of scipy.
"""
from __future__ import annotations

import datetime as dt
import math
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from settings import ROOT, Settings
from tests.support.tools import in_ci
from tests.test_engine_fixtures import make_warehouse

M = dt.date(2026, 11, 16)
PREV_M = dt.date(2026, 11, 2)

CATALOG = {
    "goals.yaml": """
goals:
  - {id: safety, order: 1, title: Safe streets, statement: Fewer robberies., department: Police}
  - {id: fire, order: 2, title: Fire response, statement: Fire calls answered., department: Fire}
""",
    "datasets.yaml": """
datasets:
  - {id: crime, title: Crime, portal_id: x1, cadence_days: 1, lag_days: 0}
  - {id: fire_calls, title: Fire calls, portal_id: x2, cadence_days: 1, lag_days: 0}
""",
    "measures.yaml": """
measures:
  - id: robberies
    goal: safety
    order: 1
    title: Robberies
    definition: Robbery offenses.
    methodology: Counted by offense start.
    datasets: [crime]
    computation: {kind: count, dataset: crime, where: {category: ROBBERY}}
    unit: offenses
    direction: down
    target: {value: 10, per_days: 14, tolerance_pct: 10, placeholder: true, rationale: test}
    cadence: daily
    lag_days: 0
    breakdowns: {layers: [mcpp]}
    visibility: public
    small_number_threshold: 1
    history: [{date: 2026-01-01, change: Defined.}]
  - id: fires
    goal: fire
    order: 1
    title: Fire calls
    definition: Fire 911 calls.
    methodology: Counted by call time.
    datasets: [fire_calls]
    computation: {kind: count, dataset: fire_calls}
    unit: calls
    direction: none
    cadence: daily
    lag_days: 0
    breakdowns: {layers: [mcpp]}
    visibility: public
    small_number_threshold: 1
    history: [{date: 2026-01-01, change: Defined.}]
""",
}


def robbery(day: str, area: str = "UNKNOWN") -> dict:
    return {"event_time": dt.datetime.fromisoformat(day + "T12:00"), "category": "ROBBERY", "area_mcpp": area}


def fire(day: str) -> dict:
    return {"event_time": dt.datetime.fromisoformat(day + "T08:00"), "category": "Aid Response"}


def events(late_robbery: bool = False) -> dict:
    crime = ([robbery("2026-11-03", "BELLTOWN")] * 9 + [robbery("2026-11-15", "BELLTOWN")] * 9
             + [robbery("2026-11-05", "FREMONT")] * 2
             + [robbery("2026-10-20", "BELLTOWN")] * 2 + [robbery("2026-10-25", "FREMONT")] * 3
             + [robbery("2025-11-10")] * 10
             # the data start well before last year's period, so last year is covered (not partial)
             + [robbery("2025-01-15")])
    if late_robbery:  # a record for the previous period that arrived after the 2026-11-02 packet
        crime.append(robbery("2026-10-30", "FREMONT"))
    # fire data start before the prior period and run to the period's last day (a dataset whose
    # last event is earlier is compared on its own days: engine.timemodel.within_data)
    return {"crime": crime, "fire_calls": [fire("2026-11-10")] * 6 + [fire("2026-11-15")] + [fire("2026-10-22")] * 7
            + [fire("2026-01-05")]}


AREAS = [("mcpp", "BELLTOWN", "Belltown"), ("mcpp", "FREMONT", "Fremont")]


@pytest.fixture()
def world(tmp_path):
    cat = tmp_path / "catalog"
    cat.mkdir()
    for name, body in CATALOG.items():
        (cat / name).write_text(body, encoding="utf-8")
    db = make_warehouse(tmp_path / "wh.duckdb", events(), areas=AREAS)
    s = Settings(db_path=db, catalog_dir=cat, ledger_url=f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    return s


def open_all(s, clock=None):
    """Engine, ledger and snapshots; `clock` (naive UTC) dates the ledger's writes."""
    from engine import Engine
    from packet.snapshots import Snapshots
    from store import Ledger, open_store

    eng = Engine.open(s)
    store = open_store(s.ledger_url)
    ledger = Ledger(store, eng.city, eng.catalog.measures.keys(), **({"clock": clock} if clock else {}))
    return eng, ledger, Snapshots(store, eng.city.timezone)


def two_sided_half(x: int, n: int) -> float:
    """Exact two-sided binomial p-value for x of n at p = 1/2 (equal exposures), by hand."""
    tail = sum(math.comb(n, k) for k in range(max(x, n - x), n + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def test_numbers_status_and_flags_match_hand_counts(world):
    from packet import build_packet

    eng, ledger, snaps = open_all(world)
    pkt = build_packet(eng, M, ledger=ledger, snapshots=snaps)
    assert (pkt.period.start, pkt.period.end) == (dt.date(2026, 11, 2), dt.date(2026, 11, 15))
    assert not pkt.partial and pkt.as_of == dt.date(2026, 11, 15)
    rob = pkt.row("robberies")
    assert (rob.meeting.value, rob.meeting.prior, rob.meeting.prior_year) == (20, 5, 10)
    assert rob.meeting.change == 15 and rob.meeting.change_pct == pytest.approx(300.0)
    assert rob.d28.value == 25           # 10-19..11-15: both periods
    assert rob.ytd.value == 25           # 2026-01-01..11-15: the 2025 robberies are last year
    assert rob.meeting.target == 10 and rob.meeting.status == "off_track"   # 20 > 10 + 10%
    assert rob.meeting.flag.p_value == pytest.approx(two_sided_half(20, 25))  # 0.0041: flagged
    assert rob.meeting.flag.flagged and not rob.meeting.flag_year.flagged   # 20 vs 10: p = 0.099
    assert two_sided_half(20, 30) == pytest.approx(0.0987, abs=1e-4)
    fires = pkt.row("fires")
    assert (fires.meeting.value, fires.meeting.prior, fires.meeting.status) == (7, 7, "no_target")
    # Flags: off track first, then the real change; fires (7 vs 7) and robberies vs last year are noise.
    # One flag per measure, in plain words; the test, its p-value and the rule behind "how we know".
    assert [(f.measure_id, f.kinds) for f in pkt.flags] == [("robberies", ("off_track", "change_prior"))]
    assert pkt.flags[0].headline == ("Robberies: off track, 20 offenses against a target of 10 offenses; rose 300% "
                                     "(5 → 20) on the previous two weeks, more than normal variation explains.")
    how = pkt.flags[0].test
    assert "tolerance band" in how and "exact Poisson test, p = 0.004" in how and "Status rule" not in how


def test_hot_spots_are_ranked_rises_marked_by_false_discovery_rate(world):
    from packet import build_packet

    eng, _, _ = open_all(world)
    pkt = build_packet(eng, M)
    hs = pkt.hotspots
    # Robberies: BELLTOWN 2 -> 18 is tested; FREMONT 3 -> 2 (5 events) is too few to test;
    # fire calls have no event in a known area, so nothing to test.
    assert hs.tests == 1 and hs.untested["robberies"] == {"FREMONT"}
    assert [(h.measure_id, h.area_id, h.prior_count, h.count, h.significant) for h in hs.spots] == [
        ("robberies", "BELLTOWN", 2, 18, True)]
    assert hs.spots[0].p_value == pytest.approx(two_sided_half(18, 20))  # 422 / 2^20 = 0.0004
    assert hs.changes == {"robberies": {"BELLTOWN": 16, "FREMONT": -1}, "fires": {"BELLTOWN": 0, "FREMONT": 0}}


def test_open_items_come_back_in_the_next_packet_with_age_and_movement(world):
    from packet import build_packet

    # Everything is typed in on 2026-11-03, so the drop happened before the 11-16 meeting.
    eng, ledger, snaps = open_all(world, clock=lambda: dt.datetime(2026, 11, 3, 18, 0))
    walk = ledger.create(kind="action", text="Foot patrols in Belltown", owner="West Precinct",
                         meeting_date=PREV_M, due_date="2026-11-30", measure_id="robberies",
                         area=("mcpp", "BELLTOWN"), by="test")
    dropped = ledger.create(kind="action", text="Dropped idea", owner="Ops", meeting_date=PREV_M,
                            due_date="2026-11-09", by="test")
    ledger.close(dropped.id, expected_version=1, by="test", status="dropped")
    late = ledger.create(kind="action", text="Overdue report", owner="Analyst", meeting_date=PREV_M,
                         due_date="2026-11-09", measure_id="fires", by="test")
    today = ledger.create(kind="decision", text="Review again in December", owner="Chief", meeting_date=M, by="test")
    pkt = build_packet(eng, M, ledger=ledger, snapshots=snaps)
    carried = {c.item.id: c for c in pkt.carried}
    assert set(carried) == {walk.id, late.id}          # the dropped one is closed; today's is new business
    c = carried[walk.id]
    assert (c.age_days, c.overdue) == (14, False)
    # Belltown robberies at the 11-02 meeting (10-19..11-01) = 2; now (11-02..11-15) = 18.
    assert (c.movement.then, c.movement.now, c.movement.change) == (2, 18, 16)
    from packet.text import movement_text
    assert movement_text(c) == "2 → 18: +16 (+800.0%); BELLTOWN (mcpp)"
    assert carried[late.id].overdue and carried[late.id].movement.then == 7  # citywide fire calls 10-19..11-01
    assert [i.id for i in pkt.new_items] == [today.id]
    # The meeting after that carries all three open ones (age 28, 28, 14); at the meeting where the
    # first were made, nothing.
    later = build_packet(eng, dt.date(2026, 11, 30), ledger=ledger).carried
    assert [(c.item.id, c.age_days) for c in later] == [(walk.id, 28), (late.id, 28), (today.id, 14)]
    assert build_packet(eng, PREV_M, ledger=ledger).carried == []


def test_what_changed_lists_revised_figures_and_status_changes(world, tmp_path):
    from engine import Engine
    from packet import build_packet

    eng, ledger, snaps = open_all(world)
    first = build_packet(eng, PREV_M, ledger=ledger, snapshots=snaps)
    assert first.last_packet is None and first.changes == []
    assert first.row("robberies").meeting.value == 5 and first.row("robberies").meeting.status == "on_track"
    snaps.save(first)
    # A late robbery for 10-30 arrives; the warehouse is rebuilt.
    late_db = make_warehouse(tmp_path / "wh2.duckdb", events(late_robbery=True), areas=AREAS)
    eng2 = Engine.open(replace(world, db_path=late_db))
    pkt = build_packet(eng2, M, ledger=ledger, snapshots=snaps)
    assert pkt.last_packet == PREV_M
    kinds = {(c.measure_id, c.kind): c.text for c in pkt.changes}
    assert set(kinds) == {("robberies", "revised"), ("robberies", "status")}
    assert "was 5 in the Nov 2 packet and is now 6" in kinds[("robberies", "revised")]
    assert "On track in the Nov 2 packet, Off track now" in kinds[("robberies", "status")]


def test_meeting_calendar_and_partial_periods():
    from city import load_city
    from packet.calendar import MeetingDateError, meeting_period, next_meeting, parse_meeting_date

    city = load_city(ROOT / "config" / "seattle")
    assert next_meeting(city, dt.date(2026, 11, 16)) == M          # a meeting day is its own next meeting
    assert next_meeting(city, dt.date(2026, 11, 17)) == dt.date(2026, 11, 30)
    assert parse_meeting_date(city, "2026-11-16") == M
    with pytest.raises(MeetingDateError, match=r"2026-11-17 is not a meeting date \(the nearest are 2026-11-16 and 2026-11-30\)"):
        parse_meeting_date(city, "2026-11-17")
    with pytest.raises(MeetingDateError, match="not a date in the form YYYY-MM-DD"):
        parse_meeting_date(city, "16/11/2026")
    full, part = meeting_period(city, M, dt.date(2026, 11, 8))
    assert (full.start, full.end, part.start, part.end) == (dt.date(2026, 11, 2), dt.date(2026, 11, 15),
                                                            dt.date(2026, 11, 2), dt.date(2026, 11, 8))
    assert (part.prior().start, part.prior().end) == (dt.date(2026, 10, 26), dt.date(2026, 11, 1))
    assert part.prior_year().start == dt.date(2025, 11, 3)


def test_ledger_refuses_bad_input_and_saves_nothing(world):
    from store import LedgerInputError

    eng, ledger, _ = open_all(world)
    bad = [
        (dict(due_date="30/11/2026"), "due_date", "not a date in the form YYYY-MM-DD"),
        (dict(owner="  "), "owner", "must not be empty"),
        (dict(measure_id="burglaries"), "measure_id", "not a measure in the catalog"),
        (dict(meeting_date="2026-11-17"), "meeting_date", "not a meeting date"),
    ]
    for change, fld, words in bad:
        args = dict(kind="action", text="Do it", owner="Ops", meeting_date=M, due_date="2026-11-30",
                    measure_id="robberies", by="test") | change
        with pytest.raises(LedgerInputError, match=words) as err:
            ledger.create(**args)
        assert err.value.field == fld
    assert ledger.items() == []


def run_cli(*args, env_extra: dict) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ, **env_extra)
    return subprocess.run([sys.executable, "-m", "packet", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.slow
def test_cli_errors_are_one_line(world, tmp_path):
    env = {"SEASTAT_DB": str(world.db_path), "SEASTAT_CATALOG": str(world.catalog_dir),
           "SEASTAT_LEDGER": world.ledger_url}
    r = run_cli("--date", "2026-11-17", "--out", str(tmp_path / "p.pdf"), env_extra=env)
    assert r.returncode == 2
    assert r.stderr.strip() == "error: --date: 2026-11-17 is not a meeting date (the nearest are 2026-11-16 and 2026-11-30)"
    r = run_cli("--date", "2026-11-16", "--out", str(tmp_path / "p.txt"), env_extra=env)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "must end in .pdf" in r.stderr
    r = run_cli("--out", str(tmp_path / "p.pdf"), env_extra=dict(env, SEASTAT_DB=str(tmp_path / "none.duckdb")))
    assert r.returncode == 1 and r.stderr.startswith("error: ") and r.stderr.count("\n") == 1
    assert not (tmp_path / "p.pdf").exists()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None and not in_ci(), reason="poppler-utils (pdftotext) is not installed")
def test_cli_pdf_carries_the_numbers_and_records_a_snapshot(world, tmp_path):
    from packet.snapshots import Snapshots
    from store import open_store

    env = {"SEASTAT_DB": str(world.db_path), "SEASTAT_CATALOG": str(world.catalog_dir),
           "SEASTAT_LEDGER": world.ledger_url}
    out = tmp_path / "packet.pdf"
    r = run_cli("--date", "2026-11-16", "--out", str(out), env_extra=env)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes()[:5] == b"%PDF-"
    txt = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Monday 16 November 2026" in txt and "Data as of 15 Nov 2026" in txt
    assert "Robberies: off track, 20 offenses against a target of 10 offenses" in txt
    assert "Belltown" in txt and "+16" in txt           # the hot spot row
    assert Snapshots(open_store(world.ledger_url), "America/Los_Angeles").generations(M)


@pytest.mark.skipif(shutil.which("pdftotext") is None and not in_ci(), reason="poppler-utils (pdftotext) is not installed")
def test_follow_up_lists_decisions_and_actions_with_owners_and_due_dates(world):
    from packet import build_packet
    from packet.followup import followup_pdf, render_followup

    eng, ledger, _ = open_all(world, clock=lambda: dt.datetime(2026, 11, 16, 18, 0))
    ledger.create(kind="action", text="Overdue report", owner="Analyst", meeting_date=PREV_M,
                  due_date="2026-11-09", measure_id="fires", by="test")
    ledger.create(kind="decision", text="Keep the 14-day rhythm", owner="", meeting_date=M, by="test")
    ledger.create(kind="action", text="Foot patrols in Belltown", owner="West Precinct", meeting_date=M,
                  due_date="2026-11-30", measure_id="robberies", area=("mcpp", "BELLTOWN"), by="test")
    page = render_followup(build_packet(eng, M, ledger=ledger))
    decisions, rest = page.split("<h2>Action items</h2>")
    actions, still = rest.split("<h2>Still open from earlier meetings</h2>")
    assert "Keep the 14-day rhythm</td><td>none</td>" in decisions and "Foot patrols" not in decisions
    assert "<td>Foot patrols in Belltown</td><td>West Precinct</td><td>30 Nov 2026</td><td>Robberies, BELLTOWN</td>" in actions
    assert "Overdue report" in still and "9 Nov 2026 OVERDUE" in still
    pdf = world.db_path.parent / "follow-up.pdf"
    pdf.write_bytes(followup_pdf(eng, M, ledger))
    txt = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(txt.split())
    assert "Follow-up: meeting of Monday 16 November 2026" in flat and "Foot patrols in Belltown" in flat
    assert txt.count("\f") == 1  # one page
