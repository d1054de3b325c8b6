"""One adapter per dataset (etl/sources/<dataset>.py); `ADAPTERS` maps dataset name -> adapter.

An adapter is a declaration (etl/sources/base.py): canonical columns and types as SQL over the
source fields, header aliases of every vintage, the natural key, where geography and
demographic fields are. Null markers and date formats are shared (etl/sources/sqlfuncs.py).
"""
from __future__ import annotations

from . import calls, crime, fire_calls, ois, service_requests, terry_stops, use_of_force
from .base import Adapter

ADAPTERS: dict[str, Adapter] = {
    m.ADAPTER.name: m.ADAPTER
    for m in (crime, calls, use_of_force, terry_stops, ois, fire_calls, service_requests)
}
DATASETS = tuple(ADAPTERS)


def get(dataset: str) -> Adapter:
    try:
        return ADAPTERS[dataset]
    except KeyError:
        raise KeyError(f"unknown dataset {dataset!r}: expected one of {', '.join(DATASETS)}") from None


def canonical_schemas() -> dict[str, dict[str, str]]:
    """{dataset: {column: DuckDB type}} of every event table (area_<layer> columns come from etl/geo.py)."""
    return {name: a.schema() for name, a in ADAPTERS.items()}
