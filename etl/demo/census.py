"""Boundary and population files for the demo city, with the real files' names and properties.

The geography loader (etl/geo.py, config/<city>/layers.yaml) reads boundaries and population by
file name and property name; writing the same names lets the demo go through exactly the path
real data takes. Shapes come from etl/demo/shapes.py and are approximate; each FeatureCollection's
name says so. Populations are synthetic: tract totals follow the neighborhoods' resident
weights, and race shares follow their share of residents of colour.
"""
from __future__ import annotations

import datetime as dt
import json
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from etl.demo import places
from etl.demo.shapes import Geography
from etl.demo.writers import FORMATS, write_csv

FIXED_DATE = (120, 2, 15, 0, 0, 0)  # 2020-02-15 as the .dbf header (years since 1900) and zip entries
APPROX = "SYNTHETIC DEMO CITY - approximate shapes"
FEET = "EPSG:2926"  # Washington State Plane North (US feet), the unit of the real SHAPE_* fields
TRACT_POP_2020 = 740_000
RACE_FILE_LABELS = {  # population-by-race file labels, as in the real file
    "White": "White", "Black": "Black or African American", "Hispanic": "Hispanic or Latino", "Asian": "Asian",
    "Native American": "American Indian/Alaska Native", "Pacific Islander": "Nat Hawaiian/Oth Pac Islander",
    "Multiracial": "Two or more", "Other": "Other",
}


# The Racial and Social Equity Index columns, in the real file's order. The demo fills the ones
# the app uses (ids, names, population counts, shape size); the index scores stay empty.
SEI_COLUMNS = FORMATS["population/sei_csv"].header.split(",")


def _gdf(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")
    ft = gdf.to_crs(FEET)
    gdf["_len"], gdf["_area"] = ft.length.to_numpy(), ft.area.to_numpy()
    return gdf


def _geojson(gdf: gpd.GeoDataFrame, path: Path, length: str, area: str) -> None:
    out = gdf.rename(columns={"_len": length, "_area": area})
    data = json.loads(out.to_json(drop_id=True))
    data = {"type": "FeatureCollection", "name": APPROX,
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}, "features": data["features"]}
    path.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")


def _shapefile(gdf: gpd.GeoDataFrame, folder: Path, stem: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    gdf.to_file(folder / f"{stem}.shp", driver="ESRI Shapefile", engine="pyogrio")
    dbf = folder / f"{stem}.dbf"
    with open(dbf, "r+b") as fh:  # the .dbf header stamps today's date: fix it so a seed gives the same bytes
        fh.seek(1)
        fh.write(bytes(FIXED_DATE[:3]))
    return sorted(folder.glob(f"{stem}.*"))


def write_boundaries(geo: Geography, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    names = list(geo.mcpp)
    mcpp = _gdf([{"OBJECTID": 321 + i, "NEIGHBORHOOD": n, "PRECINCT": geo.mcpp_precinct[n]} for i, n in enumerate(names)],
                list(geo.mcpp.values()))
    _geojson(mcpp, folder / "spd_micro_community_policing_plans_mcpp.geojson", "SHAPE_Length", "SHAPE_Area")

    beats = _gdf([{"OBJECTID": i + 1, "beat": b, "first_precinct": geo.beat_precinct[b], "sector": b[0]}
                  for i, b in enumerate(geo.beats)], list(geo.beats.values()))
    _geojson(beats, folder / "seattle_police_beats_2018-present.geojson", "shape_Length", "shape_Area")

    prec = gpd.GeoDataFrame({"descriptio": [APPROX] * len(geo.precincts), "name": list(geo.precincts)},
                            geometry=list(geo.precincts.values()), crs="EPSG:4326")
    _shapefile(prec, folder / "spd_precincts_shapefile", "geo_export_demo")

    # Community reporting areas: one per neighborhood here (the real city has 53 of its own).
    rows = []
    for i, n in enumerate(names):  # CRA_NO is a number like 1.1 in the real file: at most 9 per group
        grp, pos = i // 9 + 1, i % 9 + 1
        rows.append({"OBJECTID": i + 1, "CRA_NO": float(f"{grp}.{pos}"), "CRA_GRP": grp, "GEN_ALIAS": n.title(),
                     "DETL_NAMES": n.title(), "NEIGHDIST": places.PRECINCT_WORD[geo.mcpp_precinct[n]]})
    cra = _gdf(rows, list(geo.mcpp.values()))
    cra["AREA_ACRES"] = (cra["_area"] / 43_560).round(1)
    cra["AREA_SQMI"] = (cra["_area"] / 27_878_400).round(2)
    cra = cra.rename(columns={"_len": "SHAPE_Leng", "_area": "SHAPE_Area"})
    with tempfile.TemporaryDirectory() as tmp:
        parts = _shapefile(cra, Path(tmp), "Community_Reporting_Areas")
        with zipfile.ZipFile(folder / "community_reporting_areas_shapefile.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            for p in parts:
                zf.writestr(zipfile.ZipInfo(p.name, date_time=(1900 + FIXED_DATE[0], *FIXED_DATE[1:])), p.read_bytes())

    # Neighborhood Map Atlas: the small neighborhoods, here the tracts named after their MCPP.
    nma_rows, nma_geoms = [], []
    for i, (geoid, m, geom) in enumerate(geo.tracts):
        nma_rows.append({"OBJECTID": i + 1, "L_HOOD": m.title(), "S_HOOD": f"{m.title()} {geoid[-2:]}",
                         "S_HOOD_ALT_NAMES": None})
        nma_geoms.append(geom)
    _geojson(_gdf(nma_rows, nma_geoms), folder / "neighborhood_map_atlas_neighborhoods.geojson", "Shape__Length", "Shape__Area")

    tracts = tract_table(geo)
    tgdf = _gdf(tracts.drop(columns=["SHAPE_Length", "SHAPE_Area"]).to_dict("records"), [g for _i, _m, g in geo.tracts])
    _geojson(tgdf, folder / "racial_social_equity_index_2020_census_tracts.geojson",
             "SHAPE_Length", "SHAPE_Area")
    return sorted(folder.rglob("*"))


def tract_table(geo: Geography) -> pd.DataFrame:
    """One row per tract with the Racial and Social Equity Index columns the app uses."""
    rng = np.random.default_rng(7)  # fixed: the city's residents do not depend on --seed
    rows = []
    for i, (geoid, m, geom) in enumerate(geo.tracts):
        rows.append({"m": m, "w": places.RESIDENTS.get(m, 1.0) * rng.uniform(0.8, 1.2),
                     "poc": np.clip(places.POC_SHARE.get(m, 0.30) + rng.normal(0, 0.04), 0.05, 0.95)})
    frame = pd.DataFrame(rows)
    total = np.floor(frame["w"] / frame["w"].sum() * TRACT_POP_2020).astype(int)
    poc = np.round(total * frame["poc"]).astype(int)
    code = [g[-6:] for g, _m, _g in geo.tracts]
    ft = gpd.GeoSeries([g for _i, _m, g in geo.tracts], crs="EPSG:4326").to_crs(FEET)
    acres = ft.area.to_numpy() / 43_560
    known = pd.DataFrame({
        "OBJECTID": np.arange(1, len(frame) + 1), "GEOID": [g for g, _m, _g in geo.tracts], "ACRES_TOTAL": np.round(acres, 8),
        "PCT_PEOPLE_OF_COLOR": np.round(poc / np.maximum(total, 1), 4), "TRACTCE": code,
        "TRACT": [int(c) for c in code], "NAME": [f"{int(c) / 100:g}" for c in code],
        "NAMELSAD": [f"Census Tract {int(c) / 100:g}" for c in code],
        "POP_POC": poc.astype(float), "POP_TOTAL_FOR_POC": total.astype(float),
        "SHAPE_Length": ft.length.to_numpy(), "SHAPE_Area": ft.area.to_numpy(),
    })
    return known.reindex(columns=SEI_COLUMNS).astype(object).where(known.reindex(columns=SEI_COLUMNS).notna(), None)


def race_counts(tracts: pd.DataFrame, mcpp_of_tract: list[str]) -> pd.DataFrame:
    """Residents by race per tract: White = the rest; people of colour split with a south-east tilt."""
    rows = []
    for geoid, total, poc, m in zip(tracts["GEOID"], tracts["POP_TOTAL_FOR_POC"], tracts["POP_POC"], mcpp_of_tract):
        south = places.POC_SHARE.get(m, 0.3) > 0.55
        split = {"Asian": 0.36 if south else 0.42, "Black": 0.30 if south else 0.14, "Hispanic": 0.17 if south else 0.2,
                 "Multiracial": 0.12 if south else 0.18, "Native American": 0.02, "Pacific Islander": 0.015,
                 "Other": 0.015}
        s = sum(split.values())
        counts = {r: int(round(poc * v / s)) for r, v in split.items()}
        counts["White"] = int(total) - sum(counts.values())
        rows += [(geoid, r, max(c, 0)) for r, c in counts.items()]
    return pd.DataFrame(rows, columns=["GEOID", "Race", "Population"])


def write_population(geo: Geography, folder: Path, end: dt.date, first_year: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    tracts = tract_table(geo)
    write_csv(folder / "racial_social_equity_index_2020_census_tracts.csv", tracts, FORMATS["population/sei_csv"])
    years = list(range(2010, end.year + 1))
    city = [int(round(TRACT_POP_2020 * 1.013 ** (y - 2020), -2)) for y in years]
    write_csv(folder / "seattle_city_population_2010-2023_ofm.csv",
              pd.DataFrame({"Year": years, "Population": city}), FORMATS["population/ofm"])
    by_race = race_counts(tracts, [m for _g, m, _s in geo.tracts])
    shares = by_race.groupby("Race")["Population"].sum() / by_race["Population"].sum()
    race_years = list(range(min(first_year, end.year) - 1, end.year + 1))
    rows = []
    for y in race_years:
        total = TRACT_POP_2020 * 1.013 ** (y - 2020)
        for race, label in RACE_FILE_LABELS.items():
            pop = int(round(total * shares.get(race, 0.0)))
            rows.append((label, y, pop, f"{shares.get(race, 0.0) * 100:.2f}%"))
    write_csv(folder / "seattle_population_by_race_2015-2019.csv",
              pd.DataFrame(rows, columns=["Race", "Year", "Population", "Percent"]), FORMATS["population/race"])
    tract_race = by_race.assign(Year=2020)[["GEOID", "Year", "Race", "Population"]]
    write_csv(folder / "tract_population_by_race.csv", tract_race, FORMATS["population/tract_race"])
    return sorted(folder.iterdir())
