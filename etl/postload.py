"""Steps that run after a load's rows are written and before the warehouse is swapped in.

Kept small on purpose: each step is one call, so the geography and engine owners can each add
their line. `run(con, datasets, settings)` gets the write connection to the new warehouse and
the datasets (= table names) that changed.
"""
from __future__ import annotations

from settings import Settings


def run(con, datasets: list[str], settings: Settings) -> None:
    from . import quality
    from .load import table_columns
    from .sources import ADAPTERS

    # 1. table-wide quality checks (per-file checks ran during the load)
    quality.check_tables(con, datasets, {d: [c for c in table_columns(ADAPTERS[d]) if not c.endswith("_raw")]
                                         for d in datasets})
    # 2. spatial join of events to boundary layers, once `python -m etl geo` has loaded `areas`
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()}
    if "areas" in tables:
        from . import geo

        for table in datasets:
            geo.assign_areas(con, table, settings)
    # 3. aggregates (engine/aggregates.py): per-measure daily counts the app reads first
    from engine import aggregates

    aggregates.build(con, settings.catalog_dir, settings.city_config)
