"""Tests for iomlib.measures.dv (DVIOM outcomes) against a hand-built dataset.

Harm uses the plain-count severity table (every offence weighs 1) with the default weapon uplift
of 0.5, so a weapon-enabled offence weighs 1.5. As of 2019-12-31.

* D (DVIOM, adopted 2018-06-30): domestic-abuse offences
  2017-11-15 V1 | 2018-02-01 V1 | 2018-03-01 V2 (weapon) | 2018-04-01 no victim |
  2018-06-30 V2 (adoption day: "before") | 2018-09-01 V1 | 2019-03-01 V3 | 2019-07-01 V1,
  and a non-domestic theft on 2018-05-01 (never counted).

  12 months: before (2017-06-30, 2018-06-30] = 5 offences, harm 5.5, victims V1 V2 (2), both
  repeat (2); after (2018-06-30, 2019-06-30] = 2 offences, harm 2, victims V1 V3 (2), repeat 0.
  6 months: before (2017-12-31, 2018-06-30] = 4 offences, harm 4.5, victims 2, repeat 1 (V2);
  after (2018-06-30, 2018-12-31] = 1 offence, harm 1, victims 1, repeat 0.
* G (DVIOM, adopted 2018-01-31): no domestic-abuse offences: zeros, complete.
* E (DVIOM, adopted 2019-09-30): follow-up incomplete on 2019-12-31 for both windows.
* F (IOM, adopted 2018-06-30): one domestic-abuse offence 2018-05-01; not DVIOM.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iomlib.config.settings import default_config
from iomlib.data.dataset import Dataset
from iomlib.errors import ParameterError
from iomlib.measures import dv
from iomlib.measures.stats import wilson_interval

AS_OF = "2019-12-31"


def _d(values):
    return pd.Series(pd.to_datetime(list(values)), dtype="datetime64[ns]")


def _o(values):
    return pd.Series(list(values), dtype=object)


def build_dv_dataset() -> Dataset:
    people = pd.DataFrame({"person_id": _o("DGEF"), "birth_year": [1980, 1981, 1982, 1983],
                           "sex": _o("MMMM"), "area": _o(["X"] * 4)})
    episodes = pd.DataFrame({
        "episode_id": _o(["ED", "EG", "EE", "EF"]), "person_id": _o("DGEF"),
        "cohort": _o(["DVIOM", "DVIOM", "DVIOM", "IOM"]),
        "adopted_on": _d(["2018-06-30", "2018-01-31", "2019-09-30", "2018-06-30"]),
        "removed_on": _d([None] * 4), "removal_reason": _o([None] * 4),
    })
    off = [  # person, date, category, weapon, victim
        ("D", "2017-11-15", "domestic_abuse", False, "V1"),
        ("D", "2018-02-01", "domestic_abuse", False, "V1"),
        ("D", "2018-03-01", "domestic_abuse", True, "V2"),
        ("D", "2018-04-01", "domestic_abuse", False, None),
        ("D", "2018-05-01", "theft", False, "V9"),
        ("D", "2018-06-30", "domestic_abuse", False, "V2"),
        ("D", "2018-09-01", "domestic_abuse", False, "V1"),
        ("D", "2019-03-01", "domestic_abuse", False, "V3"),
        ("D", "2019-07-01", "domestic_abuse", False, "V1"),
        ("F", "2018-05-01", "domestic_abuse", False, "V7"),
        ("E", "2019-10-01", "domestic_abuse", False, "V8"),
    ]
    offences = pd.DataFrame({
        "offence_id": _o([f"O{i}" for i in range(len(off))]),
        "person_id": _o([o[0] for o in off]), "offence_date": _d([o[1] for o in off]),
        "offence_code": _o(["8N"] * len(off)), "offence_category": _o([o[2] for o in off]),
        "weapon": pd.Series([o[3] for o in off], dtype=bool),
        "domestic": pd.Series([o[2] == "domestic_abuse" for o in off], dtype=bool),
        "victim_id": _o([o[4] for o in off]),
    })
    custody = pd.DataFrame({"person_id": _o([]), "start_date": _d([]), "end_date": _d([]),
                            "sentence_kind": _o([])})
    survey = pd.DataFrame({c: pd.Series(dtype=t) for c, t in (
        ("survivor_id", object), ("person_id", object), ("referred_on", "datetime64[ns]"),
        ("responded", bool), ("responded_on", "datetime64[ns]"), ("felt_safer", object),
        ("risk_reduced", "Int64"), ("quality_of_life", "Int64"))})
    return Dataset(people=people, episodes=episodes, offences=offences, custody=custody,
                   idva_survey=survey, source="<dv test>")


@pytest.fixture
def dv_ds() -> Dataset:
    return build_dv_dataset()


@pytest.fixture(scope="module")
def dv_cfg():
    return default_config().with_risk(severity_table="counts")   # weapon uplift 0.5


def _ep(per, episode, months):
    r = per[(per["episode_id"] == episode) & (per["months"] == months)]
    assert len(r) == 1
    return r.iloc[0]


def test_before_after_by_hand(dv_ds, dv_cfg):
    per = dv.da_before_after(dv_ds, dv_cfg, as_of=AS_OF)
    assert set(per["episode_id"]) == {"ED", "EG", "EE"}          # DVIOM only
    d12 = _ep(per, "ED", 12)
    assert d12["complete"]
    assert (d12["offences_before"], d12["offences_after"]) == (5, 2)
    assert (d12["harm_before"], d12["harm_after"]) == (pytest.approx(5.5), pytest.approx(2.0))
    assert (d12["victims_before"], d12["victims_after"]) == (2, 2)
    assert (d12["repeat_victims_before"], d12["repeat_victims_after"]) == (2, 0)
    d6 = _ep(per, "ED", 6)
    assert (d6["offences_before"], d6["offences_after"]) == (4, 1)
    assert (d6["harm_before"], d6["harm_after"]) == (pytest.approx(4.5), pytest.approx(1.0))
    assert (d6["victims_before"], d6["victims_after"]) == (2, 1)
    assert (d6["repeat_victims_before"], d6["repeat_victims_after"]) == (1, 0)
    g = _ep(per, "EG", 12)
    assert g["complete"] and g[[c for c in per.columns if c.endswith(("_before", "_after"))]
                               ].sum() == 0
    assert not _ep(per, "EE", 6)["complete"] and not _ep(per, "EE", 12)["complete"]


def test_cohorts_none_includes_every_cohort(dv_ds, dv_cfg):
    per = dv.da_before_after(dv_ds, dv_cfg, as_of=AS_OF, cohorts=None, months=12)
    f = _ep(per, "EF", 12)
    assert f["offences_before"] == 1 and f["victims_before"] == 1 and f["offences_after"] == 0


def test_outcomes_paired_by_hand(dv_ds, dv_cfg):
    out = dv.da_outcomes(dv_ds, dv_cfg, as_of=AS_OF).set_index(["months", "outcome"])
    r = out.loc[(12, "offences")]
    assert (r["n"], r["excluded"]) == (2, 1)                      # ED, EG compared; EE not
    assert (r["total_before"], r["total_after"]) == (5, 2)
    assert (r["mean_before"], r["mean_after"]) == (2.5, 1.0)
    assert (r["n_zero_differences"], r["n_decreased"], r["n_increased"]) == (1, 1, 0)
    assert r["sign_test_p"] == pytest.approx(1.0)                 # one non-zero difference
    h = out.loc[(6, "harm")]
    assert (h["total_before"], h["total_after"]) == (pytest.approx(4.5), pytest.approx(1.0))
    assert out.loc[(12, "victims"), "n_zero_differences"] == 2    # ED 2 -> 2, EG 0 -> 0
    assert np.isnan(out.loc[(12, "victims"), "wilcoxon_p"])
    assert set(out.index.get_level_values("outcome")) == set(dv.OUTCOMES)


def test_repeat_victimisation_by_hand(dv_ds, dv_cfg):
    rv = dv.repeat_victimisation(dv_ds, dv_cfg, as_of=AS_OF).set_index(["months", "side"])
    b = rv.loc[(12, "before")]
    assert (b["episodes"], b["victims"], b["repeat_victims"], b["pct"]) == (2, 2, 2, 100.0)
    a = rv.loc[(12, "after")]
    assert (a["victims"], a["repeat_victims"], a["pct"]) == (2, 0, 0.0)
    lo, hi = wilson_interval(1, 2)
    r6 = rv.loc[(6, "before")]
    assert (r6["victims"], r6["repeat_victims"]) == (2, 1)
    assert (r6["ci_low"], r6["ci_high"]) == (pytest.approx(100 * lo), pytest.approx(100 * hi))


def test_as_of_limits_follow_up_and_data(dv_ds, dv_cfg):
    # on 2019-05-31 ED's 12-month follow-up (to 2019-06-30) is not over: excluded
    per = dv.da_before_after(dv_ds, dv_cfg, as_of="2019-05-31", months=(6, 12))
    assert _ep(per, "ED", 6)["complete"] and not _ep(per, "ED", 12)["complete"]
    assert "EE" not in set(per["episode_id"])                     # adopted after as_of
    out = dv.da_outcomes(dv_ds, dv_cfg, as_of="2019-05-31", months=12)
    assert out["n"].eq(1).all() and out["excluded"].eq(1).all()   # only EG complete


def test_since_filters_adoptions(dv_ds, dv_cfg):
    per = dv.da_before_after(dv_ds, dv_cfg, as_of=AS_OF, since="2018-03-01")
    assert set(per["episode_id"]) == {"ED", "EE"}


@pytest.mark.parametrize("months", [0, (6, -1), (), 2.5, (True,)])
def test_bad_windows_are_rejected(dv_ds, months):
    with pytest.raises(ParameterError, match="months="):
        dv.da_before_after(dv_ds, months=months)


def test_no_domestic_offences_gives_zeros(dv_ds, dv_cfg):
    dv_ds.offences["domestic"] = False
    out = dv.da_outcomes(dv_ds, dv_cfg, as_of=AS_OF, months=12)
    assert out["total_before"].eq(0).all() and out["total_after"].eq(0).all()
    assert out["n"].eq(2).all()


def test_on_synthetic_data_totals_match_a_direct_count(default_dv):
    ds, cfg = default_dv
    per = dv.da_before_after(ds, cfg, months=12)
    done = per[per["complete"]]
    off = ds.offences[ds.offences["domestic"]]
    # direct count for one episode, no shared code with the implementation
    ep = done.iloc[0]
    o = off[off["person_id"] == ep["person_id"]]
    start = ep["adopted_on"] - pd.DateOffset(months=12)
    end = ep["adopted_on"] + pd.DateOffset(months=12)
    assert ep["offences_before"] == ((o["offence_date"] > start)
                                     & (o["offence_date"] <= ep["adopted_on"])).sum()
    assert ep["offences_after"] == ((o["offence_date"] > ep["adopted_on"])
                                    & (o["offence_date"] <= end)).sum()
    assert (done["months"] == 12).all() and len(done) > 0


@pytest.fixture(scope="module")
def default_dv():
    from dataclasses import replace

    from iomlib.data.synth import SynthParams, simulate
    return simulate(replace(SynthParams(), n_people=800)), default_config()
