"""Synthetic, approximate boundary shapes for the demo city, nested as the real ones are.

Beats are Voronoi cells of the real beats' approximate centres clipped to a coarse city outline;
sectors and precincts are unions of beats, so beats roll up exactly. MCPP neighborhoods are
Voronoi cells drawn inside their precinct, and census tracts inside their neighborhood, so every
finer layer nests in the coarser one. The shapes never change with the seed: the city is fixed,
only its events are random. Every layer is labelled approximate where it is written.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from etl.demo import places

TRACTS_PER_MCPP = 3
BLOCKS_PER_MCPP = 240  # candidate block points per neighborhood that events are placed on


@dataclass
class Geography:
    outline: shapely.Polygon
    beats: dict[str, shapely.Geometry]          # beat -> polygon
    beat_precinct: dict[str, str]
    sectors: dict[str, shapely.Geometry]        # sector letter -> polygon
    precincts: dict[str, shapely.Geometry]      # precinct code -> polygon
    mcpp: dict[str, shapely.Geometry]           # neighborhood -> polygon
    mcpp_precinct: dict[str, str]
    tracts: list[tuple[str, str, shapely.Geometry]]  # (GEOID, MCPP it lies in, polygon)
    blocks: "Blocks"


@dataclass
class Blocks:
    """Fixed block points: where events happen. Arrays are aligned; one entry per block."""
    mcpp: np.ndarray      # index into places.MCPP
    lat: np.ndarray
    lon: np.ndarray
    beat: np.ndarray      # beat code (str)
    precinct: np.ndarray  # precinct code of the block's neighborhood (str)
    sector: np.ndarray    # sector letter, the beat's first letter (str)
    tract: np.ndarray     # index into Geography.tracts
    hundred: np.ndarray   # block number (e.g. 12 for "12XX BLOCK OF")
    street: np.ndarray    # street name (str)
    cross: np.ndarray     # cross street (str) for intersections
    blurred: np.ndarray   # "12XX BLOCK OF E HOWELL ST" (object array, like the ones below)
    blurred_ois: np.ndarray  # "12XX BLOCK E HOWELL ST" (the OIS file drops the OF)
    corner: np.ndarray    # "E HOWELL ST / 15TH AVE E", or the blurred block when both streets are the same
    address: np.ndarray   # "1234 E Howell St": the exact-looking address the fire feed uses


def _voronoi_in(points: list[tuple[float, float]], clip: shapely.Geometry) -> list[shapely.Geometry]:
    """Voronoi cells of points (lon, lat) clipped to `clip`, in the order of the points."""
    if len(points) == 1:
        return [clip]
    mp = shapely.MultiPoint(points)
    cells = shapely.voronoi_polygons(mp, extend_to=clip.envelope.buffer(0.1))
    out = []
    for x, y in points:
        pt = shapely.Point(x, y)
        cell = next(c for c in cells.geoms if c.covers(pt))
        out.append(shapely.make_valid(cell.intersection(clip)))
    return out


def _points_inside(rng: np.random.Generator, poly: shapely.Geometry, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n points drawn uniformly inside poly (rejection sampling in its bounding box)."""
    minx, miny, maxx, maxy = poly.bounds
    xs, ys = [], []
    have = 0
    shapely.prepare(poly)
    while have < n:
        x = rng.uniform(minx, maxx, n * 4)
        y = rng.uniform(miny, maxy, n * 4)
        keep = shapely.contains_xy(poly, x, y)
        xs.append(x[keep])
        ys.append(y[keep])
        have += int(keep.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def _largest_part(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep polygonal parts only (clipping can leave stray lines)."""
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon") and g.area > 0]
    return shapely.union_all(parts) if parts else geom


def build_geography() -> Geography:
    rng = np.random.default_rng(20240601)  # fixed: the city's shapes never depend on --seed
    outline = shapely.Polygon(places.OUTLINE)

    beat_cells = _voronoi_in([(lon, lat) for _b, _p, lat, lon in places.BEATS], outline)
    beats = {b: _largest_part(c) for (b, _p, _la, _lo), c in zip(places.BEATS, beat_cells)}
    beat_precinct = {b: p for b, p, _la, _lo in places.BEATS}
    sectors = {}
    for b, geom in beats.items():
        sectors.setdefault(b[0], []).append(geom)
    sectors = {s: shapely.union_all(g) for s, g in sectors.items()}
    precincts = {}
    for b, geom in beats.items():
        precincts.setdefault(beat_precinct[b], []).append(geom)
    precincts = {p: shapely.union_all(g) for p, g in precincts.items()}

    mcpp, mcpp_precinct = {}, {}
    for p, pgeom in precincts.items():
        members = [(name, lat, lon) for name, pp, lat, lon in places.MCPP if pp == p]
        cells = _voronoi_in([(lon, lat) for _n, lat, lon in members], pgeom)
        for (name, _la, _lo), cell in zip(members, cells):
            mcpp[name] = _largest_part(cell)
            mcpp_precinct[name] = p
    names = [m[0] for m in places.MCPP]
    mcpp = {n: mcpp[n] for n in names}  # keep the MCPP table's order
    empty = [n for n, g in mcpp.items() if g.is_empty or g.area <= 0]
    if empty:
        raise RuntimeError(f"demo geography: neighborhoods without a shape: {', '.join(empty)}")

    tracts = []
    for i, name in enumerate(names):
        xs, ys = _points_inside(rng, mcpp[name], TRACTS_PER_MCPP)
        for j, cell in enumerate(_voronoi_in(list(zip(xs, ys)), mcpp[name])):
            code = (i + 1) * 100 + j + 1  # tract 1.01, 1.02, ... -> TRACTCE 000101
            tracts.append((f"53033{code:06d}", name, _largest_part(cell)))

    blocks = _blocks(rng, names, mcpp, beats, tracts)
    return Geography(outline, beats, beat_precinct, sectors, precincts, mcpp, mcpp_precinct, tracts, blocks)


def _blocks(rng, names, mcpp, beats, tracts) -> Blocks:
    lat, lon, idx = [], [], []
    for i, name in enumerate(names):
        xs, ys = _points_inside(rng, mcpp[name], BLOCKS_PER_MCPP)
        lon.append(xs)
        lat.append(ys)
        idx.append(np.full(len(xs), i))
    lat, lon, idx = np.concatenate(lat), np.concatenate(lon), np.concatenate(idx)
    beat = np.full(len(lat), "", dtype=object)
    for b, geom in beats.items():
        shapely.prepare(geom)
        beat[shapely.contains_xy(geom, lon, lat) & (beat == "")] = b
    tract = np.full(len(lat), -1)
    for t, (_geoid, _m, geom) in enumerate(tracts):
        shapely.prepare(geom)
        tract[shapely.contains_xy(geom, lon, lat) & (tract < 0)] = t
    keep = (beat != "") & (tract >= 0)  # points exactly on an edge are dropped
    precinct = np.array([places.MCPP[i][1] for i in idx])
    street = np.empty(len(lat), dtype=object)
    cross = np.empty(len(lat), dtype=object)
    for p, names_p in places.STREETS.items():
        sel = precinct == p
        street[sel] = rng.choice(names_p, sel.sum())
        cross[sel] = rng.choice(names_p, sel.sum())
    hundred = rng.integers(1, 130, len(lat))
    number = hundred * 100 + rng.integers(0, 100, len(lat))
    blurred = np.array([f"{h}XX BLOCK OF {s}" for h, s in zip(hundred, street)], dtype=object)
    blurred_ois = np.array([f"{h}XX BLOCK {s}" for h, s in zip(hundred, street)], dtype=object)
    corner = np.array([f"{s} / {c}" if s != c else b for s, c, b in zip(street, cross, blurred)], dtype=object)
    address = np.array([f"{n} {_mixed_case(s)}" for n, s in zip(number, street)], dtype=object)
    k = keep
    sector = np.array([b[:1] for b in beat], dtype=object)
    return Blocks(idx[k], lat[k], lon[k], beat[k], precinct[k].astype(object), sector[k], tract[k], hundred[k], street[k], cross[k],
                  blurred[k], blurred_ois[k], corner[k], address[k])


def _mixed_case(street: str) -> str:
    """'24TH AVE NE' -> '24th Ave Ne', the fire feed's capitalisation."""
    return " ".join(w.capitalize() if not w[:1].isdigit() else w.lower() for w in street.split())
