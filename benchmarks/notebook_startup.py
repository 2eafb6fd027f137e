"""Benchmark: each notebook's start-up inside ``iom report``.

Runs ``iom report`` once (or reads an existing run folder given with ``--run``) and prints, per
notebook, from papermill's cell timings in the executed notebook: the set-up cell (imports and
``iomlib.notebook.start``, which reads the run's snapshot), the rest of the cells, and the
total. It also times, in fresh interpreters, ``import iomlib.notebook`` and the imports a
typical notebook makes, and loading the run data (the snapshot against simulating the
synthetic force). One JSON line per notebook, then a summary line with load averages.

Usage::

    .venv/bin/python benchmarks/notebook_startup.py [--run reports/latest]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
IMPORTS = ("import pandas, matplotlib.pyplot, seaborn, scipy.stats, statsmodels.api; "
           "import iomlib.notebook, iomlib.plots, iomlib.measures.cohort")


def _seconds(code: str) -> float:
    """Wall seconds of ``python -c code`` minus an empty interpreter's start."""
    def run(c):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", c], check=True, cwd=REPO)
        return time.perf_counter() - t0
    return run(code) - run("pass")


def per_notebook(run_dir: Path) -> list[dict]:
    rows = []
    for p in sorted(run_dir.glob("[0-9][0-9]_*.ipynb")):
        nb = json.loads(p.read_text())
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        dur = [c["metadata"].get("papermill", {}).get("duration") or 0.0 for c in code]
        setup = next((i for i, c in enumerate(code)
                      if "iomlib.notebook.start" in "".join(c["source"])), None)
        rows.append({"notebook": p.stem,
                     "setup_cell_seconds": round(dur[setup], 2) if setup is not None else None,
                     "other_cells_seconds": round(sum(dur) - (dur[setup] if setup is not None
                                                              else 0.0), 2),
                     "notebook_seconds": round(nb["metadata"].get("papermill", {})
                                               .get("duration") or 0.0, 2)})
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", default=None, help="an existing run folder (default: run one)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="iom-startup-") as tmp:
        if args.run:
            run_dir = Path(args.run)
        else:
            subprocess.run([str(Path(sys.executable).parent / "iom"), "report", "--out", tmp],
                           check=True, cwd=REPO, capture_output=True)
            run_dir = Path(tmp) / "latest"
        for row in per_notebook(run_dir):
            print(json.dumps(row), flush=True)
    summary = {
        "import_iomlib_notebook_seconds": round(_seconds("import iomlib.notebook"), 2),
        "typical_notebook_imports_seconds": round(_seconds(IMPORTS), 2),
        "simulate_synthetic_force_seconds": round(_seconds(
            "from iomlib.data.open import default_dataset; default_dataset()") - _seconds(
            "import iomlib.data.open, iomlib.data.synth"), 2),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "date": time.strftime("%Y-%m-%d"),
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
