"""Tests of iomlib.report.contents: headings and the table of contents."""
from __future__ import annotations

from iomlib.report import contents


def test_headings_and_toc():
    page = ('<h1 id="T">Title<a class="anchor-link" href="#T">¶</a></h1>'
            '<h2 id="A">A &amp; B<a class="anchor-link" href="#A">¶</a></h2>'
            '<h3 id="A1">A one</h3><h4 id="deep">too deep</h4><h2 id="C">C</h2><h2>no id</h2>')
    hs = contents.headings(page)
    assert hs == [(1, "T", "Title"), (2, "A", "A & B"), (3, "A1", "A one"),
                  (4, "deep", "too deep"), (2, "C", "C")]
    toc = contents.toc_html(hs, extra=[("provenance", "Provenance")])
    assert "Title" not in toc and "too deep" not in toc
    assert toc.count("<ol>") == toc.count("</ol>") == 2
    assert toc.count("<li>") == toc.count("</li>") == 4
    assert '<a href="#A">A &amp; B</a>' in toc
    assert contents.toc_html([]) == ""
