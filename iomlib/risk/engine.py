"""The reoffending-risk score: recency- and severity-weighted offending in a trailing window.

Definition (domain-notes §2)::

    risk(i, t) = sum over offences o of person i with t - W < date(o) <= t of
                 severity(o) * (1 + weapon_uplift * weapon(o)) * 0.5 ** ((t - date(o)) / H)

with ``W = window_days``, ``H = half_life_days`` and ``severity`` from the configured table
(ONS Crime Severity Score weights by default; plain counts or a local 1-5 gravity scale as
alternatives). Dates are whole days.

The computation is vectorised: offences are sorted once by (person, day) and every query is
answered by binary search into per-person, per-time-bin cumulative sums. Time is cut into bins of
``W`` days, so a window touches at most two bins and every exponent stays below ``2 W / H``
(no overflow, no cancellation across people). Cost: O((n_offences + n_queries) log n_offences).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from iomlib.config.settings import Config, default_config
from iomlib.errors import ConfigError
from iomlib.risk.grid import window_grid

_MAX_WINDOW_OVER_HALF_LIFE = 400.0


def offence_weights(offences: pd.DataFrame, config: Config | None = None) -> np.ndarray:
    """Per-offence weight ``severity * (1 + weapon_uplift * weapon)`` under ``config``.

    Parameters
    ----------
    offences : DataFrame
        offence_category and weapon.
    config : Config, optional
        Severity table and weapon uplift; the packaged default if omitted.

    Returns
    -------
    ndarray of float
        Aligned with ``offences``.
    """
    cfg = config or default_config()
    sev = _category_weights(offences["offence_category"], cfg.risk.severity)
    if sev is None or np.isnan(sev).any():
        sev = offences["offence_category"].map(cfg.risk.severity)
        if sev.isna().any():
            bad = offences.loc[sev.isna(), "offence_category"].iloc[0]
            raise ConfigError(f"offence_category {bad!r} has no weight in severity table "
                              f"{cfg.risk.severity_table!r}; known: {sorted(cfg.risk.severity)}")
        sev = sev.to_numpy(float)
    weapon = offences["weapon"]
    weapon = weapon.to_numpy() if weapon.dtype == bool else weapon.astype(bool).to_numpy()
    return np.where(weapon, sev * (1.0 + cfg.risk.weapon_uplift), sev)


def _category_weights(values: pd.Series, table) -> np.ndarray | None:
    """Weights of categorical ``values`` looked up once per category (None: not categorical).

    A missing value or a category without a weight gives NaN (the caller reports it).
    """
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return None
    per_cat = np.append(np.asarray(values.cat.categories.map(table), dtype=float), np.nan)
    return per_cat[values.cat.codes.to_numpy()]   # code -1 (missing) picks the NaN


def day_numbers(values, epoch: np.datetime64) -> np.ndarray:
    """Whole days from ``epoch`` to each date in ``values``.

    Parameters
    ----------
    values : array-like of datetime-like
        Dates (anything ``pd.to_datetime`` accepts); times of day are truncated.
    epoch : numpy.datetime64
        Day zero, e.g. ``np.datetime64("1970-01-01", "D")``.

    Returns
    -------
    numpy.ndarray
        ``int64`` day numbers, ``date - epoch``.
    """
    dtype = getattr(values, "dtype", None)
    if isinstance(dtype, np.dtype) and dtype.kind == "M":   # already dates: no parsing
        arr = np.asarray(values, dtype="datetime64[D]")
    else:
        arr = np.asarray(pd.to_datetime(values).values, dtype="datetime64[D]")
    return (arr - epoch).astype(np.int64)


class _WindowIndex:
    """Sorted offences with per-(person, bin) cumulative decayed weights."""

    def __init__(self, person_codes: np.ndarray, days: np.ndarray, weights: np.ndarray,
                 window: int, half_life: float):
        self.W = int(window)
        self.H = float(half_life)
        order = np.lexsort((days, person_codes))
        p = person_codes[order].astype(np.int64)
        d = days[order].astype(np.int64)
        w = weights[order].astype(float)
        b = np.floor_divide(d, self.W)
        v = w * np.exp2((d - b * self.W) / self.H)
        # per-(person, bin) cumulative sum
        new_group = np.ones(len(d), dtype=bool)
        if len(d):
            new_group[1:] = (p[1:] != p[:-1]) | (b[1:] != b[:-1])
        group_id = np.cumsum(new_group) - 1
        # a cumulative sum restarted in every group (no subtraction across groups, so a
        # large value in one person's bin cannot swamp another's small ones)
        self.cs = pd.Series(v).groupby(group_id).cumsum().to_numpy() if len(d) else v
        self.p, self.d = p, d

    def _key(self, p, d, K):
        return p * K + d

    def query(self, person_codes: np.ndarray, days: np.ndarray) -> np.ndarray:
        W, H = self.W, self.H
        p = person_codes.astype(np.int64)
        t = days.astype(np.int64)
        if len(self.d) == 0 or len(t) == 0:
            return np.zeros(len(t))
        lo = min(self.d.min(), (t - 2 * W).min())
        hi = max(self.d.max(), t.max())
        shift = -lo + W  # all shifted days strictly positive and bins aligned to multiples of W
        shift += (-shift) % W
        K = (hi + shift) + 2 * W + 1
        keys = self._key(self.p, self.d + shift, K)
        ts = t + shift
        bt = np.floor_divide(ts, W)
        cs0 = np.concatenate([[0.0], self.cs])

        def prefix(i, gstart):
            # sum of group values with index < i, for a group starting at gstart
            return np.where(i > gstart, cs0[i], 0.0)

        g_a = np.searchsorted(keys, self._key(p, bt * W, K), "left")
        i_a = np.searchsorted(keys, self._key(p, ts, K), "right")
        a = prefix(i_a, g_a)
        g_b = np.searchsorted(keys, self._key(p, (bt - 1) * W, K), "left")
        i_lo = np.searchsorted(keys, self._key(p, ts - W, K), "right")
        b_total = prefix(g_a, g_b)
        b_before = prefix(np.maximum(i_lo, g_b), g_b)
        b = b_total - b_before
        # the bin epoch used in the index was the unshifted bin start; recompute exponents
        # relative to the same epochs: unshifted bin start = bt*W - shift
        ea = np.exp2(-(ts - bt * W) / H)
        eb = np.exp2(-(ts - (bt - 1) * W) / H)
        return a * ea + b * eb


def _check(cfg: Config):
    if cfg.risk.window_days / cfg.risk.half_life_days > _MAX_WINDOW_OVER_HALF_LIFE:
        raise ConfigError(
            f"config risk: window_days / half_life_days = "
            f"{cfg.risk.window_days / cfg.risk.half_life_days:.0f} exceeds "
            f"{_MAX_WINDOW_OVER_HALF_LIFE:.0f}; use a longer half-life or a shorter window")


def window_sums(offences: pd.DataFrame, weights: np.ndarray, pairs: pd.DataFrame, *,
                window_days: int, half_life_days: float = np.inf,
                date_col: str = "date") -> np.ndarray:
    """Sum of ``weights * 0.5 ** (age / half_life_days)`` over each pair's trailing window.

    The shared engine behind the risk score (decayed) and the selection matrix
    (``half_life_days=inf``: plain points in the window). The window is
    ``date - window_days < offence_date <= date``.

    Parameters
    ----------
    offences : DataFrame
        person_id and offence_date.
    weights : array-like of float
        Weight of each offence.
    pairs : DataFrame
        person_id and ``date_col``.
    window_days : int
        Window length ``W``.
    half_life_days : float
        Half-life ``H`` of the decay (inf: none).
    date_col : str
        Date column of ``pairs``.

    Returns
    -------
    ndarray of float
        Aligned with ``pairs``.
    """
    if len(pairs) == 0:
        return np.zeros(0)
    epoch = np.datetime64("1970-01-01", "D")
    persons = pd.Index(pd.unique(np.concatenate([
        offences["person_id"].astype(str).to_numpy(), pairs["person_id"].astype(str).to_numpy()])))
    op = persons.get_indexer(offences["person_id"].astype(str))
    qp = persons.get_indexer(pairs["person_id"].astype(str))
    idx = _WindowIndex(op, day_numbers(offences["offence_date"], epoch), np.asarray(weights, float),
                       window_days, half_life_days)
    return idx.query(qp, day_numbers(pairs[date_col], epoch))


def compute_scores(offences: pd.DataFrame, pairs: pd.DataFrame, config: Config | None = None,
                   *, date_col: str = "date") -> np.ndarray:
    """Risk score of each (person_id, date) pair, computed from ``offences``.

    Parameters
    ----------
    offences : DataFrame
        Columns person_id, offence_date, offence_category, weapon.
    pairs : DataFrame
        Columns person_id and ``date_col``. Any order, duplicates allowed.
    config : Config, optional
        Risk settings; the packaged default if omitted.
    date_col : str
        Date column of ``pairs``.

    Returns
    -------
    ndarray of float, aligned with ``pairs``.
    """
    cfg = config or default_config()
    _check(cfg)
    return window_sums(offences, offence_weights(offences, cfg), pairs,
                       window_days=cfg.risk.window_days, half_life_days=cfg.risk.half_life_days,
                       date_col=date_col)


def score(dataset, pairs: pd.DataFrame, config: Config | None = None, *,
          date_col: str = "date") -> pd.DataFrame:
    """Risk score for (person, date) pairs, taking imported scores first where present.

    Returns ``pairs`` with two added columns: ``score`` and ``score_source``
    (``"computed"`` or ``"imported"``). An imported score applies to a pair when the person has
    an imported score dated on or before the pair's date and ``config.risk.prefer_imported`` is
    true: the latest such score is used, and it holds until the person's next imported score
    for at most ``config.risk.imported_valid_days`` days (default 365); a pair further from its
    last imported score gets the computed score (sparse exports do not last forever).

    Parameters
    ----------
    dataset : Dataset
        The data.
    pairs : DataFrame
        person_id and ``date_col``.
    config : Config, optional
        Risk settings; the packaged default if omitted.
    date_col : str
        Date column of ``pairs``.
    """
    cfg = config or default_config()
    out = pairs.copy()
    out["score"] = compute_scores(dataset.offences, pairs, cfg, date_col=date_col)
    out["score_source"] = "computed"
    imp = getattr(dataset, "risk_scores", None)
    if cfg.risk.prefer_imported and imp is not None and len(imp):
        left = out.reset_index(drop=True).reset_index().rename(columns={"index": "_row"})
        left["_d"] = pd.to_datetime(left[date_col]).astype("datetime64[ns]")
        right = imp[["person_id", "score_date", "score"]].rename(
            columns={"score": "_imp", "score_date": "_d"})
        right["_d"] = pd.to_datetime(right["_d"]).astype("datetime64[ns]")
        right = right.sort_values("_d")
        m = pd.merge_asof(left.sort_values("_d"), right, on="_d", by="person_id",
                          direction="backward",
                          tolerance=pd.Timedelta(days=cfg.risk.imported_valid_days)
                          ).sort_values("_row")
        has = m["_imp"].notna().to_numpy()
        vals = out["score"].to_numpy().copy()
        vals[has] = m["_imp"].to_numpy()[has]
        out["score"] = vals
        src = out["score_source"].to_numpy().copy()
        src[has] = "imported"
        out["score_source"] = src
    return out


def month_ends(start, end) -> pd.DatetimeIndex:
    """Month-end dates from the month of ``start`` to the month of ``end`` inclusive.

    Parameters
    ----------
    start, end : date
        First and last month.

    Returns
    -------
    DatetimeIndex
    """
    return pd.date_range(pd.Timestamp(start) + pd.offsets.MonthEnd(0),
                         pd.Timestamp(end) + pd.offsets.MonthEnd(0), freq="ME")


def risk_matrix(offences: pd.DataFrame, person_ids, dates, config: Config | None = None
                ) -> np.ndarray:
    """Risk scores on a grid: every person in ``person_ids`` at every date in ``dates``.

    The fast path behind :func:`risk_panel`, linear in offences plus grid cells: the
    offences are bucketed by person, then each person's row is one recurrence over the dates,
    fed by each offence's entry into and exit from the window (see
    :func:`iomlib.risk.grid.window_grid`; compiled with Numba). Offences of people not in
    ``person_ids`` are ignored.

    Parameters
    ----------
    offences : DataFrame
        person_id, offence_date, offence_category, weapon.
    person_ids : sequence of str
        Rows of the grid.
    dates : sequence of dates
        Columns of the grid, sorted ascending.
    config : Config, optional
        Risk settings; the packaged default if omitted.

    Returns
    -------
    ndarray, shape (len(person_ids), len(dates))
    """
    cfg = config or default_config()
    _check(cfg)
    ids = pd.Index(pd.Series(person_ids).astype(str))
    t = day_numbers(pd.DatetimeIndex(dates), np.datetime64("1970-01-01", "D"))
    if len(t) > 1 and np.any(np.diff(t) <= 0):
        raise ValueError("dates: expected strictly increasing dates")
    n, m = len(ids), len(t)
    if n == 0 or m == 0 or len(offences) == 0:
        return np.zeros((n, m))
    return window_grid(_codes(offences["person_id"], ids), _days(offences["offence_date"]),
                       offence_weights(offences, cfg), t, n, cfg.risk.window_days,
                       float(cfg.risk.half_life_days))


def _days(values: pd.Series) -> np.ndarray:
    """Day numbers from 1970-01-01 (:func:`day_numbers`), without a copy for datetime64 data."""
    arr = values.to_numpy() if hasattr(values, "to_numpy") else np.asarray(values)
    if np.issubdtype(arr.dtype, np.datetime64):
        return arr.astype("datetime64[D]").astype(np.int64)
    return day_numbers(arr, np.datetime64("1970-01-01", "D"))


def _codes(values: pd.Series, ids: pd.Index) -> np.ndarray:
    """Positions of ``values`` in ``ids`` (-1 where absent); fast for categorical input."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = values.cat.categories
        if cats.dtype == ids.dtype and cats.equals(ids):   # the grid's own order: no look-up
            return values.cat.codes.to_numpy()
        cat_pos = ids.get_indexer(cats.astype(str))
        codes = values.cat.codes.to_numpy()
        return np.where(codes >= 0, cat_pos[codes], -1)
    return ids.get_indexer(values.astype(str))


def risk_panel(dataset, start, end, config: Config | None = None, *,
               people: pd.Series | None = None) -> pd.DataFrame:
    """Person-by-month risk panel (tidy): person_id, month_end, score, score_source.

    Each person in ``people`` (default: everyone in ``dataset.people``) is scored at every month
    end from ``start`` to ``end``. Imported scores take precedence where present (see
    :func:`score`); otherwise the grid is computed by :func:`risk_matrix`.

    Parameters
    ----------
    dataset : Dataset
        The data.
    start, end : date
        First and last month.
    config : Config, optional
        Risk settings; the packaged default if omitted.
    people : Series of str, optional
        Who to score (default: everyone in ``dataset.people``).

    Returns
    -------
    DataFrame
        person_id, month_end, score, score_source.
    """
    cfg = config or default_config()
    ids = (dataset.people["person_id"] if people is None else pd.Series(people)).astype(str)
    months = month_ends(start, end)
    pairs = pd.DataFrame({
        "person_id": np.repeat(ids.to_numpy(), len(months)),
        "month_end": np.tile(months.values, len(ids)),
    })
    imp = getattr(dataset, "risk_scores", None)
    if cfg.risk.prefer_imported and imp is not None and len(imp):
        return score(dataset, pairs, cfg, date_col="month_end")
    pairs["score"] = risk_matrix(dataset.offences, ids, months, cfg).ravel()
    pairs["score_source"] = "computed"
    return pairs
