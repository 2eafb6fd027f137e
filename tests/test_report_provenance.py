"""Tests of iomlib.report.provenance."""
from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_provenance_helpers(tmp_path):
    from iomlib.report import provenance
    v = provenance.package_versions(("pandas", "surely-not-installed-pkg"))
    assert v["pandas"] and v["surely-not-installed-pkg"] is None
    assert provenance.git_info(tmp_path) is None
    info = provenance.git_info(REPO)
    if info is not None:
        assert re.fullmatch(r"[0-9a-f]{40}", info["commit"])
    html = provenance.provenance_html({"run_id": "R1", "parameters": {"as_of": "2020-01-31"},
                                       "packages": {"pandas": "2"}, "git": None,
                                       "config": None})
    assert "R1" in html and "as_of" in html and "not available" in html
