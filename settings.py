"""Deployment settings, read from the environment in one place.

The ETL and the app must agree on where the warehouse lives (SEASTAT_DB), so both call
`Settings.from_env()` instead of reading os.environ themselves. Nothing here touches data.
"""
from __future__ import annotations

import os
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
        }
        changes = {attr: kind(env[name]) for name, (attr, kind) in mapping.items() if env.get(name)}
        changes["auth"] = _on_off("SEASTAT_AUTH", env.get("SEASTAT_AUTH") or "on") == "on"
        changes["trusted_header"] = (env.get("SEASTAT_TRUSTED_HEADER") or "").strip()
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
