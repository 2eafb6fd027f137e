"""The run folder, its JSON files, and the atomic switch of ``latest`` to a good run."""
from __future__ import annotations

import datetime as _dt
import json
import os
from pathlib import Path

from iomlib.errors import IomError


def new_run_dir(out: Path) -> Path:
    """Create ``out/runs/<UTC timestamp>`` (with a suffix if it exists already).

    Parameters
    ----------
    out : Path
        The reports folder.

    Returns
    -------
    Path
        The new, empty run folder.
    """
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    runs = out / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    for i in range(1000):
        d = runs / (stamp if i == 0 else f"{stamp}-{i}")
        try:
            d.mkdir()
            return d
        except FileExistsError:
            continue
    raise IomError(f"cannot create a run folder in {runs}")  # pragma: no cover


def publish(out: Path, run_dir: Path) -> Path:
    """Point ``out/latest`` at ``run_dir`` atomically (a new relative symlink + os.replace).

    Parameters
    ----------
    out : Path
        The reports folder.
    run_dir : Path
        A run folder inside ``out``.

    Returns
    -------
    Path
        The ``latest`` link.

    Raises
    ------
    IomError
        ``out/latest`` exists and is a real folder or file, not a symlink.
    """
    latest = out / "latest"
    if latest.exists() and not latest.is_symlink():
        raise IomError(f"{latest} exists and is not a symlink; move it away so that it can "
                       f"point to the latest good run")
    tmp = out / f".latest-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(os.path.relpath(run_dir.resolve(), out.resolve()))
    os.replace(tmp, latest)
    return latest


def previous_durations(out: Path) -> dict:
    """Seconds each notebook took in the run ``out/latest`` points to.

    Parameters
    ----------
    out : Path
        The reports folder.

    Returns
    -------
    dict
        ``{name: seconds}``; empty when there is no readable previous run.
    """
    try:
        prov = json.loads((out / "latest" / "provenance.json").read_text())
        return {n["name"]: float(n["seconds"]) for n in prov.get("notebooks", [])
                if n.get("seconds") is not None}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def write_json(path: Path, obj) -> None:
    """Write ``obj`` as indented JSON, atomically (a temporary file and :func:`os.replace`).

    Parameters
    ----------
    path : Path
    obj : object
        JSON-serialisable; other values are written as ``str(value)``.
    """
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(obj, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)
