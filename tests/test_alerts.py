"""Alerts end to end: the local Socrata server feeds a dataset, `etl refresh` loads it, `ops alerts`
judges it against a fake clock (SEASTAT_TODAY read from a file), and a real SMTP server (aiosmtpd)
receives what is sent. Each thing is alerted once per change, never once per run.

The feed (tests/support/fire_feed.py): fire calls, 5 a day from Oct 19; meeting periods (every
14 days from 2024-01-01) run Nov 2-15 and Nov 16-29. The test's catalog gives the fire-calls
measure a target of 100 per 14 days, lower is better, 10% tolerance: 70 in Nov 2-15 is On track;
Nov 16-17 at 5 a day plus Nov 18-29 at 15 a day make 190 in Nov 16-29: Off track.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.fire_feed import FIRE_ID, city_folder, days, fire_calls
from tests.support.smtpserver import Inbox
from tests.support.sodaserver import SodaServer

pytestmark = pytest.mark.slow  # three processes per cycle, eleven cycles: ~45 s

ROOT = Path(__file__).resolve().parents[1]
D = dt.date
OPS = {"owners": {"operators": ["ops@example.org"], "datasets": {"fire_calls": ["fire-data@example.org"]},
                  "measures": {"fire_calls": ["fire-chief@example.org"]}},
       "alerts": {"measure_status": ["off_track"], "flags": False}}


def catalog_with_fire_target(folder: Path) -> Path:
    shutil.copytree(ROOT / "catalog", folder)
    path = folder / "response.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    (m,) = [m for m in raw["measures"] if m["id"] == "fire_calls"]
    m.update(direction="down", target={"value": 100, "per_days": 14, "tolerance_pct": 10, "placeholder": True,
                                       "rationale": "test target"})
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return folder


@pytest.fixture
def site(tmp_path):
    feed = fire_calls(tmp_path / "feed1.csv", days(D(2026, 10, 19), D(2026, 11, 17), 5))
    today = tmp_path / "today.txt"
    today.write_text("2026-11-18")
    with SodaServer({FIRE_ID: feed}, portal_dates=True) as portal, Inbox(tmp_path / "smtp") as inbox:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SEASTAT_") and k != "SOCRATA_APP_TOKEN"}
        env.update(SEASTAT_PORTAL_URL=portal.url, SEASTAT_CITY=str(city_folder(tmp_path, {"ops.yaml": OPS})),
                   SEASTAT_CATALOG=str(catalog_with_fire_target(tmp_path / "catalog")),
                   SEASTAT_DB=str(tmp_path / "w.duckdb"), SEASTAT_RAW_DIR=str(tmp_path / "raw"),
                   SEASTAT_LEDGER=f"sqlite:///{tmp_path / 'store.sqlite3'}", SEASTAT_TODAY=f"file:{today}",
                   SEASTAT_SMTP=inbox.url, SEASTAT_MAIL_FROM="seastat@city.example.org")
        yield portal, inbox, env, today, tmp_path


def cycle(env):
    """What the clock does every hour: refresh, then the alert rules."""
    for cmd in (["etl", "refresh", "--backoff", "0"], ["ops", "alerts"]):
        done = subprocess.run([sys.executable, "-m", *cmd], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, (cmd, done.stdout, done.stderr)


def test_a_measure_turning_off_track_and_a_feed_that_stops_each_send_one_email(site):
    portal, inbox, env, today, tmp = site
    cycle(env)  # Nov 2-15: 70 calls, On track; the feed is a day old: fresh
    cycle(env)
    assert inbox.messages == []

    later = {**days(D(2026, 10, 19), D(2026, 11, 17), 5), **days(D(2026, 11, 18), D(2026, 11, 30), 15)}
    portal.replace(FIRE_ID, fire_calls(tmp / "feed2.csv", later))
    today.write_text("2026-12-01")
    cycle(env)
    (mail,) = inbox.wait(1)
    assert mail["X-RcptTo"] == "fire-chief@example.org" and mail["To"] == "fire-chief@example.org"
    assert mail["Subject"] == "[SeaStat] Fire department 911 calls is now Off track"
    assert mail["From"] == "seastat@city.example.org"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "190.0 incidents" in text and "target 100.0" in text and "Off track" in text
    assert "<p>Fire department 911 calls: 190.0 incidents" in html
    cycle(env)  # still Off track, nothing new: no second email
    assert len(inbox.messages) == 1

    today.write_text("2026-12-10")  # the portal publishes nothing more: the feed has stopped
    for _ in range(3):
        cycle(env)
    assert len(inbox.wait(2)) == 2
    stopped = inbox.messages[1]
    assert stopped["X-RcptTo"] == "fire-data@example.org"
    assert stopped["Subject"] == "[SeaStat] Seattle Real Time Fire 911 Calls is overdue: no new data since 30 Nov 2026"
    assert "10 days before 10 Dec 2026" in stopped.get_body(("plain",)).get_content()
    today.write_text("2026-12-11")
    cycle(env)
    assert len(inbox.messages) == 2  # one overdue email per stall, not one per run or per day


def ops_cmd(env, *args):
    return subprocess.run([sys.executable, "-m", "ops", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def test_a_subscriber_gets_one_digest_before_the_meeting_and_unsubscribes_in_one_click(site):
    from urllib.parse import urlsplit

    from app import create_app
    from city import load_city
    from settings import Settings
    from store import Ledger, open_store
    from store.subscriptions import Subscriptions

    portal, inbox, env, today, tmp = site
    env.update(SEASTAT_SECRET_KEY="d" * 40, SEASTAT_BASE_URL="https://seastat.city.example.org")
    later = {**days(D(2026, 10, 19), D(2026, 11, 17), 5), **days(D(2026, 11, 18), D(2026, 11, 30), 15)}
    portal.replace(FIRE_ID, fire_calls(tmp / "feed2.csv", later))
    today.write_text("2026-11-27")  # the next meeting is Nov 30; digests go 1 day before (ops.yaml default)
    assert subprocess.run([sys.executable, "-m", "etl", "refresh"], cwd=ROOT, env=env, capture_output=True).returncode == 0
    assert subprocess.run([sys.executable, "-m", "store", "adduser", "chief", "--role", "viewer", "--sso"],
                          cwd=ROOT, env=env, capture_output=True).returncode == 0
    done = ops_cmd(env, "subscribe", "chief", "Chief@Example.org", "--measure", "fire_calls")
    assert done.returncode == 0, done.stderr
    assert ops_cmd(env, "subscribe", "chief", "chief@example.org", "--measure", "no_such").returncode == 2
    store = open_store(env["SEASTAT_LEDGER"])
    ledger = Ledger(store, load_city(Path(env["SEASTAT_CITY"])), ["fire_calls"])
    ledger.create(kind="action", text="Review ambulance staffing", owner="chief", meeting_date="2026-11-16",
                  due_date="2026-11-25", by="chief")
    ledger.create(kind="action", text="Someone else's task", owner="North Precinct", meeting_date="2026-11-16",
                  due_date="2026-12-10", by="chief")

    assert ops_cmd(env, "digest").returncode == 0 and inbox.messages == []  # 3 days before: not yet
    today.write_text("2026-11-29")
    for _ in range(2):  # the clock runs it every hour: one digest per meeting
        done = ops_cmd(env, "digest")
        assert done.returncode == 0, done.stderr
    (mail,) = inbox.wait(1)
    assert mail["X-RcptTo"] == "chief@example.org"
    assert mail["Subject"].strip() == "[SeaStat] Before the meeting of 30 Nov 2026: your measures and commitments"
    text = mail.get_body(("plain",)).get_content()
    changed = text.split("What changed\n")[1].split("\n\n")[0]
    assert changed.startswith("- Fire department 911 calls: 190 incidents for ") and (
        "(target 100): Off track, was On track in the period before." in changed)
    commitments = text.split("Your open commitments\n")[1].split("\n\n")[0]
    assert commitments == "- #1 Review ambulance staffing (chief, due 25 Nov 2026 (past due))"
    html = mail.get_body(("html",)).get_content()
    assert "<h2>What changed</h2>" in html and "Review ambulance staffing" in html and "Someone else" not in html

    link = mail["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://seastat.city.example.org/unsubscribe?t=") and link in text
    assert "Change what you follow: https://seastat.city.example.org/subscriptions" in text
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    app = create_app(Settings(db_path=Path(env["SEASTAT_DB"]), ledger_url=env["SEASTAT_LEDGER"],
                              city_config=Path(env["SEASTAT_CITY"]), auth=True, secret_key=env["SEASTAT_SECRET_KEY"]))
    client = app.server.test_client()
    path = urlsplit(link)._replace(scheme="", netloc="").geturl()
    assert client.get(path.replace("t=", "t=x")).status_code == 400  # a forged token does nothing
    assert "Stop sending SeaStat digests to" in client.get(path).get_data(as_text=True)  # a GET changes nothing
    assert len(Subscriptions(store).all()) == 1
    one_click = client.post(path, data={"List-Unsubscribe": "One-Click"})  # what a mail client sends, signed out
    assert one_click.status_code == 200 and "gets no more SeaStat digests" in one_click.get_data(as_text=True)
    assert Subscriptions(store).all() == []
    store.close()
    today.write_text("2026-12-13")  # the day before the next meeting: nobody is subscribed any more
    assert ops_cmd(env, "digest").returncode == 0
    assert len(inbox.messages) == 1


def test_a_digest_carries_the_meeting_packet_pdf_when_asked(demo_db, tmp_path):
    db = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db, db)  # the session's demo city (data to Nov 21), with its boundary layers
    with Inbox(tmp_path / "smtp") as inbox:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SEASTAT_")}
        env.update(SEASTAT_DB=str(db), SEASTAT_LEDGER=f"sqlite:///{tmp_path / 'store.sqlite3'}",
                   SEASTAT_TODAY="2026-11-29", SEASTAT_SMTP=inbox.url, SEASTAT_SECRET_KEY="p" * 40)
        assert subprocess.run([sys.executable, "-m", "store", "adduser", "chief", "--role", "viewer", "--sso"],
                              cwd=ROOT, env=env, capture_output=True).returncode == 0
        assert ops_cmd(env, "subscribe", "chief", "chief@example.org", "--goal", "safe_neighborhoods",
                       "--with-packet").returncode == 0
        done = ops_cmd(env, "digest")
        assert done.returncode == 0, done.stderr
        (mail,) = inbox.wait(1)
    (pdf,) = list(mail.iter_attachments())
    assert pdf.get_filename() == "seastat-packet-2026-11-30.pdf" and pdf.get_content_type() == "application/pdf"
    assert pdf.get_content().startswith(b"%PDF")
    assert "Robberies reported" in mail.get_body(("plain",)).get_content()
