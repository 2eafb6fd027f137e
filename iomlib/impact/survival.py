"""Survival helpers: Cox proportional hazards with covariates, and Kaplan-Meier by group.

Both are thin, checked wrappers around lifelines (Davidson-Pilon, *lifelines: survival analysis
in Python*, JOSS 2019): :func:`cox_model` fits a Cox model by partial likelihood with Efron's
treatment of tied times (the default of Stata's ``stcox, efron``, of R's ``coxph`` and the only
one lifelines offers) and returns the coefficients with Wald intervals, the partial
log-likelihood and the likelihood-ratio test against the model without covariates.
:func:`hazard_ratio` is the one-binary-exposure version used by the Justice Data Lab-style
comparison (optionally adjusted for covariates); :func:`kaplan_meier` the survival curves.

When a model cannot be fitted (no events, an exposure with one value, fewer people than
parameters) they raise :class:`SurvivalDataError` with the reason in plain words rather than
returning NaNs or a lifelines traceback; a fit that did not converge is reported in the result
(``converged``, ``note``) and as a ``RuntimeWarning``.

Checked against published models (``tests/test_real_data.py``): Fox & Weisberg's Cox model of
the Rossi et al. (1980) recidivism data and Stata's ``stcox`` on Wooldridge's ``recid``.
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["CoxResult", "SurvivalDataError", "cox_model", "hazard_ratio", "kaplan_meier"]


class SurvivalDataError(ValueError):
    """The data cannot support the survival model asked for (the message says why)."""


@dataclass
class CoxResult:
    """A fitted Cox model.

    Attributes
    ----------
    table : DataFrame
        Indexed by covariate: ``coef``, ``se``, ``hazard_ratio``, ``ci_low``, ``ci_high``
        (95% Wald interval of the hazard ratio), ``z``, ``p``.
    log_likelihood : float
        Partial log-likelihood at the estimate (Efron ties).
    log_likelihood_null : float
        Partial log-likelihood with every coefficient 0.
    lr_statistic, lr_df, lr_p : float, int, float
        Likelihood-ratio test of all coefficients = 0 (chi-squared on ``lr_df`` df).
    n, events : int
        People analysed and events.
    ties : str
        ``"efron"``.
    converged : bool
    note : str
        Empty, or what went wrong in the fit.
    """

    table: pd.DataFrame
    log_likelihood: float
    log_likelihood_null: float
    lr_statistic: float
    lr_df: int
    lr_p: float
    n: int
    events: int
    ties: str = "efron"
    converged: bool = True
    note: str = ""
    covariates: tuple = field(default_factory=tuple)

    @property
    def coef(self) -> pd.Series:
        """The coefficients (log hazard ratios), by covariate."""
        return self.table["coef"]


def _check(data: pd.DataFrame, duration: str, event: str, covariates: Sequence[str]) -> None:
    missing = [c for c in (duration, event, *covariates) if c not in data.columns]
    if missing:
        raise SurvivalDataError(f"columns {missing} are not in the data")
    if data.empty:
        raise SurvivalDataError("there is nobody to analyse")
    d = data[[duration, event, *covariates]]
    bad = d.columns[d.isna().any().to_numpy()].tolist()
    if bad:
        raise SurvivalDataError(f"columns {bad} have missing values")
    if (data[duration] < 0).any():
        raise SurvivalDataError(f"{duration} has negative times")
    if not data[event].isin([0, 1, True, False]).all():
        raise SurvivalDataError(f"{event} must be 0/1")
    n_events = int(data[event].sum())
    if n_events == 0:
        raise SurvivalDataError("no events: nobody had the outcome, so no hazard can be "
                                "compared")
    constant = [c for c in covariates if data[c].nunique() < 2]
    if constant:
        raise SurvivalDataError(f"{', '.join(constant)} take(s) only one value, so no hazard "
                                "ratio can be estimated for it")
    if len(data) <= len(covariates):
        raise SurvivalDataError(f"{len(data)} people are too few for {len(covariates)} "
                                "covariates")


def cox_model(data: pd.DataFrame, duration: str, event: str,
              covariates: Sequence[str], *, ties: str = "efron") -> CoxResult:
    """Fit a Cox proportional-hazards model by partial likelihood.

    Parameters
    ----------
    data : DataFrame
        One row per person.
    duration : str
        Column of follow-up times (any unit; only their order matters).
    event : str
        Column, 1 if the event happened at ``duration``, 0 if censored there.
    covariates : sequence of str
        Numeric covariate columns (code categories as 0/1 columns beforehand).
    ties : {"efron"}
        Treatment of tied event times (only Efron's is offered).

    Returns
    -------
    CoxResult

    Raises
    ------
    SurvivalDataError
        Missing columns or values, no events, a covariate with one value, too few people.
    """
    from lifelines import CoxPHFitter
    if ties != "efron":
        raise ValueError(f"ties={ties!r}: only 'efron' is available")
    covariates = tuple(covariates)
    _check(data, duration, event, covariates)
    d = data[[duration, event, *covariates]].astype(float)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cph = CoxPHFitter().fit(d, duration, event, fit_options={"precision": 1e-12})
    problems = [str(w.message).split("\n")[0] for w in caught
                if "converg" in str(w.message).lower()]
    s = cph.summary
    table = pd.DataFrame({
        "coef": s["coef"], "se": s["se(coef)"], "hazard_ratio": s["exp(coef)"],
        "ci_low": s["exp(coef) lower 95%"], "ci_high": s["exp(coef) upper 95%"],
        "z": s["z"], "p": s["p"]})
    table.index.name = "covariate"
    ll = float(cph.log_likelihood_)
    lr = float(cph.log_likelihood_ratio_test().test_statistic)
    ll0 = ll - lr / 2.0
    note = "; ".join(dict.fromkeys(problems))
    if note:
        warnings.warn(f"Cox model: {note}", RuntimeWarning, stacklevel=2)
    return CoxResult(table=table, log_likelihood=ll, log_likelihood_null=ll0,
                     lr_statistic=lr, lr_df=len(covariates),
                     lr_p=float(stats.chi2.sf(lr, len(covariates))), n=len(d),
                     events=int(d[event].sum()), ties=ties, converged=not note, note=note,
                     covariates=covariates)


def hazard_ratio(data: pd.DataFrame, duration: str, event: str, exposure: str,
                 covariates: Sequence[str] = ()) -> dict:
    """Hazard ratio of ``exposure`` (1 against 0) from a Cox model, optionally adjusted.

    Parameters
    ----------
    data : DataFrame
    duration, event : str
        As in :func:`cox_model`.
    exposure : str
        0/1 column whose hazard ratio is wanted (e.g. ``adopted``).
    covariates : sequence of str, optional
        Further covariates to adjust for (covariates with one value are left out, and say so
        in ``note``).

    Returns
    -------
    dict
        ``hazard_ratio``, ``ci_low``, ``ci_high`` (95% Wald), ``p``, ``n``, ``events``,
        ``covariates`` (those used), ``converged``, ``note``.

    Raises
    ------
    SurvivalDataError
        As :func:`cox_model` (e.g. no events, or everybody in one group).
    """
    used = [c for c in covariates if c != exposure and c in data.columns
            and data[c].nunique() > 1]
    dropped = [c for c in covariates if c != exposure and c not in used]
    res = cox_model(data, duration, event, [exposure, *used])
    row = res.table.loc[exposure]
    note = res.note
    if dropped:
        note = "; ".join(filter(None, [note, f"left out (one value): {', '.join(dropped)}"]))
    return {"hazard_ratio": float(row["hazard_ratio"]), "ci_low": float(row["ci_low"]),
            "ci_high": float(row["ci_high"]), "p": float(row["p"]), "n": res.n,
            "events": res.events, "covariates": used, "converged": res.converged,
            "note": note}


def kaplan_meier(groups: Mapping[str, pd.DataFrame], duration: str,
                 event: str) -> pd.DataFrame:
    """Kaplan-Meier survival per group, with 95% bands and numbers at risk.

    Parameters
    ----------
    groups : mapping of str to DataFrame
        Group name to its people (one row each). A group with nobody is left out.
    duration, event : str
        Columns of follow-up time and event (1) or censoring (0).

    Returns
    -------
    DataFrame
        ``group``, ``days`` (the time column, whatever its unit), ``survival``, ``ci_low``,
        ``ci_high`` (lifelines' exponential Greenwood band), ``at_risk``. Empty (with these
        columns) when every group is empty.
    """
    from lifelines import KaplanMeierFitter
    columns = ["group", "days", "survival", "ci_low", "ci_high", "at_risk"]
    rows = []
    for name, g in groups.items():
        if len(g) == 0:
            continue
        km = KaplanMeierFitter().fit(np.asarray(g[duration], float),
                                     np.asarray(g[event], float), label=name)
        sf = km.survival_function_.join(km.confidence_interval_)
        sf.columns = ["survival", "ci_low", "ci_high"]
        sf["at_risk"] = km.event_table["at_risk"].reindex(sf.index).to_numpy()
        sf = sf.reset_index().rename(columns={sf.index.name or "index": "days"})
        sf.insert(0, "group", name)
        rows.append(sf[columns])
    if not rows:
        return pd.DataFrame(columns=columns)
    return pd.concat(rows, ignore_index=True)
