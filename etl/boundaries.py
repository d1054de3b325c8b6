"""Read a city's boundary files into one GeoDataFrame per layer: area_id, label, parent_id, geometry.

Real boundary files come as GeoJSON, zipped shapefiles and shapefile folders, in WGS84 or NAD83,
with duplicate ids (one neighbourhood in several pieces) and layers that exist only as a property
of another (sectors of beats). This module turns all of them into the same shape, in EPSG:4326,
so etl/geo.py and etl/population.py never look at a file. Errors name the file and the feature.
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from etl.layers import GeoConfig, LayerSpec

WGS84 = "EPSG:4326"


class BoundaryError(ValueError):
    """A boundary file is missing, unreadable, or lacks a field layers.yaml names."""


def read_boundary_file(path: Path) -> gpd.GeoDataFrame:
    """Read GeoJSON, a zipped shapefile, a shapefile folder or a .shp; reproject to WGS84."""
    path = Path(path)
    if path.is_dir():
        shapes = sorted(path.glob("*.shp"))
        if len(shapes) != 1:
            raise BoundaryError(f"{path}: expected one .shp file in the folder, found {len(shapes)}")
        path = shapes[0]
    elif not path.exists():
        raise BoundaryError(f"{path}: file not found")
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several kinds; the message is what a user needs
        raise BoundaryError(f"{path}: cannot read as a boundary file ({str(exc).splitlines()[0]})") from None
    if not isinstance(gdf, gpd.GeoDataFrame) or "geometry" not in gdf.columns:
        raise BoundaryError(f"{path}: has no geometry (a plain table, not a boundary file)")
    if gdf.crs is None:
        minx, miny, maxx, maxy = gdf.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise BoundaryError(f"{path}: no coordinate reference system and coordinates are not degrees")
        gdf = gdf.set_crs(WGS84)
    gdf = gdf.to_crs(WGS84)
    missing = gdf.geometry.isna() | gdf.geometry.is_empty
    if missing.any():
        raise BoundaryError(f"{path}: feature {int(missing.to_numpy().nonzero()[0][0]) + 1} has no geometry")
    bad = ~gdf.geometry.is_valid
    if bad.any():
        gdf.loc[bad, "geometry"] = shapely.make_valid(gdf.geometry[bad].to_numpy())
    polygonal = gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon", "GeometryCollection"])
    if not polygonal.all():
        first = int((~polygonal).to_numpy().nonzero()[0][0])
        raise BoundaryError(f"{path}: feature {first + 1} is a {gdf.geometry.iloc[first].geom_type}, not a polygon")
    gdf["geometry"] = [_polygons_only(g) for g in gdf.geometry]
    return gdf


def _polygons_only(geom):
    """make_valid may return a collection with slivers of lines; keep its polygons."""
    if geom.geom_type != "GeometryCollection":
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def area_code(value) -> str | None:
    """A property value as an area id: 13.2 (a float) becomes '13.2', 3.0 becomes '3', blanks None."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    if isinstance(value, float):  # DBF numbers come back as 13.200000000000001
        value = int(value) if value.is_integer() else f"{value:.10g}"
    text = str(value).strip()
    return text or None


def _require_field(gdf: gpd.GeoDataFrame, name: str, where: str) -> None:
    if name not in gdf.columns:
        fields = ", ".join(c for c in gdf.columns if c != "geometry")
        raise BoundaryError(f"{where}: no field '{name}' (fields: {fields})")


def _filter(spec: LayerSpec, gdf: gpd.GeoDataFrame, where: str, built: dict) -> gpd.GeoDataFrame:
    for prop, wanted in spec.where.items():
        _require_field(gdf, prop, where)
        allowed = {str(v) for v in (wanted if isinstance(wanted, list) else [wanted])}
        gdf = gdf[gdf[prop].map(area_code).isin(allowed)]
    if spec.keep_within:
        inner = gpd.GeoDataFrame(geometry=gdf.geometry.representative_point(), crs=WGS84)
        container = built[spec.keep_within][["geometry"]]
        hit = gpd.sjoin(inner, container, predicate="within", how="inner").index.unique()
        gdf = gdf.loc[gdf.index.isin(hit)]
    if gdf.empty:
        raise BoundaryError(f"{where}: no feature left after the layer's 'where' / 'keep_within' filters")
    return gdf


def _build(spec: LayerSpec, raw: gpd.GeoDataFrame, where: str) -> gpd.GeoDataFrame:
    """Features -> one row per area id: label, raw parent value, merged geometry."""
    _require_field(raw, spec.id_field, where)
    ids = raw[spec.id_field].map(area_code)
    if ids.isna().any():
        first = int(ids.isna().to_numpy().nonzero()[0][0])
        raise BoundaryError(f"{where}: feature {first + 1} has an empty '{spec.id_field}'")
    frame = gpd.GeoDataFrame({"area_id": ids.to_numpy()}, geometry=raw.geometry.to_numpy(), crs=WGS84)
    if spec.label_field:
        _require_field(raw, spec.label_field, where)
        frame["raw_label"] = raw[spec.label_field].map(area_code).to_numpy()
    else:
        frame["raw_label"] = frame["area_id"]
    if spec.parent_field:
        _require_field(raw, spec.parent_field, where)
        frame["raw_parent"] = raw[spec.parent_field].map(area_code).to_numpy()
    else:
        frame["raw_parent"] = None
    merged = frame.dissolve(by="area_id", aggfunc="first", as_index=False, sort=True)
    merged["label"] = [spec.label_format.format(id=i, label=spec.labels.get(i) or raw or i)
                       for i, raw in zip(merged["area_id"], merged["raw_label"].astype(object).where(merged["raw_label"].notna(), None))]
    return merged[["area_id", "label", "raw_parent", "geometry"]]


def _resolve_parents(config: GeoConfig, layers: dict) -> None:
    """parent_id = the parent property when it names a parent area, else the area holding our inner point."""
    for lid, gdf in layers.items():
        spec = config.layers[lid]
        if not spec.parent:
            gdf["parent_id"] = None
            continue
        parent = layers[spec.parent]
        parent_spec = config.layers[spec.parent]
        known = set(parent["area_id"])
        named = gdf["raw_parent"].map(lambda v: parent_spec.aliases.get(v, v) if v is not None else None)
        named = named.where(named.isin(known))
        missing = named.isna()
        if missing.any():
            inner = gpd.GeoDataFrame(geometry=gdf.loc[missing, "geometry"].representative_point(), crs=WGS84)
            hit = gpd.sjoin(inner, parent[["area_id", "geometry"]], predicate="within", how="left")
            hit = hit[~hit.index.duplicated(keep="first")]
            named.loc[missing] = hit["area_id"].reindex(inner.index)
        gdf["parent_id"] = named.astype(object).where(named.notna(), None)


def read_layers(config: GeoConfig, boundaries_dir: Path) -> dict[str, gpd.GeoDataFrame]:
    """Every configured layer, in layers.yaml order: area_id, label, parent_id, geometry (WGS84)."""
    raw: dict[str, gpd.GeoDataFrame] = {}
    built: dict[str, gpd.GeoDataFrame] = {}
    for lid in config.load_order():
        spec = config.layers[lid]
        if spec.file:
            path = Path(boundaries_dir) / spec.file
            where = f"{path} (layer '{lid}')"
            features = read_boundary_file(path)
        else:
            source = config.layers[spec.dissolve_from]
            where = f"{Path(boundaries_dir) / source.file} (layer '{lid}', dissolved from '{source.id}')"
            features = raw[spec.dissolve_from]
        features = _filter(spec, features, where, built)
        raw[lid] = features
        built[lid] = _build(spec, features, where)
    layers = {lid: built[lid] for lid in config.layers}
    _resolve_parents(config, layers)
    return layers
