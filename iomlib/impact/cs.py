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
        tr = Gv == g
        n_t = int(tr.sum())
        for t in range(T):
            e = t - g
            if event_window is not None and not event_window[0] <= e <= event_window[1]:
                continue
            b = _base(g, t, anticipation, base_period)
            if b is None:
                continue
            if control_group == "never_treated":
                ctl = never
            else:
                ctl = never | ((Gv > max(t, b) + anticipation) & ~tr)
            n_c = int(ctl.sum())
            if n_c < min_controls:
                continue
            att, psi = _cell(Y, tr, ctl, t, b, estimand)
            rows.append((g, t, e, b, att, np.sqrt(np.sum(psi ** 2)) / n, n_t, n_c))
            cols.append(psi)
    table = pd.DataFrame(rows, columns=["cohort", "time", "event_time", "base", "att", "se",
                                        "n_treated", "n_control"])
    psi = np.column_stack(cols) if cols else np.zeros((n, 0))
    return table, psi


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


def _cell(Y: np.ndarray, tr: np.ndarray, ctl: np.ndarray, t: int, b: int,
          estimand: str) -> tuple[float, np.ndarray]:
    """ATT(g, t) (or the treated mean) of one cell and its influence function."""
    n = Y.shape[0]
    n_t, n_c = int(tr.sum()), int(ctl.sum())
    psi = np.zeros(n)
    if estimand == "treated_mean":
        yt = Y[tr, t]
        att = yt.mean()
        psi[tr] = n * (yt - att) / n_t
    else:
        d = Y[:, t] - Y[:, b]
        mt = d[tr].mean()
        mc = d[ctl].mean()
        psi[tr] = n * (d[tr] - mt) / n_t
        psi[ctl] -= n * (d[ctl] - mc) / n_c
        att = mt - mc
    return att, psi


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
    p = np.array([np.mean(Gv == g) for g in gs])
    w = p / p.sum()
    att = float(np.sum(w * sub["att"].to_numpy()))
    psi_att = psi[:, sub.index.to_numpy()] @ w
    ind = np.column_stack([(Gv == g).astype(float) for g in gs])
    if1 = (ind - p) / p.sum()
    if2 = np.outer((ind - p).sum(axis=1), p) / p.sum() ** 2
    psi_w = psi_att + (if1 - if2) @ sub["att"].to_numpy()
    return att, float(np.sqrt(np.sum(psi_w ** 2)) / n), psi_w
