"""Cohort measures on the hand-built dataset (see conftest.make_small_dataset for the story)."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from iomlib.measures.cohort import active_cohort, flows, status_on, unique_nominals
from iomlib.measures.rows import MEASURE_COLUMNS

SINCE, AS_OF = "2016-01-01", "2020-01-31"


def _head(df):
    h = df[df["headline"]]
    assert len(h) == 1
    return h.iloc[0]


def _alt(df):
    a = df[~df["headline"]]
    assert len(a) == 1
    return a.iloc[0]


def test_unique_nominals_counts_people_not_episodes(small_dataset):
    out = unique_nominals(small_dataset, SINCE, AS_OF)
    assert list(out.columns) == MEASURE_COLUMNS
    # episodes adopted 2016-01-01..2020-01-31: E1, E2 (both P1), E3 (P2), E4 (P3), E5 (P4),
    # E6 (P5); E7 (2015) and E8 (2020-03-31) are outside
    assert _head(out)["value"] == 5 and _head(out)["n"] == 5
    assert _alt(out)["value"] == 6


def test_unique_nominals_boundaries_are_inclusive(small_dataset):
    # E1 adopted 2016-03-31, E8 adopted 2020-03-31
    assert _head(unique_nominals(small_dataset, "2016-03-31", "2016-03-31"))["value"] == 1
    assert _head(unique_nominals(small_dataset, "2016-04-01", "2020-03-30"))["value"] == 5
    assert _head(unique_nominals(small_dataset, "2019-04-01", "2020-03-31"))["value"] == 3


def test_unique_nominals_by_cohort(small_dataset):
    assert _head(unique_nominals(small_dataset, SINCE, AS_OF, cohorts="IOM"))["value"] == 3
    assert _head(unique_nominals(small_dataset, SINCE, AS_OF,
                                 cohorts=["DVIOM", "KNIFE"]))["value"] == 2


def test_status_on(small_dataset):
    st = status_on(small_dataset, AS_OF).set_index("episode_id")
    # open on 2020-01-31: E2 (P1), E4 (P3), E5 (P4), E6 (P5); E8 not yet adopted
    assert sorted(st.index) == ["E2", "E4", "E5", "E6"]
    assert st.loc["E2", "status"] == "community"
    assert st.loc["E4", "status"] == "long custody"
    assert st.loc["E5", "status"] == "remand"
    assert st.loc["E6", "status"] == "short custody"
    assert st["active"].to_dict() == {"E2": True, "E4": False, "E5": True, "E6": True}


def test_status_on_removal_day_and_adoption_day(small_dataset):
    # E3 removed 2018-03-31: not open that day; E2 adopted 2018-01-31: open that day
    assert "E3" not in set(status_on(small_dataset, "2018-03-31")["episode_id"])
    assert "E3" in set(status_on(small_dataset, "2018-03-30")["episode_id"])
    assert "E2" in set(status_on(small_dataset, "2018-01-31")["episode_id"])


def test_active_cohort_excludes_long_custody_includes_remand_and_short(small_dataset):
    out = active_cohort(small_dataset, AS_OF)
    h, a = _head(out), _alt(out)
    assert h["value"] == 3  # P1 (community), P4 (remand), P5 (short)
    assert h["denominator"] == 4
    assert a["value"] == 4  # plus P3 in long custody


def test_active_cohort_when_long_custody_has_ended(small_dataset):
    ds = replace(small_dataset, custody=small_dataset.custody.assign(
        end_date=small_dataset.custody["end_date"].where(
            small_dataset.custody["sentence_kind"] != "long", pd.Timestamp("2020-01-30"))))
    assert _head(active_cohort(ds, AS_OF))["value"] == 4


def test_active_cohort_person_with_overlapping_spells_takes_the_longest(small_dataset):
    extra = pd.DataFrame({"person_id": ["P1"], "start_date": pd.to_datetime(["2020-01-01"]),
                          "end_date": pd.to_datetime(["2022-01-01"]),
                          "sentence_kind": ["long"]})
    extra2 = extra.assign(sentence_kind="remand", end_date=pd.to_datetime(["2020-02-10"]))
    cu = pd.concat([small_dataset.custody, extra2, extra], ignore_index=True)
    ds = replace(small_dataset, custody=cu)
    assert _head(active_cohort(ds, AS_OF))["value"] == 2


def test_active_cohort_by_cohort(small_dataset):
    assert _head(active_cohort(small_dataset, AS_OF, cohorts="DVIOM"))["value"] == 0
    assert _head(active_cohort(small_dataset, AS_OF, cohorts=["IOM", "KNIFE"]))["value"] == 3


def test_flows_count_every_adoption_and_removal(small_dataset):
    # a window wider than the data: every event is counted (formerly adoptions_removals)
    out = flows(small_dataset, "2010-01-01", "2030-12-31", freq="Y")
    got = {(str(r.period), r.event, r.cohort): r.n for r in out.itertuples()}
    assert got[("2019", "adopted", "IOM")] == 1
    assert got[("2019", "adopted", "DVIOM")] == 1
    assert got[("2016", "adopted", "IOM")] == 1
    assert got[("2016", "removed", "IOM")] == 1  # E7
    assert got[("2017", "removed", "IOM")] == 1  # E1
    assert sum(out.loc[out["event"] == "adopted", "n"]) == 8
    assert sum(out.loc[out["event"] == "removed", "n"]) == 3


@pytest.mark.parametrize("as_of", ["2017-06-30", "2019-01-31", "2020-01-31"])
def test_active_cohort_on_synthetic_data_against_a_loop(tiny_synth, as_of):
    """An independent, row-by-row count on the synthetic data."""
    t = pd.Timestamp(as_of)
    active = set()
    cu = tiny_synth.custody
    for r in tiny_synth.episodes.itertuples():
        if r.adopted_on <= t and (pd.isna(r.removed_on) or r.removed_on > t):
            spells = cu[(cu["person_id"] == r.person_id) & (cu["start_date"] <= t)
                        & (cu["end_date"] >= t)]
            if not (spells["sentence_kind"] == "long").any():
                active.add(r.person_id)
    assert _head(active_cohort(tiny_synth, t))["value"] == len(active)


def test_offence_mix_with_totals_adds_one_total_row_per_group():
    from iomlib.measures.cohort import MIX_TOTAL, offence_mix_with_totals
    mix = pd.DataFrame({"group": ["b", "a", "b"], "offence_category": ["theft", "theft", "drugs"],
                        "n_offences": [5, 7, 2], "n_people": [3, 4, 1],
                        "group_people": [6, 9, 6], "group_offences": [7, 7, 7],
                        "share": [71.4, 100.0, 28.6], "weapon_offences": [0, 1, 0]})
    out = offence_mix_with_totals(mix)
    assert list(out.columns) == ["group", "offence_category", "n_offences", "n_people",
                                 "group_people"]
    assert out["group"].tolist() == ["a", "a", "b", "b", "b"]     # by group, total last
    assert out["offence_category"].tolist()[-1] == MIX_TOTAL
    totals = out[out["offence_category"] == MIX_TOTAL].set_index("group")
    assert totals.loc["b", "n_offences"] == 7 and totals.loc["a", "n_offences"] == 7
    assert (totals["n_people"] == totals["group_people"]).all()
    assert totals.loc["b", "group_people"] == 6
