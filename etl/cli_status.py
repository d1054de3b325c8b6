"""`python -m etl status [--db PATH] [--json]`: what has been loaded, one entry per loaded file.

Opens the warehouse read-only (safe while the app runs). `--json` prints a JSON list of objects
with file, path, dataset, vintage, checksum, started_at, finished_at, rows_read, rows_loaded,
rows_rejected, rows_duplicate (an empty list when nothing has been loaded yet).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from settings import Settings

FIELDS = ("load_id", "file", "path", "dataset", "vintage", "checksum", "started_at", "finished_at",
          "rows_read", "rows_loaded", "rows_rejected", "rows_duplicate")


def configure(parser) -> None:
    parser.add_argument("--db", type=Path, default=None,
                        help="warehouse file (default: SEASTAT_DB, else data/seastat.duckdb)")
    parser.add_argument("--json", action="store_true", help="print a JSON list, one object per loaded file")


def entries(db: Path) -> list[dict]:
    import duckdb

    if not Path(db).exists():
        return []
    con = duckdb.connect(str(db), read_only=True)
    try:
        if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'load_log'").fetchone()[0]:
            return []
        rows = con.execute(f"SELECT {', '.join(FIELDS)} FROM load_log ORDER BY load_id").fetchall()
    finally:
        con.close()
    out = []
    for row in rows:
        d = dict(zip(FIELDS, row))
        for k in ("started_at", "finished_at"):
            d[k] = d[k].isoformat(timespec="seconds") if d[k] else None
        out.append(d)
    return out


def run(args) -> int:
    db = args.db or Settings.from_env().db_path
    try:
        items = entries(db)
    except Exception as exc:  # a corrupt or locked file: say which, one line
        print(f"error: {db}: cannot read the warehouse ({str(exc).splitlines()[0]})", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(items, indent=1))
        return 0
    if not items:
        print(f"{db}: nothing loaded yet")
        return 0
    print(f"{'dataset':14} {'vintage':18} {'read':>9} {'loaded':>9} {'rejected':>9} {'dup':>7}  file")
    for d in items:
        print(f"{d['dataset']:14} {d['vintage']:18} {d['rows_read']:>9} {d['rows_loaded']:>9} "
              f"{d['rows_rejected']:>9} {d['rows_duplicate']:>7}  {d['file']}")
    return 0
