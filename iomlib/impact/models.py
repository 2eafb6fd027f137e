"""Statistical helpers for the impact estimators (issue 4), each checked in the tests.

- :func:`wilson`: the Wilson score interval of a proportion (the difference of two, Newcombe's
  interval, is statsmodels' ``confint_proportions_2indep(..., method="newcomb")``);
- :func:`poisson_fit`: Poisson quasi-likelihood regression with an exposure offset, fitted by
  Newton-Raphson (IRLS) with person-clustered sandwich standard errors; used inside root-finding
  loops where statsmodels' per-fit overhead would dominate (agrees with ``statsmodels`` GLM);
- :func:`g_estimate`: g-estimation of a multiplicative rate effect by test inversion;
- :func:`smd`: standardised mean difference (pooled standard deviation, optional weights).
"""
from __future__ import annotations

import warnings

import numpy as np

Z95 = 1.959963984540054   # scipy.stats.norm.ppf(0.975), checked in the tests


def wilson(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for ``k`` successes out of ``n``.

    Parameters
    ----------
    k, n : int
        Successes and trials.
    alpha : float
        One minus the confidence level.

    Returns
    -------
    (low, high) : tuple of float
        NaNs when ``n == 0``.

    Examples
    --------
    Newcombe (1998), Statistics in Medicine 17:857-872, table I: 81/263 gives 0.2553 to 0.3662.

    >>> [round(x, 4) for x in wilson(81, 263)]
    [0.2553, 0.3662]
    """
    from iomlib.measures.stats import wilson_interval
    return wilson_interval(k, n, alpha)


def smd(x_treated, x_control, w_treated=None, w_control=None) -> float:
    """Standardised mean difference: ``(mean_t - mean_c) / sqrt((var_t + var_c) / 2)``.

    The denominator uses the unweighted variances of the groups as given (Austin 2009), so that
    before- and after-matching values share a scale when the unmatched samples are passed with
    weights. Returns 0 when both variances are zero and the means are equal, and NaN when a
    group is empty or its weights sum to zero (a thin extract: the difference is undefined).

    Parameters
    ----------
    x_treated, x_control : array-like of float
        Values of the covariate in each group.
    w_treated, w_control : array-like of float, optional
        Weights of the means and variances (equal weights if omitted).

    Returns
    -------
    float
    """
    xt = np.asarray(x_treated, float)
    xc = np.asarray(x_control, float)
    wt = np.ones(len(xt)) if w_treated is None else np.asarray(w_treated, float)
    wc = np.ones(len(xc)) if w_control is None else np.asarray(w_control, float)
    if len(xt) == 0 or len(xc) == 0 or wt.sum() <= 0 or wc.sum() <= 0:
        return float("nan")
    mt = np.average(xt, weights=wt)
    mc = np.average(xc, weights=wc)
    vt = np.average((xt - mt) ** 2, weights=wt)
    vc = np.average((xc - mc) ** 2, weights=wc)
    sd = np.sqrt((vt + vc) / 2)
    if sd == 0:
        return 0.0 if mt == mc else float("inf")
    return float((mt - mc) / sd)


class PoissonFit:
    """Result of :func:`poisson_fit` (coefficients, clustered covariance, fitted means)."""

    def __init__(self, params, cov, mu, converged, n_iter, names):
        self.params = params
        self.cov = cov
        self.bse = np.sqrt(np.diag(cov))
        self.mu = mu
        self.converged = converged
        self.n_iter = n_iter
        self.names = list(names)

    def coef(self, name: str) -> tuple[float, float]:
        """(estimate, standard error) of one coefficient.

        Parameters
        ----------
        name : str
            The coefficient's column name.

        Returns
        -------
        (estimate, se) : tuple of float
        """
        j = self.names.index(name)
        return float(self.params[j]), float(self.bse[j])


def poisson_fit(y, X, exposure, groups, *, start=None, names=None, tol=1e-10,
                max_iter=100, cov_type: str = "cr1") -> PoissonFit:
    """Poisson regression ``log E[y] = X b + log(exposure)`` with person-clustered errors.

    Newton-Raphson on the Poisson log-likelihood (identical to IRLS for the canonical log link),
    with step halving. The covariance is the cluster-robust sandwich
    ``H^-1 (sum_g s_g s_g') H^-1`` times the small-sample factor ``G / (G - 1)`` (statsmodels'
    ``cov_type="cluster"`` with ``use_correction=False`` omits the factor, and with its default
    ``use_correction=True`` also multiplies by ``(N - 1) / (N - K)``; checked in the tests).
    A non-integer ``y`` is allowed (quasi-likelihood).

    Parameters
    ----------
    y : array of float, shape (n,)
    X : array of float, shape (n, k)
        Must include an intercept column if one is wanted.
    exposure : array of float, shape (n,)
        Strictly positive.
    groups : array, shape (n,)
        Cluster labels (people).
    start : array, optional
        Starting coefficients (warm start inside root-finding).
    names : list of str, optional
        Column names (for :meth:`PoissonFit.coef`).
    tol : float
        Relative change of the coefficients at which Newton-Raphson stops.
    max_iter : int
        Most Newton-Raphson steps.
    cov_type : {"cr1", "cr3", "none"}
        ``"none"``: no covariance (NaN; for root-finding on the coefficients). ``"cr1"``: the
        sandwich above. ``"cr3"``: the jackknife-type cluster-robust covariance
        (CV3 of MacKinnon, Nielsen & Webb 2023, "Cluster-robust inference: a guide to empirical
        practice", *Journal of Econometrics* 232:272-299): ``(G - 1) / G * sum_g d_g d_g'`` with
        ``d_g = (H - H_g)^-1 s_g`` the one-step change of the coefficients when cluster *g* is
        left out. Larger than CR1 when a few people carry much of the information (few adopted
        people, very uneven offending), where CR1 is too small.

    Returns
    -------
    PoissonFit
    """
    y = np.asarray(y, float)
    X = np.asarray(X, float)
    off = np.log(np.asarray(exposure, float))
    k = X.shape[1]
    if start is None:
        b = np.zeros(k)
        # intercept-like start: log overall rate on the first column if it is constant
        if np.allclose(X[:, 0], 1.0):
            b[0] = np.log(max(y.sum(), 1e-8) / np.exp(off).sum())
    else:
        b = np.array(start, float)
    b, converged, it = _newton(y, X, off, b, tol, max_iter)
    mu = np.exp(X @ b + off)
    if cov_type == "none":              # coefficients only (root-finding)
        cov = np.full((k, k), np.nan)
    else:
        cov = (_cluster_covariance(y, X, mu, groups) if cov_type == "cr1" else
               _jackknife_covariance(y, X, mu, groups))
    return PoissonFit(b, cov, mu, converged, it, names or [f"x{j}" for j in range(k)])


def _newton(y, X, off, b, tol, max_iter) -> tuple[np.ndarray, bool, int]:
    """Newton-Raphson with step halving on the Poisson log-likelihood: (b, converged, steps)."""
    def loglik(beta):
        eta = X @ beta + off
        with np.errstate(over="ignore", invalid="ignore"):
            val = float(np.sum(y * eta - np.exp(eta)))
        return val if np.isfinite(val) else -np.inf

    ll = loglik(b)
    converged = False
    steps = 0
    while steps < max_iter:
        steps += 1
        mu = np.exp(X @ b + off)
        grad = X.T @ (y - mu)
        H = (X * mu[:, None]).T @ X
        try:
            step = np.linalg.solve(H, grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(H, grad, rcond=None)[0]
        t = 1.0
        while True:
            nb = b + t * step
            nll = loglik(nb)
            if nll >= ll - 1e-12 * abs(ll) or t < 1e-8:
                break
            t /= 2
        done = np.max(np.abs(nb - b)) < tol * (1 + np.max(np.abs(b)))
        b, ll = nb, nll
        if done:
            converged = True
            break
    return b, converged, steps


def _cluster_covariance(y, X, mu, groups) -> np.ndarray:
    """Cluster-robust sandwich ``H^-1 (sum_g s_g s_g') H^-1 * G / (G - 1)``."""
    H = (X * mu[:, None]).T @ X
    Hinv = np.linalg.pinv(H)
    codes, inv = np.unique(np.asarray(groups), return_inverse=True)
    G = len(codes)
    S = np.zeros((G, X.shape[1]))
    np.add.at(S, inv, X * (y - mu)[:, None])
    meat = S.T @ S * (G / (G - 1) if G > 1 else 1.0)
    return Hinv @ meat @ Hinv


def _jackknife_covariance(y, X, mu, groups) -> np.ndarray:
    """CV3: ``(G - 1) / G * sum_g d_g d_g'`` with ``d_g`` from :func:`cluster_deltas`."""
    _, D = cluster_deltas(y, X, mu, groups)
    G = len(D)
    return D.T @ D * ((G - 1) / G if G > 1 else 1.0)


def cluster_deltas(y, X, mu, groups) -> tuple[np.ndarray, np.ndarray]:
    """One-step leave-one-cluster-out changes of Poisson coefficients at a fit.

    ``d_g = (H - H_g)^-1 s_g`` (Woodbury, batched by cluster size), where ``H`` is the
    information at the fit and ``H_g``, ``s_g`` cluster *g*'s part of it and its score: leaving
    cluster *g* out moves the coefficients by about ``-d_g`` (one Newton step from the fit).

    Parameters
    ----------
    y, X, mu : array
        Outcome, design and fitted means of a :func:`poisson_fit`.
    groups : array
        Cluster labels.

    Returns
    -------
    (codes, D) : tuple of ndarray
        The sorted cluster labels and ``D`` (one row ``d_g`` per label).
    """
    H = (X * mu[:, None]).T @ X
    A = np.linalg.pinv(H)
    codes, inv = np.unique(np.asarray(groups), return_inverse=True)
    G = len(codes)
    order = np.argsort(inv, kind="stable")
    sizes = np.bincount(inv, minlength=G)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    XA = X @ A
    r = y - mu
    D = np.zeros((G, X.shape[1]))
    for m in np.unique(sizes):
        gs = np.flatnonzero(sizes == m)
        rows = order[starts[gs][:, None] + np.arange(m)[None, :]]      # (c, m)
        Xg, XAg, mug, rg = X[rows], XA[rows], mu[rows], r[rows]
        s = np.einsum("cmk,cm->ck", Xg, rg)                             # scores
        a = s @ A                                                       # A s_g
        M = -np.einsum("cmk,cnk->cmn", XAg, Xg)                         # -X_g A X_g'
        M[:, np.arange(m), np.arange(m)] += 1.0 / mug
        w = np.linalg.solve(M, np.einsum("cmk,ck->cm", Xg, a)[..., None])[..., 0]
        D[gs] = a + np.einsum("cmk,cm->ck", XAg, w)
    return codes, D


def logistic_fit(y, X, *, scale=None, ridge: float = 1.0, tol: float = 1e-9,
                 max_iter: int = 100) -> tuple[np.ndarray, bool]:
    """Logistic regression, optionally with a known ceiling: ``P(y = 1) = s / (1 + exp(-X b))``.

    Fisher scoring with step halving on the penalised log-likelihood
    ``sum(y log P + (1 - y) log(1 - P)) - ridge / 2 * sum(b_j ** 2)``, where ``b_j`` are the
    coefficients of the non-constant columns scaled to SD 1 (a weak prior that
    matters only for small or separated data; the fitted probabilities do not depend on how the
    columns are scaled). With ``s = 1`` this is ordinary logistic regression (Fisher scoring is then
    Newton-Raphson; with ``ridge=0`` it matches statsmodels' ``Logit``, checked in the tests). A
    known ``s < 1`` is the chance that the event could happen at all (for the presence
    correction: that a person was still there to be adopted). The penalty keeps the
    coefficients finite when a column separates the outcome.

    Parameters
    ----------
    y : array of {0, 1}, shape (n,)
    X : array of float, shape (n, k)
        Include an intercept column if one is wanted (constant columns are neither scaled
        nor penalised).
    scale : array of float in (0, 1], shape (n,), optional
        The known ceiling ``s`` of each row (1 if omitted).
    ridge : float
        Penalty on the squared coefficients of the scaled columns.
    tol : float
        Largest change of a coefficient (relative to the largest coefficient, plus 1) at which
        the iterations stop; they also stop when the objective no longer changes (relative
        change below 1e-11, a flat likelihood).
    max_iter : int
        Most iterations.

    Returns
    -------
    (q, converged) : tuple of (ndarray, bool)
        ``q = 1 / (1 + exp(-X b))`` at the fit (the chance of the event when it can happen;
        ``P = s q``) and whether the iterations converged.
    """
    y = np.asarray(y, float)
    X = np.asarray(X, float)
    s = np.ones(len(y)) if scale is None else np.asarray(scale, float)
    varies = np.ptp(X, axis=0) > 0
    X = X / np.where(varies, X.std(axis=0), 1.0)
    pen = ridge * varies
    b = np.zeros(X.shape[1])

    def expit(beta):
        return 0.5 * (1.0 + np.tanh(0.5 * (X @ beta)))     # overflow-free

    def objective(beta):
        P = np.clip(s * expit(beta), 1e-300, 1 - 1e-16)
        return float(np.sum(y * np.log(P) + (1 - y) * np.log1p(-P))
                     - 0.5 * np.sum(pen * beta ** 2))

    obj, converged = objective(b), False
    for _ in range(max_iter):
        q = expit(b)
        rest = np.maximum(1 - s * q, 1e-16)
        grad = X.T @ ((y - s * q) * (1 - q) / rest) - pen * b
        H = (X * (s * q * (1 - q) ** 2 / rest)[:, None]).T @ X + np.diag(pen)
        step = np.linalg.lstsq(H, grad, rcond=None)[0]
        t = 1.0
        while objective(b + t * step) < obj - 1e-12 * abs(obj) and t > 1e-8:
            t /= 2
        nb = b + t * step
        nobj = objective(nb)
        done = (np.max(np.abs(nb - b)) < tol * (1 + np.max(np.abs(b)))
                or abs(nobj - obj) <= 1e-11 * abs(obj))     # flat: at the optimum
        b, obj = nb, nobj
        if done:
            converged = True
            break
    return expit(b), converged


def g_estimate(y_unmanaged, y_managed, X, exposure, groups, *, names, treat: str = "adopted",
               lower: float = -9.0, upper: float = 0.995, xtol: float = 1e-4,
               max_iter: int = 100, cov_type: str = "cr1") -> dict:
    """G-estimation of a multiplicative effect ``1 - e`` on the rate while treated.

    Solves ``coef_treat(e) = 0`` in the Poisson regression (:func:`poisson_fit`) of
    ``Y(e) = y_unmanaged + y_managed / (1 - e)`` on ``X`` with ``exposure``, and inverts the
    person-clustered Wald test ``|coef / se| <= 1.96`` for the 95% interval.

    Parameters
    ----------
    y_unmanaged, y_managed : array
        Outcome counts on untreated and on treated (managed) days.
    X : array, shape (n, k)
        Design including the treatment column ``treat`` (named in ``names``).
    exposure, groups : array
    names : list of str
    treat : str
        Name of the treatment column.
    lower, upper : float
        Search bracket for ``e`` (``upper < 1``).
    xtol : float
        Tolerance of the root finder on ``e``.
    max_iter : int
        Most Newton-Raphson steps of each Poisson fit.
    cov_type : {"cr1", "cr3"}
        Cluster-robust covariance of each fit (:func:`poisson_fit`).

    Returns
    -------
    dict
        estimate, ci_low, ci_high (``-inf`` / ``inf`` when the bracket end is not rejected),
        itt_coef (the coefficient at ``e = 0``), curve (DataFrame of e, coef, z, converged),
        converged (every Poisson fit converged) and note (None, or what did not converge).

    Warns
    -----
    RuntimeWarning
        Some Poisson fit did not converge within ``max_iter`` steps; the estimate and its
        interval then rest on unconverged coefficients.
    """
    yu = np.asarray(y_unmanaged, float)
    ym = np.asarray(y_managed, float)
    Xv = np.asarray(X, float)
    state = {"b": None}
    cache: dict = {}

    def z(e):
        e = float(e)
        if e not in cache:
            f = poisson_fit(yu + ym / (1.0 - e), Xv, exposure, groups, start=state["b"],
                            names=names, max_iter=max_iter, cov_type=cov_type)
            state["b"] = f.params
            cache[e] = (*f.coef(treat), bool(f.converged))
        b, se, _ = cache[e]
        return b / se

    z(0.0)
    itt = cache[0.0][0]
    est = _root(z, lower, upper, xtol)
    lo = _interval_end(z, cache, est, lower, -Z95, xtol) if np.isfinite(est) else -np.inf
    hi = _interval_end(z, cache, est, upper, Z95, xtol) if np.isfinite(est) else np.inf
    grid = sorted(cache)
    import pandas as pd
    curve = pd.DataFrame({"e": grid, "coef": [cache[g][0] for g in grid],
                          "z": [cache[g][0] / cache[g][1] for g in grid],
                          "converged": [cache[g][2] for g in grid]})
    note = _convergence_note(curve, max_iter)
    return {"estimate": est, "ci_low": lo, "ci_high": hi, "itt_coef": float(itt),
            "curve": curve, "converged": note is None, "note": note}


def _convergence_note(curve, max_iter: int) -> str | None:
    """None when every fit of ``curve`` converged; else a note, also raised as a warning."""
    bad = curve.loc[~curve["converged"], "e"]
    if bad.empty:
        return None
    note = (f"did not converge: {len(bad)} of {len(curve)} Poisson fits of the g-estimation "
            f"stopped after {max_iter} Newton-Raphson steps (e from {bad.min():.3g} to "
            f"{bad.max():.3g}); the estimate and its interval are not reliable")
    warnings.warn(note, RuntimeWarning, stacklevel=3)
    return note


def _interval_end(z, cache: dict, est: float, end: float, target: float, xtol: float) -> float:
    """The ``e`` between ``est`` and the bracket ``end`` at which ``z(e) = target``.

    A first guess from the slope of ``z`` at the estimate (the nearest fit already made)
    narrows the bracket before Brent's method, which otherwise creeps away from ``est`` when
    ``z`` is steep near ``end``; the root is the same (within ``xtol``), found with fewer fits.
    """
    def f(e):
        return z(e) - target
    lo, hi = sorted((est, end))
    near = [e for e in cache if e != est and lo <= e <= hi]
    if near:
        e1 = min(near, key=lambda e: abs(e - est))
        slope = (cache[e1][0] / cache[e1][1] - f(est) - target) / (e1 - est)
        guess = est + target / slope if slope > 0 else np.nan
        if lo < guess < hi and abs(guess - est) > xtol:
            fg, fest = f(guess), f(est)
            if np.sign(fg) != np.sign(fest):
                return _root(f, *sorted((est, guess)), xtol)
            return _root(f, *sorted((guess, end)), xtol)
    return _root(f, lo, hi, xtol)


def _root(f, lo, hi, xtol=1e-4) -> float:
    """Root of ``f`` in [lo, hi]; -inf / inf (the side where ``f`` is nearer 0) if none."""
    flo, fhi = f(lo), f(hi)
    if flo == 0:
        return float(lo)
    if np.sign(flo) == np.sign(fhi):
        return float(-np.inf if abs(flo) < abs(fhi) else np.inf)
    return brent(f, lo, hi, flo, fhi, xtol=xtol)


def _brent_step(a, b, c, fa, fb, fc, half, tol, prev, step) -> tuple[float, float]:
    """One step of :func:`brent` from its best point ``b``: ``(previous step, step)``.

    Interpolation (the secant through ``a`` and ``b``, or inverse quadratic through ``a``,
    ``b`` and ``c``) when it stays well inside the bracket and shrinks fast enough; else
    bisection (``half`` is half the bracket ``c - b``).
    """
    if abs(prev) < tol or abs(fa) <= abs(fb):
        return half, half
    s = fb / fa
    if a == c:                          # secant
        p, q = 2 * half * s, 1 - s
    else:                               # inverse quadratic interpolation
        q, r = fa / fc, fb / fc
        p = s * (2 * half * q * (q - r) - (b - a) * (r - 1))
        q = (q - 1) * (r - 1) * (s - 1)
    if p > 0:
        q = -q
    p = abs(p)
    if 2 * p < min(3 * half * q - abs(tol * q), abs(prev * q)):
        return step, p / q              # interpolation accepted
    return half, half


def brent(f, a: float, b: float, fa: float, fb: float, *, xtol: float = 1e-4,
          max_iter: int = 100) -> float:
    """Root of ``f`` between ``a`` and ``b`` (``fa``, ``fb`` of opposite signs) by Brent's method.

    Interpolation where safe, bisection otherwise, never a step shorter than the tolerance
    (R. P. Brent, *Algorithms for Minimization without Derivatives*, 1973, ch. 4): at least
    as sure as bisection and usually much faster; each call of
    ``f`` here is a whole Poisson fit, so the number of calls matters. Written here so that
    ``iom impact`` does not import ``scipy.optimize`` (a quarter of a second); checked against
    ``scipy.optimize.brentq`` in the tests.

    Parameters
    ----------
    f : callable
    a, b : float
        The bracket.
    fa, fb : float
        ``f(a)`` and ``f(b)``, of opposite signs (or one of them 0).
    xtol : float
        The bracket is narrowed to this width.
    max_iter : int
        Most evaluations of ``f``.

    Returns
    -------
    float
    """
    if fa == 0:
        return float(a)
    if fb == 0:
        return float(b)
    if np.sign(fa) == np.sign(fb):
        raise ValueError(f"brent: f({a}) = {fa} and f({b}) = {fb} have the same sign")
    # b: the best point so far; c: the point on the other side of the root; a: the previous b
    c, fc = a, fa
    step = prev = b - a
    for _ in range(max_iter):
        if np.sign(fb) == np.sign(fc):          # keep the root between b and c
            c, fc = a, fa
            step = prev = b - a
        if abs(fc) < abs(fb):                   # b is the point nearer the root
            a, b, c, fa, fb, fc = b, c, b, fb, fc, fb
        tol = 2 * np.finfo(float).eps * abs(b) + xtol / 2
        half = (c - b) / 2
        if abs(half) <= tol or fb == 0:
            return float(b)
        prev, step = _brent_step(a, b, c, fa, fb, fc, half, tol, prev, step)
        a, fa = b, fb
        b += step if abs(step) > tol else np.copysign(tol, half)   # at least tol towards c
        fb = f(b)
    return float(b)
