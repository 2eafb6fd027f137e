"""Tests of the verdicts and the calibration check of ``benchmarks/impact_coverage.py``."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "impact_coverage.py"
_spec = importlib.util.spec_from_file_location("impact_coverage_bench", _PATH)
cov = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cov)


def _rows(*cells):
    """Summary rows of the main estimate: (effect, bias, bias_se, coverage, coverage_se)."""
    return pd.DataFrame([{"effect": e, "bias": b, "bias_se": bs, "coverage": c,
                          "coverage_se": cs} for e, b, bs, c, cs in cells])


def test_main_verdict_meets_the_goal_only_inside_the_band():
    ok = _rows((0, 0.01, 0.01, 0.95, 0.015), (0.2, -0.019, 0.01, 0.93, 0.018))
    assert cov.verdict(ok, main=True).startswith("meets the goal")
    for bad in (_rows((0, 0.021, 0.01, 0.95, 0.015)), _rows((0, 0.0, 0.01, 0.975, 0.011)),
                _rows((0, 0.0, 0.01, 0.925, 0.019))):
        assert cov.verdict(bad, main=True).startswith("misses the goal")


def test_main_verdict_says_how_far_a_miss_is_in_monte_carlo_errors():
    near = cov.verdict(_rows((0, -0.008, 0.012, 0.975, 0.011)), main=True)
    assert "less than one Monte Carlo standard error" in near
    assert "coverage 97.5% +/- 1.1 at planted 0, above 93-97%" in near
    far = cov.verdict(_rows((0.2, -0.05, 0.01, 0.95, 0.015)), main=True)
    assert "less than one" not in far and "up to 3.0 Monte Carlo standard errors" in far
    assert "bias -0.050 +/- 0.010 at planted 0.2" in far


def test_a_coverage_of_100_percent_is_measured_from_the_band():
    rows = _rows((0.3, -0.01, 0.02, 1.0, 0.0)).assign(n_ci=20)
    got = cov.verdict(rows, main=True)
    far = (1.0 - 0.97) / np.sqrt(0.97 * 0.03 / 20)       # 0.79 s.e. of a 97% coverage
    assert "less than one Monte Carlo standard error" in got and far < 1
    rows = _rows((0.3, -0.01, 0.02, 1.0, 0.0)).assign(n_ci=200)
    assert "up to 2.5 Monte Carlo standard errors" in cov.verdict(rows, main=True)


def test_chance_outside_the_band_is_the_binomial_sum():
    inside = sum(binom.pmf(k, 200, 0.95) for k in range(186, 195))     # 93.0% to 97.0%
    one, any6 = cov.chance_outside_goal(200, 6)
    assert one == pytest.approx(1 - inside, abs=1e-12)
    assert any6 == pytest.approx(1 - inside ** 6, abs=1e-12)
    assert 0.10 < one < 0.20


def _runs(se_claimed, se_true, n=4000, seed=0):
    """Forces whose log rate ratios scatter with ``se_true`` around the truth and whose
    intervals claim ``se_claimed`` (drawn here, not by a simulated world)."""
    rng = np.random.default_rng(seed)
    truth = 0.3
    lr = np.log1p(-truth) + rng.normal(0, se_true, n)
    return pd.DataFrame({"estimator": "MAIN: g-estimation", "world": "A", "effect": truth,
                         "truth": truth, "estimate": -np.expm1(lr),
                         "ci_low": -np.expm1(lr + 1.96 * se_claimed),
                         "ci_high": -np.expm1(lr - 1.96 * se_claimed)})


@pytest.mark.parametrize("claimed, ratio", [(0.2, 1.0), (0.4, 2.0), (0.1, 0.5)])
def test_calibration_compares_interval_width_with_spread(claimed, ratio):
    got = cov.calibration(_runs(claimed, 0.2)).iloc[0]
    assert got["n"] == 4000
    assert got["rms_se"] == pytest.approx(claimed, rel=1e-9)
    assert got["ratio"] == pytest.approx(ratio, rel=0.05)
    assert got["z_sd"] == pytest.approx(1 / ratio, rel=0.05)


def test_calibration_leaves_out_open_intervals():
    runs = _runs(0.2, 0.2, n=10)
    runs.loc[0, "ci_low"] = np.nan
    runs.loc[1, "ci_low"] = -np.inf
    assert cov.calibration(runs).iloc[0]["n"] == 8


def test_world_b_overrides_are_typed_and_checked():
    got = cov.world_b_overrides(["excitation=1.5", "capacity=150"])
    assert got == {"excitation": 1.5, "capacity": 150} and isinstance(got["capacity"], int)
    assert cov.world_b_overrides([]) == {}
    for bad, says in (("excitation", "KEY=VALUE"), ("nosuch=1", "KEY=VALUE"),
                      ("seed=3", "KEY=VALUE"), ("capacity=1.5", "capacity must be a whole number")):
        with pytest.raises(ValueError, match=says):
            cov.world_b_overrides([bad])
