"""Helpers shared by the benchmark scripts: timing of commands with their CPU, and the commit.

Benchmarks are run as ``python benchmarks/<name>.py``, so this folder is on ``sys.path`` and the
scripts import this module by its bare name.
"""
from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

#: The repository's root (the benchmarks run their commands from it).
REPO = Path(__file__).resolve().parent.parent


def bin_path(name: str) -> str:
    """Path of a command installed beside the running interpreter (``iom``, ``jupyter``)."""
    return str(Path(sys.executable).parent / name)


def children_cpu() -> float:
    """CPU seconds (user + system) of every child process waited for so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (the command and every process it waited for).

    Parameters
    ----------
    cmd : list of str
        The command, run from :data:`REPO`; a non-zero exit stops the benchmark with its stderr.
    """
    c0, t0 = children_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    dt, cpu = time.perf_counter() - t0, children_cpu() - c0
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    return dt, cpu


def commit() -> str:
    """The checked-out commit (short hash), or ``"unknown"`` outside a git checkout."""
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, text=True,
                              capture_output=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
