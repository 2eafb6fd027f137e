"""Tests for iomlib.plots.core: each function returns an Axes with the expected artists and labels,
draws on a given Axes, rejects bad arguments by name and never calls ``plt.show()``."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.patches import Rectangle

from iomlib.plots import core as plots


@pytest.fixture(autouse=True)
def _close_and_forbid_show(monkeypatch):
    def _no_show(*a, **k):
        raise AssertionError("plots must not call plt.show()")
    monkeypatch.setattr(plt, "show", _no_show)
    yield
    plt.close("all")


@pytest.fixture
def curve():
    months = np.arange(-12, 25)
    obs = pd.DataFrame({"month": months, "group": "still observed",
                        "mean": 100.0 + months, "n_at_risk": np.where(months < 0, 50, 50 - months)})
    fixed = pd.DataFrame({"month": months[months <= 12], "group": "observed through month 12",
                          "mean": 90.0 + months[months <= 12], "n_at_risk": 30})
    t = pd.concat([obs, fixed], ignore_index=True)
    t["ci_low"], t["ci_high"] = t["mean"] - 5, t["mean"] + 5
    return t


def _bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


# ------------------------------------------------------------------------------ theme

def test_set_theme_uses_colour_blind_palette():
    plots.set_theme()
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    expected = [matplotlib.colors.to_hex(c) for c in sns.color_palette("colorblind")]
    assert [matplotlib.colors.to_hex(c) for c in cycle] == expected
    assert plots.colours(12)[10] == plots.colours(12)[0]
    with pytest.raises(ValueError, match="context='huge'"):
        plots.set_theme("huge")


# ------------------------------------------------------------------------------ risk curve

def test_risk_curve_artists_and_numbers_at_risk(curve):
    ax = plots.risk_curve(curve, at_risk_every=6)
    assert isinstance(ax, Axes)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "still observed", "observed through month 12"]
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2
    at_risk = [t for t in ax.texts if t.get_gid() == plots.AT_RISK_GID]
    # still observed: -12, -6, 0, 6, 12, 18, 24 (7); fixed: -12 .. 12 (5)
    assert len(at_risk) == 12
    assert {t.get_text() for t in at_risk} >= {"50", "44", "38", "30", "26"}
    assert "Months since adoption" in ax.get_xlabel() and "points" in ax.get_ylabel()
    assert list(ax.get_xticks()) == [-12, -6, 0, 6, 12, 18, 24]


def test_risk_curve_hides_small_cells(curve):
    ax = plots.risk_curve(curve, groups=["still observed"], min_n=40)
    line = ax.get_lines()[0]
    y = np.asarray(line.get_ydata(), float)
    x = np.asarray(line.get_xdata())
    assert np.isnan(y[x > 10]).all() and np.isfinite(y[x <= 10]).all()   # n = 50 - month
    texts = {t.get_text() for t in ax.texts if t.get_gid() == plots.AT_RISK_GID}
    assert "<40" in texts and "26" not in texts


def test_risk_curve_draws_on_given_axes(curve):
    _, (a1, a2) = plt.subplots(1, 2)
    assert plots.risk_curve(curve, ax=a2) is a2
    assert not a1.lines


@pytest.mark.parametrize("kwargs, match", [
    ({"at_risk_every": 0}, "at_risk_every=0"),
    ({"min_n": -1}, "min_n=-1"),
    ({"groups": ["nobody"]}, "groups="),
    ({"ax": "left"}, "ax='left'"),
])
def test_risk_curve_rejects_bad_arguments(curve, kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        plots.risk_curve(curve, **kwargs)


def test_missing_column_and_non_table_are_named(curve):
    with pytest.raises(ValueError, match="n_at_risk='n_at_risk'"):
        plots.risk_curve(curve.drop(columns="n_at_risk"))
    with pytest.raises(TypeError, match="table"):
        plots.risk_curve(curve.to_dict())


# ------------------------------------------------------------------------------ before/after

@pytest.fixture
def fig_a():
    return pd.DataFrame({"year": [2016, 2017], "n": [10, 12], "mean_before": [5.0, 6.0],
                         "mean_after": [3.0, 2.0], "n_zero_differences": [1, 0],
                         "wilcoxon_p": [0.01, 0.0001]})


def test_before_after(fig_a):
    ax = plots.before_after(fig_a, group="year", ylabel="Offences per nominal (mean)")
    heights = sorted(p.get_height() for p in _bars(ax))
    assert heights == [2.0, 3.0, 5.0, 6.0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert "n = 10" in labels[0] and "p = 0.010" in labels[0] and "p < 0.001" in labels[1]
    assert "zero diff. = 1" in labels[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["before adoption",
                                                                  "after adoption"]


def test_before_after_rejects_repeated_groups_and_bad_labels(fig_a):
    with pytest.raises(ValueError, match="group='n'"):
        plots.before_after(pd.concat([fig_a, fig_a]).assign(n=1), group="n")
    with pytest.raises(ValueError, match="group='years'"):
        plots.before_after(fig_a, group="years")
    with pytest.raises(ValueError, match="labels="):
        plots.before_after(fig_a, group="year", labels=("only one",))


# ------------------------------------------------------------------------------ likert

@pytest.fixture
def likert():
    rows = []
    for item, counts in (("a", [1, 1, 2, 3, 3]), ("b", [0, 2, 0, 4, 4])):
        for level, n in enumerate(counts, 1):
            rows.append({"item": item, "text": f"item {item}", "level": level,
                         "label": f"L{level}", "n": n})
    return pd.DataFrame(rows)


def test_likert_diverging_is_centred_on_neutral(likert):
    ax = plots.likert_diverging(likert)
    bars = _bars(ax)
    assert len(bars) == 10
    # bars are drawn level by level, one per item: bars[4:6] are the neutral level, which
    # straddles zero symmetrically
    for b in bars[4:6]:
        assert b.get_x() + b.get_width() / 2 == pytest.approx(0)
    # widths per item sum to 100%
    ys = {}
    for b in bars:
        ys.setdefault(round(b.get_y(), 6), 0.0)
        ys[round(b.get_y(), 6)] += b.get_width()
    assert all(v == pytest.approx(100) for v in ys.values())
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["item a\n(n = 10)", "item b\n(n = 10)"]
    # left edges: item a 10 + 10 + 20/2 = -30; item b 0 + 20 + 0/2 = -20
    assert [b.get_x() for b in bars[0:2]] == [pytest.approx(-30), pytest.approx(-20)]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [f"L{i}" for i in range(1, 6)]


def test_likert_rejects_bad_input(likert):
    with pytest.raises(ValueError, match="n='count'"):
        plots.likert_diverging(likert, n="count")
    with pytest.raises(ValueError, match="n='n'"):
        plots.likert_diverging(likert.assign(n=-1))
    with pytest.raises(ValueError, match="level='level'"):
        plots.likert_diverging(likert[likert["level"] == 1])


# ------------------------------------------------------------------------------ proportions etc.

def test_proportions():
    t = pd.DataFrame({"year": ["2018", "2019"], "pct": [80.0, 60.0], "ci_low": [60.0, 40.0],
                      "ci_high": [90.0, 75.0], "k": [8, 6], "n": [10, 10]})
    ax = plots.proportions(t, label="year")
    assert {t_.get_text() for t_ in ax.texts} == {"8/10", "6/10"}
    assert [t_.get_text() for t_ in ax.get_yticklabels()] == ["2018", "2019"]
    with pytest.raises(ValueError, match="ci_low='lo'"):
        plots.proportions(t, label="year", ci_low="lo")


def test_score_histogram():
    t = pd.DataFrame({"points": [0, 0, 5, 10, 25, 30]})
    ax = plots.score_histogram(t, threshold=20, bins=5)
    assert len(_bars(ax)) == 5
    assert sum(p.get_height() for p in _bars(ax)) == 4           # zeros left out
    assert ax.get_lines()[0].get_xdata()[0] == 20
    assert "2 at or above" in ax.get_legend().get_texts()[0].get_text()
    with pytest.raises(ValueError, match="threshold='20'"):
        plots.score_histogram(t, threshold="20")
    with pytest.raises(ValueError, match="bins=0"):
        plots.score_histogram(t, bins=0)


def test_versions_scatter_and_stacked_shares():
    t = pd.DataFrame({"p16": [10, 25, 18], "p18": [10, 25, 26],
                      "group": ["neither", "both", "only 2018"]})
    ax = plots.versions_scatter(t, x="p16", y="p18", hue="group", threshold_x=20,
                                threshold_y=20)
    assert len(ax.collections) == 3
    assert "both (n = 1)" in [x.get_text() for x in ax.get_legend().get_texts()]
    with pytest.raises(ValueError, match="threshold_y=nan"):
        plots.versions_scatter(t, x="p16", y="p18", threshold_y=float("nan"))
    mix = pd.DataFrame({"group": ["g1", "g1", "g1", "g2"], "cat": ["a", "b", "c", "a"],
                        "v": [2.0, 1.0, 1.0, 5.0], "size": [3, 3, 3, 1]})
    ax = plots.stacked_shares(mix, group="group", category="cat", value="v", n="size", top=2)
    labels = [x.get_text() for x in ax.get_legend().get_texts()]
    assert labels == ["a", "b", "all other"]
    widths = {}
    for b in _bars(ax):
        widths[round(b.get_y(), 6)] = widths.get(round(b.get_y(), 6), 0) + b.get_width()
    assert all(w == pytest.approx(100) for w in widths.values())
    assert [x.get_text() for x in ax.get_yticklabels()] == ["g1\n(n = 3)", "g2\n(n = 1)"]
    ax = plots.stacked_shares(mix, group="group", category="cat", value="v", order=["c"])
    assert [x.get_text() for x in ax.get_legend().get_texts()] == ["c", "all other"]
    with pytest.raises(ValueError, match="top=0"):
        plots.stacked_shares(mix, group="group", category="cat", value="v", top=0)


def test_counts_and_scatter_helpers():
    t = pd.DataFrame({"period": ["2018", "2018", "2019", "2019"],
                      "event": ["adopted", "removed"] * 2, "n": [5, 3, 4, 6]})
    ax = plots.bar_counts(t, x="period", y="n", hue="event", ylabel="Episodes (n)")
    assert sorted(p.get_height() for p in _bars(ax) if p.get_height() > 0) == [3, 4, 5, 6]
    assert ax.get_ylabel() == "Episodes (n)"
    ax = plots.bar_counts(t[t["period"] == "2019"], x="event", y="n", horizontal=True)
    assert ax.get_xlabel() == "n"
    assert [x.get_text() for x in ax.get_yticklabels()] == ["adopted", "removed"]
    with pytest.raises(ValueError, match="several rows per bar"):
        plots.bar_counts(t, x="event", y="n")
    with pytest.raises(ValueError, match="hue='cohort'"):
        plots.bar_counts(t, x="period", hue="cohort")
    s = pd.DataFrame({"date": pd.to_datetime(["2019-01-31", "2019-02-28"] * 2),
                      "cohort": ["all", "all", "IOM", "IOM"], "active": [5, 6, 4, 5]})
    ax = plots.counts_over_time(s, x="date", y="active", hue="cohort")
    assert len(ax.get_lines()) >= 2
    r = pd.DataFrame({"a": [10.0, 20.0, 0.0], "b": [5.0, 25.0, 0.0]})
    ax = plots.paired_scatter(r, x="a", y="b")
    assert "n = 3" in ax.get_title()


def test_reduction_vs_baseline():
    t = pd.DataFrame({"risk_at_adoption": [100.0, 200.0, 400.0, 800.0],
                      "reduction_pct": [-500.0, 20.0, 50.0, 80.0]})
    bins = pd.DataFrame({"baseline_median": [150.0, 600.0], "mean_reduction": [-240.0, 65.0],
                         "ci_low": [-300.0, 50.0], "ci_high": [-100.0, 80.0], "n": [2, 2]})
    ax = plots.reduction_vs_baseline(t, bins=bins, rho=0.8)
    assert ax.get_xscale() == "log"
    assert any("0.80" in x.get_text() for x in ax.texts)
    offsets = ax.collections[0].get_offsets()
    assert np.asarray(offsets)[:, 1].min() == -200                 # clipped to ylim
    with pytest.raises(ValueError, match="ylim="):
        plots.reduction_vs_baseline(t, ylim=(100, -200))
    with pytest.raises(ValueError, match="mean_reduction="):
        plots.reduction_vs_baseline(t, bins=bins.drop(columns="mean_reduction"))
    with pytest.raises(ValueError, match="rho='high'"):
        plots.reduction_vs_baseline(t, rho="high")


def test_nominal_timeline():
    risk = pd.DataFrame({"month_end": pd.date_range("2018-01-31", periods=6, freq="ME"),
                         "score": [0, 10, 20, 15, 5, 0]})
    off = pd.DataFrame({"offence_date": pd.to_datetime(["2018-02-10", "2018-03-05"]),
                        "weapon": [False, True]})
    cu = pd.DataFrame({"start_date": pd.to_datetime(["2018-04-01"]),
                       "end_date": pd.to_datetime(["2018-05-01"]), "sentence_kind": ["short"]})
    ep = pd.DataFrame({"adopted_on": pd.to_datetime(["2018-03-31"]), "removed_on": [pd.NaT],
                       "cohort": ["IOM"]})
    ax = plots.nominal_timeline(risk, offences=off, custody=cu, episodes=ep, person_id="P1")
    labels = [x.get_text() for x in ax.get_legend().get_texts()]
    assert labels == ["on the scheme", "in custody", "risk score (month end)", "offence",
                      "weapon-enabled offence"]
    assert "P1" in ax.get_title() and "points" in ax.get_ylabel()
    with pytest.raises(ValueError, match="custody: missing column"):
        plots.nominal_timeline(risk, custody=cu.drop(columns="end_date"))
    with pytest.raises(ValueError, match="score='risk'"):
        plots.nominal_timeline(risk, score="risk")


# ------------------------------------------------------------------------------ suppressed values
# Tables from iomlib.sdc.policy.Disclosure (public audience) hold missing values (NaN or pd.NA
# in nullable integer columns) where a figure was suppressed: nothing may be drawn for them, no
# line may be drawn across them, and the labels say [c].

def test_risk_curve_with_suppressed_points(curve):
    from iomlib.sdc.policy import Disclosure
    checked = Disclosure("public", min_cell=40).curve(curve, n_col="n_at_risk", people_col=None)
    assert checked["n_at_risk"].isna().any()
    ax = plots.risk_curve(checked, groups=["still observed"])
    x, y = (np.asarray(v, float) for v in ax.get_lines()[0].get_data())
    assert np.isnan(y[x > 10]).all() and np.isfinite(y[x <= 10]).all()
    texts = [t.get_text() for t in ax.texts if t.get_gid() == plots.AT_RISK_GID]
    assert plots.SUPPRESSED_LABEL in texts and "26" not in texts


def test_bar_counts_labels_suppressed_bars():
    t = pd.DataFrame({"period": ["2018", "2018", "2019", "2019"],
                      "event": ["adopted", "removed"] * 2,
                      "n": pd.array([25, pd.NA, 40, 12], dtype="Int64")})
    ax = plots.bar_counts(t, x="period", y="n", hue="event")
    assert sorted(p.get_height() for p in _bars(ax) if p.get_height() > 0) == [12, 25, 40]
    assert sorted(x.get_text() for x in ax.texts) == ["12", "25", "40", plots.SUPPRESSED_LABEL]
    assert [x.get_text() for x in ax.get_legend().get_texts()] == ["adopted", "removed"]


def test_counts_over_time_leaves_gaps():
    s = pd.DataFrame({"date": pd.date_range("2019-01-31", periods=5, freq="ME"),
                      "active": pd.array([12, 13, pd.NA, 15, pd.NA], dtype="Int64")})
    ax = plots.counts_over_time(s, x="date", y="active")
    y = np.asarray(ax.get_lines()[0].get_ydata(), float)
    assert len(y) == 5 and np.isnan(y[[2, 4]]).all()         # a gap, not a line across
    dots = ax.get_lines()[1]                                  # 15 stands alone: a dot
    assert list(np.asarray(dots.get_ydata(), float)) == [15.0]
    assert any("2 suppressed point(s)" in t.get_text() for t in ax.texts)


def test_before_after_with_suppressed_values(fig_a):
    t = fig_a.assign(mean_after=[np.nan, 2.0], n_zero_differences=pd.array([pd.NA, 0], "Int64"),
                     wilcoxon_p=[np.nan, np.nan], wilcoxon_p_suppressed=[True, False])
    ax = plots.before_after(t, group="year")
    assert sorted(p.get_height() for p in _bars(ax)) == [0.0, 2.0, 5.0, 6.0]
    assert plots.SUPPRESSED_LABEL in [x.get_text() for x in ax.texts]
    labels = [x.get_text() for x in ax.get_xticklabels()]
    assert "zero diff. = [c]" in labels[0] and "p [c]" in labels[0]
    assert "p n/a" in labels[1]                    # missing but not suppressed: not computed


def test_proportions_with_suppressed_row():
    t = pd.DataFrame({"year": ["2018", "2019"], "pct": [80.0, np.nan], "ci_low": [60.0, np.nan],
                      "ci_high": [90.0, np.nan], "k": pd.array([16, pd.NA], dtype="Int64"),
                      "n": pd.array([20, pd.NA], dtype="Int64")})
    ax = plots.proportions(t, label="year")
    assert {x.get_text() for x in ax.texts} == {"16/20", plots.SUPPRESSED_LABEL}
    assert [x.get_text() for x in ax.get_yticklabels()] == ["2018", "2019"]


def test_likert_item_with_suppressed_count_is_not_drawn(likert):
    t = likert.assign(n=likert["n"].astype("Int64"), n_item=10)
    t.loc[(t["item"] == "b") & t["level"].isin([2, 4]), "n"] = pd.NA
    ax = plots.likert_diverging(t, total="n_item")
    widths = {}
    for b in _bars(ax):
        widths[round(b.get_y(), 6)] = widths.get(round(b.get_y(), 6), 0) + b.get_width()
    assert sorted(widths.values()) == [pytest.approx(0), pytest.approx(100)]
    assert [x.get_text() for x in ax.get_yticklabels()] == ["item a\n(n = 10)",
                                                           "item b\n(n = 10)"]
    assert any(x.get_text().startswith(plots.SUPPRESSED_LABEL) for x in ax.texts)
    ax = plots.likert_diverging(t)
    assert [x.get_text() for x in ax.get_yticklabels()][1] == "item b\n(n = [c])"


def test_reduction_vs_baseline_band_means_only():
    t = pd.DataFrame({"risk_at_adoption": [100.0, 200.0, 400.0, 800.0],
                      "reduction_pct": [-500.0, 20.0, 50.0, 80.0]})
    bins = pd.DataFrame({"baseline_median": [150.0, 600.0], "mean_reduction": [np.nan, 65.0],
                         "ci_low": [np.nan, 50.0], "ci_high": [np.nan, 80.0],
                         "n": pd.array([pd.NA, 12], dtype="Int64")})
    ax = plots.reduction_vs_baseline(t, bins=bins, points=False)
    assert not [c for c in ax.collections if c.get_offsets().shape[0] == len(t)]
    assert [x.get_text() for x in ax.texts] == ["n=12"]
    assert [x.get_text() for x in ax.get_legend().get_texts()] == [
        "mean per baseline band (95% CI)"]
    with pytest.raises(ValueError, match="points=False"):
        plots.reduction_vs_baseline(t, points=False)
