"""Data preparation shared by the impact estimators: the cached panel, window sums, risk sets."""
from __future__ import annotations

import numpy as np
import pandas as pd

from iomlib.config.settings import Config, default_config
from iomlib.errors import IomError
from iomlib.impact._cache import cached
from iomlib.impact.panel import Panel, build_panel, history_design, risk_sets

_PANELS: dict = {}


def prepare(dataset, config: Config | None = None, as_of=None) -> Panel:
    """The person-by-month :class:`~iomlib.impact.panel.Panel` of ``dataset`` (cached).

    The cache holds the most recent few panels, keyed on the dataset object, the configuration
    object and the as-of date, so that several estimators fitted on the same data share one.
    Each entry keeps its dataset and configuration alive and a hit requires the very same
    objects, so an id recycled by a later object can never return another data's panel.

    Parameters
    ----------
    dataset : Dataset
        A validated dataset.
    config : Config, optional
        The configuration (the packaged default if omitted).
    as_of : date-like, optional
        Last day of data used (default: ``config.as_of``).

    Returns
    -------
    Panel
    """
    cfg = config or default_config()
    t = pd.Timestamp(as_of) if as_of is not None else cfg.as_of
    return cached(_PANELS, dataset, cfg, t, lambda: build_panel(dataset, t, cfg))


def window_sum(A: np.ndarray, rows: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Sum of ``A[row, lo..hi]`` (inclusive, clipped to the panel) for each row.

    Parameters
    ----------
    A : ndarray, shape (n, m)
        A panel array (people by months).
    rows, lo, hi : ndarray of int
        Panel row and first and last month index of each window.

    Returns
    -------
    ndarray of float
    """
    c = np.concatenate([np.zeros((A.shape[0], 1)), np.cumsum(A, axis=1, dtype=float)], axis=1)
    M = A.shape[1]
    a = np.clip(lo, 0, M)
    b = np.clip(hi + 1, 0, M)
    return np.where(b > a, c[rows, b] - c[rows, a], 0.0)


def risk_set_data(P: Panel, follow_up: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Risk sets with follow-up at liberty and their design (history covariates and ``adopted``).

    Parameters
    ----------
    P : Panel
    follow_up : int
        Months of follow-up after each month end.

    Returns
    -------
    (risk_sets, design) : tuple of DataFrame
        :func:`~iomlib.impact.panel.risk_sets` rows with days at liberty in the follow-up, and
        :func:`~iomlib.impact.panel.history_design` with ``adopted`` as its second column.
    """
    rs = risk_sets(P, follow_up=follow_up)
    rs = rs[rs["liberty"] > 0].reset_index(drop=True)
    if rs["adopted"].sum() == 0 or (rs["adopted"] == 0).sum() == 0:
        raise IomError("impact: the risk sets need both adopted and not-adopted people")
    X = history_design(rs)
    X.insert(1, "adopted", rs["adopted"].astype(float))
    return rs, X
