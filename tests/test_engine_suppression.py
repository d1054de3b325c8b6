"""Small-number suppression, including the cases where naive suppression leaks a cell by subtraction."""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from engine import suppression as sup


def test_counts_below_threshold_are_shown_as_fewer_than():
    assert sup.show_count(3) == "fewer than 10"
    assert sup.show_count(9) == "fewer than 10"
    assert sup.show_count(10) == "10"
    assert sup.show_count(1234) == "1,234"
    assert sup.show_count(0) == "0"          # a zero identifies no one
    assert sup.show_count(4, threshold=5) == "fewer than 5"
    assert sup.show_count(None) == "no data"


def _consistent(table, mask, window=10):
    """Fillings of the hidden cells (small ones 1..9, others within `window` of their true value)
    that match every published total and visible cell: what a reader of the table can deduce."""
    t = np.atleast_2d(np.asarray(table, dtype=int))
    r, c = t.shape
    full = np.zeros((r + 1, c + 1), dtype=int)
    full[:r, :c] = t
    full[:r, c] = t.sum(1)
    full[r, :c] = t.sum(0)
    full[r, c] = t.sum()
    hidden = [(i, j) for i in range(r) for j in range(c) if mask[i, j]]
    ranges = [range(1, 10) if 0 < t[i, j] < 10 else range(max(0, t[i, j] - window), t[i, j] + window + 1)
              for i, j in hidden]
    sols = []
    for vals in itertools.product(*ranges):
        x = t.copy()
        for (i, j), v in zip(hidden, vals):
            x[i, j] = v
        rows_ok = all(mask[i, c] or x[i].sum() == full[i, c] for i in range(r))
        cols_ok = all(mask[r, j] or x[:, j].sum() == full[r, j] for j in range(c))
        if rows_ok and cols_ok and (mask[r, c] or x.sum() == full[r, c]):
            sols.append(vals)
    return sols


def test_naive_suppression_leaks_and_complementary_does_not():
    table = [[3, 20, 25],
             [15, 12, 30]]
    # naive: hide only the 3 -> row total 48 - 20 - 25 gives it back
    naive = np.zeros((3, 4), dtype=bool)
    naive[0, 0] = True
    assert _consistent(table, naive) == [(3,)]
    mask = sup.complementary(table)
    # hand-worked: row 1 hides its smallest other cell (20); column 1 then hides 15, column 2 hides 12
    expected = np.zeros((3, 4), dtype=bool)
    expected[0, 0] = expected[0, 1] = expected[1, 0] = expected[1, 1] = True
    assert (mask == expected).all()
    sols = _consistent(table, mask)
    assert len({s[0] for s in sols}) > 1  # the small cell is no longer determined
    for line in list(mask) + list(mask.T):  # no row or column with exactly one hidden entry
        assert line.sum() != 1


def test_one_dimensional_breakdown_with_its_total():
    counts = [3, 50, 40, 0]
    mask = sup.complementary([counts])
    # 3 is small; 0 is shown; the smallest other non-hidden cell is the 0 - hiding it still leaves
    # 3 + x = 93 - 90 undetermined between the two hidden cells
    assert mask[0, :4].tolist() == [True, False, False, True]
    assert len(_consistent([counts], mask)) > 1


def test_small_total_row_is_hidden_with_a_partner():
    table = [[2, 3],     # row total 5: small itself
             [40, 50]]
    mask = sup.complementary(table)
    assert mask[0, 0] and mask[0, 1] and mask[0, 2]
    assert len({s[0] for s in _consistent(table, mask)}) > 1


def test_breakdown_rates_follow_their_counts():
    df = pd.DataFrame({"key": ["A", "B", "C", "D"], "numerator": [4.0, 120.0, 80.0, 30.0],
                       "denominator": [1000.0, 5000.0, 6.0, 2000.0], "value": [4.0, 24.0, 13333.3, 15.0],
                       "ci_low": [1.0, 20.0, 1.0, 10.0], "ci_high": [10.0, 28.0, 20000.0, 20.0]})
    out = sup.suppress_breakdown(df, 10).set_index("key")
    # A's count (4) is small; D (30) is the smallest other count, hidden so A cannot be recovered
    assert out["suppressed"].tolist() == [True, False, False, True]
    # D is hidden only to protect A: it is not "fewer than 10" and does not say so
    assert out["display"].tolist() == ["fewer than 10", "120", "80", sup.HIDDEN_LABEL]
    # C: 6 residents is a small denominator, so its rate is hidden though its count is shown
    assert out["rate_suppressed"].tolist() == [True, False, True, True]
    assert out["value"].isna().tolist() == [True, False, True, True]
    assert out.loc["B", "value"] == 24.0


def test_hidden_cells_whose_range_gives_them_away_get_a_partner():
    # [1, 1, 50] with total 52: the two hidden cells sum to 2 and each is at least 1, so both are 1;
    # hiding 50 as well leaves them undetermined
    mask = sup.complementary([[1, 1, 50]])
    assert mask[0, :3].tolist() == [True, True, True]
    assert len({s[0] for s in _consistent([[1, 1, 50]], mask)}) > 1


def test_suppress_rate():
    assert sup.suppress_rate(1.5, False, False) == 1.5
    assert sup.suppress_rate(1.5, True, False) is None
    assert sup.suppress_rate(1.5, False, True) is None
