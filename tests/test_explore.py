"""The analyst's explorer (issue 18): a category no catalog measure uses, counted by Neighborhood Map
Atlas area with a demographic filter, equals the count made by hand in SQL; bad choices are named
in one line; the proposed YAML is a catalog entry the catalog loader accepts; viewers and the
public app cannot reach it."""
from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pytest

from engine import Engine, Filters
from engine.catalog import load_catalog, validate
from engine.explore import ExploreError, Spec, proposal_yaml
from engine.periods import make_period
from settings import ROOT, Settings

YEAR = make_period("custom", dt.date(2026, 11, 21), dt.date(2025, 11, 23))


@pytest.fixture(scope="module")
def eng(demo_db):
    return Engine.open(Settings(db_path=demo_db))


def sql(db, query, params=()):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query, list(params)).fetchall()
    finally:
        con.close()


def uncatalogued_call_type(db, eng) -> str:
    """The Terry stops' most frequent final call type for Black subjects: no catalog measure counts by it."""
    [(value,)] = sql(db, "SELECT final_call_type FROM terry_stops WHERE subject_race = 'Black' AND final_call_type "
                         "IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
    used = [m for m in eng.catalog.measures.values() if m.computation.part is not None
            and any(col == "final_call_type" for col, _, _ in m.computation.part.where)]
    assert used == []
    return value


def test_a_category_no_measure_uses_with_a_demographic_filter_equals_the_hand_count(eng, demo_db):
    """Terry stops publish no coordinates: no Neighborhood Map Atlas area for them (refused, with
    the layers they can be placed in); by beat, the counts are the hand counts."""
    value = uncatalogued_call_type(demo_db, eng)
    with pytest.raises(ExploreError, match=r"layer: 'nma' is not a layer dataset 'terry_stops' has areas for \(usable: beat"):
        eng.explore(Spec("terry_stops", "final_call_type", value, "count", "nma"))
    m, raw = eng.explore(Spec("terry_stops", "final_call_type", value, "count", "beat"))
    assert m.id not in eng.catalog.measures and "beat" in m.layers and "subject_race" in m.fields
    f = Filters(group_field="subject_race", group_value="Black")
    by_hand = dict(sql(demo_db, "SELECT area_beat, count(*) FROM terry_stops WHERE final_call_type = ? AND "
                                "subject_race = 'Black' AND event_time >= ? AND event_time < ? GROUP BY 1",
                       [value, YEAR.start, YEAR.end + dt.timedelta(days=1)]))
    assert eng.measure(m.id, YEAR, f).value == sum(by_hand.values()) > 0
    bd = eng.breakdown(m.id, YEAR, "area:beat", f)
    got = {k: int(n) for k, n in zip(bd["key"], bd["numerator"]) if n}
    assert got == by_hand
    two = tuple(sorted(by_hand, key=by_hand.get, reverse=True)[:2])
    assert eng.measure(m.id, YEAR, Filters(layer="beat", areas=two, group_field="subject_race",
                                           group_value="Black")).value == sum(by_hand[a] for a in two)


def test_a_crime_category_no_measure_uses_by_nma_equals_the_hand_count(eng, demo_db):
    m, _ = eng.explore(Spec("crime", "category", "MOTOR VEHICLE THEFT", "count", "nma"))
    by_hand = dict(sql(demo_db, "SELECT area_nma, count(*) FROM crime WHERE category = 'MOTOR VEHICLE THEFT' AND "
                                "event_time >= ? AND event_time < ? GROUP BY 1", [YEAR.start, YEAR.end + dt.timedelta(days=1)]))
    bd = eng.breakdown(m.id, YEAR, "area:nma")
    assert {k: int(n) for k, n in zip(bd["key"], bd["numerator"]) if n} == by_hand
    assert eng.measure(m.id, YEAR).value == sum(by_hand.values()) > 0


def test_kinds_and_layers_answer_like_the_catalog(eng):
    # a rate by census tract has tract residents as its denominator
    m, _ = eng.explore(Spec("crime", "category", "ROBBERY", "rate", "tract"))
    assert eng.measure(m.id, YEAR).value == pytest.approx(eng.measure("robbery_rate", YEAR).value)
    # the explorer's median of priority 1 calls is the catalog's median
    m, _ = eng.explore(Spec("calls", "priority", "1", "median", "cra"))
    assert eng.measure(m.id, YEAR).value == pytest.approx(eng.measure("p1_median_response", YEAR).value)
    m, _ = eng.explore(Spec("crime", "category", "ROBBERY", "share", "cra"))
    r = eng.measure(m.id, YEAR)
    assert r.numerator == eng.measure("robberies", YEAR).value and r.value == pytest.approx(100 * r.numerator / r.denominator)


def test_bad_choices_are_named_in_one_line(eng):
    cases = [(Spec("nope"), "dataset: 'nope' is not a loaded dataset"),
             (Spec("crime", "block_address", "x"), "field: 'block_address' is not a category of crime"),
             (Spec("crime", "offense", "Nope"), "value: 'Nope' is not a value of crime.offense"),
             (Spec("crime", None, None, "median"), "dataset 'crime' has no duration column"),
             (Spec("crime", None, None, "share"), "a share needs a category value"),
             (Spec("crime", None, None, "count", "atlantis"), "layer: 'atlantis' is not a layer")]
    for spec, words in cases:
        with pytest.raises(ExploreError, match=words.replace("(", r"\(").replace(".", r"\.")) as exc:
            eng.explore(spec)
        assert "\n" not in str(exc.value)


def test_the_proposed_yaml_is_a_catalog_entry_the_loader_accepts(eng, demo_db, tmp_path):
    value = uncatalogued_call_type(demo_db, eng)
    m, raw = eng.explore(Spec("terry_stops", "final_call_type", value, "rate", "beat"))
    for name in ("goals.yaml", "datasets.yaml"):
        shutil.copy(ROOT / "catalog" / name, tmp_path / name)
    (tmp_path / "proposed.yaml").write_text(proposal_yaml(raw), encoding="utf-8")
    cat = load_catalog(tmp_path)
    [proposed] = cat.measures.values()
    validate(cat, eng.warehouse.columns(), layers=set(eng.explore_options("terry_stops")["layers"]))
    assert proposed.computation == m.computation and proposed.layers == m.layers


def test_the_public_engine_has_no_explorer(demo_db):
    with pytest.raises(ExploreError, match="not part of the public site"):
        Engine.open(Settings(db_path=demo_db, mode="public")).explore(Spec("crime"))
