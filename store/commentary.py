"""Commentary: per measure per meeting, "what happened and what we are doing", written by an
editor (the measure's owner) before the meeting; the meeting page shows it, the packet prints it,
and the one marked public may be shown on the public measure page.

One row per (measure, meeting) holds the current words; every version written (who, when, the
whole text) is kept in commentary_history, which the database will not alter. A write states the
version the writer saw (0: none yet), so two editors cannot silently overwrite each other.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Iterable

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from store.db import Store, as_utc, utcnow
from store.errors import ConflictError, StoreInputError
from store.schema import commentary, commentary_history

MAX_TEXT = 2000


class CommentaryInputError(StoreInputError):
    """Invalid commentary input: the message names the field ("text: ..."), on one line."""


@dataclass(frozen=True)
class Commentary:
    id: int
    measure_id: str
    meeting: dt.date
    text: str
    public: bool
    updated_by: str
    updated_at: dt.datetime
    version: int


class Commentaries:
    def __init__(self, store: Store, valid_measures: Iterable[str], clock: Callable[[], dt.datetime] = utcnow):
        self.store = store
        self.valid_measures = frozenset(valid_measures)
        self.clock = clock

    def write(self, *, measure_id: str, meeting, text: str, by: str, expected_version: int,
              public: bool = False) -> Commentary:
        """Set the commentary of `measure_id` at `meeting` over the version the writer saw
        (0 when there was none). Unchanged words and flag write nothing."""
        measure_id, meeting, text, public, who = self._clean(measure_id, meeting, text, public, by)
        if isinstance(expected_version, bool) or not isinstance(expected_version, int) or expected_version < 0:
            raise CommentaryInputError("expected_version", f"{expected_version!r} is not a version number")
        now = self.clock()
        with self.store.write() as conn:
            row = conn.execute(select(commentary).where(commentary.c.measure_id == measure_id,
                                                        commentary.c.meeting == meeting)).mappings().first()
            current = row["version"] if row else 0
            if current != expected_version:
                by_whom = f" by {row['updated_by']}" if row else ""
                raise ConflictError(f"commentary on {measure_id} for {meeting}: changed{by_whom} since "
                                    f"(now version {current}, you edited version {expected_version}); "
                                    "reload it and make your change again")
            if row and (row["text"], row["public"]) == (text, public):
                return _commentary(row)
            version = current + 1
            values = dict(text=text, public=public, updated_by=who, updated_at=now, version=version)
            try:
                if row is None:
                    cid = conn.execute(insert(commentary).values(measure_id=measure_id, meeting=meeting, **values)
                                       ).inserted_primary_key[0]
                else:
                    cid = row["id"]
                    done = conn.execute(update(commentary).where(commentary.c.id == cid,
                                                                 commentary.c.version == current).values(**values))
                    if done.rowcount != 1:
                        raise ConflictError(f"commentary on {measure_id} for {meeting}: changed by someone else "
                                            "while saving; reload it")
            except IntegrityError:  # another writer created it between our read and insert
                raise ConflictError(f"commentary on {measure_id} for {meeting}: written by someone else while "
                                    "saving; reload it") from None
            conn.execute(insert(commentary_history).values(commentary_id=cid, version=version, text=text,
                                                           public=public, changed_by=who, changed_at=now))
        return self.get(measure_id, meeting)

    def get(self, measure_id: str, meeting) -> Commentary | None:
        with self.store.read() as conn:
            row = conn.execute(select(commentary).where(commentary.c.measure_id == measure_id,
                                                        commentary.c.meeting == _day(meeting))).mappings().first()
        return _commentary(row) if row else None

    def for_meeting(self, meeting) -> dict[str, Commentary]:
        """Every measure's commentary at one meeting, by measure id."""
        with self.store.read() as conn:
            rows = conn.execute(select(commentary).where(commentary.c.meeting == _day(meeting))).mappings().all()
        return {r["measure_id"]: _commentary(r) for r in rows}

    def latest_public(self, measure_id: str, on_or_before) -> Commentary | None:
        """The newest commentary marked public for a measure at a meeting on or before the day:
        what the public measure page shows."""
        q = (select(commentary).where(commentary.c.measure_id == measure_id, commentary.c.public.is_(True),
                                      commentary.c.meeting <= _day(on_or_before))
             .order_by(commentary.c.meeting.desc()).limit(1))
        with self.store.read() as conn:
            row = conn.execute(q).mappings().first()
        return _commentary(row) if row else None

    def history(self, measure_id: str, meeting) -> list[dict]:
        """Every version written, oldest first: version, text, public, changed_by, changed_at."""
        with self.store.read() as conn:
            rows = conn.execute(
                select(commentary_history.c.version, commentary_history.c.text, commentary_history.c.public,
                       commentary_history.c.changed_by, commentary_history.c.changed_at)
                .join(commentary, commentary.c.id == commentary_history.c.commentary_id)
                .where(commentary.c.measure_id == measure_id, commentary.c.meeting == _day(meeting))
                .order_by(commentary_history.c.version)).mappings().all()
        return [dict(r, changed_at=as_utc(r["changed_at"])) for r in rows]

    def _clean(self, measure_id, meeting, text, public, by):
        if not isinstance(measure_id, str) or measure_id not in self.valid_measures:
            raise CommentaryInputError("measure_id", f"{str(measure_id)[:40]!r} is not a measure in the catalog")
        if not isinstance(text, str) or not text.strip():
            raise CommentaryInputError("text", "must not be empty: say what happened and what we are doing")
        # paragraphs kept (a commentary is a few sentences, maybe two paragraphs); spaces tidied
        text = "\n".join(" ".join(line.split()) for line in text.strip().splitlines()).strip()
        if len(text) > MAX_TEXT:
            raise CommentaryInputError("text", f"is longer than {MAX_TEXT} characters")
        if not isinstance(public, bool):
            raise CommentaryInputError("public", "must be true or false")
        if not isinstance(by, str) or not by.strip():
            raise CommentaryInputError("by", "the signed-in user making the change is missing")
        return measure_id, _day(meeting), text, public, by.strip()[:64]


def _day(value) -> dt.date:
    if isinstance(value, dt.datetime):
        raise CommentaryInputError("meeting", "is a time, not a date in the form YYYY-MM-DD")
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise CommentaryInputError("meeting", f"{str(value)[:40]!r} is not a date in the form YYYY-MM-DD") from None


def _commentary(row) -> Commentary:
    values = dict(row)
    values["updated_at"] = as_utc(values["updated_at"])
    return Commentary(**values)
