"""Figures a notebook hands to the runner (iomlib.report.results): notebook 07's impact
estimate reaches metrics.json without being fitted a second time."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from test_report import REPO, tiny_data, write_notebook  # noqa: F401  (tiny_data: fixture)

from iomlib.report import results


def test_record_and_read(tmp_path, monkeypatch):
    monkeypatch.delenv(results.RESULTS_ENV, raising=False)
    assert results.record("impact_headline", {"estimate": 0.1}) is None      # not in a run
    monkeypatch.setenv(results.RESULTS_ENV, str(tmp_path / "results"))
    path = results.record("impact_headline", {"estimate": 0.1, "ci_high": None})
    assert path.parent == tmp_path / "results"
    assert results.read(tmp_path / "results", "impact_headline") == {"estimate": 0.1,
                                                                    "ci_high": None}
    assert results.read(tmp_path / "results", "nothing_here") is None
    (tmp_path / "results" / "broken.json").write_text("{not json")
    assert results.read(tmp_path / "results", "broken") is None
    with pytest.raises(ValueError, match="name"):
        results.record("../escape", 1)


# A stand-in for notebook 07 that records a figure no fit could give: if metrics.json shows
# it, the runner used the notebook's record instead of fitting the estimate itself.
SENTINEL = {"estimate": 0.4242, "ci_low": 0.1, "ci_high": 0.6, "method": "recorded",
            "n_treated": 123, "n_control": 456, "n_people": 500, "converged": True,
            "note": None, "estimand": "the recorded estimand"}
RECORDS = [("md", "# Impact stand-in"),
           ("code", "import iomlib.report.results as r\n"
                    f"r.record('impact_headline', {SENTINEL!r})")]
SILENT = [("md", "# Impact stand-in that records nothing"), ("code", "x = 1")]


def _report(nb_dir, out, data):
    return subprocess.run([sys.executable, "-m", "iomlib", "report", "--notebook-dir",
                           str(nb_dir), "--out", str(out), "--data", str(data), "--jobs", "1"],
                          capture_output=True, text=True, timeout=300, cwd=REPO)


@pytest.mark.slow
def test_the_runner_takes_the_estimate_notebook_07_recorded(tmp_path, tiny_data):  # noqa: F811
    nb_dir = tmp_path / "nb"
    nb_dir.mkdir()
    write_notebook(nb_dir / "07_impact.ipynb", RECORDS)
    r = _report(nb_dir, tmp_path / "out", tiny_data)
    assert r.returncode == 0, r.stderr
    entry = json.loads((tmp_path / "out" / "latest" / "metrics.json").read_text())[
        "impact_managed_rate_reduction"]
    assert entry["value"] == 0.4242 and entry["n"] == 500
    assert entry["definition"] == "the recorded estimand" and entry["method"] == "recorded"


@pytest.mark.slow
def test_without_a_record_the_runner_fits_the_estimate(tmp_path, tiny_data):  # noqa: F811
    from iomlib.config.settings import default_config
    from iomlib.data.open import open_dataset
    from iomlib.report.index import impact_metric
    nb_dir = tmp_path / "nb"
    nb_dir.mkdir()
    write_notebook(nb_dir / "07_impact.ipynb", SILENT)
    r = _report(nb_dir, tmp_path / "out", tiny_data)
    assert r.returncode == 0, r.stderr
    entry = json.loads((tmp_path / "out" / "latest" / "metrics.json").read_text())[
        "impact_managed_rate_reduction"]
    cfg = default_config()
    expected = impact_metric(open_dataset(str(tiny_data), config=cfg), cfg)
    assert entry.get("value") == (None if expected["value"] is None
                                  else pytest.approx(expected["value"], abs=1e-4))
    assert entry.get("error") == expected.get("error")
    assert "pending" not in entry
