"""The eligible-but-not-selected benchmark of the naive headline figures (EligibleBenchmark)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from iomlib.config.settings import Config
from iomlib.impact.base import Estimator, summary_row
from iomlib.impact.panel import Panel
from iomlib.impact.preparation import window_sum
from iomlib.measures.stats import t_interval

_RISK_SCALE = "mean % fall in risk score, 12 months after entry"
_RATE_SCALE = "fall in offences per day at liberty, 12 months after vs 12 months up to entry"


class EligibleBenchmark(Estimator):
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

    Summary keys: ``naive_risk_reduction``, ``naive_risk_reduction_all``,
    ``benchmark_risk_reduction``, ``benchmark_risk_gap``, ``naive_rate_fall``,
    ``benchmark_rate_fall``, ``eligible_benchmark`` (the benchmark-adjusted fall in the rate).

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
        """Compute the naive metrics for adopted episodes and pseudo-entrants.

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
        EligibleBenchmark
            ``self``, fitted.
        """
        cfg, P = self._setup(dataset, config, as_of, panel)
        ent = pd.concat([self._adopted_entries(dataset, cfg, P),
                         self._pseudo_entries(dataset, cfg, P)], ignore_index=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            ent["reduction_pct"] = np.where(ent["risk_entry"] > 0,
                                            (ent["risk_entry"] - ent["risk_12"])
                                            / ent["risk_entry"] * 100, np.nan)
        self._add_windows(ent, P)
        self.entries_ = ent
        a = ent[ent["group"] == "adopted"]
        b = ent[ent["group"] == "benchmark"]
        self._point_estimates(a, b)
        boot = self._bootstrap(a, b)
        self.gap_ci_ = tuple(np.nanquantile(boot[:, 0], [0.025, 0.975]))
        self.rate_gap_ci_ = tuple(np.nanquantile(boot[:, 1], [0.025, 0.975]))
        cis = [tuple(np.nanquantile(boot[:, j], [0.025, 0.975])) for j in (2, 3, 4)]
        self._rows = self._summary_rows(ent, a, b, *cis)
        return self

    def _adopted_entries(self, dataset, cfg: Config, P: Panel) -> pd.DataFrame:
        """Adopted episodes with their risk at adoption and 12 months later."""
        from iomlib.measures.reduction import month12_episodes
        t = P.as_of
        ep = month12_episodes(dataset, t, cfg, months=self.months)
        first_eval = P.month_ends[P.eval_start] if P.eval_start < P.n_months else t
        ep = ep[ep["adopted_on"] >= first_eval - pd.offsets.MonthEnd(1)]
        return pd.DataFrame({
            "group": "adopted", "person_id": ep["person_id"].astype(str).to_numpy(),
            "entry": ep["adopted_on"].to_numpy(), "reached": ep["reached"].to_numpy(),
            "risk_entry": ep["risk_at_adoption"].to_numpy(),
            "risk_12": ep["risk_at_month"].to_numpy()})

    def _pseudo_entries(self, dataset, cfg: Config, P: Panel) -> pd.DataFrame:
        """Eligible never-adopted people at their first month end eligible, with their risk."""
        from iomlib.risk.engine import score
        k = self.months
        never = (P.first_adopted < 0) & (P.first_eligible >= 0)
        rows = np.flatnonzero(never)
        fe = P.first_eligible[rows]
        entry = P.month_ends[fe]
        ok = (entry + pd.DateOffset(months=k)) <= P.as_of
        rows, fe, entry = rows[ok], fe[ok], entry[ok]
        pairs = pd.DataFrame({"person_id": P.person_ids[rows], "date": entry})
        r0 = score(dataset, pairs, cfg)["score"].to_numpy()
        pairs12 = pairs.assign(date=entry + pd.DateOffset(months=k))
        r1 = score(dataset, pairs12, cfg)["score"].to_numpy()
        return pd.DataFrame({"group": "benchmark", "person_id": P.person_ids[rows],
                             "entry": entry, "reached": True, "risk_entry": r0, "risk_12": r1})

    def _add_windows(self, ent: pd.DataFrame, P: Panel) -> None:
        """Offences and days at liberty in the 12 months up to entry and after (panel months)."""
        k = self.months
        prow = pd.Index(P.person_ids).get_indexer(ent["person_id"])
        em = np.searchsorted(P.month_ends.values, pd.to_datetime(ent["entry"]).values)
        ent["offences_before"] = window_sum(P.count, prow, em - k + 1, em)
        ent["liberty_before"] = window_sum(P.liberty, prow, em - k + 1, em)
        ent["offences_after"] = window_sum(P.count, prow, em + 1, em + k)
        ent["liberty_after"] = window_sum(P.liberty, prow, em + 1, em + k)

    def _point_estimates(self, a: pd.DataFrame, b: pd.DataFrame) -> None:
        """Mean risk reductions and rate falls of adopted (``a``) and pseudo-entrants (``b``)."""
        self.naive_ = float(a.loc[a["reached"], "reduction_pct"].mean())
        self.naive_all_ = float(a["reduction_pct"].mean())
        self.benchmark_ = float(b["reduction_pct"].mean())
        self.gap_ = self.naive_all_ - self.benchmark_
        self.rate_naive_ = float(1 - _rate_ratio(a))
        self.rate_benchmark_ = float(1 - _rate_ratio(b))
        self.rate_gap_ = float(1 - _rate_ratio(a) / _rate_ratio(b))

    def _summary_rows(self, ent, a, b, naive_ci, bench_ci, rn_ci) -> list[dict]:
        na, nb = a["person_id"].nunique(), b["person_id"].nunique()
        head = a.loc[a["reached"], "reduction_pct"].dropna().to_numpy()
        hlo, hhi = t_interval(head)
        sc, rs = _RISK_SCALE, _RATE_SCALE
        return [
            summary_row("naive_risk_reduction",
                        "naive: mean % risk reduction after 12 months (headline definition)",
                        self.naive_, hlo, hhi, n=len(head), n_treated=len(head), scale=sc,
                        method="episodes on the scheme at 12 months (t interval)"),
            summary_row("naive_risk_reduction_all",
                        "naive: mean % risk reduction after 12 months (all episodes)",
                        self.naive_all_, *naive_ci, n=int(a["reduction_pct"].notna().sum()),
                        n_treated=na, scale=sc,
                        method="episodes adopted >= 12 months before as-of"),
            summary_row("benchmark_risk_reduction",
                        "benchmark: eligible never adopted, pseudo-entry", self.benchmark_,
                        *bench_ci, n=int(b["reduction_pct"].notna().sum()), n_control=nb,
                        scale=sc, method="pseudo-entry at first month end eligible"),
            summary_row("benchmark_risk_gap",
                        "naive minus benchmark (risk reduction, percentage points)", self.gap_,
                        *self.gap_ci_, n=len(ent), n_treated=na, n_control=nb, scale=sc,
                        method=f"difference of means; percentile bootstrap over people "
                               f"({self.reps} reps)"),
            summary_row("naive_rate_fall", "naive: fall in offending rate after adoption",
                        self.rate_naive_, *rn_ci, n=len(a), n_treated=na, scale=rs,
                        method="pooled rates, bootstrap over people"),
            summary_row("benchmark_rate_fall",
                        "benchmark: fall in offending rate after pseudo-entry",
                        self.rate_benchmark_, None, None, n=len(b), n_control=nb, scale=rs,
                        method="pooled rates"),
            summary_row("eligible_benchmark", "benchmark-adjusted fall in offending rate",
                        self.rate_gap_, *self.rate_gap_ci_, n=len(ent), n_treated=na,
                        n_control=nb, scale="proportional, rate (intention to treat, 12 months "
                        "after entry)", method="1 - ratio of rate ratios; bootstrap over people"),
        ]

    def _bootstrap(self, a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
        """Bootstrap over people within each group: gap, rate gap, naive, benchmark, naive rate."""
        rng = np.random.default_rng(self.seed)
        A, B = _per_person(a), _per_person(b)
        out = np.full((self.reps, 5), np.nan)
        for r in range(self.reps):
            sa = A[rng.integers(0, len(A), len(A))].sum(axis=0)
            sb = B[rng.integers(0, len(B), len(B))].sum(axis=0)
            ma, mb = sa[0] / sa[1], sb[0] / sb[1]
            rra = (sa[4] / sa[5]) / (sa[2] / sa[3])
            rrb = (sb[4] / sb[5]) / (sb[2] / sb[3])
            out[r] = (ma - mb, 1 - rra / rrb, ma, mb, 1 - rra)
        return out


def _rate_ratio(df: pd.DataFrame) -> float:
    """Pooled offending rate after entry over the rate before."""
    return ((df["offences_after"].sum() / df["liberty_after"].sum())
            / (df["offences_before"].sum() / df["liberty_before"].sum()))


def _per_person(df: pd.DataFrame) -> np.ndarray:
    """Per person: summed reduction, entries with one, offences and liberty before and after."""
    ok = df["reduction_pct"].notna()
    g = df.assign(v=df["reduction_pct"].fillna(0.0), nv=ok.astype(float))
    s = g.groupby("person_id")[["v", "nv", "offences_before", "liberty_before",
                                "offences_after", "liberty_after"]].sum()
    return s.to_numpy(float)
