"""The Jupyter kernel the notebooks run in, and how papermill starts it."""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

#: The project's Jupyter kernel (registered by ``make setup``).
KERNEL_NAME = "iom-suite"


def choose_kernel(scratch: Path) -> tuple[str, dict]:
    """The kernel to run the notebooks with, and environment variables the workers need.

    ``iom-suite`` when it is registered and its interpreter exists; otherwise a kernel spec
    for the current interpreter written under ``scratch`` (made visible with ``JUPYTER_PATH``),
    so that the notebooks never run in some other Python that happens to be called python3.

    Parameters
    ----------
    scratch : Path
        A temporary folder that lives as long as the run.

    Returns
    -------
    (str, dict)
        Kernel name and extra environment variables.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        exe = spec.argv[0] if spec.argv else ""
        if Path(exe).exists() or shutil.which(exe):
            return KERNEL_NAME, {}
    except NoSuchKernel:
        pass
    name = "iom-report-python"
    kdir = scratch / "kernels" / name
    kdir.mkdir(parents=True, exist_ok=True)
    (kdir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f",
                 "{connection_file}"],
        "display_name": f"Python ({sys.executable})", "language": "python"}))
    path = os.pathsep.join(filter(None, [str(scratch), os.environ.get("JUPYTER_PATH")]))
    return name, {"JUPYTER_PATH": path}


_KM_CLASS = None


def engine_options() -> dict:
    """Extra papermill engine options: IPC kernels on POSIX, papermill's defaults elsewhere.

    Returns
    -------
    dict
        Keyword arguments for :func:`papermill.execute_notebook`.
    """
    if os.name != "posix":
        return {}
    return {"kernel_manager_class": kernel_manager_class()}


def kernel_manager_class():
    """An ``AsyncKernelManager`` whose kernels talk over Unix sockets in the temp folder.

    With the default TCP transport, kernels started at the same moment by parallel processes
    can pick the same free port (a known race); IPC socket paths are unique per kernel. (It
    also avoids ipykernel's warning about unencrypted TCP.) Its clients are
    :class:`iomlib.report.kernel_client.QuickStartClient`.

    Returns
    -------
    type
        A subclass of :class:`jupyter_client.manager.AsyncKernelManager` (made once).
    """
    global _KM_CLASS
    if _KM_CLASS is None:
        import uuid

        from jupyter_client.manager import AsyncKernelManager

        class IPCKernelManager(AsyncKernelManager):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.client_class = "iomlib.report.kernel_client.QuickStartClient"
                self.transport = "ipc"
                self.ip = os.path.join(tempfile.gettempdir(), f"iomk-{uuid.uuid4().hex[:12]}")

        _KM_CLASS = IPCKernelManager
    return _KM_CLASS
