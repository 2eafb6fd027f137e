"""Typed columns (Parquet, workbook, database) are checked on their values, without their
text; hashed duplicate detection. Both must give exactly what the text path gives."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from iomlib.data import hashdup
from iomlib.data.validate import _cell_text, validate_tables

TODAY = "2026-12-06"


def _typed_tables() -> dict[str, pd.DataFrame]:
    """A small dataset whose columns keep their own dtypes, with awkward values in each kind."""
    people = pd.DataFrame({"person_id": ["P1", "P2", "P3", "P4", "P5"],
                           "birth_year": pd.array([1980, None, 1890, 2031, 1975], dtype="Int64"),
                           "sex": ["M", "F", "M", "X", "F"], "area": ["A"] * 5})
    episodes = pd.DataFrame({
        "episode_id": ["E1", "E2", "E3", "E4"], "person_id": ["P1", "P2", "P5", "P1"],
        "cohort": ["IOM"] * 4,
        "adopted_on": pd.to_datetime(["2019-01-02 10:30", "2019-02-03", None, "2030-01-01"],
                                     format="mixed"),
        "removed_on": pd.to_datetime(["2019-01-01", None, None, None]),
        "removal_reason": [None, None, None, None]})
    offences = pd.DataFrame({
        "offence_id": ["O1", "O2", "O3", "O4", "O5", "O1"],
        "person_id": ["P1", "P1", "P2", "P9", "P5", "P2"],
        "offence_date": pd.to_datetime(["2018-01-01", "2018-01-01", "1899-12-31", "2018-05-05",
                                        "2018-06-06 23:59:59.5", "2018-01-01"], format="mixed"),
        "offence_code": ["1", "1", "2", "3", "4", "5"],
        "offence_category": ["violence", "violence", "theft", "theft", "nonsense", "theft"],
        "weapon": [True, True, False, False, True, False],
        "domestic": pd.array([False, False, None, True, False, False], dtype="boolean"),
        "victim_id": [None, "None", "V1", None, "V2", None]})
    custody = pd.DataFrame({"person_id": ["P1"],                # a time of day: kept, its day
                            "start_date": pd.to_datetime(["2018-02-01 08:15"]),
                            "end_date": pd.to_datetime(["2018-03-01"]),
                            "sentence_kind": ["short"]})
    survey = pd.DataFrame({
        "survivor_id": ["S1", "S2", "S3", "S4", "S5"], "person_id": ["P1"] * 5,
        "referred_on": pd.to_datetime(["2019-01-01"] * 5), "responded": [True] * 5,
        "responded_on": pd.to_datetime(["2019-02-01"] * 5),
        "felt_safer": ["yes"] * 5,
        "risk_reduced": [3.0, 2.5, np.nan, 1e16, 6.0],
        "quality_of_life": pd.array([1, None, 5, 0, 2], dtype="Int64")})
    scores = pd.DataFrame({"person_id": ["P1", "P2", "P3"],
                           "score_date": pd.to_datetime(["2019-01-01", "2019-01-01",
                                                         "2019-01-01"]).astype("datetime64[us]"),
                           "score": [1.5, float("inf"), -2.0]})
    return {"people": people, "episodes": episodes, "offences": offences, "custody": custody,
            "idva_survey": survey, "risk_scores": scores}


def _as_text(tables):
    """The same tables as a CSV reader sees them: every cell as its text."""
    return {k: df.astype(object).apply(lambda s: s.map(_cell_text)) for k, df in tables.items()}


def test_typed_columns_give_the_problems_ledger_and_tables_of_their_text():
    typed = _typed_tables()
    clean_t, ledger_t, problems_t = validate_tables(typed, today=TODAY)
    clean_s, ledger_s, problems_s = validate_tables(_as_text(typed), today=TODAY)
    assert [str(p) for p in problems_t] == [str(p) for p in problems_s]
    assert len(problems_t) >= 10          # every awkward value above was found
    pd.testing.assert_frame_equal(ledger_t, ledger_s)
    for name in clean_s:
        pd.testing.assert_frame_equal(clean_t[name], clean_s[name], obj=name)


def test_messages_of_typed_cells_show_their_text():
    _, _, problems = validate_tables(_typed_tables(), today=TODAY)
    text = "\n".join(str(p) for p in problems)
    assert "row 7, column offence_id: value 'O1' is a duplicate" in text
    assert "column risk_reduced: value '2.5' is not a whole number" in text
    assert "column risk_reduced: value '1e+16' is not a whole number" in text
    assert "column score: value 'inf' is not a number" in text
    assert "column offence_date: value '1899-12-31' is before 1900" in text
    assert "column removed_on: value '2019-01-01' is before adopted_on" in text


@pytest.mark.parametrize("constant_hash", [False, True])
def test_hashed_duplicates_equal_duplicated_as_text(monkeypatch, constant_hash):
    monkeypatch.setattr(hashdup, "SMALL", 0)        # the hashed path, even on a small frame
    if constant_hash:                               # every row a candidate: the exact check
        monkeypatch.setattr(hashdup, "_cell_hashes",
                            lambda s: np.zeros(len(s), dtype=np.uint64))
    rng = np.random.default_rng(4)
    n = 3000
    frame = pd.DataFrame({
        "who": pd.Series(rng.choice(["P1", "P2", "P3"], n), dtype=object),
        "day": pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 3, n), unit="D"),
        "victim": pd.Series(rng.choice(np.array([None, "None", "V1"], dtype=object), n),
                            dtype=object)})
    expected = frame.astype(str).duplicated(keep="first").to_numpy()
    got = hashdup.duplicated_rows(frame)
    assert got.dtype == bool and np.array_equal(got, expected)
    assert expected.any() and not expected.all()


def test_a_date_outside_the_nanosecond_range_goes_through_text():
    people = pd.DataFrame({"person_id": ["P1"], "birth_year": [1980], "sex": ["M"],
                           "area": ["A"]})
    episodes = pd.DataFrame({"episode_id": ["E1"], "person_id": ["P1"], "cohort": ["IOM"],
                             "adopted_on": np.array(["3000-01-01"], dtype="datetime64[us]"),
                             "removed_on": [None], "removal_reason": [None]})
    offences = pd.DataFrame({"offence_id": ["O1"], "person_id": ["P1"],
                             "offence_date": [dt.datetime(2018, 1, 1)], "offence_code": ["1"],
                             "offence_category": ["violence"], "weapon": [False],
                             "domestic": [False], "victim_id": [None]})
    empty = {"custody": pd.DataFrame(columns=["person_id", "start_date", "end_date",
                                              "sentence_kind"]),
             "idva_survey": pd.DataFrame(columns=["survivor_id", "person_id", "referred_on",
                                                  "responded", "responded_on", "felt_safer",
                                                  "risk_reduced", "quality_of_life"])}
    _, _, problems = validate_tables({"people": people, "episodes": episodes,
                                      "offences": offences, **empty}, today=TODAY)
    assert any("value '3000-01-01' is in the future" in str(p) for p in problems)


def test_clean_tables_share_no_cells_with_the_input():
    from dataclasses import replace

    from iomlib.data.synth import SynthParams, simulate
    typed = simulate(replace(SynthParams(), n_people=60, seed=2)).tables()   # every row kept
    before = {k: df.copy() for k, df in typed.items()}
    clean, _, _ = validate_tables(typed, today=TODAY)
    for name, df in clean.items():
        for col in df.columns:
            if col in typed[name].columns and len(df):
                assert not np.shares_memory(df[col].to_numpy(), typed[name][col].to_numpy()), \
                    (name, col)
    for name, df in typed.items():
        pd.testing.assert_frame_equal(df, before[name])
