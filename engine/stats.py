"""The statistics behind "is this change real?": exact tests and intervals, no normal shortcuts.

- counts and rates: exact conditional (binomial) test of two Poisson counts with exposures;
- a point in a series: exact Poisson control limits around the mean of the points before it;
- shares: Fisher's exact test;
- percentiles: distribution-free order-statistic intervals (flag when they do not overlap);
- rates and ratios of rates: exact Poisson (Garwood) and conditional Clopper-Pearson intervals.
Every result carries the p-value or limits so a page can say why something was flagged.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy import special

ALPHA = 0.05  # false-alarm rate of every flag: a change with no real cause is flagged < 5% of the time
# Fewest events (both periods together) a count comparison needs before it may be called a real
# change. An exact test calls 0 against 7, or 2 against none in the 8 periods before, "significant";
# a meeting that hears "officer-involved shootings doubled" about 1 -> 2 is misled, so one or two
# events are never a change: too few to tell a cause from chance, whatever the p-value.
MIN_EVENTS = 10


@dataclass(frozen=True)
class Flag:
    flagged: bool
    test: str
    p_value: float | None = None
    limits: tuple | None = None
    explanation: str = ""


NO_TEST = Flag(False, "none", explanation="Not enough data to test this change.")


def fmt_p(p: float | None) -> str:
    """A p-value as a reader should see it: 'p < 0.001', 'p = 0.004', 'p = 0.31' (never 0.000 or 9.93e-10)."""
    if p is None or p != p:
        return "no p-value"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def too_few(n: int) -> Flag:
    return Flag(False, "too few events",
                explanation=f"{n} event{'s' if n != 1 else ''} in the two periods together: too few to tell a real "
                            f"change from chance (a change needs at least {MIN_EVENTS}).")


def benjamini_hochberg(p_values, q: float) -> list[bool]:
    """Which of several tests are discoveries at false-discovery rate q (Benjamini-Hochberg step-up):
    among the changes marked, at most a share q are expected to be chance. Bonferroni (alpha / m)
    keeps the chance of even one false alarm under alpha, which over ~200 area comparisons marks
    almost nothing; a meeting ranking hot spots can live with 1 in 10 being noise, not with none shown."""
    ps = [float(p) for p in p_values]
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    cut = 0
    for rank, i in enumerate(order, 1):
        if ps[i] <= q * rank / m:
            cut = rank
    keep = set(order[:cut])
    return [i in keep for i in range(m)]


# The two intervals below are pure functions of small integers that recur on every page (a
# series or a breakdown asks for dozens; a scalar scipy call costs ~4 us): remembered, bounded.
@functools.lru_cache(maxsize=8192)
def poisson_ci(n: int, alpha: float = ALPHA) -> tuple[float, float]:
    """Exact (Garwood) interval for a Poisson mean given count n (chi-square quantiles / 2)."""
    lo = 0.0 if n == 0 else float(special.gammaincinv(n, alpha / 2))
    hi = float(special.gammaincinv(n + 1, 1 - alpha / 2))
    return lo, hi


@functools.lru_cache(maxsize=8192)
def proportion_ci(k: int, n: int, alpha: float = ALPHA) -> tuple[float, float]:
    """Clopper-Pearson interval for k successes out of n."""
    if n == 0:
        return (math.nan, math.nan)
    lo = 0.0 if k == 0 else float(special.betaincinv(k, n - k + 1, alpha / 2))
    hi = 1.0 if k == n else float(special.betaincinv(k + 1, n - k, 1 - alpha / 2))
    return lo, hi


def _logpmf(j: int, n: int, p: float) -> float:
    # math.lgamma, not scipy.special: scalar ufunc calls cost ~4 us each and a series runs thousands
    return (math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1)
            + (j * math.log(p) if j else 0.0) + ((n - j) * math.log1p(-p) if n - j else 0.0))


def _first_true(pred, a: int, b: int, guess: float) -> int:
    """Smallest j in [a, b] with pred(j), for pred false then true along [a, b] and true at b.
    Gallops out from `guess` before bisecting, so a good guess costs a handful of evaluations
    instead of log2(b - a) (a 52-week series runs ~100 tests)."""
    g = min(max(int(guess), a), b)
    if pred(g):
        hi, step = g, 1
        lo = g - 1
        while lo >= a and pred(lo):
            hi, step = lo, step * 2
            lo = hi - step
        lo = max(lo, a - 1)  # pred(lo) is false (or lo is below the range); the answer is in (lo, hi]
    else:
        lo, step = g, 1
        hi = min(g + 1, b)
        while hi < b and not pred(hi):
            lo, step = hi, step * 2
            hi = min(lo + step, b)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if pred(mid) else (mid, hi)
    return hi


def _two_sided(k: int, lo: int, hi: int, split: float, logpmf, cdf, sf) -> float:
    """Exact two-sided p-value of a unimodal discrete distribution on [lo, hi]: the probability
    of every outcome no more likely than k (the rule of scipy's binomtest and fisher_exact),
    finding the other tail's edge by a search that starts at k's mirror image across the mode,
    so large counts cost microseconds."""
    d = logpmf(k) + math.log1p(1e-7)
    mirror = 2 * split - k
    if k < split:  # other tail above: first j with pmf(j) <= pmf(k)
        a, b = int(math.ceil(split)), hi
        if logpmf(b) > d:
            return float(min(1.0, cdf(k)))
        a = _first_true(lambda j: logpmf(j) <= d, a, b, mirror)
        return float(min(1.0, cdf(k) + sf(a - 1)))
    a, b = lo, int(math.floor(split))  # other tail below: last j with pmf(j) <= pmf(k)
    if logpmf(a) > d:
        return float(min(1.0, sf(k - 1)))
    if logpmf(b) <= d:
        return float(min(1.0, sf(k - 1) + cdf(b)))
    a = _first_true(lambda j: logpmf(j) > d, a, b, mirror) - 1
    return float(min(1.0, sf(k - 1) + cdf(a)))


def binom_two_sided(k: int, n: int, p: float) -> float:
    """Exact two-sided binomial test p-value (as scipy.stats.binomtest)."""
    if n == 0 or p in (0.0, 1.0) or k == n * p:
        return 1.0
    return _two_sided(k, 0, n, n * p, lambda j: _logpmf(j, n, p),
                      lambda j: special.bdtr(j, n, p), lambda j: special.bdtrc(j, n, p))


def _lncomb(a: int, b: int) -> float:
    return math.lgamma(a + 1) - math.lgamma(b + 1) - math.lgamma(a - b + 1)


def fisher_two_sided(k: int, n: int, k0: int, n0: int) -> float:
    """Fisher's exact test of k/n against k0/n0, two-sided (as scipy.stats.fisher_exact):
    given all margins, k is hypergeometric, and the p-value is the total probability of the
    tables no more likely than the observed one. Summed directly (vectorised) over the outcomes
    whose log-probability is within 45 of the mode's and of the observed table's (the pmf is
    log-concave, so they form one interval around the mode, found by a search from the normal
    approximation's guess); the rest adds less than 1e-15 of the p-value. scipy.stats.hypergeom costs ~0.3 ms a call and a
    52-week share series makes 100 tests."""
    total, succ = n + n0, k + k0
    lo, hi = max(0, n + succ - total), min(n, succ)
    if lo == hi:
        return 1.0
    base = _lncomb(total, n)

    def logpmf(x):
        return _lncomb(succ, x) + _lncomb(total - succ, n - x) - base

    mode = int((n + 1) * (succ + 1) // (total + 2))
    top, at_k = logpmf(mode), logpmf(k)
    if abs(at_k - top) < 1e-12:
        return 1.0
    floor_ = min(top, at_k) - 45.0
    # the interval where logpmf >= floor_, searched from the normal approximation's guess
    frac = succ / total
    sd = math.sqrt(max(n * frac * (1 - frac) * (total - n) / max(total - 1, 1), 1.0))
    reach = math.sqrt(2 * (top - floor_)) * sd + 1
    left = _first_true(lambda x: logpmf(x) >= floor_, lo, mode, mode - reach)
    right = _first_true(lambda x: logpmf(x) < floor_, mode, hi, mode + reach) if logpmf(hi) < floor_ else hi + 1
    # log pmf along the interval from its first value and the ratio pmf(x + 1) / pmf(x) (no gammaln per element)
    x = np.arange(left, right - 1, dtype=float)
    steps = np.log((succ - x) * (n - x) / ((x + 1) * (total - succ - n + x + 1)))
    lp = logpmf(left) + np.concatenate(([0.0], np.cumsum(steps)))
    d = at_k + math.log1p(1e-7)  # scipy's relative tolerance for "equally likely"
    return float(min(1.0, np.exp(lp[lp <= d]).sum()))


def compare_counts(x: int, x0: int, exposure: float = 1.0, exposure0: float = 1.0, alpha: float = ALPHA,
                   what: str = "count") -> Flag:
    """Exact test that two Poisson counts have the same rate (x over exposure vs x0 over exposure0).

    Conditional on x + x0, x is binomial with p = exposure / (exposure + exposure0).
    """
    n = int(x) + int(x0)
    if n == 0 or not exposure > 0 or not exposure0 > 0:  # NaN exposure (no residents known): no test
        return NO_TEST
    if n < MIN_EVENTS:
        return too_few(n)
    p = exposure / (exposure + exposure0)
    pv = binom_two_sided(int(x), n, p)
    flagged = pv < alpha
    word = "higher" if x / exposure > x0 / exposure0 else "lower"
    expl = (f"The {what} is {word} than in the comparison period ({int(x)} against {int(x0)} events; exact Poisson "
            f"test, {fmt_p(pv)}): " + ("more than normal variation explains (a real change needs p < "
                                       f"{alpha:.3g})." if flagged else
                                       f"within normal variation (a real change needs p < {alpha:.3g})."))
    return Flag(flagged, "exact Poisson test", pv, None, expl)


def control_limits(baseline_mean: float, alpha: float = ALPHA) -> tuple[int, int]:
    """Counts outside [lo, hi] have probability < alpha under Poisson(baseline_mean)."""
    from scipy import stats as st  # lazy: scipy.stats costs ~50 MB of RSS per worker
    lo = int(st.poisson.ppf(alpha / 2, baseline_mean)) if baseline_mean > 0 else 0
    hi = int(st.poisson.isf(alpha / 2, baseline_mean)) if baseline_mean > 0 else 0
    return lo, hi


def poisson_point(x: int, baseline_mean: float, alpha: float = ALPHA) -> Flag:
    """Is count x unusual for a Poisson process with the baseline mean? Two-sided exact p-value."""
    from scipy import stats as st  # lazy: scipy.stats costs ~50 MB of RSS per worker
    if baseline_mean <= 0:
        return NO_TEST
    lo_tail = float(st.poisson.cdf(x, baseline_mean))
    hi_tail = float(st.poisson.sf(x - 1, baseline_mean))
    pv = min(1.0, 2 * min(lo_tail, hi_tail))
    limits = control_limits(baseline_mean, alpha)
    flagged = pv < alpha
    expl = (f"{x} against an expected {baseline_mean:.1f} (usual range {limits[0]}–{limits[1]}); "
            + ("outside what chance explains." if flagged else "within chance."))
    return Flag(flagged, "Poisson control limits", pv, limits, expl)


def compare_shares(k: int, n: int, k0: int, n0: int, alpha: float = ALPHA) -> Flag:
    if n == 0 or n0 == 0:
        return NO_TEST
    pv = fisher_two_sided(k, n, k0, n0)
    flagged = pv < alpha
    expl = (f"{k} of {n} against {k0} of {n0} in the comparison period (Fisher's exact test, {fmt_p(pv)}): "
            + ("more than normal variation explains." if flagged else "within normal variation."))
    return Flag(flagged, "Fisher exact", pv, None, expl)


def _binom_ppf_isf(a: float, n: int, q: float) -> tuple[int, int]:
    """scipy.stats.binom.ppf(a) and .isf(a), through the boost ufuncs scipy.stats itself calls:
    the public wrappers spend ~70 us each on argument checks, and a breakdown by 59 areas needs
    two per area. Falls back to the public API if a scipy release moves the private ufuncs
    (tests/test_engine_stats.py checks both agree)."""
    try:
        from scipy.special import _ufuncs as scu
        return int(scu._binom_ppf(a, n, q)), int(scu._binom_isf(a, n, q))
    except (ImportError, AttributeError):
        from scipy import stats as st  # lazy: scipy.stats costs ~50 MB of RSS per worker
        return int(st.binom.ppf(a, n, q)), int(st.binom.isf(a, n, q))


def quantile_ci_ranks(n: int, q: float, alpha: float = ALPHA) -> tuple[int | None, int | None]:
    """0-based ranks of the order statistics bounding a distribution-free interval for the q-th
    quantile of n values (binomial ranks); None for an unbounded side."""
    lo_rank, hi_rank = _binom_ppf_isf(alpha / 2, n, q)
    return (lo_rank - 1 if lo_rank > 0 else None), (hi_rank if hi_rank < n else None)


def quantile_ci(values, q: float, alpha: float = ALPHA) -> tuple[float, float]:
    """Distribution-free interval for the q-th quantile from order statistics (binomial ranks)."""
    v = np.sort(np.asarray(values, dtype=float))
    if len(v) == 0:
        return (math.nan, math.nan)
    lo, hi = quantile_ci_ranks(len(v), q, alpha)
    return (-math.inf if lo is None else float(v[lo])), (math.inf if hi is None else float(v[hi]))


def compare_intervals(ci: tuple, ci0: tuple, what: str = "percentile") -> Flag:
    if any(x is None or math.isnan(x) for x in (*ci, *ci0)):
        return NO_TEST
    flagged = ci[0] > ci0[1] or ci[1] < ci0[0]
    expl = (f"95% interval of this period's {what} {ci[0]:.1f}–{ci[1]:.1f} against {ci0[0]:.1f}–{ci0[1]:.1f} "
            f"in the comparison period; " + ("they do not overlap: flagged." if flagged else "they overlap: not flagged."))
    return Flag(flagged, "non-overlapping 95% intervals", None, (tuple(ci), tuple(ci0)), expl)


def rate_ratio(a: int, ea: float, b: int, eb: float, alpha: float = ALPHA) -> tuple[float, float, float]:
    """Ratio of rates (a/ea)/(b/eb) with an exact conditional interval.

    Given a + b, a is binomial with p = ea*RR/(ea*RR + eb); a Clopper-Pearson interval for p maps
    to RR = p/(1-p) * eb/ea. Zero counts give 0 or infinite bounds instead of failing.
    """
    if ea <= 0 or eb <= 0 or a + b == 0:
        return (math.nan, math.nan, math.nan)
    ratio = math.inf if b == 0 else (a / ea) / (b / eb)
    lo_p, hi_p = proportion_ci(a, a + b, alpha)
    f = eb / ea
    lo = lo_p / (1 - lo_p) * f if lo_p < 1 else math.inf
    hi = hi_p / (1 - hi_p) * f if hi_p < 1 else math.inf
    return float(ratio), float(lo), float(hi)
