"""The one way a page gets the store (ledger, packet snapshots): opened on first use, kept on the
Flask app, like components/engine_access.py does for the engine.

The store is opened lazily so `create_app()` touches no database, and each gunicorn worker opens
its own connection pool (store.db drops an inherited pool after a fork). The author of every
ledger edit is the signed-in user (auth), or settings.author (SEASTAT_AUTHOR) when the app has
no sign-in (SEASTAT_AUTH=off).
"""
from __future__ import annotations

import threading

import flask

from components.engine_access import settings

STORE_KEY = "SEASTAT_STORE"
SNAPSHOTS_READY = "SEASTAT_SNAPSHOTS_READY"
_lock = threading.Lock()


def get_store():
    """The app's Store; raises store.StoreError (one line) when the ledger URL cannot be opened."""
    config = flask.current_app.config
    if config.get(STORE_KEY) is None:
        with _lock:
            if config.get(STORE_KEY) is None:
                from store import open_store  # imported on first use

                config[STORE_KEY] = open_store(settings().ledger_url)
    return config[STORE_KEY]


def author() -> str:
    """Who a ledger write is recorded under: the signed-in user when the role allows writing
    (auth.require raises Forbidden otherwise), else settings.author on an app without sign-in."""
    import auth

    user = auth.require("write_ledger")
    return user.username if user is not None else settings().author


def may_write() -> bool:
    import auth

    return auth.allowed("write_ledger")


def get_ledger(eng):
    """A Ledger that knows the catalog's measures and the warehouse's boundary layers and areas."""
    from store import Ledger

    areas = {layer: set(eng.areas(layer)["area_id"]) for layer in eng.layers()["layer"]}
    return Ledger(get_store(), eng.city, eng.catalog.measures.keys(), valid_areas=areas)


def get_annotations(eng):
    """Annotations (dated events) in the app's store, checked against the catalog's measures."""
    from store import Annotations

    return Annotations(get_store(), eng.catalog.measures.keys())


def get_commentary(eng):
    """Commentary per measure per meeting in the app's store, checked against the catalog's measures."""
    from store import Commentaries

    return Commentaries(get_store(), eng.catalog.measures.keys())


def get_snapshots(eng):
    """Packet snapshots in the app's store; their table is made once per process, not per page."""
    from packet.snapshots import Snapshots

    config = flask.current_app.config
    snaps = Snapshots(get_store(), eng.city.timezone, create=not config.get(SNAPSHOTS_READY))
    config[SNAPSHOTS_READY] = True
    return snaps
