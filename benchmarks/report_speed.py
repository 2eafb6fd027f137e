"""Time ``iom report`` against running the same notebooks one after another with the CLIs.

The baseline is what one would type by hand for each notebook::

    papermill -k iom-suite NN_x.ipynb out/NN_x.ipynb
    jupyter nbconvert --to html --no-input out/NN_x.ipynb

Both are timed wall-clock, in the same invocation, on the default (embedded synthetic) data,
alternating which goes first in each repeat. Prints one JSON object: the medians (or single
timings when a repeat would overrun ``--budget``), their ratio, the load averages and whether
the issue-14 goals (whole appendix under 15 s, at least 4 times faster than the sequential
command lines) are met. ``--data`` runs both on a dataset instead (e.g. the same force as CSV
and as a workbook, for the Excel-vs-CSV comparison: ``benchmarks/excel_vs_csv.py``).

Usage::

    .venv/bin/python benchmarks/report_speed.py [--repeats 3] [--jobs N] [--budget 600]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _bench import commit as _commit

REPO = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 15.0
GOAL_RATIO = 4.0


def _bin(name: str) -> str:
    """A console script of the interpreter running this file (the project venv)."""
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else (shutil.which(name) or name)


CPU: list = [0.0]   # CPU seconds of the commands run so far (they and what they waited for)


def _run(cmd: list[str], cwd: Path) -> float:
    """Run ``cmd``; return wall seconds (its CPU seconds are added to ``CPU``); raise with its
    output when it fails."""
    import resource
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, check=False, cwd=cwd, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[0] += (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    return dt


def time_report(nb_dir: Path, out: Path, jobs: int | None, data: str | None = None,
                notebooks: str | None = None) -> float:
    """Wall seconds of one ``iom report`` run (new run folder under ``out``)."""
    cmd = [_bin("iom"), "report", "--notebook-dir", str(nb_dir), "--out", str(out)]
    if data:
        cmd += ["--data", data]
    if notebooks:
        cmd += ["--notebooks", notebooks]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    return _run(cmd, REPO)


def time_sequential(notebooks: list[Path], out: Path, kernel: str | None,
                    data: str | None = None) -> float:
    """Wall seconds of papermill + nbconvert command lines, notebook after notebook."""
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    for nb in notebooks:
        executed = out / nb.name
        cmd = [_bin("papermill"), "--no-progress-bar", "--cwd", str(nb.parent)]
        if kernel:
            cmd += ["-k", kernel]
        if data:
            cmd += ["-p", "data", data]
        _run([*cmd, str(nb), str(executed)], REPO)
        _run([_bin("jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)], REPO)
    return time.perf_counter() - t0


def _kernel() -> str | None:
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
        KernelSpecManager().get_kernel_spec("iom-suite")
        return "iom-suite"
    except (ImportError, NoSuchKernel):
        return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3, help="timed repeats of each (default 3)")
    ap.add_argument("--jobs", type=int, default=None, help="iom report --jobs (default: CPUs)")
    ap.add_argument("--notebook-dir", default=str(REPO / "notebooks"))
    ap.add_argument("--data", default=None, help="dataset for both (default: embedded)")
    ap.add_argument("--notebooks", default=None, metavar="01,02,...",
                    help="only these notebooks (both sides)")
    ap.add_argument("--budget", type=float, default=600.0,
                    help="stop repeating when the next repeat would end after this many "
                         "seconds (default 600)")
    args = ap.parse_args(argv)
    nb_dir = Path(args.notebook_dir).resolve()
    notebooks = sorted(nb_dir.glob("[0-9][0-9]_*.ipynb"))
    if args.notebooks:
        keep = args.notebooks.split(",")
        notebooks = [nb for nb in notebooks if nb.stem[:2] in keep or nb.stem in keep]
    if not notebooks:
        raise SystemExit(f"no notebooks in {nb_dir}")
    kernel = _kernel()
    load_before = os.getloadavg()
    report_t, seq_t, report_cpu, seq_cpu = [], [], [], []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="iom-bench-") as tmp:
        for r in range(args.repeats):
            first_report = r % 2 == 0
            for which in (("report", "sequential") if first_report
                          else ("sequential", "report")):
                cpu0 = CPU[0]
                if which == "report":
                    report_t.append(time_report(nb_dir, Path(tmp) / "reports", args.jobs,
                                                args.data, args.notebooks))
                else:
                    seq_t.append(time_sequential(notebooks, Path(tmp) / f"seq{r}", kernel,
                                                 args.data))
                (report_cpu if which == "report" else seq_cpu).append(CPU[0] - cpu0)
                last = (report_t if which == "report" else seq_t)[-1]
                print(f"repeat {r + 1}: {which} {last:.1f} s", file=sys.stderr)
            elapsed = time.perf_counter() - start
            if elapsed / (r + 1) * (r + 2) > args.budget:
                break
    n = len(report_t)
    rep, seq = statistics.median(report_t), statistics.median(seq_t)
    result = {
        "notebooks": [nb.stem for nb in notebooks],
        "cpus": os.cpu_count(),
        "jobs": args.jobs or os.cpu_count(),
        "kernel": kernel,
        "repeats": n,
        "statistic": f"median of {n}" if n > 1 else
                     "single timing (a further repeat would exceed --budget)",
        "iom_report_seconds": round(rep, 2),
        "sequential_cli_seconds": round(seq, 2),
        "speedup": round(seq / rep, 2),
        # the runner process only: its pool workers and their kernels are children of the
        # fork server, which the runner does not wait for, so their CPU is not counted here
        "iom_report_runner_cpu_seconds": round(statistics.median(report_cpu), 2),
        "sequential_cli_cpu_seconds": round(statistics.median(seq_cpu), 2),
        "iom_report_all": [round(t, 2) for t in report_t],
        "sequential_cli_all": [round(t, 2) for t in seq_t],
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "data": args.data or "embedded synthetic force",
        "goal_under_15_s": rep < GOAL_SECONDS,
        "goal_speedup_4": seq / rep >= GOAL_RATIO,
        "date": time.strftime("%Y-%m-%d"),
        "commit": _commit(),
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
