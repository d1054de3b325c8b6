"""`python -m etl publish --to SHARED` and `python -m etl pull --from SHARED [--every S]`:
the ETL host publishes its warehouse as an immutable versioned file; each app host pulls the
newest one and swaps it in (etl/publish.py says why and how)."""
from __future__ import annotations

import sys
from pathlib import Path

from settings import Settings


def configure_publish(parser) -> None:
    parser.add_argument("--to", type=Path, required=True, help="the shared folder app hosts pull from")
    parser.add_argument("--db", type=Path, default=None, help="warehouse to publish (default: SEASTAT_DB)")


def configure_pull(parser) -> None:
    parser.add_argument("--from", dest="shared", type=Path, required=True, help="the shared folder to pull from")
    parser.add_argument("--db", type=Path, default=None, help="this host's warehouse (default: SEASTAT_DB)")
    parser.add_argument("--every", type=float, default=None,
                        help="keep pulling every this many seconds (a host's sidecar); default: once")


def run_publish(args) -> int:
    from etl.publish import PublishError, publish
    from etl.warehouse import WarehouseBusy

    try:
        path = publish(args.db or Settings.from_env().db_path, args.to)
    except (PublishError, WarehouseBusy, OSError) as exc:
        print(str(exc).splitlines()[0], file=sys.stderr)
        return 1
    print(path)
    return 0


def run_pull(args) -> int:
    import duckdb

    from etl.publish import PublishError, pull, watch
    from etl.warehouse import WarehouseBusy

    db = args.db or Settings.from_env().db_path
    if args.every:
        try:
            watch(args.shared, db, args.every, log=lambda m: print(m, flush=True))
        except KeyboardInterrupt:
            return 0
    try:
        print(f"{db}: serving version {pull(args.shared, db)}")
    except (PublishError, WarehouseBusy, OSError, duckdb.Error) as exc:
        print(f"{db}: {str(exc).splitlines()[0]}" if isinstance(exc, duckdb.Error) else str(exc).splitlines()[0],
              file=sys.stderr)
        return 1
    return 0
