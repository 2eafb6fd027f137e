"""Tests of iomlib.report.notebooks: discovery and selection."""
from __future__ import annotations

from report_helpers import make_good_dir

from iomlib.report import notebooks


def test_discover_and_select(tmp_path):
    d = make_good_dir(tmp_path / "nb")
    assert [n.name for n in notebooks.discover_notebooks(d)] == ["01_alpha", "02_beta"]
    assert [n.name for n in notebooks.discover_notebooks(d, "02")] == ["02_beta"]
    assert [n.name for n in notebooks.discover_notebooks(d, "beta,01_alpha")] == \
        ["01_alpha", "02_beta"]
