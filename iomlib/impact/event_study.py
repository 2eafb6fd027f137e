"""Staggered-entry event study (Callaway & Sant'Anna group-time ATTs): :class:`EventStudy`."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from iomlib.config.settings import Config
from iomlib.impact.base import Estimator, summary_row
from iomlib.impact.cs import aggregate_event, att_gt
from iomlib.impact.models import Z95
from iomlib.impact.panel import Panel


class EventStudy(Estimator):
    """Staggered-entry event study: Callaway & Sant'Anna group-time ATTs by event time.

    Units are people adopted at least once (cohort = first managed month, the month after the
    first adoption) and people eligible at some month end but never adopted (never treated).
    Outcomes are monthly offences (``count``), summed harm (``harm``, severity x weapon uplift)
    and days at liberty (``liberty``). Controls for cohort *g* at month *t* are never-treated
    eligible people and people first adopted after ``max(t, base) + anticipation``
    (``control_group="not_yet_treated"``). With ``anticipation=12`` the base period is the
    month before the 12-month selection window (event time -13), so the selection peak is not
    used as the baseline. Event-time estimates weight cohorts by size; 95% pointwise and
    simultaneous (multiplier bootstrap) bands.

    The post-period summary averages event times 0 to ``post_months - 1``; it is expressed as
    a proportional change of the offending **rate per day at liberty** by combining the count
    and liberty ATTs with the cohorts' observed means (delta method on the influence functions):
    ``1 - (Y1 / L1) / ((Y1 - ATT_Y) / (L1 - ATT_L))``. This is an intention-to-treat effect of
    adoption (it includes months after removal).

    Summary keys: ``event_study_att_count``, ``event_study_att_harm`` (when harm is an
    outcome) and ``event_study`` (the fall in the rate per day at liberty).

    Parameters
    ----------
    anticipation : int
        Months before the first managed month that may already differ (>= selection window).
    base_period : {"universal", "varying"}
    control_group : {"not_yet_treated", "never_treated"}
    window : (int, int)
        Event times kept.
    post_months : int
        Event times 0 .. post_months - 1 form the post-period summary.
    uniform_reps : int
        Multiplier-bootstrap draws for the simultaneous band (0 to skip).
    seed : int
        Seed of the multiplier bootstrap.
    outcomes : tuple of str
        Among ``count``, ``harm``, ``liberty`` (``count`` and ``liberty`` are always used).

    Attributes
    ----------
    event_ : DataFrame
        Tidy: outcome, event_time, estimate, se, ci_low, ci_high, ci_low_uniform,
        ci_high_uniform, n_cohorts, n_treated, phase (pre / anticipation / post).
    att_gt_ : DataFrame
        Group-time ATTs of the offence counts.
    overall_ : DataFrame
        Post-period averages per outcome (ATT per person-month) with intervals.
    rate_effect_ : dict
        estimate, ci_low, ci_high of the proportional change in the rate per day at liberty.
    """

    def __init__(self, anticipation: int = 12, base_period: str = "universal",
                 control_group: str = "not_yet_treated", window=(-36, 24),
                 post_months: int = 12, uniform_reps: int = 999, seed: int = 12345,
                 outcomes=("count", "harm", "liberty")):
        if anticipation < 12:
            warnings.warn("anticipation < 12: the selection window is then used as baseline",
                          stacklevel=2)
        self.anticipation = anticipation
        self.base_period = base_period
        self.control_group = control_group
        self.window = tuple(window)
        self.post_months = post_months
        self.uniform_reps = uniform_reps
        self.seed = seed
        self.outcomes = tuple(dict.fromkeys(("count", *outcomes, "liberty")))

    def fit(self, dataset, config: Config | None = None, *, as_of=None,
            panel: Panel | None = None) -> EventStudy:
        """Estimate the group-time ATTs and aggregate them by event time.

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
        EventStudy
            ``self``, fitted.
        """
        _, P = self._setup(dataset, config, as_of, panel)
        treated = P.first_adopted >= 0
        never = ~treated & (P.first_eligible >= 0)
        units = np.flatnonzero(treated | never)
        G = np.where(treated[units], P.first_adopted[units] + 1, -1).astype(float)
        G[G >= P.n_months] = -1  # adopted in the last month: no managed month observed
        self.n_treated_ = int((G >= 0).sum())
        self.n_control_ = int(never[units].sum())
        arrays = {"count": P.count, "harm": P.harm, "liberty": P.liberty}
        Ys = {k: arrays[k][units].astype(float) for k in self.outcomes}
        frames, psis, levels = self._by_event_time(Ys, G)
        base_e = -self.anticipation - 1
        self.event_ = self._event_frame(frames, list(Ys), base_e)
        n = len(units)
        self.overall_ = self._overall(psis, n)
        self.rate_effect_ = self._rate_effect(psis, levels, n)
        fy = psis["count"][0]
        pre = fy[(fy["event_time"] < base_e)]
        self.pretrend_ = {"mean_pre_att": float(pre["estimate"].mean()) if len(pre) else np.nan,
                          "share_pre_excluding_zero": float(((pre["ci_low"] > 0)
                                                             | (pre["ci_high"] < 0)).mean())
                          if len(pre) else np.nan}
        self._rows = self._summary_rows(n)
        return self

    def _by_event_time(self, Ys: dict, G: np.ndarray):
        """ATT(g, t) of each outcome aggregated by event time, and the treated means' levels."""
        kw = {"anticipation": self.anticipation, "base_period": self.base_period,
              "control_group": self.control_group, "event_window": self.window}
        frames, psis, levels = [], {}, {}
        for name, Y in Ys.items():
            tab, psi = att_gt(Y, G, **kw)
            if name == "count":
                self.att_gt_ = tab
            fr, pe = aggregate_event(tab, psi, G, uniform_reps=self.uniform_reps,
                                     seed=self.seed)
            fr.insert(0, "outcome", name)
            frames.append(fr)
            psis[name] = (fr, pe)
            if name in ("count", "liberty"):
                tl, pl = att_gt(Y, G, estimand="treated_mean", **kw)
                levels[name] = aggregate_event(tl, pl, G)
        return frames, psis, levels

    @staticmethod
    def _event_frame(frames: list, outcomes: list, base_e: int) -> pd.DataFrame:
        """The tidy event-time table with the base period's reference row and the phases."""
        ev = pd.concat(frames, ignore_index=True)
        # reference row (base period) for plotting
        ref = pd.DataFrame({"outcome": outcomes, "event_time": base_e, "estimate": 0.0,
                            "se": 0.0, "ci_low": 0.0, "ci_high": 0.0})
        ev = pd.concat([ev, ref], ignore_index=True).sort_values(["outcome", "event_time"],
                                                                   ignore_index=True)
        ev["phase"] = np.select([ev["event_time"] >= 0, ev["event_time"] > base_e],
                                ["post", "anticipation"], "pre")
        return ev

    def _overall(self, psis: dict, n: int) -> pd.DataFrame:
        """Post-period average ATT of each outcome with its interval."""
        post = list(range(self.post_months))
        overall = []
        for name, (fr, pe) in psis.items():
            sel = fr["event_time"].isin(post).to_numpy()
            est = float(fr.loc[sel, "estimate"].mean())
            psi = pe[:, sel].mean(axis=1)
            se = float(np.sqrt(np.sum(psi ** 2)) / n)
            overall.append({"outcome": name, "estimate": est, "se": se,
                            "ci_low": est - Z95 * se, "ci_high": est + Z95 * se})
        return pd.DataFrame(overall)

    def _rate_effect(self, psis: dict, levels: dict, n: int) -> dict:
        """``1 - (Y1/L1) / ((Y1 - aY)/(L1 - aL))``, delta method on the influence functions."""
        post = list(range(self.post_months))
        fy, py = psis["count"]
        fl, pl = psis["liberty"]
        ly, ply = levels["count"]
        ll, pll = levels["liberty"]
        sel = fy["event_time"].isin(post).to_numpy()
        sl = ly["event_time"].isin(post).to_numpy()
        aY, aL = fy.loc[sel, "estimate"].mean(), fl.loc[sel, "estimate"].mean()
        Y1, L1 = ly.loc[sl, "estimate"].mean(), ll.loc[sl, "estimate"].mean()
        iaY, iaL = py[:, sel].mean(axis=1), pl[:, sel].mean(axis=1)
        iY1, iL1 = ply[:, sl].mean(axis=1), pll[:, sl].mean(axis=1)
        Y0, L0 = Y1 - aY, L1 - aL
        ratio = (Y1 / L1) / (Y0 / L0)
        ipsi = ratio * (iY1 / Y1 - iL1 / L1 - (iY1 - iaY) / Y0 + (iL1 - iaL) / L0)
        se = float(np.sqrt(np.sum(ipsi ** 2)) / n)
        return {"estimate": float(1 - ratio), "ci_low": float(1 - ratio - Z95 * se),
                "ci_high": float(1 - ratio + Z95 * se), "se": se}

    def _summary_rows(self, n: int) -> list[dict]:
        cnt = self.overall_.set_index("outcome")
        c = cnt.loc["count"]
        groups = {"n": n, "n_treated": self.n_treated_, "n_control": self.n_control_}
        meth = (f"Callaway & Sant'Anna, {self.control_group.replace('_', '-')} + never-treated "
                f"eligible controls, anticipation {self.anticipation}, {self.base_period} base")
        sc_att = f"offences per person-month, event months 0-{self.post_months - 1}"
        rows = [summary_row("event_study_att_count",
                            "event study: ATT on monthly offences (post average)",
                            c["estimate"], c["ci_low"], c["ci_high"], **groups, scale=sc_att,
                            method=meth)]
        if "harm" in cnt.index:
            h = cnt.loc["harm"]
            rows.append(summary_row("event_study_att_harm",
                                    "event study: ATT on monthly harm (post average)",
                                    h["estimate"], h["ci_low"], h["ci_high"], **groups,
                                    scale="harm per person-month", method=meth))
        r = self.rate_effect_
        rows.append(summary_row("event_study",
                                "event study: fall in offending rate per day at liberty",
                                r["estimate"], r["ci_low"], r["ci_high"], **groups,
                                scale="proportional, rate (intention to treat, "
                                      f"event months 0-{self.post_months - 1})",
                                method=meth + "; delta method"))
        return rows
