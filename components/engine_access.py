"""The one way a page gets the read-only engine.

The engine is opened on first use and kept on the Flask app that serves the request, so
`create_app()` reads nothing and each gunicorn worker opens its own read-only connection.
A missing warehouse is an expected state on a fresh clone, not an error: pages show
`messages.no_warehouse()` instead of a traceback.
"""
from __future__ import annotations

import threading
from pathlib import Path

import flask

from components import warmup
from components.engine_cache import CachedEngine, PageCache

SETTINGS_KEY = "SEASTAT_SETTINGS"
ENGINE_KEY = "SEASTAT_ENGINE"
PAGES_KEY = "SEASTAT_PAGE_CACHE"
_lock = threading.Lock()


class NoWarehouse(RuntimeError):
    """The warehouse file named by the settings does not exist yet."""


def settings():
    return flask.current_app.config[SETTINGS_KEY]


def get_engine():
    """The app's Engine (answers cached per warehouse generation, components/engine_cache.py),
    opened lazily; raises NoWarehouse when there is no warehouse file. Once per request it checks
    whether the ETL swapped the file, so a new load shows at the next request."""
    config = flask.current_app.config
    eng = config.get(ENGINE_KEY)
    if eng is not None:
        if flask.has_request_context() and not flask.g.get("seastat_fresh"):
            flask.g.seastat_fresh = True
            try:
                eng.refresh()
            except Exception as exc:  # the file went away between loads
                from engine import WarehouseMissing
                if isinstance(exc, WarehouseMissing):
                    raise NoWarehouse(str(config[SETTINGS_KEY].db_path)) from None
                raise
            warmup.kick(eng)  # a swapped warehouse: rebuild the busiest pages in the background
        return eng
    s = config[SETTINGS_KEY]
    if not Path(s.db_path).is_file():
        raise NoWarehouse(str(s.db_path))
    with _lock:
        if config.get(ENGINE_KEY) is None:
            from engine import Engine, WarehouseMissing  # imported on first use

            try:
                config[ENGINE_KEY] = CachedEngine(Engine.open(s))
            except WarehouseMissing:
                raise NoWarehouse(str(s.db_path)) from None
    return config[ENGINE_KEY]


def page_cache() -> PageCache:
    """This app's cache of rendered pages (one per app: two apps in a process never share it)."""
    config = flask.current_app.config
    with _lock:
        if config.get(PAGES_KEY) is None:
            config[PAGES_KEY] = PageCache()
    return config[PAGES_KEY]
