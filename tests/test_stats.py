"""Statistical helpers against published examples.

* Wilson score interval: Newcombe RG (1998), "Two-sided confidence intervals for the single
  proportion: comparison of seven methods", Statistics in Medicine 17:857-872, Table I, method 3
  (score interval without continuity correction), examples (a)-(d).
* Wilcoxon signed-rank: the example in the scipy.stats.wilcoxon documentation (Darwin's
  cross- vs self-fertilised Zea mays height differences, from Fisher's Design of Experiments):
  statistic 24, exact two-sided p = 0.041259765625.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from iomlib.measures.stats import paired_tests, t_interval, t_intervals, t_quantile, wilson_interval

Z = 1.959963984540054


def wilson_closed_form(k, n, z=Z):
    p = k / n
    centre = (2 * n * p + z * z) / (2 * (n + z * z))
    half = z * math.sqrt(z * z + 4 * n * p * (1 - p)) / (2 * (n + z * z))
    return max(0.0, centre - half), min(1.0, centre + half)


@pytest.mark.parametrize("k, n, lo, hi", [
    (81, 263, 0.2553, 0.3662),   # Newcombe 1998, Table I (a)
    (15, 148, 0.0624, 0.1605),   # (b)
    (0, 20, 0.0000, 0.1611),     # (c)
    (1, 29, 0.0061, 0.1718),     # (d)
])
def test_wilson_against_newcombe_1998(k, n, lo, hi):
    got = wilson_interval(k, n)
    assert round(got[0], 4) == lo
    assert round(got[1], 4) == hi


@given(st.integers(1, 2000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_against_closed_form(kn):
    k, n = kn
    lo, hi = wilson_interval(k, n)
    elo, ehi = wilson_closed_form(k, n)
    assert lo == pytest.approx(elo, abs=1e-12) and hi == pytest.approx(ehi, abs=1e-12)
    # (statsmodels leaves ~1e-18 above 0 for some k = 0; immaterial)
    assert 0 <= lo <= k / n + 1e-12 and k / n - 1e-12 <= hi <= 1


def test_wilson_edge_cases():
    assert wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(10, 10)[1] == 1.0
    assert all(math.isnan(x) for x in wilson_interval(0, 0))
    lo90, hi90 = wilson_interval(81, 263, alpha=0.10)
    lo95, hi95 = wilson_interval(81, 263)
    assert lo95 < lo90 < hi90 < hi95
    assert (lo90, hi90) == pytest.approx(wilson_closed_form(81, 263, stats.norm.ppf(0.95)),
                                         abs=1e-12)


def test_t_interval():
    x = [75.0, -50.0, 10.0, 20.0]
    m, s = np.mean(x), np.std(x, ddof=1)
    q = stats.t.ppf(0.975, 3)
    assert t_interval(x) == pytest.approx((m - q * s / 2, m + q * s / 2))
    assert t_interval(x + [np.nan]) == pytest.approx(t_interval(x))
    assert all(math.isnan(v) for v in t_interval([1.0]))


def test_t_quantile_scalar_and_vectorised():
    assert t_quantile(4) == stats.t.ppf(0.975, 3)
    assert t_quantile(30, alpha=0.1) == stats.t.ppf(0.95, 29)
    assert math.isnan(t_quantile(1)) and math.isnan(t_quantile(0))
    q = t_quantile(np.array([0, 1, 2, 10]))
    assert np.isnan(q[:2]).all() and q[2] == stats.t.ppf(0.975, 1) and q[3] == t_quantile(10)


def test_t_intervals_match_the_scalar_interval():
    groups = [[75.0, -50.0, 10.0, 20.0], [1.0, 2.0], [3.0], list(range(40))]
    mean = [np.mean(g) for g in groups]
    sd = [np.std(g, ddof=1) if len(g) > 1 else np.nan for g in groups]
    lo, hi = t_intervals(mean, sd, [len(g) for g in groups])
    for g, a, b in zip(groups, lo, hi):
        if len(g) < 2:
            assert math.isnan(a) and math.isnan(b)
        else:
            assert (a, b) == pytest.approx(t_interval(g), rel=1e-12)
    lo90, hi90 = t_intervals(mean, sd, [len(g) for g in groups], alpha=0.1)
    assert lo[0] < lo90[0] < hi90[0] < hi[0]


DARWIN = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75]


def test_paired_tests_scipy_docs_example_with_zeros_counted():
    # the 15 published differences plus four pairs with no change
    before = np.array([100.0] * 19)
    after = before + np.array(DARWIN + [0, 0, 0, 0])
    out = paired_tests(before, after)
    assert out["n"] == 19
    assert out["n_zero_differences"] == 4
    assert out["wilcoxon_statistic"] == 24.0
    assert out["wilcoxon_p"] == pytest.approx(0.041259765625, rel=1e-12)
    assert out["n_decreased"] == 2 and out["n_increased"] == 13
    # sign test: 2 of 15 non-zero differences negative: 2 * (1 + 15 + 105) / 2**15
    assert out["sign_test_p"] == pytest.approx(2 * (1 + 15 + 105) / 2 ** 15, rel=1e-12)
    assert out["mean_before"] == 100.0
    assert out["mean_after"] == pytest.approx(100 + sum(DARWIN) / 19)


def test_paired_tests_direction_does_not_change_p():
    before = np.array(DARWIN, float) + 100
    a = paired_tests(before, np.full(15, 100.0))
    b = paired_tests(np.full(15, 100.0), before)
    assert a["wilcoxon_p"] == b["wilcoxon_p"] and a["sign_test_p"] == b["sign_test_p"]
    assert a["n_decreased"] == b["n_increased"] == 13


def test_paired_tests_all_zero_differences():
    out = paired_tests([1, 2, 3], [1, 2, 3])
    assert out["n_zero_differences"] == 3
    assert math.isnan(out["wilcoxon_p"]) and math.isnan(out["sign_test_p"])


def test_paired_tests_empty():
    out = paired_tests([], [])
    assert out["n"] == 0 and math.isnan(out["mean_before"]) and math.isnan(out["wilcoxon_p"])
