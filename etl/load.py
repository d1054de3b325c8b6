"""Load raw files into the warehouse: detect the vintage, parse, normalise, account, upsert.

Why this shape: every row read must end up loaded, rejected (with a reason) or dropped as a
duplicate of its natural key, and a bad file must leave the warehouse untouched. So all files
of a call are checked first (etl/sources/sniff.py), then loaded into one copy of the warehouse
that is swapped in once (etl/warehouse.py). Parsing and normalising happen in DuckDB:
`read_csv` with every column VARCHAR, then one INSERT ... SELECT of the adapter's expressions.

Record identity: each record's number (`source_row`, `rejects.line`, which duplicate is "first")
is assigned while reading: DuckDB reads the file on ONE thread into a temp table whose rowid is
then the record order (`_raw_sql`); the costly normalising statement runs on every core over
that table with the number as a plain column. (A parallel read feeding that statement lost the
order above ~400k rows: whole read chunks swapped, differently in each run.)

Accounting, per file (`load_log`): rows_read = records DuckDB split + records it could not split,
and that sum must equal an independent count of the file's records (etl/records.py: a numpy scan
of the bytes, run on a second core during the read), else the load stops with one line;
rows_rejected = unsplittable records (each parser error mapped to its record) + rows whose
date or time of day cannot be used or is out of its domain (etl/domains.py); rows_duplicate =
rows whose natural key appeared earlier in the same file (the first is kept) + rows identical to
what the warehouse already holds; rows_loaded = new or revised rows.

Rows with a damaged or missing natural key are loaded with a key derived from their
content (etl/keys.py; `rows_derived_key`). `absent_columns` are the file's vintage's
published columns it lacks (a column subset; etl/sources/sniff.py); `format` is what its
content is (etl/formats.py: JSON and GeoJSON are converted to a CSV read the same way).

Speed: see bench/bench_etl_load.py for the measured figures (about 6-7 CPU-seconds per million
2021-format crime rows; the one-thread read is ~1.2 s of wall time per million rows of that).

Revisions: a later load wins. A row whose key is already in the table replaces the stored row
when any value differs. A file whose checksum was already loaded for that dataset is skipped
whole, so re-loading an older export after a newer one does not undo the newer revisions.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pandas as pd

from city import load_city
from settings import Settings

from . import domains, formats, keys, postload, quality, records, subsets, warehouse
from .errors import _duckdb_advice as describe_duckdb
from .errors import one_line
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
    # the --db target is checked before anything is created beside it (etl/warehouse.py)
    warehouse.check_target(Path(db_path))
    with formats.scratch(db_path) as work:  # a JSON / GeoJSON file becomes a CSV here (etl/formats.py)
        return _load_many(batch, db_path, settings, progress, work)


def _load_many(batch: dict[str, list[Path]], db_path: Path, settings: Settings | None, progress: bool,
               work: formats.Scratch) -> list[LoadResult]:
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
                    raise LoadError(_duckdb_failure(exc, insp.path, adapter.name, db_path)) from None
            changed = [r for r in results if not r.skipped]
            if not changed:
                raise warehouse.Discard()
            postload.run(con, sorted({r.dataset for r in changed}), settings)
    finally:
        bar.close()
    return results


def _duckdb_failure(exc: Exception, path: Path, dataset: str, db_path: Path) -> str:
    """One line for a DuckDB error during a file's load: the file's fault, or the disk's / memory's."""
    msg = one_line(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
    if isinstance(exc, (duckdb.IOException, duckdb.OutOfMemoryException)) or describe_duckdb(msg):
        return (f"{path}: loading into {warehouse.new_path(warehouse.real_path(db_path))} failed: "
                f"{describe_duckdb(msg) or msg}; the previous warehouse is unchanged")
    return f"{path}: could not be read as {dataset} CSV: {msg}"


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
    whens = []
    clocks = [f"CASE WHEN f.{c} IS NOT NULL AND hhmm(f.{c}) IS NULL THEN 'impossible time of day ''' || f.{c} || "
              f"''' in {_sql_text(insp.header[insp.positions[c]])}' END" for c in adapter.clock_fields if c in insp.positions]
    whens.append(f"WHEN event_time IS NULL THEN coalesce({', '.join(clocks + bad + [missing])})")
    # the event time's domain (etl/domains.py): year 0000 or 9999 is a row error, not a date to count by
    lo, hi, why = domains.event_range(adapter.name)
    given = "coalesce(" + ", ".join([f"f.{f}" for f in fields] + ["CAST(event_time AS VARCHAR)"]) + ")"
    whens.append(f"WHEN event_time < TIMESTAMP '{lo}' OR event_time >= TIMESTAMP '{hi}' THEN "
                 f"'date out of range ''' || {given} || ''': {_sql_text(why)}'")
    return "CASE " + " ".join(whens) + " END"


def _key_fields(adapter: Adapter, insp: Inspected) -> list[str]:
    """The fields this file's key is made of (those it has)."""
    expr = insp.vintage.key or adapter.key
    return [f for f in dict.fromkeys(re.findall(r"\bs\.([a-z0-9_]+)", expr)) if f in insp.positions]


def _sql_text(s: str) -> str:
    """Text from a file's header, made safe inside a SQL string literal."""
    return s.replace("'", "''")


def _time_fields(adapter: Adapter, insp: Inspected) -> list[str]:
    return [f for f in (insp.vintage.time_fields or adapter.time_fields) if f in insp.positions]


def _raw_sql(insp: Inspected) -> str:
    """The file as all-VARCHAR columns c0..cN in TEMP table `_raw`, read on ONE thread.

    Why one thread: the record number is `_raw`'s rowid, which is the read order only when a
    single thread appends. DuckDB's parallel reader feeding a multi-level pipeline does not keep
    that order (at 1M rows whole read chunks came out swapped, differently in each run), and
    read_csv has no row-number column. The read alone is cheap; the costly normalising
    statement (`_stage_sql`) runs in parallel over `_raw` with the number as a plain column.
    Lines DuckDB cannot split go to the `_csv_rejects` table.
    """
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(insp.header))) + "}"
    return ("CREATE TEMP TABLE _raw AS SELECT * FROM read_csv($path, header = true, auto_detect = false, "
            f"columns = {columns}, delim = $delim, quote = '\"', escape = '\"', strict_mode = true, parallel = false, "
            "store_rejects = true, rejects_table = '_csv_rejects', rejects_scan = '_csv_scan', max_line_size = 20000000)")


def _source_sql(adapter: Adapter, insp: Inspected, gaps: bool) -> str:
    """`_raw` with each field cleaned once (etl/sources/sqlfuncs.py `nz`) and `__row`, the record number.

    The k-th row DuckDB split is record k plus the records before it that it could not split
    (table `_gaps`: g = rows split before a malformed record, n = malformed records so far)."""
    cols = [f"nz(c{insp.positions[f]}) AS {f}" if f in insp.positions else f"CAST(NULL AS VARCHAR) AS {f}"
            for f in adapter.fields]
    raw = [f"c{i}" for i in range(len(insp.header))]
    rows = "(SELECT rowid + 1 AS __k, * FROM _raw) r"
    if gaps:
        return (f"SELECT {', '.join(cols + raw)}, __k + coalesce(n, 0) AS __row FROM {rows} "
                "ASOF LEFT JOIN _gaps ON r.__k > _gaps.g")
    return f"SELECT {', '.join(cols + raw)}, __k AS __row FROM {rows}"


HELPERS = ("_reason", "_dropped", "_raw_text", "_lat_raw", "_lon_raw", "_precinct_raw", "_sector_raw", "_beat_raw")


def _late(expr: str) -> str:
    """key / time / category run after the typed columns: there `s.<field>` is the raw field `f.<field>`."""
    return re.sub(r"\bs\.", "f.", expr)


def _stage_sql(adapter: Adapter, insp: Inspected, gaps: bool = False) -> str:
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
        "$file AS source_file", "$vintage AS vintage", "s.__row AS _row",
    ]
    guarded = _guarded(adapter)
    typed += [f"{domains.parse_sql(typ, expr)} AS {name}" if name in guarded else f"CAST({expr} AS {typ}) AS {name}"
              for name, typ, expr in adapter.columns]
    for name, kind, rawf in adapter.demographics:
        typed += [f"{CATEGORY_MACROS[kind]}({rawf}) AS {name}", f"{_as_published(rawf, insp)} AS {name}_raw"]
    derived = [
        f"CAST({_late(v.key or adapter.key)} AS VARCHAR) AS _src_key",
        f"CAST({_late(v.time or adapter.time)} AS TIMESTAMP) AS event_time",
        f"CAST({_late(adapter.category)} AS VARCHAR) AS category",
        "coalesce(_sector_c, _beat_c[1]) AS sector",
        "coalesce(_precinct_c, sector_precinct(coalesce(_sector_c, _beat_c[1]))) AS precinct",
        "_beat_c AS beat",
        *(f"{domains.guard_sql(name, typ, d)} AS _g_{name}" for name, (typ, d, _f, _b) in guarded.items()),
        "CASE WHEN in_city(_lat_in, _lon_in) THEN _lat_in END AS latitude",
        "CASE WHEN in_city(_lat_in, _lon_in) THEN _lon_in END AS longitude",
    ]
    text = "concat_ws($delim, " + ", ".join(f"coalesce(f.c{i}, '')" for i in range(len(insp.header))) + ")"
    # helpers for the quality checks, kept only where they say something (mostly NULL: cheap to write)
    final = [("_row AS source_row" if c == "source_row" else f"_g_{c} AS {c}" if c in guarded else c)
             for c in adapter.schema()] + [
        "_reason", f"{_dropped_sql(guarded, insp)} AS _dropped", f"CASE WHEN _reason IS NOT NULL THEN {text} END AS _raw_text",
        "CASE WHEN latitude IS NULL THEN _lat_in END AS _lat_raw",
        "CASE WHEN latitude IS NULL THEN _lon_in END AS _lon_raw",
        "CASE WHEN _precinct_c IS NULL THEN _precinct_in END AS _precinct_raw",
        "CASE WHEN _sector_c IS NULL THEN _sector_in END AS _sector_raw",
        "CASE WHEN _beat_c IS NULL THEN _beat_in END AS _beat_raw",
    ]
    level1 = f"SELECT s AS f, {', '.join(typed)} FROM ({_source_sql(adapter, insp, gaps)}) s"
    level2 = f"SELECT b.*, {', '.join(derived)} FROM ({level1}) b"
    content = [c for c in adapter.schema() if c not in BOOK and c not in ("event_key", "key_quality")]
    level2k = (f"SELECT k.* EXCLUDE (_src_key), {', '.join(keys.key_columns_sql(_key_fields(adapter, insp), content))} "
               f"FROM ({level2}) k")
    level3 = f"SELECT d.*, {_reason_sql(adapter, insp)} AS _reason FROM ({level2k}) d"
    return f"CREATE TABLE _stage AS SELECT {', '.join(final)} FROM ({level3})"


def _guarded(adapter: Adapter) -> dict[str, tuple[str, domains.Domain, str | None, int]]:
    """Typed columns with a value domain (etl/domains.py): name -> (type, domain, source field, bit)."""
    out = {}
    for name, typ, expr in adapter.columns:
        d = domains.domain(adapter.name, name, typ)
        if d is not None:
            out[name] = (typ, d, domains.single_field(expr), 1 << len(out))
    return out


def guarded_columns(adapter: Adapter) -> list[tuple[str, int, str]]:
    """(column, bit in `_dropped`, domain text) for the quality check `out_of_domain`."""
    return [(name, bit, d.describe()) for name, (_t, d, _f, bit) in _guarded(adapter).items()]


def _dropped_sql(guarded: dict, insp: Inspected) -> str:
    """A bit per guarded column whose value the file gave but the column cannot hold (set to NULL)."""
    terms = []
    for name, (_typ, _d, field, bit) in guarded.items():
        given = f"{name} IS NOT NULL" + (f" OR f.{field} IS NOT NULL" if field in insp.positions else "")
        terms.append(f"CASE WHEN _g_{name} IS NULL AND ({given}) THEN {bit} ELSE 0 END")
    return "(" + " + ".join(terms) + ")" if terms else "0"


def _as_published(expr: str, insp: Inspected) -> str:
    """`expr` over the file's own text (trimmed, markers kept): `s.<field>` -> `trim(s.c<pos>)`.

    The fields an adapter names are cleaned (`nz`) as they are read; a demographic's `_raw`
    column keeps what the file said, `UNKNOWN` and `-` included."""
    return re.sub(r"\bs\.([a-z0-9_]+)", lambda m: f"trim(s.c{insp.positions[m.group(1)]})"
                  if m.group(1) in insp.positions else "CAST(NULL AS VARCHAR)", expr)


def _read_raw(con, insp: Inspected, tmpdir: Path) -> tuple[Path, records.Scan]:
    """Read the file into `_raw` while the independent record scan runs on another core.

    The one-thread read and the numpy scan both release the GIL, so the scan costs no wall time.
    A file whose line endings are mixed makes DuckDB's reader fail; the scan says so, and the
    normalised copy is read instead (etl/records.py)."""
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(records.scan, insp.read_path)
        try:
            con.execute(_raw_sql(insp), {"path": str(insp.read_path), "delim": insp.delimiter})
            failed = None
        except duckdb.Error as exc:
            failed = exc
        scan = pending.result()
    if not scan.mixed:
        if failed is not None:
            raise failed
        return insp.read_path, scan
    con.execute("DROP TABLE IF EXISTS _raw; DROP TABLE IF EXISTS _csv_rejects; DROP TABLE IF EXISTS _csv_scan")
    source, scan = records.prepare(insp.read_path, tmpdir)
    con.execute(_raw_sql(insp), {"path": str(source), "delim": insp.delimiter})
    return source, scan


def _malformed(con, scan: records.Scan) -> dict[int, tuple[str, str]]:
    """Lines DuckDB could not split, grouped by the record they belong to (one reject each).

    DuckDB reports each error with the byte where its line starts; `scan` maps that byte to a
    record, so several errors in one record (or in the lines of one quoted multi-line record)
    are one rejected record, numbered like `source_row`."""
    errs = con.execute("SELECT line_byte_position, csv_line, error_message FROM _csv_rejects "
                       "ORDER BY line_byte_position").fetchall()
    if not errs:
        return {}
    recs = scan.record_of([e[0] for e in errs])
    out: dict[int, tuple[str, list[str]]] = {}
    for rec, (_pos, line, msg) in zip(recs.tolist(), errs):
        raw, msgs = out.setdefault(rec, ((line or "").strip("\r\n"), []))
        if msg not in msgs:
            msgs.append(msg)
    return {rec: (raw, "; ".join(msgs)) for rec, (raw, msgs) in out.items()}


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
    con.execute("DROP TABLE IF EXISTS _csv_rejects; DROP TABLE IF EXISTS _csv_scan; DROP TABLE IF EXISTS _stage; "
                "DROP TABLE IF EXISTS _raw; DROP TABLE IF EXISTS _gaps")
    tmpdir = Path(con.execute("SELECT current_setting('temp_directory')").fetchone()[0])
    source, scan = _read_raw(con, insp, tmpdir)
    bar.update()
    n_raw, = con.execute("SELECT count(*) FROM _raw").fetchone()
    bad = _malformed(con, scan)  # record number -> (raw line, reasons)
    if n_raw + len(bad) != scan.records:  # a quote inside an unquoted field? count by DuckDB's rule
        scan = records.scan_exact(source, insp.delimiter)
        bad = _malformed(con, scan)
        if n_raw + len(bad) != scan.records:
            raise LoadError(records.disagreement(insp.path, scan, n_raw, len(bad)))
    if bad:  # g: rows split before a malformed record -> n: malformed records up to it (adjacent ones share g)
        g = {rec - i - 1: i + 1 for i, rec in enumerate(sorted(bad))}
        gaps = pd.DataFrame({"g": list(g), "n": list(g.values())})  # noqa: F841 (read by the SQL below)
        con.execute("CREATE TEMP TABLE _gaps AS SELECT * FROM gaps")
    con.execute(_stage_sql(adapter, insp, gaps=bool(bad)), {"file": insp.path.name, "vintage": insp.vintage.name,
                                                           "delim": insp.delimiter})
    con.execute("DROP TABLE _raw; DROP TABLE IF EXISTS _gaps")
    if source not in (insp.path, insp.read_path):
        source.unlink(missing_ok=True)
    bar.update()
    n_reject, n_unique = con.execute(
        "SELECT count(*) FILTER (_reason IS NOT NULL), count(DISTINCT event_key) FILTER (_reason IS NULL) "
        "FROM _stage").fetchone()
    n_bad_lines = len(bad)
    # rejects: records DuckDB could not split and unusable rows, both by record number
    if bad:
        malformed = pd.DataFrame({"line": list(bad), "raw": [r for r, _ in bad.values()],
                                  "reason": ["malformed CSV line: " + w for _, w in bad.values()]})
        con.execute("INSERT INTO rejects SELECT $id, $ds, $file, line, raw, reason FROM malformed ORDER BY line", ids)
    con.execute("INSERT INTO rejects SELECT $id, $ds, $file, source_row, _raw_text, _reason FROM _stage "
                "WHERE _reason IS NOT NULL ORDER BY source_row", ids)
    n_dup_in_file = n_raw - n_reject - n_unique
    quality.check_file(con, load_id, adapter, insp.path.name, city, stage="_stage", duplicates=n_dup_in_file,
                       guarded=guarded_columns(adapter))
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
    res.rows_read = n_raw + n_bad_lines  # == scan.records, checked above
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
