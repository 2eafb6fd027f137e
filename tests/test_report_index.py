"""Tests of iomlib.report.index: the front page."""
from __future__ import annotations

from iomlib.report import index


def test_index_shows_a_suppressed_headline_as_c():
    from iomlib.sdc.audit import suppress_headline
    metrics = suppress_headline({"felt_safer_pct": {"value": 80.0, "n": 5}}, 10)
    assert index._fmt_value("felt_safer_pct", metrics["felt_safer_pct"], 10) == \
        "[c] (fewer than 10 people)"
    assert index._fmt_value("felt_safer_pct", {"value": 86.2069, "n": 58}, 10) == "86.2%"


def test_interval_text_says_an_open_ended_interval_in_words():
    assert index.interval_text(-0.0509, 0.2999) == "-5.1% to 30.0%"
    assert index.interval_text(-0.0509, None) == "above -5.1% (no upper bound)"
    assert index.interval_text(None, 0.3) == "below 30.0% (no lower bound)"
    assert index.interval_text(float("nan"), float("inf")) == "no bound found"


def _impact(**changes):
    imp = {"value": 0.128, "n": 1096, "ci_low": -0.051, "ci_high": 0.300, "n_treated": 537,
           "n_control": 1037, "n_people": 1096, "n_people_both": 478,
           "definition": "reduction", "method": "g-estimation"}
    return imp | changes


def test_index_impact_row_with_an_unbounded_interval_does_not_crash():
    rows = "".join(index._headline_rows(
        {"impact_managed_rate_reduction": _impact(ci_high=None)}, 10))
    assert "above -5.1% (no upper bound)" in rows


def test_index_impact_row_counts_distinct_people_and_both_arms():
    rows = "".join(index._headline_rows({"impact_managed_rate_reduction": _impact()}, 10))
    assert "1,096 people: 537 managed, 1,037 comparison (478 in both" in rows
