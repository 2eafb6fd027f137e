"""Tests of ``iomlib.plots.impact``: the event-study and Kaplan-Meier plots."""
from __future__ import annotations

import numpy as np
import pandas as pd

from iomlib.plots.impact import plot_event_study, plot_survival
from iomlib.sdc.policy import Disclosure


def test_plot_event_study_on_a_fitted_study():
    from impact_support import fitted
    ev = fitted()["event_study"]
    ax = plot_event_study(ev.event_, outcome="count", band="uniform", anticipation=12)
    assert hasattr(ax, "plot") and len(ax.lines) >= 1


# ------------------------------------------------------------------------------------------
# the plotting helpers with series that went through disclosure control: in a public report
# the points resting on fewer than min_cell people are missing (NaN) and must simply not be
# drawn, and the points kept must be drawn as they are (notebook 07)


def _event_frame():
    t = np.arange(-6, 7)
    rows = []
    for outcome in ("count", "harm"):
        rows.append(pd.DataFrame({
            "outcome": outcome, "event_time": t, "estimate": 0.1 * t,
            "ci_low": 0.1 * t - 0.2, "ci_high": 0.1 * t + 0.2,
            "ci_low_uniform": 0.1 * t - 0.3, "ci_high_uniform": 0.1 * t + 0.3,
            "n_treated": np.where(t > 3, 4.0, 40.0)}))       # the last event times: 4 people
    return pd.concat(rows, ignore_index=True)


def _survival_frame():
    days = np.arange(0.0, 100.0, 10.0)
    rows = []
    for group, n in (("adopted", 30), ("comparison", 14)):
        at_risk = np.maximum(n - np.arange(len(days)) * 2, 1)
        rows.append(pd.DataFrame({"group": group, "days": days,
                                  "survival": np.linspace(1, 0.5, len(days)),
                                  "ci_low": np.linspace(1, 0.4, len(days)),
                                  "ci_high": np.linspace(1, 0.6, len(days)),
                                  "at_risk": at_risk}))
    return pd.concat(rows, ignore_index=True)


def _line_points(ax):
    return [np.asarray(line.get_xydata(), dtype=float) for line in ax.get_lines()]


def test_event_study_draws_only_the_points_kept():
    sdc = Disclosure("public", 10, key="k")
    event = sdc.curve(_event_frame(), n_col="n_treated", people_col=None,
                      value_cols=["estimate", "ci_low", "ci_high", "ci_low_uniform",
                                  "ci_high_uniform"])
    assert event["suppressed"].sum() == 6           # event times 4, 5, 6 of both outcomes
    ax = plot_event_study(event, outcome="count", band="uniform")
    drawn = _line_points(ax)[0]                     # the estimate line
    finite = drawn[np.isfinite(drawn[:, 1])]
    assert finite[:, 0].max() == 3
    assert np.allclose(finite[:, 1], 0.1 * finite[:, 0])


def test_event_study_with_every_point_hidden_draws_nothing():
    sdc = Disclosure("public", 100, key="k")
    event = sdc.curve(_event_frame(), n_col="n_treated", people_col=None,
                      value_cols=["estimate", "ci_low", "ci_high"])
    ax = plot_event_study(event, outcome="harm")
    assert not np.isfinite(_line_points(ax)[0][:, 1]).any()


def test_survival_draws_only_points_with_enough_people_at_risk():
    sdc = Disclosure("public", 10, key="k")
    surv = sdc.curve(_survival_frame(), n_col="at_risk", people_col=None,
                     value_cols=["survival", "ci_low", "ci_high"])
    ax = plot_survival(surv)
    adopted, comparison = (np.asarray(s.get_xydata()) for s in ax.get_lines()[:2])
    # adopted: 30, 28, ..., 12 at risk: every point kept; comparison: 14, 12, 10 kept
    assert len(adopted) == 10
    assert len(comparison) == 3
    assert np.isfinite(comparison).all()


def test_survival_with_a_whole_group_hidden():
    sdc = Disclosure("public", 50, key="k")
    surv = sdc.curve(_survival_frame(), n_col="at_risk", people_col=None,
                     value_cols=["survival", "ci_low", "ci_high"])
    ax = plot_survival(surv)
    assert all(len(line.get_xydata()) == 0 for line in ax.get_lines()[:2])


def test_restricted_curves_are_drawn_whole():
    sdc = Disclosure("restricted", 10, key="k")
    surv = sdc.curve(_survival_frame(), n_col="at_risk", people_col=None)
    ax = plot_survival(surv)
    assert [len(line.get_xydata()) for line in ax.get_lines()[:2]] == [10, 10]
