"""The demo city: real formats, the real load path, only the rejects it injects, patterns, determinism.

Uses the session `demo_db` fixture (tests/conftest.py): 1 year ending 2026-11-21, scale 0.05, seed 7.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from etl.__main__ import main
from etl.demo.build import DemoOptions, generate
from etl.sources import ADAPTERS
from etl.sources.sniff import inspect

pytestmark = pytest.mark.slow  # the session demo warehouse takes ~20 s to build

# demo file (relative to the demo folder) -> the real sample of the same dataset and vintage
SAME_LAYOUT = {
    "raw/crime/SPD_Crime_Data__2008-Present.csv": "crime/spd_crime_data_2008-present__2021-09_robbery_only.csv",
    "raw/calls/Call_Data.csv": "calls_911/call_data__2024-05_east_sector_c.csv",
    "raw/use_of_force/Use_Of_Force.csv": "use_of_force/use_of_force__2022-04.csv",
    "raw/terry_stops/Terry_Stops.csv": "terry_stops/terry_stops__2023-11.csv",
    "raw/ois/SPD_Officer_Involved_Shooting__OIS__Data.csv": "ois/spd_officer_involved_shooting__data-thru-2019-07.csv",
    "raw/fire_calls/Seattle_Real_Time_Fire_911_Calls.csv": "fire_911/seattle_real_time_fire_911_calls__2022-01.csv",
    "population/racial_social_equity_index_2020_census_tracts.csv":
        "population/racial_social_equity_index_2020_census_tracts.csv",
    "population/seattle_city_population_2010-2023_ofm.csv": "population/seattle_city_population_2010-2023_ofm.csv",
    "population/seattle_population_by_race_2015-2019.csv": "population/seattle_population_by_race_2015-2019.csv",
}
# Headers with no real sample: the layouts the issue gives, written out by hand.
CRIME_2025 = ("Report Number,Report DateTime,Offense ID,Offense Date,NIBRS Group AB,NIBRS Crime Against Category,"
              "Offense Sub Category,Shooting Type Group,Block Address,Latitude,Longitude,Beat,Precinct,Sector,"
              "Neighborhood,Reporting Area,Offense Category,NIBRS Offense Code Description,NIBRS_offense_code")
SERVICE_REQUESTS = ("Service Request Number,Web Intake Service Requests,Department Name,Created Date,Method Received Name,"
                    "Service Request Status Name,Location,Latitude,Longitude,ZIP Code,Council District,Police Precinct,"
                    "Community Reporting Area")


def first_line(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.readline()


@pytest.fixture(scope="module")
def demo_dir(demo_db) -> Path:
    return demo_db.parent / "demo"


@pytest.fixture(scope="module")
def con(demo_db):
    c = duckdb.connect(str(demo_db), read_only=True)
    yield c
    c.close()


@pytest.mark.real_data
def test_every_header_is_the_real_samples_header_byte_for_byte(demo_dir, seattle_data):
    for demo, real in SAME_LAYOUT.items():
        # BOM, field names and line ending all included in the first line
        assert first_line(demo_dir / demo) == first_line(seattle_data / real), demo


def test_headers_without_a_real_sample_follow_the_issue(demo_dir):
    assert first_line(demo_dir / "raw/crime/SPD_Crime_Data__2008-Present__2025-layout.csv") == \
        b"\xef\xbb\xbf" + CRIME_2025.encode() + b"\n"
    assert first_line(demo_dir / "raw/service_requests/Customer_Service_Requests.csv") == SERVICE_REQUESTS.encode() + b"\n"


def test_line_endings_and_values_look_like_the_exports(demo_dir):
    fire = (demo_dir / "raw/fire_calls/Seattle_Real_Time_Fire_911_Calls.csv").read_bytes()
    assert fire.count(b"\n") == fire.count(b"\r\n") > 1000  # CRLF on every line
    crime = (demo_dir / "raw/crime/SPD_Crime_Data__2008-Present.csv").read_text(encoding="utf-8-sig")
    assert b"\r" not in crime.encode()
    assert "XX BLOCK OF " in crime and " / " in crime             # blurred blocks and intersections
    assert ",,0,0\n" in crime and ",0.0," not in crime         # a missing place: no address, 0,0
    line = crime.splitlines()[1].split(",")
    dt.datetime.strptime(line[2], "%m/%d/%Y %I:%M:%S %p")         # 02/05/2020 09:39:33 AM
    calls = (demo_dir / "raw/calls/Call_Data.csv").read_text(encoding="utf-8-sig")
    assert ",EAST,CHARLIE,C" in calls and ",--" in calls
    terry = (demo_dir / "raw/terry_stops/Terry_Stops.csv").read_text().splitlines()[1]
    assert "T00:00:00Z," in terry and ".0000000," in terry
    nibrs = (demo_dir / "raw/crime/SPD_Crime_Data__2008-Present__2025-layout.csv").read_text(encoding="utf-8-sig")
    dt.datetime.strptime(nibrs.splitlines()[1].split(",")[1], "%Y %b %d %I:%M:%S %p")  # 2025 Dec 01 09:15:21 PM
    assert "POINT (-122." in fire.decode()
    ois = (demo_dir / "raw/ois/SPD_Officer_Involved_Shooting__OIS__Data.csv").read_text()
    assert '."\n' not in ois.splitlines()[0] and "\n\nThe subject" in ois  # multi-line Summary inside quotes


@pytest.mark.real_data
def test_loaded_vintages_are_those_of_the_real_samples(con, seattle_data):
    loaded = dict(con.execute("SELECT file, vintage FROM load_log").fetchall())
    for demo, real in SAME_LAYOUT.items():
        if not demo.startswith("raw/"):
            continue
        dataset = demo.split("/")[1]
        real_vintage = inspect(seattle_data / real, ADAPTERS[dataset], ADAPTERS).vintage.name
        assert loaded[Path(demo).name] == real_vintage, demo
    assert loaded["SPD_Crime_Data__2008-Present__2025-layout.csv"] == "2025"
    assert loaded["Customer_Service_Requests.csv"] == "csv"


def test_only_the_injected_rows_are_rejected(con, demo_dir):
    # 3 impossible dates (calls, use of force, fire) + 1 crime line with a field too many are rejected;
    # the 3 damaged keys (empty crime Offense ID, Excel-mangled Terry Stop ID, empty service request
    # number) load with keys derived from their content
    per_dataset = dict(con.execute("SELECT dataset, count(*) FROM rejects GROUP BY 1").fetchall())
    assert per_dataset == {"crime": 1, "calls": 1, "use_of_force": 1, "fire_calls": 1}
    reasons = " | ".join(r for (r,) in con.execute("SELECT reason FROM rejects").fetchall())
    for expected in ("malformed CSV line", "'02/30/2025 10:15:00 AM'", "'13/05/2025 09:00:00 PM'",
                     "'01/32/2026 10:00:00 AM'"):
        assert expected in reasons
    derived = dict(con.execute("SELECT dataset, sum(rows_derived_key) FROM load_log GROUP BY 1 "
                               "HAVING sum(rows_derived_key) > 0").fetchall())
    assert derived == {"crime": 1, "terry_stops": 1, "service_requests": 1}
    read, loaded, rejected, dup = con.execute(
        "SELECT sum(rows_read), sum(rows_loaded), sum(rows_rejected), sum(rows_duplicate) FROM load_log").fetchone()
    assert (rejected, dup) == (4, 0) and read == loaded + 4
    manifest = json.loads((demo_dir / "manifest.json").read_text())
    assert len(manifest["injected_rejects"]) == 4 and len(manifest["injected_derived_keys"]) == 3
    assert read == sum(f["rows"] for f in manifest["files"])  # nothing lost on the way


def test_marked_as_demo_with_approximate_shapes(con):
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    assert meta["is_demo"] == "true" and meta["demo_seed"] == "7"
    layers = dict(con.execute("SELECT layer, count(*) FROM areas WHERE approximate GROUP BY 1").fetchall())
    assert layers["mcpp"] == 58 and layers["beat"] == 51 and layers["precinct"] == 5
    assert con.execute("SELECT count(*) FROM areas WHERE NOT approximate").fetchone()[0] == 0


def test_beats_roll_up_into_sectors_and_precincts(con):
    parents = dict(con.execute("SELECT area_id, parent_id FROM areas WHERE layer = 'beat'").fetchall())
    assert parents["C2"] == "C" and parents["K3"] == "K" and parents["W1"] == "W"
    sector = dict(con.execute("SELECT area_id, parent_id FROM areas WHERE layer = 'sector'").fetchall())
    assert sector["C"] == "E" and sector["K"] == "W" and sector["W"] == "SW"
    # every located crime's beat lies in its sector and precinct
    bad = con.execute("SELECT count(*) FROM crime c JOIN areas a ON a.layer = 'beat' AND a.area_id = c.area_beat "
                      "JOIN areas s ON s.layer = 'sector' AND s.area_id = a.parent_id "
                      "WHERE c.latitude IS NOT NULL AND (c.area_sector <> s.area_id OR c.area_precinct <> s.parent_id)"
                      ).fetchone()[0]
    assert bad == 0


def test_summer_is_busier_than_winter(con):
    jul, jan = con.execute("SELECT count(*) FILTER (WHERE month(event_time) = 7), "
                           "count(*) FILTER (WHERE month(event_time) = 1) FROM crime").fetchone()
    assert jul > 1.15 * jan  # seasonal amplitude 15%: expected ratio about 1.35


def test_calls_are_fewer_before_dawn_than_in_the_evening(con):
    dawn, evening = con.execute("SELECT count(*) FILTER (WHERE hour(event_time) BETWEEN 3 AND 5), "
                                "count(*) FILTER (WHERE hour(event_time) BETWEEN 20 AND 22) FROM calls").fetchone()
    assert evening > 2 * dawn


def test_a_hot_spot_appears_and_fades(con):
    # Motor-vehicle theft in SODO peaks 35 days before the end (2026-10-18), about 12 days wide.
    def count(start, end):
        return con.execute("SELECT count(*) FROM crime WHERE category = 'MOTOR VEHICLE THEFT' AND area_mcpp = 'SODO' "
                           "AND event_time >= ? AND event_time < ?", [start, end]).fetchone()[0]
    hot = count(dt.datetime(2026, 10, 4), dt.datetime(2026, 11, 1))
    before = count(dt.datetime(2026, 4, 5), dt.datetime(2026, 5, 3))
    assert hot >= 10 and hot >= 3 * max(before, 1)


def test_downtown_has_more_crime_than_a_quiet_residential_area(con):
    rows = dict(con.execute("SELECT area_mcpp, count(*) FROM crime GROUP BY 1").fetchall())
    assert rows["DOWNTOWN COMMERCIAL"] > 4 * rows["MADISON PARK"]


def test_response_times_have_a_tail_and_follow_priority(con):
    rows = {p: (med, p90) for p, med, p90 in con.execute(
        "SELECT priority, median(response_seconds), quantile_cont(response_seconds, 0.9) FROM calls "
        "WHERE response_seconds IS NOT NULL GROUP BY 1").fetchall()}
    assert rows[1][0] < rows[2][0] < rows[3][0]
    assert rows[3][1] > 2 * rows[3][0]  # the 90th percentile is far above the median
    missing = con.execute("SELECT avg((arrived_at IS NULL)::INT) FROM calls").fetchone()[0]
    assert 0.1 < missing < 0.3


def test_black_residents_are_stopped_more_than_their_share(con):
    stops_share = con.execute("SELECT avg((subject_race = 'Black')::INT) FROM terry_stops").fetchone()[0]
    pop = dict(con.execute("SELECT group_value, population FROM denominators WHERE layer = 'city' AND year = 2026 "
                           "AND group_field IN ('total', 'subject_race')").fetchall())
    resident_share = pop["Black"] / pop["all"]
    assert 0.05 < resident_share < 0.12
    assert stops_share > 2 * resident_share
    frisk = dict(con.execute("SELECT subject_race = 'Black', avg(frisk_flag::INT) FROM terry_stops "
                             "WHERE frisk_flag IS NOT NULL GROUP BY 1").fetchall())
    assert frisk[True] > frisk[False]


def test_events_end_the_day_before_the_end_date(con):
    newest = con.execute("SELECT max(event_time) FROM calls").fetchone()[0]
    assert newest.date() == dt.date(2026, 11, 21)


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_same_files_other_seed_other_files(tmp_path, demo_dir):
    end = dt.date(2026, 11, 22)
    generate(DemoOptions(out_dir=tmp_path / "a", db_path=tmp_path / "unused.duckdb", years=1, scale=0.05, seed=7, end=end))
    generate(DemoOptions(out_dir=tmp_path / "b", db_path=tmp_path / "unused.duckdb", years=1, scale=0.05, seed=8, end=end))
    a, b, fixture = _digests(tmp_path / "a"), _digests(tmp_path / "b"), _digests(demo_dir)
    assert a == fixture  # the session fixture used seed 7 too
    assert a["raw/crime/SPD_Crime_Data__2008-Present.csv"] != b["raw/crime/SPD_Crime_Data__2008-Present.csv"]
    assert a["boundaries/spd_micro_community_policing_plans_mcpp.geojson"] == \
        b["boundaries/spd_micro_community_policing_plans_mcpp.geojson"]  # the city itself does not move


def test_cli_refuses_to_replace_a_real_warehouse(tmp_path, capsys):
    real = tmp_path / "real.duckdb"
    c = duckdb.connect(str(real))
    c.execute("CREATE TABLE crime AS SELECT 1 AS event_key")
    c.close()
    before = real.read_bytes()
    rc = main(["demo", "--db", str(real), "--out", str(tmp_path / "demo"), "--years", "0.1", "--scale", "0.01"])
    assert rc == 1
    err = capsys.readouterr().err
    assert str(real) in err and "--force" in err and len(err.strip().splitlines()) == 1
    assert real.read_bytes() == before and not (tmp_path / "demo").exists()


def test_cli_refuses_a_folder_that_is_not_a_demo_folder(tmp_path, capsys):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    rc = main(["demo", "--no-load", "--out", str(tmp_path / "mine"), "--years", "0.1", "--scale", "0.01"])
    assert rc == 1 and "not a demo folder" in capsys.readouterr().err
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_some_categories_rise_and_others_fall():
    # Generator level (no load), 2 years at half the default size: drug offenses fall 20% a year,
    # motor-vehicle theft rises 18% a year (its SODO hot spot excluded here).
    import numpy as np

    from etl.demo import crime, shapes, timeline

    geo = shapes.build_geography()
    window = timeline.Window(dt.date(2024, 11, 22), dt.date(2026, 11, 22))
    rows = crime.generate(np.random.default_rng([7, 1]), geo, window, 0.5)
    first = rows["start"] < np.datetime64("2025-11-22")
    sodo = rows["mcpp"] == "SODO"

    def ratio(group, mask):
        sel = (rows["parent"] == group) & mask
        return (sel & ~first).sum() / (sel & first).sum()

    assert ratio("DRUG/NARCOTIC OFFENSES", True) < 0.9
    assert ratio("MOTOR VEHICLE THEFT", ~sodo) > 1.1
    assert 0.85 < ratio("DESTRUCTION/DAMAGE/VANDALISM OF PROPERTY", True) < 1.15  # flat


def test_cli_rebuilds_over_an_older_demo(tmp_path, demo_db, capsys):
    import shutil

    db = tmp_path / "w.duckdb"
    shutil.copyfile(demo_db, db)  # an older demo (seed 7): the CLI may replace it without --force
    rc = main(["demo", "--db", str(db), "--out", str(tmp_path / "demo"), "--years", "0.2", "--scale", "0.02",
               "--seed", "11", "--end", "2026-06-01"])
    out = capsys.readouterr().out
    assert rc == 0
    manifest = json.loads((tmp_path / "demo" / "manifest.json").read_text())
    c = duckdb.connect(str(db), read_only=True)
    try:
        meta = dict(c.execute("SELECT key, value FROM meta").fetchall())
        rejected, newest = c.execute("SELECT (SELECT sum(rows_rejected) FROM load_log), "
                                     "(SELECT max(event_time) FROM crime)").fetchone()
    finally:
        c.close()
    assert meta["demo_seed"] == "11" and meta["demo_end"] == "2026-06-01"
    assert newest.date() == dt.date(2026, 5, 31)
    assert rejected == len(manifest["injected_rejects"]) > 0
    assert f"{rejected} rows rejected (injected on purpose: {rejected})" in out
    assert not Path(str(db) + ".demo-build").exists()


def test_cli_rejects_impossible_options(tmp_path, capsys):
    rc = main(["demo", "--no-load", "--out", str(tmp_path / "d"), "--years", "0"])
    assert rc == 1
    err = capsys.readouterr().err.strip()
    assert err == "python -m etl demo: --years 0.0: expected a number of years between 0 and 20"


def test_default_end_is_today_in_seattle(tmp_path):
    from zoneinfo import ZoneInfo

    rc = main(["demo", "--no-load", "--out", str(tmp_path / "d"), "--years", "0.1", "--scale", "0.01"])
    assert rc == 0
    manifest = json.loads((tmp_path / "d" / "manifest.json").read_text())
    # events stop at midnight starting today, Seattle time: never in the city's future
    assert manifest["end"] == dt.datetime.now(ZoneInfo("America/Los_Angeles")).date().isoformat()


def test_each_datasets_first_and_last_day_are_recorded_by_the_load_and_shown(con, demo_db):
    """The data page's newest event per dataset comes from agg_coverage (written by the load, so a
    worker does not scan every event table); it must be what the events say."""
    import dataclasses

    from engine import Engine
    from settings import Settings

    recorded = {d: (lo, hi) for d, lo, hi in con.execute("SELECT dataset, lo, hi FROM agg_coverage").fetchall()}
    tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert set(recorded) == {d for d in ADAPTERS if d in tables}
    for d, span in recorded.items():
        assert span == con.execute(f"SELECT CAST(min(event_time) AS DATE), CAST(max(event_time) AS DATE) "
                                   f"FROM {d}").fetchone()
    eng = Engine.open(dataclasses.replace(Settings.from_env(), db_path=demo_db))
    shown = {r["dataset"]: r["newest_event"] for r in eng.inventory().to_dict("records") if r["newest_event"]}
    assert shown and all(shown[d] == recorded[d][1] for d in shown)
    assert eng.as_of() == max(hi for _lo, hi in recorded.values())
