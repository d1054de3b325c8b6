"""The read side of SeaStat: pages, the packet and the public API get every number from here.

    from engine import Engine, Filters
    eng = Engine.open(settings)

See docs/ENGINE_API.md. Importing this package reads no data, and imports its heavy parts
(pandas, scipy) only when a name that needs them is first used: the ETL imports
`engine.catalog` and `engine.aggregates` on every load and should not pay a second for pandas.
"""
from __future__ import annotations

import importlib

_HOME = {
    "Engine": "engine.engine", "Freshness": "engine.engine", "GoalSummary": "engine.engine",
    "MeasureResult": "engine.engine", "CatalogError": "engine.catalog", "Period": "engine.periods",
    "PeriodError": "engine.periods", "FilterError": "engine.query", "Filters": "engine.query",
    "Flag": "engine.stats", "WarehouseMissing": "engine.warehouse",
}
__all__ = sorted(_HOME)


def __getattr__(name: str):
    if name in _HOME:
        value = getattr(importlib.import_module(_HOME[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'engine' has no attribute {name!r}")
