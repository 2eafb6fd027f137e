"""Exposure-adjusted count models of adoption on monthly risk sets: :class:`CountModels`."""
from __future__ import annotations

import numpy as np
import pandas as pd

from iomlib.config.settings import Config
from iomlib.impact.base import Estimator, summary_row
from iomlib.impact.models import Z95
from iomlib.impact.panel import Panel
from iomlib.impact.preparation import risk_set_data

#: Summary key of each model.
MODEL_KEYS = {"poisson": "count_poisson", "negative binomial": "count_negbin",
              "GEE (exchangeable)": "count_gee"}


class CountModels(Estimator):
    """Exposure-adjusted count models of adoption on monthly risk sets.

    Rows are the risk sets of :func:`iomlib.impact.panel.risk_sets`: at each month end,
    everyone eligible, free and recently active; outcome = offences in the next
    ``follow_up`` months, exposure = days at liberty in them, covariates = pre-entry history
    (:func:`iomlib.impact.panel.history_design`), indicator ``adopted``. Fitted as

    - Poisson GLM (statsmodels), person-clustered sandwich errors;
    - negative binomial (``sm.NegativeBinomial``: alpha **estimated**), person-clustered;
    - GEE Poisson with an exchangeable working correlation within person (robust errors), a
      check on the clustering.

    ``exp(coef of adopted)`` is the intention-to-treat rate ratio of being adopted (adopted
    people are managed for most, not all, of the follow-up; some comparison people are adopted
    during it), so ``1 - RR`` understates the managed-rate effect;
    :class:`~iomlib.impact.gestimation.StructuralRate` corrects for this.

    Summary keys: ``count_poisson``, ``count_negbin``, ``count_gee`` (``MODEL_KEYS``).

    Parameters
    ----------
    follow_up : int
        Months of follow-up after each month end.
    gee : bool
        Fit the GEE model.
    nb : bool
        Fit the negative binomial model.

    Attributes
    ----------
    rate_ratios_ : DataFrame
        model, rate_ratio, ci_low, ci_high, alpha (NB), n_rows, n_people.
    results_ : dict
        The statsmodels results objects.
    risk_sets_ : DataFrame
    """

    def __init__(self, follow_up: int = 12, gee: bool = True, nb: bool = True):
        self.follow_up = follow_up
        self.gee = gee
        self.nb = nb

    def fit(self, dataset, config: Config | None = None, *, as_of=None,
            panel: Panel | None = None) -> CountModels:
        """Fit the Poisson, negative binomial and GEE models.

        Parameters
        ----------
        dataset : Dataset
        config : Config, optional
            The packaged default if omitted.
        as_of : date-like, optional
            Default: ``config.as_of`` (ignored when ``panel`` is given).
        panel : Panel, optional
            A prepared panel (:func:`iomlib.impact.preparation.prepare`) to share between
            estimators.

        Returns
        -------
        CountModels
            ``self``, fitted.
        """
        _, P = self._setup(dataset, config, as_of, panel)
        rs, X = risk_set_data(P, self.follow_up)
        self.risk_sets_ = rs
        nT = int(rs.loc[rs["adopted"] == 1, "row"].nunique())
        nC = int(rs.loc[rs["adopted"] == 0, "row"].nunique())
        res, out = {}, []
        for name, r, b, se, alpha in self._fit_models(rs, X):
            out.append({"model": name, "rate_ratio": np.exp(b), "ci_low": np.exp(b - Z95 * se),
                        "ci_high": np.exp(b + Z95 * se), "alpha": alpha, "n_rows": len(rs),
                        "n_treated": nT, "n_control": nC, "converged": _converged(r)})
            res[name] = r
        self.results_ = res
        self.rate_ratios_ = pd.DataFrame(out)
        self._rows = [
            summary_row(MODEL_KEYS[o["model"]],
                        f"count model ({o['model']}): 1 - rate ratio of adoption",
                        1 - o["rate_ratio"], 1 - o["ci_high"], 1 - o["ci_low"], n=o["n_rows"],
                        n_treated=nT, n_control=nC,
                        scale=f"proportional, rate (intention to treat, {self.follow_up} "
                              "months after the month end)",
                        method=f"{o['model']}, days at liberty exposure, pre-entry history "
                               "covariates, person-clustered"
                               + (f"; alpha = {o['alpha']:.2f}" if o["alpha"] is not None
                                  else ""),
                        converged=o["converged"],
                        note=None if o["converged"] else f"{o['model']} fit did not converge")
            for o in out]
        return self

    def _fit_models(self, rs: pd.DataFrame, X: pd.DataFrame) -> list[tuple]:
        """``(name, result, coef, se, alpha)`` of each model's ``adopted`` coefficient."""
        import statsmodels.api as sm
        y = rs["y"].to_numpy(float)
        lib = rs["liberty"].to_numpy(float)
        grp = rs["row"].to_numpy()
        j = list(X.columns).index("adopted")
        fits = []
        # statsmodels' warnings (e.g. a ConvergenceWarning) are not silenced
        r = sm.GLM(y, X, family=sm.families.Poisson(), exposure=lib).fit(
            cov_type="cluster", cov_kwds={"groups": grp})
        fits.append(("poisson", r, r.params["adopted"], r.bse["adopted"], None))
        if self.nb:
            nbm = sm.NegativeBinomial(y, X, exposure=lib, loglike_method="nb2")
            start = np.append(r.params.to_numpy(), 0.5)
            rn = nbm.fit(start_params=start, cov_type="cluster",
                         cov_kwds={"groups": grp}, disp=0, maxiter=300, method="bfgs")
            fits.append(("negative binomial", rn, rn.params.iloc[j], rn.bse.iloc[j],
                         float(rn.params.iloc[-1])))
        if self.gee:
            order = np.argsort(grp, kind="stable")
            rg = sm.GEE(y[order], X.iloc[order], groups=grp[order],
                        family=sm.families.Poisson(),
                        cov_struct=sm.cov_struct.Exchangeable(),
                        exposure=lib[order]).fit()
            fits.append(("GEE (exchangeable)", rg, rg.params["adopted"], rg.bse["adopted"],
                         None))
        return fits


def _converged(result) -> bool:
    """Whether a statsmodels fit converged (GLM and GEE ``converged``, MLE ``mle_retvals``)."""
    retvals = getattr(result, "mle_retvals", None)
    if isinstance(retvals, dict) and "converged" in retvals:
        return bool(retvals["converged"])
    return bool(getattr(result, "converged", True))
