"""A few deliberately bad rows, so the demo exercises the loader's rejects path.

Each is a mistake real exports do contain (an empty key, an impossible date, a key Excel turned
into 3.00E+10, a line with an unquoted comma). They are listed in the demo manifest, and the
load must reject exactly these and nothing else.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Injection:
    dataset: str
    column: str
    value: str | None
    what: str


# Applied to the row one third of the way into the file (never the first or last row).
ROW_FIXES = [
    Injection("crime", "Offense ID", None, "empty Offense ID (missing natural key)"),
    Injection("calls", "Original Time Queued", "02/30/2025 10:15:00 AM", "impossible date 02/30"),
    Injection("terry_stops", "Terry Stop ID", "3.00001E+10", "key mangled by Excel into scientific notation"),
    Injection("use_of_force", "Occured_date_time", "13/05/2025 09:00:00 PM", "month 13"),
    Injection("fire_calls", "Datetime", "01/32/2026 10:00:00 AM", "day 32"),
    Injection("service_requests", "Service Request Number", None, "empty service request number"),
]
ADDRESS_FIELD = 14  # "100 Block Address" in the 2021 crime layout


def overrides(dataset: str, n_rows: int) -> tuple[dict[str, dict[int, str | None]], list[str]]:
    """This dataset's bad values as writer overrides {column: {row index: raw text}}, and descriptions."""
    out: dict[str, dict[int, str | None]] = {}
    done = []
    for inj in ROW_FIXES:
        if inj.dataset != dataset or n_rows < 3:
            continue
        row = n_rows // 3
        out.setdefault(inj.column, {})[row] = inj.value
        done.append(f"{dataset} record {row + 1}: {inj.what}")
    return out, done


def malformed_line(crime_fields: list[str], eol: str) -> bytes:
    """A 2021-layout crime record whose address has an unquoted comma: one field too many."""
    fields = list(crime_fields)
    fields[ADDRESS_FIELD] = "15XX BLOCK OF PIKE ST, SUITE 3"
    return (",".join(fields) + eol).encode("utf-8")
