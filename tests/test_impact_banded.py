"""The managed-rate effect in bands of time on the scheme (iomlib.impact.banded).

The records are drawn here, by the test itself (not a simulated force): each record has a rate
set by one covariate; its follow-up is cut into windows; adopted records are managed from the
start, some comparison records from a later adoption, and the effect of management differs
between bands of time on the scheme (it fades).
"""
import numpy as np
import pandas as pd
import pytest

from iomlib.impact.banded import band_outcomes, banded_g_estimate, first_adoption
from iomlib.impact.models import g_estimate

EDGES = (0, 91, 182, 273, 365)
FADE = np.array([0.6, 0.4, 0.2, 0.0])          # true effect in each band (fading)


def _records(seed, n=1500, effects=FADE, share_later=0.6):
    """Windows, design, persons and adopted flags; and the truth of the estimand."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    adopted = rng.random(n) < 1 / (1 + np.exp(1.0 - 0.8 * x))   # selection on the record
    lam = np.exp(-4.0 + 0.6 * x)
    later = ~adopted & (rng.random(n) < share_later)
    start = np.where(adopted, 0, np.where(later, rng.integers(0, 300, n), 10 ** 6))
    windows, num, den = [], 0.0, 0.0
    for k in range(4):
        lo, hi = EDGES[k], EDGES[k + 1]
        days = np.arange(lo, hi)                              # days after the decision
        on = days[None, :] - start[:, None]                   # days on the scheme
        band = np.clip(np.searchsorted(EDGES, on, side="left") - 1, -1, 3)
        managed = np.zeros((k + 1, n))
        unman = rng.poisson(lam * (on <= 0).sum(axis=1)).astype(float)
        for j in range(k + 1):
            dj = ((on > 0) & (band == j)).sum(axis=1)
            managed[j] = rng.poisson(lam * (1 - effects[j]) * dj)
            num += (lam * (1 - effects[j]) * dj)[adopted].sum()
            den += (lam * dj)[adopted].sum()
        windows.append({"unmanaged": unman, "managed": managed,
                        "liberty": np.full(n, float(hi - lo))})
    X = np.column_stack([np.ones(n), adopted.astype(float), x])
    return windows, X, np.arange(n), adopted, 1 - num / den


def _fit(windows, X, groups, adopted):
    return banded_g_estimate(windows, X, np.ones(len(groups)), groups, adopted,
                             names=["const", "adopted", "x"])


def test_recovers_a_fading_effect_where_one_number_does_not():
    banded, single, truths = [], [], []
    for seed in range(6):
        w, X, g, a, truth = _records(seed)
        banded.append(_fit(w, X, g, a)["estimate"])
        yu = sum(v["unmanaged"] for v in w)
        ym = sum(v["managed"].sum(axis=0) for v in w)
        single.append(g_estimate(yu, ym, X, np.full(len(g), 365.0), g,
                                 names=["const", "adopted", "x"])["estimate"])
        truths.append(truth)
    err_b = np.mean(np.subtract(banded, truths))
    err_s = np.mean(np.subtract(single, truths))
    assert abs(err_b) < 0.02, (err_b, banded, truths)
    assert err_s < -0.03, (err_s, single, truths)       # one number is biased low by the fade


def test_constant_effect_equals_the_one_number_estimate_on_average():
    diffs = []
    for seed in range(4):
        w, X, g, a, truth = _records(100 + seed, effects=np.full(4, 0.3))
        yu = sum(v["unmanaged"] for v in w)
        ym = sum(v["managed"].sum(axis=0) for v in w)
        one = g_estimate(yu, ym, X, np.full(len(g), 365.0), g,
                         names=["const", "adopted", "x"])["estimate"]
        diffs.append(_fit(w, X, g, a)["estimate"] - one)
        assert abs(truth - 0.3) < 1e-12
    assert abs(np.mean(diffs)) < 0.015, diffs


def test_interval_matches_a_brute_force_jackknife():
    """The linearised jackknife against leaving each person out and refitting everything."""
    w, X, g, a, _ = _records(7, n=300, share_later=0.5)
    fit = _fit(w, X, g, a)
    theta = np.log(1 - fit["estimate"])
    d = []
    for i in range(len(g)):
        keep = g != i
        wi = [{"unmanaged": v["unmanaged"][keep], "managed": v["managed"][:, keep],
               "liberty": v["liberty"][keep]} for v in w]
        d.append(np.log(1 - _fit(wi, X[keep], g[keep], a[keep])["estimate"]) - theta)
    G = len(g)
    se_exact = np.sqrt((G - 1) / G * np.sum(np.square(d)))
    assert fit["se_log"] == pytest.approx(se_exact, rel=0.1)
    assert fit["ci_low"] < fit["estimate"] < fit["ci_high"]
    assert np.log(1 - fit["ci_low"]) - theta == pytest.approx(1.959964 * fit["se_log"])


def test_no_root_in_a_band_gives_nan_not_a_number_from_nowhere():
    w, X, g, a, _ = _records(3, n=400)
    for v in w:                      # no managed offence at all among the adopted, band 1
        v["managed"][0][a] = 0.0
        v["unmanaged"][a] = 0.0
    out = _fit(w, X, g, a)
    assert np.isnan(out["estimate"]) and out["converged"] is False


class _DD:
    """Just what first_adoption and band_outcomes read of a DayData."""

    def __init__(self, adopt_row, adopt_day, offences, managed_days):
        self.adopt_row, self.adopt_day = np.asarray(adopt_row), np.asarray(adopt_day)
        self.offences = offences          # (row, day)
        self.managed_days = managed_days  # set of (row, day)

    def count(self, key, rows, lo, hi):
        rows, lo, hi = (np.broadcast_to(np.asarray(v), np.shape(rows)) for v in (rows, lo, hi))
        pick = self.offences if key == "off" else [o for o in self.offences
                                                   if o in self.managed_days]
        return np.array([sum(1 for (rr, dd) in pick if rr == r and lo_ <= dd <= hi_)
                         for r, lo_, hi_ in zip(rows, lo, hi)], float)

    def days(self, cum, rows, lo, hi):
        return (np.asarray(hi) - np.asarray(lo) + 1).clip(0).astype(float)

    off_key, man_key, lib_cum = "off", "man", None


def test_band_outcomes_split_managed_offences_by_time_on_the_scheme():
    # person 0 decided on day 100 and adopted on day 150: managed from 151
    offences = [(0, 120), (0, 160), (0, 250), (0, 300), (0, 420)]
    managed = {(0, d) for d in range(151, 1000)}
    dd = _DD([0], [150], offences, managed)
    rs = pd.DataFrame({"row": [0], "decision_day": [100]})
    w = band_outcomes(dd, rs)
    # window 1: days 101-191: 120 unmanaged, 160 managed (10 days on: band 1)
    assert w[0]["unmanaged"][0] == 1 and w[0]["managed"][:, 0].tolist() == [1]
    # window 2: days 192-282: 250 (100 days on: band 2)
    assert w[1]["managed"][:, 0].tolist() == [0, 1]
    # window 3: days 283-373: 300 (150 days on: band 2)
    assert w[2]["managed"][:, 0].tolist() == [0, 1, 0]
    # window 4: days 374-465: 420 (270 days on: band 3)
    assert w[3]["managed"][:, 0].tolist() == [0, 0, 1, 0]
    assert first_adoption(dd, np.array([0, 0, 1]), np.array([100, 151, 0])).tolist() == \
        [150, 10 ** 9, 10 ** 9]


def test_a_person_without_whom_there_is_no_estimate_makes_the_interval_unbounded():
    """If leaving one person out would move a band's effect past 1 (no rate left), the
    jackknife cannot use that person: the interval is open-ended, not narrowed by dropping
    them."""
    from iomlib.impact.banded import _combine
    w = [{"managed": np.array([[4.0, 6.0, 0.0]]), "unmanaged": np.zeros(3),
          "liberty": np.ones(3)}]
    adopted = np.array([True, True, False])
    inv = np.array([0, 1, 2])
    ok = _combine(w, [0.5], [np.array([0.1, -0.1, 0.0])], [np.array([1.0])], adopted, inv, 3,
                  [], True)
    assert np.isfinite(ok["ci_low"]) and ok["estimate"] == pytest.approx(0.5)
    bad = _combine(w, [0.5], [np.array([-10.0, 0.1, 0.0])], [np.array([1.0])], adopted, inv,
                   3, [], True)
    assert bad["estimate"] == pytest.approx(0.5)
    assert bad["ci_low"] == -np.inf and bad["ci_high"] == 1.0 and bad["se_log"] == np.inf
