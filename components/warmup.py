"""Build the most-visited pages in the background, so the first visitor after a start or a reload
is not the one who waits.

The overview costs about a second and a half cold (the engine's goal_overview: every measure for
three periods). One low-priority thread per app renders the default overview and goal pages as
soon as the app gets its first request (often the sign-in page, while the visitor types) and again
after the ETL swaps the warehouse or the date changes (freshness is computed against today). The engine answers it computes are cached for every role
(components/engine_cache.py); the rendered pages for the anonymous role. Bounded: at most
MAX_PAGES renders and MAX_SECONDS per round; a failure is logged, never raised.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

import dash
import flask

ENABLED_KEY = "SEASTAT_WARM"      # app.server.config: False turns warming off (benchmarks' "before")
STATE_KEY = "SEASTAT_WARM_STATE"
MAX_PAGES = 12
MAX_SECONDS = 120.0
log = logging.getLogger("seastat.warmup")


class _State:
    def __init__(self):
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.generation: tuple | None = None  # the (warehouse generation, day) last warmed: a new day re-warms
        self.rounds = 0


def _state(config) -> _State:
    st = config.get(STATE_KEY)
    if st is None:
        st = config.setdefault(STATE_KEY, _State())
    return st


def kick(engine=None) -> None:
    """Start a warming round if none is running and this warehouse generation is not warm yet.
    Cheap: a few attribute reads. Called on each request (before it is served) and by get_engine."""
    app = flask.current_app
    config = app.config
    if not config.get(ENABLED_KEY, True):
        return
    st = _state(config)
    if st.thread is not None and st.thread.is_alive():
        return
    from components.engine_access import ENGINE_KEY, SETTINGS_KEY

    if engine is None:
        engine = config.get(ENGINE_KEY)
    if engine is not None and engine.generation == st.generation:
        return
    if engine is None and not Path(config[SETTINGS_KEY].db_path).is_file():
        return  # no warehouse yet: nothing to warm (the pages say how to build one)
    with st.lock:
        if st.thread is not None and st.thread.is_alive():
            return
        layouts = _layouts()
        # Not a daemon: Python joins it at exit (a round is bounded); a daemon thread still inside
        # DuckDB when the interpreter exits aborts the process ("FATAL: exception not rethrown").
        st.thread = threading.Thread(target=_warm, args=(app._get_current_object(), st, layouts),
                                     name="seastat-warmup", daemon=False)
        st.thread.start()


def on_request() -> None:
    """Flask before_request hook (app.create_app): every request may start the first round."""
    kick()


def wait(app, timeout: float = 60) -> bool:
    """Block until the running round (if any) ends; True when none is left running (tests, benchmarks)."""
    st = _state(app.config)
    thread = st.thread
    if thread is not None:
        thread.join(timeout)
        return not thread.is_alive()
    return True


def _layouts() -> list[tuple[str, object]]:
    """(page module, layout function) of the pages warmed, from this app's page registry."""
    reg = dash.page_registry
    return [(name, reg[name]["layout"]) for name in ("pages.overview", "pages.goal") if name in reg]


def _low_priority() -> None:
    try:  # Linux: a thread is a task with its own nice value; the visitors' threads keep theirs
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):
        pass


def _warm(app, st: _State, layouts) -> None:
    _low_priority()
    from components.engine_access import NoWarehouse, get_engine

    t0 = time.perf_counter()
    built, generation = 0, None
    try:
        with app.test_request_context("/"):
            eng = get_engine()
            generation = eng.generation
            goal_ids = [g.get("id") if isinstance(g, dict) else getattr(g, "id", None) for g in eng.catalog.goals]
        for module, layout in layouts:
            for kwargs in ([{}] if module == "pages.overview" else [{"goal_id": g} for g in goal_ids if g]):
                if built >= MAX_PAGES or time.perf_counter() - t0 > MAX_SECONDS:
                    break
                with app.test_request_context("/"):
                    layout(**kwargs)  # guarded: errors become a page, and the page goes in the cache
                built += 1
        log.info("warmed %d pages for warehouse generation %d in %.2f s", built, generation, time.perf_counter() - t0)
    except NoWarehouse:
        pass
    except Exception:
        log.exception("warming the page cache failed (pages are built on request instead)")
    finally:
        if generation is not None:  # tried once per generation, even when it failed
            st.generation = generation
        st.rounds += 1
