"""Tests of ``iomlib.impact.sensitivity``: the E-value bound and the placebo (issue 11)."""
from __future__ import annotations

import math

import pytest
from impact_support import fitted

from iomlib.impact.sensitivity import bounding_factor, e_value, selection_bounds


def test_e_value_published_example():
    # VanderWeele & Ding (2017): observed risk ratio 3.9, E-value 7.26
    assert e_value(3.9) == pytest.approx(7.26, abs=0.005)
    assert e_value(0.5) == pytest.approx(2 + math.sqrt(2))
    assert e_value(1.0) == 1.0 and math.isnan(e_value(0.0))


def test_bounding_factor_at_the_e_value_explains_the_estimate_away():
    rr = 0.7
    e = e_value(rr)
    assert rr * bounding_factor(e, e) == pytest.approx(1.0)


def test_selection_bounds():
    b = selection_bounds(0.3, 0.1, 0.45)
    assert b["e_value"] == pytest.approx(e_value(0.7), abs=1e-3)
    assert b["e_value_ci"] == pytest.approx(e_value(0.9), abs=1e-3)
    moved = [r["estimate"] for r in b["table"]]
    assert all(x > y for x, y in zip(moved, moved[1:])) and moved[0] < 0.3
    assert selection_bounds(0.3, -0.1, 0.5)["e_value_ci"] == 1.0
    assert selection_bounds(0.3, None, 0.5)["table"][0]["ci_low"] is None


def test_placebo_on_a_force_without_unrecorded_selection():
    """The synthetic force adopts on recorded history only: the placebo year shows no
    difference between the adopted and the comparison people."""
    p = fitted()["main"].placebo()
    assert p["passes"] and p["ci_low"] < p["estimate"] < p["ci_high"] and p["n"] > 100
