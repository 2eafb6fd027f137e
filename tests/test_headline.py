"""The five headline figures as a table and as JSON, on the hand-built dataset.

Expected under the counts configuration (see test_cohort / test_reduction / test_survey for
the derivations): unique nominals 5, active cohort 3, removed 12.5%, month 12 62.5%,
felt safer 2/3.
"""
from __future__ import annotations

import json

import pandas as pd
import pytest

from iomlib.measures.headline import HEADLINE_KEYS, headline_json, headline_table
from iomlib.measures.rows import MEASURE_COLUMNS

EXPECTED = {"unique_nominals": (5, 5), "active_cohort": (3, 3),
            "removed_mean_reduction_pct": (12.5, 2), "month12_mean_reduction_pct": (62.5, 2),
            "idva_felt_safer_pct": (200 / 3, 3)}


def test_headline_keys():
    assert HEADLINE_KEYS == ("unique_nominals", "active_cohort", "removed_mean_reduction_pct",
                             "month12_mean_reduction_pct", "idva_felt_safer_pct")


def test_headline_table(small_dataset, counts_config):
    t = headline_table(small_dataset, config=counts_config)
    assert list(t.columns) == ["as_of"] + MEASURE_COLUMNS
    assert (t["as_of"] == "2020-01-31").all()
    head = t[t["headline"]].set_index("measure")
    assert sorted(head.index) == sorted(HEADLINE_KEYS)  # exactly one headline row each
    for key, (value, n) in EXPECTED.items():
        assert head.at[key, "value"] == pytest.approx(value, rel=1e-6), key
        assert head.at[key, "n"] == n, key
    # alternatives are beside every headline
    counts = t.groupby("measure")["headline"].count()
    assert (counts[list(HEADLINE_KEYS)] >= 2).all()
    assert "idva_response_rate_pct" in counts.index


def test_headline_json_has_the_five_keys_with_value_and_n(small_dataset, counts_config):
    j = headline_json(headline_table(small_dataset, config=counts_config))
    assert set(j) == set(HEADLINE_KEYS) | {"as_of"}
    assert j["as_of"] == "2020-01-31"
    for key, (value, n) in EXPECTED.items():
        e = j[key]
        assert {"value", "n", "definition", "alternatives"} <= set(e)
        assert e["value"] == pytest.approx(value, abs=1e-4)
        assert e["n"] == n and isinstance(e["n"], int)
        assert isinstance(e["definition"], str) and e["definition"]
        assert isinstance(e["alternatives"], list) and e["alternatives"]
    assert isinstance(j["unique_nominals"]["value"], int)
    assert isinstance(j["active_cohort"]["value"], int)
    assert j["idva_felt_safer_pct"]["value"] == round(200 / 3, 4)
    json.dumps(j, allow_nan=False)  # strict JSON


def test_headline_json_nan_becomes_null(small_dataset, counts_config):
    # as of 2019-05-15 nobody has answered the survey yet
    j = headline_json(headline_table(small_dataset, as_of="2019-05-15", config=counts_config))
    assert j["idva_felt_safer_pct"]["value"] is None and j["idva_felt_safer_pct"]["n"] == 0
    assert j["as_of"] == "2019-05-15"
    json.dumps(j, allow_nan=False)


def test_headline_table_since_and_as_of(small_dataset, counts_config):
    t = headline_table(small_dataset, as_of="2018-12-31", since="2017-01-01",
                       config=counts_config)
    head = t[t["headline"]].set_index("measure")
    # adopted 2017-01-01..2018-12-31: E2 (P1), E3 (P2)
    assert head.at["unique_nominals", "value"] == 2
    # open on 2018-12-31: E2 only (P1, in the community)
    assert head.at["active_cohort", "value"] == 1
    # removed 2017-01-01..2018-12-31: E1 (75%), E3 (-50%)
    assert head.at["removed_mean_reduction_pct", "value"] == pytest.approx(12.5)


def test_headline_table_uses_the_config_dates(small_dataset, counts_config):
    from iomlib.config.settings import load_config
    cfg = load_config(overrides={"risk": {"severity_table": "counts", "half_life_days": 1e12,
                                          "weapon_uplift": 0},
                                 "headline": {"as_of": "2018-12-31",
                                              "period_start": "2017-01-01"}})
    a = headline_table(small_dataset, config=cfg)
    b = headline_table(small_dataset, as_of="2018-12-31", since="2017-01-01",
                       config=counts_config)
    pd.testing.assert_frame_equal(a, b)


def test_headline_table_cohorts_apply_to_every_measure(small_dataset, counts_config):
    t = headline_table(small_dataset, config=counts_config, cohorts="DVIOM")
    head = t[t["headline"]].set_index("measure")
    assert head.at["unique_nominals", "value"] == 1  # P3
    # no DVIOM episode was removed or reached 12 months by 2020-01-31
    assert head.at["removed_mean_reduction_pct", "n"] == 0
    assert head.at["month12_mean_reduction_pct", "n"] == 0


def test_headline_json_counts_are_integers(small_dataset, counts_config):
    j = headline_json(headline_table(small_dataset, config=counts_config))
    for key in ("unique_nominals", "active_cohort", "idva_felt_safer_pct"):
        for field in ("numerator", "denominator"):
            v = j[key][field]
            assert v is None or isinstance(v, int), (key, field, v)


def test_month12_names_the_episodes_and_shows_the_periods_own():
    """The month-12 headline says it includes episodes adopted before the period start; the
    period's own adoptions are shown beside it (#11)."""
    from iomlib.data.open import default_dataset
    t = headline_table(default_dataset())
    m = t[t["measure"] == "month12_mean_reduction_pct"]
    head = m[m["headline"]].iloc[0]
    assert "including episodes adopted before the period start" in head["definition"]
    own = m[m["definition"].str.startswith("episodes adopted on or after the period start")]
    assert len(own) == 1 and not own["headline"].iloc[0]
    assert 0 < own["n"].iloc[0] < head["n"]
