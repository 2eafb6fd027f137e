"""Tests of iomlib.plots._describe: alt text, data behind the chart, empty charts, and the
IPython display hook that carries them to the notebook's image output."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from iomlib import plots  # noqa: E402
from iomlib.plots._describe import figure_charts, figure_empty, figure_metadata  # noqa: E402


def test_bar_chart_alt_text_says_what_it_shows():
    t = pd.DataFrame({"status": ["community", "custody", "remand"], "n": [120, np.nan, 45]})
    ax = plots.bar_counts(t, x="status", y="n", title="People by status", xlabel="Status",
                          ylabel="People (n)")
    meta = figure_metadata(ax.figure)
    alt = meta["alt"]
    assert alt.startswith("Bar chart: People by status.")
    assert "Horizontal axis: Status" in alt and "vertical axis: People (n)" in alt
    assert "from 45 to 120" in alt
    chart = meta["iom_charts"][0]
    assert chart["columns"] == ["status", "n"] and chart["rows"][1] == ["custody", None]
    assert chart["count_columns"] == ["n"] and figure_empty(ax.figure) is None


def test_everything_suppressed_is_a_sentence_not_an_empty_chart():
    t = pd.DataFrame({"item": ["q1"] * 5 + ["q2"] * 5, "level": list(range(1, 6)) * 2,
                      "n": [np.nan] * 10})
    ax = plots.likert_diverging(t, label=None, item_label=None)
    sentence = figure_empty(ax.figure)
    assert sentence and "not shown" in sentence and "suppressed" in sentence
    # one point left of a monthly line is not a line either
    months = pd.DataFrame({"date": pd.date_range("2019-01-31", periods=6, freq="ME"),
                           "active": [np.nan, np.nan, 12, np.nan, np.nan, np.nan]})
    ax = plots.counts_over_time(months, x="date", y="active")
    assert figure_empty(ax.figure)
    months["active"] = [10, 11, 12, np.nan, 14, 15]
    ax = plots.counts_over_time(months, x="date", y="active")
    assert figure_empty(ax.figure) is None
    assert "1 suppressed point(s)" in figure_charts(ax.figure)[0].alt


def test_individual_level_chart_keeps_only_a_summary():
    rng = np.random.default_rng(3)
    t = pd.DataFrame({"risk_at_adoption": rng.gamma(2, 20, 50),
                      "risk_at_removal": rng.gamma(2, 5, 50)})
    ax = plots.paired_scatter(t, x="risk_at_adoption", y="risk_at_removal")
    chart = figure_metadata(ax.figure)["iom_charts"][0]
    assert chart["individual"] and len(chart["rows"]) == 2
    assert chart["columns"][:2] == ["measure", "n"] and chart["rows"][0][1] == 50


def test_display_hook_puts_alt_text_on_the_image_output():
    ipy = pytest.importorskip("IPython.core.interactiveshell")
    from matplotlib.figure import Figure

    from iomlib.plots.theme import register_display
    shell = ipy.InteractiveShell.instance()
    try:
        shell.display_formatter.formatters["image/png"].for_type(Figure, lambda f: "PNGDATA")
        assert register_display()
        t = pd.DataFrame({"x": ["a", "b"], "n": [20, 30]})
        ax = plots.bar_counts(t, x="x", y="n", title="Two bars")
        data, meta = shell.display_formatter.format(ax.figure)
        assert data["image/png"] == "PNGDATA"
        assert meta["image/png"]["alt"].startswith("Bar chart: Two bars.")
        empty = plots.bar_counts(pd.DataFrame({"x": ["a"], "n": [np.nan]}), x="x", y="n")
        data, meta = shell.display_formatter.format(empty.figure)
        assert "image/png" not in data and "not shown" in data["text/markdown"]
        assert meta["text/markdown"]["iom_empty"]
    finally:
        ipy.InteractiveShell.clear_instance()


def test_data_behind_a_split_chart_is_one_row_per_category():
    t = pd.DataFrame({"status": ["a", "a", "b", "b"], "cohort": ["IOM", "DV", "IOM", "DV"],
                      "n": pd.array([20, None, 30, 0], dtype="Int64")})
    ax = plots.bar_counts(t, x="status", y="n", hue="cohort")
    chart = figure_metadata(ax.figure)["iom_charts"][0]
    assert chart["columns"] == ["status", "IOM", "DV"]
    assert chart["rows"] == [["a", 20, None], ["b", 30, 0]]
    assert chart["count_columns"] == ["IOM", "DV"]
