"""A disk cache of the embedded synthetic force, so that it is simulated once per installation.

The embedded default (:func:`iomlib.data.open.default_dataset`) is simulated from a fixed seed;
simulating it takes over a second of CPU, paid by every ``iom report``, ``iom impact`` and
notebook that uses it. The first simulation is written as Parquet files to a cache folder and
later calls read those (a tenth of the time). The cache entry is keyed by everything the result
depends on: the simulation's parameters, the versions of Python, NumPy, pandas and pyarrow, and
the content of every file of the ``iomlib`` package (any change to the code or the packaged
configuration is a new key), so a stale force is never served. What is read back is checked
to be complete; anything unreadable is simulated again.

The folder is ``$IOM_CACHE_DIR``, else ``$XDG_CACHE_HOME/iom-suite``, else
``~/.cache/iom-suite``; ``IOM_CACHE_DIR=off`` turns the cache off. A cache that cannot be
written is skipped silently (the force is simulated as before).
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from iomlib.data.parquet_tables import read_tables, write_tables

#: Environment variable naming the cache folder (``off`` turns the cache off).
CACHE_ENV = "IOM_CACHE_DIR"
_FORMAT = 1
_PACKAGE = Path(__file__).resolve().parents[1]


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is turned off.

    Returns
    -------
    Path or None
    """
    value = os.environ.get(CACHE_ENV)
    if value is not None:
        return None if value.strip().lower() in ("", "0", "off", "none") else Path(value)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "iom-suite"


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """SHA-256 of every file of the installed ``iomlib`` package (path and content)."""
    h = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(_PACKAGE)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def cache_key(params) -> str:
    """The key of one simulated force.

    Parameters
    ----------
    params : SynthParams

    Returns
    -------
    str
        Hex SHA-256 of the parameters, the library versions and the package's code.
    """
    import numpy
    import pandas
    import pyarrow
    parts = [_FORMAT, repr(params), platform.python_version(), numpy.__version__,
             pandas.__version__, pyarrow.__version__, _code_digest()]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def read(folder: Path):
    """The :class:`~iomlib.data.dataset.Dataset` cached in ``folder``, or None if unusable.

    Parameters
    ----------
    folder : Path

    Returns
    -------
    Dataset or None
    """
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        return read_tables(folder, meta["tables"], source=meta["source"],
                           file_hashes=meta["file_hashes"])
    except (OSError, ValueError, KeyError, TypeError, ImportError):
        return None


def write(ds, folder: Path) -> None:
    """Write ``ds`` to ``folder`` atomically (a complete folder appears, or none).

    Parameters
    ----------
    ds : Dataset
    folder : Path
    """
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
    except OSError:
        return
    try:
        tables = write_tables(ds, tmp)
        (tmp / "meta.json").write_text(json.dumps({
            "format": _FORMAT, "source": ds.source, "file_hashes": ds.file_hashes,
            "tables": tables}), encoding="utf-8")
        os.replace(tmp, folder)           # another process may have won the race: fine
    except OSError:
        pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def simulate_cached(params):
    """``simulate(params)``, read from the cache when it holds this force.

    Parameters
    ----------
    params : SynthParams

    Returns
    -------
    Dataset
    """
    from iomlib.data.synth import simulate
    base = cache_dir()
    if base is None:
        return simulate(params)
    folder = base / f"synth-{cache_key(params)[:32]}"
    if (folder / "meta.json").exists():
        ds = read(folder)
        if ds is not None:
            return ds
        shutil.rmtree(folder, ignore_errors=True)   # unreadable: simulate and write again
    ds = simulate(params)
    write(ds, folder)
    return ds
