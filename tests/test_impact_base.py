"""Tests of ``iomlib.impact.base``: summary rows, stable keys and selecting rows by key."""
from __future__ import annotations

import pandas as pd
import pytest

from iomlib.errors import IomError
from iomlib.impact.base import SUMMARY_COLUMNS, Estimator, summary_row, summary_rows


def _summary():
    rows = [summary_row(k, f"label {k}", i, None, i + 1, n=10, scale="s", method="m")
            for i, k in enumerate(["alpha", "beta", "gamma"])]
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def test_summary_row_columns_and_floats():
    r = summary_row("a_key", "label", 1, None, 2, n=3, scale="s", method="m")
    assert list(r) == SUMMARY_COLUMNS
    assert r["key"] == "a_key" and isinstance(r["estimate"], float) and r["ci_low"] is None


def test_summary_rows_by_key_in_the_order_asked():
    s = _summary()
    picked = summary_rows(s, ["gamma", "alpha"])
    assert list(picked["key"]) == ["gamma", "alpha"]
    assert list(picked.index) == [2, 0]          # positions in the summary are kept
    with pytest.raises(KeyError, match="delta"):
        summary_rows(s, ["alpha", "delta"])


def test_summary_before_fit():
    with pytest.raises(IomError, match="call fit"):
        Estimator().summary  # noqa: B018
