"""Annotations: dated events on a measure (or citywide) that say why a line moved, e.g. "New
foot-patrol plan in Belltown" on 12 Oct. Editors write them; the packet's and the measure charts
draw them; those marked public may be shown on the public site.

Kept beside the ledger, in the same store (SQLite or PostgreSQL), with the same discipline: every
change is a new version checked against the version the writer saw, and the history (who, when,
what) is never changed. Removing an annotation marks it deleted; the history keeps its words.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Callable, Iterable

from sqlalchemy import insert, select, update

from store.db import Store, as_utc, utcnow
from store.errors import ConflictError, NotFoundError, StoreInputError
from store.schema import annotation_history, annotations

MAX_TEXT = 500
FIELDS = ("measure_id", "day", "text", "public", "deleted")


class AnnotationInputError(StoreInputError):
    """Invalid annotation input: the message names the field ("day: ..."), on one line."""



@dataclass(frozen=True)
class Annotation:
    id: int
    measure_id: str | None   # None: citywide
    day: dt.date
    text: str
    public: bool
    deleted: bool
    created_by: str
    created_at: dt.datetime
    updated_by: str
    updated_at: dt.datetime
    version: int


class Annotations:
    def __init__(self, store: Store, valid_measures: Iterable[str], clock: Callable[[], dt.datetime] = utcnow):
        self.store = store
        self.valid_measures = frozenset(valid_measures)
        self.clock = clock

    def add(self, *, day, text: str, by: str, measure_id: str | None = None, public: bool = False) -> Annotation:
        values = self._clean({"measure_id": measure_id, "day": day, "text": text, "public": public})
        values["deleted"] = False
        who, now = _who(by), self.clock()
        with self.store.write() as conn:
            row = dict(values, created_by=who, created_at=now, updated_by=who, updated_at=now, version=1)
            new_id = conn.execute(insert(annotations).values(**row)).inserted_primary_key[0]
            _history(conn, new_id, 1, "create", who, now, {f: (None, values[f]) for f in FIELDS})
        return self.get(new_id)

    def edit(self, annotation_id: int, *, expected_version: int, by: str, **changes) -> Annotation:
        """Change text, day, measure, public or deleted of the version the writer saw."""
        unknown = sorted(set(changes) - set(FIELDS))
        if unknown:
            raise AnnotationInputError(unknown[0], "is not a field that can be edited")
        values = self._clean(changes)
        who = _who(by)
        with self.store.write() as conn:
            current = self._row(conn, annotation_id)
            if current["version"] != expected_version:
                raise ConflictError(f"annotation {annotation_id}: changed by {current['updated_by']} since "
                                    f"(now version {current['version']}, you edited version {expected_version}); "
                                    "reload it and make your change again")
            diff = {f: (current[f], v) for f, v in values.items() if current[f] != v}
            if not diff:
                return _annotation(current)
            now, version = self.clock(), expected_version + 1
            done = conn.execute(update(annotations)
                                .where(annotations.c.id == annotation_id, annotations.c.version == expected_version)
                                .values(**{f: v for f, (_, v) in diff.items()}, updated_by=who, updated_at=now,
                                        version=version))
            if done.rowcount != 1:
                raise ConflictError(f"annotation {annotation_id}: changed by someone else while saving; reload it")
            _history(conn, annotation_id, version, "delete" if diff.get("deleted", (0, 0))[1] else "edit",
                     who, now, diff)
        return self.get(annotation_id)

    def get(self, annotation_id: int) -> Annotation:
        with self.store.read() as conn:
            return _annotation(self._row(conn, annotation_id))

    def between(self, start: dt.date, end: dt.date, measure_id: str | None = None,
                public_only: bool = False) -> list[Annotation]:
        """Live annotations dated start..end for a measure, citywide ones included, oldest first;
        with no measure, every live annotation in the days."""
        q = select(annotations).where(annotations.c.day >= start, annotations.c.day <= end,
                                      annotations.c.deleted.is_(False))
        if measure_id is not None:
            q = q.where((annotations.c.measure_id == measure_id) | annotations.c.measure_id.is_(None))
        if public_only:
            q = q.where(annotations.c.public.is_(True))
        with self.store.read() as conn:
            rows = conn.execute(q.order_by(annotations.c.day, annotations.c.id)).mappings().all()
        return [_annotation(r) for r in rows]

    def history(self, annotation_id: int) -> list[dict]:
        with self.store.read() as conn:
            rows = conn.execute(select(annotation_history).where(annotation_history.c.annotation_id == annotation_id)
                                .order_by(annotation_history.c.version)).mappings().all()
        return [dict(r, changes=json.loads(r["changes"]), changed_at=as_utc(r["changed_at"])) for r in rows]

    def _clean(self, raw: dict) -> dict:
        out = {}
        for name, value in raw.items():
            if name == "measure_id":
                if value in (None, ""):
                    out[name] = None
                elif not isinstance(value, str) or value not in self.valid_measures:
                    raise AnnotationInputError(name, f"{value!r} is not a measure in the catalog")
                else:
                    out[name] = value
            elif name == "day":
                out[name] = _day(value)
            elif name == "text":
                if not isinstance(value, str) or not value.strip():
                    raise AnnotationInputError(name, "must not be empty")
                text = " ".join(value.split())
                if len(text) > MAX_TEXT:
                    raise AnnotationInputError(name, f"is longer than {MAX_TEXT} characters")
                out[name] = text
            elif name in ("public", "deleted"):
                if not isinstance(value, bool):
                    raise AnnotationInputError(name, "must be true or false")
                out[name] = value
        return out

    @staticmethod
    def _row(conn, annotation_id) -> dict:
        if isinstance(annotation_id, bool) or not isinstance(annotation_id, int):
            raise AnnotationInputError("id", f"{annotation_id!r} is not an annotation id")
        row = conn.execute(select(annotations).where(annotations.c.id == annotation_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"annotation {annotation_id}: no such annotation")
        return dict(row)


def _day(value) -> dt.date:
    if isinstance(value, dt.datetime):
        raise AnnotationInputError("day", "is a time, not a date in the form YYYY-MM-DD")
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise AnnotationInputError("day", f"{str(value)[:40]!r} is not a date in the form YYYY-MM-DD") from None


def _who(by) -> str:
    if not isinstance(by, str) or not by.strip():
        raise AnnotationInputError("by", "the signed-in user making the change is missing")
    return by.strip()[:64]


def _annotation(row) -> Annotation:
    values = dict(row)
    values["created_at"], values["updated_at"] = as_utc(values["created_at"]), as_utc(values["updated_at"])
    return Annotation(**values)


def _history(conn, annotation_id: int, version: int, action: str, who: str, when: dt.datetime, changes: dict) -> None:
    def plain(v):
        return v.isoformat() if isinstance(v, dt.date) else v
    payload = json.dumps({f: [plain(a), plain(b)] for f, (a, b) in changes.items()}, ensure_ascii=False)
    conn.execute(insert(annotation_history).values(annotation_id=annotation_id, version=version, action=action,
                                                   changed_by=who, changed_at=when, changes=payload))
