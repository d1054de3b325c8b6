"""A throw-away PostgreSQL server for the store tests: Debian's own binaries (package
`postgresql`, installed by `make test`), a fresh cluster in a temp folder, trust auth on
127.0.0.1 only, stopped when the session ends. Nothing is mocked: the ledger runs against a real
server database exactly as it would behind several gunicorn workers.

PostgreSQL refuses to run as root, so under root the cluster belongs to the `postgres` user the
Debian package creates.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path


class NoPostgres(Exception):
    """Why no server could be started (the tests skip with this reason)."""


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise NoPostgres(f"PostgreSQL server binaries ({name}) not installed: Debian package `postgresql` "
                         "(make test installs it)")
    return found[-1]


def _as_owner(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    if shutil.which("runuser") is None:
        raise NoPostgres("running as root and `runuser` is missing: cannot start PostgreSQL as postgres")
    return ["runuser", "-u", "postgres", "--", *cmd]


class PgServer:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.data = self.folder / "data"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
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
            raise NoPostgres(f"initdb failed: {r.stderr.strip().splitlines()[-1:]}")
        opts = f"-p {self.port} -h 127.0.0.1 -k {self.folder} -c fsync=off -c max_connections=60"
        r = subprocess.run(_as_owner([pg_ctl, "-D", str(self.data), "-o", opts, "-l", str(self.folder / "log"),
                                      "-w", "-t", "60", "start"]), **run)
        if r.returncode:
            log = (self.folder / "log").read_text(errors="replace") if (self.folder / "log").exists() else ""
            raise NoPostgres(f"pg_ctl start failed: {(r.stderr or log).strip().splitlines()[-1:]}")
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
