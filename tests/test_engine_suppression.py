"""Suppression as a linked problem (engine/suppression.py), checked by brute force.

The reader below is independent of the code under test: it enumerates every filling of the
hidden cells with whole numbers (a hidden count is at least 1, since zero is always shown)
consistent with what is published, and reports each hidden cell's possible range.
"""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from engine import suppression as sup


def ranges_1d(row: list[int], hidden: list[bool], total_hidden: bool, cap: int = 60) -> dict:
    """{index: (min, max)} of each hidden cell of a one-row table published with its total."""
    total = sum(row)
    idx = [i for i, h in enumerate(hidden) if h]
    visible = sum(v for v, h in zip(row, hidden) if not h)
    seen = {i: set() for i in idx}
    for combo in itertools.product(*[range(1, cap + 1)] * len(idx)):
        if not total_hidden and visible + sum(combo) != total:
            continue
        for i, v in zip(idx, combo):
            seen[i].add(v)
    return {i: (min(s), max(s)) for i, s in seen.items()}


def one_row(row, threshold=10):
    mask = sup.complementary([row], threshold)
    return list(mask[0, :-1]), bool(mask[0, -1])


@pytest.mark.parametrize("row", [[3, 20, 30], [9, 32, 31, 9, 29], [1, 1, 50, 60], [3, 50, 40, 0], [2, 2, 2, 30],
                                 [5, 6], [0, 3, 2], [4, 12, 0, 15, 11]])
def test_no_hidden_cell_can_be_narrowed_below_the_threshold(row):
    inner, total_hidden = one_row(row)
    for i, v in enumerate(row):
        if 0 < v < 10:
            assert inner[i], f"{row}: the small cell {v} is shown"
        if v == 0:
            assert not inner[i], f"{row}: a zero is hidden"
    got = ranges_1d(row, inner, total_hidden)
    for i, (lo, hi) in got.items():
        assert hi - lo >= 10, f"{row}: hidden cell {i} ({row[i]}) is pinned to [{lo}, {hi}]"


def test_naive_suppression_leaks_the_known_answer():
    row = [3, 20, 30]
    assert ranges_1d(row, [True, False, False], False) == {0: (3, 3)}  # 53 - 20 - 30


def test_a_zero_is_never_the_protector():
    # the old rule hid the smallest other cell: here the 0, which a reader then knew was not 0,
    # and the total minus the visible cells gave the 3 back
    inner, total_hidden = one_row([3, 50, 40, 0])
    assert inner[3] is False or inner[3] == False  # noqa: E712
    assert sum(inner) == 2 and not total_hidden


def test_the_protector_is_not_always_the_smallest_visible_cell():
    # over many tables the chosen protector is sometimes not the smallest candidate: a reader
    # cannot conclude that every visible cell is at least the hidden protector
    rng = np.random.default_rng(7)
    not_smallest = 0
    for _ in range(40):
        row = [3] + [int(x) for x in rng.integers(15, 200, size=5)]
        inner, _ = one_row(row)
        prot = [v for v, h in zip(row[1:], inner[1:]) if h]
        assert prot, row
        if min(prot) > min(row[1:]):
            not_smallest += 1
    assert not_smallest >= 10


def test_same_table_same_suppression():
    # a table republished unchanged must be suppressed the same way (two copies differently
    # protected would give each other away)
    row = [4, 33, 27, 51, 18, 44]
    assert one_row(row) == one_row(list(row))


def test_two_way_table_with_totals():
    t = [[3, 20, 25], [15, 12, 30]]
    mask = sup.complementary(t)
    assert mask[0, 0]
    prob = sup.table_problem(t)
    hidden = {(i, j) for i in range(3) for j in range(4) if mask[i, j]}
    for cell, (lo, hi) in sup.intervals(prob, hidden).items():
        assert hi - lo >= 10, (cell, lo, hi)


def test_linked_rows_a_share_gives_away_its_complement():
    # 11 calls, 55% within 7 minutes: the share row shows 6 reached and so 11 calls; the 5 not
    # reached follow. The complement is a derived cell and must be protected like a published one.
    values = {"reached": 6.0, "calls": 11.0, "not": 5.0, "reached2": 40.0, "calls2": 52.0, "not2": 12.0,
              "all_calls": 63.0, "all_reached": 46.0, "all_not": 17.0}
    eqs = [{"calls": 1.0, "reached": -1.0, "not": -1.0}, {"calls2": 1.0, "reached2": -1.0, "not2": -1.0},
           {"all_calls": 1.0, "calls": -1.0, "calls2": -1.0}, {"all_reached": 1.0, "reached": -1.0, "reached2": -1.0},
           {"all_not": 1.0, "not": -1.0, "not2": -1.0}]
    rows = [sup.Row("a", ("reached", "calls")), sup.Row("b", ("reached2", "calls2")),
            sup.Row("total", ("all_reached", "all_calls"), total=True)]
    prob = sup.Problem(values, eqs, rows, derived={"not": 10, "not2": 10, "all_not": 10})
    hidden = sup.protect(prob)
    assert "a" in hidden  # 6 reached is small
    assert "b" in hidden  # else 63 - 52 = 11 calls and 46 - 40 = 6 reached come back
    iv = sup.intervals(prob, hidden, {"reached", "not", "calls"})
    assert iv["reached"][1] - iv["reached"][0] >= 10
    assert iv["not"][1] - iv["not"][0] >= 10


def test_public_record_counts_are_never_hidden_nor_protectors():
    values = {"a": 3.0, "b": 40.0, "c": 50.0, "t": 93.0}
    rows = [sup.Row("a", ("a",), threshold=0), sup.Row("b", ("b",), threshold=0), sup.Row("c", ("c",), threshold=0),
            sup.Row("t", ("t",), threshold=0, total=True)]
    assert sup.protect(sup.Problem(values, [{"t": 1.0, "a": -1.0, "b": -1.0, "c": -1.0}], rows)) == set()


def test_a_table_nothing_can_protect_is_withheld_whole():
    # the total (10) is decided elsewhere and stays shown; the table is 3, 3, 2, 2 and two zeros:
    # hiding the four small cells leaves each in [1, 7]. Withholding the whole table, zeros too,
    # leaves each in [0, 10].
    vals = [3.0, 0.0, 3.0, 2.0, 0.0, 2.0]
    values = {("c", i): v for i, v in enumerate(vals)}
    values["t"] = 10.0
    rows = [sup.Row(("r", i), (("c", i),), table="areas") for i in range(6)]
    rows.append(sup.Row("t", ("t",), total=True, locked=True))
    prob = sup.Problem(values, [{"t": 1.0, **{("c", i): -1.0 for i in range(6)}}], rows)
    hidden = sup.protect(prob)
    assert hidden == {("r", i) for i in range(6)}
    iv = sup.intervals(prob, hidden, withheld=frozenset({"areas"}))
    assert all(hi - lo >= 10 for lo, hi in iv.values())


def test_one_label_for_every_hidden_cell():
    assert sup.show_count(3) == sup.HIDDEN_LABEL == "not shown (privacy)"
    assert sup.show_count(0) == "0"
    assert sup.show_count(10) == "10"
    assert sup.show_count(1234) == "1,234"
    assert sup.show_count(None) == "no data"
    df = pd.DataFrame({"key": list("ABCD"), "numerator": [4.0, 120.0, 80.0, 30.0],
                       "denominator": [1000.0, 5000.0, 6.0, 2000.0], "value": [4.0, 24.0, 13333.3, 15.0]})
    out = sup.suppress_breakdown(df, 10)
    shown = set(out.loc[out["suppressed"], "display"])
    assert shown == {sup.HIDDEN_LABEL}  # small count, small denominator and protector read the same
    # C: 6 is a small denominator shown beside its rate: the whole row is hidden, count included
    assert out.set_index("key").loc["C", "suppressed"]
    assert out["value"].isna().tolist() == out["suppressed"].tolist()


def test_suppress_rate():
    assert sup.suppress_rate(1.5, False, False) == 1.5
    assert sup.suppress_rate(1.5, True, False) is None
    assert sup.suppress_rate(1.5, False, True) is None
