"""Tests of ``iomlib.impact.benchmark``: the eligible-but-not-selected benchmark."""
from __future__ import annotations

from impact_support import fitted

KEYS = ["naive_risk_reduction", "naive_risk_reduction_all", "benchmark_risk_reduction",
        "benchmark_risk_gap", "naive_rate_fall", "benchmark_rate_fall", "eligible_benchmark"]


def test_benchmark_runs():
    b = fitted()["benchmark"]
    assert b.gap_ci_[0] <= b.gap_ <= b.gap_ci_[1]
    assert b.rate_naive_ > 0.2   # the naive fall is large (regression to the mean)
    assert set(b.entries_["group"]) == {"adopted", "benchmark"}


def test_benchmark_summary_keys():
    s = fitted()["benchmark"].summary.set_index("key")
    assert list(s.index) == KEYS
    b = fitted()["benchmark"]
    assert s.loc["eligible_benchmark", "estimate"] == b.rate_gap_
    assert s.loc["naive_risk_reduction", "estimate"] == b.naive_
    assert s.loc["benchmark_risk_gap", "measure"].startswith("naive minus benchmark")
