"""Tests of ``iomlib.impact.count_models``: count models of adoption on the risk sets."""
from __future__ import annotations

from impact_support import fitted

from iomlib.impact.count_models import MODEL_KEYS


def test_negative_binomial_alpha_is_estimated():
    c = fitted()["counts"]
    nb = c.rate_ratios_.set_index("model").loc["negative binomial"]
    assert nb["alpha"] > 0 and abs(nb["alpha"] - 1.0) > 1e-3   # estimated, not fixed


def test_count_model_summary_keys():
    c = fitted()["counts"]
    assert list(c.summary["key"]) == ["count_poisson", "count_negbin"]      # GEE not fitted
    assert set(MODEL_KEYS) == {"poisson", "negative binomial", "GEE (exchangeable)"}
    assert len(set(MODEL_KEYS.values())) == 3


def test_count_models_report_convergence():
    s = fitted()["counts"].summary
    assert s["converged"].all() and s["note"].isna().all()
