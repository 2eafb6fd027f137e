"""Tests of ``iomlib.impact.presence``: the comparison arm's known-presence correction."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from impact_support import small_force

from iomlib.config.settings import default_config
from iomlib.impact import StructuralRate
from iomlib.impact.decisions import day_data, decision_risk_sets
from iomlib.impact.models import g_estimate, logistic_fit
from iomlib.impact.presence import (
    days_since_seen,
    presence_probability,
    recorded_departures,
    recording_delays,
)


def test_presence_probability_is_bayes_rule():
    # left with chance g = 1 - exp(-0.365 * 100 / 365.25); adopted if there with chance
    # p = 0.5; P(there | not adopted) by hand
    g = 1 - np.exp(-0.365 * 100 / 365.25)
    p = 0.5
    want = (1 - g) * (1 - p) / ((1 - g) * (1 - p) + g)
    got = presence_probability([100.0], [0.5], 0.365)
    assert got[0] == pytest.approx(want, rel=1e-12)
    assert 0 < got[0] < 1


def test_presence_probability_is_one_without_leaving_and_falls_with_gap_and_propensity():
    assert np.all(presence_probability([1, 50, 91], [0.1, 0.9, 0.999], 0.0) == 1.0)
    by_gap = presence_probability([1, 30, 60, 90], [0.3] * 4, 0.05)
    assert np.all(np.diff(by_gap) < 0)
    by_p = presence_probability([30] * 4, [0.0, 0.3, 0.6, 0.9], 0.05)
    assert np.all(np.diff(by_p) < 0)
    # almost surely adopted if still there: not being adopted is strong evidence of having left
    assert presence_probability([90], [0.99], 0.05)[0] < 0.5


def test_logistic_fit_matches_statsmodels():
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(3)
    X = np.column_stack([np.ones(3000), rng.normal(size=3000), rng.random(3000) < 0.3])
    y = (rng.random(3000) < 1 / (1 + np.exp(-(-1 + 0.8 * X[:, 1] + 0.5 * X[:, 2])))).astype(float)
    p, ok = logistic_fit(y, X, ridge=0.0)
    ref = sm.Logit(y, X).fit(disp=0).predict(X)
    assert ok
    np.testing.assert_allclose(p, ref, rtol=1e-7, atol=1e-10)


def test_logistic_fit_stays_finite_under_separation():
    x = np.r_[np.zeros(50), np.ones(50)]
    X = np.column_stack([np.ones(100), x])
    for ridge in (1e-4, 1.0):
        p, ok = logistic_fit(x, X, ridge=ridge)
        assert ok and np.all(np.isfinite(p))
        assert p[x == 1].min() > 0.9 and p[x == 0].max() < 0.1
    # the penalty pulls towards no separation: weaker with more data behind each group
    strong = logistic_fit(x, X, ridge=1e-4)[0]
    assert strong[x == 1].min() > p[x == 1].min()


def _risk_table(rate: float, effect: float, seed: int):
    """Risk-set records drawn directly (no simulation of a force): people who left before the
    decision date can only be in the comparison arm and then offend no more."""
    rng = np.random.default_rng(seed)
    n = 40_000
    x = rng.normal(size=n)
    gap = rng.integers(1, 92, n).astype(float)
    gone = rng.random(n) < -np.expm1(-rate / 365.25 * gap)
    p_there = 1 / (1 + np.exp(-(-2.0 + 2.5 * x)))
    adopted = ~gone & (rng.random(n) < p_there)
    mu = 3.0 * np.exp(0.6 * x)
    y_managed = np.where(adopted, rng.poisson(mu * (1 - effect)), 0).astype(float)
    y_unmanaged = np.where(~adopted & ~gone, rng.poisson(mu), 0).astype(float)
    X = np.column_stack([np.ones(n), adopted.astype(float), x])
    return x, gap, adopted, y_unmanaged, y_managed, X


@pytest.mark.parametrize("effect", [0.0, 0.3])
def test_correction_recovers_the_effect_when_comparison_people_have_left(effect):
    """Records drawn by this test (not by a simulated force): 2-3% of the comparison records
    are people who left. Uncorrected, the effect is biased down by several points; with the
    known-presence exposure it is recovered."""
    rate = 0.4
    x, gap, adopted, yu, ym, X = _risk_table(rate, effect, seed=11)
    groups = np.arange(len(x))
    names = ["const", "adopted", "x"]

    def fit(exposure):
        return g_estimate(yu, ym, X, exposure, groups, names=names, cov_type="cr1")["estimate"]

    plain = fit(np.full(len(x), 365.0))
    ps, ok = logistic_fit(adopted.astype(float), X[:, [0, 2]],
                          scale=np.exp(-rate / 365.25 * gap))
    pi = np.where(adopted, 1.0, presence_probability(gap, ps, rate))
    corrected = fit(365.0 * pi)
    assert ok
    assert plain < effect - 0.03
    assert corrected == pytest.approx(effect, abs=0.015)


def test_days_since_seen_counts_offences_and_custody():
    ds, cfg = small_force(), default_config()
    dd = day_data(ds, None, cfg)
    rs = decision_risk_sets(dd, cfg).sample(300, random_state=2)
    got = days_since_seen(dd, rs["row"].to_numpy(), rs["decision_day"].to_numpy(),
                          rs["days_since"].to_numpy())
    off, cu = ds.offences, ds.custody
    for (_, r), g in zip(rs.iterrows(), got):
        d = r["decision_date"]
        o = off[(off["person_id"] == r["person_id"]) & (off["offence_date"] < d)]["offence_date"]
        c = cu[(cu["person_id"] == r["person_id"]) & (cu["start_date"] < d)]
        seen = [o.max()] if len(o) else []
        seen += [min(e, d - pd.Timedelta(days=1)) for e in c["end_date"]]
        want = min((d - max(seen)).days, 730) if seen else 730
        assert g == want, (r["person_id"], d)


def test_recorded_departures_counts_moves_and_deaths_and_managed_years():
    ds, cfg = small_force(), default_config()
    dd = day_data(ds, None, cfg)
    got = recorded_departures(dd)
    ep = ds.episodes[ds.episodes["adopted_on"] <= cfg.as_of]
    removed = ep["removed_on"].notna() & (ep["removed_on"] <= cfg.as_of)
    n = (removed & ep["removal_reason"].isin(["moved_away", "deceased"])).sum()
    end = ep["removed_on"].where(removed, cfg.as_of)
    days = (end - ep["adopted_on"]).dt.days.sum()     # episodes of a person do not overlap
    assert n > 0 and got["n_departures"] == n
    assert got["managed_years"] == pytest.approx(days / 365.25, rel=1e-3)


def test_main_estimate_with_no_leaving_is_the_uncorrected_fit():
    ds, cfg = small_force(), default_config()
    m0 = StructuralRate(departure_rate=0.0, n_bands=1).fit(ds, cfg)
    rs, X = m0.risk_sets_, m0.design_
    g = g_estimate((rs["y"] - rs["y_managed"]).to_numpy(float), rs["y_managed"].to_numpy(float),
                   X.to_numpy(float), rs["liberty"].to_numpy(float), rs["row"].to_numpy(),
                   names=list(X.columns), cov_type="cr3")
    assert m0.estimate_ == g["estimate"]
    assert m0.presence_["expected_gone"] == 0.0
    # the default (banded) fit likewise: exposure days at liberty, untouched
    from iomlib.impact.banded import band_outcomes, banded_g_estimate
    mb = StructuralRate(departure_rate=0.0).fit(ds, cfg)
    gb = banded_g_estimate(band_outcomes(mb.day_data_, rs), X.to_numpy(float), np.ones(len(rs)),
                           rs["row"].to_numpy(), rs["adopted"].to_numpy() == 1,
                           names=list(X.columns))
    assert mb.bands_ is not None and mb.estimate_ == gb["estimate"]
    assert (mb.ci_low_, mb.ci_high_) == (gb["ci_low"], gb["ci_high"])


def test_main_estimate_uses_the_recorded_rate_and_moves_up():
    ds, cfg = small_force(), default_config()
    m0 = StructuralRate(departure_rate=0.0).fit(ds, cfg)
    m = StructuralRate().fit(ds, cfg)
    rec = recorded_departures(m.day_data_)
    assert m.presence_["source"] == "recorded"
    assert m.presence_["rate_per_year"] == rec["rate_per_year"] > 0
    assert m.presence_["expected_gone"] > 0
    assert m.estimate_ > m0.estimate_
    h = m.headline()
    assert h["departure_rate_source"] == "recorded"
    assert h["departure_rate_per_year"] == round(rec["rate_per_year"], 4)


def test_no_recorded_moves_means_no_correction():
    ds, cfg = small_force(), default_config()
    quiet = ds.copy()
    ep = ds.episodes.copy()
    ep["removal_reason"] = ep["removal_reason"].where(
        ~ep["removal_reason"].isin(["moved_away", "deceased"]), "other")
    quiet.episodes = ep
    m = StructuralRate().fit(quiet, cfg)
    m0 = StructuralRate(departure_rate=0.0).fit(quiet, cfg)
    assert m.presence_["rate_per_year"] == 0.0
    assert m.estimate_ == m0.estimate_


@pytest.mark.parametrize("bad", [-0.1, 1.0, float("nan")])
def test_departure_rate_is_checked(bad):
    with pytest.raises(ValueError, match="departure_rate"):
        StructuralRate(departure_rate=bad)


def test_departure_sensitivity_refits_at_multiples_of_the_rate():
    ds, cfg = small_force(), default_config()
    m = StructuralRate().fit(ds, cfg)
    m0 = StructuralRate(departure_rate=0.0).fit(ds, cfg)
    m2 = StructuralRate(departure_rate=2 * m.presence_["rate_per_year"]).fit(ds, cfg)
    t = m.departure_sensitivity(multiples=(0.0, 1.0, 2.0))
    assert list(t["multiple"]) == [0.0, 1.0, 2.0]
    assert t["estimate"].tolist() == pytest.approx([m0.estimate_, m.estimate_, m2.estimate_])
    assert t["ci_low"].iloc[2] == pytest.approx(m2.ci_low_)
    assert t["expected_gone"].iloc[0] == 0 < t["expected_gone"].iloc[1] < t["expected_gone"].iloc[2]
    assert (t["n"] == m.n_rows_).all()
    assert len(StructuralRate(departure_rate=0.0).fit(ds, cfg).departure_sensitivity()) == 0


def test_departure_text_gives_the_rate_or_withholds_it():
    from iomlib.impact import departure_text
    h = {"departure_rate_per_year": 0.0345, "departure_rate_source": "recorded",
         "expected_gone_comparison": 13.1, "n_departures": 54}
    text = departure_text(h)
    assert "3.5% a year" in text and "about 13 comparison records are" in text
    one = departure_text({**h, "expected_gone_comparison": 0.7})
    assert "about one comparison record is" in one
    hidden = departure_text(h, withheld=True)
    assert "withheld" in hidden and "3.5" not in hidden
    assert "withheld" in departure_text({"n_departures_suppressed": True})
    assert "no correction was made" in departure_text({**h, "departure_rate_per_year": 0.0})


def test_method_names_the_correction_only_when_made():
    from iomlib.impact.gestimation import MAIN_METHOD
    ds, cfg = small_force(), default_config()
    assert StructuralRate().fit(ds, cfg).headline()["method"] == MAIN_METHOD
    plain = StructuralRate(departure_rate=0.0).fit(ds, cfg)
    assert "left unrecorded" in MAIN_METHOD and "left unrecorded" not in plain.headline()["method"]
    assert plain.summary["method"].iloc[0] == plain.headline()["method"]


def _last_seen_before(ds, person, day):
    """The last day before ``day`` the record shows ``person``: an offence, a day in custody
    or an adoption (this one on ``day`` too) (pandas, for comparison with
    :func:`recording_delays`)."""
    off, cu, ep = ds.offences, ds.custody, ds.episodes
    seen = list(off.loc[(off["person_id"] == person) & (off["offence_date"] < day),
                        "offence_date"])
    c = cu[(cu["person_id"] == person) & (cu["start_date"] < day)]
    seen += [min(e, day - pd.Timedelta(days=1)) for e in c["end_date"]]
    seen += list(ep.loc[(ep["person_id"] == person) & (ep["adopted_on"] <= day), "adopted_on"])
    return max(seen)


def test_recording_delays_run_from_the_last_sighting_to_the_removal():
    ds, cfg = small_force(), default_config()
    dd = day_data(ds, None, cfg)
    got = recording_delays(dd)
    ep = ds.episodes
    dep = ep[ep["removal_reason"].isin(["moved_away", "deceased"])
             & (ep["removed_on"] <= cfg.as_of)].sort_values(["person_id", "adopted_on"])
    want = sorted((r["removed_on"] - _last_seen_before(ds, r["person_id"], r["removed_on"])).days
                  for _, r in dep.iterrows())
    assert len(want) > 0 and sorted(got) == want


def test_recorded_departures_count_only_days_in_which_a_departure_could_be_recorded():
    ds, cfg = small_force(), default_config()
    dd = day_data(ds, None, cfg)
    got = recorded_departures(dd)
    delays = recording_delays(dd)
    ep = ds.episodes[ds.episodes["adopted_on"] <= cfg.as_of]
    end = ep["removed_on"].where(ep["removed_on"].notna() & (ep["removed_on"] <= cfg.as_of),
                                 cfg.as_of)
    days = (end - ep["adopted_on"]).dt.days.to_numpy()
    exposure = sum(np.mean([max(d - L, 0) for L in delays]) for d in days) / 365.25
    assert got["exposure_years"] == pytest.approx(exposure, rel=1e-9)
    assert got["exposure_years"] < got["managed_years"]
    assert got["rate_per_year"] == pytest.approx(len(delays) / exposure, rel=1e-9)
    assert got["median_delay_days"] == np.median(delays)


def _scheme_with_late_records(rate, n=4000, seed=5):
    """Episodes drawn here (not by a simulated force): people move at ``rate`` a year, are last
    seen up to 30 days before, and their move is recorded 30-240 days later if the episode,
    planned to last 60-720 days, is still open then; the as-of day cuts the rest."""
    rng = np.random.default_rng(seed)
    day0, last = 0, 1500
    adopt = rng.integers(0, 1200, n)
    planned = adopt + rng.integers(60, 721, n)
    move = adopt + rng.exponential(365.25 / rate, n).astype(int) + 1
    seen = np.maximum(move - rng.integers(1, 31, n), adopt)
    known = move + rng.integers(30, 241, n)
    recorded = (known <= np.minimum(planned, last))
    end = np.where(recorded, known, np.minimum(planned, last))
    removed = recorded | (planned <= last)
    rows = np.arange(n)
    stride = last - day0 + 2
    sighted = seen < end        # a sighting after the episode's end is not needed here
    dd = SimpleNamespace(
        day0=day0, last=last, stride=stride, adopt_row=rows, adopt_day=adopt, episode_end=end,
        remove_row=rows[removed], remove_day=end[removed],
        remove_reason=np.where(recorded, "moved_away", "reduced_risk")[removed],
        off_key=np.sort(rows[sighted] * stride + seen[sighted] - day0),
        custody=np.zeros((n, last - day0 + 1), bool))
    return dd


@pytest.mark.parametrize("rate", [0.15, 0.4])
def test_recorded_departure_rate_recovers_a_rate_the_record_learns_late(rate):
    got = recorded_departures(_scheme_with_late_records(rate))
    plain = got["n_departures"] / got["managed_years"]
    assert plain < 0.85 * rate                       # per year of management: far too low
    assert got["rate_per_year"] == pytest.approx(rate, rel=0.12)


def test_no_recording_delay_is_longer_than_its_episode():
    dd = _scheme_with_late_records(0.4, n=500)
    dd.off_key = np.array([], np.int64)                     # seen only when adopted
    dep = dd.remove_reason == "moved_away"
    lengths = dd.remove_day[dep] - dd.adopt_day[dd.remove_row[dep]]
    assert sorted(recording_delays(dd)) == sorted(lengths)
    # an episode removed for a move on the day it began: delay 0, not the days since day 0
    one = SimpleNamespace(**{**vars(dd), "remove_row": np.array([7]),
                             "remove_day": np.array([dd.adopt_day[7]]),
                             "remove_reason": np.array(["moved_away"])})
    assert list(recording_delays(one)) == [0]
