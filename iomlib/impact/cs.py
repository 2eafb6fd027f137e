"""Callaway & Sant'Anna (2021) group-time average treatment effects, transparent and fast.

Unconditional (no covariates) difference-in-differences on a balanced panel, as in
``did::att_gt`` / ``differences.ATTgt`` without covariates:

``ATT(g, t) = mean over cohort g of (Y_t - Y_b)  -  mean over controls of (Y_t - Y_b)``

with ``b`` the base period (``"universal"``: ``g - anticipation - 1`` for every ``t``;
``"varying"``: the same for post-treatment periods ``t >= g``, and ``t - 1`` for every
period before ``g``, the anticipation periods included, as ``did`` and ``differences`` do) and
controls: units never treated, plus (``control_group="not_yet_treated"``) units whose cohort is
later than ``max(t, b) + anticipation`` (other than ``g``). Standard errors come from the influence
functions (``psi_i`` with ``Var = sum(psi_i^2) / n^2``); event-time aggregates
(:func:`aggregate_event`) and the overall average of the post-treatment cells
(:func:`aggregate_simple`) weight cohorts by size and include the influence function of the
estimated weights (Callaway & Sant'Anna 2021, appendix), so that they match
``did::aggte(type = "dynamic")`` and ``did::aggte(type = "simple")``. Checked against the
``differences`` package and the mpdta table of the ``did`` vignette in
``tests/test_impact_cs.py``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def att_gt(Y: np.ndarray, cohort: np.ndarray, *, anticipation: int = 0,
           base_period: str = "universal", control_group: str = "not_yet_treated",
           event_window: tuple[int, int] | None = None, min_controls: int = 1,
           estimand: str = "att"):
    """Group-time ATTs with influence functions.

    Parameters
    ----------
    Y : ndarray, shape (n, T)
        Outcome of each unit in each period (balanced panel, periods 0..T-1).
    cohort : ndarray, shape (n,)
        First treated period of each unit; negative or NaN for never treated.
    anticipation : int
        Periods before ``cohort`` in which the outcome may already respond.
    base_period : {"universal", "varying"}
    control_group : {"not_yet_treated", "never_treated"}
    event_window : (int, int), optional
        Keep only ``t - g`` in this closed range (saves memory on long panels).
    min_controls : int
        Skip (g, t) cells with fewer control units.
    estimand : {"att", "treated_mean"}
        ``"treated_mean"`` returns, for the same cells, the cohort's observed mean of ``Y_t``
        (not differenced) with its influence function: with the ATT it gives the counterfactual
        mean ``treated_mean - att`` (used to express effects as proportions).

    Returns
    -------
    table : DataFrame
        One row per (g, t): ``cohort``, ``time``, ``event_time``, ``base``, ``att``, ``se``,
        ``n_treated``, ``n_control``.
    psi : ndarray, shape (n, n_cells)
        Influence function of each ATT(g, t) (column order as ``table``).
    """
    Y = np.asarray(Y, float)
    n, T = Y.shape
    G = np.asarray(cohort, float)
    never = ~np.isfinite(G) | (G < 0)
    Gv = np.where(never, np.inf, G)
    if base_period not in ("universal", "varying"):
        raise ValueError(f"base_period={base_period!r}: expected 'universal' or 'varying'")
    if control_group not in ("not_yet_treated", "never_treated"):
        raise ValueError(f"control_group={control_group!r}: expected 'not_yet_treated' or "
                         "'never_treated'")
    rows, cols = [], []
    for g in np.unique(Gv[~never]).astype(int):
        if g - anticipation - 1 < 0:
            continue
        cells = _cells_of(g, T, anticipation, base_period, event_window)
        if not cells:
            continue
        ts, bs = np.array(cells).T
        tr = Gv == g
        # controls of each cell (columns): never treated, or (not yet treated) a later cohort
        if control_group == "never_treated":
            ctl = np.repeat(never[:, None], len(ts), axis=1)
        else:
            later = np.maximum(ts, bs) + anticipation
            ctl = never[:, None] | ((Gv[:, None] > later[None, :]) & ~tr[:, None])
        n_c = ctl.sum(axis=0)
        keep = n_c >= min_controls
        if not keep.any():
            continue
        ts, bs, ctl, n_c = ts[keep], bs[keep], ctl[:, keep], n_c[keep]
        att, psi = _cells(Y, tr, ctl, ts, bs, estimand)
        se = np.sqrt(np.sum(psi ** 2, axis=0)) / n
        n_t = int(tr.sum())
        rows.extend(zip([g] * len(ts), ts.tolist(), (ts - g).tolist(), bs.tolist(),
                        att.tolist(), se.tolist(), [n_t] * len(ts), n_c.tolist()))
        cols.append(psi)
    table = pd.DataFrame(rows, columns=["cohort", "time", "event_time", "base", "att", "se",
                                        "n_treated", "n_control"])
    # column-major, so that the aggregations' gathers of a few cells' columns are contiguous
    psi = np.concatenate([c.T for c in cols], axis=0).T if cols else np.zeros((n, 0))
    return table, psi


def _cells_of(g: int, T: int, anticipation: int, base_period: str,
              event_window) -> list[tuple[int, int]]:
    """``(t, base)`` of every cell of cohort ``g`` that has a base period, in time order."""
    out = []
    for t in range(T):
        if event_window is not None and not event_window[0] <= t - g <= event_window[1]:
            continue
        b = _base(g, t, anticipation, base_period)
        if b is not None:
            out.append((t, b))
    return out


def _base(g: int, t: int, anticipation: int, base_period: str) -> int | None:
    """Base period of cell (g, t); None when the cell has none (or it is ``t`` itself).

    Under a varying base every period before ``g`` (the anticipation periods too) is compared
    with the period before it, and the post-treatment periods with ``g - anticipation - 1``.
    """
    if base_period == "universal" or t >= g:
        b = g - anticipation - 1
    else:
        b = t - 1
        if b < 0:
            return None
    return None if t == b else b


def _cells(Y: np.ndarray, tr: np.ndarray, ctl: np.ndarray, ts: np.ndarray, bs: np.ndarray,
           estimand: str) -> tuple[np.ndarray, np.ndarray]:
    """ATT(g, t) (or the treated mean) of the cells of one cohort and their influence functions.

    ``tr`` marks the cohort's units; column *j* of ``ctl`` the controls of cell *j*, whose
    periods are ``ts[j]`` and base ``bs[j]``. Returns ``(att, psi)`` with ``psi`` of shape
    ``(n, len(ts))``.
    """
    n = Y.shape[0]
    n_t = int(tr.sum())
    psi = np.zeros((n, len(ts)))
    if estimand == "treated_mean":
        yt = Y[np.ix_(tr, ts)]
        att = yt.mean(axis=0)
        psi[tr] = n * (yt - att) / n_t
        return att, psi
    D = Y[:, ts] - Y[:, bs]
    mt = D[tr].mean(axis=0)
    n_c = ctl.sum(axis=0)
    mc = np.where(ctl, D, 0.0).sum(axis=0) / n_c
    psi -= np.where(ctl, n * (D - mc) / n_c, 0.0)
    psi[tr] = n * (D[tr] - mt) / n_t          # a cohort is never its own control
    return mt - mc, psi


def aggregate_event(table: pd.DataFrame, psi: np.ndarray, cohort: np.ndarray, *,
                    alpha: float = 0.05, uniform_reps: int = 0, seed: int = 12345):
    """Aggregate ATT(g, t) by event time ``e = t - g`` with cohort-size weights.

    Parameters
    ----------
    table, psi
        From :func:`att_gt`.
    cohort : ndarray, shape (n,)
        As given to :func:`att_gt` (for the weights and their influence function).
    alpha : float
        One minus the confidence level of the pointwise (and uniform) bands.
    uniform_reps : int
        If > 0, a multiplier bootstrap (Rademacher weights) over units gives a critical value
        for a simultaneous band over all event times (``ci_low_uniform`` / ``ci_high_uniform``).
    seed : int
        Seed of the multiplier bootstrap.

    Returns
    -------
    frame : DataFrame
        ``event_time``, ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``n_cohorts``,
        ``n_treated`` (and the uniform band when requested).
    psi_e : ndarray, shape (n, n_event_times)
        Influence function of each event-time estimate.
    """
    Gv = _cohorts(cohort)
    n = len(Gv)
    out, psis = [], []
    for e, sub in table.groupby("event_time", sort=True):
        att, se, psi_e = _weighted(sub, psi, Gv)
        out.append((int(e), att, se, len(sub), int(sub["n_treated"].sum())))
        psis.append(psi_e)
    frame = pd.DataFrame(out, columns=["event_time", "estimate", "se", "n_cohorts", "n_treated"])
    z = stats.norm.ppf(1 - alpha / 2)
    frame["ci_low"] = frame["estimate"] - z * frame["se"]
    frame["ci_high"] = frame["estimate"] + z * frame["se"]
    psi_e = np.column_stack(psis) if psis else np.zeros((n, 0))
    if uniform_reps and len(frame):
        rng = np.random.default_rng(seed)
        V = rng.choice([-1.0, 1.0], size=(uniform_reps, n))
        draws = V @ psi_e / n
        se = np.where(frame["se"].to_numpy() > 0, frame["se"].to_numpy(), np.nan)
        tmax = np.nanmax(np.abs(draws) / se, axis=1)
        crit = float(np.quantile(tmax, 1 - alpha))
        frame["ci_low_uniform"] = frame["estimate"] - crit * frame["se"]
        frame["ci_high_uniform"] = frame["estimate"] + crit * frame["se"]
        frame.attrs["uniform_critical_value"] = crit
    return frame, psi_e


def aggregate_simple(table: pd.DataFrame, psi: np.ndarray, cohort: np.ndarray, *,
                     alpha: float = 0.05) -> dict:
    """The overall ATT: the average of the post-treatment ATT(g, t) (``t >= g``) with
    cohort-size weights, as ``did::aggte(type = "simple")``.

    Parameters
    ----------
    table, psi
        From :func:`att_gt`.
    cohort : ndarray, shape (n,)
        As given to :func:`att_gt` (for the weights and their influence function).
    alpha : float
        One minus the confidence level of the interval.

    Returns
    -------
    dict
        ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``n_cells`` (post-treatment cells
        averaged) and ``psi`` (its influence function, shape (n,)).
    """
    post = table[table["time"] >= table["cohort"]]
    if post.empty:
        raise ValueError("aggregate_simple: no post-treatment cell (t >= g) in the table")
    att, se, psi_s = _weighted(post, psi, _cohorts(cohort))
    z = float(stats.norm.ppf(1 - alpha / 2))
    return {"estimate": att, "se": se, "ci_low": att - z * se, "ci_high": att + z * se,
            "n_cells": len(post), "psi": psi_s}


def _cohorts(cohort: np.ndarray) -> np.ndarray:
    """Cohorts as floats with never-treated units (negative or NaN) at infinity."""
    G = np.asarray(cohort, float)
    return np.where(~np.isfinite(G) | (G < 0), np.inf, G)


def _weighted(sub: pd.DataFrame, psi: np.ndarray, Gv: np.ndarray):
    """Cohort-size-weighted average of the cells ``sub`` of the ATT table: (att, se, psi).

    The influence function includes that of the estimated weights (Callaway & Sant'Anna 2021,
    appendix; ``did::aggte``'s "wif").
    """
    n = len(Gv)
    gs = sub["cohort"].to_numpy(int)
    a = sub["att"].to_numpy(float)
    uniq, inv = np.unique(gs, return_inverse=True)
    pos = np.minimum(np.searchsorted(uniq, Gv), len(uniq) - 1)
    member = uniq[pos] == Gv                     # the unit's cohort has a cell in ``sub``
    share = np.bincount(pos[member], minlength=len(uniq)) / n
    p = share[inv]                               # each cell's cohort share
    S = p.sum()
    w = p / S
    att = float(np.sum(w * a))
    psi_att = psi[:, sub.index.to_numpy()] @ w
    # influence of the estimated weights, without the n x cells indicator matrix:
    # ind @ a and the row sums of ind, where ind[i, j] = 1 if unit i is in cell j's cohort
    ind_a = np.where(member, np.bincount(inv, weights=a, minlength=len(uniq))[pos], 0.0)
    ind_rows = np.where(member, np.bincount(inv, minlength=len(uniq))[pos], 0)
    pa = float(p @ a)
    psi_w = psi_att + (ind_a - pa) / S - (ind_rows - S) * pa / S ** 2
    return att, float(np.sqrt(np.sum(psi_w ** 2)) / n), psi_w
