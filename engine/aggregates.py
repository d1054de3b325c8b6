"""Pre-aggregated daily counts per measure, built at ETL time so the app answers in milliseconds.

`build(con, catalog)` runs inside the ETL's open write connection, after a load, and writes
`agg_measure_daily(measure_id, part, day, category, layer, area_id, group_field, group_value,
n, n_met)`: for each measure's events (part 'num', and 'den' for a ratio's denominator), daily
counts per category, overall (layer = group_field = ''), per area of each allowed layer, per
value of each allowed field, and per (area, field) pair. `agg_meta` records a signature of each
measure's definition; the engine ignores an aggregate whose definition has since changed and
reads the event table instead. Percentile measures get `agg_values_<measure>`: their values,
already filtered, ordered by time (so a date range reads only its blocks).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from engine.catalog import Catalog, Measure, load_catalog, validate
from engine.query import AGG_COVERAGE, AGG_FILE_COVERAGE, AGG_META, AGG_TABLE, PLAUSIBLE_EVENT, q, where_sql
from engine.schema import event_schema

AGGREGATED_KINDS = ("count", "rate", "share", "ratio", "disparity")  # + percentile: agg_values_<id>


def signature(m: Measure) -> str:
    text = repr((m.computation, tuple(m.layers), tuple(m.fields)))
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def _parts(m: Measure):
    comp = m.computation
    yield "num", comp.part, comp.condition
    if comp.kind == "ratio":
        yield "den", comp.denominator, ()


def _fields(m: Measure) -> list[str]:
    return list(dict.fromkeys([*m.fields, *([m.computation.field] if m.computation.field else [])]))


def _selects(m: Measure, part_name, part, condition, columns: set[str]) -> tuple[list[str], list]:
    conds, params = where_sql(part.where)
    met_c, met_p = where_sql(condition)
    met = f"count(*) FILTER (WHERE {' AND '.join(met_c)})" if met_c else "count(*)"
    where = " AND ".join(["event_time IS NOT NULL", *conds])
    layers = [""] + [x for x in m.layers if f"area_{x}" in columns]
    fields = [""] + [x for x in _fields(m) if x in columns]
    sqls, all_params = [], []
    for layer in layers:
        for field in fields:
            area = f"coalesce({q('area_' + layer)}, 'UNKNOWN')" if layer else "''"
            grp = f"coalesce(CAST({q(field)} AS VARCHAR), 'Unknown')" if field else "''"
            sqls.append(
                f"SELECT ? AS measure_id, ? AS part, CAST(event_time AS DATE) AS day, category, "
                f"? AS layer, {area} AS area_id, ? AS group_field, {grp} AS group_value, "
                f"count(*) AS n, {met} AS n_met FROM {q(part.dataset)} WHERE {where} GROUP BY ALL")
            all_params += [m.id, part_name, layer, field, *met_p, *params]
    return sqls, all_params


def _coverage(con, catalog: Catalog, cols: dict[str, set[str]]) -> None:
    """agg_coverage and agg_file_coverage: what the loaded data evidently cover (engine/coverage.py).

    agg_coverage: each event table's first and last event date, and its first and last COMPLETE
    day (engine.coverage.complete_sql). The engine needs them for every page; scanning
    min/max(event_time) itself left ~46 MB of blocks in each worker's buffer pool on the 10M demo.
    agg_file_coverage: per loaded file (source_file) and column, how many rows carry a value and,
    for the columns measures filter on (category, precinct, sector, catalog where/condition
    columns), which distinct values occur. Read from the rows, not from how a file was recognised:
    a robbery-only export or a one-sector extract shows as such whatever its header said."""
    from engine.coverage import MAX_VALUES, complete_sql, value_columns  # noqa: PLC0415

    for t in (AGG_COVERAGE, AGG_FILE_COVERAGE):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    con.execute(f"CREATE TABLE {AGG_COVERAGE} (dataset VARCHAR, lo DATE, hi DATE, first_complete DATE, "
                "last_complete DATE)")
    con.execute(f"CREATE TABLE {AGG_FILE_COVERAGE} (dataset VARCHAR, file VARCHAR, rows BIGINT, lo DATE, hi DATE, "
                "column_name VARCHAR, non_null BIGINT, n_values BIGINT, value_list VARCHAR[])")
    valued = value_columns(catalog)
    for d in sorted(catalog.datasets):
        have = cols.get(d, set())
        if "event_time" not in have:
            continue
        # only plausible event times (an older warehouse may hold year 0000 or 9999: etl/domains.py)
        events = f"(SELECT * FROM {q(d)} WHERE {PLAUSIBLE_EVENT})"
        con.execute(f"INSERT INTO {AGG_COVERAGE} SELECT ?, * FROM ({complete_sql(events)})", [d])
        data_cols = sorted(c for c in have if c not in ("source_file", "source_row", "vintage", "event_key")
                           and not c.startswith("area_") and not c.endswith("_raw"))
        listed = [c for c in data_cols if c in valued.get(d, set())]
        file_col = "source_file" if "source_file" in have else "NULL"
        sel = [f"{file_col} AS f", "count(*)", "CAST(min(event_time) AS DATE)", "CAST(max(event_time) AS DATE)",
               *(f"count({q(c)})" for c in data_cols),
               *(f"count(DISTINCT {q(c)})" for c in listed),
               *(f"list(DISTINCT CAST({q(c)} AS VARCHAR) ORDER BY CAST({q(c)} AS VARCHAR))" for c in listed)]
        rows = con.execute(f"SELECT {', '.join(sel)} FROM {events} GROUP BY 1 ORDER BY 1").fetchall()
        out = []
        for r in rows:
            f, n, lo, hi = r[:4]
            non_null = dict(zip(data_cols, r[4:4 + len(data_cols)]))
            k = 4 + len(data_cols)
            distinct = dict(zip(listed, r[k:k + len(listed)]))
            values = dict(zip(listed, r[k + len(listed):]))
            for c in data_cols:
                vals = values.get(c)
                out.append((d, f, n, lo, hi, c, non_null[c], distinct.get(c),
                            [v for v in vals if v is not None] if vals is not None and distinct[c] <= MAX_VALUES else None))
        if out:  # one statement: executemany costs ~5 ms a row here
            marks = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?::VARCHAR[])"] * len(out))
            con.execute(f"INSERT INTO {AGG_FILE_COVERAGE} VALUES {marks}", [v for row in out for v in row])


def build(con, catalog: Catalog | Path | None = None, city_folder: Path | None = None) -> dict[str, int]:
    """(Re)write agg_measure_daily and agg_meta in an open read-write DuckDB connection.

    catalog: a Catalog, or the folder to load (and validate: a broken catalog stops the ETL with
    CatalogError before anything is written). Returns {measure_id: aggregate rows}. Measures whose
    tables or columns are absent from this warehouse are skipped (the engine reports no data).
    """
    if catalog is None or isinstance(catalog, (str, Path)):
        from settings import Settings
        catalog = load_catalog(Path(catalog) if catalog else Settings.from_env().catalog_dir)
        schema, strict = event_schema(catalog, None, city_folder)
        if strict:
            validate(catalog, schema, strict=True)
    cols: dict[str, set[str]] = {}
    for t, c in con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall():
        cols.setdefault(t, set()).add(c)
    for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'agg_values_%'").fetchall():
        con.execute(f"DROP TABLE IF EXISTS {q(t)}")
    sqls, params, built = [], [], []
    for m in catalog.measures.values():
        if m.computation.kind == "percentile" and _build_values(con, m, cols):
            built.append(m)
        if m.computation.kind not in AGGREGATED_KINDS:
            continue
        ok = True
        for part_name, part, cond in _parts(m):
            have = cols.get(part.dataset, set())
            needed = {"event_time", "category", *(c for c, _, _ in part.where), *(c for c, _, _ in cond)}
            if not needed <= have:
                ok = False
                break
        if not ok:
            continue
        for part_name, part, cond in _parts(m):
            s, p = _selects(m, part_name, part, cond, cols[part.dataset])
            sqls += s
            params += p
        built.append(m)
    _coverage(con, catalog, cols)
    con.execute(f"DROP TABLE IF EXISTS {AGG_TABLE}")
    con.execute(f"DROP TABLE IF EXISTS {AGG_META}")
    con.execute(f"CREATE TABLE {AGG_META} (measure_id VARCHAR, signature VARCHAR, built_at TIMESTAMP)")
    if not sqls:
        con.execute(f"CREATE TABLE {AGG_TABLE} (measure_id VARCHAR, part VARCHAR, day DATE, category VARCHAR, "
                    "layer VARCHAR, area_id VARCHAR, group_field VARCHAR, group_value VARCHAR, n BIGINT, n_met BIGINT)")
        return {}
    union = " UNION ALL ".join(sqls)
    con.execute(f"CREATE TABLE {AGG_TABLE} AS SELECT * FROM ({union}) "
                f"ORDER BY measure_id, part, layer, group_field, day", params)
    now = dt.datetime.now()
    con.executemany(f"INSERT INTO {AGG_META} VALUES (?, ?, ?)", [(m.id, signature(m), now) for m in built])
    rows = dict(con.execute(f"SELECT measure_id, count(*) FROM {AGG_TABLE} GROUP BY 1").fetchall())
    for m in built:
        if m.computation.kind == "percentile":
            rows[m.id] = con.execute(f"SELECT count(*) FROM {q(values_table(m))}").fetchone()[0]
    return rows


def values_table(m: Measure) -> str:
    return f"agg_values_{m.id}"


def _build_values(con, m: Measure, cols: dict) -> bool:
    """A percentile measure's values, already filtered and ordered by time, with only the columns
    its filters and breakdowns use: a range of dates reads only its own blocks."""
    comp = m.computation
    have = cols.get(comp.part.dataset, set())
    keep = ["event_time", "category", *[f"area_{x}" for x in m.layers], *m.fields, comp.column]
    if not {*keep, *(c for c, _, _ in comp.part.where)} <= have:
        return False
    conds, params = where_sql(comp.part.where)
    where = " AND ".join(["event_time IS NOT NULL", f"{q(comp.column)} IS NOT NULL", *conds])
    con.execute(f"CREATE TABLE {q(values_table(m))} AS SELECT {', '.join(q(c) for c in dict.fromkeys(keep))} "
                f"FROM {q(comp.part.dataset)} WHERE {where} ORDER BY event_time", params)
    return True
