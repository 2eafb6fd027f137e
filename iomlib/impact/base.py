"""What every impact estimator shares: the estimand, the tidy summary row and its stable key.

Each estimator is an object whose ``fit(dataset, ...)`` returns ``self``, puts its results in
attributes ending ``_`` and offers a tidy :attr:`Estimator.summary`, one row per measure with
the columns ``SUMMARY_COLUMNS``. The ``key`` column is a short snake_case id that stays the same
when a measure's display label is reworded, so notebooks and benchmarks select rows by key
(:func:`summary_rows`), never by position or label.
"""
from __future__ import annotations

import pandas as pd

from iomlib.config.settings import Config, default_config
from iomlib.errors import IomError
from iomlib.impact.preparation import prepare

ESTIMAND = ("the proportional reduction in the offending rate per day at liberty while managed, "
            "over the first 12 months after adoption, among the people adopted "
            "(1 - their rate while managed / the rate they would have had on the same days "
            "without management)")
SUMMARY_COLUMNS = ["key", "measure", "estimate", "ci_low", "ci_high", "n", "n_treated",
                   "n_control", "scale", "method", "converged", "note"]


def summary_row(key: str, measure: str, estimate, ci_low, ci_high, *, n=None, n_treated=None,
                n_control=None, scale: str, method: str, converged: bool | None = None,
                note: str | None = None) -> dict:
    """One row of an estimator's summary (``SUMMARY_COLUMNS``).

    Parameters
    ----------
    key : str
        Stable snake_case id of the measure (e.g. ``"g_estimate"``).
    measure : str
        Display label.
    estimate, ci_low, ci_high : float or None
        The estimate and its 95% interval (None when there is none).
    n, n_treated, n_control : int, optional
        Rows analysed and people in each group.
    scale, method : str
        What the estimate measures and how it was obtained.
    converged : bool, optional
        Whether the fits behind the estimate converged (None: not checked).
    note : str, optional
        A warning to show with the estimate (e.g. what did not converge).

    Returns
    -------
    dict
    """
    return {"key": key, "measure": measure, "estimate": _float(estimate),
            "ci_low": _float(ci_low), "ci_high": _float(ci_high), "n": n,
            "n_treated": n_treated, "n_control": n_control, "scale": scale, "method": method,
            "converged": converged, "note": note}


def _float(x):
    return None if x is None else float(x)


def summary_rows(summary: pd.DataFrame, keys) -> pd.DataFrame:
    """The rows of ``summary`` with the given keys, in the order given.

    Parameters
    ----------
    summary : DataFrame
        An estimator's ``summary`` (or several stacked), with a ``key`` column.
    keys : iterable of str
        Keys of the rows wanted.

    Returns
    -------
    DataFrame
        Those rows (with their index in ``summary``).

    Raises
    ------
    KeyError
        A key is not in ``summary``.
    """
    keys = list(keys)
    missing = [k for k in keys if k not in set(summary["key"])]
    if missing:
        raise KeyError(f"no summary row with key {missing}; keys are {list(summary['key'])}")
    pos = {k: i for i, k in enumerate(summary["key"])}
    return summary.iloc[[pos[k] for k in keys]]


class Estimator:
    """Common behaviour: ``summary`` (tidy table) after ``fit``."""

    _rows: list

    @property
    def summary(self) -> pd.DataFrame:
        """Tidy table: one row per measure (see ``SUMMARY_COLUMNS``)."""
        if not hasattr(self, "_rows"):
            raise IomError(f"{type(self).__name__}: call fit(dataset) first")
        return pd.DataFrame(self._rows, columns=SUMMARY_COLUMNS)

    def _setup(self, dataset, config: Config | None, as_of, panel):
        """The configuration and panel of a fit (the shared, cached panel when none is given)."""
        cfg = config or default_config()
        p = panel if panel is not None else prepare(dataset, cfg, as_of)
        self.as_of_ = p.as_of
        return cfg, p
