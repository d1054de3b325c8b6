"""Small-number suppression as one linked problem: the one implementation every public page, map,
table and download uses.

WHY a linear-programming audit and not a rule per table: a reader combines everything published.
A table's total minus its visible cells, a rate beside its count (the population follows), a
share beside its count (the denominator and the complement follow), two measures that count the
same events, a subset beside its superset: each is a linear relation between counts. So the
publisher describes what it publishes as CELLS (counts, including ones never shown such as "other
uses of force") tied by EQUATIONS, and ROWS (what a reader sees on one line of one table), each
exposing one or more cells. A row is hidden when any of its cells is a count from 1 to its
threshold - 1 (primary). Then, audit and extend: for every cell only hidden rows expose, solve
min and max of the cell given every visible cell, every equation, non-negativity and "a hidden
one-count row is at least 1" (zero is always shown, so a reader knows a hidden count is not 0);
when the feasible interval is narrower than the threshold, hide a protecting cell (every row that
shows it) and audit again. Hiding more never narrows an interval, so the loop ends.

Solver: scipy's HiGHS (`scipy.optimize.linprog`, imported when a problem is solved), already a dependency. `pytauargus` 0.6 (PyPI)
was evaluated: its wheel bundles the tau-ARGUS engine with HiGHS and protects hierarchical tables
(OPT/MOD), but it takes tables built from microdata, not arbitrary linear relations such as "a
rate row exposes its count" or "a disparity ratio exposes the reference group's count", and it
would be a 14 MB binary dependency for problems of a few dozen cells; the LP bounds here are what
its audit computes. LP bounds are rounded inward to whole numbers; for the table structures
published (sums over a partition, nested subsets) they equal the integer bounds.

Protector choice: never a zero (a hidden zero would be read as "not zero"), never a public-record
count (threshold 0), never the table's total while an inner cell can serve, and among the
remaining candidates the order is a hash of the cell's name, not its size: the rule is in the
open-source code, and "the protector is the smallest visible cell" would tell a reader that every
visible cell is at least as large as it. The same data always give the same choice, so a table
republished unchanged is suppressed the same way (two differently-protected copies would give
each other away).

One label for every hidden cell, whatever the reason (small count, small denominator, protector):
a separate label would tell which rule fired, and "fewer than 10" on a protector is false.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

DEFAULT_THRESHOLD = 10
HIDDEN_LABEL = "not shown (privacy)"


def label(threshold: int = DEFAULT_THRESHOLD) -> str:
    """The text of every hidden cell (the threshold is stated once, in the methodology)."""
    return HIDDEN_LABEL


def is_small(n, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """True when a count must not be shown: 0 < n < threshold. Missing counts are not small."""
    return n is not None and not (isinstance(n, float) and math.isnan(n)) and 0 < n < threshold


def show_count(n, threshold: int = DEFAULT_THRESHOLD, hidden: bool = False) -> str:
    """The text a public page prints for a count."""
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return "no data"
    if hidden or is_small(n, threshold):
        return HIDDEN_LABEL
    return f"{int(n):,}"


@dataclass(frozen=True)
class Row:
    """One line a reader sees. `cells`: the counts it gives away (a rate row gives its count, a
    share row its count and its denominator). threshold 0: public record, never hidden.
    total: a table total, hidden as a protector only when no inner cell can serve.
    locked: decided elsewhere (True = must stay as `hidden_from_start`)."""
    id: object
    cells: tuple
    threshold: int = DEFAULT_THRESHOLD
    total: bool = False
    locked: bool = False
    hidden_from_start: bool = False
    table: object = None  # rows of one table: withheld together (zeros too) when nothing else protects


@dataclass
class Problem:
    values: dict                                   # cell -> true count (published and latent cells)
    equations: list = field(default_factory=list)  # [{cell: coefficient}], each sums to 0
    rows: list = field(default_factory=list)       # [Row]
    # cells no row shows but a reader can compute (a complement, "everyone else", a subset's rest):
    # {cell: threshold}; such a cell must not be pinned below its threshold either
    derived: dict = field(default_factory=dict)


def _order(cell, seed: str) -> str:
    return hashlib.sha256(f"{seed}|{cell!r}".encode()).hexdigest()


def _components(prob: Problem) -> dict:
    """cell -> component id (cells joined by an equation)."""
    parent: dict = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for eq in prob.equations:
        cells = list(eq)
        for c in cells[1:]:
            a, b = find(cells[0]), find(c)
            if a != b:
                parent[a] = b
    for c in prob.values:
        find(c)
    return {c: find(c) for c in parent}


def intervals(prob: Problem, hidden_rows: set, targets=None, withheld: frozenset = frozenset()) -> dict:
    """{cell: (lo, hi)} a reader can establish for every cell only hidden rows show (or `targets`),
    from the visible cells, the equations, non-negativity and hidden one-count rows >= 1 (zero is
    shown, except in a `withheld` table, whose rows are all hidden, zeros included)."""
    from scipy.optimize import linprog  # lazy: scipy.optimize costs ~40 MB of RSS per worker, and only
    # public mode (or a suppressed breakdown) ever solves
    known = set()
    for r in prob.rows:
        if r.id not in hidden_rows:
            known.update(r.cells)
    shown_cells = {c for r in prob.rows for c in r.cells}
    lower = {}
    for r in prob.rows:
        if r.id in hidden_rows and len(r.cells) == 1 and (r.table is None or r.table not in withheld):
            lower[r.cells[0]] = 1.0
    if targets is None:
        targets = {c for r in prob.rows if r.id in hidden_rows for c in r.cells} - known
    comp = _components(prob)
    by_comp: dict = {}
    for eq in prob.equations:
        by_comp.setdefault(comp[next(iter(eq))], []).append(eq)
    out = {}
    eqs_of: dict = {}
    for eq in prob.equations:
        for c in eq:
            eqs_of.setdefault(c, []).append(eq)
    for t in targets:
        if any(all(c in known or c == t for c in eq) for eq in eqs_of.get(t, [])):
            out[t] = (prob.values[t], prob.values[t])  # the only unknown of one relation: pinned
            continue
        eqs = [eq for eq in by_comp.get(comp.get(t, t), []) if any(c not in known for c in eq)]
        if len(eqs) == 1:  # one relation: its bound in closed form (most tables), no solver call
            out[t] = _one_equation(eqs[0], t, known, prob.values, lower)
            continue
        unknown = sorted({c for eq in eqs for c in eq if c not in known} | {t}, key=repr)
        if not eqs:
            out[t] = (lower.get(t, 0.0), math.inf)
            continue
        idx = {c: i for i, c in enumerate(unknown)}
        a = np.zeros((len(eqs), len(unknown)))
        b = np.zeros(len(eqs))
        for k, eq in enumerate(eqs):
            for c, coef in eq.items():
                if c in known:
                    b[k] -= coef * prob.values[c]
                else:
                    a[k, idx[c]] += coef
        bounds = [(lower.get(c, 0.0), None) for c in unknown]
        got = []
        for sign in (1.0, -1.0):  # min x, then min -x (= -max x)
            cost = np.zeros(len(unknown))
            cost[idx[t]] = sign
            r = linprog(cost, A_eq=a, b_eq=b, bounds=bounds, method="highs")
            got.append(math.inf if r.status == 3 else sign * r.fun if r.status == 0 else math.nan)
        lo, hi = got
        lo = math.ceil(lo - 1e-6) if math.isfinite(lo) else lower.get(t, 0.0)
        hi = math.floor(hi + 1e-6) if math.isfinite(hi) else math.inf
        out[t] = (lo, hi)
    return out


def _one_equation(eq: dict, t, known: set, values: dict, lower: dict) -> tuple:
    """Bounds of t from sum(a_c x_c) = 0 alone, every unknown x_c >= its lower bound."""
    b = -sum(a * values[c] for c, a in eq.items() if c in known)  # sum over unknowns of a_c x_c = b
    at = eq.get(t, 0.0)
    if at == 0:
        return (lower.get(t, 0.0), math.inf)
    # a_t x_t = b - S, S = sum of the other unknown terms: S ranges over [smin, smax]
    smin = smax = 0.0
    for c, a in eq.items():
        if c in known or c == t or a == 0:
            continue
        lo = lower.get(c, 0.0)
        if a > 0:
            smin, smax = smin + a * lo, math.inf
        else:
            smin, smax = -math.inf, smax + a * lo
    ends = sorted([(b - smax) / at if math.isfinite(smax) else -math.inf * at,
                   (b - smin) / at if math.isfinite(smin) else math.inf * at])
    lo = max(ends[0], lower.get(t, 0.0))
    hi = ends[1]
    lo = math.ceil(lo - 1e-6) if math.isfinite(lo) else lower.get(t, 0.0)
    hi = math.floor(hi + 1e-6) if math.isfinite(hi) else math.inf
    return (lo, hi)


def protect(prob: Problem, seed: str = "") -> set:
    """Ids of the rows to hide: every primary row and enough protectors that no cell only hidden
    rows show can be narrowed to an interval shorter than its threshold, and no derived cell can be
    pinned to an interval shorter than its threshold that reaches below it (a derived count known
    to be 0, or known to be large, gives no one away)."""
    rows = {r.id: r for r in prob.rows}
    by_cell: dict = {}
    for r in prob.rows:
        for c in r.cells:
            by_cell.setdefault(c, []).append(r)
    hidden = {r.id for r in prob.rows if r.locked and r.hidden_from_start}
    for r in prob.rows:
        if not r.locked and r.threshold > 0 and any(is_small(prob.values.get(c), r.threshold) for c in r.cells):
            hidden.add(r.id)
    need = {c: max([r.threshold for r in rs] or [0]) for c, rs in by_cell.items()}
    eqs_of: dict = {}
    for eq in prob.equations:
        for c in eq:
            eqs_of.setdefault(c, []).append(eq)
    comp = _components(prob)
    ok: set = set()
    withheld: set = set()
    for _ in range(10 * len(rows) + 10):
        known = {c for r in prob.rows if r.id not in hidden for c in r.cells}
        # a derived count of at least twice its threshold cannot be narrowed below it: no need to ask
        todo = (({c for r in prob.rows if r.id in hidden for c in r.cells} - known - ok)
                | {c for c, thr in prob.derived.items() if c not in ok and prob.values[c] < 2 * thr})
        iv = intervals(prob, hidden, todo, frozenset(withheld))  # hiding more only widens: safe stays safe
        bad = [c for c, (lo, hi) in iv.items()
               if (hi - lo < need[c] if c in need else hi - lo < prob.derived[c] and lo < prob.derived[c] and hi >= 1)]
        ok |= {c for c in iv if c not in bad}
        if not bad:
            return hidden
        changed = False
        done = set()  # one protector per component per round, then audit again
        def alone(c):  # a cell that is the only unknown of some equation is the one to protect first
            return min((sum(x not in known for x in eq) for eq in eqs_of.get(c, [])), default=99)

        for c in sorted(bad, key=lambda c: (alone(c), repr(c))):
            if comp.get(c, c) in done:
                continue
            pick = _protector(prob, c, hidden, by_cell, eqs_of, comp, seed)
            if pick is not None:
                hidden.update(r.id for r in by_cell[pick])
                done.add(comp.get(c, c))
                changed = True
                continue
            # nothing left to hide but a total decided elsewhere: withhold the cell's tables whole,
            # zeros too, so a reader no longer knows which hidden rows are at least 1
            tables = {r.table for r in by_cell.get(c, []) if r.table is not None} - withheld
            if tables:
                withheld |= tables
                hidden.update(r.id for r in prob.rows if r.table in tables and not r.locked)
                ok.clear()  # zeros hidden: lower bounds fall, so audit everything again
                done.add(comp.get(c, c))
                changed = True
        if not changed:
            return hidden  # nothing left that can protect it (the caller's audit reports it)
    return hidden


def _protector(prob, cell, hidden, by_cell, eqs_of, comp, seed):
    """A visible cell whose hiding can widen `cell`'s interval: from the equation that pins it
    (the one with the fewest unknown cells) first, else anywhere in its component; inner cells
    before totals; never a zero or a public-record count; hash order, not size."""
    known = {c for r in prob.rows if r.id not in hidden for c in r.cells}

    def usable(c):
        rs = [r for r in by_cell.get(c, []) if r.id not in hidden]
        return (c != cell and c in known and (prob.values.get(c) or 0) > 0 and rs
                and all(not r.locked and r.threshold > 0 for r in rs))

    def best(pool):
        cands = [c for c in pool if usable(c)]
        for total in (False, True):
            got = [c for c in cands if all(r.total == total for r in by_cell[c] if r.id not in hidden)]
            if got:  # a cell that also sits in a line with other unknown cells closes the cycle
                return min(got, key=lambda c: (-sum(any(x not in known and x != c for x in eq)
                                                    for eq in eqs_of.get(c, [])), _order(c, seed)))
        return None

    eqs = sorted(eqs_of.get(cell, []), key=lambda eq: (sum(c not in known for c in eq), len(eq)))
    for eq in eqs:
        pick = best(eq)
        if pick is not None:
            return pick
    return best(c for c in by_cell if comp.get(c) == comp.get(cell))


def table_problem(counts, threshold: int = DEFAULT_THRESHOLD) -> Problem:
    """A 2-D table of counts published with its row and column totals (a 1-D list is one row)."""
    t = np.atleast_2d(np.asarray(counts, dtype=float))
    r, c = t.shape
    if r == 1:  # one row: its column totals would only repeat its cells
        values = {(0, j): float(v) for j, v in enumerate(t[0])}
        values[(0, c)] = float(t.sum())
        rows = [Row((0, j), ((0, j),), threshold, total=(j == c)) for j in range(c + 1)]
        return Problem(values, [{**{(0, j): 1.0 for j in range(c)}, (0, c): -1.0}], rows)
    full = np.zeros((r + 1, c + 1))
    full[:r, :c] = t
    full[:r, c] = t.sum(axis=1)
    full[r, :c] = t.sum(axis=0)
    full[r, c] = t.sum()
    values = {(i, j): float(full[i, j]) for i in range(r + 1) for j in range(c + 1)}
    eqs = [{**{(i, j): 1.0 for j in range(c)}, (i, c): -1.0} for i in range(r + 1)]
    eqs += [{**{(i, j): 1.0 for i in range(r)}, (r, j): -1.0} for j in range(c + 1)]
    rows = [Row((i, j), ((i, j),), threshold, total=(i == r or j == c)) for i in range(r + 1) for j in range(c + 1)]
    return Problem(values, eqs, rows)


def complementary(table, threshold: int = DEFAULT_THRESHOLD) -> np.ndarray:
    """Hidden-cell mask for a table of counts published with its row and column totals: the shape
    of the table plus a totals row and column (last row / column; the corner is the grand total)."""
    t = np.atleast_2d(np.asarray(table, dtype=float))
    hidden = protect(table_problem(t, threshold))
    mask = np.zeros((t.shape[0] + 1, t.shape[1] + 1), dtype=bool)
    for i, j in hidden:
        mask[i, j] = True
    if t.shape[0] == 1:  # the column totals of one row are its cells
        mask[1, :] = mask[0, :]
    return mask


def suppress_breakdown(df: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD, count_col: str = "numerator",
                       denom_col: str | None = "denominator", denom_is_count: bool = True,
                       value_cols: tuple = ("value", "ci_low", "ci_high")) -> pd.DataFrame:
    """Suppression of a one-dimensional breakdown published with its total (the internal pages'
    public-mode tables). A row whose count denominator is shown beside its rate gives the
    denominator away, so a row is one unit: count and count denominator are hidden together, and
    its rate with them. Adds `suppressed`, `rate_suppressed` (the same: one label, one rule) and
    `display`; blanks hidden numbers."""
    out = df.copy()
    if len(out) == 0:
        out["suppressed"] = pd.Series(dtype=bool)
        out["rate_suppressed"] = pd.Series(dtype=bool)
        out["display"] = pd.Series(dtype=str)
        return out
    counts = out[count_col].fillna(0).to_numpy(dtype=float)
    den = (out[denom_col].to_numpy(dtype=float) if denom_col and denom_is_count and denom_col in out
           else np.full(len(out), np.nan))
    values = {("n", i): float(v) for i, v in enumerate(counts)}
    values[("n", "total")] = float(counts.sum())
    eqs = [{**{("n", i): 1.0 for i in range(len(counts))}, ("n", "total"): -1.0}]
    rows = []
    for i in range(len(counts)):
        cells = [("n", i)]
        if not np.isnan(den[i]):
            values[("d", i)] = float(den[i])
            cells.append(("d", i))
        rows.append(Row(i, tuple(cells), threshold))
    rows.append(Row("total", (("n", "total"),), threshold, total=True))
    hidden = protect(Problem(values, eqs, rows))
    mask = np.array([i in hidden for i in range(len(counts))], dtype=bool)
    out["suppressed"] = mask
    out["rate_suppressed"] = mask
    out["display"] = [HIDDEN_LABEL if h else show_count(n, threshold) for n, h in zip(out[count_col], mask)]
    out[count_col] = out[count_col].astype(float).mask(mask)
    for col in value_cols + ((denom_col,) if denom_col and denom_is_count and denom_col in out else ()):
        if col in out:
            out[col] = out[col].astype(float).mask(mask)
    return out


def suppress_rate(value, numerator_hidden: bool, denominator_hidden: bool):
    """A rate is shown only when both its parts are shown."""
    return None if numerator_hidden or denominator_hidden else value
