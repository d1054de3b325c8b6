"""Snapshots of each generated packet's figures, so the next packet can say what changed since.

Kept in the store (beside the ledger, never in the warehouse, which every ETL load replaces) in
one table of this module's own, created idempotently through the store's SQLAlchemy engine.
Rows are only ever added: a packet made again for the same meeting adds a new generation.
The packet a meeting actually saw is the last generation made by the end of that meeting's day
(city time); when there is none (only made later), the first one made.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import Column, Date, DateTime, Float, Index, Integer, MetaData, String, Table, insert, select

metadata = MetaData()

packet_figures = Table(
    "packet_figures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("meeting_date", Date, nullable=False),
    Column("generated_at", DateTime, nullable=False),   # UTC, no zone (as the store keeps time)
    Column("measure_id", String(100), nullable=False),
    Column("window", String(16), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("value", Float, nullable=True),
    Column("status", String(16), nullable=True),
    Index("ix_packet_figures_meeting", "meeting_date", "generated_at"),
)


class Snapshots:
    def __init__(self, store, timezone: str, create: bool = True):
        self.store = store
        self.zone = ZoneInfo(timezone)
        if create:  # idempotent; a caller that already made the table may skip the write lock
            with store.write() as conn:
                metadata.create_all(conn, checkfirst=True)

    def save(self, packet) -> int:
        """Record the packet's figures (one transaction); returns the number of rows written."""
        when = packet.generated_at.astimezone(dt.timezone.utc).replace(tzinfo=None)
        rows = [dict(f, meeting_date=packet.meeting, generated_at=when) for f in packet.figures()]
        if rows:
            with self.store.write() as conn:
                conn.execute(insert(packet_figures), rows)
        return len(rows)

    def generations(self, meeting: dt.date) -> list[dt.datetime]:
        with self.store.read() as conn:
            return [r[0] for r in conn.execute(
                select(packet_figures.c.generated_at).where(packet_figures.c.meeting_date == meeting)
                .distinct().order_by(packet_figures.c.generated_at))]

    def last_before(self, meeting: dt.date) -> tuple[dt.date, list[dict]] | None:
        """(the latest earlier meeting with a packet, that packet's figures), or None."""
        with self.store.read() as conn:
            prev = conn.execute(select(packet_figures.c.meeting_date)
                                .where(packet_figures.c.meeting_date < meeting)
                                .order_by(packet_figures.c.meeting_date.desc()).limit(1)).scalar()
        if prev is None:
            return None
        gens = self.generations(prev)
        cutoff = (dt.datetime.combine(prev + dt.timedelta(days=1), dt.time(), tzinfo=self.zone)
                  .astimezone(dt.timezone.utc).replace(tzinfo=None))
        seen = [g for g in gens if g < cutoff]
        chosen = seen[-1] if seen else gens[0]
        cols = [packet_figures.c[c] for c in ("measure_id", "window", "period_start", "period_end", "value", "status")]
        with self.store.read() as conn:
            rows = conn.execute(select(*cols).where(packet_figures.c.meeting_date == prev,
                                                    packet_figures.c.generated_at == chosen)
                                .order_by(packet_figures.c.id)).mappings().all()
        return prev, [dict(r) for r in rows]
