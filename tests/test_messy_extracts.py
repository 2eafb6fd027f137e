"""Messy extracts (issue #12, item 5): random combinations of real-extract oddities on a small
force either validate or are refused with exit 2 naming table, row and column; never a
traceback. Hypothesis drives ``iom validate`` and the lenient loader (fast); a few full
``iom report`` runs are marked slow."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iomlib.cli import main
from iomlib.data.open import open_dataset
from iomlib.errors import IomError

sys.path.insert(0, str(Path(__file__).parent))
import messy_extract as mx  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
NAMES = sorted(mx.ODDITIES)


@pytest.fixture(scope="module")
def base():
    return mx.base_tables(n_people=60)


def _ledger_adds_up(ds) -> None:
    led = ds.ledger
    totals = led[led["reason"] == "total"]
    for _, r in totals.iterrows():
        assert r["rows_read"] == r["rows_used"] + r["rows_excluded"], r["table"]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.sampled_from(NAMES), unique=True, max_size=5),
       seed=st.integers(0, 2**16))
def test_validate_accepts_or_refuses_naming_table_row_and_column(base, tmp_path_factory,
                                                                names, seed, capsys):
    tables, expect = mx.messy(base, names, seed)
    folder = mx.write(tables, tmp_path_factory.mktemp("messy"))
    code = main(["validate", str(folder)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if expect <= {"accept"}:
        assert code == 0, (names, err[-1500:])
    else:
        assert code == 2, (names, out[-500:])
        lines = err.splitlines()
        # a summary, one line per table and column, then examples naming file, row and column
        assert re.match(r"\w+\.csv, column \w+: [\d,]+ of [\d,]+ rows", lines[1]), err[:800]
        assert re.search(r"\w+\.csv row \d+, column \w+: ", err), err[:800]
        assert len(lines) < 40
    if expect == {"dayfirst"} or expect == {"accept", "dayfirst"}:
        assert main(["validate", "--dayfirst", str(folder)]) == 0
        capsys.readouterr()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.sampled_from(NAMES), unique=True, max_size=5),
       seed=st.integers(0, 2**16))
def test_the_lenient_loader_never_crashes_and_the_ledger_adds_up(base, tmp_path_factory,
                                                                names, seed):
    tables, expect = mx.messy(base, names, seed)
    folder = mx.write(tables, tmp_path_factory.mktemp("messy"))
    try:
        ds = open_dataset(str(folder), dayfirst="dayfirst" in expect)
    except IomError as e:          # refused with a message (exit 2 on the command line)
        assert "dayfirst" not in expect or "impossible_date" in names, str(e)[:500]
        return
    _ledger_adds_up(ds)


def _report(folder, out):
    res = subprocess.run([sys.executable, "-m", "iomlib", "report", "--data", str(folder),
                          "--out", str(out), "-j", "2"], cwd=REPO, capture_output=True,
                         text=True, timeout=1200)
    run = sorted((Path(out) / "runs").iterdir())[-1]
    return res, json.loads((run / "provenance.json").read_text())


@pytest.mark.slow
@pytest.mark.parametrize("names", [
    ["missing_category", "same_day_repeats", "people_without_offences", "no_dviom"],
    ["empty_survey", "offences_before_matrix", "sparse_scores", "yn_booleans",
     "overlapping_custody", "open_with_reason"],
])
def test_report_on_messy_extracts_publishes_or_explains(base, tmp_path, names):
    tables, _ = mx.messy(base, names, seed=1)
    folder = mx.write(tables, tmp_path / "data")
    res, prov = _report(folder, tmp_path / "reports")
    assert "Traceback" not in res.stderr
    status = {nb["name"]: nb["status"] for nb in prov["notebooks"]}
    others = {k: v for k, v in status.items() if not k.startswith("07")}
    assert set(others.values()) <= {"ok", "nothing to show"}, (status, res.stderr[-2000:])
    if status.get("07_impact") == "failed":
        # the impact estimators (another room) still crash on some thin extracts: visible as
        # an expected failure with the notebook's message until they guard themselves
        message = next(nb["message"] for nb in prov["notebooks"] if nb["name"] == "07_impact")
        pytest.xfail(f"07_impact fails on this messy extract: {message}")
    assert res.returncode == 0, res.stderr[-2000:]
    if "missing_category" in names:       # rows set aside are said on screen
        assert "offences rows set aside: offence_category is missing" in res.stderr
    if "empty_survey" in names:
        assert status["04_idva_survey"] == "nothing to show"
