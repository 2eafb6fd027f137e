"""Risk by month on the scheme: curves aligned on adoption, and the regression-to-the-mean check.

Month ``k`` of an episode is the date ``adopted_on + k`` calendar months (``pandas.DateOffset``,
so a 31 January adoption has month 1 on 28/29 February), the same convention as the month-12
headline (:func:`iomlib.measures.reduction.month12_episodes`). Every score comes from the risk
engine, :func:`iomlib.risk.score`, so imported scores take precedence exactly as elsewhere.

Two groups are summarised (domain-notes §5):

``still observed``
    For months before adoption, every episode. For month ``k >= 0``, episodes still on the
    scheme on that date (not removed before it: ``removed_on`` empty or on/after the date) and
    with the date on or before ``as_of``. Composition changes from month to month: exits are
    censoring, not success.
``observed through month 12``
    A fixed group: episodes that reached month ``landmark`` (12 by default) on the scheme by
    ``as_of``, followed from month ``-months_before`` to month ``landmark``. This is the
    population of the month-12 headline.

The unit is the episode (a person adopted twice contributes two episodes); ``n_at_risk`` counts
episodes.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from iomlib.config.settings import Config, default_config
from iomlib.errors import ParameterError
from iomlib.measures.episodes import select_episodes
from iomlib.measures.stats import t_intervals
from iomlib.risk.engine import offence_weights, risk_panel, score

GROUP_OBSERVED = "still observed"
CURVE_COLUMNS = ["month", "group", "mean", "ci_low", "ci_high", "n_at_risk", "n_people"]


def fixed_group_label(landmark: int = 12) -> str:
    """Name of the fixed-composition group for a landmark month.

    Parameters
    ----------
    landmark : int, default 12
        The landmark month.

    Returns
    -------
    str
        E.g. ``"observed through month 12"``.
    """
    return f"observed through month {landmark}"


def _check_months(months_before: int, months_after: int, landmark: int) -> None:
    for name, value in (("months_before", months_before), ("months_after", months_after),
                        ("landmark", landmark)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
            raise ParameterError(f"{name}={value!r}: expected a whole number >= 0")
    if landmark > months_after:
        raise ParameterError(f"landmark={landmark!r}: must not exceed months_after="
                             f"{months_after!r}")


def episode_months(dataset, config: Config | None = None, *, as_of=None, since=None,
                   months_before: int = 12, months_after: int = 24, landmark: int = 12,
                   cohorts=None) -> pd.DataFrame:
    """One row per (episode, month on scheme) with the risk score on that date.

    Parameters
    ----------
    dataset : Dataset
        The data.
    config : Config, optional
        Risk settings; the packaged default if omitted.
    as_of : date, optional
        Analysis date (default ``config.as_of``). Episodes adopted after it are left out and no
        month after it is observed.
    since : date, optional
        Keep episodes adopted on or after this date (default: all).
    months_before, months_after : int
        Months on scheme from ``-months_before`` to ``months_after`` inclusive.
    landmark : int
        Month that defines the fixed-composition group.
    cohorts : str or list of str, optional
        Keep episodes of these cohorts (default: all).

    Returns
    -------
    DataFrame
        episode_id, person_id, cohort, adopted_on, month, date, score, score_source, observed
        (bool: in the "still observed" group that month) and fixed (bool: in the fixed group
        that month). Rows for months after ``as_of`` are kept with ``observed == False``.
    """
    _check_months(months_before, months_after, landmark)
    cfg = config or default_config()
    t = pd.Timestamp(as_of) if as_of is not None else cfg.as_of
    ep = select_episodes(dataset.episodes, since=since, as_of=t,
                         cohorts=cohorts).reset_index(drop=True)
    ks = np.arange(-months_before, months_after + 1)
    rows = _month_grid(ep, ks)
    rows["observed"], rows["fixed"] = _groups(rows, ep, len(ks), t, landmark)
    scored = score(dataset, rows[["person_id", "date"]], cfg)
    rows["score"] = scored["score"].to_numpy()
    rows["score_source"] = scored["score_source"].to_numpy()
    cols = ["episode_id", "person_id", "cohort", "adopted_on", "month", "date", "score",
            "score_source", "observed", "fixed"]
    return rows[cols]


def _month_grid(ep: pd.DataFrame, ks: np.ndarray) -> pd.DataFrame:
    """One row per (month offset in ``ks``, episode), month-major, with the date of the month."""
    n_ep = len(ep)
    adopted = ep["adopted_on"]
    # one vectorised date shift per month offset (a loop over months, never over people)
    dates = np.concatenate([(adopted + pd.DateOffset(months=int(k))).to_numpy(
        dtype="datetime64[ns]") for k in ks]) if n_ep else np.array([], dtype="datetime64[ns]")
    return pd.DataFrame({
        "episode_id": np.tile(ep["episode_id"].to_numpy(), len(ks)),
        "person_id": np.tile(ep["person_id"].astype(str).to_numpy(), len(ks)),
        "cohort": np.tile(ep["cohort"].to_numpy(), len(ks)),
        "adopted_on": np.tile(adopted.to_numpy(dtype="datetime64[ns]"), len(ks)),
        "month": np.repeat(ks, n_ep),
        "date": dates,
    })


def _groups(rows: pd.DataFrame, ep: pd.DataFrame, n_months: int, t: pd.Timestamp,
            landmark: int) -> tuple[pd.Series, np.ndarray]:
    """Membership of each grid row in the "still observed" and the fixed group."""
    removed = np.tile(ep["removed_on"].to_numpy(dtype="datetime64[ns]"), n_months)
    on_scheme = pd.isna(removed) | (removed >= rows["date"].to_numpy())
    observed = (rows["month"] < 0) | (on_scheme & (rows["date"] <= t).to_numpy())
    landmark_date = (ep["adopted_on"] + pd.DateOffset(months=int(landmark))).to_numpy(
        dtype="datetime64[ns]")
    ep_removed = ep["removed_on"].to_numpy(dtype="datetime64[ns]")
    reached = (landmark_date <= np.datetime64(t)) & (pd.isna(ep_removed)
                                                     | (ep_removed >= landmark_date))
    fixed = np.tile(reached, n_months) & (rows["month"] <= landmark).to_numpy()
    return observed, fixed


def _summary(rows: pd.DataFrame, group: str, alpha: float) -> pd.DataFrame:
    g = rows.groupby("month")
    out = pd.DataFrame({
        "mean": g["score"].mean(),
        "sd": g["score"].std(ddof=1),
        "n_at_risk": g.size(),
        "n_people": g["person_id"].nunique(),
    }).reset_index()
    out["ci_low"], out["ci_high"] = t_intervals(out["mean"], out["sd"], out["n_at_risk"], alpha)
    out["group"] = group
    return out


def risk_by_month(dataset, config: Config | None = None, *, as_of=None, since=None,
                  months_before: int = 12, months_after: int = 24, landmark: int = 12,
                  cohorts=None, alpha: float = 0.05) -> pd.DataFrame:
    """Mean risk score by month on the scheme, with a 95% band and numbers at risk.

    Parameters are those of :func:`episode_months`; ``alpha`` sets the band (t interval for the
    mean over episodes, ``1 - alpha`` coverage; empty when fewer than two episodes).

    Parameters
    ----------
    dataset : Dataset
        The data.
    config : Config, optional
        Risk settings; the packaged default if omitted.
    as_of, since, months_before, months_after, landmark, cohorts
        As for :func:`episode_months`.
    alpha : float, default 0.05
        One minus the coverage of the band.

    Returns
    -------
    DataFrame
        Tidy: month, group, mean, ci_low, ci_high, n_at_risk (episodes), n_people (distinct
        people); one row per (group, month) with at least one episode. Groups are
        ``"still observed"`` (months ``-months_before`` .. ``months_after``) and
        ``"observed through month <landmark>"`` (months ``-months_before`` .. ``landmark``).
    """
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha={alpha!r}: expected a number between 0 and 1")
    rows = episode_months(dataset, config, as_of=as_of, since=since,
                          months_before=months_before, months_after=months_after,
                          landmark=landmark, cohorts=cohorts)
    parts = [_summary(rows[rows["observed"]], GROUP_OBSERVED, alpha),
             _summary(rows[rows["fixed"]], fixed_group_label(landmark), alpha)]
    out = pd.concat(parts, ignore_index=True)   # "still observed" first, then the fixed group
    return out[CURVE_COLUMNS].reset_index(drop=True)


def reduction_by_baseline(table: pd.DataFrame, *, baseline: str = "risk_at_adoption",
                          reduction: str = "reduction_pct", bins: int = 5,
                          alpha: float = 0.05) -> pd.DataFrame:
    """Mean % reduction within bands of baseline risk: the regression-to-the-mean tell-tale.

    Rows whose reduction is undefined (baseline zero, ``reduction`` NaN) are dropped. Baselines
    are cut into ``bins`` groups of (near) equal size by rank (quantile bins).

    Parameters
    ----------
    table : DataFrame
        One row per episode, e.g. :func:`iomlib.measures.reduction.month12_episodes` or
        :func:`iomlib.measures.reduction.removed_episodes`.
    baseline, reduction : str
        Column names.
    bins : int
        Number of quantile bins (at least 1).
    alpha : float, default 0.05
        One minus the coverage of the intervals.

    Returns
    -------
    DataFrame
        bin (1 = lowest baseline), baseline_low, baseline_high, baseline_median, n,
        mean_reduction, ci_low, ci_high (t interval).
    """
    for arg, col in (("baseline", baseline), ("reduction", reduction)):
        if col not in table.columns:
            raise ParameterError(f"{arg}={col!r}: not a column of table; columns: "
                                 f"{list(table.columns)}")
    if not isinstance(bins, (int, np.integer)) or isinstance(bins, bool) or bins < 1:
        raise ParameterError(f"bins={bins!r}: expected a whole number >= 1")
    d = table[[baseline, reduction]].dropna()
    if d.empty:
        return pd.DataFrame(columns=["bin", "baseline_low", "baseline_high", "baseline_median",
                                     "n", "mean_reduction", "ci_low", "ci_high"])
    nb = min(int(bins), len(d))
    rank = d[baseline].rank(method="first")
    d = d.assign(bin=pd.qcut(rank, nb, labels=False) + 1)
    g = d.groupby("bin")
    out = pd.DataFrame({
        "baseline_low": g[baseline].min(), "baseline_high": g[baseline].max(),
        "baseline_median": g[baseline].median(), "n": g.size(),
        "mean_reduction": g[reduction].mean(), "sd": g[reduction].std(ddof=1),
    }).reset_index()
    out["ci_low"], out["ci_high"] = t_intervals(out["mean_reduction"], out["sd"], out["n"],
                                                alpha)
    return out.drop(columns="sd")


def rank_correlation(table: pd.DataFrame, *, x: str = "risk_at_adoption",
                     y: str = "reduction_pct") -> dict:
    """Spearman rank correlation between two columns (rows with a missing value dropped).

    Parameters
    ----------
    table : DataFrame
        One row per episode.
    x, y : str
        Column names.

    Returns
    -------
    dict
        ``rho``, ``p`` (two-sided), ``n`` (rows used) and ``excluded`` (rows dropped).
    """
    for arg, col in (("x", x), ("y", y)):
        if col not in table.columns:
            raise ParameterError(f"{arg}={col!r}: not a column of table; columns: "
                                 f"{list(table.columns)}")
    d = table[[x, y]].dropna()
    n = len(d)
    if n < 3 or d[x].nunique() < 2 or d[y].nunique() < 2:
        rho, p = float("nan"), float("nan")
    else:
        res = stats.spearmanr(d[x], d[y])
        rho, p = float(res.statistic), float(res.pvalue)
    return {"rho": rho, "p": p, "n": n, "excluded": int(len(table) - n)}


def nominal_history(dataset, person_id: str, config: Config | None = None, *, start=None,
                    end=None) -> dict[str, pd.DataFrame]:
    """Everything known about one person between ``start`` and ``end``, for a timeline.

    Nothing after ``end`` is shown: an episode removed after ``end`` appears open and a custody
    spell is cut at ``end``.

    Parameters
    ----------
    dataset : Dataset
        The data.
    person_id : str
        The person (``people.person_id``).
    config : Config, optional
        Risk settings; the packaged default if omitted.
    start : date, optional
        Default: 12 months before the person's first adoption (or before ``end`` if never
        adopted), whichever is earlier than ``config.period_start``.
    end : date, optional
        Default ``config.as_of``.

    Returns
    -------
    dict of DataFrame
        ``risk`` (month_end, score, score_source: :func:`iomlib.risk.risk_panel`),
        ``offences`` (offence_date, offence_category, weapon, domestic, weight),
        ``custody`` (start_date, end_date, sentence_kind), ``episodes`` (episode_id, cohort,
        adopted_on, removed_on, removal_reason).
    """
    cfg = config or default_config()
    pid = str(person_id)
    if pid not in set(dataset.people["person_id"].astype(str)):
        raise ParameterError(f"person_id={person_id!r}: not a person in the data")
    t1 = pd.Timestamp(end) if end is not None else cfg.as_of
    ep = dataset.episodes[(dataset.episodes["person_id"].astype(str) == pid)
                          & (dataset.episodes["adopted_on"] <= t1)].sort_values("adopted_on")
    t0 = _history_start(ep, start, t1, cfg)
    ep = _episodes_seen(ep, t0, t1)
    off = dataset.offences[(dataset.offences["person_id"].astype(str) == pid)
                           & (dataset.offences["offence_date"] >= t0)
                           & (dataset.offences["offence_date"] <= t1)].copy()
    off["weight"] = offence_weights(off, cfg) if len(off) else np.zeros(0)
    cu = dataset.custody[(dataset.custody["person_id"].astype(str) == pid)
                         & (dataset.custody["start_date"] <= t1)
                         & (dataset.custody["end_date"] >= t0)].copy()
    cu["end_date"] = cu["end_date"].clip(upper=t1)
    risk = risk_panel(dataset, t0, t1, cfg, people=pd.Series([pid]))
    return {
        "risk": risk[["month_end", "score", "score_source"]].reset_index(drop=True),
        "offences": off[["offence_date", "offence_category", "weapon", "domestic",
                         "weight"]].sort_values("offence_date", ignore_index=True),
        "custody": cu[["start_date", "end_date", "sentence_kind"]].sort_values(
            "start_date", ignore_index=True),
        "episodes": ep[["episode_id", "cohort", "adopted_on", "removed_on",
                        "removal_reason"]].reset_index(drop=True),
    }


def _history_start(ep: pd.DataFrame, start, t1: pd.Timestamp, cfg: Config) -> pd.Timestamp:
    """``start``, or 12 months before the first adoption (at the latest ``period_start``)."""
    if start is not None:
        t0 = pd.Timestamp(start)
    else:
        first = ep["adopted_on"].min() if len(ep) else t1
        t0 = min(first - pd.DateOffset(months=12), cfg.period_start)
    if t0 > t1:
        raise ParameterError(f"start={start!r}: after end {t1.date()}")
    return t0


def _episodes_seen(ep: pd.DataFrame, t0: pd.Timestamp, t1: pd.Timestamp) -> pd.DataFrame:
    """Episodes not removed before ``t0``, as seen on ``t1`` (a later removal is not yet known)."""
    ep = ep[ep["removed_on"].isna() | (ep["removed_on"] >= t0)].copy()
    later = ep["removed_on"] > t1
    ep.loc[later, "removed_on"] = pd.NaT
    ep.loc[later, "removal_reason"] = None
    return ep
