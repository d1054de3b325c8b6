"""Boundary layers into the warehouse, and every event's area in each layer (`python -m etl geo`).

Why here: the app must never do spatial work (the DuckDB spatial extension cannot be installed
offline), so the ETL writes `layers`, `areas` (display GeoJSON), `area_shapes` (full-resolution
WKB, for later joins), `area_codes` and `denominators`, and fills `area_<layer>` columns of every
event table once: a point-in-polygon join (etl/spatial.py, shapely as under geopandas) of the
DISTINCT coordinates, joined back in DuckDB.

An event's area in a layer is, in order: the area its coordinates fall in; else the area its
source's own codes name (`area_codes`: the layer's source column, e.g. `beat`, with aliases, and
the codes of finer layers rolled up through their parents, so a beat gives its sector and
precinct); else `UNKNOWN`. A point on a shared border goes to the area with the smallest id.
"""
from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from etl.boundaries import WGS84, BoundaryError, read_layers
from etl.layers import GeoConfig, LayerConfigError, load_geo_config
from etl.population import PopulationError, build_denominators
from etl.spatial import locate

UNKNOWN = "UNKNOWN"
DISPLAY_TOLERANCE = 0.0002  # degrees (about 20 m): a 60-area map stays well under 300 KB
DISPLAY_GRID = 0.00001       # coordinates rounded to about 1 m
IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
ROW_BATCH = 1_000_000       # rows per UPDATE in assign_areas


class GeoError(ValueError):
    """A table or layer named to the geo step does not exist in the warehouse."""


@dataclass
class AssignResult:
    table: str
    rows: int
    distinct_points: int
    unknown: dict = field(default_factory=dict)  # layer -> rows with area UNKNOWN
    join_seconds: float = 0.0   # the point-in-polygon part
    seconds: float = 0.0        # the whole call

    def line(self) -> str:
        unknown = ", ".join(f"{k} {v:,}" for k, v in self.unknown.items())
        return (f"{self.table}: {self.rows:,} rows, {self.distinct_points:,} distinct points in {self.seconds:.1f} s; "
                f"UNKNOWN per layer: {unknown}")


@dataclass
class GeoSummary:
    areas: dict            # layer -> number of areas
    denominator_rows: int
    assigned: list         # AssignResult per event table re-assigned

    def lines(self) -> list[str]:
        out = ["layers: " + ", ".join(f"{k} ({v} areas)" for k, v in self.areas.items()),
               f"denominators: {self.denominator_rows:,} rows"]
        return out + [r.line() for r in self.assigned]


def display_geojson(geom) -> str:
    """Simplified GeoJSON geometry text for the app's maps."""
    simple = shapely.simplify(geom, DISPLAY_TOLERANCE, preserve_topology=True)
    simple = shapely.set_precision(simple, DISPLAY_GRID)
    if simple.is_empty:  # a sliver smaller than the grid: keep the unsimplified shape
        simple = geom
    return shapely.to_geojson(simple)


def _centroids(gdf: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """The true centroid (in metres), or an inner point when the centroid falls outside the area."""
    crs = gdf.estimate_utm_crs()
    cent = gdf.geometry.to_crs(crs).centroid.to_crs(WGS84)
    inside = cent.within(gdf.geometry)
    return cent.where(inside, gdf.geometry.representative_point())


def _area_rows(config: GeoConfig, layers: dict, approximate: bool | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    areas, shapes = [], []
    for lid, gdf in layers.items():
        approx = config.layers[lid].approximate if approximate is None else approximate
        cent = _centroids(gdf)
        areas.append(pd.DataFrame({
            "layer": lid, "area_id": gdf["area_id"].to_numpy(), "label": gdf["label"].to_numpy(),
            "parent_id": gdf["parent_id"].to_numpy(), "centroid_lat": cent.y.to_numpy(),
            "centroid_lon": cent.x.to_numpy(), "geojson": [display_geojson(g) for g in gdf.geometry],
            "approximate": approx,
        }))
        shapes.append(pd.DataFrame({"layer": lid, "area_id": gdf["area_id"].to_numpy(),
                                    "wkb": shapely.to_wkb(gdf.geometry.to_numpy())}))
    return pd.concat(areas, ignore_index=True), pd.concat(shapes, ignore_index=True)


def _code_rows(config: GeoConfig, layers: dict) -> pd.DataFrame:
    """(source_column, code, layer, area_id, rank): what a source's code says about each layer.

    rank 0 = the layer's own column; rank n = a code of a layer n levels finer, rolled up.
    """
    parents = {lid: dict(zip(g["area_id"], g["parent_id"])) for lid, g in layers.items()}
    rows = []
    for lid, spec in config.layers.items():
        if not spec.source_column:
            continue
        codes = {a: a for a in layers[lid]["area_id"]}
        for alias, area in spec.aliases.items():
            if area not in codes:
                raise BoundaryError(f"{config.path}: layer '{lid}' alias {alias!r} names {area!r}, "
                                    f"which is not an area of {spec.file or lid}")
            codes[alias.upper()] = area
        for code, area in codes.items():
            layer, current, rank = lid, area, 0
            while current is not None:
                rows.append((spec.source_column, code.upper(), layer, current, rank))
                up = config.layers[layer].parent
                if up is None:
                    break
                current, layer, rank = parents[layer].get(current), up, rank + 1
    frame = pd.DataFrame(rows, columns=["source_column", "code", "layer", "area_id", "rank"])
    # One answer per (column, code, layer): the nearest level wins.
    return frame.sort_values("rank").drop_duplicates(["source_column", "code", "layer"]).reset_index(drop=True)


def _replace_table(con, name: str, frame: pd.DataFrame, columns_sql: str) -> None:
    """CREATE OR REPLACE `name` with explicit column types from a DataFrame."""
    con.complete()  # DuckDB 2 refuses register() while an execute() result is unread
    con.register("_geo_frame", frame)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT {columns_sql} FROM _geo_frame")
    finally:
        con.unregister("_geo_frame")


def write_geo_tables(con, config: GeoConfig, layers: dict, denominators: pd.DataFrame | None,
                     approximate: bool | None = None) -> None:
    """(Re)build layers, areas, area_shapes, area_codes and denominators in an open write connection."""
    layer_rows = pd.DataFrame([{
        "layer": lid, "label": spec.label, "id_field": spec.id_field,
        "label_field": spec.label_field or spec.id_field, "parent_layer": spec.parent,
        "source": spec.file or f"dissolved from {spec.dissolve_from}", "source_column": spec.source_column,
        "approximate": spec.approximate if approximate is None else approximate, "position": i,
    } for i, (lid, spec) in enumerate(config.layers.items())])
    _replace_table(con, "layers", layer_rows,
                   "layer::VARCHAR AS layer, label::VARCHAR AS label, id_field::VARCHAR AS id_field, "
                   "label_field::VARCHAR AS label_field, parent_layer::VARCHAR AS parent_layer, "
                   "source::VARCHAR AS source, source_column::VARCHAR AS source_column, "
                   "approximate::BOOLEAN AS approximate, position::INTEGER AS position")
    areas, shapes = _area_rows(config, layers, approximate)
    _replace_table(con, "areas", areas,
                   "layer::VARCHAR AS layer, area_id::VARCHAR AS area_id, label::VARCHAR AS label, "
                   "parent_id::VARCHAR AS parent_id, centroid_lat::DOUBLE AS centroid_lat, "
                   "centroid_lon::DOUBLE AS centroid_lon, geojson::VARCHAR AS geojson, approximate::BOOLEAN AS approximate")
    _replace_table(con, "area_shapes", shapes, "layer::VARCHAR AS layer, area_id::VARCHAR AS area_id, wkb::BLOB AS wkb")
    _replace_table(con, "area_codes", _code_rows(config, layers),
                   "source_column::VARCHAR AS source_column, code::VARCHAR AS code, layer::VARCHAR AS layer, "
                   "area_id::VARCHAR AS area_id, rank::INTEGER AS rank")
    if denominators is None:  # the old ones were apportioned to the old boundaries
        con.execute("DROP TABLE IF EXISTS denominators")
    else:
        _replace_table(con, "denominators", denominators,
                       "layer::VARCHAR AS layer, area_id::VARCHAR AS area_id, group_field::VARCHAR AS group_field, "
                       "group_value::VARCHAR AS group_value, year::INTEGER AS year, population::BIGINT AS population, "
                       "method::VARCHAR AS method, approximate::BOOLEAN AS approximate")


def _tables(con) -> set[str]:
    rows = con.execute("SELECT table_name FROM information_schema.tables "
                       "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'").fetchall()
    return {r[0] for r in rows}


def _columns(con, table: str) -> list[str]:
    rows = con.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                       "AND table_name = ? ORDER BY ordinal_position", [table]).fetchall()
    return [r[0] for r in rows]


def event_tables(con) -> list[str]:
    """Tables that hold events (they have event_key and event_time, docs/SCHEMA.md)."""
    return sorted(t for t in _tables(con) if {"event_key", "event_time"} <= set(_columns(con, t)))


def _prepare_columns(con, table: str, layer_ids: list[str], reassign: bool) -> list[str]:
    """Drop area columns of layers no longer configured (all of them when reassigning); add missing ones."""
    columns = _columns(con, table)
    for col in columns:
        if col.startswith("area_") and (reassign or col[5:] not in layer_ids):
            con.execute(f'ALTER TABLE "{table}" DROP COLUMN "{col}"')
    columns = _columns(con, table)
    for lid in layer_ids:
        if f"area_{lid}" not in columns:
            con.execute(f'ALTER TABLE "{table}" ADD COLUMN "area_{lid}" VARCHAR')
    return _columns(con, table)


def _code_fallback_sql(con, table: str, columns: list[str], layer_ids: list[str], pending: str) -> tuple[str, list[str]]:
    """A query: each distinct combination of the table's code columns (among pending rows) and
    the area each combination names per layer (`f_<layer>`), nearest level first."""
    ranked = con.execute("SELECT source_column, layer, min(rank) AS rank FROM area_codes "
                         "GROUP BY ALL ORDER BY rank, source_column").fetchall()
    usable = [(c, lid) for c, lid, _rank in ranked if c in columns and IDENT.match(c) and lid in layer_ids]
    code_cols = sorted({c for c, _ in usable})
    joins = []
    for c in code_cols:
        pivot = ", ".join(f"max(area_id) FILTER (WHERE layer = '{lid}') AS \"{lid}\"" for lid in layer_ids)
        joins.append(f" LEFT JOIN (SELECT code, {pivot} FROM area_codes WHERE source_column = '{c}' GROUP BY code) "
                     f"\"c_{c}\" ON \"c_{c}\".code = upper(trim(k.\"{c}\"::VARCHAR))")
    exprs = []
    for lid in layer_ids:
        parts = [f'"c_{c}"."{lid}"' for c, l2 in usable if l2 == lid]
        exprs.append(f"coalesce({', '.join(parts + ['NULL'])}) AS \"f_{lid}\"")
    keys = ", ".join(f'"{c}"' for c in code_cols)
    k_keys = ", ".join(f'k."{c}"' for c in code_cols)
    return (f'SELECT {k_keys}, {", ".join(exprs)} '
            f'FROM (SELECT DISTINCT {keys} FROM "{table}" WHERE {pending}) k{"".join(joins)}'), code_cols


def _row_batches(con, table: str) -> list[tuple[int, int]]:
    """rowid ranges of at most ROW_BATCH rows: each UPDATE commits on its own, so DuckDB's undo
    data stays small (one UPDATE of 10M rows x 7 columns ran out of the ETL's 1.2 GB)."""
    lo, hi = con.execute(f'SELECT min(rowid), max(rowid) FROM "{table}"').fetchall()[0]
    if lo is None:
        return []
    return [(start, min(start + ROW_BATCH, hi + 1)) for start in range(int(lo), int(hi) + 1, ROW_BATCH)]


def assign_areas(con, table: str, settings=None, *, reassign: bool = False) -> AssignResult:
    """Fill `area_<layer>` for the rows of an event table that have none yet, in the open write connection.

    A load inserts new and revised rows with empty area columns, so after a load only those rows
    are joined; `reassign=True` (what `load_boundaries` uses: the boundaries changed) starts
    every row afresh. Two set-wise UPDATEs, never row by row: rows with a point join the areas of
    their DISTINCT point (located in every layer by etl/spatial.py) and of their code
    combination; rows without one join their code combination only. Uses only what the
    warehouse holds (layers, area_shapes, area_codes); `settings` is accepted for the callers'
    convenience and not needed.
    """
    started = time.perf_counter()
    join_seconds = 0.0
    tables = _tables(con)
    if table not in tables or not IDENT.match(table):
        raise GeoError(f"assign_areas: no table {table!r} in the warehouse")
    if not {"layers", "area_shapes", "area_codes"} <= tables:
        raise GeoError("assign_areas: the warehouse has no boundary layers yet (run `python -m etl geo`)")
    layer_ids = [r[0] for r in con.execute("SELECT layer FROM layers ORDER BY position").fetchall()]
    for lid in layer_ids:
        if not IDENT.match(lid):
            raise GeoError(f"assign_areas: layer id {lid!r} cannot name a column")
    columns = _prepare_columns(con, table, layer_ids, reassign)
    pending = "(" + " OR ".join(f'"area_{lid}" IS NULL' for lid in layer_ids) + ")"
    t_pending = "(" + " OR ".join(f't."area_{lid}" IS NULL' for lid in layer_ids) + ")"
    has_xy = {"latitude", "longitude"} <= set(columns)

    # What the pending rows' own codes say, per distinct combination of code columns.
    codes_sql, code_cols = _code_fallback_sql(con, table, columns, layer_ids, pending)
    if code_cols:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _geo_codes AS {codes_sql}")
    match = " AND ".join(f't."{c}" IS NOT DISTINCT FROM c."{c}"' for c in code_cols)

    def value(i: int, lid: str, point: bool) -> str:
        parts = [f'${i + 1}[p."p_{lid}"]'] if point else []
        parts += [f'c."f_{lid}"'] if code_cols else []
        return f"coalesce({', '.join(parts + [repr(UNKNOWN)])})"

    n_points = 0
    if has_xy:
        pts = con.execute(f'SELECT DISTINCT latitude, longitude FROM "{table}" '
                          f"WHERE latitude IS NOT NULL AND longitude IS NOT NULL AND {pending}").fetchnumpy()
        lat, lon = np.asarray(pts["latitude"], dtype=float), np.asarray(pts["longitude"], dtype=float)
        n_points = len(lat)
    if n_points:
        shapes = con.execute("SELECT layer, area_id, wkb FROM area_shapes").df()
        t0 = time.perf_counter()
        frame, names = {"latitude": lat, "longitude": lon}, []
        for lid in layer_ids:
            found = locate(lat, lon, shapes[shapes["layer"] == lid])
            small = np.int16 if len(found.categories) < 32_000 else np.int32
            frame[f"p_{lid}"] = (found.codes + 1).astype(small)  # 0 = in no area
            names.append(list(found.categories))
        join_seconds = time.perf_counter() - t0
        # Rows with a point, each written once: point, else codes, else UNKNOWN. Small integer
        # codes (not strings) keep 10M points small; DuckDB turns a code back into the area id
        # by indexing the layer's id list, a bound parameter (1-based; [0] is NULL). No pending
        # filter: boundaries unchanged, every row at a point has that point's areas, and the
        # filter measured slower than rewriting equal values.
        con.complete()
        con.register("_geo_points", pd.DataFrame(frame))
        try:
            sets = ", ".join(f'"area_{lid}" = {value(i, lid, True)}' for i, lid in enumerate(layer_ids))
            joins = "_geo_points p" + (", _geo_codes c" if code_cols else "")
            where = "t.latitude = p.latitude AND t.longitude = p.longitude" + (f" AND {match}" if code_cols else "")
            for lo, hi in _row_batches(con, table):
                con.execute(f'UPDATE "{table}" AS t SET {sets} FROM {joins} WHERE t.rowid >= {lo} AND t.rowid < {hi} '
                            f"AND {where}", names)
        finally:
            con.unregister("_geo_points")
    # Rows without a point: codes, else UNKNOWN.
    no_point = "(t.latitude IS NULL OR t.longitude IS NULL) AND " if has_xy else ""
    sets = ", ".join(f'"area_{lid}" = {value(i, lid, False)}' for i, lid in enumerate(layer_ids))
    for lo, hi in _row_batches(con, table):
        rows = f"t.rowid >= {lo} AND t.rowid < {hi} AND "
        if code_cols:
            con.execute(f'UPDATE "{table}" AS t SET {sets} FROM _geo_codes c WHERE {rows}{no_point}{match} AND {t_pending}')
        else:
            con.execute(f'UPDATE "{table}" AS t SET {sets} WHERE {rows}{no_point}{t_pending}')
    if code_cols:
        con.execute("DROP TABLE _geo_codes")
    counts = ", ".join(f"count(*) FILTER (WHERE \"area_{lid}\" = '{UNKNOWN}')" for lid in layer_ids)
    row = con.execute(f'SELECT count(*), {counts} FROM "{table}"').fetchall()[0]
    return AssignResult(table=table, rows=int(row[0]), distinct_points=n_points,
                        unknown=dict(zip(layer_ids, (int(v) for v in row[1:]))),
                        join_seconds=join_seconds, seconds=time.perf_counter() - started)


def load_boundaries(con, settings, boundaries_dir: Path, population_dir: Path | None,
                    approximate: bool | None = None) -> GeoSummary:
    """(Re)build layers / areas / denominators in an open write connection, then re-assign events
    (and rebuild the engine's aggregates, which count by area).

    boundaries_dir / population_dir hold files with the names layers.yaml gives (settings.city_config);
    population_dir None skips denominators. approximate overrides every layer's flag (the demo
    city passes True).
    """
    config = load_geo_config(settings.city_config)
    layers = read_layers(config, Path(boundaries_dir))
    denominators = None
    if population_dir is not None and config.population is not None:
        denominators = build_denominators(config.population, layers, Path(population_dir))
    write_geo_tables(con, config, layers, denominators, approximate)
    assigned = [assign_areas(con, t, reassign=True) for t in event_tables(con)]
    if assigned and any(t.startswith("agg_") for t in _tables(con)):
        from engine import aggregates  # they count by area: rebuild them from the new columns

        aggregates.build(con, settings.catalog_dir, settings.city_config)
    return GeoSummary(areas={lid: len(g) for lid, g in layers.items()},
                      denominator_rows=0 if denominators is None else len(denominators), assigned=assigned)


# ---------------------------------------------------------------- CLI: python -m etl geo
def configure(parser) -> None:
    parser.description = ("Load the city's boundary layers (config/<city>/layers.yaml) and population "
                          "denominators into the warehouse, and assign every event to its area in each layer.")
    parser.add_argument("--boundaries", type=Path, default=None,
                        help="folder of boundary files (default: SEASTAT_RAW_DIR/boundaries, i.e. data/raw/boundaries)")
    parser.add_argument("--population", type=Path, default=None,
                        help="folder of population files (default: SEASTAT_RAW_DIR/population)")
    parser.add_argument("--db", type=Path, default=None, help="warehouse file (default: SEASTAT_DB, data/seastat.duckdb)")


def run(args) -> int:
    from settings import Settings

    settings = Settings.from_env()
    db = Path(args.db or settings.db_path)
    boundaries = Path(args.boundaries or settings.raw_dir / "boundaries")
    population = Path(args.population or settings.raw_dir / "population")
    if not boundaries.is_dir():
        print(f"python -m etl geo: {boundaries}: no such folder (give --boundaries DIR)", file=sys.stderr)
        return 1
    if args.population and not population.is_dir():
        print(f"python -m etl geo: {population}: no such folder", file=sys.stderr)
        return 1
    from engine.catalog import CatalogError  # the aggregates rebuild validates the catalog
    from etl import warehouse

    try:
        with warehouse.lock(db), warehouse.build(db) as con:
            summary = load_boundaries(con, settings, boundaries, population if population.is_dir() else None)
    except (LayerConfigError, BoundaryError, PopulationError, GeoError, CatalogError, warehouse.WarehouseBusy) as exc:
        print(f"python -m etl geo: {exc}", file=sys.stderr)
        return 1
    if not population.is_dir():
        print(f"note: no population folder {population}: no denominators (rates per resident unavailable)")
    for line in summary.lines():
        print(line)
    return 0
