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
  removed as "moved_away" or "deceased" per year of management in which such a removal could
  have been recorded: a move is recorded late, so the last days of each episode, as many as
  the typical delay between a person's last sighting and their removal, do not count
  (:func:`recorded_departures`). Moves that the panel recorded under another reason (a person
  who moved is often removed as "reduced risk" first) are still missed, so this rate is a
  lower bound and the correction partial;
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


def recording_delays(dd) -> np.ndarray:
    """Days from the last sighting of each person removed for a move or a death to the removal.

    A person is *seen* on the day of an offence, on every day in custody and on the day of an
    adoption (a panel adopts only people who are there). The delay of a recorded departure is
    its removal day minus the last such day before it (or the adoption day itself, so that no
    delay is longer than the episode): how long the record took to learn of the move or death,
    plus the days between the last sighting and the move itself (so it errs long).

    Parameters
    ----------
    dd : DayData

    Returns
    -------
    ndarray of float
        One delay in days (0 when the episode began on the day of its removal) per removal
        recorded as "moved_away" or "deceased".
    """
    dep = np.flatnonzero(np.isin(dd.remove_reason, DEPARTURE_REASONS))
    out = np.empty(len(dep))
    for n, j in enumerate(dep):
        row, col = int(dd.remove_row[j]), int(dd.remove_day[j]) - dd.day0
        seen = [-1]
        base = row * dd.stride
        k = np.searchsorted(dd.off_key, base + col, side="left") - 1
        if k >= 0 and dd.off_key[k] >= base:
            seen.append(int(dd.off_key[k] - base))
        cust = np.flatnonzero(dd.custody[row, :max(col, 0)])
        if len(cust):
            seen.append(int(cust[-1]))
        adopts = dd.adopt_day[(dd.adopt_row == row) & (dd.adopt_day <= dd.remove_day[j])]
        if len(adopts):
            seen.append(int(adopts.max()) - dd.day0)
        out[n] = col - max(seen)
    return out


def recorded_departures(dd) -> dict:
    """Removals recorded as a move or a death, per year in which they could have been recorded.

    A move or death is recorded only after a delay (:func:`recording_delays`), and only if the
    episode is still open then: one that happens in the last ``delay`` days of an episode (or
    before the as-of day) ends the episode under another reason, or not at all. So each
    episode's days on the scheme count less the delay, averaged over the recorded delays:
    ``exposure = sum over episodes of mean over delays of max(days on the scheme - delay, 0)``
    and the rate is the recorded departures over that exposure. With no recorded departure
    the rate is 0.

    Parameters
    ----------
    dd : DayData
        From :func:`iomlib.impact.decisions.day_data` (episodes and removals up to its as-of
        day).

    Returns
    -------
    dict
        ``n_departures`` (episodes removed as "moved_away" or "deceased"), ``managed_years``
        (days on the scheme up to the as-of day / 365.25), ``median_delay_days`` (of the
        recorded departures; NaN without one), ``exposure_years`` (the exposure above / 365.25)
        and ``rate_per_year`` (``n_departures / exposure_years``; 0 without a departure).
    """
    delays = np.sort(recording_delays(dd))
    n = len(delays)
    days = (np.asarray(dd.episode_end, np.int64) - np.asarray(dd.adopt_day, np.int64)).astype(float)
    years = float(days.sum()) / 365.25
    if n == 0:
        return {"n_departures": 0, "managed_years": years, "median_delay_days": float("nan"),
                "exposure_years": years, "rate_per_year": 0.0}
    below = np.searchsorted(delays, days, side="left")       # delays shorter than the episode
    head = np.concatenate([[0.0], np.cumsum(delays)])
    exposure = float(((below * days - head[below]) / n).sum()) / 365.25
    return {"n_departures": n, "managed_years": years,
            "median_delay_days": float(np.median(delays)), "exposure_years": exposure,
            "rate_per_year": n / exposure if exposure > 0 else 0.0}


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
