"""Tests of the impact estimators (issue 4): statistical helpers against published examples and
reference implementations, the panel, and ``iom impact`` on a synthetic force."""
from __future__ import annotations

import json
import subprocess
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iomlib.impact import estimators as impact
from iomlib.impact.cs import aggregate_event, att_gt
from iomlib.impact.models import (
    g_estimate,
    newcombe_difference,
    poisson_fit,
    smd,
    wilson,
)
from iomlib.sdc.policy import Disclosure

ROOT = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------- helpers

def test_wilson_newcombe_1998_single_proportion():
    # Newcombe (1998) Stat Med 17:857-872, example: 81/263 -> 0.2553 to 0.3662
    lo, hi = wilson(81, 263)
    assert round(lo, 4) == 0.2553 and round(hi, 4) == 0.3662


@pytest.mark.parametrize("k1,n1,k2,n2,lo,hi", [
    (56, 70, 48, 80, 0.0524, 0.3339),   # Newcombe (1998) Stat Med 17:873-890, example (a)
    (9, 10, 3, 10, 0.1705, 0.8090),     # example (b)
    (5, 56, 0, 29, -0.0381, 0.1926),    # example (d): a zero cell
])
def test_newcombe_difference_published(k1, n1, k2, n2, lo, hi):
    d, a, b = newcombe_difference(k1, n1, k2, n2)
    assert d == pytest.approx(k1 / n1 - k2 / n2)
    assert round(a, 4) == lo and round(b, 4) == hi


def test_newcombe_matches_statsmodels():
    from statsmodels.stats.proportion import confint_proportions_2indep
    for k1, n1, k2, n2 in [(40, 120, 25, 110), (3, 15, 9, 14)]:
        _, a, b = newcombe_difference(k1, n1, k2, n2)
        ra, rb = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb")
        assert a == pytest.approx(ra) and b == pytest.approx(rb)


def test_smd():
    assert smd([1, 2, 3], [1, 2, 3]) == 0
    # means 2 and 3, population variances 2/3 each -> (2 - 3) / sqrt(2/3)
    assert smd([1, 2, 3], [2, 3, 4]) == pytest.approx(-1 / np.sqrt(2 / 3))


def _poisson_data(seed=0, n=800, n_groups=200):
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(n), rng.normal(size=n), rng.integers(0, 2, n)])
    g = rng.integers(0, n_groups, n)
    ex = rng.uniform(50, 365, n)
    frailty = np.exp(rng.normal(0, 0.5, n_groups))[g]
    y = rng.poisson(np.exp(X @ [-4.0, 0.3, -0.2]) * ex * frailty)
    return y, X, ex, g


def test_poisson_fit_matches_statsmodels_cluster():
    import statsmodels.api as sm
    y, X, ex, g = _poisson_data()
    f = poisson_fit(y, X, ex, g)
    r = sm.GLM(y, X, family=sm.families.Poisson(), exposure=ex).fit(
        cov_type="cluster", cov_kwds={"groups": g, "use_correction": False})
    G = len(np.unique(g))
    np.testing.assert_allclose(f.params, r.params, rtol=1e-8)
    np.testing.assert_allclose(f.bse, r.bse * np.sqrt(G / (G - 1)), rtol=1e-6)


def test_negative_binomial_alpha_is_estimated_known_coefficients():
    """statsmodels NegativeBinomial (NB2) recovers known coefficients and alpha (not 1.0)."""
    import statsmodels.api as sm
    rng = np.random.default_rng(42)
    n = 20000
    x = rng.normal(size=n)
    ex = rng.uniform(0.5, 2.0, n)
    mu = ex * np.exp(0.5 - 0.7 * x)
    alpha = 0.8
    y = rng.poisson(rng.gamma(1 / alpha, alpha * mu))   # NB2: var = mu + alpha mu^2
    X = sm.add_constant(x)
    r = sm.NegativeBinomial(y, X, exposure=ex, loglike_method="nb2").fit(disp=0, maxiter=200)
    b0, b1, a = r.params
    assert b0 == pytest.approx(0.5, abs=0.04)
    assert b1 == pytest.approx(-0.7, abs=0.03)
    assert a == pytest.approx(alpha, abs=0.06)


def test_g_estimate_recovers_planted_effect():
    """Adoption at random given x; managed offences thinned by 30%: g-estimation finds 0.3."""
    rng = np.random.default_rng(7)
    n = 6000
    x = rng.normal(size=n)
    adopted = (rng.random(n) < 1 / (1 + np.exp(-x))).astype(float)   # confounded by x
    lib = rng.uniform(200, 365, n)
    share = np.where(adopted == 1, rng.uniform(0.7, 1.0, n), rng.uniform(0.0, 0.3, n))
    rate = np.exp(-5 + 0.8 * x)
    e_true = 0.3
    y_man = rng.poisson(rate * lib * share * (1 - e_true))
    y_un = rng.poisson(rate * lib * (1 - share))
    X = np.column_stack([np.ones(n), adopted, x])
    out = g_estimate(y_un, y_man, X, lib, np.arange(n), names=["const", "adopted", "x"])
    assert out["ci_low"] < e_true < out["ci_high"]
    assert out["estimate"] == pytest.approx(e_true, abs=0.06)
    # the intention-to-treat coefficient is diluted
    assert 1 - np.exp(out["itt_coef"]) < out["estimate"]


# ----------------------------------------------------------------------------- CS estimator

def _small_panel(seed=3, n=120, T=10):
    rng = np.random.default_rng(seed)
    G = rng.choice([4, 6, 8, -1], n, p=[.25, .25, .2, .3])
    Y = rng.normal(0, 1, n)[:, None] + 0.1 * np.arange(T)[None, :] + rng.normal(0, 1, (n, T))
    Y += np.where((G[:, None] >= 0) & (np.arange(T)[None, :] >= G[:, None]), 1.0, 0.0)
    return Y, G


@pytest.mark.parametrize("anticipation", [0, 1])
@pytest.mark.parametrize("base_period", ["universal", "varying"])
@pytest.mark.parametrize("control_group", ["not_yet_treated", "never_treated"])
def test_callaway_santanna_matches_differences(anticipation, base_period, control_group):
    differences = pytest.importorskip("differences")
    Y, G = _small_panel()
    n, T = Y.shape
    df = pd.DataFrame({"id": np.repeat(np.arange(n), T), "t": np.tile(np.arange(T), n),
                       "y": Y.ravel(), "cohort": np.repeat(np.where(G < 0, np.nan, G), T)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = differences.ATTgt(df.set_index(["id", "t"]), cohort_column="cohort",
                              base_period=base_period, anticipation=anticipation)
        ref = m.fit("y", est_method="reg", control_group=control_group, progress_bar=False)
        ev = m.aggregate("event")
    ref = ref.to_pandas() if hasattr(ref, "to_pandas") else ref
    ref.columns = ["att", "se", "lo", "hi", "sig"]
    ref = ref.reset_index()
    tab, psi = att_gt(Y, G, anticipation=anticipation, base_period=base_period,
                      control_group=control_group)
    mm = tab.merge(ref, on=["cohort", "time"], suffixes=("", "_ref"))
    assert len(mm) == len(tab) > 0
    np.testing.assert_allclose(mm["att"], mm["att_ref"], atol=1e-10)
    np.testing.assert_allclose(mm["se"], mm["se_ref"], atol=1e-10)
    ev.columns = ["att", "se", "lo", "hi", "sig"]
    ev = ev.reset_index()
    fr, _ = aggregate_event(tab, psi, G)
    me = fr.merge(ev, left_on="event_time", right_on="relative_period")
    assert len(me) == len(fr)
    np.testing.assert_allclose(me["estimate"], me["att"], atol=1e-10)
    np.testing.assert_allclose(me["se_x"], me["se_y"], atol=1e-10)


def test_cs_treated_mean_and_planted_effect():
    Y, G = _small_panel(n=400)
    tab, psi = att_gt(Y, G, anticipation=0)
    fr, _ = aggregate_event(tab, psi, G, uniform_reps=200)
    post = fr[fr["event_time"] >= 0]
    assert ((post["ci_low"] < 1) & (post["ci_high"] > 1)).mean() >= 0.8
    assert (fr["ci_high_uniform"] - fr["ci_low_uniform"] >= fr["ci_high"] - fr["ci_low"]).all()
    tm, _ = att_gt(Y, G, estimand="treated_mean")
    r = tm.iloc[0]
    assert r["att"] == pytest.approx(Y[G == r["cohort"], int(r["time"])].mean())


# ----------------------------------------------------------------------------- on a force

@pytest.fixture(scope="module")
def small_force():
    from iomlib.data.synth import SynthParams, simulate
    return simulate(replace(SynthParams(), seed=5, n_people=2000, true_effect=0.2))


@pytest.fixture(scope="module")
def small_panel(small_force):
    from iomlib.impact.estimators import prepare
    return prepare(small_force)


def test_panel_accounts_for_days_and_offences(small_force, small_panel):
    P = small_panel
    off = small_force.offences
    assert P.count.sum() == (off["offence_date"] <= P.as_of).sum()
    assert (P.liberty <= P.days[None, :]).all() and (P.managed_liberty <= P.liberty).all()
    assert (P.count_managed <= P.count).all()
    # the synthetic force commits no offence in custody: offences need days at liberty
    assert ((P.count > 0) & (P.liberty == 0)).sum() == 0
    # managed from the day after adoption: the adoption month itself is not managed
    ep = small_force.episodes
    e = ep.iloc[0]
    i = list(P.person_ids).index(e["person_id"])
    m = int(np.searchsorted(P.month_ends, e["adopted_on"]))
    assert P.adopted[i, m] and P.managed_liberty[i, m] == 0
    assert P.managed_liberty[i, m + 1] == P.liberty[i, m + 1]


def test_risk_sets_and_summaries(small_force, small_panel):
    from iomlib.impact.estimators import SUMMARY_COLUMNS, CountModels, StructuralRate
    from iomlib.impact.panel import risk_sets
    rs = risk_sets(small_panel)
    assert rs["adopted"].sum() > 50 and (rs["adopted"] == 0).sum() > 100
    assert (rs["points"] >= 20).all()
    s = StructuralRate().fit(small_force, panel=small_panel)
    assert list(s.summary.columns) == SUMMARY_COLUMNS
    assert s.ci_low_ < s.estimate_ < s.ci_high_
    c = CountModels(gee=False).fit(small_force, panel=small_panel)
    nb = c.rate_ratios_.set_index("model").loc["negative binomial"]
    assert nb["alpha"] > 0 and abs(nb["alpha"] - 1.0) > 1e-3   # estimated, not fixed


def test_benchmark_event_study_jdl_run(small_force, small_panel):
    import matplotlib
    matplotlib.use("Agg")
    from iomlib.impact.estimators import (
        EligibleBenchmark,
        EventStudy,
        JusticeDataLab,
        plot_event_study,
    )
    b = EligibleBenchmark(reps=99).fit(small_force, panel=small_panel)
    assert b.gap_ci_[0] <= b.gap_ <= b.gap_ci_[1]
    assert b.rate_naive_ > 0.2   # the naive fall is large (regression to the mean)
    ev = EventStudy(uniform_reps=99, outcomes=("count",)).fit(small_force, panel=small_panel)
    base = ev.event_[ev.event_["event_time"] == -13]
    assert (base["estimate"] == 0).all()
    ax = plot_event_study(ev.event_, outcome="count", band="uniform", anticipation=12)
    assert hasattr(ax, "plot") and len(ax.lines) >= 1
    j = JusticeDataLab().fit(small_force, panel=small_panel)
    att = j.attrition_
    assert (att["adopted"].diff().dropna() <= 0).all()
    assert set(j.balance_.columns) == {"covariate", "smd_before", "smd_after"}
    assert j.balance_["smd_after"].abs().mean() < j.balance_["smd_before"].abs().mean()


def test_jdl_wording():
    from iomlib.impact.estimators import jdl_wording
    w = jdl_wording("the one-year proven reoffending rate", -0.02, -0.08, 0.04,
                    unit="people reoffended")
    assert "more people would need to be analysed" in w
    assert "should not be taken to mean" in w
    w = jdl_wording("the one-year proven reoffending rate", -0.08, -0.14, -0.02,
                    unit="people reoffended")
    assert "between 2 and 14 people reoffended fewer" in w


def test_iom_impact_json_covers_planted_effect(small_force, tmp_path):
    """`iom impact --json` on a small synthetic force (2,000 people, planted 20%)."""
    small_force.write(tmp_path / "force")
    out = subprocess.run([sys.executable, "-m", "iomlib", "impact", "--data",
                          str(tmp_path / "force"), "--json"], capture_output=True, text=True,
                         cwd=ROOT, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    h = json.loads(out.stdout)
    assert set(h) == {"estimate", "ci_low", "ci_high", "method", "n_treated", "n_control"}
    assert h["ci_low"] <= 0.20 <= h["ci_high"]
    assert h["n_treated"] > 0 and h["n_control"] > 0


@pytest.mark.slow
def test_iom_impact_default_data_covers_planted_effect():
    out = subprocess.run([sys.executable, "-m", "iomlib", "impact", "--json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    h = json.loads(out.stdout)
    assert h["ci_low"] <= 0.20 <= h["ci_high"]


def test_impact_headline_keys():
    from iomlib.data.open import default_dataset
    from iomlib.impact.estimators import impact_headline
    h = impact_headline(default_dataset())
    assert {"estimate", "ci_low", "ci_high", "method", "n_treated", "n_control"} <= set(h)
    assert h["ci_low"] <= h["estimate"] <= h["ci_high"]


@pytest.mark.slow
def test_notebook_07_runs(tmp_path):
    papermill = pytest.importorskip("papermill")
    nb = ROOT / "notebooks" / "07_impact.ipynb"
    papermill.execute_notebook(str(nb), str(tmp_path / "out.ipynb"), cwd=str(ROOT / "notebooks"),
                               parameters={"as_of": "2020-01-31"}, progress_bar=False)


# ------------------------------------------------------------------------------------------
# the plotting helpers with series that went through disclosure control: in a public report
# the points resting on fewer than min_cell people are missing (NaN) and must simply not be
# drawn, and the points kept must be drawn as they are (notebook 07)


def _event_frame():
    t = np.arange(-6, 7)
    rows = []
    for outcome in ("count", "harm"):
        rows.append(pd.DataFrame({
            "outcome": outcome, "event_time": t, "estimate": 0.1 * t,
            "ci_low": 0.1 * t - 0.2, "ci_high": 0.1 * t + 0.2,
            "ci_low_uniform": 0.1 * t - 0.3, "ci_high_uniform": 0.1 * t + 0.3,
            "n_treated": np.where(t > 3, 4.0, 40.0)}))       # the last event times: 4 people
    return pd.concat(rows, ignore_index=True)


def _survival_frame():
    days = np.arange(0.0, 100.0, 10.0)
    rows = []
    for group, n in (("adopted", 30), ("comparison", 14)):
        at_risk = np.maximum(n - np.arange(len(days)) * 2, 1)
        rows.append(pd.DataFrame({"group": group, "days": days,
                                  "survival": np.linspace(1, 0.5, len(days)),
                                  "ci_low": np.linspace(1, 0.4, len(days)),
                                  "ci_high": np.linspace(1, 0.6, len(days)),
                                  "at_risk": at_risk}))
    return pd.concat(rows, ignore_index=True)


def _line_points(ax):
    return [np.asarray(line.get_xydata(), dtype=float) for line in ax.get_lines()]


def test_event_study_draws_only_the_points_kept():
    sdc = Disclosure("public", 10, key="k")
    event = sdc.curve(_event_frame(), n_col="n_treated", people_col=None,
                      value_cols=["estimate", "ci_low", "ci_high", "ci_low_uniform",
                                  "ci_high_uniform"])
    assert event["suppressed"].sum() == 6           # event times 4, 5, 6 of both outcomes
    ax = impact.plot_event_study(event, outcome="count", band="uniform")
    drawn = _line_points(ax)[0]                     # the estimate line
    finite = drawn[np.isfinite(drawn[:, 1])]
    assert finite[:, 0].max() == 3
    assert np.allclose(finite[:, 1], 0.1 * finite[:, 0])


def test_event_study_with_every_point_hidden_draws_nothing():
    sdc = Disclosure("public", 100, key="k")
    event = sdc.curve(_event_frame(), n_col="n_treated", people_col=None,
                      value_cols=["estimate", "ci_low", "ci_high"])
    ax = impact.plot_event_study(event, outcome="harm")
    assert not np.isfinite(_line_points(ax)[0][:, 1]).any()


def test_survival_draws_only_points_with_enough_people_at_risk():
    sdc = Disclosure("public", 10, key="k")
    surv = sdc.curve(_survival_frame(), n_col="at_risk", people_col=None,
                     value_cols=["survival", "ci_low", "ci_high"])
    ax = impact.plot_survival(surv)
    adopted, comparison = (np.asarray(s.get_xydata()) for s in ax.get_lines()[:2])
    # adopted: 30, 28, ..., 12 at risk: every point kept; comparison: 14, 12, 10 kept
    assert len(adopted) == 10
    assert len(comparison) == 3
    assert np.isfinite(comparison).all()


def test_survival_with_a_whole_group_hidden():
    sdc = Disclosure("public", 50, key="k")
    surv = sdc.curve(_survival_frame(), n_col="at_risk", people_col=None,
                     value_cols=["survival", "ci_low", "ci_high"])
    ax = impact.plot_survival(surv)
    assert all(len(line.get_xydata()) == 0 for line in ax.get_lines()[:2])


def test_restricted_curves_are_drawn_whole():
    sdc = Disclosure("restricted", 10, key="k")
    surv = sdc.curve(_survival_frame(), n_col="at_risk", people_col=None)
    ax = impact.plot_survival(surv)
    assert [len(line.get_xydata()) for line in ax.get_lines()[:2]] == [10, 10]
