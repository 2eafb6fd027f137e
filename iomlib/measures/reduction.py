"""Risk-reduction measures: removed nominals, 12 months on the scheme, and Figure A.

Definitions (domain-notes §3). For an episode with risk ``r0`` at adoption and ``r1`` at a later
point, the per-episode reduction is ``(r0 - r1) / r0``. The headline is the **mean of these
ratios** (x100); beside it: the **ratio of means** ``(mean r0 - mean r1) / mean r0`` and the
**median** ratio. Episodes with ``r0 == 0`` have no defined ratio; they are counted and excluded.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from iomlib.config.settings import Config, default_config
from iomlib.measures.episodes import select_episodes
from iomlib.measures.rows import measure_row
from iomlib.measures.stats import paired_tests, t_interval
from iomlib.risk.engine import score


def _reductions(r0: np.ndarray, r1: np.ndarray):
    ok = r0 > 0
    ratio = np.full(len(r0), np.nan)
    ratio[ok] = (r0[ok] - r1[ok]) / r0[ok]
    return ratio, ok


def _bootstrap_ratio_of_means(r0, r1, reps=2000, seed=12345, alpha=0.05):
    if len(r0) < 2:
        return (np.nan, np.nan)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(r0), (reps, len(r0)))
    m0 = r0[idx].mean(axis=1)
    m1 = r1[idx].mean(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        est = (m0 - m1) / m0
    lo, hi = np.nanquantile(est, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


def _summarise(measure, r0, r1, base_definition, *, headline_label, alt_label="") -> list[dict]:
    ratio, ok = _reductions(r0, r1)
    n_excl = int((~ok).sum())
    x = ratio[ok]
    n = len(x)
    excl = "risk at adoption was zero (ratio undefined)"
    rows = []
    mean = float(np.mean(x) * 100) if n else np.nan
    lo, hi = t_interval(x)
    rows.append(measure_row(
        measure, mean, n=n, definition=f"mean of per-episode % reductions; {base_definition}"
                                      f"{headline_label}",
        headline=bool(headline_label == ""), ci_low=lo * 100, ci_high=hi * 100,
        ci_method="t interval", excluded=n_excl, excluded_reason=excl))
    r0k, r1k = r0[ok], r1[ok]
    rom = float((r0k.mean() - r1k.mean()) / r0k.mean() * 100) if n else np.nan
    blo, bhi = _bootstrap_ratio_of_means(r0k, r1k)
    rows.append(measure_row(
        measure, rom, n=n, definition=f"% change in the mean score (ratio of means); "
                                      f"{base_definition}{alt_label}",
        headline=False, ci_low=blo * 100, ci_high=bhi * 100,
        ci_method="percentile bootstrap over episodes (2000 reps, seed 12345)",
        excluded=n_excl, excluded_reason=excl))
    med = float(np.median(x) * 100) if n else np.nan
    rows.append(measure_row(
        measure, med, n=n, definition=f"median of per-episode % reductions; {base_definition}"
                                      f"{alt_label}",
        headline=False, excluded=n_excl, excluded_reason=excl))
    return rows


def removed_episodes(dataset, since, as_of, config: Config | None = None) -> pd.DataFrame:
    """Episodes removed between ``since`` and ``as_of``, with risk at adoption and at removal.

    Parameters
    ----------
    dataset : Dataset
        The data.
    since, as_of : date
        Removal dates considered (inclusive).
    config : Config, optional
        Risk settings; the packaged default if omitted.
    """
    cfg = config or default_config()
    ep = dataset.episodes
    s, t = pd.Timestamp(since), pd.Timestamp(as_of)
    rem = ep[ep["removed_on"].notna() & (ep["removed_on"] >= s) & (ep["removed_on"] <= t)].copy()
    r0 = score(dataset, rem[["person_id"]].assign(date=rem["adopted_on"].values), cfg)["score"]
    r1 = score(dataset, rem[["person_id"]].assign(date=rem["removed_on"].values), cfg)["score"]
    rem["risk_at_adoption"] = r0.to_numpy()
    rem["risk_at_removal"] = r1.to_numpy()
    ratio, _ = _reductions(rem["risk_at_adoption"].to_numpy(), rem["risk_at_removal"].to_numpy())
    rem["reduction_pct"] = ratio * 100
    return rem.reset_index(drop=True)


def removed_reduction(dataset, since, as_of, config: Config | None = None) -> pd.DataFrame:
    """Reduction in risk for nominals removed since ``since`` (episodes removed in the period).

    Parameters
    ----------
    dataset : Dataset
        The data.
    since, as_of : date
        Removal dates considered (inclusive).
    config : Config, optional
        Risk settings; the packaged default if omitted.

    Returns
    -------
    DataFrame
        Measure rows: the mean of ratios (headline), the ratio of means, the median.
    """
    rem = removed_episodes(dataset, since, as_of, config)
    base = (f"episodes removed {pd.Timestamp(since).date()} to {pd.Timestamp(as_of).date()}; "
            "risk at adoption vs at removal")
    return pd.DataFrame(_summarise("removed_mean_reduction_pct", rem["risk_at_adoption"].to_numpy(),
                                   rem["risk_at_removal"].to_numpy(), base, headline_label=""))


def month12_episodes(dataset, as_of, config: Config | None = None, *, months: int = 12,
                     since=None) -> pd.DataFrame:
    """Episodes adopted at least ``months`` before ``as_of``, with risk at adoption and at
    adoption + ``months``, and whether still on the scheme then (``reached``).

    Parameters
    ----------
    dataset : Dataset
        The data.
    as_of : date
        Analysis date: the landmark must be on or before it.
    config : Config, optional
        Risk settings; the packaged default if omitted.
    months : int
        The landmark, in months after adoption.
    since : date, optional
        Keep episodes adopted on or after this date.
    """
    cfg = config or default_config()
    ep = dataset.episodes.copy()
    ep["landmark"] = ep["adopted_on"] + pd.DateOffset(months=months)
    ep = ep[ep["landmark"] <= pd.Timestamp(as_of)]
    if since is not None:
        ep = ep[ep["adopted_on"] >= pd.Timestamp(since)]
    ep["reached"] = ep["removed_on"].isna() | (ep["removed_on"] >= ep["landmark"])
    ep["risk_at_adoption"] = score(dataset, ep[["person_id"]].assign(
        date=ep["adopted_on"].values), cfg)["score"].to_numpy()
    ep["risk_at_month"] = score(dataset, ep[["person_id"]].assign(
        date=ep["landmark"].values), cfg)["score"].to_numpy()
    ratio, _ = _reductions(ep["risk_at_adoption"].to_numpy(), ep["risk_at_month"].to_numpy())
    ep["reduction_pct"] = ratio * 100
    return ep.reset_index(drop=True)


def month12_reduction(dataset, as_of, config: Config | None = None, *,
                      months: int = 12) -> pd.DataFrame:
    """Reduction in risk after ``months`` on the scheme.

    Headline: episodes still on the scheme at adoption + ``months`` (reached the landmark), as of
    ``as_of``. Alternative beside it: every episode adopted at least ``months`` before ``as_of``
    whatever happened to it (intention to treat).

    Parameters
    ----------
    dataset : Dataset
        The data.
    as_of : date
        Analysis date.
    config : Config, optional
        Risk settings; the packaged default if omitted.
    months : int
        The landmark, in months after adoption.
    """
    ep = month12_episodes(dataset, as_of, config, months=months)
    reached = ep[ep["reached"]]
    base = (f"episodes on the scheme {months} months after adoption, adopted by "
            f"{(pd.Timestamp(as_of) - pd.DateOffset(months=months)).date()}; risk at adoption vs "
            f"adoption + {months} months")
    rows = _summarise("month12_mean_reduction_pct", reached["risk_at_adoption"].to_numpy(),
                      reached["risk_at_month"].to_numpy(), base, headline_label="")
    itt = _summarise("month12_mean_reduction_pct", ep["risk_at_adoption"].to_numpy(),
                     ep["risk_at_month"].to_numpy(),
                     f"all episodes adopted at least {months} months earlier, including those "
                     "removed before (intention to treat)", headline_label=" [alternative]",
                     alt_label=" [alternative]")
    return pd.DataFrame(rows + itt)


def figure_a(dataset, config: Config | None = None, *, years=(2016, 2017, 2018),
             window_days: int = 365, cohorts=None, as_of=None) -> pd.DataFrame:
    """Figure A: offence frequency and summed severity before vs after adoption, per year.

    For each episode adopted in a year, offences in ``(adopted_on - window, adopted_on]``
    (before) and ``(adopted_on, adopted_on + window]`` (after); severity from the configured
    table including the weapon uplift. Paired Wilcoxon signed-rank (zero differences dropped and
    counted) and a sign test. Only episodes whose after-window ends by ``as_of`` (default: the
    last offence date in the data) are used, so no offence after ``as_of`` is counted.

    Returns one row per (year, outcome) with n, means, zeros and p-values.

    Parameters
    ----------
    dataset : Dataset
        The data.
    config : Config, optional
        Risk settings; the packaged default if omitted.
    years : sequence of int
        Adoption years.
    window_days : int
        Length of the before and after windows.
    cohorts : str or list of str, optional
        Keep episodes of these cohorts (default: all; see
        :func:`iomlib.measures.episodes.select_episodes`).
    as_of : date, optional
        Last day of follow-up (default: the last offence date).
    """
    from iomlib.risk.engine import offence_weights
    cfg = config or default_config()
    ep = select_episodes(dataset.episodes, cohorts=cohorts)
    off = dataset.offences
    w = pd.Series(offence_weights(off, cfg), index=off.index)
    last = pd.Timestamp(as_of) if as_of is not None else off["offence_date"].max()
    rows = []
    per = episode_before_after(ep, off, w, window_days)
    for y in years:
        sel = per[(per["adopted_on"].dt.year == y) & (per["adopted_on"]
                  + pd.Timedelta(days=window_days) <= last)]
        for outcome in ("frequency", "severity"):
            res = paired_tests(sel[f"{outcome}_before"], sel[f"{outcome}_after"])
            rows.append({"year": y, "outcome": outcome, **res})
    return pd.DataFrame(rows)


def episode_before_after(episodes, offences, weights, window_days=365) -> pd.DataFrame:
    """Per episode: offence count and summed weight in the window before and after adoption.

    Parameters
    ----------
    episodes : DataFrame
        episode_id, person_id, adopted_on.
    offences : DataFrame
        person_id, offence_date.
    weights : Series
        Weight of each offence (aligned with ``offences``).
    window_days : int
        Window length.

    Returns
    -------
    DataFrame
        episode_id, person_id, adopted_on, frequency_before, frequency_after,
        severity_before, severity_after.
    """
    m = episodes[["episode_id", "person_id", "adopted_on"]].merge(
        offences[["person_id", "offence_date"]].assign(w=weights.values), on="person_id",
        how="left")
    d = (m["offence_date"] - m["adopted_on"]).dt.days
    win = pd.Timedelta(days=window_days).days
    before = (d > -win) & (d <= 0)
    after = (d > 0) & (d <= win)
    g = m.assign(fb=before.astype(int), fa=after.astype(int), sb=m["w"].where(before, 0.0),
                 sa=m["w"].where(after, 0.0)).groupby("episode_id")[["fb", "fa", "sb", "sa"]].sum()
    out = episodes[["episode_id", "person_id", "adopted_on"]].set_index("episode_id").join(g)
    out = out.rename(columns={"fb": "frequency_before", "fa": "frequency_after",
                              "sb": "severity_before", "sa": "severity_after"})
    return out.fillna(0).reset_index()
