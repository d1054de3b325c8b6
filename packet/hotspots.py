"""Hot spots: the areas whose counts rose by more than chance explains since the previous period.

For each count measure that can be broken down by the layer, every area's events in the meeting
period are compared with the same number of days just before, by the engine's exact Poisson test
(engine.stats.compare_counts). Testing 50-odd areas at 5% each would flag two or three by chance
every meeting, so the false-alarm rate is split across the areas tested for that measure
(Bonferroni: each area needs p < 0.05 / areas tested). Largest significant increases first.
Rate measures are left out: their numerators are the same events as the matching counts.
Events with no known area (UNKNOWN) are counted citywide but are no place on a map: not tested.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from engine import stats


@dataclass(frozen=True)
class HotSpot:
    measure_id: str
    title: str
    unit: str
    layer: str
    area_id: str
    label: str
    count: int
    prior_count: int
    p_value: float
    tested: int          # areas tested for this measure
    explanation: str

    @property
    def increase(self) -> int:
        return self.count - self.prior_count


@dataclass
class HotSpots:
    layer: str
    spots: list[HotSpot] = field(default_factory=list)  # significant increases, largest first
    tests: int = 0                                        # area comparisons made
    changes: dict = field(default_factory=dict)           # measure_id -> {area_id: count - prior count}
    titles: dict = field(default_factory=dict)            # measure_id -> title, for the measures tested


def hot_spots(eng, period, layer: str, limit: int = 12) -> HotSpots:
    """Every count measure's areas tested; at most `limit` hot spots kept."""
    out = HotSpots(layer)
    known = set(eng.layers()["layer"])
    if layer not in known:
        return out
    places = set(eng.areas(layer)["area_id"])  # not UNKNOWN: events with no area are no place on a map
    found = []
    asked = period
    for m in eng.catalog.measures.values():
        if m.computation.kind != "count" or layer not in m.layers:
            continue
        period = eng.within_data(m.id, asked)  # a dataset that stops early: its own days, as many before
        prior = period.prior()
        cur = eng.breakdown(m.id, period, f"area:{layer}", suppress=False)
        old = eng.breakdown(m.id, prior, f"area:{layer}", suppress=False)
        if not len(cur) or not len(old):
            continue
        before = dict(zip(old["key"], old["numerator"].fillna(0)))
        pairs = [(k, lab, int(n or 0), int(before.get(k, 0) or 0))
                 for k, lab, n in zip(cur["key"], cur["label"], cur["numerator"].fillna(0)) if k in places]
        out.changes[m.id] = {k: x - x0 for k, _, x, x0 in pairs}
        out.titles[m.id] = m.title
        pairs = [p for p in pairs if p[2] + p[3] > 0]
        if not pairs:
            continue
        out.tests += len(pairs)
        alpha = stats.ALPHA / len(pairs)
        for key, label, x, x0 in pairs:
            if x <= x0:
                continue
            flag = stats.compare_counts(x, x0, period.days, prior.days, alpha=alpha, what=m.unit)
            if flag.flagged:
                found.append(HotSpot(m.id, m.title, m.unit, layer, str(key), str(label), x, x0,
                                     float(flag.p_value), len(pairs), flag.explanation))
    found.sort(key=lambda h: (-h.increase, h.p_value, h.measure_id, h.area_id))
    out.spots = found[:limit]
    return out
