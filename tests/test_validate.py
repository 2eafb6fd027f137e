"""Tests of iomlib.data.validate: column checks, cross-table checks, policy and the ledger."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iomlib.config.settings import default_config
from iomlib.data.dataset import LEDGER_COLUMNS
from iomlib.data.schema import TABLES
from iomlib.data.validate import Problem, format_problems, validate_tables

TODAY = "2020-01-31"
N_PEOPLE = 40


def make_raw_tables() -> dict[str, pd.DataFrame]:
    """A small valid raw dataset, every value as text (as read from CSV).

    40 people, 45 episodes, 80 offences, 25 custody spells, 25 survey rows, 30 risk scores; all
    dates before 2020. Large enough that one bad row stays under the 5 % bad-row limit.
    """
    cats = default_config().categories
    day = pd.Timedelta(days=1)
    people = pd.DataFrame({
        "person_id": [f"P{i:04d}" for i in range(N_PEOPLE)],
        "birth_year": [str(1965 + i % 35) for i in range(N_PEOPLE)],
        "sex": [("F", "M", "X", "M")[i % 4] for i in range(N_PEOPLE)],
        "area": [("North", "South", "East")[i % 3] for i in range(N_PEOPLE)],
        "force": [("Force A" if i % 5 else "") for i in range(N_PEOPLE)],
    })
    episodes = []
    for i in range(45):
        adopted = pd.Timestamp("2016-03-01") + 17 * i * day
        closed = i % 3 != 0
        episodes.append({
            "episode_id": f"E{i:03d}", "person_id": f"P{i % N_PEOPLE:04d}",
            "cohort": ("IOM", "DVIOM", "KNIFE")[i % 3], "adopted_on": f"{adopted:%Y-%m-%d}",
            "removed_on": f"{adopted + (200 + i) * day:%Y-%m-%d}" if closed else "",
            "removal_reason": (("reduced_risk", "long_custody", "moved_away", "deceased",
                                "other")[i % 5] if closed else ""),
        })
    offences = pd.DataFrame([{
        "offence_id": f"O{i:05d}", "person_id": f"P{(i * 7) % N_PEOPLE:04d}",
        "offence_date": f"{pd.Timestamp('2015-01-05') + 23 * i * day:%Y-%m-%d}",
        "offence_code": f"{10 + i % 80}A", "offence_category": cats[i % len(cats)],
        "weapon": ("true", "false", "false")[i % 3], "domestic": ("false", "true")[i % 2],
        "victim_id": f"V{i:04d}" if i % 4 else "",
    } for i in range(80)])
    custody = pd.DataFrame([{
        "person_id": f"P{(i * 3) % N_PEOPLE:04d}",
        "start_date": f"{pd.Timestamp('2016-06-01') + 31 * i * day:%Y-%m-%d}",
        "end_date": f"{pd.Timestamp('2016-06-01') + (41 * i + 10) * day:%Y-%m-%d}",
        "sentence_kind": ("remand", "short", "long")[i % 3],
    } for i in range(25)])
    survey = []
    for i in range(25):
        resp = i % 3 != 2
        referred = pd.Timestamp("2017-02-01") + 29 * i * day
        survey.append({
            "survivor_id": f"S{i:03d}", "person_id": f"P{(i * 5) % N_PEOPLE:04d}",
            "referred_on": f"{referred:%Y-%m-%d}", "responded": "true" if resp else "false",
            "responded_on": f"{referred + 40 * day:%Y-%m-%d}" if resp else "",
            "felt_safer": ("yes", "no", "unsure")[i % 3] if resp else "",
            "risk_reduced": str(1 + i % 5) if resp else "",
            "quality_of_life": str(1 + (i * 2) % 5) if resp else "",
        })
    risk = pd.DataFrame([{
        "person_id": f"P{i % N_PEOPLE:04d}",
        "score_date": f"{pd.Timestamp('2018-01-01') + 13 * i * day:%Y-%m-%d}",
        "score": repr(round(0.1 + i * 3.7, 3)),
    } for i in range(30)])
    return {"people": people, "episodes": pd.DataFrame(episodes), "offences": offences,
            "custody": custody, "idva_survey": pd.DataFrame(survey), "risk_scores": risk}


def run(raw, **kw):
    kw.setdefault("today", TODAY)
    return validate_tables(raw, **kw)


def only(problems, **match) -> Problem:
    """The single problem matching all the given attributes."""
    found = [p for p in problems if all(getattr(p, k) == v for k, v in match.items())]
    assert len(found) == 1, f"expected one problem matching {match}, got:\n" + \
        format_problems(problems)
    return found[0]


def total(ledger, table) -> pd.Series:
    rows = ledger[(ledger.table == table) & (ledger.reason == "total")]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.fixture
def raw():
    return make_raw_tables()


# ---------------------------------------------------------------- acceptance


def test_valid_tables_are_accepted_and_typed(raw):
    clean, ledger, problems = run(raw)
    assert problems == []
    assert set(clean) == set(TABLES)
    for name, df in clean.items():
        assert list(df.columns) == TABLES[name].column_names
        assert len(df) == len(raw[name])
        assert isinstance(df.index, pd.RangeIndex)
    p, o, s = clean["people"], clean["offences"], clean["idva_survey"]
    assert p["birth_year"].dtype == "int64"
    assert p["force"].iloc[0] is None and p["force"].iloc[1] == "Force A"
    assert o["offence_date"].dtype == "datetime64[ns]"
    assert o["weapon"].dtype == bool and o["weapon"].tolist()[:3] == [True, False, False]
    assert o["victim_id"].iloc[0] is None and o["victim_id"].iloc[1] == "V0001"
    assert s["risk_reduced"].dtype == "Int64" and s["risk_reduced"].isna().sum() == 8
    assert s["responded_on"].isna().sum() == 8
    assert clean["episodes"]["removed_on"].isna().sum() == 15
    assert clean["risk_scores"]["score"].dtype == "float64"
    assert clean["risk_scores"]["score"].iloc[1] == pytest.approx(3.8)
    assert list(ledger.columns) == LEDGER_COLUMNS
    assert (ledger.rows_excluded == 0).all()
    assert ledger.reason[ledger.reason != "total"].str.startswith("note: ").all()


def test_bool_spellings_and_typed_input(raw):
    raw["offences"].loc[0:9, "weapon"] = ["Yes", "N", "1", "0", "T", "f", "TRUE", "no", "y", "F"]
    # already-typed values (as from Parquet/Excel/SQL) are accepted too
    raw["people"]["birth_year"] = raw["people"]["birth_year"].astype(int)
    raw["custody"]["start_date"] = pd.to_datetime(raw["custody"]["start_date"])
    clean, _, problems = run(raw)
    assert problems == []
    assert clean["offences"]["weapon"].tolist()[:10] == [True, False, True, False, True, False,
                                                          True, False, True, False]
    assert clean["people"]["birth_year"].iloc[3] == 1968
    assert clean["custody"]["start_date"].iloc[0] == pd.Timestamp("2016-06-01")


def test_optional_table_and_optional_column_may_be_absent(raw):
    del raw["risk_scores"]
    raw["people"] = raw["people"].drop(columns="force")
    clean, ledger, problems = run(raw)
    assert problems == []
    assert "risk_scores" not in clean and "risk_scores" not in set(ledger.table)
    assert clean["people"]["force"].isna().all()


def test_empty_custody_and_survey_are_fine(raw):
    raw["custody"] = raw["custody"].iloc[0:0]
    raw["idva_survey"] = raw["idva_survey"].iloc[0:0]
    clean, ledger, problems = run(raw)
    assert problems == []
    assert len(clean["custody"]) == 0 and clean["custody"]["start_date"].dtype == "datetime64[ns]"
    assert total(ledger, "custody").rows_read == 0


# ---------------------------------------------------------------- rejections


def test_example_message_format(raw):
    raw["offences"].loc[12, "offence_date"] = "2019-13-45"
    raw["offences"].attrs["iom_label"] = "offences.csv"
    clean, _, problems = run(raw)
    p = only(problems, table="offences")
    assert str(p) == ("offences.csv row 14, column offence_date: value '2019-13-45' is not a "
                      "date; expected YYYY-MM-DD")
    assert (p.row, p.column, p.value, p.action) == (14, "offence_date", "2019-13-45", "excluded")
    assert "O00012" not in set(clean["offences"]["offence_id"])
    assert len(clean["offences"]) == 79


def test_missing_required_column_is_an_error(raw):
    raw["people"] = raw["people"].drop(columns="sex")
    _, _, problems = run(raw)
    p = only(problems, action="error", table="people")
    assert p.column == "sex" and p.row is None
    text = str(p)
    assert "people" in text and "sex" in text and "missing" in text
    assert "expected columns person_id, birth_year, sex" in text


def test_missing_required_table_is_an_error(raw):
    del raw["custody"]
    _, _, problems = run(raw)
    p = only(problems, action="error")
    assert p.table == "custody" and "missing" in str(p)


def test_repeated_column_is_an_error(raw):
    raw["people"] = pd.concat([raw["people"], raw["people"][["sex"]]], axis=1)
    _, _, problems = run(raw)
    p = only(problems, table="people")
    assert (p.column, p.action) == ("sex", "error") and "appears more than once" in str(p)


def test_extra_column_is_ignored_with_a_note(raw):
    raw["offences"]["colour"] = "blue"
    clean, _, problems = run(raw)
    p = only(problems, table="offences")
    assert p.action == "ignored" and p.column == "colour"
    assert "colour" not in clean["offences"].columns


@pytest.mark.parametrize("table, column, pos, value, issue, expected", [
    ("people", "birth_year", 3, "abc", "is not a whole number", "a whole number from 1900"),
    ("people", "birth_year", 4, "1850", "is out of range", "from 1900 to 2030"),
    ("people", "birth_year", 5, "2025", "is in the future", "2020"),
    ("people", "sex", 6, "Q", "is not an allowed value", "one of F, M, X"),
    ("people", "area", 7, "", "is missing", "non-empty text"),
    ("episodes", "cohort", 2, "GANG", "is not an allowed value", "one of IOM, DVIOM, KNIFE"),
    ("episodes", "adopted_on", 3, "14/03/2019", "is not a date", "YYYY-MM-DD"),
    ("offences", "offence_category", 8, "arson", "is not a known offence category",
     "severity table: burglary"),
    ("offences", "weapon", 9, "maybe", "is not true/false", "true or false"),
    ("offences", "offence_date", 10, "2021-05-01", "is in the future", "today (2020-01-31)"),
    ("offences", "offence_date", 11, "1899-12-31", "is before 1900", "1900-01-01"),
    ("idva_survey", "risk_reduced", 0, "7", "is out of range", "from 1 to 5"),
    ("idva_survey", "quality_of_life", 1, "2.5", "is not a whole number", "whole number"),
    ("risk_scores", "score", 2, "-1", "is out of range", "at least 0"),
    ("risk_scores", "score", 3, "high", "is not a number", "a number"),
])
def test_bad_value_excludes_the_row(raw, table, column, pos, value, issue, expected):
    raw[table].loc[pos, column] = value
    clean, ledger, problems = run(raw)
    p = only(problems, table=table, column=column)
    assert (p.row, p.value, p.issue, p.action) == (pos + 2, value, issue, "excluded")
    assert expected in p.expected
    text = str(p)
    assert f"{table} row {pos + 2}, column {column}" in text and expected in text
    assert len(clean[table]) == len(raw[table]) - 1
    key = TABLES[table].key
    if key:
        assert raw[table].loc[pos, key] not in set(clean[table][key])
    reason = ledger[(ledger.table == table) & (ledger.reason == f"{column} {issue}")]
    assert reason.rows_excluded.tolist() == [1] and reason.rows.tolist() == [str(pos + 2)]


@pytest.mark.parametrize("table, earlier, later, pos, value", [
    ("episodes", "adopted_on", "removed_on", 1, "2015-01-01"),
    ("custody", "start_date", "end_date", 4, "2010-01-01"),
    ("idva_survey", "referred_on", "responded_on", 0, "2016-01-01"),
])
def test_date_order_violation_excludes_the_row(raw, table, earlier, later, pos, value):
    raw[table].loc[pos, later] = value
    clean, ledger, problems = run(raw)
    p = only(problems, table=table)
    assert (p.row, p.column, p.value, p.action) == (pos + 2, later, value, "excluded")
    assert f"on or after {earlier} ({raw[table].loc[pos, earlier]})" in str(p)
    assert len(clean[table]) == len(raw[table]) - 1
    assert total(ledger, table).rows_excluded == 1


def test_equal_dates_are_in_order(raw):
    raw["custody"].loc[0, "end_date"] = raw["custody"].loc[0, "start_date"]
    assert run(raw)[2] == []


def test_unknown_person_id_excludes_the_row(raw):
    raw["offences"].loc[5, "person_id"] = "P9999"
    raw["episodes"].loc[0, "person_id"] = "nobody"
    clean, _, problems = run(raw)
    p = only(problems, table="offences")
    assert (p.row, p.column, p.value, p.issue) == (7, "person_id", "P9999", "is not in people")
    assert "person_id of a usable row of people" in str(p)
    only(problems, table="episodes", value="nobody")
    assert "P9999" not in set(clean["offences"]["person_id"])
    assert len(clean["episodes"]) == 44


def test_rows_of_an_excluded_person_are_excluded_too(raw):
    raw["people"].loc[7, "sex"] = "?"            # person P0007 becomes unusable
    clean, ledger, problems = run(raw)
    assert "P0007" not in set(clean["people"]["person_id"])
    for name, df in clean.items():
        if "person_id" in df:
            assert "P0007" not in set(df["person_id"]), name
    cascaded = [p for p in problems if p.issue == "refers to a people row that was excluded"]
    assert cascaded and all(p.value == "P0007" and p.action == "excluded" for p in cascaded)
    n_off = int((raw["offences"]["person_id"] == "P0007").sum())
    assert total(ledger, "offences").rows_excluded == n_off


def test_duplicate_offence_id_keeps_the_first(raw):
    raw["offences"].loc[20, "offence_id"] = "O00003"
    clean, _, problems = run(raw)
    p = only(problems, table="offences")
    assert (p.row, p.column, p.issue, p.action) == (22, "offence_id", "is a duplicate", "excluded")
    assert "first seen in row 5" in str(p)
    kept = clean["offences"][clean["offences"]["offence_id"] == "O00003"]
    assert len(kept) == 1 and kept["offence_date"].iloc[0] == pd.Timestamp(
        raw["offences"].loc[3, "offence_date"])


def test_duplicate_person_id_is_an_error(raw):
    raw["people"].loc[10, "person_id"] = "P0002"
    _, _, problems = run(raw)
    p = only(problems, table="people")
    assert (p.row, p.column, p.action) == (12, "person_id", "error")
    assert "each person_id once (first seen in row 4)" in str(p)


def test_unknown_offence_category_follows_the_config(raw):
    base = default_config()
    sev = base.severity_tables
    cfg = base.model_copy(update={"severity_tables": sev[sev.offence_category != "burglary"]})
    n_burglary = int((raw["offences"]["offence_category"] == "burglary").sum())
    assert n_burglary > 0
    assert run(raw)[2] == []
    clean, _, problems = run(raw, config=cfg, max_bad_fraction=1.0)
    assert len(problems) == n_burglary
    assert all(p.issue == "is not a known offence category" and p.value == "burglary"
               and "robbery" in p.expected and "burglary" not in p.expected for p in problems)
    assert "burglary" not in set(clean["offences"]["offence_category"])


def test_too_many_bad_rows_is_an_error(raw):
    raw["offences"].loc[0:4, "offence_date"] = "01/02/2019"   # 5 of 80 rows: over 5 %
    _, _, problems = run(raw)
    p = only(problems, action="error")
    assert p.table == "offences" and p.row is None
    assert "5 of 80 rows" in str(p) and "at most 5%" in str(p)
    assert sum(p.action == "excluded" for p in problems) == 5
    # within the limit it is not an error
    _, _, problems = run(raw, max_bad_fraction=0.1)
    assert not [p for p in problems if p.action == "error"]


@pytest.mark.parametrize("table, column, rows, value, reason, hint", [
    ("offences", "person_id", range(5), "P9999", "person_id is not in people: 5",
     "may not match people.person_id"),
    ("custody", "end_date", range(2), "2010-01-01", "end_date is before start_date: 2",
     "swapped"),
    ("offences", "offence_id", range(1, 6), "O00000", "offence_id is a duplicate: 5",
     "exported twice"),
])
def test_too_many_excluded_rows_of_any_kind_is_an_error(raw, table, column, rows, value, reason,
                                                        hint):
    for r in rows:
        raw[table].loc[r, column] = value
    _, _, problems = run(raw)
    p = only(problems, action="error")
    n, total_rows = len(rows), len(raw[table])
    assert p.table == table and f"{n} of {total_rows} rows" in str(p)
    assert reason in str(p) and hint in str(p) and "at most 5%" in str(p)
    assert sum(p.action == "excluded" for p in problems) == n


def test_rows_of_an_excluded_person_do_not_count_towards_the_limit(raw):
    raw["offences"].loc[0:9, "person_id"] = "P0001"        # P0001 has 12 of the 80 offences
    raw["people"].loc[1, "sex"] = "?"                      # ... and is excluded
    clean, ledger, problems = run(raw)
    assert not [p for p in problems if p.action == "error"]
    assert total(ledger, "offences").rows_excluded == 12   # 15 %, all because of people
    assert "P0001" not in set(clean["offences"]["person_id"])


@pytest.mark.parametrize("table", ["people", "episodes", "offences"])
def test_empty_required_table_is_an_error(raw, table):
    raw[table] = raw[table].iloc[0:0]
    _, _, problems = run(raw)
    p = only(problems, table=table, action="error")
    assert p.issue == "table is empty" and "at least one data row" in str(p)


def test_no_usable_rows_is_an_error(raw):
    raw["people"]["sex"] = "?"
    _, _, problems = run(raw, max_bad_fraction=1.0)
    only(problems, table="people", action="error", issue="no usable rows: all 40 rows were "
         "excluded")


def test_row_numbers_follow_the_index(raw):
    df = raw["people"]
    df.index = df.index + 3                       # e.g. three blank lines skipped before
    df.loc[5, "sex"] = "Q"                        # index 5 = sixth line after the blank ones
    _, _, problems = run(raw)
    assert only(problems, table="people").row == 7


# ---------------------------------------------------------------- ledger and formatting


def test_ledger_counts_each_row_once(raw):
    raw["offences"].loc[2, "offence_date"] = "bad"
    raw["offences"].loc[2, "weapon"] = "bad"          # two problems, one row
    raw["offences"].loc[3, "person_id"] = "P9999"
    clean, ledger, problems = run(raw)
    assert len([p for p in problems if p.table == "offences"]) == 3
    t = total(ledger, "offences")
    assert (t.rows_read, t.rows_used, t.rows_excluded, t.rows) == (80, 78, 2, "4, 5")
    reasons = ledger[(ledger.table == "offences") & (ledger.reason != "total")]
    assert dict(zip(reasons.reason, reasons.rows_excluded, strict=True)) == {
        "offence_date is not a date": 1, "person_id is not in people": 1}
    assert len(clean["offences"]) == 78


def test_ledger_lists_the_first_20_rows(raw):
    raw["offences"].loc[0:24, "weapon"] = "?"
    _, ledger, _ = run(raw, max_bad_fraction=1.0)
    row = ledger[(ledger.table == "offences") & (ledger.reason == "weapon is not true/false")]
    assert row.rows_excluded.iloc[0] == 25
    assert row.rows.iloc[0] == ", ".join(str(i) for i in range(2, 22)) + ", …"


def test_format_problems_limit():
    ps = [Problem("people", i, "sex", "Q", "one of F, M, X", "excluded", "is not an allowed value")
          for i in range(2, 9)]
    text = format_problems(ps, limit=3)
    assert text.splitlines() == [str(p) for p in ps[:3]] + ["... and 4 more problems"]
    assert format_problems(ps).count("\n") == 6
    assert format_problems([]) == "no problems"
    assert str(Problem("people", None, None, None, "at least one data row", "error",
                       "table is empty")) == "people: table is empty; expected at least one " \
                                             "data row"


CORRUPTIONS = [  # (table, column, value) that must exclude the row it is put in
    ("people", "birth_year", "19x0"), ("people", "sex", "Z"), ("people", "area", ""),
    ("episodes", "cohort", "nope"), ("episodes", "adopted_on", "2019-02-30"),
    ("episodes", "person_id", "P9999"), ("episodes", "episode_id", ""),
    ("offences", "offence_date", "2999-01-01"), ("offences", "weapon", "perhaps"),
    ("offences", "offence_category", "arson"), ("offences", "person_id", "ghost"),
    ("custody", "end_date", "1901-01-01"), ("custody", "sentence_kind", "life"),
    ("idva_survey", "responded", ""), ("idva_survey", "risk_reduced", "0"),
    ("risk_scores", "score", "nan"), ("risk_scores", "score_date", "yesterday"),
]
_BASE = make_raw_tables()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(CORRUPTIONS), st.integers(0, 10_000)), max_size=12),
       st.lists(st.sampled_from([("offences", "offence_id"), ("episodes", "episode_id"),
                                 ("idva_survey", "survivor_id")]), max_size=3))
def test_ledger_accounts_for_every_row(corruptions, duplicates):
    raw = {k: v.copy() for k, v in _BASE.items()}
    hit = {name: set() for name in raw}
    for (table, column, value), r in corruptions:
        pos = r % len(raw[table])
        raw[table].loc[pos, column] = value
        hit[table].add(pos + 2)
    for table, key in duplicates:
        raw[table].loc[len(raw[table]) - 1, key] = raw[table].loc[0, key]
        hit[table].add(len(raw[table]) + 1)
    clean, ledger, problems = validate_tables(raw, today=TODAY, max_bad_fraction=1.0)
    for name, df in raw.items():
        t = total(ledger, name)
        assert t.rows_read == len(df)
        assert t.rows_used == len(clean[name])
        assert t.rows_read == t.rows_used + t.rows_excluded
        reasons = ledger[(ledger.table == name) & (ledger.reason != "total")]
        assert reasons.rows_excluded.sum() == t.rows_excluded
        dropped = {p.row for p in problems if p.table == name and p.row is not None}
        assert len(dropped) == t.rows_excluded
        assert hit[name] <= dropped                         # every corrupted row is caught
        kept = [r for r in range(2, len(df) + 2) if r not in dropped]
        # nothing silently lost: the clean table is exactly the rows not listed as problems
        first = TABLES[name].column_names[:2]
        expect = df.iloc[[r - 2 for r in kept]][first].reset_index(drop=True)
        pd.testing.assert_frame_equal(as_text(clean[name][first]), expect)


def as_text(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    for c in df.columns:
        s = df[c]
        out[c] = s.dt.strftime("%Y-%m-%d") if s.dtype.kind == "M" else s.astype(str)
    return out.astype(object)


# ---------------------------------------------------------------- oddities of real extracts


def tiny() -> dict[str, pd.DataFrame]:
    """A hand-made force: 4 people (P4 has no offence), 3 episodes, 5 offences, 3 custody
    spells; nothing odd but P4."""
    t = lambda rows, cols: pd.DataFrame(rows, columns=cols)  # noqa: E731
    return {
        "people": t([["P1", "1980", "M", "North", ""], ["P2", "1985", "F", "South", ""],
                     ["P3", "1990", "M", "East", ""], ["P4", "1975", "X", "East", ""]],
                    TABLES["people"].column_names),
        "episodes": t([["E1", "P1", "IOM", "2017-01-10", "2018-01-10", "reduced_risk"],
                       ["E2", "P2", "IOM", "2017-02-01", "", ""],
                       ["E3", "P3", "KNIFE", "2017-03-01", "", ""]],
                      TABLES["episodes"].column_names),
        "offences": t([["O1", "P1", "2016-05-01", "28A", "burglary", "false", "false", ""],
                       ["O2", "P1", "2017-06-01", "30C", "theft", "false", "false", "V1"],
                       ["O3", "P2", "2016-07-01", "8N", "violence", "true", "true", "V2"],
                       ["O4", "P3", "2018-01-01", "92A", "drugs", "false", "false", ""],
                       ["O5", "P3", "2018-02-01", "92A", "drugs", "false", "false", ""]],
                      TABLES["offences"].column_names),
        "custody": t([["P1", "2016-06-01", "2016-08-01", "short"],
                      ["P2", "2018-01-01", "2018-03-01", "remand"],
                      ["P3", "2015-01-01", "2015-02-01", "short"]],
                     TABLES["custody"].column_names),
        "idva_survey": t([], TABLES["idva_survey"].column_names),
    }


def add_row(raw, table, row):
    raw[table] = pd.concat([raw[table], pd.DataFrame([row], columns=raw[table].columns)],
                           ignore_index=True)


def notes(ledger, table) -> dict[str, str]:
    rows = ledger[(ledger.table == table) & ledger.reason.str.startswith("note: ")]
    return dict(zip(rows.reason, rows.rows, strict=True))


def assert_ledger_adds_up(ledger, clean, raw):
    totals = ledger[ledger.reason == "total"].set_index("table")
    for name, df in raw.items():
        row = totals.loc[name]
        assert row.rows_read == len(df) == row.rows_used + row.rows_excluded, name
        assert row.rows_used == len(clean[name]), name
        reasons = ledger[(ledger.table == name) & (ledger.reason != "total")]
        assert reasons.rows_excluded.sum() == row.rows_excluded, name


def test_plain_tiny_force_has_only_the_person_without_offences_noted():
    raw = tiny()
    clean, ledger, problems = run(raw)
    assert problems == []
    assert notes(ledger, "people") == {"note: people with no offences; kept (comparison pool): "
                                       "1 row": "5"}
    assert ledger[ledger.reason.str.startswith("note: ")].table.tolist() == ["people"]
    assert "P4" in set(clean["people"].person_id)
    assert_ledger_adds_up(ledger, clean, raw)


def test_same_day_repeats_of_an_offence_are_kept_and_noted(tmp_path):
    raw = tiny()
    add_row(raw, "offences", ["O6", "P1", "2016-05-01", "28A", "burglary", "false", "false", ""])
    add_row(raw, "offences", ["O7", "P1", "2016-05-01", "28A", "burglary", "true", "false", ""])
    add_row(raw, "offences", ["O8", "P1", "2016-05-01", "28B", "burglary", "false", "false", ""])
    add_row(raw, "offences", ["O9", "P1", "2016-05-01", "28A", "burglary", "false", "false",
                              "V9"])                                 # another victim
    clean, ledger, problems = run(raw)
    assert problems == []
    # distinct offence ids are distinct crime records: every row is kept
    assert sorted(clean["offences"].offence_id) == ["O1", "O2", "O3", "O4", "O5", "O6", "O7",
                                                    "O8", "O9"]
    got = ledger[(ledger.table == "offences") & (ledger.reason != "total")]
    assert len(got) == 1 and got.reason.iloc[0].startswith("note: offences repeating an earlier")
    assert got.reason.iloc[0].endswith(": 2 rows")
    assert got.rows_excluded.tolist() == [0] and got.rows.tolist() == ["7, 8"]
    assert_ledger_adds_up(ledger, clean, raw)
    from iomlib.data.dataset import Dataset
    from iomlib.data.sources import load_dataset
    Dataset(**run(raw)[0]).write(tmp_path)
    ds = load_dataset(tmp_path, strict=True, today=TODAY)
    assert len(ds.offences) == 9


def test_open_episode_with_a_removal_reason_keeps_the_episode_open():
    raw = tiny()
    raw["episodes"].loc[1, "removal_reason"] = "moved_away"
    clean, ledger, problems = run(raw)
    assert problems == []
    ep = clean["episodes"].set_index("episode_id")
    assert pd.isna(ep.loc["E2", "removed_on"]) and ep.loc["E2", "removal_reason"] is None
    assert ep.loc["E1", "removal_reason"] == "reduced_risk"
    assert notes(ledger, "episodes") == {
        "note: removal_reason set aside on open episodes (removed_on is empty); kept as open: "
        "1 row": "3"}
    assert_ledger_adds_up(ledger, clean, raw)


def test_overlapping_custody_spells_are_kept_and_counted():
    raw = tiny()
    add_row(raw, "custody", ["P1", "2016-07-01", "2016-12-01", "long"])     # overlaps row 2
    add_row(raw, "custody", ["P1", "2016-12-01", "2017-01-01", "remand"])   # starts on release
    add_row(raw, "custody", ["P2", "2018-02-01", "2018-02-10", "short"])    # inside row 3
    clean, ledger, problems = run(raw)
    assert problems == [] and len(clean["custody"]) == 6
    (reason, rows), = notes(ledger, "custody").items()
    assert reason.startswith("note: custody spells overlapping an earlier spell") and \
        reason.endswith(": 2 rows")
    assert rows == "5, 7"
    assert_ledger_adds_up(ledger, clean, raw)


def test_adoption_while_in_custody_is_kept_and_nothing_breaks():
    from iomlib.data.dataset import Dataset
    from iomlib.measures.cohort import status_on
    raw = tiny()
    add_row(raw, "custody", ["P3", "2017-02-01", "2017-06-01", "long"])     # E3 adopted inside
    clean, ledger, problems = run(raw)
    assert problems == []
    (reason, rows), = notes(ledger, "episodes").items()
    assert "adopted while the person was in custody; kept (allowed)" in reason and rows == "4"
    ds = Dataset(**clean, ledger=ledger)
    status = status_on(ds, "2017-03-15").set_index("person_id")
    assert status.loc["P3", "status"] == "long custody" and not status.loc["P3", "active"]
    assert status.loc["P2", "status"] == "community"
    assert_ledger_adds_up(ledger, clean, raw)


def test_offences_before_the_first_matrix_version_are_kept_and_counted():
    cfg = default_config()
    first = min(v.effective_from for v in cfg.matrix_versions)
    raw = tiny()
    early = f"{first - pd.Timedelta(days=4000):%Y-%m-%d}"
    add_row(raw, "offences", ["O9", "P2", early, "28A", "burglary", "false", "false", ""])
    clean, ledger, problems = run(raw, config=cfg)
    assert problems == [] and "O9" in set(clean["offences"].offence_id)
    (reason, rows), = notes(ledger, "offences").items()
    assert f"before the earliest selection-matrix version ({first:%Y-%m-%d})" in reason
    assert reason.endswith(": 1 row") and rows == "7"
    assert_ledger_adds_up(ledger, clean, raw)


def test_people_with_no_offences_at_all_may_be_most_of_the_pool():
    raw = tiny()
    raw["offences"] = raw["offences"].iloc[:1]
    clean, ledger, problems = run(raw)
    assert problems == [] and len(clean["people"]) == 4
    assert list(notes(ledger, "people").values()) == ["3, 4, 5"]
    assert_ledger_adds_up(ledger, clean, raw)


def test_mixed_cells_become_the_same_text_as_cell_by_cell():
    """The vectorised text of a typed (workbook, database) column equals _cell_text per cell."""
    import datetime as dt

    from iomlib.data.validate import _cell_text, _text_column
    cells = [" a ", 3, -7, 2 ** 70, 3.0, 2.5, float("nan"), None, pd.NaT, True, False,
             dt.datetime(2019, 3, 4), dt.datetime(2019, 3, 4, 12, 30), dt.date(2018, 1, 2),
             pd.Timestamp("2020-02-29"), dt.datetime(1066, 10, 14), dt.time(12, 0), np.int64(5),
             "", "  "]
    s = pd.Series(cells * 3, dtype=object)
    assert _text_column(s).tolist() == s.map(_cell_text).tolist()
    stamps = pd.Series([dt.datetime(2019, 3, 4), None, dt.datetime(2019, 3, 4, 1, 2, 3)],
                       dtype=object)
    assert _text_column(stamps).tolist() == ["2019-03-04", "", "2019-03-04 01:02:03"]
    for typed in (pd.Series(pd.to_datetime(["2019-01-02", None, "1901-03-04 12:00"],
                                           format="mixed")),
                  pd.Series([1, None, -3], dtype="Int64"), pd.Series([1, 2 ** 40, -3])):
        assert _text_column(typed).tolist() == typed.astype(object).map(_cell_text).tolist()


@pytest.mark.parametrize("cells", [[" a", "b"], ["a", "b"], ["a\u00a0", "b"], ["a\x1c", "b"],
                                   ["", "é "], ["x"] * 5, ["\tP1\n", "P2"]])
def test_arrow_strip_equals_python_strip(cells):
    from iomlib.data.validate import _strip
    s = pd.Series(cells, dtype=object)
    assert _strip(s).tolist() == s.str.strip().tolist()


def test_arrow_patterns_equal_python_patterns():
    """Shape checks with Arrow's RE2 give what Python's re gives (non-ASCII digits included)."""
    from iomlib.data.validate import _DATE_RE, _INT_RE, _matches
    dates = ["2019-01-02", "2019-01-02 12:30", "2019-1-02", "", "x", "2019-01-02T12:30:15.5",
             "\u0661\u0662\u0663\u0664-01-02", "2019-01-02 1:30", "02/01/2019"]
    ints = ["12", "+3", "4.000", "4.5", "\u0663", "1234567890123456", "", "-0", "1e3"]
    for cells, pattern in ((dates, _DATE_RE), (ints, _INT_RE)):
        for subset in (cells, [c for c in cells if c.isascii()]):
            t = pd.Series(subset, dtype=object)
            assert _matches(t, pattern.pattern).tolist() == t.str.match(pattern).tolist()
