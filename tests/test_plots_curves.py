"""Tests for iomlib.plots.curves: the risk curve's lines, bands, numbers at risk and checks."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from plotting_support import forbid_show, risk_curve_table  # noqa: F401

from iomlib.plots import curves
from iomlib.plots.theme import AT_RISK_GID, SUPPRESSED_LABEL


@pytest.fixture
def curve():
    return risk_curve_table()


def test_risk_curve_artists_and_numbers_at_risk(curve):
    ax = curves.risk_curve(curve, at_risk_every=6)
    assert isinstance(ax, Axes)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "still observed", "observed through month 12"]
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2
    at_risk = [t for t in ax.texts if t.get_gid() == AT_RISK_GID]
    # still observed: -12, -6, 0, 6, 12, 18, 24 (7); fixed: -12 .. 12 (5)
    assert len(at_risk) == 12
    assert {t.get_text() for t in at_risk} >= {"50", "44", "38", "30", "26"}
    assert "Months since adoption" in ax.get_xlabel() and "points" in ax.get_ylabel()
    assert list(ax.get_xticks()) == [-12, -6, 0, 6, 12, 18, 24]


def test_risk_curve_hides_small_cells(curve):
    ax = curves.risk_curve(curve, groups=["still observed"], min_n=40)
    line = ax.get_lines()[0]
    y = np.asarray(line.get_ydata(), float)
    x = np.asarray(line.get_xdata())
    assert np.isnan(y[x > 10]).all() and np.isfinite(y[x <= 10]).all()   # n = 50 - month
    texts = {t.get_text() for t in ax.texts if t.get_gid() == AT_RISK_GID}
    assert "<40" in texts and "26" not in texts


def test_risk_curve_takes_one_group_by_name(curve):
    ax = curves.risk_curve(curve, groups="still observed")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["still observed"]


def test_risk_curve_draws_on_given_axes(curve):
    _, (a1, a2) = plt.subplots(1, 2)
    assert curves.risk_curve(curve, ax=a2) is a2
    assert not a1.lines


@pytest.mark.parametrize("kwargs, match", [
    ({"at_risk_every": 0}, "at_risk_every=0"),
    ({"min_n": -1}, "min_n=-1"),
    ({"groups": ["nobody"]}, "groups="),
    ({"ax": "left"}, "ax='left'"),
])
def test_risk_curve_rejects_bad_arguments(curve, kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        curves.risk_curve(curve, **kwargs)


def test_missing_column_and_non_table_are_named(curve):
    with pytest.raises(ValueError, match="n_at_risk='n_at_risk'"):
        curves.risk_curve(curve.drop(columns="n_at_risk"))
    with pytest.raises(TypeError, match="table"):
        curves.risk_curve(curve.to_dict())


# Tables from iomlib.sdc.policy.Disclosure (public audience) hold missing values (NaN or pd.NA
# in nullable integer columns) where a figure was suppressed: nothing may be drawn for them, no
# line may be drawn across them, and the labels say [c].

def test_risk_curve_with_suppressed_points(curve):
    from iomlib.sdc.policy import Disclosure
    checked = Disclosure("public", min_cell=40).curve(curve, n_col="n_at_risk", people_col=None)
    assert checked["n_at_risk"].isna().any()
    ax = curves.risk_curve(checked, groups=["still observed"])
    x, y = (np.asarray(v, float) for v in ax.get_lines()[0].get_data())
    assert np.isnan(y[x > 10]).all() and np.isfinite(y[x <= 10]).all()
    texts = [t.get_text() for t in ax.texts if t.get_gid() == AT_RISK_GID]
    assert SUPPRESSED_LABEL in texts and "26" not in texts
