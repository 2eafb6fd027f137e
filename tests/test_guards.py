"""iomlib.measures.guards: each section's precondition, said in plain words."""
import pandas as pd
import pytest

from iomlib.data.dataset import Dataset
from iomlib.measures import guards
from iomlib.measures.empty import NothingAtAll, NothingToShow


@pytest.fixture(scope="module")
def ds():
    from iomlib.data.open import open_dataset
    return open_dataset(None)


def test_adoptions_outside_the_data_suggest_the_data_period(ds):
    guards.adoptions(ds, "2016-01-01", "2020-01-31")          # the synthetic force: fine
    with pytest.raises(NothingToShow, match="No episode was adopted between 1 January 1990 "
                                            r"and 31 December 1990 \(the data's adoptions run"):
        guards.adoptions(ds, "1990-01-01", "1990-12-31", what="the risk curve")


def test_whole_notebook_guards_stop(ds, monkeypatch):
    monkeypatch.setattr("IPython.display.display", lambda obj: None)
    empty = Dataset(people=ds.people, episodes=ds.episodes.iloc[:0], offences=ds.offences,
                    custody=ds.custody, idva_survey=ds.idva_survey.iloc[:0])
    with pytest.raises(NothingAtAll, match="no DVIOM episodes"):
        guards.cohort_present(empty, "DVIOM")
    with pytest.raises(NothingAtAll, match="IDVA survey table is empty"):
        guards.survey(empty, "2020-01-31")
    with pytest.raises(NothingAtAll, match="person_id"):
        guards.profile_available(empty, "2016-01-01", "2020-01-31")
    with pytest.raises(NothingAtAll, match="national figure"):
        guards.national_available(pd.Series({"n": 0, "value": float("nan")}), float("nan"))


def test_section_guards():
    with pytest.raises(NothingToShow, match="no removals yet"):
        guards.removals(pd.DataFrame(), "2016-01-01", "2020-01-31")
    with pytest.raises(NothingToShow, match="12 months"):
        guards.month12_reached(pd.DataFrame(), "2020-01-31")
    t = pd.DataFrame({"reduction_pct": [10.0, None, 20.0], "risk_at_adoption": [1, 0, 2]})
    with pytest.raises(NothingToShow, match="Only 2 episode"):
        guards.scored_at_adoption(t)
    t3 = pd.DataFrame({"reduction_pct": [10.0, 5.0, 20.0], "risk_at_adoption": [1, 3, 2]})
    assert guards.scored_at_adoption(t3) is t3
    with pytest.raises(NothingToShow, match="Figure A"):
        guards.years_followed([])
    with pytest.raises(NothingToShow, match="offence types"):
        guards.categories([])
    with pytest.raises(NothingToShow, match="selection-matrix points"):
        guards.with_points(pd.DataFrame({"points": [0.0, 0.0]}), "2020-01-31")
    with pytest.raises(NothingToShow, match="answered"):
        guards.survey_respondents(0)
    with pytest.raises(NothingToShow, match="funnel"):
        guards.national_spread(float("nan"), 3)
    assert guards.finite(2, "x") == 2.0


def test_impact_possible_stops_when_nobody_can_be_compared(monkeypatch):
    from iomlib import impact
    from iomlib.config.settings import default_config
    monkeypatch.setattr("IPython.display.display", lambda obj: None)
    from dataclasses import replace

    from iomlib.data.synth import SynthParams, simulate
    tiny = simulate(replace(SynthParams(), n_people=150, seed=3))
    panel = impact.prepare(tiny, default_config())
    with pytest.raises(NothingAtAll, match="cannot be estimated on these data"):
        guards.impact_possible(panel)


def test_impact_estimable_stops_in_words_when_the_decision_risk_sets_lack_an_arm(monkeypatch):
    # the month-end check can pass while the decision-date risk sets of the main estimate still
    # lack an arm (a messy extract did): the notebook stops with a sentence, not a traceback
    from iomlib.errors import IomError
    monkeypatch.setattr("IPython.display.display", lambda obj: None)
    with pytest.raises(NothingAtAll, match="cannot be estimated on these data"):
        with guards.impact_estimable():
            raise IomError("impact: the risk sets need both adopted and not-adopted people")
    with pytest.raises(IomError, match="something else"):      # other errors are not hidden
        with guards.impact_estimable():
            raise IomError("impact: something else")
