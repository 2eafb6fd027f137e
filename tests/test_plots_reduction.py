"""Tests for iomlib.plots.reduction: paired scatter, before/after bars, reduction vs baseline."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from plotting_support import bars, forbid_show  # noqa: F401

from iomlib.plots import reduction
from iomlib.plots.theme import SUPPRESSED_LABEL


@pytest.fixture
def fig_a():
    return pd.DataFrame({"year": [2016, 2017], "n": [10, 12], "mean_before": [5.0, 6.0],
                         "mean_after": [3.0, 2.0], "n_zero_differences": [1, 0],
                         "wilcoxon_p": [0.01, 0.0001]})


@pytest.fixture
def episodes():
    return pd.DataFrame({"risk_at_adoption": [100.0, 200.0, 400.0, 800.0],
                         "reduction_pct": [-500.0, 20.0, 50.0, 80.0]})


def test_paired_scatter():
    r = pd.DataFrame({"a": [10.0, 20.0, 0.0], "b": [5.0, 25.0, 0.0]})
    ax = reduction.paired_scatter(r, x="a", y="b")
    assert "n = 3" in ax.get_title()
    assert ax.get_xscale() == "symlog"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["episodes (n=3)", "no change"]


def test_before_after(fig_a):
    ax = reduction.before_after(fig_a, group="year", ylabel="Offences per nominal (mean)")
    heights = sorted(p.get_height() for p in bars(ax))
    assert heights == [2.0, 3.0, 5.0, 6.0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert "n = 10" in labels[0] and "p = 0.010" in labels[0] and "p < 0.001" in labels[1]
    assert "zero diff. = 1" in labels[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["before adoption",
                                                                  "after adoption"]


def test_before_after_rejects_repeated_groups_and_bad_labels(fig_a):
    with pytest.raises(ValueError, match="group='n'"):
        reduction.before_after(pd.concat([fig_a, fig_a]).assign(n=1), group="n")
    with pytest.raises(ValueError, match="group='years'"):
        reduction.before_after(fig_a, group="years")
    with pytest.raises(ValueError, match="labels="):
        reduction.before_after(fig_a, group="year", labels=("only one",))


def test_before_after_with_suppressed_values(fig_a):
    t = fig_a.assign(mean_after=[np.nan, 2.0], n_zero_differences=pd.array([pd.NA, 0], "Int64"),
                     wilcoxon_p=[np.nan, np.nan], wilcoxon_p_suppressed=[True, False])
    ax = reduction.before_after(t, group="year")
    assert sorted(p.get_height() for p in bars(ax)) == [0.0, 2.0, 5.0, 6.0]
    assert SUPPRESSED_LABEL in [x.get_text() for x in ax.texts]
    labels = [x.get_text() for x in ax.get_xticklabels()]
    assert "zero diff. = [c]" in labels[0] and "p [c]" in labels[0]
    assert "p n/a" in labels[1]                    # missing but not suppressed: not computed


def test_reduction_vs_baseline(episodes):
    bins = pd.DataFrame({"baseline_median": [150.0, 600.0], "mean_reduction": [-240.0, 65.0],
                         "ci_low": [-300.0, 50.0], "ci_high": [-100.0, 80.0], "n": [2, 2]})
    ax = reduction.reduction_vs_baseline(episodes, bins=bins, rho=0.8)
    assert ax.get_xscale() == "log"
    assert any("0.80" in x.get_text() for x in ax.texts)
    offsets = ax.collections[0].get_offsets()
    assert np.asarray(offsets)[:, 1].min() == -200                 # clipped to ylim
    with pytest.raises(ValueError, match="ylim="):
        reduction.reduction_vs_baseline(episodes, ylim=(100, -200))
    with pytest.raises(ValueError, match="mean_reduction="):
        reduction.reduction_vs_baseline(episodes, bins=bins.drop(columns="mean_reduction"))
    with pytest.raises(ValueError, match="rho='high'"):
        reduction.reduction_vs_baseline(episodes, rho="high")


def test_reduction_vs_baseline_linear_axis_with_a_zero_baseline(episodes):
    ax = reduction.reduction_vs_baseline(episodes.assign(risk_at_adoption=[0.0, 1, 2, 3]),
                                         ylim=None)
    assert ax.get_xscale() == "linear" and "log" not in ax.get_xlabel()
    with pytest.raises(TypeError, match="points='no'"):
        reduction.reduction_vs_baseline(episodes, points="no")


def test_reduction_vs_baseline_band_means_only(episodes):
    bins = pd.DataFrame({"baseline_median": [150.0, 600.0], "mean_reduction": [np.nan, 65.0],
                         "ci_low": [np.nan, 50.0], "ci_high": [np.nan, 80.0],
                         "n": pd.array([pd.NA, 12], dtype="Int64")})
    ax = reduction.reduction_vs_baseline(episodes, bins=bins, points=False)
    assert not [c for c in ax.collections if c.get_offsets().shape[0] == len(episodes)]
    assert [x.get_text() for x in ax.texts] == ["n=12"]
    assert [x.get_text() for x in ax.get_legend().get_texts()] == [
        "mean per baseline band (95% CI)"]
    with pytest.raises(ValueError, match="points=False"):
        reduction.reduction_vs_baseline(episodes, points=False)
