"""A throw-away nginx for the tests: Debian's binary (package `nginx`, installed by `make test`),
its own config, pid, logs and temp folders in a temp folder, in the foreground, stopped by the test.
Nothing system-wide is touched (no service, no /etc/nginx changes).

Failing loudly as tests/support/pgserver.py does: a missing binary skips on a developer's machine
and fails in CI (CI=true); an nginx that is installed but does not start fails with its log.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from settings import ROOT

NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
PUBLIC_SITE_CONF = ROOT / "deploy" / "nginx-public-site.conf"
HTTP = """
{user}
worker_processes {workers};
error_log {dir}/error.log;
pid {dir}/nginx.pid;
events {{ worker_connections 2048; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy; fastcgi_temp_path {dir}/fcgi;
    uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
{body}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    """nginx serving `body` (server/upstream blocks; {port} is replaced by the port it listens on)."""

    def __init__(self, folder: Path, body: str, workers: int = 1):
        from tests.support.tools import missing_tool

        if NGINX is None:
            missing_tool("nginx is not installed: Debian package `nginx` (make test installs it)")
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        conf = folder / "nginx.conf"
        # under root nginx's workers would drop to `nobody`, who cannot read pytest's private temp folders
        user = "user root;" if os.geteuid() == 0 else ""
        conf.write_text(HTTP.format(user=user, dir=folder, workers=workers, body=body.replace("{port}", str(self.port))))
        self.proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(folder), "-g", "daemon off;"],
                                     stdout=subprocess.DEVNULL, stderr=open(folder / "stderr.log", "w"))
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(self.base + "/", timeout=10)
                return
            except requests.ConnectionError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    log = (folder / "stderr.log").read_text() + (folder / "error.log").read_text() \
                        if (folder / "error.log").exists() else (folder / "stderr.log").read_text()
                    pytest.fail(f"nginx did not start: {log[-1000:]}", pytrace=False)
                time.sleep(0.2)

    @classmethod
    def public_site(cls, folder: Path, root: Path, workers: int = 1) -> "Nginx":
        """nginx serving a static export with deploy/nginx-public-site.conf, as a deployment would."""
        body = PUBLIC_SITE_CONF.read_text().replace("@ROOT@", str(root)).replace("@LISTEN@", "127.0.0.1:{port}")
        return cls(folder, body, workers)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
