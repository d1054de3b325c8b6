"""What a dataset adapter declares, and how a file's header is matched to one of its vintages.

Adapters are data, not code paths: each names its source fields (with every header spelling
seen across vintages and the Socrata API), the vintages it recognises, and SQL expressions that
turn the all-VARCHAR source fields (`s.<field>`) into canonical typed columns. etl/load.py runs
those expressions inside DuckDB, so no value is touched by per-row Python.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field


def norm_header(name: str) -> str:
    """'Offense Start DateTime' / 'offense_start_datetime' / '_100_block_address' -> one spelling."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lstrip("\ufeff").lower()).strip("_")


@dataclass(frozen=True)
class Vintage:
    """One schema generation of a dataset, recognised by the headers it must have.

    `required` entries are a field id (any of its aliases matches) or a literal normalised
    header. `key` / `time` / `time_fields` override the adapter's defaults for this vintage.
    `columns` is the whole header as that vintage was published (display names): a file that
    lacks some of them is a column subset, and the missing ones are its absent columns
    (etl/sources/sniff.py).
    """
    name: str
    required: tuple[str, ...]
    key: str | None = None
    time: str | None = None
    time_fields: tuple[str, ...] | None = None
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Adapter:
    name: str                                   # dataset name == warehouse table name
    title: str
    fields: dict[str, tuple[str, ...]]          # field id -> other accepted header spellings
    vintages: tuple[Vintage, ...]
    key: str                                    # SQL -> event_key (natural key); may name columns
    key_fields: tuple[str, ...]                 # fields whose raw text the key comes from
    time: str                                   # SQL -> event_time (TIMESTAMP, local); may name columns
    time_fields: tuple[str, ...]
    category: str                               # SQL -> category
    start: dt.date                              # first date the dataset covers (quality check)
    precinct: str = "NULL"                      # SQL -> raw precinct text (coded by the loader)
    sector: str = "NULL"
    beat: str = "NULL"
    lat: str = "NULL"                           # SQL -> DOUBLE before the city-bounds check
    lon: str = "NULL"
    columns: tuple[tuple[str, str, str], ...] = ()       # (name, SQL type, SQL expression)
    demographics: tuple[tuple[str, str, str], ...] = ()  # (name, race|gender|age|resolution, raw SQL)
    natural_key_doc: str = ""
    clock_fields: tuple[str, ...] = ()          # time-of-day fields (`clock`) the event time is built from
    notes: str = field(default="", compare=False)

    def names_of(self, field_id: str) -> set[str]:
        return {field_id, *self.fields.get(field_id, ())}

    def match(self, headers: list[str]) -> tuple[Vintage | None, tuple[int, int], list[str]]:
        """Best vintage for these (normalised) headers, its score, and what the best miss lacks."""
        present = set(headers)
        best, best_score, best_missing, closest = None, (-1, -1), [], None
        for v in self.vintages:
            missing, exact = [], 0
            for entry in v.required:
                names = self.names_of(entry) if entry in self.fields else {entry}
                if entry in present:
                    exact += 1
                elif not names & present:
                    missing.append(entry)
            if not missing:
                score = (exact, len(v.required))
                if score > best_score:
                    best, best_score = v, score
            elif closest is None or len(missing) < len(closest):
                closest = missing
        return best, best_score, ([] if best else (closest or []))

    def field_positions(self, headers: list[str]) -> dict[str, int]:
        """field id -> column position in the file (first header that spells it)."""
        pos = {}
        for fid in self.fields:
            names = self.names_of(fid)
            for i, h in enumerate(headers):
                if h in names:
                    pos[fid] = i
                    break
        return pos

    def spelled(self, headers: list[str]) -> list[str]:
        """Normalised headers, each unknown one replaced by the known name it spells without
        underscores: the early Socrata API squashed some names (`subjectrace` for
        `subject_race`, `servicerequestnumber`), so one alias list serves every spelling."""
        known = {n for fid in self.fields for n in self.names_of(fid)}
        known |= {norm_header(c) for v in self.vintages for c in v.columns}
        squashed = {}
        for n in sorted(known):
            squashed.setdefault(n.replace("_", ""), n)
        return [h if h in known else squashed.get(h.replace("_", ""), h) for h in headers]

    def field_of(self, header: str) -> str | None:
        """The field id a (normalised) header spells, or None."""
        for fid in self.fields:
            if header in self.names_of(fid):
                return fid
        return None

    def date_fields(self, vintage: Vintage | None = None) -> tuple[str, ...]:
        """Fields an event date can come from: the vintage's, else those of every vintage."""
        if vintage is not None:
            return tuple(vintage.time_fields or self.time_fields)
        out: list[str] = []
        for v in self.vintages:
            out += [f for f in (v.time_fields or self.time_fields) if f not in out]
        return tuple(out)

    def display_name(self, field_id: str) -> str:
        """How a field's header is written in the published files (the first vintage that has it)."""
        for v in self.vintages:
            for col in v.columns:
                if self.field_of(norm_header(col)) == field_id:
                    return col
        return field_id

    @property
    def table(self) -> str:
        return self.name

    def schema(self) -> dict[str, str]:
        """The event table's columns in order -> DuckDB type (docs/SCHEMA.md)."""
        cols = dict(COMMON_COLUMNS)
        cols.update({name: typ for name, typ, _expr in self.columns})
        for name, _kind, _raw in self.demographics:
            cols[name] = cols[f"{name}_raw"] = "VARCHAR"
        cols.update(BOOK_COLUMNS)
        return cols


COMMON_COLUMNS = (("event_key", "VARCHAR"), ("key_quality", "VARCHAR"), ("event_time", "TIMESTAMP"), ("category", "VARCHAR"),
                  ("precinct", "VARCHAR"), ("sector", "VARCHAR"), ("beat", "VARCHAR"),
                  ("latitude", "DOUBLE"), ("longitude", "DOUBLE"))
BOOK_COLUMNS = (("source_file", "VARCHAR"), ("source_row", "BIGINT"), ("vintage", "VARCHAR"))
