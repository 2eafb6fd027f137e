"""The appendix of real runs, opened in a real browser (Chromium over the DevTools protocol).

Three runs of two notebooks on the default data: restricted as of 2019-12-31 and 2020-01-31
(same reports folder: the second shows the change), and a public run. Each page is opened
offline: no outside request, no console error, no broken image, axe-core (the copy shipped in
the ``axe-playwright-python`` wheel) with no serious or critical violation. Skipped with the
reason when Chromium or the axe script is missing.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from iomlib.report.appendix.labels import MEASURES

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = "01,04"


def _report(out: Path, *params: str) -> Path:
    args = [sys.executable, "-m", "iomlib", "report", "--out", str(out), "--jobs", "2",
            "--notebooks", NOTEBOOKS]
    for p in params:
        args += ["-p", p]
    proc = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=900,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out / "latest"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("appendix")
    first = _report(base / "restricted", "as_of=2019-12-31").resolve()
    second = _report(base / "restricted").resolve()
    public = _report(base / "public", "audience=public").resolve()
    return {"first": first, "second": second, "public": public}


def _axe_script() -> Path | None:
    try:
        import axe_playwright_python
    except ImportError:
        return None
    path = Path(axe_playwright_python.__file__).parent / "axe.min.js"
    return path if path.exists() else None


@pytest.fixture(scope="module")
def browser():
    from test_report import CHROMIUM, _browser_unavailable, _Chromium
    why = _browser_unavailable()
    if why:
        pytest.skip(why)
    b = _Chromium(CHROMIUM)
    yield b
    b.close()


def _evaluate(browser, expression: str):
    r = browser.send("Runtime.evaluate", expression=expression, awaitPromise=True,
                     returnByValue=True)
    if "exceptionDetails" in r:
        raise AssertionError(r["exceptionDetails"])
    return r["result"].get("value")


def _visible_text(page: str) -> str:
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


@pytest.mark.slow
def test_runs_write_the_appendix_and_index_links_it_first(runs):
    for run in runs.values():
        assert (run / "appendix.html").exists() and (run / "appendix.pdf").exists()
        index = (run / "index.html").read_text(encoding="utf-8")
        assert index.index("appendix.html") < index.index("01_cohort.html")
    public_index = (runs["public"] / "index.html").read_text(encoding="utf-8")
    assert ".ipynb" not in public_index and " s</span>" not in public_index


@pytest.mark.slow
def test_change_since_last_report(runs):
    first = _visible_text((runs["first"] / "appendix.html").read_text(encoding="utf-8"))
    second = _visible_text((runs["second"] / "appendix.html").read_text(encoding="utf-8"))
    assert "nothing to compare" in first
    assert "As of 2019-12-31" in second and "As of 2020-01-31" in second
    assert "nothing to compare" not in second and "percentage points" in second


@pytest.mark.slow
def test_public_appendix_passes_the_disclosure_audit(runs):
    from iomlib.report.appendix.audit import audit_appendix
    from iomlib.report.appendix.build import build_document
    run = runs["public"]
    metrics = json.loads((run / "metrics.json").read_text())
    doc = build_document(metrics, run_dir=run)
    assert doc.figures() and audit_appendix(doc, 10) == []
    text = (run / "appendix.html").read_text(encoding="utf-8")
    assert "public edition" in text


@pytest.mark.slow
def test_pdf_pages_are_a4_and_numbered(runs):
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(str(runs["second"] / "appendix.pdf"))
    n = len(reader.pages)
    assert n >= 4
    for i, page in enumerate(reader.pages, start=1):
        assert float(page.mediabox.width) <= 595.3 + 1
        assert abs(float(page.mediabox.height) - 841.9) < 1
        assert f"Page {i} of {n}" in page.extract_text().replace("\xa0", " ")
    assert "Contents" in reader.pages[0].extract_text()
    pdftotext = shutil.which("pdftotext")
    if pdftotext:  # poppler, where installed: no word outside the page
        box = subprocess.run([pdftotext, "-bbox", str(runs["second"] / "appendix.pdf"), "-"],
                             capture_output=True, text=True, check=True).stdout
        right = [float(v) for v in re.findall(r'xMax="([\d.]+)"', box)]
        left = [float(v) for v in re.findall(r'xMin="([\d.]+)"', box)]
        assert right and max(right) <= 595.3 and min(left) >= 0


@pytest.mark.slow
def test_appendix_figures_and_tables_numbered_captioned_and_described(runs):
    page = (runs["second"] / "appendix.html").read_text(encoding="utf-8")
    figures = re.findall(r"<figure id='figure-(\d+)'><figcaption>Figure (\d+)\. [^<]+", page)
    assert figures and all(a == b for a, b in figures)
    assert page.count("<figure") == len(figures)
    assert page.count("<table") == len(re.findall(r"<caption>Table \d+\. [^<]+", page))
    alts = re.findall(r"<img [^>]*alt='([^']*)'", page)
    assert len(alts) == page.count("<img") and all(len(a) > 30 for a in alts)
    text = _visible_text(page)
    for key in MEASURES:
        assert key not in text, key
    assert not re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", text)


AXE_RUN = ("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.filter("
           "v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id + ': ' + "
           "v.nodes.length + ' ' + v.help))")
IMAGES = ("Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
          ".length + ' broken; ' + Array.from(document.images).filter(i => !i.alt || "
          "i.alt.startsWith('No description')).length + ' without alt'")


@pytest.mark.slow
def test_every_page_offline_accessible_in_a_real_browser(runs, browser):
    axe = _axe_script()
    if axe is None:
        pytest.skip("axe-playwright-python (axe-core) is not installed")
    source = axe.read_text(encoding="utf-8")
    for name in ("second", "public"):
        run = runs[name]
        pages = ["appendix.html", "index.html"] + sorted(
            p.name for p in run.glob("[0-9][0-9]_*.html"))
        for page in pages:
            assert browser.problems(run / page) == [], page
            assert _evaluate(browser, IMAGES) == "0 broken; 0 without alt", page
            _evaluate(browser, source)
            assert _evaluate(browser, AXE_RUN) == [], (name, page)
