"""Which warehouse columns a column-subset file cannot speak for, so loading it never erases them.

Why: a later load wins (a changed row replaces the stored one), but a column the file does not
have is unknown, not empty. If a full export is loaded and then a subset export of the same
events (no address, no coordinates), replacing each stored row with the subset's would blank
its address and location. So before the revision check, a staged row whose key is already
stored takes the stored value of every column none of whose source fields the file has, and,
where it is empty, of every column made partly from a field the file lacks.

A column's source fields are read off the adapter's own SQL (`s.<field>` references, through
the typed columns an expression names), so this follows the adapter data with no list of its own.
"""
from __future__ import annotations

import re

from .sources.base import Adapter, norm_header


def _refs(expr: str, typed: dict[str, str], seen: frozenset = frozenset()) -> set[str]:
    out = set(re.findall(r"\bs\.([a-z0-9_]+)", expr or ""))
    for name, sub in typed.items():
        if name not in seen and re.search(rf"(?<![.\w]){name}\b", expr or ""):
            out |= _refs(sub, typed, seen | {name})
    return out


def column_fields(adapter: Adapter, vintage) -> dict[str, set[str]]:
    """Warehouse column -> the source fields it is made from (for this vintage's expressions)."""
    typed = {name: expr for name, _typ, expr in adapter.columns}
    out = {name: _refs(expr, typed) for name, expr in typed.items()}
    out["event_time"] = _refs(vintage.time or adapter.time, typed)
    out["category"] = _refs(adapter.category, typed)
    out["beat"] = _refs(adapter.beat, typed)
    out["sector"] = _refs(adapter.sector, typed) | out["beat"]
    out["precinct"] = _refs(adapter.precinct, typed) | out["sector"]
    out["latitude"] = _refs(adapter.lat, typed)
    out["longitude"] = _refs(adapter.lon, typed)
    for name, _kind, raw in adapter.demographics:
        out[name] = out[f"{name}_raw"] = _refs(raw, typed)
    return out


def uncovered(adapter: Adapter, vintage, present: set[str]) -> tuple[list[str], list[str]]:
    """(columns this file has none of the source fields for, columns it has only some of the
    vintage's fields for: `response_seconds` without `Arrived Time`, say)."""
    published = {adapter.field_of(norm_header(c)) for c in vintage.columns} - {None}
    missing = published - present
    none, some = [], []
    for c, fields in column_fields(adapter, vintage).items():
        if fields and not fields & present:
            none.append(c)
        elif fields & missing:
            some.append(c)
    return none, some


def keep_stored(con, table: str, none: list[str], some: list[str]) -> None:
    """Staged rows already stored take the stored values of the columns the file cannot speak
    for, and of the columns it can speak for only in part where it left them empty."""
    sets = [f'"{c}" = t."{c}"' for c in none] + [f'"{c}" = coalesce(g."{c}", t."{c}")' for c in some]
    if sets:
        con.execute(f'UPDATE _stage AS g SET {", ".join(sets)} FROM "{table}" AS t WHERE g.event_key = t.event_key')
