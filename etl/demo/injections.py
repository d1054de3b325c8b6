"""A few deliberately bad rows, so the demo exercises the loader's rejects and derived-key paths.

Each is a mistake real exports do contain (an empty key, an impossible date, a key Excel turned
into 3.00E+10, a line with an unquoted comma). They are listed in the demo manifest: the load
must reject exactly the unusable ones (no event date, a line that cannot be split) and load the
ones whose only damage is their key with a key derived from their content (etl/keys.py).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Injection:
    dataset: str
    column: str
    value: str | None
    what: str
    derived_key: bool = False  # the row loads with a derived key instead of being rejected


# Applied to the row one third of the way into the file (never the first or last row).
ROW_FIXES = [
    Injection("crime", "Offense ID", None, "empty Offense ID (missing natural key)", derived_key=True),
    Injection("calls", "Original Time Queued", "02/30/2025 10:15:00 AM", "impossible date 02/30"),
    Injection("terry_stops", "Terry Stop ID", "3.00001E+10", "key mangled by Excel into scientific notation",
              derived_key=True),
    Injection("use_of_force", "Occured_date_time", "13/05/2025 09:00:00 PM", "month 13"),
    Injection("fire_calls", "Datetime", "01/32/2026 10:00:00 AM", "day 32"),
    Injection("service_requests", "Service Request Number", None, "empty service request number",
              derived_key=True),
]
ADDRESS_FIELD = 14  # "100 Block Address" in the 2021 crime layout


def overrides(dataset: str, n_rows: int) -> tuple[dict[str, dict[int, str | None]], list[str], list[str]]:
    """This dataset's bad values as writer overrides {column: {row index: raw text}}, and the
    descriptions of those to be rejected and of those to load with a derived key."""
    out: dict[str, dict[int, str | None]] = {}
    done, derived = [], []
    for inj in ROW_FIXES:
        if inj.dataset != dataset or n_rows < 3:
            continue
        row = n_rows // 3
        out.setdefault(inj.column, {})[row] = inj.value
        (derived if inj.derived_key else done).append(f"{dataset} record {row + 1}: {inj.what}")
    return out, done, derived


def malformed_line(crime_fields: list[str], eol: str) -> bytes:
    """A 2021-layout crime record whose address has an unquoted comma: one field too many."""
    fields = list(crime_fields)
    fields[ADDRESS_FIELD] = "15XX BLOCK OF PIKE ST, SUITE 3"
    return (",".join(fields) + eol).encode("utf-8")
