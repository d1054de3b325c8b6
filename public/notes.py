"""What people wrote that may be shown beside a public measure: the events noted on it (or
citywide) that an editor marked public, and the newest commentary marked public.

Only within the complete months the page publishes: events dated in those months, and the
commentary of a meeting whose period ended by the last published day (a meeting is the day after
the period it reviews), so the page never speaks about days its numbers do not cover yet.
Both are words a person chose to publish, never numbers: they add nothing to suppress.
"""
from __future__ import annotations

import datetime as dt


def measure_notes(store, measure_ids, v: dict) -> dict:
    """{"events": [{"date", "text", "citywide"}], "commentary": {"meeting", "text"} | None} for
    the published view `v` (public.published.measure); empty when it publishes no month."""
    from store import Annotations, Commentaries

    none = {"events": [], "commentary": None}
    if not v.get("months") or not v.get("period"):
        return none
    first = dt.date.fromisoformat(v["months"][0]["key"] + "-01")
    last = dt.date.fromisoformat(v["period"]["end"])
    events = Annotations(store, measure_ids).between(first, last, v["id"], public_only=True)
    words = Commentaries(store, measure_ids).latest_public(v["id"], last + dt.timedelta(days=1))
    return {"events": [{"date": a.day.isoformat(), "text": a.text, "citywide": a.measure_id is None} for a in events],
            "commentary": {"meeting": words.meeting.isoformat(), "text": words.text} if words else None}


def live_store():
    """The app's store for the live public site, or None when it cannot be opened (the page is
    still served, without the notes; the numbers never depend on the store)."""
    from components.store_access import get_store
    from store import StoreError

    try:
        return get_store()
    except StoreError:
        return None
