"""Tests of iomlib.report.rundir: run folders and the atomic ``latest``."""
from __future__ import annotations

import shutil

import pytest

from iomlib.errors import IomError
from iomlib.report import rundir


def test_publish_is_atomic_symlink_swap(tmp_path):
    out = tmp_path / "reports"
    a, b = rundir.new_run_dir(out), rundir.new_run_dir(out)
    assert a != b
    rundir.publish(out, a)
    assert (out / "latest").resolve() == a.resolve()
    rundir.publish(out, b)
    assert (out / "latest").resolve() == b.resolve()
    assert [p.name for p in out.iterdir() if p.name.startswith(".latest")] == []
    shutil.rmtree(tmp_path / "other", ignore_errors=True)
    (out / "latest").unlink()
    (out / "latest").mkdir()
    with pytest.raises(IomError, match="not a symlink"):
        rundir.publish(out, a)
