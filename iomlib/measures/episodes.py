"""Which episodes a measure looks at: one selection rule shared by every measure.

An episode is selected by its cohort and by its adoption date, both bounds inclusive
(``since <= adopted_on <= as_of``), or by being open on a date (adopted on or before it and not
removed by then: ``removed_on`` empty or after the date). ``cohorts`` names cohorts of the data
(:data:`iomlib.data.schema.COHORTS`); the word ``"all"`` is *not* special here (it matches no
episode): use :func:`iomlib.measures.cohort.restrict` to accept it from a user.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def cohort_list(cohorts) -> list | None:
    """``cohorts`` as a list of cohort names (None stays None: every cohort).

    Parameters
    ----------
    cohorts : str, iterable of str or None
        One cohort, several, or None.

    Returns
    -------
    list of str or None
    """
    if cohorts is None:
        return None
    return [cohorts] if isinstance(cohorts, str) else list(cohorts)


def select_episodes(episodes: pd.DataFrame, *, since=None, as_of=None, cohorts=None,
                    open_on=None) -> pd.DataFrame:
    """Rows of ``episodes`` in ``cohorts``, adopted within ``[since, as_of]``, open on ``open_on``.

    Every criterion left as None is not applied; with none given, ``episodes`` itself is
    returned. Rows keep their order and index (call ``reset_index`` for a fresh one).

    Parameters
    ----------
    episodes : DataFrame
        Any table with the columns used: ``cohort`` (for ``cohorts``), ``adopted_on`` (for
        ``since``, ``as_of`` and ``open_on``) and ``removed_on`` (for ``open_on``), e.g.
        ``dataset.episodes`` or :func:`iomlib.measures.cohort.status_on` output.
    since : date, optional
        Keep episodes adopted on or after this date.
    as_of : date, optional
        Keep episodes adopted on or before this date.
    cohorts : str or iterable of str, optional
        Keep episodes of these cohorts.
    open_on : date, optional
        Keep episodes open on this date: ``adopted_on <= open_on`` and ``removed_on`` empty or
        after ``open_on``.

    Returns
    -------
    DataFrame
        The selected rows (a filtered view of ``episodes``).
    """
    wanted = cohort_list(cohorts)
    if wanted is None and since is None and as_of is None and open_on is None:
        return episodes
    keep = np.ones(len(episodes), dtype=bool)
    if wanted is not None:
        keep &= episodes["cohort"].isin(wanted).to_numpy()
    if as_of is not None:
        keep &= (episodes["adopted_on"] <= pd.Timestamp(as_of)).to_numpy()
    if since is not None:
        keep &= (episodes["adopted_on"] >= pd.Timestamp(since)).to_numpy()
    if open_on is not None:
        t = pd.Timestamp(open_on)
        removed = episodes["removed_on"]
        keep &= ((episodes["adopted_on"] <= t) & (removed.isna() | (removed > t))).to_numpy()
    return episodes[keep]
