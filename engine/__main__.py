"""`python -m engine check`: validate the catalog the way the app and the ETL do at start-up.

Prints one line and exits 0 when the catalog is usable, or prints the one-line error naming the
file, measure and key and exits 1 (CI and deploy scripts can run it before anything else).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def catalog_problem(catalog_dir: Path | None = None, db_path: Path | None = None) -> str | None:
    """The one-line CatalogError for the catalog (SEASTAT_CATALOG by default), or None when it is
    usable; checked against the ETL's declared schemas, else against the warehouse at db_path.
    The ETL calls this before `load`, `fetch`, `geo` and `demo` write anything."""
    from engine.catalog import CatalogError, load_catalog, validate
    from engine.schema import event_schema
    from engine.warehouse import Warehouse
    from settings import Settings

    s = Settings.from_env()
    try:
        catalog = load_catalog(catalog_dir or s.catalog_dir)
        wh = Warehouse(db_path) if db_path is not None and Path(db_path).exists() else None
        schema, strict = event_schema(catalog, wh, s.city_config)
        validate(catalog, schema, strict=strict)
    except CatalogError as exc:
        return str(exc)
    return None


def main(argv: list[str] | None = None) -> int:
    from engine.catalog import load_catalog
    from settings import Settings

    ap = argparse.ArgumentParser(prog="python -m engine", description=__doc__.splitlines()[0])
    ap.add_argument("command", choices=["check"])
    ap.add_argument("--catalog", type=Path, default=None, help="catalog folder (default: SEASTAT_CATALOG, catalog/)")
    args = ap.parse_args(argv)
    s = Settings.from_env()
    folder = args.catalog or s.catalog_dir
    problem = catalog_problem(folder, s.db_path)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    catalog = load_catalog(folder)
    from engine.schema import declared_schema

    kinds = sorted({m.computation.kind for m in catalog.measures.values()})
    strict = declared_schema(s.city_config) is not None
    print(f"catalog {folder}: OK, {len(catalog.goals)} goals, {len(catalog.measures)} measures "
          f"({', '.join(kinds)}), checked against {'the ETL schemas' if strict else 'the warehouse'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
