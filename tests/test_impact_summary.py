"""Tests of ``iomlib.impact.summary``: all estimates together, the headline, ``iom impact``."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from impact_support import fitted, small_force

from iomlib.impact.summary import ImpactResults, impact_headline, run_impact
from iomlib.report.kernel import engine_options

ROOT = Path(__file__).resolve().parents[1]


def test_table_keys_are_unique_stable_ids():
    table = ImpactResults(**fitted()).table()
    keys = list(table["key"])
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", k) for k in keys)
    assert keys[0] == "g_estimate"                # the main estimate first
    assert {"eligible_benchmark", "event_study", "count_poisson",
            "jdl_frequency_ratio"} <= set(keys)


def test_run_impact_text_and_json():
    m = fitted()["main"]
    h = json.loads(run_impact(small_force(), as_json=True))
    assert h == m.headline()
    text = run_impact(small_force()).splitlines()
    assert text[0].startswith("Effect of being managed on the offending rate (as of ")
    assert "reduction (95% CI" in text[1] and text[3].startswith("  method: g-estimation")
    assert text[4].startswith("  people who may have left unrecorded: ")


def test_iom_impact_json_covers_planted_effect(tmp_path):
    """`iom impact --json` on a small synthetic force (2,000 people, planted 20%)."""
    small_force().write(tmp_path / "force")
    out = subprocess.run([sys.executable, "-m", "iomlib", "impact", "--data",
                          str(tmp_path / "force"), "--json"], capture_output=True, text=True,
                         cwd=ROOT, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    h = json.loads(out.stdout)
    assert set(h) == {"estimate", "ci_low", "ci_high", "method", "n_treated", "n_control",
                      "converged", "note", "n_people", "n_people_managed",
                      "n_people_comparison", "n_people_both", "n_person_periods_managed",
                      "n_person_periods_comparison", "departure_rate_per_year",
                      "departure_rate_source", "expected_gone_comparison", "n_departures"}
    assert h["departure_rate_source"] == "recorded" and h["departure_rate_per_year"] > 0
    assert h["ci_low"] <= 0.20 <= h["ci_high"]
    assert h["n_treated"] > 0 and h["n_control"] > 0


@pytest.mark.slow
def test_iom_impact_default_data_covers_planted_effect():
    out = subprocess.run([sys.executable, "-m", "iomlib", "impact", "--json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    h = json.loads(out.stdout)
    assert h["ci_low"] <= 0.20 <= h["ci_high"]


def test_impact_headline_keys():
    from iomlib.data.open import default_dataset
    h = impact_headline(default_dataset())
    assert {"estimate", "ci_low", "ci_high", "method", "n_treated", "n_control"} <= set(h)
    assert {"estimand", "as_of", "sensitivity", "placebo", "robustness"} <= set(h)
    assert h["ci_low"] <= h["estimate"] <= h["ci_high"]
    assert "first 12 months after adoption" in h["estimand"]
    assert h["sensitivity"]["e_value"] >= 1 and len(h["sensitivity"]["table"]) == 5
    assert h["placebo"]["ci_low"] <= h["placebo"]["estimate"] <= h["placebo"]["ci_high"]
    assert "placebo" in h["robustness"] and "E-value" in h["robustness"] or \
        "already includes no effect" in h["robustness"]


@pytest.mark.slow
def test_notebook_07_runs(tmp_path):
    papermill = pytest.importorskip("papermill")
    nb = ROOT / "notebooks" / "07_impact.ipynb"
    papermill.execute_notebook(str(nb), str(tmp_path / "out.ipynb"), cwd=str(ROOT / "notebooks"),
                               parameters={"as_of": "2020-01-31"}, progress_bar=False,
                               **engine_options())
