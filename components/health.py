"""`/healthz`: is this host up, and which warehouse version does it serve.

Every mode answers it without sign-in (a load balancer and the publishing check ask it), as JSON
that other checks may extend but never change: {"status": "ok", "mode": ..., "warehouse": {...},
"last_refresh": {...}} (ops/health.py adds the warehouse's last load, when it was built and its
age, and the latest refresh run; `problem` says why there is no warehouse).
`warehouse.version` is the version stamped into the file by `python -m etl publish`
(etl/publish.py) and read through the same read connection the pages use, so it names the data
this worker actually serves, not what some file beside it says; null for a warehouse built and
served on one host that was never published. `warehouse` is null when there is no warehouse yet.
"""
from __future__ import annotations

import weakref

import flask

PATH = "/healthz"
# warehouse -> (connection generation, version): a load balancer asks often, and the answer only
# changes when the file is swapped, so it is read once per generation, not under the query lock each time
_versions: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def warehouse_info() -> dict | None:
    from components.engine_access import NoWarehouse, get_engine
    from etl.publish import served_version

    try:
        eng = get_engine()  # reconnects first when the file was swapped, as every request does
    except NoWarehouse:
        return None
    wh = eng.warehouse
    generation = wh.refresh()
    held = _versions.get(wh)
    if held is None or held[0] != generation:
        held = _versions[wh] = (generation, served_version(wh))
    return {"version": held[1]}


def install(server: flask.Flask, mode: str) -> None:
    @server.get(PATH)
    def healthz():
        from ops.health import last_refresh, warehouse_state  # how old the warehouse is; the latest refresh

        info, (state, problem) = warehouse_info(), warehouse_state()
        served = None if info is None and state is None else {**(info or {}), **(state or {})}
        body = {"status": "ok", "mode": mode, "warehouse": served, "last_refresh": last_refresh()}
        if problem:
            body["problem"] = problem
        return flask.Response(flask.json.dumps(body) + "\n", mimetype="application/json",
                              headers={"Cache-Control": "no-store"})
