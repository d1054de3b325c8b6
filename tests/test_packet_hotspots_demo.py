"""Hot spots on the demo city, whose generator injects known surges (etl/demo/timeline.HOT_SPOTS):
the meeting that reviews a surge's peak must name that area first, marked significant, and most
meetings must give the facilitator ranked rises with their significance (with Bonferroni over
every area, most meetings showed "No area passed")."""
from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.slow
END = dt.date(2026, 11, 22)  # the demo's end: the day after its last events


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory):
    """One year of the demo city at full scale (~240k events; ~10 s): the small test demo has
    too few events per neighbourhood for any surge to be told from chance."""
    from engine import Engine
    from etl.demo.build import DemoOptions, generate, load
    from settings import Settings

    folder = tmp_path_factory.mktemp("demo_full")
    opts = DemoOptions(out_dir=folder / "demo", db_path=folder / "demo.duckdb", years=1, scale=1.0, seed=7, end=END)
    load(generate(opts), opts.out_dir, opts.db_path, Settings.from_env())
    return Engine.open(Settings(db_path=opts.db_path))


def _meeting_reviewing(city, day: dt.date) -> dt.date:
    from packet.calendar import next_meeting
    return next_meeting(city, day + dt.timedelta(days=1))  # a meeting reviews the days before it


def test_the_meeting_after_the_injected_surge_names_its_area_first(demo_engine):
    from etl.demo.timeline import HOT_SPOTS
    from packet.hotspots import hot_spots
    from packet.calendar import meeting_period

    eng = demo_engine
    surge = next(h for h in HOT_SPOTS if h.dataset == "service_requests")  # Illegal dumping, GEORGETOWN
    # The surge is a bell of extra events around its peak: the rise is in the period that climbs
    # toward the peak (half a width before it); the period after compares the peak with the peak.
    peak = END - dt.timedelta(days=surge.days_before_end)
    meeting = _meeting_reviewing(eng.city, peak - dt.timedelta(days=surge.width_days / 2))
    _, period = meeting_period(eng.city, meeting, eng.as_of())
    hs = hot_spots(eng, period, "mcpp")
    first = hs.spots[0]
    assert (first.measure_id, first.area_id, first.significant) == ("service_requests", surge.mcpp, True), (meeting, [(h.area_id, h.prior_count, h.count, h.p_value) for h in hs.spots[:3]])
    assert first.p_value < 0.001 and first.increase > 0
    # ranked: every significant rise comes before every rise within chance, each list largest first
    marks = [h.significant for h in hs.spots]
    assert marks == sorted(marks, reverse=True)


def test_most_meetings_list_ranked_hot_spots_with_significance_marked(demo_engine):
    from packet import build_packet, text
    from packet.calendar import meeting_dates_around

    eng = demo_engine
    last = _meeting_reviewing(eng.city, END - dt.timedelta(days=1))
    meetings = meeting_dates_around(eng.city, last, 12, 0)   # the last half year of meetings
    listed = 0
    for m in meetings:
        pkt = build_packet(eng, m)
        cells = [text.hotspot_cells(i, h) for i, h in enumerate(pkt.hotspots.spots, 1)]
        if cells and all(c[2].startswith(("Yes, significant", "No, within chance")) for c in cells):
            listed += 1
    assert listed >= len(meetings) / 2, f"{listed} of {len(meetings)} meetings list ranked hot spots"
