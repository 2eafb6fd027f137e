"""Shared fixtures for the iom-suite tests.

* every test runs with the Agg backend, closes its matplotlib figures and starts from seeded
  ``random`` / ``numpy.random`` generators;
* ``small_dataset``: a tiny hand-built :class:`iomlib.data.dataset.Dataset` whose headline
  figures are worked out by hand in the tests (see the comments below for the story of each person);
* ``default_data``: the embedded calibrated synthetic force (session-scoped);
* ``tiny_synth``: a 600-person synthetic force (session-scoped);
* ``counts_config``: risk = plain number of offences in the trailing 365-day window, so that
  hand calculations are whole numbers;
* ``schema_problems``: a checker listing every way a Dataset departs from :mod:`iomlib.data.schema`.
"""
from __future__ import annotations

import os
import random
from dataclasses import replace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

from iomlib.data.dataset import Dataset
from iomlib.data.schema import TABLES

settings.register_profile("iom", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("iom-thorough", max_examples=400, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "iom"))


# ------------------------------------------------------------------------------------------
# hygiene


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(autouse=True)
def _seed_generators():
    random.seed(12345)
    np.random.seed(12345)
    yield


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh, seeded numpy Generator for the test."""
    return np.random.default_rng(12345)


# ------------------------------------------------------------------------------------------
# the hand-built dataset


def _dates(values) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values)), dtype="datetime64[ns]")


def _ids(values) -> pd.Series:
    return pd.Series(list(values), dtype=object)


def make_small_dataset() -> Dataset:
    """Six people; the expected figures (as of 2020-01-31, since 2016-01-01) are in the tests.

    Story (risk under the ``counts_config``: number of offences in (t - 365 days, t]):

    * P1: IOM 2016-03-31 to 2017-04-30 (E1, reduced risk), re-adopted 2018-01-31 (E2, open,
      in the community on 2020-01-31). Risk: 4 at E1 adoption, 1 at E1 removal, 1 at E1 + 12
      months (2017-03-31; the 2016-03-31 offence is exactly 365 days old and drops out), 2 at E2
      adoption, 1 at E2 + 12 months.
    * P2: IOM 2017-06-30 to 2018-03-31 (E3, moved away): removed before 12 months. Risk 2 at
      adoption, 3 at removal, 3 at adoption + 12 months.
    * P3: DVIOM from 2019-03-31 (E4, open) but in long custody on 2020-01-31.
    * P4: IOM from 2019-06-30 (E5, open), on remand on 2020-01-31.
    * P5: KNIFE from 2019-05-31 (E6, open), short sentence on 2020-01-31.
    * P6: IOM 2015-06-30 to 2016-07-31 (E7): adopted before the period, removed in it, zero risk
      at adoption; adopted again 2020-03-31 (E8), after the as-of date.
    """
    people = pd.DataFrame({
        "person_id": _ids(["P1", "P2", "P3", "P4", "P5", "P6"]),
        "birth_year": pd.Series([1990, 1985, 1979, 1995, 2000, 1970], dtype="int64"),
        "sex": _ids(["M", "M", "M", "F", "M", "X"]),
        "area": _ids(["City North", "City South", "County East", "County West", "City North",
                      "City South"]),
        "force": _ids([None] * 6),
    })
    episodes = pd.DataFrame({
        "episode_id": _ids([f"E{i}" for i in range(1, 9)]),
        "person_id": _ids(["P1", "P1", "P2", "P3", "P4", "P5", "P6", "P6"]),
        "cohort": _ids(["IOM", "IOM", "IOM", "DVIOM", "IOM", "KNIFE", "IOM", "IOM"]),
        "adopted_on": _dates(["2016-03-31", "2018-01-31", "2017-06-30", "2019-03-31",
                              "2019-06-30", "2019-05-31", "2015-06-30", "2020-03-31"]),
        "removed_on": _dates(["2017-04-30", None, "2018-03-31", None, None, None, "2016-07-31",
                              None]),
        "removal_reason": _ids(["reduced_risk", None, "moved_away", None, None, None,
                                "reduced_risk", None]),
    })
    off = [
        # P1
        ("P1", "2015-05-10", "burglary", False),
        ("P1", "2015-09-01", "theft", False),
        ("P1", "2015-12-24", "burglary", False),
        ("P1", "2016-03-31", "shoplifting", False),
        ("P1", "2016-10-15", "theft", False),
        ("P1", "2017-08-01", "robbery", True),
        ("P1", "2017-12-01", "burglary", False),
        ("P1", "2018-06-01", "shoplifting", False),
        # P2
        ("P2", "2016-08-01", "violence", False),
        ("P2", "2017-02-01", "violence", False),
        ("P2", "2017-09-01", "violence", True),
        ("P2", "2017-11-01", "criminal_damage", False),
        ("P2", "2018-02-01", "public_order", False),
        # P3 (domestic abuse, before his long sentence)
        ("P3", "2018-11-20", "domestic_abuse", False),
        ("P3", "2019-02-14", "domestic_abuse", False),
        ("P3", "2019-08-30", "domestic_abuse", True),
        # P4
        ("P4", "2019-05-05", "shoplifting", False),
        ("P4", "2019-12-30", "theft", False),
        # P5
        ("P5", "2019-04-01", "weapons", True),
        ("P5", "2019-10-10", "robbery", True),
        # P6
        ("P6", "2016-01-15", "public_order", False),
    ]
    codes = {"burglary": "28E", "robbery": "34B", "vehicle": "48", "theft": "39",
             "shoplifting": "46", "violence": "8N", "domestic_abuse": "8N", "drugs": "92D",
             "weapons": "10D", "criminal_damage": "58A", "public_order": "9A", "other": "49"}
    victim_cats = {"burglary", "robbery", "theft", "violence", "domestic_abuse",
                   "criminal_damage"}
    offences = pd.DataFrame({
        "offence_id": _ids([f"O{i:03d}" for i in range(1, len(off) + 1)]),
        "person_id": _ids([o[0] for o in off]),
        "offence_date": _dates([o[1] for o in off]),
        "offence_code": _ids([codes[o[2]] for o in off]),
        "offence_category": _ids([o[2] for o in off]),
        "weapon": pd.Series([o[3] for o in off], dtype=bool),
        "domestic": pd.Series([o[2] == "domestic_abuse" for o in off], dtype=bool),
        "victim_id": _ids([f"V{i:03d}" if o[2] in victim_cats else None
                           for i, o in enumerate(off, 1)]),
    })
    custody = pd.DataFrame({
        "person_id": _ids(["P1", "P3", "P3", "P4", "P5"]),
        "start_date": _dates(["2018-07-01", "2019-03-01", "2019-10-01", "2020-01-20",
                              "2019-12-01"]),
        "end_date": _dates(["2018-09-01", "2019-03-10", "2021-10-01", "2020-02-15",
                            "2020-03-01"]),
        "sentence_kind": _ids(["short", "remand", "long", "remand", "short"]),
    })
    # survey: as of 2020-01-31, S1-S5 referred, S1, S2, S4 responded (S5 responds after the
    # as-of date, S6 is referred after it); 2 of the 3 respondents felt safer.
    survey = pd.DataFrame({
        "survivor_id": _ids([f"S{i}" for i in range(1, 7)]),
        "person_id": _ids(["P3"] * 6),
        "referred_on": _dates(["2019-04-10", "2019-05-01", "2019-06-01", "2019-08-01",
                               "2019-12-15", "2020-03-01"]),
        "responded": pd.Series([True, True, False, True, True, False], dtype=bool),
        "responded_on": _dates(["2019-06-01", "2019-07-01", None, "2019-10-01", "2020-02-20",
                                None]),
        "felt_safer": _ids(["yes", "no", None, "yes", "yes", None]),
        "risk_reduced": pd.array([4, 2, None, 5, 5, None], dtype="Int64"),
        "quality_of_life": pd.array([4, 2, None, 5, 4, None], dtype="Int64"),
    })
    return Dataset(people=people, episodes=episodes, offences=offences, custody=custody,
                   idva_survey=survey, risk_scores=None, source="<small test dataset>")


@pytest.fixture
def small_dataset() -> Dataset:
    """A fresh copy of the hand-built dataset (tests may modify it)."""
    return make_small_dataset()


@pytest.fixture(scope="session")
def counts_config():
    """Risk = number of offences in the trailing 365 days (no decay to 1e-6, no weapon uplift)."""
    from iomlib.config.settings import default_config
    return default_config().with_risk(severity_table="counts", half_life_days=1e12,
                                      weapon_uplift=0)


# ------------------------------------------------------------------------------------------
# simulated data


@pytest.fixture(scope="session")
def default_data():
    from iomlib.data.open import default_dataset
    return default_dataset()


@pytest.fixture(scope="session")
def tiny_synth():
    from iomlib.data.synth import SynthParams, simulate
    return simulate(replace(SynthParams(), n_people=600))


# ------------------------------------------------------------------------------------------
# schema checker


def _schema_problems(ds: Dataset, *, check_dtypes: bool = True) -> list[str]:
    """Every departure of ``ds`` from iomlib.data.schema (empty list: conforms)."""
    from iomlib.config.settings import default_config
    problems = []
    cats = set(default_config().categories)
    for name, spec in TABLES.items():
        df = ds.table(name)
        if df is None:
            if not spec.optional:
                problems.append(f"{name}: missing table")
            continue
        for col in spec.columns:
            if col.name not in df.columns:
                if col.required:
                    problems.append(f"{name}.{col.name}: missing column")
                continue
            s = df[col.name]
            present = s.notna()
            if not col.nullable and not present.all():
                problems.append(f"{name}.{col.name}: {int((~present).sum())} missing values")
            v = s[present]
            if check_dtypes:
                if col.kind == "date" and str(s.dtype) != "datetime64[ns]":
                    problems.append(f"{name}.{col.name}: dtype {s.dtype}, expected "
                                    "datetime64[ns]")
                if col.kind == "bool" and s.dtype != bool:
                    problems.append(f"{name}.{col.name}: dtype {s.dtype}, expected bool")
                if col.kind == "int" and col.nullable and str(s.dtype) != "Int64":
                    problems.append(f"{name}.{col.name}: dtype {s.dtype}, expected Int64")
                if col.kind == "int" and not col.nullable and s.dtype != np.int64:
                    problems.append(f"{name}.{col.name}: dtype {s.dtype}, expected int64")
                if col.kind in ("id", "text", "category") and s.dtype != object:
                    problems.append(f"{name}.{col.name}: dtype {s.dtype}, expected object")
            if col.kind in ("id", "text", "category"):
                notstr = ~v.map(lambda x: isinstance(x, str))
                if notstr.any():
                    problems.append(f"{name}.{col.name}: non-text values {v[notstr].head(3)}")
                if col.kind == "id" and (v == "").any():
                    problems.append(f"{name}.{col.name}: empty identifiers")
            allowed = col.allowed
            if col.name == "offence_category":
                allowed = cats
            if allowed is not None:
                bad = ~v.isin(list(allowed))
                if bad.any():
                    problems.append(f"{name}.{col.name}: values {sorted(set(v[bad]))[:5]} not "
                                    f"in {sorted(allowed)}")
            if col.min is not None and (pd.to_numeric(v) < col.min).any():
                problems.append(f"{name}.{col.name}: values below {col.min}")
            if col.max is not None and (pd.to_numeric(v) > col.max).any():
                problems.append(f"{name}.{col.name}: values above {col.max}")
        if spec.key is not None and spec.key in df.columns and df[spec.key].duplicated().any():
            problems.append(f"{name}.{spec.key}: duplicate keys")
        for earlier, later in spec.date_order:
            bad = (df[later] < df[earlier]).fillna(False)
            if bad.any():
                problems.append(f"{name}: {int(bad.sum())} rows with {later} before {earlier}")
        if name != "people" and "person_id" in df.columns:
            unknown = ~df["person_id"].isin(ds.people["person_id"])
            if unknown.any():
                problems.append(f"{name}.person_id: {int(unknown.sum())} unknown people")
    return problems


@pytest.fixture(scope="session")
def schema_problems():
    """``schema_problems(ds, check_dtypes=True) -> list[str]`` (empty: ``ds`` conforms)."""
    return _schema_problems
