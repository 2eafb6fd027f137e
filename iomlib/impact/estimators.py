"""Honest impact estimates beside the naive figures (issue 4).

The quantity of interest (the *estimand*) is the **proportional reduction in the offending rate
per day at liberty while a person is managed**: ``1 - rate(managed) / rate(same person, same
time, not managed)``. The synthetic force plants exactly this (``SynthParams.true_effect``).

People are adopted at a peak of their offending, by a ranking on the selection matrix with a
fixed team capacity, so the naive before/after falls are mostly regression to the mean and
custody. Five estimators sit beside the naive figure; each is an object whose ``fit(dataset,
...)`` returns ``self``, puts results in attributes ending ``_`` and offers a tidy ``summary``
(``measure, estimate, ci_low, ci_high, n, n_treated, n_control, scale, method``):

:class:`EligibleBenchmark`
    The selection matrix applied to everyone at every month end; people eligible but never
    adopted get a pseudo-entry date (first month end eligible) and the *identical* naive
    metrics; naive minus benchmark with a bootstrap interval over people.
:class:`EventStudy`
    Callaway & Sant'Anna group-time ATTs on monthly offences, harm and days at liberty
    (:mod:`iomlib.impact.cs`), cohorts = first managed month, not-yet-treated and never-treated
    eligible people as controls, anticipation 12 months (the selection window), aggregated by
    event time; :func:`plot_event_study` draws them.
:class:`CountModels`
    Poisson, negative binomial (alpha estimated) and GEE on monthly *risk sets* (everyone the
    panel could have adopted at a month end, :func:`iomlib.impact.panel.risk_sets`): 12-month
    offence counts, days at liberty as exposure, person-clustered errors, pre-entry history as
    covariates; intention-to-treat rate ratios of adoption.
:class:`StructuralRate` (the **main estimate**)
    The same risk sets and Poisson model, solved for the managed-rate effect by g-estimation:
    the effect ``e`` is the value at which, once every offence committed while managed is
    counted ``1 / (1 - e)`` times (the offending that management prevented), adopted people
    and not-adopted people with the same history have the same follow-up offending rate.
    Interval by test inversion (person-clustered Wald test). Chosen by the coverage study
    (``docs/impact_coverage.md``): small bias and near-nominal coverage at planted effects
    0, 0.2 and 0.4, where every other design fails.
:class:`JusticeDataLab`
    The MoJ Justice Data Lab standard: adopted nominals against a propensity-matched
    comparison group of eligible never-adopted people; one-year reoffending rate, frequency per
    100, time to first reoffence (Kaplan-Meier, Cox); attrition and balance tables; JDL wording.

:func:`impact_headline` gives the main estimate for ``metrics.json``; ``iom impact`` prints it.
"""
from __future__ import annotations

import json
import sys
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from iomlib.config.settings import Config, default_config, load_config
from iomlib.errors import IomError
from iomlib.impact.cs import aggregate_event, att_gt
from iomlib.impact.models import Z95, g_estimate, newcombe_difference, smd, wilson
from iomlib.impact.panel import Panel, build_panel, history_design, risk_sets

ESTIMAND = ("proportional reduction in the offending rate per day at liberty while managed "
            "(1 - managed rate / counterfactual rate)")
SUMMARY_COLUMNS = ["measure", "estimate", "ci_low", "ci_high", "n", "n_treated", "n_control",
                   "scale", "method"]
MAIN_METHOD = ("g-estimation of the managed-rate effect on monthly risk sets (Poisson, days at "
               "liberty exposure, person-clustered test inversion)")

__all__ = [
    "ESTIMAND",
    "CountModels",
    "EligibleBenchmark",
    "EventStudy",
    "JusticeDataLab",
    "StructuralRate",
    "add_impact_arguments",
    "impact_headline",
    "impact_table",
    "jdl_wording",
    "main_impact",
    "plot_event_study",
    "plot_survival",
    "prepare",
]


# ----------------------------------------------------------------------------- shared helpers

_PANELS: dict = {}


def prepare(dataset, config: Config | None = None, as_of=None) -> Panel:
    """The person-by-month :class:`~iomlib.impact.panel.Panel` of ``dataset`` (cached).

    The cache holds the most recent few panels, keyed on the dataset object, the configuration
    object and the as-of date, so that several estimators fitted on the same data share one.
    """
    cfg = config or default_config()
    t = pd.Timestamp(as_of) if as_of is not None else cfg.as_of
    key = (id(dataset), id(cfg), t)
    hit = _PANELS.get(key)
    if hit is not None and hit[0] is dataset:
        return hit[1]
    panel = build_panel(dataset, t, cfg)
    if len(_PANELS) >= 4:
        _PANELS.pop(next(iter(_PANELS)))
    _PANELS[key] = (dataset, panel)
    return panel


def _row(measure, estimate, ci_low, ci_high, *, n=None, n_treated=None, n_control=None,
         scale, method) -> dict:
    return {"measure": measure, "estimate": _f(estimate), "ci_low": _f(ci_low),
            "ci_high": _f(ci_high), "n": n, "n_treated": n_treated, "n_control": n_control,
            "scale": scale, "method": method}


def _f(x):
    return None if x is None else float(x)


class _Estimator:
    """Common behaviour: ``summary`` (tidy table) after ``fit``."""

    _rows: list

    @property
    def summary(self) -> pd.DataFrame:
        """Tidy table: one row per measure (see ``SUMMARY_COLUMNS``)."""
        if not hasattr(self, "_rows"):
            raise IomError(f"{type(self).__name__}: call fit(dataset) first")
        return pd.DataFrame(self._rows, columns=SUMMARY_COLUMNS)

    def _setup(self, dataset, config, as_of, panel):
        cfg = config or default_config()
        p = panel if panel is not None else prepare(dataset, cfg, as_of)
        self.as_of_ = p.as_of
        return cfg, p


def _window_sum(A: np.ndarray, rows: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Sum of ``A[row, lo..hi]`` (inclusive, clipped to the panel) for each row."""
    c = np.concatenate([np.zeros((A.shape[0], 1)), np.cumsum(A, axis=1, dtype=float)], axis=1)
    M = A.shape[1]
    a = np.clip(lo, 0, M)
    b = np.clip(hi + 1, 0, M)
    return np.where(b > a, c[rows, b] - c[rows, a], 0.0)


# ----------------------------------------------------------------------------- 1. benchmark

class EligibleBenchmark(_Estimator):
    """Eligible-but-not-selected benchmark for the naive headline metrics.

    The selection matrix (version in force on each date) is evaluated for everyone at every
    month end; a person who crosses the threshold at least once but is never adopted (by the
    as-of date) gets a *pseudo-entry* at the first month end they were eligible. The naive
    metrics are then computed identically for adopted episodes and for pseudo-entries:

    - **mean % risk reduction after 12 months**: per entry ``(risk at entry - risk 12 months
      later) / risk at entry`` (:func:`iomlib.risk.score`), mean over entries with non-zero
      risk at entry, for entries at least 12 months before the as-of date (as
      :func:`iomlib.measures.reduction.month12_reduction`; for adopted episodes both the headline
      definition - episodes still on the scheme at 12 months - and all episodes);
    - **fall in the offending rate**: offences per day at liberty in the 12 months after entry
      against the 12 months up to entry (pooled rates), ``1 - after / before``.

    The benchmark's value is what selection at a peak produces with no programme;
    naive minus benchmark is a difference-in-differences estimate (percentile bootstrap over
    people, resampled within each group).

    Parameters
    ----------
    months : int
        Landmark (12).
    reps : int
        Bootstrap replicates.
    seed : int
        Bootstrap seed.

    Attributes
    ----------
    entries_ : DataFrame
        One row per entry: ``group`` (``adopted``/``benchmark``), person_id, entry date,
        ``reached`` (adopted: still on the scheme at 12 months), risk at entry and at 12 months,
        ``reduction_pct``, offences and days at liberty before and after.
    naive_, naive_all_, benchmark_ : float
        Mean % risk reduction: adopted (headline definition), adopted (all episodes),
        pseudo-entrants.
    gap_, gap_ci_ : float, tuple
        ``naive_all_ - benchmark_`` (percentage points) and its bootstrap interval.
    rate_naive_, rate_benchmark_, rate_gap_, rate_gap_ci_ : float, float, float, tuple
        Falls in the offending rate and the ratio-of-ratios estimate ``1 - RR_adopted /
        RR_benchmark``.
    """

    def __init__(self, months: int = 12, reps: int = 999, seed: int = 12345):
        self.months = months
        self.reps = reps
        self.seed = seed

    def fit(self, dataset, config: Config | None = None, *, as_of=None,
            panel: Panel | None = None) -> EligibleBenchmark:
        """Compute the naive metrics for adopted episodes and pseudo-entrants."""
        from iomlib.measures.reduction import month12_episodes
        from iomlib.risk.engine import score
        cfg, P = self._setup(dataset, config, as_of, panel)
        t = P.as_of
        k = self.months
        ep = month12_episodes(dataset, t, cfg, months=k)
        first_eval = P.month_ends[P.eval_start] if P.eval_start < P.n_months else t
        ep = ep[ep["adopted_on"] >= first_eval - pd.offsets.MonthEnd(1)]
        adopted = pd.DataFrame({
            "group": "adopted", "person_id": ep["person_id"].astype(str).to_numpy(),
            "entry": ep["adopted_on"].to_numpy(), "reached": ep["reached"].to_numpy(),
            "risk_entry": ep["risk_at_adoption"].to_numpy(),
            "risk_12": ep["risk_at_month"].to_numpy()})
        never = (P.first_adopted < 0) & (P.first_eligible >= 0)
        rows = np.flatnonzero(never)
        fe = P.first_eligible[rows]
        entry = P.month_ends[fe]
        ok = (entry + pd.DateOffset(months=k)) <= t
        rows, fe, entry = rows[ok], fe[ok], entry[ok]
        pairs = pd.DataFrame({"person_id": P.person_ids[rows], "date": entry})
        r0 = score(dataset, pairs, cfg)["score"].to_numpy()
        pairs12 = pairs.assign(date=entry + pd.DateOffset(months=k))
        r1 = score(dataset, pairs12, cfg)["score"].to_numpy()
        bench = pd.DataFrame({"group": "benchmark", "person_id": P.person_ids[rows],
                              "entry": entry, "reached": True, "risk_entry": r0, "risk_12": r1})
        ent = pd.concat([adopted, bench], ignore_index=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            ent["reduction_pct"] = np.where(ent["risk_entry"] > 0,
                                            (ent["risk_entry"] - ent["risk_12"])
                                            / ent["risk_entry"] * 100, np.nan)
        # offences and liberty in the 12 months up to entry and after (panel months)
        prow = pd.Index(P.person_ids).get_indexer(ent["person_id"])
        em = np.searchsorted(P.month_ends.values, pd.to_datetime(ent["entry"]).values)
        ent["offences_before"] = _window_sum(P.count, prow, em - k + 1, em)
        ent["liberty_before"] = _window_sum(P.liberty, prow, em - k + 1, em)
        ent["offences_after"] = _window_sum(P.count, prow, em + 1, em + k)
        ent["liberty_after"] = _window_sum(P.liberty, prow, em + 1, em + k)
        self.entries_ = ent

        a = ent[ent["group"] == "adopted"]
        b = ent[ent["group"] == "benchmark"]
        self.naive_ = float(a.loc[a["reached"], "reduction_pct"].mean())
        self.naive_all_ = float(a["reduction_pct"].mean())
        self.benchmark_ = float(b["reduction_pct"].mean())
        self.gap_ = self.naive_all_ - self.benchmark_

        def rate_ratio(df):
            return ((df["offences_after"].sum() / df["liberty_after"].sum())
                    / (df["offences_before"].sum() / df["liberty_before"].sum()))
        self.rate_naive_ = float(1 - rate_ratio(a))
        self.rate_benchmark_ = float(1 - rate_ratio(b))
        self.rate_gap_ = float(1 - rate_ratio(a) / rate_ratio(b))
        boot = self._bootstrap(a, b)
        self.gap_ci_ = tuple(np.nanquantile(boot[:, 0], [0.025, 0.975]))
        self.rate_gap_ci_ = tuple(np.nanquantile(boot[:, 1], [0.025, 0.975]))
        naive_ci = tuple(np.nanquantile(boot[:, 2], [0.025, 0.975]))
        bench_ci = tuple(np.nanquantile(boot[:, 3], [0.025, 0.975]))
        rn_ci = tuple(np.nanquantile(boot[:, 4], [0.025, 0.975]))
        na, nb = a["person_id"].nunique(), b["person_id"].nunique()
        head = a.loc[a["reached"], "reduction_pct"].dropna().to_numpy()
        from iomlib.measures.stats import t_interval
        hlo, hhi = t_interval(head)
        sc = "mean % fall in risk score, 12 months after entry"
        rs = "fall in offences per day at liberty, 12 months after vs 12 months up to entry"
        self._rows = [
            _row("naive: mean % risk reduction after 12 months (headline definition)",
                 self.naive_, hlo, hhi, n=len(head), n_treated=len(head), scale=sc,
                 method="episodes on the scheme at 12 months (t interval)"),
            _row("naive: mean % risk reduction after 12 months (all episodes)",
                 self.naive_all_, *naive_ci, n=int(a["reduction_pct"].notna().sum()),
                 n_treated=na, scale=sc, method="episodes adopted >= 12 months before as-of"),
            _row("benchmark: eligible never adopted, pseudo-entry", self.benchmark_, *bench_ci,
                 n=int(b["reduction_pct"].notna().sum()), n_control=nb, scale=sc,
                 method="pseudo-entry at first month end eligible"),
            _row("naive minus benchmark (risk reduction, percentage points)", self.gap_,
                 *self.gap_ci_, n=len(ent), n_treated=na, n_control=nb, scale=sc,
                 method=f"difference of means; percentile bootstrap over people "
                        f"({self.reps} reps)"),
            _row("naive: fall in offending rate after adoption", self.rate_naive_, *rn_ci,
                 n=len(a), n_treated=na, scale=rs, method="pooled rates, bootstrap over people"),
            _row("benchmark: fall in offending rate after pseudo-entry", self.rate_benchmark_,
                 None, None, n=len(b), n_control=nb, scale=rs, method="pooled rates"),
            _row("benchmark-adjusted fall in offending rate", self.rate_gap_, *self.rate_gap_ci_,
                 n=len(ent), n_treated=na, n_control=nb, scale="proportional, rate (intention "
                 "to treat, 12 months after entry)", method="1 - ratio of rate ratios; "
                 "bootstrap over people"),
        ]
        return self

    def _bootstrap(self, a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
        rng = np.random.default_rng(self.seed)

        def per_person(df):
            ok = df["reduction_pct"].notna()
            g = df.assign(v=df["reduction_pct"].fillna(0.0), nv=ok.astype(float))
            s = g.groupby("person_id")[["v", "nv", "offences_before", "liberty_before",
                                        "offences_after", "liberty_after"]].sum()
            return s.to_numpy(float)
        A, B = per_person(a), per_person(b)
        out = np.full((self.reps, 5), np.nan)
        for r in range(self.reps):
            sa = A[rng.integers(0, len(A), len(A))].sum(axis=0)
            sb = B[rng.integers(0, len(B), len(B))].sum(axis=0)
            ma, mb = sa[0] / sa[1], sb[0] / sb[1]
            rra = (sa[4] / sa[5]) / (sa[2] / sa[3])
            rrb = (sb[4] / sb[5]) / (sb[2] / sb[3])
            out[r] = (ma - mb, 1 - rra / rrb, ma, mb, 1 - rra)
        return out


# ----------------------------------------------------------------------------- 2. event study

class EventStudy(_Estimator):
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
        """Estimate the group-time ATTs and aggregate them by event time."""
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
        ev = pd.concat(frames, ignore_index=True)
        # reference row (base period) for plotting
        base_e = -self.anticipation - 1
        ref = pd.DataFrame({"outcome": list(Ys), "event_time": base_e, "estimate": 0.0,
                            "se": 0.0, "ci_low": 0.0, "ci_high": 0.0})
        ev = pd.concat([ev, ref], ignore_index=True).sort_values(["outcome", "event_time"],
                                                                   ignore_index=True)
        ev["phase"] = np.select([ev["event_time"] >= 0, ev["event_time"] > base_e],
                                ["post", "anticipation"], "pre")
        self.event_ = ev
        post = list(range(self.post_months))
        n = len(units)
        overall = []
        for name, (fr, pe) in psis.items():
            sel = fr["event_time"].isin(post).to_numpy()
            est = float(fr.loc[sel, "estimate"].mean())
            psi = pe[:, sel].mean(axis=1)
            se = float(np.sqrt(np.sum(psi ** 2)) / n)
            overall.append({"outcome": name, "estimate": est, "se": se,
                            "ci_low": est - Z95 * se, "ci_high": est + Z95 * se})
        self.overall_ = pd.DataFrame(overall)
        # rate scale: 1 - (Y1/L1) / ((Y1 - aY)/(L1 - aL)), delta method on influence functions
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
        self.rate_effect_ = {"estimate": float(1 - ratio), "ci_low": float(1 - ratio - Z95 * se),
                             "ci_high": float(1 - ratio + Z95 * se), "se": se}
        cnt = self.overall_.set_index("outcome")
        c = cnt.loc["count"]
        pre = fy[(fy["event_time"] < base_e)]
        self.pretrend_ = {"mean_pre_att": float(pre["estimate"].mean()) if len(pre) else np.nan,
                          "share_pre_excluding_zero": float(((pre["ci_low"] > 0)
                                                             | (pre["ci_high"] < 0)).mean())
                          if len(pre) else np.nan}
        meth = (f"Callaway & Sant'Anna, {self.control_group.replace('_', '-')} + never-treated "
                f"eligible controls, anticipation {self.anticipation}, {self.base_period} base")
        sc_att = f"offences per person-month, event months 0-{self.post_months - 1}"
        self._rows = [
            _row("event study: ATT on monthly offences (post average)", c["estimate"],
                 c["ci_low"], c["ci_high"], n=n, n_treated=self.n_treated_,
                 n_control=self.n_control_, scale=sc_att, method=meth)]
        if "harm" in cnt.index:
            self._rows.append(_row(
                "event study: ATT on monthly harm (post average)",
                cnt.loc["harm", "estimate"], cnt.loc["harm", "ci_low"],
                cnt.loc["harm", "ci_high"], n=n, n_treated=self.n_treated_,
                n_control=self.n_control_, scale="harm per person-month", method=meth))
        self._rows += [
            _row("event study: fall in offending rate per day at liberty",
                 self.rate_effect_["estimate"], self.rate_effect_["ci_low"],
                 self.rate_effect_["ci_high"], n=n, n_treated=self.n_treated_,
                 n_control=self.n_control_, scale="proportional, rate (intention to treat, "
                 f"event months 0-{self.post_months - 1})", method=meth + "; delta method"),
        ]
        return self


def plot_event_study(frame: pd.DataFrame, ax=None, *, outcome: str | None = "count",
                     band: str = "pointwise", anticipation: int | None = None,
                     title: str | None = None):
    """Event-study plot: estimates by event time with a 95% band.

    Parameters
    ----------
    frame : DataFrame
        Tidy: ``event_time``, ``estimate``, ``ci_low``, ``ci_high`` (and optionally
        ``outcome``, ``ci_low_uniform``, ``ci_high_uniform``), e.g. ``EventStudy().event_``.
    ax : matplotlib Axes, optional
        Drawn on a new figure if omitted.
    outcome : str or None
        Rows of this ``outcome`` (ignored when the frame has no ``outcome`` column).
    band : {"pointwise", "uniform"}
        Which 95% band to shade (uniform needs the ``*_uniform`` columns).
    anticipation : int, optional
        Shade event times ``-anticipation .. -1`` (the selection window).
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    df = frame
    if outcome is not None and "outcome" in df.columns:
        df = df[df["outcome"] == outcome]
    df = df.sort_values("event_time")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    lo, hi = ("ci_low_uniform", "ci_high_uniform") if band == "uniform" else ("ci_low",
                                                                                "ci_high")
    if lo not in df.columns:
        lo, hi = "ci_low", "ci_high"
    x = df["event_time"].to_numpy()
    ax.fill_between(x, df[lo].to_numpy(float), df[hi].to_numpy(float), alpha=0.25,
                    color="C0", label=f"95% {'simultaneous' if 'uniform' in lo else 'pointwise'}"
                                      " band")
    ax.plot(x, df["estimate"].to_numpy(float), "o-", ms=3, color="C0", label="estimate")
    ax.axhline(0, color="0.3", lw=0.8)
    ax.axvline(-0.5, color="0.3", lw=0.8, ls="--")
    if anticipation:
        ax.axvspan(-anticipation - 0.5, -0.5, color="0.85", alpha=0.5, zorder=0,
                   label="selection window (anticipation)")
    ax.set_xlabel("months since first managed month (0 = first month managed)")
    ax.set_ylabel("effect" if outcome is None else f"effect on {outcome} per person-month")
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize=8)
    return ax


def plot_survival(frame: pd.DataFrame, ax=None, *, title: str | None = None):
    """Kaplan-Meier curves of time to first reoffence with 95% bands (``JusticeDataLab``).

    Parameters
    ----------
    frame : DataFrame
        Tidy: ``group``, ``days``, ``survival``, ``ci_low``, ``ci_high`` (e.g.
        ``JusticeDataLab().survival_``); rows with a missing survival are skipped (suppressed).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    for k, (name, g) in enumerate(frame.groupby("group", sort=False)):
        g = g.dropna(subset=["survival"]).sort_values("days")
        ax.step(g["days"], g["survival"], where="post", color=f"C{k}", label=name)
        ax.fill_between(g["days"], g["ci_low"].astype(float), g["ci_high"].astype(float),
                        step="post", alpha=0.2, color=f"C{k}")
    ax.set_xlabel("days since the index date")
    ax.set_ylabel("share not yet reoffended")
    ax.set_ylim(0, 1)
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize=8)
    return ax


# ----------------------------------------------------------------------------- 3. count models

def _risk_set_data(P: Panel, follow_up: int):
    rs = risk_sets(P, follow_up=follow_up)
    rs = rs[rs["liberty"] > 0].reset_index(drop=True)
    if rs["adopted"].sum() == 0 or (rs["adopted"] == 0).sum() == 0:
        raise IomError("impact: the risk sets need both adopted and not-adopted people")
    X = history_design(rs)
    X.insert(1, "adopted", rs["adopted"].astype(float))
    return rs, X


class CountModels(_Estimator):
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
    during it), so ``1 - RR`` understates the managed-rate effect; :class:`StructuralRate`
    corrects for this.

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
        """Fit the Poisson, negative binomial and GEE models."""
        import statsmodels.api as sm
        _, P = self._setup(dataset, config, as_of, panel)
        rs, X = _risk_set_data(P, self.follow_up)
        self.risk_sets_ = rs
        y = rs["y"].to_numpy(float)
        lib = rs["liberty"].to_numpy(float)
        grp = rs["row"].to_numpy()
        res, out = {}, []
        nT = int(rs.loc[rs["adopted"] == 1, "row"].nunique())
        nC = int(rs.loc[rs["adopted"] == 0, "row"].nunique())
        j = list(X.columns).index("adopted")

        def add(name, r, b, se, alpha=None):
            out.append({"model": name, "rate_ratio": np.exp(b), "ci_low": np.exp(b - Z95 * se),
                        "ci_high": np.exp(b + Z95 * se), "alpha": alpha, "n_rows": len(rs),
                        "n_treated": nT, "n_control": nC})
            res[name] = r
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = sm.GLM(y, X, family=sm.families.Poisson(), exposure=lib).fit(
                cov_type="cluster", cov_kwds={"groups": grp})
            add("poisson", r, r.params["adopted"], r.bse["adopted"])
            if self.nb:
                nbm = sm.NegativeBinomial(y, X, exposure=lib, loglike_method="nb2")
                start = np.append(r.params.to_numpy(), 0.5)
                rn = nbm.fit(start_params=start, cov_type="cluster",
                             cov_kwds={"groups": grp}, disp=0, maxiter=300, method="bfgs")
                add("negative binomial", rn, rn.params.iloc[j], rn.bse.iloc[j],
                    alpha=float(rn.params.iloc[-1]))
            if self.gee:
                order = np.argsort(grp, kind="stable")
                rg = sm.GEE(y[order], X.iloc[order], groups=grp[order],
                            family=sm.families.Poisson(),
                            cov_struct=sm.cov_struct.Exchangeable(),
                            exposure=lib[order]).fit()
                add("GEE (exchangeable)", rg, rg.params["adopted"], rg.bse["adopted"])
        self.results_ = res
        self.rate_ratios_ = pd.DataFrame(out)
        self._rows = [
            _row(f"count model ({o['model']}): 1 - rate ratio of adoption", 1 - o["rate_ratio"],
                 1 - o["ci_high"], 1 - o["ci_low"], n=o["n_rows"], n_treated=nT, n_control=nC,
                 scale=f"proportional, rate (intention to treat, {self.follow_up} months after "
                       "the month end)",
                 method=f"{o['model']}, days at liberty exposure, pre-entry history covariates, "
                        "person-clustered" + (f"; alpha = {o['alpha']:.2f}"
                                              if o["alpha"] is not None else ""))
            for o in out]
        return self


# ----------------------------------------------------------------------------- 4. main

class StructuralRate(_Estimator):
    """Main estimate: the managed-rate effect by g-estimation on monthly risk sets.

    Model (a structural nested rate model): while managed, a person's offending rate per day at
    liberty is ``(1 - e)`` times what it would have been. So ``Y(e) = Y_unmanaged + Y_managed /
    (1 - e)`` - offences on unmanaged days plus offences on managed days scaled up - has, at
    the true ``e``, the expectation of offending without the scheme. Adoption at a month end
    depends on the observed history (the selection matrix ranking, capacity and chance), so
    among people in the same risk set with the same history, ``Y(e)`` should not depend on
    whether they were adopted. The estimate solves ``coef_adopted(e) = 0`` in the Poisson
    regression of :class:`CountModels` with ``Y(e)`` as outcome; the 95% interval collects the
    ``e`` not rejected by the person-clustered Wald test (test inversion).

    Parameters
    ----------
    follow_up : int
        Months of follow-up after each month end.

    Attributes
    ----------
    estimate_, ci_low_, ci_high_ : float
    n_treated_, n_control_ : int
        Distinct people adopted in a risk set / in a risk set and not adopted that month.
    n_rows_ : int
    itt_rate_ratio_ : float
        ``exp(coef_adopted(0))`` - the intention-to-treat rate ratio (as :class:`CountModels`).
    curve_ : DataFrame
        ``e`` against the adopted coefficient (``coef``) and its z statistic (diagnostic).
    managed_share_ : dict
        Share of follow-up days at liberty that were managed, adopted and not adopted.
    """

    def __init__(self, follow_up: int = 12):
        self.follow_up = follow_up

    def fit(self, dataset, config: Config | None = None, *, as_of=None,
            panel: Panel | None = None) -> StructuralRate:
        """Solve for the effect and its interval."""
        _, P = self._setup(dataset, config, as_of, panel)
        rs, X = _risk_set_data(P, self.follow_up)
        self.risk_sets_ = rs
        g = g_estimate((rs["y"] - rs["y_managed"]).to_numpy(float),
                       rs["y_managed"].to_numpy(float), X.to_numpy(float),
                       rs["liberty"].to_numpy(float), rs["row"].to_numpy(),
                       names=list(X.columns), treat="adopted")
        self.estimate_, self.ci_low_, self.ci_high_ = g["estimate"], g["ci_low"], g["ci_high"]
        self.itt_rate_ratio_ = float(np.exp(g["itt_coef"]))
        self.curve_ = g["curve"]
        self.n_rows_ = len(rs)
        self.n_treated_ = int(rs.loc[rs["adopted"] == 1, "row"].nunique())
        self.n_control_ = int(rs.loc[rs["adopted"] == 0, "row"].nunique())
        self.managed_share_ = {
            "adopted": float(rs.loc[rs["adopted"] == 1, "managed_liberty"].sum()
                             / rs.loc[rs["adopted"] == 1, "liberty"].sum()),
            "not_adopted": float(rs.loc[rs["adopted"] == 0, "managed_liberty"].sum()
                                 / rs.loc[rs["adopted"] == 0, "liberty"].sum())}
        self._rows = [_row("main: reduction in offending rate while managed", self.estimate_,
                           self.ci_low_, self.ci_high_, n=self.n_rows_,
                           n_treated=self.n_treated_, n_control=self.n_control_,
                           scale="proportional, rate per day at liberty while managed",
                           method=MAIN_METHOD)]
        return self

    def headline(self) -> dict:
        """``{"estimate", "ci_low", "ci_high", "method", "n_treated", "n_control"}``."""
        def r(x):  # JSON has no infinity: an unbounded interval end is null
            return round(float(x), 4) if np.isfinite(x) else None
        return {"estimate": r(self.estimate_), "ci_low": r(self.ci_low_),
                "ci_high": r(self.ci_high_), "method": MAIN_METHOD,
                "n_treated": self.n_treated_, "n_control": self.n_control_}


# ----------------------------------------------------------------------------- 5. JDL

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
    """
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo <= 0 <= hi:
        return JDL_INCONCLUSIVE.format(measure=measure)
    a, b = sorted([abs(lo) * scale, abs(hi) * scale])
    fewer = hi < 0
    return JDL_SIGNIFICANT.format(direction="reduction" if fewer else "increase",
                                  measure=measure, lo=f"{a:.0f}", hi=f"{b:.0f}", unit=unit,
                                  fewer_more="fewer" if fewer else "more")


class JusticeDataLab(_Estimator):
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
        """Build the groups, match, and compute the JDL measures."""
        import statsmodels.api as sm
        _, P = self._setup(dataset, config, as_of, panel)
        t = P.as_of
        treated = P.first_adopted >= 0
        pool = ~treated & (P.first_eligible >= 0)
        tr_rows = np.flatnonzero(treated)
        po_rows = np.flatnonzero(pool)
        idx_m = np.concatenate([P.first_adopted[tr_rows], P.first_eligible[po_rows]])
        rows = np.concatenate([tr_rows, po_rows])
        grp = np.concatenate([np.ones(len(tr_rows), int), np.zeros(len(po_rows), int)])
        ep = dataset.episodes
        first_date = ep.sort_values("adopted_on").drop_duplicates("person_id").set_index(
            ep.sort_values("adopted_on").drop_duplicates("person_id")["person_id"].astype(str)
        )["adopted_on"]
        index_date = np.where(grp == 1,
                              first_date.reindex(P.person_ids[rows]).to_numpy(),
                              P.month_ends[idx_m].to_numpy())
        df = pd.DataFrame({"row": rows, "person_id": P.person_ids[rows], "adopted": grp,
                           "m": idx_m, "index_date": pd.to_datetime(index_date)})
        stage = [("submitted (first adoptions) / eligible never adopted",
                  int(grp.sum()), int((grp == 0).sum()))]
        complete = (df["index_date"] + pd.Timedelta(days=self.follow_days + self.waiting_days)
                    <= t)
        history = df["m"] >= 11 + self.history_months
        df = df[complete & history].reset_index(drop=True)
        stage.append(("with complete follow-up, waiting period and history",
                      int(df["adopted"].sum()), int((df["adopted"] == 0).sum())))
        r, m = df["row"].to_numpy(), df["m"].to_numpy()
        df["offences_12"] = _window_sum(P.count, r, m - 11, m)
        df["offences_13_24"] = _window_sum(P.count, r, m - 23, m - 12)
        df["harm_12"] = _window_sum(P.harm, r, m - 11, m)
        df["points"] = P.points[r, m]
        df["age"] = P.age[r, m]
        df["male"] = P.male[r].astype(float)
        df["index_year"] = df["index_date"].dt.year
        # outcomes from the offence table (dates, not months)
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
        # propensity score
        Xc = df[list(self.COVARIATES)].copy()
        Xc["log1p_offences_12"] = np.log1p(Xc["offences_12"])
        Xc["log1p_harm_12"] = np.log1p(Xc["harm_12"])
        Xc = pd.concat([Xc, pd.get_dummies(df["index_year"], prefix="year", drop_first=True,
                                           dtype=float)], axis=1)
        Xc = Xc.loc[:, Xc.std() > 0]
        Xc = sm.add_constant(Xc, has_constant="add")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lr = sm.Logit(df["adopted"].to_numpy(float), Xc).fit(disp=0, maxiter=200,
                                                                  method="bfgs")
        ps = np.clip(lr.predict(Xc), 1e-6, 1 - 1e-6)
        df["pscore"] = ps
        df["logit"] = np.log(ps / (1 - ps))
        pair = self._match(df)
        df["pair"] = pair
        matched = df[df["pair"] >= 0].copy()
        self.pscore_model_ = lr
        stage.append((f"matched (1:1, caliper {self.caliper:.1f} SD of logit)",
                      int(matched["adopted"].sum()), int((matched["adopted"] == 0).sum())))
        stage.append(("analysed", int(matched["adopted"].sum()),
                      int((matched["adopted"] == 0).sum())))
        self.attrition_ = pd.DataFrame(stage, columns=["stage", "adopted", "comparison"])
        bal = []
        for c in self.COVARIATES:
            bal.append({"covariate": c,
                        "smd_before": smd(df.loc[df["adopted"] == 1, c],
                                          df.loc[df["adopted"] == 0, c]),
                        "smd_after": smd(matched.loc[matched["adopted"] == 1, c],
                                         matched.loc[matched["adopted"] == 0, c])})
        self.balance_ = pd.DataFrame(bal)
        self.matched_ = matched
        self._outcomes(matched)
        return self

    def _match(self, df: pd.DataFrame) -> np.ndarray:
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

    def _outcomes(self, mt: pd.DataFrame):
        from lifelines import CoxPHFitter, KaplanMeierFitter
        a = mt[mt["adopted"] == 1]
        c = mt[mt["adopted"] == 0]
        na, nc = len(a), len(c)
        ka, kc = int(a["reoffended"].sum()), int(c["reoffended"].sum())
        diff, dlo, dhi = newcombe_difference(ka, na, kc, nc)
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
        self.outcomes_ = pd.DataFrame([
            {"measure": "one-year proven reoffending rate", "adopted": ka / na if na else np.nan,
             "adopted_ci_low": wa[0], "adopted_ci_high": wa[1],
             "comparison": kc / nc if nc else np.nan, "comparison_ci_low": wc[0],
             "comparison_ci_high": wc[1], "difference": diff, "ci_low": dlo, "ci_high": dhi,
             "method": "Wilson intervals; Newcombe hybrid score interval for the difference"},
            {"measure": "frequency: reoffences per 100 people", "adopted": fa.mean() * 100,
             "adopted_ci_low": None, "adopted_ci_high": None, "comparison": fc.mean() * 100,
             "comparison_ci_low": None, "comparison_ci_high": None,
             "difference": (fa.mean() - fc.mean()) * 100, "ci_low": flo * 100,
             "ci_high": fhi * 100, "method": "Welch t interval"},
        ])
        kmf_rows = []
        for name, g in (("adopted", a), ("comparison", c)):
            km = KaplanMeierFitter().fit(g["days_to_first"], g["reoffended"], label=name)
            sf = km.survival_function_.join(km.confidence_interval_)
            sf.columns = ["survival", "ci_low", "ci_high"]
            sf["at_risk"] = km.event_table["at_risk"].reindex(sf.index).to_numpy()
            sf = sf.reset_index().rename(columns={"timeline": "days"})
            sf.insert(0, "group", name)
            kmf_rows.append(sf)
        self.survival_ = pd.concat(kmf_rows, ignore_index=True)
        cox = CoxPHFitter().fit(mt[["days_to_first", "reoffended", "adopted"]],
                                "days_to_first", "reoffended")
        s = cox.summary.loc["adopted"]
        self.cox_ = {"hazard_ratio": float(s["exp(coef)"]),
                     "ci_low": float(s["exp(coef) lower 95%"]),
                     "ci_high": float(s["exp(coef) upper 95%"]), "p": float(s["p"])}
        rw = jdl_wording("the one-year proven reoffending rate", diff, dlo, dhi,
                         unit="people reoffended")
        fw = jdl_wording("the frequency of reoffending", (fa.mean() - fc.mean()), flo, fhi,
                         unit="reoffences were committed")
        hw = (JDL_INCONCLUSIVE.format(measure="the time to first reoffence")
              if self.cox_["ci_low"] <= 1 <= self.cox_["ci_high"] else
              f"The hazard of a first reoffence was {self.cox_['hazard_ratio']:.2f} times that "
              f"of the comparison group (95% CI {self.cox_['ci_low']:.2f} to "
              f"{self.cox_['ci_high']:.2f}).")
        self.wording_ = {"rate": rw, "frequency": fw, "time_to_first": hw}
        meth = "JDL: propensity-matched eligible never-adopted comparison"
        self._rows = [
            _row("JDL: one-year proven reoffending rate, adopted minus comparison", diff, dlo, dhi,
                 n=na + nc, n_treated=na, n_control=nc, scale="difference of proportions",
                 method=meth + "; Newcombe interval"),
            _row("JDL: reoffences per 100 people, adopted minus comparison",
                 (fa.mean() - fc.mean()) * 100, flo * 100, fhi * 100, n=na + nc, n_treated=na,
                 n_control=nc, scale="per 100 people", method=meth + "; Welch t"),
            _row("JDL: 1 - frequency ratio", 1 - ratio, 1 - rhi, 1 - rlo, n=na + nc,
                 n_treated=na, n_control=nc,
                 scale="proportional, one-year frequency (counts, not per day at liberty)",
                 method=meth + "; delta method on log means"),
            _row("JDL: Cox hazard ratio of first reoffence", self.cox_["hazard_ratio"],
                 self.cox_["ci_low"], self.cox_["ci_high"], n=na + nc, n_treated=na,
                 n_control=nc, scale="hazard ratio", method=meth + "; lifelines CoxPHFitter"),
        ]


# ----------------------------------------------------------------------------- wrappers

@dataclass
class ImpactResults:
    """Every estimator fitted on one dataset (see :func:`impact_table`)."""

    benchmark: EligibleBenchmark
    event_study: EventStudy
    counts: CountModels
    main: StructuralRate
    jdl: JusticeDataLab

    def table(self) -> pd.DataFrame:
        """All summaries stacked, the main estimate first."""
        parts = [self.main, self.benchmark, self.event_study, self.counts, self.jdl]
        return pd.concat([p.summary for p in parts], ignore_index=True)


def impact_table(dataset, config: Config | None = None, *, as_of=None,
                 uniform_reps: int = 999, bootstrap_reps: int = 999) -> ImpactResults:
    """Fit every estimator on ``dataset`` (sharing one panel) and return them."""
    cfg = config or default_config()
    P = prepare(dataset, cfg, as_of)
    kw = {"panel": P}
    return ImpactResults(
        benchmark=EligibleBenchmark(reps=bootstrap_reps).fit(dataset, cfg, **kw),
        event_study=EventStudy(uniform_reps=uniform_reps).fit(dataset, cfg, **kw),
        counts=CountModels().fit(dataset, cfg, **kw),
        main=StructuralRate().fit(dataset, cfg, **kw),
        jdl=JusticeDataLab().fit(dataset, cfg, **kw))


def impact_headline(dataset, config: Config | None = None, *, as_of=None) -> dict:
    """The main estimate of the effect of being managed, for ``metrics.json``.

    Returns
    -------
    dict
        ``estimate``, ``ci_low``, ``ci_high`` (proportional reduction in the offending rate per
        day at liberty while managed), ``method``, ``n_treated``, ``n_control``, plus
        ``estimand`` and ``as_of``.
    """
    cfg = config or default_config()
    m = StructuralRate().fit(dataset, cfg, as_of=as_of)
    out = m.headline()
    out["estimand"] = ESTIMAND
    out["as_of"] = m.as_of_.date().isoformat()
    return out


# ----------------------------------------------------------------------------- CLI

def add_impact_arguments(parser) -> None:
    """Arguments of ``iom impact``."""
    parser.add_argument("--data", default=None,
                        help="dataset (default: embedded synthetic data)")
    parser.add_argument("--as-of", default=None, help="as-of date (default 2020-01-31)")
    parser.add_argument("--config", default=None, help="YAML configuration file")
    parser.add_argument("--json", action="store_true", help="print JSON")


def main_impact(args) -> int:
    """Run ``iom impact``: print the main estimate (JSON with ``--json``)."""
    from iomlib.data.open import open_dataset
    overrides = {"headline": {"as_of": args.as_of}} if getattr(args, "as_of", None) else None
    cfg = load_config(getattr(args, "config", None), overrides)
    ds = open_dataset(getattr(args, "data", None), config=cfg)
    m = StructuralRate().fit(ds, cfg)
    h = m.headline()
    if getattr(args, "json", False):
        print(json.dumps(h, indent=2))
    else:
        print(f"Effect of being managed on the offending rate (as of {m.as_of_.date()}):")
        def pct(x):
            return "unbounded" if x is None else f"{x:.1%}"
        print(f"  {pct(h['estimate'])} reduction (95% CI {pct(h['ci_low'])} to "
              f"{pct(h['ci_high'])})")
        print(f"  {h['n_treated']} people adopted, {h['n_control']} eligible comparison people")
        print(f"  method: {h['method']}")
    sys.stdout.flush()
    return 0
