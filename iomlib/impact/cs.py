"""Callaway & Sant'Anna (2021) group-time average treatment effects, transparent and fast.

Unconditional (no covariates) difference-in-differences on a balanced panel, as in
``did::att_gt`` / ``differences.ATTgt`` without covariates:

``ATT(g, t) = mean over cohort g of (Y_t - Y_b)  -  mean over controls of (Y_t - Y_b)``

with ``b`` the base period (``"universal"``: ``g - anticipation - 1`` for every ``t``;
``"varying"``: the same for post-treatment periods and ``t - 1`` before) and controls: units
never treated, plus (``control_group="not_yet_treated"``) units whose cohort is later than
``max(t, b) + anticipation`` (other than ``g``). Standard errors come from the influence
functions (``psi_i`` with ``Var = sum(psi_i^2) / n^2``); event-time aggregates weight cohorts by
size and include the influence function of the estimated weights (Callaway & Sant'Anna 2021,
appendix), so that they match ``did::aggte(type = "dynamic")``. Checked against the
``differences`` package in ``tests/test_impact_cs.py``.
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
    """Base period of cell (g, t); None when the cell has none (or it is ``t`` itself)."""
    if base_period == "universal" or t >= g - anticipation:
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
    G = np.asarray(cohort, float)
    never = ~np.isfinite(G) | (G < 0)
    Gv = np.where(never, np.inf, G)
    n = len(Gv)
    pi = {int(g): float(np.mean(Gv == g)) for g in np.unique(Gv[~never])}
    out, psis = [], []
    for e, sub in table.groupby("event_time", sort=True):
        gs = sub["cohort"].to_numpy(int)
        p = np.array([pi[g] for g in gs])
        w = p / p.sum()
        att = float(np.sum(w * sub["att"].to_numpy()))
        psi_att = psi[:, sub.index.to_numpy()] @ w
        # influence function of the estimated weights (CS 2021, did::aggte "wif")
        ind = np.column_stack([(Gv == g).astype(float) for g in gs])
        if1 = (ind - p) / p.sum()
        if2 = np.outer((ind - p).sum(axis=1), p) / p.sum() ** 2
        wif = if1 - if2
        psi_e = psi_att + wif @ sub["att"].to_numpy()
        se = float(np.sqrt(np.sum(psi_e ** 2)) / n)
        out.append((int(e), att, se, len(gs), int(sub["n_treated"].sum())))
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
