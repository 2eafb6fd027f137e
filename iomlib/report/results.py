"""Figures a notebook hands to the runner, so that the runner does not compute them again.

Notebook 07 fits the main impact estimate; the index page and ``metrics.json`` show the same
estimate. Rather than fit it a second time in the runner (about two seconds of CPU on the
default force, minutes on a national dataset), the notebook records the figure with
:func:`record` in the run's private scratch folder (named by :data:`RESULTS_ENV`; never part
of the published run) and the runner reads it with :func:`read` once the notebooks are done.
A notebook run outside ``iom report`` (JupyterLab) records nothing; a notebook that failed, or
had nothing to show, leaves no record, and the runner then computes the figure itself.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

#: Environment variable naming the run's folder of recorded figures (set by the runner).
RESULTS_ENV = "IOM_RESULTS_DIR"


def results_environment(scratch: Path) -> dict:
    """``{RESULTS_ENV: "<scratch>/results"}`` for the kernels of a run.

    Parameters
    ----------
    scratch : Path
        The run's temporary folder.

    Returns
    -------
    dict
    """
    return {RESULTS_ENV: str(Path(scratch) / "results")}


def record(name: str, value) -> Path | None:
    """Record ``value`` (JSON-serialisable) under ``name`` for the runner; None outside a run.

    Parameters
    ----------
    name : str
        A plain name (letters, digits, ``_`` and ``-``).
    value : object

    Returns
    -------
    Path or None
        The file written (atomically), or None when no runner asked for it.
    """
    if not name.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"record: name={name!r}: expected letters, digits, '_' or '-'")
    folder = os.environ.get(RESULTS_ENV)
    if not folder:
        return None
    path = Path(folder) / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(value), encoding="utf-8")
    os.replace(tmp, path)
    return path


def read(folder: Path, name: str):
    """What a notebook recorded under ``name`` in ``folder``, or None if nothing (readable) was.

    Parameters
    ----------
    folder : Path
        The run's results folder (``results_environment(scratch)[RESULTS_ENV]``).
    name : str

    Returns
    -------
    object or None
    """
    try:
        return json.loads((Path(folder) / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
