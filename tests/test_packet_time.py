"""A packet made before its period is over: 7 of its 14 days have data, and every part of the
packet compares 7 days with 7 days (tests/test_packet.py's calendar and catalog).

The meeting of 2026-11-16 reviews 2026-11-02..11-15; the data stop on Sunday 11-08.
Robberies (target 10 per 14 days): 11-03 x9, 11-05 x2, 11-08 x1 -> 12 in the 7 days so far;
the 7 days before (10-26..11-01): 10-28 x4; the first 7 days of the period before (10-19..10-25):
10-20 x2 and 10-25 x3 -> 5, all 14 days of it 9.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

from settings import Settings
from tests.test_engine_fixtures import make_warehouse
from tests.test_packet import AREAS, CATALOG, M, PREV_M, fire, open_all, robbery


@pytest.fixture()
def world(tmp_path):
    cat = tmp_path / "catalog"
    cat.mkdir()
    for name, body in CATALOG.items():
        (cat / name).write_text(body, encoding="utf-8")
    crime = ([robbery("2026-11-03")] * 9 + [robbery("2026-11-05")] * 2 + [robbery("2026-11-08")]
             + [robbery("2026-10-28")] * 4 + [robbery("2026-10-20")] * 2 + [robbery("2026-10-25")] * 3
             + [robbery("2025-11-04")] * 6 + [robbery("2025-01-15")])
    fires = [fire("2026-11-08")] * 3 + [fire("2026-10-22")] * 7 + [fire("2026-01-05")]
    db = make_warehouse(tmp_path / "wh.duckdb", {"crime": crime, "fire_calls": fires}, areas=AREAS)
    return Settings(db_path=db, catalog_dir=cat, ledger_url=f"sqlite:///{tmp_path / 'ledger.sqlite3'}")


def test_seven_days_so_far_are_compared_with_seven_and_said_so(world):
    from packet import build_packet, text
    from packet.html import chart_for

    eng, ledger, snaps = open_all(world, clock=lambda: dt.datetime(2026, 11, 3, 18, 0))
    item = ledger.create(kind="action", text="Patrols", owner="West", meeting_date=PREV_M, due_date="2026-11-30",
                         measure_id="robberies", by="test")
    pkt = build_packet(eng, M, ledger=ledger, snapshots=snaps)
    assert pkt.partial and pkt.period.days == 7
    assert "7 of 14 days so far" in text.period_sentence(pkt)
    rob = pkt.row("robberies")
    assert (rob.meeting.value, rob.meeting.prior, rob.meeting.target) == (12, 4, 5)   # 10 per 14 days -> 5 per 7

    # the chart's last point is the same 7 days as the table: the same number, drawn apart
    s = rob.series
    last = s.iloc[-1]
    assert (last["days"], last["grain_days"], bool(last["partial"])) == (7, 14, True)
    assert last["value"] == rob.meeting.value and text.measure_cells(rob)[1] == "12"
    assert not s["partial"].iloc[:-1].any()
    svg, caption = chart_for(pkt, rob)
    assert "7 of 14 days so far, against a target of 5 for those days (open circle, not tested)" in caption
    line = re.search(r'<path d="([^"]+)" fill="none" stroke="#0b5cad"', svg).group(1)
    assert line.count("L") + line.count("M") == len(s) - 1        # the line stops at the last complete period
    assert 'fill="white" stroke="#767676"' in svg                # the part-period: an open circle
    assert rob.chart_target[:-1] == [10.0] * (len(s) - 1) and rob.chart_target[-1] == 5.0

    # the ledger: then (the item's period) and now over the same 7 days
    mv = next(c for c in pkt.carried if c.item.id == item.id).movement
    assert (mv.then, mv.now) == (5, 12)
    assert text.movement_text(next(c for c in pkt.carried if c.item.id == item.id)) == \
        "5 → 12: +7 (+140.0%); the first 7 of 14 days of each period"
