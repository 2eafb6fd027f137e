"""Tests of ``iomlib.impact.gestimation``: the main estimate on a force."""
from __future__ import annotations

from impact_support import fitted

from iomlib.impact.base import SUMMARY_COLUMNS
from iomlib.impact.gestimation import MAIN_METHOD


def test_structural_rate_summary():
    s = fitted()["main"]
    assert list(s.summary.columns) == SUMMARY_COLUMNS
    assert list(s.summary["key"]) == ["g_estimate"]
    assert s.ci_low_ < s.estimate_ < s.ci_high_
    assert 0 < s.managed_share_["not_adopted"] < s.managed_share_["adopted"] <= 1


def test_structural_rate_headline():
    s = fitted()["main"]
    h = s.headline()
    assert set(h) == {"estimate", "ci_low", "ci_high", "method", "n_treated", "n_control"}
    assert h["estimate"] == round(s.estimate_, 4) and h["method"] == MAIN_METHOD
