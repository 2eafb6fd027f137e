"""Tests of ``iomlib.impact.jdl``: the Justice Data Lab measures, wording and intervals."""
from __future__ import annotations

import math

import numpy as np
import pytest
from impact_support import fitted

from iomlib.impact.jdl import jdl_wording, proportion_difference
from iomlib.impact.models import wilson


def _newcombe_reference(k1, n1, k2, n2):
    """Newcombe (1998) method 10 from the two Wilson intervals: the implementation the JDL
    estimator used before statsmodels' ``method="newcomb"`` replaced it."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1)
    l2, u2 = wilson(k2, n2)
    d = p1 - p2
    return d, d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + np.sqrt((u1 - p1) ** 2
                                                                          + (p2 - l2) ** 2)


@pytest.mark.parametrize("k1,n1,k2,n2,lo,hi", [
    (56, 70, 48, 80, 0.0524, 0.3339),   # Newcombe (1998) Stat Med 17:873-890, example (a)
    (9, 10, 3, 10, 0.1705, 0.8090),     # example (b)
    (5, 56, 0, 29, -0.0381, 0.1926),    # example (d): a zero cell
])
def test_proportion_difference_published(k1, n1, k2, n2, lo, hi):
    d, a, b = proportion_difference(k1, n1, k2, n2)
    assert d == pytest.approx(k1 / n1 - k2 / n2)
    assert round(a, 4) == lo and round(b, 4) == hi


def test_proportion_difference_agrees_with_the_old_implementation():
    cases = [(k1, n1, k2, n2) for n1 in (1, 5, 13, 70, 263) for n2 in (1, 10, 29, 500)
             for k1 in sorted({0, 1, n1 // 2, n1}) for k2 in sorted({0, 1, n2 // 3, n2})]
    for case in cases:
        np.testing.assert_allclose(proportion_difference(*case), _newcombe_reference(*case),
                                   rtol=1e-12, atol=1e-14, err_msg=str(case))


def test_proportion_difference_of_an_empty_group():
    assert all(math.isnan(x) for x in proportion_difference(3, 10, 0, 0))


def test_jdl_wording():
    w = jdl_wording("the one-year proven reoffending rate", -0.02, -0.08, 0.04,
                    unit="people reoffended")
    assert "more people would need to be analysed" in w
    assert "should not be taken to mean" in w
    w = jdl_wording("the one-year proven reoffending rate", -0.08, -0.14, -0.02,
                    unit="people reoffended")
    assert "between 2 and 14 people reoffended fewer" in w


def test_jdl_runs():
    j = fitted()["jdl"]
    att = j.attrition_
    assert (att["adopted"].diff().dropna() <= 0).all()
    assert set(j.balance_.columns) == {"covariate", "smd_before", "smd_after"}
    assert j.balance_["smd_after"].abs().mean() < j.balance_["smd_before"].abs().mean()
    assert list(j.outcomes_.columns[:2]) == ["measure", "adopted"]
    assert "ratio" not in j.outcomes_.columns
    assert set(j.wording_) == {"rate", "frequency", "time_to_first"}
    assert set(j.survival_["group"]) == {"adopted", "comparison"}


def test_jdl_summary_keys():
    s = fitted()["jdl"].summary.set_index("key")
    assert list(s.index) == ["jdl_rate_difference", "jdl_frequency_difference",
                             "jdl_frequency_ratio", "jdl_cox_hazard_ratio"]
    out = fitted()["jdl"].outcomes_.set_index("measure")
    rate = out.loc["one-year proven reoffending rate"]
    assert s.loc["jdl_rate_difference", "estimate"] == rate["difference"]
    assert s.loc["jdl_rate_difference", "ci_low"] == rate["ci_low"]
