"""Tests for iomlib.plots._docstrings: shared pieces filled into every plot's numpydoc."""
from __future__ import annotations

import inspect
import re

import pytest

from iomlib import plots
from iomlib.plots._docstrings import PIECES, fill_doc, fill_docstring

PLOT_FUNCTIONS = ["risk_curve", "paired_scatter", "before_after", "reduction_vs_baseline",
                  "bar_counts", "counts_over_time", "likert_diverging", "proportions",
                  "score_histogram", "versions_scatter", "stacked_shares", "nominal_timeline",
                  "funnel_plot"]


def test_placeholder_lines_take_the_piece_indented():
    doc = "Title.\n\n    Parameters\n    ----------\n    {ax}\n    other : {'a', 'b'}\n"
    filled = fill_docstring(doc)
    first, *rest = PIECES["ax"].splitlines()
    assert f"    {first}\n" in filled and all(f"    {line}" in filled for line in rest)
    assert "other : {'a', 'b'}" in filled               # other braces are left alone


def test_unknown_piece_is_named():
    with pytest.raises(KeyError, match="no_such_piece"):
        fill_docstring("    {no_such_piece}\n")


def test_decorator_fills_in_place():
    @fill_doc
    def f(ax=None):
        """Doc.

        {ax}
        """
    assert PIECES["ax"].splitlines()[0] in f.__doc__ and "{ax}" not in f.__doc__


@pytest.mark.parametrize("name", PLOT_FUNCTIONS)
def test_every_plot_documents_each_argument_and_its_return(name):
    func = getattr(plots, name)
    doc = inspect.getdoc(func)
    assert not re.search(r"^\s*\{[a-z_]+\}\s*$", doc, re.MULTILINE), "unfilled piece"
    assert "Parameters\n----------" in doc and "Returns\n-------" in doc
    params = doc.split("Parameters\n----------")[1].split("Returns\n-------")[0]
    documented = set()
    for line in params.splitlines():
        if line and not line.startswith(" ") and " : " in line:
            documented.update(n.strip() for n in line.split(" : ")[0].split(","))
    assert set(inspect.signature(func).parameters) <= documented
