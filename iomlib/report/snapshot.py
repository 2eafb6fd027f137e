"""Load and validate once per run: a validated snapshot of the data for every notebook kernel.

``iom report`` reads the source (folder of CSV or Parquet files, workbook, database or the
embedded synthetic force) once, validates it once, and writes the typed tables and the ledger as
Parquet files into the run's scratch folder (:func:`write_snapshot`; never into the published
run folder). Every kernel finds the folder through the environment variable
:data:`SNAPSHOT_ENV`; :func:`iomlib.notebook.start` calls :func:`open_for_run`, which reads the
snapshot instead of the source when it was made

* from the same ``data`` parameter,
* under the same validation settings (the configuration's offence categories and selection
  matrix versions, and the day the "in the future" checks are made against), and
* from the same source content: the snapshot is keyed by :func:`source_key` (SHA-256 of every
  file of the source), and each kernel re-checks the size and modification time of those files
  before using it, so a source changed during the run is read afresh (with a warning), never
  served stale.

Otherwise (a notebook opened on its own in JupyterLab, another ``data``, no snapshot) it falls
back to :func:`iomlib.data.open.open_dataset`, so the notebooks work the same with or without a
runner. Kernels start while the runner is still loading: :func:`open_for_run` waits for the
snapshot's ``ready.json`` (or ``failed.json``) to appear.

The snapshot is an exact copy: every table, dtype, the ledger, the source and the file hashes
round-trip (``tests/test_report_snapshot.py``).
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path

import pandas as pd

from iomlib.data.parquet_tables import read_tables, write_tables

#: Environment variable naming the run's snapshot folder (set by the runner for the kernels).
SNAPSHOT_ENV = "IOM_SNAPSHOT"
#: How long a kernel waits for the runner to finish loading the data, seconds.
WAIT_SECONDS = 1800.0
_FORMAT = 1


def snapshot_environment(scratch: Path) -> dict:
    """The environment variable that points the kernels at the run's snapshot folder.

    Parameters
    ----------
    scratch : Path
        The run's temporary folder (removed when the run ends).

    Returns
    -------
    dict
        ``{SNAPSHOT_ENV: "<scratch>/snapshot"}``.
    """
    return {SNAPSHOT_ENV: str(Path(scratch) / "snapshot")}


def data_parameter(data) -> str | None:
    """The ``data`` parameter in one canonical form (None for the embedded synthetic force).

    Parameters
    ----------
    data : str, Path or None

    Returns
    -------
    str or None
        An SQL URL as given, a path made absolute, or None.
    """
    if data is None or str(data) in ("", "default", "synthetic"):
        return None
    text = str(data)
    return text if "://" in text else str(Path(text).expanduser().resolve())


def settings_key(config) -> str:
    """SHA-256 of what validation depends on besides the data: categories, matrix versions, day.

    Parameters
    ----------
    config : Config

    Returns
    -------
    str
    """
    versions = [v.model_dump() if hasattr(v, "model_dump") else repr(v)
                for v in (getattr(config, "matrix_versions", ()) or ())]
    text = json.dumps([sorted(config.categories), versions,   # dicts sorted: a set's order
                       pd.Timestamp.today().strftime("%Y-%m-%d")],   # differs by process
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def source_files(data) -> list[Path]:
    """The files a source consists of (empty for the synthetic force or a database server).

    Parameters
    ----------
    data : str, Path or None

    Returns
    -------
    list of Path
    """
    canon = data_parameter(data)
    if canon is None:
        return []
    if "://" in canon:
        if canon.startswith("sqlite:///"):
            path = Path(canon[len("sqlite:///"):].split("?")[0])
            return [path] if path.is_file() else []
        return []
    path = Path(canon)
    if path.is_dir():
        from iomlib.data.schema import TABLES
        return sorted(p for name in TABLES for p in (path / f"{name}.csv", path / f"{name}.parquet")
                      if p.is_file())
    return [path] if path.is_file() else []


def source_key(data) -> str | None:
    """Content key of a source: SHA-256 over its files' names and SHA-256s.

    The synthetic force is keyed by the code that simulates it; a database server has no key
    (None: its snapshot is used within the run that made it only).

    Parameters
    ----------
    data : str, Path or None

    Returns
    -------
    str or None
    """
    from iomlib.data.dataset import file_sha256
    canon = data_parameter(data)
    h = hashlib.sha256()
    if canon is None:
        import iomlib.data.synth as synth
        h.update(b"synthetic:" + Path(synth.__file__).read_bytes())
        return h.hexdigest()
    files = source_files(data)
    if not files:
        return None
    for f in files:
        h.update(f"{f.name}:{file_sha256(f)}\n".encode())
    return h.hexdigest()


def _signature(files: list[Path]) -> list:
    return [[str(f), f.stat().st_size, f.stat().st_mtime_ns] for f in files]


def write_snapshot(ds, folder: Path, data, config) -> Path:
    """Write ``ds`` (validated) as the run's snapshot: Parquet tables, ledger, ``ready.json``.

    ``ready.json`` is written last (atomically), so a kernel never reads a partial snapshot.

    Parameters
    ----------
    ds : Dataset
        The validated data, as loaded by the runner.
    folder : Path
        The snapshot folder (``SNAPSHOT_ENV``).
    data : str, Path or None
        The ``data`` parameter it was loaded from.
    config : Config
        The configuration it was validated under.

    Returns
    -------
    Path
        ``folder``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = source_files(data)
    tables = write_tables(ds, folder)
    meta = {"format": _FORMAT, "data": data_parameter(data), "key": source_key(data),
            "settings": settings_key(config), "source": ds.source,
            "file_hashes": ds.file_hashes, "files": _signature(files), "tables": tables}
    tmp = folder / "ready.json.tmp"
    tmp.write_text(json.dumps(meta), encoding="utf-8")
    os.replace(tmp, folder / "ready.json")
    return folder


def write_failed(folder: Path, reason: str) -> None:
    """Tell waiting kernels that there will be no snapshot (they read the source themselves).

    Parameters
    ----------
    folder : Path
    reason : str
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "failed.json").write_text(json.dumps({"reason": reason}), encoding="utf-8")


def read_snapshot(folder: Path):
    """The :class:`~iomlib.data.dataset.Dataset` held in a snapshot folder.

    Parameters
    ----------
    folder : Path

    Returns
    -------
    Dataset
    """
    folder = Path(folder)
    meta = json.loads((folder / "ready.json").read_text(encoding="utf-8"))
    return read_tables(folder, meta["tables"], source=meta["source"],
                       file_hashes=meta["file_hashes"])


def _wait(folder: Path, timeout: float) -> dict | None:
    """``ready.json`` of the snapshot once it exists; None if the runner gave up or timed out."""
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        ready = folder / "ready.json"
        if ready.exists():
            return json.loads(ready.read_text(encoding="utf-8"))
        if (folder / "failed.json").exists() or time.monotonic() > deadline:
            return None
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)


def usable_snapshot(data, config, timeout: float = WAIT_SECONDS) -> Path | None:
    """The run's snapshot folder if it holds ``data`` as validated under ``config``, else None.

    Parameters
    ----------
    data : str, Path or None
        The notebook's ``data`` parameter.
    config : Config
        The notebook's configuration.
    timeout : float
        Seconds to wait for the runner to finish writing it.

    Returns
    -------
    Path or None
    """
    where = os.environ.get(SNAPSHOT_ENV)
    if not where:
        return None
    folder = Path(where)
    meta = _wait(folder, timeout)
    if meta is None or meta.get("format") != _FORMAT:
        return None
    if meta["data"] != data_parameter(data) or meta["settings"] != settings_key(config):
        return None
    try:
        unchanged = meta["files"] == _signature(source_files(data))
    except OSError:
        unchanged = False
    if not unchanged:
        print(f"iomlib: the data changed since the run started; reading {data} again",
              file=sys.stderr)
        return None
    return folder


def open_for_run(data, config):
    """The run's validated data: the snapshot when it matches, else the source itself.

    Parameters
    ----------
    data : str, Path or None
        As for :func:`iomlib.data.open.open_dataset`.
    config : Config
        The run's configuration.

    Returns
    -------
    Dataset
    """
    folder = usable_snapshot(data, config)
    if folder is not None:
        return read_snapshot(folder)
    from iomlib.data.open import open_dataset
    return open_dataset(data, config=config)
