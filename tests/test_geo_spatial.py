"""The two point-in-polygon strategies of etl/spatial.py give the same, hand-checkable answers."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from etl.boundaries import read_boundary_file
from etl.spatial import locate
from tests.support.geo_city import E, LAT0, LAT1, M2, W


def shapes_of(boxes: dict) -> pd.DataFrame:
    return pd.DataFrame({"area_id": list(boxes), "wkb": [shapely.to_wkb(shapely.box(*b)) for b in boxes.values()]})


@pytest.mark.parametrize("tiled", [False, True])
def test_points_inside_on_the_border_and_outside(tiled):
    # B is listed first: the smaller id must still win on the shared border
    shapes = shapes_of({"B": (M2, LAT0, E, LAT1), "A": (W, LAT0, M2, LAT1)})
    lat = np.array([47.61, 47.61, 47.61, 47.70, LAT0])
    lon = np.array([-122.39, -122.365, M2, -122.39, W])  # in A, in B, on A|B, north of both, A's corner
    got = locate(lat, lon, shapes, tiled=tiled)
    assert [None if pd.isna(v) else v for v in got] == ["A", "B", "A", None, "A"]


def test_no_points_and_no_polygons():
    assert len(locate(np.array([]), np.array([]), shapes_of({"A": (W, LAT0, M2, LAT1)}))) == 0
    empty = pd.DataFrame({"area_id": [], "wkb": []})
    assert locate(np.array([47.61]), np.array([-122.39]), empty).isna().all()


@pytest.mark.real_data
@pytest.mark.parametrize("name, id_field", [
    ("spd_micro_community_policing_plans_mcpp.geojson", "NEIGHBORHOOD"),
    ("seattle_police_beats_2018-present.geojson", "beat"),
])
def test_tiled_and_direct_agree_on_real_boundaries_including_border_points(seattle_data, name, id_field):
    gdf = read_boundary_file(seattle_data / "boundaries" / name)
    shapes = pd.DataFrame({"area_id": gdf[id_field].astype(str), "wkb": shapely.to_wkb(gdf.geometry.to_numpy())})
    rng = np.random.default_rng(7)
    lat, lon = rng.uniform(47.48, 47.74, 60_000), rng.uniform(-122.46, -122.22, 60_000)
    vertices = shapely.get_coordinates(gdf.geometry.to_numpy())[::50]  # points ON area borders
    lat, lon = np.concatenate([lat, vertices[:, 1]]), np.concatenate([lon, vertices[:, 0]])
    direct, tiled = locate(lat, lon, shapes, tiled=False), locate(lat, lon, shapes, tiled=True)
    assert (direct.codes == tiled.codes).all()
    assert not direct[-len(vertices):].isna().any()   # a border point belongs to an area
    assert 0.2 < direct[: 60_000].isna().mean() < 0.7  # the box holds water and suburbs too
