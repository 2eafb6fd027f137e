"""People who leave unrecorded: a correction of the comparison arm's exposure (issue 11).

A person who moves away or dies stops appearing in the record. For a managed person the panel
records it, late, as a removal ("moved_away", "deceased"); a person who is not managed simply
vanishes. At a decision date the panel can adopt only people who are still there, so everyone
adopted was present; a comparison person may already have left, unrecorded, since the last day
the record shows them (their last offence or their last day in custody). Their follow-up then
counts a year at liberty with no offences, and the comparison arm looks as if it offended less
than it did: the scheme looks less effective than it is. Such records are few, but they are
concentrated where the comparison is thinnest: among people whom the panel would almost
certainly have adopted had they still been there, not being adopted is itself a sign of having
left.

The correction (a known-presence adjustment of the Poisson exposure, written here):

- ``rate``: the yearly rate at which people leave, by default the *recorded* rate - episodes
  removed as "moved_away" or "deceased" per year of management (:func:`recorded_departures`).
  Moves that the panel recorded under another reason (a person who moved is often removed as
  "reduced risk" first) are missed, so this rate is a lower bound and the correction partial;
- ``g = 1 - exp(-rate * gap)``: the chance that a comparison person left in the ``gap`` days
  since they were last seen (:func:`days_since_seen`);
- ``p``: the chance that a person still there is adopted, from a logistic regression of
  adoption on the outcome model's covariates in which adoption can happen only to people still
  there: ``P(adopted | history, gap) = (1 - g) p`` (:func:`~iomlib.impact.models.logistic_fit`
  with the ceiling ``1 - g``);
- ``pi = (1 - g)(1 - p) / ((1 - g)(1 - p) + g)``: by Bayes' rule, the chance that a comparison
  person was still there given that they were not adopted. Their expected follow-up offences are
  ``pi`` times those of a person still there, so their days at liberty are multiplied by ``pi``
  (adopted people: 1). The Poisson estimating equations stay unbiased (``E[y] = pi mu``) and no
  weight divides by ``pi``.

With no recorded moves or deaths (``rate = 0``) every ``pi`` is 1 and the estimate is unchanged.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from iomlib.impact.models import logistic_fit

DEPARTURE_REASONS = ("moved_away", "deceased")
MAX_ADOPTION_CHANCE = 0.999


def recorded_departures(dd) -> dict:
    """Removals recorded as a move or a death, per year of management.

    Parameters
    ----------
    dd : DayData
        From :func:`iomlib.impact.decisions.day_data` (removals up to its as-of day).

    Returns
    -------
    dict
        ``n_departures`` (episodes removed as "moved_away" or "deceased"), ``managed_years``
        (days on the scheme up to the as-of day / 365.25) and ``rate_per_year`` (their ratio;
        0 without management).
    """
    n = int(np.isin(dd.remove_reason, DEPARTURE_REASONS).sum())
    years = float(dd.man_any_cum[:, -1].astype(np.int64).sum()) / 365.25
    return {"n_departures": n, "managed_years": years,
            "rate_per_year": n / years if years > 0 else 0.0}


def days_since_seen(dd, rows, d, days_since_offence) -> np.ndarray:
    """Days from the last day the record shows each person to the decision date.

    A person is *seen* on the day of an offence and on every day in custody. The gap is
    ``d`` minus the last such day before ``d`` (at least 1): the days since the last offence,
    as the risk sets already hold them (``days_since`` of
    :func:`~iomlib.impact.decisions.decision_risk_sets`, capped at 730), shortened by a later
    day in custody.

    Parameters
    ----------
    dd : DayData
    rows, d : array of int
        Person rows and decision days.
    days_since_offence : array of float
        Days since the last offence before each decision day (the risk sets' ``days_since``).

    Returns
    -------
    ndarray of float
    """
    rows = np.asarray(rows, np.int64)
    col = np.asarray(d, np.int64) - dd.day0
    gap = np.asarray(days_since_offence, float).astype(np.int64)
    # custody: look back day by day, only as far as the offence gap (small: recent offenders)
    for k in range(1, int(gap.max(initial=0))):
        look = (gap > k) & (col - k >= 0)
        if not look.any():
            break
        idx = np.flatnonzero(look)
        hit = dd.custody[rows[idx], col[idx] - k]
        gap[idx[hit]] = k
    return gap.astype(float)


def left_probability(gap, rate_per_year: float) -> np.ndarray:
    """``g = 1 - exp(-rate * gap / 365.25)``: the chance of having left in ``gap`` days."""
    return -np.expm1(-max(float(rate_per_year), 0.0) / 365.25 * np.asarray(gap, float))


def presence_probability(gap, adoption_chance, rate_per_year: float) -> np.ndarray:
    """Chance that a person not adopted was still there on the decision date (see module).

    Parameters
    ----------
    gap : array of float
        Days since the person was last seen.
    adoption_chance : array of float
        ``p``: the chance of being adopted for a person still there (capped at
        ``MAX_ADOPTION_CHANCE``).
    rate_per_year : float
        Yearly rate of leaving.

    Returns
    -------
    ndarray of float
        ``pi`` in (0, 1]; 1 everywhere when the rate is 0.
    """
    g = left_probability(gap, rate_per_year)
    p = np.clip(np.asarray(adoption_chance, float), 0.0, MAX_ADOPTION_CHANCE)
    stay = (1 - g) * (1 - p)
    return stay / (stay + g)


def presence_exposure(dd, rs: pd.DataFrame, X: pd.DataFrame, rate_per_year: float) -> dict:
    """The known-presence factors of the risk-set records and a summary of them.

    Parameters
    ----------
    dd : DayData
    rs : DataFrame
        Risk-set records (``row``, ``decision_day``, ``adopted``, ``days_since``).
    X : DataFrame
        Their outcome-model design including ``adopted`` (dropped for the adoption model).
    rate_per_year : float
        Yearly rate of leaving (0: no correction).

    Returns
    -------
    dict
        ``factor`` (ndarray: ``pi`` for comparison records, 1 for adopted ones),
        ``expected_gone`` (the comparison records expected to have left: the sum of
        ``1 - pi``), ``n_comparison`` (comparison records), ``mean_gap_days`` (their mean days
        since last seen) and ``converged`` (the adoption model converged; None when no
        correction was made).
    """
    adopted = rs["adopted"].to_numpy() == 1
    factor = np.ones(len(rs))
    out = {"factor": factor, "expected_gone": 0.0, "n_comparison": int((~adopted).sum()),
           "mean_gap_days": float("nan"), "converged": None}
    if rate_per_year <= 0 or adopted.all():
        return out
    gap = days_since_seen(dd, rs["row"].to_numpy(), rs["decision_day"].to_numpy(),
                          rs["days_since"].to_numpy())
    ps, converged = logistic_fit(adopted.astype(float),
                                 X.drop(columns=["adopted"]).to_numpy(float),
                                 scale=1 - left_probability(gap, rate_per_year))
    if not converged:
        warnings.warn("impact: the adoption model of the presence correction did not converge; "
                      "the correction uses its last step", RuntimeWarning, stacklevel=2)
    pi = presence_probability(gap, ps, rate_per_year)
    factor[~adopted] = pi[~adopted]
    out.update(expected_gone=float((1 - pi[~adopted]).sum()),
               mean_gap_days=float(gap[~adopted].mean()), converged=bool(converged))
    return out
