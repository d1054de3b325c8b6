"""The packet for one meeting, computed once as plain data: the page, the PDF and the tests read it.

For every goal and measure: the meeting period against the previous period and the same period
last year, the 28 days and the year to date to the period's end, and the status. Then, first in
the packet: the flags (measures off track, and changes the engine's tests call real, each with
the test in words), the hot spots (packet.hotspots), what changed since the last packet
(packet.snapshots) and the commitments ledger (open items carried over with their age and the
related measure's movement since the item's meeting; items recorded at this meeting).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from engine import Filters, FilterError, MeasureResult, Period, timemodel
from engine.status import LABELS as STATUS_LABELS
from packet.calendar import meeting_period
from packet.hotspots import HotSpots, hot_spots

SERIES_POINTS = 26  # meeting periods on each chart: about a year
# Disparity and freshness series are computed one bucket at a time (engine.series): fewer points.
SHORT_SERIES = {"disparity": 8, "freshness": 8}
FLAG_ORDER = {"off_track": 0, "change_prior": 1, "change_year": 2}


@dataclass
class MeasureRow:
    measure_id: str
    title: str
    unit: str
    direction: str
    meeting: MeasureResult
    d28: MeasureResult
    ytd: MeasureResult
    series: pd.DataFrame  # meeting-period buckets: period_start, period_end, days, partial, value, flagged, ...
    chart_target: list | None = None  # the meeting target at each bucket (engine.timemodel.target_line)
    kind: str = ""  # the computation's kind (count, rate, share, ...)


@dataclass
class GoalSection:
    goal_id: str
    title: str
    statement: str
    rows: list[MeasureRow]

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.rows:
            out[r.meeting.status] = out.get(r.meeting.status, 0) + 1
        return out


@dataclass(frozen=True)
class FlagItem:
    measure_id: str
    title: str
    kind: str          # the first reason: off_track | change_prior | change_year
    headline: str      # what happened, in one plain sentence (every reason for this measure)
    test: str          # how we know: the rules and tests behind the sentence, with p-values
    p_value: float | None = None
    kinds: tuple = ()  # every reason, first = kind


@dataclass(frozen=True)
class Movement:
    """The related measure at the item's meeting and now (same filters: its area if it has one)."""
    then: float | None
    now: float | None
    then_period: Period | None
    area_note: str = ""
    length_note: str = ""  # when the two periods were cut to the same number of days

    @property
    def change(self) -> float | None:
        return None if self.then is None or self.now is None else self.now - self.then

    @property
    def change_pct(self) -> float | None:
        return None if self.change is None or not self.then else 100.0 * self.change / self.then


@dataclass(frozen=True)
class CarriedItem:
    item: object       # store.Item, as it is now
    age_days: int
    overdue: bool
    measure_title: str
    unit: str
    movement: Movement | None


@dataclass(frozen=True)
class Change:
    measure_id: str
    title: str
    kind: str          # revised | status
    text: str


@dataclass
class Packet:
    city: str
    meeting: dt.date
    full_period: Period          # what the meeting reviews
    period: Period               # what is compared (shorter when the data stop inside the period)
    as_of: dt.date | None
    generated_at: dt.datetime
    goals: list[GoalSection]
    flags: list[FlagItem]
    hotspot_layer_label: str
    hotspots: HotSpots
    last_packet: dt.date | None  # the meeting whose packet "what changed" compares with
    changes: list[Change]
    carried: list[CarriedItem]
    new_items: list = field(default_factory=list)  # store.Item made at this meeting
    is_demo: bool = False
    too_few: list = field(default_factory=list)    # (title, events) off track on too few events to judge
    lags: list = field(default_factory=list)       # Engine.lag_report(): each dataset's newest day, fresh or late
    annotations: list = field(default_factory=list)  # store.Annotation dated within the charts' span
    commentary: dict = field(default_factory=dict)   # measure id -> store.Commentary written for this meeting

    def events_for(self, measure_id: str) -> list:
        """The annotations a measure's chart draws: its own and the citywide ones, oldest first."""
        return [a for a in self.annotations if a.measure_id in (None, measure_id)]

    @property
    def events_now(self) -> list:
        """Annotations dated in the period reviewed or the one before: what the meeting should hear."""
        start = self.full_period.start - dt.timedelta(days=self.full_period.days)
        return [a for a in self.annotations if start <= a.day <= self.full_period.end]

    @property
    def partial(self) -> bool:
        return self.period.end < self.full_period.end

    def rows(self) -> list[MeasureRow]:
        return [r for g in self.goals for r in g.rows]

    def row(self, measure_id: str) -> MeasureRow:
        return next(r for r in self.rows() if r.measure_id == measure_id)

    def figures(self) -> list[dict]:
        """What a snapshot keeps of this packet (packet.snapshots): each measure's meeting-period figure."""
        return [{"measure_id": r.measure_id, "window": "meeting", "period_start": r.meeting.period.start,
                 "period_end": r.meeting.period.end, "value": r.meeting.value, "status": r.meeting.status}
                for r in self.rows()]


def build_packet(eng, meeting: dt.date, ledger=None, snapshots=None, layer: str = "mcpp",
                 now: dt.datetime | None = None, annotations=None, commentary=None) -> Packet:
    """Everything the meeting on `meeting` (a meeting date) looks at. `ledger` (store.Ledger),
    `snapshots` (packet.snapshots.Snapshots), `annotations` (store.Annotations) and `commentary`
    (store.Commentaries) are optional: without them those sections are empty."""
    as_of = eng.as_of()
    full, period = meeting_period(eng.city, meeting, as_of)
    d28, ytd = eng.period("28d", end=period.end), eng.period("ytd", end=period.end)
    every = eng.city.meeting_every_days
    goals = []
    for g in eng.catalog.goals:
        rows = []
        for mid in g.measures:
            m = eng.catalog.measures[mid]
            points = SHORT_SERIES.get(m.computation.kind, SERIES_POINTS)
            series_start = full.start - dt.timedelta(days=every * (points - 1))
            this = eng.measure(mid, period)
            series = eng.series(mid, "meeting", series_start, period.end)
            rows.append(MeasureRow(mid, m.title, m.unit, m.direction, this, eng.measure(mid, d28), eng.measure(mid, ytd),
                                   series, _chart_target(m, this, series), m.computation.kind))
        goals.append(GoalSection(g.id, g.title, g.statement, rows))
    rows = [r for s in goals for r in s.rows]
    spots = hot_spots(eng, period, layer)
    labels = dict(zip(eng.layers()["layer"], eng.layers()["label"]))
    last, changes = (None, [])
    if snapshots is not None:
        last, changes = what_changed(eng, snapshots, meeting, rows)
    carried = carried_items(eng, ledger, meeting, rows) if ledger is not None else []
    new_items = ledger.items(meeting_date=meeting) if ledger is not None else []
    return Packet(
        city=eng.city.name, meeting=meeting, full_period=full, period=period, as_of=as_of,
        generated_at=now or dt.datetime.now(dt.timezone.utc), goals=goals, flags=flags_of(rows),
        hotspot_layer_label=labels.get(layer, layer), hotspots=spots, last_packet=last, changes=changes, carried=carried, new_items=new_items,
        is_demo=bool(eng.is_demo()), too_few=too_few_to_judge(rows), lags=eng.lag_report(),
        annotations=(annotations.between(full.start - dt.timedelta(days=every * (SERIES_POINTS - 1)), full.end)
                     if annotations is not None else []),
        commentary=commentary.for_meeting(meeting) if commentary is not None else {})


def _chart_target(m, result: MeasureResult, series: pd.DataFrame) -> list | None:
    """The badge's target at each meeting-period bucket of the chart: a count target scaled to the
    bucket's days (so the part-period so far gets the part-target it is judged against), other
    kinds as is; a target derived from a baseline only on this meeting's period."""
    if m.target is None or m.direction == "none" or result.target is None or not len(series):
        return None
    return timemodel.target_line(m.computation.kind, result.target, result.period, series["period_start"],
                                 series["period_end"], series["days"], m.target.value is None)


def flags_of(rows: list[MeasureRow]) -> list[FlagItem]:
    """One flag per measure that needs the meeting's attention, in plain words: off track against
    its target, or changed by more than normal variation explains (the engine's tests, which never
    call one or two events a change: engine.stats.MIN_EVENTS). Off-track measures first, then the
    clearest changes (smallest p-value). Noise is not listed, and a measure is listed once."""
    out = []
    for r in rows:
        res = r.meeting
        says, how, kinds, ps = [], [], [], []
        if res.status == "off_track" and res.target is not None and not _too_few(res):
            worse = "lower" if r.direction == "up" else "higher"
            says.append(f"off track, {_amount(res.value, r)} against a target of {_amount(res.target, r)}")
            how.append(f"Off track: beyond the target by more than its tolerance band ({worse} is worse for this "
                       "measure; the target is the city's, see the measure's page).")
            kinds.append("off_track")
        for kind, flag, before, pct, when in (
                ("change_prior", res.flag, res.prior, res.change_pct, _previous(res.prior_period, res.period)),
                ("change_year", res.flag_year, res.prior_year, res.change_year_pct, _last_year(res.period))):
            if flag.flagged:
                says.append(f"{_moved(res.value, before, pct, r)} on {when}")
                how.append(f"Against {when}: {flag.explanation}")
                kinds.append(kind)
                ps.append(flag.p_value)
        if not says:
            continue
        head = f"{r.title}{':' if kinds[0] == 'off_track' else ''} {says[0]}" + "".join(f"; {x}" for x in says[1:])
        changed = any(k != "off_track" for k in kinds)
        head += ", more than normal variation explains." if changed else "."
        out.append(FlagItem(r.measure_id, r.title, kinds[0], head, " ".join(how),
                            min((p for p in ps if p is not None), default=None), tuple(kinds)))
    return sorted(out, key=lambda f: (f.kind != "off_track", f.p_value if f.p_value is not None else 1.0,
                                      f.measure_id))


def _too_few(res: MeasureResult) -> bool:
    """Off track on fewer than MIN_EVENTS events (a disparity ratio of 1 stop against 1, a median of
    3 calls), or on a ratio with no reference events ("not defined"): too few to judge."""
    from engine.stats import MIN_EVENTS
    v = res.value
    return v is None or v != v or v in (float("inf"), float("-inf")) or (res.n is not None and res.n < MIN_EVENTS)


def too_few_to_judge(rows: list[MeasureRow]) -> list[tuple[str, str]]:
    """(measure title, how many events) of measures off track on too few events to judge: named
    under the flags, so a reader sees why the table's 'off track' is not a flag."""
    from components.formatting import fmt_value
    return [(r.title, "no comparison group" if r.meeting.n is None or r.meeting.value in (float("inf"),)
             else f"{fmt_value(r.meeting.n)} event{'s' if r.meeting.n != 1 else ''}")
            for r in rows if r.meeting.status == "off_track" and _too_few(r.meeting)]


def _amount(v, r) -> str:
    from components.formatting import fmt_unit, fmt_value
    unit = fmt_unit(r.unit)
    return fmt_value(v, r.unit) + (f" {unit}" if unit and r.kind in ("count", "percentile") else "")


def _moved(value, before, pct, r) -> str:
    """'rose 27% (22 -> 28)' or 'rose from 0 to 12': the size of the change a reader can check."""
    from components.formatting import fmt_value
    if value is None or before is None:
        return "changed"
    verb = "rose" if value > before else "fell"
    if fmt_value(value, r.unit).endswith("%"):  # a share: points, not a percent of a percent
        return f"{verb} {abs(value - before):.1f} points ({fmt_value(before, r.unit)} → {fmt_value(value, r.unit)})"
    if not before or pct is None:
        return f"{verb} from {fmt_value(before, r.unit)} to {fmt_value(value, r.unit)}"
    return f"{verb} {abs(pct):.0f}% ({fmt_value(before, r.unit)} → {fmt_value(value, r.unit)})"


def _span(days: int) -> str:
    return {7: "week", 14: "two weeks", 28: "four weeks"}.get(days, f"{days} days")


def _previous(prior: Period | None, period: Period) -> str:
    return f"the previous {_span((prior or period).days)}"


def _last_year(period: Period) -> str:
    return f"the same {_span(period.days)} last year"


def carried_items(eng, ledger, meeting: dt.date, rows: list[MeasureRow]) -> list[CarriedItem]:
    """Open items from earlier meetings, with the related measure then (the period reviewed at the
    item's meeting) and now (this packet's period), for the item's area when it names one."""
    now_by_id = {r.measure_id: r.meeting for r in rows}
    out = []
    for oi in ledger.open_items(meeting):
        it = oi.item
        m = eng.catalog.measures.get(it.measure_id) if it.measure_id else None
        movement = None
        if m is not None:
            movement = _movement(eng, m, it, now_by_id[m.id])
        out.append(CarriedItem(it, oi.age_days, oi.overdue, m.title if m else "", m.unit if m else "", movement))
    return out


def _movement(eng, m, item, now_citywide: MeasureResult) -> Movement:
    """Then and now over the same number of days: when this packet's period holds only 7 of its
    14 days so far (or the item's period was cut short), both are the first 7 days of their
    periods, which start on the same weekday; 14 days against 7 is not a change."""
    _, then_period = meeting_period(eng.city, item.meeting_date, eng.as_of())
    then_period = eng.measure(m.id, then_period).period  # cut to the days with data, as `now` is
    now_period = now_citywide.period
    days = min(then_period.days, now_period.days)
    length = ""
    if then_period.days != now_period.days:
        full = max(then_period.days, now_period.days)
        length = f"the first {days} of {full} days of each period"
        then_period, now_period = (_first_days(p, days) for p in (then_period, now_period))
    f, note = Filters(), ""
    if item.area_layer and item.area_id:
        f = Filters(layer=item.area_layer, areas=(item.area_id,))
        try:
            f.check(m)
        except FilterError:
            f, note = Filters(), f"citywide: {m.title} has no figures by {item.area_layer}"
    if f == Filters() and now_period == now_citywide.period:
        now = now_citywide.value
    else:
        now = eng.measure(m.id, now_period, f).value
    if f != Filters():
        note = f"{item.area_id} ({item.area_layer})"
    then = eng.measure(m.id, then_period, f).value
    return Movement(then, now, then_period, note, length)


def _first_days(p: Period, days: int) -> Period:
    end = p.start + dt.timedelta(days=days - 1)
    return p if end == p.end else Period(p.start, end, f"{p.label} (first {days} days)", p.kind)


def what_changed(eng, snapshots, meeting: dt.date, rows: list[MeasureRow]) -> tuple[dt.date | None, list[Change]]:
    """Against the last packet made for an earlier meeting: past figures revised since (late or
    corrected records) and measures whose status changed."""
    from components.formatting import fmt_change, fmt_value

    last = snapshots.last_before(meeting)
    if last is None:
        return None, []
    last_meeting, figures = last
    by_id = {r.measure_id: r for r in rows}
    out = []
    for fig in figures:
        r = by_id.get(fig["measure_id"])
        if r is None:
            continue
        res = r.meeting
        same_as_prior = (res.prior_period is not None and res.prior_period.start == fig["period_start"]
                         and res.prior_period.end == fig["period_end"])
        if same_as_prior:
            now_value = res.prior
        else:
            p = Period(fig["period_start"], fig["period_end"], "", "meeting")
            now_value = eng.measure(r.measure_id, p).value
        old = fig["value"]
        if old is not None and now_value is not None and abs(now_value - old) > 1e-9 * max(1.0, abs(old)):
            out.append(Change(r.measure_id, r.title, "revised",
                              f"{r.title} for {fig['period_start']:%b %-d} – {fig['period_end']:%b %-d, %Y} was "
                              f"{fmt_value(old, r.unit)} in the {last_meeting:%b %-d} packet and is now "
                              f"{fmt_value(now_value, r.unit)} ({fmt_change(now_value - old)}): records were "
                              "added or corrected since."))
        if fig["status"] and fig["status"] != res.status:
            out.append(Change(r.measure_id, r.title, "status",
                              f"{r.title}: {STATUS_LABELS.get(fig['status'], fig['status'])} in the "
                              f"{last_meeting:%b %-d} packet, {STATUS_LABELS.get(res.status, res.status)} now."))
    return last_meeting, out
