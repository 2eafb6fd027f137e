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


#: The file in a reports folder naming the one audience its runs are for.
AUDIENCE_FILE = ".iom-audience"


def _audience_of_runs(out: Path) -> str | None:
    """The audience of the runs already in ``out`` (folders from before the marker file)."""
    seen = set()
    for prov in sorted((out / "runs").glob("*/provenance.json")):
        try:
            a = json.loads(prov.read_text()).get("parameters", {}).get("audience")
        except (OSError, ValueError, AttributeError):
            continue
        if a:
            seen.add(a)
    if len(seen) > 1:
        return "mixed"
    return seen.pop() if seen else None


def claim_audience(out: Path, audience: str, key_file: str | None = None, *,
                   write: bool = True) -> None:
    """Refuse to mix audiences in one reports folder; mark a new folder with its audience.

    A scheduler publishes ``<out>/latest``; were a restricted run written into the same folder,
    ``latest`` would point at unsuppressed figures and the pseudonym key would sit beside it. So
    a reports folder holds the runs of one audience only (``<out>/.iom-audience``), and a public
    folder never holds a pseudonym key.

    Parameters
    ----------
    out : Path
        The reports folder.
    audience : str
        The run's audience.
    key_file : str, optional
        The pseudonym key file the run will use: refused inside a public folder.
    write : bool, default True
        Create the folder if needed and write the marker; ``False`` only checks (before the
        run's other checks, which must leave no folder behind when they fail).

    Raises
    ------
    IomError
        The folder holds runs of another audience, or a public folder would hold a key; exit
        status 2 (nothing has been run).
    """
    marker = out / AUDIENCE_FILE
    try:
        existing = marker.read_text().strip() if marker.exists() else _audience_of_runs(out)
    except OSError as exc:
        raise IomError(f"cannot read {marker}: {exc}") from exc
    if existing and existing != audience:
        raise IomError(f"{out} holds {existing} reports; a {audience} run must go to another "
                       f"folder (--out), so that the published link never changes audience")
    keys = [p for p in (out / ".pseudonym-key", Path(key_file) if key_file else None)
            if p is not None and p.exists()]
    inside = [k for k in keys if out.resolve() in k.resolve().parents]
    if audience == "public" and inside:
        raise IomError(f"{out} holds a pseudonym key ({inside[0].name}); public reports must go "
                       f"to a folder without one (--out)")
    if audience == "public" and key_file and out.resolve() in Path(key_file).resolve().parents:
        raise IomError(f"the pseudonym key file {key_file} is inside the public reports folder "
                       f"{out}; keep it elsewhere")
    if not write:
        return
    out.mkdir(parents=True, exist_ok=True)
    if not marker.exists():
        marker.write_text(audience + "\n", encoding="utf-8")
