"""Value domains: which dates, times and numbers a column may hold, and what happens outside.

Why: a value can parse and still be impossible. Year 0000 parses (as 1 BC) and then crashes the
app's read side; 9999-12-31 makes "as of" a date no period can reach; 99999999999 in a priority
used to refuse the whole file (INT32 conversion error). Each column gets a declared domain:

- the event time (the date every measure counts by) outside its dataset's range REJECTS the row,
  with the range and its reason in `rejects.reason`;
- any other date, timestamp or integer column outside its domain (or present in the file but
  unparseable) is set to NULL and counted per column in `quality_checks` (`out_of_domain`), so
  one bad value never costs the row, let alone the file.

Dates: from EARLIEST (or the dataset's entry in EVENT_EARLIEST) to today + TOLERANCE_DAYS; the
tolerance absorbs exports written in another time zone just after midnight.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

EARLIEST = dt.date(1900, 1, 1)
EARLIEST_REASON = "before 1900: no Seattle record system dates an event that early"
TOLERANCE_DAYS = 1
LATEST_REASON = f"after today + {TOLERANCE_DAYS} day: the event has not happened yet"
# dataset -> (earliest event date, why); datasets not listed use EARLIEST
EVENT_EARLIEST: dict[str, tuple[dt.date, str]] = {}

INT_TYPES = {"TINYINT": 2**7, "SMALLINT": 2**15, "INTEGER": 2**31, "BIGINT": 2**63}


@dataclass(frozen=True)
class Domain:
    low: object
    high: object
    why: str

    def describe(self) -> str:
        return f"{self.low}..{self.high} ({self.why})"


def today() -> dt.date:
    return dt.date.today()


def event_range(dataset: str) -> tuple[dt.datetime, dt.datetime, str]:
    """(earliest, latest exclusive, reason text) of an event time for this dataset."""
    earliest, why = EVENT_EARLIEST.get(dataset, (EARLIEST, EARLIEST_REASON))
    latest = today() + dt.timedelta(days=TOLERANCE_DAYS + 1)
    return (dt.datetime.combine(earliest, dt.time()), dt.datetime.combine(latest, dt.time()),
            f"{why}; {LATEST_REASON}")


# (dataset, column) -> domain narrower than the type's; a year of birth, an age, a count
COLUMN_DOMAINS: dict[tuple[str, str], Domain] = {
    ("terry_stops", "officer_yob"): Domain(1900, None, "a year of birth between 1900 and this year"),
    ("ois", "subject_age"): Domain(0, 120, "an age in years"),
    ("ois", "years_of_service"): Domain(0, 70, "years of service"),
    ("ois", "number_of_rounds"): Domain(0, 10000, "rounds fired in one incident"),
    ("calls", "priority"): Domain(0, 99, "a dispatch priority"),
}


def domain(dataset: str, column: str, typ: str) -> Domain | None:
    """The column's domain, or None when its type has none (text, booleans, doubles)."""
    if (dataset, column) in COLUMN_DOMAINS:
        d = COLUMN_DOMAINS[(dataset, column)]
        if d.high is None:  # "up to this year"
            d = Domain(d.low, today().year, d.why)
        return d
    if typ in INT_TYPES:
        return Domain(-INT_TYPES[typ], INT_TYPES[typ] - 1, f"fits {typ}")
    if typ in ("TIMESTAMP", "DATE"):
        return Domain(EARLIEST, today() + dt.timedelta(days=TOLERANCE_DAYS), "1900 to today")
    return None


def _lit(v) -> str:
    if isinstance(v, dt.date):
        return f"DATE '{v.isoformat()}'"
    return str(int(v))


def parse_sql(typ: str, expr: str) -> str:
    """The column's value before its domain check, in a type wide enough to hold any parse."""
    if typ in INT_TYPES:
        return f"try_cast({expr} AS HUGEINT)"
    return f"CAST({expr} AS {typ})"


def guard_sql(name: str, typ: str, d: Domain) -> str:
    """`name` (the parsed value) when inside the domain, else NULL, cast to the column's type."""
    if typ in ("TIMESTAMP", "DATE"):
        high = d.high + dt.timedelta(days=1) if isinstance(d.high, dt.date) else d.high
        test = f"{name} >= {_lit(d.low)} AND {name} < {_lit(high)}"
    else:
        test = f"{name} BETWEEN {_lit(d.low)} AND {_lit(d.high)}"
    return f"CASE WHEN {test} THEN CAST({name} AS {typ}) END"


def single_field(expr: str) -> str | None:
    """The one source field an expression reads (`s.<field>`), or None when it reads several."""
    fields = set(re.findall(r"\bs\.([a-z0-9_]+)", expr))
    return fields.pop() if len(fields) == 1 else None
