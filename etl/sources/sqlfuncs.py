"""SQL macros every adapter's expressions use: null markers, timestamps, codes, categories.

Installed once per write connection by `install(con, city)`. Keeping the normalisation in
DuckDB macros (not per-row Python) is what makes a 10M-row load take seconds; keeping it in one
file means precinct `SW` / `SOUTHWEST` / `Southwest` is decided in exactly one place.

`nz` (trim; NULL for a null marker) runs exactly once per field, where the loader reads the
file (etl/load.py `_source_sql`): every other macro and every adapter expression gets fields
that are already clean, so none of them calls it again. Before that change a field went through
nz up to four times (key, column, time, reject reason): about 40% of the staging CPU.

Seattle's codes (precincts, the phonetic sector words, which sectors make up which precinct)
live in the tables below; another city would add its own table here.
"""
from __future__ import annotations

import datetime as dt
import re

from city import City

# Null markers seen in Seattle's exports (compared upper-cased, after trimming).
NULL_MARKERS = ("", "-", "NULL", "UNKNOWN", "NOT SPECIFIED", "-1", "REDACTED", "N/A")

# ... as they appear untrimmed: upper, lower, Title and Sentence case ('Not Specified', 'Not specified').
# A marker in another casing ('nOT SPECIFIED') with no edge space is kept as a value.
MARKER_SPELLINGS = tuple(sorted({f(m) for m in NULL_MARKERS for f in (str.upper, str.lower, str.title, str.capitalize)}))

# Timestamp formats of every vintage, tried in order (first = the most common).
TS_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",      # 02/05/2020 09:39:33 AM (2021 crime, calls, use of force, fire)
    "%Y %b %d %I:%M:%S %p",      # 2025 Dec 01 09:15:21 PM (2025+ crime)
    "%Y-%m-%dT%H:%M:%S.%f",      # 2021-09-21T12:00:00.000 (Socrata API floating timestamps)
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%Y-%m-%d",
    # spreadsheet re-saves: M/D/YY (DuckDB's %Y would read '22' as the year 22, so these come
    # first whenever a file's sample uses them: order_formats)
    "%m/%d/%y %H:%M",
    "%m/%d/%y %I:%M %p",
    "%m/%d/%y %H:%M:%S",
    "%m/%d/%y",
)
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y")

PRECINCTS = {  # canonical code -> spellings (upper-cased)
    "N": ("N", "NORTH"), "E": ("E", "EAST"), "S": ("S", "SOUTH"),
    "SW": ("SW", "SOUTHWEST", "SOUTH WEST"), "W": ("W", "WEST"),
}
SECTOR_WORDS = {
    "B": "BOY", "C": "CHARLIE", "D": "DAVID", "E": "EDWARD", "F": "FRANK", "G": "GEORGE",
    "J": "JOHN", "K": "KING", "L": "LINCOLN", "M": "MARY", "N": "NORA", "O": "OCEAN",
    "Q": "QUEEN", "R": "ROBERT", "S": "SAM", "U": "UNION", "W": "WILLIAM",
}
SECTOR_PRECINCT = {  # 2015+ sector -> precinct (used when a source gives only sector / beat)
    "B": "N", "J": "N", "L": "N", "N": "N", "U": "N", "D": "W", "K": "W", "M": "W", "Q": "W",
    "C": "E", "E": "E", "G": "E", "O": "S", "R": "S", "S": "S", "F": "SW", "W": "SW",
}
RACES = {  # canonical -> raw spellings (upper-cased); anything else -> Unknown
    "White": ("WHITE",),
    "Black": ("BLACK OR AFRICAN AMERICAN", "BLACK", "AFRICAN AMERICAN"),
    "Hispanic": ("HISPANIC", "HISPANIC OR LATINO", "HISPANIC/LATINO", "LATINO"),
    "Asian": ("ASIAN", "ASIAN/PACIFIC ISLANDER"),
    "Native American": ("AMERICAN INDIAN OR ALASKA NATIVE", "AMERICAN INDIAN/ALASKA NATIVE",
                        "NATIVE AMERICAN", "AI/AN"),
    "Pacific Islander": ("NATIVE HAWAIIAN OR OTHER PACIFIC ISLANDER", "NAT HAWAIIAN/OTH PAC ISLANDER",
                         "PACIFIC ISLANDER"),
    "Multiracial": ("MULTI-RACIAL", "TWO OR MORE RACES", "TWO OR MORE", "MULTIRACIAL"),
    "Other": ("OTHER",),
}
GENDERS = {
    "Male": ("MALE", "M"),
    "Female": ("FEMALE", "F"),
    "Another gender": ("TRANSGENDER FEMALE", "TRANSGENDER MALE", "NON-BINARY", "NONBINARY", "N",
                       "GENDER DIVERSE (GENDER NON-CONFORMING AND/OR TRANSGENDER)", "GENDER DIVERSE",
                       "OTHER", "X"),
}
RESOLUTIONS = {  # Terry stop resolution, old and new wordings -> one list
    "Arrest": ("ARREST", "PHYSICAL ARREST", "ARREST MADE"),
    "Field Contact": ("FIELD CONTACT",),
    "Offense Report": ("OFFENSE REPORT",),
    "Citation / Infraction": ("CITATION / INFRACTION", "CITATION/INFRACTION", "CITATION", "INFRACTION"),
    "Referred for Prosecution": ("REFERRED FOR PROSECUTION", "REFERRED TO PROSECUTION"),
}


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _list(items) -> str:
    return "[" + ", ".join(_lit(i) for i in items) + "]"


def _map(table: dict[str, tuple[str, ...]]) -> str:
    """A constant MAP literal raw spelling -> canonical (one lookup per row, however long the list)."""
    pairs = {raw: canon for canon, raws in table.items() for raw in raws}
    return "MAP {" + ", ".join(f"{_lit(r)}: {_lit(c)}" for r, c in pairs.items()) + "}"


def macros(city: City) -> list[str]:
    """The CREATE MACRO statements, with the city's time zone and bounding box filled in."""
    if not re.fullmatch(r"[A-Za-z_]+(/[A-Za-z_+\-]+)*", city.timezone):
        raise ValueError(f"city timezone {city.timezone!r} is not a time zone name")
    b = city.bounds
    word_to_letter = {k: (k, v) for k, v in SECTOR_WORDS.items()}
    return [
        # nz: trimmed text, NULL for a null marker (the loader applies it to every field as it is read).
        # Fast path first: a marker spelled as Seattle spells them (any of MARKER_SPELLINGS) is one
        # comparison of short inlined strings; only a value with an edge space pays for trim + upper
        # + lookup. 1M rows x 17 fields: 1.0 CPU-s against 1.7 for trim/upper/lookup on every value.
        f"CREATE OR REPLACE MACRO nz(x) AS CASE WHEN x IN ({', '.join(map(_lit, MARKER_SPELLINGS))}) THEN NULL "
        "WHEN starts_with(x, ' ') OR ends_with(x, ' ') THEN "
        f"CASE WHEN ({_map({'t': NULL_MARKERS})})[upper(trim(x))] = 't' THEN NULL ELSE trim(x) END ELSE x END",
        "CREATE OR REPLACE MACRO num(x) AS try_cast(x AS DOUBLE)",
        "CREATE OR REPLACE MACRO int_(x) AS try_cast(try_cast(x AS DOUBLE) AS BIGINT)",
        "CREATE OR REPLACE MACRO flag(x) AS (MAP {'Y': TRUE, 'YES': TRUE, 'TRUE': TRUE, '1': TRUE, 'T': TRUE, "
        "'N': FALSE, 'NO': FALSE, 'FALSE': FALSE, '0': FALSE, 'F': FALSE})[upper(trim(x))]",
        *format_macros(TS_FORMATS, DATE_FORMATS),
        # ts: any vintage's timestamp -> Seattle local; a Z / +0000 suffix means UTC
        "CREATE OR REPLACE MACRO ts(x) AS CASE WHEN x IS NULL THEN NULL "
        "WHEN ends_with(x, 'Z') OR ends_with(x, '00') AND regexp_matches(x, '\\s?[+-]00:?00$') THEN "
        f"timezone({_lit(city.timezone)}, timezone('UTC', ts_naive(regexp_replace(trim(x), '\\s?(Z|[+-]00:?00)$', '')))) "
        "ELSE ts_naive(x) END",
        # ts24: ts for a source that writes midnight as hour 24 (see ts_naive24)
        "CREATE OR REPLACE MACRO ts24(x) AS CASE WHEN x IS NULL THEN NULL "
        "WHEN ends_with(x, 'Z') OR ends_with(x, '00') AND regexp_matches(x, '\\s?[+-]00:?00$') THEN "
        f"timezone({_lit(city.timezone)}, timezone('UTC', ts_naive24(regexp_replace(trim(x), '\\s?(Z|[+-]00:?00)$', '')))) "
        "ELSE ts_naive24(x) END",
        # dt: the date part of a date-only field (a Socrata '2015-03-15T00:00:00Z' is a date, not an instant)

        # hhmm: '930' / '0930' / '09:30' / '21:08:00.0000000' -> INTERVAL since midnight; NULL for a
        # time no clock shows ('25:99:00', '24:30', 'abc': hours 00-23, minutes and seconds 00-59)
        "CREATE OR REPLACE MACRO hhmm(x) AS CASE WHEN regexp_matches(x, '^[0-9]{1,4}$') THEN "
        "CASE WHEN try_cast(lpad(x, 4, '0')[1:2] AS INT) < 24 AND try_cast(lpad(x, 4, '0')[3:4] AS INT) < 60 THEN "
        "to_minutes(try_cast(lpad(x, 4, '0')[1:2] AS INT) * 60 + try_cast(lpad(x, 4, '0')[3:4] AS INT)) END "
        "WHEN regexp_matches(x, '^([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]+)?)?$') THEN "
        "to_seconds(CAST(date_part('epoch', try_cast(left(x, 8) AS TIME)) AS BIGINT)) END",
        # clock: a time-of-day field added to a date: none given = midnight (date-only records), a
        # time given that no clock shows = NULL (the row is rejected with the time named), never midnight
        "CREATE OR REPLACE MACRO clock(x) AS CASE WHEN x IS NULL THEN INTERVAL 0 SECOND ELSE hhmm(x) END",
        # coordinates: 'POINT (lon lat)' and '(lat, lon)'
        "CREATE OR REPLACE MACRO wkt_lon(x) AS try_cast(regexp_extract(x, 'POINT\\s*\\(\\s*(-?[0-9.]+)\\s+(-?[0-9.]+)', 1) AS DOUBLE)",
        "CREATE OR REPLACE MACRO wkt_lat(x) AS try_cast(regexp_extract(x, 'POINT\\s*\\(\\s*(-?[0-9.]+)\\s+(-?[0-9.]+)', 2) AS DOUBLE)",
        "CREATE OR REPLACE MACRO pair_lat(x) AS try_cast(regexp_extract(x, '^\\s*\\(\\s*(-?[0-9.]+)\\s*,\\s*(-?[0-9.]+)', 1) AS DOUBLE)",
        "CREATE OR REPLACE MACRO pair_lon(x) AS try_cast(regexp_extract(x, '^\\s*\\(\\s*(-?[0-9.]+)\\s*,\\s*(-?[0-9.]+)', 2) AS DOUBLE)",
        f"CREATE OR REPLACE MACRO in_city(la, lo) AS la BETWEEN {b.min_lat} AND {b.max_lat} AND lo BETWEEN {b.min_lon} AND {b.max_lon}",
        # codes
        f"CREATE OR REPLACE MACRO precinct_code(x) AS ({_map(PRECINCTS)})[upper(trim(x))]",
        f"CREATE OR REPLACE MACRO sector_code(x) AS ({_map(word_to_letter)})[upper(trim(x))]",
        f"CREATE OR REPLACE MACRO beat_code(x) AS CASE WHEN regexp_matches(upper(trim(x)), '^[{''.join(SECTOR_WORDS)}][0-9]$') "
        "THEN upper(trim(x)) END",
        f"CREATE OR REPLACE MACRO sector_precinct(x) AS ({_map({p: tuple(s for s, q in SECTOR_PRECINCT.items() if q == p) for p in PRECINCTS})})[x]",
        f"CREATE OR REPLACE MACRO race_cat(x) AS coalesce(({_map(RACES)})[upper(trim(x))], 'Unknown')",
        f"CREATE OR REPLACE MACRO gender_cat(x) AS coalesce(({_map(GENDERS)})[upper(trim(x))], 'Unknown')",
        "CREATE OR REPLACE MACRO age_cat(x) AS coalesce(regexp_replace(x, '\\s*-\\s*', ' - '), 'Unknown')",
        f"CREATE OR REPLACE MACRO resolution_cat(x) AS coalesce(({_map(RESOLUTIONS)})[upper(trim(x))], "
        "CASE WHEN x IS NULL THEN 'Unknown' ELSE 'Other' END)",
    ]


def format_macros(ts_formats, date_formats) -> list[str]:
    """ts_naive / dt with the formats in the given order.

    A format that fails costs about ten times one that matches (DuckDB's try_strptime), so the
    loader re-installs these per file with the formats that file's first rows use first.
    """
    fmts, dfmts = _list(ts_formats), _list(date_formats)
    return [
        # a naive local timestamp
        f"CREATE OR REPLACE MACRO ts_naive(x) AS try_strptime(x, {fmts})",
        # ... where the source writes midnight as 24:00 (fire calls): exactly 24:00 or 24:00:00 is
        # midnight of the next day; 24:30 is no time at all (NULL), not 00:30
        f"CREATE OR REPLACE MACRO ts_naive24(x) AS coalesce(try_strptime(x, {fmts}), "
        f"CASE WHEN regexp_matches(x, '[ T]24:00(:00(\\.0+)?)?( ?[AP]M)?$') THEN "
        f"try_strptime(regexp_replace(x, '([ T])24:', '\\100:'), {fmts}) + INTERVAL 1 DAY END)",
        # dt: the date part of a date-only field (a Socrata '2015-03-15T00:00:00Z' is a date, not an instant)
        f"CREATE OR REPLACE MACRO dt(x) AS try_strptime(split_part(replace(x, 'T', ' '), ' ', 1), {dfmts})",
    ]


def order_formats(values: list[str]) -> tuple[list[str], list[str]]:
    """TS_FORMATS and DATE_FORMATS, those matching most of these sample values first."""
    # 300 values decide the order as well as 3,000 (Python's strptime: ~6 us a try, 12 formats)
    values = [re.sub(r"\s?(Z|[+-]00:?00)$", "", v.strip()) for v in values if v and v.strip()][:300]

    def hits(fmt, cut=None):
        n = 0
        for v in values:
            try:
                dt.datetime.strptime(v[:cut] if cut else v, fmt)
                n += 1
            except ValueError:
                pass
        return n

    ts = sorted(TS_FORMATS, key=lambda f: -hits(f))
    dates = sorted(DATE_FORMATS, key=lambda f: -hits(f, 10))
    return ts, dates


def install_formats(con, sample_values: list[str]) -> None:
    for stmt in format_macros(*order_formats(sample_values)):
        con.execute(stmt)


CATEGORY_MACROS = {"race": "race_cat", "gender": "gender_cat", "age": "age_cat", "resolution": "resolution_cat"}


def install(con, city: City) -> None:
    for stmt in macros(city):
        con.execute(stmt)
