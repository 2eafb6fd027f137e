"""Keeping a report page self-contained: what a browser would fetch from other hosts."""
from __future__ import annotations

import re

_EXTERNAL_PATTERNS = (
    ("script", re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?\s*((?:https?:)?//[^\"'\s>]+)",
                          re.IGNORECASE)),
    ("link", re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?\s*((?:https?:)?//[^\"'\s>]+)",
                        re.IGNORECASE)),
    ("img", re.compile(r"<(?:img|iframe|source|video|audio|embed)\b[^>]*\bsrc\s*=\s*[\"']?\s*"
                       r"((?:https?:)?//[^\"'\s>]+)", re.IGNORECASE)),
    ("css", re.compile(r"url\(\s*[\"']?\s*((?:https?:)?//[^\"')\s]+)", re.IGNORECASE)),
    ("css", re.compile(r"@import\s+[\"']((?:https?:)?//[^\"']+)", re.IGNORECASE)),
    ("module", re.compile(r"\bimport\s*\(\s*[\"']((?:https?:)?//[^\"']+)", re.IGNORECASE)),
)


def external_resources(text: str) -> list[tuple[str, str]]:
    """Everything in an HTML page that a browser would fetch from another host.

    Scripts, style sheets, fonts, images and frames given by ``http(s)://`` or ``//`` URLs,
    CSS ``url(...)`` and ``@import``, and dynamic ``import("...")`` in scripts. Plain links
    (``<a href>``) are not fetched and are not reported.

    Parameters
    ----------
    text : str
        HTML.

    Returns
    -------
    list of (str, str)
        ``(kind, url)`` pairs; empty for a self-contained page.
    """
    return [(kind, m.group(1)) for kind, rx in _EXTERNAL_PATTERNS for m in rx.finditer(text)]


def strip_external_scripts(text: str) -> str:
    """Remove ``<script src=...>`` and ``<link href=...>`` elements that point to other hosts.

    Parameters
    ----------
    text : str
        HTML.

    Returns
    -------
    str
        ``text`` without those elements.
    """
    text = re.sub(r"<script\b[^>]*\bsrc\s*=\s*[\"']?\s*(?:https?:)?//[^>]*>\s*</script>", "",
                  text, flags=re.IGNORECASE)
    return re.sub(r"<link\b[^>]*\bhref\s*=\s*[\"']?\s*(?:https?:)?//[^>]*>", "", text,
                  flags=re.IGNORECASE)
