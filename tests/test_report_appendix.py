"""Tests of iomlib.report.appendix: formatting, content, change, disclosure audit and PDF."""
from __future__ import annotations

import json
import re

import pytest

from iomlib.measures.headline import HEADLINE_KEYS
from iomlib.report.appendix import tables as fmt
from iomlib.report.appendix.audit import audit_appendix
from iomlib.report.appendix.build import build_document
from iomlib.report.appendix.compare import previous_metrics
from iomlib.report.appendix.figures import Figure
from iomlib.report.appendix.html import document_html
from iomlib.report.appendix.labels import MEASURES, humanise, label
from iomlib.report.appendix.tables import Table
from iomlib.report.appendix.typst import write_pdf

A4 = (595.3, 841.9)


def metrics(as_of="2020-01-31", audience="restricted", *, lo=-0.051, hi=0.3, n=578,
            suppressed=False):
    m = {"as_of": as_of,
         "unique_nominals": {"value": n, "n": n, "definition": "distinct people adopted",
                             "alternatives": [{"value": 700, "n": 700,
                                               "definition": "episodes adopted"}]},
         "active_cohort": {"value": None if suppressed else 7, "n": None if suppressed else 7,
                           "suppressed": suppressed, "definition": "open episodes"},
         "removed_mean_reduction_pct": {"value": 73.7845, "n": 567, "ci_low": 70.42,
                                        "ci_high": 77.15, "ci_method": "t interval",
                                        "definition": "mean of per-episode % reductions"},
         "month12_mean_reduction_pct": {"value": 52.9, "n": 655, "ci_low": 48.7,
                                        "ci_high": 57.0, "ci_method": "t interval",
                                        "definition": "12 months"},
         "idva_felt_safer_pct": {"value": 86.2069, "n": 58, "numerator": 50, "denominator": 58,
                                 "ci_low": 75.07, "ci_high": 92.84, "ci_method": "wilson",
                                 "definition": "felt safer"},
         "impact_managed_rate_reduction": {"value": 0.1281, "ci_low": lo, "ci_high": hi,
                                           "n": 1096, "n_people": 1096,
                                           "definition": "proportional reduction"},
         "run": {"status": "ok", "parameters": {"audience": audience, "min_cell": 10,
                                                "period_start": "2016-01-01"},
                 "iomlib": "0.1.0", "data_source": "synthetic(seed=1)"}}
    return m


def test_formatting_rules():
    assert fmt.interval(-5.09, 29.99) == "-5.1% to 30.0%"
    assert fmt.interval(None, 3.0) == "below 3.0% (no lower bound)"
    assert fmt.p_value(3.558189e-17) == "< 0.001" and fmt.p_value(0.0) == "< 0.001"
    assert fmt.p_value(0.0456) == "0.046" and fmt.p_value(float("nan")) == fmt.DASH
    assert fmt.count(12345) == "12,345" and fmt.count(None) == fmt.DASH
    assert fmt.count(3, suppressed=True) == "[c]"
    assert fmt.number(-0.00001, 1, "%") == "0.0%"
    t = Table("x", ["A", "B"], [["a", fmt.DASH], ["b", "[c]"]])
    assert fmt.DASH_NOTE in t.notes and fmt.SUPPRESSED_NOTE in t.notes
    assert Table("y", ["A"], [["a"]]).notes == []


def test_labels_cover_every_headline_and_read_as_words():
    for key in (*HEADLINE_KEYS, "impact_managed_rate_reduction"):
        assert key in MEASURES
        assert "_" not in label(key) and "_" not in MEASURES[key].short
    assert humanise("n_at_risk") == "Number at risk"
    assert "_" not in label("some_new_measure_pct")


def _visible_text(page: str) -> str:
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return page


def test_document_findings_first_and_honest_reading():
    doc = build_document(metrics(), figures=[])
    assert doc.sections[0].title == "Key findings"
    page = document_html(doc)
    text = _visible_text(page)
    assert "consistent with no effect" in text
    assert "-5.1% to 30.0%" in text and "12.8%" in text
    assert "Regression to the mean" in text and "Respondents, not survivors" in text
    assert "Selection on the outcome" in text
    for key in (*HEADLINE_KEYS, "impact_managed_rate_reduction", "n_at_risk"):
        assert key not in text, key
    assert "nothing to compare" in text
    # tables numbered and captioned, in order
    caps = re.findall(r"<caption>Table (\d+)\. ", page)
    assert caps and [int(c) for c in caps] == list(range(1, len(caps) + 1))
    # an interval above zero reads differently
    text2 = _visible_text(document_html(build_document(metrics(lo=0.05, hi=0.2), figures=[])))
    assert "consistent with no effect" not in text2 and "real reduction" in text2
    assert "moved away or died without a record" not in text2   # no correction: not said


def test_honest_estimate_says_how_it_allows_for_people_who_left():
    m = metrics()
    m["impact_managed_rate_reduction"].update(departure_rate_per_year=0.0345,
                                              departure_rate_source="recorded")
    text = _visible_text(document_html(build_document(m, figures=[])))
    assert "moved away or died without a record" in text
    assert "recorded among managed people (3.5% a year)" in text
    assert "departure_rate" not in text
    m["impact_managed_rate_reduction"].update(departure_rate_per_year=None,
                                              n_departures_suppressed=True)
    text = _visible_text(document_html(build_document(m, figures=[])))
    assert "moved away or died without a record" in text and "too few to publish" in text
    assert "% a year" not in text


def test_figures_numbered_with_alt_and_empty_sentence():
    data = Table("Data behind the chart", ["Status", "Number (n)"], [["open", "12"]],
                 counts=[1])
    figs = [Figure("People by status", "Bar chart: people by status.", b"\x89PNG fake",
                   data=[data], source="Cohort"),
            Figure("Survey answers", "", None, empty="The chart is not shown: too few.")]
    doc = build_document(metrics(), figures=figs)
    page = document_html(doc)
    assert "Figure 1. People by status" in page and "Figure 2. Survey answers" in page
    assert "alt='Bar chart: people by status.'" in page
    assert page.count("<img") == 1 and "The chart is not shown: too few." in page
    assert "<details><summary>Data behind figure 1" in page


def _write_run(out, run_id, m, failed=False):
    d = out / "runs" / run_id
    d.mkdir(parents=True)
    m = dict(m)
    m["run"] = dict(m["run"], status="failed" if failed else "ok")
    (d / "metrics.json").write_text(json.dumps(m))
    if failed:
        (d / "FAILED").write_text("x")
    return d


def test_previous_report_same_audience_earlier_date(tmp_path):
    _write_run(tmp_path, "20260101T000000Z", metrics("2019-06-30"))
    _write_run(tmp_path, "20260102T000000Z", metrics("2019-09-30", audience="public"))
    _write_run(tmp_path, "20260103T000000Z", metrics("2019-10-31"), failed=True)
    cur = _write_run(tmp_path, "20260104T000000Z", metrics("2020-01-31"))
    prev = previous_metrics(tmp_path, cur.name, "2020-01-31", "restricted", 10)
    assert prev["as_of"] == "2019-06-30"
    assert previous_metrics(tmp_path, "20260101T000000Z", "2019-06-30", "restricted", 10) \
        is None
    # a public report compares only with public figures, suppressed again
    pub = previous_metrics(tmp_path, cur.name, "2020-01-31", "public", 10)
    assert pub["as_of"] == "2019-09-30" and pub["active_cohort"]["suppressed"]
    doc = build_document(metrics(n=600), previous=prev, figures=[])
    text = _visible_text(document_html(doc))
    assert "As of 2019-06-30" in text and "As of 2020-01-31" in text
    assert "+22" in text  # unique nominals 578 -> 600


def test_disclosure_audit_of_the_appendix():
    public = metrics(audience="public", suppressed=True)
    assert audit_appendix(build_document(public, figures=[]), 10) == []
    leaky = build_document(metrics(audience="public"), figures=[])  # active cohort of 7
    problems = audit_appendix(leaky, 10)
    assert problems and "Table 1" in problems[0] and "7" in problems[0]
    # a figure's data table with a small count is withheld in a public run
    small = Table("d", ["Group", "People"], [["a", "4"], ["b", "30"]], counts=[1])
    doc = build_document(public, figures=[Figure("F", "Bar chart.", b"x", data=[small])])
    assert doc.figures()[0].data == [] and doc.figures()[0].withheld
    assert audit_appendix(doc, 10) == []


def test_pdf_is_a4_with_page_numbers_and_contents(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    long_rows = [[f"row {i}", "x " * 40, f"{i:,}"] for i in range(80)]
    wide = Table("A long, wide table", ["Name", "Description", "Count"], long_rows,
                 numeric=[False, False, True])
    doc = build_document(metrics(), figures=[])
    doc.sections[-1].blocks.append(wide)
    doc.number()
    path, message = write_pdf(doc, tmp_path / "appendix.pdf")
    assert message == "" and path.exists()
    reader = pypdf.PdfReader(str(path))
    assert len(reader.pages) >= 3
    for page in reader.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(w - A4[0]) < 1 and abs(h - A4[1]) < 1
    texts = [p.extract_text().replace("\xa0", " ") for p in reader.pages]
    n = len(reader.pages)
    assert all(f"Page {i} of {n}" in t for i, t in enumerate(texts, start=1))
    assert "Contents" in texts[0] and "Key findings" in texts[0]
    assert any("Table 1. Published figures" in t for t in texts)


def test_ledger_table_adds_up_and_hides_small_counts_in_public():
    import pandas as pd

    from iomlib.report.appendix.annex import ledger_table
    ledger = pd.DataFrame([
        {"table": "offences", "rows_read": 1000, "rows_used": 1000 - 27, "rows_excluded": 27,
         "reason": "total", "rows": ""},
        {"table": "offences", "rows_read": 1000, "rows_used": 973, "rows_excluded": 24,
         "reason": "date after the as-of date", "rows": ""},
        {"table": "offences", "rows_read": 1000, "rows_used": 973, "rows_excluded": 3,
         "reason": "unknown offence code", "rows": ""}])
    t = ledger_table(ledger, {"offences": 973, "people": 400}, public=True, min_cell=10)
    assert [r[1] for r in t.rows] == ["all rows", "date after the as-of date",
                                      "unknown offence code", "all rows (none set aside)"]
    assert t.rows[0][2:] == ["1,000", "973", "27"] and t.rows[2][4] == "[c]"
    assert fmt.SUPPRESSED_NOTE in t.notes
    restricted = ledger_table(ledger, {}, public=False, min_cell=10)
    assert restricted.rows[2][4] == "3"


def test_figures_are_taken_from_the_executed_notebooks(tmp_path):
    import base64

    import nbformat

    from iomlib.report.appendix.figures import run_figures
    chart = {"kind": "bar chart", "title": "People by status", "alt": "Bar chart: people.",
             "empty": None, "individual": False, "count_columns": ["n"],
             "columns": ["status", "n", "share"],
             "rows": [["long_custody", 12, 0.25], ["community", None, 0.5]]}
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# The managed cohort"),
                nbformat.v4.new_code_cell("", outputs=[
                    nbformat.v4.new_output("display_data", data={
                        "image/png": base64.b64encode(b"PNG").decode(), "text/plain": "F"},
                        metadata={"image/png": {"alt": "Bar chart: people.",
                                                "iom_charts": [chart]}}),
                    nbformat.v4.new_output("display_data", data={"image/png": "AAAA"}),
                    nbformat.v4.new_output("display_data", data={
                        "text/markdown": "The chart is not shown."},
                        metadata={"text/markdown": {"iom_empty": True,
                                                    "iom_charts": [dict(chart, title="E")]}})])]
    nbformat.write(nb, tmp_path / "01_cohort.ipynb")
    figs = run_figures(tmp_path)
    assert [f.caption for f in figs] == ["People by status", "E"]
    first, empty = figs
    assert first.png == b"PNG" and first.alt == "Bar chart: people."
    assert first.source == "The managed cohort"
    t = first.data[0]
    assert t.columns == ["Status", "Number (n)", "Share"]
    assert t.rows == [["long custody", "12", "0.25"], ["community", "[c]", "0.50"]]
    assert empty.png is None and empty.empty == "The chart is not shown."
