"""The managed-rate effect by time on the scheme: g-estimation in bands (issue 11).

One effect for every managed day (:func:`iomlib.impact.models.g_estimate`) is right only if the
effect does not change with time on the scheme. Where it is strongest in the first months and
then fades, the comparison people adopted during the follow-up (managed only in their first,
strongest months) carry more of it than one number allows, and the estimate falls below the
average over the adopted people's first year (on the coverage study's second world, by about 3
points at a 30% effect).

Here the effect may differ between bands of time on the scheme (by default days 1-91, 92-182,
183-274 and 275-365 after adoption). The follow-up of each risk-set record is cut into the same
windows of days after the decision date. An offence in window *k* was committed at most
``edges[k + 1]`` days after any adoption on or after the decision date, so it falls in a band
``j <= k``: window 1 holds only band-1 managed offences, and its g-estimation gives ``e_1``;
window 2 holds band-1 and band-2 offences, and with ``e_1`` known gives ``e_2``; and so on (a
sequence of one-parameter root-findings). The estimate of the whole year is then

    1 - (managed offences of the adopted) / (the same offences counted 1 / (1 - e_j) times)

over the adopted records' first year, which is the estimand (rate while managed relative to the
rate the same days would have had, a ratio of means over the adopted people's managed days).

Its 95% interval comes from a person-level jackknife of the whole sequence, linearised: leaving
person *g* out moves each window's adopted coefficient by the one-step change of
:func:`iomlib.impact.models.cluster_deltas`, which moves ``e_k`` directly and through the earlier
``e_j`` (derivatives from the fit's information matrix); the estimate's log rate ratio is then
recomputed without *g*. The variance is CV3's ``(G - 1) / G`` times the sum of squared changes,
and the interval is symmetric on the log rate-ratio scale.

A person adopted twice within one follow-up has their time on the scheme counted from the first
adoption (rare: a removal and a re-adoption within a year).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from iomlib.impact.models import Z95, _root, cluster_deltas, poisson_fit


def band_edges(follow_up_days: int = 365, n_bands: int = 4) -> tuple[int, ...]:
    """Edges of ``n_bands`` equal bands of the follow-up, in days (``0`` to ``follow_up_days``).

    Parameters
    ----------
    follow_up_days : int
    n_bands : int

    Returns
    -------
    tuple of int
    """
    return tuple(round(i * follow_up_days / n_bands) for i in range(n_bands + 1))


BANDS_DAYS = band_edges()           # (0, 91, 182, 274, 365): quarters of the first year


def first_adoption(dd, rows, d) -> np.ndarray:
    """Day of each row's first adoption on or after day ``d`` (a large number if none).

    Parameters
    ----------
    dd : DayData
    rows, d : array of int
        Person rows and days.

    Returns
    -------
    ndarray of int
    """
    rows = np.asarray(rows, np.int64)
    d = np.asarray(d, np.int64)
    ar = np.asarray(dd.adopt_row, np.int64)
    ad = np.asarray(dd.adopt_day, np.int64)
    if len(ad) == 0:
        return np.full(len(d), 10 ** 9, np.int64)
    stride = int(max(ad.max(), d.max(initial=0))) + 2
    key = np.sort(ar * stride + ad)
    pos = np.searchsorted(key, rows * stride + d, "left")
    hit = key[np.minimum(pos, len(key) - 1)]
    ok = (pos < len(key)) & (hit // stride == rows)
    return np.where(ok, hit % stride, 10 ** 9)


def band_outcomes(dd, rs: pd.DataFrame, edges=BANDS_DAYS) -> list[dict]:
    """Offences of every risk-set record in each window of its follow-up, by band.

    Parameters
    ----------
    dd : DayData
    rs : DataFrame
        Decision-date risk sets (``row``, ``decision_day``).
    edges : sequence of int
        Band and window edges in days (``0 < ... < follow-up days``).

    Returns
    -------
    list of dict
        For window *k*: ``unmanaged`` (offences on unmanaged days), ``managed`` (array of
        shape (k + 1, n): managed offences by band of time on the scheme) and ``liberty``
        (days at liberty), each per record.
    """
    r = rs["row"].to_numpy()
    d = rs["decision_day"].to_numpy()
    a = first_adoption(dd, r, d)
    out = []
    for k in range(len(edges) - 1):
        lo, hi = d + edges[k] + 1, d + edges[k + 1]
        y = dd.count(dd.off_key, r, lo, hi)
        ym = dd.count(dd.man_key, r, lo, hi)
        bands = [dd.count(dd.man_key, r, np.maximum(lo, a + edges[j] + 1),
                          np.minimum(hi, a + edges[j + 1])) for j in range(k)]
        bands.append(ym - (np.sum(bands, axis=0) if bands else 0.0))
        out.append({"unmanaged": y - ym, "managed": np.vstack(bands),
                    "liberty": dd.days(dd.lib_cum, r, lo, hi)})
    return out


def _known_part(w, k, es) -> np.ndarray:
    """Window *k*'s outcome but for its own band: offences on unmanaged days plus the earlier
    bands' managed offences counted ``1 / (1 - e_j)`` times."""
    return w["unmanaged"] + sum(w["managed"][j] / (1 - es[j]) for j in range(k))


def _window_root(w, k, es, X, expo, groups, names, treat, max_iter, curve):
    """``e_k``: the root of window *k*'s adopted coefficient, the earlier effects ``es``."""
    keep = w["liberty"] > 0
    ym, Xk, ek, gk = w["managed"][k][keep], X[keep], expo[keep], groups[keep]
    yb = _known_part(w, k, es)[keep]
    state = {"b": None}

    def coef(e):
        f = poisson_fit(yb + ym / (1 - e), Xk, ek, gk, start=state["b"], names=names,
                        max_iter=max_iter, cov_type="none")
        state["b"] = f.params
        c = f.coef(treat)[0]
        curve.append({"band": k, "e": float(e), "coef": c, "converged": bool(f.converged)})
        return c

    return _root(coef, -9.0, 0.995, 1e-4)


def _window_deltas(w, k, es, X, expo, groups, names, treat, max_iter, codes):
    """At the root of window *k*: per person, the one-step change of its adopted coefficient
    when the person is left out, and the coefficient's derivatives in ``e_0 .. e_k``."""
    keep = w["liberty"] > 0
    y = (_known_part(w, k, es) + w["managed"][k] / (1 - es[k]))[keep]
    Xk = X[keep]
    f = poisson_fit(y, Xk, expo[keep], groups[keep], names=names, max_iter=max_iter,
                    cov_type="none")
    t = names.index(treat)
    own, D = cluster_deltas(y, Xk, f.mu, groups[keep])
    delta = np.zeros(len(codes))
    delta[np.searchsorted(codes, own)] = -D[:, t]      # leaving g out moves b by -d_g
    Hinv = np.linalg.pinv((Xk * f.mu[:, None]).T @ Xk)
    grads = np.array([(Hinv @ (Xk.T @ (w["managed"][j][keep] / (1 - es[j]) ** 2)))[t]
                      for j in range(k + 1)])
    return delta, grads, bool(f.converged)


def banded_g_estimate(windows: list[dict], X, exposure_factor, groups, adopted, *, names,
                      treat: str = "adopted", max_iter: int = 100) -> dict:
    """G-estimation of the managed-rate effect with one effect per band of time on the scheme.

    Parameters
    ----------
    windows : list of dict
        From :func:`band_outcomes`.
    X : array, shape (n, k)
        Design including the treatment column ``treat``.
    exposure_factor : array, shape (n,)
        Multiplies each record's days at liberty (the presence correction; ones for none).
    groups : array
        Person of each record (clusters).
    adopted : array of bool
        The adopted records (whose managed offences define the estimand).
    names : list of str
    treat : str
    max_iter : int
        Most Newton-Raphson steps of each Poisson fit.

    Returns
    -------
    dict
        ``estimate``, ``ci_low``, ``ci_high``, ``se_log`` (standard error of the log rate
        ratio), ``bands`` (DataFrame: band, first and last day, ``e``, the adopted records'
        managed offences), ``curve`` (band, e, coef, converged: every fit of the root-finding)
        and ``converged``. ``estimate`` is NaN when some band has no root in the bracket.
    """
    X = np.asarray(X, float)
    groups = np.asarray(groups)
    adopted = np.asarray(adopted, bool)
    codes, inv = np.unique(groups, return_inverse=True)
    curve: list = []
    es, dels, grads, conv = [], [], [], True
    for k, w in enumerate(windows):
        expo = w["liberty"] * exposure_factor
        e = _window_root(w, k, es, X, expo, groups, names, treat, max_iter, curve)
        if not np.isfinite(e) or e >= 0.995:
            return _failed(curve)
        es.append(float(e))
        delta, grad, ok = _window_deltas(w, k, es, X, expo, groups, names, treat, max_iter,
                                         codes)
        dels.append(delta)
        grads.append(grad)
        conv &= ok
    return _combine(windows, es, dels, grads, adopted, inv, len(codes), curve, conv)


def _failed(curve) -> dict:
    nan = float("nan")
    return {"estimate": nan, "ci_low": nan, "ci_high": nan, "se_log": nan,
            "bands": pd.DataFrame(), "curve": pd.DataFrame(curve), "converged": False}


def _combine(windows, es, dels, grads, adopted, inv, G, curve, conv) -> dict:
    """The year's estimate from the band effects, and its linearised jackknife interval."""
    K = len(es)
    de = np.zeros((K, G))                   # change of e_k when each person is left out
    for k in range(K):
        push = dels[k] + sum(grads[k][j] * de[j] for j in range(k))
        de[k] = -push / grads[k][k]
    M = np.zeros((K, G))                    # adopted records' managed offences, by band
    for w in windows:
        for j in range(w["managed"].shape[0]):
            M[j] += np.bincount(inv[adopted], w["managed"][j][adopted], minlength=G)
    tot = M.sum(axis=1)
    one = 1 - np.asarray(es)
    theta = np.log(tot.sum() / (tot / one).sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        theta_g = np.log((tot.sum() - M.sum(axis=0))
                         / ((tot[:, None] - M) / (one[:, None] - de)).sum(axis=0))
    d = theta_g - theta
    # a person without whom the estimate has no value (a log of a non-positive ratio): the
    # interval is unbounded, not computed without them
    se = (float(np.sqrt((G - 1) / G * np.sum(d ** 2))) if np.isfinite(d).all() else np.inf)
    se = se if G > 1 else float("nan")
    bands = pd.DataFrame({"band": np.arange(K), "e": es, "adopted_managed_offences": tot})
    return {"estimate": float(1 - np.exp(theta)), "ci_low": float(1 - np.exp(theta + Z95 * se)),
            "ci_high": float(1 - np.exp(theta - Z95 * se)), "se_log": se, "bands": bands,
            "curve": pd.DataFrame(curve), "converged": conv and all(c["converged"]
                                                                    for c in curve)}
