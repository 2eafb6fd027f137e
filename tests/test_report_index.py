"""Tests of iomlib.report.index: the front page."""
from __future__ import annotations

from iomlib.report import index


def test_index_shows_a_suppressed_headline_as_c():
    from iomlib.sdc.audit import suppress_headline
    metrics = suppress_headline({"felt_safer_pct": {"value": 80.0, "n": 5}}, 10)
    assert index._fmt_value("felt_safer_pct", metrics["felt_safer_pct"], 10) == \
        "[c] (fewer than 10 people)"
    assert index._fmt_value("felt_safer_pct", {"value": 86.2069, "n": 58}, 10) == "86.2%"
