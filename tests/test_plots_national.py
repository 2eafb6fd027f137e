"""Tests for iomlib.plots.national: the funnel plot."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from plotting_support import forbid_show  # noqa: F401

from iomlib.plots import national


@pytest.fixture
def forces():
    return pd.DataFrame({"force": list("ABC"), "n": [20, 100, 400], "value": [40.0, 70.0, 50.0],
                         "funnel": ["within", "above 99.8%", "within"]})


@pytest.fixture
def limits():
    ns = np.geomspace(10, 500, 20)
    return pd.concat([pd.DataFrame({"n": ns, "level": level, "lower": 50 - z * 40 / np.sqrt(ns),
                                    "upper": 50 + z * 40 / np.sqrt(ns)})
                      for level, z in ((0.95, 1.96), (0.998, 3.09))], ignore_index=True)


def test_funnel_plot(forces, limits):
    ax = national.funnel_plot(forces, limits, centre=50.0)
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "95.0% control limits", "99.8% control limits", "national value (50.0)", "force"]
    assert [t.get_text() for t in ax.texts] == ["B"]          # only the unit outside
    assert [line.get_linestyle() for line in ax.get_lines()[:4]] == ["--", "--", ":", ":"]


def test_funnel_plot_rejects_bad_arguments(forces, limits):
    with pytest.raises(ValueError, match="centre=None"):
        national.funnel_plot(forces, limits, centre=None)
    with pytest.raises(ValueError, match="upper='upper'"):
        national.funnel_plot(forces, limits.drop(columns="upper"), centre=50)
    with pytest.raises(TypeError, match="limits"):
        national.funnel_plot(forces, limits.to_dict(), centre=50)
    assert not national.funnel_plot(forces, limits, centre=50, annotate=None).texts
