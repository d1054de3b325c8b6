"""Small-number suppression: the one implementation every public page, map, table and download uses.

A count from 1 to threshold - 1 (default 10) is shown as "fewer than 10"; zero is shown, as in
CDC WONDER's rule (a zero identifies no one). Hiding one cell is not
enough when totals are published: a hidden cell equals its row total minus the other cells. So
complementary suppression hides more cells until every row and column of the table (totals
included) has either no hidden entry or at least two. A rate is hidden when its numerator or its
denominator is hidden.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

DEFAULT_THRESHOLD = 10
# What a cell hidden by complementary suppression shows: it may be large, so not "fewer than 10".
HIDDEN_LABEL = "not shown (protects a small number)"


def label(threshold: int = DEFAULT_THRESHOLD) -> str:
    return f"fewer than {threshold}"


def is_small(n, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """True when a count must not be shown: 0 < n < threshold. Missing counts are not small."""
    return n is not None and not (isinstance(n, float) and math.isnan(n)) and 0 < n < threshold


def show_count(n, threshold: int = DEFAULT_THRESHOLD, hidden: bool = False) -> str:
    """The text a public page prints for a count."""
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return "no data"
    if hidden or is_small(n, threshold):
        return label(threshold)
    return f"{int(n):,}"


def complementary(table: np.ndarray, threshold: int = DEFAULT_THRESHOLD) -> np.ndarray:
    """Hidden-cell mask for a table of counts published with its row and column totals.

    table: 2-D counts WITHOUT totals (a 1-D list is one row). The mask returned has the shape of
    the table plus a totals row and column (last row / column; the corner is the grand total).
    Primary: every entry (totals included) from 1 to threshold - 1. Complementary: while some row or
    column of the augmented table lets a reader pin down a hidden entry, hide its smallest visible
    entry (inner cells before totals). A hidden entry is pinned down when it is the only hidden
    entry of its line (total minus the others), or when the line's other hidden entries are all
    small counts whose known range (1 to threshold - 1) leaves it one possible value: [1, 1, 50]
    with its total 52 shown gives 2 for the two hidden cells, so both must be 1.
    """
    return _masks(table, threshold)[0]


def _masks(table, threshold: int) -> tuple[np.ndarray, np.ndarray]:
    """(hidden, primary) masks over the table augmented with its totals."""
    t = np.atleast_2d(np.asarray(table, dtype=float))
    r, c = t.shape
    full = np.zeros((r + 1, c + 1))
    full[:r, :c] = t
    full[:r, c] = t.sum(axis=1)
    full[r, :c] = t.sum(axis=0)
    full[r, c] = t.sum()
    primary = (full > 0) & (full < threshold)
    mask = primary.copy()
    lines = [("row", i) for i in range(r + 1)] + [("col", j) for j in range(c + 1)]
    changed = True
    while changed:
        changed = False
        for kind, i in lines:
            m = mask[i, :] if kind == "row" else mask[:, i]
            v = full[i, :] if kind == "row" else full[:, i]
            p = primary[i, :] if kind == "row" else primary[:, i]
            if len(v) < 2 or not m.any() or not _pinned(v, m, p, threshold):
                continue
            # Hide the smallest visible entry; prefer inner cells over totals (the last entry).
            cand = [(v[k], k == len(v) - 1, k) for k in range(len(v)) if not m[k]]
            if not cand:
                continue
            _, _, k = min(cand, key=lambda x: (x[1], x[0], x[2]))
            if kind == "row":
                mask[i, k] = True
            else:
                mask[k, i] = True
            changed = True
    return mask, primary


def _pinned(v: np.ndarray, hidden: np.ndarray, primary: np.ndarray, threshold: int) -> bool:
    """True when a reader can work out some hidden entry of this line exactly.

    The line says sum(inner entries) = total (the last entry). A reader knows the visible entries,
    that a small-count entry lies in 1..threshold-1 and that any other hidden entry is >= 0."""
    if hidden.sum() == 1:
        return True
    sign = np.ones(len(v))
    sign[-1] = -1.0  # inner - total = 0
    known = -float((sign * v)[~hidden].sum())  # sum over hidden entries of sign * x
    lo = np.where(primary, 1.0, 0.0)
    hi = np.where(primary, threshold - 1.0, np.inf)
    idx = np.flatnonzero(hidden)
    for e in idx:
        others = [j for j in idx if j != e]
        # sign_e * x_e = known - sum(sign_j * x_j): range over the others' ranges.
        smin = sum(sign[j] * (lo[j] if sign[j] > 0 else hi[j]) for j in others)
        smax = sum(sign[j] * (hi[j] if sign[j] > 0 else lo[j]) for j in others)
        a, b = known - smax, known - smin
        if sign[e] < 0:
            a, b = -b, -a
        a, b = max(a, lo[e]), min(b, hi[e])
        if np.isfinite(a) and np.isfinite(b) and a == b:
            return True
    return False


def suppress_breakdown(df: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD, count_col: str = "numerator",
                       denom_col: str | None = "denominator", denom_is_count: bool = True,
                       value_cols: tuple = ("value", "ci_low", "ci_high")) -> pd.DataFrame:
    """Apply suppression to a one-dimensional breakdown published with its total.

    Adds `suppressed` (the count is hidden), `rate_suppressed` and `display` (text) and blanks hidden
    numbers. Counts below threshold are hidden; when exactly one row is hidden a second (the
    smallest) is hidden too, so the total minus the visible rows does not reveal it; a row whose
    numerator is hidden, or whose denominator is a count below threshold, loses its rate.
    """
    out = df.copy()
    counts = out[count_col].fillna(0).to_numpy(dtype=float)
    if len(out) == 0:
        out["suppressed"] = pd.Series(dtype=bool)
        out["rate_suppressed"] = pd.Series(dtype=bool)
        out["display"] = pd.Series(dtype=str)
        return out
    hidden, primary = _masks(counts.reshape(1, -1), threshold)
    count_hidden, count_small = hidden[0, :-1], primary[0, :-1]
    rate_hidden = count_hidden.copy()
    if denom_col and denom_is_count and denom_col in out:
        den = out[denom_col].to_numpy(dtype=float)
        rate_hidden |= np.where(np.isnan(den), False, (den > 0) & (den < threshold))
    out["suppressed"] = count_hidden
    out["rate_suppressed"] = rate_hidden
    # A cell hidden only to protect another is not "fewer than 10": it says so.
    out["display"] = [label(threshold) if small else HIDDEN_LABEL if h else show_count(n, threshold)
                      for n, h, small in zip(out[count_col], count_hidden, count_small)]
    out[count_col] = out[count_col].astype(float).mask(count_hidden)
    for col in value_cols:
        if col in out:
            out[col] = out[col].astype(float).mask(rate_hidden)
    return out


def suppress_rate(value, numerator_hidden: bool, denominator_hidden: bool):
    """A rate is shown only when both its parts are shown."""
    return None if numerator_hidden or denominator_hidden else value
