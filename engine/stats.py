"""The statistics behind "is this change real?": exact tests and intervals, no normal shortcuts.

- counts and rates: exact conditional (binomial) test of two Poisson counts with exposures;
- a point in a series: exact Poisson control limits around the mean of the points before it;
- shares: Fisher's exact test;
- percentiles: distribution-free order-statistic intervals (flag when they do not overlap);
- rates and ratios of rates: exact Poisson (Garwood) and conditional Clopper-Pearson intervals.
Every result carries the p-value or limits so a page can say why something was flagged.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

ALPHA = 0.05  # false-alarm rate of every flag: a change with no real cause is flagged < 5% of the time


@dataclass(frozen=True)
class Flag:
    flagged: bool
    test: str
    p_value: float | None = None
    limits: tuple | None = None
    explanation: str = ""


NO_TEST = Flag(False, "none", explanation="Not enough data to test this change.")


def poisson_ci(n: int, alpha: float = ALPHA) -> tuple[float, float]:
    """Exact (Garwood) interval for a Poisson mean given count n (chi-square quantiles / 2)."""
    lo = 0.0 if n == 0 else float(special.gammaincinv(n, alpha / 2))
    hi = float(special.gammaincinv(n + 1, 1 - alpha / 2))
    return lo, hi


def proportion_ci(k: int, n: int, alpha: float = ALPHA) -> tuple[float, float]:
    """Clopper-Pearson interval for k successes out of n."""
    if n == 0:
        return (math.nan, math.nan)
    lo = 0.0 if k == 0 else float(special.betaincinv(k, n - k + 1, alpha / 2))
    hi = 1.0 if k == n else float(special.betaincinv(k + 1, n - k, 1 - alpha / 2))
    return lo, hi


def _logpmf(j: int, n: int, p: float) -> float:
    return float(special.gammaln(n + 1) - special.gammaln(j + 1) - special.gammaln(n - j + 1)
                 + special.xlogy(j, p) + special.xlog1py(n - j, -p))


def _two_sided(k: int, lo: int, hi: int, split: float, logpmf, cdf, sf) -> float:
    """Exact two-sided p-value of a unimodal discrete distribution on [lo, hi]: the probability
    of every outcome no more likely than k (the rule of scipy's binomtest and fisher_exact),
    finding the other tail's edge by binary search, so large counts cost microseconds."""
    d = logpmf(k) + math.log1p(1e-7)
    if k < split:  # other tail above: first j with pmf(j) <= pmf(k)
        a, b = int(math.ceil(split)), hi
        if logpmf(b) > d:
            return float(min(1.0, cdf(k)))
        while a < b:
            mid = (a + b) // 2
            a, b = (a, mid) if logpmf(mid) <= d else (mid + 1, b)
        return float(min(1.0, cdf(k) + sf(a - 1)))
    a, b = lo, int(math.floor(split))  # other tail below: last j with pmf(j) <= pmf(k)
    if logpmf(a) > d:
        return float(min(1.0, sf(k - 1)))
    while a < b:
        mid = (a + b + 1) // 2
        a, b = (mid, b) if logpmf(mid) <= d else (a, mid - 1)
    return float(min(1.0, sf(k - 1) + cdf(a)))


def binom_two_sided(k: int, n: int, p: float) -> float:
    """Exact two-sided binomial test p-value (as scipy.stats.binomtest)."""
    if n == 0 or p in (0.0, 1.0) or k == n * p:
        return 1.0
    return _two_sided(k, 0, n, n * p, lambda j: _logpmf(j, n, p),
                      lambda j: special.bdtr(j, n, p), lambda j: special.bdtrc(j, n, p))


def _lncomb(a: int, b: int) -> float:
    return float(special.gammaln(a + 1) - special.gammaln(b + 1) - special.gammaln(a - b + 1))


def fisher_two_sided(k: int, n: int, k0: int, n0: int) -> float:
    """Fisher's exact test of k/n against k0/n0, two-sided (as scipy.stats.fisher_exact):
    given all margins, k is hypergeometric."""
    from scipy import stats as st  # lazy: scipy.stats costs ~50 MB of RSS per worker
    total, succ = n + n0, k + k0
    lo, hi = max(0, n + succ - total), min(n, succ)
    if lo == hi:
        return 1.0
    base = _lncomb(total, n)

    def logpmf(x):
        return _lncomb(succ, x) + _lncomb(total - succ, n - x) - base

    mode = int((n + 1) * (succ + 1) // (total + 2))
    if abs(logpmf(k) - logpmf(mode)) < 1e-12:
        return 1.0
    return _two_sided(k, lo, hi, mode, logpmf, lambda x: st.hypergeom.cdf(x, total, succ, n),
                      lambda x: st.hypergeom.sf(x, total, succ, n))


def compare_counts(x: int, x0: int, exposure: float = 1.0, exposure0: float = 1.0, alpha: float = ALPHA,
                   what: str = "count") -> Flag:
    """Exact test that two Poisson counts have the same rate (x over exposure vs x0 over exposure0).

    Conditional on x + x0, x is binomial with p = exposure / (exposure + exposure0).
    """
    n = int(x) + int(x0)
    if n == 0 or not exposure > 0 or not exposure0 > 0:  # NaN exposure (no residents known): no test
        return NO_TEST
    p = exposure / (exposure + exposure0)
    pv = binom_two_sided(int(x), n, p)
    flagged = pv < alpha
    word = "higher" if x / exposure > x0 / exposure0 else "lower"
    expl = (f"The {what} is {word} than in the comparison period, and a difference this large would happen by "
            f"chance with probability {pv:.3f} (exact Poisson test); " +
            ("flagged as a real change." if flagged else f"not flagged (needs < {alpha})."))
    return Flag(flagged, "exact Poisson (conditional binomial)", pv, None, expl)


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
    expl = (f"{k} of {n} against {k0} of {n0} in the comparison period; a difference this large happens by "
            f"chance with probability {pv:.3f} (Fisher's exact test); " + ("flagged." if flagged else "not flagged."))
    return Flag(flagged, "Fisher exact", pv, None, expl)


def quantile_ci_ranks(n: int, q: float, alpha: float = ALPHA) -> tuple[int | None, int | None]:
    """0-based ranks of the order statistics bounding a distribution-free interval for the q-th
    quantile of n values (binomial ranks); None for an unbounded side."""
    from scipy import stats as st  # lazy: scipy.stats costs ~50 MB of RSS per worker
    lo_rank = int(st.binom.ppf(alpha / 2, n, q))
    hi_rank = int(st.binom.isf(alpha / 2, n, q))
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
