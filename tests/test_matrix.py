"""The selection matrix: points by hand, the 2016 and 2018 versions, select_on, compare_versions.

Default points (iomlib/config/default.yaml): burglary 6, robbery 8, vehicle 4, theft 3,
shoplifting 1, violence 4, weapons 0 (2016) / 5 (2018), weapon points 0 (2016) / 6 (2018),
threshold 20 in both, window 365 days.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from iomlib.config.settings import default_config, load_config
from iomlib.risk.matrix import compare_versions, matrix_points, select_on

D = pd.Timestamp("2018-06-30")


def _offences(rows) -> pd.DataFrame:
    return pd.DataFrame({
        "offence_id": pd.Series([f"M{i}" for i in range(len(rows))], dtype=object),
        "person_id": pd.Series([r[0] for r in rows], dtype=object),
        "offence_date": pd.Series(pd.to_datetime([r[1] for r in rows]), dtype="datetime64[ns]"),
        "offence_category": pd.Series([r[2] for r in rows], dtype=object),
        "weapon": pd.Series([bool(r[3]) for r in rows], dtype=bool),
    })


ROWS = [
    # K: a knife offender. 2016: 0 + 0 + 4 = 4. 2018: (5 + 6) + (5 + 6) + 4 = 26.
    ("K", "2018-01-10", "weapons", True),
    ("K", "2018-05-01", "weapons", True),
    ("K", "2017-09-01", "violence", False),
    # C: crosses under both: 6 + 6 + 8 + 4 = 24 (the offence after D does not count)
    ("C", "2017-10-01", "burglary", False),
    ("C", "2018-02-01", "burglary", False),
    ("C", "2018-03-01", "robbery", False),
    ("C", "2018-04-01", "vehicle", False),
    ("C", "2018-07-01", "robbery", False),
    # B: 6 (364 days before D) + 6 + 6 + 1 (on D) = 19, one short; the robbery exactly 365 days
    # before D is outside the window
    ("B", "2017-07-01", "burglary", False),
    ("B", "2017-12-01", "burglary", False),
    ("B", "2018-03-01", "burglary", False),
    ("B", "2018-06-30", "shoplifting", False),
    ("B", "2017-06-30", "robbery", False),
    # E: exactly the threshold: 6 + 6 + 8 = 20
    ("E", "2018-01-01", "burglary", False),
    ("E", "2018-02-01", "burglary", False),
    ("E", "2018-03-01", "robbery", False),
]
EXPECTED_2018 = {"K": 26.0, "C": 24.0, "E": 20.0, "B": 19.0, "N": 0.0}
EXPECTED_2016 = {"K": 4.0, "C": 24.0, "E": 20.0, "B": 19.0, "N": 0.0}


@pytest.fixture
def matrix_data(small_dataset):
    people = pd.DataFrame({"person_id": pd.Series(["N", "B", "K", "E", "C"], dtype=object),
                           "birth_year": 1990, "sex": "M", "area": "x"})
    return replace(small_dataset, people=people, offences=_offences(ROWS))


def _pairs(rows):
    return pd.DataFrame({"person_id": [r[0] for r in rows],
                         "date": pd.to_datetime([r[1] for r in rows])})


def test_points_by_hand_under_the_version_in_force():
    pairs = _pairs([(p, D) for p in EXPECTED_2018])
    out = matrix_points(_offences(ROWS), pairs)
    assert out["points"].tolist() == list(EXPECTED_2018.values())
    assert (out["version"] == "2018").all()
    assert (out["threshold"] == 20).all()
    assert out["crosses"].tolist() == [True, True, True, False, False]
    assert list(out.columns) == ["person_id", "date", "points", "threshold", "version",
                                 "crosses"]


def test_forced_2016_version_gives_no_weapon_points():
    pairs = _pairs([(p, D) for p in EXPECTED_2016])
    out = matrix_points(_offences(ROWS), pairs, version="2016")
    assert out["points"].tolist() == list(EXPECTED_2016.values())
    assert out["crosses"].tolist() == [False, True, True, False, False]


def test_version_follows_the_date_of_each_pair():
    pairs = _pairs([("K", "2017-12-31"), ("K", "2018-01-10"), ("K", "2018-05-01")])
    out = matrix_points(_offences(ROWS), pairs)
    assert out["version"].tolist() == ["2016", "2018", "2018"]
    # 2017-12-31: violence only (2016 points 4); 2018-01-10: 11 + 4; 2018-05-01: 11 + 11 + 4
    assert out["points"].tolist() == [4.0, 15.0, 26.0]


def test_unknown_forced_version():
    with pytest.raises(ValueError, match="2099"):
        matrix_points(_offences(ROWS), _pairs([("K", D)]), version="2099")


def test_knife_offender_crosses_only_under_2018(matrix_data):
    on_2018 = select_on(matrix_data, D).set_index("person_id")
    on_2016 = select_on(matrix_data, D, version="2016").set_index("person_id")
    assert bool(on_2018.at["K", "crosses"]) and not bool(on_2016.at["K", "crosses"])
    before = select_on(matrix_data, "2017-12-31").set_index("person_id")
    assert before.at["K", "version"] == "2016" and not before.at["K", "crosses"]


def test_select_on_sorted_by_points_with_crosses_flag(matrix_data):
    out = select_on(matrix_data, D)
    assert out["person_id"].tolist() == ["K", "C", "E", "B", "N"]
    assert out["points"].tolist() == [26.0, 24.0, 20.0, 19.0, 0.0]
    assert out["crosses"].tolist() == [True, True, True, False, False]
    assert (out["date"] == D).all() and (out["version"] == "2018").all()
    assert out["points"].is_monotonic_decreasing


def test_select_on_ties_broken_by_person_id(matrix_data):
    offences = _offences([("N", "2018-01-01", "theft", False), ("B", "2018-01-01", "theft",
                                                                 False)])
    out = select_on(replace(matrix_data, offences=offences), D)
    assert out["person_id"].tolist()[:2] == ["B", "N"]


def test_compare_versions(matrix_data):
    out = compare_versions(matrix_data, D)
    assert set(out.columns) == {"person_id", "points_2016", "crosses_2016", "points_2018",
                                "crosses_2018"}
    out = out.set_index("person_id")
    assert sorted(out.index) == ["B", "C", "E", "K"]  # N has no points under any version
    for p in out.index:
        assert out.at[p, "points_2016"] == EXPECTED_2016[p]
        assert out.at[p, "points_2018"] == EXPECTED_2018[p]
    only_2018 = out.index[out["crosses_2018"] & ~out["crosses_2016"]].tolist()
    assert only_2018 == ["K"]


def test_custom_threshold_and_points_from_config(matrix_data):
    cfg = load_config(overrides={"matrix": {"window_days": 100, "versions": [
        {"name": "local", "effective_from": "2000-01-01", "threshold": 5, "weapon_points": 1,
         "points": {"shoplifting": 10, "weapons": 2}}]}})
    out = select_on(matrix_data, D, cfg).set_index("person_id")
    # window (2018-03-22, 2018-06-30]: K weapons 2018-05-01 -> 2 + 1; B shoplifting -> 10
    assert out.at["K", "points"] == 3.0 and not out.at["K", "crosses"]
    assert out.at["B", "points"] == 10.0 and out.at["B", "crosses"]
    assert out.at["C", "points"] == 0.0


def test_matrix_points_against_brute_force(tiny_synth):
    cfg = default_config()
    people = tiny_synth.people["person_id"].iloc[::7].tolist()
    dates = pd.to_datetime(["2016-06-30", "2017-12-31", "2018-01-01", "2019-03-31"])
    pairs = pd.DataFrame([(p, d) for p in people for d in dates], columns=["person_id", "date"])
    got = matrix_points(tiny_synth.offences, pairs)
    off = tiny_synth.offences
    by_person = dict(tuple(off.groupby("person_id")))
    expected = []
    for p, d in zip(pairs["person_id"], pairs["date"]):
        v = cfg.matrix_version_on(d)
        o = by_person.get(p, off.iloc[:0])
        age = (d - o["offence_date"]).dt.days
        o = o[(age >= 0) & (age < cfg.matrix_window_days)]
        expected.append(sum(v.points[c] + v.weapon_points * bool(w)
                            for c, w in zip(o["offence_category"], o["weapon"])))
    np.testing.assert_allclose(got["points"], expected)
    assert got["points"].gt(0).any()
