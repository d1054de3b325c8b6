"""DM4 data-quality checks, stored in `quality_checks` for the data page.

Per loaded file (on the rows that passed, before coordinates outside the city are blanked; the
staged `_lat_raw` / `_lon_raw` / `_<code>_raw` helpers hold the source value only where the
canonical column ended up NULL):
`null_rate` per canonical column (value = share of rows that are NULL), `coords_outside_city`
(a point given but outside config bounds), `coords_zero` (0 / 0 points), `future_dates`
(event_time after now in the city's time zone), `before_start` (event_time before the
dataset's first year), `duplicate_keys` (rows sharing a natural key with an earlier row of the
same file), `out_of_domain` (a date, timestamp or integer the file gave that is unparseable or
outside the column's domain in etl/domains.py, set to NULL), `unknown_codes` (a precinct / sector / beat value that is not a known code; detail
lists the commonest). Per table after every load (file = NULL): `table_null_rate`.
Counts are absolute numbers; rates are fractions 0..1.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from city import City

INSERT = "INSERT INTO quality_checks VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"


def _null_rates(con, relation: str, columns: list[str], where: str = "") -> tuple[int, dict[str, float]]:
    counts = con.execute(f"SELECT count(*), {', '.join(f'count({c})' for c in columns)} FROM {relation} {where}").fetchone()
    total = counts[0]
    return total, {c: (1 - n / total) if total else 0.0 for c, n in zip(columns, counts[1:])}


def check_file(con, load_id: int, adapter, file: str, city: City, stage: str, duplicates: int,
               guarded: list[tuple[str, int, str]] = ()) -> None:
    """Write the per-file checks for rows staged in `stage` (a table name made by etl/load.py)."""
    now_local = dt.datetime.now(ZoneInfo(city.timezone)).replace(tzinfo=None)
    checked = dt.datetime.now()
    rows = []

    def add(check, column, value, detail=""):
        rows.append([load_id, adapter.name, file, check, column, float(value), detail, checked])

    columns = ["event_key", "event_time", "category", "precinct", "sector", "beat", "latitude", "longitude"]
    columns += [c[0] for c in adapter.columns]
    b = city.bounds
    # one scan for the null rates and the coordinate / date counts
    counts = con.execute(
        f"SELECT count(*), {', '.join(f'count({c})' for c in columns)}, "
        f"count(*) FILTER (_lat_raw IS NOT NULL AND _lon_raw IS NOT NULL AND _lat_raw <> 0 AND _lon_raw <> 0 "
        f"AND NOT in_city(_lat_raw, _lon_raw)), "
        f"count(*) FILTER (_lat_raw = 0 OR _lon_raw = 0), count(*) FILTER (event_time > $now), "
        f"count(*) FILTER (event_time < $start) FROM {stage} WHERE _reason IS NULL",
        {"now": now_local, "start": dt.datetime.combine(adapter.start, dt.time())}).fetchone()
    total, nonnull, (outside, zero, future, early) = counts[0], counts[1:-4], counts[-4:]
    for c, n in zip(columns, nonnull):
        add("null_rate", c, (1 - n / total) if total else 0.0, f"of {total} rows")
    add("coords_outside_city", "latitude", outside,
        f"bounds lat {b.min_lat}..{b.max_lat}, lon {b.min_lon}..{b.max_lon}; set to NULL")
    add("coords_zero", "latitude", zero, "0 / 0 points; set to NULL")
    add("future_dates", "event_time", future, f"after {now_local:%Y-%m-%d %H:%M} local")
    add("before_start", "event_time", early, f"before {adapter.start.isoformat()}")
    add("duplicate_keys", "event_key", duplicates, "later rows with an earlier row's key were dropped")
    if guarded:  # values outside their column's domain (etl/domains.py), set to NULL
        got = con.execute(f"SELECT {', '.join(f'count(*) FILTER (_dropped & {bit} <> 0)' for _c, bit, _d in guarded)} "
                          f"FROM {stage} WHERE _reason IS NULL").fetchone()
        for (column, _bit, text), n in zip(guarded, got):
            add("out_of_domain", column, n, f"unparseable or outside {text}; set to NULL")
    for code in ("precinct", "sector", "beat"):
        # the commonest unknown values and (window over every group, before LIMIT) their total
        top = con.execute(f"SELECT v, n, sum(n) OVER () FROM (SELECT _{code}_raw AS v, count(*) AS n FROM {stage} "
                          f"WHERE _reason IS NULL AND _{code}_raw IS NOT NULL AND {code}_code(_{code}_raw) IS NULL "
                          "GROUP BY 1) ORDER BY n DESC, v LIMIT 5").fetchall()
        add("unknown_codes", code, top[0][2] if top else 0, ", ".join(f"{v} ({k})" for v, k, _ in top))
    con.executemany(INSERT, rows)


def check_tables(con, tables: list[str], columns_of: dict[str, list[str]]) -> None:
    """Table-wide null rates after a load (file = NULL): what the data page shows as current."""
    checked = dt.datetime.now()
    load_id, = con.execute("SELECT max(load_id) FROM load_log").fetchone()
    rows = []
    for table in tables:
        total, rates = _null_rates(con, table, columns_of[table])
        rows += [[load_id, table, None, "table_null_rate", c, r, f"of {total} rows", checked]
                 for c, r in rates.items()]
    if rows:
        con.executemany(INSERT, rows)
