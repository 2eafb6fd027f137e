"""What no design here can test: unrecorded selection. A bound and a placebo (issue 11).

Panels use intelligence the data do not hold. If that intelligence also predicts offending, the
main estimate is biased, and nothing in the data can show by how much. Two aids:

- **A bound** (:func:`e_value`, :func:`selection_bounds`): VanderWeele & Ding (2017), "Sensitivity
  analysis in observational research: introducing the E-value", *Annals of Internal Medicine*
  167(4):268-274. An unrecorded factor that multiplies the rate of offending by ``RR_UY`` and is
  ``RR_AU`` times as common among adopted as among comparison people (given the recorded
  history) can move an observed rate ratio by at most the *bounding factor*
  ``B = RR_UY * RR_AU / (RR_UY + RR_AU - 1)`` (their eq. 1, due to Ding & VanderWeele 2016). The
  *E-value* is the smallest strength, equal on both, that could move the estimate to no effect:
  ``E = RR* + sqrt(RR* (RR* - 1))`` with ``RR* = 1 / RR`` for a protective rate ratio
  ``RR < 1`` (and ``RR`` itself above 1). For the interval the same formula is applied to the
  limit nearer 1 (E = 1 when the interval already includes no effect). The formulas are
  implemented here from the paper; the rate ratio is ``1 - estimate`` (the main estimate is a
  proportional reduction in the rate).
- **A placebo** (:func:`placebo`): pseudo-adoption 12 months before the real one. At each
  decision date the adopted and comparison people are compared on the year that ended 12
  months before it (days ``d - 730`` to ``d - 366``), before any of the adoptions being
  studied, given everything recorded *after* that year and before the decision (the year
  before the decision: counts, points, risk score, recency, days at liberty, managed share) and
  their history before it. If adoption depends only on that recorded history, the adopted and
  the comparison people offended at the same rate in the placebo year (a rate ratio of 1). A
  difference means that the panel's choice carries information about offending that the
  recorded history does not: unrecorded selection, or a model that does not capture how the
  panel uses the record. It cannot show the absence of unrecorded selection that acts only on
  the future.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from iomlib.impact.models import Z95, poisson_fit

GAMMAS = (1.1, 1.25, 1.5, 2.0, 3.0)


def e_value(rate_ratio: float) -> float:
    """The E-value of a rate ratio (VanderWeele & Ding 2017).

    Parameters
    ----------
    rate_ratio : float
        A positive rate ratio.

    Returns
    -------
    float
        ``RR* + sqrt(RR* (RR* - 1))`` with ``RR* = max(RR, 1 / RR)``; 1 when ``RR == 1``;
        NaN when the ratio is not positive and finite.

    Examples
    --------
    VanderWeele & Ding (2017) give 7.26 for an observed risk ratio of 3.9; a halving of the
    rate (0.5) has ``2 + sqrt(2)``.

    >>> round(e_value(3.9), 2), round(e_value(0.5), 2)
    (7.26, 3.41)
    """
    if rate_ratio is None or not np.isfinite(rate_ratio) or rate_ratio <= 0:
        return float("nan")
    r = max(rate_ratio, 1.0 / rate_ratio)
    return float(r + math.sqrt(r * (r - 1.0)))


def bounding_factor(rr_uy: float, rr_au: float) -> float:
    """Ding & VanderWeele's bounding factor ``RR_UY * RR_AU / (RR_UY + RR_AU - 1)``.

    Parameters
    ----------
    rr_uy : float
        How much the unrecorded factor multiplies the offending rate (>= 1).
    rr_au : float
        How much more common it is among the adopted (>= 1).

    Returns
    -------
    float
    """
    return float(rr_uy * rr_au / (rr_uy + rr_au - 1.0))


def _reduction_e_values(estimate, ci_low, ci_high) -> tuple[float, float]:
    """E-values of the estimate and of its interval's limit nearer no effect."""
    rr = 1.0 - estimate
    e_point = e_value(rr)
    if rr < 1:   # protective: the interval's upper rate ratio is 1 - ci_low
        lim = None if ci_low is None or not np.isfinite(ci_low) else 1.0 - ci_low
        e_ci = 1.0 if lim is None or lim >= 1 else e_value(lim)
    else:
        lim = None if ci_high is None or not np.isfinite(ci_high) else 1.0 - ci_high
        e_ci = 1.0 if lim is None or lim <= 1 else e_value(lim)
    return e_point, e_ci


def selection_bounds(estimate: float, ci_low=None, ci_high=None, gammas=GAMMAS) -> dict:
    """How far unrecorded selection of growing strength could move a rate reduction.

    Parameters
    ----------
    estimate : float
        The proportional reduction in the offending rate (rate ratio ``1 - estimate``).
    ci_low, ci_high : float, optional
        Its 95% interval (None or infinite when open-ended).
    gammas : sequence of float
        Strengths to tabulate, each used for both ``RR_UY`` and ``RR_AU``.

    Returns
    -------
    dict
        ``e_value`` (of the estimate), ``e_value_ci`` (of the interval limit nearer no effect),
        and ``table``: for each strength, the bounding factor and the reduction and interval
        moved towards no effect by it (``1 - RR * B`` for a reduction, ``1 - RR / B`` for an
        increase; the interval moved the same way).
    """
    e_point, e_ci = _reduction_e_values(estimate, ci_low, ci_high)
    protective = estimate > 0
    rows = []
    for g in gammas:
        b = bounding_factor(g, g)

        def move(x, b=b):
            if x is None or not np.isfinite(x):
                return None
            rr = 1.0 - x
            return round(1.0 - (rr * b if protective else rr / b), 4)
        rows.append({"strength": g, "bounding_factor": round(b, 4),
                     "estimate": move(estimate), "ci_low": move(ci_low),
                     "ci_high": move(ci_high)})
    return {"e_value": round(e_point, 3), "e_value_ci": round(e_ci, 3), "table": rows}


def placebo_data(dd, rs: pd.DataFrame, design: pd.DataFrame) -> tuple:
    """Outcome, exposure and design of the placebo (see the module docstring).

    Parameters
    ----------
    dd : DayData
        The day-level data of the fit.
    rs : DataFrame
        The risk sets of the fit (``row``, ``decision_day``, ``adopted``, ``c_hist``).
    design : DataFrame
        The fit's design (``adopted`` and the history columns).

    Returns
    -------
    (y, exposure, X, groups) : tuple
        Rows without a day at liberty in the placebo year are left out.
    """
    rows, d = rs["row"].to_numpy(), rs["decision_day"].to_numpy()
    y = dd.count(dd.off_key, rows, d - 730, d - 366)
    lib = dd.days(dd.lib_cum, rows, d - 730, d - 366)
    early_c = dd.count(dd.off_key, rows, dd.day0, d - 731)
    early_lib = dd.days(dd.lib_cum, rows, dd.day0, d - 731) / 365.25
    drop = [c for c in design.columns
            if c in ("log_hist_rate", "log1p_hist_years", "log_total_rate")]
    X = design.drop(columns=drop).copy()
    X["log_early_rate"] = np.log((early_c + 0.5) / (early_lib + 0.1))
    X["log1p_early_years"] = np.log1p(early_lib)
    X["managed_share_placebo"] = dd.days(dd.man_cum, rows, d - 730, d - 366) / np.maximum(lib, 1)
    X = X[[c for c in X.columns if c in ("const", "adopted") or X[c].std() > 0]]
    keep = lib > 0
    return y[keep], lib[keep], X[keep], rows[keep]


def placebo(dd, rs: pd.DataFrame, design: pd.DataFrame) -> dict:
    """Pseudo-adoption 12 months before the real one: the placebo rate comparison.

    Parameters
    ----------
    dd : DayData
    rs : DataFrame
    design : DataFrame
        As :func:`placebo_data`.

    Returns
    -------
    dict
        ``estimate`` (1 - placebo rate ratio, adopted against comparison, on the same scale as
        the main estimate: 0 when there is no difference), ``ci_low``, ``ci_high`` (95%,
        person-clustered jackknife errors), ``rate_ratio``, ``n`` (risk-set records used),
        ``converged`` and
        ``passes`` (the interval includes 0).
    """
    y, lib, X, groups = placebo_data(dd, rs, design)
    f = poisson_fit(y, X.to_numpy(float), lib, groups, names=list(X.columns),
                    cov_type="cr3")
    b, se = f.coef("adopted")
    lo, hi = 1 - math.exp(b + Z95 * se), 1 - math.exp(b - Z95 * se)
    return {"estimate": round(1 - math.exp(b), 4), "ci_low": round(lo, 4),
            "ci_high": round(hi, 4), "rate_ratio": round(math.exp(b), 4), "n": int(len(y)),
            "converged": bool(f.converged), "passes": bool(lo <= 0 <= hi)}


def robustness_text(bounds: dict, placebo_result: dict) -> str:
    """The bound and the placebo in plain words, for the index page and the report.

    Parameters
    ----------
    bounds : dict
        From :func:`selection_bounds`.
    placebo_result : dict
        From :func:`placebo` (or with ``estimate`` None and an ``error``).

    Returns
    -------
    str
    """
    e, e_ci = bounds["e_value"], bounds["e_value_ci"]
    if e_ci <= 1.0:
        bound = ("The interval already includes no effect, so no unrecorded selection is "
                 "needed to explain the estimate away")
    else:
        bound = (f"To explain the estimate away, unrecorded selection would have to make "
                 f"offending {e:.2f} times as likely and be {e:.2f} times as common among the "
                 f"adopted (E-value; {e_ci:.2f} to move the interval to include no effect)")
    p = placebo_result
    if p.get("estimate") is None:
        plac = f"the placebo could not be computed ({p.get('error', 'no data')})"
    else:
        verdict = ("no difference, as it should" if p["passes"] else
                   "a difference: the adopted differed from the comparison a year before the "
                   "decision in a way the recorded history does not explain, which selection "
                   "on information outside the data would produce (the estimate would then be "
                   "biased) and so would a panel that weighs older offences (it would not); "
                   "report the estimate only with this warning")
        plac = (f"placebo (pseudo-adoption 12 months before the real one): "
                f"{100 * p['estimate']:.1f}% (95% CI {100 * p['ci_low']:.1f}% to "
                f"{100 * p['ci_high']:.1f}%), {verdict}")
    return f"{bound}; {plac}."
