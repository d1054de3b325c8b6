"""The badge and the chart never disagree: every measure of the demo catalog, rendered over HTTP.

For a period of four whole weeks (weekly charts) or one whole month (monthly charts), the target
drawn on the measure page's trend is the badge's target at the chart's grain: for a count, the
drawn weekly targets of the period's weeks add up to the period's target and the weekly values
to its value, so judging the chart's own numbers gives the badge's status; for a rate, share,
percentile or ratio, the drawn target is the badge's target as is.

The demo here holds two years (the session's demo holds one, so no "5% below last year" target
ever has a last year to come from).
"""
from __future__ import annotations

import datetime as dt

import pytest

from tests.support.pages import find_by_id, render_with_client, texts
from components.status import status_words
from engine.status import status as status_of
from settings import Settings

WEEKS = (dt.date(2026, 10, 19), dt.date(2026, 11, 15))   # Monday to Sunday, four weeks


@pytest.fixture(scope="module")
def demo2(tmp_path_factory):
    from etl.demo.build import DemoOptions, generate, load

    folder = tmp_path_factory.mktemp("demo2")
    opts = DemoOptions(out_dir=folder / "demo", db_path=folder / "demo.duckdb", years=2, scale=0.05, seed=7,
                       end=dt.date(2026, 11, 22))
    load(generate(opts), opts.out_dir, opts.db_path, Settings.from_env())
    return opts.db_path


@pytest.fixture(scope="module")
def app(demo2):
    from app import create_app

    return create_app(Settings(db_path=demo2))


def drawn_target(fig: dict, n: int) -> list:
    """The target as the chart draws it, one value per point of the series: a target trace, or a
    horizontal line across the plot (how it was drawn before the time model)."""
    for t in fig["data"]:
        if str(t.get("name", "")).startswith("Target"):
            return list(t["y"])
    shapes = [s for s in fig["layout"].get("shapes", []) if s.get("y0") == s.get("y1")]
    return [shapes[0]["y0"]] * n if shapes else [None] * n


def test_every_measures_badge_and_chart_agree(app, demo2):
    from engine import Engine
    from pages.measure import grain_of

    client = app.server.test_client()
    eng = Engine.open(Settings(db_path=demo2))
    checked = {"count": 0, "other": 0}
    for m in eng.catalog.measures.values():
        last = eng.measure(m.id, eng.period("28d")).freshness.as_of   # the measure's last day of data
        if grain_of(m) == "week":   # the four whole weeks up to it
            end = last - dt.timedelta(days=(last.weekday() + 1) % 7)
            start = end - dt.timedelta(days=27)
        else:                       # the whole month before its month
            end = last.replace(day=1) - dt.timedelta(days=1)
            start = end.replace(day=1)
        status, layout, _ = render_with_client(client, f"/measures/{m.id}", f"?period=custom&start={start}&end={end}")
        assert status == 200, m.id
        badge = texts(find_by_id(layout, "ms-status")["children"])[-1]
        r = eng.measure(m.id, eng.period("custom", end, start))
        assert badge == status_words(r.status) and (r.period.start, r.period.end) == (start, end), m.id
        fig = find_by_id(layout, "ms-trend")["figure"]
        this = next(t for t in fig["data"] if t["name"] == "This period")
        days = [dt.date.fromisoformat(x[:10]) for x in this["x"]]
        inside = [i for i, d in enumerate(days) if start <= d <= end]
        line = drawn_target(fig, len(days))
        if r.target is None:
            assert all(v is None for v in line), f"{m.id}: a target drawn that the badge does not have"
            continue
        got = [line[i] for i in inside]
        assert None not in got, f"{m.id}: no target drawn on the period's {grain_of(m)}s"
        if m.computation.kind == "count":
            values = [this["y"][i] for i in inside]
            assert sum(got) == pytest.approx(r.target), f"{m.id}: weekly targets do not add up to the badge's"
            assert sum(values) == pytest.approx(r.value), m.id
            assert status_of(sum(values), sum(got), m.direction, m.target.tolerance_pct) == r.status, m.id
            checked["count"] += 1
        else:
            assert got == [pytest.approx(r.target)] * len(got), f"{m.id}: drawn target is not the badge's"
            if len(inside) == 1 and this["y"][inside[0]] is not None:   # the month is the period
                assert this["y"][inside[0]] == pytest.approx(r.value), m.id
                assert status_of(r.value, got[0], m.direction, m.target.tolerance_pct) == r.status, m.id
            checked["other"] += 1
    assert checked["count"] >= 2 and checked["other"] >= 4, checked   # robberies and persons; rates, shares, ratios


def test_robberies_target_is_drawn_per_week(app):
    """The demo's robberies target (5% below the same 28 days last year) drawn on the weekly chart
    is a quarter of the 28-day target on each of the period's weeks, not the 28-day figure."""
    client = app.server.test_client()
    start, end = WEEKS
    _, layout, _ = render_with_client(client, "/measures/robberies", f"?period=custom&start={start}&end={end}")
    fig = find_by_id(layout, "ms-trend")["figure"]
    target = next(t for t in fig["data"] if t["name"] == "Target per week")
    drawn = [y for y in target["y"] if y is not None]
    head = " ".join(texts(find_by_id(layout, "ms-headline")["children"]))
    period_target = float(head.split("Target: ")[1].rstrip(". ").replace(",", ""))
    assert len(drawn) == 4 and drawn == [pytest.approx(drawn[0])] * 4
    assert drawn[0] == pytest.approx(period_target / 4, rel=0.01)   # the headline rounds to 2 decimals
    summary = " ".join(texts(find_by_id(layout, "ms-trend-summary")["children"]))
    assert "per week" in summary


def test_packet_chart_and_table_show_one_number_per_measure_and_period(demo2):
    """The meeting of 30 Nov reviews 16-29 Nov; the demo's data stop on 21 Nov (6 of 14 days so
    far). Every measure's chart point for that period is the number its table shows: once a
    freshness share was judged at the period's last day (57.1% on the chart, 100% in the table)
    and a share of too few cases was drawn though the table said no data."""
    from components.formatting import fmt_value
    from engine import Engine
    from packet import build_packet, text

    eng = Engine.open(Settings(db_path=demo2))
    pkt = build_packet(eng, dt.date(2026, 11, 30))
    assert pkt.partial and pkt.period.days == 6
    for row in pkt.rows():
        last = row.series.iloc[-1]
        assert last["period_start"] == pkt.period.start, row.measure_id
        assert fmt_value(last["value"], row.unit) == text.measure_cells(row)[1], row.measure_id


def test_a_sparkline_leaves_out_its_part_week_and_says_so():
    """A card's sparkline has no room for a label: the part-week is not drawn, and the words
    (what a screen reader reads) count and rank complete weeks only."""
    import re

    import pandas as pd

    from components.charts import sparkline_summary, sparkline_svg

    days = [dt.date(2026, 1, 5) + dt.timedelta(weeks=i) for i in range(4)]
    df = pd.DataFrame({"period_start": days, "value": [30.0, 28.0, 31.0, 4.0], "days": [7, 7, 7, 1],
                       "grain_days": [7] * 4, "partial": [False, False, False, True]})
    points = re.findall(r"[ML]([\d.]+) ([\d.]+)", sparkline_svg(df))
    assert len(points) == 3
    words = sparkline_summary(df)
    assert words.startswith("3 periods from") and "lowest 28" in words and "last 31" in words
    assert "1 part-period (fewer days than a whole period) not drawn" in words
