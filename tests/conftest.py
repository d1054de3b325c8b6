"""Shared test fixtures: where the real Seattle samples are, and the browser options.

Tests that read ../shared/data/seattle skip with a clear reason when it is absent (a user's
fresh clone); CI always has it.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SEASTAT_SHARED_DATA", ROOT.parent / "shared" / "data" / "seattle"))


@pytest.fixture(scope="session")
def seattle_data() -> Path:
    """The folder of real Seattle samples; skips the test when it is not beside the repo."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real Seattle samples not found at {SHARED_DATA} (only CI and developers have ../shared)")
    return SHARED_DATA


def pytest_setup_options():
    """Chromium options for dash[testing]: no background traffic to the closed network."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    for flag in (
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-quic", "--no-first-run", "--disable-default-apps", "--disable-extensions",
        "--window-size=1280,1500",
    ):
        options.add_argument(flag)
    return options


DEMO_END = "2026-11-22"  # fixed, so the small demo is the same whatever day the tests run


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """A small demo warehouse (1 year, scale 0.05, seed 7, ending 2026-11-21), built once per session
    through the real load path. Its raw files are in `demo_db.parent / "demo"`; treat both as read-only."""
    import datetime as dt

    from etl.demo.build import DemoOptions, generate, load
    from settings import Settings

    folder = tmp_path_factory.mktemp("demo_city")
    opts = DemoOptions(out_dir=folder / "demo", db_path=folder / "demo.duckdb", years=1, scale=0.05, seed=7,
                       end=dt.date.fromisoformat(DEMO_END))
    manifest = generate(opts)
    load(manifest, opts.out_dir, opts.db_path, Settings.from_env())
    return opts.db_path


@pytest.fixture(scope="session")
def axe_source(tmp_path_factory) -> str:
    """axe-core's axe.min.js, fetched with `npm pack` into a temp dir (nothing from npm is committed)."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is needed to fetch axe-core for the accessibility checks")
    folder = tmp_path_factory.mktemp("axe")
    subprocess.run([npm, "pack", "axe-core@4", "--silent"], cwd=folder, check=True, capture_output=True, timeout=180)
    tgz = next(folder.glob("axe-core-*.tgz"))
    with tarfile.open(tgz) as tar:
        return tar.extractfile("package/axe.min.js").read().decode("utf-8")


@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL server for this session (tests/pgserver.py); skips when it cannot start.
    Its folder is a fresh one in the temp dir: pytest's own (mode 0700, root's) would be closed to
    the `postgres` user that runs the server when the tests run as root."""
    import tempfile

    from pgserver import NoPostgres, PgServer

    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg (the PostgreSQL driver in requirements.txt) is not installed")
    try:
        folder = Path(tempfile.mkdtemp(prefix="seastat-pg-"))
        server = PgServer(folder).start()
    except NoPostgres as exc:
        pytest.skip(str(exc))
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)
