"""`python -m etl load DATASET FILE... [--db PATH]`: load raw export files into the warehouse.

All files go in one swap: if any file is unusable the command prints one line naming it,
exits 1 and the warehouse is unchanged. Prints one accounting line per file.
"""
from __future__ import annotations

import sys
from pathlib import Path

from settings import Settings

from .sources import DATASETS


def configure(parser) -> None:
    parser.add_argument("dataset", choices=DATASETS, metavar="DATASET", help=f"one of: {', '.join(DATASETS)}")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE",
                        help="export(s) of that dataset: CSV / TSV of any vintage, Socrata API JSON or GeoJSON")
    parser.add_argument("--db", type=Path, default=None,
                        help="warehouse file (default: SEASTAT_DB, else data/seastat.duckdb)")
    parser.add_argument("--progress", action="store_true", help="show a progress bar even when stderr is not a terminal")


def load_line(r) -> str:
    """One file's accounting; derived keys, absent columns and a non-CSV format only when there are any."""
    kind = "" if r.format == "csv" else f" ({r.format})"
    line = (f"{r.file}: {r.dataset} vintage {r.vintage}{kind}: read {r.rows_read}, loaded {r.rows_loaded}, "
            f"rejected {r.rows_rejected}, duplicate {r.rows_duplicate}")
    if r.rows_derived_key:
        line += f", derived keys {r.rows_derived_key}"
    if r.absent_columns:
        line += f"; absent columns: {', '.join(r.absent_columns)}"
    return line


def run(args) -> int:
    from .load import LoadError, load_files
    from .warehouse import WarehouseBusy

    settings = Settings.from_env()
    db = args.db or settings.db_path
    try:
        results = load_files(args.dataset, args.files, db, settings, progress=args.progress or sys.stderr.isatty())
    except (LoadError, WarehouseBusy) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for r in results:
        if r.skipped:
            print(f"{r.file}: already loaded (same checksum), nothing changed")
        else:
            print(load_line(r))
    print(f"warehouse: {db}")
    return 0
