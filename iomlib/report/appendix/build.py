"""Build the run's appendix: the content model, then ``appendix.html`` and ``appendix.pdf``."""
from __future__ import annotations

import json
from pathlib import Path

from iomlib.report.appendix import annex
from iomlib.report.appendix.content import Document, Paragraph, Section, findings_blocks
from iomlib.report.appendix.content import headline_table as _headline_table
from iomlib.report.appendix.figures import run_figures


def _figure_blocks(figures: list, public: bool, min_cell: int) -> list:
    """The figures; in a public run a data table with a small count is withheld."""
    from iomlib.report.appendix.audit import small_counts
    if not figures:
        return [Paragraph("No charts were drawn for this run.")]
    for f in figures:
        if public:
            kept = [t for t in f.data if not small_counts(t, min_cell)]
            if len(kept) < len(f.data):
                f.withheld.append("The data behind this chart are not printed: some of its "
                                  f"counts are below the publication threshold of {min_cell}.")
            f.data = kept
    return list(figures)


def build_document(metrics: dict, *, run_dir=None, previous: dict | None = None,
                   ledger=None, table_rows: dict | None = None, packages: dict | None = None,
                   data_source: str = "", marking: str = "", figures: list | None = None
                   ) -> Document:
    """The appendix's content model.

    Parameters
    ----------
    metrics : dict
        The run's ``metrics.json`` (suppressed already for a public run).
    run_dir : str or Path, optional
        Where the executed notebooks are (their figures are used).
    previous : dict, optional
        The previous good run's ``metrics.json`` (:func:`.compare.previous_metrics`).
    ledger : DataFrame, optional
        The data-quality ledger.
    table_rows : dict, optional
        ``{table: rows}`` of the data used.
    packages : dict, optional
        Package versions.
    data_source : str
    marking : str
        Protective marking.
    figures : list of Figure, optional
        Instead of reading them from ``run_dir``.

    Returns
    -------
    Document
    """
    params = (metrics.get("run") or {}).get("parameters") or {}
    public = params.get("audience") == "public"
    min_cell = int(params.get("min_cell") or 10)
    if figures is None:
        figures = run_figures(run_dir) if run_dir is not None else []
    as_of = metrics.get("as_of", "")
    doc = Document(
        title="Integrated Offender Management: performance appendix",
        subtitle=f"As of {as_of}; period from {params.get('period_start', '')}; "
                 f"{'public' if public else 'restricted'} edition",
        marking=marking)
    doc.sections = [
        Section("findings", "Key findings", findings_blocks(metrics, min_cell)
                + [_headline_table(metrics)]),
        Section("change", "Change since the last report", annex.change_blocks(metrics,
                                                                              previous)),
        Section("alternatives", "Alternative definitions", [annex.alternatives_table(metrics)]),
        Section("figures", "Charts", _figure_blocks(figures, public, min_cell)),
        Section("glossary", "Annex A. Glossary", annex.glossary_blocks()),
        Section("methods", "Annex B. Definitions and methods", annex.methods_blocks()),
        Section("limitations", "Annex C. Limitations", annex.limitation_blocks()),
        Section("ledger", "Annex D. Data quality",
                [annex.ledger_table(ledger, table_rows or {}, public, min_cell)]),
        Section("provenance", "Annex E. Provenance",
                [annex.provenance_table(metrics, packages or {}, data_source)]),
    ]
    doc.number()
    return doc


def build_appendix(run_dir, *, out=None, ds=None, marking: str = "", pdf: bool = True) -> dict:
    """Write ``appendix.html`` and ``appendix.pdf`` into a finished run folder.

    Parameters
    ----------
    run_dir : str or Path
        The run folder, holding ``metrics.json`` and the executed notebooks.
    out : str or Path, optional
        The reports folder (for the previous report); default the run folder's grandparent.
    ds : Dataset, optional
        The run's data (for the data-quality ledger).
    marking : str
        The protective marking.
    pdf : bool
        Also write the PDF.

    Returns
    -------
    dict
        ``html`` (path), ``pdf`` (path or None), ``pdf_message`` (why there is no PDF),
        ``figures``, ``tables`` and ``disclosure`` (problems found by the audit; empty when
        fit).
    """
    from iomlib.report.appendix.audit import audit_appendix
    from iomlib.report.appendix.compare import previous_metrics
    from iomlib.report.appendix.html import document_html
    from iomlib.report.appendix.typst import write_pdf
    run_dir = Path(run_dir)
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    run = metrics.get("run") or {}
    params = run.get("parameters") or {}
    out = Path(out) if out is not None else run_dir.parent.parent
    previous = previous_metrics(out, run_dir.name, str(metrics.get("as_of", "")),
                                params.get("audience", ""), int(params.get("min_cell") or 10))
    rows = ({n: len(getattr(ds, n)) for n in ("people", "episodes", "offences", "custody",
                                              "idva_survey") if getattr(ds, n, None) is not None}
            if ds is not None else {})
    doc = build_document(metrics, run_dir=run_dir, previous=previous,
                         ledger=getattr(ds, "ledger", None), table_rows=rows,
                         packages={"iomlib": run.get("iomlib")},
                         data_source=run.get("data_source", ""), marking=marking)
    problems = (audit_appendix(doc, int(params.get("min_cell") or 10))
                if params.get("audience") == "public" else [])
    if problems:
        raise RuntimeError("appendix failed the disclosure audit: " + "; ".join(problems))
    html_path = run_dir / "appendix.html"
    html_path.write_text(document_html(doc), encoding="utf-8")
    pdf_path, message = write_pdf(doc, run_dir / "appendix.pdf") if pdf else (None, "not asked")
    return {"html": html_path, "pdf": pdf_path, "pdf_message": message,
            "figures": len(doc.figures()), "tables": len(doc.tables()), "disclosure": problems}


#: Where the index page's link to the appendix goes (:func:`iomlib.report.index.index_html`).
INDEX_SLOT = "<!--IOM-APPENDIX-->"


def _index_link(result: dict | None, message: str) -> str:
    """The index page's first section: the appendix, HTML and PDF."""
    if result is None:
        return (f"<section class='appendix'><h2 id='appendix'>Appendix</h2><p>{message}</p>"
                "</section>")
    pdf = ("<a href='appendix.pdf'>PDF, A4</a>" if result.get("pdf")
           else f"PDF not written ({result.get('pdf_message')})")
    return ("<section class='appendix'><h2 id='appendix'>Appendix</h2>"
            "<p class='lead'><a href='appendix.html'><strong>Read the performance appendix"
            f"</strong></a> (one document: key findings, tables, charts and annex) &middot; "
            f"{pdf}</p></section>")


def appendix_for_run(run) -> dict | None:
    """Build the appendix of a finished run and link it first on its index page.

    Called by the runner after the run's pages, ``metrics.json`` and ``index.html`` are
    written. A problem (e.g. the disclosure audit) is logged and leaves no appendix; it never
    fails the run's notebooks.

    Parameters
    ----------
    run : iomlib.report.runner.Run

    Returns
    -------
    dict or None
        :func:`build_appendix`'s result, None when no appendix was written.
    """
    import html as _html

    from iomlib.report.audience import marking
    result, message = None, ""
    try:
        result = build_appendix(run.run_dir, out=run.out, ds=run.ds,
                                marking=marking(run.params))
        if result["pdf"] is None:
            run.progress.log(f"iom report: warning: appendix.pdf: {result['pdf_message']}")
        run.progress.log(f"iom report: appendix: {result['figures']} figure(s), "
                         f"{result['tables']} table(s); appendix.html"
                         + (", appendix.pdf" if result["pdf"] else " (no PDF)"))
    except Exception as exc:  # noqa: BLE001 - reported, and the pages stay published
        message = f"The appendix was not written: {exc}"
        run.progress.log(f"iom report: warning: {message}")
    index = run.run_dir / "index.html"
    if index.exists():
        text = index.read_text(encoding="utf-8")
        index.write_text(text.replace(INDEX_SLOT, _index_link(result, _html.escape(message)), 1),
                         encoding="utf-8")
    return result
