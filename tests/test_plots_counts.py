"""Tests for iomlib.plots.counts: bar counts, lines over time, proportions, stacked shares."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from plotting_support import bars, forbid_show, widths_by_row  # noqa: F401

from iomlib.plots import counts
from iomlib.plots.theme import SUPPRESSED_LABEL


@pytest.fixture
def events():
    return pd.DataFrame({"period": ["2018", "2018", "2019", "2019"],
                         "event": ["adopted", "removed"] * 2, "n": [5, 3, 4, 6]})


@pytest.fixture
def mix():
    return pd.DataFrame({"group": ["g1", "g1", "g1", "g2"], "cat": ["a", "b", "c", "a"],
                         "v": [2.0, 1.0, 1.0, 5.0], "size": [3, 3, 3, 1]})


def test_bar_counts(events):
    ax = counts.bar_counts(events, x="period", y="n", hue="event", ylabel="Episodes (n)")
    assert sorted(p.get_height() for p in bars(ax) if p.get_height() > 0) == [3, 4, 5, 6]
    assert ax.get_ylabel() == "Episodes (n)"
    ax = counts.bar_counts(events[events["period"] == "2019"], x="event", y="n",
                           horizontal=True)
    assert ax.get_xlabel() == "n"
    assert [x.get_text() for x in ax.get_yticklabels()] == ["adopted", "removed"]
    with pytest.raises(ValueError, match="several rows per bar"):
        counts.bar_counts(events, x="event", y="n")
    with pytest.raises(ValueError, match="hue='cohort'"):
        counts.bar_counts(events, x="period", hue="cohort")


def test_bar_counts_labels_suppressed_bars(events):
    t = events.assign(n=pd.array([25, pd.NA, 40, 12], dtype="Int64"))
    ax = counts.bar_counts(t, x="period", y="n", hue="event")
    assert sorted(p.get_height() for p in bars(ax) if p.get_height() > 0) == [12, 25, 40]
    assert sorted(x.get_text() for x in ax.texts) == ["12", "25", "40", SUPPRESSED_LABEL]
    assert [x.get_text() for x in ax.get_legend().get_texts()] == ["adopted", "removed"]


def test_counts_over_time():
    s = pd.DataFrame({"date": pd.to_datetime(["2019-01-31", "2019-02-28"] * 2),
                      "cohort": ["all", "all", "IOM", "IOM"], "active": [5, 6, 4, 5]})
    ax = counts.counts_over_time(s, x="date", y="active", hue="cohort")
    assert len(ax.get_lines()) >= 2


def test_counts_over_time_leaves_gaps():
    s = pd.DataFrame({"date": pd.date_range("2019-01-31", periods=5, freq="ME"),
                      "active": pd.array([12, 13, pd.NA, 15, pd.NA], dtype="Int64")})
    ax = counts.counts_over_time(s, x="date", y="active")
    y = np.asarray(ax.get_lines()[0].get_ydata(), float)
    assert len(y) == 5 and np.isnan(y[[2, 4]]).all()         # a gap, not a line across
    dots = ax.get_lines()[1]                                  # 15 stands alone: a dot
    assert list(np.asarray(dots.get_ydata(), float)) == [15.0]
    assert any("2 suppressed point(s)" in t.get_text() for t in ax.texts)


def test_proportions():
    t = pd.DataFrame({"year": ["2018", "2019"], "pct": [80.0, 60.0], "ci_low": [60.0, 40.0],
                      "ci_high": [90.0, 75.0], "k": [8, 6], "n": [10, 10]})
    ax = counts.proportions(t, label="year")
    assert {t_.get_text() for t_ in ax.texts} == {"8/10", "6/10"}
    assert [t_.get_text() for t_ in ax.get_yticklabels()] == ["2018", "2019"]
    with pytest.raises(ValueError, match="ci_low='lo'"):
        counts.proportions(t, label="year", ci_low="lo")


def test_proportions_with_suppressed_row():
    t = pd.DataFrame({"year": ["2018", "2019"], "pct": [80.0, np.nan], "ci_low": [60.0, np.nan],
                      "ci_high": [90.0, np.nan], "k": pd.array([16, pd.NA], dtype="Int64"),
                      "n": pd.array([20, pd.NA], dtype="Int64")})
    ax = counts.proportions(t, label="year")
    assert {x.get_text() for x in ax.texts} == {"16/20", SUPPRESSED_LABEL}
    assert [x.get_text() for x in ax.get_yticklabels()] == ["2018", "2019"]


def test_proportions_all_yes_with_round_off_in_the_bound():
    # every respondent in a year felt safer: the Wilson upper bound computes a hair under 100%
    # (seeds 1 and 4 of the synthetic force); the chart is still drawn, with a zero-length bar
    t = pd.DataFrame({"year": ["2019"], "pct": [100.0], "ci_low": [72.2],
                      "ci_high": [99.99999999999999], "k": [10], "n": [10]})
    ax = counts.proportions(t, label="year")
    assert {x.get_text() for x in ax.texts} == {"10/10"}


def test_stacked_shares(mix):
    ax = counts.stacked_shares(mix, group="group", category="cat", value="v", n="size", top=2)
    labels = [x.get_text() for x in ax.get_legend().get_texts()]
    assert labels == ["a", "b", "all other"]
    assert all(w == pytest.approx(100) for w in widths_by_row(ax).values())
    assert [x.get_text() for x in ax.get_yticklabels()] == ["g1\n(n = 3)", "g2\n(n = 1)"]
    ax = counts.stacked_shares(mix, group="group", category="cat", value="v", order=["c"])
    assert [x.get_text() for x in ax.get_legend().get_texts()] == ["c", "all other"]
    with pytest.raises(ValueError, match="top=0"):
        counts.stacked_shares(mix, group="group", category="cat", value="v", top=0)
    with pytest.raises(ValueError, match="order='c'"):
        counts.stacked_shares(mix, group="group", category="cat", value="v", order="c")
