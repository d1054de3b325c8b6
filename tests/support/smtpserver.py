"""A real SMTP server for the alert tests: aiosmtpd, in its own process, on 127.0.0.1.

Its own process for two reasons: it is a server like the city's (the code under test talks SMTP
to a socket, nothing in-process), and aiosmtpd's dependency `atpublic` installs a top-level
module named `public`, which the project's own `public/` package shadows inside this repository.
The server runs from a temporary folder and writes every message to a Maildir
(aiosmtpd.handlers.Mailbox), adding the envelope as headers X-MailFrom and X-RcptTo.

`with Inbox(tmp_path) as inbox: inbox.url` -> smtp://127.0.0.1:PORT for SEASTAT_SMTP;
`inbox.messages` reads what arrived (email.message.EmailMessage, oldest first);
`inbox.wait(n)` waits until n messages have arrived (or times out and returns what there is).
"""
from __future__ import annotations

import mailbox
import os
import socket
import subprocess
import sys
import time
from email import message_from_bytes, policy
from pathlib import Path


class Inbox:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.maildir = self.folder / "maildir"
        self.port = 0
        self._proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> "Inbox":
        self.folder.mkdir(parents=True, exist_ok=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}", "-c",
             "aiosmtpd.handlers.Mailbox", str(self.maildir)],
            cwd=self.folder, env=env, stdout=subprocess.DEVNULL, stderr=open(self.folder / "smtpd.log", "wb"))
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                if self._proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"the test SMTP server did not start: {(self.folder / 'smtpd.log').read_text()[-500:]}")
                time.sleep(0.05)

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None

    def __enter__(self) -> "Inbox":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list:
        if not self.maildir.exists():
            return []
        box = mailbox.Maildir(self.maildir, factory=None, create=False)
        found = []
        for key in box.keys():
            path = self.maildir / ("new" if (self.maildir / "new" / key).exists() else "cur") / key
            found.append((path.stat().st_mtime_ns, key, message_from_bytes(box.get_bytes(key), policy=policy.default)))
        return [m for _t, _k, m in sorted(found, key=lambda f: (f[0], f[2]["Date"] or ""))]

    def wait(self, n: int, timeout: float = 60.0) -> list:
        deadline = time.monotonic() + timeout
        while len(msgs := self.messages) < n and time.monotonic() < deadline:
            time.sleep(0.1)
        return msgs
