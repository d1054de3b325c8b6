"""Tiny real DuckDB warehouses for the engine tests, with the columns docs/SCHEMA.md gives.

Not a test module itself (no tests here): the engine and catalog tests import `make_warehouse`
and describe their events row by row, so every expected number can be worked out by hand.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

LAYERS = ("mcpp", "beat", "precinct", "cra", "tract")
COMMON = [("event_key", "VARCHAR"), ("event_time", "TIMESTAMP"), ("category", "VARCHAR"), ("precinct", "VARCHAR"),
          ("sector", "VARCHAR"), ("beat", "VARCHAR"), ("latitude", "DOUBLE"), ("longitude", "DOUBLE")] + \
         [(f"area_{x}", "VARCHAR") for x in LAYERS] + \
         [("source_file", "VARCHAR"), ("source_row", "BIGINT"), ("vintage", "VARCHAR")]
DEMOGRAPHIC = [("subject_race", "VARCHAR"), ("subject_race_raw", "VARCHAR"), ("subject_gender", "VARCHAR"),
               ("subject_gender_raw", "VARCHAR")]
SPECIFIC = {
    "crime": [("report_number", "VARCHAR"), ("offense_id", "VARCHAR"), ("offense_start", "TIMESTAMP"),
              ("offense_end", "TIMESTAMP"), ("reported_at", "TIMESTAMP"), ("group_ab", "VARCHAR"),
              ("crime_against", "VARCHAR"), ("offense_parent_group", "VARCHAR"), ("offense", "VARCHAR"),
              ("offense_code", "VARCHAR"), ("offense_sub_category", "VARCHAR"), ("shooting_type_group", "VARCHAR"),
              ("mcpp", "VARCHAR"), ("reporting_area", "VARCHAR"), ("block_address", "VARCHAR")],
    "calls": [("cad_event_number", "VARCHAR"), ("event_clearance_description", "VARCHAR"), ("call_type", "VARCHAR"),
              ("priority", "INTEGER"), ("initial_call_type", "VARCHAR"), ("final_call_type", "VARCHAR"),
              ("queued_at", "TIMESTAMP"), ("arrived_at", "TIMESTAMP"), ("response_seconds", "DOUBLE")],
    "use_of_force": [("uof_id", "VARCHAR"), ("incident_num", "VARCHAR"), ("incident_type", "VARCHAR"),
                     ("officer_id", "VARCHAR"), ("subject_id", "VARCHAR")] + DEMOGRAPHIC,
    "terry_stops": [("terry_stop_id", "VARCHAR"), ("subject_id", "VARCHAR"), ("stop_resolution", "VARCHAR"),
                    ("weapon_type", "VARCHAR"), ("officer_id", "VARCHAR"), ("subject_age_group", "VARCHAR"),
                    ("arrest_flag", "BOOLEAN"), ("frisk_flag", "BOOLEAN")] + DEMOGRAPHIC,
    "ois": [("frb_number", "VARCHAR"), ("incident_number", "VARCHAR")] + DEMOGRAPHIC,
    "fire_calls": [("incident_number", "VARCHAR"), ("address", "VARCHAR"), ("type", "VARCHAR")],
    "service_requests": [("service_request_number", "VARCHAR"), ("department", "VARCHAR")],
}


def columns(dataset: str) -> list[tuple[str, str]]:
    return COMMON + SPECIFIC[dataset]


def make_warehouse(path: Path, events: dict | None = None, denominators: list | None = None,
                   areas: list | None = None, meta: dict | None = None, load_log: list | None = None,
                   datasets=tuple(SPECIFIC)) -> Path:
    """Write a warehouse file. events: {dataset: [ {column: value}, ... ]}; event_key defaults to a
    row number, unknown area columns to 'UNKNOWN'. denominators: (layer, area_id, group_field,
    group_value, year, population) tuples. areas: (layer, area_id, label) tuples."""
    events = events or {}
    path = Path(path)
    con = duckdb.connect(str(path))
    for ds in datasets:
        cols = columns(ds)
        con.execute(f"CREATE TABLE {ds} ({', '.join(f'{c} {t}' for c, t in cols)})")
        rows = []
        for i, ev in enumerate(events.get(ds, [])):
            row = {f"area_{x}": "UNKNOWN" for x in LAYERS}
            row["event_key"] = f"{ds}-{i}"
            row.update(ev)
            rows.append(tuple(row.get(c) for c, _ in cols))
        if len(rows) > 200:  # thousands of rows: one INSERT from a frame (executemany takes minutes)
            import pandas as pd

            con.register("new_rows", pd.DataFrame(rows, columns=[c for c, _ in cols], dtype=object))
            con.execute(f"INSERT INTO {ds} SELECT * FROM new_rows")
            con.unregister("new_rows")
        elif rows:
            con.executemany(f"INSERT INTO {ds} VALUES ({', '.join('?' for _ in cols)})", rows)
    con.execute("CREATE TABLE denominators (layer VARCHAR, area_id VARCHAR, group_field VARCHAR, "
                "group_value VARCHAR, year INTEGER, population DOUBLE)")
    if denominators:
        con.executemany("INSERT INTO denominators VALUES (?, ?, ?, ?, ?, ?)", denominators)
    con.execute("CREATE TABLE layers (layer VARCHAR, label VARCHAR, id_field VARCHAR, label_field VARCHAR, "
                "parent_layer VARCHAR, source VARCHAR)")
    con.executemany("INSERT INTO layers VALUES (?, ?, NULL, NULL, NULL, 'test')", [(x, x.upper()) for x in LAYERS])
    con.execute("CREATE TABLE areas (layer VARCHAR, area_id VARCHAR, label VARCHAR, parent_id VARCHAR, "
                "centroid_lat DOUBLE, centroid_lon DOUBLE, geojson VARCHAR, approximate BOOLEAN)")
    if areas:
        con.executemany("INSERT INTO areas VALUES (?, ?, ?, NULL, NULL, NULL, ?, false)",
                        [(a[0], a[1], a[2], a[3] if len(a) > 3 else None) for a in areas])
    con.execute("CREATE TABLE meta (key VARCHAR, value VARCHAR)")
    for k, v in (meta or {}).items():
        con.execute("INSERT INTO meta VALUES (?, ?)", [k, v])
    con.execute("CREATE TABLE load_log (load_id VARCHAR, file VARCHAR, dataset VARCHAR, vintage VARCHAR, "
                "checksum VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP, rows_read BIGINT, rows_loaded BIGINT, "
                "rows_rejected BIGINT, rows_duplicate BIGINT)")
    for r in load_log or []:
        con.execute("INSERT INTO load_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", r)
    con.execute("CREATE TABLE rejects (load_id VARCHAR, dataset VARCHAR, file VARCHAR, line BIGINT, raw VARCHAR, "
                "reason VARCHAR)")
    con.execute("CREATE TABLE quality_checks (load_id VARCHAR, dataset VARCHAR, file VARCHAR, \"check\" VARCHAR, "
                "column_name VARCHAR, value DOUBLE, detail VARCHAR, checked_at TIMESTAMP)")
    con.close()
    return path


def ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


GOALS = [{"id": "g", "title": "Goal", "statement": "A goal.", "department": "Dept", "order": 1}]
DATASETS = [{"id": d, "title": d, "cadence_days": 1, "lag_days": 0} for d in SPECIFIC]


def measure(mid: str, computation: dict, **over) -> dict:
    """A catalog measure entry with sensible defaults; `over` replaces any key."""
    m = {"id": mid, "goal": "g", "title": mid, "definition": f"{mid}.", "computation": computation,
         "unit": "things", "direction": "down", "cadence": "daily",
         "breakdowns": {"layers": ["mcpp", "precinct"]}, "small_number_threshold": 10}
    m.update(over)
    return {k: v for k, v in m.items() if v is not None}


def write_catalog(folder: Path, measures: list[dict], goals=None, datasets=None) -> Path:
    import yaml

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "goals.yaml").write_text(yaml.safe_dump({"goals": goals or GOALS}))
    (folder / "datasets.yaml").write_text(yaml.safe_dump({"datasets": datasets or DATASETS}))
    (folder / "measures.yaml").write_text(yaml.safe_dump({"measures": measures}, sort_keys=False))
    return folder


def open_engine(tmp_path: Path, measures: list[dict], events=None, denominators=None, areas=None,
                datasets=None, mode="internal", **kw):
    """Build a warehouse and a catalog in tmp_path and open the real Engine on them."""
    from engine import Engine
    from settings import ROOT, Settings

    db = make_warehouse(tmp_path / "w.duckdb", events, denominators, areas, **kw)
    cat = write_catalog(tmp_path / "catalog", measures, datasets=datasets)
    return Engine.open(Settings(db_path=db, catalog_dir=cat, city_config=ROOT / "config" / "seattle", mode=mode))
