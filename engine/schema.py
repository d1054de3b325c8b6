"""Which columns each dataset has, for catalog validation.

Preferred: the canonical schemas the ETL adapters declare (etl.sources.canonical_schemas), plus
one `area_<layer>` column per boundary layer of the city's layers.yaml (etl/geo.py adds those),
so CI can validate the catalog without a warehouse. Fallback: the warehouse's own
information_schema at app start; then a dataset not loaded yet is skipped rather than refused
(the engine shows it as no data).
"""
from __future__ import annotations

from pathlib import Path

from engine.catalog import Catalog


def city_layers(city_folder: Path | None) -> list[str]:
    """Boundary layer ids from config/<city>/layers.yaml (via the ETL's parser), or []."""
    if city_folder is None or not (Path(city_folder) / "layers.yaml").exists():
        return []
    from etl.layers import load_geo_config  # the ETL owns that file's format

    return list(load_geo_config(Path(city_folder)).layers)


def declared_schema(city_folder: Path | None = None) -> dict[str, dict[str, str]] | None:
    """{dataset: {column: type}} from etl.sources, or None when the ETL does not declare one."""
    try:
        from etl.sources import canonical_schemas  # optional: owned by the ETL
    except ImportError:
        return None
    out = {str(k): dict(v) for k, v in canonical_schemas().items()}
    layers = city_layers(city_folder)  # parse layers.yaml once, not once per dataset
    for cols in out.values():
        for layer in layers:
            cols.setdefault(f"area_{layer}", "VARCHAR")
    return out


def event_schema(catalog: Catalog, warehouse=None, city_folder: Path | None = None) -> tuple[dict, bool]:
    """(schema, strict). strict is True when the schema is the ETL's declaration (complete)."""
    declared = declared_schema(city_folder)
    if declared is not None:
        return declared, True
    if warehouse is None:
        return {}, False
    cols = warehouse.columns()
    return {d: cols[d] for d in catalog.datasets if d in cols}, False
