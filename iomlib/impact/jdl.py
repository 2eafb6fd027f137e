"""Justice Data Lab measures against a propensity-matched comparison: :class:`JusticeDataLab`."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from iomlib.config.settings import Config
from iomlib.impact.base import Estimator, summary_row
from iomlib.impact.models import Z95, smd, wilson
from iomlib.impact.panel import Panel
from iomlib.impact.preparation import window_sum

JDL_INCONCLUSIVE = (
    "The analysis does not show a statistically significant difference in {measure} between "
    "the people who were managed and the matched comparison group. This may be because the "
    "number of people analysed was too small to detect a difference: more people would need "
    "to be analysed to determine whether the scheme affects {measure}. This should not be "
    "taken to mean that the scheme fails to affect {measure}.")
JDL_SIGNIFICANT = (
    "The analysis shows a statistically significant {direction} in {measure}: for every 100 "
    "people managed, between {lo} and {hi} {unit} {fewer_more} than in a matched comparison "
    "group of 100 similar people.")
_METHOD = "JDL: propensity-matched eligible never-adopted comparison"


def jdl_wording(measure: str, diff: float, lo: float, hi: float, *, unit: str,
                scale: float = 100.0) -> str:
    """The Justice Data Lab sentence for a difference (adopted minus comparison) and its CI.

    Parameters
    ----------
    measure : str
        E.g. ``"the one-year proven reoffending rate"``.
    diff, lo, hi : float
        Difference per person (or proportion) and its 95% interval.
    unit : str
        What is counted, e.g. ``"people reoffended"`` or ``"reoffences were committed"``.
    scale : float
        Multiplier to "per 100 people" (100 for proportions and per-person counts).

    Returns
    -------
    str
    """
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo <= 0 <= hi:
        return JDL_INCONCLUSIVE.format(measure=measure)
    a, b = sorted([abs(lo) * scale, abs(hi) * scale])
    fewer = hi < 0
    return JDL_SIGNIFICANT.format(direction="reduction" if fewer else "increase",
                                  measure=measure, lo=f"{a:.0f}", hi=f"{b:.0f}", unit=unit,
                                  fewer_more="fewer" if fewer else "more")


def proportion_difference(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float, float]:
    """``k1/n1 - k2/n2`` with Newcombe's hybrid score 95% interval (NaNs when a group is empty).

    Newcombe (1998), method 10, from the two Wilson intervals: statsmodels'
    ``confint_proportions_2indep(..., method="newcomb")``.

    Parameters
    ----------
    k1, n1, k2, n2 : int
        Successes and trials of each group.

    Returns
    -------
    (difference, low, high) : tuple of float
    """
    from statsmodels.stats.proportion import confint_proportions_2indep
    if n1 <= 0 or n2 <= 0:
        return (float("nan"),) * 3
    lo, hi = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff")
    return float(k1 / n1 - k2 / n2), float(lo), float(hi)


class JusticeDataLab(Estimator):
    """Justice Data Lab measures: adopted nominals against a propensity-matched comparison.

    - **Treatment group**: people at their first adoption (index date = adoption date).
    - **Comparison pool**: people eligible on the selection matrix at some month end but never
      adopted by the as-of date, index date = the first month end eligible (pseudo-entry).
    - Both need a complete one-year follow-up plus the six-month waiting period before the
      as-of date (proven reoffending: offence in the year after the index date, recorded within
      18 months) and ``history_months`` of data before the selection window.
    - **Matching**: logistic propensity score on pre-entry offending history (offences in the 12
      months up to the index date and in the 12 before them, harm in the 12 months, matrix
      points), age, sex and index year; 1:1 nearest neighbour on the logit without
      replacement, caliper ``caliper`` x SD(logit), greedy in random order.
    - **Outcomes**: one-year proven reoffending rate (Wilson intervals; difference with
      Newcombe's interval), frequency per 100 people (Welch t interval for the difference),
      time to first reoffence (Kaplan-Meier per group; Cox hazard ratio, lifelines).

    Summary keys: ``jdl_rate_difference``, ``jdl_frequency_difference``,
    ``jdl_frequency_ratio``, ``jdl_cox_hazard_ratio``.

    Parameters
    ----------
    caliper : float
        Matching caliper in standard deviations of the logit of the propensity score.
    follow_days, waiting_days : int
        Follow-up (one year) and waiting period (six months) after the index date.
    history_months : int
        Months of data needed before the selection window.
    seed : int
        Seed of the random matching order.

    Attributes
    ----------
    attrition_ : DataFrame
        stage, adopted, comparison (numbers of people).
    balance_ : DataFrame
        covariate, smd_before, smd_after.
    outcomes_ : DataFrame
        measure, adopted, comparison, difference, ci_low, ci_high (and group intervals).
    survival_ : DataFrame
        Kaplan-Meier estimates (group, days, survival, ci_low, ci_high, at_risk).
    cox_ : dict
        hazard_ratio, ci_low, ci_high, p.
    wording_ : dict
        JDL sentence per measure.
    matched_ : DataFrame
        The analysed people with covariates, propensity score, pair id and outcomes.
    """

    COVARIATES = ("offences_12", "offences_13_24", "harm_12", "points", "age", "male")

    def __init__(self, caliper: float = 0.2, follow_days: int = 365, waiting_days: int = 183,
                 history_months: int = 12, seed: int = 12345):
        self.caliper = caliper
        self.follow_days = follow_days
        self.waiting_days = waiting_days
        self.history_months = history_months
        self.seed = seed

    def fit(self, dataset, config: Config | None = None, *, as_of=None,
            panel: Panel | None = None) -> JusticeDataLab:
        """Build the groups, match, and compute the JDL measures.

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
        JusticeDataLab
            ``self``, fitted.
        """
        _, P = self._setup(dataset, config, as_of, panel)
        df = self._index_dates(dataset, P)
        stage = [("submitted (first adoptions) / eligible never adopted",
                  int(df["adopted"].sum()), int((df["adopted"] == 0).sum()))]
        complete = (df["index_date"] + pd.Timedelta(days=self.follow_days + self.waiting_days)
                    <= P.as_of)
        history = df["m"] >= 11 + self.history_months
        df = df[complete & history].reset_index(drop=True)
        stage.append(("with complete follow-up, waiting period and history",
                      int(df["adopted"].sum()), int((df["adopted"] == 0).sum())))
        _add_history(df, P)
        self._add_reoffending(df, dataset, P.as_of)
        self._add_propensity(df)
        df["pair"] = self._match(df)
        matched = df[df["pair"] >= 0].copy()
        groups = (int(matched["adopted"].sum()), int((matched["adopted"] == 0).sum()))
        stage.append((f"matched (1:1, caliper {self.caliper:.1f} SD of logit)", *groups))
        stage.append(("analysed", *groups))
        self.attrition_ = pd.DataFrame(stage, columns=["stage", "adopted", "comparison"])
        self.balance_ = pd.DataFrame([
            {"covariate": c,
             "smd_before": smd(df.loc[df["adopted"] == 1, c], df.loc[df["adopted"] == 0, c]),
             "smd_after": smd(matched.loc[matched["adopted"] == 1, c],
                              matched.loc[matched["adopted"] == 0, c])}
            for c in self.COVARIATES])
        self.matched_ = matched
        self._outcomes(matched)
        return self

    @staticmethod
    def _index_dates(dataset, P: Panel) -> pd.DataFrame:
        """First adoptions (index = adoption date) and the eligible never adopted (first month
        end eligible): panel ``row``, ``person_id``, ``adopted``, month ``m``, ``index_date``."""
        treated = P.first_adopted >= 0
        pool = ~treated & (P.first_eligible >= 0)
        tr_rows = np.flatnonzero(treated)
        po_rows = np.flatnonzero(pool)
        idx_m = np.concatenate([P.first_adopted[tr_rows], P.first_eligible[po_rows]])
        rows = np.concatenate([tr_rows, po_rows])
        grp = np.concatenate([np.ones(len(tr_rows), int), np.zeros(len(po_rows), int)])
        first = dataset.episodes.sort_values("adopted_on").drop_duplicates("person_id")
        first_date = first.set_index(first["person_id"].astype(str))["adopted_on"]
        index_date = np.where(grp == 1,
                              first_date.reindex(P.person_ids[rows]).to_numpy(),
                              P.month_ends[idx_m].to_numpy())
        return pd.DataFrame({"row": rows, "person_id": P.person_ids[rows], "adopted": grp,
                             "m": idx_m, "index_date": pd.to_datetime(index_date)})

    def _add_reoffending(self, df: pd.DataFrame, dataset, t: pd.Timestamp) -> None:
        """Outcomes from the offence table (dates, not months): ``reoffences``, ``reoffended``
        and ``days_to_first`` within ``follow_days`` of the index date."""
        off = dataset.offences[["person_id", "offence_date"]]
        off = off[off["offence_date"] <= t]
        mm = df[["person_id", "index_date"]].reset_index().merge(
            off.assign(person_id=off["person_id"].astype(str)), on="person_id", how="left")
        d = (mm["offence_date"] - mm["index_date"]).dt.days
        inwin = (d > 0) & (d <= self.follow_days)
        mm = mm.assign(inwin=inwin, d=d.where(inwin))
        agg = mm.groupby("index").agg(reoffences=("inwin", "sum"), first_days=("d", "min"))
        df["reoffences"] = agg["reoffences"].reindex(df.index).fillna(0).astype(int)
        df["reoffended"] = (df["reoffences"] > 0).astype(int)
        df["days_to_first"] = agg["first_days"].reindex(df.index).fillna(
            self.follow_days).astype(float)

    def _add_propensity(self, df: pd.DataFrame) -> None:
        """Logistic propensity score of adoption (``pscore``, ``logit``; ``pscore_model_``)."""
        import statsmodels.api as sm
        Xc = df[list(self.COVARIATES)].copy()
        Xc["log1p_offences_12"] = np.log1p(Xc["offences_12"])
        Xc["log1p_harm_12"] = np.log1p(Xc["harm_12"])
        Xc = pd.concat([Xc, pd.get_dummies(df["index_year"], prefix="year", drop_first=True,
                                           dtype=float)], axis=1)
        Xc = Xc.loc[:, Xc.std() > 0]
        Xc = sm.add_constant(Xc, has_constant="add")
        # the BFGS line search may try steps whose logit overflows (floating-point noise, not a
        # failure); whether the fit converged is checked and reported below
        with np.errstate(over="ignore", divide="ignore"):
            lr = sm.Logit(df["adopted"].to_numpy(float), Xc).fit(disp=0, maxiter=200,
                                                                  method="bfgs")
        if not lr.mle_retvals.get("converged", True):
            warnings.warn("JDL: the propensity-score logit did not converge", RuntimeWarning,
                          stacklevel=3)
        ps = np.clip(lr.predict(Xc), 1e-6, 1 - 1e-6)
        df["pscore"] = ps
        df["logit"] = np.log(ps / (1 - ps))
        self.pscore_model_ = lr

    def _match(self, df: pd.DataFrame) -> np.ndarray:
        """Greedy 1:1 nearest-neighbour matching on the logit, in random order, with caliper."""
        rng = np.random.default_rng(self.seed)
        lg = df["logit"].to_numpy()
        cal = self.caliper * np.std(lg, ddof=1)
        tr = np.flatnonzero(df["adopted"].to_numpy() == 1)
        co = np.flatnonzero(df["adopted"].to_numpy() == 0)
        used = np.zeros(len(co), bool)
        pair = np.full(len(df), -1)
        for k, i in enumerate(rng.permutation(tr)):
            dist = np.abs(lg[co] - lg[i])
            dist[used] = np.inf
            if len(dist) == 0:
                break
            j = int(np.argmin(dist))
            if dist[j] <= cal:
                used[j] = True
                pair[i] = pair[co[j]] = k
        return pair

    def _outcomes(self, mt: pd.DataFrame) -> None:
        """Reoffending rate, frequency, time to first reoffence, wording and summary rows."""
        a = mt[mt["adopted"] == 1]
        c = mt[mt["adopted"] == 0]
        rate, freq, per_person = _rate_and_frequency(a, c)
        self.outcomes_ = pd.DataFrame([rate, freq])
        self.survival_ = _kaplan_meier(a, c)
        self.cox_ = _cox(mt)
        self.wording_ = self._wording(rate, per_person)
        ratio, rlo, rhi = per_person["ratio"]
        n = {"n": len(a) + len(c), "n_treated": len(a), "n_control": len(c)}
        self._rows = [
            summary_row("jdl_rate_difference",
                        "JDL: one-year proven reoffending rate, adopted minus comparison",
                        rate["difference"], rate["ci_low"], rate["ci_high"], **n,
                        scale="difference of proportions",
                        method=_METHOD + "; Newcombe interval"),
            summary_row("jdl_frequency_difference",
                        "JDL: reoffences per 100 people, adopted minus comparison",
                        freq["difference"], freq["ci_low"], freq["ci_high"], **n,
                        scale="per 100 people", method=_METHOD + "; Welch t"),
            summary_row("jdl_frequency_ratio", "JDL: 1 - frequency ratio", 1 - ratio, 1 - rhi,
                        1 - rlo, **n,
                        scale="proportional, one-year frequency (counts, not per day at "
                              "liberty)",
                        method=_METHOD + "; delta method on log means"),
            summary_row("jdl_cox_hazard_ratio", "JDL: Cox hazard ratio of first reoffence",
                        self.cox_["hazard_ratio"], self.cox_["ci_low"], self.cox_["ci_high"],
                        **n, scale="hazard ratio", method=_METHOD + "; lifelines CoxPHFitter"),
        ]

    def _wording(self, rate: dict, per_person: dict) -> dict:
        """The JDL sentence of each measure."""
        rw = jdl_wording("the one-year proven reoffending rate", rate["difference"],
                         rate["ci_low"], rate["ci_high"], unit="people reoffended")
        fw = jdl_wording("the frequency of reoffending", *per_person["difference"],
                         unit="reoffences were committed")
        cox = self.cox_
        hw = (JDL_INCONCLUSIVE.format(measure="the time to first reoffence")
              if cox["ci_low"] <= 1 <= cox["ci_high"] else
              f"The hazard of a first reoffence was {cox['hazard_ratio']:.2f} times that "
              f"of the comparison group (95% CI {cox['ci_low']:.2f} to "
              f"{cox['ci_high']:.2f}).")
        return {"rate": rw, "frequency": fw, "time_to_first": hw}


def _add_history(df: pd.DataFrame, P: Panel) -> None:
    """Pre-entry covariates at each index month ``m`` (offences, harm, points, age, sex, year)."""
    r, m = df["row"].to_numpy(), df["m"].to_numpy()
    df["offences_12"] = window_sum(P.count, r, m - 11, m)
    df["offences_13_24"] = window_sum(P.count, r, m - 23, m - 12)
    df["harm_12"] = window_sum(P.harm, r, m - 11, m)
    df["points"] = P.points[r, m]
    df["age"] = P.age[r, m]
    df["male"] = P.male[r].astype(float)
    df["index_year"] = df["index_date"].dt.year


def _rate_and_frequency(a: pd.DataFrame, c: pd.DataFrame) -> tuple[dict, dict, dict]:
    """The ``outcomes_`` rows of the reoffending rate and of the frequency per 100 people, and
    the frequency per person: ``difference`` and ``ratio``, each ``(estimate, low, high)``."""
    na, nc = len(a), len(c)
    ka, kc = int(a["reoffended"].sum()), int(c["reoffended"].sum())
    diff, dlo, dhi = proportion_difference(ka, na, kc, nc)
    wa, wc = wilson(ka, na), wilson(kc, nc)
    fa, fc = a["reoffences"].to_numpy(float), c["reoffences"].to_numpy(float)
    if na > 1 and nc > 1:
        tt = stats.ttest_ind(fa, fc, equal_var=False)
        flo, fhi = tt.confidence_interval()
    else:
        flo = fhi = np.nan
    ratio = fa.mean() / fc.mean() if nc and fc.mean() > 0 else np.nan
    # frequency ratio interval: delta method on log means
    if na > 1 and nc > 1 and fa.mean() > 0 and fc.mean() > 0:
        se_lr = np.sqrt(fa.var(ddof=1) / na / fa.mean() ** 2
                        + fc.var(ddof=1) / nc / fc.mean() ** 2)
        rlo, rhi = ratio * np.exp(-Z95 * se_lr), ratio * np.exp(Z95 * se_lr)
    else:
        rlo = rhi = np.nan
    rate = {"measure": "one-year proven reoffending rate", "adopted": ka / na if na else np.nan,
            "adopted_ci_low": wa[0], "adopted_ci_high": wa[1],
            "comparison": kc / nc if nc else np.nan, "comparison_ci_low": wc[0],
            "comparison_ci_high": wc[1], "difference": diff, "ci_low": dlo, "ci_high": dhi,
            "method": "Wilson intervals; Newcombe hybrid score interval for the difference"}
    freq = {"measure": "frequency: reoffences per 100 people", "adopted": fa.mean() * 100,
            "adopted_ci_low": None, "adopted_ci_high": None, "comparison": fc.mean() * 100,
            "comparison_ci_low": None, "comparison_ci_high": None,
            "difference": (fa.mean() - fc.mean()) * 100, "ci_low": flo * 100,
            "ci_high": fhi * 100, "method": "Welch t interval"}
    per_person = {"difference": (fa.mean() - fc.mean(), flo, fhi), "ratio": (ratio, rlo, rhi)}
    return rate, freq, per_person


def _kaplan_meier(a: pd.DataFrame, c: pd.DataFrame) -> pd.DataFrame:
    """Kaplan-Meier time to first reoffence per group
    (:func:`iomlib.impact.survival.kaplan_meier`)."""
    from iomlib.impact.survival import kaplan_meier
    return kaplan_meier({"adopted": a, "comparison": c}, "days_to_first", "reoffended")


def _cox(mt: pd.DataFrame, covariates=()) -> dict:
    """Cox hazard ratio of a first reoffence, adopted against comparison, optionally adjusted
    (:func:`iomlib.impact.survival.hazard_ratio`); NaNs with the reason in ``note`` when the
    data cannot support it (e.g. no reoffences)."""
    from iomlib.impact.survival import SurvivalDataError, hazard_ratio
    try:
        return hazard_ratio(mt, "days_to_first", "reoffended", "adopted", covariates)
    except SurvivalDataError as e:
        nan = float("nan")
        return {"hazard_ratio": nan, "ci_low": nan, "ci_high": nan, "p": nan, "n": len(mt),
                "events": int(mt["reoffended"].sum()) if "reoffended" in mt else 0,
                "covariates": [], "converged": False, "note": f"no Cox model: {e}"}
