"""IDVA survey measures on the hand-built dataset.

As of 2020-01-31: survivors referred S1-S5 (S6 is referred later); respondents S1, S2, S4 (S5
answers on 2020-02-20, after the as-of date; S3 never answers). Felt safer: S1, S4 -> 2 of 3.
Response rate 3/5; worst case 2/5; best case (2 + 2)/5.
"""
from __future__ import annotations

import math

import pandas as pd
import pytest

from iomlib.measures.survey import felt_safer, felt_safer_answers, felt_safer_by_year

AS_OF = "2020-01-31"
Z = 1.959963984540054  # standard normal 97.5% point


def wilson(k, n, z=Z):
    """Wilson (1927) score interval, closed form (Newcombe 1998, method 3)."""
    p = k / n
    centre = (2 * n * p + z * z) / (2 * (n + z * z))
    half = z * math.sqrt(z * z + 4 * n * p * (1 - p)) / (2 * (n + z * z))
    return centre - half, centre + half


def _rows(out):
    head = out[out["headline"]]
    assert len(head) == 1
    head = head.iloc[0]
    rate = out[out["measure"] == "idva_response_rate_pct"].iloc[0]
    worst = out[out["definition"].str.startswith("worst")].iloc[0]
    best = out[out["definition"].str.startswith("best")].iloc[0]
    return head, rate, worst, best


def test_felt_safer_k_of_n_with_wilson_interval(small_dataset):
    head, _, _, _ = _rows(felt_safer(small_dataset, AS_OF))
    assert head["measure"] == "idva_felt_safer_pct"
    assert (head["numerator"], head["denominator"], head["n"]) == (2, 3, 3)
    assert head["value"] == pytest.approx(200 / 3)
    lo, hi = wilson(2, 3)
    assert (lo, hi) == pytest.approx((0.2077, 0.9385), abs=1e-4)
    assert head["ci_low"] == pytest.approx(100 * lo, rel=1e-9)
    assert head["ci_high"] == pytest.approx(100 * hi, rel=1e-9)
    assert head["ci_method"] == "wilson"
    assert head["excluded"] == 2  # referred but no response by the as-of date


def test_response_rate_and_bounds(small_dataset):
    _, rate, worst, best = _rows(felt_safer(small_dataset, AS_OF))
    assert (rate["numerator"], rate["denominator"]) == (3, 5)
    assert rate["value"] == pytest.approx(60.0)
    assert rate["ci_low"] == pytest.approx(100 * wilson(3, 5)[0], rel=1e-9)
    assert (worst["numerator"], worst["denominator"]) == (2, 5)
    assert worst["value"] == pytest.approx(40.0)
    assert (best["numerator"], best["denominator"]) == (4, 5)
    assert best["value"] == pytest.approx(80.0)
    assert best["ci_high"] == pytest.approx(100 * wilson(4, 5)[1], rel=1e-9)
    assert worst["value"] <= 200 / 3 <= best["value"]
    assert not (rate["headline"] or worst["headline"] or best["headline"])


def test_without_as_of_everything_counts(small_dataset):
    head, rate, _, _ = _rows(felt_safer(small_dataset))
    # all six referred; S1, S2, S4, S5 responded; S1, S4, S5 felt safer
    assert (head["numerator"], head["denominator"]) == (3, 4)
    assert (rate["numerator"], rate["denominator"]) == (4, 6)


def test_since(small_dataset):
    head, rate, _, _ = _rows(felt_safer(small_dataset, AS_OF, since="2019-05-01"))
    # referred S2..S5; respondents by the as-of date: S2 (no), S4 (yes)
    assert (head["numerator"], head["denominator"]) == (1, 2)
    assert (rate["numerator"], rate["denominator"]) == (2, 4)


def test_no_respondents_gives_nan_not_an_error(small_dataset):
    head, rate, worst, best = _rows(felt_safer(small_dataset, "2019-05-15"))
    # referred S1, S2 by then; nobody has answered yet
    assert head["n"] == 0 and math.isnan(head["value"]) and math.isnan(head["ci_low"])
    assert rate["value"] == 0 and worst["value"] == 0 and best["value"] == 100


def test_felt_safer_on_synthetic_data_against_a_direct_count(default_data):
    s = default_data.idva_survey
    t = pd.Timestamp(AS_OF)
    s = s[s["referred_on"] <= t]
    resp = s[s["responded"] & (s["responded_on"] <= t)]
    k, n = int((resp["felt_safer"] == "yes").sum()), len(resp)
    head, rate, _, _ = _rows(felt_safer(default_data, AS_OF))
    assert (head["numerator"], head["denominator"]) == (k, n)
    assert head["value"] == pytest.approx(100 * k / n)
    assert rate["denominator"] == len(s)


def _with_survey(dataset, **changes):
    """``dataset`` with survey columns replaced (``{column: {row: value}}``)."""
    from dataclasses import replace
    s = dataset.idva_survey.copy()
    for col, values in changes.items():
        if col == "responded":
            s[col] = s[col].astype(object)
        for row, v in values.items():
            s.loc[row, col] = v
    if "responded" in changes:
        s["responded"] = pd.array(s["responded"].tolist(), dtype="boolean")
    return replace(dataset, idva_survey=s)


def test_missing_felt_safer_answer_is_a_non_response_not_a_no(small_dataset):
    # S2 (row 1) responded "no"; blank the answer: S2 leaves n, k unchanged (1 "yes" of S1, S4)
    ds = _with_survey(small_dataset, felt_safer={1: None})
    head, rate, worst, best = _rows(felt_safer(ds, AS_OF))
    assert (head["numerator"], head["denominator"], head["excluded"]) == (2, 2, 3)
    assert (rate["numerator"], rate["denominator"]) == (2, 5)
    assert (worst["numerator"], best["numerator"]) == (2, 5)
    # a "no" answer stays in the denominator
    head, *_ = _rows(felt_safer(small_dataset, AS_OF))
    assert (head["numerator"], head["denominator"]) == (2, 3)


def test_false_and_missing_responded_flag_are_non_responses(small_dataset):
    # S1 (row 0): responded False; S4 (row 3): responded missing. Only S2 ("no") remains.
    ds = _with_survey(small_dataset, responded={0: False, 3: pd.NA})
    head, rate, _, _ = _rows(felt_safer(ds, AS_OF))
    assert (head["numerator"], head["denominator"]) == (0, 1)
    assert (rate["numerator"], rate["denominator"]) == (1, 5)
    head, *_ = _rows(felt_safer(ds))       # no as-of date: the flag alone decides
    assert (head["numerator"], head["denominator"]) == (1, 2)   # S2 "no", S5 "yes"


def test_by_year_and_headline_share_one_rule(small_dataset):
    ds = _with_survey(small_dataset, felt_safer={1: None}, responded={3: pd.NA})
    for as_of in (AS_OF, None):
        head, *_ = _rows(felt_safer(ds, as_of))
        by_year = felt_safer_by_year(ds, as_of)
        assert (by_year["k"].sum(), by_year["n"].sum()) == (head["numerator"], head["denominator"])
        s, answered, yes = felt_safer_answers(ds, as_of)
        assert (int(yes.sum()), int(answered.sum())) == (head["numerator"], head["denominator"])
        assert not (yes & ~answered).any()
