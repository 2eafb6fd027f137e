"""Tests of ``iomlib.impact.models``: the statistical helpers against published examples and
reference implementations."""
from __future__ import annotations

import numpy as np
import pytest

from iomlib.impact.models import g_estimate, poisson_fit, smd, wilson


def test_wilson_newcombe_1998_single_proportion():
    # Newcombe (1998) Stat Med 17:857-872, example: 81/263 -> 0.2553 to 0.3662
    lo, hi = wilson(81, 263)
    assert round(lo, 4) == 0.2553 and round(hi, 4) == 0.3662


def test_smd():
    assert smd([1, 2, 3], [1, 2, 3]) == 0
    # means 2 and 3, population variances 2/3 each -> (2 - 3) / sqrt(2/3)
    assert smd([1, 2, 3], [2, 3, 4]) == pytest.approx(-1 / np.sqrt(2 / 3))


def test_smd_of_an_empty_group_is_undefined_not_an_error():
    # a thin extract can leave no matched comparison person: the balance table says NaN
    assert np.isnan(smd([1, 2, 3], []))
    assert np.isnan(smd([1.0, 2.0], [1.0, 2.0], w_control=[0.0, 0.0]))


def _poisson_data(seed=0, n=800, n_groups=200):
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(n), rng.normal(size=n), rng.integers(0, 2, n)])
    g = rng.integers(0, n_groups, n)
    ex = rng.uniform(50, 365, n)
    frailty = np.exp(rng.normal(0, 0.5, n_groups))[g]
    y = rng.poisson(np.exp(X @ [-4.0, 0.3, -0.2]) * ex * frailty)
    return y, X, ex, g


def test_poisson_fit_matches_statsmodels_cluster():
    import statsmodels.api as sm
    y, X, ex, g = _poisson_data()
    f = poisson_fit(y, X, ex, g)
    r = sm.GLM(y, X, family=sm.families.Poisson(), exposure=ex).fit(
        cov_type="cluster", cov_kwds={"groups": g, "use_correction": False})
    G = len(np.unique(g))
    np.testing.assert_allclose(f.params, r.params, rtol=1e-8)
    np.testing.assert_allclose(f.bse, r.bse * np.sqrt(G / (G - 1)), rtol=1e-6)
    assert f.converged and 1 <= f.n_iter < 100


def test_negative_binomial_alpha_is_estimated_known_coefficients():
    """statsmodels NegativeBinomial (NB2) recovers known coefficients and alpha (not 1.0)."""
    import statsmodels.api as sm
    rng = np.random.default_rng(42)
    n = 20000
    x = rng.normal(size=n)
    ex = rng.uniform(0.5, 2.0, n)
    mu = ex * np.exp(0.5 - 0.7 * x)
    alpha = 0.8
    y = rng.poisson(rng.gamma(1 / alpha, alpha * mu))   # NB2: var = mu + alpha mu^2
    X = sm.add_constant(x)
    r = sm.NegativeBinomial(y, X, exposure=ex, loglike_method="nb2").fit(disp=0, maxiter=200)
    b0, b1, a = r.params
    assert b0 == pytest.approx(0.5, abs=0.04)
    assert b1 == pytest.approx(-0.7, abs=0.03)
    assert a == pytest.approx(alpha, abs=0.06)


def test_g_estimate_recovers_planted_effect():
    """Adoption at random given x; managed offences thinned by 30%: g-estimation finds 0.3."""
    rng = np.random.default_rng(7)
    n = 6000
    x = rng.normal(size=n)
    adopted = (rng.random(n) < 1 / (1 + np.exp(-x))).astype(float)   # confounded by x
    lib = rng.uniform(200, 365, n)
    share = np.where(adopted == 1, rng.uniform(0.7, 1.0, n), rng.uniform(0.0, 0.3, n))
    rate = np.exp(-5 + 0.8 * x)
    e_true = 0.3
    y_man = rng.poisson(rate * lib * share * (1 - e_true))
    y_un = rng.poisson(rate * lib * (1 - share))
    X = np.column_stack([np.ones(n), adopted, x])
    out = g_estimate(y_un, y_man, X, lib, np.arange(n), names=["const", "adopted", "x"])
    assert out["ci_low"] < e_true < out["ci_high"]
    assert out["estimate"] == pytest.approx(e_true, abs=0.06)
    # the intention-to-treat coefficient is diluted
    assert 1 - np.exp(out["itt_coef"]) < out["estimate"]


def test_g_estimate_interval_ends_invert_the_test():
    """The interval ends (found from a first guess at the slope, then Brent's method) are the
    e at which the clustered z statistic is -1.96 and +1.96, as scipy's brentq finds them."""
    from scipy.optimize import brentq

    from iomlib.impact.models import Z95, poisson_fit
    rng = np.random.default_rng(11)
    n = 3000
    x = rng.normal(size=n)
    adopted = (rng.random(n) < 1 / (1 + np.exp(-x))).astype(float)
    lib = rng.uniform(200, 365, n)
    share = np.where(adopted == 1, rng.uniform(0.7, 1.0, n), rng.uniform(0.0, 0.3, n))
    rate = np.exp(-5 + 0.8 * x)
    y_man = rng.poisson(rate * lib * share * 0.8)
    y_un = rng.poisson(rate * lib * (1 - share))
    X = np.column_stack([np.ones(n), adopted, x])
    names = ["const", "adopted", "x"]
    out = g_estimate(y_un, y_man, X, lib, np.arange(n), names=names, cov_type="cr3")

    def z(e):
        f = poisson_fit(y_un + y_man / (1 - e), X, lib, np.arange(n), names=names,
                        cov_type="cr3")
        b, se = f.coef("adopted")
        return b / se
    lo = brentq(lambda e: z(e) + Z95, -9.0, out["estimate"], xtol=1e-8)
    hi = brentq(lambda e: z(e) - Z95, out["estimate"], 0.995, xtol=1e-8)
    assert out["ci_low"] == pytest.approx(lo, abs=1e-4)
    assert out["ci_high"] == pytest.approx(hi, abs=1e-4)
    assert out["estimate"] == pytest.approx(brentq(z, -9.0, 0.995, xtol=1e-8), abs=1e-4)


def test_g_estimate_reports_a_fit_that_did_not_converge():
    """One Newton-Raphson step cannot converge: the result says so and a RuntimeWarning is
    issued (not silenced); with the default steps every fit converges and nothing is noted."""
    rng = np.random.default_rng(3)
    n = 2000
    x = rng.normal(size=n)
    adopted = (rng.random(n) < 0.4).astype(float)
    lib = rng.uniform(200, 365, n)
    share = np.where(adopted == 1, 0.9, 0.1)
    rate = np.exp(-5 + 0.8 * x)
    y_man = rng.poisson(rate * lib * share * 0.8)
    y_un = rng.poisson(rate * lib * (1 - share))
    X = np.column_stack([np.ones(n), adopted, x])
    args = (y_un, y_man, X, lib, np.arange(n))
    with pytest.warns(RuntimeWarning, match="did not converge"):
        bad = g_estimate(*args, names=["const", "adopted", "x"], max_iter=1)
    assert bad["converged"] is False and "did not converge" in bad["note"]
    assert not bad["curve"]["converged"].all()
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        good = g_estimate(*args, names=["const", "adopted", "x"])
    assert good["converged"] is True and good["note"] is None
    assert good["curve"]["converged"].all()


def test_z95_is_the_normal_quantile():
    from scipy import stats

    from iomlib.impact.models import Z95
    assert Z95 == pytest.approx(float(stats.norm.ppf(0.975)), abs=1e-12)


def test_jackknife_covariance_matches_leave_one_cluster_out_steps():
    """CV3 equals (G-1)/G sum of d_g d_g' with d_g = (H - H_g)^-1 s_g computed directly, and
    is close to the exact leave-one-cluster-out jackknife of refitted coefficients."""
    from iomlib.impact.models import _jackknife_covariance, poisson_fit
    rng = np.random.default_rng(4)
    G = 60
    groups = np.repeat(np.arange(G), rng.integers(1, 5, G))
    n = len(groups)
    X = np.column_stack([np.ones(n), rng.normal(size=n), rng.integers(0, 2, n)])
    frailty = rng.gamma(1.0, 1.0, G)[groups]
    y = rng.poisson(np.exp(0.2 + 0.3 * X[:, 1]) * frailty).astype(float)
    expo = np.ones(n)
    f = poisson_fit(y, X, expo, groups, cov_type="cr3")
    mu = f.mu
    H = (X * mu[:, None]).T @ X
    D = []
    refit = []
    for g in range(G):
        k = groups == g
        Hg = (X[k] * mu[k, None]).T @ X[k]
        D.append(np.linalg.solve(H - Hg, X[k].T @ (y[k] - mu[k])))
        refit.append(poisson_fit(y[~k], X[~k], expo[~k], groups[~k]).params)
    D = np.array(D)
    direct = D.T @ D * (G - 1) / G
    np.testing.assert_allclose(_jackknife_covariance(y, X, mu, groups), direct, rtol=1e-8)
    np.testing.assert_allclose(f.cov, direct, rtol=1e-8)
    R = np.array(refit)
    exact = (R - R.mean(0)).T @ (R - R.mean(0)) * (G - 1) / G
    np.testing.assert_allclose(np.sqrt(np.diag(direct)), np.sqrt(np.diag(exact)), rtol=0.1)
    assert np.all(np.diag(direct) >= np.diag(poisson_fit(y, X, expo, groups).cov) * 0.9)


@pytest.mark.parametrize("f, lo, hi", [
    (lambda x: x ** 3 - 2 * x - 5, 2.0, 3.0),                   # Brent's own test function
    (lambda x: np.cos(x) - x, 0.0, 1.0),
    (lambda x: np.exp(x) - 1e-3, -20.0, 5.0),
    (lambda x: np.tanh(50 * (x - 0.3)), -9.0, 0.995),           # a steep z-curve
    (lambda x: (x - 0.25) ** 3, -1.0, 1.0),                       # a triple root (slow case)
    (lambda x: np.sign(x - 0.123) * (abs(x - 0.123) ** 0.2), -9.0, 0.995),
])
def test_brent_agrees_with_scipy_brentq(f, lo, hi):
    from scipy.optimize import brentq

    from iomlib.impact.models import brent
    calls = []

    def counted(x):
        calls.append(x)
        return f(x)
    ours = brent(counted, lo, hi, f(lo), f(hi), xtol=1e-6)
    ref = brentq(f, lo, hi, xtol=1e-9, maxiter=1000)
    assert abs(ours - ref) <= 2e-6
    bisection = int(np.ceil(np.log2((hi - lo) / 1e-6))) + 1
    assert len(calls) <= 3 * bisection
    assert all(lo <= x <= hi for x in calls)


def test_brent_refuses_a_bracket_without_a_sign_change():
    from iomlib.impact.models import brent
    with pytest.raises(ValueError, match="same sign"):
        brent(lambda x: x * x + 1, -1.0, 1.0, 2.0, 2.0)
