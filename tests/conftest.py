"""Shared test fixtures: where the real Seattle samples are, and the browser options.

Tests that read ../shared/data/seattle skip with a clear reason when it is absent (a user's
fresh clone); CI always has it. Tools the tests need (PostgreSQL's binaries, axe-core) fail the
tests that need them when they are installed but broken, or missing in CI (tests/support/tools.py).

Markers the fast tier (`make test-fast`) leaves out are set here from what a test uses, so a new
test cannot forget them: `browser` for any test using dash[testing]'s browser fixtures,
`postgres` for the PostgreSQL half of the store tests (tests/support/pgserver.BACKENDS).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support.tools import AXE_JS, missing_tool

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SEASTAT_SHARED_DATA", ROOT.parent / "shared" / "data" / "seattle"))
BROWSER_FIXTURES = {"dash_duo", "dash_br", "dash_duo_mp", "dash_thread_server", "dash_process_server"}


def pytest_collection_modifyitems(items):
    """Mark every browser test `browser` (dash[testing]'s fixtures start Chromium)."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def seattle_data() -> Path:
    """The folder of real Seattle samples; skips the test when it is not beside the repo (a user's
    fresh clone), fails in CI, which always has it."""
    if not SHARED_DATA.is_dir():
        missing_tool(f"real Seattle samples not found at {SHARED_DATA} (only CI and developers have ../shared)")
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
def axe_source() -> str:
    """axe-core's axe.min.js at the version pinned in tests/a11y/package-lock.json, installed by
    `make test` (npm ci). Missing, it fails the accessibility tests: they never skip."""
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS.relative_to(ROOT)} not found: the accessibility checks need the pinned axe-core; "
                    "run `make test` (or `cd tests/a11y && npm ci`)", pytrace=False)
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL server for this session (tests/support/pgserver.py). Skips only when the
    server binaries are absent on a developer's machine; installed but unable to start, or absent
    in CI, it fails. Its folder is a fresh one in the temp dir: pytest's own (mode 0700, root's)
    would be closed to the `postgres` user that runs the server when the tests run as root."""
    import tempfile

    from tests.support.pgserver import start_for_tests

    folder = Path(tempfile.mkdtemp(prefix="seastat-pg-"))
    try:
        server = start_for_tests(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)
