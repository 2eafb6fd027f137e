"""Tests of iomlib.report.kernel: the kernel choice."""
from __future__ import annotations

import json
import os
import sys

from iomlib.report import kernel


def test_kernel_choice_falls_back_to_this_interpreter(tmp_path, monkeypatch):
    name, env = kernel.choose_kernel(tmp_path)
    if name == kernel.KERNEL_NAME:
        assert env == {}
    monkeypatch.setattr(kernel, "KERNEL_NAME", "surely-not-a-registered-kernel")
    name, env = kernel.choose_kernel(tmp_path)
    assert name != "surely-not-a-registered-kernel"
    spec = json.loads((tmp_path / "kernels" / name / "kernel.json").read_text())
    assert spec["argv"][0] == sys.executable
    assert env["JUPYTER_PATH"].split(os.pathsep)[0] == str(tmp_path)
