"""`python -m etl fetch` against a real local HTTP server serving the real Seattle samples.

What a user would notice: every row arrives across pages, --since brings only newer rows, a
flaky portal costs a retry and not a row, an interrupted download picks up where it stopped
(the server sees no page twice), and a wrong dataset id is one clear line and a failing exit.
Expected values were read off the sample files by hand (see the comments).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import duckdb
import pytest

from etl.__main__ import main
from etl.fetch import DATASETS, FetchError, download, load_portal, newest_event_date, split_page
from etl.socrata import SocrataClient, SocrataError
from tests.support.sodaserver import SodaServer

pytestmark = pytest.mark.real_data

ROOT = Path(__file__).resolve().parents[1]
PORTAL = load_portal(ROOT / "config" / "seattle" / "portal.yaml")
SAMPLES = {
    "tazs-3rd5": "crime/spd_crime_data_2008-present__2021-09_robbery_only.csv",
    "33kz-ixgy": "calls_911/call_data__2024-05_east_sector_c.csv",
    "mg5r-efcm": "ois/spd_officer_involved_shooting__data-thru-2019-07.csv",
    "kzjm-xkqj": "fire_911/seattle_real_time_fire_911_calls__2022-01.csv",
    "ppi5-g2bj": "use_of_force/use_of_force__2022-04.csv",
}


@pytest.fixture
def soda(seattle_data):
    with SodaServer({rid: seattle_data / rel for rid, rel in SAMPLES.items()}) as server:
        yield server


def client(server, retries=3):
    return SocrataClient(server.url, retries=retries, backoff=0.01, timeout=10)


def read_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def offsets(requests) -> list[int]:
    return [int(r["params"]["$offset"]) for r in requests if "$offset" in r["params"]]


def cli_env(server, raw_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "SOCRATA_APP_TOKEN"}
    return {**env, "SEASTAT_PORTAL_URL": server.url, "SEASTAT_RAW_DIR": str(raw_dir), **extra}


# -- paging -----------------------------------------------------------------------------------
def test_paging_assembles_every_ois_record_including_multiline_summaries(soda, tmp_path):
    got = download(PORTAL.sources["ois"], client(soda), tmp_path, page_size=50)
    rows = read_rows(got.path)
    # 156 records (512 physical lines: Summary holds line breaks) -> pages at 0, 50, 100, 150.
    assert len(rows) == 156 and got.rows == 156 and got.pages == 4
    assert offsets(soda.requests) == [0, 50, 100, 150]
    assert rows[0]["frb"] == "FRB 05-05" and rows[0]["incident_number"] == "20050000286240"
    assert rows[0]["date_time"] == "07/08/2005 01:48:00 PM"
    # records 50 and 51 straddle the first page boundary (two officers, one incident)
    assert rows[49]["frb"] == rows[50]["frb"] == "FRB 10-05"
    assert rows[100]["incident_number"] == "20150000244504"
    assert rows[-1]["incident_number"] == "20190000243418" and rows[-1]["frb"] == ""
    assert rows[-1]["summary"].endswith("Unlawful Possession of a Firearm.")
    assert "\n" in rows[-1]["summary"]
    assert got.path.name.startswith("ois_all_") and got.path.suffix == ".csv"
    assert sorted(p.name for p in got.path.parent.iterdir()) == [got.path.name]  # no .part / state left


def test_pages_travel_gzipped_and_assemble_to_what_one_big_page_gives(soda, tmp_path):
    got = download(PORTAL.sources["ois"], client(soda), tmp_path, page_size=30)
    assert got.pages == 6 and all(r["headers"].get("Accept-Encoding") == "gzip" for r in soda.requests)
    # the same query in one uncompressed page, asked for with plain urllib
    with urllib.request.urlopen(f"{soda.url}/resource/mg5r-efcm.csv?%24limit=1000&%24order=%3Aid", timeout=10) as resp:
        assert "Content-Encoding" not in resp.headers
        assert got.path.read_bytes() == resp.read()


def test_paging_crime_20000_rows_in_7_pages_with_api_field_names(soda, tmp_path):
    got = download(PORTAL.sources["crime"], client(soda), tmp_path, page_size=3000)
    rows = read_rows(got.path)
    assert len(rows) == 20000 and got.pages == 7  # 6 full pages of 3000 + 2000
    assert len({r["offense_id"] for r in rows}) == 20000
    first, last = rows[0], rows[-1]
    assert (first["report_number"], first["offense_id"], first["mcpp"]) == ("2020-044465", "12605567653", "ROOSEVELT/RAVENNA")
    assert first["_100_block_address"] == "26TH AVE NE / NE BLAKELEY ST"
    assert (last["report_number"], last["offense_id"], last["offense_end_datetime"]) == ("2021-241322", "27428718455", "")
    assert last["latitude"] == "47.71717447"
    with open(got.path, encoding="utf-8", newline="") as fh:
        assert fh.readline().startswith('"report_number","offense_id","offense_start_datetime"')


def test_page_records_are_counted_like_a_csv_reader_would():
    page = ('\ufeff"id","summary"\r\n"1","said ""stop""\r\nand left"\r\n"2",""\r\n"3","x, y"').encode()
    header, body, rows = split_page(page)
    assert header == b'"id","summary"\r\n' and rows == 3
    assert list(csv.reader(io.StringIO(body.decode(), newline=""))) == [
        ["1", 'said "stop"\r\nand left'], ["2", ""], ["3", "x, y"]]
    with pytest.raises(FetchError, match="ends inside a quoted field"):
        split_page(b'"id","summary"\n"1","cut sh')


# -- --since ----------------------------------------------------------------------------------
def test_since_fetches_only_the_newer_fire_calls(soda, tmp_path):
    got = download(PORTAL.sources["fire_calls"], client(soda), tmp_path, since=dt.date(2022, 1, 31), page_size=100)
    rows = read_rows(got.path)
    # `grep -c "01/31/2022"` on the sample: 285 calls on the month's last day.
    assert len(rows) == 285
    assert all(r["datetime"].startswith("01/31/2022 ") for r in rows)
    assert soda.data_requests()[0]["params"]["$where"] == "datetime >= '2022-01-31T00:00:00'"
    assert got.path.name.startswith("fire_calls_since-2022-01-31_")


def test_since_uses_the_older_field_name_when_the_dataset_has_it(soda, tmp_path):
    # portal.yaml lists cad_event_original_time_queued first; this vintage only has original_time_queued.
    got = download(PORTAL.sources["calls"], client(soda), tmp_path, since=dt.date(2023, 1, 1))
    rows = read_rows(got.path)
    # The sample has 4 calls queued in 2023 (earliest 01/13/2023), none later.
    assert sorted(r["cad_event_number"] for r in rows) == ["2023000012835", "2023000035421", "2023000121107", "2023000233550"]
    probe, page = soda.requests
    assert probe["params"] == {"$limit": "1"}
    assert page["params"]["$where"] == "original_time_queued >= '2023-01-01T00:00:00'"


def test_since_after_the_newest_row_loads_nothing_and_succeeds(soda, tmp_path, capsys):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SEASTAT_PORTAL_URL", soda.url)
        mp.setenv("SEASTAT_RAW_DIR", str(tmp_path))
        rc = main(["fetch", "fire_calls", "--since", "2022-02-01", "--db", str(tmp_path / "w.duckdb")])
    assert rc == 0
    assert "no rows to fetch" in capsys.readouterr().out
    assert not (tmp_path / "w.duckdb").exists() and list((tmp_path / "fire_calls").iterdir()) == []


def test_bare_since_starts_at_the_newest_event_in_the_warehouse(soda, tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE fire_calls (event_key VARCHAR, event_time TIMESTAMP)")
    con.execute("INSERT INTO fire_calls VALUES ('F1', '2022-01-30 08:00:00'), ('F2', '2022-01-31 23:59:00')")
    con.close()
    assert newest_event_date("fire_calls", db) == dt.date(2022, 1, 31)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SEASTAT_PORTAL_URL", soda.url)
        mp.setenv("SEASTAT_RAW_DIR", str(tmp_path))
        rc = main(["fetch", "fire_calls", "--since", "--db", str(db), "--no-load"])
    assert rc == 0
    assert soda.data_requests()[0]["params"]["$where"] == "datetime >= '2022-01-31T00:00:00'"
    assert "285 rows" in capsys.readouterr().out


def test_since_must_be_a_date(soda, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["fetch", "crime", "--since", "2021-01-01' OR '1'='1"])
    assert exc.value.code == 2
    assert "expected a date YYYY-MM-DD" in capsys.readouterr().err
    assert soda.requests == []


def test_where_text_reaches_the_portal_intact_whatever_it_contains(soda):
    tricky = "report_number >= 'a&$limit=1#x'' = y'"
    client(soda).get("tazs-3rd5", {"$where": tricky, "$limit": 5})
    assert soda.requests[0]["params"] == {"$where": tricky, "$limit": "5"}


# -- retries ----------------------------------------------------------------------------------
def test_a_500_on_one_page_is_retried_and_nothing_is_lost(soda, tmp_path):
    soda.fail = {2: 500}  # the second request: page 2
    got = download(PORTAL.sources["ois"], client(soda), tmp_path, page_size=50)
    assert len(read_rows(got.path)) == 156
    assert [(int(r["params"]["$offset"]), r["outcome"]) for r in soda.requests] == [
        (0, "ok"), (50, "fail 500"), (50, "ok"), (100, "ok"), (150, "ok")]


def test_a_connection_dropped_mid_page_is_retried(soda, tmp_path):
    soda.drop = {3}
    got = download(PORTAL.sources["ois"], client(soda), tmp_path, page_size=50)
    assert len(read_rows(got.path)) == 156
    assert [r["outcome"] for r in soda.requests] == ["ok", "ok", "dropped", "ok", "ok"]
    assert offsets(soda.requests) == [0, 50, 100, 100, 150]
    clean = download(PORTAL.sources["ois"], client(soda), tmp_path / "clean", page_size=50)
    assert got.path.read_bytes() == clean.path.read_bytes()  # the half page left no trace


def test_a_page_that_times_out_or_is_rate_limited_is_retried(soda, tmp_path):
    soda.slow = {1: 2.0}   # page 1 answers after the client's 0.5 s timeout
    soda.fail = {3: 429}   # then the portal asks us to slow down once
    patient = SocrataClient(soda.url, retries=3, backoff=0.01, timeout=0.5)
    got = download(PORTAL.sources["ois"], patient, tmp_path, page_size=100)
    assert len(read_rows(got.path)) == 156
    assert [(int(r["params"]["$offset"]), r["outcome"]) for r in soda.requests] == [
        (0, "slow"), (0, "ok"), (100, "fail 429"), (100, "ok")]


def test_retries_are_bounded_and_the_error_names_the_url(soda):
    soda.fail = {n: 503 for n in range(1, 10)}
    with pytest.raises(SocrataError) as exc:
        client(soda, retries=2).get("mg5r-efcm", {"$limit": 10})
    assert len(soda.requests) == 3
    assert "gave up after 3 attempts (HTTP 503" in str(exc.value)
    assert f"{soda.url}/resource/mg5r-efcm.csv?$limit=10" in str(exc.value)


def test_a_page_that_is_not_soda_csv_stops_with_one_line_and_keeps_earlier_pages(soda, tmp_path):
    soda.garbage = {2: b"<html><body>Service temporarily unavailable</body></html>"}
    with pytest.raises(FetchError) as exc:
        download(PORTAL.sources["ois"], client(soda), tmp_path, page_size=50)
    assert str(exc.value).startswith("mg5r-efcm at offset 50: the portal's answer is not SODA CSV (first line: b'<html>")
    assert "\n" not in str(exc.value)
    assert json.loads((tmp_path / "ois" / "all.state.json").read_text())["offset"] == 50
    got = download(PORTAL.sources["ois"], client(soda), tmp_path, page_size=50)
    assert got.resumed_from == 50 and len(read_rows(got.path)) == 156


# -- resume -----------------------------------------------------------------------------------
def test_a_download_cut_after_page_2_resumes_at_the_saved_offset(soda, tmp_path, seattle_data):
    soda.drop_from = 3  # the portal goes away after two pages
    with pytest.raises(SocrataError):
        download(PORTAL.sources["ois"], client(soda, retries=1), tmp_path, page_size=40)
    state = json.loads((tmp_path / "ois" / "all.state.json").read_text())
    assert state["offset"] == 80
    first_run = len(soda.requests)

    soda.drop_from = None
    got = download(PORTAL.sources["ois"], client(soda), tmp_path, page_size=40)
    assert got.resumed_from == 80 and not got.portal_changed
    assert offsets(soda.requests[first_run:]) == [80, 120]  # page 1 and 2 never asked for again
    rows = read_rows(got.path)
    assert len(rows) == 156 and rows[0]["frb"] == "FRB 05-05"
    assert rows[-1]["incident_number"] == "20190000243418"

    # the resumed file is byte for byte what an uninterrupted download gives
    clean = download(PORTAL.sources["ois"], client(soda), tmp_path / "clean", page_size=40)
    assert got.path.read_bytes() == clean.path.read_bytes()


def test_a_dataset_updated_between_runs_still_completes_with_a_warning(soda, tmp_path, capsys):
    soda.drop_from = 3
    with pytest.raises(SocrataError):
        download(PORTAL.sources["ois"], client(soda, retries=0), tmp_path, page_size=40)
    soda.drop_from = None
    soda.last_modified = "Wed, 02 Feb 2022 08:00:00 GMT"  # the portal published an update meanwhile
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SEASTAT_PORTAL_URL", soda.url)
        mp.setenv("SEASTAT_RAW_DIR", str(tmp_path))
        rc = main(["fetch", "ois", "--no-load", "--page-size", "40"])
    out, err = capsys.readouterr()
    assert rc == 0 and "156 rows in 2 pages, resumed at row 80" in out
    assert "warning: the dataset changed on the portal while it was being paged" in err


def test_a_killed_client_resumes_when_rerun(soda, tmp_path):
    soda.hold_from(40)  # pages 1 and 2 are answered; the client is killed waiting for page 3
    cmd = [sys.executable, "-m", "etl", "fetch", "ois", "--no-load", "--page-size", "20", "--backoff", "0.01"]
    env = cli_env(soda, tmp_path)
    state_file = tmp_path / "ois" / "all.state.json"
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert soda.held.wait(timeout=120), "the client never asked for page 3"
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    saved = json.loads(state_file.read_text())["offset"]
    assert saved == 40
    first_run = len(soda.requests)

    soda.release()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"resumed at row {saved}" in done.stdout
    resumed = offsets(soda.requests[first_run:])
    assert resumed[0] == saved and 0 not in resumed and 20 not in resumed
    (final,) = (tmp_path / "ois").glob("ois_all_*.csv")
    rows = read_rows(final)
    assert len(rows) == 156 and rows[0]["frb"] == "FRB 05-05" and rows[-1]["incident_number"] == "20190000243418"
    clean = download(PORTAL.sources["ois"], client(soda), tmp_path / "clean", page_size=20)
    assert final.read_bytes() == clean.path.read_bytes()  # no page lost or written twice


def test_ctrl_c_stops_with_one_line_and_the_rerun_resumes(soda, tmp_path):
    # The portal holds page 2 until the test lets it go, so Ctrl-C lands mid-download however busy
    # the machine is (waiting a fixed delay instead let a fast fetch finish first: exit 0, not 130).
    soda.hold_from(20)
    cmd = [sys.executable, "-m", "etl", "fetch", "ois", "--no-load", "--page-size", "20"]
    env = cli_env(soda, tmp_path)
    state_file = tmp_path / "ois" / "all.state.json"
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert soda.held.wait(timeout=120), "the client never asked for page 2"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.strip() == "etl fetch ois: interrupted; rerun the same command to resume"
    saved = json.loads(state_file.read_text())["offset"]
    assert saved == 20  # page 1 kept, page 2 never received
    soda.release()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "156 rows" in done.stdout and f"resumed at row {saved}" in done.stdout


def test_a_state_for_another_dataset_is_not_overwritten(soda, tmp_path):
    folder = tmp_path / "ois"
    folder.mkdir()
    (folder / "all.part").write_text("kept\n")
    (folder / "all.state.json").write_text(json.dumps(
        {"dataset": "ois", "resource": "abcd-1234", "where": None, "order": ":id", "offset": 10, "bytes": 5, "header": "x"}))
    with pytest.raises(FetchError, match=r"all\.state\.json: a partial download of abcd-1234"):
        download(PORTAL.sources["ois"], client(soda), tmp_path)
    assert (folder / "all.part").read_text() == "kept\n" and soda.requests == []


# -- errors and the command line --------------------------------------------------------------
def test_a_404_is_one_line_naming_dataset_and_url_and_exits_nonzero(soda, tmp_path):
    # no sample exists for Customer Service Requests, so the server does not know 5ngg-rpne
    done = subprocess.run([sys.executable, "-m", "etl", "fetch", "service_requests"], cwd=ROOT,
                          env=cli_env(soda, tmp_path), capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("etl fetch service_requests: HTTP 404 Not Found (Cannot find view with id 5ngg-rpne) for ")
    assert f"{soda.url}/resource/5ngg-rpne.csv?" in lines[0]
    assert len(soda.requests) == 1  # a 4xx is not retried
    assert not any((tmp_path / "service_requests").glob("*"))  # no empty .part left behind


def test_app_token_travels_in_the_header_only(soda, tmp_path):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SEASTAT_PORTAL_URL", soda.url)
        mp.setenv("SEASTAT_RAW_DIR", str(tmp_path))
        mp.setenv("SOCRATA_APP_TOKEN", "tok-123")
        assert main(["fetch", "ois", "--no-load"]) == 0
    (req,) = soda.requests
    assert req["headers"].get("X-App-Token") == "tok-123"
    assert "tok-123" not in json.dumps(req["params"])


def test_portal_yaml_names_every_dataset_with_its_portal_id():
    assert PORTAL.domain == "data.seattle.gov" and PORTAL.base_url == "https://data.seattle.gov"
    ids = {name: src.resource for name, src in PORTAL.sources.items()}
    assert ids == {"crime": "tazs-3rd5", "calls": "33kz-ixgy", "use_of_force": "ppi5-g2bj", "terry_stops": "28ny-9ts8",
                   "ois": "mg5r-efcm", "fire_calls": "kzjm-xkqj", "service_requests": "5ngg-rpne"}
    assert set(ids) == set(DATASETS)
    assert PORTAL.sources["terry_stops"].date_fields == ("reported_date",)


def test_a_bad_portal_yaml_names_file_and_key(tmp_path):
    bad = tmp_path / "portal.yaml"
    bad.write_text("domain: x\ndatasets:\n  crime: {id: tazs-3rd5, date_fields: [\"report date\"]}\n")
    with pytest.raises(FetchError) as exc:
        load_portal(bad)
    assert str(exc.value) == f"{bad}: datasets.crime.date_fields: expected a list of API field names like [report_datetime]"


def test_a_second_fetch_of_the_same_dataset_waits_its_turn(soda, tmp_path, capsys):
    soda.hold_from(40)  # the first fetch is mid-download (page 2 held) while the second one starts
    cmd = [sys.executable, "-m", "etl", "fetch", "ois", "--no-load", "--page-size", "40"]
    env = cli_env(soda, tmp_path)
    first = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert soda.held.wait(timeout=120), "the first fetch never asked for page 2"
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            if k.startswith("SEASTAT_"):
                mp.setenv(k, v)
        rc = main(["fetch", "ois", "--no-load", "--page-size", "40"])
    err = capsys.readouterr().err
    assert rc == 1 and "another fetch of ois is running" in err
    soda.release()
    out, errs = first.communicate(timeout=60)
    assert first.returncode == 0, errs
    assert "156 rows in 4 pages" in out  # the first fetch was not disturbed


def test_progress_bar_only_on_a_terminal(soda, tmp_path):
    import pty

    import fcntl
    import struct
    import termios

    main_fd, child_fd = pty.openpty()
    fcntl.ioctl(child_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a 100-column terminal
    proc = subprocess.Popen([sys.executable, "-m", "etl", "fetch", "ois", "--no-load", "--page-size", "50"],
                            cwd=ROOT, env=cli_env(soda, tmp_path), stdout=subprocess.PIPE, stderr=child_fd)
    os.close(child_fd)
    out, _ = proc.communicate(timeout=60)
    chunks = []
    while True:
        try:
            data = os.read(main_fd, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(main_fd)
    bar = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0
    assert "fetch ois" in bar and "156/156" in bar  # a total from count(*), filled to the end
    assert soda.requests[0]["params"] == {"$select": "count(*)"}
    assert out.decode().startswith("etl fetch ois: 156 rows") and "\r" not in out.decode()  # stdout is a pipe: no bar
    # (off a terminal no count(*) is asked for: see the exact request lists in the tests above)
