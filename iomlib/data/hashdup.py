"""Repeated rows of large tables, found by hashing first and comparing exactly only among the
rows whose hash repeats.

``DataFrame.duplicated`` builds a hash table of the values themselves; on millions of distinct
text identifiers that is most of the cost of validating a national extract. Hashing each cell
to 64 bits (:func:`pandas.util.hash_array`, no table) and looking for repeated hashes finds
every candidate; the exact comparison then runs on the few rows whose hash repeats, so the
answer is exactly that of ``duplicated``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

#: Below this many rows ``duplicated`` is used directly (hashing first would not pay).
SMALL = 100_000
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _cell_hashes(s: pd.Series) -> np.ndarray:
    """64-bit hashes of a column's cells; equal where ``s.astype(str)`` is equal."""
    from pandas.util import hash_array
    values = s.to_numpy()
    if values.dtype == object:
        head = values[:10_000]
        if len(set(head)) <= len(head) // 2 and not pd.isna(values).any():
            # few distinct values (codes, categories): hashed once each, the same hashes
            return hash_array(values, categorize=True)
        # each cell hashed as str(cell): None as "None", like astype(str)
        return hash_array(values, categorize=False)
    return hash_array(values)


def duplicated_rows(frame: pd.DataFrame) -> np.ndarray:
    """``frame.astype(str).duplicated(keep="first")`` as a NumPy bool array.

    Parameters
    ----------
    frame : DataFrame
        Columns of text (``str`` or None) or of dates and numbers.

    Returns
    -------
    ndarray of bool
        True for every row equal (as text, cell by cell) to an earlier row.
    """
    n = len(frame)
    if n < SMALL:
        return frame.astype(str).duplicated(keep="first").to_numpy(dtype=bool)
    h = np.zeros(n, dtype=np.uint64)
    for col in frame.columns:
        h = (h * _MIX) ^ _cell_hashes(frame[col])      # wraps around: uint64 arithmetic
    maybe = pd.Series(h).duplicated(keep=False).to_numpy(dtype=bool)
    dup = np.zeros(n, dtype=bool)
    if maybe.any():
        dup[maybe] = frame[maybe].astype(str).duplicated(keep="first").to_numpy(dtype=bool)
    return dup
