"""Tests for iomlib.plots.theme: the palette, the theme, the shared constants, the exports."""
from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pytest
import seaborn as sns
from plotting_support import forbid_show  # noqa: F401

from iomlib import plots
from iomlib.plots import theme


def test_set_theme_uses_colour_blind_palette():
    theme.set_theme()
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    expected = [matplotlib.colors.to_hex(c) for c in sns.color_palette("colorblind")]
    assert [matplotlib.colors.to_hex(c) for c in cycle] == expected
    assert theme.colours(12)[10] == theme.colours(12)[0]
    with pytest.raises(ValueError, match="context='huge'"):
        theme.set_theme("huge")


def test_suppressed_label_is_the_disclosure_symbol():
    from iomlib.sdc import SUPPRESSED_SYMBOL
    assert theme.SUPPRESSED_LABEL == SUPPRESSED_SYMBOL == "[c]"


@pytest.mark.parametrize("name", [
    "PALETTE", "LIKERT_COLOURS", "AT_RISK_GID", "SUPPRESSED_LABEL", "set_theme", "colours",
    "risk_curve", "paired_scatter", "before_after", "reduction_vs_baseline", "bar_counts",
    "counts_over_time", "likert_diverging", "proportions", "score_histogram",
    "versions_scatter", "stacked_shares", "nominal_timeline", "funnel_plot"])
def test_every_plot_name_is_reachable_from_the_package(name):
    assert name in plots.__all__
    assert getattr(plots, name) is not None
