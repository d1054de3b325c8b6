"""The contract with the ETL core: `python -m etl geo` builds the geo tables through the atomic
swap, and a later load gets its areas from etl/postload.py calling assign_areas (and the other
way round: boundaries loaded after events re-assign them)."""
from __future__ import annotations

import duckdb
import pytest

from etl.__main__ import main
from etl.load import load_files
from settings import Settings

FIRE = "fire_911/seattle_real_time_fire_911_calls__2022-01.csv"
CRIME = "crime/spd_crime_data_2008-present__2021-09_robbery_only.csv"


def read(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.real_data
@pytest.mark.slow
def test_geo_then_loads_then_geo_again(seattle_data, tmp_path, monkeypatch, capsys):
    db = tmp_path / "seastat.duckdb"
    monkeypatch.setenv("SEASTAT_DB", str(db))
    args = ["geo", "--boundaries", str(seattle_data / "boundaries"), "--population", str(seattle_data / "population")]
    assert main(args) == 0
    assert "mcpp (58 areas)" in capsys.readouterr().out
    assert not (tmp_path / "seastat.duckdb.new").exists()  # swapped in

    load_files("fire_calls", [seattle_data / FIRE], db, Settings.from_env(), progress=False)
    got = dict(read(db, "SELECT event_key, area_mcpp FROM fire_calls WHERE event_key IN ('F220002953', 'F220011717')"))
    assert got == {"F220002953": "UNIVERSITY", "F220011717": "UNKNOWN"}  # 4748 University Way NE; Mercer Island
    rows, unassigned = read(db, "SELECT count(*), count(*) FILTER (WHERE area_mcpp IS NULL OR area_tract IS NULL) "
                                "FROM fire_calls")[0]
    assert rows == 9873 and unassigned == 0

    load_files("crime", [seattle_data / CRIME], db, Settings.from_env(), progress=False)
    assert read(db, "SELECT area_mcpp, area_beat FROM crime WHERE event_key = '12049336029'") == [("BALLARD NORTH", "J1")]

    assert main(args) == 0  # boundaries again: every event re-assigned, aggregates rebuilt
    out = capsys.readouterr().out
    assert "fire_calls: 9,873 rows" in out and "crime: 20,000 rows" in out
    assert read(db, "SELECT count(*) FROM crime WHERE area_mcpp IS NULL") == [(0,)]


def test_geo_cli_reports_a_missing_boundary_file_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SEASTAT_DB", str(tmp_path / "seastat.duckdb"))
    (tmp_path / "empty").mkdir()
    assert main(["geo", "--boundaries", str(tmp_path / "empty")]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"python -m etl geo: {tmp_path / 'empty' / 'spd_precincts_shapefile'}: file not found"
    assert not (tmp_path / "seastat.duckdb").exists()  # nothing swapped in
    assert main(["geo", "--boundaries", str(tmp_path / "nowhere")]) == 1
    assert capsys.readouterr().err.strip() == f"python -m etl geo: {tmp_path / 'nowhere'}: no such folder (give --boundaries DIR)"


def test_geo_cli_refuses_a_population_folder_that_is_not_there(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SEASTAT_DB", str(tmp_path / "seastat.duckdb"))
    assert main(["geo", "--boundaries", str(tmp_path), "--population", str(tmp_path / "pop")]) == 1
    assert capsys.readouterr().err.strip() == f"python -m etl geo: {tmp_path / 'pop'}: no such folder"
