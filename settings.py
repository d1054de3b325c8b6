"""Deployment settings, read from the environment in one place.

The ETL and the app must agree on where the warehouse lives (SEASTAT_DB), so both call
`Settings.from_env()` instead of reading os.environ themselves. Nothing here touches data.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent

MODES = ("internal", "public")


class SettingsError(ValueError):
    """A setting has a value the app cannot run with."""


@dataclass(frozen=True)
class Settings:
    db_path: Path = ROOT / "data" / "seastat.duckdb"
    ledger_url: str = "sqlite:///" + str(ROOT / "data" / "ledger.sqlite3")
    mode: str = "internal"
    city_config: Path = ROOT / "config" / "seattle"  # a folder: city.yaml, portal.yaml, layers.yaml
    catalog_dir: Path = ROOT / "catalog"
    raw_dir: Path = ROOT / "data" / "raw"
    demo_dir: Path = ROOT / "data" / "demo"
    # A Plotly map style. "white-bg" draws polygons with no tiles (works offline); a deployment
    # with internet may name a tiled style such as "carto-positron".
    map_style: str = "white-bg"
    secret_key: str = field(default="", repr=False)
    # Who is recorded as the author of ledger edits when the app runs without sign-in (SEASTAT_AUTHOR);
    # with sign-in, the signed-in user is.
    author: str = "meeting-facilitator"
    # Internal sign-in (auth/README.md). Settings.from_env() turns it on unless SEASTAT_AUTH=off;
    # a Settings built in code (tests, scripts) has it off unless it asks for it.
    auth: bool = False
    trusted_header: str = ""      # SEASTAT_TRUSTED_HEADER, e.g. X-Forwarded-User: the proxy's single sign-on
    secure_cookies: str = "auto"  # SEASTAT_SECURE_COOKIES: auto (Secure unless on localhost) | on | off
    # The clock freshness ("overdue") and "days behind" are computed against, at request time:
    # a callable returning today's date. None: the system date. SEASTAT_TODAY sets it (Clock).
    today: object = field(default=None, compare=False, repr=False)
    # SEASTAT_TRUSTED_PROXIES: the addresses / networks of the proxies whose trusted header counts
    # (matched against the TCP peer); default loopback only, i.e. a proxy on the same host.
    trusted_proxies: tuple[str, ...] = ("127.0.0.1/32", "::1/128")
    # SEASTAT_PUBLIC_FRAME_ANCESTORS: origins that may show the PUBLIC site in a frame (e.g. the
    # city's own site); empty: nobody. The internal site can never be framed.
    public_frame_ancestors: tuple[str, ...] = ()
    # SEASTAT_SMTP: where alerts and digests are sent (ops/mail.py), e.g. smtp://mail.city.gov:25,
    # smtp+starttls://user:password@mail.city.gov:587 or smtps://...:465; empty: none are sent.
    smtp_url: str = field(default="", repr=False)
    # SEASTAT_MAIL_FROM: the From address of alerts and digests.
    mail_from: str = "seastat@localhost"
    # SEASTAT_BASE_URL: the internal site's address as its users reach it, for links in emails
    # (the digest's unsubscribe link).
    base_url: str = "http://127.0.0.1:8050"
    # SEASTAT_METRICS_FROM: the addresses / networks that may read /metrics (the Prometheus
    # server); default loopback only. Matched against the TCP peer, like SEASTAT_TRUSTED_PROXIES.
    metrics_from: tuple[str, ...] = ("127.0.0.1/32", "::1/128")

    def __post_init__(self):
        proxy_networks(self.trusted_proxies)  # a bad address stops start-up, with one line
        frame_sources(self.public_frame_ancestors)

    def proxy_trusted(self, peer: str) -> bool:
        """Whether a request whose TCP peer is `peer` comes from a trusted proxy. A request over a
        unix socket (gunicorn --bind unix:PATH) has no address: trusted only when `unix` is listed."""
        if not peer:
            return UNIX_SOCKET in self.trusted_proxies
        try:
            addr = ipaddress.ip_address(peer)
        except ValueError:
            return False
        if getattr(addr, "ipv4_mapped", None):
            addr = addr.ipv4_mapped
        return any(addr in net for net in proxy_networks(self.trusted_proxies))

    @classmethod
    def from_env(cls, env: dict | None = None) -> "Settings":
        env = os.environ if env is None else env
        s = cls()
        mapping = {
            "SEASTAT_DB": ("db_path", Path),
            "SEASTAT_LEDGER": ("ledger_url", str),
            "SEASTAT_MODE": ("mode", str),
            "SEASTAT_CITY": ("city_config", Path),
            "SEASTAT_CATALOG": ("catalog_dir", Path),
            "SEASTAT_RAW_DIR": ("raw_dir", Path),
            "SEASTAT_DEMO_DIR": ("demo_dir", Path),
            "SEASTAT_MAP_STYLE": ("map_style", str),
            "SEASTAT_SECRET_KEY": ("secret_key", str),
            "SEASTAT_AUTHOR": ("author", str),
            "SEASTAT_SMTP": ("smtp_url", str),
            "SEASTAT_MAIL_FROM": ("mail_from", str),
            "SEASTAT_BASE_URL": ("base_url", str),
        }
        changes = {attr: kind(env[name]) for name, (attr, kind) in mapping.items() if env.get(name)}
        changes["auth"] = _on_off("SEASTAT_AUTH", env.get("SEASTAT_AUTH") or "on") == "on"
        changes["trusted_header"] = (env.get("SEASTAT_TRUSTED_HEADER") or "").strip()
        if env.get("SEASTAT_TODAY"):
            changes["today"] = Clock(env["SEASTAT_TODAY"])
        if env.get("SEASTAT_TRUSTED_PROXIES") is not None:
            changes["trusted_proxies"] = _listed(env["SEASTAT_TRUSTED_PROXIES"])
        if env.get("SEASTAT_METRICS_FROM") is not None:
            changes["metrics_from"] = _listed(env["SEASTAT_METRICS_FROM"])
        changes["public_frame_ancestors"] = _listed(env.get("SEASTAT_PUBLIC_FRAME_ANCESTORS") or "")
        changes["secure_cookies"] = _on_off("SEASTAT_SECURE_COOKIES", env.get("SEASTAT_SECURE_COOKIES") or "auto", "auto")
        s = replace(s, **changes)
        if s.mode not in MODES:
            raise SettingsError(f"SEASTAT_MODE={s.mode!r}: expected one of {', '.join(MODES)}")
        return s


def _on_off(name: str, value: str, *extra: str) -> str:
    allowed = ("on", "off", *extra)
    value = value.strip().lower()
    if value not in allowed:
        raise SettingsError(f"{name}={value!r}: expected one of {', '.join(allowed)}")
    return value


class Clock:
    """What "today" is for a running app (SEASTAT_TODAY), read on every call, never cached:
    - "2026-12-07": that date, always (a reproducible demo, a screenshot);
    - "file:/path/today.txt": the ISO date written in that file, re-read when the file changes,
      so an operator or a test can move a running server's clock without a restart; the
      system date while the file is absent.
    Anything else stops the start with one line naming the setting."""

    def __init__(self, spec: str):
        self.spec = spec.strip()
        self._path = Path(self.spec[5:]) if self.spec.startswith("file:") else None
        self._fixed = None if self._path else self._parse(self.spec)
        self._seen: tuple = (None, None)  # (mtime_ns, date) of the file last read

    @staticmethod
    def _parse(text: str) -> dt.date:
        try:
            return dt.date.fromisoformat(text.strip())
        except ValueError:
            raise SettingsError(f"SEASTAT_TODAY={text.strip()!r}: expected a date like 2026-12-07 "
                                "or file:/path/to/a/file/holding/one") from None

    def __call__(self) -> dt.date:
        if self._path is None:
            return self._fixed
        try:
            mtime = self._path.stat().st_mtime_ns
        except OSError:
            return dt.date.today()
        if mtime != self._seen[0]:
            self._seen = (mtime, self._parse(self._path.read_text()))
        return self._seen[1]
def _listed(value: str) -> tuple[str, ...]:
    """A setting that lists things, separated by commas or spaces; `none` is the empty list."""
    items = tuple(v for v in re.split(r"[\s,]+", value.strip()) if v)
    return () if items == ("none",) else items


UNIX_SOCKET = "unix"


def proxy_networks(values) -> list:
    nets = []
    for value in values:
        if value == UNIX_SOCKET:
            continue
        try:
            nets.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise SettingsError(f"SEASTAT_TRUSTED_PROXIES: {value[:60]!r} is not an IP address or network "
                                "(e.g. 10.0.0.5 or 10.0.0.0/24; `unix` for a unix socket; `none` for no proxy)") from None
    return nets


_FRAME_SOURCE = re.compile(r"^(https?://(\*\.)?[a-z0-9.-]+(:\d{1,5})?|'self')$", re.I)


def frame_sources(values) -> tuple[str, ...]:
    """Origins for CSP frame-ancestors: 'self' or scheme://host[:port] (a leading *. allowed)."""
    for value in values:
        if not _FRAME_SOURCE.match(value):
            raise SettingsError(f"SEASTAT_PUBLIC_FRAME_ANCESTORS: {value[:60]!r} is not an origin such as "
                                "https://www.seattle.gov (or 'self')")
    return tuple(values)
