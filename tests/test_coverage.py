"""iomlib.data.coverage: a run's dates against the data's."""
import pandas as pd
import pytest

from iomlib.data.coverage import coverage_notes, data_period
from iomlib.data.open import open_dataset


@pytest.fixture(scope="module")
def ds():
    return open_dataset(None)


def test_data_period_of_the_synthetic_force(ds):
    p = data_period(ds)
    assert p.first_adoption == ds.episodes["adopted_on"].min()
    assert p.last_adoption == ds.episodes["adopted_on"].max()
    assert p.last_record >= ds.offences["offence_date"].max()
    assert p.first_record <= ds.offences["offence_date"].min()


def test_the_packaged_defaults_fit_the_synthetic_force(ds):
    assert coverage_notes(ds, "2020-01-31", "2016-01-01") == []


def test_dates_after_the_data_are_named_and_fitting_dates_suggested(ds):
    p = data_period(ds)
    late = p.last_record + pd.Timedelta(days=400)
    notes = coverage_notes(ds, late, late - pd.Timedelta(days=30))
    assert len(notes) == 1
    text = notes[0]
    assert text.startswith("the packaged default as_of and period_start do not fit the data")
    assert "after the data's last record" in text and "no episode was adopted" in text
    assert f"-p as_of={p.last_record:%Y-%m-%d}" in text
    assert f"-p period_start={p.first_adoption:%Y-%m-%d}" in text
    assert "suggested, not adopted" in text


def test_as_of_before_the_first_adoption(ds):
    p = data_period(ds)
    early = p.first_adoption - pd.Timedelta(days=10)
    (text,) = coverage_notes(ds, early, early - pd.Timedelta(days=100),
                             given=("as_of", "period_start"))
    assert text.startswith("the dates given do not fit the data")
    assert "before the first adoption" in text


def test_as_of_only(ds):
    p = data_period(ds)
    late = p.last_record + pd.Timedelta(days=400)
    (text,) = coverage_notes(ds, late, None)
    assert text.startswith("the packaged default as_of does not fit the data")
    assert "period_start" not in text
