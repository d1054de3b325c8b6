"""What the public side publishes holds against a reader who combines all of it.

The attacker (tests/support/attacker.py) takes the API's measure documents, today's and the previous
day's, and solves every hidden and derived count's feasible interval; the long sweep over 120
days is bench/attack_public.py (figures in docs/PRIVACY.md). Here: the small demo city of the
session (scale 0.05, where small counts are everywhere) on the day the data ends and across a
month turn, plus the rules a reader sees: complete months only, one label, year to date only
while every month of it is shown, a public-record count never hidden.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest

from tests.support.attacker import Attacker, population_of, sweep
from engine import Engine
from public import api, published
from settings import Settings


@pytest.fixture(scope="module")
def eng(demo_db):
    return Engine.open(replace(Settings.from_env(), db_path=demo_db, mode="public"))


def api_docs(eng) -> dict:
    """Every public measure's document as the live API serves it (bytes parsed back)."""
    return {m.id: json.loads(api.document(eng, f"measures/{m.id}.json")[0]) for m in published.public_measures(eng)}


def docs_on(eng, day):
    return json.loads(json.dumps(published.publication(eng, day), default=str))


def test_the_attacker_recovers_nothing_from_what_the_api_serves(eng):
    docs = api_docs(eng)
    hidden = sum(1 for d in docs.values() for r in d["months"] if r["hidden"])
    assert hidden > 20, "the small demo has many hidden months: the test must have something to attack"
    a = Attacker(eng.catalog, population_of(eng))
    a.add(docs)
    leaks = a.leaks()
    assert leaks == [], "\n".join(map(str, leaks[:10]))


def test_nothing_across_a_month_turn(eng):
    # the last day of October's publication beside the first day of November's
    end = eng.as_of()
    turn = end.replace(day=1)
    days = [turn - dt.timedelta(days=2), turn - dt.timedelta(days=1), turn, turn + dt.timedelta(days=1)]
    got = sweep(eng, lambda d: docs_on(eng, d), days)
    assert got["distinct"] == 2  # one publication per complete month: consecutive days are equal
    assert got["leaks"] == {}, "\n".join(str(x) for v in got["leaks"].values() for x in v[:5])


def _doc(months: dict, ytd, areas=None) -> dict:
    rows = [{"key": k, "label": k, "value": v, "count": v, "hidden": None if v is not None else "privacy"}
            for k, v in months.items()]
    cell = {"value": ytd, "count": ytd, "hidden": None if ytd is not None else "privacy"}
    return {"small_number_threshold": 10, "period": {"start": "2026-01-01", "end": "2026-03-31"},
            "months": rows, "tables_period": {"start": "2026-03-01", "end": "2026-03-31", "month": "2026-03"},
            "headline": {"current": cell, "last_year": {"value": None, "count": None, "hidden": None,
                                                        "start": "2025-01-01", "end": "2025-03-31"}},
            "areas": areas, "groups": {}}


def test_the_attacker_pins_what_older_suppression_left(eng):
    # the old rule: February (3) hidden, the year to date (53) shown -> 53 - 20 - 30 = 3
    a = Attacker(eng.catalog, population_of(eng))
    a.add({"robberies": _doc({"2026-01": 20, "2026-02": None, "2026-03": 30}, 53)})
    assert [(x.lo, x.hi) for x in a.leaks()] == [(3, 3)]
    # protected by a second hidden month, each is known only to lie in [1, 49]
    b = Attacker(eng.catalog, population_of(eng))
    b.add({"robberies": _doc({"2026-01": None, "2026-02": None, "2026-03": 30}, 53)})
    assert b.leaks() == []
    # yesterday's year to date beside today's gives a day's count (daily differencing)
    c = Attacker(eng.catalog, population_of(eng))
    d1 = _doc({"2026-01": 20, "2026-02": 25}, 45)
    d1["period"]["end"] = "2026-02-27"
    d2 = _doc({"2026-01": 20, "2026-02": 29}, 49)
    d2["period"]["end"] = "2026-02-28"
    c.add({"robberies": d1})
    c.add({"robberies": d2})
    assert any(x.what == "derived" and (x.lo, x.hi) == (4, 4) for x in c.leaks())


def test_complete_months_only_and_the_page_says_when_the_next_comes(eng):
    v = published.measure(eng, "robberies")
    end = dt.date.fromisoformat(v["period"]["end"])
    assert end < eng.as_of() and (end + dt.timedelta(days=1)).day == 1  # the unfinished month is not published
    assert v["months"][-1]["key"] == end.strftime("%Y-%m")
    assert v["tables_period"]["month"] == end.strftime("%Y-%m")
    assert v["next_update"]["month_end"] > str(end)
    assert docs_on(eng, eng.as_of()) == docs_on(eng, eng.as_of() - dt.timedelta(days=3))


def test_year_to_date_is_shown_only_while_every_month_is(eng):
    for m in published.public_measures(eng):
        v = published.measure(eng, m.id)
        if m.computation.kind == "freshness":
            continue
        months = [r for r in v["months"] if r["key"] >= v["period"]["start"][:7] and r["key"] <= v["period"]["end"][:7]]
        if any(r["hidden"] for r in months):
            assert v["headline"]["current"]["hidden"], m.id
            assert v["headline"]["change_pct"] is None, m.id


def test_one_label_and_public_record_never_hidden(eng):
    labels = set()
    for m in published.public_measures(eng):
        v = published.measure(eng, m.id)
        rows = v["months"] + (v["areas"]["rows"] if v["areas"] else []) + [r for rs in v["groups"].values() for r in rs]
        labels |= {r["hidden"] for r in rows if r["hidden"]}
        if m.small_number_threshold == 0:
            assert not any(r["hidden"] for r in rows), m.id
    assert labels == {"privacy"}
    csv = api.document(eng, "measures/serious_uof/months.csv")[0].decode()
    assert "fewer than" not in csv
    ois = published.measure(eng, "ois_count")
    assert "public record" in ois["suppression"].lower()


@pytest.mark.real_data
@pytest.mark.slow
def test_the_attacker_recovers_nothing_from_the_real_terry_stops(seattle_data, tmp_path_factory):
    """Seattle's real Terry-stop and use-of-force samples, with the census by race: race groups are
    where small counts hide. Before complete months, two days' copies gave daily counts by race
    (White subjects stopped on 2023-11-27: 2)."""
    from etl.__main__ import main
    from etl.load import load_files

    db = tmp_path_factory.mktemp("real_public") / "w.duckdb"
    mp = pytest.MonkeyPatch()
    mp.setenv("SEASTAT_DB", str(db))
    try:
        assert main(["geo", "--boundaries", str(seattle_data / "boundaries"),
                     "--population", str(seattle_data / "population")]) == 0
        for ds, f in (("terry_stops", "terry_stops/terry_stops__2023-11.csv"),
                      ("use_of_force", "use_of_force/use_of_force__2022-04.csv")):
            load_files(ds, [seattle_data / f], db, Settings.from_env(), progress=False)
    finally:
        mp.undo()
    eng = Engine.open(replace(Settings.from_env(), db_path=db, mode="public"))
    docs = docs_on(eng, eng.as_of() + dt.timedelta(days=1))
    assert any(r["hidden"] for r in docs["terry_stop_rate"]["groups"]["subject_race"])  # something to attack
    turn = dt.date.fromisoformat(docs["terry_stop_rate"]["period"]["end"]) + dt.timedelta(days=1)
    got = sweep(eng, lambda d: docs_on(eng, d), [turn - dt.timedelta(days=1), turn, eng.as_of() + dt.timedelta(days=1)])
    assert got["leaks"] == {}, "\n".join(str(x) for v in got["leaks"].values() for x in v[:5])
