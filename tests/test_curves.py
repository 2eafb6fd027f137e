"""Tests for iomlib.measures.curves (risk by month on the scheme), and for the small additions to
iomlib.measures.cohort and iomlib.measures.survey that the appendix notebooks use.

The curve tests use a hand-built dataset scored with plain counts (risk = number of offences in
the trailing 365 days), so every expected value below is worked out by hand in the comments.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from iomlib.config.settings import default_config
from iomlib.data.dataset import Dataset
from iomlib.errors import ParameterError
from iomlib.measures import cohort, curves, survey
from iomlib.measures.reduction import month12_episodes

AS_OF = "2019-12-31"


def _d(values):
    return pd.Series(pd.to_datetime(list(values)), dtype="datetime64[ns]")


def _o(values):
    return pd.Series(list(values), dtype=object)


def build_curve_dataset() -> Dataset:
    """Three people, three episodes; as of 2019-12-31.

    * A (EA): adopted 2018-01-31, removed 2018-04-30 (month 3 exactly). Offences 2017-03-01,
      2017-12-01, 2018-01-15: risk 3 at adoption, 0 at month -12, 2 at month -1.
    * B (EB): adopted 2018-03-31, open; offences 2017-06-01, 2018-03-01, 2018-10-01: risk 2 at
      adoption, 1 at month -1, 1 at month 12 (2019-03-31). Reaches month 12; month 21
      (2019-12-31) is the last observed.
    * C (EC): adopted 2019-06-30, open; offence 2019-05-01: risk 1 at adoption and month -1.
      Month 6 (2019-12-30) observed, month 7 (2020-01-30) after the as-of date.
    """
    people = pd.DataFrame({"person_id": _o("ABC"), "birth_year": [1990, 1991, 1992],
                           "sex": _o("MMF"), "area": _o(["X"] * 3)})
    episodes = pd.DataFrame({
        "episode_id": _o(["EA", "EB", "EC"]), "person_id": _o("ABC"),
        "cohort": _o(["IOM", "IOM", "KNIFE"]),
        "adopted_on": _d(["2018-01-31", "2018-03-31", "2019-06-30"]),
        "removed_on": _d(["2018-04-30", None, None]),
        "removal_reason": _o(["reduced_risk", None, None]),
    })
    off = [("A", "2017-03-01"), ("A", "2017-12-01"), ("A", "2018-01-15"),
           ("B", "2017-06-01"), ("B", "2018-03-01"), ("B", "2018-10-01"),
           ("C", "2019-05-01")]
    offences = pd.DataFrame({
        "offence_id": _o([f"O{i}" for i in range(len(off))]),
        "person_id": _o([p for p, _ in off]), "offence_date": _d([d for _, d in off]),
        "offence_code": _o(["39"] * len(off)), "offence_category": _o(["theft"] * len(off)),
        "weapon": pd.Series([False] * len(off)), "domestic": pd.Series([False] * len(off)),
        "victim_id": _o([None] * len(off)),
    })
    custody = pd.DataFrame({"person_id": _o(["A"]), "start_date": _d(["2019-11-01"]),
                            "end_date": _d(["2020-06-01"]), "sentence_kind": _o(["short"])})
    survey_ = pd.DataFrame({c: pd.Series(dtype=t) for c, t in (
        ("survivor_id", object), ("person_id", object), ("referred_on", "datetime64[ns]"),
        ("responded", bool), ("responded_on", "datetime64[ns]"), ("felt_safer", object),
        ("risk_reduced", "Int64"), ("quality_of_life", "Int64"))})
    return Dataset(people=people, episodes=episodes, offences=offences, custody=custody,
                   idva_survey=survey_, source="<curve test>")


@pytest.fixture
def curve_ds() -> Dataset:
    return build_curve_dataset()


@pytest.fixture(scope="module")
def count_cfg():
    """Risk = number of offences in (t - 365 days, t]."""
    return default_config().with_risk(severity_table="counts", half_life_days=1e12,
                                      weapon_uplift=0)


def _row(table, group, month):
    r = table[(table["group"] == group) & (table["month"] == month)]
    assert len(r) == 1, (group, month)
    return r.iloc[0]


# ------------------------------------------------------------------------------ episode_months

def test_episode_months_dates_follow_calendar_months(curve_ds, count_cfg):
    rows = curves.episode_months(curve_ds, count_cfg, as_of=AS_OF)
    ea = rows[rows["episode_id"] == "EA"].set_index("month")
    assert ea.at[0, "date"] == pd.Timestamp("2018-01-31")
    assert ea.at[1, "date"] == pd.Timestamp("2018-02-28")      # month-end clipping
    assert ea.at[2, "date"] == pd.Timestamp("2018-03-31")      # anchored on adoption
    assert ea.at[-12, "date"] == pd.Timestamp("2017-01-31")
    assert len(rows) == 3 * 37


def test_episode_months_scores_by_hand(curve_ds, count_cfg):
    rows = curves.episode_months(curve_ds, count_cfg, as_of=AS_OF).set_index(
        ["episode_id", "month"])["score"]
    assert rows[("EA", -12)] == pytest.approx(0)
    assert rows[("EA", -1)] == pytest.approx(2)
    assert rows[("EA", 0)] == pytest.approx(3)
    assert rows[("EB", -1)] == pytest.approx(1)
    assert rows[("EB", 0)] == pytest.approx(2)
    assert rows[("EB", 12)] == pytest.approx(1)
    assert rows[("EC", 0)] == pytest.approx(1)


def test_observed_and_fixed_flags(curve_ds, count_cfg):
    rows = curves.episode_months(curve_ds, count_cfg, as_of=AS_OF).set_index(
        ["episode_id", "month"])
    assert rows.loc[("EA", -12), "observed"] and rows.loc[("EA", 3), "observed"]
    assert not rows.loc[("EA", 4), "observed"]                  # removed 2018-04-30
    assert rows.loc[("EC", 6), "observed"]                      # 2019-12-30 <= as_of
    assert not rows.loc[("EC", 7), "observed"]                  # 2020-01-30 > as_of
    assert rows.loc[("EB", 21), "observed"] and not rows.loc[("EB", 22), "observed"]
    fixed = rows[rows["fixed"]]
    assert set(fixed.index.get_level_values("episode_id")) == {"EB"}
    assert fixed.index.get_level_values("month").max() == 12


# ------------------------------------------------------------------------------ risk_by_month

def test_risk_by_month_by_hand(curve_ds, count_cfg):
    t = curves.risk_by_month(curve_ds, count_cfg, as_of=AS_OF)
    assert list(t.columns) == curves.CURVE_COLUMNS
    obs, fixed = curves.GROUP_OBSERVED, curves.fixed_group_label(12)
    r = _row(t, obs, 0)
    assert r["n_at_risk"] == 3 and r["mean"] == pytest.approx(2.0)
    half = stats.t.ppf(0.975, 2) * 1.0 / np.sqrt(3)            # scores 3, 2, 1: sd = 1
    assert r["ci_low"] == pytest.approx(2 - half) and r["ci_high"] == pytest.approx(2 + half)
    assert _row(t, obs, -1)["mean"] == pytest.approx(4 / 3)
    assert _row(t, obs, -12)["mean"] == pytest.approx(0)
    assert _row(t, obs, 3)["n_at_risk"] == 3
    assert _row(t, obs, 4)["n_at_risk"] == 2
    assert _row(t, obs, 7)["n_at_risk"] == 1
    assert t.loc[t["group"] == obs, "month"].max() == 21
    f12 = _row(t, fixed, 12)
    assert f12["n_at_risk"] == 1 and f12["mean"] == pytest.approx(1.0)
    assert np.isnan(f12["ci_low"])                              # one episode: no band
    assert (t.loc[t["group"] == fixed, "n_at_risk"] == 1).all()
    assert t.loc[t["group"] == fixed, "month"].agg(["min", "max"]).tolist() == [-12, 12]
    assert t["group"].iloc[0] == obs                            # still observed first


def test_risk_by_month_since_and_cohorts(curve_ds, count_cfg):
    t = curves.risk_by_month(curve_ds, count_cfg, as_of=AS_OF, since="2018-02-01")
    assert _row(t, curves.GROUP_OBSERVED, 0)["n_at_risk"] == 2   # EB, EC
    t = curves.risk_by_month(curve_ds, count_cfg, as_of=AS_OF, cohorts="KNIFE")
    assert _row(t, curves.GROUP_OBSERVED, 0)["n_at_risk"] == 1
    assert curves.fixed_group_label(12) not in set(t["group"])   # EC never reaches month 12


def test_risk_by_month_as_of_excludes_later_adoptions(curve_ds, count_cfg):
    t = curves.risk_by_month(curve_ds, count_cfg, as_of="2019-01-31")
    assert _row(t, curves.GROUP_OBSERVED, 0)["n_at_risk"] == 2   # EC adopted later
    assert curves.fixed_group_label(12) not in set(t["group"])   # EB reaches 12 on 2019-03-31


def test_risk_by_month_uses_imported_scores(curve_ds, count_cfg):
    ds = replace(curve_ds, risk_scores=pd.DataFrame({
        "person_id": _o(["B"]), "score_date": _d(["2018-03-31"]), "score": [50.0]}))
    rows = curves.episode_months(ds, count_cfg, as_of=AS_OF).set_index(["episode_id", "month"])
    assert rows.loc[("EB", 0), "score"] == 50.0
    assert rows.loc[("EB", 0), "score_source"] == "imported"
    assert rows.loc[("EA", 0), "score_source"] == "computed"


@pytest.mark.parametrize("kwargs, name", [({"months_before": -1}, "months_before"),
                                          ({"landmark": 30}, "landmark"),
                                          ({"months_after": 2.5}, "months_after"),
                                          ({"alpha": 1.5}, "alpha")])
def test_risk_by_month_rejects_bad_arguments(curve_ds, kwargs, name):
    with pytest.raises(ParameterError, match=name):
        curves.risk_by_month(curve_ds, **kwargs)


def test_fixed_group_matches_month12_headline_population(default_data_small):
    ds, cfg = default_data_small
    t = curves.risk_by_month(ds, cfg, as_of=cfg.as_of)
    m = month12_episodes(ds, cfg.as_of, cfg)
    reached = m[m["reached"]]
    f12 = _row(t, curves.fixed_group_label(12), 12)
    assert f12["n_at_risk"] == len(reached)
    assert f12["mean"] == pytest.approx(reached["risk_at_month"].mean())
    f0 = _row(t, curves.fixed_group_label(12), 0)
    assert f0["mean"] == pytest.approx(reached["risk_at_adoption"].mean())
    # before adoption the observed group is every episode adopted by the as-of date
    n_ep = int((ds.episodes["adopted_on"] <= cfg.as_of).sum())
    assert _row(t, curves.GROUP_OBSERVED, -12)["n_at_risk"] == n_ep


@pytest.fixture(scope="module")
def default_data_small():
    from iomlib.data.synth import SynthParams, simulate
    return simulate(replace(SynthParams(), n_people=600)), default_config()


# ------------------------------------------------------------------------------ RTM check

def test_reduction_by_baseline_by_hand():
    t = pd.DataFrame({"b": [4.0, 1.0, 3.0, 2.0, 5.0], "r": [40.0, 10.0, 30.0, 20.0, np.nan]})
    out = curves.reduction_by_baseline(t, baseline="b", reduction="r", bins=2)
    assert out["n"].tolist() == [2, 2]
    assert out["mean_reduction"].tolist() == [15.0, 35.0]
    assert out["baseline_low"].tolist() == [1.0, 3.0]
    assert out["baseline_high"].tolist() == [2.0, 4.0]
    half = stats.t.ppf(0.975, 1) * np.std([10, 20], ddof=1) / np.sqrt(2)
    assert out["ci_high"].iloc[0] == pytest.approx(15 + half)


def test_reduction_by_baseline_rejects_bad_arguments():
    t = pd.DataFrame({"b": [1.0], "r": [1.0]})
    with pytest.raises(ParameterError, match="baseline='x'"):
        curves.reduction_by_baseline(t, baseline="x", reduction="r")
    with pytest.raises(ParameterError, match="bins=0"):
        curves.reduction_by_baseline(t, baseline="b", reduction="r", bins=0)


def test_rank_correlation():
    t = pd.DataFrame({"x": [1, 2, 3, 4, 5], "y": [2.0, 4.0, 8.0, 16.0, np.nan]})
    r = curves.rank_correlation(t, x="x", y="y")
    assert r["rho"] == pytest.approx(1.0) and r["n"] == 4 and r["excluded"] == 1
    t["y"] = [5.0, 4.0, 3.0, 2.0, 1.0]
    assert curves.rank_correlation(t, x="x", y="y")["rho"] == pytest.approx(-1.0)
    with pytest.raises(ParameterError, match="y='z'"):
        curves.rank_correlation(t, x="x", y="z")


# ------------------------------------------------------------------------------ one nominal

def test_nominal_history_shows_nothing_after_end(curve_ds, count_cfg):
    h = curves.nominal_history(curve_ds, "A", count_cfg, start="2017-01-01", end="2018-03-31")
    assert h["episodes"]["removed_on"].isna().all()            # removed 2018-04-30: later
    assert h["episodes"]["removal_reason"].isna().all()
    assert len(h["offences"]) == 3
    assert h["risk"]["month_end"].max() == pd.Timestamp("2018-03-31")
    assert h["risk"].set_index("month_end").at[pd.Timestamp("2018-01-31"), "score"] == \
        pytest.approx(3)
    h = curves.nominal_history(curve_ds, "A", count_cfg, start="2017-01-01", end="2019-12-31")
    assert h["custody"]["end_date"].iloc[0] == pd.Timestamp("2019-12-31")   # cut at end
    assert h["episodes"]["removed_on"].iloc[0] == pd.Timestamp("2018-04-30")


def test_nominal_history_default_start_and_unknown_person(curve_ds, count_cfg):
    h = curves.nominal_history(curve_ds, "C", count_cfg, end=AS_OF)
    # default start: the earlier of period_start (2016-01-01) and adoption - 12 months
    assert h["risk"]["month_end"].min() == pd.Timestamp("2016-01-31")
    with pytest.raises(ParameterError, match="person_id='Z'"):
        curves.nominal_history(curve_ds, "Z", count_cfg)


# ------------------------------------------------------------------------------ cohort additions

def test_restrict(curve_ds):
    assert cohort.restrict(curve_ds, "all") is curve_ds
    r = cohort.restrict(curve_ds, "KNIFE")
    assert r.episodes["episode_id"].tolist() == ["EC"]
    assert r.people is curve_ds.people and len(curve_ds.episodes) == 3
    with pytest.raises(ParameterError, match="cohort='knife'"):
        cohort.restrict(curve_ds, "knife")


def test_status_counts_and_size_over_time(curve_ds):
    sc = cohort.status_counts(curve_ds, AS_OF)
    allrows = sc[sc["cohort"] == "all"].set_index("status")["n"]
    assert allrows["community"] == 2 and allrows["long custody"] == 0   # B and C; A removed
    size = cohort.size_over_time(curve_ds, "2018-01-01", AS_OF)
    s = size.set_index(["date", "cohort"])
    assert s.loc[(pd.Timestamp("2018-03-31"), "all"), "open"] == 2     # A and B
    assert s.loc[(pd.Timestamp("2018-04-30"), "all"), "open"] == 1     # A removed that day
    assert s.loc[(pd.Timestamp("2018-05-31"), "all"), "open"] == 1
    assert s.loc[(pd.Timestamp(AS_OF), "all"), "active"] == 2
    assert size["cohort"].iloc[0] == "all"


def test_size_over_time_agrees_with_active_cohort(default_data_small):
    ds, cfg = default_data_small
    size = cohort.size_over_time(ds, "2019-10-01", cfg.as_of)
    last = size[(size["date"] == cfg.as_of) & (size["cohort"] == "all")].iloc[0]
    head = cohort.active_cohort(ds, cfg.as_of)
    assert last["active"] == head.loc[head["headline"], "value"].iloc[0]
    assert last["open"] == head.loc[~head["headline"], "value"].iloc[0]


def test_flows_and_removal_reasons(curve_ds):
    f = cohort.flows(curve_ds, "2018-01-01", "2019-03-31", freq="Y")
    g = f.groupby(["period", "event"])["n"].sum()
    assert g[(pd.Period("2018", "Y"), "adopted")] == 2
    assert g[(pd.Period("2018", "Y"), "removed")] == 1
    assert g[(pd.Period("2019", "Y"), "adopted")] == 0          # EC is after 2019-03-31
    m = cohort.flows(curve_ds, "2018-01-01", "2018-12-31", freq="M")
    assert len(m["period"].unique()) == 12
    with pytest.raises(ParameterError, match="freq='Q'"):
        cohort.flows(curve_ds, "2018-01-01", AS_OF, freq="Q")
    r = cohort.removal_reasons(curve_ds, "2018-01-01", AS_OF).set_index("removal_reason")
    assert r.at["reduced_risk", "n"] == 1 and r.at["reduced_risk", "pct"] == 100
    assert r["total"].eq(1).all()


def test_first_nominal_and_selection_groups(curve_ds):
    assert cohort.first_nominal(curve_ds) == "A"
    assert cohort.first_nominal(curve_ds, since="2018-02-01") == "B"
    with pytest.raises(ParameterError):
        cohort.first_nominal(curve_ds, since="2030-01-01")
    cmp = pd.DataFrame({"person_id": ["a", "b", "c", "d"],
                        "crosses_2016": [True, True, False, False],
                        "crosses_2018": [True, False, True, False]})
    g = cohort.selection_groups(cmp, "2016", "2018")["group"].tolist()
    assert g == ["both", "only 2016", "only 2018", "neither"]
    with pytest.raises(ParameterError, match="second='2020'"):
        cohort.selection_groups(cmp, "2016", "2020")


def test_offence_mix(curve_ds):
    groups = pd.DataFrame({"person_id": ["A", "B", "B"], "group": ["g1", "g1", "g2"]})
    mix = cohort.offence_mix(curve_ds, groups, "2017-12-31", "2018-12-31")
    g1 = mix[mix["group"] == "g1"].iloc[0]
    # A: 2018-01-15; B: 2018-03-01, 2018-10-01 -> 3 thefts by 2 people
    assert (g1["n_offences"], g1["n_people"], g1["share"]) == (3, 2, 100.0)
    assert mix.loc[mix["group"] == "g2", "n_offences"].iloc[0] == 2


# ------------------------------------------------------------------------------ survey additions

def _survey_ds(curve_ds):
    s = pd.DataFrame({
        "survivor_id": _o([f"S{i}" for i in range(6)]), "person_id": _o(["A"] * 6),
        "referred_on": _d(["2018-02-01", "2018-03-01", "2018-04-01", "2019-01-10",
                           "2019-02-01", "2019-03-01"]),
        "responded": pd.Series([True, True, False, True, True, True]),
        "responded_on": _d(["2018-03-01", "2018-04-01", None, "2019-02-01", "2019-03-01",
                            "2020-02-01"]),
        "felt_safer": _o(["yes", "no", None, "yes", "unsure", "yes"]),
        "risk_reduced": pd.array([5, 1, None, 4, 3, 5], dtype="Int64"),
        "quality_of_life": pd.array([4, 3, None, None, 2, 5], dtype="Int64"),
    })
    return replace(curve_ds, idva_survey=s)


def test_likert_table_and_agree(curve_ds):
    ds = _survey_ds(curve_ds)
    lt = survey.likert_table(ds, AS_OF)          # S5 responded after the as-of date
    rr = lt[lt["item"] == "risk_reduced"].set_index("level")
    assert rr["n"].tolist() == [1, 0, 1, 1, 1] and (rr["n_item"] == 4).all()
    assert rr["pct"].sum() == pytest.approx(100)
    ql = lt[lt["item"] == "quality_of_life"]
    assert ql["n_item"].iloc[0] == 3                            # S3 skipped the item
    ag = survey.likert_agree(ds, AS_OF).set_index("item")
    assert (ag.at["risk_reduced", "k"], ag.at["risk_reduced", "n"]) == (2, 4)
    assert (ag.at["quality_of_life", "k"], ag.at["quality_of_life", "n"]) == (1, 3)
    with pytest.raises(ParameterError, match="items"):
        survey.likert_table(ds, AS_OF, items=["mood"])


def test_felt_safer_by_year_sums_to_headline(curve_ds):
    ds = _survey_ds(curve_ds)
    by = survey.felt_safer_by_year(ds, AS_OF).set_index("year")
    assert by.loc[2018, ["referred", "n", "k"]].tolist() == [3, 2, 1]
    assert by.loc[2019, ["referred", "n", "k"]].tolist() == [3, 2, 1]
    head = survey.felt_safer(ds, AS_OF).iloc[0]
    assert by["k"].sum() == head["numerator"] and by["n"].sum() == head["denominator"]
    lo, hi = survey.wilson_interval(1, 2)
    assert by.at[2018, "ci_low"] == pytest.approx(100 * lo)
    assert by.at[2018, "ci_high"] == pytest.approx(100 * hi)
