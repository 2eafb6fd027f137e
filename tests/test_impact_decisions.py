"""Tests of ``iomlib.impact.decisions``: risk sets on the panel's decision dates (issue 11)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from impact_support import small_force

from iomlib.config.settings import default_config
from iomlib.impact.decisions import day_data, decision_dates, decision_risk_sets

HISTORY = ["c0", "c1", "c2", "c3_5", "c6_11", "c_window", "points", "lib_window",
           "managed_share_window", "dom_share", "weap_share", "c_hist", "lib_hist",
           "ever_managed", "risk", "recent_decay", "c_14", "days_since", "months_eligible_12"]


def test_decision_dates_merge_close_adoptions():
    d = decision_dates(np.array([100, 100, 105, 130, 131, 160]), min_gap_days=14)
    assert list(d) == [100, 130, 160]


def _after(ds, day: pd.Timestamp, rng: np.random.Generator):
    """A copy of ``ds`` whose records on or after ``day`` are changed at random (adoptions on
    ``day`` itself are kept: they make it a decision date)."""
    out = ds.copy()
    off = ds.offences
    late = off["offence_date"] >= day
    keep = ~late | (rng.random(len(off)) < 0.5)
    extra = off[late].sample(frac=0.5, random_state=1).copy()
    extra["offence_id"] = extra["offence_id"] + "x"
    extra["offence_date"] = extra["offence_date"] + pd.to_timedelta(
        rng.integers(0, 30, len(extra)), unit="D")
    out.offences = pd.concat([off[keep], extra], ignore_index=True)
    cu = ds.custody
    out.custody = cu[(cu["start_date"] < day) | (rng.random(len(cu)) < 0.5)].copy()
    ep = ds.episodes.copy()
    ep = ep[(ep["adopted_on"] <= day) | (rng.random(len(ep)) < 0.5)]
    out.episodes = ep.assign(removed_on=ep["removed_on"].where(
        ep["removed_on"] < day, ep["removed_on"] + pd.Timedelta(days=40)))
    return out


@pytest.mark.parametrize("which", [0, 1, 2])
def test_no_covariate_reads_a_day_on_or_after_the_decision_date(which):
    """Property: rewriting every record on or after a decision date (offences added, dropped
    or moved, custody and episodes dropped, removals moved) changes no covariate of that date's
    risk set, nor who is in it."""
    ds, cfg = small_force(), default_config()
    rs = decision_risk_sets(day_data(ds, None, cfg), cfg)
    dates = np.sort(rs["decision_date"].unique())
    day = pd.Timestamp(dates[[len(dates) // 5, len(dates) // 2, -1][which]])
    changed = _after(ds, day, np.random.default_rng(which))
    rs2 = decision_risk_sets(day_data(changed, None, cfg), cfg)
    a = rs[rs["decision_date"] == day].set_index("person_id")[HISTORY].sort_index()
    b = rs2[rs2["decision_date"] == day].set_index("person_id")[HISTORY].sort_index()
    assert len(a) > 5
    pd.testing.assert_frame_equal(a, b)


def test_follow_up_starts_the_day_after_the_decision():
    ds, cfg = small_force(), default_config()
    dd = day_data(ds, None, cfg)
    rs = decision_risk_sets(dd, cfg)
    r = rs.iloc[0]
    off = ds.offences[ds.offences["person_id"] == r["person_id"]]["offence_date"]
    d = r["decision_date"]
    assert r["y"] == ((off > d) & (off <= d + pd.Timedelta(days=365))).sum()
    assert r["c_window"] == ((off < d) & (off >= d - pd.Timedelta(days=365))).sum()


def _shifted(ds, days: int):
    k = pd.Timedelta(days=days)
    out = ds.copy()
    out.offences = ds.offences.assign(offence_date=ds.offences["offence_date"] + k)
    out.custody = ds.custody.assign(start_date=ds.custody["start_date"] + k,
                                    end_date=ds.custody["end_date"] + k)
    out.episodes = ds.episodes.assign(adopted_on=ds.episodes["adopted_on"] + k,
                                      removed_on=ds.episodes["removed_on"] + k)
    return out


def test_mid_month_adoptions_give_the_month_end_estimate():
    """A force without an effect, moved 14 days later in time (so adoption and removal dates
    fall mid-month): the decision-date estimate moves little, the month-end risk sets (whose
    covariates read the days after a mid-month adoption) jump."""
    from dataclasses import replace

    from iomlib.data.synth import SynthParams, simulate
    from iomlib.impact.gestimation import StructuralRate
    cfg = default_config()
    ds = simulate(replace(SynthParams(), seed=2, n_people=2000, true_effect=0.0))
    mid = _shifted(ds, 14)
    t = cfg.as_of + pd.Timedelta(days=14)
    a = StructuralRate().fit(ds, cfg).estimate_
    b = StructuralRate().fit(mid, cfg, as_of=t).estimate_
    assert abs(a - b) < 0.05
    old_a = StructuralRate(risk_sets="month_end").fit(ds, cfg).estimate_
    old_b = StructuralRate(risk_sets="month_end").fit(mid, cfg, as_of=t).estimate_
    assert abs(old_a - old_b) > 0.2
