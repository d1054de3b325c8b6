"""An older warehouse holding year 0000 or 9999 rows does not crash or steer the app (issue 14).

Why: before the ETL rejected impossible event dates, a fire row dated 01/01/0000 loaded as
1 BC; the coverage table then handed Python the string '0001-01-01 (BC)' and the inventory, the
overview and every fire measure raised TypeError, and a row dated 12/31/9999 made "as of"
9999-12-31 (the meeting period raised OverflowError). Such warehouses exist: coverage now counts
only event times inside the ETL's domain (engine/query.py PLAUSIBLE_EVENT).
"""
from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from test_engine_fixtures import make_warehouse, measure, ts, write_catalog

MEASURES = [measure("fire_calls_total", {"kind": "count", "dataset": "fire_calls"})]
FIRE = [{"event_time": ts(t), "category": "Aid Response"} for t in ("2024-03-01 10:00", "2024-03-05 12:00")]


@pytest.mark.parametrize("coverage_table", [True, False], ids=["coverage-written-by-an-old-load", "no-coverage-table"])
def test_bc_and_9999_rows_in_an_old_warehouse(tmp_path, coverage_table):
    from engine import Engine
    from settings import ROOT, Settings

    db = make_warehouse(tmp_path / "w.duckdb", {"fire_calls": FIRE})
    con = duckdb.connect(str(db))
    con.execute("INSERT INTO fire_calls (event_key, event_time, category) VALUES "
                "('bc', TIMESTAMP '0000-01-01 01:00:00', 'Aid Response'), "
                "('far', TIMESTAMP '9999-12-31 00:00:00', 'Aid Response')")
    if coverage_table:  # what a load before the fix wrote
        con.execute("CREATE TABLE agg_coverage AS SELECT 'fire_calls' AS dataset, CAST(min(event_time) AS DATE) AS lo, "
                    "CAST(max(event_time) AS DATE) AS hi FROM fire_calls")
    con.close()
    eng = Engine.open(Settings(db_path=db, catalog_dir=write_catalog(tmp_path / "catalog", MEASURES),
                               city_config=ROOT / "config" / "seattle"))
    assert eng.as_of() == dt.date(2024, 3, 5)
    assert len(eng.inventory()) > 0
    assert eng.period("meeting").end <= dt.date(2024, 3, 6)
    r = eng.measure("fire_calls_total", eng.period("28d", dt.date(2024, 3, 5)))
    assert r.value == 2
