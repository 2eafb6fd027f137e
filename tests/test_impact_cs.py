"""Tests of ``iomlib.impact.cs``: Callaway & Sant'Anna group-time ATTs against the
``differences`` package, and a planted effect."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from iomlib.impact.cs import aggregate_event, att_gt


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


def test_varying_base_skips_cells_without_a_base():
    """With a varying base the first period has no base before it, and t never equals b."""
    Y, G = _small_panel()
    tab, _ = att_gt(Y, G, base_period="varying")
    assert (tab["time"] != tab["base"]).all() and (tab["base"] >= 0).all()
    assert not ((tab["time"] == 0) & (tab["event_time"] < 0)).any()


def test_att_gt_rejects_unknown_options():
    Y, G = _small_panel()
    with pytest.raises(ValueError, match="base_period"):
        att_gt(Y, G, base_period="other")
    with pytest.raises(ValueError, match="control_group"):
        att_gt(Y, G, control_group="other")
