"""Execute one notebook with papermill in IPC kernels (used by the parallel notebook tests).

``python tests/run_notebook.py SRC DST KERNEL CWD PARAMETERS_JSON``

The papermill command line starts kernels over TCP; fourteen of them started at the same moment
by parallel processes can pick the same free port ("Address already in use", "Kernel died
before replying to kernel_info"). The report runner avoids that race with
:func:`iomlib.report.kernel.engine_options` (Unix-socket kernels); the tests use the same.
"""
from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> int:
    import papermill as pm

    from iomlib.report.kernel import engine_options
    src, dst, kernel, cwd, params = argv
    pm.execute_notebook(src, dst, parameters=json.loads(params), kernel_name=kernel, cwd=cwd,
                        progress_bar=False, log_output=False, **engine_options())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
