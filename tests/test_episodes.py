"""The shared episode selection (:mod:`iomlib.measures.episodes`).

``select_episodes`` replaced five private copies of the same filter. Each former copy is kept
here, verbatim apart from its name, as the reference the helper must reproduce on the default
data (same rows, same order, same index).
"""
from __future__ import annotations

import pandas as pd
import pytest

from iomlib.measures.cohort import status_on
from iomlib.measures.episodes import cohort_list, select_episodes

COHORT_ARGS = [None, "IOM", "DVIOM", "KNIFE", ["IOM", "KNIFE"], ("DVIOM",), [], "all"]


# --- the former copies ---------------------------------------------------------------------

def old_curves_select_episodes(episodes, since, as_of, cohorts):   # curves._select_episodes
    ep = episodes
    if cohorts is not None:
        ep = ep[ep["cohort"].isin([cohorts] if isinstance(cohorts, str) else list(cohorts))]
    ep = ep[ep["adopted_on"] <= pd.Timestamp(as_of)]
    if since is not None:
        ep = ep[ep["adopted_on"] >= pd.Timestamp(since)]
    return ep


def old_dv_episodes(dataset, as_of, since, cohorts):                # dv._episodes
    ep = dataset.episodes
    if cohorts is not None:
        ep = ep[ep["cohort"].isin([cohorts] if isinstance(cohorts, str) else list(cohorts))]
    ep = ep[ep["adopted_on"] <= pd.Timestamp(as_of)]
    if since is not None:
        ep = ep[ep["adopted_on"] >= pd.Timestamp(since)]
    return ep[["episode_id", "person_id", "cohort", "adopted_on"]].reset_index(drop=True)


def old_cohort_filter(episodes, cohorts):                           # cohort._filter
    if cohorts is None:
        return episodes
    if isinstance(cohorts, str):
        cohorts = [cohorts]
    return episodes[episodes["cohort"].isin(list(cohorts))]


def old_figure_a_filter(dataset, cohorts):                          # inline in figure_a
    ep = dataset.episodes
    if cohorts is not None:
        ep = ep[ep["cohort"].isin([cohorts] if isinstance(cohorts, str) else list(cohorts))]
    return ep


def old_active_cohort_filter(st, cohorts):                          # inline in active_cohort
    if cohorts is not None:
        st = st[st["cohort"].isin([cohorts] if isinstance(cohorts, str) else list(cohorts))]
    return st


def old_status_on_open(dataset, date):                              # inline in status_on
    t = pd.Timestamp(date)
    ep = dataset.episodes
    return ep[(ep["adopted_on"] <= t) & (ep["removed_on"].isna() | (ep["removed_on"] > t))]


# --- old vs new on the default data ----------------------------------------------------------

@pytest.mark.parametrize("cohorts", COHORT_ARGS)
@pytest.mark.parametrize("since", [None, "2017-01-01"])
def test_matches_former_curves_copy(default_data, cohorts, since):
    for as_of in ("2020-01-31", "2018-06-30"):
        old = old_curves_select_episodes(default_data.episodes, since, as_of, cohorts)
        new = select_episodes(default_data.episodes, since=since, as_of=as_of, cohorts=cohorts)
        pd.testing.assert_frame_equal(new, old)


@pytest.mark.parametrize("cohorts", COHORT_ARGS)
@pytest.mark.parametrize("since", [None, "2016-06-01"])
def test_matches_former_dv_copy(default_data, cohorts, since):
    old = old_dv_episodes(default_data, "2020-01-31", since, cohorts)
    new = select_episodes(default_data.episodes, since=since, as_of="2020-01-31",
                          cohorts=cohorts)
    new = new[["episode_id", "person_id", "cohort", "adopted_on"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(new, old)


@pytest.mark.parametrize("cohorts", COHORT_ARGS)
def test_matches_former_cohort_filter(default_data, cohorts):
    for table in (default_data.episodes, status_on(default_data, "2019-03-31")):
        pd.testing.assert_frame_equal(select_episodes(table, cohorts=cohorts),
                                      old_cohort_filter(table, cohorts))


@pytest.mark.parametrize("cohorts", COHORT_ARGS)
def test_matches_former_figure_a_filter(default_data, cohorts):
    pd.testing.assert_frame_equal(select_episodes(default_data.episodes, cohorts=cohorts),
                                  old_figure_a_filter(default_data, cohorts))


@pytest.mark.parametrize("cohorts", COHORT_ARGS)
def test_matches_former_active_cohort_filter(default_data, cohorts):
    st = status_on(default_data, "2020-01-31")
    pd.testing.assert_frame_equal(select_episodes(st, cohorts=cohorts),
                                  old_active_cohort_filter(st, cohorts))


@pytest.mark.parametrize("date", ["2016-01-01", "2018-02-28", "2020-01-31"])
def test_open_on_matches_former_status_on_filter(default_data, date):
    pd.testing.assert_frame_equal(select_episodes(default_data.episodes, open_on=date),
                                  old_status_on_open(default_data, date))


# --- the rule itself, on the hand-built data ---------------------------------------------------

def test_bounds_are_inclusive(small_dataset):
    ep = small_dataset.episodes
    day = ep["adopted_on"].iloc[0]
    got = select_episodes(ep, since=day, as_of=day)
    assert len(got) and (got["adopted_on"] == day).all()
    assert len(got) == int((ep["adopted_on"] == day).sum())


def test_open_on_excludes_the_removal_day(small_dataset):
    ep = small_dataset.episodes
    removed = ep[ep["removed_on"].notna()].iloc[0]
    on_day = select_episodes(ep, open_on=removed["removed_on"])
    day_before = select_episodes(ep, open_on=removed["removed_on"] - pd.Timedelta(days=1))
    assert removed["episode_id"] not in set(on_day["episode_id"])
    assert removed["episode_id"] in set(day_before["episode_id"])


def test_no_criterion_returns_the_table_itself(small_dataset):
    assert select_episodes(small_dataset.episodes) is small_dataset.episodes


def test_all_is_not_a_cohort(small_dataset):
    assert select_episodes(small_dataset.episodes, cohorts="all").empty
    assert cohort_list("IOM") == ["IOM"] and cohort_list(("IOM", "KNIFE")) == ["IOM", "KNIFE"]
    assert cohort_list(None) is None
