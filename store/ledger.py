"""The commitments ledger: decisions and action items recorded at performance meetings.

Each item says what, who owns it, when it is due, which measure (and optionally which area) it
concerns, and its status (open / done / dropped). Every create, edit and close appends an
immutable history row (who, when, each changed field from -> to), in the same transaction as
the change. Edits carry the version the editor last saw (optimistic concurrency): if someone
saved in between, the edit is refused with ConflictError instead of overwriting their work.
Open items come back at later meetings through `open_items(meeting)` with their age in days;
the packet adds the related measure's movement since the item's meeting (engine's job).
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, insert, select, update

from city import City
from store.db import Store, as_utc, utcnow
from store.errors import ConflictError, NotFoundError, StoreInputError, shown
from store.schema import KINDS, STATUSES, ledger_history, ledger_items

# Fields a user sets; the rest (id, created_*, updated_*, version) the ledger keeps itself.
FIELDS = ("kind", "text", "owner", "due_date", "measure_id", "area_layer", "area_id", "status",
          "notes", "meeting_date")
CLOSED = ("done", "dropped")
MAX_TEXT, MAX_OWNER, MAX_NOTES, MAX_AREA = 2000, 200, 20000, 200
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LAYER = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class LedgerInputError(StoreInputError):
    """Invalid ledger input (bad due date, empty owner, unknown measure, not a meeting date)."""


def meeting_on_or_before(city: City, day: dt.date) -> dt.date:
    """The latest meeting date on or before `day`, by the engine's one meeting-calendar rule."""
    from engine.periods import meeting_start  # imported when used: it loads the whole engine

    return meeting_start(day, city.meeting_anchor, city.meeting_every_days)


def is_meeting_date(city: City, day: dt.date) -> bool:
    """True when `day` falls on the city's meeting rhythm (anchor + a multiple of the interval)."""
    return meeting_on_or_before(city, day) == day


@dataclass(frozen=True)
class Item:
    id: int
    kind: str
    text: str
    owner: str
    due_date: dt.date | None
    measure_id: str | None
    area_layer: str | None
    area_id: str | None
    status: str
    notes: str
    meeting_date: dt.date
    created_by: str
    created_at: dt.datetime
    updated_by: str
    updated_at: dt.datetime
    version: int


@dataclass(frozen=True)
class HistoryEntry:
    item_id: int
    version: int
    action: str  # create / edit / close / reopen
    changed_by: str
    changed_at: dt.datetime
    changes: dict[str, tuple[object, object]]  # field -> (from, to); dates as YYYY-MM-DD text


@dataclass(frozen=True)
class OpenItem:
    """An item open at the meeting asked about; `item` shows it as it is now (it may be closed since)."""

    item: Item
    age_days: int  # days from the meeting where it was made to the meeting asked about
    overdue: bool  # due before the meeting asked about


class Ledger:
    """Read and write ledger items. `valid_measures` is the catalog's measure ids."""

    def __init__(self, store: Store, city: City, valid_measures: Collection[str],
                 valid_areas: Mapping[str, Collection[str]] | None = None,
                 clock: Callable[[], dt.datetime] = utcnow):
        self.store = store
        self.clock = clock  # naive UTC "now"; a test may pass a fixed one
        self.city = city
        self.valid_measures = frozenset(valid_measures)
        self.valid_areas = valid_areas  # layer -> area ids; None: any well-formed layer and id

    # ---- writes -------------------------------------------------------------------------

    def create(self, *, kind: str, text: str, owner: str, meeting_date, by: str, due_date=None,
               measure_id: str | None = None, area: tuple[str, str] | None = None,
               notes: str = "", status: str = "open") -> Item:
        """Record a new decision or action item made at `meeting_date`; returns it (version 1)."""
        values = self._clean({"kind": kind, "text": text, "owner": owner, "due_date": due_date,
                              "measure_id": measure_id, "area": area, "notes": notes,
                              "status": status, "meeting_date": meeting_date})
        self._check_item(values)
        who = _who(by)
        now = self.clock()
        with self.store.write() as conn:
            row = dict(values, created_by=who, created_at=now, updated_by=who, updated_at=now, version=1)
            item_id = conn.execute(insert(ledger_items).values(**row)).inserted_primary_key[0]
            changes = {f: (None, values[f]) for f in FIELDS if values[f] not in (None, "")}
            _append_history(conn, item_id, 1, "create", who, now, changes)
        return self.get(item_id)

    def edit(self, item_id: int, *, expected_version: int, by: str, **changes) -> Item:
        """Change some fields of an item last read at `expected_version`.

        Fields: kind, text, owner, due_date, measure_id, area (a (layer, id) pair or None),
        status, notes, meeting_date. Raises ConflictError when the item has moved on since.
        Saving the same values again changes nothing and adds no history.
        """
        unknown = sorted(set(changes) - set(FIELDS) - {"area"} | ({"area_layer", "area_id"} & set(changes)))
        if unknown:
            raise LedgerInputError(unknown[0], "is not a field that can be edited")
        values = self._clean(changes)
        who = _who(by)
        with self.store.write() as conn:
            current = self._row(conn, item_id)
            if current["version"] != expected_version:
                raise ConflictError(
                    f"item {item_id}: changed by {current['updated_by']} at "
                    f"{as_utc(current['updated_at']):%Y-%m-%d %H:%M} UTC (now version {current['version']}, "
                    f"you edited version {expected_version}); reload it and make your change again")
            merged = {f: current[f] for f in FIELDS} | values
            self._check_item(merged)
            diff = {f: (current[f], merged[f]) for f in FIELDS if merged[f] != current[f]}
            if not diff:
                return _item(current)
            now = self.clock()
            version = expected_version + 1
            done = conn.execute(
                update(ledger_items)
                .where(ledger_items.c.id == item_id, ledger_items.c.version == expected_version)
                .values(**{f: merged[f] for f in diff}, updated_by=who, updated_at=now, version=version))
            if done.rowcount != 1:  # a server database without BEGIN IMMEDIATE: lost the race
                raise ConflictError(f"item {item_id}: changed by someone else while saving; reload it "
                                    "and make your change again")
            _append_history(conn, item_id, version, _action(diff), who, now, diff)
        return self.get(item_id)

    def close(self, item_id: int, *, expected_version: int, by: str, status: str = "done",
              note: str | None = None) -> Item:
        """Mark an item done or dropped, optionally adding a note (appended to its notes)."""
        if status not in CLOSED:
            raise LedgerInputError("status", f"{shown(status)} does not close an item: use done or dropped")
        changes: dict = {"status": status}
        if note is not None and note.strip():
            current = self.get(item_id)
            changes["notes"] = (current.notes + "\n" if current.notes else "") + note.strip()
        return self.edit(item_id, expected_version=expected_version, by=by, **changes)

    # ---- reads --------------------------------------------------------------------------

    def get(self, item_id: int) -> Item:
        with self.store.read() as conn:
            return _item(self._row(conn, item_id))

    def items(self, *, meeting_date=None, status: str | None = None) -> list[Item]:
        """Items made at one meeting and/or with one status, oldest first."""
        query = select(ledger_items).order_by(ledger_items.c.meeting_date, ledger_items.c.id)
        if meeting_date is not None:
            query = query.where(ledger_items.c.meeting_date == self._clean({"meeting_date": meeting_date})["meeting_date"])
        if status is not None:
            query = query.where(ledger_items.c.status == self._clean({"status": status})["status"])
        with self.store.read() as conn:
            return [_item(r) for r in conn.execute(query).mappings()]

    def history(self, item_id: int) -> list[HistoryEntry]:
        """Every change to an item, oldest first; the first entry is its creation."""
        with self.store.read() as conn:
            self._row(conn, item_id)
            rows = conn.execute(select(ledger_history).where(ledger_history.c.item_id == item_id)
                                .order_by(ledger_history.c.version)).mappings().all()
        return [HistoryEntry(item_id=r["item_id"], version=r["version"], action=r["action"],
                             changed_by=r["changed_by"], changed_at=as_utc(r["changed_at"]),
                             changes={f: tuple(v) for f, v in json.loads(r["changes"]).items()})
                for r in rows]

    def open_items(self, as_of_meeting) -> list[OpenItem]:
        """Items made at earlier meetings that were still open at the end of `as_of_meeting`'s day.

        Status is replayed from the history, so a past meeting's packet can be made again and
        show what was open then (an item closed later still counts as open at that meeting).
        Items made at `as_of_meeting` itself are new business there, not carried over.
        """
        meeting = self._clean({"meeting_date": as_of_meeting})["meeting_date"]
        zone = ZoneInfo(self.city.timezone)
        cutoff = (dt.datetime.combine(meeting + dt.timedelta(days=1), dt.time(), tzinfo=zone)
                  .astimezone(dt.timezone.utc).replace(tzinfo=None))
        with self.store.read() as conn:
            rows = conn.execute(select(ledger_items).where(ledger_items.c.meeting_date < meeting)
                                .order_by(ledger_items.c.meeting_date, ledger_items.c.id)).mappings().all()
            events = conn.execute(
                select(ledger_history.c.item_id, ledger_history.c.action, ledger_history.c.changes,
                       ledger_history.c.changed_at)
                .join(ledger_items, ledger_items.c.id == ledger_history.c.item_id)
                .where(ledger_items.c.meeting_date < meeting, ledger_history.c.action != "edit")
                .order_by(ledger_history.c.item_id, ledger_history.c.version)).all()
        status: dict[int, str] = {}
        for item_id, action, changes, changed_at in events:
            new = json.loads(changes).get("status")
            # The creation counts whenever it was typed in: the item exists from its meeting on.
            if new is not None and (action == "create" or changed_at < cutoff):
                status[item_id] = new[1]
        return [OpenItem(item=_item(r), age_days=(meeting - r["meeting_date"]).days,
                         overdue=r["due_date"] is not None and r["due_date"] < meeting)
                for r in rows if status.get(r["id"], "open") == "open"]

    # ---- validation ---------------------------------------------------------------------

    def _clean(self, raw: dict) -> dict:
        """Check and normalise the fields present in `raw`; the first bad one raises."""
        out: dict = {}
        for name, value in raw.items():
            if name == "kind":
                out[name] = _choice(name, value, KINDS)
            elif name == "status":
                out[name] = _choice(name, value, STATUSES)
            elif name == "text":
                out[name] = _required_text(name, value, MAX_TEXT)
            elif name == "owner":  # required for an action item only (_check_item): a decision may have none
                owner = "" if value is None else value
                if not isinstance(owner, str) or len(owner) > MAX_OWNER:
                    raise LedgerInputError(name, f"must be text of at most {MAX_OWNER} characters")
                owner = owner.strip()
                if "\n" in owner or "\r" in owner:
                    raise LedgerInputError(name, "must be one line")
                out[name] = owner
            elif name == "notes":
                notes = "" if value is None else value
                if not isinstance(notes, str) or len(notes) > MAX_NOTES:
                    raise LedgerInputError(name, f"must be text of at most {MAX_NOTES} characters")
                out[name] = notes.strip()
            elif name == "due_date":
                out[name] = None if value in (None, "") else _date(name, value)
            elif name == "meeting_date":
                day = _date(name, value)
                if not is_meeting_date(self.city, day):
                    before = meeting_on_or_before(self.city, day)
                    after = before + dt.timedelta(days=self.city.meeting_every_days)
                    raise LedgerInputError(name, f"{day.isoformat()} is not a meeting date (the nearest are "
                                           f"{before.isoformat()} and {after.isoformat()})")
                out[name] = day
            elif name == "measure_id":
                if value in (None, ""):
                    out[name] = None
                elif not isinstance(value, str) or value not in self.valid_measures:
                    raise LedgerInputError(name, f"{shown(value)} is not a measure in the catalog")
                else:
                    out[name] = value
            elif name == "area":
                out["area_layer"], out["area_id"] = self._area(value)
            else:
                raise LedgerInputError(name, "is not a ledger field")
        return out

    def _area(self, value) -> tuple[str | None, str | None]:
        if value is None:
            return None, None
        if not (isinstance(value, (tuple, list)) and len(value) == 2):
            raise LedgerInputError("area", "must be a (layer, area id) pair or nothing")
        layer, area_id = value
        if not isinstance(layer, str) or not _LAYER.match(layer):
            raise LedgerInputError("area", f"layer {shown(layer)} is not a layer name")
        if not isinstance(area_id, str) or not area_id.strip() or len(area_id) > MAX_AREA:
            raise LedgerInputError("area", f"area id {shown(area_id)} is empty or too long")
        if self.valid_areas is not None:
            if layer not in self.valid_areas:
                raise LedgerInputError("area", f"layer {shown(layer)} is not a boundary layer")
            if area_id.strip() not in self.valid_areas[layer]:
                raise LedgerInputError("area", f"{shown(area_id)} is not an area of layer {layer}")
        return layer, area_id.strip()

    @staticmethod
    def _check_item(values: dict) -> None:
        """Rules across fields, checked on the item as it would be saved."""
        if values["kind"] == "action" and not values["owner"]:
            raise LedgerInputError("owner", "must not be empty for an action item (a decision may have none)")
        if values["kind"] == "action" and values["due_date"] is None:
            raise LedgerInputError("due_date", "an action item needs a due date (YYYY-MM-DD)")
        if values["due_date"] is not None and values["due_date"] < values["meeting_date"]:
            raise LedgerInputError("due_date", f"{values['due_date']} is before the meeting "
                                   f"({values['meeting_date']}) where the item was made")

    @staticmethod
    def _row(conn: Connection, item_id) -> dict:
        if isinstance(item_id, bool) or not isinstance(item_id, int):
            raise LedgerInputError("id", f"{shown(item_id)} is not an item id")
        row = conn.execute(select(ledger_items).where(ledger_items.c.id == item_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"item {item_id}: no such ledger item")
        return dict(row)


def _item(row) -> Item:
    values = dict(row)
    values["created_at"] = as_utc(values["created_at"])
    values["updated_at"] = as_utc(values["updated_at"])
    return Item(**values)


def _action(diff: dict) -> str:
    """create / close / reopen are the only actions that change status; open_items relies on it."""
    if "status" in diff:
        return "reopen" if diff["status"][1] == "open" else "close"
    return "edit"


def _append_history(conn: Connection, item_id: int, version: int, action: str, who: str,
                    when: dt.datetime, changes: dict) -> None:
    def plain(v):
        return v.isoformat() if isinstance(v, dt.date) else v

    payload = json.dumps({f: [plain(a), plain(b)] for f, (a, b) in changes.items()}, ensure_ascii=False)
    conn.execute(insert(ledger_history).values(item_id=item_id, version=version, action=action,
                                               changed_by=who, changed_at=when, changes=payload))


def _who(by) -> str:
    if not isinstance(by, str) or not by.strip():
        raise LedgerInputError("by", "the signed-in user making the change is missing")
    return by.strip()[:64]


def _choice(name: str, value, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise LedgerInputError(name, f"{shown(value)} is not one of {', '.join(allowed)}")
    return value


def _required_text(name: str, value, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise LedgerInputError(name, "must not be empty")
    if len(value) > limit:
        raise LedgerInputError(name, f"is longer than {limit} characters")
    return value.strip()


def _date(name: str, value) -> dt.date:
    if isinstance(value, dt.datetime):
        raise LedgerInputError(name, f"{shown(str(value))} is a time, not a date in the form YYYY-MM-DD")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise LedgerInputError(name, f"{shown(value)} is not a real date") from None
    raise LedgerInputError(name, f"{shown(value)} is not a date in the form YYYY-MM-DD")
