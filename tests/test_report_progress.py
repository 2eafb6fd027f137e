"""Tests of iomlib.report.progress."""
from __future__ import annotations

import io
import time

from iomlib.report import progress


def test_progress_terminal_and_plain():
    buf = io.StringIO()
    p = progress.Progress(["01_a", "02_bb"], {"01_a": 5, "02_bb": 3}, stream=buf, tty=True)
    p.draw()
    p.event(("start", "01_a", time.time()))
    p.event(("cell", "01_a", 2))
    p.draw()
    p.event(("end", "01_a", "ok", 1.5))
    p.finish("02_bb", "failed", 2.0, "boom")
    p.draw()
    text = buf.getvalue()
    assert "\x1b[2F" in text  # cursor back up over the two lines
    assert "cell 3/5" in text and "[ ok ]" in text and "[FAIL]" in text
    buf = io.StringIO()
    p = progress.Progress(["01_a"], {"01_a": 5}, stream=buf, tty=False)
    p.draw()
    p.event(("start", "01_a", time.time()))
    p.event(("end", "01_a", "ok", 1.5))
    p.event(("end", "01_a", "ok", 1.5))  # idempotent
    assert buf.getvalue() == "iom report: 01_a: started\niom report: 01_a: done in 1.5 s\n"
