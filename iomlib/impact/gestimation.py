"""The main estimate: the managed-rate effect by g-estimation on monthly risk sets."""
from __future__ import annotations

import numpy as np
import pandas as pd

from iomlib.config.settings import Config, default_config
from iomlib.errors import IomError
from iomlib.impact.banded import band_edges, band_outcomes, banded_g_estimate
from iomlib.impact.base import Estimator, summary_row
from iomlib.impact.decisions import day_data, decision_design, decision_risk_sets
from iomlib.impact.models import _convergence_note, g_estimate, poisson_fit
from iomlib.impact.panel import Panel
from iomlib.impact.preparation import risk_set_data
from iomlib.impact.presence import presence_exposure, recorded_departures
from iomlib.impact.sensitivity import placebo, selection_bounds

_CORRECTED = ", comparison follow-up corrected for people who may have left unrecorded"
_SINGLE = ("g-estimation of the managed-rate effect on risk sets at the panel's decision "
           "dates (emulated trials; Poisson, days at liberty exposure" + _CORRECTED
           + ", test inversion with person-clustered jackknife (CV3) errors)")
MAIN_METHOD = ("g-estimation of the managed-rate effect, one effect for each quarter of the "
               "first year on the scheme combined over the adopted people's managed days, on "
               "risk sets at the panel's decision dates (emulated trials; Poisson, days at "
               "liberty exposure" + _CORRECTED + ", 95% interval from a person-level jackknife "
               "of the whole estimate)")


def main_method(corrected: bool = True, banded: bool = True) -> str:
    """:data:`MAIN_METHOD` (or, ``banded=False``, one effect for the whole year by test
    inversion), without the presence correction's words when none was made."""
    text = MAIN_METHOD if banded else _SINGLE
    return text if corrected else text.replace(_CORRECTED, "")


class StructuralRate(Estimator):
    """Main estimate: the managed-rate effect by g-estimation on monthly risk sets.

    Model (a structural nested rate model): while managed, a person's offending rate per day at
    liberty is ``(1 - e)`` times what it would have been. So ``Y(e) = Y_unmanaged + Y_managed /
    (1 - e)`` - offences on unmanaged days plus offences on managed days scaled up - has, at
    the true ``e``, the expectation of offending without the scheme. Adoption at a month end
    depends on the observed history (the selection matrix ranking, capacity and chance), so
    among people in the same risk set with the same history, ``Y(e)`` should not depend on
    whether they were adopted. The estimate solves ``coef_adopted(e) = 0`` in the Poisson
    regression of :class:`~iomlib.impact.count_models.CountModels` with ``Y(e)`` as outcome.
    By default the effect may differ between the quarters of the first year on the scheme
    (:mod:`iomlib.impact.banded`: a fading effect otherwise biases one number low) and the
    estimate combines them over the adopted people's managed days, with a person-level
    jackknife interval; with ``n_bands=1`` there is one effect and the 95% interval collects
    the ``e`` not rejected by the person-clustered Wald test (test inversion).

    Summary key: ``g_estimate``.

    Parameters
    ----------
    follow_up : int
        Months of follow-up after each month end.
    max_iter : int
        Most Newton-Raphson steps of each Poisson fit.
    risk_sets : {"decision", "month_end"}
        ``"decision"`` (default): one risk set per decision date, every covariate from the days
        strictly before it (:mod:`iomlib.impact.decisions`). ``"month_end"``: the monthly risk
        sets of :func:`iomlib.impact.panel.risk_sets`, kept for comparison only - their
        covariates count the days of the adoption month after a mid-month adoption.
    cov_type : {"cr3", "cr1"}
        Person-clustered covariance of the tests of a one-effect fit (``n_bands=1``, month-end
        risk sets, or the fall-back when a band has no root;
        :func:`iomlib.impact.models.poisson_fit`):
        the jackknife-type CV3 (default; the plain sandwich was too small on the second world
        of the coverage study, where few adopted people carry much of the information).
    n_bands : int
        Bands of time on the scheme with an effect of their own (equal parts of the follow-up;
        default 4, quarters of the first year). 1: one effect for every managed day.
        Month-end risk sets always use one.
    departure_rate : float or None
        Yearly rate at which people move away or die unrecorded, for the comparison arm's
        known-presence correction (:mod:`iomlib.impact.presence`). None (default): the rate
        recorded among managed people (removals as "moved_away" or "deceased" per year of
        management in which they could have been recorded; see
        :func:`~iomlib.impact.presence.recorded_departures`), a lower bound; 0: no correction.

    Attributes
    ----------
    estimate_, ci_low_, ci_high_ : float
    n_treated_, n_control_ : int
        Distinct people adopted at some risk set's month end (the managed arm) / distinct
        people in some risk set and not adopted at its month end (the comparison arm). The two
        overlap: a person can be in the comparison arm at one month end and adopted at a later
        one, so ``n_treated_ + n_control_`` counts those people twice (see ``arms_``).
    arms_ : dict
        :func:`arm_counts` of the risk sets: distinct people and person-periods per arm and
        the people in both.
    n_rows_ : int
    itt_rate_ratio_ : float
        ``exp(coef_adopted(0))`` - the intention-to-treat rate ratio (as ``CountModels``).
    curve_ : DataFrame
        ``e`` against the adopted coefficient (``coef``) and whether that Poisson fit
        converged, with the ``band`` of time on the scheme (banded fits) or the coefficient's
        z statistic (one effect): every fit of the root-finding (diagnostic).
    bands_ : DataFrame or None
        Banded fits: each band's first and last day on the scheme, its effect ``e`` and the
        adopted records' managed offences in it (the weights of the combination). None when
        one effect was fitted.
    converged_ : bool
        Every Poisson fit of the g-estimation converged.
    note_ : str or None
        What did not converge (also issued as a ``RuntimeWarning``), else None.
    managed_share_ : dict
        Share of follow-up days at liberty that were managed, adopted and not adopted.
    method_ : str
        :data:`MAIN_METHOD` (without the correction's words when no correction was made).
    presence_ : dict
        The known-presence correction: ``rate_per_year`` used, its ``source`` ("recorded" or
        "given"), the recorded ``n_departures``, ``managed_years``, ``exposure_years`` and
        ``median_delay_days`` (:func:`~iomlib.impact.presence.recorded_departures`),
        ``expected_gone`` (comparison records expected to have left unrecorded),
        ``n_comparison`` and ``mean_gap_days`` (decision-date fits only; month-end fits are
        not corrected).
    """

    def __init__(self, follow_up: int = 12, max_iter: int = 100, risk_sets: str = "decision",
                 cov_type: str = "cr3", departure_rate: float | None = None,
                 n_bands: int = 4):
        if risk_sets not in ("decision", "month_end"):
            raise ValueError(f"risk_sets={risk_sets!r}: expected 'decision' or 'month_end'")
        if departure_rate is not None and not (np.isfinite(departure_rate)
                                               and 0 <= departure_rate < 1):
            raise ValueError(f"departure_rate={departure_rate!r}: expected None or a yearly "
                             "rate from 0 to below 1")
        if not (isinstance(n_bands, (int, np.integer)) and 1 <= n_bands <= 12):
            raise ValueError(f"n_bands={n_bands!r}: expected a whole number from 1 to 12")
        self.departure_rate = departure_rate
        self.n_bands = int(n_bands)
        self.follow_up = follow_up
        self.max_iter = max_iter
        self.risk_sets = risk_sets
        self.cov_type = cov_type

    def fit(self, dataset, config: Config | None = None, *, as_of=None,
            panel: Panel | None = None) -> StructuralRate:
        """Solve for the effect and its interval.

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
        StructuralRate
            ``self``, fitted.
        """
        rs, X = self._risk_sets(dataset, config, as_of, panel)
        self.risk_sets_, self.design_ = rs, X
        g = self._g(self._presence(rs, X))
        self.bands_ = g.get("bands")
        self.method_ = main_method(self.presence_["rate_per_year"] > 0, self.bands_ is not None)
        self.estimate_, self.ci_low_, self.ci_high_ = g["estimate"], g["ci_low"], g["ci_high"]
        self.itt_rate_ratio_ = float(np.exp(g["itt_coef"]))
        self.curve_ = g["curve"]
        self.converged_, self.note_ = g["converged"], g["note"]
        self.n_rows_ = len(rs)
        self.arms_ = arm_counts(rs)
        self.n_treated_ = self.arms_["n_people_managed"]
        self.n_control_ = self.arms_["n_people_comparison"]
        self.managed_share_ = {
            "adopted": float(rs.loc[rs["adopted"] == 1, "managed_liberty"].sum()
                             / rs.loc[rs["adopted"] == 1, "liberty"].sum()),
            "not_adopted": float(rs.loc[rs["adopted"] == 0, "managed_liberty"].sum()
                                 / rs.loc[rs["adopted"] == 0, "liberty"].sum())}
        self._rows = [summary_row("g_estimate", "main: reduction in offending rate while managed",
                                  self.estimate_, self.ci_low_, self.ci_high_, n=self.n_rows_,
                                  n_treated=self.n_treated_, n_control=self.n_control_,
                                  scale="proportional, rate per day at liberty while managed",
                                  method=self.method_, converged=self.converged_,
                                  note=self.note_)]
        return self

    def _risk_sets(self, dataset, config, as_of, panel):
        """Risk sets and design of the fit (decision dates unless ``month_end`` was asked)."""
        if self.risk_sets == "month_end":
            _, P = self._setup(dataset, config, as_of, panel)
            return risk_set_data(P, self.follow_up)
        cfg = config or default_config()
        t = panel.as_of if panel is not None else as_of
        dd = day_data(dataset, t, cfg)
        self.day_data_ = dd
        self.as_of_ = pd.Timestamp(np.datetime64("1970-01-01", "D") + dd.last)
        rs = decision_risk_sets(dd, cfg, follow_up_days=round(self.follow_up * 365 / 12))
        return design_with_adopted(rs)

    def _presence(self, rs: pd.DataFrame, X: pd.DataFrame) -> np.ndarray:
        """The comparison records' known-presence factors; sets ``presence_``."""
        if self.risk_sets == "month_end":           # month-end risk sets: no correction
            self.presence_ = {"rate_per_year": 0.0, "source": "not applied"}
            return np.ones(len(rs))
        rec = recorded_departures(self.day_data_)
        given = self.departure_rate is not None
        rate = float(self.departure_rate) if given else rec["rate_per_year"]
        pres = presence_exposure(self.day_data_, rs, X, rate)
        self.presence_ = {"rate_per_year": rate, "source": "given" if given else "recorded",
                          **{k: rec[k] for k in ("n_departures", "managed_years", "exposure_years",
                                                   "median_delay_days")},
                          **{k: v for k, v in pres.items() if k != "factor"}}
        return pres["factor"]

    def _g(self, factor: np.ndarray) -> dict:
        """The estimate with days at liberty times ``factor``: banded (:meth:`_banded`) unless
        one effect was asked for, the risk sets are month ends, or some band has no root."""
        if self.risk_sets == "decision" and self.n_bands > 1:
            g = self._banded(factor)
            if np.isfinite(g["estimate"]):
                return g
        return {**self._single(factor), "bands": None}

    def _single(self, factor: np.ndarray) -> dict:
        """:func:`g_estimate` (one effect) on the fitted risk sets."""
        rs, X = self.risk_sets_, self.design_
        return g_estimate((rs["y"] - rs["y_managed"]).to_numpy(float),
                          rs["y_managed"].to_numpy(float), X.to_numpy(float),
                          rs["liberty"].to_numpy(float) * factor, rs["row"].to_numpy(),
                          names=list(X.columns), treat="adopted", max_iter=self.max_iter,
                          cov_type=self.cov_type)

    def _banded(self, factor: np.ndarray) -> dict:
        """:func:`~iomlib.impact.banded.banded_g_estimate` on the fitted risk sets, with the
        intention-to-treat coefficient and a convergence note as :func:`g_estimate` gives."""
        rs, X = self.risk_sets_, self.design_
        F = round(self.follow_up * 365 / 12)
        edges = band_edges(F, self.n_bands)
        g = banded_g_estimate(band_outcomes(self.day_data_, rs, edges), X.to_numpy(float),
                              factor, rs["row"].to_numpy(), rs["adopted"].to_numpy() == 1,
                              names=list(X.columns), max_iter=self.max_iter)
        itt = poisson_fit(rs["y"].to_numpy(float), X.to_numpy(float),
                          rs["liberty"].to_numpy(float) * factor, rs["row"].to_numpy(),
                          names=list(X.columns), max_iter=self.max_iter, cov_type="none")
        g["itt_coef"] = itt.coef("adopted")[0]
        if not g["bands"].empty:
            g["bands"].insert(1, "first_day", [edges[k] + 1 for k in g["bands"]["band"]])
            g["bands"].insert(2, "last_day", [edges[k + 1] for k in g["bands"]["band"]])
        g["note"] = (_convergence_note(g["curve"], self.max_iter) if np.isfinite(g["estimate"])
                     else None)
        g["converged"] = g["note"] is None
        return g

    def departure_sensitivity(self, multiples=(0.0, 1.0, 2.0, 4.0)) -> pd.DataFrame:
        """The estimate if people left unrecorded at multiples of the rate used in the fit.

        The recorded rate of moves and deaths misses moves recorded under another reason, so
        it is a lower bound; this shows how far the estimate moves if the true rate were
        higher (and what it would be with no correction: multiple 0).

        Parameters
        ----------
        multiples : sequence of float
            Multiples of ``presence_["rate_per_year"]`` (each giving a rate below 1 a year).

        Returns
        -------
        DataFrame
            One row per multiple: ``multiple``, ``rate_per_year``, ``expected_gone``
            (comparison records expected to have left), ``estimate``, ``ci_low``,
            ``ci_high`` and ``n`` (risk-set records). Empty when the fit made no correction
            (no recorded moves or deaths, or month-end risk sets).
        """
        cols = ["multiple", "rate_per_year", "expected_gone", "estimate", "ci_low", "ci_high",
                "n"]
        base = self.presence_["rate_per_year"]
        if base <= 0:
            return pd.DataFrame(columns=cols)
        rows = []
        for k in multiples:
            rate = min(float(k) * base, 0.99)
            pres = presence_exposure(self.day_data_, self.risk_sets_, self.design_, rate)
            if float(k) == 1.0:          # the fit itself
                g = {"estimate": self.estimate_, "ci_low": self.ci_low_, "ci_high": self.ci_high_}
            else:
                g = self._g(pres["factor"])
            rows.append({"multiple": float(k), "rate_per_year": rate,
                         "expected_gone": pres["expected_gone"], "estimate": g["estimate"],
                         "ci_low": g["ci_low"], "ci_high": g["ci_high"], "n": self.n_rows_})
        return pd.DataFrame(rows, columns=cols)

    def sensitivity(self) -> dict:
        """How strong unrecorded selection would have to be to explain the estimate away.

        Returns
        -------
        dict
            :func:`iomlib.impact.sensitivity.selection_bounds` of the fitted estimate.
        """
        return selection_bounds(self.estimate_, self.ci_low_, self.ci_high_)

    def placebo(self) -> dict:
        """Pseudo-adoption 12 months before the real one (a placebo; see ``sensitivity``).

        Returns
        -------
        dict
            The placebo comparison; needs a fit on decision dates.
        """
        if not hasattr(self, "day_data_"):
            raise IomError("impact: the placebo needs a fit on decision dates")
        return placebo(self.day_data_, self.risk_sets_, self.design_)

    def headline(self) -> dict:
        """The fitted estimate for JSON output.

        Returns
        -------
        dict
            ``estimate``, ``ci_low``, ``ci_high`` (rounded to 4 places; an unbounded interval
            end is None, JSON having no infinity), ``method``, ``n_treated``, ``n_control``
            (distinct people in the managed / the comparison arm; people in both arms are
            counted in each), ``converged`` (every fit converged), ``note`` (None, or what did
            not converge), and the :func:`arm_counts` (``n_people``, ``n_people_managed``,
            ``n_people_comparison``, ``n_people_both``, ``n_person_periods_managed``,
            ``n_person_periods_comparison``), ``departure_rate_per_year`` and
            ``departure_rate_source`` (the known-presence correction's yearly rate of leaving
            unrecorded, "recorded" or "given"), ``n_departures`` (the removals for a move or
            a death it was measured from) and ``expected_gone_comparison`` (comparison records
            expected to have left unrecorded).
        """
        def r(x):  # JSON has no infinity: an unbounded interval end is null
            return round(float(x), 4) if np.isfinite(x) else None
        return {"estimate": r(self.estimate_), "ci_low": r(self.ci_low_),
                "ci_high": r(self.ci_high_), "method": self.method_,
                "n_treated": self.n_treated_, "n_control": self.n_control_,
                "converged": bool(self.converged_), "note": self.note_, **self.arms_,
                "departure_rate_per_year": round(float(self.presence_["rate_per_year"]), 4),
                "departure_rate_source": self.presence_["source"],
                "n_departures": self.presence_.get("n_departures"),
                "expected_gone_comparison": round(float(self.presence_.get("expected_gone", 0.0)),
                                                  1)}


def arm_counts(risk_sets: pd.DataFrame) -> dict:
    """Distinct people and person-periods in each arm of the risk sets, and people in both.

    A risk-set record is one person at one month end (a person-period). The managed arm holds
    the records of people adopted at that month end, the comparison arm those of people in
    the risk set and not adopted then. One person can be in both: eligible and not adopted at
    one month end (a comparison person-period), adopted at a later one (a managed one).

    Parameters
    ----------
    risk_sets : DataFrame
        Risk-set records with the person's panel ``row`` and ``adopted`` (1 or 0).

    Returns
    -------
    dict
        ``n_people`` (distinct people in either arm), ``n_people_managed``,
        ``n_people_comparison``, ``n_people_both`` (in both arms), ``n_person_periods_managed``
        and ``n_person_periods_comparison`` (records in each arm), all int.
    """
    managed = risk_sets["adopted"].to_numpy() == 1
    rows = risk_sets["row"].to_numpy()
    m, c = set(rows[managed].tolist()), set(rows[~managed].tolist())
    return {"n_people": len(m | c), "n_people_managed": len(m), "n_people_comparison": len(c),
            "n_people_both": len(m & c), "n_person_periods_managed": int(managed.sum()),
            "n_person_periods_comparison": int((~managed).sum())}


def design_with_adopted(rs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Risk-set rows with days at liberty in the follow-up, and their design with ``adopted``.

    Parameters
    ----------
    rs : DataFrame
        Risk sets (:func:`iomlib.impact.decisions.decision_risk_sets`).

    Returns
    -------
    (risk_sets, design) : tuple of DataFrame
        :func:`~iomlib.impact.decisions.decision_design` with ``adopted`` second.
    """
    rs = rs[rs["liberty"] > 0].reset_index(drop=True)
    if rs["adopted"].sum() == 0 or (rs["adopted"] == 0).sum() == 0:
        raise IomError("impact: the risk sets need both adopted and not-adopted people")
    X = decision_design(rs)
    X.insert(1, "adopted", rs["adopted"].astype(float))
    return rs, X
