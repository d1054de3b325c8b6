"""Known-answer tests for small-number and complementary suppression (engine/suppression.py).

Each case is a table where a naive rule (hide only the counts below 10) leaks a hidden cell by
subtraction from the published total, or where the hidden cells' known range pins them down.
The "attacker" below is independent of the code under test: it enumerates every table of
whole numbers consistent with what is published (visible cells, totals, and that a cell shown as
"fewer than 10" is 1..9) and reports which hidden cells have only one possible value.
"""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from engine import suppression


def recoverable(row: list[int], hidden_inner: list[bool], total_hidden: bool, small: list[bool],
                threshold: int = 10) -> set[int]:
    """Indices of hidden cells of a one-row table (published with its total) that a reader can
    work out exactly. small[i]: the cell is labelled 'fewer than threshold' (so it is 1..9)."""
    total = sum(row)
    idx = [i for i, h in enumerate(hidden_inner) if h]
    ranges = [range(1, threshold) if small[i] else range(0, total + 1) for i in idx]
    visible = sum(v for v, h in zip(row, hidden_inner) if not h)
    seen = {i: set() for i in idx}
    for combo in itertools.product(*ranges):
        s = visible + sum(combo)
        if not total_hidden and s != total:
            continue
        if total_hidden and not (0 < s < threshold):
            continue
        for i, v in zip(idx, combo):
            seen[i].add(v)
    return {i for i in idx if len(seen[i]) == 1}


def one_row(row, threshold=10):
    mask = suppression.complementary(np.array([row]), threshold)
    return list(mask[0, :-1]), bool(mask[0, -1])


def test_naive_suppression_leaks_the_known_answer_and_ours_does_not():
    row = [3, 20, 30]  # total 53 published
    naive = [v < 10 for v in row]
    # naive: only the 3 is hidden; 53 - 20 - 30 = 3 gives it back
    assert recoverable(row, naive, False, naive) == {0}
    inner, total_hidden = one_row(row)
    assert inner == [True, True, False] and not total_hidden  # the 20 is hidden with it
    assert recoverable(row, inner, total_hidden, naive) == set()


def test_two_small_cells_whose_sum_pins_them_get_a_third():
    # As in the demo's robberies by precinct: East 9, Southwest 9, total 110. Hiding both 9s is not
    # enough: 110 - 32 - 31 - 29 = 18, and two counts of 1..9 summing to 18 must both be 9.
    row = [9, 32, 31, 9, 29]
    small = [v < 10 for v in row]
    assert recoverable(row, small, False, small) == {0, 3}
    inner, total_hidden = one_row(row)
    assert inner == [True, False, False, True, True]  # the smallest other cell (29) is hidden too
    assert recoverable(row, inner, total_hidden, small) == set()


def test_two_ones_are_protected_too():
    row = [1, 1, 50, 60]
    small = [v < 10 for v in row]
    assert recoverable(row, small, False, small) == {0, 1}
    inner, total_hidden = one_row(row)
    assert inner == [True, True, True, False]
    assert recoverable(row, inner, total_hidden, small) == set()


def test_zero_is_shown_and_a_small_total_hides_a_cell_with_it():
    row = [0, 3, 2]  # total 5 is small itself
    inner, total_hidden = one_row(row)
    assert inner == [False, True, True] and total_hidden
    row = [0, 0, 40]
    assert one_row(row) == ([False, False, False], False)


def test_threshold_is_configurable():
    assert one_row([4, 20, 30], threshold=5) == ([True, True, False], False)
    assert one_row([5, 20, 30], threshold=5) == ([False, False, False], False)


def test_two_way_table_no_hidden_cell_is_alone_in_its_row_or_column():
    # 2 x 2 with row and column totals published: hiding 3 alone, or 3 and 20 (its row only),
    # leaves column 0 with one hidden cell: 18 - 15 = 3.
    t = np.array([[3, 20], [15, 40]])
    mask = suppression.complementary(t)
    inner = mask[:-1, :-1]
    assert inner.all()  # every inner cell hidden: any fewer and a line has a lone hidden cell
    assert not mask[-1, :].any() and not mask[:, -1].any()  # the totals stay visible
    # Independent check: every 2x2 table with these totals and the hidden 3 in 1..9.
    values = {(a, b, c, d) for a in range(1, 10) for b in range(0, 61) for c in range(0, 61) for d in range(0, 61)
              if a + b == 23 and c + d == 55 and a + c == 18 and b + d == 60}
    assert len({v[0] for v in values}) > 1


def test_breakdown_labels_rates_and_displays():
    df = pd.DataFrame({"key": list("ABCD"), "label": list("ABCD"), "numerator": [3.0, 25.0, 40.0, 12.0],
                       "denominator": [100.0, 200.0, 5.0, 300.0], "value": [0.03, 0.125, 8.0, 0.04]})
    out = suppression.suppress_breakdown(df, 10, denom_col="denominator")
    # A (3) is small; the smallest other count, D (12), is hidden with it, and says why.
    assert list(out["display"]) == ["fewer than 10", "25", "40", "not shown (protects a small number)"]
    assert list(out["suppressed"]) == [True, False, False, True]
    # C's count (40) is shown but its denominator 5 is a small count: its rate is hidden too.
    assert list(out["rate_suppressed"]) == [True, False, True, True]
    assert out["value"].isna().tolist() == [True, False, True, True]
    assert out["numerator"].isna().tolist() == [True, False, False, True]


@pytest.mark.parametrize("n,text", [(0, "0"), (1, "fewer than 10"), (9, "fewer than 10"), (10, "10"),
                                    (1234, "1,234"), (None, "no data")])
def test_show_count(n, text):
    assert suppression.show_count(n) == text
