"""How numbers, changes and dates read on screen: one place so cards, tables and summaries agree."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd

PERCENT_UNITS = {"%", "percent", "pct", "share"}


def is_missing(x) -> bool:
    """None, NaN, NaT or pandas NA (not a list: a list is a value)."""
    if x is None:
        return True
    t = type(x)
    if t is float:  # the common cases first: a page asks this a few hundred times
        return x != x
    if t is int or t is str:
        return False
    if isinstance(x, (list, tuple, dict)):
        return False
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def fmt_value(value, unit: str | None = None) -> str:
    """1234.5 -> '1,234.5'; a percent unit gets a % sign; missing -> 'no data'."""
    if is_missing(value):
        return "no data"
    v = float(value)
    if math.isinf(v):
        return "not defined"  # a ratio whose reference group had no events
    text = f"{v:,.0f}" if abs(v) >= 100 or v == int(v) else f"{v:,.1f}" if abs(v) >= 10 else f"{v:,.2f}"
    unit = (unit or "").strip()
    if unit.lower() in PERCENT_UNITS:
        return text + "%"
    return text


def fmt_unit(unit: str | None) -> str:
    unit = (unit or "").strip()
    return "" if unit.lower() in PERCENT_UNITS | {"count", "events", ""} else unit


def fmt_change(change, change_pct=None) -> str:
    """Signed change with its percent: '+12 (+8.1%)'; missing -> 'no comparison'."""
    if is_missing(change):
        return "no comparison"
    sign = "+" if change > 0 else "" if change == 0 else "\u2212"
    text = f"{sign}{fmt_value(abs(change))}"
    if not is_missing(change_pct):
        psign = "+" if change_pct > 0 else "" if change_pct == 0 else "\u2212"
        text += f" ({psign}{abs(change_pct):.1f}%)"
    return text


def fmt_date(d) -> str:
    if is_missing(d):
        return "unknown"
    if isinstance(d, dt.datetime):
        d = d.date()
    if isinstance(d, dt.date):
        return d.strftime("%-d %b %Y")
    return str(d)


def finite(x):
    """A number a chart can draw: None for missing or infinite values."""
    if type(x) is float:
        return x if -math.inf < x < math.inf else None
    if is_missing(x):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isinf(v) else v
