"""Risk-reduction measures on the hand-built dataset, with the counts configuration
(risk = number of offences in the trailing 365 days; see conftest.make_small_dataset).

Removed episodes 2016-01-01..2020-01-31: E1 (risk 4 -> 1, -75%), E3 (2 -> 3, +50%), E7 (0 -> 1,
zero at adoption: excluded). Mean of ratios 12.5%; ratio of means (3 - 2) / 3 = 33.3%.

Month 12 (landmark on or before 2020-01-31): E1 (4 -> 1), E2 (2 -> 1), E3 (2 -> 3, removed
before 12 months), E7 (0 -> 1). Reached: E1, E2 (+ E7 excluded): mean 62.5%, ratio of means
66.7%. Intention to treat: E1, E2, E3: mean 25%, ratio of means 37.5%.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from iomlib.measures.reduction import (
    episode_before_after,
    figure_a,
    month12_episodes,
    month12_reduction,
    removed_episodes,
    removed_reduction,
)
from iomlib.risk.engine import compute_scores, offence_weights

SINCE, AS_OF = "2016-01-01", "2020-01-31"


def _rows(df, alternative=False):
    return df[df["definition"].str.contains(r"\[alternative\]") == alternative]


def _by_kind(df):
    """{'mean': row, 'ratio_of_means': row, 'median': row}."""
    out = {}
    for _, r in df.iterrows():
        d = r["definition"]
        key = ("mean" if d.startswith("mean of") else "ratio_of_means" if "ratio of means" in d
               else "median" if d.startswith("median") else None)
        assert key is not None, d
        out[key] = r
    return out


def test_removed_episodes_scores(small_dataset, counts_config):
    rem = removed_episodes(small_dataset, SINCE, AS_OF, counts_config).set_index("episode_id")
    assert sorted(rem.index) == ["E1", "E3", "E7"]
    np.testing.assert_allclose(rem.loc[["E1", "E3", "E7"], "risk_at_adoption"], [4, 2, 0],
                               rtol=1e-9)
    np.testing.assert_allclose(rem.loc[["E1", "E3", "E7"], "risk_at_removal"], [1, 3, 1],
                               rtol=1e-9)
    np.testing.assert_allclose(rem.loc[["E1", "E3"], "reduction_pct"], [75, -50], rtol=1e-6)
    assert np.isnan(rem.loc["E7", "reduction_pct"])


def test_removed_reduction_mean_of_ratios_vs_ratio_of_means(small_dataset, counts_config):
    out = removed_reduction(small_dataset, SINCE, AS_OF, counts_config)
    assert (out["measure"] == "removed_mean_reduction_pct").all()
    assert out["headline"].sum() == 1
    k = _by_kind(out)
    assert k["mean"]["headline"]
    assert k["mean"]["value"] == pytest.approx(12.5, rel=1e-6)
    assert k["ratio_of_means"]["value"] == pytest.approx(100 / 3, rel=1e-6)
    assert k["median"]["value"] == pytest.approx(12.5, rel=1e-6)
    for r in k.values():
        assert r["n"] == 2
        assert r["excluded"] == 1 and "zero" in r["excluded_reason"]
    # t interval for the mean of (75, -50): 12.5 +- t(0.975, 1) * sd / sqrt(2)
    half = stats.t.ppf(0.975, 1) * np.std([75, -50], ddof=1) / np.sqrt(2)
    assert k["mean"]["ci_low"] == pytest.approx(12.5 - half, rel=1e-6)
    assert k["mean"]["ci_high"] == pytest.approx(12.5 + half, rel=1e-6)


def test_removed_reduction_period_filters_on_removal_date(small_dataset, counts_config):
    # only E1 (removed 2017-04-30) and E3 (2018-03-31) in 2017-01-01..2018-12-31
    out = _by_kind(removed_reduction(small_dataset, "2017-01-01", "2018-12-31", counts_config))
    assert out["mean"]["n"] == 2 and out["mean"]["excluded"] == 0
    out = _by_kind(removed_reduction(small_dataset, "2017-05-01", "2018-12-31", counts_config))
    assert out["mean"]["n"] == 1 and out["mean"]["value"] == pytest.approx(-50, rel=1e-6)
    assert np.isnan(out["mean"]["ci_low"])


def test_removed_reduction_with_no_episodes(small_dataset, counts_config):
    out = _by_kind(removed_reduction(small_dataset, "2019-01-01", "2019-12-31", counts_config))
    assert out["mean"]["n"] == 0 and np.isnan(out["mean"]["value"])


def test_removed_episodes_use_the_default_risk_score(small_dataset):
    rem = removed_episodes(small_dataset, SINCE, AS_OF)
    r0 = compute_scores(small_dataset.offences, rem[["person_id"]].assign(date=rem["adopted_on"]))
    r1 = compute_scores(small_dataset.offences, rem[["person_id"]].assign(date=rem["removed_on"]))
    np.testing.assert_allclose(rem["risk_at_adoption"], r0)
    np.testing.assert_allclose(rem["risk_at_removal"], r1)
    # E1 at adoption (2016-03-31), by hand: burglary 326 days, theft 212, burglary 98,
    # shoplifting 0 days before
    e1 = rem.set_index("episode_id").loc["E1", "risk_at_adoption"]
    hand = (465.38 * 0.5 ** (326 / 180) + 80.41 * 0.5 ** (212 / 180)
            + 465.38 * 0.5 ** (98 / 180) + 11.86)
    assert e1 == pytest.approx(hand, rel=1e-12)


def test_month12_episodes(small_dataset, counts_config):
    ep = month12_episodes(small_dataset, AS_OF, counts_config).set_index("episode_id")
    assert sorted(ep.index) == ["E1", "E2", "E3", "E7"]
    assert ep["reached"].to_dict() == {"E1": True, "E2": True, "E3": False, "E7": True}
    assert ep.loc["E1", "landmark"] == pd.Timestamp("2017-03-31")
    np.testing.assert_allclose(ep.loc[["E1", "E2", "E3", "E7"], "risk_at_adoption"],
                               [4, 2, 2, 0], rtol=1e-9)
    # E1 + 12 months: the offence on the adoption day is exactly 365 days old and drops out
    np.testing.assert_allclose(ep.loc[["E1", "E2", "E3", "E7"], "risk_at_month"],
                               [1, 1, 3, 1], rtol=1e-9)


def test_month12_only_episodes_that_reached_12_months(small_dataset, counts_config):
    out = month12_reduction(small_dataset, AS_OF, counts_config)
    assert out["headline"].sum() == 1
    head = _by_kind(_rows(out, alternative=False))
    assert head["mean"]["headline"]
    assert head["mean"]["value"] == pytest.approx(62.5, rel=1e-6)
    assert head["ratio_of_means"]["value"] == pytest.approx(200 / 3, rel=1e-6)
    assert head["median"]["value"] == pytest.approx(62.5, rel=1e-6)
    assert head["mean"]["n"] == 2 and head["mean"]["excluded"] == 1
    itt = _by_kind(_rows(out, alternative=True))
    assert not any(r["headline"] for r in itt.values())
    assert itt["mean"]["value"] == pytest.approx(25.0, rel=1e-6)
    assert itt["ratio_of_means"]["value"] == pytest.approx(37.5, rel=1e-6)
    assert itt["median"]["value"] == pytest.approx(50.0, rel=1e-6)
    assert itt["mean"]["n"] == 3 and itt["mean"]["excluded"] == 1


def test_month12_landmark_must_be_reached_by_as_of(small_dataset, counts_config):
    # as of 2019-01-30, E2's landmark (2019-01-31) is a day away
    ep = month12_episodes(small_dataset, "2019-01-30", counts_config)
    assert sorted(ep["episode_id"]) == ["E1", "E3", "E7"]
    ep = month12_episodes(small_dataset, AS_OF, counts_config, months=6, since="2017-01-01")
    assert sorted(ep["episode_id"]) == ["E2", "E3", "E4", "E5", "E6"]
    assert ep.set_index("episode_id")["reached"].to_dict() == {
        "E2": True, "E3": True, "E4": True, "E5": True, "E6": True}


def test_episode_before_after_by_hand(small_dataset, counts_config):
    off = small_dataset.offences
    w = pd.Series(offence_weights(off, counts_config), index=off.index)
    out = episode_before_after(small_dataset.episodes, off, w).set_index("episode_id")
    freq = out[["frequency_before", "frequency_after"]].astype(int)
    assert freq.loc["E1"].tolist() == [4, 1]  # adoption-day offence counts as "before"
    assert freq.loc["E2"].tolist() == [2, 1]
    assert freq.loc["E3"].tolist() == [2, 3]
    assert freq.loc["E7"].tolist() == [0, 1]
    assert freq.loc["E8"].tolist() == [0, 0]
    sev = pd.Series(offence_weights(off), index=off.index)
    out = episode_before_after(small_dataset.episodes, off, sev).set_index("episode_id")
    assert out.loc["E1", "severity_before"] == pytest.approx(465.38 + 80.41 + 465.38 + 11.86)
    assert out.loc["E1", "severity_after"] == pytest.approx(80.41)
    assert out.loc["E2", "severity_before"] == pytest.approx(799.63 * 1.5 + 465.38)


def test_figure_a_rows(small_dataset):
    fa = figure_a(small_dataset, years=(2016, 2017, 2018, 2019)).set_index(["year", "outcome"])
    assert len(fa) == 8
    r = fa.loc[(2016, "frequency")]
    assert r["n"] == 1 and r["mean_before"] == 4 and r["mean_after"] == 1
    assert r["n_decreased"] == 1 and r["n_increased"] == 0
    assert fa.loc[(2017, "frequency"), "n_increased"] == 1  # E3: 2 -> 3
    # 2019 adoptions' after-windows end beyond the last offence (2019-12-30): none used
    assert fa.loc[(2019, "frequency"), "n"] == 0


def test_figure_a_by_cohort(default_data):
    fa = figure_a(default_data, years=(2018,), cohorts="DVIOM").set_index("outcome")
    ep = default_data.episodes
    n = int(((ep["cohort"] == "DVIOM") & (ep["adopted_on"].dt.year == 2018)).sum())
    assert fa.loc["frequency", "n"] == n > 0


def test_zero_risk_at_adoption_only_episode(small_dataset, counts_config):
    ds = replace(small_dataset, episodes=small_dataset.episodes[
        small_dataset.episodes["episode_id"] == "E7"])
    out = _by_kind(removed_reduction(ds, SINCE, AS_OF, counts_config))
    assert out["mean"]["n"] == 0 and out["mean"]["excluded"] == 1
    assert np.isnan(out["mean"]["value"])
