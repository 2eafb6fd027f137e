"""Tests of ``iomlib.impact.event_study``: the staggered-entry event study on a force."""
from __future__ import annotations

import pytest
from impact_support import fitted

from iomlib.impact.event_study import EventStudy


def test_event_study_runs():
    ev = fitted()["event_study"]
    base = ev.event_[ev.event_["event_time"] == -13]
    assert (base["estimate"] == 0).all()
    assert set(ev.event_["phase"]) == {"pre", "anticipation", "post"}
    assert {"ci_low_uniform", "ci_high_uniform"} <= set(ev.event_.columns)
    r = ev.rate_effect_
    assert r["ci_low"] <= r["estimate"] <= r["ci_high"]


def test_event_study_summary_keys():
    s = fitted()["event_study"].summary.set_index("key")
    assert list(s.index) == ["event_study_att_count", "event_study_att_harm", "event_study"]
    assert s.loc["event_study", "estimate"] == fitted()["event_study"].rate_effect_["estimate"]


def test_event_study_warns_when_the_window_is_the_baseline():
    with pytest.warns(UserWarning, match="anticipation"):
        EventStudy(anticipation=6)
