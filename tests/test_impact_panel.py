"""Tests of ``iomlib.impact.panel``: the person-by-month panel and the monthly risk sets."""
from __future__ import annotations

import numpy as np
import pandas as pd
from impact_support import small_force, small_panel

from iomlib.impact.panel import history_design, risk_sets


def test_panel_accounts_for_days_and_offences():
    P = small_panel()
    off = small_force().offences
    assert P.count.sum() == (off["offence_date"] <= P.as_of).sum()
    assert (P.liberty <= P.days[None, :]).all() and (P.managed_liberty <= P.liberty).all()
    assert (P.count_managed <= P.count).all()
    # the synthetic force commits no offence in custody: offences need days at liberty
    assert ((P.count > 0) & (P.liberty == 0)).sum() == 0
    # managed from the day after adoption: the adoption month itself is not managed
    ep = small_force().episodes
    e = ep.iloc[0]
    i = list(P.person_ids).index(e["person_id"])
    m = int(np.searchsorted(P.month_ends, e["adopted_on"]))
    assert P.adopted[i, m] and P.managed_liberty[i, m] == 0
    assert P.managed_liberty[i, m + 1] == P.liberty[i, m + 1]


def test_panel_first_adoption_and_eligibility():
    P = small_panel()
    ever = P.first_adopted >= 0
    assert P.adopted[ever, P.first_adopted[ever]].all()
    assert all(c is not None for c in P.first_cohort[ever])
    el = P.first_eligible >= 0
    assert P.eligible[el, P.first_eligible[el]].all()
    assert not P.eligible[:, :P.eval_start].any()
    assert P.count.shape == (P.n_people, P.n_months)


def test_risk_sets():
    rs = risk_sets(small_panel())
    assert rs["adopted"].sum() > 50 and (rs["adopted"] == 0).sum() > 100
    assert (rs["points"] >= 20).all()
    assert list(rs.columns[:4]) == ["row", "person_id", "m", "month_end"]
    assert (rs["y_managed"] <= rs["y"]).all()
    X = history_design(rs)
    assert X.columns[0] == "const" and len(X) == len(rs)
    assert np.isfinite(X.to_numpy(float)).all()
    assert isinstance(rs["month_end"].iloc[0], pd.Timestamp)
