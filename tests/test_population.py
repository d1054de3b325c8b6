"""Population denominators: area-weighted apportionment, city totals by year, race shares, errors.

Synthetic expectations are worked out by hand from tests/support/geo_city.py's drawing: hood A holds all
of tract 1 and half of tract 2, hood B the other half of tract 2.
"""
from __future__ import annotations

import duckdb
import pytest

from etl.geo import load_boundaries
from etl.population import PopulationError
from tests.support.geo_city import write_city

pytestmark = pytest.mark.slow  # area-weighted apportioning of tracts: 1-4 s a test


def _denominators(tmp_path, settings, population=True):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_boundaries(con, settings, tmp_path / "boundaries", tmp_path / "population" if population else None)
    rows = con.execute("SELECT layer, area_id, group_field, group_value, year, population, method, approximate "
                       "FROM denominators").fetchall()
    con.close()
    return {(r[0], r[1], r[2], r[3], r[4]): (r[5], r[6], r[7]) for r in rows}


def test_area_weighted_totals_follow_city_totals_by_year(tmp_path):
    d = _denominators(tmp_path, write_city(tmp_path))
    # tract shares 1000/4000 and 3000/4000; A = T1 + half T2 = 2500/4000, B = 1500/4000
    assert d[("city", "city", "total", "all", 2020)][0] == 8000
    assert d[("hood", "A", "total", "all", 2020)] == (5000, "area_weighted", False)
    assert d[("hood", "B", "total", "all", 2020)][0] == 3000
    assert d[("hood", "A", "total", "all", 2021)][0] == 2500
    assert d[("hood", "B", "total", "all", 2021)][0] == 1500
    assert d[("tract", "53033000100", "total", "all", 2020)][0] == 2000
    assert d[("tract", "53033000200", "total", "all", 2020)][0] == 6000
    assert d[("precinct", "P1", "total", "all", 2020)][0] == 5000
    assert d[("sector", "Y", "total", "all", 2021)][0] == 1500


def test_without_tract_race_every_area_gets_the_city_mix_flagged_approximate(tmp_path):
    d = _denominators(tmp_path, write_city(tmp_path))
    assert d[("city", "city", "subject_race", "White", 2020)] == (6000, "city_race_shares", False)
    assert d[("city", "city", "subject_race", "Black", 2020)][0] == 2000
    assert d[("hood", "A", "subject_race", "White", 2020)] == (3750, "city_race_shares", True)  # 5000 x 0.75
    assert d[("hood", "B", "subject_race", "Black", 2020)][0] == 750                            # 3000 x 0.25
    assert d[("hood", "A", "subject_race", "Asian", 2020)][0] == 0
    # 2021 has no race figures: the nearest year's shares (2020) on 2021's totals, flagged
    assert d[("city", "city", "subject_race", "White", 2021)] == (3000, "city_race_shares", True)
    assert d[("hood", "A", "subject_race", "White", 2021)][0] == 1875                           # 2500 x 0.75


def test_tract_race_file_gives_each_area_its_own_mix(tmp_path):
    settings = write_city(tmp_path)
    (tmp_path / "population" / "tract_race.csv").write_text(
        "GEOID,Year,Race,Population\n53033000100,2020,White,900\n53033000100,2020,Black,100\n"
        "53033000200,2020,White,1500\n53033000200,2020,Black,1500\n")
    d = _denominators(tmp_path, settings)
    # A: white 900 + 1500/2 = 1650, black 100 + 750 = 850 -> 66% / 34% of 5000
    assert d[("hood", "A", "subject_race", "White", 2020)] == (3300, "tract_race", False)
    assert d[("hood", "A", "subject_race", "Black", 2020)][0] == 1700
    assert d[("hood", "B", "subject_race", "White", 2020)][0] == 1500
    assert d[("tract", "53033000100", "subject_race", "White", 2020)][0] == 1800  # 2000 x 0.9
    # city: 2400 of 4000 tract residents are White -> 60% of 8000
    assert d[("city", "city", "subject_race", "White", 2020)] == (4800, "tract_race", False)
    assert d[("hood", "A", "subject_race", "White", 2021)] == (1650, "tract_race", True)        # 2500 x 0.66


def test_a_tract_without_a_polygon_is_counted_as_unknown_not_dropped(tmp_path):
    settings = write_city(tmp_path)
    (tmp_path / "population" / "tracts.csv").write_text("GEOID,POP\n53033000100,1000\n53033000200,3000\n53033999900,1000\n")
    d = _denominators(tmp_path, settings)
    # shares of 5000: A 2500, B 1500, UNKNOWN 1000 -> x 8000 / 5000
    assert d[("hood", "A", "total", "all", 2020)][0] == 4000
    assert d[("hood", "B", "total", "all", 2020)][0] == 2400
    assert d[("hood", "UNKNOWN", "total", "all", 2020)][0] == 1600


def test_rounding_keeps_each_layer_total_equal_to_the_city_total(tmp_path):
    settings = write_city(tmp_path)
    (tmp_path / "population" / "city.csv").write_text("Year,Population\n2020,7001\n2021,4003\n")
    d = _denominators(tmp_path, settings)
    for layer in ("hood", "tract", "precinct", "sector", "beat"):
        for year, total in ((2020, 7001), (2021, 4003)):
            assert sum(v[0] for k, v in d.items() if k[0] == layer and k[2] == "total" and k[4] == year) == total


@pytest.mark.parametrize("file, text, message", [
    ("race.csv", "Race,Year,Population\nWhite,2020,6000\nMartian,2020,5\n",
     "race.csv: row 2: Race 'Martian' is not mapped to a race category"),
    ("tracts.csv", "GEOID,POP\n53033000100,1000\n53033000200,n/a\n",
     "tracts.csv: row 2: POP 'n/a' is not a non-negative number"),
    ("tracts.csv", "GEOID,PEOPLE\n53033000100,1000\n", "tracts.csv: no column 'POP'"),
    ("tract_race.csv", "GEOID,Year,Race,Population\n53033000100,2020,Whites,5\n",
     "tract_race.csv: row 1: Race 'Whites' is not one of White, Black"),
])
def test_bad_population_files_stop_with_file_row_and_field(tmp_path, file, text, message):
    settings = write_city(tmp_path)
    (tmp_path / "population" / file).write_text(text)
    with pytest.raises(PopulationError, match=message.replace("(", r"\(")) as err:
        _denominators(tmp_path, settings)
    assert "\n" not in str(err.value)


def test_without_population_folder_no_denominators_are_built(tmp_path):
    settings = write_city(tmp_path, population=False)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_boundaries(con, settings, tmp_path / "boundaries", None)
    tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    assert "areas" in tables and "denominators" not in tables


# ---------------------------------------------------------------- real Seattle population files
@pytest.fixture(scope="module")
def seattle_denominators(seattle_data, tmp_path_factory):
    from settings import Settings

    path = tmp_path_factory.mktemp("pop") / "w.duckdb"
    con = duckdb.connect(str(path))
    load_boundaries(con, Settings(), seattle_data / "boundaries", seattle_data / "population")
    yield con
    con.close()


OFM = {2010: 608660, 2011: 611249, 2012: 614283, 2013: 624045, 2014: 638784, 2015: 660908, 2016: 684136,
       2017: 694513, 2018: 707555, 2019: 724144, 2020: 737015, 2021: 742400, 2022: 762500, 2023: 779200}


@pytest.mark.real_data
def test_real_totals_per_layer_equal_the_city_total_every_year(seattle_denominators):
    rows = seattle_denominators.execute(
        "SELECT layer, year, sum(population) FROM denominators WHERE group_field = 'total' GROUP BY ALL").fetchall()
    layers = {r[0] for r in rows}
    assert layers == {"city", "precinct", "sector", "beat", "mcpp", "cra", "nma", "tract"}
    for layer, year, total in rows:
        assert total == OFM[year], (layer, year)


@pytest.mark.real_data
def test_real_race_rows_use_city_shares_and_add_up_within_rounding(seattle_denominators):
    con = seattle_denominators
    black_2019 = con.execute("SELECT population, method, approximate FROM denominators WHERE layer = 'city' "
                             "AND group_value = 'Black' AND year = 2019").fetchone()
    # 2019 race file: Black 54,994 of 753,655 people; OFM 2019: 724,144
    assert black_2019 == (round(724144 * 54994 / 753655), "city_race_shares", False)
    per_layer = con.execute("SELECT layer, sum(population) FROM denominators WHERE group_value = 'Black' "
                            "AND year = 2019 GROUP BY layer").fetchall()
    for layer, total in per_layer:
        assert total == black_2019[0], layer
    flagged = con.execute("SELECT bool_and(approximate) FROM denominators WHERE layer = 'mcpp' "
                          "AND group_field = 'subject_race'").fetchone()[0]
    assert flagged is True
    groups = {r[0] for r in con.execute("SELECT DISTINCT group_value FROM denominators WHERE group_field = 'subject_race'").fetchall()}
    assert groups == {"White", "Black", "Hispanic", "Asian", "Native American", "Pacific Islander", "Multiracial", "Other"}


@pytest.mark.real_data
def test_real_tract_population_is_its_share_of_the_city_total(seattle_denominators):
    # tract 4.02 (GEOID 53033000402): 5,174 of the SEI's 739,843 residents; OFM 2020: 737,015
    got = seattle_denominators.execute("SELECT population FROM denominators WHERE layer = 'tract' "
                                       "AND area_id = '53033000402' AND group_field = 'total' AND year = 2020").fetchone()[0]
    assert abs(got - 737015 * 5174 / 739843) <= 1


def test_a_race_a_tract_race_file_leaves_out_counts_as_zero(tmp_path):
    settings = write_city(tmp_path)
    (tmp_path / "population" / "tract_race.csv").write_text(
        "GEOID,Year,Race,Population\n53033000100,2020,White,900\n53033000100,2020,Black,100\n"
        "53033000200,2020,White,3000\n")
    d = _denominators(tmp_path, settings)
    # B is half of tract 2, which has no Black residents in the file: 0, not the city's share
    assert d[("hood", "B", "subject_race", "Black", 2020)] == (0, "tract_race", False)
    assert d[("hood", "B", "subject_race", "White", 2020)][0] == 3000
    # A: white 900 + 1500, black 100 -> 2400/2500 and 100/2500 of 5000
    assert d[("hood", "A", "subject_race", "White", 2020)][0] == 4800
    assert d[("hood", "A", "subject_race", "Black", 2020)][0] == 200
