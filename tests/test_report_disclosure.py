"""Acceptance tests of disclosure control on the real appendix, run as a scheduled job would.

``iom report`` runs every appendix notebook on the embedded default data, once for a public
audience (default threshold 10) and once for a restricted one. Then every file the run wrote is
audited:

* **identifiers**: no ``person_id``, ``episode_id``, ``offence_id``, ``victim_id`` or
  ``survivor_id`` of the data occurs anywhere (HTML, executed notebooks, JSON, logs) -- in the
  public run, and in the restricted run too, where they must be pseudonyms;
* **tables**: in the public run no table was withheld by the notebook guard (so every table went
  through :class:`iomlib.sdc.policy.Disclosure`), every table output carries its check
  (``iom_disclosure`` metadata) with no non-zero count below the threshold, and -- checked
  independently of that metadata -- no cell of a column named as a count (``n``, ``n_*``,
  ``numerator``, ``victims``...) in any HTML table holds a value from 1 to ``min_cell - 1``;
* **headline figures**: ``metrics.json`` shows no value resting on fewer than ``min_cell``.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from iomlib.sdc.policy import WITHHELD_MARKER, Disclosure
from iomlib.sdc.pseudonyms import scan_for_identifiers

REPO = Path(__file__).resolve().parent.parent
MIN_CELL = 10
#: Column labels that count people (or their episodes, offences, victims) in the notebooks.
COUNT_LABEL = re.compile(r"^(n|k|n_.+|.+_n|numerator|denominator|victims|repeat_victims|"
                         r"adopted|comparison|people|episodes|at_risk|n \(.+\))$", re.IGNORECASE)
ID_COLUMNS = (("people", "person_id"), ("episodes", "episode_id"), ("offences", "offence_id"),
              ("offences", "victim_id"), ("idva_survey", "survivor_id"),
              ("idva_survey", "person_id"), ("custody", "person_id"))

pytestmark = pytest.mark.slow


def _iom(*argv) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "iomlib", *map(str, argv)], check=False,
                          capture_output=True, text=True, timeout=900, cwd=REPO)


@pytest.fixture(scope="module")
def identifiers() -> set[str]:
    from iomlib.data.open import default_dataset
    ds = default_dataset()
    ids: set[str] = set()
    for table, col in ID_COLUMNS:
        frame = getattr(ds, table)
        if col in frame.columns:
            ids |= set(frame[col].dropna().astype(str))
    assert len(ids) > 70_000          # people, episodes, offences, victims, survivors
    return ids


@pytest.fixture(scope="module")
def public_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("public") / "reports"
    proc = _iom("report", "--out", out, "-p", "audience=public", "-p", f"min_cell={MIN_CELL}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "06_nominal_profile skipped" in proc.stderr
    return (out / "latest").resolve()


#: The nominal profiled in the restricted run, given by its real identifier.
PROFILED = "P000006"


@pytest.fixture(scope="module")
def restricted_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("restricted") / "reports"
    proc = _iom("report", "--out", out, "--notebooks", "06_nominal_profile",
                "-p", f"person_id={PROFILED}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return (out / "latest").resolve()


def _files(run: Path) -> list[Path]:
    files = [p for p in run.rglob("*") if p.is_file()]
    assert any(p.suffix == ".html" for p in files) and any(p.suffix == ".ipynb" for p in files)
    return files


def _html_outputs(run: Path):
    """(notebook, cell number, output) for every HTML output of the executed notebooks."""
    for path in sorted(run.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                html = out.get("data", {}).get("text/html")
                if html:
                    yield path.stem, i, out, "".join(html) if isinstance(html, list) else html


def _small_counts(html: str, min_cell: int) -> list[str]:
    """Cells of count-named columns in the HTML tables holding 1 .. min_cell - 1."""
    bad = []
    for frame in pd.read_html(StringIO(html)):
        for col in frame.columns:
            labels = [str(x) for x in (col if isinstance(col, tuple) else (col,))]
            if not any(COUNT_LABEL.match(label.strip()) for label in labels):
                continue
            values = pd.to_numeric(frame[col], errors="coerce")
            small = values[(values >= 1) & (values < min_cell)]
            bad += [f"{'/'.join(labels)}={v:g}" for v in small]
    return bad


def test_public_outputs_hold_no_identifier(public_run, identifiers):
    for path in _files(public_run):
        text = path.read_text(errors="replace")
        found = scan_for_identifiers(text, identifiers)
        assert not found, f"{path.name}: {sorted(found)[:5]}"


def test_public_run_withheld_no_table_and_audited_every_one(public_run):
    tables = 0
    for name, cell, out, html in _html_outputs(public_run):
        assert WITHHELD_MARKER not in html, f"{name} cell {cell}: a table bypassed the checks"
        if "<table" not in html:
            continue
        tables += 1
        meta = out.get("metadata", {})
        audit = meta.get("text/html", {}).get("iom_disclosure") or meta.get("iom_disclosure")
        assert audit is not None, f"{name} cell {cell}: table without a disclosure check"
        assert audit["audience"] == "public" and audit["min_cell"] == MIN_CELL
        smallest = audit["smallest_count_shown"]
        assert smallest is None or smallest >= MIN_CELL, f"{name} cell {cell}: {audit}"
    assert tables >= 20
    for page in public_run.glob("*.html"):
        assert WITHHELD_MARKER not in page.read_text(), page.name


def test_public_tables_show_no_small_count(public_run):
    problems, checked = [], 0
    for name, cell, _, html in _html_outputs(public_run):
        if "<table" in html:
            checked += 1
            problems += [f"{name} cell {cell}: {b}" for b in _small_counts(html, MIN_CELL)]
    assert checked >= 20
    assert problems == []


def test_the_count_check_would_catch_a_small_count():
    html = pd.DataFrame({"reason": ["a", "b"], "n": [40, 3]}).to_html()
    assert _small_counts(html, 10) == ["n=3"]
    wide = pd.DataFrame({("n_at_risk", "x"): [4], ("mean", "x"): [2.0]}).to_html()
    assert _small_counts(wide, 10) == ["n_at_risk/x=4"]


def test_public_run_suppressed_something_and_says_so(public_run):
    shown = hidden = 0
    for _, _, out, _html in _html_outputs(public_run):
        audit = out.get("metadata", {}).get("text/html", {}).get("iom_disclosure")
        if audit:
            hidden += audit["cells_hidden"]
            shown += 1
    assert shown >= 20 and hidden > 0          # the default data have small cells
    pages = [public_run / "index.html", *sorted(public_run.glob("0*.html"))]
    for page in pages:
        assert "OFFICIAL — PUBLIC" in page.read_text(), page.name
    assert any("[c]" in page.read_text() for page in pages[1:])


def test_public_metrics_show_nothing_small(public_run):
    metrics = json.loads((public_run / "metrics.json").read_text())
    for key, entry in metrics.items():
        if not isinstance(entry, dict) or "n" not in entry:
            continue
        n = entry.get("n")
        if isinstance(n, (int, float)) and 0 < n < MIN_CELL:
            assert entry.get("value") is None, f"{key}: value shown on n = {n}"


def test_restricted_profile_shows_pseudonyms_only(restricted_run, identifiers):
    for path in _files(restricted_run):
        found = scan_for_identifiers(path.read_text(errors="replace"), identifiers)
        assert not found, f"{path.name}: {sorted(found)[:5]}"
    html = (restricted_run / "06_nominal_profile.html").read_text()
    assert re.search(r"N-[0-9a-f]{10}", html) and re.search(r"E-[0-9a-f]{10}", html)
    assert "OFFICIAL-SENSITIVE" in html and "keyed pseudonyms" in html
    # the parameter given as a real identifier is shown as the notebook's pseudonym
    key = (restricted_run.parent.parent / ".pseudonym-key").read_bytes().strip()
    pseudonym = Disclosure("restricted", key=key).identifier(PROFILED)
    assert pseudonym in html
    prov = json.loads((restricted_run / "provenance.json").read_text())
    assert prov["parameters"]["person_id"] == pseudonym
