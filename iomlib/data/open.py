"""Open a dataset: a force's own extract, or the embedded synthetic default."""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=4)
def _synthetic(seed: int | None):
    from dataclasses import replace

    from iomlib.data.synth import SynthParams
    from iomlib.data.synth_cache import simulate_cached
    params = SynthParams() if seed is None else replace(SynthParams(), seed=seed)
    return simulate_cached(params)     # simulated once per installation (a disk cache)


def default_dataset(seed: int | None = None):
    """The embedded default: the calibrated synthetic force (default seed) simulated in memory.

    The simulation is cached in memory and on disk (:mod:`iomlib.data.synth_cache`); every
    call returns its own copy (:meth:`Dataset.copy`), so a
    caller changing a table does not change what the next caller gets.

    Parameters
    ----------
    seed : int, optional
        Seed of the synthetic force; default: the calibrated one (``SynthParams().seed``).

    Returns
    -------
    Dataset
    """
    return _synthetic(seed).copy()


def open_dataset(source=None, *, config=None, strict: bool = False, force: str | None = None,
                 dayfirst: bool = False):
    """Load and validate ``source`` (folder, workbook or SQLAlchemy URL); the default if None.

    Parameters
    ----------
    source : str or Path, optional
        A folder of CSV/Parquet files, an ``.xlsx`` workbook or an SQLAlchemy URL.
    config : Config, optional
        Supplies the allowed offence categories; defaults to the packaged configuration.
    strict : bool
        Refuse data with any excluded row (``iom validate`` uses this).
    force : str, optional
        One force of a national dataset (``people.force``), read lazily from Parquet.
    dayfirst : bool
        Also read day-first dates ``DD/MM/YYYY`` (see :func:`iomlib.data.sources.load_dataset`).
    """
    if source is None or str(source) in ("", "default", "synthetic"):
        return default_dataset()
    from iomlib.data.sources import load_dataset
    return load_dataset(source, config=config, strict=strict, force=force, dayfirst=dayfirst)
