"""Noise-aware flags and status rules on constructed numbers.

A real doubling is flagged; Poisson noise of the same mean is flagged no more often than the
stated 5% false-alarm rate, over many seeds.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from engine import stats
from engine.status import status
from test_engine_fixtures import measure, open_engine


def test_doubling_is_flagged_and_explained():
    f = stats.compare_counts(100, 50)
    assert f.flagged and f.p_value < 0.001
    assert "higher" in f.explanation and "p < 0.001" in f.explanation and "0.000" not in f.explanation


def test_p_values_read_as_a_person_would_write_them():
    assert [stats.fmt_p(p) for p in (9.93e-10, 0.0004, 0.0041, 0.0312, 0.31, 1.0)] == [
        "p < 0.001", "p < 0.001", "p = 0.004", "p = 0.03", "p = 0.31", "p = 1.00"]


def test_one_or_two_events_are_never_a_real_change():
    # An exact test calls 0 -> 7 (p = 0.016) and 2 against none in 8 periods (p = 0.012) real;
    # with fewer than MIN_EVENTS events in both periods together no count change is flagged.
    for x, x0, e, e0 in ((7, 0, 1, 1), (2, 0, 1, 8), (1, 0, 1, 20), (0, 9, 1, 1)):
        f = stats.compare_counts(x, x0, e, e0)
        assert not f.flagged and "too few" in f.explanation, (x, x0)
    assert stats.compare_counts(10, 0).flagged  # ten events against none is a change


def test_benjamini_hochberg_marks_what_bonferroni_misses():
    ps = [0.001, 0.008, 0.012, 0.02, 0.3, 0.6, 0.9, 0.95]
    assert [p < 0.05 / len(ps) for p in ps] == [True] + [False] * 7          # Bonferroni: one
    assert stats.benjamini_hochberg(ps, 0.10) == [True] * 4 + [False] * 4     # FDR 10%: four
    # step-up: a larger p-value under its own line lifts the smaller ones with it
    assert stats.benjamini_hochberg([0.04, 0.045], 0.05) == [True, True]
    assert stats.benjamini_hochberg([], 0.1) == []


def test_same_counts_are_not_flagged():
    f = stats.compare_counts(50, 50)
    assert not f.flagged and f.p_value == pytest.approx(1.0)


def test_exposure_matters():
    # 30 events in 14 days against 30 in 28 days: the rate doubled
    assert stats.compare_counts(30, 30, 14, 28).flagged
    assert not stats.compare_counts(30, 60, 14, 28).flagged  # same rate


def test_zero_counts_have_no_test():
    f = stats.compare_counts(0, 0)
    assert not f.flagged and f.p_value is None


def test_poisson_noise_false_alarm_rate_and_power_over_many_seeds():
    rng = np.random.default_rng(20240601)
    trials = 2000
    noise = sum(stats.compare_counts(int(a), int(b)).flagged
                for a, b in rng.poisson(40, size=(trials, 2)))
    # exact test: at most 5% false alarms (conservative); allow binomial sampling slack
    assert noise / trials <= 0.05 + 2 * math.sqrt(0.05 * 0.95 / trials)
    power = sum(stats.compare_counts(int(a), int(b)).flagged
                for a, b in zip(rng.poisson(80, 500), rng.poisson(40, 500)))
    assert power / 500 > 0.9


def test_control_limits_of_a_point():
    f = stats.poisson_point(20, 10.0)
    assert f.flagged and f.limits == (4, 17)  # Poisson(10): P(X<=3)=0.010, P(X>=18)=0.014 -> 95% range 4..17
    assert not stats.poisson_point(12, 10.0).flagged


def test_exact_intervals_known_values():
    assert stats.poisson_ci(0) == pytest.approx((0.0, 3.6889), abs=1e-4)
    assert stats.poisson_ci(4) == pytest.approx((1.0899, 10.2416), abs=1e-4)
    assert stats.proportion_ci(6, 10) == pytest.approx((0.2624, 0.8784), abs=1e-4)


def test_quantile_interval_and_flag():
    values = np.arange(1, 101)  # 1..100
    lo, hi = stats.quantile_ci(values, 0.5)
    # n=100, B~Bin(100, .5): P(B<=39)=0.018 <= 0.025 < P(B<=40)=0.028 -> order statistics 40 and 61
    assert (lo, hi) == (40.0, 61.0)
    f = stats.compare_intervals((40.0, 61.0), (70.0, 90.0))
    assert f.flagged and f.limits == ((40.0, 61.0), (70.0, 90.0))
    assert not stats.compare_intervals((40.0, 61.0), (60.0, 80.0)).flagged


def test_rate_ratio_with_zero_counts():
    ratio, lo, hi = stats.rate_ratio(0, 1000, 5, 1000)
    assert ratio == 0 and lo == 0 and hi < math.inf
    ratio, lo, hi = stats.rate_ratio(5, 1000, 0, 1000)
    assert ratio == math.inf and hi == math.inf and lo > 0


@pytest.mark.parametrize("value,expected", [(9, "on_track"), (10, "on_track"), (10.9, "at_risk"),
                                            (11, "at_risk"), (11.1, "off_track"), (None, "no_data")])
def test_status_lower_is_better(value, expected):
    assert status(value, 10.0, "down", 10) == expected


@pytest.mark.parametrize("value,expected", [(60, "on_track"), (50, "on_track"), (45, "at_risk"),
                                            (44.9, "off_track"), (float("nan"), "no_data")])
def test_status_higher_is_better(value, expected):
    assert status(value, 50.0, "up", 10) == expected


def test_status_without_target():
    assert status(5, None, "down", 10) == "no_target"
    assert status(5, 5, "none", 10) == "no_target"


def _weekly(start, counts, seed_area="A"):
    """Events spread over each week (one a day round-robin, noon)."""
    out = []
    for w, n in enumerate(counts):
        for i in range(n):
            t = dt.datetime.combine(start + dt.timedelta(days=7 * w + i % 7), dt.time(12, i % 60))
            out.append({"event_time": t, "category": "ROBBERY", "area_mcpp": seed_area})
    return out


def test_series_flags_a_real_doubling_and_not_steady_weeks(tmp_path):
    start = dt.date(2024, 1, 1)  # Monday
    counts = [30] * 10 + [60]
    e = open_engine(tmp_path, [measure("robberies", {"kind": "count", "dataset": "crime"})],
                    {"crime": _weekly(start, counts)})
    s = e.series("robberies", "week", start, start + dt.timedelta(days=7 * len(counts) - 1))
    assert list(s["value"]) == counts
    assert list(s["flagged"]) == [False] * 10 + [True]
    assert s["p_value"].iloc[-1] < 0.001
    # the same weeks as a comparison line (last year's, under this year's): drawn, never tested
    line = e.series("robberies", "week", start, start + dt.timedelta(days=7 * len(counts) - 1), flags=False)
    assert list(line["value"]) == counts and list(line["period_start"]) == list(s["period_start"])
    assert not line["flagged"].any() and line["p_value"].isna().all()


def test_measure_flag_target_and_status_together(tmp_path):
    start = dt.date(2024, 1, 1)
    counts = [30, 30, 60, 60]  # two fortnights: 60 then 120 robberies
    e = open_engine(tmp_path, [measure("robberies", {"kind": "count", "dataset": "crime"},
                                       target={"value": 1560, "per_days": 364, "tolerance_pct": 10,
                                               "rationale": "test"})],
                    {"crime": _weekly(start, counts)})
    p = e.period("meeting", end=dt.date(2024, 1, 28))
    r = e.measure("robberies", p)
    assert (r.value, r.prior) == (120, 60)
    assert r.flag.flagged and r.flag.test.startswith("exact Poisson")
    assert r.target == pytest.approx(60)         # 1,560 a year = 60 a fortnight
    assert r.status == "off_track"                # 120 > 60 x 1.1
    assert r.change == 60 and r.change_pct == pytest.approx(100)


def test_binomial_p_value_agrees_with_scipy_binomtest():
    from scipy import stats as st

    rng = np.random.default_rng(7)
    for _ in range(300):
        n = int(rng.integers(1, 300))
        k = int(rng.integers(0, n + 1))
        p = float(rng.uniform(0.02, 0.98))
        assert stats.binom_two_sided(k, n, p) == pytest.approx(st.binomtest(k, n, p).pvalue, abs=1e-9)
    # large counts (a year of 911 calls) stay exact: 60,000 of 121,000 against an even split
    assert stats.binom_two_sided(60000, 121000, 0.5) == pytest.approx(
        st.binomtest(60000, 121000, 0.5).pvalue, rel=1e-6)


def test_fisher_p_value_agrees_with_scipy_fisher_exact():
    from scipy import stats as st

    rng = np.random.default_rng(11)
    for _ in range(300):
        n, n0 = (int(x) for x in rng.integers(1, 200, 2))
        k, k0 = int(rng.integers(0, n + 1)), int(rng.integers(0, n0 + 1))
        assert stats.fisher_two_sided(k, n, k0, n0) == pytest.approx(
            st.fisher_exact([[k, n - k], [k0, n0 - k0]]).pvalue, abs=1e-9)
    # 50% of 60,000 against 47.5% of 61,000: a real change in a big share is flagged
    assert stats.compare_shares(30000, 60000, 29000, 61000).flagged


def test_fast_tests_agree_with_scipy_on_large_counts():
    """The engine's fast paths (direct hypergeometric sums, boost ufuncs for binomial ranks, a
    search started at the mirror image) must give scipy's numbers for year-sized counts too."""
    from scipy import stats as st

    rng = np.random.default_rng(23)
    for _ in range(60):
        n, n0 = (int(x) for x in rng.integers(1000, 150000, 2))
        p = float(rng.uniform(0.05, 0.95))
        k, k0 = int(rng.binomial(n, p)), int(rng.binomial(n0, p * float(rng.uniform(0.97, 1.03))))
        assert stats.fisher_two_sided(k, n, k0, n0) == pytest.approx(
            st.fisher_exact([[k, n - k], [k0, n0 - k0]]).pvalue, rel=1e-6, abs=1e-12)
        kk = int(rng.binomial(n, p * float(rng.uniform(0.98, 1.02))))
        assert stats.binom_two_sided(kk, n, p) == pytest.approx(st.binomtest(kk, n, p).pvalue, rel=1e-6, abs=1e-12)
        q = float(rng.choice([0.1, 0.5, 0.9]))
        lo, hi = stats.quantile_ci_ranks(n, q)
        assert (lo + 1, hi) == (int(st.binom.ppf(0.025, n, q)), int(st.binom.isf(0.025, n, q)))
