"""`python -m etl status [--db PATH] [--json]`: what has been loaded, one entry per loaded file.

Opens the warehouse read-only (safe while the app runs). `--json` prints a JSON list of objects
with file, path, dataset, vintage, checksum, started_at, finished_at, rows_read, rows_loaded,
rows_rejected, rows_duplicate, rows_derived_key (loaded rows whose damaged or missing key was
derived from their content), absent_columns (the vintage's published columns the file lacked),
format (csv, json, ndjson, geojson) and reject_reasons ({reason with its values elided: rows}),
an empty list when nothing has been loaded yet. A warehouse written before those columns
existed reports 0 / [] / csv for them.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from settings import Settings

FIELDS = ("load_id", "file", "path", "dataset", "vintage", "checksum", "started_at", "finished_at",
          "rows_read", "rows_loaded", "rows_rejected", "rows_duplicate", "rows_derived_key", "absent_columns", "format")
DEFAULTS = {"rows_derived_key": 0, "absent_columns": [], "format": "csv"}
# a reason with the values it quotes elided, so reasons group by kind ('unparseable ... date '…' in X')
REASON_KIND = "regexp_replace(reason, '''[^'']*''', '…', 'g')"


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
        have = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'load_log'")
                .fetchall()}
        cols = [f for f in FIELDS if f in have]
        rows = con.execute(f"SELECT {', '.join(cols)} FROM load_log ORDER BY load_id").fetchall()
        reasons: dict = {}
        if con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'rejects'").fetchone()[0]:
            for load_id, kind, n in con.execute(f"SELECT load_id, {REASON_KIND}, count(*) FROM rejects "
                                                "GROUP BY ALL ORDER BY 1, 3 DESC, 2").fetchall():
                reasons.setdefault(load_id, {})[kind] = n
    finally:
        con.close()
    out = []
    for row in rows:
        d = {**DEFAULTS, **dict(zip(cols, row))}
        d["absent_columns"] = list(d["absent_columns"] or [])
        d["reject_reasons"] = reasons.get(d["load_id"], {})
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
    print(f"{'dataset':14} {'vintage':18} {'read':>9} {'loaded':>9} {'rejected':>9} {'dup':>7} {'derived':>8}  file")
    for d in items:
        absent = f"  (absent: {', '.join(d['absent_columns'])})" if d["absent_columns"] else ""
        print(f"{d['dataset']:14} {d['vintage']:18} {d['rows_read']:>9} {d['rows_loaded']:>9} "
              f"{d['rows_rejected']:>9} {d['rows_duplicate']:>7} {d['rows_derived_key']:>8}  {d['file']}{absent}")
    return 0
