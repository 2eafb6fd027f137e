"""Tests for iomlib.plots.matrix: the points histogram and two matrix versions compared."""
from __future__ import annotations

import pandas as pd
import pytest
from plotting_support import bars, forbid_show  # noqa: F401

from iomlib.plots import matrix


def test_score_histogram():
    t = pd.DataFrame({"points": [0, 0, 5, 10, 25, 30]})
    ax = matrix.score_histogram(t, threshold=20, bins=5)
    assert len(bars(ax)) == 5
    assert sum(p.get_height() for p in bars(ax)) == 4           # zeros left out
    assert ax.get_lines()[0].get_xdata()[0] == 20
    assert "2 at or above" in ax.get_legend().get_texts()[0].get_text()
    with pytest.raises(ValueError, match="threshold='20'"):
        matrix.score_histogram(t, threshold="20")
    with pytest.raises(ValueError, match="bins=0"):
        matrix.score_histogram(t, bins=0)


def test_score_histogram_hides_small_bins():
    t = pd.DataFrame({"points": [1] * 5 + [50, 60]})
    ax = matrix.score_histogram(t, threshold=40, bins=2, min_count=3)
    assert sorted(p.get_height() for p in bars(ax)) == [0, 5]
    assert "fewer than 3 at or above" in ax.get_legend().get_texts()[0].get_text()
    assert any("1 bin(s) with fewer than 3 people" in x.get_text() for x in ax.texts)


def test_versions_scatter():
    t = pd.DataFrame({"p16": [10, 25, 18], "p18": [10, 25, 26],
                      "group": ["neither", "both", "only 2018"]})
    ax = matrix.versions_scatter(t, x="p16", y="p18", hue="group", threshold_x=20,
                                 threshold_y=20)
    assert len(ax.collections) == 3
    assert "both (n = 1)" in [x.get_text() for x in ax.get_legend().get_texts()]
    with pytest.raises(ValueError, match="threshold_y=nan"):
        matrix.versions_scatter(t, x="p16", y="p18", threshold_y=float("nan"))
