"""A small cache of objects built from one dataset, configuration and as-of date.

Keyed by the identities of the dataset and the configuration, and holding them alive beside the
result, so that a recycled ``id`` can never return a stale entry; the oldest entry goes first.
"""
from __future__ import annotations

from typing import Callable, TypeVar

T = TypeVar("T")

#: Entries kept per cache.
CACHE_SIZE = 4


def cached(store: dict, dataset, cfg, t, build: Callable[[], T], size: int = CACHE_SIZE) -> T:
    """``build()`` for ``(dataset, cfg, t)``, or the entry ``store`` already holds for them.

    Parameters
    ----------
    store : dict
        The cache (a module-level dict of the caller's).
    dataset, cfg : object
        The dataset and configuration, compared by identity and kept alive in the entry.
    t : pandas.Timestamp
        The as-of date.
    build : callable
        Makes the object on a miss.
    size : int
        Entries kept; the oldest is dropped first.
    """
    key = (id(dataset), id(cfg), t)
    hit = store.get(key)
    if hit is not None and hit[0] is dataset and hit[1] is cfg:
        return hit[2]
    out = build()
    if len(store) >= size:
        store.pop(next(iter(store)))
    store[key] = (dataset, cfg, out)
    return out
