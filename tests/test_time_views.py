"""Time views CompStat users expect (engine.timeviews): the whole loaded history by month, the
day-of-week by hour-of-day heat map and the CompStat grid, as known answers on a tiny warehouse
(tests/test_engine_fixtures.py). Every expected number is worked out by hand beside it.

Robberies, three neighborhoods (mcpp A, B, C; C has none) and events no area could be given
(UNKNOWN). The last day looked at is Sunday 10 Mar 2024 (2024 is a leap year; 10 Mar is the
spring-forward DST day); the data run from 1 Jan 2022 to 11 Mar 2024.
"""
from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from engine import FilterError, Filters, aggregates
from engine.periods import make_period
from test_engine_fixtures import measure, open_engine, ts

AREAS = [("mcpp", "A", "Alpha"), ("mcpp", "B", "Beta"), ("mcpp", "C", "Gamma"), ("precinct", "N", "North")]
END = dt.date(2024, 3, 10)


def rob(t, area="A", cat="ROBBERY"):
    return {"event_time": ts(t), "category": cat, "area_mcpp": area, "area_precinct": "N"}


CRIME = [
    # this year
    rob("2024-03-04 10:15"), rob("2024-03-04 10:45", "B"),  # Monday, hour 10: week to date
    rob("2024-03-05 23:59:59"),                             # Tuesday, hour 23
    rob("2024-03-06 12:00", "UNKNOWN"),                     # Wednesday, hour 12, no known area
    rob("2024-03-10 01:30"),                                # Sunday (DST day), hour 1
    rob("2024-03-04 10:00", cat="ASSAULT OFFENSES"),        # another category: never counted
    rob("2024-02-12 12:00", "B"),                           # first of the 28 days
    rob("2024-02-11 12:00"),                                # the day before the 28 days: year to date only
    rob("2024-03-11 00:00", "B"),                           # after the last day looked at
    # last year (compared periods: 6-12 Mar 2023, 13 Feb-12 Mar 2023, 1 Jan-11 Mar 2023 = 70 days)
    rob("2023-03-06 09:00"), rob("2023-03-12 09:00"),       # week and 28 days; 12 Mar is day 71 of 2023: not YTD
    rob("2023-03-11 09:00", "B"),                           # every 2023 column
    rob("2023-02-12 09:00"),                                # YTD only (before the 28 days)
    # two years back (1 Jan-11 Mar 2022)
    rob("2022-01-01 00:00"), rob("2022-03-11 09:00", "B"),  # in
    rob("2022-03-12 09:00", "B"),                           # day 71: out
]
MEASURES = [measure("robberies", {"kind": "count", "dataset": "crime", "where": {"category": "ROBBERY"}}),
            measure("robbery_rate", {"kind": "rate", "dataset": "crime", "where": {"category": "ROBBERY"}, "per": 1000})]


@pytest.fixture(params=["events", "aggregates"])
def eng(request, tmp_path):
    e = open_engine(tmp_path, MEASURES, {"crime": CRIME}, [("city", "city", "total", "all", 2024, 4000.0)], AREAS)
    if request.param == "aggregates":
        e.warehouse.close()
        con = duckdb.connect(str(e.warehouse.path))
        aggregates.build(con, e.catalog)
        con.close()
        assert e._agg_ok("robberies")
    return e


def test_history_spans_every_loaded_month_and_marks_the_last_one_partial(eng):
    h = eng.history("robberies")
    # Jan 2022 .. Mar 2024: 27 months, far past the ~13 a trend shows
    assert len(h) == 27 and h["period_start"].iloc[0] == dt.date(2022, 1, 1)
    assert h["period_start"].iloc[-1] == dt.date(2024, 3, 1)
    # the data stop on 11 Mar: March 2024 is 11 of 31 days, partial; January 2022 is whole
    assert (h["days"].iloc[-1], h["grain_days"].iloc[-1], bool(h["partial"].iloc[-1])) == (11, 31, True)
    assert not h["partial"].iloc[0] and h["partial"].sum() == 1
    # every robbery of the data, counted once: 8 in 2024, 4 in 2023, 3 in 2022
    assert h["numerator"].sum() == 15
    assert dict(zip(h["period_start"], h["numerator"]))[dt.date(2022, 3, 1)] == 2


def test_week_hour_heat_map_known_answers_and_total_equals_the_measure(eng):
    week = make_period("custom", END, dt.date(2024, 3, 4))
    wh = eng.week_hour("robberies", week)
    assert wh.counts[0][10] == 2      # Monday 10:15 and 10:45 (the 10:00 assault is not a robbery)
    assert wh.counts[1][23] == 1      # Tuesday 23:59:59
    assert wh.counts[2][12] == 1      # Wednesday noon, no known area: still an event of the city
    assert wh.counts[6][1] == 1       # Sunday 01:30, the DST day
    assert wh.total == 5 == eng.measure("robberies", week).value
    assert wh.weekdays == (1,) * 7
    # filters as the number: Alpha only
    a = eng.week_hour("robberies", week, Filters("mcpp", ("A",)))
    assert (a.counts[0][10], a.total) == (1, 3)
    # 1-10 Mar (Friday to Sunday of the next week): Fri, Sat and Sun twice, the rest once
    assert eng.week_hour("robberies", make_period("custom", END, dt.date(2024, 3, 1))).weekdays == (1, 1, 1, 1, 2, 2, 2)
    # a period past the data is cut to the days with data, as measure() does
    late = eng.week_hour("robberies", make_period("custom", dt.date(2024, 3, 20), dt.date(2024, 3, 4)))
    assert late.period.end == dt.date(2024, 3, 11) and late.total == 6
    assert eng.week_hour("robberies", make_period("custom", dt.date(2021, 6, 1), dt.date(2021, 5, 1))) is None
    assert wh.midnight == 0
    # 1 Jan 2022 00:00:00 exactly: counted in hour 0 (Saturday) and named as a possibly unrecorded time
    jan = eng.week_hour("robberies", make_period("custom", dt.date(2022, 1, 31), dt.date(2022, 1, 1)))
    assert (jan.counts[5][0], jan.midnight, jan.total) == (1, 1, 1)
    with pytest.raises(FilterError):
        eng.week_hour("robbery_rate", week)


def test_compstat_grid_known_answers_equal_lengths(eng):
    periods, t = eng.compstat("robberies", "mcpp", end=END)
    spans = {k: ((now.start, now.end), (then.start, then.end)) for k, _, now, then in periods}
    d = dt.date
    assert spans == {
        "wtd": ((d(2024, 3, 4), END), (d(2023, 3, 6), d(2023, 3, 12))),      # Monday to Sunday, 52 weeks back
        "d28": ((d(2024, 2, 12), END), (d(2023, 2, 13), d(2023, 3, 12))),
        "ytd": ((d(2024, 1, 1), END), (d(2023, 1, 1), d(2023, 3, 11))),      # 70 days each (leap year)
        "y2": ((d(2024, 1, 1), END), (d(2022, 1, 1), d(2022, 3, 11))),
    }
    assert all(now.days == then.days for _, _, now, then in periods)
    rows = {r["label"]: r for r in t.to_dict("records")}
    assert list(t["label"]) == ["Citywide", "Alpha", "Beta", "Gamma", "No known area"]  # unknown last, not ranked
    city = rows["Citywide"]
    assert (city["wtd_now"], city["wtd_then"]) == (5, 3) and city["wtd_pct"] == pytest.approx(200 / 3)
    assert (city["d28_now"], city["d28_then"]) == (6, 3) and city["d28_pct"] == pytest.approx(100)
    assert (city["ytd_now"], city["ytd_then"]) == (7, 3)
    assert (city["y2_now"], city["y2_then"], city["y2_pct"]) == (7, 2, 250)
    a, b = rows["Alpha"], rows["Beta"]
    assert (a["wtd_now"], a["wtd_then"], a["wtd_pct"]) == (3, 2, 50)
    assert (a["ytd_now"], a["ytd_then"], a["ytd_pct"]) == (4, 2, 100)
    assert (b["d28_now"], b["d28_then"], b["d28_pct"]) == (2, 1, 100)
    assert (b["y2_now"], b["y2_then"]) == (2, 1)
    # an area with no robberies is 0, not blank; a change from 0 has no percentage
    g = rows["Gamma"]
    assert (g["wtd_now"], g["wtd_then"]) == (0, 0) and pd.isna(g["wtd_pct"])
    assert (rows["No known area"]["wtd_now"], rows["No known area"]["wtd_then"]) == (1, 0)
    # the headline and the grid agree: the citywide year to date is measure()'s
    assert city["ytd_now"] == eng.measure("robberies", make_period("ytd", END)).value


def test_compstat_a_comparison_the_data_do_not_reach_is_no_data_not_zero(eng):
    _, t = eng.compstat("robberies", "mcpp", end=dt.date(2023, 3, 10))
    city = t.iloc[0].to_dict()
    # 1 Jan-10 Mar 2023 (69 days): 12 Feb and 6 Mar
    assert city["y2_now"] == 2 == city["ytd_now"]
    # two years back is 2021: before the data, so nothing to compare (blank), never 0
    assert pd.isna(city["y2_then"]) and pd.isna(city["y2_pct"])
    # a year back: 1 Jan-10 Mar 2022 (69 days) holds 1 Jan only (11 Mar 2022 would be day 70)
    assert city["ytd_then"] == 1 and city["ytd_pct"] == 100
    with pytest.raises(FilterError):
        eng.compstat("robberies", "beat")


@pytest.fixture
def client(tmp_path):
    from app import create_app
    from settings import ROOT, Settings

    e = open_engine(tmp_path, MEASURES, {"crime": CRIME}, [("city", "city", "total", "all", 2024, 4000.0)], AREAS)
    e.warehouse.close()
    return create_app(Settings(db_path=e.warehouse.path, catalog_dir=tmp_path / "catalog",
                               city_config=ROOT / "config" / "seattle")).server.test_client()


def test_measure_page_shows_every_loaded_year_the_heat_map_and_the_grid(client):
    from tests.support.pages import find_by_id, render_with_client, texts

    status, layout, _ = render_with_client(client, "/measures/robberies",
                                           "?period=custom&start=2024-03-04&end=2024-03-10&layer=mcpp")
    assert status == 200
    fig = find_by_id(layout, "ms-history")["figure"]
    months = sorted({x[:7] for t in fig["data"] for x in t["x"]})
    assert months[0] == "2022-01" and months[-1] == "2024-03" and len(months) == 27  # not ~13 months
    summary = " ".join(texts(find_by_id(layout, "ms-history-box")["children"]))
    assert "2022–2024" in summary and "partial: 11 of 31 days" in summary   # the last month, marked
    heat = find_by_id(layout, "ms-heat")
    rows = [texts(r) for r in heat["children"][2]["props"]["children"]]
    mon = rows[0]
    assert mon[0] == "Mon (1)" and mon[1 + 10] == "2" and mon[-1] == "2"           # Monday 10:00-10:59: 2 robberies
    grid = find_by_id(layout, "ms-compstat")
    body = [texts(r) for r in grid["children"][2]["props"]["children"]]
    assert body[0][:4] == ["Citywide", "5", "3", "▲ up 67%"] and body[-1][0] == "No known area"
    assert body[3][:4] == ["Gamma", "0", "0", "no change"]
    assert body[-1][:4] == ["No known area", "1", "0", "▲ up from 0"]
    assert body[0][-3:] == ["7", "2", "▲ up 250%"]    # 2 years: 1 Jan-10 Mar 2024 against 1 Jan-11 Mar 2022


def test_explorer_history_side_by_side_spans_every_loaded_year_and_grid_keeps_the_chosen_areas(client):
    from tests.support.pages import find_by_id, render_with_client, texts

    status, layout, _ = render_with_client(client, "/explore", "?dataset=crime&field=category&match=ROBBERY&layer=mcpp"
                                           "&period=custom&start=2024-03-04&end=2024-03-10&area=A&area=B")
    assert status == 200
    fig = find_by_id(layout, "ex-history")["figure"]
    for name in ("Alpha", "Beta"):   # one line per area, not summed; each over every loaded month
        months = sorted({x[:7] for t in fig["data"] if t["name"].startswith(name) for x in t["x"]})
        assert (months[0], months[-1], len(months)) == ("2022-01", "2024-03", 27), name
    heat = " ".join(texts(find_by_id(layout, "ex-heat-summary")["children"]))
    assert heat.startswith("4 events")   # Alpha and Beta: 3 + 1 (the unknown-area one is not in them)
    body = [texts(r)[0] for r in find_by_id(layout, "ex-compstat")["children"][2]["props"]["children"]]
    assert body == ["Citywide", "Alpha", "Beta"]
