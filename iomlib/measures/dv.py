"""DVIOM outcomes: domestic-abuse offending, harm and victims before and after adoption.

For each episode and each window of ``k`` months (6 and 12 by default):

- **before** is ``(adopted_on - k months, adopted_on]`` and **after** is
  ``(adopted_on, adopted_on + k months]`` (calendar months, ``pandas.DateOffset``; the same
  half-open convention as Figure A, :func:`iomlib.measures.reduction.episode_before_after`);
- **domestic-abuse offences** are the person's offences flagged ``domestic``;
- **harm** is their summed severity weight under the configured table, weapon uplift included
  (:func:`iomlib.risk.offence_weights`, the weight used by the risk score and Figure A);
- **victims** are the distinct non-empty ``victim_id`` of those offences; a **repeat victim** is
  one with two or more domestic-abuse offences by the person in the same window. Offences with
  no victim recorded count as offences and harm, not as victims.

An episode enters a window's comparison only when its after-window has ended by ``as_of``
(complete follow-up); the others are counted as excluded. Nothing after ``as_of`` is used.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from iomlib.config.settings import Config, default_config
from iomlib.errors import ParameterError
from iomlib.measures.episodes import select_episodes
from iomlib.measures.stats import paired_tests, wilson_interval
from iomlib.risk.engine import offence_weights

OUTCOMES = ("offences", "harm", "victims", "repeat_victims")
OUTCOME_LABELS = {
    "offences": "domestic-abuse offences",
    "harm": "harm (summed severity of domestic-abuse offences)",
    "victims": "distinct victims",
    "repeat_victims": "repeat victims (2+ domestic-abuse offences in the window)",
}


def _check_windows(months) -> tuple[int, ...]:
    given = months
    if not isinstance(months, (list, tuple, np.ndarray, pd.Index)):
        months = (months,)
    out = []
    for m in months:
        if not isinstance(m, (int, np.integer)) or isinstance(m, bool) or m < 1:
            raise ParameterError(f"months={given!r}: expected whole numbers of months >= 1")
        out.append(int(m))
    if not out:
        raise ParameterError(f"months={given!r}: expected at least one window")
    return tuple(out)


def da_before_after(dataset, config: Config | None = None, *, months=(6, 12), as_of=None,
                    since=None, cohorts="DVIOM") -> pd.DataFrame:
    """Per (episode, window): domestic-abuse offences, harm, victims and repeat victims.

    Parameters
    ----------
    dataset : Dataset
        The data.
    config : Config, optional
        Severity table and weapon uplift for harm; ``as_of`` default.
    months : int or sequence of int
        Window lengths in months.
    as_of : date, optional
        Analysis date (default ``config.as_of``); episodes adopted after it are left out.
    since : date, optional
        Keep episodes adopted on or after this date.
    cohorts : str, list of str or None
        Cohort(s) of the episodes (default ``"DVIOM"``; None = every cohort).

    Returns
    -------
    DataFrame
        episode_id, person_id, cohort, adopted_on, months, complete (follow-up ended by
        ``as_of``), and ``<outcome>_before`` / ``<outcome>_after`` for each outcome in
        :data:`OUTCOMES`.
    """
    windows = _check_windows(months)
    cfg = config or default_config()
    t = pd.Timestamp(as_of) if as_of is not None else cfg.as_of
    ep = select_episodes(dataset.episodes, since=since, as_of=t, cohorts=cohorts)
    ep = ep[["episode_id", "person_id", "cohort", "adopted_on"]].reset_index(drop=True)
    off = dataset.offences[dataset.offences["domestic"].astype(bool)
                           & (dataset.offences["offence_date"] <= t)]
    off = off.assign(weight=offence_weights(off, cfg) if len(off) else np.zeros(0))
    off = off[["person_id", "offence_date", "victim_id", "weight"]]
    frames = [_window_counts(ep, off, k, t) for k in windows]   # a loop over windows, not people
    cols = ["episode_id", "person_id", "cohort", "adopted_on", "months", "complete"] + [
        f"{o}_{s}" for o in OUTCOMES for s in ("before", "after")]
    res = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    return res[cols]


def _window_counts(ep: pd.DataFrame, off: pd.DataFrame, k: int, t: pd.Timestamp) -> pd.DataFrame:
    """The outcomes of every episode in the ``k``-month windows before and after adoption."""
    e = ep.assign(months=k, start=ep["adopted_on"] - pd.DateOffset(months=k),
                  end=ep["adopted_on"] + pd.DateOffset(months=k))
    e["complete"] = e["end"] <= t
    m = e[["episode_id", "person_id", "adopted_on", "start", "end"]].merge(
        off, on="person_id", how="inner")
    side = np.select([(m["offence_date"] > m["start"]) & (m["offence_date"] <= m["adopted_on"]),
                      (m["offence_date"] > m["adopted_on"]) & (m["offence_date"] <= m["end"])],
                     ["before", "after"], default="")
    m = m.assign(side=side)
    m = m[m["side"] != ""]
    wide = _side_outcomes(m).unstack("side")
    wide.columns = [f"{o}_{s}" for o, s in wide.columns]
    out = e.drop(columns=["start", "end"]).set_index("episode_id").join(wide)
    for o in OUTCOMES:
        for s in ("before", "after"):
            col = f"{o}_{s}"
            if col not in out.columns:
                out[col] = 0.0
            out[col] = out[col].fillna(0.0)
            if o != "harm":
                out[col] = out[col].astype(int)
    return out.reset_index()


def _side_outcomes(m: pd.DataFrame) -> pd.DataFrame:
    """Per (episode, side): offences, harm, victims and repeat victims of the offences ``m``."""
    base = m.groupby(["episode_id", "side"]).agg(offences=("weight", "size"),
                                                  harm=("weight", "sum"))
    vic = m[m["victim_id"].notna() & (m["victim_id"].astype(str) != "")]
    per_victim = vic.groupby(["episode_id", "side", "victim_id"]).size()
    vstats = pd.DataFrame({
        "victims": per_victim.groupby(level=[0, 1]).size(),
        "repeat_victims": (per_victim >= 2).groupby(level=[0, 1]).sum(),
    })
    return base.join(vstats).fillna(0)


def da_outcomes(dataset, config: Config | None = None, *, months=(6, 12), as_of=None,
                since=None, cohorts="DVIOM") -> pd.DataFrame:
    """Paired before/after comparison of each outcome, per window (episodes with full follow-up).

    Parameters
    ----------
    dataset : Dataset
        The data.
    config : Config, optional
        Severity table and weapon uplift for harm; ``as_of`` default.
    months : int or sequence of int
        Window lengths in months.
    as_of : date, optional
        Analysis date (default ``config.as_of``).
    since : date, optional
        Keep episodes adopted on or after this date.
    cohorts : str, list of str or None
        Cohort(s) of the episodes (default ``"DVIOM"``; None = every cohort).

    Returns
    -------
    DataFrame
        One row per (months, outcome): n (episodes compared), excluded (episodes whose
        follow-up had not ended by ``as_of``), total_before, total_after and the fields of
        :func:`iomlib.measures.stats.paired_tests` (mean_before, mean_after, n_zero_differences,
        n_decreased, n_increased, wilcoxon_statistic, wilcoxon_p, sign_test_p).
    """
    per = da_before_after(dataset, config, months=months, as_of=as_of, since=since,
                          cohorts=cohorts)
    rows = []
    for k in _check_windows(months):
        w = per[per["months"] == k]
        done = w[w["complete"]]
        for o in OUTCOMES:
            res = paired_tests(done[f"{o}_before"], done[f"{o}_after"])
            rows.append({"months": k, "outcome": o, "label": OUTCOME_LABELS[o],
                         "excluded": int((~w["complete"]).sum()),
                         "excluded_reason": f"adopted less than {k} months before as_of",
                         "total_before": float(done[f"{o}_before"].sum()),
                         "total_after": float(done[f"{o}_after"].sum()), **res})
    first = ["months", "outcome", "label", "n", "excluded", "excluded_reason", "total_before",
             "total_after"]
    out = pd.DataFrame(rows)
    return out[first + [c for c in out.columns if c not in first]]


def repeat_victimisation(dataset, config: Config | None = None, *, months=(6, 12), as_of=None,
                         since=None, cohorts="DVIOM") -> pd.DataFrame:
    """Share of victims who were victimised repeatedly, before and after adoption.

    Victims are counted per episode (a victim of two managed episodes counts twice).

    Parameters
    ----------
    dataset : Dataset
        The data.
    config : Config, optional
        Severity table and weapon uplift for harm; ``as_of`` default.
    months : int or sequence of int
        Window lengths in months.
    as_of : date, optional
        Analysis date (default ``config.as_of``).
    since : date, optional
        Keep episodes adopted on or after this date.
    cohorts : str, list of str or None
        Cohort(s) of the episodes (default ``"DVIOM"``; None = every cohort).

    Returns
    -------
    DataFrame
        One row per (months, side): episodes (n compared), victims, repeat_victims, pct
        (repeat / victims x 100) with a Wilson 95% interval (ci_low, ci_high).
    """
    per = da_before_after(dataset, config, months=months, as_of=as_of, since=since,
                          cohorts=cohorts)
    rows = []
    for k in _check_windows(months):
        done = per[(per["months"] == k) & per["complete"]]
        for side in ("before", "after"):
            v = int(done[f"victims_{side}"].sum())
            r = int(done[f"repeat_victims_{side}"].sum())
            lo, hi = wilson_interval(r, v)
            rows.append({"months": k, "side": side, "episodes": len(done), "victims": v,
                         "repeat_victims": r, "pct": 100 * r / v if v else float("nan"),
                         "ci_low": 100 * lo, "ci_high": 100 * hi, "ci_method": "wilson"})
    return pd.DataFrame(rows)
