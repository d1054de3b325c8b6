"""What /healthz and /metrics report about the running app: the warehouse it serves (newest load,
when the file was swapped in, how old that is) and the latest refresh run from the store.

/healthz answers 200 whenever the process can answer (a load balancer's liveness check); the
JSON says what is wrong (`warehouse: null` with `problem`). Keys are only ever added, so other
parts (the served version of a multi-host deployment) can add theirs beside these.
"""
from __future__ import annotations

import datetime as dt


def _iso(t: dt.datetime | None) -> str | None:
    return t.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z") if t else None


def warehouse_state() -> tuple[dict | None, str | None]:
    from components.engine_access import NoWarehouse, get_engine

    try:
        v = get_engine().version()
    except NoWarehouse as exc:
        return None, f"no warehouse yet at {exc}"
    except Exception as exc:  # no warehouse yet, or one that cannot be read: say so, stay up
        return None, " ".join(str(exc).split()) or type(exc).__name__
    built = v["built_at"]
    age = (dt.datetime.now(dt.timezone.utc) - built).total_seconds() if built else None
    return {"last_load_id": v["last_load_id"], "built_at": _iso(built), "age_seconds": round(age, 1) if age is not None else None,
            "newest_event": v["newest_event"]}, None


def last_refresh() -> dict | None:
    from components.store_access import get_store
    from store.runs import RunLog

    try:
        runs = RunLog(get_store()).recent(1)
    except Exception:
        return None
    if not runs:
        return None
    r = runs[0]
    return {"id": r.id, "status": r.status, "started_at": _iso(r.started_at), "finished_at": _iso(r.finished_at),
            "rows_loaded": r.loaded, "errors": len(r.errors)}


def report() -> dict:
    warehouse, problem = warehouse_state()
    out = {"status": "ok", "warehouse": warehouse, "last_refresh": last_refresh()}
    if problem:
        out["problem"] = problem
    return out
