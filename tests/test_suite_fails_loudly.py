"""The suite's own fixtures fail loudly: a tool that is installed but broken, or missing in CI,
fails the tests that need it instead of skipping them (a green run must mean they ran)."""
from __future__ import annotations

import shutil
import socket
import tempfile
from pathlib import Path

import pytest

from tests.support import pgserver
from tests.support.tools import AXE_JS, ROOT, missing_tool


@pytest.mark.postgres  # runs initdb
def test_a_postgres_that_is_installed_but_cannot_start_fails_the_tests(monkeypatch):
    monkeypatch.delenv("CI", raising=False)  # even on a developer's machine: installed means it must work
    try:
        pgserver._bin("initdb")
    except pgserver.NoPostgres:
        missing_tool("PostgreSQL binaries not installed: nothing to start here")
    with socket.socket() as busy:  # another server already listens on the port the cluster is given
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        folder = Path(tempfile.mkdtemp(prefix="seastat-pg-"))  # as the fixture: open to the postgres user
        try:
            with pytest.raises(pytest.fail.Exception, match="did not start") as failed:
                pgserver.start_for_tests(folder, port)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    assert str(port) in str(failed.value), "the failure names the port the server could not use"


@pytest.mark.parametrize("ci, outcome", [("true", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_missing_postgres_binaries_skip_on_a_laptop_and_fail_in_ci(tmp_path, monkeypatch, ci, outcome):
    monkeypatch.setenv("CI", ci)
    monkeypatch.setattr(pgserver, "PG_ROOT", str(tmp_path / "no-postgresql-here"))
    with pytest.raises(outcome, match="not installed"):
        pgserver.start_for_tests(tmp_path / "pg")


def test_the_accessibility_checks_use_the_pinned_axe_core(request):
    """axe-core comes from tests/a11y's lock file (installed by `make test`), never fetched floating;
    without it the accessibility fixture fails (this test then fails too, naming the fix)."""
    import json

    lock = json.loads((ROOT / "tests" / "a11y" / "package-lock.json").read_text())
    pinned = lock["packages"]["node_modules/axe-core"]["version"]
    source = request.getfixturevalue("axe_source")
    assert f"axe v{pinned}" in source[:300], f"{AXE_JS} is not axe-core {pinned}: run `cd tests/a11y && npm ci`"
