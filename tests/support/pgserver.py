"""A throw-away PostgreSQL server for the store tests: Debian's own binaries (package
`postgresql`, installed by `make test`), a fresh cluster in a temp folder, trust auth on
127.0.0.1 only, stopped when the session ends. Nothing is mocked: the ledger runs against a real
server database exactly as it would behind several gunicorn workers.

PostgreSQL refuses to run as root, so under root the cluster belongs to the `postgres` user the
Debian package creates.

Failing loudly: only missing binaries on a developer's machine may skip the PostgreSQL half of
the store tests (NoPostgres); binaries that are installed but cannot start a server are a broken
machine or a broken fixture (PgStartError), and the tests fail with the reason, as they do in CI
(CI=true) when the binaries are missing: a green run there must mean both backends ran.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

# The store tests' backends: the PostgreSQL half is marked so the fast tier (make test-fast) leaves it out.
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


class NoPostgres(Exception):
    """The server binaries are not installed (a developer's machine may skip; CI fails)."""


class PgStartError(Exception):
    """The binaries are installed but no server could be started (the tests fail with this)."""


PG_ROOT = "/usr/lib/postgresql"  # Debian's versioned folders: PG_ROOT/<major>/bin/initdb


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"{PG_ROOT}/*/bin/{name}"))
    if not found:
        raise NoPostgres(f"PostgreSQL server binaries ({name}) not installed: Debian package `postgresql` "
                         "(make test installs it)")
    return found[-1]


def _as_owner(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    if shutil.which("runuser") is None:
        raise PgStartError("running as root and `runuser` is missing: cannot start PostgreSQL as postgres")
    return ["runuser", "-u", "postgres", "--", *cmd]


class PgServer:
    def __init__(self, folder: Path, port: int | None = None):
        self.folder = Path(folder)
        self.data = self.folder / "data"
        if port is None:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
        self.port = port
        self._n = 0

    def start(self) -> "PgServer":
        initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        run = dict(capture_output=True, text=True, timeout=120)
        r = subprocess.run(_as_owner([initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust",
                                      "--encoding=UTF8", "--locale=C"]), **run)
        if r.returncode:
            raise PgStartError(f"initdb failed: {r.stderr.strip().splitlines()[-1:]}")
        opts = f"-p {self.port} -h 127.0.0.1 -k {self.folder} -c fsync=off -c max_connections=60"
        r = subprocess.run(_as_owner([pg_ctl, "-D", str(self.data), "-o", opts, "-l", str(self.folder / "log"),
                                      "-w", "-t", "60", "start"]), **run)
        if r.returncode:
            log = (self.folder / "log").read_text(errors="replace") if (self.folder / "log").exists() else ""
            raise PgStartError(f"pg_ctl start failed (port {self.port}): {(log or r.stderr).strip().splitlines()[-1:]}")
        return self

    def stop(self) -> None:
        subprocess.run(_as_owner([_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"]),
                       capture_output=True, timeout=60)

    def new_database(self) -> str:
        """A fresh empty database; returns its SQLAlchemy URL."""
        import psycopg

        self._n += 1
        name = f"ledger_{os.getpid()}_{self._n}_{int(time.time() * 1000) % 100000}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"


def start_for_tests(folder: Path, port: int | None = None) -> PgServer:
    """A started server for the test session, or the test's outcome: skip when the binaries are
    absent on a developer's machine, fail when they are absent in CI or installed but the server
    does not start (a skip there would hide half the store tests behind a green run)."""
    from tests.support.tools import missing_tool

    try:
        return PgServer(folder, port).start()
    except NoPostgres as exc:
        missing_tool(str(exc))
    except PgStartError as exc:
        pytest.fail(f"PostgreSQL is installed but did not start: {exc}", pytrace=False)
    raise AssertionError("unreachable")  # missing_tool and pytest.fail raise
