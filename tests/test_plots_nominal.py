"""Tests for iomlib.plots.nominal: one nominal's timeline."""
from __future__ import annotations

import pandas as pd
import pytest
from plotting_support import forbid_show  # noqa: F401

from iomlib.plots import nominal


def test_nominal_timeline():
    risk = pd.DataFrame({"month_end": pd.date_range("2018-01-31", periods=6, freq="ME"),
                         "score": [0, 10, 20, 15, 5, 0]})
    off = pd.DataFrame({"offence_date": pd.to_datetime(["2018-02-10", "2018-03-05"]),
                        "weapon": [False, True]})
    cu = pd.DataFrame({"start_date": pd.to_datetime(["2018-04-01"]),
                       "end_date": pd.to_datetime(["2018-05-01"]), "sentence_kind": ["short"]})
    ep = pd.DataFrame({"adopted_on": pd.to_datetime(["2018-03-31"]), "removed_on": [pd.NaT],
                       "cohort": ["IOM"]})
    ax = nominal.nominal_timeline(risk, offences=off, custody=cu, episodes=ep, person_id="P1")
    labels = [x.get_text() for x in ax.get_legend().get_texts()]
    assert labels == ["on the scheme", "in custody", "risk score (month end)", "offence",
                      "weapon-enabled offence"]
    assert "P1" in ax.get_title() and "points" in ax.get_ylabel()
    with pytest.raises(ValueError, match="custody: missing column"):
        nominal.nominal_timeline(risk, custody=cu.drop(columns="end_date"))
    with pytest.raises(ValueError, match="score='risk'"):
        nominal.nominal_timeline(risk, score="risk")
    with pytest.raises(TypeError, match="episodes"):
        nominal.nominal_timeline(risk, episodes=ep.to_dict())
