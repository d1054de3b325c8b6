"""Population denominators: tract population apportioned to every boundary layer, by year and race.

Why: measures are shown "per 1,000 residents" citywide, per area and per group, and a city
publishes population by census tract, not by police beat or neighbourhood.

How (the method, also written in each row's `method` column):
1. Tract shares. Each tract's total (layers.yaml `population.tracts`, e.g. the Racial and Social
   Equity Index CSV, GEOID + POP_TOTAL_FOR_POC) is split over the areas of a layer AREA-WEIGHTED:
   in proportion to the part of the tract's area that lies in each area (areas measured in the
   local UTM zone). Weights are normalised over the part of the tract the layer covers, so a tract
   partly in water or outside a layer's polygons still counts in full. A tract that no area of a
   layer touches, or a tract row with no polygon, goes to the area `UNKNOWN`: nothing is dropped.
2. City totals. Each year's city total comes from the city totals file (WA OFM, `Year,Population`);
   area total = city total x the area's share of the tract population. Without that file there is
   one year (the tracts' `year`) and the city total is the tracts' sum.
3. Race. With the optional tract race file (below), an area's race shares are the area-weighted
   tract race counts of the nearest year, and area x race = area total x share
   (`method = tract_race`). Without it, area x race = area total x the CITY race share of the
   nearest year in the city race file (`method = city_race_shares`, `approximate = true`: every
   area gets the city's mix). Citywide race rows are city total x city race share.
4. Rounding. Populations are whole people. For each layer, group and year the area values are
   rounded by largest remainder so they add up to their rounded sum, which for totals and for
   city race shares is exactly the citywide row.

Rows: `denominators(layer, area_id, group_field, group_value, year, population, method,
approximate)`; `group_field = 'total', group_value = 'all'` for totals, else `subject_race` and a
category of docs/SCHEMA.md. Citywide rows have `layer = 'city', area_id = 'city'`.

Optional tract race file format (the demo city writes one; Seattle's real data has none):
    CSV, UTF-8 (a BOM is accepted), header `GEOID,Year,Race,Population`; one row per tract, year
    and race; GEOID as in the tract layer; Year an integer; Race one of RACE_CATEGORIES below;
    Population a non-negative number. Categories absent for a tract count as 0.
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from etl.boundaries import area_code
from etl.layers import PopulationSpec

RACE_CATEGORIES = ("White", "Black", "Hispanic", "Asian", "Native American", "Pacific Islander",
                   "Multiracial", "Other")
CITY = "city"
UNKNOWN = "UNKNOWN"
COLUMNS = ["layer", "area_id", "group_field", "group_value", "year", "population", "method", "approximate"]


class PopulationError(ValueError):
    """A population file is missing, lacks a column, or has a value that is not a number."""


def _read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    if not path.exists():
        raise PopulationError(f"{path}: file not found")
    frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    frame.columns = [c.strip() for c in frame.columns]
    for col in columns:
        if col not in frame.columns:
            raise PopulationError(f"{path}: no column '{col}' (columns: {', '.join(frame.columns)})")
    return frame


def _numbers(path: Path, frame: pd.DataFrame, col: str) -> pd.Series:
    """A numeric column; the first bad value stops with its row (1 = first record) and field."""
    text = frame[col].str.replace(",", "", regex=False).str.strip()
    values = pd.to_numeric(text, errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise PopulationError(f"{path}: row {row + 1}: {col} {frame[col].iloc[row]!r} is not a non-negative number")
    return values.astype(float)


def read_tract_totals(spec: PopulationSpec, population_dir: Path) -> pd.Series:
    """Tract id -> population."""
    path = Path(population_dir) / spec.tracts_file
    frame = _read_csv(path, [spec.tract_id_field, spec.tract_total_field])
    ids = frame[spec.tract_id_field].map(area_code)
    if ids.isna().any():
        raise PopulationError(f"{path}: row {int(ids.isna().to_numpy().nonzero()[0][0]) + 1}: empty {spec.tract_id_field}")
    values = _numbers(path, frame, spec.tract_total_field)
    return values.groupby(ids.to_numpy()).sum()


def read_city_totals(spec: PopulationSpec, population_dir: Path, tract_sum: float) -> pd.Series:
    """Year -> city population; one year (the tracts') when no city totals file is configured."""
    if not spec.city_totals_file:
        return pd.Series({spec.tract_year: tract_sum})
    path = Path(population_dir) / spec.city_totals_file
    yf, pf = spec.city_totals_year_field, spec.city_totals_population_field
    frame = _read_csv(path, [yf, pf])
    years = _numbers(path, frame, yf).astype(int)
    return pd.Series(_numbers(path, frame, pf).to_numpy(), index=years.to_numpy()).groupby(level=0).last()


def read_city_race(spec: PopulationSpec, population_dir: Path) -> pd.DataFrame | None:
    """Rows year, race, share (shares of each year add up to 1), or None when not configured."""
    if not spec.city_race_file:
        return None
    path = Path(population_dir) / spec.city_race_file
    rf, yf, pf = spec.city_race_fields
    frame = _read_csv(path, [rf, yf, pf])
    labels = frame[rf].str.strip()
    race = labels.map(lambda v: spec.race_labels.get(v, v if v in RACE_CATEGORIES else None))
    if race.isna().any():
        row = int(race.isna().to_numpy().nonzero()[0][0])
        raise PopulationError(f"{path}: row {row + 1}: {rf} {labels.iloc[row]!r} is not mapped to a race category "
                              "(add it to race_labels in layers.yaml)")
    out = pd.DataFrame({"year": _numbers(path, frame, yf).astype(int), "race": race,
                        "population": _numbers(path, frame, pf)})
    out = out.groupby(["year", "race"], as_index=False)["population"].sum()
    out["share"] = out["population"] / out.groupby("year")["population"].transform("sum")
    return out[["year", "race", "share"]]


def read_tract_race(spec: PopulationSpec, population_dir: Path) -> pd.DataFrame | None:
    """Rows tract, year, race, population from the optional tract race file; None when absent."""
    if not spec.tract_race_file:
        return None
    path = Path(population_dir) / spec.tract_race_file
    if not path.exists():
        return None
    frame = _read_csv(path, ["GEOID", "Year", "Race", "Population"])
    race = frame["Race"].str.strip()
    bad = ~race.isin(RACE_CATEGORIES)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise PopulationError(f"{path}: row {row + 1}: Race {race.iloc[row]!r} is not one of {', '.join(RACE_CATEGORIES)}")
    return pd.DataFrame({"tract": frame["GEOID"].map(area_code), "year": _numbers(path, frame, "Year").astype(int),
                         "race": race, "population": _numbers(path, frame, "Population")})


def tract_weights(tracts: gpd.GeoDataFrame, layer: gpd.GeoDataFrame) -> pd.DataFrame:
    """Rows tract, area_id, weight: the share of each tract's covered area lying in each area."""
    crs = tracts.estimate_utm_crs()
    t = tracts[["area_id", "geometry"]].to_crs(crs)
    a = layer[["area_id", "geometry"]].to_crs(crs)
    t_idx, a_idx = a.sindex.query(t.geometry, predicate="intersects")
    inter = t.geometry.iloc[t_idx].intersection(a.geometry.iloc[a_idx], align=False).area.to_numpy()
    pairs = pd.DataFrame({"tract": t["area_id"].to_numpy()[t_idx], "area_id": a["area_id"].to_numpy()[a_idx],
                          "weight": inter})
    pairs = pairs[pairs["weight"] > 0]
    pairs["weight"] = pairs["weight"] / pairs.groupby("tract")["weight"].transform("sum")
    return pairs


def _nearest(years: np.ndarray, year: int) -> int:
    """The nearest available year (the later one on a tie)."""
    return int(max(years, key=lambda y: (-abs(int(y) - year), y)))


def _round_to(values: pd.Series, target: int) -> pd.Series:
    """Whole numbers that add up to target, by largest remainder."""
    floors = np.floor(values.to_numpy())
    short = int(target - floors.sum())  # 0 <= short < len(values) when target is the rounded sum
    order = np.argsort(-(values.to_numpy() - floors), kind="stable")
    floors[order[:max(short, 0)]] += 1
    return pd.Series(floors.astype("int64"), index=values.index)


def build_denominators(spec: PopulationSpec, layers: dict[str, gpd.GeoDataFrame], population_dir: Path) -> pd.DataFrame:
    """The denominators table as a DataFrame (columns COLUMNS); see the module docstring."""
    totals = read_tract_totals(spec, population_dir)
    tract_sum = float(totals.sum())
    if tract_sum <= 0:
        raise PopulationError(f"{Path(population_dir) / spec.tracts_file}: the tracts' {spec.tract_total_field} adds up to 0")
    city = read_city_totals(spec, population_dir, tract_sum)
    city_race = read_city_race(spec, population_dir)
    tract_race = read_tract_race(spec, population_dir)
    tracts = layers[spec.tract_layer]
    # Citywide rows.
    rows = [(CITY, CITY, "total", "all", int(y), round(float(p)), "city_total" if spec.city_totals_file else "tract_sum", False)
            for y, p in city.items()]
    race_shares = _race_shares_by_year(city, city_race, tract_race)
    for year, (shares, method, approx) in race_shares.items():
        rows += [(CITY, CITY, "subject_race", r, year, round(float(city[year]) * s), method, approx) for r, s in shares.items()]

    for lid, layer in layers.items():
        weights = tract_weights(tracts, layer)
        share = _area_shares(weights, totals, tract_sum)
        area_race = _area_race_shares(weights, tract_race) if tract_race is not None else None
        for year in city.index:
            year = int(year)
            total = share * float(city[year])
            rows += _rows(lid, "total", "all", year, total, "area_weighted", False)
            if year not in race_shares:
                continue
            shares, method, approx = race_shares[year]
            for race, city_share in shares.items():
                if area_race:  # None, or {} when no tract of the file has a polygon
                    ry = _nearest(np.array(list(area_race)), year)
                    table = area_race[ry]
                    r = table[race] if race in table.columns else pd.Series(0.0, index=table.index)
                    per_area = r.reindex(total.index).fillna(city_share)  # an area no race row reaches
                    m, a = "tract_race", ry != year
                else:
                    per_area, m, a = city_share, "city_race_shares", True
                rows += _rows(lid, "subject_race", race, year, total * per_area, m, a or approx)
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["year"] = out["year"].astype("int64")
    out["population"] = out["population"].astype("int64")
    out["approximate"] = out["approximate"].astype(bool)
    return out[COLUMNS]


def _area_shares(weights: pd.DataFrame, totals: pd.Series, tract_sum: float) -> pd.Series:
    """area_id -> share of the city's tract population (UNKNOWN holds tracts no area touches)."""
    w = weights.assign(pop=weights["tract"].map(totals).fillna(0.0) * weights["weight"])
    share = w.groupby("area_id")["pop"].sum() / tract_sum
    placed = share.sum()
    if tract_sum * (1 - placed) > 0.5:
        share.loc[UNKNOWN] = 1 - placed
    return share.sort_index()


def _area_race_shares(weights: pd.DataFrame, tract_race: pd.DataFrame) -> dict[int, pd.DataFrame]:
    """year -> table (area_id x race) of area-weighted tract race counts as shares of each area;
    0 for a race the file leaves out of an area's tracts."""
    m = weights.merge(tract_race, on="tract")
    m["pop"] = m["population"] * m["weight"]
    g = m.groupby(["area_id", "year", "race"], as_index=False)["pop"].sum()
    g["share"] = g["pop"] / g.groupby(["area_id", "year"])["pop"].transform("sum")
    g = g.dropna(subset=["share"])
    return {int(y): part.pivot_table(index="area_id", columns="race", values="share", aggfunc="sum", fill_value=0.0)
            for y, part in g.groupby("year")}


def _race_shares_by_year(city: pd.Series, city_race, tract_race) -> dict:
    """year -> ({race: citywide share}, method, approximate) for every year with a city total."""
    out = {}
    if tract_race is not None:
        sums = tract_race.groupby(["year", "race"])["population"].sum()
        source, method = sums / sums.groupby(level=0).transform("sum"), "tract_race"
    elif city_race is not None:
        source, method = city_race.set_index(["year", "race"])["share"], "city_race_shares"
    else:
        return out
    years = source.index.get_level_values(0).unique().to_numpy()
    for year in city.index:
        near = _nearest(years, int(year))
        shares = source.loc[near]
        out[int(year)] = ({r: float(shares.get(r, 0.0)) for r in RACE_CATEGORIES}, method, near != int(year))
    return out


def _rows(layer: str, field: str, value: str, year: int, values: pd.Series, method: str, approx: bool) -> list[tuple]:
    rounded = _round_to(values, round(float(values.sum())))
    return [(layer, area, field, value, year, int(pop), method, approx) for area, pop in rounded.items()]
