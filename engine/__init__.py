"""The read side of SeaStat: pages, the packet and the public API get every number from here.

    from engine import Engine, Filters
    eng = Engine.open(settings)

See docs/ENGINE_API.md. Importing this package reads no data.
"""
from engine.catalog import CatalogError
from engine.engine import Engine, Freshness, GoalSummary, MeasureResult
from engine.periods import Period, PeriodError
from engine.query import FilterError, Filters
from engine.stats import Flag
from engine.warehouse import WarehouseMissing

__all__ = ["Engine", "Filters", "Period", "MeasureResult", "GoalSummary", "Freshness", "Flag",
           "CatalogError", "FilterError", "PeriodError", "WarehouseMissing"]
