"""iomlib.impact.survival: Cox with covariates and Kaplan-Meier (the published models are in
tests/test_real_data.py)."""
import numpy as np
import pandas as pd
import pytest

from iomlib.impact.survival import SurvivalDataError, cox_model, hazard_ratio, kaplan_meier


def _data(n=400, beta=(0.7, -0.5), seed=1):
    """Exponential times with two covariates, independent censoring."""
    rng = np.random.default_rng(seed)
    x1 = rng.integers(0, 2, n)
    x2 = rng.normal(size=n)
    rate = np.exp(beta[0] * x1 + beta[1] * x2)
    t = rng.exponential(1 / rate)
    c = rng.exponential(2.0, n)
    return pd.DataFrame({"time": np.minimum(t, c), "event": (t <= c).astype(int),
                         "x1": x1, "x2": x2})


def test_cox_model_recovers_known_coefficients():
    d = _data(n=4000)
    res = cox_model(d, "time", "event", ["x1", "x2"])
    assert res.coef["x1"] == pytest.approx(0.7, abs=0.08)
    assert res.coef["x2"] == pytest.approx(-0.5, abs=0.06)
    assert res.table.loc["x1", "ci_low"] < np.exp(0.7) < res.table.loc["x1", "ci_high"]
    assert res.lr_df == 2 and res.lr_p < 1e-6
    assert res.lr_statistic == pytest.approx(2 * (res.log_likelihood - res.log_likelihood_null))
    assert res.n == 4000 and res.events == int(d["event"].sum())


def test_cox_partial_likelihood_by_hand_without_ties():
    """With no ties Efron is Breslow: check the log-likelihood at the estimate directly."""
    d = _data(n=60, seed=4)
    res = cox_model(d, "time", "event", ["x1", "x2"])
    eta = d[["x1", "x2"]].to_numpy() @ res.coef.to_numpy()
    order = np.argsort(d["time"].to_numpy())
    ll = 0.0
    for i in order:
        if d["event"].iloc[i]:
            at_risk = d["time"].to_numpy() >= d["time"].iloc[i]
            ll += eta[i] - np.log(np.exp(eta[at_risk]).sum())
    assert res.log_likelihood == pytest.approx(ll, abs=1e-8)


def test_hazard_ratio_adjusts_and_leaves_out_constant_covariates():
    d = _data().assign(const=1.0)
    out = hazard_ratio(d, "time", "event", "x1", ["x2", "const"])
    assert out["covariates"] == ["x2"]
    assert "const" in out["note"]
    crude = hazard_ratio(d, "time", "event", "x1")
    assert crude["covariates"] == [] and crude["hazard_ratio"] != out["hazard_ratio"]


@pytest.mark.parametrize("change, message", [
    (lambda d: d.assign(event=0), "no events"),
    (lambda d: d.assign(x1=1), "only one value"),
    (lambda d: d.iloc[:0], "nobody"),
    (lambda d: d.assign(x2=np.nan), "missing values"),
    (lambda d: d.drop(columns="x2"), "not in the data"),
])
def test_cox_model_says_why_it_cannot_fit(change, message):
    with pytest.raises(SurvivalDataError, match=message):
        cox_model(change(_data()), "time", "event", ["x1", "x2"])


def test_kaplan_meier_by_group_matches_a_hand_computation():
    a = pd.DataFrame({"t": [1, 2, 2, 3], "e": [1, 1, 0, 1]})
    km = kaplan_meier({"a": a, "empty": a.iloc[:0]}, "t", "e")
    assert list(km.columns) == ["group", "days", "survival", "ci_low", "ci_high", "at_risk"]
    assert set(km["group"]) == {"a"}
    s = km.set_index("days")["survival"]
    assert s[1] == pytest.approx(3 / 4)
    assert s[2] == pytest.approx(3 / 4 * 2 / 3)
    assert s[3] == pytest.approx(0.0)
    assert kaplan_meier({"x": a.iloc[:0]}, "t", "e").empty
