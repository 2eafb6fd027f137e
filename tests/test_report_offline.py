"""Tests of iomlib.report.offline: references to other hosts."""
from __future__ import annotations

from iomlib.report import offline


def test_external_resources_detects_and_strips_cdn():
    page = ('<script src="https://cdnjs.cloudflare.com/require.js"></script>'
            '<script src=//cdn.example/x.js></script><link rel="stylesheet" '
            'href="https://fonts.googleapis.com/css"><style>@import "https://x/y.css";'
            'body{background:url(https://x/bg.png)}</style><img src="http://x/i.png">'
            '<a href="https://example.org">a plain link is fine</a>'
            '<script>import("https://cdn/m.mjs")</script><img src="data:image/png;base64,AA">')
    kinds = sorted(k for k, _ in offline.external_resources(page))
    assert kinds == ["css", "css", "img", "link", "module", "script", "script"]
    stripped = offline.strip_external_scripts(page)
    assert "require.js" not in stripped and "fonts.googleapis" not in stripped
    assert "example.org" in stripped
