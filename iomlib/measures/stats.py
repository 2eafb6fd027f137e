"""Statistical helpers with named methods (checked against published examples in the tests)."""
from __future__ import annotations

import numpy as np
from scipy import stats
from statsmodels.stats.proportion import proportion_confint


def wilson_interval(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (statsmodels, ``method="wilson"``).

    Parameters
    ----------
    k : int
        Successes.
    n : int
        Trials (NaN bounds when 0).
    alpha : float, default 0.05
        One minus the coverage.

    Returns
    -------
    (float, float)
        Lower and upper bounds, clipped to [0, 1].
    """
    if n <= 0:
        return (float("nan"), float("nan"))
    lo, hi = proportion_confint(int(k), int(n), alpha=alpha, method="wilson")
    return float(max(0.0, lo)), float(min(1.0, hi))


def t_quantile(n, alpha: float = 0.05):
    """Two-sided t quantile for a mean of ``n`` values, ``t(1 - alpha / 2, n - 1)``.

    Parameters
    ----------
    n : int or array-like of int
        Number of values behind each mean.
    alpha : float, default 0.05
        One minus the coverage.

    Returns
    -------
    float or ndarray
        The quantile (NaN where ``n < 2``); a float for a scalar ``n``.
    """
    arr = np.asarray(n, float)
    q = np.full(arr.shape, np.nan)
    ok = arr >= 2
    q[ok] = stats.t.ppf(1 - alpha / 2, arr[ok] - 1)
    return float(q) if q.ndim == 0 else q


def t_interval(values, alpha: float = 0.05) -> tuple[float, float]:
    """t-based confidence interval for a mean (nan when fewer than two values).

    Parameters
    ----------
    values : array-like of float
        The values; NaN and infinite values are ignored.
    alpha : float, default 0.05
        One minus the coverage.

    Returns
    -------
    (float, float)
        Lower and upper bounds. :func:`t_intervals` is the vectorised form (from means, standard
        deviations and counts).
    """
    x = np.asarray(values, float)
    x = x[np.isfinite(x)]
    if len(x) < 2:
        return (float("nan"), float("nan"))
    m = x.mean()
    se = x.std(ddof=1) / np.sqrt(len(x))
    q = t_quantile(len(x), alpha)
    return float(m - q * se), float(m + q * se)


def t_intervals(mean, sd, n, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised t intervals for many means at once, ``mean -/+ t_quantile(n) * sd / sqrt(n)``.

    Parameters
    ----------
    mean, sd : array-like of float
        Each group's mean and sample standard deviation (``ddof=1``).
    n : array-like of int
        Each group's number of values.
    alpha : float, default 0.05
        One minus the coverage.

    Returns
    -------
    (ndarray, ndarray)
        Lower and upper bounds; NaN where ``n < 2``.
    """
    n = np.asarray(n, float)
    q = t_quantile(n, alpha)
    half = q * np.asarray(sd, float) / np.sqrt(np.where(n >= 2, n, np.nan))
    m = np.asarray(mean, float)
    return m - half, m + half


def paired_tests(before, after) -> dict:
    """Paired comparison of ``after`` against ``before``.

    Wilcoxon signed-rank (``zero_method="wilcox"``: zero differences dropped, and counted here),
    a sign test (exact binomial on the non-zero differences) and the mean difference.

    Parameters
    ----------
    before, after : array-like of float
        Paired values (same length).

    Returns
    -------
    dict
        n, n_zero_differences, mean_before, mean_after, n_decreased, n_increased,
        wilcoxon_statistic, wilcoxon_p, sign_test_p (NaN without non-zero differences).
    """
    b = np.asarray(before, float)
    a = np.asarray(after, float)
    d = a - b
    n = len(d)
    zeros = int((d == 0).sum())
    nz = d[d != 0]
    out = {"n": n, "n_zero_differences": zeros, "mean_before": float(b.mean()) if n else np.nan,
           "mean_after": float(a.mean()) if n else np.nan,
           "n_decreased": int((d < 0).sum()), "n_increased": int((d > 0).sum())}
    if len(nz) >= 1:
        w = stats.wilcoxon(nz, zero_method="wilcox", method="auto")
        out["wilcoxon_statistic"] = float(w.statistic)
        out["wilcoxon_p"] = float(w.pvalue)
        s = stats.binomtest(int((nz < 0).sum()), len(nz), 0.5)
        out["sign_test_p"] = float(s.pvalue)
    else:
        out["wilcoxon_statistic"] = np.nan
        out["wilcoxon_p"] = np.nan
        out["sign_test_p"] = np.nan
    return out
