"""`python -m packet [--date YYYY-MM-DD] --out packet.pdf`: the meeting packet as a PDF.

The date defaults to the next meeting (the first meeting day on or after today, city time). The
packet's figures are recorded in the store (SEASTAT_LEDGER) so the next packet can say what
changed; `--no-record` makes a packet without recording it. Errors are one line on stderr:
exit 2 for bad input, 1 when there is no warehouse or store to read.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m packet", description=__doc__.splitlines()[0])
    ap.add_argument("--date", help="meeting date YYYY-MM-DD (default: the next meeting)")
    ap.add_argument("--out", required=True, help="PDF file to write")
    ap.add_argument("--layer", default="mcpp", help="boundary layer for hot spots (default mcpp)")
    ap.add_argument("--db", help="warehouse (default: SEASTAT_DB)")
    ap.add_argument("--ledger", help="store URL (default: SEASTAT_LEDGER)")
    ap.add_argument("--no-record", action="store_true", help="do not record this packet's figures")
    args = ap.parse_args(argv)

    from dataclasses import replace

    from engine import CatalogError, Engine, WarehouseMissing
    from packet.calendar import MeetingDateError, next_meeting, parse_meeting_date
    from settings import Settings, SettingsError

    started = time.perf_counter()
    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        return _fail(f"--out {out}: the file name must end in .pdf", 2)
    if not out.parent.is_dir():
        return _fail(f"--out {out}: folder {out.parent} does not exist", 2)
    try:
        s = Settings.from_env()
    except SettingsError as exc:
        return _fail(str(exc), 2)
    if args.db:
        s = replace(s, db_path=Path(args.db))
    if args.ledger:
        s = replace(s, ledger_url=args.ledger)
    try:
        eng = Engine.open(s)
        eng.as_of()
    except WarehouseMissing as exc:
        return _fail(str(exc).splitlines()[0], 1)
    except CatalogError as exc:
        return _fail(str(exc), 1)
    try:
        meeting = parse_meeting_date(eng.city, args.date) if args.date else next_meeting(eng.city)
    except MeetingDateError as exc:
        return _fail(f"--date: {exc}", 2)
    if args.layer not in set(eng.layers()["layer"]):
        known = ", ".join(eng.layers()["layer"]) or "none loaded"
        return _fail(f"--layer {args.layer!r} is not a boundary layer in the warehouse (known: {known})", 2)

    from packet.pdf import packet_pdf
    from packet.snapshots import Snapshots
    from store import Annotations, Commentaries, Ledger, StoreError, open_store

    try:
        store = open_store(s.ledger_url)
    except StoreError as exc:
        return _fail(str(exc), 1)
    ledger = Ledger(store, eng.city, eng.catalog.measures.keys())
    snaps = Snapshots(store, eng.city.timezone)
    pkt, data = packet_pdf(eng, meeting, ledger=ledger, snapshots=None if args.no_record else snaps,
                           layer=args.layer, annotations=Annotations(store, eng.catalog.measures.keys()),
                           commentary=Commentaries(store, eng.catalog.measures.keys()))
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(out)
    print(f"packet for the meeting of {meeting.isoformat()} ({pkt.period.label}; data as of {pkt.as_of}): "
          f"{out} ({len(data):,} bytes, {len(pkt.flags)} flags, {len(pkt.carried)} open items) "
          f"in {time.perf_counter() - started:.1f} s")
    return 0


def _fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
