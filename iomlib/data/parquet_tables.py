"""A :class:`~iomlib.data.dataset.Dataset`'s tables as Parquet files in a folder, and back.

Used by the run's validated snapshot (:mod:`iomlib.report.snapshot`) and the synthetic force's
disk cache (:mod:`iomlib.data.synth_cache`). Each table (and the ledger) is one
``<name>.parquet`` file with its index; the round trip keeps every value and dtype.
"""
from __future__ import annotations

from pathlib import Path

from iomlib.data.schema import TABLES

#: What a folder can hold: the data model's tables and the ledger.
NAMES = (*TABLES, "ledger")


def write_tables(ds, folder: Path) -> list[str]:
    """Write every table of ``ds`` that is present; return their names.

    Parameters
    ----------
    ds : Dataset
    folder : Path
        An existing folder.

    Returns
    -------
    list of str
    """
    written = []
    for name in NAMES:
        df = getattr(ds, name)
        if df is not None:
            df.to_parquet(Path(folder) / f"{name}.parquet", index=True)
            written.append(name)
    return written


def read_tables(folder: Path, names, *, source: str, file_hashes: dict):
    """The :class:`~iomlib.data.dataset.Dataset` of the tables ``names`` in ``folder``.

    Parameters
    ----------
    folder : Path
    names : iterable of str
        The tables written (:func:`write_tables`); the others are None.
    source : str
        The dataset's ``source``.
    file_hashes : dict
        Its ``file_hashes``.

    Returns
    -------
    Dataset
    """
    import pandas as pd

    from iomlib.data.dataset import Dataset
    names = set(names)
    frames = {n: pd.read_parquet(Path(folder) / f"{n}.parquet") if n in names else None
              for n in NAMES}
    return Dataset(**frames, source=source, file_hashes=dict(file_hashes))
