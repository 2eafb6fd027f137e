"""The appendix as one self-contained HTML page (inline style, images as data URIs, no
scripts), laid out from the content model."""
from __future__ import annotations

import base64
import html

from iomlib.report.appendix.content import Bullets, Document, Paragraph, Terms
from iomlib.report.appendix.figures import Figure
from iomlib.report.appendix.tables import Table

_CSS = """
:root { color: #1a1a1a; background: #fff; }
body { font-family: "Segoe UI", Arial, sans-serif; line-height: 1.5; margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.8rem; margin-bottom: 0.2rem; }
h2 { border-bottom: 2px solid #0b0c0c; padding-bottom: 0.2rem; margin-top: 2.2rem; }
.subtitle { color: #3b3b3b; margin-top: 0; }
.marking { background: #0b0c0c; color: #fff; padding: 0.4rem 0.8rem; font-weight: bold; }
nav ol { list-style: none; padding-left: 0; columns: 2; }
nav h2 { font-size: 1.1rem; border: none; margin-top: 1rem; }
nav li { margin: 0.2rem 0; }
a { color: #1d4f91; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 0.3rem; font-size: 0.92rem; }
caption { text-align: left; font-weight: bold; padding: 0.3rem 0; caption-side: top; }
th, td { border-bottom: 1px solid #b1b4b6; padding: 0.35rem 0.5rem; vertical-align: top;
         text-align: left; }
thead th { border-bottom: 2px solid #0b0c0c; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.notes { font-size: 0.85rem; color: #3b3b3b; margin: 0 0 1rem; }
figure { margin: 1.5rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #d8d8d8; }
figcaption { font-weight: bold; margin-bottom: 0.4rem; }
.source { font-size: 0.85rem; color: #3b3b3b; }
.empty { border-left: 4px solid #505a5f; padding: 0.5rem 0.8rem; background: #f3f2f1; }
details { margin: 0.4rem 0 1rem; }
summary { cursor: pointer; color: #1d4f91; }
dt { font-weight: bold; }
dd { margin: 0 0 0.6rem 1.2rem; }
@media print { details { display: block; } main { max-width: none; } }
"""


def _esc(text) -> str:
    return html.escape(str(text))


def table_html(t: Table) -> str:
    """One table with its numbered caption and footnotes.

    Parameters
    ----------
    t : Table
    """
    head = "".join(f"<th scope='col'{' class=num' if t.numeric[i] else ''}>{_esc(c)}</th>"
                   for i, c in enumerate(t.columns))
    body = []
    for r in t.rows:
        cells = []
        for i, v in enumerate(r):
            cls = " class='num'" if t.numeric[i] else ""
            if i == 0 and t.row_header:
                cells.append(f"<th scope='row'{cls}>{_esc(v)}</th>")
            else:
                cells.append(f"<td{cls}>{_esc(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        body = [f"<tr><td colspan='{len(t.columns)}'>No rows.</td></tr>"]
    notes = "".join(f"<p class='notes'>{_esc(n)}</p>" for n in t.notes)
    return (f"<table id='table-{t.number}'><caption>Table {t.number}. {_esc(t.caption)}"
            f"</caption><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            f"{notes}")


def figure_html(f: Figure) -> str:
    """One figure: numbered caption, image with alt text (or the sentence replacing an
    empty chart) and the data behind it, collapsed.

    Parameters
    ----------
    f : Figure
    """
    cap = f"<figcaption>Figure {f.number}. {_esc(f.caption)}</figcaption>"
    if f.png is None:
        body = f"<p class='empty'>{_esc(f.empty or 'Not shown.')}</p>"
    else:
        src = base64.b64encode(f.png).decode("ascii")
        body = f"<img src='data:image/png;base64,{src}' alt='{_esc(f.alt)}'>"
    src_txt = f"<p class='source'>From the analysts' page \u201c{_esc(f.source)}\u201d.</p>" \
        if f.source else ""
    data = "".join(f"<details><summary>Data behind figure {f.number} (table {t.number})"
                   f"</summary>{table_html(t)}</details>" for t in f.data)
    data += "".join(f"<p class='notes'>{_esc(w)}</p>" for w in f.withheld)
    return f"<figure id='figure-{f.number}'>{cap}{body}</figure>{src_txt}{data}"


def _block(b) -> str:
    if isinstance(b, Paragraph):
        lead = f"<strong>{_esc(b.strong)}</strong> " if b.strong else ""
        return f"<p>{lead}{_esc(b.text)}</p>"
    if isinstance(b, Bullets):
        tag = "ol" if b.ordered else "ul"
        return f"<{tag}>" + "".join(f"<li>{_esc(i)}</li>" for i in b.items) + f"</{tag}>"
    if isinstance(b, Terms):
        return "<dl>" + "".join(f"<dt>{_esc(t)}</dt><dd>{_esc(d)}</dd>" for t, d in b.items) \
            + "</dl>"
    if isinstance(b, Table):
        return table_html(b)
    if isinstance(b, Figure):
        return figure_html(b)
    raise TypeError(f"unknown block {type(b).__name__}")


def document_html(doc: Document) -> str:
    """The whole appendix as a self-contained HTML page.

    Parameters
    ----------
    doc : Document

    Returns
    -------
    str
    """
    nav = "".join(f"<li><a href='#{s.id}'>{_esc(s.heading or s.title)}</a></li>"
                  for s in doc.sections)
    secs = "".join(f"<section aria-labelledby='{s.id}'><h2 id='{s.id}'>"
                   f"{_esc(s.heading or s.title)}</h2>{''.join(_block(b) for b in s.blocks)}"
                   f"</section>" for s in doc.sections)
    marking = f"<p class='marking' role='note'>{_esc(doc.marking)}</p>" if doc.marking else ""
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_esc(doc.title)}</title>
<style>{_CSS}</style></head>
<body><main>
{marking}<h1>{_esc(doc.title)}</h1>
<p class="subtitle">{_esc(doc.subtitle)}</p>
<nav aria-label="Contents"><h2 id="contents">Contents</h2><ol>{nav}</ol></nav>
{secs}
</main></body></html>
"""
