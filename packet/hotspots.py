"""Hot spots, CompStat style: for each count measure, the areas whose counts rose most since the
previous period, ranked, each marked whether the rise is more than normal variation explains.

Every area's events in the meeting period are compared with the same number of days just before
by the engine's exact Poisson test (engine.stats.compare_counts). Testing 50-odd areas for each of
several measures at 5% each would mark two or three by chance every meeting; Bonferroni (each area
needs p < 0.05 / areas) overcorrects, so most meetings showed none. Significance is marked with the
Benjamini-Hochberg false-discovery rate instead, per measure (the city's `hotspot_fdr`, 10% by
default): of the rises marked, at most about 1 in 10 is expected to be chance.
An area with fewer than engine.stats.MIN_EVENTS events in both periods together is not tested: it
is listed on the map as "too few to test", never ranked as a rise.
Rate measures are left out: their numerators are the same events as the matching counts.
Events with no known area (UNKNOWN) are counted citywide but are no place on a map: not tested.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from engine import stats

FDR = 0.10     # default false-discovery rate; config/<city>/city.yaml `hotspot_fdr` overrides it
PER_MEASURE = 5  # rises ranked for each measure


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
    significant: bool = False  # passed Benjamini-Hochberg at the packet's FDR

    @property
    def increase(self) -> int:
        return self.count - self.prior_count


@dataclass
class HotSpots:
    layer: str
    spots: list[HotSpot] = field(default_factory=list)  # ranked rises: significant first, then largest
    tests: int = 0                                        # area comparisons made
    changes: dict = field(default_factory=dict)           # measure_id -> {area_id: count - prior count}
    titles: dict = field(default_factory=dict)            # measure_id -> title, for the measures tested
    untested: dict = field(default_factory=dict)          # measure_id -> areas with too few events to test
    by_measure: dict = field(default_factory=dict)        # measure_id -> its ranked rises
    fdr: float = FDR

    @property
    def significant(self) -> list[HotSpot]:
        return [h for h in self.spots if h.significant]


def _rank(h: HotSpot):
    return (not h.significant, -h.increase, h.p_value, h.measure_id, h.area_id)


def hot_spots(eng, period, layer: str, limit: int = 12, fdr: float | None = None) -> HotSpots:
    """Every count measure's areas tested; the top PER_MEASURE rises of each measure ranked
    (significant first, then by size of the rise); at most `limit` kept across measures."""
    fdr = eng.city.hotspot_fdr if fdr is None else fdr
    out = HotSpots(layer, fdr=fdr)
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
        out.untested[m.id] = {str(k) for k, _, x, x0 in pairs if 0 < x + x0 < stats.MIN_EVENTS}
        pairs = [p for p in pairs if p[2] + p[3] >= stats.MIN_EVENTS]
        if not pairs:
            continue
        out.tests += len(pairs)
        flags = [stats.compare_counts(x, x0, period.days, prior.days, alpha=fdr, what=f"number of {m.unit}") for _, _, x, x0 in pairs]
        marked = stats.benjamini_hochberg([f.p_value for f in flags], fdr)
        rises = [HotSpot(m.id, m.title, m.unit, layer, str(k), str(lab), x, x0, float(f.p_value), len(pairs),
                         f.explanation, bool(sig))
                 for (k, lab, x, x0), f, sig in zip(pairs, flags, marked) if x > x0]
        out.by_measure[m.id] = sorted(rises, key=_rank)[:PER_MEASURE]
        found.extend(out.by_measure[m.id])
    out.spots = sorted(found, key=_rank)[:limit]
    return out
