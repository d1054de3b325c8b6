"""The catalog: Seattle's default validates; every kind of mistake stops start-up with one line
naming the file, the measure and the key."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import yaml

from engine.catalog import KINDS, CatalogError, load_catalog, validate
from engine.schema import declared_schema
from settings import ROOT
from test_engine_fixtures import measure, write_catalog

SEATTLE = ROOT / "config" / "seattle"


def strict_schema():
    schema = declared_schema(SEATTLE)
    assert schema is not None, "etl.sources.canonical_schemas() should be importable"
    return schema


def test_default_catalog_validates_against_the_etl_schemas():
    cat = load_catalog(ROOT / "catalog")
    validate(cat, strict_schema(), strict=True)
    assert len(cat.goals) >= 4
    assert len(cat.measures) >= 14
    kinds = {m.computation.kind for m in cat.measures.values()}
    assert kinds == set(KINDS)  # counts, rates, percentiles, shares, ratios, disparities, freshness
    datasets = {d for m in cat.measures.values() for d in m.datasets}
    assert datasets == set(cat.datasets)  # every dataset has a measure
    assert all(g.measures for g in cat.goals)


def test_every_default_target_is_a_documented_placeholder():
    cat = load_catalog(ROOT / "catalog")
    for m in cat.measures.values():
        assert m.history, m.id
        if m.target is not None:
            assert m.target.placeholder and len(m.target.rationale) > 20, m.id


def test_default_catalog_validates_against_a_warehouse(tmp_path):
    from engine.warehouse import Warehouse
    from test_engine_fixtures import make_warehouse

    wh = Warehouse(make_warehouse(tmp_path / "w.duckdb"))
    cat = load_catalog(ROOT / "catalog")
    schema = {d: cols for d, cols in wh.columns().items() if d in cat.datasets}
    validate(cat, schema, strict=True)


def _error(tmp_path, measures, **kw) -> str:
    folder = write_catalog(tmp_path / "cat", measures, **kw)
    with pytest.raises(CatalogError) as exc:
        cat = load_catalog(folder)
        validate(cat, strict_schema(), strict=True)
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


COUNT = {"kind": "count", "dataset": "crime", "where": {"category": "ROBBERY"}}


def test_unknown_key(tmp_path):
    msg = _error(tmp_path, [measure("m1", COUNT, colour="red")])
    assert re.search(r"measures\.yaml: measure 'm1': key 'colour': unknown key", msg)


def test_unknown_key_inside_computation(tmp_path):
    msg = _error(tmp_path, [measure("m1", {**COUNT, "filter": {"x": 1}})])
    assert "measure 'm1': key 'computation.filter': unknown key" in msg


def test_unknown_dataset(tmp_path):
    msg = _error(tmp_path, [measure("m1", {"kind": "count", "dataset": "crimes"})])
    assert "measure 'm1': key 'computation.dataset': unknown dataset 'crimes'" in msg


def test_unknown_column(tmp_path):
    msg = _error(tmp_path, [measure("m1", {"kind": "count", "dataset": "crime", "where": {"offence": "X"}})])
    assert "measure 'm1': key 'computation.where.offence': dataset 'crime' has no column 'offence'" in msg


def test_unknown_column_in_ratio_denominator(tmp_path):
    msg = _error(tmp_path, [measure("m1", {"kind": "ratio", "numerator": {"dataset": "use_of_force"},
                                           "denominator": {"dataset": "calls", "where": {"priorty": 1}}})])
    assert "key 'computation.denominator.where.priorty'" in msg


def test_target_without_direction(tmp_path):
    msg = _error(tmp_path, [measure("m1", COUNT, direction="none", target={"value": 5})])
    assert "measure 'm1': key 'target': a target needs a direction" in msg


def test_breakdown_the_dataset_cannot_give(tmp_path):
    msg = _error(tmp_path, [measure("m1", COUNT, breakdowns={"fields": ["subject_race"]})])
    assert "measure 'm1': key 'breakdowns.fields': dataset 'crime' has no field 'subject_race'" in msg
    msg = _error(tmp_path, [measure("m2", COUNT, breakdowns={"layers": ["ward"]})])
    assert "measure 'm2': key 'breakdowns.layers': dataset 'crime' cannot be broken down by layer 'ward'" in msg


def test_ratio_breakdown_needs_the_field_in_both_datasets(tmp_path):
    msg = _error(tmp_path, [measure("m1", {"kind": "ratio", "numerator": {"dataset": "use_of_force"},
                                           "denominator": {"dataset": "calls"}},
                                    breakdowns={"fields": ["subject_race"]})])
    assert "dataset 'calls' has no field 'subject_race'" in msg


def test_change_target_needs_a_baseline(tmp_path):
    msg = _error(tmp_path, [measure("m1", COUNT, target={"change_pct": -5})])
    assert "measure 'm1': key 'target.baseline'" in msg


def test_unknown_kind_and_bad_quantile(tmp_path):
    assert "key 'computation.kind': unknown kind 'mean'" in _error(tmp_path, [measure("m1", {"kind": "mean", "dataset": "calls"})])
    msg = _error(tmp_path, [measure("m1", {"kind": "percentile", "dataset": "calls", "column": "response_seconds", "q": 90})])
    assert "key 'computation.q'" in msg


def test_measure_of_unknown_goal_and_duplicate_id(tmp_path):
    assert "key 'goal': unknown goal 'nope'" in _error(tmp_path, [measure("m1", COUNT, goal="nope")])
    assert "key 'id': duplicate" in _error(tmp_path, [measure("m1", COUNT), measure("m1", COUNT)])


def test_broken_yaml_names_the_file(tmp_path):
    folder = write_catalog(tmp_path / "cat", [measure("m1", COUNT)])
    (folder / "extra.yaml").write_text("measures: [\n")
    with pytest.raises(CatalogError, match=r"extra\.yaml: not valid YAML"):
        load_catalog(folder)


def test_app_start_refuses_a_broken_catalog(tmp_path):
    """Engine.open (what the app calls at start-up) validates the catalog."""
    from engine import Engine
    from settings import Settings
    from test_engine_fixtures import make_warehouse

    folder = write_catalog(tmp_path / "cat", [measure("m1", {"kind": "count", "dataset": "crime",
                                                            "where": {"nope": 1}})])
    db = make_warehouse(tmp_path / "w.duckdb")
    with pytest.raises(CatalogError, match="key 'computation.where.nope'"):
        Engine.open(Settings(db_path=db, catalog_dir=folder, city_config=SEATTLE))


def test_etl_refuses_a_broken_catalog_before_writing_aggregates(tmp_path):
    import duckdb

    from engine import aggregates

    folder = write_catalog(tmp_path / "cat", [measure("m1", COUNT, breakdowns={"layers": ["ward"]})])
    con = duckdb.connect()
    with pytest.raises(CatalogError, match="breakdowns.layers"):
        aggregates.build(con, folder, SEATTLE)


def test_warehouse_fallback_skips_datasets_not_loaded(tmp_path):
    """Without the ETL's declaration, a dataset the warehouse lacks is not a catalog error."""
    cat = load_catalog(ROOT / "catalog")
    schema = {d: c for d, c in strict_schema().items() if d != "ois"}
    validate(cat, schema, strict=False)
    with pytest.raises(CatalogError, match="unknown dataset 'ois'"):
        validate(cat, schema, strict=True)


def test_yaml_files_are_plain_data():
    for path in sorted((ROOT / "catalog").glob("*.yaml")):
        raw = yaml.safe_load(path.read_text())
        assert set(raw) <= {"goals", "measures", "datasets"}, path


def test_check_command(tmp_path):
    import subprocess
    import sys

    ok = subprocess.run([sys.executable, "-m", "engine", "check"], cwd=ROOT, capture_output=True, text=True)
    assert ok.returncode == 0 and "OK, 5 goals, 20 measures" in ok.stdout
    folder = write_catalog(tmp_path / "cat", [measure("m1", COUNT, colour="red")])
    bad = subprocess.run([sys.executable, "-m", "engine", "check", "--catalog", str(folder)], cwd=ROOT,
                         capture_output=True, text=True)
    assert bad.returncode == 1
    line = bad.stderr.strip()
    assert "\n" not in line and "measures.yaml: measure 'm1': key 'colour': unknown key" in line


def _uof_without_area_precinct(tmp_path):
    """A warehouse whose use_of_force has no area_precinct (boundaries not loaded for it yet)."""
    import duckdb

    from test_engine_fixtures import make_warehouse, ts

    db = make_warehouse(tmp_path / "w.duckdb", events={
        "use_of_force": [{"event_time": ts("2024-03-05 12:00"), "category": "Level 2 - Use of Force",
                          "subject_race": "Black"}]})
    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE use_of_force DROP COLUMN area_precinct")
    con.close()
    return db


def test_missing_area_column_is_strict_in_ci_but_only_a_note_at_app_start(tmp_path):
    from engine import Engine, FilterError
    from engine.periods import make_period
    from engine.warehouse import Warehouse
    from settings import Settings

    db = _uof_without_area_precinct(tmp_path)
    cat = load_catalog(ROOT / "catalog")
    schema = {d: c for d, c in Warehouse(db).columns().items() if d in cat.datasets}
    # CI: the catalog checked against the dataset schemas stays strict
    with pytest.raises(CatalogError, match="measure 'uof_per_1000_calls': key 'breakdowns.layers': dataset 'use_of_force' "
                                           "cannot be broken down by layer 'precinct'"):
        validate(cat, schema, strict=True)
    validate(cat, schema, strict=False)  # app start from the warehouse's own schema: not an error

    # App start: the engine opens, the three use-of-force measures lose the precinct breakdown, with a note
    eng = Engine.open(Settings(db_path=db, city_config=SEATTLE))
    off = eng.disabled_breakdowns()
    assert set(off) == {"uof_per_1000_calls", "serious_uof", "uof_disparity_black"}
    assert "no area_precinct column" in off["serious_uof"]["precinct"] and "python -m etl geo" in off["serious_uof"]["precinct"]
    assert eng.catalog.measures["serious_uof"].layers == ()
    assert eng.catalog.measures["serious_uof"].fields == ("subject_race", "subject_gender")  # fields untouched
    assert eng.catalog.measures["robberies"].layers == ("precinct", "beat", "mcpp")          # crime has the column
    p = make_period("custom", dt.date(2024, 3, 10), dt.date(2024, 2, 26))
    assert eng.measure("serious_uof", p).value == 1      # the measure itself still works
    with pytest.raises(FilterError, match="cannot be broken down by layer 'precinct'"):
        eng.breakdown("serious_uof", p, "area:precinct")
    assert list(eng.breakdown("serious_uof", p, "subject_race")["numerator"]) == [1]


@pytest.mark.slow
def test_etl_commands_refuse_a_broken_catalog_before_writing(tmp_path):
    import os
    import subprocess
    import sys

    folder = write_catalog(tmp_path / "cat", [measure("m1", COUNT, colour="red")])
    raw = tmp_path / "crime.csv"
    raw.write_text("Offense ID,Offense Start DateTime\n1,01/02/2024 10:00:00 AM\n")
    db = tmp_path / "w.duckdb"
    env = {**os.environ, "SEASTAT_CATALOG": str(folder), "SEASTAT_DB": str(db)}
    for args in (["load", "crime", str(raw), "--db", str(db)], ["geo", "--db", str(db)],
                 ["demo", "--db", str(db)], ["fetch", "crime", "--db", str(db)]):
        r = subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, env=env, capture_output=True, text=True)
        assert r.returncode == 2, (args, r.stderr)
        line = r.stderr.strip()
        assert "\n" not in line and "measures.yaml: measure 'm1': key 'colour': unknown key" in line, args
        assert not db.exists() and not db.with_name("w.duckdb.new").exists()  # nothing written
    # status only reads the warehouse: it is not held back by the catalog
    st = subprocess.run([sys.executable, "-m", "etl", "status", "--db", str(db)], cwd=ROOT, env=env,
                        capture_output=True, text=True)
    assert "measure 'm1'" not in st.stderr


def test_goal_actions_must_be_sentences(tmp_path):
    from test_engine_fixtures import GOALS

    bad = [{**GOALS[0], "actions": "patrol more"}] + list(GOALS[1:])
    msg = _error(tmp_path, [measure("m1", COUNT)], goals=bad)
    assert re.search(r"goals\.yaml: goal '\w+': key 'actions': expected a list of sentences", msg)
    bad = [{**GOALS[0], "actions": ["Patrol more.", "  "]}] + list(GOALS[1:])
    msg = _error(tmp_path / "2", [measure("m1", COUNT)], goals=bad)
    assert "key 'actions[1]': expected a non-empty sentence" in msg


def test_default_goals_publish_what_the_city_is_doing():
    cat = load_catalog(ROOT / "catalog")
    with_actions = [g for g in cat.goals if g.actions]
    assert len(with_actions) >= 4
    assert all(a.endswith(".") for g in with_actions for a in g.actions)


def test_suppression_policy_is_written_in_the_catalog(tmp_path):
    # a public-record count (threshold 0) says why; counts of people by group are never exempt
    uof = {"kind": "count", "dataset": "use_of_force"}
    msg = _error(tmp_path, [measure("m1", uof, small_number_threshold=0)])
    assert "measure 'm1': key 'suppression': a threshold of 0 (public record) needs the reason" in msg
    msg = _error(tmp_path, [measure("m1", uof, small_number_threshold=0, suppression="Public record.",
                                    breakdowns={"fields": ["subject_race"]})])
    assert "key 'small_number_threshold': 0 (never suppressed) is not allowed for counts broken down by demographic group" in msg
    msg = _error(tmp_path, [measure("m1", uof, small_number_threshold=10, suppression=["a list"])])
    assert "key 'suppression': expected a sentence" in msg
    cat = load_catalog(ROOT / "catalog")
    for m in cat.measures.values():  # Seattle's: every public measure states its threshold and why
        if m.visibility == "public":
            assert len(m.suppression_reason) > 30, m.id
    assert cat.measures["ois_count"].small_number_threshold == 0  # SPD publishes each shooting
    assert all(m.small_number_threshold >= 10 for m in cat.measures.values() if m.fields)


def _catalog_copy(tmp_path):
    import shutil

    shutil.copytree(ROOT / "catalog", tmp_path / "catalog")
    return tmp_path / "catalog"


def _drop_translation(po, english: str) -> None:
    """Remove one msgid/msgstr pair from a .po file, as a translator forgetting it would."""
    lines = po.read_text(encoding="utf-8").split("\n\n")
    kept = [b for b in lines if f'msgid "{english}"' not in b]
    assert len(kept) == len(lines) - 1
    po.write_text("\n\n".join(kept), encoding="utf-8")


def test_every_public_text_has_a_spanish_translation():
    """The shipped catalog: every public goal and measure text is in es.po (so no Spanish page
    falls back to English), and the Vietnamese sample covers its goal whole."""
    from engine.catalog_i18n import public_texts

    cat = load_catalog(ROOT / "catalog")
    texts = public_texts(cat)
    assert len(texts) > 100 and all(text in cat.translations["es"] for _, _, text in texts)
    vi = [w for w, k, text in texts if text in cat.translations["vi"]]
    assert "goal 'trusted_data'" in vi and "measure 'datasets_fresh'" in vi
    assert cat.translations["es"]["Robberies reported"] == "Robos denunciados"


@pytest.mark.parametrize("lang, english, where", [
    ("es", "Number of robbery offenses reported to police, counted by the date the offense began.",
     "measure 'robberies': key 'definition'"),
    ("es", "Safe neighborhoods", "goal 'safe_neighborhoods': key 'title'"),
    ("es", "offenses", "measure 'robberies': key 'unit'"),
    ("vi", "Datasets refreshed within their cadence", "measure 'datasets_fresh': key 'title'"),
])
def test_a_missing_translation_fails_the_catalog_check(tmp_path, lang, english, where):
    folder = _catalog_copy(tmp_path)
    _drop_translation(folder / "locale" / f"{lang}.po", english)
    with pytest.raises(CatalogError) as err:
        load_catalog(folder)
    msg = str(err.value)
    assert "\n" not in msg and f"locale/{lang}.po" in msg and where in msg and f"no {lang} translation" in msg


def test_a_partial_language_is_asked_only_for_the_goals_it_translates(tmp_path):
    """Dropping the sample's goal title leaves the Vietnamese file covering no goal: nothing is asked."""
    folder = _catalog_copy(tmp_path)
    _drop_translation(folder / "locale" / "vi.po", "Data the public can trust")
    assert load_catalog(folder).translations["vi"]
