"""Load raw files into the warehouse: detect the vintage, parse, normalise, account, upsert.

Why this shape: every row read must end up loaded, rejected (with a reason) or dropped as a
duplicate of its natural key, and a bad file must leave the warehouse untouched. So all files
of a call are checked first (etl/sources/sniff.py), then loaded into one copy of the warehouse
that is swapped in once (etl/warehouse.py). Parsing and normalising happen in DuckDB:
`read_csv` with every column VARCHAR, then one INSERT ... SELECT of the adapter's expressions.

Accounting, per file (`load_log`): rows_read = records DuckDB split + malformed lines;
rows_rejected = malformed lines + rows with no usable event date (nothing can count them);
rows_duplicate = rows whose event key appeared earlier in the same file (the first is kept) +
rows identical to what the warehouse already holds; rows_loaded = new or revised rows, of
which rows_derived_key had a damaged or missing natural key and got one derived from their
content (etl/keys.py). `absent_columns` are the file's vintage's published columns it lacks
(a column subset; etl/sources/sniff.py); `format` is what its content is (etl/formats.py).

Speed (bench/bench_etl_load.py, 2021-format crime, 2-core machine with nothing else running):
1M rows in 3.4-3.8 s end to end (261k-290k rows/s), 10M in 25.7-27.4 s (366k-390k rows/s), peak
RSS 1.1 GB; about 5-7 CPU-seconds per million rows plus 0.43 s of fixed cost per command. Most
of it is the staging statement (parse, normalise, compressed write), which DuckDB runs on both
cores (record numbers come from the staged table's rowid, not a window). Aggregates, quality
checks, counts and rejects are each well under 1 CPU-s per million rows. Into a warehouse that
already holds 1M rows with boundaries (the next export: half the same rows, half new) a load
takes 12-13 CPU-s per million rows: staging 5, revision check + upsert ~2.3, area assignment ~3,
aggregates ~3 (bench/bench_etl_load.py has the figures).

Revisions: a later load wins. A row whose key is already in the table replaces the stored row
when any value differs. A file whose checksum was already loaded for that dataset is skipped
whole, so re-loading an older export after a newer one does not undo the newer revisions.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from city import load_city
from settings import Settings

from . import formats, keys, postload, quality, subsets, warehouse
from .sources import ADAPTERS, get
from .sources.base import Adapter
from .sources.sniff import FileProblem, Inspected, inspect
from .sources.sqlfuncs import CATEGORY_MACROS, install, install_formats

BOOK = ("source_file", "source_row", "vintage")
STEPS = ("read", "normalise", "rejects", "upsert", "quality")


class LoadError(Exception):
    """A file cannot be loaded; str() is one line naming the file. Nothing was loaded."""


@dataclass
class LoadResult:
    file: str
    path: str
    dataset: str
    vintage: str
    checksum: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_duplicate: int = 0
    rows_derived_key: int = 0
    absent_columns: tuple[str, ...] = ()
    format: str = "csv"
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    load_id: int | None = None
    skipped: bool = False  # same checksum already loaded: nothing done

    def as_dict(self) -> dict:
        d = asdict(self)
        for k in ("started_at", "finished_at"):
            d[k] = d[k].isoformat(timespec="seconds") if d[k] else None
        d["absent_columns"] = list(self.absent_columns)
        return d


def checksum(path: Path) -> str:
    with open(path, "rb") as fh:
        return "sha256:" + hashlib.file_digest(fh, "sha256").hexdigest()


def load_files(dataset: str, paths: list[Path], db_path: Path, settings: Settings | None = None,
               progress: bool = True) -> list[LoadResult]:
    """Load files of one dataset in one swap. Raises LoadError (nothing loaded) for a bad file."""
    return load_many({dataset: list(paths)}, db_path, settings, progress)


def load_many(batch: dict[str, list[Path]], db_path: Path, settings: Settings | None = None,
              progress: bool = True) -> list[LoadResult]:
    """Load several datasets' files into the warehouse in ONE swap (all or nothing)."""
    with formats.scratch(db_path) as work:  # a JSON / GeoJSON file becomes a CSV here (etl/formats.py)
        return _load_many(batch, db_path, settings, progress, work)


def _load_many(batch: dict[str, list[Path]], db_path: Path, settings: Settings | None, progress: bool,
               work: Path) -> list[LoadResult]:
    settings = settings or Settings.from_env()
    city = load_city(settings.city_config)
    plans: list[tuple[Adapter, Inspected]] = []
    for dataset, paths in batch.items():
        try:
            adapter = get(dataset)
        except KeyError as exc:
            raise LoadError(exc.args[0]) from None
        for p in paths:
            try:
                plans.append((adapter, inspect(Path(p), adapter, ADAPTERS, work)))
            except FileProblem as exc:
                raise LoadError(str(exc)) from None
    bar = _bar(len(plans) * len(STEPS), progress)
    results: list[LoadResult] = []
    try:
        with warehouse.lock(db_path), warehouse.build(db_path) as con:
            install(con, city)
            keys.upgrade_bookkeeping(con)
            seen = set(con.execute("SELECT dataset, checksum FROM load_log").fetchall())
            for adapter, insp in plans:
                digest = checksum(insp.path)
                if (adapter.name, digest) in seen:
                    results.append(LoadResult(insp.path.name, str(insp.path), adapter.name, insp.vintage.name,
                                              digest, skipped=True))
                    bar.update(len(STEPS))
                    continue
                seen.add((adapter.name, digest))
                try:
                    results.append(_load_one(con, adapter, insp, digest, city, bar))
                except duckdb.Error as exc:
                    msg = str(exc).strip().splitlines()[0]
                    raise LoadError(f"{insp.path}: could not be read as {adapter.name} {insp.kind.upper()}: {msg}") from None
            changed = [r for r in results if not r.skipped]
            if not changed:
                raise warehouse.Discard()
            postload.run(con, sorted({r.dataset for r in changed}), settings)
    finally:
        bar.close()
    return results


class _NoBar:
    def update(self, n=1):
        pass

    def set_description(self, s):
        pass

    def close(self):
        pass


def _bar(total: int, progress: bool):
    if not progress:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="step", file=sys.stderr, leave=False)


def _reason_sql(adapter: Adapter, insp: Inspected) -> str:
    """SQL (over the staged columns) for why a row cannot be loaded; NULL = it can.

    Only a missing or unusable event date rejects a row: nothing could count it. A damaged or
    missing key does not (etl/keys.py derives one)."""
    fields = _time_fields(adapter, insp)
    bad = [f"CASE WHEN f.{f} IS NOT NULL THEN 'unparseable or impossible date ''' || trim(f.{f}) || "
           f"''' in {_sql_text(insp.header[insp.positions[f]])}' END" for f in fields]
    missing = "'missing date (" + ", ".join(_sql_text(insp.header[insp.positions[f]]) for f in fields) + ")'"
    return f"CASE WHEN event_time IS NULL THEN coalesce({', '.join(bad + [missing])}) END"


def _key_fields(adapter: Adapter, insp: Inspected) -> list[str]:
    """The fields this file's key is made of (those it has)."""
    expr = insp.vintage.key or adapter.key
    return [f for f in dict.fromkeys(re.findall(r"\bs\.([a-z0-9_]+)", expr)) if f in insp.positions]


def _sql_text(s: str) -> str:
    """Text from a file's header, made safe inside a SQL string literal."""
    return s.replace("'", "''")


def _time_fields(adapter: Adapter, insp: Inspected) -> list[str]:
    return [f for f in (insp.vintage.time_fields or adapter.time_fields) if f in insp.positions]


def _read_sql(insp: Inspected, numbered: bool = False) -> str:
    """The file as all-VARCHAR columns c0..cN, read in parallel.

    No record number here: a window (`row_number() OVER ()`) would keep the whole pipeline on
    one thread. `_stage` is written in insertion order (preserve_insertion_order), so after the
    CREATE its rowid + 1 is the record number (records DuckDB could split, counted from 1: the
    same count the window gave), set by one UPDATE before any row is deleted.
    `numbered` adds `__row` (record number) for an adapter whose expressions need the file's
    order (OIS numbers an incident's officers); that read runs on one thread.
    Lines DuckDB cannot split go to the `_csv_rejects` table.
    """
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(insp.header))) + "}"
    number = ", row_number() OVER () AS __row" if numbered else ""
    return (f"SELECT *{number} FROM read_csv($path, header = true, auto_detect = false, "
            f"columns = {columns}, delim = $delim, quote = '\"', escape = '\"', strict_mode = true, "
            "store_rejects = true, rejects_table = '_csv_rejects', rejects_scan = '_csv_scan', max_line_size = 20000000)")


def _needs_order(adapter: Adapter, insp: Inspected) -> bool:
    v = insp.vintage
    return any("__row" in (e or "") for e in (v.key, v.time, adapter.key, adapter.time, adapter.category))


def _source_sql(adapter: Adapter, insp: Inspected) -> str:
    cols = [f"nz(c{insp.positions[f]}) AS {f}" if f in insp.positions else f"CAST(NULL AS VARCHAR) AS {f}"
            for f in adapter.fields]  # each field cleaned once, here (etl/sources/sqlfuncs.py)
    raw = [f"c{i}" for i in range(len(insp.header))]
    numbered = _needs_order(adapter, insp)
    raw += ["__row"] if numbered else []
    return f"SELECT {', '.join(cols + raw)} FROM ({_read_sql(insp, numbered)})"


HELPERS = ("_reason", "_raw_text", "_lat_raw", "_lon_raw", "_precinct_raw", "_sector_raw", "_beat_raw")


def _late(expr: str) -> str:
    """key / time / category run after the typed columns: there `s.<field>` is the raw field `f.<field>`."""
    return re.sub(r"\bs\.", "f.", expr)


def _stage_sql(adapter: Adapter, insp: Inspected) -> str:
    """One pass over the file, four cheap levels (DuckDB runs them as one pipeline):

    1. typed columns from the raw fields (`s.<field>`; the raw row is kept as struct `f`),
    2. key, event_time, category (may name level-1 columns, so each timestamp is parsed once),
       codes and city bounds,
    3. the reject reason, 4. the table's column order plus helpers (reject text only for rejects).
    Nested SELECTs rather than lateral aliases: DuckDB re-binds an alias at every use.
    """
    v = insp.vintage
    typed = [
        f"precinct_code({adapter.precinct}) AS _precinct_c",
        f"sector_code({adapter.sector}) AS _sector_c",
        f"beat_code({adapter.beat}) AS _beat_c",
        f"CAST({adapter.lat} AS DOUBLE) AS _lat_in",
        f"CAST({adapter.lon} AS DOUBLE) AS _lon_in",
        f"{adapter.precinct} AS _precinct_in", f"{adapter.sector} AS _sector_in",
        f"{adapter.beat} AS _beat_in",
        "$file AS source_file", "$vintage AS vintage",
    ]
    typed += [f"CAST({expr} AS {typ}) AS {name}" for name, typ, expr in adapter.columns]
    for name, kind, rawf in adapter.demographics:
        typed += [f"{CATEGORY_MACROS[kind]}({rawf}) AS {name}", f"{_as_published(rawf, insp)} AS {name}_raw"]
    derived = [
        f"CAST({_late(v.key or adapter.key)} AS VARCHAR) AS _src_key",
        f"CAST({_late(v.time or adapter.time)} AS TIMESTAMP) AS event_time",
        f"CAST({_late(adapter.category)} AS VARCHAR) AS category",
        "coalesce(_sector_c, _beat_c[1]) AS sector",
        "coalesce(_precinct_c, sector_precinct(coalesce(_sector_c, _beat_c[1]))) AS precinct",
        "_beat_c AS beat",
        "CASE WHEN in_city(_lat_in, _lon_in) THEN _lat_in END AS latitude",
        "CASE WHEN in_city(_lat_in, _lon_in) THEN _lon_in END AS longitude",
    ]
    text = "concat_ws($delim, " + ", ".join(f"coalesce(f.c{i}, '')" for i in range(len(insp.header))) + ")"
    # helpers for the quality checks, kept only where they say something (mostly NULL: cheap to write)
    final = [("CAST(NULL AS BIGINT) AS source_row" if c == "source_row" else c) for c in adapter.schema()] + [
        "_reason", f"CASE WHEN _reason IS NOT NULL THEN {text} END AS _raw_text",
        "CASE WHEN latitude IS NULL THEN _lat_in END AS _lat_raw",
        "CASE WHEN latitude IS NULL THEN _lon_in END AS _lon_raw",
        "CASE WHEN _precinct_c IS NULL THEN _precinct_in END AS _precinct_raw",
        "CASE WHEN _sector_c IS NULL THEN _sector_in END AS _sector_raw",
        "CASE WHEN _beat_c IS NULL THEN _beat_in END AS _beat_raw",
    ]
    level1 = f"SELECT s AS f, {', '.join(typed)} FROM ({_source_sql(adapter, insp)}) s"
    level2 = f"SELECT b.*, {', '.join(derived)} FROM ({level1}) b"
    content = [c for c in adapter.schema() if c not in BOOK and c not in ("event_key", "key_quality")]
    level2k = (f"SELECT k.* EXCLUDE (_src_key), {', '.join(keys.key_columns_sql(_key_fields(adapter, insp), content))} "
               f"FROM ({level2}) k")
    level3 = f"SELECT d.*, {_reason_sql(adapter, insp)} AS _reason FROM ({level2k}) d"
    order = " ORDER BY f.__row" if _needs_order(adapter, insp) else ""  # a window may reorder rows
    return f"CREATE TABLE _stage AS SELECT {', '.join(final)} FROM ({level3}){order}"


def _as_published(expr: str, insp: Inspected) -> str:
    """`expr` over the file's own text (trimmed, markers kept): `s.<field>` -> `trim(s.c<pos>)`.

    The fields an adapter names are cleaned (`nz`) as they are read; a demographic's `_raw`
    column keeps what the file said, `UNKNOWN` and `-` included."""
    return re.sub(r"\bs\.([a-z0-9_]+)", lambda m: f"trim(s.c{insp.positions[m.group(1)]})"
                  if m.group(1) in insp.positions else "CAST(NULL AS VARCHAR)", expr)


def table_columns(adapter: Adapter) -> list[str]:
    """The event table's columns, in order (see docs/SCHEMA.md)."""
    return list(adapter.schema())


def _tables(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()}


def _load_one(con, adapter: Adapter, insp: Inspected, digest: str, city, bar) -> LoadResult:
    started = dt.datetime.now()
    bar.set_description(insp.path.name[:40])
    load_id = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM load_log").fetchone()[0]
    res = LoadResult(insp.path.name, str(insp.path.resolve()), adapter.name, insp.vintage.name, digest,
                     absent_columns=insp.absent, format=insp.kind, started_at=started, load_id=load_id)
    ids = {"id": load_id, "ds": adapter.name, "file": insp.path.name}
    install_formats(con, insp.sample)
    con.execute("DROP TABLE IF EXISTS _csv_rejects; DROP TABLE IF EXISTS _csv_scan; DROP TABLE IF EXISTS _stage")
    bar.update()
    con.execute(_stage_sql(adapter, insp), {"path": str(insp.read_path), "delim": insp.delimiter,
                                            "file": insp.path.name, "vintage": insp.vintage.name})
    con.execute("UPDATE _stage SET source_row = rowid + 1")  # record number: see _read_sql
    bar.update()
    n_raw, n_reject, n_unique = con.execute(
        "SELECT count(*), count(*) FILTER (_reason IS NOT NULL), count(DISTINCT event_key) FILTER (_reason IS NULL) "
        "FROM _stage").fetchone()
    n_bad_lines, = con.execute("SELECT count(DISTINCT line) FROM _csv_rejects").fetchone()
    # rejects: lines DuckDB could not split (physical line number) and unusable rows (record number)
    con.execute(
        "INSERT INTO rejects SELECT $id, $ds, $file, line, trim(any_value(csv_line), chr(10) || chr(13)), "
        "'malformed CSV line: ' || string_agg(DISTINCT error_message, '; ') FROM _csv_rejects GROUP BY line", ids)
    con.execute("INSERT INTO rejects SELECT $id, $ds, $file, source_row, _raw_text, _reason FROM _stage "
                "WHERE _reason IS NOT NULL ORDER BY source_row", ids)
    n_dup_in_file = n_raw - n_reject - n_unique
    quality.check_file(con, load_id, adapter, insp.path.name, city, stage="_stage", duplicates=n_dup_in_file)
    bar.update()
    if n_reject:
        con.execute("DELETE FROM _stage WHERE _reason IS NOT NULL")
    if n_dup_in_file:  # keep the first row of each natural key
        con.execute("DELETE FROM _stage WHERE rowid IN (SELECT rowid FROM (SELECT rowid, row_number() OVER "
                    "(PARTITION BY event_key ORDER BY source_row) AS n FROM _stage) WHERE n > 1)")
    table = adapter.table
    cols = table_columns(adapter)
    collist = ", ".join(cols)
    n_same = 0
    if table not in _tables(con):  # first load of this dataset: the staged table becomes the table
        n_derived, = con.execute("SELECT count(*) FROM _stage WHERE key_quality = 'derived'").fetchone()
        for h in HELPERS:
            con.execute(f"ALTER TABLE _stage DROP COLUMN {h}")
        con.execute(f"ALTER TABLE _stage RENAME TO {table}")
    else:
        keys.add_missing_columns(con, table, adapter.schema())
        if insp.absent:  # a column subset: what it lacks is unknown, not a revision to NULL
            subsets.keep_stored(con, table, *subsets.uncovered(adapter, insp.vintage, set(insp.positions)))
        content = [c for c in cols if c not in BOOK and c != "event_key"]
        same = " AND ".join(f"g.{c} IS NOT DISTINCT FROM t.{c}" for c in content)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _same AS SELECT g.event_key FROM _stage g "
                    f"JOIN {table} t ON g.event_key = t.event_key WHERE {same}")
        n_same, = con.execute("SELECT count(*) FROM _same").fetchone()
        # ANTI JOIN, not NOT IN: event keys are never NULL, and NOT IN's NULL rules cost a mark join
        n_derived, = con.execute("SELECT count(*) FROM _stage g ANTI JOIN _same s USING (event_key) "
                                 "WHERE g.key_quality = 'derived'").fetchone()
        con.execute(f"DELETE FROM {table} WHERE event_key IN (SELECT event_key FROM _stage g "
                    "ANTI JOIN _same s USING (event_key))")
        con.execute(f"INSERT INTO {table} ({collist}) SELECT {collist} FROM _stage g "
                    "ANTI JOIN _same s USING (event_key)")
        con.execute("DROP TABLE _stage; DROP TABLE _same")
    bar.update()
    res.rows_read = n_raw + n_bad_lines
    res.rows_rejected = n_reject + n_bad_lines
    res.rows_duplicate = n_dup_in_file + n_same
    res.rows_loaded = n_unique - n_same
    res.rows_derived_key = n_derived
    res.finished_at = dt.datetime.now()
    con.execute("INSERT INTO load_log (load_id, file, path, dataset, vintage, checksum, started_at, finished_at, "
                "rows_read, rows_loaded, rows_rejected, rows_duplicate, rows_derived_key, absent_columns, format) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                [load_id, res.file, res.path, res.dataset, res.vintage, digest, res.started_at, res.finished_at,
                 res.rows_read, res.rows_loaded, res.rows_rejected, res.rows_duplicate, res.rows_derived_key,
                 list(res.absent_columns), res.format])
    con.execute("DROP TABLE IF EXISTS _csv_rejects; DROP TABLE IF EXISTS _csv_scan")
    bar.update()
    return res
