"""A report page's table of contents, from the headings of its HTML."""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser


class _Headings(HTMLParser):
    """Collect ``<h1>``-``<h6>`` elements that have an ``id``: (level, id, text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, str]] = []
        self._cur: list | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag) and a.get("id"):
            self._cur = [int(tag[1]), a["id"], []]
        elif self._cur is not None and tag == "a" and "anchor-link" in (a.get("class") or ""):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "a" and self._skip:
            self._skip -= 1
        elif self._cur is not None and tag == f"h{self._cur[0]}":
            text = " ".join("".join(self._cur[2]).split())
            if text:
                self.found.append((self._cur[0], self._cur[1], text))
            self._cur = None

    def handle_data(self, data):
        if self._cur is not None and not self._skip:
            self._cur[2].append(data)


def headings(text: str) -> list[tuple[int, str, str]]:
    """Headings with an ``id`` in an HTML page, in document order.

    Parameters
    ----------
    text : str
        HTML.

    Returns
    -------
    list of (int, str, str)
        ``(level, id, text)``; the text without the anchor link nbconvert adds.
    """
    p = _Headings()
    p.feed(text)
    p.close()
    return p.found


def toc_html(heads: list[tuple[int, str, str]], extra: list[tuple[str, str]] = ()) -> str:
    """A nested table of contents.

    A single top-level heading that comes first is taken as the page title and left out; the
    two heading levels below the top level are listed.

    Parameters
    ----------
    heads : list of (int, str, str)
        From :func:`headings`.
    extra : list of (str, str)
        ``(id, text)`` entries appended at the top level (e.g. the provenance section).

    Returns
    -------
    str
        A ``<nav>`` element (empty string when there is nothing to list).
    """
    heads = list(heads)
    if heads:
        top = min(h[0] for h in heads)
        if sum(h[0] == top for h in heads) == 1 and heads[0][0] == top and len(heads) > 1:
            heads = heads[1:]
    items = []
    if heads:
        top = min(h[0] for h in heads)
        items = [(h[0] - top, h[1], h[2]) for h in heads if h[0] - top < 2]
    items += [(0, i, t) for i, t in extra]
    if not items:
        return ""
    out = ['<nav class="iom-toc" aria-label="Contents"><h2 id="iom-contents">Contents</h2><ol>']
    depth = 0
    first = True
    for level, ident, text in items:
        if not first:
            if level > depth:
                out.append("<ol>" * (level - depth))
            else:
                out.append("</li>" + "</ol></li>" * (depth - level))
        depth = max(level, 0)
        first = False
        out.append(f'<li><a href="#{html.escape(ident, quote=True)}">{html.escape(text)}</a>')
    out.append("</li>" + "</ol></li>" * depth + "</ol></nav>")
    return "".join(out)
