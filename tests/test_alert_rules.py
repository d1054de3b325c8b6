"""The alert rules that read the run log and the ledger, on real Run and Item records: which state
each thing is in, and which states deserve an email (ops/alerts.py). Delivery and de-duplication
through a real SMTP server are in tests/test_alerts.py."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from ops.alerts import commitment_watches, run_watches
from ops.config import load_ops
from store.ledger import Item
from store.runs import Run

ROOT = Path(__file__).resolve().parents[1]
T = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)


def run(i: int, **changes) -> Run:
    return Run(i, T, T + dt.timedelta(seconds=30), "ok", changes, {})


def test_a_refresh_rejecting_too_much_or_loading_an_odd_amount_is_flagged_for_the_steward():
    ops = load_ops(ROOT / "config" / "seattle")  # max_reject_rate 0.05, row_count_factor 5
    usual = [run(i, crime={"read": 100, "rejected": 1, "loaded": 100}) for i in (3, 2, 1)]
    calm = {w.key: w for w in run_watches([run(4, crime={"read": 120, "rejected": 6, "loaded": 110}), *usual], ops)}
    assert (calm["rejects:crime"].value, calm["rejects:crime"].alert) == ("normal", False)  # 5.0%: not above 5%
    assert (calm["rows:crime"].value, calm["rows:crime"].alert) == ("normal", False)
    odd = {w.key: w for w in run_watches([run(5, crime={"read": 900, "rejected": 90, "loaded": 800}), *usual], ops)}
    assert (odd["rejects:crime"].value, odd["rejects:crime"].alert) == ("run 5", True)
    assert odd["rejects:crime"].recipients == ("spd-data@example.org",)
    assert "90 of the 900 crime rows" in odd["rejects:crime"].lines[0] and "10.0%" in odd["rejects:crime"].lines[0]
    assert (odd["rows:crime"].value, odd["rows:crime"].alert) == ("run 5", True)
    assert "median of 100" in odd["rows:crime"].lines[0]
    assert calm["refresh"].value == "ok" and not calm["refresh"].alert
    broken = Run(6, T, T, "partial", {"crime": {"read": 1}}, {"calls": "HTTP 500 for https://portal"})
    failing = {w.key: w for w in run_watches([broken, *usual], ops)}["refresh"]
    assert (failing.value, failing.alert, failing.recipients) == ("failing", True, ("seastat-ops@example.org",))
    assert "calls: HTTP 500 for https://portal" in failing.lines[0]
    # fewer than three earlier runs: no baseline, no row-count judgement
    assert "rows:crime" not in {w.key for w in run_watches([run(5, crime={"read": 9, "loaded": 800}), *usual[:2]], ops)}


def item(i: int, owner: str, due: str | None, status: str = "open") -> Item:
    return Item(i, "action", f"task {i}", owner, dt.date.fromisoformat(due) if due else None, None, None, None,
                status, "", dt.date(2026, 11, 16), "ann", T, "ann", T, 1)


def test_an_open_commitment_past_due_goes_to_its_owner_once_per_due_date():
    ops = load_ops(ROOT / "config" / "seattle")
    watches = {w.key: w for w in commitment_watches(
        [item(1, "North Precinct", "2026-11-30"), item(2, "North Precinct", "2026-12-01"),
         item(3, "Lt. Diaz", "2026-11-20", status="done"), item(4, "Lt. Diaz", None)], dt.date(2026, 12, 1), ops)}
    assert set(watches) == {"due:1", "due:2"}  # done and undated items are not watched
    assert (watches["due:1"].value, watches["due:1"].alert) == ("2026-11-30", True)
    assert (watches["due:2"].value, watches["due:2"].alert) == ("not due", False)  # due today: not past due
    assert watches["due:1"].recipients == ("seastat-ops@example.org",)  # no address for that owner: operators
    assert watches["due:1"].subject == "[SeaStat] Commitment #1 is past due (30 Nov 2026)"
