"""The appendix as an A4 PDF, through the Typst compiler of the ``typst`` wheel.

The content model is written as Typst markup (every text as a string literal, so nothing in
the data can be read as markup) with the figures as PNG files beside it, then compiled. A4
pages numbered "Page n of N", a contents page, figures and tables numbered by Typst in
document order (the data behind the charts is an annex at the end, so the numbers match the
HTML page's), tables laid out within the page width.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from iomlib.report.appendix.content import Bullets, Document, Paragraph, Terms
from iomlib.report.appendix.figures import Figure
from iomlib.report.appendix.tables import Table

_PREAMBLE = """#set document(title: {title})
#set page(paper: "a4", margin: (x: 2cm, top: 2.4cm, bottom: 2.2cm),
  header: align(center, text(size: 8pt, weight: "bold", {marking})),
  footer: context align(center, text(size: 9pt,
    "Page " + str(here().page()) + " of " + str(counter(page).final().first()))))
#set text(size: 10pt, lang: "en", region: "gb")
#set par(justify: false)
#set heading(numbering: none)
#show heading.where(level: 1): it => block(above: 1.6em, below: 0.8em, it)
#show figure: set block(breakable: true)
#show figure.where(kind: table): set figure.caption(position: top)
#show figure.caption: set text(weight: "bold")
#set figure.caption(separator: [. ])
#set table(stroke: (x, y) => if y == 0 {{ (bottom: 1pt) }} else {{ (bottom: 0.4pt + gray) }},
  inset: (x: 4pt, y: 3pt))
"""


def _s(text) -> str:
    """Text as a Typst string literal in markup (``#"..."``)."""
    t = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'#"{t}"'


def _lit(text) -> str:
    t = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{t}"'


def table_typ(t: Table) -> str:
    """One table as a numbered Typst figure.

    Parameters
    ----------
    t : Table
    """
    widths = ", ".join("auto" if num else "1fr" for num in t.numeric)
    align = ", ".join("right" if num else "left" for num in t.numeric)
    head = ", ".join(f"[*{_s(c)}*]" for c in t.columns)
    cells = ", ".join(f"[{_s(v)}]" for r in t.rows for v in r) or \
        f"table.cell(colspan: {len(t.columns)})[No rows.]"
    notes = "".join(f"\n#text(size: 8pt, {_lit(n)})\n" for n in t.notes)
    return (f"#figure(kind: table, caption: [{_s(t.caption)}],\n"
            f"  text(size: 8.5pt, table(columns: ({widths},), align: ({align},),\n"
            f"    table.header({head}),\n    {cells})))\n{notes}\n")


def figure_typ(f: Figure, folder: Path) -> str:
    """One figure (image file written into ``folder``) as a numbered Typst figure.

    Parameters
    ----------
    f : Figure
    folder : Path
    """
    if f.png is None:
        body = f"block(width: 100%, inset: 8pt, fill: luma(240), {_lit(f.empty or '')})"
    else:
        name = f"figure-{f.number}.png"
        (folder / name).write_bytes(f.png)
        body = f"image({_lit(name)}, width: 100%, alt: {_lit(f.alt)})"
    note = ""
    if f.data:
        where = ", ".join(f"table {t.number}" for t in f.data)
        note = f"From the analysts' page \u201c{f.source}\u201d. Data: {where} (Annex F)."
    extra = f"\n#text(size: 8pt, {_lit(note)})\n" if note else ""
    extra += "".join(f"\n#text(size: 8pt, {_lit(w)})\n" for w in f.withheld)
    return f"#figure(kind: image, caption: [{_s(f.caption)}], {body})\n{extra}\n"


def _block(b, folder: Path) -> str:
    if isinstance(b, Paragraph):
        lead = f"*{_s(b.strong)}* " if b.strong else ""
        return f"{lead}{_s(b.text)}\n\n"
    if isinstance(b, Bullets):
        mark = "+" if b.ordered else "-"
        return "".join(f"{mark} {_s(i)}\n" for i in b.items) + "\n"
    if isinstance(b, Terms):
        return "".join(f"/ {_s(t)}: {_s(d)}\n" for t, d in b.items) + "\n"
    if isinstance(b, Table):
        return table_typ(b)
    if isinstance(b, Figure):
        return figure_typ(b, folder)
    raise TypeError(f"unknown block {type(b).__name__}")


def document_typ(doc: Document, folder: Path) -> str:
    """The whole appendix as Typst markup; figure images are written into ``folder``.

    Parameters
    ----------
    doc : Document
    folder : Path
    """
    parts = [_PREAMBLE.format(title=_lit(doc.title), marking=_lit(doc.marking or "")),
             f"#align(center)[#text(size: 18pt, weight: \"bold\", {_lit(doc.title)})]\n",
             f"#align(center)[#text(size: 11pt, {_lit(doc.subtitle)})]\n\n",
             "#outline(title: \"Contents\", depth: 1)\n\n"]
    for s in doc.sections:
        parts.append(f"= {_s(s.heading or s.title)} <{s.id}>\n\n")
        parts.extend(_block(b, folder) for b in s.blocks)
    data = [(f, t) for f in doc.figures() for t in f.data]
    if data:
        parts.append(f"= {_s('Annex F. Data behind the charts')} <chart-data>\n\n")
        for f, t in data:
            parts.append(f"{_s(f'For figure {f.number}.')}\n\n" + table_typ(t))
    parts.append(f"= {_s('Annex G. Lists of figures and tables')} <lists>\n\n"
                 "#outline(title: \"Figures\", target: figure.where(kind: image))\n\n"
                 "#outline(title: \"Tables\", target: figure.where(kind: table))\n")
    return "".join(parts)


def write_pdf(doc: Document, path) -> tuple[Path | None, str]:
    """Compile the appendix to an A4 PDF.

    Parameters
    ----------
    doc : Document
    path : str or Path
        Where to write the PDF.

    Returns
    -------
    (Path or None, str)
        The PDF's path and ``""``; or None and why there is no PDF (the ``typst`` package
        missing, or the compiler's error).
    """
    try:
        import typst
    except ImportError:
        return None, "the PDF was skipped: the typst package is not installed"
    path = Path(path)
    folder = Path(tempfile.mkdtemp(prefix="iom-appendix-"))
    try:
        main = folder / "appendix.typ"
        main.write_text(document_typ(doc, folder), encoding="utf-8")
        pdf = typst.compile(str(main), root=str(folder))
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(pdf)
        tmp.replace(path)
        return path, ""
    except Exception as exc:  # noqa: BLE001 - the compiler's errors are of its own types
        return None, f"the PDF was not written: typst: {exc}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
