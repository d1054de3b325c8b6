"""Every failure of `python -m etl` is ONE line naming the file or setting, a non-zero exit, no
traceback, no hang, nothing left behind, and the previous warehouse still serving (issue 14).

Why: a deployment script or an analyst reads stderr; 15 failures used to print a traceback,
others two to four lines or a misleading cause ("could not be read as CSV" for a full disk, a
missing city file blamed on the catalog), a FIFO hung the command, and failed loads left
`PATH.new` and `seastat-load-*` folders behind.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from etl import warehouse
from tests.support.etl_files import crime_file, crime_row
from tests.support.etl_samples import ROOT, etl, query


def one_line_error(p, *must_contain: str, code: int | None = None) -> str:
    assert p.returncode != 0, p.stdout
    if code is not None:
        assert p.returncode == code, (p.returncode, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert "Traceback" not in p.stderr
    line = lines[0]
    assert line.startswith("error: "), line
    for text in must_contain:
        assert text in line, line
    return line


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".new", ".wal")) or p.name.startswith("seastat-load-"))


@pytest.fixture
def served(tmp_path):
    """A warehouse with one loaded file: every failure below must leave it byte-identical."""
    db = tmp_path / "wh.duckdb"
    p = etl("load", "crime", crime_file(tmp_path / "seed.csv", [crime_row("1"), crime_row("2")]), "--db", db)
    assert p.returncode == 0, p.stderr
    return db


@pytest.fixture
def good(tmp_path):
    return crime_file(tmp_path / "good.csv", [crime_row("7")])


def test_argument_errors_are_one_line(tmp_path, good):
    one_line_error(etl("load", "parking", good, "--db", tmp_path / "x.duckdb"), "invalid choice: 'parking'", code=2)
    one_line_error(etl("load"), "required: DATASET, FILE", code=2)
    one_line_error(etl("load", "crime"), "required: FILE", code=2)
    one_line_error(etl("frobnicate"), "unknown command 'frobnicate'", code=2)
    one_line_error(etl("demo", "--end", "2021-02-30", "--no-load"), "'2021-02-30' is not a calendar date", code=2)


@pytest.mark.parametrize("name, value", [("SEASTAT_MODE", "bogus"), ("SEASTAT_AUTH", "maybe")])
def test_a_bad_setting_is_named(tmp_path, good, name, value):
    for args in (("load", "crime", good, "--db", tmp_path / "wh.duckdb"), ("status", "--db", tmp_path / "wh.duckdb")):
        one_line_error(etl(*args, env={name: value}), f"{name}='{value}'")


def test_a_missing_city_file_is_blamed_on_the_city_not_the_catalog(tmp_path, good):
    line = one_line_error(etl("load", "crime", good, "--db", tmp_path / "wh.duckdb",
                              env={"SEASTAT_CITY": str(tmp_path / "nocity")}), str(tmp_path / "nocity" / "city.yaml"))
    assert "catalog" not in line


def test_bad_db_targets_are_refused_and_leave_nothing(tmp_path, good):
    folder = tmp_path / "adir"
    folder.mkdir()
    text = tmp_path / "notes.duckdb"
    text.write_text("hello, this is not a warehouse\n")
    cases = {folder: "is a folder", text: "is not a DuckDB warehouse"}
    for target, what in cases.items():
        one_line_error(etl("load", "crime", good, "--db", target), str(target), what)
    assert text.read_text() == "hello, this is not a warehouse\n"
    for target in (Path("/proc/seastat-test.duckdb"), Path("/sys/seastat-test.duckdb")):
        one_line_error(etl("load", "crime", good, "--db", target), str(target), "choose a writable folder")
    assert leftovers(tmp_path) == []


def test_a_truncated_warehouse_is_named_and_kept(served, tmp_path, good):
    cut = tmp_path / "cut.duckdb"
    cut.write_bytes(served.read_bytes()[:8192])
    before = cut.read_bytes()
    one_line_error(etl("load", "crime", good, "--db", cut), str(cut), "cannot be opened as a DuckDB warehouse")
    assert cut.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_unusable_input_files_are_named(served, tmp_path):
    before = served.read_bytes()
    loop = tmp_path / "loop.csv"
    os.symlink(tmp_path / "loop2.csv", loop)
    os.symlink(loop, tmp_path / "loop2.csv")
    long_name = tmp_path / ("x" * 260 + ".csv")
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    cases = {loop: "symbolic link loop", long_name: "file name too long", fifo: "is a FIFO"}
    for path, what in cases.items():
        t0 = time.monotonic()
        one_line_error(etl("load", "crime", path, "--db", served, timeout=60), str(path), what)
        assert time.monotonic() - t0 < 30, f"{what}: took too long"
    assert served.read_bytes() == before
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="setpriv (util-linux) is needed to drop root's read override")
def test_an_unreadable_file_is_named(served, tmp_path):
    secret = crime_file(tmp_path / "secret.csv", [crime_row("9")])
    secret.chmod(0)
    base = {k: v for k, v in os.environ.items() if not k.startswith("SEASTAT_")}
    p = subprocess.run(["setpriv", "--bounding-set=-dac_override,-dac_read_search",
                        "--inh-caps=-dac_override,-dac_read_search", sys.executable, "-m", "etl", "load", "crime",
                        str(secret), "--db", str(served)], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120)
    one_line_error(p, str(secret), "permission denied")


def test_debug_shows_the_traceback(tmp_path, good):
    p = etl("load", "crime", good, "--db", tmp_path, "--debug")
    assert p.returncode != 0 and "Traceback" in p.stderr


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs (we run as root in CI). If it cannot be mounted the test says so, it does not pass."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if p.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill ({p.stderr.strip()}): the disk-full test did not run")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_disk_full_while_loading_is_named_as_disk_full(small_disk, tmp_path):
    db = small_disk / "wh.duckdb"
    seed = crime_file(tmp_path / "seed.csv", [crime_row("1")])
    assert etl("load", "crime", seed, "--db", db).returncode == 0
    before = db.read_bytes()
    big = crime_file(tmp_path / "big.csv", [crime_row(str(i)) for i in range(10, 60_000)])
    line = one_line_error(etl("load", "crime", big, "--db", db), "disk full")
    assert "could not be read as" not in line
    assert db.read_bytes() == before
    assert leftovers(small_disk) == []


def test_disk_full_while_copying_the_warehouse(small_disk, tmp_path):
    db = small_disk / "wh.duckdb"
    seed = crime_file(tmp_path / "seed.csv", [crime_row("1")])
    assert etl("load", "crime", seed, "--db", db).returncode == 0
    filler = small_disk / "filler"
    free = shutil.disk_usage(small_disk).free
    filler.write_bytes(b"\0" * max(0, free - db.stat().st_size // 2))  # room for half a copy
    before = db.read_bytes()
    one_line_error(etl("load", "crime", crime_file(tmp_path / "x.csv", [crime_row("2")]), "--db", db), "disk full")
    assert db.read_bytes() == before
    assert leftovers(small_disk) == []


def test_a_killed_load_leaves_nothing_after_the_next_load(served, tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "w") as fh:
        fh.write(crime_file(tmp_path / "h.csv", []).read_text())
        fh.writelines(crime_row(str(1000 + i)) + "\n" for i in range(400_000))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEASTAT_")}
    proc = subprocess.Popen([sys.executable, "-m", "etl", "load", "crime", str(big), "--db", str(served)], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not any(p.name.startswith("seastat-load-") for p in tmp_path.iterdir()) and time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        time.sleep(0.01)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the load finished before it could be killed"
    assert leftovers(tmp_path), "the kill left nothing: the test did not test anything"
    assert etl("load", "crime", crime_file(tmp_path / "next.csv", [crime_row("3")]), "--db", served).returncode == 0
    assert leftovers(tmp_path) == []
    assert query(served, "SELECT count(*) FROM crime") == [(3,)]


def test_a_db_symlink_swaps_its_target_and_shares_its_lock(tmp_path):
    releases = tmp_path / "releases"
    releases.mkdir()
    v1 = releases / "v1.duckdb"
    current = tmp_path / "current"
    os.symlink(v1, current)
    p = etl("load", "crime", crime_file(tmp_path / "a.csv", [crime_row("1")]), "--db", current)
    assert p.returncode == 0, p.stderr
    p = etl("load", "crime", crime_file(tmp_path / "b.csv", [crime_row("2")]), "--db", current)
    assert p.returncode == 0, p.stderr
    assert current.is_symlink() and os.readlink(current) == str(v1)
    assert query(v1, "SELECT count(*) FROM crime") == [(2,)]
    # a load through the link and one through the real name exclude each other
    with warehouse.lock(current):
        with pytest.raises(warehouse.WarehouseBusy):
            with warehouse.lock(v1, wait_seconds=0.3):
                pass
