"""Tests of ``iomlib.impact.gestimation``: the main estimate on a force."""
from __future__ import annotations

import pytest
from impact_support import fitted

from iomlib.impact.base import SUMMARY_COLUMNS
from iomlib.impact.gestimation import MAIN_METHOD

ARM_KEYS = ("n_people", "n_people_managed", "n_people_comparison", "n_people_both",
            "n_person_periods_managed", "n_person_periods_comparison")


def test_structural_rate_summary():
    s = fitted()["main"]
    assert list(s.summary.columns) == SUMMARY_COLUMNS
    assert list(s.summary["key"]) == ["g_estimate"]
    assert s.ci_low_ < s.estimate_ < s.ci_high_
    assert 0 < s.managed_share_["not_adopted"] < s.managed_share_["adopted"] <= 1


def test_structural_rate_headline():
    s = fitted()["main"]
    h = s.headline()
    assert set(h) == {"estimate", "ci_low", "ci_high", "method", "n_treated", "n_control",
                      "converged", "note", *ARM_KEYS, "departure_rate_per_year",
                      "departure_rate_source", "expected_gone_comparison", "n_departures"}
    assert h["estimate"] == round(s.estimate_, 4) and h["method"] == MAIN_METHOD


def test_structural_rate_reports_non_convergence(monkeypatch):
    """A g-estimation whose Poisson fits stop after one step is marked in the summary row, the
    headline, ``impact_headline`` and the text of ``iom impact``, and warns."""
    import pytest
    from impact_support import small_force, small_panel

    from iomlib.impact import summary
    from iomlib.impact.gestimation import StructuralRate
    with pytest.warns(RuntimeWarning, match="did not converge"):
        s = StructuralRate(max_iter=1).fit(small_force(), panel=small_panel())
    row = s.summary.iloc[0]
    assert not s.converged_ and not row["converged"]
    assert "did not converge" in row["note"] and row["note"] == s.note_
    h = s.headline()
    assert h["converged"] is False and h["note"] == s.note_
    good = fitted()["main"]
    assert good.converged_ and good.note_ is None and good.summary["converged"].all()
    assert good.headline()["converged"] is True and good.headline()["note"] is None

    class OneStep(StructuralRate):
        def __init__(self, follow_up=12, max_iter=1):
            super().__init__(follow_up, max_iter)
    monkeypatch.setattr(summary, "StructuralRate", OneStep)
    with pytest.warns(RuntimeWarning, match="did not converge"):
        hh = summary.impact_headline(small_force())
    assert hh["converged"] is False and "did not converge" in hh["note"]
    with pytest.warns(RuntimeWarning):
        text = summary.run_impact(small_force())
    assert "WARNING: did not converge" in text


def test_arm_counts_on_a_hand_built_risk_set():
    """Four people over three month ends: 1 compared twice then adopted; 2 adopted at once;
    3 only compared; 4 compared once then adopted. Managed arm {1, 2, 4}, comparison {1, 3, 4}
    (people 1 and 4 in both), four distinct people and nine person-periods."""
    import pandas as pd

    from iomlib.impact.gestimation import arm_counts
    rs = pd.DataFrame({"row": [1, 1, 1, 2, 3, 3, 3, 4, 4],
                       "month": [0, 1, 2, 0, 0, 1, 2, 1, 2],
                       "adopted": [0, 0, 1, 1, 0, 0, 0, 0, 1]})
    assert arm_counts(rs) == {"n_people": 4, "n_people_managed": 3, "n_people_comparison": 3,
                              "n_people_both": 2, "n_person_periods_managed": 3,
                              "n_person_periods_comparison": 6}


def test_structural_rate_counts_people_per_arm():
    """n_treated / n_control keep their values (distinct people per arm); the headline adds the
    distinct people overall, the people in both arms and the person-periods."""
    s = fitted()["main"]
    rs = s.risk_sets_
    h = s.headline()
    assert h["n_treated"] == rs.loc[rs["adopted"] == 1, "row"].nunique() == h["n_people_managed"]
    assert h["n_control"] == rs.loc[rs["adopted"] == 0, "row"].nunique()
    assert h["n_control"] == h["n_people_comparison"]
    assert h["n_people"] == rs["row"].nunique()
    assert h["n_people"] == h["n_treated"] + h["n_control"] - h["n_people_both"]
    assert 0 < h["n_people_both"] <= h["n_treated"]
    assert h["n_person_periods_managed"] + h["n_person_periods_comparison"] == s.n_rows_


def test_banded_by_default_and_one_effect_on_request():
    """The default fit has one effect per quarter on the scheme, combined; ``n_bands=1`` is
    the one-effect fit with its test-inversion interval; the method says which."""
    from impact_support import small_force

    from iomlib.impact.gestimation import StructuralRate, main_method
    ds = small_force()
    b = StructuralRate(departure_rate=0.0).fit(ds)
    one = StructuralRate(departure_rate=0.0, n_bands=1).fit(ds)
    assert list(b.bands_["band"]) == [0, 1, 2, 3]
    assert list(b.bands_["first_day"]) == [1, 92, 183, 275]
    assert list(b.bands_["last_day"]) == [91, 182, 274, 365]
    assert b.method_ == main_method(False) and "quarter" in b.method_
    assert one.bands_ is None and one.method_ == main_method(False, banded=False)
    assert "test inversion" in one.method_ and "test inversion" not in b.method_
    # the combination is a ratio of the adopted records' managed offences, by hand
    e = b.bands_["e"].to_numpy()
    w = b.bands_["adopted_managed_offences"].to_numpy()
    assert b.estimate_ == pytest.approx(1 - w.sum() / (w / (1 - e)).sum())
    assert b.ci_low_ < b.estimate_ < b.ci_high_


def test_falls_back_to_one_effect_when_a_band_has_no_root(monkeypatch):
    from impact_support import small_force

    from iomlib.impact import gestimation
    real = gestimation.banded_g_estimate

    def no_root(*args, **kwargs):
        out = real(*args, **kwargs)
        return {**out, "estimate": float("nan")}
    monkeypatch.setattr(gestimation, "banded_g_estimate", no_root)
    ds = small_force()
    fb = gestimation.StructuralRate(departure_rate=0.0).fit(ds)
    one = gestimation.StructuralRate(departure_rate=0.0, n_bands=1).fit(ds)
    assert fb.bands_ is None and fb.estimate_ == one.estimate_
    assert fb.method_ == one.method_ and "test inversion" in fb.method_


@pytest.mark.parametrize("bad", [0, 13, 2.5, "4"])
def test_n_bands_is_checked(bad):
    from iomlib.impact.gestimation import StructuralRate
    with pytest.raises(ValueError, match="n_bands"):
        StructuralRate(n_bands=bad)
