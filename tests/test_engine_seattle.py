"""The engine on Seattle's real samples, loaded through the real ETL: counts a user can check by
reading the CSV themselves (done here with the csv module, independently of the ETL and engine)."""
from __future__ import annotations

import csv
import datetime as dt

import pytest

from engine import Engine
from engine.periods import make_period
from settings import ROOT, Settings

pytestmark = pytest.mark.real_data

YEAR_2020 = make_period("custom", dt.date(2020, 12, 31), dt.date(2020, 1, 1))


def _when(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%m/%d/%Y %I:%M:%S %p")


@pytest.fixture(scope="module")
def real_engine(seattle_data, tmp_path_factory):
    from etl.load import load_many

    folder = tmp_path_factory.mktemp("real")
    db = folder / "w.duckdb"
    settings = Settings(db_path=db, raw_dir=folder / "raw")
    load_many({"use_of_force": [seattle_data / "use_of_force" / "use_of_force__2022-04.csv"],
               "crime": [seattle_data / "crime" / "spd_crime_data_2008-present__2021-09_robbery_only.csv"]},
              db, settings, progress=False)
    return Engine.open(Settings(db_path=db, catalog_dir=ROOT / "catalog"))


def test_serious_uses_of_force_in_2020_match_the_file(real_engine, seattle_data):
    serious = {"Level 2 - Use of Force", "Level 3 - Use of Force", "Level 3 - OIS"}
    with open(seattle_data / "use_of_force" / "use_of_force__2022-04.csv", newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh)]
    by_hand = sum(1 for r in rows if r["Incident_Type"] in serious and _when(r["Occured_date_time"]).year == 2020)
    r = real_engine.measure("serious_uof", YEAR_2020)
    assert r.value == by_hand and by_hand > 100


def test_robberies_in_2020_match_the_file(real_engine, seattle_data):
    path = seattle_data / "crime" / "spd_crime_data_2008-present__2021-09_robbery_only.csv"
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    # event_time is the offense start, or the report time when the start is missing (docs/SCHEMA.md)
    by_hand = sum(1 for r in rows
                  if _when(r["Offense Start DateTime"] or r["Report DateTime"]).year == 2020)
    r = real_engine.measure("robberies", YEAR_2020)
    assert r.value == by_hand and by_hand > 500
    assert r.prior_year is not None  # 2019 from the same file


def test_measures_without_their_data_say_so(real_engine):
    r = real_engine.measure("p1_median_response", YEAR_2020)
    assert r.status == "no_data" and r.value is None
    assert "calls" in r.note or "Not enough data" in r.note
