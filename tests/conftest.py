"""Shared test fixtures: where the real Seattle samples are, and the browser options.

Tests that read ../shared/data/seattle skip with a clear reason when it is absent (a user's
fresh clone); CI always has it.
"""
from __future__ import annotations

import os
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
