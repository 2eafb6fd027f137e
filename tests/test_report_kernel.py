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


def test_report_kernels_use_the_quick_start_client_and_run_cells(tmp_path, monkeypatch):
    """The report runner's kernels talk over Unix sockets and their clients do not wait for
    IOPub to go quiet; cells still run in order and every output lands in its own cell."""
    import nbformat
    import papermill as pm

    from iomlib.report.kernel_client import QuickStartClient
    km = kernel.kernel_manager_class()(kernel_name="python3")
    assert km.transport == "ipc" and isinstance(km.client(), QuickStartClient)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f"print('cell {i}')") for i in range(5)]
    nbformat.write(nb, tmp_path / "in.ipynb")
    name, env = kernel.choose_kernel(tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for _ in range(3):    # three fresh kernels: start-up messages never leak into a cell
        out = pm.execute_notebook(str(tmp_path / "in.ipynb"), str(tmp_path / "out.ipynb"),
                                  kernel_name=name, progress_bar=False,
                                  **kernel.engine_options())
        texts = [[o.get("text", "") for o in c.outputs] for c in out.cells]
        assert texts == [[f"cell {i}\n"] for i in range(5)]
