"""Shared pieces of the tests of :mod:`iomlib.plots` (``tests/test_plots_*.py`` import them).

``forbid_show`` is an autouse fixture: a test module that imports it has every test fail if a
plot calls ``plt.show()``. (Figures are closed after each test by ``conftest.py``.)
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle


@pytest.fixture(autouse=True)
def forbid_show(monkeypatch):
    def _no_show(*a, **k):
        raise AssertionError("plots must not call plt.show()")
    monkeypatch.setattr(plt, "show", _no_show)
    yield


def bars(ax):
    """The rectangles (bars) drawn on ``ax``."""
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def widths_by_row(ax) -> dict:
    """Total width of the horizontal bars at each height (100 for a full stacked bar)."""
    widths = {}
    for b in bars(ax):
        widths[round(b.get_y(), 6)] = widths.get(round(b.get_y(), 6), 0) + b.get_width()
    return widths


def risk_curve_table() -> pd.DataFrame:
    """Two groups of a risk curve: 50 - month at risk after adoption, and a fixed 30."""
    months = np.arange(-12, 25)
    obs = pd.DataFrame({"month": months, "group": "still observed",
                        "mean": 100.0 + months, "n_at_risk": np.where(months < 0, 50, 50 - months)})
    fixed = pd.DataFrame({"month": months[months <= 12], "group": "observed through month 12",
                          "mean": 90.0 + months[months <= 12], "n_at_risk": 30})
    t = pd.concat([obs, fixed], ignore_index=True)
    t["ci_low"], t["ci_high"] = t["mean"] - 5, t["mean"] + 5
    return t
